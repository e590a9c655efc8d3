"""The three assessment rates (Regulation art. 32) over valid follow-ups, pure arithmetic:
response = contacted / valid, resolution = resolved / valid, satisfaction = Σ weight(level) / valid,
overall = Σ overall_weight × rate. Weights come from the workflow settings, never from code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FORMULA = {
    "response_rate": "contacted / valid",
    "resolution_rate": "resolved / valid",
    "satisfaction_rate": "Σ satisfaction_weights[level] × count(level) / valid",
    "overall": "Σ overall_weights[rate] × rate (response, resolution, satisfaction)",
}


@dataclass
class RateCounts:
    valid: int = 0
    contacted: int = 0
    resolved: int = 0
    satisfaction: dict[str, int] = field(default_factory=dict)

    def add(self, *, valid: bool, contacted: bool, resolved: bool, satisfaction: str | None) -> None:
        if not valid:  # invalid follow-ups (wrong number, abuse …) count in no rate
            return
        self.valid += 1
        self.contacted += contacted
        self.resolved += resolved
        if satisfaction is not None:
            self.satisfaction[satisfaction] = self.satisfaction.get(satisfaction, 0) + 1


def compute_rates(
    counts: RateCounts,
    satisfaction_weights: Mapping[str, float],
    overall_weights: Mapping[str, float],
) -> dict[str, Any]:
    """The rates of one unit and period; None where there is no valid follow-up."""
    if counts.valid == 0:
        rates: dict[str, float | None] = dict.fromkeys(
            ("response_rate", "resolution_rate", "satisfaction_rate", "overall")
        )
    else:
        response = counts.contacted / counts.valid
        resolution = counts.resolved / counts.valid
        weighted = sum(satisfaction_weights.get(level, 0.0) * n for level, n in counts.satisfaction.items())
        satisfaction = weighted / counts.valid
        overall = (
            overall_weights["response"] * response
            + overall_weights["resolution"] * resolution
            + overall_weights["satisfaction"] * satisfaction
        )
        rates = {
            "response_rate": round(response, 6),
            "resolution_rate": round(resolution, 6),
            "satisfaction_rate": round(satisfaction, 6),
            "overall": round(overall, 6),
        }
    return {
        "valid": counts.valid,
        "contacted": counts.contacted,
        "resolved": counts.resolved,
        "satisfaction_counts": dict(sorted(counts.satisfaction.items())),
        **rates,
    }
