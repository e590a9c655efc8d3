"""`jiesu bench classify`: the classifier on the shared Teddy Cup 2020 data, side by side with a plain
baseline (word 1–2-gram TF-IDF + LinearSVC, library defaults), in one run.

(a) 5-fold duplicate-aware stratified CV on messages_segmented_9210.csv: macro-F1 and accuracy, spread;
(b) risk–coverage: coverage at 97% / 99% with thresholds chosen on inner folds (nested), plus the
    pooled out-of-fold table;
(c) speed on the raw texts of messages_raw_1842.jsonl, each model in a fresh process: load time,
    batch docs/s, single-text latency p50/p99, model size on disk, peak RSS.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from jiesu.data.loading import load_teddycup_raw, load_teddycup_segmented
from jiesu.evaluation.metrics import head_metrics
from jiesu.evaluation.timing import batch_and_single
from jiesu.extras import require_extra
from jiesu.model.config import ClassifierConfig
from jiesu.training.pipeline import cross_validate, fit_calibrated

log = logging.getLogger(__name__)
SEGMENTED = "messages_segmented_9210.csv"
RAW = "messages_raw_1842.jsonl"
TARGETS = {
    "macro_f1": 0.94,
    "coverage_at_97": 0.90,
    "docs_per_s": 2000,
    "p99_ms": 10.0,
    "load_s": 3.0,
    "size_mb": 200,
}


# --- the baseline: what a first attempt looks like ---------------------------------------------------
class Baseline:
    """Word 1–2-gram TF-IDF + LinearSVC with scikit-learn defaults, on jieba words (pure-Python jieba
    for raw texts, the file's own tokens for the segmented set)."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\S+")
        self.svm = LinearSVC()
        self._jieba: Any = None

    def _words(self, texts: list[str]) -> list[str]:
        if self._jieba is None:
            import jieba

            self._jieba = jieba.Tokenizer()
        return [" ".join(self._jieba.lcut(text)) for text in texts]

    def fit(self, tokenised: list[str], labels: list[str]) -> Baseline:
        self.svm.fit(self.vectorizer.fit_transform(tokenised), labels)
        return self

    def predict_raw(self, texts: list[str]) -> list[str]:
        return list(self.svm.predict(self.vectorizer.transform(self._words(texts))))


def _cross_validation(data_dir: Path, k: int, progress: bool) -> tuple[dict[str, Any], list[str], list[str]]:
    dataset = load_teddycup_segmented(data_dir / SEGMENTED)
    texts, labels = list(dataset["text"]), list(dataset["category_l1"])
    tokens = _file_tokens(data_dir / SEGMENTED)
    config = ClassifierConfig()
    started = time.perf_counter()
    result = cross_validate(texts, {"category_l1": labels}, config, k, progress=progress)
    ours_seconds = time.perf_counter() - started
    head = result.heads["category_l1"]
    ours = head_metrics(head.classes, head.y, head.proba, auto=head.auto, folds=head.fold)
    started = time.perf_counter()
    index = {label: i for i, label in enumerate(head.classes)}
    baseline_pred = np.zeros(len(texts), dtype=np.int64)
    for train_rows, test_rows in result.folds:
        model = Baseline().fit([tokens[i] for i in train_rows], [labels[i] for i in train_rows])
        predicted = model.svm.predict(model.vectorizer.transform([tokens[i] for i in test_rows]))
        baseline_pred[test_rows] = [index[label] for label in predicted]
    baseline_seconds = time.perf_counter() - started
    one_hot = np.eye(len(head.classes), dtype=np.float32)[baseline_pred[head.rows]]
    baseline = head_metrics(head.classes, head.y, one_hot, folds=head.fold)
    nested = {}
    for target in (0.97, 0.99):
        nested[f"{target:.2f}"] = _nested_coverage(result, config, target)
    return (
        {
            "k": k,
            "rows": len(texts),
            "ours": _summary(ours) | {"seconds": ours_seconds},
            "baseline": _summary(baseline) | {"seconds": baseline_seconds},
            "nested_coverage": nested,
            "pooled_risk_coverage": ours["risk_coverage"],
            "ece_out_of_fold": ours["ece"],
        },
        texts,
        labels,
    )


def _nested_coverage(result: Any, config: ClassifierConfig, target: float) -> dict[str, Any]:
    """Coverage/accuracy on each outer fold with the threshold chosen on that fold's inner folds.

    The target configured for training is applied by `cross_validate`; other targets are chosen here
    on the same inner out-of-fold predictions (recomputed from the stored thresholds' protocol)."""
    head = result.heads["category_l1"]
    if abs(target - config.calibration.target_accuracy) < 1e-9:
        auto = head.auto
    else:
        auto = np.zeros(len(head.rows), dtype=bool)
        from jiesu.training.thresholds import choose_threshold

        for fold in range(result.k):
            others = head.fold != fold  # thresholds from the other folds only, never the scored one
            threshold = choose_threshold(head.confidence[others], head.correct[others], target)
            mask = head.fold == fold
            if threshold is not None:
                auto[mask] = head.confidence[mask] >= threshold
    return {
        "coverage": float(auto.mean()),
        "accuracy": float(head.correct[auto].mean()) if auto.any() else None,
        "protocol": "inner folds of each outer training part"
        if abs(target - config.calibration.target_accuracy) < 1e-9
        else "out-of-fold predictions of the other outer folds",
    }


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    folds = metrics["folds"]
    return {
        "macro_f1": metrics["macro_f1"],
        "accuracy": metrics["accuracy"],
        "macro_f1_folds": folds["macro_f1"],
        "macro_f1_mean": folds["macro_f1_mean"],
        "macro_f1_std": folds["macro_f1_std"],
        "accuracy_mean": folds["accuracy_mean"],
        "accuracy_std": folds["accuracy_std"],
    }


def _file_tokens(path: Path) -> list[str]:
    from jiesu.data.loading import read_table

    return list(read_table(path)["tokens"])


# --- speed, in a fresh process per model ---------------------------------------------------------------
def speed_worker(kind: str, model_dir: str, raw_path: str) -> dict[str, Any]:
    """Run inside a fresh interpreter: load the model, time batch and single-text prediction."""
    texts = [
        json.loads(line)["text"] for line in Path(raw_path).read_text(encoding="utf-8").splitlines() if line
    ]
    started = time.perf_counter()
    if kind == "ours":
        from jiesu.model.classifier import RequestClassifier

        model = RequestClassifier.load(model_dir)

        def batch(items: list[str]) -> object:
            return model.predict_proba(items)

    else:
        import skops.io as sio

        baseline = sio.load(
            Path(model_dir) / "baseline.skops",
            trusted=sio.get_untrusted_types(file=Path(model_dir) / "baseline.skops"),
        )

        def batch(items: list[str]) -> object:
            return baseline.predict_raw(items)

    load_seconds = time.perf_counter() - started
    return {"load_s": load_seconds, **batch_and_single(batch, texts), "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss across
    exec, so a worker started by a big parent would report the parent's peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(kind: str, model_dir: Path, raw_path: Path) -> dict[str, Any]:
    command = [sys.executable, "-c", "import json,sys; from jiesu.evaluation.bench_classify import speed_worker; "
               "print(json.dumps(speed_worker(*sys.argv[1:])))", kind, str(model_dir), str(raw_path)]  # fmt: skip
    completed = subprocess.run(
        command, capture_output=True, text=True, check=False, env=os.environ | {"TQDM_DISABLE": "1"}
    )
    if completed.returncode != 0:
        raise RuntimeError(f"speed worker failed: {completed.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    figures["size_mb"] = sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file()) / 2**20
    return figures


def _speed(
    data_dir: Path, texts: list[str], labels: list[str], work: Path, seed_model: Path | None
) -> dict[str, Any]:
    import skops.io as sio

    ours_dir = work / "teddy-linear"
    model, _ = fit_calibrated(
        texts, {"category_l1": labels}, ClassifierConfig(), source=str(data_dir / SEGMENTED)
    )
    model.save(ours_dir)
    baseline_dir = work / "baseline"
    baseline_dir.mkdir()
    baseline = Baseline().fit(_file_tokens(data_dir / SEGMENTED), labels)
    sio.dump(baseline, baseline_dir / "baseline.skops")
    raw = data_dir / RAW
    results = {
        "ours (1 head)": _measure("ours", ours_dir, raw),
        "baseline": _measure("baseline", baseline_dir, raw),
    }
    if seed_model is not None:
        results["ours, seed model (3 heads)"] = _measure("ours", seed_model, raw)
    raw_rows = load_teddycup_raw(raw)
    raw_proba = model.predict_proba(list(raw_rows["text"]))["category_l1"]
    predicted = [model.classes_["category_l1"][i] for i in raw_proba.argmax(axis=1)]
    results["raw_accuracy_note"] = {
        "accuracy_on_raw_1842": float(
            np.mean([p == t for p, t in zip(predicted, raw_rows["category_l1"], strict=True)])
        ),
        "note": "the raw texts are a subset of the 9,210 training messages: this is not a held-out score",
    }
    return results


def run_benchmark(
    data_dir: Path, output: Path, k: int = 5, progress: bool = True, seed_model: Path | None = None
) -> dict[str, Any]:
    require_extra("bench", "the classification benchmark")  # skops saves the baseline, minutes from now
    if not (data_dir / SEGMENTED).exists() or not (data_dir / RAW).exists():
        raise FileNotFoundError(
            f"Teddy Cup files not found in {data_dir}; pass --data-dir ../shared/data/teddycup2020"
        )
    started = time.perf_counter()
    cv, texts, labels = _cross_validation(data_dir, k, progress)
    with tempfile.TemporaryDirectory(prefix="jiesu-bench-") as work:
        speed = _speed(data_dir, texts, labels, Path(work), seed_model)
    report = {
        "targets": TARGETS,
        "cross_validation": cv,
        "speed": speed,
        "seconds": time.perf_counter() - started,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def format_report(report: dict[str, Any]) -> str:
    cv = report["cross_validation"]
    ours, base = cv["ours"], cv["baseline"]
    lines = [
        f"Teddy Cup 2020, {cv['rows']} messages, {cv['k']}-fold duplicate-aware stratified CV",
        f"{'':28}{'ours (linear)':>22}{'baseline':>22}{'target':>10}",
        f"{'macro-F1 (mean ± sd)':28}{ours['macro_f1_mean']:>14.4f} ± {ours['macro_f1_std']:.4f}"
        f"{base['macro_f1_mean']:>14.4f} ± {base['macro_f1_std']:.4f}{'≥ 0.94':>10}",
        f"{'accuracy (mean ± sd)':28}{ours['accuracy_mean']:>14.4f} ± {ours['accuracy_std']:.4f}"
        f"{base['accuracy_mean']:>14.4f} ± {base['accuracy_std']:.4f}",
        f"{'ECE out-of-fold':28}{cv['ece_out_of_fold']:>22.4f}{'n/a':>22}",
    ]
    for target, nested in cv["nested_coverage"].items():
        accuracy = "n/a" if nested["accuracy"] is None else f"{nested['accuracy']:.4f}"
        goal = "≥ 0.90" if target == "0.97" else ""
        lines.append(
            f"{'coverage @ ' + target + ' (nested)':28}{nested['coverage']:>14.3f} acc {accuracy}{'':>22}{goal:>10}"
        )
    pooled = ", ".join(f"{p['target_accuracy']:.0%}→{p['coverage']:.3f}" for p in cv["pooled_risk_coverage"])
    lines.append(f"pooled out-of-fold risk–coverage: {pooled}")
    lines += [
        "",
        f"speed on {RAW} (fresh process each)",
        f"{'':30}{'load s':>8}{'docs/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'size MB':>9}{'RSS MB':>9}",
    ]
    for name, figures in report["speed"].items():
        if "docs_per_s" not in figures:
            continue
        lines.append(
            f"{name:30}{figures['load_s']:>8.2f}{figures['docs_per_s']:>10.0f}{figures['p50_ms']:>9.2f}"
            f"{figures['p99_ms']:>9.2f}{figures['size_mb']:>9.1f}{figures['peak_rss_mb']:>9.0f}"
        )
    lines.append(f"{'targets (linear)':30}{'≤ 3':>8}{'≥ 2000':>10}{'':>9}{'≤ 10':>9}{'≤ 200':>9}")
    lines.append(f"total {report['seconds']:.0f} s")
    return "\n".join(lines)
