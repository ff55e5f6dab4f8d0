"""Keywords: corpus IDF, TF-IDF ranking, TextRank and the content-word filter."""

from __future__ import annotations

import math

import pytest

from flows.extract.keywords import (
    is_content_word,
    learn_idf,
    textrank_keywords,
    tfidf_keywords,
)


@pytest.mark.parametrize(
    ("expected", "token"),
    [
        (True, "执法检查"),
        (False, "法"),  # single characters carry no topic
        (False, "2024"),
        (False, "三十"),  # Chinese numerals are numbers too
        (False, "……"),
        (False, "我们"),  # stopword
        (False, "  "),
    ],
)
def test_is_content_word_filters_noise(expected, token):
    assert expected == is_content_word(token)


def test_learn_idf_is_smoothed_and_lower_for_common_terms():
    idf = learn_idf([["人大常委会", "立法"], ["人大常委会", "监督"], ["人大常委会", "监督"]])
    assert math.log(4 / 4) + 1 == pytest.approx(idf["人大常委会"])
    assert math.log(4 / 2) + 1 == pytest.approx(idf["立法"])
    assert idf["人大常委会"] < idf["监督"] < idf["立法"]


def test_tfidf_keywords_pushes_corpus_wide_words_down():
    idf = learn_idf([["人大常委会", "工作"], ["人大常委会", "监督"], ["人大常委会", "条例"]])
    tokens = ["人大常委会", "条例", "的", "2024"]  # stopwords and numbers drop out
    ranked = tfidf_keywords(tokens, idf, k=2)
    assert ["条例", "人大常委会"] == [keyword.term for keyword in ranked]
    assert [1, 2] == [keyword.rank for keyword in ranked]
    assert {"tfidf"} == {keyword.method for keyword in ranked}


def test_tfidf_keywords_gives_unseen_terms_the_highest_idf():
    idf = learn_idf([["立法"], ["监督"], ["立法", "监督"]])
    ranked = tfidf_keywords(["立法", "专题询问"], idf, k=2)
    assert "专题询问" == ranked[0].term


def test_textrank_keywords_ranks_the_hub_of_the_graph_first():
    tokens = ["代表", "联络站", "代表", "选民", "代表", "建议", "代表", "履职"]
    ranked = textrank_keywords(tokens, k=3, window=2)
    assert "代表" == ranked[0].term
    assert "textrank" == ranked[0].method


@pytest.mark.parametrize("k", [0, 3])
def test_keywords_of_no_content_are_empty(k):
    assert [] == tfidf_keywords(["的", "了"], {}, k)
    assert [] == textrank_keywords([], k)
