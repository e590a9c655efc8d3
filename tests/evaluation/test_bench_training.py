"""`jiesu bench training` prints the two fits side by side and says whether they gave the same model."""

from jiesu.evaluation.bench_training import format_report


def _run(workers: int, seconds: float, digest: str) -> dict[str, object]:
    return {
        "workers": workers,
        "rows": 5380,
        "seconds": seconds,
        "peak_rss_mb": 1000.0,
        "workers_peak_rss_mb": 900.0 if workers > 1 else 0.0,
        "model_digest": digest,
    }


def test_the_report_sets_the_two_fits_side_by_side_and_says_if_the_models_differ() -> None:
    same = {"ours": _run(2, 71.0, "a"), "baseline": _run(1, 118.0, "a"), "same_model": True}
    text = format_report(same)
    assert "fold models in 2 worker process(es)" in text
    assert "71.0" in text
    assert "118.0" in text
    assert text.endswith("yes")
    different = same | {"same_model": False}
    assert format_report(different).endswith("NO")
