"""The default model: trained from the shipped seed corpus (train + dev splits) the first time it is
needed, then reused. It lives in the data directory ($JIESU_DATA_DIR, default ./var)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from jiesu.model.classifier import RequestClassifier
from jiesu.model.model_dir import METADATA_FILE
from jiesu.training.datasets import SEED, load_training_data
from jiesu.training.pipeline import fit_calibrated

log = logging.getLogger(__name__)


def data_dir() -> Path:
    return Path(os.environ.get("JIESU_DATA_DIR", "var"))


def default_model_dir() -> Path:
    return data_dir() / "models" / "default"


def ensure_default_model(directory: Path | None = None, progress: bool = False) -> Path:
    """The default model directory, trained from the seed corpus if it has no model yet."""
    directory = directory or default_model_dir()
    if not (directory / METADATA_FILE).exists():
        log.info("no model at %s: training the default model from the seed corpus", directory)
        data = load_training_data(SEED)
        model, _ = fit_calibrated(data.texts, data.targets, source=data.source, progress=progress)
        model.save(directory)
    return directory


def load_default_model(directory: Path | None = None) -> RequestClassifier:
    return RequestClassifier.load(ensure_default_model(directory))
