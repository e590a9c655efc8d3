import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from jiesu.model.features import KeyedTfidf, TextFeaturizer, char_ngram_keys, distinct_counts

TEXTS = ["小区暖气不热", "暖气片漏水了", "饭馆油烟扰民", "油烟太大暖气也不热"]
TOKENS = [["小区", "暖气", "不热"], ["暖气片", "漏水"], ["饭馆", "油烟", "扰民"], ["油烟", "暖气", "不热"]]


def test_char_tfidf_equals_scikit_learn() -> None:
    ours = KeyedTfidf(min_df=1).fit(*char_ngram_keys(TEXTS), len(TEXTS))
    matrix = ours.transform(*char_ngram_keys(TEXTS), len(TEXTS)).toarray()
    reference = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=False)
    expected = reference.fit_transform(TEXTS).toarray()
    # Same vocabulary size, same values per row (column order differs: keys vs strings).
    assert matrix.shape == expected.shape
    for row in range(len(TEXTS)):
        assert np.allclose(np.sort(matrix[row]), np.sort(expected[row]), atol=1e-6)


def test_unseen_ngrams_are_ignored_and_rows_are_unit_length() -> None:
    ours = KeyedTfidf(min_df=1).fit(*char_ngram_keys(TEXTS), len(TEXTS))
    matrix = ours.transform(*char_ngram_keys(["暖气", "完全陌生的字"]), 2)
    assert np.isclose(np.linalg.norm(matrix[0].toarray()), 1.0)
    assert matrix[1].nnz == 0


def test_featurizer_round_trips_through_arrays() -> None:
    fitted = TextFeaturizer(min_df=1, word_min_count=1).fit(TEXTS, TOKENS)
    assert fitted.word_vocabulary is not None
    copy = TextFeaturizer.from_arrays(fitted.arrays(), fitted.word_vocabulary, min_df=1, word_min_count=1)
    assert np.array_equal(fitted.transform(TEXTS, TOKENS).toarray(), copy.transform(TEXTS, TOKENS).toarray())


def test_refitting_uses_the_new_vocabulary() -> None:
    first = [["暖气", "不热"], ["油烟", "扰民"]]
    second = [["工资", "拖欠"], ["停车", "收费"], ["工资", "停车"]]
    texts_second = ["工资拖欠", "停车收费", "工资停车"]
    refitted = TextFeaturizer(min_df=1, word_min_count=1).fit(["暖气不热", "油烟扰民"], first)
    refitted.transform(["暖气不热"], [["暖气", "不热"]])  # builds the lookups of the first vocabulary
    refitted.fit(texts_second, second)
    fresh = TextFeaturizer(min_df=1, word_min_count=1).fit(texts_second, second)
    assert np.array_equal(
        refitted.transform(texts_second, second).toarray(), fresh.transform(texts_second, second).toarray()
    )


def test_featurizer_puts_word_columns_after_character_columns_row_by_row() -> None:
    fitted = TextFeaturizer(min_df=1, word_min_count=1).fit(TEXTS, TOKENS)
    assert fitted.chars is not None
    assert fitted.words is not None
    texts = [*TEXTS, "完全陌生"]
    segmented = [*TOKENS, ["完全", "陌生"]]
    matrix = fitted.transform(texts, segmented)
    dense = matrix.toarray()
    chars = fitted.chars.transform(*char_ngram_keys(texts), len(texts)).toarray()
    words = dense[:, fitted.chars.size :]
    assert np.allclose(dense[:, : fitted.chars.size], chars)
    assert np.allclose(np.linalg.norm(words[:4], axis=1), 1.0)  # each part is unit length on its own
    assert matrix[4].nnz == 0  # nothing known: an empty row, not an error
    assert all(
        np.all(np.diff(matrix.indices[a:b]) > 0)
        for a, b in zip(matrix.indptr, matrix.indptr[1:], strict=False)
    )
    assert fitted.transform([], []).shape == (0, fitted.n_features)


@pytest.mark.parametrize("bound", [1_000, 2**40])
def test_counting_cells_gives_numpy_unique_s_answer(bound: int) -> None:
    cells = np.random.default_rng(7).integers(0, min(bound, 1_000), size=5_000)
    values, counts = distinct_counts(cells, bound)
    expected_values, expected_counts = np.unique(cells, return_counts=True)
    assert values.dtype == np.int64
    assert values.tolist() == expected_values.tolist()
    assert counts.tolist() == expected_counts.tolist()
    empty_values, empty_counts = distinct_counts(np.zeros(0, np.int64), bound)
    assert len(empty_values) == len(empty_counts) == 0


def test_idf_power_and_word_weight() -> None:
    plain = TextFeaturizer(min_df=1, word_min_count=1).fit(TEXTS, TOKENS)
    tuned = TextFeaturizer(min_df=1, word_min_count=1, idf_power=1.5, word_weight=0.5).fit(TEXTS, TOKENS)
    assert plain.chars is not None
    assert tuned.chars is not None
    assert plain.chars.idf is not None
    assert tuned.chars.idf is not None
    assert np.allclose(tuned.chars.idf, plain.chars.idf**1.5)
    words = tuned.transform(TEXTS, TOKENS).toarray()[:, tuned.chars.size :]
    assert np.allclose(np.linalg.norm(words, axis=1), 0.5)  # the word block, scaled
    alone = TextFeaturizer(min_df=1, word_min_count=1, word_weight=0).fit(TEXTS, TOKENS)
    matrix = alone.transform(TEXTS, TOKENS)
    assert alone.chars is not None
    assert matrix.indices.max() < alone.chars.size
