"""Simulated histories for demos and tests (`jiesu demo simulate`): above the serving layer, whose
services it drives."""
