"""The hierarchical category head: the first level from every row, the second within it."""

import numpy as np
import pytest

from jiesu.data.corpus import load_seed_corpus
from jiesu.data.taxonomy import load_taxonomy
from jiesu.errors import DataValidationError
from jiesu.model.classifier import RequestClassifier
from jiesu.model.heads import targets_from_columns
from jiesu.model.hierarchy import combine, combine_heads, parent_index

L2 = ["供暖", "供水", "餐饮油烟", "欠薪"]
L1 = ["劳动和社会保障", "城乡建设", "环境保护"]


def test_parents_follow_the_taxonomy() -> None:
    assert parent_index(L2, L1).tolist() == [1, 1, 2, 0]
    assert parent_index(["供暖"], ["环境保护"]).tolist() == [-1]


def test_second_level_is_read_within_the_first() -> None:
    p_l1 = np.array([[0.1, 0.6, 0.3]], dtype=np.float32)
    p_l2 = np.array([[0.2, 0.2, 0.5, 0.1]], dtype=np.float32)  # the flat l2 head prefers 餐饮油烟
    combined = combine(p_l1, p_l2, parent_index(L2, L1))
    # 城乡建设 (0.6) is split evenly between its two children; 环境保护 and 劳动 keep their l1 mass.
    assert combined[0] == pytest.approx([0.3, 0.3, 0.3, 0.1])
    assert combined.sum() == pytest.approx(1.0)


def test_a_first_level_without_children_keeps_its_mass_out() -> None:
    p_l1 = np.array([[0.5, 0.5]], dtype=np.float32)
    p_l2 = np.array([[1.0]], dtype=np.float32)
    combined = combine(p_l1, p_l2, parent_index(["供暖"], ["城乡建设", "环境保护"]))
    assert combined[0] == pytest.approx([0.5])


def test_combine_heads_leaves_one_level_models_alone() -> None:
    proba = {"category_l1": np.array([[1.0]], dtype=np.float32)}
    assert combine_heads(proba, {"category_l1": ["城乡建设"]}) == proba


def test_targets_give_both_levels_and_refuse_disagreeing_rows() -> None:
    targets = targets_from_columns({"category_l2": ["供暖", None], "category_l1": [None, "环境保护"]})
    assert targets["category"] == ["供暖", None]
    assert targets["category_l1"] == ["城乡建设", "环境保护"]
    with pytest.raises(DataValidationError, match="not the parent"):
        targets_from_columns({"category_l2": ["供暖"], "category_l1": ["环境保护"]})


def test_rows_with_only_a_first_level_teach_it_and_the_second_is_still_named() -> None:
    corpus = load_seed_corpus()
    taxonomy = load_taxonomy()
    keep = [
        i
        for i, l2 in enumerate(corpus["category_l2"])
        if l2 in ("供暖", "供水", "餐饮油烟", "欠薪", "养老金")
    ]
    texts = [corpus["text"][i] for i in keep]
    l2 = [corpus["category_l2"][i] for i in keep]
    # Half the rows keep only their first level, as an older history would.
    l2_given = [label if n % 2 else None for n, label in enumerate(l2)]
    targets = targets_from_columns(
        {"category_l2": l2_given, "category_l1": [taxonomy.l1_of(label) for label in l2]}
    )
    model = RequestClassifier().fit(texts, targets)
    assert set(model.heads_) == {"category", "category_l1"}
    # Texts it did not train on: the second level is named, and the first is its parent.
    unseen = ["小区暖气片不热，家里只有十五度", "公司拖欠三个月工资不发", "楼下饭馆排油烟熏得开不了窗"]
    predictions = model.predict(unseen)
    assert [p.category_l2 for p in predictions] == ["供暖", "欠薪", "餐饮油烟"]
    assert [p.category_l1 for p in predictions] == ["城乡建设", "劳动和社会保障", "环境保护"]
