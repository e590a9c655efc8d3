"""The API's error messages in Chinese, for the console's operators (the API keeps its English messages,
which clients may match on). A message is recognised by the `Messages` template it was formatted from; its
values (limits, dates, codes) are carried over, codes in words. A message without a translation here is
shown as the API words it. Field names (caller_phone, new_facts …) stay as the API names them."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from functools import cache
from typing import Any

from jiesu.errors import Messages
from jiesu.serving.console import labels

# Messages template (English) → the same message in Chinese, with the same fields.
CHINESE: dict[str, str] = {
    Messages.missing_key: "缺少 API 密钥：请在 X-API-Key 请求头中发送",
    Messages.bad_key: "API 密钥无效、已过期或已吊销",
    Messages.role: "您的角色无权进行此操作",
    Messages.body_too_large: "请求内容超过 {limit} 字节",
    Messages.body_timeout: "请求内容未在 {seconds} 秒内送达",
    Messages.unstorable_parameter: "不得包含 NUL 字符或不成对的代理码位",
    Messages.ticket_not_found: "工单不存在",
    Messages.key_not_found: "API 密钥不存在",
    Messages.unit_not_found: "单位不存在",
    Messages.stale: "工单在您打开之后已被修改：请刷新页面后重试",
    Messages.illegal: "工单当前状态（{state}）下不能进行此操作（{action}）",
    Messages.idempotency_reused: "此受理编号（Idempotency-Key）已用于另一份内容不同的请求",
    Messages.idempotency_too_long: "受理编号（Idempotency-Key）超过 {limit} 个字符",
    Messages.lead_unit_only: "只有主办单位可以进行此操作",
    Messages.co_handler_only: "只有协办单位可以进行此操作",
    Messages.reject_takes_no_unit: "驳回退单后工单仍由原单位办理：不要选择单位",
    Messages.idempotency_missing: "创建工单需要受理编号（Idempotency-Key）",
    Messages.unknown_unit: "单位名称不认识：请选择派单目录中的单位",
    Messages.unknown_district: "来电人所在区不是北京的区：请填写正式名称（朝阳区）或简称（朝阳）",
    Messages.text_too_long: "诉求内容超过 {limit} 个字",
    Messages.text_empty: "诉求内容为空或只有空白",
    Messages.batch_too_large: "每次最多 {limit} 件诉求",
    Messages.no_unit: "没有可确认的建议单位：请选择单位（并填写理由）",
    Messages.override_reason: "改派到建议以外的单位须填写理由",
    Messages.consult_units: "发起会商须选择参与会商的单位",
    Messages.consult_outcome: "会商尚未结束：请先记录会商结果",
    Messages.return_window: "已超过退单期限（派单后 {days} 个工作日）",
    Messages.reason_required: "须填写理由",
    Messages.new_facts_required: "审核已驳回本单位在本轮派单中的退单：再次退单须填写新情况（new_facts，驳回之后出现的新事实）",
    Messages.new_facts_unexpected: "新情况（new_facts）只用于退单被驳回后的再次退单；这是首次退单",
    Messages.reason_code: "退单原因须为工作流设置中的原因之一",
    Messages.extension_count: "延期次数已用完（每件工单最多 {limit} 次）",
    Messages.extension_hours: "每次延期最多 {limit} 小时",
    Messages.uphold_unit: "同意退单须选择另一个单位重新派单",
    Messages.same_unit: "新单位须与当前单位不同",
    Messages.linked_ticket: "原工单编号须为另一件已有的工单",
    Messages.cursor: "翻页位置无效：请从列表第一页重新翻页",
    Messages.date_range: "起始日期不能晚于截止日期",
    Messages.date_out_of_range: "日期须在 {earliest} 至 {latest} 之间",
    Messages.unknown_category: "类别须为分类体系中的二级类别",
    Messages.unit_type_mismatch: "单位类型 {given} 与派单目录不符，目录中此单位为 {known}",
    Messages.escalation_other_district: "升级到区级须选择本工单所在区（{district}）的单位",
    Messages.escalation_level: "升级到{level}须选择该层级的单位，此单位不是",
    Messages.linked_ticket_later: "重复件须关联更早的工单，所选工单在本工单之后受理",
    Messages.linked_ticket_duplicate: "所选工单本身已作为重复件关闭：请关联它的原工单",
    Messages.followup_not_contacted: "未联系上来电人的回访不能记录是否解决或满意度",
    Messages.satisfaction_level: "满意度须为工作流设置中的等级之一",
    Messages.deadline_tier: "时限等级须为工作流设置中的等级之一",
    Messages.empty_input_text: "诉求内容为空或只有空白，没有可分析的内容",
    Messages.non_string_input: "诉求内容须为文本（收到的是 {kind}）",
    Messages.missing_input_text: "诉求没有内容：请填写诉求内容",
    Messages.no_request_in_text: "诉求内容中看不出诉求：没有中文，也没有三个以上的外文单词，只有表情、标点、符号、不可见字符或数字；请写明诉求",
    Messages.unpaired_surrogate: "诉求内容不是有效的 Unicode（第 {position} 个字符处有不成对的代理码位）",
}
# Codes inside messages (a state, an action, an escalation level), in words.
_CODES: dict[str, Mapping[str, str]] = {
    "state": labels.STATES,
    "action": labels.ACTIONS,
    "level": labels.VALUES,
    "given": labels.UNIT_TYPES,
    "known": labels.UNIT_TYPES,
}
# Pydantic's error types (a form field that failed the API's schema), in words; {…} from the error's ctx.
FIELD_ERRORS = {
    "missing": "必填",
    "string_pattern_mismatch": "格式不对",
    "string_too_long": "最多 {max_length} 个字",
    "string_too_short": "至少 {min_length} 个字",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "string_type": "须为文本",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "bool_parsing": "须为是或否",
    "bool_type": "须为是或否",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "literal_error": "须为以下之一：{expected}",
    "enum": "须为以下之一：{expected}",
    "extra_forbidden": "不应填写此项",
    "date_from_datetime_parsing": "不是日期（应为 年-月-日）",
    "datetime_from_date_parsing": "不是日期或时间",
}
INVALID_FORM = "填写有误，请检查以下各项"
# The `details` of the API's errors, by key.
DETAILS = {
    "max_text_chars": "字数上限",
    "max_batch": "每次件数上限",
    "unknown_units": "不认识的单位",
    "current_version": "当前版本",
    "reason_codes": "可选的退单原因",
    "previous_decision": "此前的审核决定",
    "levels": "可选的满意度",
    "state": "工单状态",
    "action": "操作",
    "allowed_actions": "此时可做的操作",
    "original_ticket_id": "原工单",
}
_DETAIL_FIELDS = {"returned_by": "退单单位", **labels.PAYLOAD}


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each English template as a pattern whose named groups are its fields."""
    patterns = []
    for english, chinese in CHINESE.items():
        parts = []
        for literal, name, _spec, _conversion in string.Formatter().parse(english):
            parts.append(re.escape(literal))
            if name is not None:
                parts.append(f"(?P<{name}>.+?)")
        patterns.append((re.compile("".join(parts), re.DOTALL), chinese))
    return patterns


def _in_words(name: str, value: str) -> str:
    value = value.strip("'\"")
    return _CODES.get(name, {}).get(value, value)


def in_chinese(text: str) -> str:
    """The API's message in Chinese where it is one of the known templates, else as it is."""
    for pattern, chinese in _patterns():
        found = pattern.fullmatch(text)
        if found is not None:
            return chinese.format(
                **{name: _in_words(name, value) for name, value in found.groupdict().items()}
            )
    return text


def field_error(error: Mapping[str, Any]) -> str:
    """One invalid field's problem (a pydantic error) in Chinese; the schema's own wording where unknown."""
    kind = str(error.get("type", ""))
    message = str(error.get("msg", ""))
    if kind == "value_error":  # a validator's message: one of the API's (Messages) after pydantic's prefix
        return in_chinese(message.removeprefix("Value error, "))
    template = FIELD_ERRORS.get(kind)
    if template is None:
        return message
    context = {name: str(value) for name, value in (error.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except KeyError:
        return message


def _value(value: object, key: str = "") -> str:
    if isinstance(value, list | tuple):
        return "、".join(_value(item, key) for item in value)
    if key == "state":
        return labels.STATES.get(str(value), str(value))
    if key in ("action", "allowed_actions"):
        return labels.ACTIONS.get(str(value), str(value))
    if isinstance(value, dict):
        return "；".join(f"{_DETAIL_FIELDS.get(str(k), str(k))}：{_value(v)}" for k, v in value.items())
    return labels.VALUES.get(str(value), str(value))


def detail_lines(details: object) -> list[str]:
    """The error's details (allowed values, the current version …), one line each, keys in words."""
    if not isinstance(details, dict):
        return []
    return [
        f"{DETAILS.get(key, key)}：{_value(value, key)}"
        for key, value in details.items()
        if key != "allowed_roles"
    ]
