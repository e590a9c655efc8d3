"""The real complaint set of `jiesu bench real`: public complaint texts (tests/fixtures/real_complaints/),
each copied verbatim from a public page with its URL and labelled with disposition, legal channel,
district and street. It is for evaluation only, never for training.

The set is split once, by a stable hash of URL + text (whitespace removed), into a development half (look
at its errors freely) and a report half (figures only). The figures are those of issue 17: legal-channel
precision and recall, channel accuracy over the complaints that belong to a channel, and district and
street accuracy over the complaints whose text names one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jiesu.data.disposition_rules import CHANNEL_IDS, DISPOSITIONS
from jiesu.data.gazetteer import Gazetteer
from jiesu.errors import JiesuError
from jiesu.evaluation.real_text import REPO_ROOT, Half, half_of, json_lines

COMPLAINTS_FILE = REPO_ROOT / "tests" / "fixtures" / "real_complaints" / "complaints.jsonl"
FIELDS = ("id", "url", "text", "disposition", "channel", "district", "street", "note")
# A second labeller's disposition and channel for every complaint, set blind (without the first labels or
# any suggestion): how far the labels themselves agree, beside how far the suggestions do.
SECOND_LABELS_FILE = COMPLAINTS_FILE.with_name("second_labels.jsonl")
SECOND_FIELDS = ("id", "disposition", "channel", "sure", "why")
LEGAL_FIGURES = ("legal_precision", "legal_recall", "channel_accuracy")
EXAMPLES = 15

# A suggestion as JSON, or None where a text got none (it counts as wrong everywhere).
Answer = Mapping[str, Any] | None


@dataclass(frozen=True)
class RealComplaint:
    id: str  # rc001 …
    url: str
    text: str
    disposition: str
    channel: str | None
    district: str | None  # a gazetteer district, or None where the text names none
    street: str | None  # a gazetteer street/township of that district, or None
    note: str


@dataclass(frozen=True)
class ComplaintFigure:
    key: str
    label: str
    target: float | None


COMPLAINT_FIGURES = (
    ComplaintFigure("legal_precision", "legal channel: precision", 0.90),
    ComplaintFigure("legal_recall", "legal channel: recall", 0.90),
    ComplaintFigure("channel_accuracy", "channel right (complaints in a channel)", 0.85),
    ComplaintFigure("district_accuracy", "district right (texts naming one)", 0.95),
    ComplaintFigure("street_accuracy", "street right (texts naming one)", 0.90),
)
COMPLAINT_TARGETS = {f"complaints.{f.key}": f.target for f in COMPLAINT_FIGURES if f.target is not None}


def complaint_half(url: str, text: str) -> Half:
    """`dev` when sha256 of URL + newline + text without whitespace is even, else `report`."""
    return half_of(text, prefix=url + "\n")


def load_real_complaints(path: Path | None = None, half: Half | None = None) -> list[RealComplaint]:
    """The complaints in file order (one half of them when `half` is given). A missing file, a line that
    is not an object with exactly the expected fields, or a non-string text is a JiesuError naming it."""
    path = path or COMPLAINTS_FILE
    if not path.is_file():
        raise JiesuError(f"the real complaint set is missing: {path}")
    items = []
    for number, row in json_lines(path):
        if not isinstance(row, dict) or set(row) != set(FIELDS):
            raise JiesuError(f"{path}, line {number}: expected an object with the fields {', '.join(FIELDS)}")
        if not all(isinstance(row[key], str) for key in ("id", "url", "text", "disposition", "note")):
            raise JiesuError(f"{path}, line {number}: id, url, text, disposition and note must be strings")
        item = RealComplaint(**{key: row[key] for key in FIELDS})
        if half is None or complaint_half(item.url, item.text) == half:
            items.append(item)
    return items


def second_labels(items: Sequence[RealComplaint], path: Path | None = None) -> list[Answer]:
    """The second labeller's disposition and channel for each of `items`, in their order, shaped like a
    suggestion's (so that `score_complaints` scores them). A missing file, a malformed or invalid line, a
    repeated id or a complaint without a second label is a JiesuError naming it."""
    path = path or SECOND_LABELS_FILE
    if not path.is_file():
        raise JiesuError(f"the second labels of the real complaint set are missing: {path}")
    labels: dict[str, tuple[str, str | None]] = {}
    for number, row in json_lines(path):
        where = f"{path}, line {number}"
        if not isinstance(row, dict) or set(row) != set(SECOND_FIELDS):
            raise JiesuError(f"{where}: expected an object with the fields {', '.join(SECOND_FIELDS)}")
        if not (isinstance(row["id"], str) and isinstance(row["sure"], bool) and isinstance(row["why"], str)):
            raise JiesuError(f"{where}: id and why must be strings and sure true or false")
        disposition, channel = row["disposition"], row["channel"]
        if disposition not in DISPOSITIONS or (channel is not None and channel not in CHANNEL_IDS):
            raise JiesuError(f"{where}: unknown disposition {disposition!r} or channel {channel!r}")
        if (disposition == "legal_channel") != (channel is not None):
            raise JiesuError(f"{where}: a channel is given exactly when the disposition is legal_channel")
        if row["id"] in labels:
            raise JiesuError(f"{where}: repeated id {row['id']!r}")
        labels[row["id"]] = (disposition, channel)
    missing = [item.id for item in items if item.id not in labels]
    if missing:
        raise JiesuError(
            f"{path}: no second label for {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}"
        )
    return [{"disposition": {"label": labels[item.id][0], "channel": labels[item.id][1]}} for item in items]


def label_problems(items: Sequence[RealComplaint], gazetteer: Gazetteer) -> list[str]:
    """One line per row whose labels are not valid: an unknown disposition or channel, a channel on a
    row that is not a legal channel (or none on one that is), a place not in the gazetteer, a URL that
    is not http(s), a repeated id or text."""
    problems = []
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    for item in items:
        where = f"{item.id}:"
        if not item.url.startswith(("http://", "https://")):
            problems.append(f"{where} url {item.url!r} is not an http(s) address")
        if item.disposition not in DISPOSITIONS:
            problems.append(f"{where} unknown disposition {item.disposition!r}")
        if (item.disposition == "legal_channel") != (item.channel is not None):
            problems.append(f"{where} a channel is given exactly when the disposition is legal_channel")
        if item.channel is not None and item.channel not in CHANNEL_IDS:
            problems.append(f"{where} unknown channel {item.channel!r}")
        if item.district is not None and item.district not in gazetteer.districts:
            problems.append(f"{where} district {item.district!r} is not in the gazetteer")
        if item.street is not None and (
            item.district is None or not gazetteer.has_street(item.district, item.street)
        ):
            problems.append(f"{where} street {item.street!r} is not a street of {item.district!r}")
        if not item.text.strip():
            problems.append(f"{where} empty text")
        if item.id in seen_ids:
            problems.append(f"{where} repeated id")
        if item.text in seen_texts:
            problems.append(f"{where} repeated text")
        seen_ids.add(item.id)
        seen_texts.add(item.text)
    return problems


# --- scoring: the same functions for both sides of `jiesu bench real` ---------------------------------
def _ratio(hits: int, n: int) -> dict[str, Any]:
    return {"value": hits / n if n else None, "hits": hits, "n": n}


def _disposition(answer: Answer) -> tuple[str | None, str | None]:
    if answer is None or "disposition" not in answer:
        return None, None
    disposition = answer["disposition"]
    return disposition["label"], disposition.get("channel")


def _place(answer: Answer) -> tuple[str | None, str | None]:
    if answer is None or "jurisdiction" not in answer:
        return None, None
    place = answer["jurisdiction"]
    return place.get("district"), place.get("street")


def score_complaints(items: Sequence[RealComplaint], answers: Sequence[Answer]) -> dict[str, Any]:
    """Legal-channel precision (of the texts suggested a legal channel, how many belong to one) and recall,
    channel accuracy over the texts that belong to a channel, district and street accuracy over the texts
    whose gold place is set, and how often a place is suggested where the text names none."""
    suggested_legal = true_legal = gold_legal = channel_right = 0
    district_right = district_n = street_right = street_n = invented = unnamed = unanswered = 0
    for item, answer in zip(items, answers, strict=True):
        unanswered += answer is None
        label, channel = _disposition(answer)
        district, street = _place(answer)
        is_legal, says_legal = item.disposition == "legal_channel", label == "legal_channel"
        suggested_legal += says_legal
        gold_legal += is_legal
        true_legal += is_legal and says_legal
        channel_right += is_legal and says_legal and channel == item.channel
        if item.district is not None:
            district_n += 1
            district_right += district == item.district
        else:
            unnamed += 1
            invented += district is not None
        if item.street is not None:
            street_n += 1
            street_right += street == item.street
    return {
        "legal_precision": _ratio(true_legal, suggested_legal),
        "legal_recall": _ratio(true_legal, gold_legal),
        "channel_accuracy": _ratio(channel_right, gold_legal),
        "district_accuracy": _ratio(district_right, district_n),
        "street_accuracy": _ratio(street_right, street_n),
        "district_invented": _ratio(invented, unnamed),
        "unanswered": unanswered,
    }


def missed_complaint_targets(figures: Mapping[str, Any]) -> list[str]:
    missed = []
    for figure in COMPLAINT_FIGURES:
        value = figures[figure.key]["value"]
        if figure.target is not None and (value is None or value < figure.target):
            missed.append(f"complaints.{figure.key}")
    return missed


def complaint_errors(items: Sequence[RealComplaint], answers: Sequence[Answer]) -> list[dict[str, Any]]:
    """For the dev half only: every complaint whose disposition, channel or named place is wrong."""
    errors = []
    for item, answer in zip(items, answers, strict=True):
        label, channel = _disposition(answer)
        district, street = _place(answer)
        wrong = []
        if (label, channel) != (item.disposition, item.channel) and (
            "legal_channel" in (label, item.disposition)
        ):
            wrong.append(f"disposition {item.disposition}/{item.channel} → {label}/{channel}")
        if item.district is not None and district != item.district:
            wrong.append(f"district {item.district} → {district}")
        if item.street is not None and street != item.street:
            wrong.append(f"street {item.street} → {street}")
        if item.district is None and district is not None:
            wrong.append(f"district none → {district}")
        if wrong:
            errors.append({"id": item.id, "wrong": wrong, "text": item.text})
    return errors


# --- the table ----------------------------------------------------------------------------------------
def _shown(figures: Mapping[str, Any] | None, key: str) -> str:
    if figures is None:
        return "—"
    item = figures[key]
    if item["value"] is None:
        return f"n/a (0/{item['n']})"
    return f"{item['value']:.3f} ({item['hits']}/{item['n']})"


def format_complaint_section(
    report: Mapping[str, Any], old: Mapping[str, Any] | None, ours: Mapping[str, Any], width: int
) -> list[str]:
    """The complaint rows of the `jiesu bench real` table (today's code, this model, target, met?)."""
    section = report.get("complaints")
    if section is None:
        return []
    if "unavailable" in section:
        return [f"real complaints: not scored ({section['unavailable']})"]
    lines = [
        f"real complaints, {report['half']} half ({section['texts']} public texts with URLs; legal channels and places)"
    ]
    old_figures = old.get("complaints") if old is not None else None
    for figure in COMPLAINT_FIGURES:
        target = met = ""
        if figure.target is not None:
            target = f"≥ {figure.target:.2f}"
            met = "no" if f"complaints.{figure.key}" in report["missed"] else "yes"
        lines.append(
            f"  {figure.label:{width - 2}}{_shown(old_figures, figure.key):>20}"
            f"{_shown(ours['complaints'], figure.key):>20}{target:>9}{met:>6}"
        )
    invented = "district_invented"
    lines.append(
        f"  {'place suggested where the text names none':{width - 2}}{_shown(old_figures, invented):>20}"
        f"{_shown(ours['complaints'], invented):>20}"
    )
    second = section.get("second_labeller")
    if second is not None and "unavailable" in second:
        lines.append(f"  a second blind labeller: not shown ({second['unavailable']})")
    elif second is not None:
        agreement = ", ".join(
            f"{label} {_shown(second, key)}"
            for key, label in zip(LEGAL_FIGURES, ("precision", "recall", "channel"), strict=True)
        )
        lines.append(f"  a second blind labeller against the labels (their own agreement): {agreement}")
    errors = section.get("dev_errors")
    if errors is not None:
        lines.append(f"dev half, this model: {len(errors)} complaints with a wrong channel or place")
        for error in errors[:EXAMPLES]:
            flat = " ".join(error["text"].split())  # one line per error
            text = flat[:80] + ("…" if len(flat) > 80 else "")
            lines.append(f"  {error['id']} {'; '.join(error['wrong'])}: {text}")
    return lines


def format_missed(ours: Mapping[str, Any], missed: Sequence[str]) -> list[str]:
    """The complaint targets among `missed`, as `complaints.key (value < target)`."""
    targets = {f"complaints.{f.key}": f for f in COMPLAINT_FIGURES}
    return [
        f"{key} ({_shown(ours['complaints'], targets[key].key)} < {targets[key].target})"
        for key in missed
        if key in targets
    ]
