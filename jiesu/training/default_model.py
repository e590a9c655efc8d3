"""The default model: trained from the shipped seed corpus (train + dev splits) the first time it is
needed, then reused. It lives in the data directory ($JIESU_DATA_DIR, default ./var)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from jiesu.model.classifier import RequestClassifier
from jiesu.model.model_dir import FORMAT_VERSION, METADATA_FILE, saved_format_version
from jiesu.training.datasets import SEED, load_training_data
from jiesu.training.pipeline import fit_calibrated

log = logging.getLogger(__name__)


def data_dir() -> Path:
    return Path(os.environ.get("JIESU_DATA_DIR", "var"))


def default_model_dir() -> Path:
    return data_dir() / "models" / "default"


def ensure_default_model(directory: Path | None = None, progress: bool = False) -> Path:
    """The default model directory, trained from the seed corpus if it has no model yet, or one saved in
    an older model format (the default model is the seed corpus's, so it is simply made again)."""
    directory = directory or default_model_dir()
    missing = not (directory / METADATA_FILE).exists()
    saved = saved_format_version(directory)
    older = saved is not None and saved < FORMAT_VERSION  # a newer jiesu's model is left alone
    if missing or older:
        if missing:
            log.info("no model at %s: training the default model from the seed corpus", directory)
        else:
            log.info("the model at %s has format %s: training the default model again", directory, saved)
        data = load_training_data(SEED)
        model, _ = fit_calibrated(
            data.texts, data.targets, source=data.source, progress=progress, unit_labels=data.unit_labels
        )
        model.save(directory)
    return directory


def load_default_model(directory: Path | None = None) -> RequestClassifier:
    return RequestClassifier.load(ensure_default_model(directory))
