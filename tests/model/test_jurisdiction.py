from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

from jiesu.data.corpus import load_seed_corpus
from jiesu.data.gazetteer import load_gazetteer
from jiesu.data.jurisdiction_words import load_jurisdiction_words
from jiesu.errors import ReferenceDataError
from jiesu.model.jurisdiction import (
    Candidate,
    Jurisdiction,
    JurisdictionResolver,
    Span,
    default_resolver,
)
from jiesu.model.literals import Literals
from jiesu.model.place_names import beijing_meanings
from jiesu.model.text import MAX_TEXT_CHARS


@pytest.fixture(scope="module")
def resolver() -> JurisdictionResolver:
    return default_resolver()


def assert_spans_point_into(text: str, result: Jurisdiction) -> None:
    for span in result.evidence:
        assert text[span.start : span.end] == span.text


# --- places named in the text ----------------------------------------------------------------------------


def test_landmark_alone_gives_district_and_street(resolver: JurisdictionResolver) -> None:
    text = "望京SOHO楼下的共享单车堆成山了，没人管"
    result = resolver.resolve(text)
    assert (result.in_beijing, result.region) == (True, "北京市")
    assert (result.district, result.street) == ("朝阳区", "望京街道")
    assert result.district_code == "110105"
    street = load_gazetteer().street("朝阳区", "望京街道")
    assert street is not None
    assert result.street_code == street.code
    assert result.source == "text"
    assert result.reason is None
    assert not result.ambiguous
    assert [span.text for span in result.evidence] == ["望京SOHO"]
    assert_spans_point_into(text, result)


@pytest.mark.parametrize(
    ("text", "district", "street"),
    [
        ("回龙观这边暖气不热", "昌平区", "回龙观街道"),
        ("我住天通苑东三区，电梯坏了", "昌平区", "天通苑北街道"),
        ("亦庄这边燃气费扣多了", "大兴区", "北京经济技术开发区"),
        ("方庄芳城园一区外墙被喷了小广告", "丰台区", "方庄地区"),
        ("五道口路口天天堵", "海淀区", "学院路街道"),
        ("西城区广外街道远见名苑小区内私家车长年乱停", "西城区", "广安门外街道"),
        ("推广外卖平台的优惠活动太坑了", None, None),  # no bare 广外 alias: 推广外卖, 广外 (a university)
    ],
)
def test_aliases_and_street_shorts(
    resolver: JurisdictionResolver, text: str, district: str | None, street: str | None
) -> None:
    result = resolver.resolve(text)
    assert (result.district, result.street) == (district, street)


def test_official_names_street_and_community(resolver: JurisdictionResolver) -> None:
    text = "来电人反映：朝阳区左家庄街道曙光里社区，大树被刮断了"
    result = resolver.resolve(text)
    assert (result.district, result.street, result.community) == ("朝阳区", "左家庄街道", "曙光里社区")
    assert [span.text for span in result.evidence] == ["朝阳区", "左家庄街道", "曙光里社区"]
    assert result.confidence > 0.9


def test_old_township_name_of_an_area_street(resolver: JurisdictionResolver) -> None:
    # 上庄地区 was 上庄镇, which is also a township in Hebei: the Beijing district settles it.
    result = resolver.resolve("海淀区上庄镇西边有家锅炉房冒黑烟")
    assert (result.in_beijing, result.district, result.street) == (True, "海淀区", "上庄地区")


def test_short_district_name(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("我们怀柔庙城的，村里选举有人送钱")
    assert (result.district, result.street) == ("怀柔区", "庙城地区")


@pytest.mark.parametrize(
    "text", ["大兴土木，到处在拆", "东城根下有个小摊", "西城墙边上很脏", "亦庄线地铁扣了两次钱"]
)
def test_short_names_inside_other_words_are_no_place(resolver: JurisdictionResolver, text: str) -> None:
    assert resolver.resolve(text).district is None


def test_a_building_or_school_named_after_an_outside_place_is_no_outside_place(
    resolver: JurisdictionResolver,
) -> None:
    school = resolver.resolve("针对垡头华侨城配套小学一事，开发商建成后开办了黄冈中学。")
    assert (school.district, school.street) == ("朝阳区", "垡头街道")
    building = resolver.resolve("我在新疆大厦门口打车被拒载")
    assert building.in_beijing is not False  # a Beijing building, not Xinjiang
    assert resolver.resolve("我老家在黄冈，想问社保怎么转").in_beijing is False  # the city itself still is
    # Counties and towns around Beijing do not lend their names to Beijing's buildings: 燕郊中学 is in 燕郊.
    assert resolver.resolve("燕郊中学乱收费，孩子在那上学").region == "河北省"
    assert resolver.resolve("我在涿州酒店打工，老板拖欠工资").region == "河北省"


def test_beijing_names_in_an_outside_address_are_that_places(resolver: JurisdictionResolver) -> None:
    # 百泉 is also a street of 延庆区; here it follows 辉县市, and its later mention is the same town.
    village = resolver.resolve("辉县市百泉镇张雷村村民反映，他们曾向百泉镇纪委举报村支书")
    assert (village.in_beijing, village.region, village.district) == (False, "河南省", None)
    again = resolver.resolve("辉县市百泉镇张雷村村民反映，我家住百泉镇，村里土地被占")
    assert again.region == "河南省"  # an address word alone does not make it Beijing's
    home = resolver.resolve("老家河北燕郊，现在我住朝阳区双井")  # not adjacent: Beijing still counts
    assert (home.district, home.street) == ("朝阳区", "双井街道")


@pytest.mark.parametrize(
    ("text", "district", "street"),
    [
        ("我是辽宁朝阳人，现在住北京朝阳，楼上漏水好几天了", "朝阳区", None),
        ("我老家是辽宁朝阳的，现在住在朝阳望京，小区物业不管事", "朝阳区", "望京街道"),
        ("辽宁朝阳的亲戚来北京看病，在朝阳医院挂不上号", "朝阳区", None),
        ("我老家江苏南通通州的，现在住在北京通州梨园，小区供暖不热", "通州区", "梨园地区"),
    ],
)
def test_a_district_name_in_an_outside_address_does_not_claim_beijing_s(
    resolver: JurisdictionResolver, text: str, district: str, street: str | None
) -> None:
    found = resolver.resolve(text)
    assert (found.in_beijing, found.district, found.street) == (True, district, street)


def test_everyday_street_short_needs_a_place_word(resolver: JurisdictionResolver) -> None:
    assert resolver.resolve("我家住的是平房，漏雨").reason == "no_place_found"
    result = resolver.resolve("朝阳平房这边有人倒渣土")
    assert (result.district, result.street) == ("朝阳区", "平房地区")


# --- colliding names -------------------------------------------------------------------------------------


def test_colliding_street_name_alone_is_ambiguous(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("八里庄那边路灯不亮")
    assert result.ambiguous
    assert result.reason == "ambiguous"
    assert (result.in_beijing, result.region) == (True, "北京市")
    assert (result.district, result.street, result.district_code) == (None, None, None)
    top = {(c.district, c.street) for c in result.candidates[:2]}
    assert top == {("朝阳区", "八里庄街道"), ("海淀区", "八里庄街道")}
    assert result.candidates[0].score >= result.candidates[-1].score
    assert result.confidence < 0.5
    assert [span.text for span in result.evidence] == ["八里庄"]


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("海淀八里庄那边路灯不亮", "海淀区"),
        ("八里庄那边路灯不亮，朝阳区的", "朝阳区"),
        ("我住八里庄，挨着北京肿瘤医院", "海淀区"),
    ],
)
def test_colliding_name_resolved_by_context(resolver: JurisdictionResolver, text: str, district: str) -> None:
    result = resolver.resolve(text)
    assert not result.ambiguous
    assert (result.district, result.street) == (district, "八里庄街道")


def test_districts_listed_side_by_side_are_ambiguous(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("朝阳、海淀、东城几个办证大厅都约满了")
    assert result.ambiguous
    assert result.district is None
    assert {c.district for c in result.candidates} == {"朝阳区", "海淀区", "东城区"}


def test_first_place_named_wins_a_close_call(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("从国贸打车回通州，多收了我三十块")
    assert (result.district, result.street) == ("朝阳区", "建外街道")
    assert not result.ambiguous
    assert result.confidence < 0.8


# --- contradictions --------------------------------------------------------------------------------------


def test_explicit_district_beats_a_street_of_another_district(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("海淀区望京这边有人乱贴小广告")
    assert (result.district, result.street) == ("海淀区", None)
    assert [span.text for span in result.evidence] == ["海淀区"]
    assert Candidate("朝阳区", "望京街道", result.candidates[1].score) in result.candidates


def test_explicit_district_beats_a_landmark_elsewhere(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("丰台区，就在望京SOHO那种写字楼里")
    assert result.district == "丰台区"
    assert result.street is None


def test_street_always_lies_in_the_district(resolver: JurisdictionResolver) -> None:
    gazetteer = load_gazetteer()
    corpus = load_seed_corpus(split="dev")
    for text in corpus["text"]:
        result = resolver.resolve(text)
        if result.street is not None:
            assert result.district is not None
            assert gazetteer.has_street(result.district, result.street)
        if result.community is not None:
            assert any(
                c.street == result.street and c.district == result.district
                for c in gazetteer.communities_by_name[result.community]
            )
        assert_spans_point_into(text, result)


# --- the caller's district -------------------------------------------------------------------------------


def test_caller_district_used_when_the_text_names_no_place(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("楼上装修太吵了", caller_district="朝阳")
    assert (result.in_beijing, result.district, result.district_code) == (True, "朝阳区", "110105")
    assert result.street is None
    assert (result.source, result.reason) == ("caller", "caller_hint_only")
    assert result.evidence == []


def test_caller_district_never_overrides_the_text(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("海淀区清河这边楼上装修太吵了", caller_district="朝阳区")
    assert (result.district, result.source, result.reason) == ("海淀区", "text", None)


def test_caller_district_breaks_a_tie(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("八里庄那边路灯不亮", caller_district="海淀区")
    assert (result.district, result.street, result.ambiguous) == ("海淀区", "八里庄街道", False)
    assert result.source == "text"


def test_caller_district_does_not_move_an_outside_request(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("我家在燕郊，小区停水了", caller_district="通州")
    assert (result.in_beijing, result.region, result.district) == (False, "河北省", None)


# --- famous places: Beijing, unless the text says otherwise ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "district", "street"),
    [
        ("昆明湖的冰面上有人滑野冰，太危险了", "海淀区", "青龙桥街道"),
        ("颐和园门口黑车拉客", "海淀区", "青龙桥街道"),
        ("奥森跑道坑坑洼洼", "朝阳区", "奥运村街道"),
        ("奥林匹克森林公园南门乱停车", "朝阳区", "奥运村街道"),
        ("798艺术区附近晚上噪音大", "朝阳区", "酒仙桥街道"),
        ("周末去798看展，门口乱收停车费", "朝阳区", "酒仙桥街道"),
        ("南锣鼓巷人挤人", "东城区", "交道口街道"),
        ("什刹海有人野泳", "西城区", "什刹海街道"),
        ("北海公园划船收费不透明", "西城区", "什刹海街道"),
        ("三里屯酒吧噪音", "朝阳区", "三里屯街道"),
        ("王府井有人拉客", "东城区", "东华门街道"),
        ("国贸桥下天天堵车", "朝阳区", "建外街道"),
        ("中关村有人发小广告", "海淀区", "中关村街道"),
        ("天坛里有人遛狗不拴绳", "东城区", "天坛街道"),
        ("故宫门票预约太难", "东城区", "东华门街道"),
        ("天安门城楼附近有人兜售假门票", "东城区", "东华门街道"),
    ],
)
def test_famous_places_are_in_beijing(
    resolver: JurisdictionResolver, text: str, district: str, street: str
) -> None:
    result = resolver.resolve(text)
    assert (result.in_beijing, result.district, result.street) == (True, district, street)
    assert_spans_point_into(text, result)


def test_a_famous_place_is_elsewhere_when_the_text_says_so(resolver: JurisdictionResolver) -> None:
    assert resolver.resolve("云南昆明湖边的餐馆宰客").region == "云南省"  # 昆明湖 alone is 颐和园's
    assert resolver.resolve("我在昆明旅游，被导游强制购物").region == "云南省"


@pytest.mark.parametrize(
    "text",
    [
        "我的电话13907981234，楼下噪音太大",  # 798 inside a mobile number
        "联系电话13907511234",  # 751
        "回电139-0798-1234",
        "回电139 798 1234",
        "账号7981还没到账",
        "这件衣服花了798元",
        "坐798路公交",
        "房间号751漏水",
        "第798期彩票",
    ],
)
def test_digits_of_a_number_are_no_landmark(resolver: JurisdictionResolver, text: str) -> None:
    result = resolver.resolve(text)
    assert result.district is None
    assert result.evidence == []


@pytest.mark.parametrize("caller", ["浦东", "朝阳市", ""])
def test_unknown_caller_district_is_an_error(resolver: JurisdictionResolver, caller: str) -> None:
    with pytest.raises(ValueError, match="not a Beijing district"):
        resolver.resolve("楼上装修太吵了", caller_district=caller)


# --- outside Beijing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("我住燕郊，楼下烧烤店油烟太大", "河北省"),
        ("来电人在天津武清区的小区买了房，一直临时供水", "天津市"),
        ("天津武清的厂子拖欠工资", "天津市"),
        ("我父母住在廊坊广阳区，污水井冒水", "河北省"),
        ("本人户籍北京，现在滨海新区居住，工厂噪声扰民", "天津市"),
        ("我在北京朝阳上班，家在燕郊，小区暖气不热", "河北省"),
        ("我在北京打工，老家在河北涞水，承包地被占了", "河北省"),
        ("我老家在山东菏泽，村里修路占了我家地", "山东省"),
        ("我在固安买的期房烂尾了", "河北省"),
    ],
)
def test_places_outside_beijing(resolver: JurisdictionResolver, text: str, region: str) -> None:
    result = resolver.resolve(text)
    assert (result.in_beijing, result.region, result.district, result.street) == (False, region, None, None)
    assert result.reason == "outside_beijing"
    assert result.evidence
    assert_spans_point_into(text, result)


def test_beijing_home_beats_an_outside_workplace(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("我在天津上班，住在朝阳区望京，小区门口总有人摆摊")
    assert (result.in_beijing, result.district, result.street) == (True, "朝阳区", "望京街道")


@pytest.mark.parametrize(
    "text",
    [
        "长安街上的护栏被撞坏了",  # 长安 is also a district of 石家庄
        "中山公园门口有人拉客",
        "我问问回迁安置房什么时候交",  # 迁安 is a city of 河北
        "我单位是一家民营口腔诊所",  # 营口 is a city of 辽宁
        "新楼挡了我家的日照",
    ],
)
def test_outside_names_inside_beijing_words_are_ignored(resolver: JurisdictionResolver, text: str) -> None:
    assert resolver.resolve(text).in_beijing is not False


@pytest.mark.parametrize(
    "text",
    [
        "能不能把社区卫生服务站也弄成医保定点的",  # 保定 is a city of 河北
        "买了某品牌复合肥20袋，都是假的",  # 合肥 is a city of 安徽
        "他把我微信都拉黑了",
        "商品已经开封了，商家不给退",
    ],
)
def test_outside_names_glued_into_words(resolver: JurisdictionResolver, text: str) -> None:
    assert resolver.resolve(text).reason == "no_place_found"


def test_outside_name_next_to_a_word_is_still_a_place(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("京哈高速香河段，我们车被追尾了")
    assert (result.in_beijing, result.region) == (False, "河北省")


@pytest.mark.parametrize(
    "text", ["我去找人大代表反映过", "全国人大常委会出台了新规定", "他们在行政区划调整后"]
)
def test_beijing_names_inside_everyday_words_are_no_place(resolver: JurisdictionResolver, text: str) -> None:
    assert resolver.resolve(text).reason == "no_place_found"


def test_where_someone_comes_from_is_not_the_place(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("我是台湾来的，在三里屯太古里旁边一个公司上班，公司不给交社保")
    assert (result.in_beijing, result.district, result.street) == (True, "朝阳区", "三里屯街道")
    result = resolver.resolve("请问香港居民在北京可以接种流感疫苗吗")
    assert (result.in_beijing, result.region, result.reason) == (True, "北京市", "no_district")


# --- little or no place ----------------------------------------------------------------------------------


def test_beijing_alone(resolver: JurisdictionResolver) -> None:
    text = "北京的公园65岁以上老人门票有优惠吗"
    result = resolver.resolve(text)
    assert (result.in_beijing, result.region, result.district) == (True, "北京市", None)
    assert (result.reason, result.source) == ("no_district", "text")
    assert result.evidence == [Span("北京", 0, 2)]


def test_no_place(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("对信访答复意见不服，申请复查的期限是多少天？")
    assert (result.in_beijing, result.region, result.district) == (None, None, None)
    assert (result.source, result.reason, result.confidence) == ("none", "no_place_found", 0.0)
    assert result.evidence == []
    assert result.candidates == []
    assert not result.ambiguous


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_an_error(resolver: JurisdictionResolver, text: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        resolver.resolve(text)


def test_non_string_is_an_error(resolver: JurisdictionResolver) -> None:
    with pytest.raises(ValueError, match="must be a string"):
        resolver.resolve(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="has no text"):
        resolver.resolve(None)  # type: ignore[arg-type]


def test_very_long_text(resolver: JurisdictionResolver) -> None:
    text = "海淀区中关村大街边上，" + "楼上装修一直很吵，" * 11_200
    text = text[:100_000]
    assert len(text) == 100_000
    result = resolver.resolve(text)
    assert result.district == "海淀区"
    assert_spans_point_into(text, result)
    # Only the first MAX_TEXT_CHARS characters are read: a place named after them is not seen.
    late = "楼" * MAX_TEXT_CHARS + "朝阳区望京"
    assert resolver.resolve(late).reason == "no_place_found"


def test_many_mentions_keep_evidence_short(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("朝阳区望京，" * 2000)
    assert result.district == "朝阳区"
    assert 0 < len(result.evidence) <= 20


# --- offsets and output ----------------------------------------------------------------------------------


def test_traditional_and_full_width_text_keeps_original_offsets(resolver: JurisdictionResolver) -> None:
    text = "您好，我們住在朝陽區望京ＳＯＨＯ旁邊"
    result = resolver.resolve(text)
    assert (result.district, result.street) == ("朝阳区", "望京街道")
    assert result.evidence == [Span("朝陽區", 7, 10), Span("望京ＳＯＨＯ", 10, 16)]
    assert_spans_point_into(text, result)


def test_evidence_offsets_with_text_before_the_place(resolver: JurisdictionResolver) -> None:
    text = "喂，您好，我跟你说，我们这个小区在通州梨园云景里，停水了"
    result = resolver.resolve(text)
    assert (result.district, result.street, result.community) == ("通州区", "梨园地区", "云景里社区")
    (span,) = result.evidence
    assert span == Span("通州梨园云景里", text.index("通州"), text.index("通州") + 7)


def test_ambiguous_place_keeps_its_evidence_and_every_candidate(resolver: JurisdictionResolver) -> None:
    result = resolver.resolve("八里庄那边路灯不亮")
    assert result.evidence == [Span("八里庄", 0, 3)]
    assert result.ambiguous
    assert len({(c.district, c.street) for c in result.candidates}) == len(result.candidates) > 1


def test_confidence_is_a_probability(resolver: JurisdictionResolver) -> None:
    for text in ["朝阳区望京街道花家地西里", "望京", "八里庄", "燕郊", "北京", "无关的话"]:
        assert 0.0 <= resolver.resolve(text).confidence <= 1.0


def test_default_resolver_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from jiesu.model import jurisdiction

    first = default_resolver().resolve("朝阳区望京街道小区暖气不热")

    def rebuild(*_: object) -> NoReturn:
        raise AssertionError("default_resolver built its resolver again")

    # Later calls build nothing: neither the gazetteer nor the resolver (~1.5 s) is made again.
    monkeypatch.setattr(jurisdiction, "JurisdictionResolver", rebuild)
    monkeypatch.setattr(jurisdiction, "load_gazetteer", rebuild)
    again = default_resolver().resolve("朝阳区望京街道小区暖气不热")
    assert (again.district, again.street) == ("朝阳区", "望京街道")
    assert again == first


# --- the scan itself ---------------------------------------------------------------------------------------


def _reference(names: Literals[object]) -> Callable[[str], list[tuple[int, object]]]:
    """pyahocorasick's leftmost-longest scan over the same names: the reference the scan must agree with."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for string, value in zip(names.strings, names.values, strict=True):
        automaton.add_word(string, value)
    automaton.make_automaton()
    return lambda text: list(automaton.iter_long(text))


def test_longest_matches_are_those_of_iter_long() -> None:
    from dataclasses import dataclass

    from jiesu.model import place_names

    @dataclass(frozen=True)
    class Word:
        length: int

    names: Literals[object] = Literals(
        (
            (word, Word(len(word)))
            for word in ["八里", "八里庄", "里庄村", "庄村", "朝阳", "朝阳区", "阳区", "区"]
        ),
        longest=True,
    )
    texts = [
        "八里庄村朝阳区",
        "八里里庄村",
        "朝阳阳区区",
        "区八里庄",
        "没有地名",
        "八里庄村八里庄村区",
        "😀朝阳区",
    ]
    iter_long = _reference(names)
    for text in texts:
        assert place_names.longest_matches(names, text) == iter_long(text), text  # type: ignore[arg-type]


def test_the_resolver_scan_finds_what_iter_long_finds_on_the_seed_corpus(
    resolver: JurisdictionResolver,
) -> None:
    from jiesu.model import place_names
    from jiesu.model.text import translate_code_points

    names = resolver._automaton
    iter_long = _reference(names)  # type: ignore[arg-type]
    for row in load_seed_corpus(split="test").to_list():
        folded = translate_code_points(row["text"], resolver._scan_codes)
        assert place_names.longest_matches(names, folded) == iter_long(folded)


# --- the jieba dictionary it reads -----------------------------------------------------------------------


def test_the_resolver_reads_the_dictionary_it_is_given(tmp_path: Path) -> None:
    # 人大 (an alias of 中国人民大学) hides in 人大代表 only because jieba's dictionary has that word.
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("代表 5000 n\n", encoding="utf-8")
    bare = JurisdictionResolver(load_gazetteer(), dictionary=dictionary)
    assert bare.resolve("我去找人大代表反映过").district == "海淀区"
    assert default_resolver().resolve("我去找人大代表反映过").reason == "no_place_found"


def test_resolvers_are_shared_by_dictionary_content(tmp_path: Path) -> None:
    from jiesu.model.place_names import installed_dictionary

    installed = installed_dictionary()
    assert installed is not None
    copy = tmp_path / "jieba_dict.txt"
    shutil.copyfile(installed, copy)
    assert default_resolver(copy) is default_resolver()


@pytest.mark.parametrize("former", [{"崇文区": "崇文县"}, {"东城区": "西城区"}])
def test_a_former_district_must_be_out_of_use_and_point_to_a_district(former: dict[str, str]) -> None:
    words = load_jurisdiction_words().model_copy(update={"former_districts": former})
    with pytest.raises(ReferenceDataError, match="former district"):
        beijing_meanings(load_gazetteer(), words)
