"""The linear backend: normalise → segment (jieba, user dictionary) → char + word n-gram TF-IDF →
one LinearSVC per head, whose decision scores become probabilities through a calibrated temperature.

Fitted state is arrays (vocabularies, IDF, weights) saved with safetensors and JSON: nothing is pickled.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypedDict

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file, save_file
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from jiesu.model.backend import PreparedTexts
from jiesu.model.config import LinearConfig
from jiesu.model.features import TextFeaturizer
from jiesu.model.segmentation import Segmenter

FEATURES_FILE = "features.safetensors"
WORDS_FILE = "word_vocabulary.json"
WEIGHTS_FILE = "heads.safetensors"
USERDICT_FILE = "userdict.txt"


# All heads' weights as one C-contiguous (features × classes) matrix, the intercepts, and each head's columns.
_Stacked = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], dict[str, tuple[int, int]]]


class LinearBackend:
    def __init__(self, config: LinearConfig, segmenter: Segmenter, seed: int = 0) -> None:
        self.config = config
        self.segmenter = segmenter
        self.seed = seed
        self.featurizer: TextFeaturizer | None = None
        self.weights: dict[str, npt.NDArray[np.float32]] = {}
        self.intercepts: dict[str, npt.NDArray[np.float32]] = {}
        self._stacked_cache: _Stacked | None = None

    def prepare(self, normalised: Sequence[str]) -> PreparedTexts:
        return PreparedTexts(list(normalised), self.segmenter.cut_many(normalised))

    def fit(
        self,
        prepared: PreparedTexts,
        targets: Mapping[str, npt.NDArray[np.int64]],
        classes: Mapping[str, int],
        sample_weight: npt.NDArray[np.float64] | None = None,
    ) -> None:
        """`targets[head]` holds class indices, -1 where the row has no label for that head;
        `sample_weight` (one per row, None: all 1) scales each row's hinge loss (LinearSVC's own)."""
        cfg = self.config
        self.featurizer = TextFeaturizer(**_featurizer_settings(cfg))
        self.featurizer.fit(prepared.texts, prepared.tokens)
        features = self.featurizer.transform(prepared.texts, prepared.tokens)
        for head, y in targets.items():
            rows = np.flatnonzero(y >= 0)
            svm = LinearSVC(
                C=cfg.C,
                loss=cfg.loss,
                penalty="l2",
                dual=True,
                tol=cfg.tol,
                max_iter=cfg.max_iter,
                class_weight="balanced" if head in cfg.balanced_heads else cfg.class_weight,
                fit_intercept=True,
                intercept_scaling=1.0,
                multi_class="ovr",
                random_state=self.seed,
            )
            with warnings.catch_warnings():
                # A few hundred iterations short of full convergence changes nothing measurable here.
                warnings.simplefilter("ignore", ConvergenceWarning)
                svm.fit(
                    features[rows],
                    y[rows],
                    sample_weight=None if sample_weight is None else sample_weight[rows],
                )
            self.weights[head], self.intercepts[head] = _full_width(svm, classes[head], features.shape[1])
        self._stacked_cache = None

    def scores(self, prepared: PreparedTexts) -> dict[str, npt.NDArray[np.float32]]:
        return self.scores_and_unfamiliarity(prepared)[0]

    def scores_and_unfamiliarity(
        self, prepared: PreparedTexts
    ) -> tuple[dict[str, npt.NDArray[np.float32]], npt.NDArray[np.float64] | None]:
        """Scores per head, and per text the share of its n-grams and words unseen in training."""
        if self.featurizer is None:
            raise RuntimeError("the linear backend is not fitted")
        features, unseen = self.featurizer.transform_with_unseen(prepared.texts, prepared.tokens)
        stacked, intercepts, bounds = self._stacked()
        # One sparse × dense product for all heads against a C-contiguous (features × classes) matrix:
        # a transposed view would make scipy copy every weight on every call.
        scores = np.asarray(features @ stacked, dtype=np.float32) + intercepts
        return {head: scores[:, start:end] for head, (start, end) in bounds.items()}, unseen

    def _stacked(self) -> _Stacked:
        cached = self._stacked_cache
        if cached is None:
            bounds: dict[str, tuple[int, int]] = {}
            start = 0
            for head, weight in self.weights.items():
                bounds[head] = (start, start + weight.shape[0])
                start += weight.shape[0]
            stacked = np.ascontiguousarray(np.concatenate(list(self.weights.values())).T)
            intercepts = np.concatenate(list(self.intercepts.values()))
            cached = (stacked, intercepts, bounds)
            self._stacked_cache = cached
        return cached

    def n_classes(self, head: str) -> int:
        return int(self.weights[head].shape[0])

    # --- persistence -------------------------------------------------------------------------------
    def save(self, directory: Path) -> list[str]:
        if self.featurizer is None or self.featurizer.word_vocabulary is None:
            raise RuntimeError("the linear backend is not fitted")
        self.segmenter.save(directory / USERDICT_FILE)
        save_file(
            {k: np.ascontiguousarray(v) for k, v in self.featurizer.arrays().items()},
            directory / FEATURES_FILE,
        )
        (directory / WORDS_FILE).write_text(
            json.dumps(self.featurizer.word_vocabulary, ensure_ascii=False), encoding="utf-8"
        )
        arrays = {f"weight.{h}": w for h, w in self.weights.items()} | {
            f"intercept.{h}": b for h, b in self.intercepts.items()
        }
        save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, directory / WEIGHTS_FILE)
        return [USERDICT_FILE, FEATURES_FILE, WORDS_FILE, WEIGHTS_FILE]

    @classmethod
    def load(
        cls, directory: Path, config: LinearConfig, heads: Sequence[str], seed: int = 0
    ) -> LinearBackend:
        backend = cls(config, Segmenter.load(directory / USERDICT_FILE), seed)
        words = json.loads((directory / WORDS_FILE).read_text(encoding="utf-8"))
        backend.featurizer = TextFeaturizer.from_arrays(
            load_file(directory / FEATURES_FILE),
            words,
            **_featurizer_settings(config),
        )
        arrays = load_file(directory / WEIGHTS_FILE)
        for head in heads:
            backend.weights[head] = arrays[f"weight.{head}"]
            backend.intercepts[head] = arrays[f"intercept.{head}"]
        backend._stacked()  # part of loading: the first request should not pay for it
        return backend


class _FeatureSettings(TypedDict):
    min_df: int
    max_df: float
    word_min_count: int
    idf_power: float
    word_weight: float


def _featurizer_settings(config: LinearConfig) -> _FeatureSettings:
    """The feature settings of a linear configuration: the same for fitting and for loading."""
    return {
        "min_df": config.min_df,
        "max_df": config.max_df,
        "word_min_count": config.word_min_count,
        "idf_power": config.idf_power,
        "word_weight": config.word_weight,
    }


def _full_width(
    svm: LinearSVC, n_classes: int, n_features: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Weights for every class of the head, even those absent from this fit (a fold may miss a rare
    class): absent classes get a very low intercept so they are never predicted."""
    weight = np.zeros((n_classes, n_features), dtype=np.float32)
    intercept = np.full(n_classes, -1e3, dtype=np.float32)
    seen = svm.classes_.astype(np.int64)
    if len(seen) == 2:  # binary LinearSVC keeps one score: class 1 positive, class 0 its negation
        weight[seen[1]], intercept[seen[1]] = svm.coef_[0], svm.intercept_[0]
        weight[seen[0]], intercept[seen[0]] = -svm.coef_[0], -svm.intercept_[0]
    else:
        weight[seen] = svm.coef_
        intercept[seen] = svm.intercept_
    return weight, intercept
