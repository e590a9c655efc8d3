import pytest

from jiesu.data.disposition_rules import load_disposition_rules
from jiesu.model.classifier import HeadPrediction
from jiesu.model.disposition import DispositionResolver, _Breaks
from jiesu.model.legal import LegalFinding, LegalJudge, strip_glosses
from jiesu.model.text import fold_characters


@pytest.fixture(scope="module")
def resolver() -> DispositionResolver:
    return DispositionResolver(load_disposition_rules())


@pytest.fixture(scope="module")
def judge(resolver: DispositionResolver) -> LegalJudge:
    return resolver.legal


def head(label: str, confidence: float, *others: tuple[str, float]) -> HeadPrediction:
    return HeadPrediction(label, confidence, [(label, confidence), *others], None, 0.5)


def strong(judge: LegalJudge, text: str) -> frozenset[str]:
    return judge.find(fold_characters(text)).strong


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("業主委員會已向北京市海淀區人民法院提起訴訟，狀告物業公司", "litigation"),  # Traditional
        ("我已经去法院告他了，他还是天天在楼道里堆东西", "litigation"),
        ("两年前邻居把我家的路堵了，我把他告上法庭，官司打赢了，可他还是不拆", "litigation"),
        ("仲裁裁决公司支付工资，公司拒不履行，员工已经向法院申请强制执行", "litigation"),
        ("仲裁裁决公司支付工资，可两年了公司一分钱也没给", "arbitration"),
        ("员工们已经申请了劳动仲裁，仲裁委已经受理，下个月开庭", "arbitration"),
        ("据村民反映，他们多次向县纪委举报村支书贪污补偿款，至今没有结果", "discipline"),
        ("我们村联名举报村党支部书记以权谋私", "discipline"),
        ("他对区城管局的罚款决定不服，已经申请了行政复议", "reconsideration"),
        ("我向区政府提交了政府信息公开申请，要求公开拆迁补偿方案", "info_disclosure"),
        ("老人因为拆迁补偿的事上访多年，信访事项答复意见书都有好几份", "petition"),
        # A suit told in the perfective, with no court named (issue 17, second round).
        ("小区业主去年起诉了开发商，可配套学校到现在还没建", "litigation"),
        # The court hearing the case now, in Traditional characters.
        ("鎮政府強拆了我的果園，現在法院在審理賠償的事", "litigation"),
        ("开发商把业主告了，法院正在审理", "litigation"),
        # The claims of a case already before the arbitration committee, told by someone else.
        ("她的仲裁请求是确认劳动关系并支付工伤待遇", "arbitration"),
        # The commission tells that it received a report letter, several words between.
        ("街道纪工委收到了一封来自辖区居民的举报信，反映社区用房被转租", "discipline"),
        # A reconsideration application submitted, told by the reconsideration body.
        ("本机关已收到您向本机关提交的行政复议申请材料", "reconsideration"),
        # A party that contests an award or a decision in court, and a case told as in the first instance.
        ("劳动仲裁裁决后，公司不服向法院起诉，我一直拿不到工资", "litigation"),
        ("目前案件在一审审理中，公司一直不发我工资", "litigation"),
        ("公司不服仲裁裁决向法院起诉以后，我在一审中胜诉了", "litigation"),
        ("劳动仲裁裁决后，公司不服，向朝阳区人民法院提起诉讼", "litigation"),
        # Petitioning in Beijing told as 来京, and a petitioner named as such.
        ("他是来京上访的农民，反映村干部卖地", "petition"),
    ],
)
def test_real_phrasing_is_strong_evidence(judge: LegalJudge, text: str, channel: str) -> None:
    assert channel in strong(judge, text)


@pytest.mark.parametrize(
    "text",
    [
        "我再一次向领导状告小区开发商私卖公房",  # 状告 to a leader, not to a court
        "建议规定企业在仲裁期间的生活补贴",  # a proposal about arbitration in general
    ],
)
def test_accusations_and_proposals_are_no_strong_evidence(judge: LegalJudge, text: str) -> None:
    assert not strong(judge, text)


@pytest.mark.parametrize(
    "text",
    [
        "我要去法院告他们，但先想问问人社局能不能查",
        "再这样我真去法院告了",
        "有人建议我申请行政复议，我还没想好",
        "我当时说要去纪委举报她，她说随便",
        "朝阳区劳动人事争议仲裁院门口天天乱停车",
    ],
)
def test_intentions_threats_and_places_are_not_excluded(resolver: DispositionResolver, text: str) -> None:
    decision = resolver.decide(fold_characters(text), text, head("dispatch", 0.9, ("answer_now", 0.05)))
    assert decision.label == "dispatch"


def test_a_court_that_refused_the_case_rules_litigation_out(judge: LegalJudge) -> None:
    finding = judge.find(fold_characters("我向法院提交了诉状，但法院不予立案"))
    assert "litigation" not in finding.spans


def test_a_reconsideration_not_accepted_rules_reconsideration_out(judge: LegalJudge) -> None:
    finding = judge.find(fold_characters("我们向区政府申请行政复议，区政府作出了不予受理行政复议申请决定书"))
    assert finding.negated == {"reconsideration"}
    assert "reconsideration" not in finding.spans


def test_a_question_about_a_channels_course_from_a_caller_in_it_stays_in_the_channel(
    resolver: DispositionResolver,
) -> None:
    asked = "我上个月已经申请了劳动仲裁，仲裁委也受理了，仲裁申请后多久能开庭？"
    decision = resolver.decide(fold_characters(asked), asked, head("dispatch", 0.6, ("answer_now", 0.3)))
    assert (decision.label, decision.channel) == ("legal_channel", "arbitration")
    # Without the told evidence the same question is answered.
    question = "仲裁申请后多久能开庭？"
    decision = resolver.decide(
        fold_characters(question), question, head("dispatch", 0.6, ("answer_now", 0.3))
    )
    assert decision.label == "answer_now"
    # (A classifier that reads the whole text as a consultation is followed: see _decide_channel's enquiry.)
    # The question's own channel words are no evidence of where the matter is: the disclosure request is.
    choosing = "我向区政府提交了政府信息公开申请，答复不予公开。应当申请行政复议还是可以直接提起诉讼？"
    decision = resolver.decide(
        fold_characters(choosing), choosing, head("dispatch", 0.6, ("answer_now", 0.3))
    )
    assert (decision.label, decision.channel) == ("legal_channel", "info_disclosure")


def test_a_call_that_opens_as_a_question_is_answered_whatever_its_first_sentence_tells(
    resolver: DispositionResolver,
) -> None:
    text = "我想问下仲裁裁决了，公司不给钱，我应该找谁？是去法院申请执行吗？"
    decision = resolver.decide(fold_characters(text), text, head("dispatch", 0.6, ("answer_now", 0.3)))
    assert decision.label == "answer_now"


def test_clauses_end_at_punctuation_spaces_and_before_a_question_word() -> None:
    text = "我已经申请了劳动仲裁 仲裁委也受理了请问申请后多久开庭？公司不给钱"
    breaks = _Breaks(text)
    asked = text.index("申请后多久")
    question = breaks.clause(asked, text.index("？") + 1)  # a cue ending on its question mark
    assert text[question[0] : question[1]] == "请问申请后多久开庭"
    assert text[slice(*breaks.clause(0, 3))] == "我已经申请了劳动仲裁"
    assert breaks.clause(len(text) - 2, len(text)) == (text.index("公司"), len(text))
    assert _Breaks("3.5万元").clause(0, 5) == (0, 5)  # a decimal point ends no clause


def test_pinyin_glosses_are_removed_and_spans_map_back() -> None:
    text = "員工已經向法院申請(qǐng)強制執(zhí)行"
    clean, offsets = strip_glosses(fold_characters(text))
    assert clean == "员工已经向法院申请强制执行"
    assert len(offsets) == len(clean)
    assert text[offsets[clean.index("强")]] == "強"
    assert strip_glosses("没有注音") == ("没有注音", [0, 1, 2, 3])
    assert strip_glosses("下载(app)") == ("下载(app)", list(range(7)))  # no tone mark: no gloss


def test_a_glossed_page_still_shows_its_evidence(resolver: DispositionResolver) -> None:
    text = "員工已經向法院申請(qǐng)強制執(zhí)行，公司至今未付"
    decision = resolver.decide(fold_characters(text), text, head("dispatch", 0.9))
    assert (decision.label, decision.channel) == ("legal_channel", "litigation")
    assert all(text[span.start : span.end] == span.text for span in decision.evidence)


def test_strong_evidence_excludes_against_a_confident_head_and_asks_a_person(
    resolver: DispositionResolver,
) -> None:
    text = "据村民反映，他们多次向县纪委举报村支书贪污补偿款，至今没有结果"
    decision = resolver.decide(fold_characters(text), text, head("dispatch", 0.95))
    assert (decision.label, decision.channel, decision.conflict) == ("legal_channel", "discipline", True)
    assert decision.notice


def test_an_administrative_request_or_another_matter_keeps_the_dispatch(
    resolver: DispositionResolver,
) -> None:
    for text in (
        "仲裁裁决生效后公司仍拒付工资，请劳动监察督促",
        "跟房东的押金纠纷已经起诉到法院了，这个不需要热线处理。现在要反映的是楼道堆物",
    ):
        decision = resolver.decide(fold_characters(text), text, head("dispatch", 0.9))
        assert decision.label == "dispatch", text


def test_a_question_the_head_reads_as_a_consultation_is_answered(resolver: DispositionResolver) -> None:
    text = "想了解一下，已经向法院起诉的事情还能信访吗？"
    prediction = head("answer_now", 0.7, ("legal_channel:petition", 0.2))
    decision = resolver.decide(fold_characters(text), text, prediction)
    assert decision.label == "answer_now"


def test_a_review_outranks_what_it_reviews_and_priority_breaks_ties() -> None:
    finding = LegalFinding(
        {"info_disclosure": [(0, 2)], "reconsideration": [(3, 5)]},
        {"info_disclosure": [(0, 2)], "reconsideration": [(3, 5)]},
        False,
    )
    assert LegalJudge.choose(finding, {"info_disclosure": 0.8}) == "reconsideration"
    award = LegalFinding(
        {"arbitration": [(0, 2)], "litigation": [(3, 5)]},
        {"arbitration": [(0, 2)], "litigation": [(3, 5)]},
        False,
    )
    assert LegalJudge.choose(award, {"arbitration": 0.6}) == "litigation"  # the court enforces the award
    assert LegalJudge.choose(
        LegalFinding({"arbitration": [(0, 2)]}, {"arbitration": [(0, 2)]}, False), {}
    ) == ("arbitration")
    weak_only = LegalFinding({"petition": [(0, 2)], "discipline": [(3, 5), (6, 8)]}, {}, False)
    assert LegalJudge.choose(weak_only, {"petition": 0.05}) == "discipline"  # below the belief floor
    # Up the chain: a suit over a reconsideration decision on a disclosure reply is the suit, even where
    # the reconsideration has more words and the classifier's belief.
    chain = LegalFinding(
        {"info_disclosure": [(0, 2)], "reconsideration": [(3, 5), (6, 8), (9, 11)], "litigation": [(12, 14)]},
        {"info_disclosure": [(0, 2)], "reconsideration": [(3, 5)], "litigation": [(12, 14)]},
        False,
    )
    assert LegalJudge.choose(chain, {"info_disclosure": 0.9, "reconsideration": 0.5}) == "litigation"


@pytest.mark.parametrize(
    "text",
    [
        "再不退押金我就起诉了",  # a threat: 就起诉了
        "物业说要起诉了，我们该怎么办",  # the other side's intention
        "你们起诉了吗？",  # a question about whether someone sued
        "法院在审理案件时应当听取双方意见",  # a general statement: no case is being heard now
    ],
)
def test_threats_and_questions_about_a_suit_are_not_a_suit(judge: LegalJudge, text: str) -> None:
    assert "litigation" not in strong(judge, text)


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        # 了 marks what is about to happen, not a suit filed.
        ("逼得我们只能去法院起诉了，请街道管管物业停水", "litigation"),
        ("实在不行我也起诉了，楼上漏水物业不管", "litigation"),
        ("物业不给修电梯，我们都打算一起起诉了，请住建委督促", "litigation"),
        ("这事拖下去我都快起诉了", "litigation"),
        ("不处理的话我马上起诉了", "litigation"),
        # A petitioner named as a third party is not the caller's petition.
        ("我们楼里有个上访户天天在楼道堆杂物，请社区处理", "petition"),
        ("小区门口有上访人员聚集，堵住了出入口", "petition"),
        ("来北京举报的那个人在我家门口闹事", "petition"),
        ("楼下住了几个在京上访的人天天半夜喝酒吵闹", "petition"),
        ("有个到北京举报的人在我们小区门口闹事", "petition"),
        ("要不是看在老邻居的面子上我早就起诉了他了你们管不管", "litigation"),
        ("我们几户业主要一起起诉了物业你们赶紧协调一下", "litigation"),
        ("我要去法院起诉了他这个人太过分了", "litigation"),
        ("大不了起诉了事", "litigation"),
    ],
)
def test_what_is_about_to_happen_and_third_parties_are_no_strong_evidence(
    judge: LegalJudge, resolver: DispositionResolver, text: str, channel: str
) -> None:
    assert channel not in strong(judge, text)
    decision = resolver.decide(fold_characters(text), text, head("dispatch", 0.9))
    assert decision.label == "dispatch"


@pytest.mark.parametrize(
    "text",
    [
        "我已经起诉了，法院还没判，物业还在停我家的水",
        "他们已经把我起诉了，我想问问社区能不能调解",
        "我们三十多户业主一起起诉了开发商",
        "我也起诉了物业公司，但是物业还是不修",
        "我向法院起诉了物业公司，要求赔偿漏水损失",
    ],
)
def test_a_suit_already_filed_is_strong_evidence(judge: LegalJudge, text: str) -> None:
    assert "litigation" in strong(judge, text)


def test_a_suit_lost_on_the_merits_is_litigation_and_a_dismissed_filing_is_not(judge: LegalJudge) -> None:
    # 判决驳回…诉讼请求: the court heard the suit and ruled (rc813's 判決駁回張某乙的訴訟請求); 裁定驳回起诉 is a
    # filing refused, which rules litigation out.
    lost = "2012年张某乙向人民法院提起返还原物之诉，经两审，法院判决驳回张某乙的诉讼请求和上诉"
    assert "litigation" in strong(judge, lost)
    assert "litigation" in strong(judge, fold_characters("法院判決駁回了我的訴訟請求，可物業還是不修"))
    refused = judge.find(fold_characters("法院裁定驳回了我们的起诉，小区的路还是被堵着"))
    assert "litigation" in refused.negated


@pytest.mark.parametrize("text", ["我去年到北京上访的那次被截访了", "我到北京举报的材料一直没有回复"])
def test_the_callers_own_petition_told_with_的_is_strong_evidence(judge: LegalJudge, text: str) -> None:
    assert "petition" in strong(judge, text)


def test_a_petitioner_named_is_weak_evidence(judge: LegalJudge) -> None:
    finding = judge.find(fold_characters("记者陪着两位上访农民去了信访办"))
    assert "petition" in finding.spans
    assert "petition" not in finding.strong


@pytest.mark.parametrize(
    ("text", "in_court"),
    [
        ("官司打赢了，对方也按判决赔了钱，事情算是解决了。这次是想反映河沟里有人偷偷排污水", False),
        ("官司赢了，对方也按法院的判决把钱付清了，现在想问小区门口的路灯谁来修", False),
        ("官司打赢了，对方按判决赔了一半，剩下的一直不给", True),
    ],
)
def test_a_judgement_told_as_performed_is_a_finished_matter(
    resolver: DispositionResolver, text: str, in_court: bool
) -> None:
    channels, _ = resolver.legal_evidence(fold_characters(text), text)
    assert ("litigation" in channels) == in_court


@pytest.mark.parametrize(
    "text",
    [
        "网友爆料称，某镇党委书记在拆迁项目中为亲属谋取利益，其弟弟的公司承包了清运工程",
        "村干部在低保评定中优亲厚友，自己的亲戚开着小轿车也吃低保",
        "村会计虚报冒领危房改造补贴，补贴款进了个人账户",
    ],
)
def test_an_officials_favours_to_kin_and_false_claims_are_weak_discipline_evidence(
    judge: LegalJudge, text: str
) -> None:
    finding = judge.find(fold_characters(text))
    assert "discipline" in finding.spans


@pytest.mark.parametrize(
    ("text", "channel", "evidence"),
    [
        # A suit told as a condition, and a matter told as none of the caller's, are no evidence.
        ("如果业主不服向法院起诉，物业是不是就可以不管了？电梯坏了一个月了", "litigation", False),
        ("公司不服向法院起诉的事跟我没关系，我这次反映的是食堂卫生很差", "litigation", False),
        ("新闻里说开发商那个案子在二审审理中，跟我们没关系。小区门口的路灯坏了", "litigation", False),
        ("我已经向法院起诉了，跟我们小区的物业也没关系，是跟开发商打官司", "litigation", True),
        # A private employer's favouritism is no official's misconduct; an official's still is.
        ("我们公司老板优亲厚友，提拔的都是他家亲戚，还经常无故扣工资", "discipline", False),
        ("村干部在分配安置房时优亲厚友，群众意见很大", "discipline", True),
        # An enforcement told as finished is a finished matter; one told as partial is not.
        ("法院已经执行完毕，钱也拿到了。另外想反映我们小区门口违停严重", "litigation", False),
        ("法院已经执行完了一部分，还有三万元一直没执行到位", "litigation", True),
    ],
)
def test_conditions_other_peoples_matters_private_employers_and_finished_enforcement(
    resolver: DispositionResolver, text: str, channel: str, evidence: bool
) -> None:
    channels, _ = resolver.legal_evidence(fold_characters(text), text)
    assert (channel in channels) == evidence
