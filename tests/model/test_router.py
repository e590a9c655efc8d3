from jiesu.data.catalogue import load_catalogue
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


def test_district_known_street_unknown_goes_to_the_district_government() -> None:
    result = router().route("违法建设", "私搭乱建", "海淀区", None, "北京市", True).route
    assert result is not None
    assert (result.unit, result.unit_type) == ("海淀区人民政府", "district_government")


def test_nothing_known_means_no_unit_and_a_reason() -> None:
    result = router().route("违法建设", "私搭乱建", None, None, None, None)
    assert result.route is None
    assert result.problems == ["no_jurisdiction"]
    # A city-level alternative is offered when the default unit needs a place, with consultation.
    city = router().route("生活垃圾", "建议恢复桶前值守", None, None, None, None)
    assert city.route is not None
    assert city.route.unit == "北京市城市管理委员会"
    assert city.problems == ["no_jurisdiction"]
    # A rule whose own unit needs no place still gives it.
    heating = router().route("供暖", "暖气不热", None, None, None, None)
    assert heating.route is not None
    assert heating.route.unit == "北京市热力集团"


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
