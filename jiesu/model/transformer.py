"""The transformer backend: an `AutoModel` encoder with one linear head per task on the [CLS] vector,
trained jointly with torch (the loss is the sum over heads, each ignoring rows without its label).

The encoder and tokenizer load from a local directory, or from a hub name where the user has access
(e.g. hfl/chinese-roberta-wwm-ext); with HF_HUB_OFFLINE=1 nothing is downloaded. Saved with
`save_pretrained` into `encoder/`, the heads into `transformer_heads.safetensors`, label maps in
metadata.json: the same model-directory format as the linear backend.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

from jiesu.errors import ModelLoadError
from jiesu.model.backend import PreparedTexts
from jiesu.model.config import TransformerConfig

ENCODER_DIR = "encoder"
HEADS_FILE = "transformer_heads.safetensors"


def _hidden_size(encoder: nn.Module) -> int:
    config = getattr(encoder, "config", None)
    size = getattr(config, "hidden_size", None)
    if not isinstance(size, int):
        raise ModelLoadError(
            "the checkpoint's encoder has no config.hidden_size; is it a transformers encoder?"
        )
    return size


class MultiHeadEncoder(nn.Module):
    def __init__(self, encoder: nn.Module, hidden_size: int, n_classes: Mapping[str, int]) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(0.1)
        self.heads = nn.ModuleDict({head: nn.Linear(hidden_size, n) for head, n in n_classes.items()})

    def forward(self, **inputs: torch.Tensor) -> dict[str, torch.Tensor]:
        hidden = self.encoder(**inputs).last_hidden_state[:, 0]
        pooled = self.dropout(hidden)
        return {head: layer(pooled) for head, layer in self.heads.items()}


class TransformerBackend:
    def __init__(self, config: TransformerConfig, seed: int = 0) -> None:
        self.config = config
        self.seed = seed
        self.tokenizer: object | None = None
        self.network: MultiHeadEncoder | None = None

    def prepare(self, normalised: Sequence[str]) -> PreparedTexts:
        return PreparedTexts(list(normalised), [[] for _ in normalised])

    def _load_pretrained(self, source: str | Path) -> tuple[object, nn.Module]:
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(source))
            encoder = AutoModel.from_pretrained(str(source))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(
                f"cannot load the transformer checkpoint {source!s}: {exc}. Give a local directory with a "
                "saved model and tokenizer (or a hub name you can reach; downloads are off when HF_HUB_OFFLINE=1)."
            ) from exc
        return tokenizer, encoder

    def _encode(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        assert self.tokenizer is not None
        encoded = self.tokenizer(  # type: ignore[operator]
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.config.max_length,
            return_tensors="pt",
        )
        return {key: value.to(self.config.device) for key, value in encoded.items()}

    def fit(
        self,
        prepared: PreparedTexts,
        targets: Mapping[str, npt.NDArray[np.int64]],
        classes: Mapping[str, int],
        sample_weight: npt.NDArray[np.float64] | None = None,
    ) -> None:
        cfg = self.config
        torch.manual_seed(self.seed)
        self.tokenizer, encoder = self._load_pretrained(cfg.checkpoint)
        hidden = _hidden_size(encoder)
        self.network = MultiHeadEncoder(encoder, hidden, classes).to(cfg.device)
        n = len(prepared)
        batches_per_epoch = math.ceil(n / cfg.batch_size)
        total_steps = cfg.max_steps or max(1, math.ceil(cfg.epochs * batches_per_epoch))
        optimizer = torch.optim.AdamW(
            self.network.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay
        )
        schedule = get_linear_schedule_with_warmup(  # type: ignore[no-untyped-call]
            optimizer, int(cfg.warmup_ratio * total_steps), total_steps
        )
        labels = {head: torch.as_tensor(y, dtype=torch.long) for head, y in targets.items()}
        weights = torch.as_tensor(
            np.ones(len(prepared)) if sample_weight is None else sample_weight, dtype=torch.float32
        )
        loss_fn = nn.CrossEntropyLoss(ignore_index=-1, reduction="none")
        generator = torch.Generator().manual_seed(self.seed)
        self.network.train()
        step = 0
        while step < total_steps:
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, cfg.batch_size):
                rows = order[start : start + cfg.batch_size]
                logits = self.network(**self._encode([prepared.texts[i] for i in rows]))
                losses = [
                    _weighted_mean(
                        loss_fn(logits[head], labels[head][rows].to(cfg.device)),
                        weights[rows].to(cfg.device) * (labels[head][rows] >= 0).to(cfg.device),
                    )
                    for head in logits
                    if bool((labels[head][rows] >= 0).any())
                ]
                if losses:
                    optimizer.zero_grad()
                    torch.stack(losses).sum().backward()  # type: ignore[no-untyped-call]
                    torch.nn.utils.clip_grad_norm_(self.network.parameters(), 1.0)
                    optimizer.step()
                    schedule.step()
                step += 1
                if step >= total_steps:
                    break
        self.network.eval()

    def scores_and_unfamiliarity(
        self, prepared: PreparedTexts
    ) -> tuple[dict[str, npt.NDArray[np.float32]], npt.NDArray[np.float64] | None]:
        # Not measured for the transformer: its subword vocabulary covers nearly any text.
        return self.scores(prepared), None

    @torch.no_grad()
    def scores(self, prepared: PreparedTexts) -> dict[str, npt.NDArray[np.float32]]:
        if self.network is None:
            raise RuntimeError("the transformer backend is not fitted")
        self.network.eval()
        outputs: dict[str, list[npt.NDArray[np.float32]]] = {head: [] for head in self.network.heads}
        for start in range(0, len(prepared), self.config.batch_size):
            logits = self.network(**self._encode(prepared.texts[start : start + self.config.batch_size]))
            for head, values in logits.items():
                outputs[head].append(values.float().cpu().numpy())
        return {
            head: np.concatenate(parts) if parts else np.zeros((0, self.n_classes(head)), dtype=np.float32)
            for head, parts in outputs.items()
        }

    def n_classes(self, head: str) -> int:
        assert self.network is not None
        layer = self.network.heads[head]
        assert isinstance(layer, nn.Linear)
        return int(layer.out_features)

    def save(self, directory: Path) -> list[str]:
        if self.network is None or self.tokenizer is None:
            raise RuntimeError("the transformer backend is not fitted")
        encoder_dir = directory / ENCODER_DIR
        self.network.encoder.save_pretrained(encoder_dir, safe_serialization=True)  # type: ignore[operator]
        self.tokenizer.save_pretrained(encoder_dir)  # type: ignore[attr-defined]
        save_file(
            {k: v.contiguous() for k, v in self.network.heads.state_dict().items()}, directory / HEADS_FILE
        )
        files = [str(p.relative_to(directory)) for p in sorted(encoder_dir.rglob("*")) if p.is_file()]
        return [*files, HEADS_FILE]

    @classmethod
    def load(
        cls, directory: Path, config: TransformerConfig, classes: Mapping[str, Sequence[str]], seed: int = 0
    ) -> TransformerBackend:
        backend = cls(config, seed)
        backend.tokenizer, encoder = backend._load_pretrained(directory / ENCODER_DIR)
        network = MultiHeadEncoder(encoder, _hidden_size(encoder), {h: len(c) for h, c in classes.items()})
        try:
            network.heads.load_state_dict(load_file(directory / HEADS_FILE))
        except RuntimeError as exc:
            raise ModelLoadError(
                f"transformer heads in {directory} do not match metadata.json: {exc}"
            ) from exc
        backend.network = network.to(config.device).eval()
        return backend


def _weighted_mean(losses: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """The rows' losses weighted by `weights` (0 for a row without the head's label), as a mean."""
    return (losses * weights).sum() / weights.sum().clamp(min=1e-12)
