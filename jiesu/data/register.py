"""How texts are written: length and register figures, for `jiesu data check --compare FILE`, which
prints them for the seed corpus next to the same figures for a real file.

Length is counted in characters without whitespace (the raw Teddy Cup file has its whitespace removed).

The register figures are shares of rows that match a heuristic; a row may match several or none:

- **title**: a title line or a title + body form: the text starts with a title marker (标题：, 主题：,
  【主题】, 题目：, any 【…】 heading), or its first line is at most 40 characters, does not end a sentence
  (。！？) and is followed by another line. A title glued to its body with no line break (as in the raw
  Teddy Cup file, where whitespace was removed) is not seen.
- **paragraphs**: several paragraphs: two or more non-empty lines after the title line (if any). Needs
  line breaks, so it reads 0 on a file whose whitespace was removed.
- **spoken**: spoken transcript markers: 喂 at the start (not 喂养) or before punctuation, 嗯, 呃, 那个 or a
  clause-initial 就是 followed by a pause (，…), a self-correction (……不是，/，不对，), a word repeated across
  a pause (能不能……能不能), 我跟你说, 听得见吗. (A plain …… is not counted: letters use it too.)
- **third_person**: third-person or reposted: 网友, 据…报道, 转发自/转载自/转帖, 看到…帖子/报道, 听邻居说,
  邻居反映, 委托我, 诉求人, or a call or message on someone's behalf (替我爸打的, 帮我妈问, 代朋友反映);
  帮忙反映 (first person) is not.
- **letter**: letter form: 尊敬的, 此致, 敬礼, an official addressed (书记/市长/局长/领导 + 您好/：), 各位领导,
  恳请…领导.
- **operator**: a call-taker's summary (the 12345 ticket register): starts with 来电人/市民来电/市民反映, or
  says 来电人称/表示/反映/咨询/要求.

They are regular expressions, not a classifier: read them as "how often does this corpus look like that
file", not as counts of true registers.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

TITLE_MARKER = re.compile(r"^\s*(【[^】\n]{1,20}】|(标题|主题|题目)\s*[:：])")
TITLE_LINE_MAX = 40
SENTENCE_END = tuple("。！？!?")
SPOKEN = re.compile(
    r"^\s*喂(?![养食奶药])|喂[，,。！!？?…\s喂]|嗯|呃|那个[，,…]|(?:^|[，,。…])就是[，,…]|(?:……|，)(?:不是|不对)[，,]"
    r"|(?P<said>.{2,3})……(?P=said)|我跟你说|你听我说|听得见吗"
)
_KIN = "父亲|母亲|爸|妈|爷爷|奶奶|姐|哥|弟|妹|老人|老公|老婆|爱人|丈夫|妻子|儿子|女儿|孩子|家人|朋友|亲戚|邻居|同事|工友"
THIRD_PERSON = re.compile(
    r"网友|据.{0,15}报道|转[发载]自|转帖|看到.{0,8}(帖子|报道|朋友圈)|听邻居说|邻居们?反映|委托我|诉求人"
    rf"|[替代帮](我|我们)?家?({_KIN}).{{0,6}}(反映|打的|打电话|问|咨询|投诉)"
)
LETTER = re.compile(
    r"尊敬的|此致|敬礼|各位领导|恳请.{0,8}领导|(书记|市长|区长|县长|厅长|局长|主任|领导)(您好|你好|好|[：:])"
)
OPERATOR = re.compile(r"^\s*(来电人|来电市民|市民来电|市民反映)|来电人(称|表示|反映|咨询|要求)")

# (key, label in the report)
REGISTERS: tuple[tuple[str, str], ...] = (
    ("title", "title line / title + body"),
    ("paragraphs", "several paragraphs"),
    ("spoken", "spoken transcript (喂/嗯/那个…)"),
    ("third_person", "third person or reposted"),
    ("letter", "letter form (尊敬的/领导/此致)"),
    ("operator", "call-taker summary (来电人称)"),
)


def text_length(text: str) -> int:
    """Characters without whitespace."""
    return sum(not char.isspace() for char in text)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def has_title(text: str) -> bool:
    if TITLE_MARKER.match(text):
        return True
    lines = _lines(text)
    return len(lines) >= 2 and len(lines[0]) <= TITLE_LINE_MAX and not lines[0].endswith(SENTENCE_END)


def has_paragraphs(text: str) -> bool:
    lines = _lines(text)
    body = lines[1:] if has_title(text) and len(lines) >= 2 else lines
    return len(body) >= 2


def registers_of(text: str) -> dict[str, bool]:
    """Which register heuristics (REGISTERS) the text matches."""
    return {
        "title": has_title(text),
        "paragraphs": has_paragraphs(text),
        "spoken": bool(SPOKEN.search(text)),
        "third_person": bool(THIRD_PERSON.search(text)),
        "letter": bool(LETTER.search(text)),
        "operator": bool(OPERATOR.search(text)),
    }


@dataclass(frozen=True)
class TextProfile:
    name: str
    rows: int
    median: float
    mean: float
    first_quartile: float
    third_quartile: float
    over_200: float  # share of rows longer than 200 characters
    over_500: float
    registers: dict[str, float]  # register key → share of rows


def profile_texts(name: str, texts: Sequence[str]) -> TextProfile:
    """Length and register figures of `texts` (at least one)."""
    if not texts:
        raise ValueError(f"{name}: no texts to profile")
    lengths = [float(text_length(text)) for text in texts]
    # quantiles() needs two points; one text is its own median and quartiles.
    first, median, third = (
        lengths * 3 if len(lengths) == 1 else statistics.quantiles(lengths, n=4, method="inclusive")
    )
    matched = [registers_of(text) for text in texts]
    total = len(texts)
    return TextProfile(
        name=name,
        rows=total,
        median=median,
        mean=statistics.fmean(lengths),
        first_quartile=first,
        third_quartile=third,
        over_200=sum(length > 200 for length in lengths) / total,
        over_500=sum(length > 500 for length in lengths) / total,
        registers={key: sum(row[key] for row in matched) / total for key, _ in REGISTERS},
    )


def format_comparison(profiles: Sequence[TextProfile]) -> str:
    """The profiles side by side: one column each."""
    rows: list[tuple[str, list[str]]] = [
        ("rows", [f"{p.rows:,}" for p in profiles]),
        ("length (characters, no whitespace)", ["" for _ in profiles]),
        ("  median", [f"{p.median:.0f}" for p in profiles]),
        ("  mean", [f"{p.mean:.0f}" for p in profiles]),
        ("  first quartile", [f"{p.first_quartile:.0f}" for p in profiles]),
        ("  third quartile", [f"{p.third_quartile:.0f}" for p in profiles]),
        ("  over 200 characters", [f"{p.over_200:.1%}" for p in profiles]),
        ("  over 500 characters", [f"{p.over_500:.1%}" for p in profiles]),
        ("register (share of rows, heuristics)", ["" for _ in profiles]),
    ]
    rows += [(f"  {label}", [f"{p.registers[key]:.1%}" for p in profiles]) for key, label in REGISTERS]
    label_width = max(_width(label) for label, _ in rows)
    widths = [max(_width(p.name), *(_width(cells[i]) for _, cells in rows)) for i, p in enumerate(profiles)]
    lines = [
        "length and register (jiesu/data/register.py defines the heuristics):",
        _pad("", label_width)
        + "".join("  " + _pad(p.name, w, right=True) for p, w in zip(profiles, widths, strict=True)),
    ]
    for label, cells in rows:
        lines.append(
            (
                _pad(label, label_width)
                + "".join("  " + _pad(cell, w, right=True) for cell, w in zip(cells, widths, strict=True))
            ).rstrip()
        )
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns on a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill
