"""Reference histograms and the population stability index."""

from __future__ import annotations

import numpy as np
import pytest

from jiesu.training.drift import PSI_WARNING, live_histogram, psi, reference_histogram, weight_summary


def test_reference_bins_hold_a_tenth_each_and_ties_never_split() -> None:
    reference = reference_histogram(np.linspace(0, 1, 1001))
    assert reference is not None
    assert len(reference.edges) == 9
    assert len(reference.shares) == 10
    assert all(share == pytest.approx(0.1, abs=0.002) for share in reference.shares)
    tied = reference_histogram([0.5] * 50 + [0.9] * 50)
    assert tied is not None
    assert tied.edges == [0.5, 0.9]
    assert tied.shares == [0.5, 0.5, 0.0]
    assert reference_histogram([]) is None


def test_psi_is_near_zero_for_the_same_distribution_and_warns_when_it_moves() -> None:
    rng = np.random.default_rng(0)
    reference = reference_histogram(rng.beta(8, 2, 5000))
    assert reference is not None
    same = live_histogram(reference, rng.beta(8, 2, 2000).tolist())
    moved = live_histogram(reference, rng.beta(3, 3, 2000).tolist())
    same_psi, moved_psi = psi(reference, same), psi(reference, moved)
    assert same_psi is not None
    assert same_psi < 0.02
    assert moved_psi is not None
    assert moved_psi > PSI_WARNING
    assert psi(reference, live_histogram(reference, [])) is None


def test_weight_summary() -> None:
    assert weight_summary([1.0, 0.5, 0.8]) == {"rows": 3, "total": 2.3, "min": 0.5, "max": 1.0}
