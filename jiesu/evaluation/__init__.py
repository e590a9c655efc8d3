"""Metrics, reports, benchmarks and audit analytics."""
