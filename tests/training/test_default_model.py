"""The default model is made again when the seed corpus it was trained on changes (an upgrade that adds
seed rows), and only then; a model put in its place another way is left alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jiesu.data.corpus import corpus_digest
from jiesu.model.classifier import RequestClassifier
from jiesu.training import default_model
from jiesu.training.datasets import SEED, TrainingData, load_training_data
from jiesu.training.pipeline import fit_calibrated

ROWS = 400  # a slice of the seed corpus: the decisions tested here do not need the whole of it


@pytest.fixture(scope="module")
def small_seed() -> TrainingData:
    data = load_training_data(SEED)
    return TrainingData(
        texts=data.texts[:ROWS],
        targets={head: labels[:ROWS] for head, labels in data.targets.items()},
        source=data.source,
        dataset=data.dataset.select(range(ROWS)),
        unit_labels=data.unit_labels[:ROWS] if data.unit_labels else None,
    )


@pytest.fixture
def corpus(monkeypatch: pytest.MonkeyPatch, small_seed: TrainingData) -> dict[str, Any]:
    """The corpus digest the module sees (set by each test) and the number of fits it made."""
    state: dict[str, Any] = {"digest": "a" * 64, "fits": 0}

    def counted_fit(*args: Any, **kwargs: Any) -> Any:
        state["fits"] += 1
        return fit_calibrated(*args, **kwargs)

    monkeypatch.setattr(default_model, "corpus_digest", lambda: state["digest"])
    monkeypatch.setattr(default_model, "load_training_data", lambda _source: small_seed)
    monkeypatch.setattr(default_model, "fit_calibrated", counted_fit)
    return state


def _model_id(directory: Path) -> str:
    return str(RequestClassifier.load(directory).model_id_)


def test_trained_once_then_again_only_when_the_corpus_changes(tmp_path: Path, corpus: dict[str, Any]) -> None:
    directory = tmp_path / "default"
    default_model.ensure_default_model(directory)
    assert corpus["fits"] == 1
    saved = json.loads((directory / default_model.CORPUS_FILE).read_text(encoding="utf-8"))
    assert saved == {"sha256": "a" * 64}
    default_model.ensure_default_model(directory)
    assert corpus["fits"] == 1  # the same corpus: reused
    corpus["digest"] = "b" * 64  # an upgrade brought new seed rows
    default_model.ensure_default_model(directory)
    assert corpus["fits"] == 2
    assert json.loads((directory / default_model.CORPUS_FILE).read_text(encoding="utf-8")) == {
        "sha256": "b" * 64
    }
    RequestClassifier.load(directory)  # the replacement is a whole model directory


def test_a_model_put_there_another_way_is_left_alone(
    tmp_path: Path, corpus: dict[str, Any], small_seed: TrainingData
) -> None:
    """`jiesu train --out var/models/default` (perhaps with a real history or other settings) is the
    user's model: it records no corpus digest, and a changed corpus does not replace it."""
    directory = tmp_path / "default"
    model, _ = fit_calibrated(small_seed.texts, small_seed.targets, source="seed + history.csv")
    model.save(directory)
    corpus["digest"] = "c" * 64
    default_model.ensure_default_model(directory)
    assert corpus["fits"] == 0
    assert _model_id(directory) == model.model_id_


def test_the_corpus_digest_follows_the_files(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    before = corpus_digest(tmp_path)
    assert corpus_digest(tmp_path) == before
    (tmp_path / "b.jsonl").write_text('{"id": "y"}\n', encoding="utf-8")
    added = corpus_digest(tmp_path)
    (tmp_path / "b.jsonl").write_text('{"id": "z"}\n', encoding="utf-8")
    assert len({before, added, corpus_digest(tmp_path)}) == 3


def test_a_digest_left_behind_by_files_copied_over_is_no_digest(
    tmp_path: Path, corpus: dict[str, Any], small_seed: TrainingData
) -> None:
    """A user's model files copied over the default folder leave the old seed_corpus.json there: the new
    model's metadata does not list it, so it says nothing of that model, which is never replaced."""
    directory = tmp_path / "default"
    default_model.ensure_default_model(directory)
    mine, _ = fit_calibrated(small_seed.texts, small_seed.targets, source="seed + history.csv")
    elsewhere = mine.save(tmp_path / "mine")
    for path in Path(elsewhere).iterdir():
        (directory / path.name).write_bytes(path.read_bytes())
    assert (directory / default_model.CORPUS_FILE).exists()
    corpus["digest"] = "d" * 64
    default_model.ensure_default_model(directory)
    assert corpus["fits"] == 1
    assert _model_id(directory) == mine.model_id_


def test_a_stale_model_in_a_read_only_folder_is_served(
    tmp_path: Path, corpus: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "default"
    default_model.ensure_default_model(directory)
    corpus["digest"] = "e" * 64
    monkeypatch.setattr("jiesu.training.default_model.os.access", lambda _path, _mode: False)
    assert default_model.ensure_default_model(directory) == directory
    assert corpus["fits"] == 1
    RequestClassifier.load(directory)
