"""Training procedures around `RequestClassifier.fit`:

- `fit_calibrated`: internal K-fold on the training data gives out-of-fold scores; from them a
  temperature per head (calibration) and a confidence threshold per head (the lowest confidence at which
  auto-dispatched predictions reach the target accuracy); then the final fit on all the data.
- `cross_validate`: outer K-fold around `fit_calibrated`. Each outer model chooses its thresholds on its
  own inner folds, which never include the outer fold it is scored on.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tqdm.auto import tqdm

from jiesu.errors import DataValidationError
from jiesu.model.classifier import RequestClassifier
from jiesu.model.config import ClassifierConfig
from jiesu.model.hierarchy import L2, combine_heads
from jiesu.model.scoring import softmax
from jiesu.training.calibration import expected_calibration_error, fit_temperature
from jiesu.training.decision_threshold import DISPOSITION, UnitLabel, choose_decision_threshold
from jiesu.training.drift import reference_distributions, weight_summary
from jiesu.training.fold_workers import FoldFitter, FoldJob, default_workers
from jiesu.training.folds import Fold, duplicate_groups, grouped_stratified_folds
from jiesu.training.held import held_for_other_reasons
from jiesu.training.thresholds import choose_threshold, risk_coverage

log = logging.getLogger(__name__)
Labels = Mapping[str, Sequence[str | None]]


@dataclass
class HeadOutOfFold:
    """Out-of-fold predictions of one head over the rows that have a label for it."""

    classes: list[str]
    rows: npt.NDArray[np.int64]  # dataset row of each prediction
    y: npt.NDArray[np.int64]  # true class index
    proba: npt.NDArray[np.float32]  # calibrated probabilities, columns = classes
    fold: npt.NDArray[np.int64]  # which fold scored the row
    threshold: npt.NDArray[np.float64]  # threshold in force for that row (nan = none)

    @property
    def confidence(self) -> npt.NDArray[np.float32]:
        return np.asarray(self.proba.max(axis=1), dtype=np.float32)

    @property
    def correct(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.proba.argmax(axis=1) == self.y, dtype=bool)

    @property
    def auto(self) -> npt.NDArray[np.bool_]:
        return ~np.isnan(self.threshold) & (self.confidence >= np.nan_to_num(self.threshold, nan=np.inf))


@dataclass
class CalibrationReport:
    """What `fit_calibrated` learnt from its inner folds, per head."""

    temperatures: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float | None] = field(default_factory=dict)
    inner_ece: dict[str, float] = field(default_factory=dict)
    risk_coverage: dict[str, list[dict[str, float | None]]] = field(default_factory=dict)
    threshold_rows: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    decision_threshold: float | None = None
    unfamiliar_threshold: float | None = None


def _labelled(
    labels: Sequence[str | None], classes: Sequence[str]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The rows that have a label for a head, and each one's class index."""
    index = {label: i for i, label in enumerate(classes)}
    rows = np.array([i for i, label in enumerate(labels) if label], dtype=np.int64)
    return rows, np.array([index[labels[i]] for i in rows], dtype=np.int64)


def _label_lists(y: Labels) -> dict[str, list[str]]:
    return {head: sorted({label for label in labels if label}) for head, labels in y.items()}


def _subset(y: Labels, rows: npt.NDArray[np.int64]) -> dict[str, list[str | None]]:
    return {head: [labels[i] for i in rows] for head, labels in y.items()}


def inner_fold_count(folds: int, strata: Sequence[str | None]) -> int:
    """`folds`, or fewer where even the commonest label has fewer rows (a small file still trains, with
    at least 2 folds; below that the folds say why not)."""
    commonest = max(Counter(label or "" for label in strata).values(), default=0)
    if commonest >= folds:
        return folds
    log.info("%d inner folds, not %d: the commonest label has %d rows", max(commonest, 2), folds, commonest)
    return max(commonest, 2)


def _stratify_on(y: Labels) -> Sequence[str | None]:
    # The first level: every categorised row has one, also where a source gives no second level.
    return y.get("category_l1") or y.get("category") or next(iter(y.values()))


def out_of_fold_scores(
    texts: Sequence[str],
    y: Labels,
    config: ClassifierConfig,
    folds: Sequence[Fold],
    classes: Mapping[str, Sequence[str]],
    progress: bool = False,
    description: str = "folds",
    sample_weight: Sequence[float] | None = None,
    keep_models: bool = False,
    workers: int = 1,
    model_directory: Path | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> OutOfFold:
    """Uncalibrated scores for every row, each from the fold model that did not train on it, and how
    unfamiliar each row was to that model; with `keep_models`, the fold models too (in fold order).
    With `workers` > 1 (and enough rows) the fold models are fitted in worker processes, a kept one coming
    back through a directory under `model_directory`, while this process runs `meanwhile`."""
    scores: dict[str, npt.NDArray[np.float32]] = {
        head: np.zeros((len(texts), len(classes[head])), dtype=np.float32) for head in y
    }
    unfamiliarity: npt.NDArray[np.float64] | None = np.zeros(len(texts))
    models: list[RequestClassifier] = []
    parallel = workers if model_directory or not keep_models else 1
    with FoldFitter(parallel, len(texts), config.backend, jobs=len(folds)) as jobs:
        for number, (train_rows, test_rows) in enumerate(folds):
            keep_in = model_directory / f"fold-{number}" if keep_models and model_directory else None
            jobs.submit(
                FoldJob(
                    config=config,
                    texts=[texts[i] for i in train_rows],
                    y=_subset(y, train_rows),
                    classes={head: list(labels) for head, labels in classes.items()},
                    sample_weight=None if sample_weight is None else [sample_weight[i] for i in train_rows],
                    scored_texts=[texts[i] for i in test_rows],
                    directory=keep_in,
                )
            )
        if meanwhile is not None:
            meanwhile()
        results = tqdm(jobs.results(), total=len(folds), desc=description, disable=not progress, leave=False)
        for result, (_, test_rows) in zip(results, folds, strict=True):
            for head, values in result.scores.items():
                scores[head][test_rows] = values
            if result.unfamiliarity is None or unfamiliarity is None:
                unfamiliarity = None
            else:
                unfamiliarity[test_rows] = result.unfamiliarity
            if keep_models and result.model is not None:
                models.append(result.model)
    return OutOfFold(scores, unfamiliarity, models)


@dataclass
class OutOfFold:
    scores: dict[str, npt.NDArray[np.float32]]
    unfamiliarity: npt.NDArray[np.float64] | None
    models: list[RequestClassifier] = field(default_factory=list)


def _class_seen_in_training(labels: Sequence[str | None], folds: Sequence[Fold]) -> npt.NDArray[np.bool_]:
    """For each row, whether its label occurs in the training part of the fold that scores it."""
    seen = np.zeros(len(labels), dtype=bool)
    for train_rows, test_rows in folds:
        trained = {labels[i] for i in train_rows if labels[i]}
        for i in test_rows:
            seen[i] = labels[i] in trained
    return seen


def fit_calibrated(
    texts: Sequence[str],
    y: Labels,
    config: ClassifierConfig | None = None,
    *,
    classes: Mapping[str, Sequence[str]] | None = None,
    source: str = "",
    progress: bool = False,
    sample_weight: Sequence[float] | None = None,
    unit_labels: Sequence[UnitLabel | None] | None = None,
    workers: int | None = None,
) -> tuple[RequestClassifier, CalibrationReport]:
    """Fit the final model and calibrate it on inner out-of-fold predictions (see module doc).
    `sample_weight` weighs each row's loss in every fit (fold models and the final one); temperatures
    and thresholds are chosen unweighted, on what the model will be judged by: each text once.
    `unit_labels` (per text, where the data names the unit that handled it and the place): the decision
    threshold checks the unit itself there (jiesu.training.decision_threshold).
    `workers`: processes fitting the fold models (None: $JIESU_TRAIN_WORKERS, else one per available
    core; see fold_workers)."""
    config = config or ClassifierConfig()
    if sample_weight is not None and len(sample_weight) != len(texts):
        # Checked here, not only by the final fit: a fold would index past a short list (IndexError),
        # and a long one would be refused only after minutes of fold models.
        raise DataValidationError([f"sample_weight has {len(sample_weight)} values for {len(texts)} texts"])
    if unit_labels is not None and len(unit_labels) != len(texts):
        raise DataValidationError([f"unit_labels has {len(unit_labels)} values for {len(texts)} texts"])
    label_lists = {h: list(c) for h, c in classes.items()} if classes else _label_lists(y)
    strata = _stratify_on(y)
    folds = grouped_stratified_folds(
        texts, strata, inner_fold_count(config.calibration.folds, strata), config.seed
    )
    # With `leave_out_held`, the decision threshold reads each fold model's own suggestions
    # (jiesu.training.held).
    decides = L2 in y and DISPOSITION in y and config.calibration.leave_out_held
    final: list[RequestClassifier] = []

    def fit_final() -> None:
        # The final model does not depend on the folds: this process fits it while workers fit them.
        final.append(
            RequestClassifier(config).fit(
                texts, y, classes=label_lists, source=source, sample_weight=sample_weight
            )
        )

    # The fold models kept for `held_for_other_reasons` read files of their directories until then.
    keep_in = tempfile.TemporaryDirectory(prefix="jiesu-folds-") if decides else nullcontext(None)
    with keep_in as fold_models:
        out_of_fold = out_of_fold_scores(
            texts,
            y,
            config,
            folds,
            label_lists,
            progress,
            "calibration folds",
            sample_weight,
            keep_models=decides,
            workers=workers or default_workers(),
            model_directory=Path(fold_models) if fold_models else None,
            meanwhile=fit_final,
        )
        report, calibrated = _calibrate(y, out_of_fold, folds, label_lists, config)
        held = None
        if out_of_fold.models:
            callers = (
                [label.caller_district if label else None for label in unit_labels] if unit_labels else None
            )
            held = held_for_other_reasons(
                out_of_fold.models, folds, texts, report.temperatures, report.unfamiliar_threshold, callers
            )
            out_of_fold.models.clear()  # the fold models are not needed any more
    model = final[0]
    decision = choose_decision_threshold(
        texts, y, calibrated, label_lists, config.calibration.target_accuracy, unit_labels, held
    )
    report.decision_threshold = decision.threshold
    model.temperatures_ = dict(report.temperatures)
    model.thresholds_ = dict(report.thresholds)
    model.decision_threshold_ = report.decision_threshold
    model.decision_measured_ = decision.rows > 0
    model.unfamiliar_threshold_ = report.unfamiliar_threshold
    model.training_.metrics["calibration"] = {
        "folds": config.calibration.folds,
        "target_accuracy": config.calibration.target_accuracy,
        "temperature": report.temperatures,
        "threshold": report.thresholds,
        "inner_out_of_fold_ece": report.inner_ece,
        "inner_risk_coverage": report.risk_coverage,
        "decision": decision.to_dict(),
        "unfamiliar_threshold": report.unfamiliar_threshold,
        "unfamiliar_quantile": config.calibration.unfamiliar_quantile,
    }
    # What live traffic is compared with (GET /v1/metrics/model): the out-of-fold distributions.
    model.training_.metrics["reference_distributions"] = reference_distributions(
        decision.confidence if decision.rows else None, out_of_fold.unfamiliarity
    )
    if sample_weight is not None:
        model.training_.metrics["sample_weight"] = weight_summary(sample_weight)
    return model, report


def _calibrate(
    y: Labels,
    out_of_fold: OutOfFold,
    folds: Sequence[Fold],
    label_lists: Mapping[str, list[str]],
    config: ClassifierConfig,
) -> tuple[CalibrationReport, dict[str, npt.NDArray[np.float32]]]:
    """Temperatures, per-head thresholds and the unfamiliarity threshold from the out-of-fold scores,
    and the calibrated probabilities they give (the second level read within the first)."""
    scores = out_of_fold.scores
    report = CalibrationReport()
    calibrated: dict[str, npt.NDArray[np.float32]] = {}
    for head, labels in y.items():
        rows, truth = _labelled(labels, label_lists[head])
        # Rows whose class no fold model was trained on score that class at the floor of the absent
        # classes; they would drive the temperature to its bound and flatten every probability.
        seen = _class_seen_in_training(labels, folds)[rows]
        temperature = fit_temperature(scores[head][rows[seen]], truth[seen]) if seen.any() else 1.0
        report.temperatures[head] = temperature
        calibrated[head] = softmax(scores[head], temperature)
    # Thresholds on the probabilities the model will give: the second level read within the first.
    calibrated = combine_heads(calibrated, label_lists)
    for head, labels in y.items():
        rows, truth = _labelled(labels, label_lists[head])
        proba = calibrated[head][rows]
        confidence, correct = proba.max(axis=1), proba.argmax(axis=1) == truth
        report.thresholds[head] = choose_threshold(confidence, correct, config.calibration.target_accuracy)
        report.inner_ece[head] = expected_calibration_error(confidence, correct)
        report.risk_coverage[head] = [point.to_dict() for point in risk_coverage(confidence, correct)]
        report.threshold_rows[head] = rows
    if out_of_fold.unfamiliarity is not None:
        report.unfamiliar_threshold = float(
            np.quantile(out_of_fold.unfamiliarity, config.calibration.unfamiliar_quantile)
        )
    return report, calibrated


def _folds_over(texts: Sequence[str], y: Labels, scored: Sequence[bool], k: int, seed: int) -> list[Fold]:
    rows = np.flatnonzero(np.asarray(scored, dtype=bool)).astype(np.int64)
    always = np.flatnonzero(~np.asarray(scored, dtype=bool)).astype(np.int64)
    strata = _stratify_on(y)
    chosen = rows.tolist()
    inner = grouped_stratified_folds([texts[i] for i in chosen], [strata[i] for i in chosen], k, seed)
    # A text of another source that is also a scored text (the same history in two files) must not
    # train the fold that scores it: duplicates are grouped over all rows, as within one source.
    groups = duplicate_groups(texts)
    folds = []
    for train, test in inner:
        tested = np.isin(groups[always], groups[rows[test]])
        folds.append((np.sort(np.concatenate([always[~tested], rows[train]])), rows[test]))
    return folds


@dataclass
class CrossValidation:
    k: int
    heads: dict[str, HeadOutOfFold]
    folds: list[Fold]
    # Per outer fold and head, the dataset rows the threshold was chosen on (for auditing the protocol).
    threshold_rows: list[dict[str, npt.NDArray[np.int64]]]
    # Out-of-fold probabilities of every head for every scored row (zeros for rows never scored).
    proba: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict)
    scored_rows: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def cross_validate(
    texts: Sequence[str],
    y: Labels,
    config: ClassifierConfig | None = None,
    k: int = 5,
    *,
    scored: Sequence[bool] | None = None,
    progress: bool = False,
    unit_labels: Sequence[UnitLabel | None] | None = None,
) -> CrossValidation:
    """Duplicate-aware stratified K-fold around `fit_calibrated` (nested: calibration and thresholds
    are chosen on inner folds of each outer training part).

    With `scored`, only those rows are split into folds and scored; the others are in every fold's
    training part (a real history cross-validated with the seed corpus always trained on)."""
    config = config or ClassifierConfig()
    label_lists = _label_lists(y)
    if scored is None:
        folds = grouped_stratified_folds(texts, _stratify_on(y), k, config.seed)
    else:
        folds = _folds_over(texts, y, scored, k, config.seed)
    n = len(texts)
    proba = {h: np.zeros((n, len(c)), dtype=np.float32) for h, c in label_lists.items()}
    fold_of = np.full(n, -1, dtype=np.int64)
    threshold_of = {h: np.full(n, np.nan) for h in label_lists}
    threshold_rows: list[dict[str, npt.NDArray[np.int64]]] = []
    for number, (train_rows, test_rows) in enumerate(
        tqdm(folds, desc="cross-validation", disable=not progress)
    ):
        train_texts = [texts[i] for i in train_rows]
        inner_units = [unit_labels[i] for i in train_rows] if unit_labels is not None else None
        model, report = fit_calibrated(
            train_texts, _subset(y, train_rows), config, classes=label_lists, unit_labels=inner_units
        )
        threshold_rows.append({h: train_rows[r] for h, r in report.threshold_rows.items()})
        outer = model.proba_prepared(model.prepare([texts[i] for i in test_rows]))
        for head, values in outer.items():
            proba[head][test_rows] = values
            threshold = model.thresholds_[head]
            threshold_of[head][test_rows] = np.nan if threshold is None else threshold
        fold_of[test_rows] = number
        log.info("fold %d/%d done", number + 1, k)
    heads = {}
    for head, labels in y.items():
        index = {label: i for i, label in enumerate(label_lists[head])}
        rows = np.array([i for i, label in enumerate(labels) if label and fold_of[i] >= 0], dtype=np.int64)
        if len(rows) == 0:
            continue  # a head that only the always-trained rows have: nothing of it was scored
        heads[head] = HeadOutOfFold(
            classes=label_lists[head],
            rows=rows,
            y=np.array([index[labels[i]] for i in rows], dtype=np.int64),
            proba=proba[head][rows],
            fold=fold_of[rows],
            threshold=threshold_of[head][rows],
        )
    return CrossValidation(
        k=k,
        heads=heads,
        folds=folds,
        threshold_rows=threshold_rows,
        proba=proba,
        scored_rows=np.flatnonzero(fold_of >= 0).astype(np.int64),
    )
