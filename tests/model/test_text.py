import pytest

from jiesu.errors import InputTextError
from jiesu.model.text import ID_MASK, MAX_TEXT_CHARS, PHONE_MASK, normalise


def test_full_width_traditional_and_whitespace_are_normalised() -> None:
    result = normalise("ＡＢＣ１２３　我們這裡的暖氣不熱\n\n  請 處理")
    assert result.text == "ABC123 我们这里的暖气不热 请 处理"
    assert not result.truncated


def test_phone_and_id_numbers_are_masked() -> None:
    text = normalise("电话13812345678，座机010-65123456，身份证110105199001011234，另一个138****5678").text
    assert "13812345678" not in text and "65123456" not in text and "110105199001011234" not in text
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


def test_a_lone_surrogate_from_json_passes_through() -> None:
    assert normalise("暖气不热\ud800").text == "暖气不热\ud800"
