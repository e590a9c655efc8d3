"""The mis-dispatch audit as one self-contained HTML page: inline CSS, the tables, and PNG plots made with
matplotlib (the `report` extra, Agg backend) embedded as base64 data URIs: rates over time with their
intervals, per-unit rates with intervals, and the first-unit → final-unit confusion heat map. No request
text or caller data is on the page (the audit holds none)."""

from __future__ import annotations

import html
import math
from collections import Counter
from typing import TYPE_CHECKING

from jiesu.evaluation.html import new_figure, png_data_uri
from jiesu.serving.audit_render import SHORT, flags_text, not_dispatched_text, percent, ranked_groups
from jiesu.serving.audit_schemas import GroupOut, MisdispatchAuditOut, RateOut

if TYPE_CHECKING:
    pass

CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;font-size:13px;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 6px}
th{background:#f0f0f0}td.n{text-align:right}tr.flag td{background:#fff3e0}img{max-width:100%}
p.note{color:#555;font-size:13px}
"""
TIME_METRICS = ("first_dispatch_accuracy", "return_rate", "upheld_return_rate", "accepted_suggestion")


def _errors(rates: list[RateOut]) -> tuple[list[float], list[list[float]]]:
    """Points and error bars; a rate of no tickets is NaN, which matplotlib leaves out (not 0%)."""
    values = [rate.rate if rate.rate is not None else math.nan for rate in rates]
    low = [r.rate - r.low if r.rate is not None and r.low is not None else 0.0 for r in rates]
    high = [r.high - r.rate if r.rate is not None and r.high is not None else 0.0 for r in rates]
    return values, [[max(e, 0.0) for e in low], [max(e, 0.0) for e in high]]


def time_plot(weekly: MisdispatchAuditOut) -> str:
    figure = new_figure(8, 4)
    axis = figure.subplots()
    weeks = [group.key for group in weekly.groups]
    for offset, metric in enumerate(TIME_METRICS):
        values, errors = _errors([getattr(group, metric) for group in weekly.groups])
        positions = [i + (offset - 1.5) * 0.06 for i in range(len(weeks))]
        axis.errorbar(positions, values, yerr=errors, marker="o", capsize=3, label=SHORT[metric])
    axis.set_xticks(range(len(weeks)), weeks)
    axis.set_ylim(0, 1)
    axis.set_ylabel("rate (95% Wilson interval)")
    axis.set_title("Rates by week of first dispatch")
    axis.legend(fontsize=8)
    return png_data_uri(figure)


def unit_codes(by_unit: MisdispatchAuditOut, top: int = 25) -> dict[str, str]:
    """Short labels (U01 …) for the units in the plots: a machine may lack CJK fonts, and the page's
    table spells each one out."""
    groups = sorted(by_unit.groups, key=lambda g: -g.dispatched)[:top]
    moved = Counter[str]()
    for cell in by_unit.confusion:
        if cell.first_unit != cell.final_unit:
            moved[cell.first_unit] += cell.tickets
            moved[cell.final_unit] += cell.tickets
    names = [g.key for g in groups] + [name for name, _ in moved.most_common(15)]
    return {name: f"U{i + 1:02d}" for i, name in enumerate(dict.fromkeys(names))}


def unit_plot(by_unit: MisdispatchAuditOut, codes: dict[str, str], top: int = 25) -> str:
    groups = sorted(by_unit.groups, key=lambda g: -g.dispatched)[:top][::-1]
    figure = new_figure(8, max(3, 0.3 * len(groups) + 1))
    axis = figure.subplots()
    values, errors = _errors([group.first_dispatch_accuracy for group in groups])
    flagged = [any(flag.metric == "first_dispatch_accuracy" for flag in group.flags) for group in groups]
    colors = ["#d9534f" if flag else "#337ab7" for flag in flagged]
    axis.barh(range(len(groups)), values, xerr=errors, color=colors, capsize=2)
    axis.set_yticks(
        range(len(groups)), [f"{codes[g.key]} (n={g.first_dispatch_accuracy.total})" for g in groups]
    )
    overall = by_unit.overall.first_dispatch_accuracy.rate
    if overall is not None:
        axis.axvline(overall, color="#555", linestyle="--", linewidth=1)
    axis.set_xlim(0, 1)
    axis.set_xlabel(
        "first-dispatch accuracy (95% Wilson interval); red: flagged as different; dashed: all units"
    )
    axis.set_title(f"The {len(groups)} units with the most first dispatches")
    return png_data_uri(figure)


def confusion_plot(result: MisdispatchAuditOut, codes: dict[str, str], top: int = 15) -> str:
    moved = Counter[str]()
    for cell in result.confusion:
        if cell.first_unit != cell.final_unit:
            moved[cell.first_unit] += cell.tickets
            moved[cell.final_unit] += cell.tickets
    units = [name for name, _ in moved.most_common(top) if name in codes]
    index = {unit: i for i, unit in enumerate(units)}
    matrix = [[0.0] * len(units) for _ in units]
    for cell in result.confusion:
        if cell.first_unit in index and cell.final_unit in index:
            matrix[index[cell.first_unit]][index[cell.final_unit]] = float(cell.tickets)
    figure = new_figure(7, 6)
    axis = figure.subplots()
    import matplotlib.colors

    image = axis.imshow(matrix, cmap="viridis", norm=matplotlib.colors.SymLogNorm(linthresh=1))
    labels = [codes[unit] for unit in units]
    axis.set_xticks(range(len(units)), labels, rotation=90, fontsize=8)
    axis.set_yticks(range(len(units)), labels, fontsize=8)
    axis.set_xlabel("final unit")
    axis.set_ylabel("first unit")
    axis.set_title("Settled tickets: first unit -> final unit (units most involved in re-dispatch)")
    figure.colorbar(image, ax=axis, label="tickets (symmetric log scale)")
    return png_data_uri(figure)


def _cell(rate: RateOut) -> str:
    return f"<td class=n>{html.escape(percent(rate))}</td>"


def _rows(groups: list[GroupOut]) -> str:
    metrics = ("first_dispatch_accuracy", "return_rate", "upheld_return_rate", "accepted_suggestion")
    out = []
    for group in groups:
        css = " class=flag" if group.flags else ""
        cells = "".join(_cell(getattr(group, name)) for name in metrics)
        rounds = "–" if group.mean_dispatch_rounds is None else f"{group.mean_dispatch_rounds:.2f}"
        days = group.mean_days_lost
        out.append(
            f"<tr{css}><td>{html.escape(group.key)}</td><td class=n>{group.dispatched}</td>{cells}"
            f"<td class=n>{rounds}</td><td class=n>{'–' if days is None else f'{days:.2f}'}</td>"
            f"<td>{html.escape(flags_text(group))}</td></tr>"
        )
    return "\n".join(out)


def render_html(
    result: MisdispatchAuditOut, weekly: MisdispatchAuditOut, by_unit: MisdispatchAuditOut
) -> str:
    codes = unit_codes(by_unit)
    images = [
        ("Rates over time", time_plot(weekly)),
        ("Per-unit first-dispatch accuracy", unit_plot(by_unit, codes)),
        ("First unit → final unit", confusion_plot(by_unit, codes)),
    ]
    legend = "".join(f"<tr><td>{code}</td><td>{html.escape(name)}</td></tr>" for name, code in codes.items())
    title = f"Mis-dispatch audit {result.from_date} – {result.to_date} by {result.group_by}"
    overall, consult = result.overall, result.consultations
    head = "".join(
        f"<th>{label}</th>"
        for label in ("group", "dispatched", "first-unit accuracy", "returned", "upheld", "suggestion accepted",
                      "mean rounds", "mean days lost", "flags")
    )  # fmt: skip
    figures = "\n".join(f'<h2>{name}</h2><img alt="{name}" src="{url}">' for name, url in images)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{CSS}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>{result.tickets} tickets created in the period, {result.dispatched} dispatched; not dispatched:
{html.escape(not_dispatched_text(result))}.</p>
<p class=note>Rates: count/total with 95% Wilson intervals. Flagged rows (shaded): {html.escape(result.method)}.</p>
<p>Model vs operator, settled tickets: model alone {html.escape(percent(overall.model_alone_accuracy))};
when overridden, operator right {html.escape(percent(overall.override_operator_right))}, model right
{html.escape(percent(overall.override_model_right))}.</p>
<p>Consultations: {consult.opened} opened, {consult.still_open} still open, {consult.dispatched} dispatched
({consult.dispatched_to_a_consulted_unit} to a consulted unit), {consult.closed_without_dispatch} closed without
dispatch; first-unit accuracy after one {html.escape(percent(consult.first_dispatch_accuracy))}.</p>
<table><tr>{head}</tr>
{_rows([overall, *ranked_groups(result)])}
</table>
{figures}
<h2>Units in the plots</h2><table><tr><th>label</th><th>unit</th></tr>{legend}</table>
<h2>Definitions</h2><ul>{"".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in result.definitions.items())}</ul>
</body></html>
"""
