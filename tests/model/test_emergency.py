"""Emergency cues judged in context (jiesu.model.emergency), through the disposition resolver with
hand-made heads: no model needed. The safety set (test_safety_cases.py) checks the same with the seed
model on hundreds of texts."""

import pytest

from jiesu.data.disposition_rules import load_disposition_rules
from jiesu.model.classifier import HeadPrediction
from jiesu.model.disposition import DispositionDecision, DispositionResolver
from jiesu.model.emergency import SHORT_TEXT
from jiesu.model.text import fold_characters


@pytest.fixture(scope="module")
def resolver() -> DispositionResolver:
    return DispositionResolver(load_disposition_rules())


def head(label: str, confidence: float, *others: tuple[str, float]) -> HeadPrediction:
    return HeadPrediction(label, confidence, [(label, confidence), *others], None, 0.5)


def decide(resolver: DispositionResolver, text: str, prediction: HeadPrediction) -> DispositionDecision:
    return resolver.decide(fold_characters(text), text, prediction)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("喂，我家的煤气好像漏了，闻到很大的味道，我在大兴区黄村。", "119"),
        ("楼道里冒烟了，好大的烟，看不清楼梯，朝阳区望京花家地南里。", "119"),
        ("电梯困人了，我跟我闺女被关在电梯里，按警铃没人应。", "119"),
        ("有人晕倒了，在地铁西直门站换乘通道，躺地上不动。", "120"),
        ("喂 你好 我们同事刚才开会的时候突然就倒了 现在人没反应", "120"),
        ("我家门被人撬了，现在屋里有人在翻东西，我在门外不敢进去。", "110"),
    ],
)
def test_an_emergency_in_everyday_words_is_transferred_against_a_sure_dispatch_head(
    resolver: DispositionResolver, text: str, number: str
) -> None:
    decision = decide(resolver, text, head("dispatch", 0.95))
    assert (decision.label, decision.emergency_number) == ("emergency", number)
    assert decision.evidence
    assert decision.notice is None  # the self-harm protocol only


@pytest.mark.parametrize(
    "text",
    [
        "这小区的停车费简直是抢劫，一个月八百",  # figurative
        "物业费涨了一倍，真是把人气得吐血",  # figurative
        "我去年吐血住院，医保报销比例太低了",  # past
        "看新闻说上周天通苑有个小区着火了，我们小区消防通道也堵着",  # news
        "社区什么时候组织消防演练？着火了应该往哪个方向跑？",  # a question
        "我们小区电梯困人的问题一直没人解决",  # chronic
        "这片儿天天有人打架闹事，派出所能不能多巡逻",  # chronic
        "楼道里堆满了纸箱子，万一着火了人都跑不出去",  # hypothetical
        "我家孩子在学校跑操时晕倒过两次，学校还让他跑",  # experienced (过)
    ],
)
def test_a_look_alike_is_not_transferred_even_by_a_sure_emergency_head(
    resolver: DispositionResolver, text: str
) -> None:
    decision = decide(resolver, text, head("emergency:119", 0.95, ("dispatch", 0.04)))
    assert decision.label == "dispatch"
    assert decision.conflict  # the head disagreed: a person looks
    assert decision.possible_emergencies == ["119"]


@pytest.mark.parametrize(
    "text",
    [
        "今年小区已经发生了三起入室盗窃，物业一直不整改",  # a count of incidents: a report
        "电梯困人后，维保单位按规定多长时间必须到场？",  # a procedure: what happens after
        "刚才跟别人的车剐了一下，没人受伤，能自己协商吗",  # nobody hurt
        "刚才跟别人的车剐了一下，很轻微",  # a light scrape
        "路口的隔离护栏前天被车撞倒了，一直没人修",  # an object knocked down, not a person
        "山上的拦石网有的地方被石头压塌了",  # a structure crushed
        "2005年11月8日上午,开发商雇人将还在睡觉的一家人持刀赶出,强行推倒房屋",  # dated: a retelling
    ],
)
def test_reports_of_incidents_and_damage_to_things_are_not_transferred(
    resolver: DispositionResolver, text: str
) -> None:
    decision = decide(resolver, text, head("dispatch", 0.9, ("emergency:110", 0.05)))
    assert decision.label == "dispatch"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("刚才小区门口发生了一起车祸，一个老人被车撞倒了，躺在地上不动", "122"),  # one incident, now
        ("我们楼下发生了火灾，楼道里全是烟，现在还在烧", "119"),
    ],
)
def test_an_incident_told_now_still_transfers(resolver: DispositionResolver, text: str, number: str) -> None:
    decision = decide(resolver, text, head("dispatch", 0.9, ("emergency:" + number, 0.05)))
    assert decision.label == "emergency"


def test_a_sure_head_without_any_cue_still_transfers_for_a_person_to_confirm(
    resolver: DispositionResolver,
) -> None:
    decision = decide(resolver, "我妈这边情况不好", head("emergency:120", 0.9, ("dispatch", 0.05)))
    assert (decision.label, decision.emergency_number, decision.conflict) == ("emergency", "120", True)


def test_a_long_letter_needs_a_sign_of_now_near_the_cue(resolver: DispositionResolver) -> None:
    preamble = "尊敬的领导：我们小区的物业管理一直很混乱，物业公司收费高、服务差，业主意见很大，"
    retold = preamble * 2 + "有一位老人在楼下晕倒，物业的人站在旁边看着，请相关部门调查。"
    assert len(retold) > SHORT_TEXT
    decision = decide(resolver, retold, head("dispatch", 0.9))
    assert decision.label == "dispatch"
    assert decision.possible_emergencies == ["120"]  # flagged for a person instead
    happening = preamble * 2 + "现在有一位老人在楼下晕倒了，快派人来！"
    assert decide(resolver, happening, head("dispatch", 0.9)).emergency_number == "120"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("我不想活了，我现在就在楼顶上，朝阳区望京西园三区。", "110"),
        ("有人要跳楼！在我们对面楼顶站着呢。", "110"),
        ("我真的撑不下去了 我现在站在桥上 就想跟你们说一声", "110"),
        ("我刚喝了农药，肚子疼得厉害，顺义区李桥镇。", "120"),
        ("我妈说她不想活了，刚才把家里的药全吃了，现在叫不醒。", "120"),
    ],
)
def test_imminent_self_harm_is_transferred_with_the_risk_protocol(
    resolver: DispositionResolver, text: str, number: str
) -> None:
    decision = decide(resolver, text, head("dispatch", 0.9))
    assert (decision.label, decision.emergency_number) == ("emergency", number)
    assert decision.notice is not None
    assert "保持通话" in decision.notice
    assert "110" in decision.notice
    assert "120" in decision.notice


@pytest.mark.parametrize(
    "text",
    [
        "再不给钱我就从楼上跳下去，公司欠了我半年工资了",  # a conditional threat: no place, no "now"
        "业主群里有人说想跳楼，房子烂尾五年了",  # reported
        "学校作业多得孩子都说不想活了",  # hyperbole
    ],
)
def test_self_harm_words_without_an_imminent_sign_raise_the_risk_flag_only(
    resolver: DispositionResolver, text: str
) -> None:
    decision = decide(resolver, text, head("dispatch", 0.9))
    assert decision.label == "dispatch"
    assert any(cue.startswith("self_harm:") for cue in resolver.risk_cues(fold_characters(text)))
