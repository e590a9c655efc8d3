from __future__ import annotations

import re

import numpy as np

from jiesu.evaluation.metrics import format_head, head_metrics
from jiesu.terminal import fit, width


def test_wide_characters_take_two_columns() -> None:
    assert width("供暖") == 4
    assert width("a供") == 3
    assert fit("人事档案与人才引进", 8) == "人事档案"
    assert fit("ab", 4) == "ab  "


def test_per_class_rows_line_up_whatever_the_script_of_their_names() -> None:
    classes = ["学校管理", "人事档案与人才引进", "other"]
    y = np.array([0, 1, 2, 0])
    proba = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
    table = format_head("category", head_metrics(classes, y, proba), max_classes=3)
    first_figure = re.compile(r"\d\.\d{3}")
    rows = [line for line in table.splitlines() if line.split() and line.split()[0] in classes]
    starts = {width(line[: first_figure.search(line).start()]) for line in rows}  # type: ignore[union-attr]
    assert len(rows) == 3
    assert len(starts) == 1  # the figures start in the same terminal column on every row
