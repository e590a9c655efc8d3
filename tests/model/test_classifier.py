import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jiesu.data.catalogue import load_catalogue
from jiesu.data.taxonomy import load_taxonomy
from jiesu.errors import DataValidationError, InputTextError, ModelLoadError, ModelSaveError
from jiesu.model.classifier import JIEBA_DICTIONARY_FILE, Prediction, RequestClassifier
from jiesu.model.config import ClassifierConfig, LinearConfig
from jiesu.model.model_dir import _metadata_digest
from jiesu.model.segmentation import jieba_dictionary_path
from jiesu.model.text import MAX_TEXT_CHARS
from jiesu.training.datasets import load_training_data
from tests.model.conftest import CATEGORIES

TINY = ClassifierConfig(linear=LinearConfig(min_df=1, word_min_count=1, C=10.0))
Labelled = tuple[list[str], dict[str, list[str | None]]]


def test_overfit_save_reload_gives_identical_predictions(labelled: Labelled, tmp_path: Path) -> None:
    texts, y = labelled
    model = RequestClassifier(TINY).fit(texts, y)
    predictions = model.predict(texts)
    assert [p.category_l2 for p in predictions] == y["category"]
    assert [p.heads["disposition"].label for p in predictions] == y["disposition"]
    model.save(tmp_path / "model")
    reloaded = RequestClassifier.load(tmp_path / "model")
    assert reloaded.model_id_ == model.model_id_
    assert reloaded.classes_ == model.classes_
    before, after = model.predict_proba(texts), reloaded.predict_proba(texts)
    for head in before:
        assert np.array_equal(before[head], after[head])
    assert [p.to_dict() for p in reloaded.predict(texts)] == [p.to_dict() for p in predictions]


def test_batch_prediction_equals_one_by_one(labelled: Labelled) -> None:
    texts, y = labelled
    model = RequestClassifier(TINY).fit(texts, y)
    batch = model.predict(texts)
    single = [model.predict(text) for text in texts]
    assert all(isinstance(p, Prediction) for p in single)
    assert [p.to_dict() for p in single] == [p.to_dict() for p in batch]


def test_best_labels_of_one_head_are_what_predict_says(labelled: Labelled) -> None:
    texts, y = labelled
    model = RequestClassifier(TINY).fit(texts, y)
    for head in ("category", "disposition"):
        expected = [(p.heads[head].label, p.heads[head].confidence) for p in model.predict(texts)]
        assert model.best_labels(texts, head) == expected


def test_classes_follow_probability_columns_and_first_level_is_derived(labelled: Labelled) -> None:
    texts, y = labelled
    model = RequestClassifier(TINY).fit(texts, y)
    proba = model.predict_proba(["暖气不热"])
    assert model.classes_["category"] == sorted(set(CATEGORIES))
    assert proba["category"].shape == (1, 3)
    assert np.isclose(proba["category"].sum(), 1.0)
    prediction = model.predict("暖气不热")
    assert model.classes_["category"][int(proba["category"].argmax())] == prediction.category_l2
    assert prediction.category_l1 == "城乡建设"
    decoded = model.predict("仲裁委已经裁决了，公司还是不给工资").to_dict()["disposition"]
    assert (decoded["label"], decoded["channel"]) == ("legal_channel:arbitration", "arbitration")


def test_only_the_heads_given_are_trained_and_first_level_only_data_predicts_l1(labelled: Labelled) -> None:
    texts, _ = labelled
    first_level = {"供暖": "城乡建设", "餐饮油烟": "环境保护", "欠薪": "劳动和社会保障"}
    model = RequestClassifier(TINY).fit(texts, {"category_l1": [first_level[c] for c in CATEGORIES]})
    assert model.heads_ == ["category_l1"]
    prediction = model.predict("暖气不热")
    assert prediction.category_l1 == "城乡建设"
    assert prediction.category_l2 is None


def test_rows_without_a_label_are_left_out_of_that_head(labelled: Labelled) -> None:
    texts, y = labelled
    partial = dict(y)
    partial["request_type"] = [None, *y["request_type"][1:]]
    model = RequestClassifier(TINY).fit(texts, partial)
    assert model.training_.label_counts["request_type"] == {"投诉": 5, "求助": 4}


def test_long_text_is_truncated_and_said_so(labelled: Labelled) -> None:
    texts, y = labelled
    model = RequestClassifier(TINY).fit(texts, y)
    prediction = model.predict("暖气不热" * 30_000)
    assert prediction.truncated
    assert prediction.to_dict()["truncated"] is True


def test_long_texts_are_reported_once_when_training_data_is_loaded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "long.jsonl"
    rows = [{"text": "暖气不热" * 2_000, "category_l2": "供暖"}, {"text": "拖欠工资", "category_l2": "欠薪"}]
    data.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    with caplog.at_level("WARNING"):
        load_training_data(str(data))
    warnings = [r.getMessage() for r in caplog.records if "longer than" in r.getMessage()]
    assert warnings == [
        f"{data}: 1 text(s) longer than {MAX_TEXT_CHARS} characters; the model reads each up to there"
    ]


@pytest.mark.parametrize("bad", ["", "  ", None, 7])
def test_bad_texts_get_a_clear_error(labelled: Labelled, bad: object) -> None:
    texts, y = labelled
    model = RequestClassifier(TINY).fit(texts, y)
    with pytest.raises(InputTextError, match="text 0"):
        model.predict([bad])  # type: ignore[list-item]
    with pytest.raises(InputTextError, match="text 2"):
        RequestClassifier(TINY).fit([texts[0], texts[1], bad], {"category": ["供暖", "欠薪", "供暖"]})


def test_bad_labels_get_a_clear_error(labelled: Labelled) -> None:
    texts, _ = labelled
    with pytest.raises(DataValidationError, match="1 distinct label"):
        RequestClassifier(TINY).fit(texts, {"category": ["供暖"] * len(texts)})
    with pytest.raises(DataValidationError, match="unknown heads"):
        RequestClassifier(TINY).fit(texts, {"sentiment": ["好"] * len(texts)})
    with pytest.raises(DataValidationError, match="not in the allowed set"):
        RequestClassifier(TINY).fit(texts, {"category": ["供暖", "外星人"] * 5})
    with pytest.raises(RuntimeError, match="not fitted"):
        RequestClassifier(TINY).predict("暖气不热")
    numbers: list[object] = [0, 1] * (len(texts) // 2)
    with pytest.raises(DataValidationError, match=r"labels must be strings .* e.g. row 0: 0"):
        RequestClassifier(TINY).fit(texts, {"category": numbers})  # type: ignore[dict-item]
    with pytest.raises(DataValidationError, match="labels must be strings"):
        RequestClassifier(TINY).fit(texts, {"category": [float("nan"), *y_of(texts)[1:]]})  # type: ignore[list-item]


def y_of(texts: list[str]) -> list[str]:
    return ["供暖", "欠薪"] * (len(texts) // 2) + ["供暖"] * (len(texts) % 2)


@pytest.mark.parametrize("bad", [None, 123, float("nan")])
def test_predict_takes_a_text_or_a_list(labelled: Labelled, bad: object) -> None:
    texts, y = labelled
    model = RequestClassifier(TINY).fit(texts, y)
    with pytest.raises(InputTextError, match="a text or a list of texts"):
        model.predict(bad)  # type: ignore[call-overload]


def _saved(labelled: Labelled, tmp_path: Path) -> Path:
    texts, y = labelled
    return RequestClassifier(TINY).fit(texts, y).save(tmp_path / "model")


def test_a_tampered_weight_file_is_refused(labelled: Labelled, tmp_path: Path) -> None:
    directory = _saved(labelled, tmp_path)
    weights = directory / "heads.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="does not match the hash"):
        RequestClassifier.load(directory)


def test_edited_metadata_is_refused(labelled: Labelled, tmp_path: Path) -> None:
    directory = _saved(labelled, tmp_path)
    metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    metadata["heads"]["category"]["threshold"] = 0.0
    (directory / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="edited after saving"):
        RequestClassifier.load(directory)


def test_a_missing_file_or_metadata_is_refused(labelled: Labelled, tmp_path: Path) -> None:
    directory = _saved(labelled, tmp_path)
    (directory / "userdict.txt").unlink()
    with pytest.raises(ModelLoadError, match=r"userdict\.txt is missing"):
        RequestClassifier.load(directory)
    (directory / "metadata.json").unlink()
    with pytest.raises(ModelLoadError, match=r"no metadata\.json"):
        RequestClassifier.load(directory)
    with pytest.raises(ModelLoadError, match="does not exist"):
        RequestClassifier.load(tmp_path / "nowhere")


def test_metadata_that_contradicts_itself_is_refused(labelled: Labelled, tmp_path: Path) -> None:
    directory = _saved(labelled, tmp_path)
    path = directory / "metadata.json"
    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata["backend"] = "transformer"  # the configuration inside still says linear
    metadata["metadata_sha256"] = _metadata_digest(metadata)  # re-hashed: only consistency can tell
    path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="names backend 'transformer'"):
        RequestClassifier.load(directory)


def test_a_model_from_an_incompatible_version_is_refused(labelled: Labelled, tmp_path: Path) -> None:
    directory = _saved(labelled, tmp_path)
    metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    metadata["format_version"] = 99
    metadata["versions"]["jiesu"] = "9.0.0"
    (directory / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"format 99 by jiesu 9\.0\.0"):
        RequestClassifier.load(directory)


def test_saving_over_an_existing_directory_replaces_it_whole(labelled: Labelled, tmp_path: Path) -> None:
    texts, y = labelled
    first = RequestClassifier(TINY).fit(texts, y).save(tmp_path / "model")
    (first / "stray.txt").write_text("left over", encoding="utf-8")
    RequestClassifier(TINY).fit(texts, {"category": y["category"]}).save(tmp_path / "model")
    assert not (tmp_path / "model" / "stray.txt").exists()
    assert RequestClassifier.load(tmp_path / "model").heads_ == ["category"]


def test_configuration_is_validated_when_created(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_df"):
        LinearConfig(max_df=0)
    with pytest.raises(ValueError, match="backend"):
        ClassifierConfig(backend="forest")  # type: ignore[arg-type]
    config = tmp_path / "config.json"
    config.write_text('{"linear": {"C": 2.0, "gamma": 1}}', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys \\['gamma'\\]"):
        ClassifierConfig.from_file(config)
    config.write_text('{"linear": {"C": 2.0}, "seed": 3}', encoding="utf-8")
    assert ClassifierConfig.from_file(config).linear.C == 2.0


@pytest.mark.parametrize(
    "section",
    [
        {"linear": {"idf_power": "abc"}},
        {"linear": {"word_weight": "0.5"}},
        {"linear": {"idf_power": None}},
        {"linear": {"word_weight": [1]}},
        {"linear": {"C": "1"}},
        {"linear": {"min_df": 2.5}},
        {"linear": {"max_iter": True}},
        {"linear": {"idf_power": float("nan")}},
        {"linear": {"word_weight": float("inf")}},
        {"linear": {"idf_power": 1e308}},
        {"linear": {"word_weight": 1e300}},
        {"calibration": {"folds": "5"}},
        {"linear": None},
        {"linear": {"balanced_heads": 5}},
        {"linear": {"balanced_heads": ["disposition", 3]}},
        {"calibration": {"leave_out_held": "true"}},
        {"calibration": {"leave_out_held": 1}},
        {"seed": True},
        {"seed": "1"},
        {"seed": 1.5},
    ],
)
def test_a_setting_that_is_no_usable_number_is_refused(section: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        ClassifierConfig.from_dict(section)


def test_a_saved_configuration_without_the_newer_linear_settings_reads_as_it_was_trained() -> None:
    saved = {"linear": {"C": 2.0}}  # saved before idf_power and word_weight existed
    assert ClassifierConfig.from_saved(saved).linear == LinearConfig(C=2.0, idf_power=1.0, word_weight=1.0)
    assert ClassifierConfig.from_dict(saved).linear == LinearConfig(C=2.0)  # a new config: today's defaults
    assert LinearConfig().idf_power == 1.5
    assert LinearConfig().word_weight == 0.5


def test_a_folder_with_some_other_metadata_json_is_not_replaced(labelled: Labelled, tmp_path: Path) -> None:
    texts, y = labelled
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "metadata.json").write_text("{}", encoding="utf-8")
    (folder / "important.csv").write_text("a,b", encoding="utf-8")
    with pytest.raises(ModelSaveError, match="holds other files"):
        RequestClassifier(TINY).fit(texts, y).save(folder)
    assert (folder / "important.csv").exists()


# --- reference data the model was trained with --------------------------------------------------------


def _rewrite_metadata(directory: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = directory / "metadata.json"
    metadata = json.loads(path.read_text(encoding="utf-8"))
    change(metadata)
    metadata["metadata_sha256"] = _metadata_digest(metadata)  # a consistent directory, other versions
    path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")


def test_the_model_keeps_its_jieba_dictionary_and_reference_versions(
    labelled: Labelled, tmp_path: Path
) -> None:
    directory = _saved(labelled, tmp_path)
    metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    assert JIEBA_DICTIONARY_FILE in metadata["files"]
    assert (directory / JIEBA_DICTIONARY_FILE).read_bytes() == jieba_dictionary_path().read_bytes()
    assert metadata["reference_data"] == {
        "taxonomy": load_taxonomy().version,
        "catalogue": load_catalogue().version,
    }
    assert RequestClassifier.load(directory).jieba_dictionary_ == directory / JIEBA_DICTIONARY_FILE


def test_a_class_missing_from_the_taxonomy_refuses_the_model(labelled: Labelled, tmp_path: Path) -> None:
    directory = _saved(labelled, tmp_path)

    def rename_a_class(metadata: dict[str, Any]) -> None:
        metadata["heads"]["category"]["classes"][0] = "已撤销的类别"
        metadata["reference_data"]["taxonomy"] = "2020.1.1"

    _rewrite_metadata(directory, rename_a_class)
    with pytest.raises(ModelLoadError, match=r"taxonomy 2020\.1\.1; 1 of its 'category' classes .*Retrain"):
        RequestClassifier.load(directory)


def test_another_taxonomy_version_with_every_class_only_warns(
    labelled: Labelled, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = _saved(labelled, tmp_path)
    _rewrite_metadata(directory, lambda metadata: metadata["reference_data"].update(taxonomy="2020.1.1"))
    with caplog.at_level(logging.WARNING, logger="jiesu.model.classifier"):
        RequestClassifier.load(directory)
    assert [record.getMessage().split(";")[0] for record in caplog.records] == [
        f"model {directory} was trained with taxonomy 2020.1.1, the shipped one is {load_taxonomy().version}"
    ]


def test_another_catalogue_version_only_warns(
    labelled: Labelled, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = _saved(labelled, tmp_path)
    _rewrite_metadata(directory, lambda metadata: metadata["reference_data"].update(catalogue="2020.1.1"))
    with caplog.at_level(logging.WARNING, logger="jiesu.model.classifier"):
        RequestClassifier.load(directory)
    assert [record.getMessage().split(";")[0] for record in caplog.records] == [
        f"model {directory} was trained with dispatch catalogue 2020.1.1, the shipped one is "
        f"{load_catalogue().version}"
    ]


def test_the_same_reference_versions_load_silently(
    labelled: Labelled, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = _saved(labelled, tmp_path)
    with caplog.at_level(logging.WARNING, logger="jiesu.model.classifier"):
        RequestClassifier.load(directory)
    assert caplog.records == []
