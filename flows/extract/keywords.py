"""Keywords of an article: TF-IDF against an IDF learned from our own corpus, and TextRank.

jieba's stock IDF was learned from general text, so it ranks 人大常委会/人大/工作/代表 at the
top of every article here; an IDF learned from the corpus itself pushes those common words down.
TextRank needs no corpus at all and is written here (a power iteration over a co-occurrence
graph) because only flows/segment.py may import jieba. The graph is built with numpy and the
iteration is a sparse matrix-vector product (scipy's CSR), which adds each node's terms one after
another in the order a pure Python sum does: the same floats, where the Python loops were a
third of extraction time.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix

# Private: scipy's CSR kernel at the version uv.lock pins; the floats are tested exactly.
from scipy.sparse._sparsetools import csr_matvec

from flows.records import Keyword
from flows.vocabulary import word_set

STOPWORDS_FILE = "stopwords_zh"
_HAS_WORD_CHARACTER = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NUMBER_LIKE = re.compile(r"^[\d０-９.,%％零一二三四五六七八九十百千万亿两第余多几]+$")


def stopwords() -> frozenset[str]:
    return word_set(STOPWORDS_FILE)


def is_content_word(token: str, stop: frozenset[str] | None = None) -> bool:
    """A token worth ranking: two characters or more, has letters, not a number or stopword."""
    token = token.strip()
    if len(token) < 2 or not _HAS_WORD_CHARACTER.search(token) or _NUMBER_LIKE.match(token):
        return False
    return token not in (stopwords() if stop is None else stop)


def content_words(tokens: Iterable[str]) -> list[str]:
    stop = stopwords()
    return [word for token in tokens if (word := _content_form(token, stop)) is not None]


@lru_cache(maxsize=1 << 16)
def _content_form(token: str, stop: frozenset[str]) -> str | None:
    """The token as ranked (stripped) if it is a content word. Cached: the same few thousand
    words make up most of every article, and each is read for the IDF, keywords and terms."""
    return token.strip() if is_content_word(token, stop) else None


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
    nodes, shares = _share_matrix(words, window)
    return _top_keywords(dict(zip(nodes, _pagerank(shares).tolist(), strict=True)), k, "textrank")


def _pagerank(shares: csr_matrix, damping: float = 0.85, iterations: int = 100) -> np.ndarray:
    """Weighted PageRank by power iteration, stopping once scores move less than 1e-6.

    The product is scipy's own CSR kernel, called directly: `shares @ scores` checks and
    dispatches its arguments on every call, which cost more than the product on an article's
    few hundred words. Same kernel, same floats (tests/unit/extract/test_keywords.py).
    """
    size = shares.shape[0]
    scores, updated = np.ones(size), np.empty(size)
    for _ in range(iterations):
        updated.fill(0.0)  # the kernel adds into its output
        csr_matvec(size, size, shares.indptr, shares.indices, shares.data, scores, updated)
        updated *= damping
        updated += 1 - damping
        converged = np.max(np.abs(updated - scores)) < 1e-6
        scores, updated = updated, scores
        if converged:
            break
    return scores


def _share_matrix(words: list[str], window: int) -> tuple[list[str], csr_matrix]:
    """The co-occurrence graph of `words` as (nodes, shares), built with array operations.

    Nodes are the distinct words in order of first use. Two different words at most `window - 1`
    positions apart are joined both ways, an edge weighing how often they were. Row i holds node
    i's edge shares (weight / the neighbour's total weight) in the order a Python loop over the
    positions would first meet each edge: CSR's product adds a row's terms in stored order, so
    the scores are the same floats, rounding included, as adding up edge by edge in Python.
    """
    index: dict[str, int] = {}
    ids = np.array([index.setdefault(word, len(index)) for word in words], dtype=np.int64)
    size = len(index)
    ahead = np.arange(len(ids))[:, None] + np.arange(1, window)[None, :]  # (position, distance)
    inside = ahead < len(ids)
    here = np.broadcast_to(ids[:, None], ahead.shape)
    there = ids[np.minimum(ahead, len(ids) - 1)]
    met = inside & (here != there)
    # Each meeting adds the edge out and then the edge back, in position then distance order.
    sources = np.stack([here, there], axis=2)[met].ravel()
    targets = np.stack([there, here], axis=2)[met].ravel()
    edges, first_met, weights = np.unique(
        sources * size + targets, return_index=True, return_counts=True
    )
    rows, columns = edges // size, edges % size
    order = np.lexsort((first_met, rows))  # by row, then by when the edge was first met
    rows, columns, weights = rows[order], columns[order], weights[order]
    out_weight = np.bincount(rows, weights=weights, minlength=size)
    row_starts = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=size))])
    shares = csr_matrix(
        (weights / out_weight[columns], columns.astype(np.int32), row_starts), shape=(size, size)
    )
    return list(index), shares


def _top_keywords(weights: dict[str, float], k: int, method: str) -> list[Keyword]:
    # Ties break on the term itself so the ranking is the same on every run.
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:k]
    return [
        Keyword(term=term, weight=round(weight, 6), method=method, rank=rank)
        for rank, (term, weight) in enumerate(ranked, start=1)
    ]
