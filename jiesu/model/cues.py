"""Fast cue matching: most cue regexes have literals one of which every match contains (仲裁, 法院, 着火 …,
or each word of a leading group such as (一审|二审|上诉)). One Aho-Corasick pass finds which anchors occur,
and only the cues whose anchors occur run their (slow, backtracking) regex. On typical requests few run."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from jiesu.model.literals import Literals

Cue = tuple[str, re.Pattern[str]]  # (group name, regex)
_QUANTIFIERS = "?*{+"
_META = set("\\.^$|()[]{}?*+")
_INLINE_FLAG = re.compile(r"\(\?[aiLmsux]")


def literal_anchor(pattern: str) -> str | None:
    """The longest run of plain characters that every match of `pattern` contains, or None.

    Only top-level literals count (not inside groups or classes), a character followed by a quantifier
    is optional, and a top-level alternation has no anchor."""
    runs = _top_level_runs(pattern)
    best = max(runs, key=len) if runs else ""
    return best or None


# Escapes that take more than one character after the backslash: xhh, uhhhh, Uhhhhhhhh.
_HEX_ESCAPE_DIGITS = {"x": 2, "u": 4, "U": 8}


def _after_escape(pattern: str, index: int) -> int:
    r"""The index after the escape that starts at `index` (a backslash): \d, \x41, \u4e86, \N{…}, \12."""
    kind = pattern[index + 1 : index + 2]
    if kind in _HEX_ESCAPE_DIGITS:
        return index + 2 + _HEX_ESCAPE_DIGITS[kind]
    if kind == "N" and pattern[index + 2 : index + 3] == "{":
        return pattern.find("}", index) + 1 or len(pattern)
    end = index + 2
    while kind.isdigit() and end < len(pattern) and end < index + 4 and pattern[end].isdigit():
        end += 1  # a group reference or an octal escape: up to three digits
    return end


def _after_class(pattern: str, index: int) -> int:
    """The index after the character class that starts at `index` ("["): a "]" first in the class (after
    an optional "^") is literal, and escapes inside it are skipped."""
    end = index + 1
    if pattern[end : end + 1] == "^":
        end += 1
    if pattern[end : end + 1] == "]":
        end += 1
    while end < len(pattern) and pattern[end] != "]":
        end = _after_escape(pattern, end) if pattern[end] == "\\" else end + 1
    return min(end + 1, len(pattern))


def _top_level_runs(pattern: str) -> list[str] | None:
    """Every run of plain top-level characters that every match contains (some may be empty); None if
    `pattern` has a top-level alternation or an inline flag (which may make a literal match other text)."""
    if _INLINE_FLAG.search(pattern):
        return None
    depth = 0
    runs: list[str] = []
    run: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char in "\\[":  # an escape or a class: no plain text, and a class's ")" closes nothing
            runs.append("".join(run))
            run = []
            index = _after_escape(pattern, index) if char == "\\" else _after_class(pattern, index)
            continue
        if char == "{":  # a counted quantifier: its digits are not text
            runs.append("".join(run))
            run = []
            index = pattern.find("}", index) + 1 or len(pattern)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
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
    return runs


def literal_anchors(pattern: str) -> tuple[str, ...] | None:
    """Literals at least one of which every match of `pattern` contains, or None: its `literal_anchor`,
    or the words of a top-level group that is a plain alternation of words and not optional
    ((一审|二审|再审|上诉) → 一审, 二审, 再审, 上诉), whichever has the longest shortest word. Short
    anchors occur in most long texts (向, 到, 去 …) and would run their cue's regex on nearly every one."""
    groups = _mandatory_word_groups(pattern)
    if groups is None or _INLINE_FLAG.search(pattern):
        return None  # a top-level alternation: no literal is common to every match
    anchor = literal_anchor(pattern)
    candidates: list[tuple[str, ...]] = [(anchor,)] if anchor else []
    candidates += groups
    if not candidates:
        return None
    # max() keeps the first of equals: the plain literal, then the groups from the left.
    return max(candidates, key=lambda words: min(len(word) for word in words))


def literal_sets(pattern: str) -> list[tuple[str, ...]]:
    """Every set of literals of `pattern` one of which each match contains: each top-level run of
    plain characters, and each word group of `literal_anchors`. Empty for a top-level alternation."""
    runs = _top_level_runs(pattern)
    groups = _mandatory_word_groups(pattern)
    if runs is None or groups is None:
        return []
    return [(run,) for run in runs if run] + groups


def _mandatory_word_groups(pattern: str) -> list[tuple[str, ...]] | None:
    """Each top-level group of `pattern` that is a plain alternation of words and not optional, left to
    right; None if the pattern has a top-level alternation."""
    groups: list[tuple[str, ...]] = []
    depth = 0
    opened = -1
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index = _after_escape(pattern, index)
            continue
        if char == "[":
            index = _after_class(pattern, index)
            continue
        if char == "|" and depth == 0:
            return None
        if char == "(":
            depth += 1
            if depth == 1:
                opened = index
        elif char == ")":
            depth -= 1
            if depth == 0:
                following = pattern[index + 1] if index + 1 < len(pattern) else ""
                body = pattern[opened + 1 : index].removeprefix("?:")
                words = body.split("|")
                plain = not body.startswith("?") and all(word and not set(word) & _META for word in words)
                if plain and following not in ("?", "*", "{"):
                    groups.append(tuple(words))
        index += 1
    return groups


class CueIndex:
    """Finds the cues of named groups in a text: one Aho-Corasick pass for the anchors, then only the
    individual cue regexes one of whose anchors occurs (cues without anchors always run), and of those
    only the ones whose other literal sets (`literal_sets`) each have a word in the text: a cue such as
    (要求|请求|希望).{0,8}(处分|撤职) is anchored on 要求, which half of all requests hold."""

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self._cues: list[Cue] = []
        self._others: list[list[tuple[str, ...]]] = []  # per cue, its literal sets besides its anchors
        self._always: list[int] = []  # indexes into _cues
        by_anchor: dict[str, list[int]] = {}
        for name, patterns in groups.items():
            for pattern in patterns:
                index = len(self._cues)
                self._cues.append((name, re.compile(pattern)))
                anchors = literal_anchors(pattern)
                self._others.append([words for words in literal_sets(pattern) if words != anchors])
                if anchors is None:
                    self._always.append(index)
                for anchor in anchors or ():
                    by_anchor.setdefault(anchor, []).append(index)
        self._anchors = Literals((anchor, tuple(cues)) for anchor, cues in by_anchor.items())

    def candidates(self, text: str) -> set[str]:
        """Names of the groups that have at least one cue that may match."""
        return {name for name, _ in self._cues_present(text)}

    def find(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """(start, end) of every cue match per group, sorted, without repeats."""
        found: dict[str, set[tuple[int, int]]] = {}
        for name, pattern in self._cues_present(text):
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    found.setdefault(name, set()).add(match.span())
        return {name: sorted(spans) for name, spans in found.items()}

    def matches(self, text: str) -> bool:
        """Whether any cue matches anywhere in `text` (as one alternation of them all would search)."""
        return any(pattern.search(text) is not None for _, pattern in self._cues_present(text))

    def _cues_present(self, text: str) -> list[Cue]:
        """The cues that may match, each once, in the order they were given (the order does not change
        what `find` returns: every cue's matches are collected, then sorted)."""
        present = set(self._always)
        if len(self._anchors):
            by_anchor = self._anchors.values
            for index in self._anchors.present(text):
                present.update(by_anchor[index])
        cues, others = self._cues, self._others
        return [
            cues[index]
            for index in sorted(present)
            if all(any(word in text for word in words) for words in others[index])
        ]
