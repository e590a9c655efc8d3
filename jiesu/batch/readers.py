"""Reading input files in chunks of a fixed number of records, so that memory stays flat however large a
file is and a chunk's contents never depend on anything but the file and the chunk size (a resumed run
cuts the same chunks). A record that cannot be used becomes a `RowError` in its chunk, with its file,
line (CSV, JSON Lines) or row (Parquet) and the reason; the other records are still scored.

CSV goes through the csv module over a decoding stream: it keeps every value as text (ids like "0012"),
follows quoted line breaks, and knows each record's line, which an error must name. Undecodable bytes are
kept as surrogates and refuse only the record that holds them."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from jiesu.batch.inputs import InputFile
from jiesu.errors import JiesuError

TEXT = "text"
ID = "id"
CHUNK_ROWS = 1000
csv.field_size_limit(min(sys.maxsize, 1 << 24))  # one field of 16 MiB at most: a lost quote stops there


@dataclass(frozen=True)
class Columns:
    """Where the fields are. `id` None: the `id` field where there is one, else `<file>:<number>`."""

    text: str = TEXT
    id: str | None = None
    historical_unit: str | None = None
    historical_category: str | None = None


@dataclass(frozen=True)
class InputRow:
    id: str
    text: str
    number: int
    historical_unit: str | None = None
    historical_category: str | None = None
    caller_district: str | None = None  # a prior for the jurisdiction (the database's tickets have one)


class RowError(BaseModel):
    """One line of errors.jsonl: a record that was not scored, and why."""

    source: str = Field(description="the input file")
    position: Literal["line", "row"] = Field(description="line of a text file, row of a Parquet file")
    number: int = Field(ge=1, description="the record's first line (CSV, JSON Lines) or row, from 1")
    id: str | None = Field(description="the record's id, when it could be read")
    reason: str = Field(description="what is wrong with it")


@dataclass
class Chunk:
    source: InputFile
    index: int  # from 0, within its file
    rows: list[InputRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.rows) + len(self.errors)


Record = InputRow | RowError


def read_chunks(source: InputFile, columns: Columns, chunk_rows: int) -> Iterator[Chunk]:
    """The file's records in chunks of `chunk_rows` (the last may be shorter; an empty file has none)."""
    chunk = Chunk(source, 0)
    for record in _records(source, columns):
        if isinstance(record, InputRow):
            chunk.rows.append(record)
        else:
            chunk.errors.append(record)
        if chunk.records >= chunk_rows:
            yield chunk
            chunk = Chunk(source, chunk.index + 1)
    if chunk.records:
        yield chunk


def _records(source: InputFile, columns: Columns) -> Iterator[Record]:
    if source.format == "csv":
        return _csv_records(source, columns)
    if source.format == "jsonl":
        return _jsonl_records(source, columns)
    return _parquet_records(source, columns)


def _csv_records(source: InputFile, columns: Columns) -> Iterator[Record]:
    position: Literal["line"] = "line"
    with source.path.open(encoding=source.encoding, errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, delimiter=source.delimiter, strict=True)
        header: list[str] | None = None
        end = 0
        while True:
            start = end + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader.line_num
                # A quote never closed swallows every line up to where the reader gave up: name them all.
                span = f" (lines {start} to {end} are not read)" if end > start else ""
                yield RowError(
                    source=source.display,
                    position=position,
                    number=start,
                    id=None,
                    reason=f"broken quoting: {exc}{span}",
                )
                continue
            end = reader.line_num
            if header is None:
                header = _header(values)
                if _has_surrogates(" ".join(header)):
                    raise JiesuError(
                        f"{source.display}: the header line is not {_named(source.encoding)} text"
                    )
                check_columns(source, header, columns)
                continue
            if not values:
                continue
            if len(values) != len(header):
                yield RowError(
                    source=source.display,
                    position=position,
                    number=start,
                    id=None,
                    reason=f"{len(values)} fields where the header has {len(header)} (broken quoting or delimiter?)",
                )
                continue
            yield _record(source, position, start, dict(zip(header, values, strict=True)), columns)


def _jsonl_records(source: InputFile, columns: Columns) -> Iterator[Record]:
    position: Literal["line"] = "line"
    encoding = "utf-8" if source.encoding == "utf-8-sig" else source.encoding
    with source.path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                reason = f"not {encoding} text (byte {exc.start + 1} of the line)"
                yield RowError(
                    source=source.display, position=position, number=number, id=None, reason=reason
                )
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                reason = f"not valid JSON: {exc.msg} at column {exc.colno}"
                yield RowError(
                    source=source.display, position=position, number=number, id=None, reason=reason
                )
                continue
            if not isinstance(value, dict):
                reason = "not a JSON object"
                yield RowError(
                    source=source.display, position=position, number=number, id=None, reason=reason
                )
                continue
            yield _record(source, position, number, value, columns)


def _parquet_records(source: InputFile, columns: Columns) -> Iterator[Record]:
    import pyarrow.parquet as pq

    position: Literal["row"] = "row"
    parquet = pq.ParquetFile(source.path)
    present = set(parquet.schema_arrow.names)
    check_columns(source, sorted(present), columns)
    wanted = [ID, columns.text, columns.id, columns.historical_unit, columns.historical_category]
    selected = sorted({name for name in wanted if name is not None and name in present})
    number = 0
    for batch in parquet.iter_batches(batch_size=4096, columns=selected):
        for row in batch.to_pylist():
            number += 1
            yield _record(source, position, number, row, columns)


def _record(
    source: InputFile,
    position: Literal["line", "row"],
    number: int,
    values: Mapping[str, Any],
    columns: Columns,
) -> Record:
    def error(reason: str, record_id: str | None) -> RowError:
        return RowError(source=source.display, position=position, number=number, id=record_id, reason=reason)

    id_column = columns.id or ID
    raw_id = values.get(id_column)
    if raw_id is None or raw_id == "":
        if columns.id is not None:
            return error(f"no id in column {columns.id!r}", None)
        record_id = f"{source.display}:{number}"
    else:
        record_id = str(raw_id)
        if _has_surrogates(record_id):
            return error(f"the id is not {_named(source.encoding)} text", None)
    text = values.get(columns.text)
    if columns.text not in values:
        return error(f"no text column {columns.text!r}", record_id)
    if not isinstance(text, str):
        return error(f"the text is {'empty' if text is None else type(text).__name__}, not text", record_id)
    if not text.strip():
        return error("the text is empty", record_id)
    if _has_surrogates(text):
        return error(f"the text is not {_named(source.encoding)} text (undecodable bytes)", record_id)
    labels = []
    for column in (columns.historical_unit, columns.historical_category):
        value = values.get(column) if column else None
        label = None if value is None else str(value).strip() or None
        if label is not None and _has_surrogates(label):
            return error(f"column {column!r} is not {_named(source.encoding)} text", record_id)
        labels.append(label)
    return InputRow(record_id, text, number, labels[0], labels[1])


def _header(values: list[str]) -> list[str]:
    """Column names without surrounding spaces, nor a byte-order mark (a UTF-8 file read with --encoding
    utf-8 keeps it in its first name, which would hide an `id` column)."""
    return [name.strip().lstrip("\ufeff").strip() for name in values]


def _named(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # bytes the file's encoding could not decode, kept as lone surrogates
        return True
    return False


def check_sources(sources: Sequence[InputFile], columns: Columns) -> None:
    """Every CSV header and Parquet schema has the columns the command names, and a Parquet text column
    holds text: checked before anything is scored, since a mistake found only when the run reaches the
    last of many files stops it there, and correcting it changes the run (its shards cannot be resumed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for source in sources:
        if source.format == "csv":
            with source.path.open(encoding=source.encoding, errors="surrogateescape", newline="") as handle:
                try:
                    values = next(csv.reader(handle, delimiter=source.delimiter, strict=True), None)
                except csv.Error as exc:
                    raise JiesuError(f"{source.display}: the header line cannot be read: {exc}") from None
            if values is not None:  # an empty file has no rows either
                check_columns(source, _header(values), columns)
        elif source.format == "parquet":
            schema = pq.read_schema(source.path)
            check_columns(source, sorted(schema.names), columns)
            kind = schema.field(columns.text).type
            if pa.types.is_dictionary(kind):
                kind = kind.value_type
            textual = (
                pa.types.is_string,
                pa.types.is_large_string,
                pa.types.is_string_view,
                pa.types.is_null,
            )
            if not any(is_text(kind) for is_text in textual):
                raise JiesuError(
                    f"{source.display}: column {columns.text!r} holds {kind}, not text (--text-column)"
                )


def check_columns(source: InputFile, present: list[str], columns: Columns) -> None:
    """A column named on the command line that the file lacks is a mistake in the command, not in a row."""
    named = {"--text-column": columns.text, "--id-column": columns.id}
    named |= {"--historical-unit-column": columns.historical_unit}
    named |= {"--historical-category-column": columns.historical_category}
    for option, column in named.items():
        if column is not None and column not in present:
            raise JiesuError(f"{source.display} has no column {column!r} ({option}); it has {present}")
