"""Settled tickets join the seed corpus with their weights and the unit that replied to them."""

from __future__ import annotations

from datetime import UTC, datetime

from datasets import Dataset

from jiesu.training.datasets import TrainingData
from jiesu.training.decision_threshold import UnitLabel
from jiesu.training.settled import SEED_WEIGHT, SettledExample, with_settled


def _settled(ticket_id: str, unit: str) -> SettledExample:
    return SettledExample(
        ticket_id=ticket_id,
        text="朝阳区望京西园三区楼下饭馆油烟太大",
        caller_district="朝阳区",
        category_l1="环境保护",
        category_l2="餐饮油烟",
        unit=unit,
        kind="confirmed",
        weight=0.5,
        settled_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def test_settled_tickets_carry_the_unit_that_replied_for_the_decision_threshold() -> None:
    seed_label = UnitLabel("海淀区水务局")
    seed = TrainingData(
        texts=["海淀区清河路边污水横流"],
        targets={"category": ["排水"], "disposition": ["dispatch"]},
        source="seed",
        dataset=Dataset.from_dict({"text": ["海淀区清河路边污水横流"]}),
        unit_labels=[seed_label],
    )
    data = with_settled(seed, [_settled("t1", "朝阳区生态环境局")], "test.db")
    assert data.texts == [seed.texts[0], "朝阳区望京西园三区楼下饭馆油烟太大"]
    assert data.weights == [SEED_WEIGHT, 0.5]
    assert data.targets["category"] == ["排水", "餐饮油烟"]
    assert data.targets["disposition"] == ["dispatch", "dispatch"]
    assert data.unit_labels == [seed_label, UnitLabel("朝阳区生态环境局", "朝阳区")]
    assert data.ticket_ids == ["t1"]


def test_seed_data_without_unit_labels_leaves_them_unknown() -> None:
    seed = TrainingData(
        texts=["暖气不热"],
        targets={"category": ["供暖"]},
        source="seed",
        dataset=Dataset.from_dict({"text": ["暖气不热"]}),
    )
    data = with_settled(seed, [_settled("t1", "朝阳区生态环境局")], "test.db")
    assert data.unit_labels == [None, UnitLabel("朝阳区生态环境局", "朝阳区")]
