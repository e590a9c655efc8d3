"""A candidate model against the current one, side by side on the same settled tickets (the most recent
ones neither model trained on): first- and second-level accuracy, unit accuracy against the unit
that finally replied, the share that would go without a person and how often those were right.

`worse` names the figures on which the candidate scores below the current model; `jiesu models promote`
refuses such a candidate unless forced."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.training.settled import SettledExample

BATCH = 256
# The figures a candidate must not lose on (shares are a trade-off, not a quality).
GATED = ("l1_accuracy", "l2_accuracy", "unit_accuracy", "auto_accuracy")


class Ratio(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: float | None = Field(description="hits / n; null when n is 0")
    hits: int
    n: int


def ratio(hits: int, n: int) -> Ratio:
    return Ratio(value=round(hits / n, 4) if n else None, hits=hits, n=n)


class Scores(BaseModel):
    model_config = ConfigDict(frozen=True)

    model: str = Field(description="registry id")
    model_id: str
    l1_accuracy: Ratio
    l2_accuracy: Ratio = Field(description="over the tickets whose second level is known")
    unit_accuracy: Ratio = Field(description="suggested unit = the unit that replied")
    auto_share: Ratio = Field(description="share that would go without a person")
    auto_accuracy: Ratio = Field(description="of those, suggested unit = the unit that replied")


class Evaluation(BaseModel):
    candidate: str
    current: str
    tickets: int
    oldest: datetime | None
    newest: datetime | None
    at: datetime
    candidate_scores: Scores
    current_scores: Scores
    worse: list[str] = Field(description="figures on which the candidate is below the current model")


def score(registry_id: str, model: RequestClassifier, examples: Sequence[SettledExample]) -> Scores:
    suggester = Suggester.with_reference_data(model)
    l1 = l2 = l2_n = unit = auto = auto_right = 0
    for start in range(0, len(examples), BATCH):
        chunk = examples[start : start + BATCH]
        requests = [SuggestionRequest(e.text, caller_district=e.caller_district) for e in chunk]
        for example, suggestion in zip(chunk, suggester.suggest_many(requests), strict=True):
            l1 += suggestion.category.l1 == example.category_l1
            if example.category_l2 is not None:
                l2_n += 1
                l2 += suggestion.category.l2 == example.category_l2
            right = suggestion.route is not None and suggestion.route.unit == example.unit
            unit += right
            if not suggestion.consult.required:
                auto += 1
                auto_right += right
    n = len(examples)
    return Scores(
        model=registry_id,
        model_id=model.model_id_,
        l1_accuracy=ratio(l1, n),
        l2_accuracy=ratio(l2, l2_n),
        unit_accuracy=ratio(unit, n),
        auto_share=ratio(auto, n),
        auto_accuracy=ratio(auto_right, auto),
    )


def worse_on(candidate: Scores, current: Scores) -> list[str]:
    out = []
    for name in GATED:
        ours, theirs = getattr(candidate, name).value, getattr(current, name).value
        if ours is not None and theirs is not None and ours < theirs:
            out.append(name)
    return out


def evaluate(
    candidate: tuple[str, RequestClassifier],
    current: tuple[str, RequestClassifier],
    examples: Sequence[SettledExample],
) -> Evaluation:
    ours, theirs = score(*candidate, examples), score(*current, examples)
    moments = [example.settled_at for example in examples]
    return Evaluation(
        candidate=candidate[0],
        current=current[0],
        tickets=len(examples),
        oldest=min(moments, default=None),
        newest=max(moments, default=None),
        at=datetime.now(UTC).replace(microsecond=0),
        candidate_scores=ours,
        current_scores=theirs,
        worse=worse_on(ours, theirs),
    )


def format_evaluation(evaluation: Evaluation) -> str:
    a, b = evaluation.candidate_scores, evaluation.current_scores
    lines = [
        f"{evaluation.tickets} settled tickets neither model trained on "
        f"({evaluation.oldest:%Y-%m-%d} … {evaluation.newest:%Y-%m-%d})"
        if evaluation.oldest and evaluation.newest
        else "no settled tickets",
        f"{'':34}{'candidate ' + a.model:>28}{'current ' + b.model:>28}",
    ]
    for name, label in (
        ("l1_accuracy", "first-level accuracy"),
        ("l2_accuracy", "second-level accuracy"),
        ("unit_accuracy", "unit = the unit that replied"),
        ("auto_share", "share without a person"),
        ("auto_accuracy", "  of those, unit right"),
    ):
        lines.append(f"{label:34}{_shown(getattr(a, name)):>28}{_shown(getattr(b, name)):>28}")
    lines.append("worse on: " + (", ".join(evaluation.worse) or "nothing (promotable)"))
    return "\n".join(lines)


def _shown(value: Ratio) -> str:
    return "-" if value.value is None else f"{value.value:.3f} ({value.hits}/{value.n})"
