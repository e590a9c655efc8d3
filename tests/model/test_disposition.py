import pytest

from jiesu.data.disposition_rules import load_disposition_rules
from jiesu.model.classifier import HeadPrediction
from jiesu.model.disposition import DispositionDecision, DispositionResolver
from jiesu.model.text import fold_characters


@pytest.fixture(scope="module")
def resolver() -> DispositionResolver:
    return DispositionResolver(load_disposition_rules())


def head(label: str, confidence: float, *others: tuple[str, float]) -> HeadPrediction:
    return HeadPrediction(label, confidence, [(label, confidence), *others], None, 0.5)


def decide(
    resolver: DispositionResolver, text: str, prediction: HeadPrediction | None
) -> DispositionDecision:
    return resolver.decide(fold_characters(text), text, prediction)


def test_emergency_evidence_overrides_a_confident_dispatch_head(resolver: DispositionResolver) -> None:
    text = "对面楼十几层有户人家窗户往外冒火，烟特别大"
    decision = decide(resolver, text, head("dispatch", 0.95))
    assert (decision.label, decision.emergency_number) == ("emergency", "119")
    span = decision.evidence[0]
    assert text[span.start : span.end] == span.text == "冒火"


def test_emergencies_and_hazards_are_read_without_pinyin_glosses(resolver: DispositionResolver) -> None:
    # A badly converted page glosses its characters; the evidence still points into the text as written.
    text = "我家的煤(méi)氣(qì)好像漏了，闻到很大的味道。"
    decision = decide(resolver, text, head("dispatch", 0.95))
    assert (decision.label, decision.emergency_number) == ("emergency", "119")
    span = decision.evidence[0]
    assert text[span.start : span.end] == span.text == "煤(méi)氣(qì)好像漏了"
    hazard = decide(resolver, "小區門口的井(jǐng)蓋(gài)丢了，晚上很危險。", head("dispatch", 0.95)).hazards
    assert [span.text for span in hazard] == ["井(jǐng)蓋(gài)丢了"]
    assert decide(resolver, "小区门口的井盖丢了，晚上很危险。", head("dispatch", 0.95)).hazards[0].end == 9


def test_risk_cues_are_read_without_pinyin_glosses(resolver: DispositionResolver) -> None:
    glossed = resolver.risk_cues(fold_characters("他说要跳(tiào)楼(lóu)，我很担心"))
    assert glossed == resolver.risk_cues(fold_characters("他说要跳楼，我很担心"))
    assert glossed


def test_past_praise_and_hypothetical_events_are_not_emergencies(resolver: DispositionResolver) -> None:
    for text in (
        "上个月从脚手架上摔下来了，腰椎骨折，公司不给报工伤",
        "我想表扬一下公交司机，我女儿在车上突然晕倒了，司机马上停车帮忙",
        "楼道里堆满杂物，我们都担心着火了怎么办",
    ):
        assert decide(resolver, text, head("dispatch", 0.6)).label == "dispatch", text


def test_a_weak_cue_needs_the_heads_support(resolver: DispositionResolver) -> None:
    text = "刚才在小区被狗咬了，腿上在流血"
    alone = decide(resolver, text, head("dispatch", 0.9, ("answer_now", 0.05)))
    assert alone.label == "dispatch"
    assert alone.possible_emergencies  # raises the risk flag instead
    supported = decide(resolver, text, head("dispatch", 0.6, ("emergency:120", 0.3)))
    assert (supported.label, supported.emergency_number) == ("emergency", "120")


def test_legal_channel_with_evidence_carries_the_notice(resolver: DispositionResolver) -> None:
    text = "劳动仲裁已经裁决了，公司还是不给钱"
    decision = decide(resolver, text, head("legal_channel:arbitration", 0.7))
    assert (decision.label, decision.channel, decision.conflict) == ("legal_channel", "arbitration", False)
    assert decision.notice
    assert "仲裁" in decision.notice
    assert any("裁决" in span.text for span in decision.evidence)


def test_a_question_about_a_channel_is_answered_not_excluded(resolver: DispositionResolver) -> None:
    decision = decide(resolver, "怎么申请劳动仲裁？需要什么材料？", head("legal_channel:arbitration", 0.7))
    assert decision.label == "answer_now"


def test_a_confident_head_keeps_dispatch_against_a_cue_but_flags_the_conflict(
    resolver: DispositionResolver,
) -> None:
    text = "跟物业的官司一审已经判了，现在小区门口又天天乱停车"
    decision = decide(resolver, text, head("dispatch", 0.95))
    assert (decision.label, decision.conflict) == ("dispatch", True)
    # Naming the arbitration court is no evidence of a case at all.
    parking = decide(resolver, "朝阳区劳动人事争议仲裁院门口天天乱停车", head("dispatch", 0.95))
    assert (parking.label, parking.conflict) == ("dispatch", False)


def test_not_yet_in_the_channel_stays_dispatchable(resolver: DispositionResolver) -> None:
    decision = decide(
        resolver,
        "公司欠薪三个月，我们还没去仲裁，想先请劳动监察管一管",
        head("legal_channel:arbitration", 0.6, ("dispatch", 0.3)),
    )
    assert (decision.label, decision.conflict) == ("dispatch", True)


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("法院一直不受理此案，请区人社局督促公司把拖欠的三个月工资发了。", "litigation"),
        ("法院拒绝受理，理由是已过诉讼时效，现在只能请街道帮忙调解。", "litigation"),
        ("信访办的人说我这个事不属于信访事项，没有受理，请街道处理小区门口的违建。", "petition"),
        ("我向区信访办反映了油烟扰民的事，信访办说这类问题归12345管，让我打热线，请派单给街道。", "petition"),
    ],
)
def test_a_channel_that_turned_the_matter_away_leaves_a_dispatch(
    resolver: DispositionResolver, text: str, channel: str
) -> None:
    # The head is sure of the channel; the text says the channel would not take the matter. What the head
    # ranks next (a duplicate at 0.0004) is no reading of the text: a dispatch, for a person to confirm.
    prediction = head(f"legal_channel:{channel}", 0.999, ("duplicate", 0.0004), ("unlawful", 0.0002))
    decision = decide(resolver, text, prediction)
    assert (decision.label, decision.conflict) == ("dispatch", True)


def test_a_question_after_a_refusal_is_still_answered(resolver: DispositionResolver) -> None:
    text = "法院说不给立案，我想了解下接下来该怎么办？"
    prediction = head("legal_channel:litigation", 0.98, ("answer_now", 0.007), ("dispatch", 0.001))
    assert decide(resolver, text, prediction).label == "answer_now"


def test_a_caller_who_asks_for_action_after_a_refusal_is_dispatched(resolver: DispositionResolver) -> None:
    prediction = head("legal_channel:petition", 0.99, ("answer_now", 0.006), ("dispatch", 0.001))
    text = "国家信访局不予受理，说属于12345受理范围，请派单处理小区电梯故障。"
    assert decide(resolver, text, prediction).label == "dispatch"
    # 请问 asks the hotline, not a body: still answered.
    question = "信访办说不属于信访事项，没有受理，请问我该找哪个部门？"
    assert decide(resolver, question, prediction).label == "answer_now"


def test_a_suit_still_being_docketed_is_not_ruled_out(resolver: DispositionResolver) -> None:
    # 还没立案 / 尚未受理 are waits, not refusals: the suit filed before them stands.
    text = "我已经向海淀法院递交了起诉状，法院还没立案，说要审查七天。"
    decision = decide(resolver, text, head("legal_channel:litigation", 0.9, ("dispatch", 0.05)))
    assert (decision.label, decision.channel) == ("legal_channel", "litigation")


@pytest.mark.parametrize(
    "text",
    [
        "物业动不动就说要把欠费业主告上法庭，可电梯坏了三个月都不修，请住建委督促，通州区。",
        "房东威胁说要去法院告我，押金一直不退，海淀区。",
    ],
)
def test_someone_else_s_threat_to_sue_is_no_case(resolver: DispositionResolver, text: str) -> None:
    decision = decide(resolver, text, head("dispatch", 0.95))
    assert (decision.label, decision.evidence, decision.conflict) == ("dispatch", [], False)
    # A head that leans to litigation cannot exclude on the threat's words alone: a person looks.
    leaning = decide(resolver, text, head("legal_channel:litigation", 0.9, ("dispatch", 0.08)))
    assert (leaning.label, leaning.conflict) == ("dispatch", True)


def test_a_not_yet_cue_stays_within_its_sentence(resolver: DispositionResolver) -> None:
    # 建议。国家信访 is the end of one sentence and the start of the next, not advice to petition.
    ruling = "原告诉称，其多次给区政府写信提出意见和建议。国家信访局收到信件后没有答复，故诉至法院。"
    decision = decide(resolver, ruling, head("dispatch", 0.95))
    assert (decision.label, decision.channel) == ("legal_channel", "litigation")
    advised = "街道建议我去申请仲裁，我还是想先请劳动监察督促公司发工资"
    assert decide(resolver, advised, head("legal_channel:arbitration", 0.9)).label == "dispatch"


def test_a_suit_told_next_to_a_threat_is_still_a_suit(resolver: DispositionResolver) -> None:
    text = "对方威胁要把我告到法院，其实我已经向海淀法院提起诉讼了，法院迟迟不开庭"
    decision = decide(resolver, text, head("dispatch", 0.6, ("legal_channel:litigation", 0.3)))
    assert (decision.label, decision.channel) == ("legal_channel", "litigation")
    assert "威胁要把我告到法院" not in "".join(span.text for span in decision.evidence)


def test_risk_cues_are_named(resolver: DispositionResolver) -> None:
    cues = resolver.risk_cues(fold_characters("再不给钱我就跳楼，活不下去了"))
    assert "self_harm:跳楼" in cues
    assert "self_harm:活不下去" in cues


def test_an_unsure_emergency_head_without_evidence_does_not_transfer(resolver: DispositionResolver) -> None:
    text = "上个月我妈在家晕倒了，120来得太慢"  # a complaint about an ambulance, told as past
    decision = decide(resolver, text, head("emergency:120", 0.49, ("dispatch", 0.3)))
    assert (decision.label, decision.confidence) == ("dispatch", 0.3)  # dispatch's own probability
    assert decision.conflict
    assert decision.possible_emergencies == ["120"]
    sure = decide(resolver, "我妈这边情况不好", head("emergency:120", 0.9, ("dispatch", 0.05)))
    assert (sure.label, sure.emergency_number, sure.conflict) == ("emergency", "120", True)


def test_a_legal_channel_from_the_head_alone_needs_a_sure_head_and_a_person(
    resolver: DispositionResolver,
) -> None:
    unsure = decide(resolver, "我要喝农药", head("legal_channel:info_disclosure", 0.27, ("dispatch", 0.2)))
    assert (unsure.label, unsure.conflict) == ("dispatch", True)
    sure = decide(resolver, "我想写信反映违建的事", head("legal_channel:petition", 0.9, ("dispatch", 0.05)))
    assert (sure.label, sure.channel, sure.evidence, sure.conflict) == ("legal_channel", "petition", [], True)
    assert sure.notice


def test_the_channel_with_evidence_that_the_head_believes_wins(resolver: DispositionResolver) -> None:
    text = "劳动仲裁已经立案了，想问开庭时间"  # 立案 and 开庭 also match litigation, twice
    decision = decide(
        resolver, text, head("answer_now", 0.4, ("legal_channel:arbitration", 0.3), ("dispatch", 0.2))
    )
    assert (decision.label, decision.channel) == ("legal_channel", "arbitration")
    assert [span.text for span in decision.evidence] == ["仲裁已经立案"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("他说要杀了我全家", "threat"),
        ("我要杀了物业经理", "threat"),
        ("再不给钱我就去区政府门口自焚", "self_harm"),
        ("实在没办法了我要喝农药", "self_harm"),
        ("我们村几十户准备明天去堵高速", "mass_incident"),
    ],
)
def test_threats_self_harm_and_mass_incidents_are_risk_cues(
    resolver: DispositionResolver, text: str, kind: str
) -> None:
    assert any(cue.startswith(f"{kind}:") for cue in resolver.risk_cues(fold_characters(text)))


def test_everyday_words_are_not_risk_cues(resolver: DispositionResolver) -> None:
    for text in ("菜市场杀鸡的摊位污水横流", "小区门口堵车严重", "药店卖的药过期了"):
        assert resolver.risk_cues(fold_characters(text)) == [], text


def test_a_complaint_about_the_arbitration_committee_is_not_an_arbitration_case(
    resolver: DispositionResolver,
) -> None:
    staff = decide(resolver, "劳动仲裁委的工作人员态度很差，打电话没人接", head("dispatch", 0.6))
    assert staff.label == "dispatch"
    assert staff.evidence == []
    case = decide(
        resolver,
        "仲裁委受理了我的案子，但是一直不开庭",
        head("dispatch", 0.6, ("legal_channel:arbitration", 0.3)),
    )
    assert (case.label, case.channel) == ("legal_channel", "arbitration")


def test_materials_and_time_limits_are_a_consultation_only_when_asked_about(
    resolver: DispositionResolver,
) -> None:
    # Asked about: a consultation.
    for text in ("申请行政复议的材料有哪些？", "申请劳动仲裁的时效是多久"):
        decision = decide(resolver, text, head("legal_channel:reconsideration", 0.7))
        assert decision.label == "answer_now", text
    # Named in a statement (a deadline missed, materials already posted): not a question.
    for text in (
        "区政府以超过复议申请期限为由不予受理，我又向法院提起了行政诉讼",
        "本机关已收到您向本机关提交的行政复议申请材料",
    ):
        decision = decide(resolver, text, head("answer_now", 0.8, ("dispatch", 0.1)))
        assert decision.label == "legal_channel", text
