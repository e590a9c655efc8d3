"""The model registry: listing, the atomic pointer with its history, promotion refused unless evaluated
and not worse (or forced), rollback; `jiesu models …` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiesu.cli import main
from jiesu.errors import JiesuError
from jiesu.model.model_dir import write_metadata
from jiesu.training.registry import POINTER_FILE, SETTLED_FILE, ModelRegistry


def fake_model(root: Path, name: str, target: float = 0.97, tickets: list[str] | None = None) -> None:
    """A directory the registry reads as a model: metadata and one hashed file (never loaded as weights)."""
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "weights.bin").write_bytes(b"weights")
    metadata = {
        "model_id": f"linear-{name}",
        "created_at": "2026-12-01T00:00:00+00:00",
        "consultation": {"decision_threshold": 0.9},
        "training_data": {"source": "seed:train+dev", "rows": 10},
        "metrics": {
            "calibration": {
                "target_accuracy": target,
                "decision": {"inner_coverage": 0.3, "inner_accuracy": 0.97},
            }
        },
    }
    files = ["weights.bin"]
    if tickets is not None:
        (directory / SETTLED_FILE).write_text(json.dumps({"ticket_ids": tickets}), encoding="utf-8")
        files.append(SETTLED_FILE)
    write_metadata(directory, metadata, files)


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModelRegistry:
    monkeypatch.setenv("JIESU_DATA_DIR", str(tmp_path))
    root = tmp_path / "models"
    for name in ("default", "cand-a", "cand-b"):
        fake_model(root, name, tickets=["t1", "t2"] if name != "default" else None)
    (root / "evaluations").mkdir()
    (root / "not-a-model").mkdir()
    return ModelRegistry(root)


def evaluated(registry: ModelRegistry, model: str, current: str, worse: list[str]) -> None:
    registry.save_evaluation(model, {"candidate": model, "current": current, "worse": worse})


def test_lists_models_with_the_current_one_and_its_promise(registry: ModelRegistry) -> None:
    summaries = {s.id: s for s in registry.summaries()}
    assert sorted(summaries) == ["cand-a", "cand-b", "default"]  # not-a-model and evaluations are not
    assert summaries["default"].current
    assert not summaries["cand-a"].current
    assert summaries["cand-a"].promised_accuracy == 0.97
    assert summaries["cand-a"].settled_tickets == 2
    assert registry.settled_tickets("cand-a") == {"t1", "t2"}


def test_promote_and_rollback_keep_a_history(registry: ModelRegistry) -> None:
    assert registry.current() == "default"
    assert registry.pointer() is None
    registry.promote("cand-a")
    registry.promote("cand-b", forced=True)
    pointer = registry.pointer()
    assert pointer is not None
    assert (pointer.current, pointer.stack) == ("cand-b", ["default", "cand-a"])
    assert registry.rollback().model == "cand-a"
    assert registry.rollback().model == "default"
    with pytest.raises(JiesuError, match="nothing to roll back"):
        registry.rollback()
    history = registry.pointer().history  # type: ignore[union-attr]
    assert [(e.action, e.model, e.previous, e.forced) for e in history] == [
        ("promote", "cand-a", "default", False),
        ("promote", "cand-b", "cand-a", True),
        ("rollback", "cand-a", "cand-b", False),
        ("rollback", "default", "cand-a", False),
    ]
    # Written by rename: no temporary file is left beside the pointer.
    assert [p.name for p in registry.root.iterdir() if p.name.startswith(f".{POINTER_FILE}")] == []


def test_an_unknown_model_or_a_path_is_refused(registry: ModelRegistry) -> None:
    for name in ("nope", "not-a-model", "../models", ""):
        with pytest.raises(JiesuError, match="no model"):
            registry.path(name)


def test_promotion_is_refused_when_worse_or_not_evaluated_unless_forced(
    registry: ModelRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "promote", "cand-a"]) == 2
    assert "no evaluation" in capsys.readouterr().err
    evaluated(registry, "cand-a", "default", ["unit_accuracy"])
    assert main(["models", "promote", "cand-a"]) == 2
    assert "worse than the current model default on unit_accuracy" in capsys.readouterr().err
    assert registry.current() == "default"
    assert main(["models", "promote", "cand-a", "--force"]) == 0
    assert registry.current() == "cand-a"
    assert registry.pointer().history[-1].forced  # type: ignore[union-attr]


def test_promotion_needs_an_evaluation_against_todays_current(registry: ModelRegistry) -> None:
    evaluated(registry, "cand-b", "default", [])
    registry.promote("cand-a")
    assert main(["models", "promote", "cand-b"]) == 2  # evaluated against default, not cand-a
    evaluated(registry, "cand-b", "cand-a", [])
    assert main(["models", "promote", "cand-b"]) == 0
    assert main(["models", "rollback"]) == 0
    assert registry.current() == "cand-a"


def test_models_list_prints_every_model(registry: ModelRegistry, capsys: pytest.CaptureFixture[str]) -> None:
    evaluated(registry, "cand-a", "default", [])
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "* default" in out
    assert "promised accuracy 0.97" in out
    assert "vs default: not worse" in out
    assert main(["models", "list", "--json"]) == 0
    assert [m["id"] for m in json.loads(capsys.readouterr().out)] == ["cand-a", "cand-b", "default"]


def test_an_unreadable_pointer_is_an_error_that_says_what_to_do(registry: ModelRegistry) -> None:
    registry.pointer_path.write_text('{"current": 3}', encoding="utf-8")
    with pytest.raises(JiesuError, match="unreadable"):
        registry.current()


# --- review: what may be promoted, hidden directories, racing writers ---------------------------------


def test_a_damaged_or_older_format_model_is_never_made_current(registry: ModelRegistry) -> None:
    (registry.root / "cand-a" / "weights.bin").write_bytes(b"half-copied")
    with pytest.raises(JiesuError, match="does not match the hash"):
        registry.promote("cand-a")
    older = json.loads((registry.root / "cand-b" / "metadata.json").read_text(encoding="utf-8"))
    older["format_version"] -= 1
    (registry.root / "cand-b" / "metadata.json").write_text(json.dumps(older), encoding="utf-8")
    with pytest.raises(JiesuError, match="model format"):
        registry.promote("cand-b")
    assert registry.pointer() is None  # nothing was written


def test_rollback_to_a_model_damaged_since_is_refused(registry: ModelRegistry) -> None:
    registry.promote("cand-a")
    (registry.root / "default" / "weights.bin").write_bytes(b"changed")
    with pytest.raises(JiesuError, match="does not match the hash"):
        registry.rollback()
    assert registry.current() == "cand-a"


def test_staging_and_backup_directories_are_not_models(registry: ModelRegistry) -> None:
    # What RequestClassifier.save leaves when it is killed between writing and renaming.
    for hidden in (".cand-a.old", ".cand-c.k2j4"):
        fake_model(registry.root, hidden)
    assert ".cand-a.old" not in registry.ids()
    for hidden in (".cand-a.old", ".cand-c.k2j4"):
        with pytest.raises(JiesuError, match="no model"):
            registry.path(hidden)


def test_two_promotions_at_once_both_stay_in_the_history(
    registry: ModelRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from jiesu.training import registry as module

    write = module.write_atomically

    def slow_write(path: Path, text: str) -> None:
        time.sleep(0.2)  # a slow disk: the other promotion reads the pointer meanwhile
        write(path, text)

    monkeypatch.setattr(module, "write_atomically", slow_write)
    threads = [threading.Thread(target=registry.promote, args=(name,)) for name in ("cand-a", "cand-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pointer = registry.pointer()
    assert pointer is not None
    assert sorted(e.model for e in pointer.history) == ["cand-a", "cand-b"]
    assert len(pointer.stack) == 2  # default, then whichever was promoted first


def test_evaluate_leaves_out_the_tickets_either_model_trained_on(
    registry: ModelRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_model(registry.root, "cand-c", tickets=["t9"])
    registry.promote("cand-a")  # trained on t1, t2: scoring it on them would favour it unfairly
    seen: list[set[str]] = []

    def load_settled(_database: object, *, exclude: set[str], **_options: int) -> list[object]:
        seen.append(set(exclude))
        return []

    monkeypatch.setattr("jiesu.serving.settled.load_settled", load_settled)
    db = f"sqlite:///{registry.root.parent / 'jiesu.db'}"
    assert main(["models", "evaluate", "cand-c", "--database-url", db]) == 2
    assert seen == [{"t1", "t2", "t9"}]
    assert "nothing" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--from-db", "--no-progress"],
        ["models", "evaluate", "cand-a"],
        ["audit", "model"],
    ],
)
def test_a_database_without_the_schema_is_an_error_line(
    registry: ModelRegistry, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    empty = registry.root.parent / "empty.db"
    assert main([*argv, "--database-url", f"sqlite:///{empty}"]) == 2
    err = capsys.readouterr().err
    assert "cannot use the database" in err
    assert "jiesu db upgrade" in err
    assert "Traceback" not in err


def test_the_promise_report_skips_directories_that_are_not_models(registry: ModelRegistry) -> None:
    from jiesu.serving.model_metrics import ModelReferences

    (registry.root / "not-a-model" / "metadata.json").write_text('{"note": "a copy"}', encoding="utf-8")
    (registry.root / "stray.json").write_text("[]", encoding="utf-8")
    references = ModelReferences.under(registry.root)  # was a KeyError: GET /v1/metrics/model → 500
    assert sorted(references.promised) == ["linear-cand-a", "linear-cand-b", "linear-default"]
