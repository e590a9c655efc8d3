"""The default model: trained from the shipped seed corpus (train + dev splits) the first time it is
needed, then reused until the shipped corpus changes (an upgrade that adds seed rows). It lives in the data
directory ($JIESU_DATA_DIR, default ./var)."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from jiesu.data.corpus import corpus_digest
from jiesu.errors import JiesuError
from jiesu.model.classifier import RequestClassifier
from jiesu.model.model_dir import FORMAT_VERSION, METADATA_FILE, read_metadata, saved_format_version
from jiesu.training.datasets import SEED, load_training_data
from jiesu.training.pipeline import fit_calibrated

log = logging.getLogger(__name__)
# Written beside the default model: the digest of the seed corpus it was trained on.
CORPUS_FILE = "seed_corpus.json"


def data_dir() -> Path:
    return Path(os.environ.get("JIESU_DATA_DIR", "var"))


def default_model_dir() -> Path:
    return data_dir() / "models" / "default"


def ensure_default_model(directory: Path | None = None, progress: bool = False) -> Path:
    """The default model directory, trained from the seed corpus if it has no model yet, one saved in an
    older model format, or one this function trained on another version of the seed corpus (the default
    model is the seed corpus's, so it is simply made again). A model put there another way (`jiesu train
    --out`, which may have other data or settings) and a newer jiesu's model are left alone; so is a stale
    one in a data directory that cannot be written (it is served, with a warning)."""
    directory = directory or default_model_dir()
    saved = saved_format_version(directory)
    digest = corpus_digest()
    if not (directory / METADATA_FILE).exists():
        log.info("no model at %s: training the default model from the seed corpus", directory)
    elif saved is not None and saved < FORMAT_VERSION:
        log.info("the model at %s has format %s: training the default model again", directory, saved)
    elif saved == FORMAT_VERSION and _trained_on(directory) not in (None, digest):
        if not os.access(directory.parent, os.W_OK):
            log.warning(
                "the seed corpus changed since the model at %s was trained, but %s cannot be written: "
                "serving the model as it is",
                directory,
                directory.parent,
            )
            return directory
        log.info("the seed corpus changed since the model at %s was trained: training it again", directory)
    else:
        return directory
    log.info(
        "training takes one to three minutes on 2 cores (longer on one); the model is saved to %s when it is done",
        directory,
    )
    started = time.monotonic()
    data = load_training_data(SEED)
    model, _ = fit_calibrated(
        data.texts, data.targets, source=data.source, progress=progress, unit_labels=data.unit_labels
    )
    model.save(directory, extra={CORPUS_FILE: {"sha256": digest}})
    log.info("trained the default model %s in %.0f s", model.model_id_, time.monotonic() - started)
    return directory


def _trained_on(directory: Path) -> str | None:
    """The digest of the seed corpus the model in `directory` was trained on; None where it has none:
    trained before the digest was kept, or not by this module. The digest file counts only where the
    model's own metadata lists it (a file left behind by an earlier model, under files copied over it,
    says nothing of the model there now)."""
    try:
        listed = read_metadata(directory, verify_files=False).get("files", {})
        saved = json.loads((directory / CORPUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, JiesuError):
        return None
    if CORPUS_FILE not in listed:
        return None
    value = saved.get("sha256") if isinstance(saved, dict) else None
    return value if isinstance(value, str) else None


def load_default_model(directory: Path | None = None) -> RequestClassifier:
    return RequestClassifier.load(ensure_default_model(directory))
