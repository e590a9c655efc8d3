"""Proportions for audits: the Wilson score interval, a test of one group's proportion against the rest's
(the pooled two-proportion z-test, or Fisher's exact test where an expected cell count is under 5), and
the Holm–Bonferroni correction over the groups compared. Pure arithmetic (math only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile: two-sided 95%
MIN_EXPECTED = 5  # below this expected count in any cell, the z-test's normal approximation is not trusted
Test = Literal["two-proportion z-test", "Fisher's exact test"]


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of successes/total (95% by default); None when total is 0."""
    if total <= 0:
        return None
    if not 0 <= successes <= total:
        raise ValueError("successes must lie between 0 and total")
    p = successes / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def compare(k1: int, n1: int, k2: int, n2: int) -> tuple[float, Test] | None:
    """Two-sided p-value that k1/n1 and k2/n2 share one proportion, and the test used; None when either
    group is empty or the pooled proportion is 0 or 1 (nothing varies: no test)."""
    if n1 <= 0 or n2 <= 0:
        return None
    successes, total = k1 + k2, n1 + n2
    if successes in (0, total):
        return None
    expected = [n * share for n in (n1, n2) for share in (successes / total, 1 - successes / total)]
    if min(expected) < MIN_EXPECTED:
        return fisher_exact(k1, n1 - k1, k2, n2 - k2), "Fisher's exact test"
    pooled = successes / total
    z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2)), "two-proportion z-test"


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher's exact test of the 2×2 table [[a, b], [c, d]]: the probability, with the margins
    fixed, of a table no likelier than the one observed."""
    row1, col1, total = a + b, a + c, a + b + c + d

    def log_p(x: int) -> float:  # hypergeometric log-probability of x in the top-left cell
        return _log_choose(col1, x) + _log_choose(total - col1, row1 - x) - _log_choose(total, row1)

    observed = log_p(a)
    low, high = max(0, row1 + col1 - total), min(row1, col1)
    tolerance = 1e-7
    p = sum(math.exp(log_p(x)) for x in range(low, high + 1) if log_p(x) <= observed + tolerance)
    return min(1.0, p)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (same order as given): reject where adjusted < α, which
    controls the family-wise error rate over all the comparisons at α."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
