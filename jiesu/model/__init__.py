"""Text in, suggestion out: normalisation, segmentation, features, classifiers and model directories."""
