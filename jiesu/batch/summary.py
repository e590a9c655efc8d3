"""summary.json of a re-scoring: how many rows were scored and refused, how often the suggestion agrees
with what was done (by historical category and by historical unit, with counts), the most frequent unit
disagreements, the share a person would have had to look at, the model, and the timing."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, Field

TOP_DISAGREEMENTS = 30
# A rate is printed for runs of at least this many rows per worker (one default chunk each): below that the
# model's start-up dominates the wall time and the rate says nothing about the throughput.
MEASURED_ROWS_PER_WORKER = 1000
SUMMARY_COLUMNS = [
    "unit",
    "category_l1",
    "category_l2",
    "historical_unit",
    "historical_category",
    "unit_agrees",
    "category_agrees",
    "consult_required",
    "consult_reasons",
]


class Agreement(BaseModel):
    rows: int = Field(description="rows with a historical label")
    agreeing: int = Field(description="of which the suggestion agrees")
    rate: float | None = Field(description="agreeing / rows; null without rows")


class Disagreement(BaseModel):
    historical_unit: str
    suggested_unit: str | None = Field(description="null: the suggestion names no unit")
    count: int


class Timing(BaseModel):
    engine: str
    workers: int
    seconds: float = Field(description="wall time of the last run (a resumed job: of its last part)")
    rows_scored: int = Field(description="rows this last run scored (a resumed run skips finished chunks)")
    rows_per_second: float | None
    resumed: bool
    started_at: str
    finished_at: str

    @classmethod
    def since(
        cls, started: datetime, clock: float, *, engine: str, workers: int, rows_scored: int, resumed: bool
    ) -> Timing:
        """The timing of a run that began at `started` (wall clock) and `clock` (time.perf_counter())."""
        seconds = time.perf_counter() - clock
        return cls(
            engine=engine,
            workers=workers,
            seconds=round(seconds, 3),
            rows_scored=rows_scored,
            rows_per_second=round(rows_scored / seconds, 1) if rows_scored and seconds > 0 else None,
            resumed=resumed,
            started_at=started.isoformat(timespec="seconds"),
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )


class RescoreSummary(BaseModel):
    model_id: str
    inputs: list[str]
    rows: int = Field(description="rows scored")
    errors: int = Field(description="rows refused (listed in errors.jsonl)")
    consultation_share: float | None = Field(description="share of scored rows sent to a person (会商)")
    low_confidence_share: float | None = Field(
        description="share of scored rows with low_confidence among their consultation reasons"
    )
    consult_reasons: dict[str, int] = Field(description="rows per consultation reason")
    unit_agreement: Agreement = Field(description="over every row with a historical unit")
    category_agreement: Agreement = Field(description="over every row with a historical category")
    unit_agreement_by_unit: dict[str, Agreement] = Field(description="per historical unit, most rows first")
    category_agreement_by_category: dict[str, Agreement] = Field(
        description="per historical category, most rows first"
    )
    top_disagreements: list[Disagreement] = Field(
        description="the most frequent (historical unit → suggested unit) pairs where they differ"
    )
    suggested_units: dict[str, int] = Field(description="rows per suggested unit, most first (top 50)")
    timing: Timing | None = None


class SummaryBuilder:
    """Counts over output tables of the shards' schema (any subset of rows at a time)."""

    def __init__(self) -> None:
        self.rows = 0
        self.consult = 0
        self.low_confidence = 0
        self.reasons: Counter[str] = Counter()
        self.units: dict[str, list[int]] = {}
        self.categories: dict[str, list[int]] = {}
        self.pairs: Counter[tuple[str, str | None]] = Counter()
        self.suggested: Counter[str] = Counter()

    def add(self, table: pa.Table) -> None:
        columns = {name: table.column(name).to_pylist() for name in SUMMARY_COLUMNS}
        self.rows += table.num_rows
        for row in range(table.num_rows):
            reasons = columns["consult_reasons"][row] or []
            self.consult += bool(columns["consult_required"][row])
            self.low_confidence += "low_confidence" in reasons
            self.reasons.update(reasons)
            unit = columns["unit"][row]
            if unit is not None:
                self.suggested[unit] += 1
            historical_unit = columns["historical_unit"][row]
            if historical_unit is not None:
                agrees = bool(columns["unit_agrees"][row])
                counts = self.units.setdefault(historical_unit, [0, 0])
                counts[0] += 1
                counts[1] += agrees
                if not agrees:
                    self.pairs[(historical_unit, unit)] += 1
            historical_category = columns["historical_category"][row]
            if historical_category is not None:
                counts = self.categories.setdefault(historical_category, [0, 0])
                counts[0] += 1
                counts[1] += bool(columns["category_agrees"][row])

    def add_shards(self, shards: Iterable[Path]) -> None:
        for shard in shards:
            parquet = pq.ParquetFile(shard)
            for batch in parquet.iter_batches(batch_size=16384, columns=SUMMARY_COLUMNS):
                self.add(pa.Table.from_batches([batch]))

    def build(self, model_id: str, inputs: list[str], errors: int, timing: Timing | None) -> RescoreSummary:
        share = (lambda n: n / self.rows) if self.rows else (lambda _n: None)
        return RescoreSummary(
            model_id=model_id,
            inputs=inputs,
            rows=self.rows,
            errors=errors,
            consultation_share=share(self.consult),
            low_confidence_share=share(self.low_confidence),
            consult_reasons=dict(self.reasons.most_common()),
            unit_agreement=_agreement(_total(self.units.values())),
            category_agreement=_agreement(_total(self.categories.values())),
            unit_agreement_by_unit=_by_label(self.units),
            category_agreement_by_category=_by_label(self.categories),
            top_disagreements=[
                Disagreement(historical_unit=historical, suggested_unit=suggested, count=count)
                for (historical, suggested), count in self.pairs.most_common(TOP_DISAGREEMENTS)
            ],
            suggested_units=dict(self.suggested.most_common(50)),
            timing=timing,
        )


def _total(counts: Iterable[list[int]]) -> list[int]:
    total = [0, 0]
    for rows, agreeing in counts:
        total[0] += rows
        total[1] += agreeing
    return total


def _agreement(counts: list[int]) -> Agreement:
    rows, agreeing = counts
    return Agreement(rows=rows, agreeing=agreeing, rate=agreeing / rows if rows else None)


def _by_label(counts: dict[str, list[int]]) -> dict[str, Agreement]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    return {label: _agreement(pair) for label, pair in ordered}


def format_summary(summary: RescoreSummary) -> str:
    """The lines `jiesu rescore` prints at the end."""

    def rate(agreement: Agreement) -> str:
        if agreement.rate is None:
            return "-"
        return f"{agreement.rate:.1%} of {agreement.rows:,}"

    lines = [
        f"model {summary.model_id}: {summary.rows:,} rows scored, {summary.errors:,} refused (errors.jsonl)",
        f"sent to a person: {summary.consultation_share or 0:.1%} "
        f"(low confidence among the reasons: {summary.low_confidence_share or 0:.1%})",
        f"unit agrees with history: {rate(summary.unit_agreement)}; "
        f"category agrees: {rate(summary.category_agreement)}",
    ]
    if summary.top_disagreements:
        lines.append("most frequent disagreements (rows, historical unit → suggested unit):")
    for pair in summary.top_disagreements[:5]:
        lines.append(f"  {pair.count:>7,}  {pair.historical_unit} → {pair.suggested_unit or '(no unit)'}")
    if summary.timing and summary.timing.rows_scored:
        lines.append(_timing_line(summary.timing))
    return "\n".join(lines)


def _timing_line(timing: Timing) -> str:
    """How long the run took, and its rate where one means something: the wall time includes starting the
    workers and loading the model (seconds), so a run of a few rows says it was too short to measure
    rather than print a rate near 0."""
    head = f"{timing.rows_scored:,} rows in {timing.seconds:.1f} s ("
    tail = f"{timing.workers} worker(s), engine {timing.engine})"
    if timing.rows_per_second is None or timing.rows_scored < MEASURED_ROWS_PER_WORKER * timing.workers:
        return head + "too few rows to measure a rate: starting the model takes most of the time; " + tail
    return head + f"{timing.rows_per_second:,.0f} rows/s, model loading included; " + tail
