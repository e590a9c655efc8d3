"""Disposition rules (Regulation art. 11): the legal channels a request may belong to, with the notice
the operator reads to the requester; the cues that signal an emergency and the number to transfer to;
the cues of risk that must be reported at once (art. 29)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jiesu.data.resources import read_json, resource_path
from jiesu.data.taxonomy import Taxonomy
from jiesu.errors import ReferenceDataError

ChannelId = Literal[
    "litigation", "arbitration", "discipline", "reconsideration", "info_disclosure", "petition"
]
EmergencyNumber = Literal["110", "119", "120", "122"]
CHANNEL_IDS: tuple[ChannelId, ...] = (
    "litigation", "arbitration", "discipline", "reconsideration", "info_disclosure", "petition",
)  # fmt: skip
EMERGENCY_NUMBERS: tuple[EmergencyNumber, ...] = ("110", "119", "120", "122")
Disposition = Literal[
    "dispatch", "answer_now", "legal_channel", "emergency", "duplicate", "out_of_scope", "unlawful"
]
DISPOSITIONS: tuple[Disposition, ...] = get_args(Disposition)


def _compile_all(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"cue {pattern!r} is not a valid regular expression: {exc}") from exc
    try:  # the resolvers join a list into one alternation: a global flag inside one cue breaks it
        re.compile("|".join(patterns))
    except re.error as exc:
        raise ValueError(f"cues {patterns!r} do not join into one regular expression: {exc}") from exc
    return patterns


class LegalChannel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: ChannelId
    name: str
    category_l2: str
    description: str
    notice: str = Field(min_length=20)
    cues: list[str] = Field(min_length=1)  # weak: the topic; exclude only with the classifier's support
    # Strong: the matter is already in the channel or plainly belongs there (已向法院提起诉讼, 向纪委举报);
    # negations: the text rules the channel out (法院不予立案). See jiesu.model.legal.
    strong_cues: list[str] = Field(default_factory=list)
    negations: list[str] = Field(default_factory=list)

    _validate_cues = field_validator("cues", "strong_cues", "negations")(
        lambda cls, value: _compile_all(value)  # noqa: ARG005 (pydantic reads the name)
    )


class EmergencyRule(BaseModel):
    """`cues` are enough on their own (着火, 持刀, 追尾) unless the text speaks of the past; `weak_cues`
    (受伤, 打架) also need a sign that it is happening now or the classifier's support."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: EmergencyNumber
    name: str
    cues: list[str] = Field(min_length=1)
    weak_cues: list[str] = Field(default_factory=list)

    _validate_cues = field_validator("cues", "weak_cues")(lambda cls, value: _compile_all(value))  # noqa: ARG005 (pydantic reads the name)


class SelfHarmRule(BaseModel):
    """Imminent self-harm (Regulation art. 29, a risk to life): an `intent` cue (不想活了, 要跳楼) with an
    `imminent` sign near it (现在就在楼顶上, 站在桥上, 手里拿着刀), or an `act` already done (喝了农药,
    割腕了), transfers to `number` (`act_number` once the act is done) with the risk protocol's `notice`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: EmergencyNumber
    act_number: EmergencyNumber
    intent: list[str] = Field(min_length=1)
    imminent: list[str] = Field(min_length=1)
    acts: list[str] = Field(min_length=1)
    notice: str = Field(min_length=20)

    _validate_cues = field_validator("intent", "imminent", "acts")(lambda cls, value: _compile_all(value))  # noqa: ARG005 (pydantic reads the name)


class DispositionRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    legal_basis: str
    channels: list[LegalChannel]
    consultation_cues: list[str]
    # Marks of a question (？, 吗, 请问, 多长时间): a text the classifier reads as a consultation stays one even
    # where it names a channel strongly (信息公开申请一般多长时间能答复？).
    question_cues: list[str] = Field(default_factory=list)
    # Words of an enquiry (咨询, 想了解, 请问): the text asks about a channel rather than reporting a case in it.
    enquiry_cues: list[str] = Field(default_factory=list)
    # "Not yet in the channel" (还没去仲裁, 再不给钱就去法院): the matter is not excluded (art. 11).
    not_yet_cues: list[str] = Field(default_factory=list)
    # Channel words mentioned, not a case: a finished matter told before another one (打赢官司以后, 仲裁的事
    # 已经结束了), an intention (打算申请劳动仲裁), hearsay (听说有人去纪委举报). The words inside are no
    # evidence; unlike a not-yet cue it says nothing of the rest of the text, where a judgement not
    # performed or a petition lodged is still a case.
    mention_cues: list[str] = Field(default_factory=list)
    # The caller asks an administrative body to act (请劳动监察督促): a strong legal cue alone does not exclude.
    administrative_cues: list[str] = Field(default_factory=list)
    # A legal body named as a place (海淀区人民法院旁边的小区, 法院门口的人行道): where every legal body the
    # text names is inside one of these, the learned legal reader adds no channel.
    landmark_cues: list[str] = Field(default_factory=list)
    # Plain words that name a legal body or procedure (法院, 仲裁, 纪委, 信访 …): the learned legal reader
    # (jiesu.model.legal_reader) reads only the sentences that hold one.
    legal_bodies: list[str] = Field(default_factory=list)
    emergencies: list[EmergencyRule]
    emergency_context: list[str]
    # Regexes that mark a cue as not happening now: shortly before it in its sentence (past, reported,
    # hypothetical, chronic: 去年, 听说, 万一, 经常), shortly after it (的话, 时有发生, 送医院), or around it
    # (figurative: 道德绑架, 气得吐血).
    emergency_past: list[str] = Field(default_factory=list)
    emergency_after: list[str] = Field(default_factory=list)
    emergency_figurative: list[str] = Field(default_factory=list)
    emergency_story: list[str] = Field(default_factory=list)  # praise letters retell events: never a transfer
    # A present danger to life or property that is not a transfer (井盖丢了, 路面塌了个大坑, 大树快倒了): the
    # request is dispatched with the emergency deadline tier (2 h, Regulation art. 13). A cue does not count
    # after hearsay or a supposition shortly before it (hazard_before), before a repair told shortly after
    # it (hazard_after), or under a figure of speech (hazard_figurative): jiesu.model.hazards.
    hazard_cues: list[str] = Field(default_factory=list)
    hazard_before: list[str] = Field(default_factory=list)
    hazard_after: list[str] = Field(default_factory=list)
    hazard_figurative: list[str] = Field(default_factory=list)
    self_harm: SelfHarmRule | None = None
    risk_cues: dict[str, list[str]]

    _validate_cues = field_validator(
        "consultation_cues",
        "question_cues",
        "enquiry_cues",
        "not_yet_cues",
        "mention_cues",
        "administrative_cues",
        "landmark_cues",
        "emergency_past",
        "emergency_after",
        "emergency_figurative",
        "hazard_cues",
        "hazard_before",
        "hazard_after",
        "hazard_figurative",
    )(
        lambda cls, value: _compile_all(value)  # noqa: ARG005 (pydantic reads the name)
    )

    @field_validator("risk_cues")
    @classmethod
    def _validate_risk_cues(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for cues in value.values():
            _compile_all(cues)
        return value

    @model_validator(mode="after")
    def _complete(self) -> DispositionRules:
        ids = tuple(channel.id for channel in self.channels)
        if sorted(ids) != sorted(CHANNEL_IDS):
            raise ValueError(f"channels must be exactly {CHANNEL_IDS}, got {ids}")
        numbers = sorted(rule.number for rule in self.emergencies)
        if numbers != sorted(EMERGENCY_NUMBERS):
            raise ValueError(f"emergency rules must cover {EMERGENCY_NUMBERS}, got {numbers}")
        return self

    def channel(self, channel_id: str) -> LegalChannel:
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        raise KeyError(f"unknown legal channel {channel_id!r}; known: {CHANNEL_IDS}")

    def problems(self, taxonomy: Taxonomy) -> list[str]:
        return [
            f"legal channel {channel.id}: category {channel.category_l2!r} is not in the taxonomy"
            for channel in self.channels
            if channel.category_l2 not in taxonomy
        ]


def load_disposition_rules(path: Path | None = None) -> DispositionRules:
    return _load(path or resource_path("disposition.json"))


@lru_cache(maxsize=8)
def _load(path: Path) -> DispositionRules:
    try:
        return DispositionRules.model_validate(read_json(path))
    except ValidationError as exc:
        raise ReferenceDataError(f"disposition rules {path} are invalid: {exc}") from exc
