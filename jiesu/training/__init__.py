"""Fitting, cross-validation, calibration and thresholds; writes model directories."""
