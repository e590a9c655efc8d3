"""Charts as server-rendered SVG: horizontal bars, one row per label, one bar per series (no script)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

COLOURS = ("#2b6cb0", "#2f855a", "#c05621", "#6b46c1")
LABEL_WIDTH = 230
BAR_WIDTH = 360
BAR_HEIGHT = 12


def bars(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, scale: float = 1.0
) -> Markup:
    """One row per label; each series a bar of value / scale, its value written beside it (— for none)."""
    row_height = BAR_HEIGHT * len(series) + 10
    legend_height = 22
    height = legend_height + row_height * len(labels) + 4
    width = LABEL_WIDTH + BAR_WIDTH + 70
    parts = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' xmlns="http://www.w3.org/2000/svg">'
    ]
    x = LABEL_WIDTH
    for index, (name, _) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="14" font-size="12">{escape(name)}</text>')
        x += 20 + 14 * len(name) + 10
    for row, label in enumerate(labels):
        top = legend_height + row * row_height
        shown = label if len(label) <= 16 else label[:15] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{top + row_height / 2 + 4:.0f}" font-size="12" '
            f'text-anchor="end"><title>{escape(label)}</title>{escape(shown)}</text>'
        )
        for index, (_, values) in enumerate(series):
            value = values[row]
            y = top + 4 + index * BAR_HEIGHT
            length = 0.0 if value is None else max(0.0, min(value / scale, 1.0)) * BAR_WIDTH
            colour = COLOURS[index % len(COLOURS)]
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT - 2}" fill="{colour}"/>'
            )
            text = "—" if value is None else (f"{value:.0%}" if scale == 1.0 else f"{value:g}")
            parts.append(f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 9}" font-size="10">{text}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
