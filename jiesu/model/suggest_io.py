"""Reading suggestion requests from JSON Lines and writing suggestions, one per line, in order. A line
that cannot be read becomes an error object for that line; the others are still answered."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from jiesu.errors import InputTextError
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.text import check_text

REQUEST_FIELDS = {"id", "text", "caller_district"}


@dataclass(frozen=True)
class LineError:
    line: int
    id: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "line": self.line, "error": self.message}


def parse_line(number: int, line: str) -> SuggestionRequest | LineError:
    try:
        payload = json.loads(line)
    except json.JSONDecodeError as exc:
        # json's messages may end in "at" ("Invalid control character at"): the column follows here.
        return LineError(number, None, f"not valid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}")
    if not isinstance(payload, dict):
        return LineError(number, None, "each line must be a JSON object with a 'text' field")
    raw_id = payload.get("id")
    request_id = None if raw_id is None else str(raw_id)
    unknown = sorted(set(payload) - REQUEST_FIELDS)
    if unknown:
        return LineError(number, request_id, f"unknown field(s) {unknown}; allowed: {sorted(REQUEST_FIELDS)}")
    caller = payload.get("caller_district")
    if caller is not None and not isinstance(caller, str):
        return LineError(number, request_id, "caller_district must be a string or null")
    try:
        text = check_text(payload.get("text"))
    except InputTextError as exc:
        return LineError(number, request_id, str(exc))
    return SuggestionRequest(text=text, id=request_id, caller_district=caller)


def suggest_lines(
    suggester: Suggester, lines: Iterable[str], batch_size: int = 256
) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line, in input order, batching good lines."""
    pending: list[tuple[int, SuggestionRequest | LineError]] = []

    def flush() -> Iterator[dict[str, Any]]:
        good = [(number, item) for number, item in pending if isinstance(item, SuggestionRequest)]
        results = iter(_safe_suggest(suggester, good))
        for _, item in pending:
            yield item.to_dict() if isinstance(item, LineError) else next(results)
        pending.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        pending.append((number, parse_line(number, line)))
        if len(pending) >= batch_size:
            yield from flush()
    yield from flush()


def _safe_suggest(
    suggester: Suggester, numbered: list[tuple[int, SuggestionRequest]]
) -> list[dict[str, Any]]:
    try:
        return suggester.suggest_many([request for _, request in numbered])
    except ValueError:
        # One bad request (e.g. an unknown caller_district) must not sink the batch: answer one by one.
        results = []
        for number, request in numbered:
            try:
                results.append(suggester.suggest(request))
            except ValueError as exc:
                results.append(LineError(number, request.id, str(exc)).to_dict())
        return results


def write_jsonl(objects: Iterable[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    for obj in objects:
        stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
        count += 1
    return count


def format_readable(suggestion: dict[str, Any]) -> str:
    """A suggestion as an operator reads it on a terminal."""
    if "error" in suggestion:
        return f"error: {suggestion['error']}"
    category, disposition, place = (
        suggestion["category"],
        suggestion["disposition"],
        suggestion["jurisdiction"],
    )
    lines = [
        f"类别 category     {category['l1']} / {category['l2'] or '-'}  ({category['confidence']:.2f})",
        f"诉求类型 type      {suggestion['request_type']['label'] or '-'}",
        f"处置 disposition  {disposition['label']}"
        + (f" → {disposition['channel']}" if disposition["channel"] else "")
        + (f" → {disposition['emergency_number']}" if disposition["emergency_number"] else ""),
    ]
    if disposition["evidence"]:
        lines.append("   evidence: " + "、".join(span["text"] for span in disposition["evidence"]))
    if disposition["notice"]:
        lines.append(f"   告知 notice: {disposition['notice']}")
    where = " / ".join(
        x for x in (place["region"], place["district"], place["street"], place["community"]) if x
    )
    lines.append(f"属地 jurisdiction {where or '-'}  (source {place['source']}, {place['confidence']:.2f})")
    if place["evidence"]:
        lines.append("   evidence: " + "、".join(span["text"] for span in place["evidence"]))
    route = suggestion["route"]
    if route:
        lines.append(f"承办 unit         {route['unit']} ({route['unit_type']}, rule {route['rule_id']})")
        if route["copy_to"]:
            lines.append(f"   copy to: {'、'.join(route['copy_to'])}")
        if route["alternatives"]:
            lines.append("   alternatives: " + "、".join(alt["unit"] for alt in route["alternatives"]))
    deadline = suggestion["deadline"]
    if deadline:
        lines.append(f"时限 deadline     {deadline['tier']}, {deadline['hours']} h")
    consult = suggestion["consult"]
    lines.append(
        f"会商 consult      {'required: ' + ', '.join(consult['reasons']) if consult['required'] else 'no'}"
    )
    if suggestion["risk"]["flag"]:
        lines.append(f"风险 RISK         {', '.join(suggestion['risk']['cues']) or 'emergency'}")
    return "\n".join(lines)
