"""The transformer backend with a tiny random BERT built here, offline (no hub access)."""

from pathlib import Path

import numpy as np
import pytest

from jiesu.errors import ModelLoadError
from jiesu.model.classifier import RequestClassifier
from jiesu.model.config import ClassifierConfig, TransformerConfig

Labelled = tuple[list[str], dict[str, list[str | None]]]


def build_tiny_bert(texts: list[str], directory: Path) -> Path:
    """A 2-layer, hidden-64 BERT with a character vocabulary from `texts`, saved like a checkpoint."""
    from transformers import BertConfig, BertModel, BertTokenizer

    chars = sorted({char for text in texts for char in text if not char.isspace()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    directory.mkdir(parents=True)
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab=str(directory / "vocab.txt"), tokenize_chinese_chars=True)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture
def tiny_checkpoint(labelled: Labelled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    texts, _ = labelled
    return build_tiny_bert([*texts, "暖气不热油烟工资"], tmp_path / "tiny-bert")


@pytest.mark.slow
def test_tiny_transformer_trains_saves_reloads_and_predicts_offline(
    labelled: Labelled, tiny_checkpoint: Path, tmp_path: Path
) -> None:
    texts, y = labelled
    config = ClassifierConfig(
        backend="transformer",
        transformer=TransformerConfig(
            checkpoint=str(tiny_checkpoint),
            max_length=32,
            batch_size=4,
            epochs=1,
            max_steps=40,
            learning_rate=3e-3,
        ),
    )
    model = RequestClassifier(config).fit(texts, y)
    predictions = model.predict(texts)
    # 40 steps on 10 texts: the tiny model learns the training data.
    accuracy = np.mean([p.category_l2 == c for p, c in zip(predictions, y["category"], strict=True)])
    assert accuracy >= 0.8
    directory = model.save(tmp_path / "model")
    assert (directory / "encoder" / "model.safetensors").exists()
    assert not list(directory.rglob("*.bin"))
    assert not list(directory.rglob("*.pkl"))
    reloaded = RequestClassifier.load(directory)
    assert reloaded.config.backend == "transformer"
    before, after = model.predict_proba(texts), reloaded.predict_proba(texts)
    for head in before:
        assert np.allclose(before[head], after[head], atol=1e-5)
    batch = reloaded.predict(texts[:3])
    single = [reloaded.predict(text) for text in texts[:3]]
    assert [p.category_l2 for p in batch] == [p.category_l2 for p in single]


def test_an_unreachable_checkpoint_is_a_clear_error(
    labelled: Labelled, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    texts, y = labelled
    config = ClassifierConfig(
        backend="transformer", transformer=TransformerConfig(checkpoint="/no/such/checkpoint")
    )
    with pytest.raises(ModelLoadError, match="cannot load the transformer checkpoint"):
        RequestClassifier(config).fit(texts, y)
