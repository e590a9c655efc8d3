"""Self-contained HTML pages for people: inline CSS, tables, and matplotlib figures embedded as PNG data
URIs, so a report is one file that opens anywhere (mailed, archived, no server, no internet).

matplotlib is the `report` extra; it is imported only when a figure is drawn."""

from __future__ import annotations

import base64
import html
import io
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from jiesu.extras import require_extra

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Fonts that draw Chinese, most wanted first (Debian's fonts-noto-cjk, then common others).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "Source Han Sans SC", "SimHei")

_STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.5em; border-bottom: 2px solid #1f5fa8; padding-bottom: .3em; }
h2 { font-size: 1.2em; margin-top: 2em; color: #1f5fa8; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #eef3f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.flag td { background: #fff1f0; }
p.note { color: #555; font-size: .9em; }
img { max-width: 100%; border: 1px solid #eee; margin: .5em 0; }
"""


def page(title: str, sections: Iterable[str], subtitle: str = "") -> str:
    """A whole HTML document: `sections` are HTML fragments made by the functions below."""
    lines = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if subtitle:
        lines.append(f'<p class="note">{escape(subtitle)}</p>')
    lines.extend(sections)
    lines.append("</body></html>")
    return "\n".join(lines)


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def heading(text: str) -> str:
    return f"<h2>{escape(text)}</h2>"


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def table(header: Sequence[str], rows: Iterable[Sequence[Any]], flagged: Sequence[bool] | None = None) -> str:
    """A table; numbers are right-aligned and floats shown with 3 decimals, a flagged row is tinted."""
    out = ["<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>"]
    for index, row in enumerate(rows):
        tint = ' class="flag"' if flagged is not None and flagged[index] else ""
        out.append(f"<tr{tint}>" + "".join(_cell(value) for value in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return f"<td>{'' if value is None else ('是' if value else '否')}</td>"
    if isinstance(value, float):
        return f'<td class="num">{value:.3f}</td>'
    if isinstance(value, int):
        return f'<td class="num">{value}</td>'
    return f"<td>{escape(value)}</td>"


def new_figure(width: float = 7.0, height: float = 4.0) -> Figure:
    """A figure on the Agg backend (no display), with a CJK font when one is installed."""
    require_extra("report", "an HTML report")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    installed = {font.name for font in font_manager.fontManager.ttflist}
    chinese = [name for name in CJK_FONTS if name in installed]
    matplotlib.rcParams["font.sans-serif"] = [*chinese, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def has_cjk_font() -> bool:
    require_extra("report", "an HTML report")
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return any(name in installed for name in CJK_FONTS)


def png_data_uri(figure: Figure) -> str:
    """The figure as a PNG data URI, for an <img> that needs no file beside the page."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Glyph missing" where no CJK font is installed
        figure.savefig(buffer, format="png", bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def figure_html(figure: Figure, alt: str) -> str:
    """The figure as an <img> with a PNG data URI."""
    return f'<img alt="{escape(alt)}" src="{png_data_uri(figure)}">'
