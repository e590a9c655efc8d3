"""The length and register figures of `jiesu data check --compare` (jiesu.data.register)."""

import pytest

from jiesu.data.register import REGISTERS, format_comparison, profile_texts, registers_of, text_length


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("标题：小区停车难\n内容：我们小区车位太少，晚上回来没地方停。", {"title"}),
        ("【主题】路灯不亮\n【详情】楼下的路灯坏了一个月。", {"title"}),
        ("楼下饭馆油烟扰民\n每天晚上六点开始排油烟。\n窗户都不敢开。", {"title", "paragraphs"}),
        ("我家楼下的路灯坏了。\n一个月了没人修。", {"paragraphs"}),  # a sentence, not a title
        ("喂，您好，我想反映一下我们楼道里堆的东西。", {"spoken"}),
        ("那个……那个我就是想问问，能不能……能不能来看看。", {"spoken"}),
        ("我店在朝阳……不是，是丰台大红门那边。", {"spoken"}),
        ("我替我爸打的电话，他耳朵不好。", {"third_person"}),
        ("据北京晚报报道，这条路要拓宽。", {"third_person"}),
        ("尊敬的领导：我是一名退休教师。此致敬礼", {"letter"}),
        ("王局长：您好！我想反映一个问题。", {"letter"}),
        ("来电人称其小区暖气不热，要求供热公司检修。", {"operator"}),
        ("市民反映：其所在小区电梯停运三天。", {"operator"}),
        ("楼道里的灯坏了，请帮忙反映一下，谢谢。", set()),  # 帮忙反映 is the writer's own request
        ("如果不是，那就请有关部门说明理由。", set()),  # 不是， in a written sentence
        ("给孩子喂奶的时候楼上一直在装修。", set()),  # 喂 as a verb
    ],
)
def test_register_heuristics(text: str, expected: set[str]) -> None:
    matched = {key for key, hit in registers_of(text).items() if hit}
    assert matched == expected
    assert set(registers_of(text)) == {key for key, _ in REGISTERS}


def test_length_counts_characters_without_whitespace() -> None:
    assert text_length("标题：路灯\n内容： 不亮 ") == 10


def test_profile_figures() -> None:
    texts = ["喂养" + "字" * 98, "字" * 200, "字" * 201, "字" * 600]
    profile = profile_texts("fixture", texts)
    assert (profile.rows, profile.median, profile.mean) == (4, 200.5, 275.25)
    assert (profile.first_quartile, profile.third_quartile) == (175.0, 300.75)
    assert (profile.over_200, profile.over_500) == (0.5, 0.25)
    assert profile.registers["spoken"] == 0.0  # 喂养 opens no call
    assert profile_texts("one", ["喂，你好"]).median == 4.0


def test_a_profile_needs_texts() -> None:
    with pytest.raises(ValueError, match="no texts"):
        profile_texts("empty", [])


def test_comparison_puts_the_profiles_side_by_side() -> None:
    table = format_comparison(
        [profile_texts("ours", ["喂，你好"]), profile_texts("theirs", ["尊敬的领导：您好"])]
    )
    lines = table.splitlines()
    assert lines[1].split() == ["ours", "theirs"]
    assert "  median" in table
    letter = next(line for line in lines if line.startswith("  letter form"))
    assert letter.split()[-2:] == ["0.0%", "100.0%"]
    assert all(line == line.rstrip() for line in lines)
