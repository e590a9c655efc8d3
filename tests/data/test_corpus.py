from collections import Counter

from jiesu.data.corpus import CORPUS_COLUMNS, group_id, load_seed_corpus, split_of


def test_split_is_stable_and_variants_follow_their_written_row() -> None:
    # Pinned (sha256 of the group id, not Python's per-process hash): changing the rule would move rows
    # between the training and the test data of every model.
    assert [split_of(row_id) for row_id in ("a0001", "b0203", "x00015")] == ["test", "train", "dev"]
    assert group_id("a0001~phone") == "a0001"
    for row_id in ("a0001", "b0203", "f0040", "g0100"):
        assert split_of(f"{row_id}~web") == split_of(row_id)


def test_split_proportions_are_roughly_80_10_10() -> None:
    counts = Counter(split_of(f"x{i:05d}") for i in range(10000))
    assert 7700 < counts["train"] < 8300
    assert 800 < counts["dev"] < 1200
    assert 800 < counts["test"] < 1200


def test_seed_corpus_has_the_documented_columns_and_a_split_column() -> None:
    corpus = load_seed_corpus()
    assert list(corpus.column_names) == [*CORPUS_COLUMNS, "split"]
    assert set(corpus["split"]) == {"train", "dev", "test"}
    assert corpus["split"] == [split_of(row_id) for row_id in corpus["id"]]
    test_only = load_seed_corpus(split="test")
    assert 0 < len(test_only) < len(corpus)
    assert set(test_only["split"]) == {"test"}
