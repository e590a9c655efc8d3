"""Reference distributions stored with a model, and the drift of live traffic away from them.

At training time the out-of-fold decision confidence and unfamiliar-text score (what the model gives a
text it did not train on, as live traffic is) are summarised as ten bins cut at the reference's deciles,
with the share of the reference in each. Live values are counted into the same bins and compared by the
**population stability index**, PSI = Σ (live − ref) · ln(live / ref). PSI is used rather than a KS
test because it needs only the stored bins (no training rows are kept with a model), it does not call
every small shift on thousands of tickets "significant", and it has conventional cut-offs: under 0.1
stable, 0.1–0.2 a moderate shift, over 0.2 the distributions have parted (the warning).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

BINS = 10
PSI_WARNING = 0.2
# Below this many live values the deciles are noise (2 values put 80% of the bins at zero): no warning.
MIN_LIVE = 200
# An empty bin would make the log infinite: shares are floored here (a common choice for PSI).
FLOOR = 1e-4


class Histogram(BaseModel):
    """A distribution as bins: `edges` are the inner cut points (bin i holds edges[i-1] < x ≤ edges[i])."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    edges: list[float] = Field(description="inner cut points, increasing (the reference's deciles)")
    shares: list[float] = Field(description="share of the values in each bin (len(edges) + 1 bins)")
    n: int = Field(ge=0, description="how many values")
    mean: float | None = Field(description="mean of the values; null when there are none")


def counts_in(edges: Sequence[float], values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    array = np.asarray(values, dtype=np.float64)
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), array, side="left")
    return np.bincount(index, minlength=len(edges) + 1).astype(np.int64)


def reference_histogram(values: npt.ArrayLike, bins: int = BINS) -> Histogram | None:
    """Bins cut at the values' quantiles (equal edges merged, so ties never split); None without values."""
    array = np.asarray(values, dtype=np.float64)
    array = array[np.isfinite(array)]
    if array.size == 0:
        return None
    quantiles = np.quantile(array, np.linspace(0, 1, bins + 1)[1:-1], method="inverted_cdf")
    edges = sorted({round(float(q), 6) for q in quantiles})
    counts = counts_in(edges, array)
    return Histogram(
        edges=edges,
        shares=[round(float(c) / array.size, 6) for c in counts],
        n=int(array.size),
        mean=round(float(array.mean()), 6),
    )


def live_histogram(reference: Histogram, values: Sequence[float]) -> Histogram:
    counts = counts_in(reference.edges, values)
    total = int(counts.sum())
    return Histogram(
        edges=reference.edges,
        shares=[round(float(c) / total, 6) if total else 0.0 for c in counts],
        n=total,
        mean=round(float(np.mean(values)), 6) if total else None,
    )


def psi(reference: Histogram, live: Histogram) -> float | None:
    """The population stability index of `live` against `reference` (same bins); None without values."""
    if reference.n == 0 or live.n == 0:
        return None
    ref = np.maximum(np.asarray(reference.shares), FLOOR)
    now = np.maximum(np.asarray(live.shares), FLOOR)
    return round(float(np.sum((now - ref) * np.log(now / ref))), 6)


def reference_distributions(
    decision_confidence: npt.ArrayLike | None, unfamiliarity: npt.ArrayLike | None
) -> dict[str, object]:
    """The histograms saved in a model's metrics (JSON), keyed by what they measure."""
    out: dict[str, object] = {"method": f"deciles of the out-of-fold values; PSI > {PSI_WARNING} warns"}
    for name, values in (("decision_confidence", decision_confidence), ("unfamiliarity", unfamiliarity)):
        histogram = None if values is None else reference_histogram(values)
        out[name] = None if histogram is None else histogram.model_dump()
    return out


def weight_summary(weights: Sequence[float]) -> dict[str, float | int]:
    array = np.asarray(weights, dtype=np.float64)
    return {
        "rows": int(array.size),
        "total": round(float(array.sum()), 4),
        "min": round(float(array.min()), 4),
        "max": round(float(array.max()), 4),
    }
