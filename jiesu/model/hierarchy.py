"""The two category levels as one hierarchical head.

The first level (`category_l1`) is learned from every row that has a category of either level; the second
(`category`) from the rows that have one. At prediction the second level is read within the first:

    P(l2) = P(l1 of l2) × P(l2 | l1),   P(l2 | l1) = P₂(l2) / Σ P₂(children of l1)

so a model trained mostly on first-level history still names a second-level category. The suggested l2
is the most probable one under P(l2) (on the seed test split this beat "the best child of the best l1":
l2 0.777 against 0.757, l1 0.844 against 0.826; a wash on the real development half), and the suggested
l1 is its parent, so the two levels never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from jiesu.data.taxonomy import load_taxonomy

L1, L2 = "category_l1", "category"
Matrix = npt.NDArray[np.float32]


def parent_index(l2_classes: Sequence[str], l1_classes: Sequence[str]) -> npt.NDArray[np.int64]:
    """For each second-level class, the column of its first level in `l1_classes` (-1 if absent)."""
    return _parent_index(tuple(l2_classes), tuple(l1_classes))


@lru_cache(maxsize=16)  # a model's class lists never change: computed once, not per prediction
def _parent_index(l2_classes: tuple[str, ...], l1_classes: tuple[str, ...]) -> npt.NDArray[np.int64]:
    taxonomy = load_taxonomy()
    position = {name: i for i, name in enumerate(l1_classes)}
    return np.array([position.get(taxonomy.l1_of(l2), -1) for l2 in l2_classes], dtype=np.int64)


def combine(p_l1: Matrix, p_l2: Matrix, parents: npt.NDArray[np.int64]) -> Matrix:
    """Second-level probabilities read within the first level (module docstring). A first-level class
    with no second-level child keeps its mass out of the result: that mass names no l2 category."""
    known = parents >= 0
    membership = np.zeros((len(parents), p_l1.shape[1]), dtype=np.float64)
    membership[np.flatnonzero(known), parents[known]] = 1.0
    group_sums = np.asarray(p_l2, dtype=np.float64) @ membership  # (rows × l1)
    scale = np.divide(p_l1, group_sums, out=np.zeros_like(group_sums), where=group_sums > 0)
    padded = np.concatenate([scale, np.zeros((len(scale), 1))], axis=1)  # column -1: no parent
    combined: Matrix = (p_l2 * padded[:, parents]).astype(np.float32)
    return combined


def combine_heads(
    probabilities: Mapping[str, Matrix], classes: Mapping[str, Sequence[str]]
) -> dict[str, Matrix]:
    """`probabilities` with the second level replaced by its hierarchical reading, where both exist."""
    out = dict(probabilities)
    if L1 in probabilities and L2 in probabilities:
        parents = parent_index(classes[L2], classes[L1])
        out[L2] = combine(probabilities[L1], probabilities[L2], parents)
    return out
