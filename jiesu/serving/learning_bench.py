"""`jiesu bench learning`: does the learning loop work on real text? (issue 13's acceptance)

With the seed model serving, simulated operators settle tickets built from the real Teddy Cup messages of
the **development half** (jiesu.evaluation.real_text) through the real ticket service, into a temporary
SQLite database: each message's true first-level category stands in for the operator's correction.
Then `train --from-db`'s own function trains a candidate on the seed corpus plus those settled tickets,
and both models are scored on the **report half** (never seen by either, never used to settle): first-level
accuracy and the share that goes without a person, with the accuracy of that share (bench real's figures).

The simulated operator: when the suggestion's first level is the message's, it confirms the dispatch
(unit and category untouched). Otherwise it corrects the category: the message's first level and, since
the labels have no second level, the second-level category the serving model finds most probable within
that first level (what an operator picks from a list sorted by the model); the unit becomes the one the
catalogue routes that category to without a place (these texts name no Beijing place), else it stays the
suggested one. A ticket with no unit either way is not settled. The unit accepts and replies. The dev half
holds about 920 messages: 2,000 tickets take each about twice, as repeated calls on one matter do.
"""

from __future__ import annotations

import hashlib
import random
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from jiesu.data.taxonomy import FIRST_LEVEL_NAMES, load_taxonomy
from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.errors import JiesuError
from jiesu.evaluation.bench_real import score_real
from jiesu.evaluation.real_text import RealText
from jiesu.model.classifier import RequestClassifier
from jiesu.model.config import ClassifierConfig
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.text import fold_characters
from jiesu.serving.db import Database
from jiesu.serving.intake import Intake
from jiesu.serving.schemas import TicketCreate, TicketOut
from jiesu.serving.settled import load_settled
from jiesu.training.settled import with_settled
from jiesu.workflow.actors import Principal
from jiesu.workflow.bodies import AcceptBody, DispatchBody, ReplyBody
from jiesu.workflow.errors import ServiceError
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import Action, Role, State

BATCH = 100
FIGURES = (
    ("l1_accuracy", "first-level accuracy"),
    ("l1_macro_f1", "first-level macro-F1"),
    ("auto_share", "share without a person (own reasons)"),
    ("auto_l1_accuracy", "first-level accuracy without a person"),
)


@dataclass
class SimClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def check_labels(texts: Sequence[RealText]) -> None:
    """The Teddy Cup first-level names must be ours (they are: the same government taxonomy)."""
    unknown = sorted({text.label for text in texts} - set(FIRST_LEVEL_NAMES))
    if unknown:
        raise JiesuError(f"real labels not in the taxonomy's first level: {unknown}")


def corrected_categories(model: RequestClassifier, texts: Sequence[RealText]) -> list[str | None]:
    """Per text, the model's most probable second-level category within the text's true first level."""
    taxonomy = load_taxonomy()
    l2 = model.classes_["category"]
    parents = np.array([taxonomy.l1_of(name) for name in l2])
    proba = model.predict_proba([text.text for text in texts])["category"]
    out: list[str | None] = []
    for row, text in zip(proba, texts, strict=True):
        allowed = parents == text.label
        out.append(l2[int(np.where(allowed, row, -1).argmax())] if allowed.any() else None)
    return out


def settle_tickets(
    database: Database, model: RequestClassifier, dev: Sequence[RealText], n: int, seed: int
) -> Counter[str]:
    """Create `n` tickets from the dev half (cycled in a seeded order) and settle them; outcome counts."""
    from jiesu.serving.tickets import TicketService

    rng = random.Random(seed)
    order = list(range(len(dev)))
    rng.shuffle(order)
    chosen = [dev[order[i % len(dev)]] for i in range(n)]
    suggester = Suggester.with_reference_data(model)
    clock = SimClock(datetime(2026, 9, 1, 1, 0, tzinfo=UTC))
    tickets = TicketService(
        database, load_workflow_settings(), Reference.load(), suggester.suggest_many, clock=clock
    )
    operator = Principal("sim-operator", Role.OPERATOR, name="simulated operator")
    counts: Counter[str] = Counter()
    for start in range(0, n, BATCH):
        batch = chosen[start : start + BATCH]
        corrected = corrected_categories(model, batch)
        intakes = [
            Intake(operator, TicketCreate(text=text.text, intake_channel="web"), f"sim-{start + i}")
            for i, text in enumerate(batch)
        ]
        for text, l2, outcome in zip(batch, corrected, tickets.create_many(intakes), strict=True):
            clock.now += timedelta(minutes=10)
            if isinstance(outcome, ServiceError):
                counts["refused at intake"] += 1
                continue
            counts[_settle(tickets, suggester, operator, outcome[0], text, l2)] += 1
    return counts


def _settle(
    tickets: Any, suggester: Suggester, operator: Principal, ticket: TicketOut, text: RealText, l2: str | None
) -> str:
    if ticket.state is not State.RECEIVED:
        return f"not settled ({ticket.state})"
    suggested = ticket.suggestion.category.l1
    if suggested == text.label and ticket.suggested_unit is not None:
        body = DispatchBody()
        kind = "confirmed"
    else:
        if l2 is None:
            return "not settled (no category)"
        routed = suggester.router.route(l2, fold_characters(text.text), None, None).route
        unit = routed.unit if routed else ticket.suggested_unit
        if unit is None:
            return "not settled (no unit)"
        moved = unit != ticket.suggested_unit
        body = DispatchBody(
            unit=unit if moved else None, reason="按正确类别改派" if moved else None, category=l2
        )
        kind = "corrected"
    dispatched = tickets.act(operator, ticket.id, Action.DISPATCH, body)
    lead = dispatched.lead_unit or ""
    unit_key = Principal(f"sim-unit-{hashlib.sha1(lead.encode()).hexdigest()[:12]}", Role.UNIT, lead)
    tickets.act(unit_key, ticket.id, Action.ACCEPT, AcceptBody())
    tickets.act(unit_key, ticket.id, Action.REPLY, ReplyBody(result="已联系诉求人并处理"))
    return kind


def score(model: RequestClassifier, texts: Sequence[RealText]) -> dict[str, Any]:
    suggester = Suggester.with_reference_data(model)
    answers: list[dict[str, Any] | None] = []
    for start in range(0, len(texts), 256):
        chunk = texts[start : start + 256]
        suggestions = suggester.suggest_many([SuggestionRequest(t.text) for t in chunk])
        answers += [s.model_dump(mode="json") for s in suggestions]
    return score_real([t.label for t in texts], answers)


def run_learning_bench(
    seed_model_dir: Path, dev: Sequence[RealText], report: Sequence[RealText], tickets: int, seed: int = 0
) -> dict[str, Any]:
    from jiesu.training.datasets import SEED, load_training_data
    from jiesu.training.pipeline import fit_calibrated

    check_labels([*dev, *report])
    timings: dict[str, float] = {}
    started = time.perf_counter()
    model = RequestClassifier.load(seed_model_dir)
    with tempfile.TemporaryDirectory(prefix="jiesu-learning-") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'jiesu.db'}")
        database.upgrade()
        outcomes = settle_tickets(database, model, dev, tickets, seed)
        settled = load_settled(database)
        database.dispose()
        timings["settle_s"] = time.perf_counter() - started
        data = with_settled(load_training_data(SEED), settled, "the simulated history")
        started = time.perf_counter()
        candidate, _ = fit_calibrated(
            data.texts,
            data.targets,
            ClassifierConfig(),
            source=data.source,
            sample_weight=data.weights,
            unit_labels=data.unit_labels,
        )
        timings["train_s"] = time.perf_counter() - started
    started = time.perf_counter()
    before, after = score(model, report), score(candidate, report)
    timings["score_s"] = time.perf_counter() - started
    return {
        "dev_messages": len(dev),
        "report_messages": len(report),
        "tickets": tickets,
        "outcomes": dict(outcomes),
        "settled": len(settled),
        "settled_kinds": dict(Counter(example.kind for example in settled)),
        "seed_model": model.model_id_,
        "candidate": candidate.model_id_,
        "before": before,
        "after": after,
        "timings": {key: round(value, 1) for key, value in timings.items()},
    }


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"{report['tickets']} tickets from {report['dev_messages']} real messages (dev half): "
        f"{report['settled']} settled {report['settled_kinds']}; outcomes {report['outcomes']}",
        f"scored on {report['report_messages']} held-out real messages (report half)",
        f"{'':42}{'seed model':>22}{'after learning':>22}",
    ]
    for key, label in FIGURES:
        a, b = report["before"][key], report["after"][key]
        lines.append(f"{label:42}{_shown(a):>22}{_shown(b):>22}")
    lines.append(f"timings: {report['timings']}")
    return "\n".join(lines)


def _shown(figure: dict[str, Any]) -> str:
    value = figure.get("value")
    if value is None:
        return "-"
    return f"{value:.3f} ({figure['hits']}/{figure['n']})" if "hits" in figure else f"{value:.3f}"
