"""`RequestClassifier`: the one model object that training, evaluation and serving call.

sklearn-shaped: the constructor only stores configuration; `fit` learns and returns self; fitted state
ends in `_`; `classes_[head]` is the column order of `predict_proba(...)[head]`; `predict(str)` gives
one Prediction and `predict(list)` a list. `save(dir)` / `load(dir)` use a versioned model directory.

What the model depends on travels with it: the backend's files, and a copy of jieba's dictionary
(`jieba_dict.txt`), whose word counts the jurisdiction resolver reads (`jieba_dictionary_`).

Reference data on load. The metadata records the taxonomy and dispatch-catalogue versions the model was
trained with; `load` compares them with the shipped ones by this rule:
- a category head with a class that the current taxonomy lacks (a second-level category renamed or
  removed; for `category_l1`, a first-level one) → ModelLoadError: the model would suggest categories
  that no longer exist, so it must be retrained;
- the taxonomy version differs but every class still exists → a logged warning (descriptions or
  confusable lists changed; the model still works, retraining is advised);
- the catalogue version differs → a logged warning: the catalogue is applied at suggestion time, so
  the units come from the shipped catalogue, not the one the model saw.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from jiesu.data.catalogue import load_catalogue
from jiesu.data.gazetteer import load_gazetteer
from jiesu.data.taxonomy import FIRST_LEVEL_NAMES, load_taxonomy
from jiesu.errors import (
    DataValidationError,
    InputTextError,
    Messages,
    ModelLoadError,
    message,
)
from jiesu.extras import require_extra
from jiesu.model.backend import Backend, PreparedTexts
from jiesu.model.config import ClassifierConfig
from jiesu.model.heads import HEADS, decode_disposition
from jiesu.model.hierarchy import combine_heads
from jiesu.model.legal_reader import FILES as LEGAL_READER_FILES
from jiesu.model.legal_reader import LegalReader, LegalReading, legal_readings
from jiesu.model.linear import LinearBackend
from jiesu.model.model_dir import check_save_target, library_versions, read_metadata, write_metadata
from jiesu.model.scoring import softmax, top_k
from jiesu.model.segmentation import Segmenter, build_user_words, jieba_dictionary_path
from jiesu.model.text import MAX_TEXT_CHARS, normalise

log = logging.getLogger(__name__)
TOP_K = 3
METRICS_FILE = "metrics.json"
JIEBA_DICTIONARY_FILE = "jieba_dict.txt"


@dataclass(frozen=True)
class HeadPrediction:
    label: str
    confidence: float
    top: list[tuple[str, float]]
    threshold: float | None
    margin: float
    # The whole distribution over `classes_[head]` (the unit's mass sums categories that route alike).
    distribution: npt.NDArray[np.float32] | None = field(default=None, repr=False, compare=False)

    @property
    def meets_threshold(self) -> bool:
        """Confident enough to act on without a person (the stored threshold; none stored → no)."""
        return self.threshold is not None and self.confidence >= self.threshold


@dataclass(frozen=True)
class Prediction:
    heads: dict[str, HeadPrediction]
    truncated: bool = False
    # Share of the text's n-grams and words unseen in training (None: the backend does not measure it).
    unfamiliarity: float | None = None
    unfamiliar_threshold: float | None = None
    # The learned legal reader's reading (jiesu.model.legal_reader); None: the model has no reader.
    legal_reading: LegalReading | None = None

    @property
    def unfamiliar(self) -> bool:
        """Unlike the training data: more unseen than all but the rarest training texts."""
        return (
            self.unfamiliarity is not None
            and self.unfamiliar_threshold is not None
            and self.unfamiliarity > self.unfamiliar_threshold
        )

    @property
    def category_l2(self) -> str | None:
        head = self.heads.get("category")
        return head.label if head else None

    @property
    def category_l1(self) -> str | None:
        if "category" in self.heads:
            return load_taxonomy().l1_of(self.heads["category"].label)
        head = self.heads.get("category_l1")
        return head.label if head else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"truncated": self.truncated}
        for name, head in self.heads.items():
            out[name] = {
                "label": head.label,
                "confidence": round(head.confidence, 4),
                "meets_threshold": head.meets_threshold,
                "top": [{"label": label, "confidence": round(p, 4)} for label, p in head.top],
            }
        if "disposition" in self.heads:
            decoded = decode_disposition(self.heads["disposition"].label)
            out["disposition"] |= {"channel": decoded.channel, "emergency_number": decoded.emergency_number}
        return out


@dataclass
class TrainingRecord:
    """What the model directory remembers about how the model was made."""

    fingerprint: str = ""
    rows: int = 0
    source: str = ""
    label_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)


class RequestClassifier:
    # Fitted with the heads where the data has dispositions (jiesu.model.legal_reader); None: no reader.
    legal_reader_: LegalReader | None = None

    def __init__(self, config: ClassifierConfig | None = None) -> None:
        self.config = config or ClassifierConfig()

    # --- fitting ------------------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[object],
        y: Mapping[str, Sequence[str | None]],
        *,
        classes: Mapping[str, Sequence[str]] | None = None,
        source: str = "",
        sample_weight: Sequence[float] | None = None,
    ) -> RequestClassifier:
        """Train the heads named in `y` (head → label per text; None where a row has no label).

        `classes` fixes each head's label list (cross-validation folds share the full label space even
        when a fold lacks a rare label); by default it is the sorted labels present in `y`.
        `sample_weight` (one non-negative number per text; None: all 1) weighs each row in every head's
        loss: a label whose outcome is surer counts more."""
        if not y:
            raise DataValidationError(["no label columns given: pass at least one head (e.g. category)"])
        unknown = sorted(set(y) - set(HEADS))
        if unknown:
            raise DataValidationError([f"unknown heads {unknown}; known heads are {list(HEADS)}"])
        normalised = self._normalise_all(texts)
        weights = _checked_weights(sample_weight, len(normalised))
        label_lists: dict[str, list[str]] = {}
        targets: dict[str, npt.NDArray[np.int64]] = {}
        for head, labels in y.items():
            if len(labels) != len(normalised):
                raise DataValidationError(
                    [f"head {head!r} has {len(labels)} labels for {len(normalised)} texts"]
                )
            strange = [
                (i, label)
                for i, label in enumerate(labels)
                if label is not None and not isinstance(label, str)
            ]
            if strange:
                i, label = strange[0]
                raise DataValidationError(
                    [
                        f"head {head!r}: labels must be strings (None for no label); {len(strange)} are not, "
                        f"e.g. row {i}: {label!r}"
                    ]
                )
            present = sorted({label for label in labels if label})
            if len(present) < 2:
                raise DataValidationError(
                    [message(Messages.too_few_classes, column=head, count=len(present), labels=present)]
                )
            names = sorted(classes[head]) if classes and head in classes else present
            self._check_labels(head, names)
            extra = sorted(set(present) - set(names))
            if extra:
                raise DataValidationError([message(Messages.unknown_label, column=head, labels=extra[:10])])
            index = {label: i for i, label in enumerate(names)}
            label_lists[head] = names
            targets[head] = np.array([index[label] if label else -1 for label in labels], dtype=np.int64)
        self.classes_ = label_lists
        self.heads_ = list(label_lists)
        self.backend_: Backend = self._new_backend()
        prepared = self.backend_.prepare(normalised)
        self.backend_.fit(prepared, targets, {h: len(c) for h, c in label_lists.items()}, weights)
        self.legal_reader_ = LegalReader.from_dispositions(normalised, y.get("disposition"), self.config.seed)
        self.temperatures_ = dict.fromkeys(label_lists, 1.0)
        self.thresholds_: dict[str, float | None] = dict.fromkeys(label_lists)
        self.decision_threshold_: float | None = None
        # Whether the decision threshold was measured (a measured None means "never without a person").
        self.decision_measured_ = False
        self.unfamiliar_threshold_: float | None = None
        self.margin_ = self.config.calibration.margin
        self.training_ = TrainingRecord(
            fingerprint=_fingerprint(normalised, y),
            rows=len(normalised),
            source=source,
            label_counts={
                h: {c: int((targets[h] == i).sum()) for i, c in enumerate(names)}
                for h, names in label_lists.items()
            },
        )
        self.jieba_dictionary_ = jieba_dictionary_path()
        self.created_at_ = datetime.now(UTC).replace(microsecond=0)
        self.model_id_ = (
            f"{self.config.backend}-{self.created_at_:%Y%m%dT%H%M%SZ}-{self.training_.fingerprint[:8]}"
        )
        return self

    def _new_backend(self) -> Backend:
        if self.config.backend == "transformer":
            require_extra("transformer", "the transformer backend")
            from jiesu.model.transformer import TransformerBackend  # torch is imported only when needed

            return TransformerBackend(self.config.transformer, self.config.seed)
        words = build_user_words(load_gazetteer(), load_taxonomy())
        return LinearBackend(self.config.linear, Segmenter(words), self.config.seed)

    @staticmethod
    def _check_labels(head: str, labels: list[str]) -> None:
        if head == "category":
            taxonomy = load_taxonomy()
            unknown = [label for label in labels if label not in taxonomy]
        elif head == "category_l1":
            unknown = [label for label in labels if label not in FIRST_LEVEL_NAMES]
        else:
            return
        if unknown:
            raise DataValidationError([message(Messages.unknown_label, column=head, labels=unknown[:10])])

    @staticmethod
    def _normalise_all(texts: Sequence[object]) -> list[str]:
        if isinstance(texts, str):
            raise InputTextError("fit/predict_proba take a list of texts, not one string")
        if not isinstance(texts, Iterable):
            raise InputTextError(f"expected a list of texts, got {type(texts).__name__}")
        out, truncated = [], 0
        for i, text in enumerate(texts):
            try:
                normalised = normalise(text)
            except InputTextError as exc:
                raise InputTextError(f"text {i}: {exc}") from None
            out.append(normalised.text)
            truncated += normalised.truncated
        if truncated:
            # Users hear it once: from `predict`, and from the dataset loaders of training and evaluation
            # (not from every cross-validation fold that fits and scores the same texts again).
            log.debug("%d text(s) longer than %d characters were cut there", truncated, MAX_TEXT_CHARS)
        return out

    # --- prediction ---------------------------------------------------------------------------------
    def _require_fitted(self) -> None:
        if not hasattr(self, "backend_"):
            raise RuntimeError("this RequestClassifier is not fitted: call fit() or RequestClassifier.load()")

    def prepare(self, texts: Sequence[object]) -> PreparedTexts:
        """Normalise and segment once; `scores_prepared` can then be called per fold or head."""
        self._require_fitted()
        return self.backend_.prepare(self._normalise_all(texts))

    def scores_prepared(self, prepared: PreparedTexts) -> dict[str, npt.NDArray[np.float32]]:
        """Uncalibrated per-class scores (decision values or logits) per head."""
        self._require_fitted()
        return self.backend_.scores(prepared)

    def proba_prepared(self, prepared: PreparedTexts) -> dict[str, npt.NDArray[np.float32]]:
        """Calibrated probabilities per head; the second-level category read within the first where the
        model has both (jiesu.model.hierarchy)."""
        return self._calibrated(self.scores_prepared(prepared))

    def _calibrated(
        self, scores: Mapping[str, npt.NDArray[np.float32]]
    ) -> dict[str, npt.NDArray[np.float32]]:
        calibrated = {head: softmax(s, self.temperatures_[head]) for head, s in scores.items()}
        return combine_heads(calibrated, self.classes_)

    def unfamiliarity_prepared(self, prepared: PreparedTexts) -> npt.NDArray[np.float64] | None:
        """Per text, the share of its n-grams and words never seen in training (None: not measured)."""
        self._require_fitted()
        return self.backend_.scores_and_unfamiliarity(prepared)[1]

    def predict_proba(self, texts: Sequence[object]) -> dict[str, npt.NDArray[np.float32]]:
        """Calibrated probabilities per head; columns follow `classes_[head]`."""
        return self.proba_prepared(self.prepare(texts))

    def best_labels(self, texts: Sequence[str], head: str) -> list[tuple[str, float]]:
        """The most probable label of one head and its probability, per text: what `predict` says for that
        head, without building every head's prediction (the parts of multi-issue requests need one)."""
        proba = self.proba_prepared(self.prepare(texts))[head]
        order, best = top_k(proba, 1)
        names = self.classes_[head]
        return [
            (names[label], confidence)
            for label, confidence in zip(order[:, 0].tolist(), best[:, 0].tolist(), strict=True)
        ]

    @overload
    def predict(self, texts: str) -> Prediction: ...
    @overload
    def predict(self, texts: list[str]) -> list[Prediction]: ...
    def predict(self, texts: str | list[str]) -> Prediction | list[Prediction]:
        """One Prediction for a string, a list for a list. Texts over MAX_TEXT_CHARS are cut there."""
        single = isinstance(texts, str)
        if not single and not isinstance(texts, Iterable):
            raise InputTextError(f"predict takes a text or a list of texts, got {type(texts).__name__}")
        batch: Sequence[object] = [texts] if single else list(texts)
        truncated = [isinstance(t, str) and len(t) > MAX_TEXT_CHARS for t in batch]
        if any(truncated):
            log.warning("%d text(s) longer than %d characters were cut there", sum(truncated), MAX_TEXT_CHARS)
        prepared = self.prepare(batch)  # checks the model is fitted
        scores, unfamiliarity = self.backend_.scores_and_unfamiliarity(prepared)
        probabilities = self._calibrated(scores)
        readings = legal_readings(
            self.legal_reader_,
            prepared.texts,
            self.classes_.get("disposition", []),
            probabilities.get("disposition"),
        )
        predictions = self._decide(probabilities, truncated, unfamiliarity, readings)
        return predictions[0] if single else predictions

    def _decide(
        self,
        probabilities: Mapping[str, npt.NDArray[np.float32]],
        truncated: list[bool],
        unfamiliarity: npt.NDArray[np.float64] | None = None,
        readings: Sequence[LegalReading | None] | None = None,
    ) -> list[Prediction]:
        per_head: dict[str, list[HeadPrediction]] = {}
        for head, proba in probabilities.items():
            order, best = top_k(proba, TOP_K)
            names = self.classes_[head]
            threshold = self.thresholds_.get(head)
            margins = (best[:, 0] - best[:, 1] if best.shape[1] > 1 else best[:, 0]).tolist()
            labels = order[:, 0]
            label_confidence = best[:, 0]
            # Python lists, not per-element numpy indexing: ~10x faster for a batch of suggestions.
            per_head[head] = [
                HeadPrediction(
                    label=names[label],
                    confidence=confidence,
                    top=[(names[c], p) for c, p in zip(classes, confidences, strict=True)],
                    threshold=threshold,
                    margin=margin,
                    distribution=row,
                )
                for label, confidence, classes, confidences, margin, row in zip(
                    labels.tolist(),
                    label_confidence.tolist(),
                    order.tolist(),
                    best.tolist(),
                    margins,
                    proba,
                    strict=True,
                )
            ]
        unseen = [None] * len(truncated) if unfamiliarity is None else unfamiliarity.tolist()
        return [
            Prediction(
                heads={head: per_head[head][row] for head in per_head},
                truncated=truncated[row],
                unfamiliarity=unseen[row],
                unfamiliar_threshold=self.unfamiliar_threshold_,
                legal_reading=readings[row] if readings else None,
            )
            for row in range(len(truncated))
        ]

    # --- persistence --------------------------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        self._require_fitted()
        return {
            "model_id": self.model_id_,
            "created_at": self.created_at_.isoformat(),
            "backend": self.config.backend,
            "versions": library_versions(),
            "config": self.config.to_dict(),
            "heads": {
                head: {
                    "classes": self.classes_[head],
                    "temperature": self.temperatures_[head],
                    "threshold": self.thresholds_[head],
                    "label_counts": self.training_.label_counts.get(head, {}),
                }
                for head in self.heads_
            },
            "margin": self.margin_,
            "consultation": {
                "decision_measured": self.decision_measured_,
                "decision_threshold": self.decision_threshold_,
                "unfamiliar_threshold": self.unfamiliar_threshold_,
            },
            "legal_reader": self.legal_reader_.describe() if self.legal_reader_ is not None else None,
            "max_text_chars": MAX_TEXT_CHARS,
            "reference_data": {"taxonomy": load_taxonomy().version, "catalogue": load_catalogue().version},
            "training_data": {
                "fingerprint": self.training_.fingerprint,
                "rows": self.training_.rows,
                "source": self.training_.source,
            },
            "metrics": self.training_.metrics,
        }

    def save(self, directory: str | Path, extra: Mapping[str, object] | None = None) -> Path:
        """Write the model directory atomically: a temporary sibling, renamed into place when complete.
        An existing directory is replaced only after the new one is fully written. `extra` maps file
        names to JSON values written beside the model and hashed with it (the settled tickets it learnt
        from, for the model registry)."""
        self._require_fitted()
        target = Path(directory)
        check_save_target(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; a model directory is ordinary shared data
        try:
            files = self.backend_.save(staging)
            if self.legal_reader_ is not None:
                files = [*files, *self.legal_reader_.save(staging)]
            # The jurisdiction resolver's word counts: the dictionary this model was made or loaded with.
            shutil.copyfile(self.jieba_dictionary_, staging / JIEBA_DICTIONARY_FILE)
            (staging / METRICS_FILE).write_text(
                json.dumps(self.training_.metrics, ensure_ascii=False, indent=1), encoding="utf-8"
            )
            for name, value in (extra or {}).items():
                (staging / name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
            listed = [*files, METRICS_FILE, JIEBA_DICTIONARY_FILE, *(extra or {})]
            write_metadata(staging, self.metadata(), listed)
            if target.exists():
                backup = target.with_name(f".{target.name}.old")
                shutil.rmtree(backup, ignore_errors=True)
                target.rename(backup)
                staging.rename(target)
                shutil.rmtree(backup, ignore_errors=True)
            else:
                staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target

    @classmethod
    def load(cls, directory: str | Path) -> RequestClassifier:
        path = Path(directory)
        metadata = read_metadata(path)
        try:
            config = ClassifierConfig.from_saved(metadata["config"])
            model = cls(config)
            heads = metadata["heads"]
            model.heads_ = list(heads)
            model.classes_ = {h: list(spec["classes"]) for h, spec in heads.items()}
            model.temperatures_ = {h: float(spec["temperature"]) for h, spec in heads.items()}
            model.thresholds_ = {h: spec["threshold"] for h, spec in heads.items()}
            model.margin_ = float(metadata["margin"])
            consultation = metadata["consultation"]
            model.decision_threshold_ = _optional_float(consultation["decision_threshold"])
            model.decision_measured_ = bool(consultation["decision_measured"])
            model.unfamiliar_threshold_ = _optional_float(consultation["unfamiliar_threshold"])
            model.model_id_ = metadata["model_id"]
            model.created_at_ = datetime.fromisoformat(metadata["created_at"])
            training = metadata["training_data"]
            model.training_ = TrainingRecord(
                fingerprint=training["fingerprint"],
                rows=training["rows"],
                source=training["source"],
                label_counts={h: spec.get("label_counts", {}) for h, spec in heads.items()},
                metrics=metadata.get("metrics", {}),
            )
            if JIEBA_DICTIONARY_FILE not in metadata["files"]:
                raise KeyError(JIEBA_DICTIONARY_FILE)
            model.jieba_dictionary_ = path / JIEBA_DICTIONARY_FILE
            reader_described = metadata["legal_reader"] is not None
            for name in LEGAL_READER_FILES if reader_described else ():
                if name not in metadata["files"]:  # listed files are the hashed ones: never read unhashed
                    raise KeyError(name)
            trained_with = metadata["reference_data"]
            taxonomy_version, catalogue_version = trained_with["taxonomy"], trained_with["catalogue"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelLoadError(
                f"{path}/metadata.json is incomplete or invalid ({exc}); retrain the model."
            ) from exc
        if metadata.get("backend") != config.backend:
            raise ModelLoadError(
                f"{path}/metadata.json names backend {metadata.get('backend')!r} but its configuration says "
                f"{config.backend!r}; the directory is inconsistent: retrain."
            )
        try:
            if config.backend == "transformer":
                require_extra("transformer", f"the model {path} (transformer backend)")
                from jiesu.model.transformer import TransformerBackend

                model.backend_ = TransformerBackend.load(
                    path, config.transformer, model.classes_, config.seed
                )
            else:
                model.backend_ = LinearBackend.load(path, config.linear, model.heads_, config.seed)
            model.legal_reader_ = LegalReader.load(path) if reader_described else None
        except (OSError, KeyError, ValueError) as exc:
            # The files were listed and hashed, yet cannot be read as this backend's: not a usable model.
            raise ModelLoadError(f"{path}: the model files cannot be read ({exc}); retrain.") from exc
        model._check_shapes()
        model._check_reference_data(path, taxonomy_version, catalogue_version)
        return model

    def _check_reference_data(self, path: Path, taxonomy_version: str, catalogue_version: str) -> None:
        """The rule in the module docstring: unknown classes refuse the model, other differences warn."""
        taxonomy = load_taxonomy()
        for head, known in (
            ("category", set(taxonomy.second_level)),
            ("category_l1", set(FIRST_LEVEL_NAMES)),
        ):
            unknown = [label for label in self.classes_.get(head, []) if label not in known]
            if unknown:
                raise ModelLoadError(
                    message(
                        Messages.model_classes_not_in_taxonomy,
                        path=path,
                        head=head,
                        count=len(unknown),
                        labels=unknown[:5],
                        trained=taxonomy_version,
                        current=taxonomy.version,
                    )
                )
        if taxonomy_version != taxonomy.version:
            log.warning(
                message(
                    Messages.model_taxonomy_version,
                    path=path,
                    trained=taxonomy_version,
                    current=taxonomy.version,
                )
            )
        catalogue = load_catalogue()
        if catalogue_version != catalogue.version:
            log.warning(
                message(
                    Messages.model_catalogue_version,
                    path=path,
                    trained=catalogue_version,
                    current=catalogue.version,
                )
            )

    def _check_shapes(self) -> None:
        for head in self.heads_:
            n = self.backend_.n_classes(head)
            if n != len(self.classes_[head]):
                raise ModelLoadError(
                    f"head {head!r} has {n} outputs but metadata lists {len(self.classes_[head])} classes; retrain."
                )


def _checked_weights(weights: Sequence[float] | None, n: int) -> npt.NDArray[np.float64] | None:
    """Sample weights as an array: one finite, non-negative number per text, not all zero."""
    if weights is None:
        return None
    array = np.asarray(weights, dtype=np.float64)
    if array.shape != (n,):
        raise DataValidationError([f"sample_weight has {array.size} values for {n} texts"])
    if not np.isfinite(array).all() or (array < 0).any() or array.sum() <= 0:
        raise DataValidationError(["sample_weight must be finite, non-negative and not all zero"])
    return array


def _optional_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number or null, got {value!r}")
    return float(value)


def _fingerprint(texts: Sequence[str], y: Mapping[str, Sequence[str | None]]) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8") + b"\x00")
    for head in sorted(y):
        digest.update(head.encode("utf-8") + b"\x01")
        for label in y[head]:
            digest.update((label or "").encode("utf-8") + b"\x00")
    return digest.hexdigest()
