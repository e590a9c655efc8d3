import pytest

from jiesu.data.catalogue import load_catalogue
from jiesu.data.taxonomy import load_taxonomy
from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.model.router import Router


def router() -> Router:
    return Router(load_catalogue(), load_workflow_settings())


def test_street_level_units_copy_the_district_government() -> None:
    result = router().route("违法建设", "楼顶私搭乱建", "朝阳区", "望京街道", "北京市", True)
    assert result.route is not None
    assert (result.route.unit, result.route.unit_type) == ("朝阳区望京街道办事处", "street")
    assert result.route.copy_to == ["朝阳区人民政府"]
    assert result.route.deadline_hours == 168
    assert result.problems == []


def test_townships_get_their_government_and_utilities_the_24_hour_tier() -> None:
    township = router().route("违法建设", "私搭乱建", "昌平区", "小汤山镇", "北京市", True).route
    assert township is not None
    assert township.unit == "昌平区小汤山镇人民政府"
    heating = router().route("供暖", "暖气不热", "朝阳区", "望京街道", "北京市", True).route
    assert heating is not None
    assert (heating.unit, heating.deadline_tier, heating.deadline_hours) == ("北京市热力集团", "utility", 24)


def test_keyword_conditions_pick_a_more_specific_rule() -> None:
    plain = router().route("停车管理", "小区里车位不够", "海淀区", "上地街道", "北京市", True).route
    illegal = router().route("停车管理", "路边违停堵门", "海淀区", "上地街道", "北京市", True).route
    assert plain is not None
    assert illegal is not None
    assert plain.unit == "海淀区上地街道办事处"
    assert illegal.unit == "北京市公安局公安交通管理局海淀区交通支队"
    assert illegal.rule_id != plain.rule_id


def test_public_school_teachers_conditions_go_to_the_education_commission() -> None:
    # Recruitment, titles and pay of public-school teachers are the education commission's (教师队伍与待遇),
    # not the labour bureau's; the labour bureau keeps 欠薪 (the router's side only: the category is the model's).
    placed = router().route(
        "教师队伍与待遇", "小学高级职称名额分配不公开", "海淀区", "清河街道", "北京市", True
    )
    assert placed.route is not None
    assert (placed.route.unit, placed.route.unit_type) == ("海淀区教育委员会", "district_department")
    university = (
        router().route("教师队伍与待遇", "高校青年教师职称评审", "海淀区", None, "北京市", True).route
    )
    assert university is not None
    assert university.unit == "北京市教育委员会"
    for text in ("2015年高校毕业后考进来的小学老师评职称", "我是小学合同制老师，爱人是大学老师"):
        school = router().route("教师队伍与待遇", text, "海淀区", "清河街道", "北京市", True).route
        assert school is not None
        assert school.unit == "海淀区教育委员会", text  # a university named in passing is no university post
    placeless = router().route("教师队伍与待遇", "合同制教师入编通道", None, None, None, None)
    assert placeless.route is not None
    assert placeless.route.unit == "北京市教育委员会"
    assert placeless.problems == ["no_jurisdiction"]  # a district's duty: a person finds the place
    wages = router().route("欠薪", "培训机构拖欠老师工资", "海淀区", "清河街道", "北京市", True).route
    assert wages is not None
    assert wages.unit == "海淀区人力资源和社会保障局"


def test_district_known_street_unknown_goes_to_the_district_government() -> None:
    result = router().route("违法建设", "私搭乱建", "海淀区", None, "北京市", True).route
    assert result is not None
    assert (result.unit, result.unit_type) == ("海淀区人民政府", "district_government")


@pytest.mark.parametrize(
    ("category", "text", "unit"),
    [
        ("社会保险", "灵活就业人员社保缴费基数怎么定", "北京市人力资源和社会保障局"),
        ("公交", "建议延长夜班公交的运营时间", "北京公交集团"),
        ("道路交通设施", "路口红绿灯的绿灯时间太短了", "北京市公安局公安交通管理局"),
        ("住房公积金", "公积金提取要多久到账", "北京住房公积金管理中心"),
        ("地铁", "地铁车厢空调太冷", "北京市地铁运营有限公司"),
        ("供暖", "暖气不热", "北京市热力集团"),
    ],
)
def test_without_a_place_a_city_wide_duty_goes_to_its_city_level_unit(
    category: str, text: str, unit: str
) -> None:
    result = router().route(category, text, None, None, None, None)
    assert result.route is not None
    assert result.route.unit == unit
    assert result.route.unit_type in ("city_department", "enterprise")
    assert result.route.copy_to == []
    assert result.problems == []  # nobody needs to find a place first


def test_without_a_place_a_local_duty_names_its_city_level_unit_and_asks_for_a_person() -> None:
    noise = router().route("社会生活噪声", "楼上邻居半夜蹦迪", None, None, None, None)
    assert noise.route is not None
    assert noise.route.unit == "北京市生态环境局"
    assert noise.problems == ["no_jurisdiction"]
    # "北京" alone is a place in Beijing without a district: the same.
    building = router().route("违法建设", "私搭乱建", None, None, "北京市", True)
    assert building.route is not None
    assert building.route.unit == "北京市规划和自然资源委员会"
    assert building.problems == ["no_jurisdiction"]
    # With the district known the district government still leads, with no reason.
    placed = router().route("违法建设", "私搭乱建", "海淀区", None, "北京市", True)
    assert placed.route is not None
    assert placed.route.unit == "海淀区人民政府"
    assert placed.problems == []


def test_a_suggestion_about_the_rules_needs_no_place_whatever_the_duty() -> None:
    text = "建议北京的公厕多设一些第三卫生间"
    suggestion = router().route("环境卫生", text, None, None, None, None, request_type="建议")
    assert suggestion.route is not None
    assert suggestion.route.unit == "北京市城市管理委员会"
    assert suggestion.problems == []
    complaint = router().route("环境卫生", text, None, None, None, None, request_type="投诉")
    assert complaint.problems == ["no_jurisdiction"]


def test_every_rule_of_the_shipped_catalogue_names_a_unit_without_a_place() -> None:
    catalogue = load_catalogue()
    for rule in catalogue.rules:
        city = rule.placeless_unit
        assert city is not None, rule.id
        assert not city.needs_district, rule.id
        assert rule.city_unit_problems() == [], rule.id
    assert catalogue.gaps(load_taxonomy()) == []


def test_outside_beijing_and_unknown_categories() -> None:
    hebei = router().route("物业管理", "电梯坏了", None, None, "河北省", False)
    assert hebei.route is not None
    assert hebei.route.unit == "京津冀协同转办"
    shandong = router().route("物业管理", "电梯坏了", None, None, "山东省", False)
    assert shandong.route is None
    assert shandong.problems == ["outside_beijing"]
    assert router().route(None, "x", "朝阳区", None).problems == ["no_catalogue_rule"]


def test_the_development_area_committee_handles_local_matters() -> None:
    result = router().route("户外广告与牌匾", "广告牌", "大兴区", "北京经济技术开发区", "北京市", True).route
    assert result is not None
    assert result.unit == "北京经济技术开发区管理委员会"
    assert all(alt[0] != result.unit for alt in result.alternatives)


def test_the_development_area_committee_is_not_its_own_alternative() -> None:
    result = router().route("施工扰民", "夜间施工", "大兴区", "北京经济技术开发区", "北京市", True).route
    assert result is not None
    assert result.unit == "北京经济技术开发区管理委员会"
    assert "北京经济技术开发区管理委员会" not in [unit for unit, _ in result.alternatives]
