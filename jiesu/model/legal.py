"""Legal-channel evidence in real phrasing (Regulation art. 11).

Each channel has two kinds of cue. Weak cues name the topic (贪污, 纪委, 开庭, 信息公开): such words also
occur in complaints that are still dispatched, so they exclude a request only with the classifier's
support. Strong cues say that the matter is already in the channel, or plainly belongs there: a suit
filed (已向法院提起诉讼, 告上法庭, 去法院告他了), a judgement or award not performed (申请强制执行), a case
before an arbitration committee, a report made to a discipline commission, a petition lodged, a request
for reconsideration or for information disclosure. A strong cue excludes the request even where the
classifier disagrees (a person then confirms it), unless the text rules the channel out (法院不予立案) or
asks an administrative body to act (请劳动监察督促).

Real pages are matched as they are: Traditional characters are folded before this module sees the text,
and the pinyin glosses left by bad Traditional conversions ("业(yè)主") are removed here, so that
"申請(qǐng)強制執(zhí)行" still reads 申请强制执行. Spans are mapped back to the original text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from jiesu.data.disposition_rules import ChannelId, DispositionRules
from jiesu.model.cues import CueIndex

# A pinyin syllable with a tone mark in ASCII brackets, as left between characters by bad conversions.
GLOSS = re.compile(r"\([a-zü]{0,5}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]{0,5}\)")
# When strong evidence names several channels and the classifier has no opinion, the more specific
# procedure wins: a suit over an award or a disclosure reply is litigation; a reconsideration of a
# disclosure reply is reconsideration; a report to the discipline commission outranks a petition.
PRIORITY: tuple[ChannelId, ...] = (
    "litigation", "reconsideration", "arbitration", "discipline", "petition", "info_disclosure",
)  # fmt: skip
# The classifier's belief in a channel counts for the choice only from this probability on: below it,
# on unfamiliar real text, it is noise.
BELIEF_FLOOR = 0.1
# A procedure that reviews or enforces another's outcome wins over it whatever the classifier believes,
# when both have strong evidence: a reconsideration or a suit over a disclosure reply, a suit over a
# reconsideration decision or over a petition's handling, the court's enforcement of an award that is not
# performed (仲裁裁决后拒不履行，已申请强制执行). An award not performed, with no court named, stays arbitration.
REVIEWS: dict[str, frozenset[str]] = {
    "litigation": frozenset({"reconsideration", "info_disclosure", "petition", "arbitration"}),
    "reconsideration": frozenset({"info_disclosure", "petition"}),
}

Spans = list[tuple[int, int]]
_CLAUSE_BREAK = re.compile(r"[，,；;。！？!?\n]")


def strip_glosses(text: str) -> tuple[str, list[int]]:
    """`text` without pinyin glosses, and for every character kept its offset in `text`."""
    # Every gloss is parenthesised: most texts need no scan (this runs several times a text).
    if "(" not in text:
        return text, list(range(len(text)))
    kept: list[str] = []
    offsets: list[int] = []
    last = 0
    for match in GLOSS.finditer(text):
        kept.append(text[last : match.start()])
        offsets.extend(range(last, match.start()))
        last = match.end()
    if last == 0:
        return text, list(range(len(text)))
    kept.append(text[last:])
    offsets.extend(range(last, len(text)))
    return "".join(kept), offsets


@dataclass(frozen=True)
class LegalFinding:
    spans: dict[str, Spans]  # channel → (start, end) in the original text, weak and strong cues together
    strong_spans: dict[str, Spans]  # the strong cues' own spans, by channel (a subset of `spans`)
    elsewhere: bool  # the text asks an administrative body to act (looked for only where spans)
    negated: frozenset[str] = frozenset()  # the channels the text rules out (法院不予立案, 驳回起诉)
    set_aside: bool = False  # some channel words were a threat, a denial or a mention (see `find`)

    @property
    def strong(self) -> frozenset[str]:
        """The channels with a strong cue."""
        return frozenset(self.strong_spans)


class LegalJudge:
    def __init__(self, rules: DispositionRules) -> None:
        groups: dict[str, list[str]] = {}
        for channel in rules.channels:
            groups[f"weak:{channel.id}"] = channel.cues
            groups[f"strong:{channel.id}"] = channel.strong_cues
            groups[f"not:{channel.id}"] = channel.negations
        self._cues = CueIndex({name: cues for name, cues in groups.items() if cues})
        self._elsewhere = (
            CueIndex({"elsewhere": rules.administrative_cues}) if rules.administrative_cues else None
        )
        self._channels = [channel.id for channel in rules.channels]

    def find(
        self, folded: str, set_aside: Callable[[str], Sequence[tuple[int, int]]] | None = None
    ) -> LegalFinding:
        """The channels the folded text gives evidence for, less those it rules out. A cue that lies
        within a span that `set_aside(folded)` gives (offsets in `folded`; asked only where a cue occurs)
        is no evidence: the caller gives the spans where the text says the matter is not in a channel
        (还没起诉, 物业威胁要把我告到法院) or only mentions one (打赢官司以后, 打算申请仲裁), whose channel
        words are the threat, the denial or the mention itself."""
        clean, offsets = strip_glosses(folded)
        found: dict[str, Spans] = {}
        dropped = False
        cues = self._cues.find(clean)
        aside = set_aside(folded) if cues and set_aside is not None else ()
        for name, matched in cues.items():
            kept = [span for span in in_original(matched, offsets) if not _within(span, aside)]
            dropped |= len(kept) < len(matched)
            if kept:
                found[name] = kept
        spans: dict[str, Spans] = {}
        strong: dict[str, Spans] = {}
        negated: set[str] = set()
        for channel in self._channels:
            # Ruled out (法院不予立案), unless strong evidence after the refusal says the matter got in after
            # all (法院开始没给立案，后来…法院已经受理了); a weak word after it (说这个案子在法院打不了, 不用开庭)
            # is often the refusal's own.
            if f"not:{channel}" in found and not _later(
                folded, found.get(f"strong:{channel}", []), found[f"not:{channel}"]
            ):
                negated.add(channel)
                continue
            matched = sorted(set(found.get(f"weak:{channel}", [])) | set(found.get(f"strong:{channel}", [])))
            if matched:
                spans[channel] = matched
            if f"strong:{channel}" in found:
                strong[channel] = found[f"strong:{channel}"]
        # Read only against evidence: a whole-text scan that most texts, with no channel cue, never need.
        elsewhere = bool(spans) and self._elsewhere is not None and self._elsewhere.matches(clean)
        return LegalFinding(spans, strong, elsewhere, frozenset(negated), dropped)

    def asks_elsewhere(self, folded: str) -> bool:
        """The text asks an administrative body to act (请劳动监察督促): read where `find` did not."""
        return self._elsewhere is not None and self._elsewhere.matches(strip_glosses(folded)[0])

    @staticmethod
    def choose(finding: LegalFinding, head_belief: Mapping[str | None, float]) -> str:
        """The channel to name: among those with strong evidence if any, else among all with evidence;
        the one the classifier believes (from BELIEF_FLOOR on), then the more specific procedure, then
        the one with most spans; and a procedure with strong evidence that reviews the chosen one's
        outcome (REVIEWS) takes its place, and so on up the chain."""
        candidates = [c for c in finding.spans if c in finding.strong_spans] or list(finding.spans)

        def rank(channel: str) -> tuple[float, int, int]:
            belief = head_belief.get(channel, 0.0)
            order = PRIORITY.index(channel) if channel in PRIORITY else len(PRIORITY)
            return (belief if belief >= BELIEF_FLOOR else 0.0, -order, len(finding.spans[channel]))

        chosen = max(candidates, key=rank)
        # Up the chain of reviews: a suit over a reconsideration decision on a disclosure reply is the suit.
        seen = {chosen}
        while reviewing := [c for c in LegalJudge.reviewing(finding, chosen) if c not in seen]:
            chosen = max(reviewing, key=rank)
            seen.add(chosen)
        return chosen

    @staticmethod
    def reviewing(finding: LegalFinding, channel: str) -> list[str]:
        """The channels with strong evidence whose procedure reviews `channel`'s outcome."""
        return [c for c in finding.strong_spans if channel in REVIEWS.get(c, frozenset())]


def in_original(spans: Spans, offsets: list[int]) -> Spans:
    """Spans of the text without glosses, as offsets in the text with them."""
    return [(offsets[start], offsets[end - 1] + 1) for start, end in spans]


def _later(folded: str, spans: Spans, negations: Spans) -> bool:
    """Whether a span comes after the last negation (驳回起诉以后我又向法院起诉了) or reaches into a clause
    after it (法院开始没给立案，后来补交材料后已经立案了 starts with the refusal's own words and goes on past
    it; 要不是…早就起诉了 only ends it)."""
    last = max(end for _, end in negations)
    return any(
        start >= last or (end > last and _CLAUSE_BREAK.search(folded, last, end)) for start, end in spans
    )


def _within(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    """Whether `span` lies inside one of `others` (a longer cue that reaches past it still counts:
    法院判决以后对方拒不履行 is a judgement not performed, told after the background words)."""
    return any(start <= span[0] and span[1] <= end for start, end in others)
