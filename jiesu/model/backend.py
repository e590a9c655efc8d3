"""What a classifier backend provides; `RequestClassifier` talks to backends only through this."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt


@dataclass
class PreparedTexts:
    """Normalised texts and (for the linear backend) their segmentation, computed once per batch."""

    texts: list[str]
    tokens: list[list[str]]

    def __len__(self) -> int:
        return len(self.texts)


class Backend(Protocol):
    def prepare(self, normalised: Sequence[str]) -> PreparedTexts: ...

    def fit(
        self,
        prepared: PreparedTexts,
        targets: Mapping[str, npt.NDArray[np.int64]],
        classes: Mapping[str, int],
        sample_weight: npt.NDArray[np.float64] | None = None,
    ) -> None:
        """Fit every head on the rows with its label; `sample_weight` weighs each row's loss."""
        ...

    def scores(self, prepared: PreparedTexts) -> dict[str, npt.NDArray[np.float32]]: ...

    def scores_and_unfamiliarity(
        self, prepared: PreparedTexts
    ) -> tuple[dict[str, npt.NDArray[np.float32]], npt.NDArray[np.float64] | None]:
        """Scores, and per text how unlike the training data it is in [0, 1] (None: not measured)."""
        ...

    def n_classes(self, head: str) -> int: ...

    def save(self, directory: Path) -> list[str]: ...
