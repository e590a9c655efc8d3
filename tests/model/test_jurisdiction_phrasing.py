"""The jurisdiction resolver on real phrasings that name more than one place: a person's home next to the
place of the matter (news style: 家住…的王女士在…), where someone comes from (我是辽宁朝阳的, 老家河北承德),
and the names of Beijing districts that are also places elsewhere (辽宁朝阳, 江苏南通通州)."""

from __future__ import annotations

import pytest

from jiesu.model.jurisdiction import JurisdictionResolver, default_resolver

Where = tuple[bool | None, str | None, str | None, str | None]  # in_beijing, region, district, street


@pytest.fixture(scope="module")
def resolver() -> JurisdictionResolver:
    return default_resolver()


def where(resolver: JurisdictionResolver, text: str) -> Where:
    found = resolver.resolve(text)
    for span in found.evidence:
        assert text[span.start : span.end] == span.text
    return (found.in_beijing, found.region, found.district, found.street)


BJ = "北京市"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A person introduced by their home (家住…的, 住在…的 + a person), then the place of the matter.
        (
            "家住北京市西城区的李昭(化名)曾为女儿报名位于丰台区草桥的游泳培训班，课程都是打包卖",
            (True, BJ, "丰台区", "新村街道"),
        ),
        (
            "家住海淀区的王女士在朝阳区三里屯的一家健身房办了卡，现在健身房跑路了",
            (True, BJ, "朝阳区", "三里屯街道"),
        ),
        (
            "住在东城区的张先生反映，他在位于大兴区旧宫的一家培训机构报了班，机构关门了",
            (True, BJ, "大兴区", "旧宫地区"),
        ),
        ("家住通州的刘先生在位于朝阳区的一家餐馆吃饭时食物中毒", (True, BJ, "朝阳区", None)),
        (
            "家住北京市朝阳区的李女士在西城区一家商场买了件羽绒服，质量有问题",
            (True, BJ, "西城区", None),
        ),
        (
            "家住丰台的老王说，他在昌平区回龙观的一家健身房办卡后健身房关门了",
            (True, BJ, "昌平区", "回龙观街道"),
        ),
        ("家住西城区的李女士在国贸一家商场买的羽绒服起球了", (True, BJ, "朝阳区", "建外街道")),
        ("家住海淀区的游客在故宫被黑导游骗了", (True, BJ, "东城区", "东华门街道")),
        ("家住朝阳区的王先生在燕郊买的期房烂尾了", (False, "河北省", None, None)),
        # The home alone still places the request: most callers complain about where they live.
        ("家住朝阳区京华豪园的多名业主致电本报，称业委会失联两年", (True, BJ, "朝阳区", None)),
        (
            "家住回龙观街道龙兴园西区的居民近日拨打12345市民热线，反映小区北门附近垃圾成堆",
            (True, BJ, "昌平区", "回龙观街道"),
        ),
        ("家住西城区的李女士反映，楼上漏水半个月了", (True, BJ, "西城区", None)),
        # The caller's own home is the place of the matter.
        ("我家住西城区，楼上漏水", (True, BJ, "西城区", None)),
        ("我住在朝阳区的一个老小区，楼上漏水", (True, BJ, "朝阳区", None)),
        (
            "我家住在朝阳区酒仙桥路东侧的一个老小区，对面工地夜里施工",
            (True, BJ, "朝阳区", "酒仙桥街道"),
        ),
        ("我是住在通州区的居民，每天去国贸上班，小区门口没有公交站", (True, BJ, "通州区", None)),
        ("位于丰台区草桥的游泳培训班跑路了", (True, BJ, "丰台区", "新村街道")),
    ],
)
def test_a_person_s_home_and_the_place_of_the_matter(
    resolver: JurisdictionResolver, text: str, expected: Where
) -> None:
    assert where(resolver, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我是老宣武区人，现在在朝阳区望京租房，房东不退押金", (True, BJ, "朝阳区", "望京街道")),
        ("我是西城区人，现在在朝阳区望京租房，房东不退押金", (True, BJ, "朝阳区", "望京街道")),
        ("我是房山张坊的，想把自家养的十几只羊卖到河北去", (True, BJ, "房山区", "张坊镇")),  # the only place
    ],
)
def test_a_beijing_place_said_as_who_the_caller_is_yields_to_the_place_of_the_matter(
    resolver: JurisdictionResolver, text: str, expected: Where
) -> None:
    assert where(resolver, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Where someone comes from, said beside Beijing: Beijing's, and not its homonym district.
        ("我是辽宁朝阳的，在北京打工，老板拖欠工资三个月了", (True, BJ, None, None)),
        ("我是山西大同的，在北京打工，工资被拖欠", (True, BJ, None, None)),
        ("我是河北人，想问在北京怎么办居住证", (True, BJ, None, None)),
        ("我是吉林通化的，在北京朝阳区一家饭店打工，老板不给工资", (True, BJ, "朝阳区", None)),
        ("老家河北承德的，在北京海淀上班，公司不交社保", (True, BJ, "海淀区", None)),
        ("我是河北廊坊人，在朝阳区望京上班，被公司拖欠工资", (True, BJ, "朝阳区", "望京街道")),
        # Origin only, or a hometown beside no Beijing place: the homonym is that province's, never Beijing's
        # district (a hometown can be the place of the matter: 老家在河北涞水，承包地被占了).
        ("我老家吉林朝阳的，在北京打工，工地不给结工钱", (False, "吉林省", None, None)),
        ("我是辽宁朝阳的，老板拖欠工资三个月了", (False, "辽宁省", None, None)),
        ("我是江苏南通通州人，想咨询一下社保转移", (False, "江苏省", None, None)),
        # The homonym's province named first; Beijing's district named again as where one lives.
        ("老家南通通州，住北京通州梨园，小区供暖不热", (True, BJ, "通州区", "梨园地区")),
        ("我是江苏南通通州人，现在住在通州区梨园，楼上漏水", (True, BJ, "通州区", "梨园地区")),
        ("我是辽宁朝阳人，现在住北京朝阳，楼上漏水好几天了", (True, BJ, "朝阳区", None)),
        # A Beijing district said as one's own is the caller's place.
        ("我是通州的，楼上漏水", (True, BJ, "通州区", None)),
        ("北京朝阳的，楼道堆物没人管", (True, BJ, "朝阳区", None)),
        ("户籍在河北，住在朝阳区望京，楼下烧烤油烟大", (True, BJ, "朝阳区", "望京街道")),
        # An outside home is still the place when it is where the matter is.
        ("我在北京打工，老家在河北涞水，承包地被占了", (False, "河北省", None, None)),
        ("我是燕郊的，小区暖气不热", (False, "河北省", None, None)),
        ("我住燕郊，每天到北京国贸上班，小区门口天天堵", (False, "河北省", None, None)),
        ("我在北京朝阳上班，家在燕郊，小区暖气不热", (False, "河北省", None, None)),
    ],
)
def test_where_someone_comes_from(resolver: JurisdictionResolver, text: str, expected: Where) -> None:
    assert where(resolver, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Merged in 2010: old pages still say so.
        ("这栋居民楼位于北京市崇文区西四块玉，二十多年没通暖气", (True, BJ, "东城区", None)),
        ("宣武区的居民楼暖气不热", (True, BJ, "西城区", None)),
        ("崇文门的居民楼暖气不热", (True, BJ, "东城区", "崇文门外街道")),
    ],
)
def test_former_district_names_are_today_s_districts(
    resolver: JurisdictionResolver, text: str, expected: Where
) -> None:
    assert where(resolver, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("西什库北大街的老菜市场撤了", (True, BJ, "西城区", "什刹海街道")),  # 北大街 is no 北大
        ("北大东门外的共享单车堆成山", (True, BJ, "海淀区", "燕园街道")),
    ],
)
def test_an_alias_inside_a_longer_street_name_is_no_place(
    resolver: JurisdictionResolver, text: str, expected: Where
) -> None:
    assert where(resolver, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("北京市海淀区中关村有人发小广告", (True, BJ, "海淀区", "中关村街道")),
        ("北京市朝阳区望京街道的路灯坏了", (True, BJ, "朝阳区", "望京街道")),
        ("从国贸打车回通州，多收了我三十块", (True, BJ, "朝阳区", "建外街道")),
        ("朝阳、海淀、东城几个办证大厅都约满了", (True, BJ, None, None)),
        ("我住在海淀区，单位在朝阳区，想问公积金在哪提", (True, BJ, "海淀区", None)),
        ("颐和园门口黑车拉客", (True, BJ, "海淀区", "青龙桥街道")),
    ],
)
def test_what_already_worked(resolver: JurisdictionResolver, text: str, expected: Where) -> None:
    assert where(resolver, text) == expected


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("这些人大多是外地来的，每天晚上在小区门口摆摊，噪音很大", None),  # 人 + 大多, no place
        ("那些人大都不戴口罩", None),
        ("人大附近的共享单车乱停，人行道都走不了", "海淀区"),
        ("人大东门外面的路灯坏了好几天了", "海淀区"),
    ],
)
def test_an_alias_that_ends_where_an_everyday_word_begins_is_no_place(
    text: str, district: str | None
) -> None:
    assert default_resolver().resolve(text).district == district


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A home said right after a person other than the caller, and the place of an office or a newsroom.
        ("本报记者家住朝阳区，昨天去房山区长阳镇采访时看到一处违建的汽修厂", (True, BJ, "房山区", "长阳镇")),
        (
            "本报位于东城区的编辑部接到读者电话，读者家住丰台区卢沟桥街道，楼道里电线私拉乱接",
            (True, BJ, "丰台区", "卢沟桥街道"),
        ),
        ("在位于西城区的市住建委，记者见到了来自延庆区康庄镇的村民", (True, BJ, "延庆区", "康庄镇")),
        # A former home, beside the home moved to.
        (
            "我原来住在昌平区回龙观，去年搬到了顺义区后沙峪，现在小区门口的路天天堵车",
            (True, BJ, "顺义区", "后沙峪地区"),
        ),
        ("我以前住在朝阳区，现在小区楼上漏水", (True, BJ, "朝阳区", None)),
        # Places listed side by side in different districts: an overview, not the place of the matter.
        (
            "家住朝阳区望京街道的居民反映车棚被物业出租，类似问题在海淀区、丰台区也时有发生",
            (True, BJ, "朝阳区", "望京街道"),
        ),
        ("朝阳、海淀、东城几个办证大厅", (True, BJ, None, None)),
        # Village words told after a Beijing village speak of it, not of the outside hometown.
        (
            "我老家是河北邯郸的，在北京通州区宋庄镇某村租地种菜，村委会收了租金不入账",
            (True, BJ, "通州区", "宋庄镇"),
        ),
        # The words a ticket names the requester by (其家住, 王女士家住) say the requester's own home, the
        # matter's place; an office building or a village committee after 位于 may be the matter's place;
        # a former home told as a property (原来住在…的房子) may be the matter's place.
        (
            "市民王女士来电反映：其家住朝阳区望京街道某小区，每天到海淀区上班，小区楼下的餐馆油烟扰民",
            (True, BJ, "朝阳区", "望京街道"),
        ),
        (
            "张先生家住通州区梨园镇某小区，他在朝阳区国贸上班，他反映小区今年供暖一直不热",
            (True, BJ, "通州区", "梨园地区"),
        ),
        (
            "我家住在海淀区，我上班的地方是位于朝阳区建外街道的办公楼，楼下餐厅油烟直排",
            (True, BJ, "朝阳区", "建外街道"),
        ),
        (
            "我住在朝阳区。位于大兴区魏善庄镇的某村民委员会私自把村里的公路挖断了",
            (True, BJ, "大兴区", "魏善庄镇"),
        ),
        (
            "我原来住在昌平区回龙观的房子一直没卖，现在我住东城区。回龙观那套房子楼上漏水",
            (True, BJ, "昌平区", "回龙观街道"),
        ),
    ],
)
def test_news_backgrounds_lists_and_village_words(
    resolver: JurisdictionResolver, text: str, expected: Where
) -> None:
    assert where(resolver, text) == expected
