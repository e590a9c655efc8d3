"""The learned legal reader: sentences that name a legal body, fitted and saved without pickles, and how
the disposition resolver uses its reading."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from jiesu.data.disposition_rules import load_disposition_rules
from jiesu.errors import ModelLoadError
from jiesu.model.classifier import HeadPrediction, RequestClassifier
from jiesu.model.disposition import READER_FLOOR, READER_SUPPORT, DispositionResolver
from jiesu.model.legal_reader import (
    ARRAYS_FILE,
    MIN_ROWS,
    VOCABULARY_FILE,
    LegalReader,
    LegalReading,
    body_sentences,
)
from jiesu.model.model_dir import METADATA_FILE, _metadata_digest
from jiesu.model.text import fold_characters, normalise

BODIES = ["法院", "仲裁", "纪委"]
PLACES = ["朝阳区", "海淀区", "丰台区", "大兴区", "昌平区", "通州区", "顺义区", "西城区", "东城区", "房山区", "密云区", "怀柔区"]  # fmt: skip
LEGAL = [
    "我跟房东的押金官司法院已经判了，{p}",
    "欠薪的事我已经去仲裁了，仲裁委受理了，{p}",
    "我已经向纪委举报了村干部贪污，{p}",
]
OTHER = [
    "法院门口的路灯坏了好几天了，{p}",
    "仲裁院旁边的停车场乱收费，{p}",
    "纪委大楼前面的垃圾没人清理，{p}",
]
TEXTS = [form.format(p=place) for place in PLACES for form in LEGAL + OTHER]
LABELS = [form in LEGAL for place in PLACES for form in LEGAL + OTHER]


@pytest.fixture(scope="module")
def reader() -> LegalReader:
    fitted = LegalReader.fit(TEXTS, LABELS, BODIES)
    assert fitted is not None
    return fitted


def test_only_the_sentences_that_name_a_body_are_read() -> None:
    pattern = re.compile("法院|纪委")
    text = "楼下的饭馆太吵了。我已经向法院起诉了！物业不管；纪委也不管 他们都不管"
    assert body_sentences(text, pattern) == "我已经向法院起诉了 纪委也不管"
    assert body_sentences("楼下的饭馆太吵了，晚上睡不着", pattern) == ""
    # Pinyin glosses of bad Traditional conversions are left out, as the rules leave them out.
    assert body_sentences("已向法(fǎ)院起诉", pattern) == "已向法院起诉"


def test_a_reader_tells_a_case_from_a_mention_and_reads_zero_without_a_body(reader: LegalReader) -> None:
    legal, other, nothing = reader.probabilities(
        ["我的案子法院已经判了，对方不执行", "法院门口的路灯坏了", "楼下的饭馆太吵了"]
    )
    assert legal > 0.5 > other
    assert nothing == 0.0
    assert reader.rows == len(TEXTS)
    assert reader.positives == sum(LABELS)


def test_no_reader_without_enough_rows_of_each_kind_or_without_body_words() -> None:
    few = MIN_ROWS - 1
    assert LegalReader.fit(TEXTS, LABELS, []) is None
    legal_rows = [text for text, label in zip(TEXTS, LABELS, strict=True) if label][:few]
    other_rows = [text for text, label in zip(TEXTS, LABELS, strict=True) if not label]
    assert LegalReader.fit(legal_rows + other_rows, [True] * few + [False] * len(other_rows), BODIES) is None
    # Rows without a disposition label (None) are left out, not read as contrasts.
    unlabelled: list[bool | None] = [None] * len(TEXTS)
    assert LegalReader.fit(TEXTS, unlabelled, BODIES) is None


def test_a_reader_is_deterministic_and_reads_the_same_after_saving(
    reader: LegalReader, tmp_path: Path
) -> None:
    again = LegalReader.fit(TEXTS, LABELS, BODIES)
    assert again is not None
    assert again.grams == reader.grams
    np.testing.assert_array_equal(again.coef, reader.coef)
    files = reader.save(tmp_path)
    assert sorted(files) == sorted([ARRAYS_FILE, VOCABULARY_FILE])
    loaded = LegalReader.load(tmp_path)
    texts = [*TEXTS, "我的案子法院已经判了", "没有机关"]
    assert loaded.probabilities(texts) == reader.probabilities(texts)
    assert loaded.bodies == BODIES  # the words it learnt with travel with it


def test_a_reader_of_another_format_is_refused(reader: LegalReader, tmp_path: Path) -> None:
    reader.save(tmp_path)
    vocabulary = json.loads((tmp_path / VOCABULARY_FILE).read_text(encoding="utf-8"))
    vocabulary["format"] = 99
    (tmp_path / VOCABULARY_FILE).write_text(json.dumps(vocabulary), encoding="utf-8")
    with pytest.raises(ValueError, match="format"):
        LegalReader.load(tmp_path)


@pytest.mark.parametrize(
    ("field", "value"),
    [("bodies", "法院"), ("grams", [1, 2]), ("grams", ["法", ""]), ("rows", "647"), ("positives", -1)],
)
def test_a_reader_with_a_malformed_vocabulary_is_refused(
    reader: LegalReader, tmp_path: Path, field: str, value: object
) -> None:
    reader.save(tmp_path)
    vocabulary = json.loads((tmp_path / VOCABULARY_FILE).read_text(encoding="utf-8"))
    vocabulary[field] = value
    (tmp_path / VOCABULARY_FILE).write_text(json.dumps(vocabulary), encoding="utf-8")
    with pytest.raises(ValueError, match=field):
        LegalReader.load(tmp_path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("coef", "nan"),
        ("idf", "inf"),
        ("intercept", "empty"),
        ("intercept", "two"),
        ("idf", "matrix"),
        ("idf", "huge"),
        ("intercept", "huge"),
    ],
)
def test_a_reader_with_malformed_arrays_is_refused(
    reader: LegalReader, tmp_path: Path, name: str, value: str
) -> None:
    reader.save(tmp_path)
    arrays = dict(load_file(str(tmp_path / ARRAYS_FILE)))
    array = arrays[name].copy()
    if value in ("nan", "inf"):
        array[0] = float(value)
    elif value == "huge":
        array[0] = 1e200
    elif value == "empty":
        array = array[:0]
    elif value == "two":
        array = np.concatenate([array, array])
    else:
        array = array.reshape(1, -1)
    arrays[name] = array
    save_file(arrays, str(tmp_path / ARRAYS_FILE))
    with pytest.raises(ValueError, match=name):
        LegalReader.load(tmp_path)


def test_a_nan_reading_adds_no_channel() -> None:
    resolver = DispositionResolver(load_disposition_rules())
    nan = LegalReading(float("nan"), READER_SUPPORT + 0.1, "litigation")
    assert decide(resolver, UNCUED, nan) == ("dispatch", None)


# --- the resolver -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def resolver() -> DispositionResolver:
    return DispositionResolver(load_disposition_rules())


def dispatch_head() -> HeadPrediction:
    return HeadPrediction(
        "dispatch", 0.6, [("dispatch", 0.6), ("legal_channel:litigation", 0.35)], None, 0.25
    )


def decide(resolver: DispositionResolver, text: str, reading: LegalReading | None) -> tuple[str, str | None]:
    decision = resolver.decide(fold_characters(text), text, dispatch_head(), reading)
    if decision.label == "legal_channel":
        assert decision.conflict  # a person confirms what the reader added
    return decision.label, decision.channel


SURE = LegalReading(READER_FLOOR + 0.1, READER_SUPPORT + 0.1, "litigation")
UNREAD = LegalReading(None, READER_SUPPORT - 0.01, "litigation")
# No cue of the rules' in it: the rules alone dispatch it.
UNCUED = "那家公司欠我的货款，我找了律师，材料都递到法院那边了，海淀区"


def test_the_reader_adds_a_legal_channel_the_rules_did_not_find(resolver: DispositionResolver) -> None:
    assert decide(resolver, UNCUED, None) == ("dispatch", None)
    assert decide(resolver, UNCUED, SURE) == ("legal_channel", "litigation")


def test_the_reader_adds_nothing_below_its_floor_or_without_the_heads_support(
    resolver: DispositionResolver,
) -> None:
    unsure = LegalReading(READER_FLOOR - 0.01, 0.9, "litigation")
    unsupported = LegalReading(0.9, READER_SUPPORT - 0.01, "litigation")
    assert decide(resolver, UNCUED, unsure) == ("dispatch", None)
    assert decide(resolver, UNCUED, unsupported) == ("dispatch", None)
    assert decide(resolver, UNCUED, UNREAD) == ("dispatch", None)


def test_the_reader_does_not_overrule_what_the_rules_read(resolver: DispositionResolver) -> None:
    for text in (
        "我去法院起诉物业，法院不予立案，物业还是不修电梯，朝阳区望京",  # the text rules the channel out
        "老板再不给钱我就去法院告他，现在先请你们管管，丰台区方庄",  # not yet in the channel
        "请劳动监察大队督促公司发工资，我已经找过法院了，大兴区黄村",  # asks an administrative body to act
    ):
        assert decide(resolver, text, SURE) == ("dispatch", None), text
    # A legal body named only as a place: the court is where the matter is, not what it is.
    for text in ("海淀区人民法院旁边的小区，夜里工地施工扰民严重", "信访办门口每天都有人摆摊，垃圾扔一地"):
        assert decide(resolver, text, SURE) == ("dispatch", None), text
    # Named as a place and as a procedure: the reader still reads it.
    assert decide(resolver, "在朝阳法院门口等了一天，材料都递到法院那边了", SURE) == (
        "legal_channel",
        "litigation",
    )
    # A question about using a channel stays a consultation.
    question = "请问去法院起诉需要带什么材料？"
    head = HeadPrediction("answer_now", 0.6, [("answer_now", 0.6)], None, 0.3)
    assert resolver.decide(fold_characters(question), question, head, SURE).label == "answer_now"


# --- the model directory ------------------------------------------------------------------------------
def test_the_seed_model_reads_legal_sentences_and_saves_its_reader(
    seed_model: RequestClassifier, seed_model_dir: Path
) -> None:
    reader = seed_model.legal_reader_
    assert reader is not None
    assert reader.bodies == load_disposition_rules().legal_bodies
    metadata = json.loads((seed_model_dir / METADATA_FILE).read_text(encoding="utf-8"))
    assert metadata["legal_reader"] == reader.describe()
    assert {ARRAYS_FILE, VOCABULARY_FILE} <= set(metadata["files"])
    texts = [
        "我已经向法院起诉了开发商，法院也立案了",
        "法院门口的马路上有个大坑，车开过去很危险，东城区东直门",
        "楼下饭馆油烟太大",
    ]
    loaded = RequestClassifier.load(seed_model_dir)
    readings = [p.legal_reading for p in seed_model.predict(texts)]
    assert [p.legal_reading for p in loaded.predict(texts)] == readings
    case, mention, nothing = readings
    assert case is not None
    assert case.head_channel == "litigation"
    assert case.head_support >= READER_SUPPORT
    assert case.probability is not None
    # Where the head gives the legal channels too little, the text is not read (its reading is unused).
    for reading in (mention, nothing):
        assert reading is not None
        assert (reading.probability is None) == (reading.head_support < READER_SUPPORT)
    assert nothing is not None
    assert nothing.probability is None
    # The classifier reads the normalised text (full-width folded, contacts masked), as it was trained.
    read_case, read_mention, read_nothing = reader.probabilities([normalise(text).text for text in texts])
    assert read_case == case.probability
    assert read_case > read_mention > read_nothing == 0.0


def test_a_model_whose_reader_files_are_not_listed_and_hashed_is_refused(
    seed_model_dir: Path, tmp_path: Path
) -> None:
    directory = tmp_path / "model"
    shutil.copytree(seed_model_dir, directory)
    path = directory / METADATA_FILE
    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata["files"] = {k: v for k, v in metadata["files"].items() if k != ARRAYS_FILE}
    metadata["metadata_sha256"] = _metadata_digest(metadata)  # consistent: only the rule can tell
    path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ModelLoadError, match=ARRAYS_FILE):
        RequestClassifier.load(directory)


def test_a_reading_never_overflows(reader: LegalReader) -> None:
    for intercept in (-1000.0, 1000.0):
        extreme = LegalReader(reader.bodies, reader.grams, reader.idf, reader.coef, intercept)
        (low,) = extreme.probabilities(["我的案子法院已经判了"])
        assert 0.0 <= low <= 1.0
