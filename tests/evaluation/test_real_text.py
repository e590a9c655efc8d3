"""The real texts of `jiesu bench real`: the stable split into halves and the loader. No shared data
needed: the texts are written into tmp_path."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from jiesu.errors import JiesuError
from jiesu.evaluation.real_text import RAW_FILE, half_of, load_real_texts


def test_half_is_pinned_and_ignores_whitespace() -> None:
    # Pinned: sha256 of the text without whitespace, parity. Changing the rule would move texts between
    # the half one looks at and the half one reports on.
    assert [half_of(t) for t in ("小区暖气不热", "噪音扰民", "a", "c")] == ["dev", "report", "report", "dev"]
    assert half_of("小区 暖气\n不热\t") == half_of("小区暖气不热")


def test_halves_are_roughly_even() -> None:
    counts = Counter(half_of(f"第{i}条留言") for i in range(10000))
    assert 4800 < counts["dev"] < 5200
    assert counts["dev"] + counts["report"] == 10000


def write_raw(root: Path, rows: list[dict[str, str]]) -> Path:
    path = root / RAW_FILE
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return root


def test_loading_splits_into_two_halves_with_duplicates_on_one_side(tmp_path: Path) -> None:
    texts = [f"A市第{i}小区路灯不亮" for i in range(40)]
    rows = [{"label": "城乡建设", "text": t} for t in texts] + [{"label": "城乡建设", "text": texts[0] + " "}]
    root = write_raw(tmp_path, rows)
    everything = load_real_texts(root)
    dev, report = load_real_texts(root, "dev"), load_real_texts(root, "report")
    assert [t.id for t in everything[:2]] == ["real:1", "real:2"]
    assert len(dev) + len(report) == len(everything) == 41
    assert dev
    assert report
    sides = {t.id: ("dev" if t in dev else "report") for t in everything}
    assert sides["real:1"] == sides["real:41"]  # the same text, up to whitespace


def test_missing_or_malformed_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JiesuError, match="--real-data"):
        load_real_texts(tmp_path)
    root = write_raw(tmp_path, [{"label": "城乡建设"}])
    with pytest.raises(JiesuError, match="line 1"):
        load_real_texts(root)
