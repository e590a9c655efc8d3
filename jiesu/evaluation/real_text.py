"""The real texts of `jiesu bench real`: the Teddy Cup 2020 raw messages (first-level label, raw text),
read from the shared data folder beside the repository and never copied into it.

The texts are split once, by a stable hash of the text with all whitespace removed, into a development
half (look at its errors freely) and a report half (figures only: its texts are never printed, so that
nothing is tuned on it). Identical texts always land on the same side.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from jiesu.errors import JiesuError, Messages, message

Half = Literal["dev", "report"]
HALVES: tuple[Half, ...] = ("dev", "report")
RAW_FILE = Path("teddycup2020") / "messages_raw_1842.jsonl"
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class RealText:
    id: str  # "real:<line number>", from 1
    text: str
    label: str  # first-level category (一级标签)


def half_of(text: str, prefix: str = "") -> Half:
    """`dev` when sha256 of `prefix` + the text without whitespace is even, else `report`."""
    key = (prefix + "".join(text.split())).encode("utf-8")
    return "dev" if int(hashlib.sha256(key).hexdigest(), 16) % 2 == 0 else "report"


def json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded value) of every non-blank line; a file that cannot be read as UTF-8 or a line
    that is not JSON is a JiesuError."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise JiesuError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise JiesuError(f"{path}, line {number}: not valid JSON ({exc.msg})") from None


def default_real_data_dir() -> Path:
    """The shared data folder: $JIESU_SHARED_DATA, else ../shared/data beside the repository root."""
    shared = os.environ.get("JIESU_SHARED_DATA")
    return Path(shared) if shared else REPO_ROOT.parent / "shared" / "data"


def load_real_texts(data_dir: Path, half: Half | None = None) -> list[RealText]:
    """The raw messages in file order (one half of them when `half` is given). A missing file or a line
    without a string `label` and `text` is a JiesuError naming it."""
    path = data_dir / RAW_FILE
    if not path.is_file():
        raise JiesuError(message(Messages.real_data_missing, path=path))
    texts = []
    for number, row in json_lines(path):
        if not (
            isinstance(row, dict) and isinstance(row.get("label"), str) and isinstance(row.get("text"), str)
        ):
            raise JiesuError(f"{path}, line {number}: expected an object with string 'label' and 'text'")
        if half is None or half_of(row["text"]) == half:
            texts.append(RealText(id=f"real:{number}", text=row["text"], label=row["label"]))
    return texts
