from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from jiesu.model.classifier import RequestClassifier

REPO_ROOT = Path(__file__).resolve().parents[1]
# The shared real data lives beside the repository (../shared/data), never inside it.
SHARED_DATA = Path(os.environ.get("JIESU_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
TEDDY_DIR = SHARED_DATA / "teddycup2020"


@pytest.fixture
def teddy_dir() -> Path:
    if not (TEDDY_DIR / "messages_segmented_9210.csv").exists():
        pytest.skip(f"shared Teddy Cup data not found at {TEDDY_DIR} (set JIESU_SHARED_DATA)")
    return TEDDY_DIR


@pytest.fixture(scope="session")
def seed_model(tmp_path_factory: pytest.TempPathFactory) -> RequestClassifier:
    """The default model trained on the seed corpus (train + dev), once per test run (about a minute on
    two cores): under xdist the first worker to ask trains it into the run's shared temporary folder and
    the others wait for it and load it; every worker gets the model loaded from that directory."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return _train_seed_model()
    # The parent of a worker's base temporary folder is this run's own (pytest-N), shared by its workers.
    shared = tmp_path_factory.getbasetemp().parent
    directory = shared / "seed-model"
    with (shared / "seed-model.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not directory.exists():
            _train_seed_model().save(directory)
    return RequestClassifier.load(directory)


def _train_seed_model() -> RequestClassifier:
    from jiesu.training.datasets import SEED, load_training_data
    from jiesu.training.pipeline import fit_calibrated

    data = load_training_data(SEED)
    model, _ = fit_calibrated(data.texts, data.targets, source=data.source)
    return model


@pytest.fixture(scope="session")
def seed_model_dir(seed_model: RequestClassifier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(seed_model.save(tmp_path_factory.mktemp("models") / "default"))
