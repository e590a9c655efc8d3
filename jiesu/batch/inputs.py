"""Which files a re-scoring reads: paths and globs expanded, the format known from the extension, the
text encoding detected (UTF-8 with or without a byte-order mark, else GB18030), and a quick row estimate
for the progress bar."""

from __future__ import annotations

import codecs
import glob
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from jiesu.errors import JiesuError

Format = Literal["csv", "jsonl", "parquet"]
FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
TAB_SUFFIXES = (".tsv", ".tab")
SAMPLE_BYTES = 1 << 16
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class InputFile:
    path: Path
    format: Format
    delimiter: str  # CSV only
    encoding: str  # CSV and JSON Lines; Parquet strings are UTF-8 by definition
    key: str  # the stem of its shard names: stable for the path, distinct between inputs

    @property
    def display(self) -> str:
        return str(self.path)


def expand_inputs(
    patterns: list[str], delimiter: str | None = None, encoding: str | None = None
) -> list[InputFile]:
    """The files that `patterns` (paths or globs) name, sorted and without repeats. A pattern that
    matches nothing, a folder or an unknown extension is a JiesuError naming it."""
    paths: list[Path] = []
    seen: set[Path] = set()
    for pattern in patterns:
        matched = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]  # noqa: PTH207 (absolute and relative globs alike)
        if not matched or not all(Path(name).exists() for name in matched):
            raise JiesuError(f"--input {pattern}: no such file")
        for name in matched:
            path = Path(name)
            if path.is_dir():
                raise JiesuError(
                    f"--input {pattern}: {path} is a folder; name its files (a glob: {path}/*.csv)"
                )
            if path.resolve() not in seen:
                seen.add(path.resolve())
                paths.append(path)
    if not paths:
        raise JiesuError("no input: give at least one --input")
    return [_describe(path, delimiter, encoding) for path in paths]


def _describe(path: Path, delimiter: str | None, encoding: str | None) -> InputFile:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise JiesuError(
            f"{path}: unknown format {suffix or '(no extension)'}; re-scoring reads "
            f"{', '.join(sorted(FORMATS))} (an .xlsx sheet: save it as CSV first)"
        )
    kind = FORMATS[suffix]
    separator = delimiter or ("\t" if suffix in TAB_SUFFIXES else ",")
    if kind == "csv" and len(separator) != 1:
        raise JiesuError(f"--delimiter must be one character, got {separator!r}")
    resolved = str(path.resolve())
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:10]
    stem = _SAFE.sub("_", path.stem)[:40] or "input"
    return InputFile(
        path=path,
        format=kind,
        delimiter=separator,
        encoding=encoding or (detect_encoding(path) if kind != "parquet" else "utf-8"),
        key=f"{stem}-{digest}",
    )


def detect_encoding(path: Path) -> str:
    """utf-8-sig for a byte-order mark; utf-8 when the first 64 KiB are (nearly all) UTF-8, so that a few
    bad rows stay errors of their own; gb18030 (the superset of GBK) when they decode as that; else utf-8,
    and every undecodable row goes to the errors file."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(sample, final=False)
    bad = text.count("\ufffd")
    if bad == 0 or bad * 100 < len(text):
        return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")("strict").decode(sample, final=False)
    except UnicodeDecodeError:
        return "utf-8"
    return "gb18030"


def estimate_rows(source: InputFile) -> int:
    """Rows for the progress bar: exact for Parquet; lines for JSON Lines; lines less the header for CSV
    (an upper bound when quoted fields hold line breaks). Reads the file once, at disk speed."""
    if source.format == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(source.path).metadata.num_rows)
    lines = 0
    last = b"\n"
    with source.path.open("rb") as handle:
        while block := handle.read(1 << 22):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += last != b"\n"
    return max(lines - (source.format == "csv"), 0)
