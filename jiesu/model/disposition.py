"""What may be done with a request (Regulation art. 11): the classifier's disposition head combined with
explicit evidence in the text for the legal channels and for emergencies.

- Emergency evidence (a cue such as 着火/晕倒/持刀/撞车 told as happening now, or imminent self-harm; see
  jiesu.model.emergency) transfers the request to 110/119/120/122, whatever the head says: missing an
  emergency costs far more than a transfer that turns out unnecessary. Cue words told as past, news,
  a hypothesis or a figure of speech overrule a head that says emergency without evidence.
- Legal-channel evidence (a lawsuit filed, an arbitration award, a petition already accepted, a request
  to punish an official, a request for reconsideration or information disclosure) agrees or disagrees
  with the head; a disagreement is kept as `conflict` so a person looks first.
- A question about *how to use* a channel (怎么申请仲裁) is a consultation, not an exclusion, unless the
  caller tells outside the question that the matter is already in it (已经申请了劳动仲裁，…多久能开庭？).
- The learned legal reader (jiesu.model.legal_reader) adds a legal channel that the phrase rules did not
  find, on phrasings they were not written for: only where the rules would dispatch, the reader is sure
  enough (READER_FLOOR) and the head gives the legal channels some weight (READER_SUPPORT), and never
  where the text rules the channel out, says the matter is not yet in it, asks an administrative body
  to act, or names its legal bodies only as places (海淀区人民法院旁边的小区). The channel is the rules'
  choice where they found spans, else the head's; a person confirms it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace

from jiesu.data.disposition_rules import DispositionRules
from jiesu.model.classifier import HeadPrediction
from jiesu.model.cues import CueIndex
from jiesu.model.emergency import EmergencyFinding, EmergencyJudge
from jiesu.model.emergency import Evidence as Evidence  # re-exported: suggestions read it from here
from jiesu.model.hazards import HazardJudge
from jiesu.model.heads import DispositionLabel, decode_disposition
from jiesu.model.legal import LegalFinding, LegalJudge, in_original, strip_glosses
from jiesu.model.legal_reader import HEAD_SUPPORT, LegalReading

# Below this the head is not trusted against explicit evidence.
HEAD_TRUST = 0.85
# A legal-channel cue excludes a request against the head only if the head gives the legal channels at
# least this much probability: cue words (仲裁, 纪委, 法院) also occur in dispatchable complaints.
LEGAL_SUPPORT = 0.1
# What ends a clause once the text is folded (full-width ： and ．read as : and .): a transcript without
# punctuation often has only spaces, or begins its question with 请问 (a break of no width before it).
_CLAUSE_BREAK = re.compile(r"[，,；;。！？!?\n\s:：、…]|\.(?!\d)|(?=请问)")
# A caller who asks a body to act (请派单处理, 请街道督促, 请城管来查), not 请问: where the text rules a legal
# channel out, that request is dispatched whatever the head ranks next (R14A-17).
_ASKS_TO_ACT = re.compile(
    r"请(?!问)[^，,。；;！？!?\n]{0,12}(派单|处理|督促|查处|解决|协调|清理|维修|疏通|拆除|来管|管一管|查一查|来查)"
)
# A call that opens as a short question (我想问下仲裁裁决了，公司不给钱，我应该找谁？): what its first sentence
# tells is the question's premise, not a caller already in a channel; unless it says so with 已 (请问我已经申请
# 了劳动仲裁，申请后多久能开庭？) or tells a story (a longer sentence: 请问，我去年在朝阳区人民法院起诉了房东，
# 法院判决…，怎么申请强制执行？).
_ASKING_SENTENCE = re.compile(
    r"^[\s\"“「]*(?:(?:您好|你好)[，,\s]*)?"
    r"((?:我想问|想问|请问|我问一下|问一下|想咨询|咨询一下)[^。！？!?\n已：:；;]{0,24}[？?])"
)
# The learned reader adds a legal channel from this reading on, where the head gives the legal channels at
# least READER_SUPPORT (the classifier reads no text below it). Both chosen on the development halves only
# (real complaints: texts the rules at 41c342f had not been written for; real web messages: legal
# channels added to ordinary messages).
READER_FLOOR = 0.5
READER_SUPPORT = HEAD_SUPPORT


@dataclass(frozen=True)
class DispositionDecision:
    label: str
    channel: str | None = None
    emergency_number: str | None = None
    confidence: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    notice: str | None = None
    conflict: bool = False
    possible_emergencies: list[str] = field(default_factory=list)  # weak cues that only raise risk
    hazards: list[Evidence] = field(default_factory=list)  # a danger there now: the emergency deadline


def _evidence(original: str, spans: list[tuple[int, int]]) -> list[Evidence]:
    return [Evidence(original[start:end], start, end) for start, end in spans]


CueMatches = dict[str, list[tuple[int, int]]]


class DispositionResolver:
    def __init__(self, rules: DispositionRules) -> None:
        self.rules = rules
        # Yes/no questions over every text with legal evidence: cue by cue, only those whose literals
        # occur (one alternation of them all backtracks through every position of a long text).
        self._consultation = CueIndex({"consultation": rules.consultation_cues})
        self.legal = LegalJudge(rules)  # the legal channels' weak and strong cues, on real phrasing
        self._question = re.compile("|".join(rules.question_cues)) if rules.question_cues else None
        self._enquiry = re.compile("|".join(rules.enquiry_cues)) if rules.enquiry_cues else None
        self._not_yet = CueIndex({"not_yet": rules.not_yet_cues}) if rules.not_yet_cues else None
        self._set_aside = CueIndex({"not_yet": rules.not_yet_cues, "mention": rules.mention_cues})
        self._landmarks = CueIndex({"landmark": rules.landmark_cues}) if rules.landmark_cues else None
        self._bodies = (
            re.compile("|".join(map(re.escape, rules.legal_bodies))) if rules.legal_bodies else None
        )
        self._risk = {kind: re.compile("|".join(cues)) for kind, cues in rules.risk_cues.items() if cues}
        # The kinds one of whose cues may occur: most texts hold none, and each alternation is a scan.
        self._risk_kinds = CueIndex(rules.risk_cues)
        # Which cue groups could match is found in one pass over the text (see jiesu.model.cues); the
        # groups' regex alternations then run only where their anchors occur. Only the emergency groups:
        # the legal channels' cues are read by self.legal, on the text without pinyin glosses.
        self.emergencies = EmergencyJudge(rules)
        self.hazards = HazardJudge(rules)
        self._cues = CueIndex(self.emergencies.cue_groups() | self.hazards.cue_groups())

    def legal_evidence(
        self,
        folded: str,
        original: str,
        cues: CueMatches | None = None,  # noqa: ARG002 (kept for callers)
    ) -> tuple[dict[str, list[Evidence]], bool]:
        """(legal-channel spans by channel, is-a-question-about-using-a-channel); see jiesu.model.legal."""
        finding = self.legal.find(folded, set_aside=self._set_aside_spans)
        if not finding.spans:
            return {}, False
        finding, asks = self._apart_from_questions(folded, finding)
        return {channel: _evidence(original, spans) for channel, spans in finding.spans.items()}, asks

    def emergency_evidence(
        self, folded: str, original: str, head_support: float = 0.0, cues: CueMatches | None = None
    ) -> EmergencyFinding:
        """What in the text justifies an emergency transfer (see jiesu.model.emergency)."""
        cues = self._cues.find(folded) if cues is None else cues
        return self.emergencies.find(folded, original, cues, head_support)

    def decide(
        self,
        folded: str,
        original: str,
        head: HeadPrediction | None,
        reading: LegalReading | None = None,
    ) -> DispositionDecision:
        predicted = decode_disposition(head.label) if head else None
        confidence = head.confidence if head else 0.0
        support = sum(p for label, p in head.top if label.startswith("emergency")) if head else 0.0
        # Emergencies and hazards are read, like the legal channels, on the text without pinyin glosses
        # (煤(méi)气(qì)泄(xiè)漏(lòu) in a badly converted page); their evidence points into the original.
        unglossed = _Unglossed(folded, original)
        cues = self._cues.find(unglossed.folded)
        finding = unglossed.finding(
            self.emergency_evidence(unglossed.folded, unglossed.original, support, cues)
        )
        emergencies, possible = finding.evidence, list(finding.possible)
        if emergencies:
            return self._emergency(finding, head, confidence)
        if head is not None and predicted is not None and predicted.label == "emergency":
            # Emergency words told as past, news or a question: the text was read, the head is overruled.
            if confidence >= HEAD_TRUST and not finding.not_now:
                # No evidence in the text: the transfer stands on the head alone, so a person confirms it.
                return DispositionDecision(
                    "emergency",
                    emergency_number=predicted.emergency_number,
                    confidence=confidence,
                    conflict=True,
                )
            # An unsure head without evidence does not transfer (上个月晕倒了，120来得太慢 is a complaint):
            # its best other answer stands, flagged as a possible emergency for a person to look at.
            possible.append(predicted.emergency_number or "emergency")
            fallback = _best_ordinary_label(head)
            predicted = decode_disposition(fallback)
            confidence = dict(head.top).get(fallback, 0.0)  # the fallback's own probability
        # Read once: the rules and the learned reader both weigh it.
        legal = self.legal.find(folded, set_aside=self._set_aside_spans)
        asks = False
        if legal.spans or (predicted is not None and predicted.label == "legal_channel"):
            legal, asks = self._apart_from_questions(folded, legal)
        decision = self._decide_channel(folded, original, head, predicted, confidence, legal, asks)
        if decision.label == "dispatch" and reading is not None:
            decision = self._read(folded, original, head, reading, legal) or decision
        if head is not None and head.label.startswith("emergency") and not emergencies:
            decision = replace(decision, conflict=True)
        hazards = unglossed.evidence(self.hazards.find(unglossed.folded, unglossed.original, cues))
        if hazards:
            decision = replace(decision, hazards=hazards)
        return replace(decision, possible_emergencies=possible) if possible else decision

    def _emergency(
        self, finding: EmergencyFinding, head: HeadPrediction | None, confidence: float
    ) -> DispositionDecision:
        """The transfer: imminent self-harm to its number with the risk protocol's notice; otherwise
        the number the head believes most among those with evidence, then the one with most spans."""
        emergencies = finding.evidence
        numbers = [decode_disposition(label).emergency_number for label, _ in head.top] if head else []
        number = finding.self_harm_number or next((n for n in numbers if n in emergencies), None)
        number = number or max(emergencies, key=lambda n: len(emergencies[n]))
        harm = self.rules.self_harm
        return DispositionDecision(
            "emergency",
            emergency_number=number,
            confidence=max(confidence, 0.9),
            evidence=emergencies[number],
            notice=harm.notice if harm is not None and finding.self_harm_number else None,
        )

    def _decide_channel(
        self,
        folded: str,
        original: str,
        head: HeadPrediction | None,
        predicted: DispositionLabel | None,
        confidence: float,
        finding: LegalFinding,
        asks_how: bool,
    ) -> DispositionDecision:
        """A legal channel, a consultation about one (`asks_how`: see `_apart_from_questions`), or the
        head's own label."""
        head_trusted = head is not None and confidence >= HEAD_TRUST
        channels = {channel: _evidence(original, spans) for channel, spans in finding.spans.items()}
        head_channel = predicted.channel if predicted and predicted.label == "legal_channel" else None
        if asks_how:
            # A question about how to use a channel is answered, not excluded.
            spans = [span for spans in channels.values() for span in spans]
            return DispositionDecision("answer_now", confidence=max(confidence, 0.6), evidence=spans)
        if channels:
            agreed = head_channel in channels and not self.legal.reviewing(finding, head_channel or "")
            if (
                head_channel is not None
                and agreed
                and (not finding.strong_spans or head_channel in finding.strong_spans)
            ):
                return self._legal(head_channel, max(confidence, 0.9), channels[head_channel], conflict=False)
            # Among the channels with (strong, if any) evidence: the one the head believes, then the more
            # specific procedure, then the one with most spans (仲裁已经立案 also matches litigation's 立案).
            strongest = self.legal.choose(finding, _head_belief(head))
            enquiry = self._enquiry_about_channel(folded, predicted)
            if (
                strongest in finding.strong_spans
                and not enquiry
                and not self._strong_overruled(folded, finding)
            ):
                # The text says the matter is already in the channel (已向法院起诉, 向纪委举报, 仲裁委已受理):
                # excluded even against the head, and a person confirms it where the head disagrees.
                agrees = head_channel == strongest
                return self._legal(
                    strongest,
                    max(confidence, 0.9) if agrees else 0.6,
                    channels[strongest],
                    conflict=not agrees,
                )
            if enquiry and predicted is not None:
                # An enquiry that names a channel (想了解…已经起诉的事还能信访吗？) is answered.
                return DispositionDecision(
                    predicted.label, confidence=confidence, evidence=channels[strongest], conflict=True
                )
            legal_support = (
                sum(p for label, p in head.top if label.startswith("legal_channel")) if head else 1.0
            )
            doubted = legal_support < LEGAL_SUPPORT
            if (head_trusted or doubted) and predicted is not None and predicted.label != "legal_channel":
                # The head is sure this is, e.g., dispatchable: keep its answer, flag it for a person.
                return DispositionDecision(
                    predicted.label, confidence=confidence, evidence=channels[strongest], conflict=True
                )
            if head_trusted and head_channel:
                return self._legal(head_channel, confidence, [], conflict=True)
            return self._legal(strongest, 0.6, channels[strongest], conflict=True)
        if head is not None and head_channel:
            # The caller says the matter is not (yet) in a channel, its only channel words were a
            # mention (仲裁的事已经结束了), or the text rules the head's channel out (法院不予立案).
            not_yet = (
                finding.set_aside
                or head_channel in finding.negated
                or (self._not_yet is not None and self._not_yet.matches(folded))
            )
            if not head_trusted or not_yet:
                # No evidence and an unsure head, or the text says the matter is not (yet, or no longer)
                # in that channel: not excluded (wrongly refusing a request costs more than a look); the best
                # other answer stands, or a dispatch where the caller asks an administrative body to act
                # (先请劳动监察督促一下), and a person checks it. Where the text rules the channel out (法院不受理,
                # 不属于信访事项), the head was reading the channel's words: its other labels are traces, and
                # only a dispatch or an answer is read from it (_dispatch_or_answer).
                label = "dispatch" if self.legal.asks_elsewhere(folded) else None
                ruled_out = head_channel in finding.negated
                fallback = label or (
                    _dispatch_or_answer(head, folded) if ruled_out else _best_ordinary_label(head)
                )
                return DispositionDecision(fallback, confidence=confidence, conflict=True)
            # A sure head but no evidence in the text: excluded, and a person confirms it.
            return self._legal(head_channel, confidence, [], conflict=True)
        label = predicted.label if predicted else "dispatch"
        return DispositionDecision(label, confidence=confidence)

    def _read(
        self,
        folded: str,
        original: str,
        head: HeadPrediction | None,
        reading: LegalReading,
        finding: LegalFinding,
    ) -> DispositionDecision | None:
        """A legal channel the rules did not find, from the learned reader (module docstring); None where
        it adds nothing. Read only for texts the rules dispatch."""
        probability = reading.probability
        # Written so that a NaN never passes (a reader that loads is finite; this keeps it so).
        if (
            probability is None
            or not probability >= READER_FLOOR
            or not reading.head_support >= READER_SUPPORT
        ):
            return None
        if finding.negated or self._strong_overruled(folded, finding):
            return None
        if finding.spans:
            channel = self.legal.choose(finding, _head_belief(head))
            return self._legal(channel, 0.6, _evidence(original, finding.spans[channel]), conflict=True)
        if reading.head_channel is None or self.legal.asks_elsewhere(folded):
            return None
        if self._bodies_only_as_places(folded):
            return None  # 海淀区人民法院旁边的小区: the court is where the matter is, not what it is
        if finding.set_aside:
            return None  # the only channel words were a mention (仲裁的事已经结束了): the reader read those
        return self._legal(reading.head_channel, 0.6, [], conflict=True)

    def _apart_from_questions(self, folded: str, finding: LegalFinding) -> tuple[LegalFinding, bool]:
        """The finding without what the text only asks about, and whether the text is a question about
        how to use a channel (怎么申请仲裁, 复议几天内申请) from a caller not in one. A caller who tells
        strong evidence outside the clauses that ask (我上个月已经申请了劳动仲裁，仲裁委也受理了，仲裁申请后多
        久能开庭？) is in the channel and asks about its course: not a consultation, and the channel words of
        the question (应该复议还是起诉？) are no evidence of where the matter is."""
        spans = {span for spans in self._consultation.find(folded).values() for span in spans}
        if not spans:
            return finding, False
        breaks = _Breaks(folded)
        questions = sorted({breaks.clause(start, end) for start, end in spans})
        asking = _ASKING_SENTENCE.match(folded)
        untold = questions + ([asking.span(1)] if asking else [])
        told = any(not _inside(span, untold) for spans in finding.strong_spans.values() for span in spans)
        if not told:
            return finding, True
        finding = self.legal.find(folded, set_aside=lambda text: self._set_aside_spans(text) + untold)
        return finding, False

    def _set_aside_spans(self, folded: str) -> list[tuple[int, int]]:
        """Where the text says a matter is not (yet) in a channel, or mentions one without being in it
        (a finished matter as background, an intention, hearsay): the channel words there are no evidence
        (物业威胁要把我告到法院 is no suit, even where the classifier leans to litigation; 打赢官司以后搬到
        这里 introduces another matter)."""
        return [span for spans in self._set_aside.find(folded).values() for span in spans]

    def _bodies_only_as_places(self, folded: str) -> bool:
        """Every legal body the text names is named as a place (海淀区人民法院旁边的小区, 法院门口的人行道):
        the reader's reading of those sentences says nothing of a channel."""
        if self._landmarks is None or self._bodies is None:
            return False
        places = [span for spans in self._landmarks.find(folded).values() for span in spans]
        return bool(places) and all(
            any(start <= body.start() and body.end() <= end for start, end in places)
            for body in self._bodies.finditer(folded)
        )

    def _strong_overruled(self, folded: str, finding: LegalFinding) -> bool:
        """Strong evidence does not exclude when the text asks an administrative body to act, or says the
        matter is not (yet) in the channel or is another matter (还没起诉, 这回就是举报违建)."""
        return finding.elsewhere or (self._not_yet is not None and self._not_yet.matches(folded))

    def _enquiry_about_channel(self, folded: str, predicted: DispositionLabel | None) -> bool:
        """The classifier reads the text as a consultation and it is worded as one: an enquiry (咨询, 想了解)
        or a question (申请信息公开一般多久答复？)."""
        if predicted is None or predicted.label != "answer_now":
            return False
        enquiry = self._enquiry is not None and self._enquiry.search(folded) is not None
        return enquiry or (self._question is not None and self._question.search(folded) is not None)

    def _legal(
        self, channel: str, confidence: float, evidence: list[Evidence], *, conflict: bool
    ) -> DispositionDecision:
        return DispositionDecision(
            "legal_channel",
            channel=channel,
            confidence=confidence,
            evidence=evidence,
            notice=self.rules.channel(channel).notice,
            conflict=conflict,
        )

    def risk_cues(self, folded: str) -> list[str]:
        """`kind:word` for every risk cue present (self_harm, threat, mass_incident), read without pinyin
        glosses (跳(tiào)楼 is 跳楼)."""
        folded = strip_glosses(folded)[0]
        kinds = self._risk_kinds.candidates(folded)
        return [
            f"{kind}:{match.group(0)}"
            for kind, pattern in self._risk.items()
            if kind in kinds
            for match in pattern.finditer(folded)
        ]


class _Breaks:
    """The clause breaks of a text, found once: a clause is looked up by bisection (a text can hold many
    questions)."""

    def __init__(self, text: str) -> None:
        self._text = text
        found = [match.span() for match in _CLAUSE_BREAK.finditer(text)]
        self._starts = [start for start, _ in found]
        self._ends = [end for _, end in found]

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """The clauses that the span from `start` to `end` lies in (a cue that ends on its question mark
        does not reach into the clause after it; one that begins at 请问 begins its clause)."""
        last = end - 1
        while last > start and _CLAUSE_BREAK.match(self._text[last]):
            last -= 1
        before = bisect_right(self._ends, start) - 1
        after = bisect_right(self._starts, last)
        return (
            self._ends[before] if before >= 0 else 0,
            self._starts[after] if after < len(self._starts) else len(self._text),
        )


def _inside(span: tuple[int, int], clauses: list[tuple[int, int]]) -> bool:
    """Whether `span` begins in one of `clauses`, the parts of a text that ask (a telling that begins before
    a question and runs into it is told outside it)."""
    return any(start <= span[0] < end for start, end in clauses)


def _head_belief(head: HeadPrediction | None) -> dict[str | None, float]:
    """The head's probability per legal channel (None for the labels that name none)."""
    return {decode_disposition(label).channel: p for label, p in (head.top if head else [])}


def _best_ordinary_label(head: HeadPrediction) -> str:
    """The head's most probable label that is neither an emergency nor a legal channel; else dispatch."""
    return next(
        (label for label, _ in head.top if not label.startswith(("emergency", "legal_channel"))), "dispatch"
    )


def _dispatch_or_answer(head: HeadPrediction, folded: str) -> str:
    """What a request whose legal channel the text rules out becomes: a dispatch where the caller asks a
    body to act (请派单处理); else an answer where the head ranks it above a dispatch (法院不给立案，我该怎么办？),
    else a dispatch. Not a duplicate or an unlawful request: a head sure of the channel gives those a trace of
    probability (0.0004), no reading of the text."""
    if _ASKS_TO_ACT.search(folded):
        return "dispatch"
    return next((label for label, _ in head.top if label in ("dispatch", "answer_now")), "dispatch")


class _Unglossed:
    """A text without its pinyin glosses, and the way back: evidence found in it, as spans of the text."""

    def __init__(self, folded: str, original: str) -> None:
        clean, offsets = strip_glosses(folded)
        self._offsets = offsets if len(clean) < len(folded) else None
        self.folded = clean
        # Folding keeps every character's place, so the original loses the same characters.
        self.original = "".join(original[i] for i in offsets) if self._offsets is not None else original
        self._text = original

    def evidence(self, spans: list[Evidence]) -> list[Evidence]:
        if self._offsets is None:
            return spans
        places = in_original([(span.start, span.end) for span in spans], self._offsets)
        return [Evidence(self._text[start:end], start, end) for start, end in places]

    def finding(self, finding: EmergencyFinding) -> EmergencyFinding:
        if self._offsets is None:
            return finding
        evidence = {number: self.evidence(spans) for number, spans in finding.evidence.items()}
        return replace(finding, evidence=evidence)
