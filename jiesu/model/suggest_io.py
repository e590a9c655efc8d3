"""Reading suggestion requests from JSON Lines and writing suggestions, one per line, in order. A line
that cannot be read becomes an error object for that line; the others are still answered."""

from __future__ import annotations

import json
import multiprocessing
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel, Field

from jiesu.errors import InputTextError
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.suggestion_types import Suggestion

REQUEST_FIELDS = {"id", "text", "caller_district"}


class LineError(BaseModel):
    """What stands in a line's place when it cannot be answered."""

    id: str | None = Field(description="the line's id, when it could be read")
    line: int = Field(ge=1, description="the line's number in the input, from 1")
    error: str = Field(description="what is wrong with the line")


def parse_line(number: int, line: str) -> SuggestionRequest | LineError:
    try:
        payload = json.loads(line)
    except json.JSONDecodeError as exc:
        # json's messages may end in "at" ("Invalid control character at"): the column follows here.
        return LineError(
            line=number, id=None, error=f"not valid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}"
        )
    if not isinstance(payload, dict):
        return LineError(line=number, id=None, error="each line must be a JSON object with a 'text' field")
    raw_id = payload.get("id")
    request_id = None if raw_id is None else str(raw_id)
    unknown = sorted(set(payload) - REQUEST_FIELDS)
    if unknown:
        return LineError(
            line=number, id=request_id, error=f"unknown field(s) {unknown}; allowed: {sorted(REQUEST_FIELDS)}"
        )
    caller = payload.get("caller_district")
    if caller is not None and not isinstance(caller, str):
        return LineError(line=number, id=request_id, error="caller_district must be a string or null")
    try:
        return SuggestionRequest(text=payload.get("text"), id=request_id, caller_district=caller)  # type: ignore[arg-type]  # checked by SuggestionRequest
    except InputTextError as exc:
        return LineError(line=number, id=request_id, error=str(exc))


Answer = Suggestion | LineError


def suggest_lines(
    suggester: Suggester, lines: Iterable[str], batch_size: int = 256, first_line: int = 1
) -> Iterator[Answer]:
    """One output object per non-blank input line, in input order, batching good lines. `first_line` is
    the number of the first line given (error objects name their line)."""
    pending: list[tuple[int, SuggestionRequest | LineError]] = []

    def flush() -> Iterator[Answer]:
        good = [(number, item) for number, item in pending if isinstance(item, SuggestionRequest)]
        results = iter(_safe_suggest(suggester, good))
        for _, item in pending:
            yield item if isinstance(item, LineError) else next(results)
        pending.clear()

    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        pending.append((number, parse_line(number, line)))
        if len(pending) >= batch_size:
            yield from flush()
    yield from flush()


def _safe_suggest(suggester: Suggester, numbered: list[tuple[int, SuggestionRequest]]) -> list[Answer]:
    try:
        return list(suggester.suggest_many([request for _, request in numbered]))
    except ValueError:
        # One bad request (e.g. an unknown caller_district) must not sink the batch: answer one by one.
        results: list[Answer] = []
        for number, request in numbered:
            try:
                results.append(suggester.suggest(request))
            except ValueError as exc:
                results.append(LineError(line=number, id=request.id, error=str(exc)))
        return results


# --- many processes: re-scoring a history file on every core -------------------------------------------

_worker_suggester: Suggester | None = None
CHUNK_LINES = 1000


def suggest_lines_in_processes(
    model_dir: Path, lines: Iterable[str], workers: int, chunk_lines: int = CHUNK_LINES
) -> Iterator[str]:
    """`suggest_lines` spread over `workers` processes, each with its own copy of the model: one JSON text
    per non-blank line, in input order. At most two chunks per worker are in flight, so a file of any size
    is streamed, never held in memory."""
    context = multiprocessing.get_context("spawn")  # a clean process: no state inherited from the caller
    with context.Pool(workers, initializer=_start_worker, initargs=(str(model_dir),)) as pool:
        in_flight: deque[AsyncResult[list[str]]] = deque()
        for chunk in _numbered_chunks(lines, chunk_lines):
            in_flight.append(pool.apply_async(_suggest_chunk, (chunk,)))
            if len(in_flight) >= 2 * workers:
                yield from in_flight.popleft().get()
        while in_flight:
            yield from in_flight.popleft().get()


def _numbered_chunks(lines: Iterable[str], size: int) -> Iterator[tuple[int, list[str]]]:
    chunk: list[str] = []
    first = 1
    for number, line in enumerate(lines, start=1):
        if not chunk:
            first = number
        chunk.append(line)
        if len(chunk) >= size:
            yield first, chunk
            chunk = []
    if chunk:
        yield first, chunk


def _start_worker(model_dir: str) -> None:
    from jiesu.model.classifier import RequestClassifier
    from jiesu.model.memory import freeze_loaded_objects

    global _worker_suggester
    _worker_suggester = Suggester.with_reference_data(RequestClassifier.load(model_dir))
    freeze_loaded_objects()


def _suggest_chunk(chunk: tuple[int, list[str]]) -> list[str]:
    assert _worker_suggester is not None, "worker started without a model"
    first, lines = chunk
    return [to_json_line(answer) for answer in suggest_lines(_worker_suggester, lines, first_line=first)]


def to_json_line(answer: Answer) -> str:
    # json.dumps, not model_dump_json: the lines keep the spacing they always had, byte for byte.
    return json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)


# A LineError as to_json_line writes it: its id, then its line number (a suggestion's id is followed by its
# category), so error lines are counted without parsing every line.
_ERROR_LINE = re.compile(r'^\{"id": (?:null|"(?:[^"\\]|\\.)*"), "line": \d+, "error": ')


@dataclass(frozen=True)
class Written:
    lines: int
    errors: int  # of them, lines that stand for a request that could not be answered

    @property
    def suggestions(self) -> int:
        return self.lines - self.errors


def write_jsonl(answers: Iterable[Answer], stream: TextIO) -> Written:
    return write_lines((to_json_line(answer) for answer in answers), stream)


def write_lines(lines: Iterable[str], stream: TextIO) -> Written:
    count = errors = 0
    for line in lines:
        stream.write(line + "\n")
        count += 1
        errors += _ERROR_LINE.match(line) is not None
    return Written(count, errors)


def format_readable(answer: Answer) -> str:
    """A suggestion as an operator reads it on a terminal."""
    if isinstance(answer, LineError):
        return f"error: {answer.error}"
    category, disposition, place = answer.category, answer.disposition, answer.jurisdiction
    lines = [
        f"类别 category     {category.l1} / {category.l2 or '-'}  ({category.confidence:.2f})",
        f"诉求类型 type      {answer.request_type.label or '-'}",
        f"处置 disposition  {disposition.label}"
        + (f" → {disposition.channel}" if disposition.channel else "")
        + (f" → {disposition.emergency_number}" if disposition.emergency_number else ""),
    ]
    if disposition.evidence:
        lines.append("   evidence: " + "、".join(span.text for span in disposition.evidence))
    if disposition.notice:
        lines.append(f"   告知 notice: {disposition.notice}")
    where = " / ".join(x for x in (place.region, place.district, place.street, place.community) if x)
    lines.append(f"属地 jurisdiction {where or '-'}  (source {place.source}, {place.confidence:.2f})")
    if place.evidence:
        lines.append("   evidence: " + "、".join(span.text for span in place.evidence))
    route = answer.route
    if route:
        lines.append(f"承办 unit         {route.unit} ({route.unit_type}, rule {route.rule_id})")
        if route.copy_to:
            lines.append(f"   copy to: {'、'.join(route.copy_to)}")
        if route.alternatives:
            lines.append("   alternatives: " + "、".join(alt.unit for alt in route.alternatives))
    if answer.deadline:
        lines.append(f"时限 deadline     {answer.deadline.tier}, {answer.deadline.hours} h")
    consult = answer.consult
    lines.append(
        f"会商 consult      {'required: ' + ', '.join(consult.reasons) if consult.required else 'no'}"
    )
    for check in consult.checks:
        if check.threshold is None:
            continue
        verdict = "sure" if check.sure else "UNSURE"
        named = f" {check.value}" if check.value else ""
        lines.append(
            f"   {verdict}: {check.decision}{named} {check.confidence:.2f} (needs ≥ {check.threshold:.2f})"
            if check.decision != "familiarity"
            else f"   {verdict}: familiarity {check.confidence:.2f} (needs ≥ {check.threshold:.2f})"
        )
    if answer.risk.flag:
        lines.append(f"风险 RISK         {', '.join(answer.risk.cues) or 'emergency'}")
    return "\n".join(lines)
