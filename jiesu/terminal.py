"""Text tables for a terminal, where a wide (CJK) character takes two columns: padding by `len` would
misalign every row that holds a Chinese name."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    """Columns on a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def fit(text: str, columns: int) -> str:
    """`text` cut and padded to `columns` terminal columns."""
    while width(text) > columns:
        text = text[:-1]
    return text + " " * (columns - width(text))
