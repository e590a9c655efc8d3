"""`jiesu bench real` (issue 16's target benchmark): full suggestions on real texts and on the seed corpus
test split, side by side with today's code in the same run.

Real texts: one half of the Teddy Cup 2020 raw messages (`real_text.py`; the report half by default).
First-level accuracy and macro-F1 of the suggested category; the share that goes without a person and the
first-level accuracy of that share; how many are not dispatched at all; how many name no unit (issue
17: a request without a place goes to its rule's city-level unit). These texts are anonymised (A市)
and name no Beijing place, so the place reasons for consultation (no_jurisdiction, outside_beijing,
ambiguous_jurisdiction) are left out there: only the model's own reasons send a text to a person.

Seed corpus test split: the share without a person (every reason counts: these texts name Beijing
places), the share of those whose unit and disposition both equal the gold row's, and the unit accuracy
over the rows the gold dispatches.

Real complaints: the same half of the public complaint set (`real_complaints.py`, in tests/fixtures; texts
with URLs, labelled with disposition, legal channel and place): legal-channel precision and recall,
channel accuracy, district and street accuracy. Only the dev half's errors are ever printed.

Baseline: the code at BASELINE_REVISION, extracted with `git archive` into a temporary folder and run
there in a subprocess (`python -m jiesu.cli suggest`), with its own default model trained from its own
seed corpus (cached in var/bench/baseline/<revision>/), on the same texts. Both sides are scored by the
same functions from the suggestions' JSON.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jiesu.data.corpus import load_seed_corpus
from jiesu.errors import JiesuError
from jiesu.evaluation import real_complaints as complaints_set
from jiesu.evaluation.crosswalk import Crosswalk, score_through
from jiesu.evaluation.real_text import REPO_ROOT, Half, RealText
from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester, SuggestionRequest

log = logging.getLogger(__name__)

# Today's code when the benchmark was written (`git rev-parse 4ff3340`).
BASELINE_REVISION = "4ff33408ae0ea7602bf5f19644ed2802c5357b72"
BASELINE_CACHE = Path("var/bench/baseline")
# Consultation reasons about the place: left out on the anonymised real texts, which name no Beijing place.
PLACE_REASONS = frozenset({"no_jurisdiction", "outside_beijing", "ambiguous_jurisdiction"})
EXAMPLES = 10
PAIRS_SHOWN = 20
BATCH = 256

# A suggestion as JSON (`Suggestion.model_dump(mode="json")`, or a line of `jiesu suggest`); None, or a
# line error, where a text got none: it counts as wrong and as sent to a person.
Answer = Mapping[str, Any] | None


@dataclass(frozen=True)
class Figure:
    section: str  # "real" or "seed"
    key: str
    label: str
    target: float | None
    at_most: bool = False  # the target is a ceiling (met when the figure is at most the target)


FIGURES = (
    Figure("real", "l1_accuracy", "first-level accuracy", 0.85),
    Figure("real", "l1_macro_f1", "first-level macro-F1", None),
    Figure("real", "auto_share", "share without a person (own reasons)", 0.30),
    Figure("real", "auto_l1_accuracy", "first-level accuracy without a person", 0.95),
    Figure("real", "not_dispatched", "not dispatched (emergency, legal …)", None),
    # These texts name no Beijing place: a unit comes from the rule's city-level unit or not at all.
    Figure("real", "no_unit", "no unit suggested (no place named)", None),
    # Issue 17: ordinary web messages are almost never emergencies; each transfer suggested is listed
    # (by cue, not text, on the report half) in the note.
    Figure("real", "emergency_share", "suggested as emergency transfer", 0.003, at_most=True),
    # Their first-level boundaries, learnt on the dev half (jiesu.evaluation.crosswalk): how much of the
    # gap is where the two taxonomies draw their lines. Shown for this model only.
    Figure("real", "crosswalk_l1_accuracy", "first-level accuracy, their boundaries†", None),
    Figure("real", "crosswalk_auto_l1_accuracy", "the same, without a person†", None),
    Figure("seed", "auto_share", "share without a person", 0.60),
    Figure("seed", "auto_unit_disposition", "unit + disposition right, without person", 0.97),
    Figure("seed", "unit_accuracy", "unit accuracy, rows the gold dispatches", None),
)
TARGETS = {f"{f.section}.{f.key}": f.target for f in FIGURES if f.target is not None}


# --- scoring: the same functions for both sides ----------------------------------------------------------
def _ratio(hits: int, n: int) -> dict[str, Any]:
    return {"value": hits / n if n else None, "hits": hits, "n": n}


def _suggestion(answer: Answer) -> Mapping[str, Any] | None:
    return answer if answer is not None and "category" in answer else None


def own_reasons(suggestion: Mapping[str, Any]) -> list[str]:
    """The consultation reasons that are the model's own, not the place's."""
    return [reason for reason in suggestion["consult"]["reasons"] if reason not in PLACE_REASONS]


def macro_f1(gold: Sequence[str], predicted: Sequence[str | None]) -> float | None:
    """Macro-F1 over the classes present in `gold` (a prediction of any other class is an error)."""
    classes = sorted(set(gold))
    if not classes:
        return None
    scores = []
    for name in classes:
        tp = sum(g == name and p == name for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != name and p == name for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == name and p != name for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(scores) / len(scores)


def score_real(labels: Sequence[str], answers: Sequence[Answer]) -> dict[str, Any]:
    """Figures on labelled real texts: first-level accuracy and macro-F1, the share without a person
    (place reasons left out) and its accuracy, the texts not dispatched (by disposition), and the texts
    whose suggestion names no unit (a text without a suggestion counts there too)."""
    correct = auto = auto_correct = unanswered = no_unit = 0
    predicted: list[str | None] = []
    not_dispatched: Counter[str] = Counter()
    for label, answer in zip(labels, answers, strict=True):
        suggestion = _suggestion(answer)
        if suggestion is None:
            unanswered += 1
            no_unit += 1
            predicted.append(None)
            continue
        no_unit += suggestion.get("route") is None
        l1 = suggestion["category"]["l1"]
        predicted.append(l1)
        right = l1 == label
        correct += right
        if not own_reasons(suggestion):
            auto += 1
            auto_correct += right
        if suggestion["disposition"]["label"] != "dispatch":
            not_dispatched[suggestion["disposition"]["label"]] += 1
    n = len(labels)
    return {
        "l1_accuracy": _ratio(correct, n),
        "l1_macro_f1": {"value": macro_f1(labels, predicted), "n": n},
        "sent_share": _ratio(n - auto, n),
        "auto_share": _ratio(auto, n),
        "auto_l1_accuracy": _ratio(auto_correct, auto),
        "not_dispatched": _ratio(sum(not_dispatched.values()), n)
        | {"by_disposition": dict(sorted(not_dispatched.items()))},
        "no_unit": _ratio(no_unit, n),
        "emergency_share": _ratio(not_dispatched["emergency"], n),
        "unanswered": unanswered,
    }


def unit_right(gold_unit: str | None, suggestion: Mapping[str, Any]) -> bool:
    """The suggested route's unit is the gold unit; a row with no gold unit wants no route."""
    route = suggestion.get("route")
    unit = route["unit"] if route else None
    return unit == gold_unit


def disposition_right(row: Mapping[str, Any], suggestion: Mapping[str, Any]) -> bool:
    """Label, channel and emergency number all equal the gold row's."""
    d = suggestion["disposition"]
    return (d["label"], d["channel"], d["emergency_number"]) == (
        row["disposition"],
        row["channel"],
        row["emergency_number"],
    )


def score_seed(rows: Sequence[Mapping[str, Any]], answers: Sequence[Answer]) -> dict[str, Any]:
    """Figures on gold corpus rows: the share without a person (every reason counts), the share of those
    with unit and disposition right, and the unit accuracy over the rows the gold dispatches."""
    auto = auto_right = dispatched = units = unanswered = 0
    for row, answer in zip(rows, answers, strict=True):
        suggestion = _suggestion(answer)
        if suggestion is None:
            unanswered += 1
            dispatched += row["disposition"] == "dispatch"
            continue
        unit_ok = unit_right(row["unit"], suggestion)
        if not suggestion["consult"]["required"]:
            auto += 1
            auto_right += unit_ok and disposition_right(row, suggestion)
        if row["disposition"] == "dispatch":
            dispatched += 1
            units += unit_ok
    return {
        "auto_share": _ratio(auto, len(rows)),
        "auto_unit_disposition": _ratio(auto_right, auto),
        "unit_accuracy": _ratio(units, dispatched),
        "unanswered": unanswered,
    }


def dev_errors(texts: Sequence[RealText], answers: Sequence[Answer]) -> dict[str, Any]:
    """For the dev half only: confusion pairs (gold → suggested) and the first misclassified examples,
    those that went without a person first, then the most confident."""
    pairs: Counter[tuple[str, str]] = Counter()
    wrong = []
    for order, (item, answer) in enumerate(zip(texts, answers, strict=True)):
        suggestion = _suggestion(answer)
        l1 = suggestion["category"]["l1"] if suggestion else None
        if l1 == item.label:
            continue
        pairs[(item.label, str(l1))] += 1
        reasons = own_reasons(suggestion) if suggestion else ["unanswered"]
        confidence = suggestion["category"]["confidence"] if suggestion else 0.0
        wrong.append((bool(reasons), -confidence, order, item, l1, confidence, reasons))
    wrong.sort(key=lambda w: w[:3])
    return {
        "confusion_pairs": [
            {"gold": gold, "suggested": suggested, "count": count}
            for (gold, suggested), count in pairs.most_common()
        ],
        "misclassified": [
            {
                "id": item.id,
                "gold": item.label,
                "suggested": l1,
                "confidence": confidence,
                "own_reasons": reasons,
                "text": item.text,
            }
            for *_, item, l1, confidence, reasons in wrong[:EXAMPLES]
        ],
    }


# --- the baseline: the old code, run as it was --------------------------------------------------------
class BaselineUnavailable(Exception):
    """The old code cannot be run here (no git, an unknown revision, a failed run); the message says why."""


def resolve_revision(revision: str, repo: Path = REPO_ROOT) -> str:
    """The full commit sha of `revision` in the repository at `repo`."""
    git = shutil.which("git")
    if git is None:
        raise BaselineUnavailable("git is not installed")
    completed = subprocess.run(
        [git, "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        problem = completed.stderr.strip().splitlines()[-1:] or ["no such commit"]
        raise BaselineUnavailable(f"revision {revision!r} is not available in {repo}: {problem[0]}")
    return completed.stdout.strip()


def _extract(sha: str, repo: Path, target: Path) -> None:
    git = shutil.which("git") or "git"
    completed = subprocess.run(
        [git, "-C", str(repo), "archive", "--format=tar", sha, "jiesu"], capture_output=True, check=False
    )
    if completed.returncode != 0:
        problem = completed.stderr.decode("utf-8", "replace").strip()
        raise BaselineUnavailable(f"git archive {sha[:12]} failed: {problem}")
    with tarfile.open(fileobj=io.BytesIO(completed.stdout)) as archive:
        archive.extractall(target, filter="data")


def suggest_with_revision(
    sha: str, requests: Sequence[tuple[str, str]], cache_dir: Path, repo: Path = REPO_ROOT
) -> list[Answer]:
    """The old code's `jiesu suggest` answers for (id, text) pairs, in order. Its default model is trained
    into `cache_dir` (its JIESU_DATA_DIR) the first time and reused after."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jiesu-baseline-") as work:
        source = Path(work) / "src"
        _extract(sha, repo, source)
        env = os.environ | {
            "PYTHONPATH": str(source),
            "JIESU_DATA_DIR": str(cache_dir.resolve()),
            "TQDM_DISABLE": "1",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
        where = subprocess.run(
            [sys.executable, "-c", "import jiesu; print(jiesu.__file__)"],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        imported = Path(where.stdout.strip() or ".").resolve()
        if where.returncode != 0 or not imported.is_relative_to(source.resolve()):
            raise BaselineUnavailable(
                f"the old code's jiesu does not import from {source}: {where.stderr[-500:]}"
            )
        inputs, outputs = Path(work) / "in.jsonl", Path(work) / "out.jsonl"
        inputs.write_text(
            "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in requests),
            encoding="utf-8",
        )
        completed = subprocess.run(
            [sys.executable, "-m", "jiesu.cli", "suggest", "--input", str(inputs), "--output", str(outputs)],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise BaselineUnavailable(
                f"the old code's `jiesu suggest` failed (exit {completed.returncode}): {completed.stderr[-1500:]}"
            )
        by_id = {}
        for line in outputs.read_text(encoding="utf-8").splitlines():
            if line.strip():
                answer = json.loads(line)
                by_id[answer.get("id")] = answer
    return [by_id.get(request_id) for request_id, _ in requests]


# --- the run -------------------------------------------------------------------------------------------
def _seed_id(row: Mapping[str, Any]) -> str:
    return f"seed:{row['id']}"


def _model_id(answers: Sequence[Answer]) -> str | None:
    suggestions = (s for s in map(_suggestion, answers) if s is not None)
    return next((str(s["versions"]["model_id"]) for s in suggestions), None)


def run_benchmark(
    model_dir: Path,
    texts: Sequence[RealText],
    half: Half,
    output: Path,
    *,
    baseline_revision: str | None = BASELINE_REVISION,
    real_source: str | None = None,
    cache_root: Path = BASELINE_CACHE,
    repo: Path = REPO_ROOT,
    complaints_file: Path | None = complaints_set.COMPLAINTS_FILE,
    crosswalk_texts: Sequence[RealText] = (),
) -> dict[str, Any]:
    """`crosswalk_texts`: the dev half, to learn the crosswalk from when `texts` is the report half (on
    the dev half itself the crosswalk is scored leave-one-out)."""
    started = time.perf_counter()
    rows = load_seed_corpus(split="test").to_list()
    # The real complaint set (legal channels and places): the same half, scored after the seed rows.
    complaints, complaint_section = _complaints(complaints_file, half)
    seed_end = len(texts) + len(rows)
    requests = (
        [(item.id, item.text) for item in texts]
        + [(_seed_id(row), row["text"]) for row in rows]
        + [(f"complaint:{item.id}", item.text) for item in complaints]
    )
    labels = [item.label for item in texts]
    report: dict[str, Any] = {
        "half": half,
        "real_data": real_source,
        "real_texts": len(texts),
        "seed_split": "test",
        "seed_rows": len(rows),
        "place_reasons_left_out_on_real_texts": sorted(PLACE_REASONS),
        "targets": TARGETS | complaints_set.COMPLAINT_TARGETS,
        "complaints": complaint_section,
    }
    baseline: dict[str, Any] | None = None
    if baseline_revision is not None:
        baseline = {"revision": baseline_revision}
        try:
            sha = resolve_revision(baseline_revision, repo)
            baseline["revision"] = sha
            log.info("baseline: running jiesu at %s (its model is cached in %s)", sha[:12], cache_root / sha)
            answers = suggest_with_revision(sha, requests, cache_root / sha, repo)
        except BaselineUnavailable as exc:
            baseline["unavailable"] = str(exc)
        else:
            baseline |= {
                "model_id": _model_id(answers),
                "real": score_real(labels, answers[: len(texts)]),
                "seed": score_seed(rows, answers[len(texts) : seed_end]),
                "complaints": complaints_set.score_complaints(complaints, answers[seed_end:]),
            }
    report["baseline"] = baseline
    model = RequestClassifier.load(model_dir)
    suggester = Suggester.with_reference_data(model)
    ours = _suggest_all(suggester, requests)
    real = score_real(labels, ours[: len(texts)])
    if half == "dev":
        real |= _through_crosswalk(labels, ours[: len(texts)], labels, ours, leave_one_out=True)
    elif crosswalk_texts:
        learnt_from = _suggest_all(suggester, [(item.id, item.text) for item in crosswalk_texts])
        real |= _through_crosswalk([item.label for item in crosswalk_texts], learnt_from, labels, ours)
    report["candidate"] = {
        "model_id": model.model_id_,
        "model_dir": str(model_dir),
        "real": real,
        "seed": score_seed(rows, ours[len(texts) : seed_end]),
        "complaints": complaints_set.score_complaints(complaints, ours[seed_end:]),
    }
    report["missed"] = missed_targets(report["candidate"])
    if "unavailable" not in complaint_section:
        report["missed"] += complaints_set.missed_complaint_targets(report["candidate"]["complaints"])
    if half == "dev":
        report["dev_errors"] = dev_errors(texts, ours[: len(texts)])
        complaint_section["dev_errors"] = complaints_set.complaint_errors(complaints, ours[seed_end:])
    report["seconds"] = time.perf_counter() - started
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def _suggest_all(suggester: Suggester, requests: Sequence[tuple[str, str]]) -> list[Answer]:
    answers: list[Answer] = []
    for start in range(0, len(requests), BATCH):
        batch = [SuggestionRequest(text=text, id=i) for i, text in requests[start : start + BATCH]]
        answers += [suggestion.model_dump(mode="json") for suggestion in suggester.suggest_many(batch)]
    return answers


def _through_crosswalk(
    fit_labels: Sequence[str],
    fit_answers: Sequence[Answer],
    labels: Sequence[str],
    answers: Sequence[Answer],
    *,
    leave_one_out: bool = False,
) -> dict[str, Any]:
    """First-level figures through a crosswalk learnt on (fit_labels, fit_answers), for the first
    len(labels) answers; `leave_one_out` when those are the texts it was learnt from (the dev half)."""
    crosswalk = Crosswalk.fit(fit_labels, fit_answers)
    scored = answers[: len(labels)]
    alone = [(s := _suggestion(a)) is not None and not own_reasons(s) for a in scored]
    return score_through(crosswalk, labels, scored, alone, leave_one_out=leave_one_out)


def _complaints(path: Path | None, half: Half) -> tuple[list[complaints_set.RealComplaint], dict[str, Any]]:
    """One half of the real complaint set and its report section (why not, where it cannot be read)."""
    if path is None:
        return [], {"unavailable": "not asked for"}
    try:
        items = complaints_set.load_real_complaints(path, half)
    except JiesuError as exc:
        return [], {"unavailable": str(exc)}
    section: dict[str, Any] = {"source": str(path), "texts": len(items)}
    try:
        second = complaints_set.second_labels(items, path.with_name(complaints_set.SECOND_LABELS_FILE.name))
    except JiesuError as exc:
        section["second_labeller"] = {"unavailable": str(exc)}
    else:
        scored = complaints_set.score_complaints(items, second)
        section["second_labeller"] = {key: scored[key] for key in complaints_set.LEGAL_FIGURES}
    return items, section


def missed_targets(figures: Mapping[str, Any]) -> list[str]:
    """The targets whose figure is below target, or has no value."""
    missed = []
    for figure in FIGURES:
        if figure.target is None:
            continue
        value = figure_value(figures, figure)
        if value is None or (value > figure.target if figure.at_most else value < figure.target):
            missed.append(f"{figure.section}.{figure.key}")
    return missed


def figure_value(figures: Mapping[str, Any], figure: Figure) -> float | None:
    value = figures[figure.section][figure.key]["value"]
    return None if value is None else float(value)


# --- the table -----------------------------------------------------------------------------------------
def _shown(figures: Mapping[str, Any] | None, figure: Figure) -> str:
    item = None if figures is None else figures[figure.section].get(figure.key)
    if item is None:  # not run, or a figure only this model has (the crosswalk's)
        return "—"
    if item["value"] is None:
        return f"n/a (0/{item['n']})" if "hits" in item else "n/a"
    if figure.key == "not_dispatched":
        return f"{item['hits']} ({item['value']:.1%})"
    if "hits" in item:
        return f"{item['value']:.3f} ({item['hits']}/{item['n']})"
    return f"{item['value']:.3f}"


def format_report(report: Mapping[str, Any]) -> str:
    ours, baseline = report["candidate"], report["baseline"]
    old = baseline if baseline is not None and "unavailable" not in baseline else None
    lines = [
        f"jiesu bench real: Teddy Cup raw messages, {report['half']} half ({report['real_texts']} texts), "
        f"and the seed corpus {report['seed_split']} split ({report['seed_rows']} rows)",
        f"this model: {ours['model_id']} ({ours['model_dir']})",
    ]
    if baseline is None:
        lines.append("today's code: not run (--no-baseline)")
    elif old is None:
        lines.append(f"today's code: not shown: {baseline['unavailable']}")
    else:
        lines.append(
            f"today's code: jiesu at {old['revision'][:12]}, its own default model {old['model_id']}"
        )
    width = 44
    header = ("", "today's code", "this model", "target", "met?")
    lines.append(f"{header[0]:{width}}{header[1]:>20}{header[2]:>20}{header[3]:>9}{header[4]:>6}")
    section = None
    for figure in FIGURES:
        if figure.section != section:
            section = figure.section
            lines.append(
                f"real texts, {report['half']} half (7 first-level classes; place reasons left out*)"
                if section == "real"
                else f"seed corpus {report['seed_split']} split (every consultation reason counts)"
            )
        target = met = ""
        if figure.target is not None:
            target = f"≤ {figure.target:.3f}" if figure.at_most else f"≥ {figure.target:.2f}"
            met = "no" if f"{figure.section}.{figure.key}" in report["missed"] else "yes"
        lines.append(
            f"  {figure.label:{width - 2}}{_shown(old, figure):>20}{_shown(ours, figure):>20}{target:>9}{met:>6}"
        )
    lines += complaints_set.format_complaint_section(report, old, ours, width)
    for name, figures in (("today's code", old), ("this model", ours)):
        if figures is None:
            continue
        by = figures["real"]["not_dispatched"]["by_disposition"]
        shown = ", ".join(f"{label} {count}" for label, count in by.items()) or "none"
        unanswered = figures["real"]["unanswered"] + figures["seed"]["unanswered"]
        extra = (
            f"; {unanswered} text(s) got no suggestion (counted wrong, sent to a person)"
            if unanswered
            else ""
        )
        lines.append(f"not dispatched, {name}: {shown}{extra}")
    lines.append(
        "† each suggested second level read as the other city's first-level label most often given to "
        "the dev half's texts that got it (leave-one-out on the dev half): a measurement of taxonomy "
        "boundaries, not part of a suggestion"
    )
    lines.append(
        "* these texts are anonymised (A市) and name no Beijing place: the place reasons "
        f"({', '.join(sorted(PLACE_REASONS))}) are left out, and only the model's own reasons send a text "
        "to a person"
    )
    if report["half"] == "dev" and "dev_errors" in report:
        lines += _format_dev_errors(report["dev_errors"])
    missed = report["missed"]
    if missed:
        labels = {f"{f.section}.{f.key}": f for f in FIGURES}
        shown_missed = [
            f"{key} ({_shown(ours, labels[key])} {'>' if labels[key].at_most else '<'} {labels[key].target})"
            for key in missed
            if key in labels
        ]
        shown_missed += complaints_set.format_missed(ours, missed)
        lines.append(f"targets missed by this model: {'; '.join(shown_missed)}")
    else:
        lines.append("every target is met by this model")
    lines.append(f"total {report['seconds']:.0f} s")
    return "\n".join(lines)


def _format_dev_errors(errors: Mapping[str, Any]) -> list[str]:
    pairs = errors["confusion_pairs"]
    lines = ["dev half, this model: confusion pairs (gold → suggested: count)"]
    lines += [f"  {p['gold']} → {p['suggested']}: {p['count']}" for p in pairs[:PAIRS_SHOWN]]
    if len(pairs) > PAIRS_SHOWN:
        lines.append(f"  … {len(pairs) - PAIRS_SHOWN} more pairs in the JSON results")
    lines.append(f"dev half, this model: {len(errors['misclassified'])} misclassified examples")
    for example in errors["misclassified"]:
        reasons = ",".join(example["own_reasons"]) or "without a person"
        text = example["text"][:100] + ("…" if len(example["text"]) > 100 else "")
        lines.append(
            f"  {example['id']} {example['gold']} → {example['suggested']} "
            f"({example['confidence']:.2f}; {reasons}): {text}"
        )
    return lines
