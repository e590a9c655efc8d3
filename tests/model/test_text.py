import random
import re

import pytest

from jiesu.errors import InputTextError
from jiesu.model import text as text_module
from jiesu.model.text import ID_MASK, MAX_TEXT_CHARS, PHONE_MASK, normalise


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
