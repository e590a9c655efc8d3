"""`jiesu evaluate --report DIR`: the evaluation of a model as a page for people (index.html, one file):
the dispatch decision against its promise, per-head metrics, per-class table, confusion matrix,
reliability diagram, risk–coverage curve, and the errors the model was surest of, with their texts (the
bad-case list to relabel from). The JSON report beside it holds the same figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jiesu.evaluation.html import figure_html, has_cjk_font, heading, new_figure, note, page, table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

CONFUSION_CLASSES = 20  # the most frequent true classes shown in a head's confusion matrix
PER_CLASS_ROWS = 60
ERROR_TEXT_CHARS = 300


def write_model_report(report: dict[str, Any], directory: Path) -> Path:
    """Write index.html into `directory` (created) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    names_drawn = has_cjk_font()
    sections = [_decision_section(report.get("decisions"))]
    for head, metrics in report["heads"].items():
        sections.extend(_head_section(head, metrics, names_drawn))
    subtitle = f"model {report['model_id']} · data {report.get('data', '?')} · {report['n_texts']} texts"
    path = directory / "index.html"
    path.write_text(page("模型评估 Model evaluation", sections, subtitle), encoding="utf-8")
    return path


def _decision_section(decisions: dict[str, Any] | None) -> str:
    if decisions is None:
        return heading("Dispatch decision") + note("not measured")
    rows: list[list[Any]] = [["texts", decisions["n"]]]
    rows.append(["without a person (no consultation)", decisions["without_person"]])
    rows.append(["share without a person", decisions["without_person_share"]])
    for part, figures in decisions["right"].items():
        share = figures["right"] / figures["n"] if figures["n"] else None
        rows.append([f"{part} right among those (of {figures['n']} labelled)", share])
    whole = decisions["decision_right"]
    if whole["n"]:
        rows.append(
            [f"decision right among those ({' + '.join(whole['parts'])})", whole["right"] / whole["n"]]
        )
    promised = decisions.get("promised")
    rows.append(["accuracy the threshold promises", promised if promised is not None else "not measured"])
    return heading("Dispatch decision") + table(["figure", "value"], rows)


def _head_section(head: str, metrics: dict[str, Any], names_drawn: bool) -> list[str]:
    auto = metrics.get("auto") or {}
    summary = [
        ["texts", metrics["n"]],
        ["accuracy", metrics["accuracy"]],
        ["macro-F1", metrics["macro_f1"]],
        ["expected calibration error", metrics["ece"]],
        ["head threshold", metrics.get("threshold")],
        ["share over the head threshold", auto.get("coverage")],
        ["accuracy over the head threshold", auto.get("accuracy")],
    ]
    out = [heading(f"Head: {head}"), table(["figure", "value"], summary)]
    out.append(_plots(head, metrics, names_drawn))
    per_class = sorted(metrics["per_class"].items(), key=lambda item: -item[1]["support"])
    out.append(
        table(
            ["class", "precision", "recall", "F1", "support"],
            [
                [name, r["precision"], r["recall"], r["f1"], r["support"]]
                for name, r in per_class[:PER_CLASS_ROWS]
            ],
        )
    )
    if len(per_class) > PER_CLASS_ROWS:
        out.append(note(f"{len(per_class) - PER_CLASS_ROWS} rarer classes are in the JSON report"))
    errors = metrics.get("confident_errors") or []
    out.append(heading(f"{head}: the {len(errors)} errors it was surest of"))
    out.append(
        table(
            ["id (row)", "confidence", "true", "predicted", "text"],
            [[_row_name(e), e["confidence"], e["true"], e["predicted"], _clip(e["text"])] for e in errors],
        )
    )
    return out


def _row_name(error: dict[str, Any]) -> str:
    """The row's id where the data has one (to find it and relabel it), with its position."""
    return f"{error['id']} ({error['row']})" if error.get("id") is not None else str(error["row"])


def _clip(text: str) -> str:
    return text if len(text) <= ERROR_TEXT_CHARS else text[:ERROR_TEXT_CHARS] + "…"


def _plots(head: str, metrics: dict[str, Any], names_drawn: bool) -> str:
    figure = new_figure(13, 4.2)
    reliability, coverage, confusion = figure.subplots(1, 3, width_ratios=[1, 1, 1.4])
    _reliability(reliability, metrics.get("reliability") or [])
    _coverage(coverage, metrics.get("coverage_curve") or [])
    key = _confusion(confusion, metrics["confusion"], names_drawn)
    html = figure_html(figure, f"{head}: reliability diagram, risk–coverage curve, confusion matrix")
    if key:
        html += note("classes in the matrix: " + ", ".join(f"{code} = {name}" for code, name in key))
    return html


def _reliability(axis: Axes, bins: list[dict[str, float]]) -> None:
    axis.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=1, label="perfect calibration")
    axis.bar(
        [b["confidence"] for b in bins],
        [b["accuracy"] for b in bins],
        width=0.08,
        color="#1f5fa8",
        alpha=0.8,
        label="accuracy per confidence bin",
    )
    axis.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence", ylabel="accuracy", title="Reliability")
    axis.legend(fontsize=8, loc="upper left")


def _coverage(axis: Axes, curve: list[dict[str, float]]) -> None:
    axis.plot([p["coverage"] for p in curve], [p["accuracy"] for p in curve], marker="o", color="#1f5fa8")
    axis.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="share kept (surest first)", ylabel="accuracy of those")
    axis.set_title("Risk–coverage")
    axis.grid(alpha=0.3)


def _confusion(axis: Axes, confusion: dict[str, Any], names_drawn: bool) -> list[tuple[str, str]]:
    """The matrix over the most frequent true classes, rows normalised; returns the code key when the
    class names cannot be drawn (no CJK font) and codes stand in for them."""
    labels, matrix = confusion["labels"], confusion["matrix"]
    order = sorted(range(len(labels)), key=lambda i: -sum(matrix[i]))[:CONFUSION_CLASSES]
    cells = [[matrix[i][j] / max(sum(matrix[i]), 1) for j in order] for i in order]
    names = [labels[i] for i in order]
    shown = names if names_drawn else [f"C{k + 1}" for k in range(len(names))]
    axis.imshow(cells, cmap="Blues", vmin=0, vmax=1)
    axis.set_xticks(range(len(shown)), shown, rotation=90, fontsize=7)
    axis.set_yticks(range(len(shown)), shown, fontsize=7)
    axis.set(xlabel="predicted", ylabel="true", title=f"Confusion (top {len(shown)} classes, row share)")
    return [] if names_drawn else list(zip(shown, names, strict=True))
