from __future__ import annotations

import pytest

# A tiny but real labelled set: three categories, two request types, three dispositions.
TEXTS = [
    "小区暖气不热，屋里只有十五度",
    "暖气片冰凉，家里老人冻感冒了",
    "供暖以来室温一直不达标",
    "楼下饭馆油烟太大，熏得没法开窗",
    "烧烤店油烟扰民，每天晚上都有",
    "餐馆排油烟管道直冲我家窗户",
    "公司拖欠三个月工资不给",
    "老板欠我工资一直拖着不发",
    "工地拖欠农民工工资半年了",
    "仲裁委已经裁决了，公司还是不给工资",
]
CATEGORIES = ["供暖"] * 3 + ["餐饮油烟"] * 3 + ["欠薪"] * 4
REQUEST_TYPES = ["投诉", "求助", "投诉", "投诉", "投诉", "投诉", "求助", "求助", "投诉", "求助"]
DISPOSITIONS = ["dispatch"] * 9 + ["legal_channel:arbitration"]


@pytest.fixture
def labelled() -> tuple[list[str], dict[str, list[str | None]]]:
    return list(TEXTS), {
        "category": list(CATEGORIES),
        "request_type": list(REQUEST_TYPES),
        "disposition": list(DISPOSITIONS),
    }
