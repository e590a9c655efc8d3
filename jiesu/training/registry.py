"""The model registry: versioned model directories in the data directory, and which one is served.

Layout under `<data dir>/models/` ($JIESU_DATA_DIR, default ./var):

- `<id>/`: one model directory per version (what `jiesu train --from-db` writes; `default/` is the seed
  model, trained on first use). A directory is a model when its metadata says so.
- `current.json`: the pointer: the current model, the stack of earlier current models (what `rollback`
  returns to) and the history of every promotion and rollback. Written to a temporary file and renamed
  over the old one (`os.replace`), so a reader sees the old pointer or the new one, never half of one.
  No pointer yet: the current model is `default`. Promotions and rollbacks hold an exclusive lock on
  `current.lock` from reading the pointer to renaming the new one, so two at once never lose one.
  Only a directory that loads (this format version, every file's hash) is made current.
- `evaluations/<id>.json`: the latest evaluation of a candidate against the then current model.

The running server watches the pointer's modification time (jiesu.serving.served_model).
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jiesu.errors import JiesuError, Messages, message
from jiesu.model.model_dir import FORMAT, METADATA_FILE, read_metadata

POINTER_FILE = "current.json"
LOCK_FILE = "current.lock"
EVALUATIONS = "evaluations"
DEFAULT_ID = "default"
# Beside a model trained from settled tickets: which tickets it learnt from (hashed with the model).
SETTLED_FILE = "settled_tickets.json"


class PointerEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Literal["promote", "rollback"]
    model: str = Field(description="the registry id that became current")
    previous: str | None = Field(description="the registry id that was current before")
    forced: bool = Field(default=False, description="promoted with --force despite its evaluation")
    at: datetime


class Pointer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current: str
    stack: list[str] = Field(description="earlier current models, oldest first (rollback pops)")
    history: list[PointerEvent] = Field(default_factory=list)


class ModelSummary(BaseModel):
    """One registry entry as `jiesu models list` shows it."""

    model_config = ConfigDict(frozen=True)

    id: str
    model_id: str
    created_at: str
    source: str
    rows: int
    settled_tickets: int
    current: bool
    promised_accuracy: float | None = Field(description="the decision threshold's target accuracy")
    decision_threshold: float | None
    inner_coverage: float | None = Field(description="share auto-dispatched on the inner folds")
    inner_accuracy: float | None
    evaluation: dict[str, Any] | None


class ModelRegistry:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def pointer_path(self) -> Path:
        return self.root / POINTER_FILE

    # --- models ---------------------------------------------------------------------------------------
    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if not p.name.startswith(".") and _is_model(p))

    def path(self, model: str) -> Path:
        path = self.root / model
        # A dot-directory is RequestClassifier.save's staging or backup copy, never a registry entry.
        if model.startswith(".") or not model or "/" in model or not _is_model(path):
            raise JiesuError(message(Messages.registry_unknown_model, model=model, root=self.root))
        return path

    def metadata(self, model: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.path(model) / METADATA_FILE).read_text(encoding="utf-8"))
        return loaded

    def settled_tickets(self, model: str) -> set[str]:
        """The ids of the settled tickets a model trained on (none for a model of files only)."""
        path = self.path(model) / SETTLED_FILE
        if not path.exists():
            return set()
        return set(json.loads(path.read_text(encoding="utf-8"))["ticket_ids"])

    def new_model_dir(self, model_id: str) -> Path:
        return self.root / model_id

    # --- the pointer ----------------------------------------------------------------------------------
    def pointer(self) -> Pointer | None:
        try:
            text = self.pointer_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return Pointer.model_validate_json(text)
        except ValidationError as exc:
            problem = f"{exc.error_count()} invalid field(s)"
            raise JiesuError(
                message(Messages.registry_pointer_invalid, path=self.pointer_path, problem=problem)
            ) from None

    def current(self) -> str | None:
        """The current model's id: the pointer's, else `default` once it exists, else None."""
        pointer = self.pointer()
        if pointer is not None:
            return pointer.current
        return DEFAULT_ID if _is_model(self.root / DEFAULT_ID) else None

    def current_path(self) -> Path | None:
        current = self.current()
        return None if current is None else self.path(current)

    def loadable_path(self, model: str) -> Path:
        """The model's directory, checked as a load checks it (format version, metadata and file hashes):
        a half-copied, edited or older-format directory raises ModelLoadError before it can be served."""
        path = self.path(model)
        read_metadata(path)
        return path

    def promote(self, model: str, *, forced: bool = False) -> PointerEvent:
        self.loadable_path(model)
        with self._locked():
            pointer = self.pointer()
            previous = pointer.current if pointer else self.current()
            stack = [*pointer.stack, pointer.current] if pointer else ([previous] if previous else [])
            event = PointerEvent(action="promote", model=model, previous=previous, forced=forced, at=_now())
            history = [*(pointer.history if pointer else []), event]
            self._write(Pointer(current=model, stack=stack, history=history))
        return event

    def rollback(self) -> PointerEvent:
        with self._locked():
            pointer = self.pointer()
            if pointer is None or not pointer.stack:
                raise JiesuError(message(Messages.registry_no_previous))
            back = pointer.stack[-1]
            self.loadable_path(back)
            event = PointerEvent(action="rollback", model=back, previous=pointer.current, at=_now())
            self._write(Pointer(current=back, stack=pointer.stack[:-1], history=[*pointer.history, event]))
        return event

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """An exclusive lock over a read-modify-write of the pointer (other processes' too)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / LOCK_FILE).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write(self, pointer: Pointer) -> None:
        write_atomically(self.pointer_path, pointer.model_dump_json(indent=1))

    # --- evaluations ----------------------------------------------------------------------------------
    def save_evaluation(self, model: str, evaluation: dict[str, Any]) -> Path:
        path = self.root / EVALUATIONS / f"{self.path(model).name}.json"
        write_atomically(path, json.dumps(evaluation, ensure_ascii=False, indent=1))
        return path

    def evaluation(self, model: str) -> dict[str, Any] | None:
        path = self.root / EVALUATIONS / f"{model}.json"
        if not path.exists():
            return None
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def summaries(self) -> list[ModelSummary]:
        current = self.current()
        return [self._summary(model, model == current) for model in self.ids()]

    def _summary(self, model: str, current: bool) -> ModelSummary:
        meta = self.metadata(model)
        calibration = meta.get("metrics", {}).get("calibration", {})
        decision = calibration.get("decision", {})
        training = meta.get("training_data", {})
        return ModelSummary(
            id=model,
            model_id=meta["model_id"],
            created_at=meta["created_at"],
            source=training.get("source", ""),
            rows=int(training.get("rows", 0)),
            settled_tickets=len(self.settled_tickets(model)),
            current=current,
            promised_accuracy=calibration.get("target_accuracy"),
            decision_threshold=meta.get("consultation", {}).get("decision_threshold"),
            inner_coverage=decision.get("inner_coverage"),
            inner_accuracy=decision.get("inner_accuracy"),
            evaluation=self.evaluation(model),
        )


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, flush it to disk, and rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)  # os.replace: atomic on one file system
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _is_model(path: Path) -> bool:
    try:
        metadata = json.loads((path / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(metadata, dict) and metadata.get("format") == FORMAT


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
