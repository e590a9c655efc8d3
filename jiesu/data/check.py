"""`jiesu data check`: validate every reference-data file and the seed corpus against each other, and
print coverage tables. Problems are errors (exit 1) when the data would mislead a model or an operator;
the rest are warnings."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jiesu.data.catalogue import Catalogue, load_catalogue
from jiesu.data.consultation_rules import load_consultation_rules
from jiesu.data.corpus import is_variant, load_seed_corpus
from jiesu.data.disposition_rules import (
    CHANNEL_IDS,
    DISPOSITIONS,
    EMERGENCY_NUMBERS,
    DispositionRules,
    load_disposition_rules,
)
from jiesu.data.gazetteer import BEIJING, Gazetteer, load_gazetteer
from jiesu.data.jurisdiction_words import load_jurisdiction_words
from jiesu.data.manifest import manifest_problems
from jiesu.data.taxonomy import Taxonomy, load_taxonomy
from jiesu.data.unit_names import load_unit_names
from jiesu.data.workflow_settings import TIERS, load_workflow_settings
from jiesu.errors import JiesuError

REQUEST_TYPES = ("咨询", "求助", "投诉", "举报", "建议", "表扬")
# Words that make a request look like a legal-channel matter; rows with them that are still dispatched
# or answered are the "hard contrasts" the model must not wrongly exclude.
LEGAL_MENTION = re.compile(r"法院|起诉|诉讼|判决|仲裁|信访|纪委|监委|纪检|复议|信息公开|打官司|告他")


@dataclass(frozen=True)
class Requirement:
    name: str
    required: float
    compare: Callable[[float, float], bool] = lambda value, required: value >= required


REQUIREMENTS = {
    "rows": Requirement("rows in the corpus", 2000),
    "individual": Requirement("individually written rows", 1000),
    "per_category": Requirement("rows in the smallest second-level category", 15),
    "per_channel": Requirement("rows in the smallest legal channel", 40),
    "emergencies": Requirement("emergency rows", 40),
    "contrasts": Requirement("hard contrasts (legal words, not excluded)", 150),
    "located_share": Requirement("share of rows in Beijing with gold district", 0.70),
    "neighbour_rows": Requirement("rows in Tianjin/Hebei", 1),
    "unlocated_rows": Requirement("rows with no location", 1),
    "traditional_rows": Requirement("rows in Traditional characters (heuristic)", 1),
}

# A legal channel is a disposition, not a subject: a request in arbitration is about wages, a dismissal or
# an injury (domain notes, section 4). When more than this share of a channel's rows sits in one
# second-level category, the corpus labels them by the channel and teaches the model that every wage
# message is 政法.
CHANNEL_CONCENTRATION = 0.5

# Characters that exist only in Traditional Chinese; a row with several of them is Traditional.
_TRADITIONAL = set("們這個說對時們來會國過還點區裡後關於問題處爲為際實現當發經費號樓電話氣鄰車們難請讓護")


@dataclass
class CheckResult:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, Counter[str]] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    corpus_texts: list[str] = field(default_factory=list)  # for `--compare` (jiesu.data.register)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ReferencePaths:
    taxonomy: Path | None = None
    aliases: Path | None = None
    catalogue: Path | None = None
    disposition: Path | None = None
    workflow: Path | None = None
    corpus: Path | None = None
    resources: Path | None = None  # the folder whose manifest is checked (the shipped one by default)


def load_reference(
    paths: ReferencePaths,
) -> tuple[Taxonomy, Gazetteer, Catalogue, DispositionRules]:
    """Every reference resource, loaded and validated (a ReferenceDataError names the first that is not
    valid); the four that the checks read are returned."""
    taxonomy = load_taxonomy(paths.taxonomy)
    gazetteer = load_gazetteer(paths.aliases)
    catalogue = load_catalogue(paths.catalogue)
    rules = load_disposition_rules(paths.disposition)
    load_workflow_settings(paths.workflow)
    load_unit_names()
    load_jurisdiction_words()
    load_consultation_rules()
    return taxonomy, gazetteer, catalogue, rules


def run_check(paths: ReferencePaths | None = None) -> CheckResult:
    paths = paths or ReferencePaths()
    result = CheckResult()
    try:
        taxonomy, gazetteer, catalogue, rules = load_reference(paths)
        # Every shipped resource against its recorded version and hash (candidate files given with
        # --catalogue and the like are not shipped, so they are not in the manifest).
        result.errors += manifest_problems(paths.resources) if paths.resources else manifest_problems()
    except JiesuError as exc:
        result.errors.append(str(exc))
        return result
    _check_reference(result, taxonomy, gazetteer, catalogue, rules)
    try:
        corpus = load_seed_corpus(paths.corpus)
    except (JiesuError, FileNotFoundError, ValueError) as exc:
        result.errors.append(f"seed corpus: {exc}")
        return result
    result.corpus_texts = list(corpus["text"])
    _check_corpus(result, corpus.to_list(), taxonomy, gazetteer, catalogue)
    return result


def _check_reference(
    result: CheckResult,
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    catalogue: Catalogue,
    rules: DispositionRules,
) -> None:
    result.figures.update(
        {
            "taxonomy first level": len(taxonomy.first_level),
            "taxonomy second level": len(taxonomy),
            "districts": len(gazetteer.districts),
            "streets/townships": len(gazetteer.streets),
            "communities/villages": len(gazetteer.communities),
            "aliases (rows)": len(gazetteer.aliases),
            "aliases (distinct names)": len(gazetteer.aliases_by_name),
            "ambiguous aliases": len(gazetteer.ambiguous_aliases),
            "ambiguous street names": len(gazetteer.ambiguous_street_names),
            "ambiguous community names": len(gazetteer.ambiguous_community_names),
            "places outside Beijing": len(gazetteer.outside),
            "catalogue rules": len(catalogue.rules),
        }
    )
    if len(taxonomy) < 80:
        result.errors.append(
            f"taxonomy has {len(taxonomy)} second-level categories; at least 80 are required"
        )
    if len(gazetteer.streets) < 330 or len(gazetteer.communities) < 7000:
        result.errors.append("gazetteer is incomplete: expected ≥ 330 streets and ≥ 7,000 communities")
    if len(gazetteer.aliases) < 200:
        result.errors.append(f"alias table has {len(gazetteer.aliases)} rows; at least 200 are required")
    result.errors += gazetteer.alias_problems()
    result.errors += [f"dispatch catalogue: {problem}" for problem in catalogue.gaps(taxonomy)]
    result.errors += rules.problems(taxonomy)
    missing_codes = [d.name for d in gazetteer.districts.values() if not d.code]
    if missing_codes:
        result.errors.append(f"districts without codes: {missing_codes}")


def _is_traditional(text: str) -> bool:
    return sum(char in _TRADITIONAL for char in text) >= 3


def _check_corpus(
    result: CheckResult,
    rows: list[dict[str, Any]],
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    catalogue: Catalogue,
) -> None:
    errors: list[str] = []
    ids: Counter[str] = Counter(row["id"] for row in rows)
    errors += [f"corpus id {row_id!r} is used {count} times" for row_id, count in ids.items() if count > 1]
    texts: Counter[str] = Counter(" ".join(row["text"].split()) for row in rows)
    repeated = [text for text, count in texts.items() if count > 1]
    if repeated:
        errors.append(f"{len(repeated)} corpus text(s) are repeated, e.g. {repeated[0][:40]!r}")
    district_names = list(gazetteer.districts)
    known_units = catalogue.known_unit_names(
        district_names, [(s.district, s.name) for s in gazetteer.streets]
    )
    known_units.add(load_unit_names().neighbour_transfer)
    unknown_units: Counter[str] = Counter()
    for row in rows:
        errors += _row_problems(row, taxonomy, gazetteer)
        if row["unit"] and row["unit"] not in known_units:
            unknown_units[row["unit"]] += 1
    if unknown_units:
        result.warnings.append(
            f"{sum(unknown_units.values())} corpus row(s) name a unit the catalogue cannot produce: "
            + ", ".join(f"{unit} ×{count}" for unit, count in unknown_units.most_common(8))
        )
    result.errors += errors[:50]
    if len(errors) > 50:
        result.errors.append(f"… and {len(errors) - 50} more corpus problems")
    _coverage(result, rows, taxonomy, gazetteer)


def _row_problems(row: dict[str, Any], taxonomy: Taxonomy, gazetteer: Gazetteer) -> list[str]:
    where = f"corpus row {row['id']}"
    problems = []
    if row["category_l2"] not in taxonomy:
        problems.append(f"{where}: category {row['category_l2']!r} is not in the taxonomy")
    elif taxonomy.l1_of(row["category_l2"]) != row["category_l1"]:
        problems.append(
            f"{where}: {row['category_l2']!r} belongs to {taxonomy.l1_of(row['category_l2'])!r}, "
            f"not {row['category_l1']!r}"
        )
    if row["request_type"] not in REQUEST_TYPES:
        problems.append(f"{where}: request type {row['request_type']!r} is not one of {REQUEST_TYPES}")
    if row["disposition"] not in DISPOSITIONS:
        problems.append(f"{where}: disposition {row['disposition']!r} is not one of {DISPOSITIONS}")
    if (row["disposition"] == "legal_channel") != (row["channel"] is not None) or (
        row["channel"] is not None and row["channel"] not in CHANNEL_IDS
    ):
        problems.append(f"{where}: channel {row['channel']!r} must be one of {CHANNEL_IDS} iff legal_channel")
    if (row["disposition"] == "emergency") != (row["emergency_number"] is not None) or (
        row["emergency_number"] is not None and row["emergency_number"] not in EMERGENCY_NUMBERS
    ):
        problems.append(f"{where}: emergency number {row['emergency_number']!r} must be set iff emergency")
    if row["urgency"] is not None and row["urgency"] not in TIERS:
        problems.append(f"{where}: urgency {row['urgency']!r} is not one of {TIERS}")
    if row["disposition"] == "dispatch" and not row["unit"]:
        # Without a place a local duty's unit is settled in a consultation; with one, the label must name it.
        if row["district"] is not None or row["region"] in ("天津市", "河北省"):
            problems.append(f"{where}: a dispatched row with a place needs a unit")
        elif not row["consult"]:
            problems.append(f"{where}: a dispatched row without unit or place must be marked consult")
    district, street = row["district"], row["street"]
    if district is not None:
        if row["region"] != BEIJING:
            problems.append(f"{where}: district {district} given but region is {row['region']!r}")
        if district not in gazetteer.districts:
            problems.append(f"{where}: unknown district {district!r}")
        elif street is not None and not gazetteer.has_street(district, street):
            homes = [s.district for s in gazetteer.streets_by_name.get(street, [])]
            problems.append(
                f"{where}: street {street!r} is not in {district}"
                + (f" (it is in {', '.join(homes)})" if homes else " (no such street)")
            )
    elif street is not None:
        problems.append(f"{where}: street {street!r} given without a district")
    return problems


def _coverage(
    result: CheckResult, rows: list[dict[str, Any]], taxonomy: Taxonomy, gazetteer: Gazetteer
) -> None:
    total = len(rows)
    per_l2 = Counter(row["category_l2"] for row in rows)
    tables: dict[str, Counter[str]] = {
        "first-level category": Counter(row["category_l1"] for row in rows),
        "second-level category": Counter({c.l2: per_l2.get(c.l2, 0) for c in taxonomy}),
        "request type": Counter(row["request_type"] for row in rows),
        "disposition": Counter(row["disposition"] for row in rows),
        "legal channel": Counter(dict.fromkeys(CHANNEL_IDS, 0) | Counter(r["channel"] for r in rows if r["channel"])),
        "emergency number": Counter(r["emergency_number"] for r in rows if r["emergency_number"]),
        "region": Counter(row["region"] or "(none)" for row in rows),
        "district": Counter(dict.fromkeys(gazetteer.districts, 0) | Counter(r["district"] for r in rows if r["district"])),
        "split": Counter(row["split"] for row in rows),
    }  # fmt: skip
    result.tables.update(tables)
    located = [row for row in rows if row["region"] == BEIJING and row["district"]]
    with_street = [row for row in located if row["street"]]
    by_landmark = [row for row in with_street if not _names_official_street(row, gazetteer)]
    contrasts = [r for r in rows if r["disposition"] != "legal_channel" and LEGAL_MENTION.search(r["text"])]
    figures = {
        "rows": total,
        "individual": sum(not is_variant(row["id"]) for row in rows),
        "per_category": min(tables["second-level category"].values()),
        "per_channel": min(tables["legal channel"].values()),
        "emergencies": sum(row["disposition"] == "emergency" for row in rows),
        "contrasts": len(contrasts),
        "located_share": len(located) / total if total else 0.0,
        "neighbour_rows": sum(row["region"] in ("天津市", "河北省") for row in rows),
        "unlocated_rows": sum(row["region"] is None for row in rows),
        "traditional_rows": sum(_is_traditional(row["text"]) for row in rows),
    }
    result.figures.update(
        {
            "located rows with gold street": len(with_street),
            "located rows named by landmark/estate/area only": len(by_landmark),
            "other regions outside Beijing (rows)": sum(
                row["region"] not in (None, BEIJING, "天津市", "河北省") for row in rows
            ),
        }
    )
    for key, requirement in REQUIREMENTS.items():
        value = figures[key]
        result.figures[requirement.name] = value
        if not requirement.compare(value, requirement.required):
            shown = f"{value:.1%}" if requirement.required < 1 else f"{value:g}"
            result.errors.append(
                f"corpus coverage: {requirement.name} is {shown}, needs ≥ "
                + (f"{requirement.required:.0%}" if requirement.required < 1 else f"{requirement.required:g}")
            )
    short = [l2 for l2, count in tables["second-level category"].items() if count < 15]
    if short:
        result.errors.append(f"second-level categories with fewer than 15 rows: {short[:20]}")
    largest = channel_concentration(rows)
    result.tables["largest second-level category per legal channel"] = Counter(
        {f"{item.channel} → {item.category_l2} (of {item.total})": item.count for item in largest}
    )
    if largest:
        result.figures["largest share of a legal channel in one category"] = max(
            item.share for item in largest
        )
    result.errors += channel_problems(largest)


@dataclass(frozen=True)
class ChannelConcentration:
    """A legal channel's largest second-level category: `count` of the channel's `total` rows."""

    channel: str
    category_l2: str
    count: int
    total: int

    @property
    def share(self) -> float:
        return self.count / self.total


def channel_concentration(rows: list[dict[str, Any]]) -> list[ChannelConcentration]:
    """For each legal channel with rows (in CHANNEL_IDS order), its largest second-level category."""
    per_channel: dict[str, Counter[str]] = {}
    for row in rows:
        if row["channel"]:
            per_channel.setdefault(row["channel"], Counter())[row["category_l2"]] += 1
    largest = []
    for channel in sorted(
        per_channel, key=lambda c: CHANNEL_IDS.index(c) if c in CHANNEL_IDS else len(CHANNEL_IDS)
    ):
        counts = per_channel[channel]
        # Ties go to the name that sorts first, so the report is the same on every run.
        category, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
        largest.append(ChannelConcentration(channel, category, count, sum(counts.values())))
    return largest


def channel_problems(largest: list[ChannelConcentration]) -> list[str]:
    """An error for each legal channel whose rows sit mostly (more than CHANNEL_CONCENTRATION) in one
    second-level category."""
    return [
        f"corpus labels: {item.count} of the {item.total} rows of legal channel {item.channel} "
        f"({item.share:.0%}) are in {item.category_l2!r}; more than {CHANNEL_CONCENTRATION:.0%} means the "
        "rows are labelled by their channel: label each by what it is about (a wage claim in arbitration "
        "is 欠薪) and keep the channel as its disposition"
        for item in largest
        if item.share > CHANNEL_CONCENTRATION
    ]


def _names_official_street(row: dict[str, Any], gazetteer: Gazetteer) -> bool:
    street = gazetteer.street(row["district"], row["street"])
    if street is None:
        return False
    return street.name in row["text"] or street.short in row["text"]


def format_report(result: CheckResult) -> str:
    """A readable report: figures, coverage tables, then warnings and errors."""
    lines = ["jiesu data check", ""]
    width = max(len(name) for name in result.figures) if result.figures else 0
    for name, value in result.figures.items():
        shown = f"{value:.1%}" if isinstance(value, float) and value < 1 else f"{value:g}"
        lines.append(f"  {name:<{width}}  {shown}")
    for title, counts in result.tables.items():
        lines += ["", f"{title} ({len(counts)}):"]
        items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        cells = [f"{name} {count}" for name, count in items]
        for start in range(0, len(cells), 6):
            lines.append("  " + " | ".join(cells[start : start + 6]))
    for warning in result.warnings:
        lines.append(f"WARNING: {warning}")
    for error in result.errors:
        lines.append(f"ERROR: {error}")
    lines += ["", "OK" if result.ok else f"FAILED: {len(result.errors)} problem(s)"]
    return "\n".join(lines)
