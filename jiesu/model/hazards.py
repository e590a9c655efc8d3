"""Is a danger to life or property there now? (Regulation art. 13: such a request is handled within the
emergency tier's 2 h, though it is dispatched, not transferred.)

A hazard is a state that lasts (井盖丢了, 路面塌了一个大坑, 大树快倒了), so it is not judged as an emergency
cue is: when it began (去年, 昨天, 上个月) and what the caller asks (请尽快维修, 存在安全隐患) say nothing
against it. What does: hearsay, news or a supposition shortly before it in its sentence (听说, 新闻里, 万一),
a repair told shortly after it (后来修好了, 已经补上了; not 还没修好), or a figure of speech over it (家里这棵
大树快倒了). The cues and those markers are `hazard_*` in `disposition.json`.
"""

from __future__ import annotations

from jiesu.data.disposition_rules import DispositionRules
from jiesu.model.emergency import SENTENCE_END, Evidence, alternation, figure_over

HAZARD = "hazard"  # the cue group of the hazards, read in the resolver's one-pass CueIndex
# How far before a cue hearsay or a supposition cancels it (characters, same sentence), and how far after
# it a repair does (any sentence: 井盖丢了。后来修好了).
BEFORE_WINDOW = 24
AFTER_WINDOW = 30

Spans = list[tuple[int, int]]


class HazardJudge:
    def __init__(self, rules: DispositionRules) -> None:
        self.cues = rules.hazard_cues
        self._before = alternation(rules.hazard_before)
        self._after = alternation(rules.hazard_after)
        self._figurative = alternation(rules.hazard_figurative)

    def cue_groups(self) -> dict[str, list[str]]:
        return {HAZARD: self.cues} if self.cues else {}

    def find(self, folded: str, original: str, cues: dict[str, Spans]) -> list[Evidence]:
        """The hazard cues (found by the CueIndex in `cues`) told as there now, as spans of `original`;
        overlapping cues (路面塌了 and 塌了一个大坑) are one span."""
        merged: Spans = []
        for start, end in sorted(cues.get(HAZARD, [])):
            if not self._there_now(folded, start, end):
                continue
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return [Evidence(original[start:end], start, end) for start, end in merged]

    def _there_now(self, folded: str, start: int, end: int) -> bool:
        before = SENTENCE_END.split(folded[max(0, start - BEFORE_WINDOW) : start])[-1]
        if self._before is not None and self._before.search(before):
            return False
        if self._after is not None and self._after.search(folded, end, end + AFTER_WINDOW):
            return False
        return not figure_over(self._figurative, folded, start, end)
