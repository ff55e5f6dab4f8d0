"""Keywords: corpus IDF, TF-IDF ranking, TextRank and the content-word filter."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pytest

from flows.extract.keywords import (
    _pagerank,
    _share_matrix,
    article_keywords,
    content_words,
    is_content_word,
    learn_idf,
    textrank_keywords,
    tfidf_keywords,
)
from flows.segment import get_segmenter
from tests.conftest import SEED_ARTICLES


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


def reference_graph(words, window=5):
    """The co-occurrence graph as a plain Python loop builds it: edges in the order first met."""
    graph = defaultdict(Counter)
    for position, word in enumerate(words):
        graph[word]  # a word with no neighbour is still a node
        for neighbour in words[position + 1 : position + window]:
            if neighbour != word:
                graph[word][neighbour] += 1
                graph[neighbour][word] += 1
    return graph


def reference_pagerank(graph, damping=0.85, iterations=100):
    """PageRank as plain Python adds it up, edge by edge: the floats the CSR product must match."""
    scores = dict.fromkeys(graph, 1.0)
    out_weight = {node: sum(edges.values()) or 1.0 for node, edges in graph.items()}
    for _ in range(iterations):
        updated = {}
        for node, edges in graph.items():
            total = 0
            for other, weight in edges.items():
                total += weight / out_weight[other] * scores[other]
            updated[node] = (1 - damping) + damping * total
        converged = max(abs(updated[node] - scores[node]) for node in graph) < 1e-6
        scores = updated
        if converged:
            break
    return scores


def textrank_scores(nodes, shares):
    return dict(zip(nodes, _pagerank(shares).tolist(), strict=True))


def test_pagerank_gives_the_same_floats_as_adding_edge_by_edge():
    segmenter = get_segmenter()
    for path in sorted(SEED_ARTICLES.glob("*.txt")):
        words = content_words(segmenter.cut(path.read_text(encoding="utf-8")))
        graph = reference_graph(words)

        nodes, shares = _share_matrix(words, 5)

        assert list(graph) == nodes, path.name
        assert reference_pagerank(graph) == textrank_scores(nodes, shares), path.name


@pytest.mark.parametrize(
    "words",
    [
        ["甲"],  # one node, no edge
        ["甲", "甲", "甲"],  # a word next to itself is no edge
        ["甲", "乙", "甲", "乙", "丙", "丁", "戊", "己", "甲"],  # repeated edges, one node far away
    ],
)
def test_share_matrix_matches_the_python_graph_on_small_cases(words):
    graph = reference_graph(words)

    nodes, shares = _share_matrix(words, 5)

    assert list(graph) == nodes
    assert reference_pagerank(graph) == textrank_scores(nodes, shares)


def test_article_keywords_are_tfidf_then_textrank():
    tokens = ["代表", "联络站", "代表", "选民", "代表", "建议", "代表", "履职"]
    idf = learn_idf([tokens, ["代表"]])

    expected = [*tfidf_keywords(tokens, idf, 3), *textrank_keywords(tokens, 3)]

    assert expected == article_keywords(tokens, idf, 3)
