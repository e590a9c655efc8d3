"""`jiesu train --from-db`: a candidate in the registry that remembers its settled tickets, then
`jiesu models evaluate` on the ones it did not train on, and `jiesu audit model` on the same history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiesu.cli import main
from jiesu.training.registry import ModelRegistry
from tests.model.conftest import CATEGORIES, REQUEST_TYPES, TEXTS
from tests.serving.conftest import FakeClock, Services
from tests.serving.flows import Actors


@pytest.mark.slow
def test_train_from_db_evaluate_and_audit(
    services: Services,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_url: str,
) -> None:
    monkeypatch.setenv("JIESU_DATA_DIR", str(tmp_path))
    corpus = tmp_path / "tiny.jsonl"
    rows = zip(TEXTS, CATEGORIES, REQUEST_TYPES, strict=True)
    corpus.write_text(
        "".join(
            json.dumps({"text": t, "category_l2": c, "request_type": r}, ensure_ascii=False) + "\n"
            for t, c, r in rows
        ),
        encoding="utf-8",
    )
    actors = Actors(services)
    from jiesu.workflow.states import State

    for _ in range(5):
        actors.drive(State.REPLIED)
        clock.advance(hours=1)
    # The default model stands in for the current one: a tiny model trained on the corpus alone.
    assert (
        main(["train", "--data", str(corpus), "--out", str(tmp_path / "models" / "default"), "--no-progress"])
        == 0
    )
    argv = ["train", "--from-db", "--database-url", db_url, "--data", str(corpus), "--no-progress"]
    assert main([*argv, "--holdout", "0.4"]) == 0
    out = capsys.readouterr().out
    assert "2 most recent kept out" in out
    assert "not promoted" in out
    registry = ModelRegistry(tmp_path / "models")
    (candidate,) = [m for m in registry.ids() if m != "default"]
    assert len(registry.settled_tickets(candidate)) == 3
    assert registry.current() == "default"
    assert main(["models", "evaluate", candidate, "--database-url", db_url]) == 0
    evaluation = registry.evaluation(candidate)
    assert evaluation is not None
    assert evaluation["tickets"] == 2
    assert evaluation["current"] == "default"
    assert (
        main(["audit", "model", "--database-url", db_url, "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    )
    assert "keyword-test-model" in capsys.readouterr().out
