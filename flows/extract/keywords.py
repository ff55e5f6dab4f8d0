"""Keywords of an article: TF-IDF against an IDF learned from our own corpus, and TextRank.

jieba's stock IDF was learned from general text, so it ranks 人大常委会/人大/工作/代表 at the
top of every article here; an IDF learned from the corpus itself pushes those common words down.
TextRank needs no corpus at all and is written here (a power iteration over a co-occurrence
graph) because only flows/segment.py may import jieba. The iteration is a sparse matrix-vector
product (scipy's CSR), which adds each node's terms one after another in the order a pure
Python sum does: the same floats, where the Python loop was a third of extraction time.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import numpy as np
from scipy.sparse import csr_matrix

from flows.records import Keyword
from flows.vocabulary import word_list

STOPWORDS_FILE = "stopwords_zh"
_HAS_WORD_CHARACTER = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NUMBER_LIKE = re.compile(r"^[\d０-９.,%％零一二三四五六七八九十百千万亿两第余多几]+$")


def stopwords() -> frozenset[str]:
    return frozenset(word_list(STOPWORDS_FILE))


def is_content_word(token: str, stop: frozenset[str] | None = None) -> bool:
    """A token worth ranking: two characters or more, has letters, not a number or stopword."""
    token = token.strip()
    if len(token) < 2 or not _HAS_WORD_CHARACTER.search(token) or _NUMBER_LIKE.match(token):
        return False
    return token not in (stopwords() if stop is None else stop)


def content_words(tokens: Iterable[str]) -> list[str]:
    stop = stopwords()
    return [token.strip() for token in tokens if is_content_word(token, stop)]


def learn_idf(documents: Iterable[list[str]]) -> dict[str, float]:
    """Smoothed IDF over the content words of each document (see `idf_from_counts`)."""
    document_frequency: Counter[str] = Counter()
    document_count = 0
    for tokens in documents:
        document_count += 1
        document_frequency.update(set(content_words(tokens)))
    return idf_from_counts(document_frequency, document_count)


def idf_from_counts(document_frequency: Mapping[str, int], document_count: int) -> dict[str, float]:
    """Smoothed IDF, log((1 + N) / (1 + df)) + 1, from counts a warehouse can keep and add to."""
    return {
        term: math.log((1 + document_count) / (1 + frequency)) + 1
        for term, frequency in document_frequency.items()
    }


def article_keywords(tokens: list[str], idf: dict[str, float], k: int) -> list[Keyword]:
    """TF-IDF keywords then TextRank keywords, filtering the tokens once for both."""
    words = content_words(tokens)
    return [*_tfidf_ranked(words, idf, k), *_textrank_ranked(words, k)]


def tfidf_keywords(tokens: list[str], idf: dict[str, float], k: int) -> list[Keyword]:
    """The k content words with the highest term frequency x IDF.

    A term the corpus never saw gets the highest IDF known: it is at least as rare as the rarest.
    """
    return _tfidf_ranked(content_words(tokens), idf, k)


def _tfidf_ranked(words: list[str], idf: dict[str, float], k: int) -> list[Keyword]:
    if not words or k <= 0:
        return []
    counts = Counter(words)
    # Scanning the whole IDF for its maximum cost more than the ranking on a large corpus, and
    # the pipeline's IDF has seen every term: look only when a term is missing.
    unseen = any(term not in idf for term in counts)
    unseen_idf = max(idf.values(), default=1.0) if unseen else 0.0
    weights = {
        term: count / len(words) * idf.get(term, unseen_idf) for term, count in counts.items()
    }
    return _top_keywords(weights, k, "tfidf")


def textrank_keywords(tokens: list[str], k: int, window: int = 5) -> list[Keyword]:
    """The k content words with the highest PageRank in their co-occurrence graph."""
    return _textrank_ranked(content_words(tokens), k, window)


def _textrank_ranked(words: list[str], k: int, window: int = 5) -> list[Keyword]:
    if not words or k <= 0:
        return []
    return _top_keywords(_pagerank(_cooccurrence_graph(words, window)), k, "textrank")


def _cooccurrence_graph(words: list[str], window: int) -> dict[str, Counter[str]]:
    """Undirected edges between words at most `window - 1` positions apart, weighted by count."""
    graph: dict[str, Counter[str]] = defaultdict(Counter)
    for position, word in enumerate(words):
        graph[word]  # a word with no neighbour is still a node
        for neighbour in words[position + 1 : position + window]:
            if neighbour != word:
                graph[word][neighbour] += 1
                graph[neighbour][word] += 1
    return graph


def _pagerank(
    graph: dict[str, Counter[str]], damping: float = 0.85, iterations: int = 100
) -> dict[str, float]:
    """Weighted PageRank by power iteration, stopping once scores move less than 1e-6."""
    nodes = list(graph)
    shares = _share_matrix(graph, nodes)
    scores = np.ones(len(nodes))
    for _ in range(iterations):
        updated = (1 - damping) + damping * (shares @ scores)
        converged = np.max(np.abs(updated - scores)) < 1e-6
        scores = updated
        if converged:
            break
    return dict(zip(nodes, scores.tolist(), strict=True))


def _share_matrix(graph: dict[str, Counter[str]], nodes: list[str]) -> csr_matrix:
    """Row i holds node i's edge shares (weight / the neighbour's out-weight), in edge order.

    Edge order is kept because CSR's product adds a row's terms in stored order: the same sums,
    rounding included, as adding them up edge by edge in Python.
    """
    index = {node: position for position, node in enumerate(nodes)}
    out_weight = {node: sum(edges.values()) or 1.0 for node, edges in graph.items()}
    columns, values, row_starts = [], [], [0]
    for node in nodes:
        edges = graph[node]
        columns += [index[other] for other in edges]
        values += [weight / out_weight[other] for other, weight in edges.items()]
        row_starts.append(len(columns))
    shape = (len(nodes), len(nodes))
    # Built from (data, indices, indptr), CSR keeps the entries as given: nothing is sorted.
    return csr_matrix(
        (np.array(values, dtype=float), np.array(columns, dtype=np.int32), np.array(row_starts)),
        shape=shape,
    )


def _top_keywords(weights: dict[str, float], k: int, method: str) -> list[Keyword]:
    # Ties break on the term itself so the ranking is the same on every run.
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:k]
    return [
        Keyword(term=term, weight=round(weight, 6), method=method, rank=rank)
        for rank, (term, weight) in enumerate(ranked, start=1)
    ]
