"""Is an emergency happening now? The emergency cues of `disposition.json` judged in their context.

A cue word (着火, 晕倒, 绑架, 不想活了) transfers a request only where the text tells it as happening now:

- not figurative (道德绑架, 气得吐血, 跟着火了一样) and not a word that only contains it (没有呼吸机);
- not told as past, reported, hypothetical, chronic or as a question about procedures: a marker shortly
  before it in its sentence (去年, 听说, 万一, 经常) or shortly after it (的话, 时有发生, 送医院, 怎么报销);
- in a short text (a call says what and where in a few dozen characters; the seed corpus's emergencies
  are all under 80), or with a sign of "now" near it (现在, 刚才, 快来, 还在). A long letter that retells
  a fire without one is a complaint about the fire: flagged as a possible emergency for a person, never
  transferred.

Self-harm has its own rule: an intent (不想活了, 要跳楼) transfers only with a sign that it is imminent
near it (现在就在楼顶上, 站在桥上, 手里拿着刀); an act already done (喝了农药, 割腕了) goes to 120. Both
carry the risk protocol's notice (keep the caller talking while the call is transferred).

When cue words were found and none is told as happening now, the classifier's head alone does not
transfer either (`EmergencyFinding.not_now`): the text was read and is a complaint, a question or news.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from jiesu.data.disposition_rules import DispositionRules

# Texts up to this length tell an emergency without a "now" word (喂，我家煤气好像漏了，我在黄村).
SHORT_TEXT = 80
# How far before a cue a past/reported/hypothetical marker cancels it (characters, same sentence).
PAST_WINDOW = 24
# How far after a cue a marker of a category, a question or an outcome cancels it (same sentence).
AFTER_WINDOW = 16
# How far from a cue a "now" word counts in a long text (either side, across sentences: transcripts of
# speech have none).
NOW_WINDOW = 40
# How far from a self-harm intent a sign that it is imminent counts (either side).
SELF_HARM_WINDOW = 50
# How far around a cue a figure of speech is looked for (道德绑架, 简直是抢劫, 气得都要晕倒了).
FIGURATIVE_REACH = 12
# The head's emergency probability that lets a weak cue (受伤, 打架) transfer; a quarter of it with a
# "now" word near the cue.
EMERGENCY_SUPPORT = 0.2

_SENTENCE_MARKS = "。！？!?；;\n"
SENTENCE_END = re.compile(f"[{_SENTENCE_MARKS}]")
# A year earlier in the cue's sentence dates it unless a sign of "now" follows the year: a call about
# something happening now does not name the year ("2005年11月8日上午…持刀将他们赶出" is a retelling).
_DATED = re.compile(
    # a year that dates an event (2005年11月8日, 2019年那会儿), not one that describes (2019年搬来的, 80年代)
    r"(?:19|20)\d{2}年(?!代|[建盖买搬生来入退住]|出生|的(?!时候|那|一天|[春夏秋冬]))"
    # a two-digit year only where a month, a season or 那会 shows that it is one (23年夏天)
    r"|(?<!\d)\d{2}年(?=\d{1,2}月|[春夏秋冬]|那会|的时候|底|初)"
)
# What undoes that date: a word that puts the cue in the present (not 还在 or 紧急, which retellings use;
# not 到现在, which is a span up to now).
_PRESENT = re.compile("刚才|刚刚|(?<![到至])现在|此刻|这会儿|眼下|今天|今晚|快来|救命")
# A call for help right after the cue: a caller who names a year in passing (我2019年搬来的…着火了快来吧).
_URGENT = re.compile("快来|快派|救命|来人|赶紧(来|派)|赶快(来|派)")


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int
    end: int


class Told(Enum):
    NOW = "now"
    UNCLEAR = "unclear"  # a long text without a sign of "now" near the cue
    NOT_NOW = "not_now"  # figurative, past, reported, hypothetical, chronic, a question


@dataclass(frozen=True)
class EmergencyFinding:
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)  # by emergency number
    possible: list[str] = field(default_factory=list)  # weak cue words or numbers that only raise risk
    self_harm_number: str | None = None  # imminent self-harm: the risk protocol applies
    not_now: bool = False  # cue words found, none told as happening now


Spans = list[tuple[int, int]]


def alternation(patterns: list[str], *, literal: bool = False) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{re.escape(p) if literal else p})" for p in patterns))


def figure_over(figures: re.Pattern[str] | None, folded: str, start: int, end: int) -> bool:
    """A figure of speech overlaps the cue at start:end (looked for only around it: long texts stay
    cheap)."""
    if figures is None:
        return False
    offset = max(0, start - FIGURATIVE_REACH)
    window = folded[offset : end + FIGURATIVE_REACH]
    return any(
        offset + match.start() < end and start < offset + match.end() for match in figures.finditer(window)
    )


class EmergencyJudge:
    def __init__(self, rules: DispositionRules) -> None:
        self.rules = rules
        self._now = alternation(rules.emergency_context, literal=True)
        self._story = alternation(rules.emergency_story, literal=True)
        self._before = alternation(rules.emergency_past)
        self._after = alternation(rules.emergency_after)
        self._figurative = alternation(rules.emergency_figurative)
        harm = rules.self_harm
        self._imminent = alternation(harm.imminent) if harm else None

    def cue_groups(self) -> dict[str, list[str]]:
        """The cue groups this judge reads, for the resolver's one-pass `CueIndex`."""
        groups: dict[str, list[str]] = {}
        for rule in self.rules.emergencies:
            groups[f"strong:{rule.number}"] = rule.cues
            groups[f"weak:{rule.number}"] = rule.weak_cues
        if self.rules.self_harm is not None:
            groups["harm:intent"] = self.rules.self_harm.intent
            groups["harm:act"] = self.rules.self_harm.acts
        return groups

    def find(
        self, folded: str, original: str, cues: dict[str, Spans], head_support: float = 0.0
    ) -> EmergencyFinding:
        """Spans by emergency number that justify a transfer, with what only raises risk.

        Strong cues told as happening now transfer; weak ones also need the classifier's support (its
        emergency probability), less of it with a "now" word near them."""
        present = {
            name: spans for name, spans in cues.items() if name.startswith(("strong:", "weak:", "harm:"))
        }
        if not present:
            return EmergencyFinding()
        if self._story is not None and self._story.search(folded):
            return EmergencyFinding(not_now=True)  # praise letters retell events
        found: dict[str, list[Evidence]] = {}
        possible: list[str] = []
        for rule in self.rules.emergencies:
            strong = self._judged(folded, original, present.get(f"strong:{rule.number}", []))
            weak = self._judged(folded, original, present.get(f"weak:{rule.number}", []))
            if strong[Told.NOW]:
                found[rule.number] = strong[Told.NOW] + weak[Told.NOW]
            elif weak[Told.NOW]:
                near_now = any(self._now_near(folded, span) for span in weak[Told.NOW])
                if head_support >= EMERGENCY_SUPPORT or (near_now and head_support >= EMERGENCY_SUPPORT / 4):
                    found[rule.number] = weak[Told.NOW]
                elif near_now:
                    possible += [span.text for span in weak[Told.NOW]]
            if not found.get(rule.number) and strong[Told.UNCLEAR]:
                possible.append(rule.number)  # a long text retells it: a person looks
        harm_number = self._self_harm(folded, original, present, found)
        if found:
            return EmergencyFinding(found, possible, harm_number)
        return EmergencyFinding(possible=possible, not_now=True)

    def _self_harm(
        self,
        folded: str,
        original: str,
        present: dict[str, Spans],
        found: dict[str, list[Evidence]],
    ) -> str | None:
        """Adds imminent self-harm to `found` and returns its number, or None."""
        harm = self.rules.self_harm
        if harm is None or self._imminent is None:
            return None
        acts = self._judged(folded, original, present.get("harm:act", []))[Told.NOW]
        intents = self._judged(folded, original, present.get("harm:intent", []))
        signs: list[Evidence] = []
        for span in intents[Told.NOW] + intents[Told.UNCLEAR]:
            window = folded[max(0, span.start - SELF_HARM_WINDOW) : span.end + SELF_HARM_WINDOW]
            offset = max(0, span.start - SELF_HARM_WINDOW)
            for match in self._imminent.finditer(window):
                start, end = offset + match.start(), offset + match.end()
                signs += [span, Evidence(original[start:end], start, end)]
        if not acts and not signs:
            return None
        number = harm.act_number if acts else harm.number
        found.setdefault(number, [])
        found[number] += [span for span in acts + signs if span not in found[number]]
        return number

    def _judged(self, folded: str, original: str, spans: Spans) -> dict[Told, list[Evidence]]:
        judged: dict[Told, list[Evidence]] = {told: [] for told in Told}
        for start, end in spans:
            judged[self._told(folded, start, end)].append(Evidence(original[start:end], start, end))
        return judged

    def _told(self, folded: str, start: int, end: int) -> Told:
        if figure_over(self._figurative, folded, start, end):
            return Told.NOT_NOW
        # The cue itself counts as "before": a loose cue can hold a marker (闻着有时候有股煤气味).
        before = SENTENCE_END.split(folded[max(0, start - PAST_WINDOW) : end])[-1]
        if self._before is not None and self._before.search(before):
            return Told.NOT_NOW
        if self._dated(folded, start):
            return Told.NOT_NOW
        after = SENTENCE_END.split(folded[end : end + AFTER_WINDOW])[0]
        # A call for help after it outweighs what follows the cue (着火了都跑不出去，快来救命啊).
        if self._after is not None and self._after.search(after) and not self._urgent_after(folded, end):
            return Told.NOT_NOW
        if len(folded) <= SHORT_TEXT or self._now_near(folded, Evidence("", start, end)):
            return Told.NOW
        return Told.UNCLEAR

    def _dated(self, folded: str, start: int) -> bool:
        """A year earlier in the cue's sentence, and no word of the present between the year and the cue
        (我是2015年退休的，刚才我老伴晕倒了 and 2023年…，今天下午…着火了 are happening now)."""
        sentence_start = max(folded.rfind(mark, 0, start) for mark in _SENTENCE_MARKS) + 1
        year_end = None
        for match in _DATED.finditer(folded, sentence_start, start):
            year_end = match.end()
        if year_end is None or _PRESENT.search(folded, year_end, start) is not None:
            return False
        return not self._urgent_after(folded, start)

    @staticmethod
    def _urgent_after(folded: str, end: int) -> bool:
        return _URGENT.search(folded, end, end + NOW_WINDOW) is not None

    def _now_near(self, folded: str, span: Evidence) -> bool:
        window = folded[max(0, span.start - NOW_WINDOW) : span.end + NOW_WINDOW]
        return self._now is not None and self._now.search(window) is not None
