"""Fast cue matching: every cue regex has a literal it must contain (仲裁, 法院, 着火 …). One Aho-Corasick
pass finds which anchors occur, and only the cue groups whose anchors occur run their (slow, backtracking)
regex alternation. On typical requests no group runs at all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import ahocorasick

_QUANTIFIERS = "?*{+"
_META = set("\\.^$|()[]{}?*+")


def literal_anchor(pattern: str) -> str | None:
    """The longest run of plain characters that every match of `pattern` contains, or None.

    Only top-level literals count (not inside groups or classes), a character followed by a quantifier
    is optional, and a top-level alternation has no anchor."""
    depth = 0
    runs: list[str] = []
    run: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            runs.append("".join(run))
            run = []
            index += 2
            continue
        if char == "{":  # a counted quantifier: its digits are not text
            runs.append("".join(run))
            run = []
            index = pattern.find("}", index) + 1 or len(pattern)
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
        if depth == 0 and char not in _META:
            following = pattern[index + 1] if index + 1 < len(pattern) else ""
            if following and following in _QUANTIFIERS:
                runs.append("".join(run))
                run = []
            else:
                run.append(char)
        else:
            runs.append("".join(run))
            run = []
        index += 1
    runs.append("".join(run))
    best = max(runs, key=len)
    return best or None


class CueIndex:
    """Which named cue groups could match a text, by their anchors."""

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self._always: set[str] = set()
        self._automaton = ahocorasick.Automaton()
        owners: dict[str, set[str]] = {}
        for name, patterns in groups.items():
            for pattern in patterns:
                anchor = literal_anchor(pattern)
                if anchor is None:
                    self._always.add(name)
                else:
                    owners.setdefault(anchor, set()).add(name)
        for anchor, names in owners.items():
            self._automaton.add_word(anchor, frozenset(names))
        self._empty = not owners
        if not self._empty:
            self._automaton.make_automaton()

    def candidates(self, text: str) -> set[str]:
        found = set(self._always)
        if not self._empty:
            for _, names in self._automaton.iter(text):
                found |= names
        return found
