"""`jiesu bench learning`'s simulation on a few texts with the keyword model: confirmed when the first
level is right, corrected (category and unit) when not, every ticket settled and read back as a label."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiesu.errors import JiesuError
from jiesu.evaluation.real_text import RealText
from jiesu.model.classifier import RequestClassifier
from jiesu.serving.db import Database
from jiesu.serving.learning_bench import check_labels, corrected_categories, settle_tickets
from jiesu.serving.settled import load_settled

TEXTS = [
    RealText("real:1", "小区暖气不热，家里只有十五度", "城乡建设"),  # 供暖 is under 城乡建设: confirmed
    RealText("real:2", "楼下饭馆油烟太大，熏得没法开窗", "环境保护"),  # 餐饮油烟 is 环境保护's: confirmed
    RealText("real:3", "暖气片冰凉，学校宿舍也冷", "教育文体"),  # suggested 城乡建设: corrected
]


def test_operators_settle_tickets_and_they_come_back_as_labels(
    keyword_model: RequestClassifier, migrated_sqlite: Path, tmp_path: Path
) -> None:
    path = tmp_path / "jiesu.db"
    path.write_bytes(migrated_sqlite.read_bytes())
    database = Database(f"sqlite:///{path}")
    outcomes = settle_tickets(database, keyword_model, TEXTS, 6, seed=0)
    assert outcomes == {"confirmed": 4, "corrected": 2}  # each text twice
    settled = load_settled(database)
    database.dispose()
    assert len(settled) == 6
    corrected = [example for example in settled if example.kind == "override"]
    assert {example.category_l1 for example in corrected} == {"教育文体"}
    assert all(example.weight == 0.8 for example in corrected)
    assert {example.kind for example in settled} == {"confirmed", "override"}


def test_corrections_stay_within_the_true_first_level(keyword_model: RequestClassifier) -> None:
    (l2,) = corrected_categories(keyword_model, [TEXTS[2]])
    from jiesu.data.taxonomy import load_taxonomy

    assert l2 is not None
    assert load_taxonomy().l1_of(l2) == "教育文体"


def test_labels_outside_our_first_level_are_refused() -> None:
    with pytest.raises(JiesuError, match="not in the taxonomy"):
        check_labels([RealText("real:9", "某文本", "外星事务")])
