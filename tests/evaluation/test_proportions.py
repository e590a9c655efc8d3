from __future__ import annotations

import math

import pytest

from jiesu.evaluation.proportions import compare, fisher_exact, holm, wilson


def test_wilson_matches_the_textbook_values() -> None:
    # Newcombe (1998), example: 81/263 → 0.2553 to 0.3662
    low, high = wilson(81, 263) or (0.0, 0.0)
    assert low == pytest.approx(0.2553, abs=1e-4)
    assert high == pytest.approx(0.3662, abs=1e-4)
    zero = wilson(0, 10)
    assert zero is not None
    assert zero[0] == 0.0
    assert zero[1] == pytest.approx(0.2775, abs=1e-4)
    assert wilson(0, 0) is None
    with pytest.raises(ValueError, match="between"):
        wilson(3, 2)


def test_fisher_exact_matches_the_tea_tasting_table() -> None:
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(0.4857, abs=1e-4)
    assert fisher_exact(10, 0, 0, 10) == pytest.approx(1.0825e-05, rel=1e-3)


def test_compare_uses_the_z_test_for_large_counts_and_fisher_for_small() -> None:
    result = compare(60, 100, 40, 100)
    assert result is not None
    p, test = result
    assert test == "two-proportion z-test"
    assert p == pytest.approx(math.erfc(2.8284271 / math.sqrt(2)), rel=1e-4)
    small = compare(3, 4, 1, 4)
    assert small is not None
    assert small[1] == "Fisher's exact test"
    assert compare(0, 5, 0, 7) is None  # nothing varies
    assert compare(1, 0, 3, 4) is None


def test_holm_adjusts_in_order_and_keeps_monotone() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([]) == []
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
