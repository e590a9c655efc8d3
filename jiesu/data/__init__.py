"""Reference data and data access: taxonomy, gazetteer, dispatch catalogue, disposition rules,
workflow settings, the seed corpus, and the dataset loader with validation."""
