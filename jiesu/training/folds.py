"""Duplicate-aware stratified K-fold: identical texts (after normalisation) always share a fold, so no
copy of a scored text is ever in the training part."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import StratifiedGroupKFold

from jiesu.data.validation import duplicate_key
from jiesu.errors import InputTextError
from jiesu.model.text import normalise

Fold = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


def duplicate_groups(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """One group id per distinct text as the model sees it: normalised (full-width and Traditional
    characters folded, phone and ID numbers masked), whitespace ignored."""
    keys = [duplicate_key(_normalised(text)) for text in texts]
    return np.unique(np.array(keys, dtype=object), return_inverse=True)[1].astype(np.int64)


def grouped_stratified_folds(
    texts: Sequence[str], labels: Sequence[str | None], k: int, seed: int
) -> list[Fold]:
    """K folds stratified on `labels` (None counts as its own stratum), grouped by identical text."""
    if k < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {k}")
    if len(texts) < k:
        raise ValueError(f"cannot make {k} folds from {len(texts)} texts")
    strata = np.array([label or "" for label in labels], dtype=object)
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # Labels rarer than k cannot be in every fold; that is expected for a long-tailed taxonomy.
        warnings.simplefilter("ignore", UserWarning)
        folds = list(splitter.split(np.zeros(len(texts)), strata, duplicate_groups(texts)))
    return [(train.astype(np.int64), test.astype(np.int64)) for train, test in folds]


def _normalised(text: str) -> str:
    try:
        return normalise(text).text
    except InputTextError:  # empty or not text: the dataset validation reports it, not the folds
        return text if isinstance(text, str) else repr(text)
