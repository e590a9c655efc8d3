"""Chinese words for the codes the API uses: states, actions, roles, dispositions, channels, reasons."""

from __future__ import annotations

from jiesu.model.suggestion_types import DecisionCheck
from jiesu.workflow.misdispatch import ALPHA

ROLES = {
    "operator": "话务员",
    "reviewer": "派单审核",
    "unit": "承办单位",
    "auditor": "考核审计",
    "admin": "管理员",
}
STATES = {
    "received": "已受理",
    "consulting": "会商中",
    "consulted": "已会商",
    "dispatched": "已派单",
    "accepted": "已接单",
    "return_requested": "退单待审",
    "coordination": "待协调",
    "replied": "已办结",
    "unresolved": "未解决",
    "closed": "已关闭",
}
ACTIONS = {
    "create": "受理",
    "dispatch": "派单",
    "consult": "会商",
    "inform": "告知法定渠道",
    "answer": "即时答复",
    "transfer": "转接应急",
    "close-duplicate": "重复件关闭",
    "accept": "接单",
    "return": "退单（派单异议）",
    "extend": "延期",
    "reply": "办结答复",
    "report": "协办反馈",
    "review-return": "退单审核",
    "escalate": "升级协调",
    "followup": "回访",
    "reopen": "重新派单",
    "close": "关闭",
}
CLOSURES = {
    "informed": "已告知法定渠道（不派单）",
    "answered": "已即时答复",
    "transferred": "已转接应急",
    "duplicate": "重复件",
    "resolved": "已解决",
    "closed_unresolved": "未解决关闭",
}
PAYLOAD = {
    "unit": "单位",
    "reason_code": "原因",
    "reason": "理由",
    "new_facts": "新情况",
    "decision": "决定",
    "result": "办理结果",
    "report": "协办结果",
    "answer": "答复",
    "notice": "告知内容",
    "channel": "渠道",
    "number": "号码",
    "hours": "延长小时",
    "contacted": "联系上",
    "satisfaction": "满意度",
    "resolved": "已解决",
    "outcome": "会商结果",
    "units": "会商单位",
    "level": "层级",
    "note": "备注",
}
DISPOSITIONS = {
    "dispatch": "派单",
    "answer_now": "即时答复",
    "legal_channel": "告知法定渠道，不派单",
    "emergency": "转接应急",
    "duplicate": "重复诉求",
    "out_of_scope": "不属受理范围",
    "unlawful": "违法或违背公序良俗",
}
CHANNELS = {
    "litigation": "诉讼",
    "arbitration": "仲裁",
    "discipline": "纪检监察",
    "reconsideration": "行政复议",
    "info_disclosure": "政府信息公开",
    "petition": "信访",
}
EMERGENCY = {"110": "110 报警", "119": "119 火警", "120": "120 急救", "122": "122 交通事故"}
EMERGENCY_NAMES = {"110": "报警", "119": "火警", "120": "急救", "122": "交通事故"}
UNIT_TYPES = {
    "street": "街道/乡镇",
    "district_government": "区政府",
    "district_department": "区级部门",
    "city_department": "市级部门",
    "enterprise": "公共服务企业",
    "central": "中央单位",
}
TIERS = {  # the hours follow the name where a tier is shown (the workflow settings decide them)
    "emergency": "紧急",
    "utility": "水电气热",
    "ordinary": "一般",
    "complex": "复杂",
}
CHANNELS_IN = {"phone": "电话", "web": "网站", "app": "App", "wechat": "微信"}
RETURN_REASONS = {
    "not_our_duty": "不属本单位职责",
    "wrong_jurisdiction": "不属本辖区",
    "insufficient_information": "信息不全无法办理",
    "duplicate": "重复诉求",
    "legal_channel": "应走法定渠道",
    "other": "其他",
}
CONSULT_REASONS = {
    "low_confidence": "整体把握不足：单位和处置方式的置信度低于阈值",
    "ambiguous_category": "类别难以区分：前两个类别接近",
    "multi_issue": "一件诉求里有多件事",
    "ambiguous_jurisdiction": "地点有歧义：同名地点在多个区",
    "no_jurisdiction": "没有地点，而此事须由属地办理",
    "outside_beijing": "地点在北京以外",
    "no_catalogue_rule": "派单目录中没有适用规则",
    "disposition_conflict": "处置方式有冲突：文字线索与模型判断不一致",
    "risk": "有风险迹象（威胁、自伤、群体事件或可能的紧急情况）",
    "unfamiliar_text": "文本与训练数据差异大",
}
# Form fields, named beside the API's field name in an error.
FIELDS = {
    "text": "诉求内容",
    "caller_phone": "来电号码",
    "caller_name": "来电人",
    "caller_district": "来电人所在区",
    "intake_channel": "渠道",
    "reason_code": "退单原因",
    "hours": "延长小时数",
    "result": "办理结果",
    "report": "协办结果",
    "answer": "答复内容",
    "notice": "告知内容",
    "channel": "法定渠道",
    "number": "转接号码",
    "unit": "单位",
    "units": "会商单位",
    "linked_ticket_id": "原工单编号",
}
# Coded values in event payloads, shown in words on the timeline.
VALUES = {
    "uphold": "同意退单",
    "reject": "驳回",
    "district": "区级",
    "city": "市级",
    **CHANNELS,
    **RETURN_REASONS,
}
RISKS = {
    "self_harm": "自伤风险",
    "threat": "威胁他人",
    "mass_incident": "群体性事件",
    "possible_emergency": "可能的紧急情况",
}
ORIGINS = {
    "suggestion": "按建议派单",
    "override": "话务员改派",
    "redispatch": "退单后改派",
    "escalation": "升级派单",
}
# The three rates' names in the overall score's weights (GET /v1/metrics/rates: overall_weights).
RATE_NAMES = {"response": "响应率", "resolution": "解决率", "satisfaction": "满意率"}
# The rates the mis-dispatch audit tests per group (its flags' `metric`), as the audit page's columns say.
AUDIT_METRICS = {
    "first_dispatch_accuracy": "首派准确率",
    "return_rate": "退单率",
    "upheld_return_rate": "退单获同意率",
    "accepted_suggestion": "采纳建议率",
}
# The audit's `method` (jiesu.workflow.misdispatch.METHOD) in words.
MISDISPATCH_METHOD = (
    "各组与本期其余工单相比：双侧合并两比例 z 检验，某格期望频数小于 5 时用 Fisher 精确检验；"
    f"同一指标下各组的 p 值按 Holm–Bonferroni 法校正，校正后 p 小于 {ALPHA} 者标红"
)
DECISIONS = {
    "decision": "派单决定",
    "unit": "承办单位",
    "disposition": "处置方式",
    "familiarity": "文本熟悉度",
}


def check_sentence(check: DecisionCheck) -> str:
    """One decision check in plain words: which decision, how sure, and whether it was sure enough."""
    what = DECISIONS.get(check.decision, check.decision)
    value = f"（{decided(check.value)}）" if check.value else ""
    sure = f"{check.confidence:.0%}"
    if check.threshold is None:
        return f"{what}{value}：把握 {sure}"
    verdict = "达到" if check.sure else "未达到"
    line = f"{check.threshold:.0%}"
    if line == sure:  # 0.979 against 0.981 would read 98% against 98%: one more digit tells them apart
        sure, line = f"{check.confidence:.1%}", f"{check.threshold:.1%}"
    return f"{what}{value}：把握 {sure}，{verdict}阈值 {line}"


def decided(value: str | None) -> str:
    """A decision's value in words: a unit as it is; emergency:119 → 转接应急 119; legal_channel:arbitration
    → 告知法定渠道，不派单 · 仲裁."""
    if not value:
        return "—"
    label, _, detail = value.partition(":")
    if label not in DISPOSITIONS:
        return value
    return f"{DISPOSITIONS[label]} · {CHANNELS.get(detail, detail)}" if detail else DISPOSITIONS[label]


def risk(cue: str) -> str:
    kind, _, word = cue.partition(":")
    return f"{RISKS.get(kind, kind)}（{word}）" if word else RISKS.get(kind, kind)


def risk_words(cues: list[str]) -> list[str]:
    """The cues worth a risk line of their own: an emergency transfer's kind (emergency:119) is already
    the transfer's own alert."""
    return [cue for cue in cues if cue.partition(":")[0] != "emergency"]
