"""The mis-dispatch audit as text: a table for people, JSON, and CSV (one row per group) for spreadsheets.
The HTML page with plots is `audit_html`."""

from __future__ import annotations

import csv
import io
import json

from jiesu.serving.audit_schemas import GroupOut, MisdispatchAuditOut, RateOut
from jiesu.terminal import fit
from jiesu.terminal import width as columns_of

RATES = (
    "first_dispatch_accuracy",
    "return_rate",
    "upheld_return_rate",
    "accepted_suggestion",
    "override_operator_right",
    "override_model_right",
    "model_alone_accuracy",
)
SHORT = {
    "first_dispatch_accuracy": "first-unit acc.",
    "return_rate": "returned",
    "upheld_return_rate": "upheld",
    "accepted_suggestion": "sugg. accepted",
}


def percent(rate: RateOut) -> str:
    if rate.rate is None or rate.low is None or rate.high is None:
        return "–"
    return f"{rate.rate:.1%} [{rate.low:.1%}, {rate.high:.1%}] n={rate.total}"


def flags_text(group: GroupOut) -> str:
    return "; ".join(
        f"{SHORT.get(flag.metric, flag.metric)} {flag.direction} (p_adj={flag.p_adjusted:.2g})"
        for flag in group.flags
    )


def as_json(result: MisdispatchAuditOut) -> str:
    return json.dumps(result.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=1) + "\n"


def as_csv(result: MisdispatchAuditOut) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["group_by", "group", "dispatched", "settled", "consulted"]
    for name in RATES:
        header += [f"{name}_count", f"{name}_total", name, f"{name}_low", f"{name}_high"]
    header += ["mean_dispatch_rounds", "mean_days_to_final_acceptance", "mean_days_lost", "flags"]
    writer.writerow(header)
    for group in [result.overall, *result.groups]:
        row: list[object] = [result.group_by, group.key, group.dispatched, group.settled, group.consulted]
        for name in RATES:
            rate: RateOut = getattr(group, name)
            row += [rate.count, rate.total, rate.rate, rate.low, rate.high]
        row += [group.mean_dispatch_rounds, group.mean_days_to_final_acceptance, group.mean_days_lost]
        writer.writerow([*row, flags_text(group)])
    return out.getvalue()


def as_table(result: MisdispatchAuditOut, limit: int = 60) -> str:
    """Groups with the most dispatches first (at most `limit`; every flagged group is shown)."""
    lines = [
        f"Mis-dispatch audit {result.from_date} – {result.to_date}, by {result.group_by}: "
        f"{result.tickets} tickets, {result.dispatched} dispatched, not dispatched: {not_dispatched_text(result)}",
        f"Rates: count/total with 95% Wilson intervals. Flags: {result.method}.",
        "",
    ]
    columns = ("first_dispatch_accuracy", "return_rate", "upheld_return_rate", "accepted_suggestion")
    width = max([columns_of(group.key) for group in result.groups] + [5])
    width = min(width, 40)
    lines.append(
        f"{'group':<{width}}  {'disp.':>6}  "
        + "  ".join(f"{SHORT[name]:<32}" for name in columns)
        + "  rounds  days→final  flags"
    )
    ranked = ranked_groups(result)
    for group in [result.overall, *ranked[:limit]]:
        rounds = "–" if group.mean_dispatch_rounds is None else f"{group.mean_dispatch_rounds:.2f}"
        days = group.mean_days_to_final_acceptance
        lines.append(
            f"{fit(group.key, width)}  {group.dispatched:>6}  "
            + "  ".join(f"{percent(getattr(group, name)):<32}" for name in columns)
            + f"  {rounds:>6}  {'–' if days is None else f'{days:.2f}':>10}  {flags_text(group)}"
        )
    if len(ranked) > limit:
        lines.append(f"… {len(ranked) - limit} more groups (use --format csv or json for all)")
    overall = result.overall
    consult = result.consultations
    lines += [
        "",
        "Model vs operator (settled tickets): model alone "
        f"{percent(overall.model_alone_accuracy)}; when overridden, the operator was right "
        f"{percent(overall.override_operator_right)}, the model {percent(overall.override_model_right)}.",
        f"Consultations: {consult.opened} opened, {consult.still_open} still open, {consult.dispatched} "
        f"dispatched ({consult.dispatched_to_a_consulted_unit} to a consulted unit), "
        f"{consult.closed_without_dispatch} closed without dispatch; first-unit accuracy after one: "
        f"{percent(consult.first_dispatch_accuracy)}.",
    ]
    return "\n".join(lines) + "\n"


def ranked_groups(result: MisdispatchAuditOut) -> list[GroupOut]:
    """Weeks in order of time; other groups flagged first, then the largest."""
    if result.group_by == "week":
        return sorted(result.groups, key=lambda g: g.key)
    return sorted(result.groups, key=lambda g: (not g.flags, -g.dispatched, g.key))


def not_dispatched_text(result: MisdispatchAuditOut) -> str:
    """The tickets not dispatched, by first decision: "answer_now 23, emergency 4" (or "none")."""
    return ", ".join(f"{name} {count}" for name, count in result.not_dispatched.items()) or "none"
