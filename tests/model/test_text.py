import csv
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from jiesu.errors import InputTextError
from jiesu.model import text as text_module
from jiesu.model.suggestion import SuggestionRequest
from jiesu.model.text import (
    ID_MASK,
    MAX_TEXT_CHARS,
    PHONE_MASK,
    check_text,
    holds_request,
    mask_contact_details,
    normalise,
)

# Texts with no request in them: emoji, zero-width or punctuation characters, symbols, a few Latin
# letters, a lone number.
NO_REQUEST = [
    "😀😀😀",
    "👍🏻\u200d👍",
    "\u200b\u200c\u2060",
    "\ufeff",
    "。。。！！？",
    "……",
    "★☆♡",
    "(*^_^*)",
    "asdf",
    "ok ok",
    "ＡＢＣ",
    "a b c d",
    "12345",
    " 13800138000 ",
    "110",
    "😀 123 ！",
]


def test_full_width_traditional_and_whitespace_are_normalised() -> None:
    result = normalise("ＡＢＣ１２３　我們這裡的暖氣不熱\n\n  請 處理")
    assert result.text == "ABC123 我们这里的暖气不热 请 处理"
    assert not result.truncated


def test_phone_and_id_numbers_are_masked() -> None:
    text = normalise("电话13812345678，座机010-65123456，身份证110105199001011234，另一个138****5678").text
    assert "13812345678" not in text
    assert "65123456" not in text
    assert "110105199001011234" not in text
    assert text.count(PHONE_MASK) == 3
    assert ID_MASK in text


def test_long_texts_are_cut_at_the_documented_limit() -> None:
    result = normalise("暖" * 100_000)
    assert result.truncated
    assert result.original_length == 100_000
    assert len(result.text) == MAX_TEXT_CHARS


@pytest.mark.parametrize("bad", ["", "   \n\t", None, 42, ["暖气"]])
def test_empty_and_non_string_inputs_are_refused(bad: object) -> None:
    with pytest.raises(InputTextError):
        normalise(bad)


def test_a_missing_text_is_named_as_missing_not_as_a_type() -> None:
    with pytest.raises(InputTextError, match="request has no text"):
        normalise(None)


def test_a_lone_surrogate_from_json_is_refused_with_its_position() -> None:
    # Valid JSON ("\\ud800") but not valid Unicode: no segmenter or database takes it.
    with pytest.raises(InputTextError, match="unpaired surrogate code point at position 4"):
        normalise("暖气不热\ud800")
    assert normalise("暖气不热😀").text == "暖气不热😀"  # a real astral character is fine


# The masking patterns in their plain form ("no digit before" as a leading lookbehind). The shipped ones
# are rewritten to start with a character, which is faster; they must find exactly the same numbers.
PLAIN_PATTERNS = {
    "_ID_CARD": r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[0-9Xx](?![0-9])",
    "_MOBILE": r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?[\d*xX]{4}){2}(?![0-9])",
    "_LANDLINE": r"(?<![0-9])(?:0\d{2,3}[- ]?)?[2-8]\d{3}[- ]?\d{4}(?![0-9])",
}


def _number_like_texts(count: int) -> list[str]:
    rng = random.Random(12345)
    starts = ["", "+", "8", "86", "+86", "0", "010", "1", "13", "138", "1381234", "2", "5", "9", "x"]
    texts = []
    for _ in range(count):
        body = "".join(rng.choice("0123456789*xX") for _ in range(rng.randint(0, 19)))
        texts.append(
            rng.choice(["", "1", "中", "+", "7"])
            + rng.choice(starts)
            + rng.choice(["", "-", " "])
            + body
            + rng.choice(["", "1", "x", "中"])
        )
        texts.append("".join(rng.choice("0123456789+-* xX861中") for _ in range(rng.randint(1, 30))))
    return [
        *texts,
        "电话13812345678，座机010-62345678，身份证110101199003071234",
        "+86 138-1234-5678 和 86-13812345678 和 0138123456789",
        "请拨打 12345 或 8620 1234",
    ]


@pytest.mark.parametrize("name", sorted(PLAIN_PATTERNS))
def test_fast_masking_patterns_match_exactly_what_the_plain_ones_match(name: str) -> None:
    fast: re.Pattern[str] = getattr(text_module, name)
    plain = re.compile(PLAIN_PATTERNS[name])
    for sample in _number_like_texts(4000):
        assert [m.span() for m in fast.finditer(sample)] == [m.span() for m in plain.finditer(sample)], sample


# --- numbers written in groups, in Chinese numerals, with a country code ------------------------------
_SEPARATORS = [" ", ".", "-", "/", "\u00a0", "\u2013", "\u2014", "\u200b", "．", "－", " - "]
_CHINESE = {
    "0": "零〇",
    "1": "一幺",
    "2": "二",
    "3": "三",
    "4": "四",
    "5": "五",
    "6": "六",
    "7": "七",
    "8": "八",
    "9": "九",
}
_FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _written(groups: list[str], separator: str, style: str, rng: random.Random) -> str:
    if style == "chinese":
        groups = ["".join(rng.choice(_CHINESE.get(ch, ch)) for ch in group) for group in groups]
    text = separator.join(groups)
    return text.translate(_FULL_WIDTH) if style == "full_width" else text


def _generated_numbers(count: int) -> list[tuple[str, str]]:
    """(text, mask): mobiles, landlines and ID numbers in the groupings people write them in."""
    rng = random.Random(2026)
    cases = []
    for _ in range(count):

        def digits(n: int) -> str:
            return "".join(rng.choice("0123456789") for _ in range(n))

        mobile = "1" + rng.choice("3456789") + digits(9)
        mobile_groups = rng.choice(
            [[mobile[:3], mobile[3:7], mobile[7:]], [mobile[:3], mobile[3:]], [mobile]]
        )
        prefix = rng.choice([[], ["+86"], ["0086"], ["86"]])
        local = rng.choice("2345678") + digits(rng.choice([6, 7]))
        area = rng.choice(["010", "021", "0736", "0746"])
        landline = [area, *([local[:4], local[4:]] if len(local) == 8 else [local])]
        birth = f"{rng.randint(1930, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        id_number = f"{rng.randint(110000, 659999)}{birth}{digits(3)}{rng.choice('0123456789X')}"
        id_groups = rng.choice(
            [
                [id_number[:6], id_number[6:14], id_number[14:]],
                [id_number[:6], *(id_number[i : i + 4] for i in (6, 10, 14))],
            ]
        )
        separator, style = rng.choice(_SEPARATORS), rng.choice(["ascii", "chinese", "full_width"])
        written_prefix = ("".join(prefix) + rng.choice(["", " ", "-"])) if prefix else ""
        cases.append((written_prefix + _written(mobile_groups, separator, style, rng), PHONE_MASK))
        cases.append((_written(landline, separator, style, rng), PHONE_MASK))
        if rng.random() < 0.3:
            cases.append((f"({area})" + _written(landline[1:], separator, style, rng), PHONE_MASK))
        cases.append((_written(id_groups, separator, style, rng), ID_MASK))
    return cases


@pytest.mark.parametrize(("number", "mask"), _generated_numbers(150))
def test_numbers_in_every_written_form_are_masked(number: str, mask: str) -> None:
    for context in ("{}", "我的电话是{}，请回电", "身份证{}。"):
        text = context.format(number)
        assert mask_contact_details(text) == context.format(f"〔{mask}〕"), text


@pytest.mark.parametrize(
    "text",
    [
        "一三八一二三四五六七八",
        "幺三八幺二三四五六七八",
        "138.1234.5678",
        "139–1234–5678",
        "139 1234 5678",
        "139\u00a01234\u00a05678",
        "139\u200b1234\u200b5678",
        "１３８１２３４５６７８",
        "+86 138 1234 5678",
        "008613812345678",
        "010-12345678",
        "(010)12345678",
        "（010）6512 3456",
        "0736-7898402",
        "+86 10 6512 3456",
    ],
)
def test_the_issues_phone_numbers_are_masked(text: str) -> None:
    assert mask_contact_details(f"电话{text}谢谢") == "电话〔电话号码〕谢谢"


@pytest.mark.parametrize("text", ["11010519900101123X", "110105 1990 0101 1234", "110105-19900101-123x"])
def test_id_numbers_in_groups_are_masked(text: str) -> None:
    assert mask_contact_details(f"身份证{text}。") == "身份证〔证件号码〕。"


@pytest.mark.parametrize(
    "text",
    [
        "2026年12月6日上午",
        "2026-12-06",
        "2026.12.06",
        "2026/12/06 13:45",
        "二〇二六年十二月六日",
        "欠薪3000元",
        "8:00-12:00",
        "3号楼2单元501",
        "12-3-1502室",
        "2016—2017学年",
        "(2011)1778号",
        "总分92.8890.4890.1",
        "邮编100020",
        "第一三八号",
        "1.5.2.0.3",
        "GB3096—2008",
    ],
)
def test_dates_amounts_times_and_house_numbers_are_not_masked(text: str) -> None:
    assert mask_contact_details(text) == text
    assert normalise(text).text == text


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_unit_category_and_other_reference_names_are_never_masked() -> None:
    # Decisions and event payloads are masked string by string for some keys: every unit name, unit
    # template, category, channel and word of the reference data must come through unchanged.
    resources = Path(text_module.__file__).parents[1] / "data" / "resources"
    names: set[str] = set()
    for path in resources.glob("*.json"):
        if path.name != "manifest.json":  # sha256 digests, not names
            names.update(_strings(json.loads(path.read_text(encoding="utf-8"))))
    with (resources / "aliases.csv").open(encoding="utf-8", newline="") as aliases:
        names.update(cell for row in csv.reader(aliases) for cell in row)
    assert len(names) > 1000
    assert [name for name in names if mask_contact_details(name) != name] == []


@pytest.mark.parametrize("text", NO_REQUEST)
def test_a_text_with_no_request_is_refused_with_a_clear_error(text: str) -> None:
    assert not holds_request(text)
    with pytest.raises(InputTextError, match="holds no request"):
        check_text(text)
    with pytest.raises(InputTextError, match="holds no request"):
        SuggestionRequest(text=text)
    # The models themselves still read such a text (a training row is not refused for it).
    assert normalise(text).original_length == len(text)


@pytest.mark.parametrize(
    "text",
    [
        "喂",
        "暖气不热😀",
        "😀😀 楼下太吵",
        "I need help please",
        "The heating is broken",
        "ཁྱིམ་ཚང",
        "110报警没人管",
    ],
)
def test_any_chinese_another_script_or_a_few_words_hold_a_request(text: str) -> None:
    assert holds_request(text)
    assert check_text(text) == text
