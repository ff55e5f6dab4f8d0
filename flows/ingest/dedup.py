"""Finding the same story told twice: exact copies and near-duplicate reprints.

Exact: the same normalised text (NFKC, no whitespace, no punctuation) hashes the same.
Near: MinHashLSH over character 3-grams of each *paragraph* finds article pairs that share a
paragraph; each candidate pair is then verified on its full 3-gram sets by containment
(|A∩B| / min(|A|, |B|)), not Jaccard, because a reprint often embeds the original inside more
text (one sample is 0.88 contained in another with a Jaccard of only 0.44).

Canonical choice, deterministic: an article that points to an original elsewhere (it carries
a 原文链接 URL) is a copy and ranks after one that does not; then the earliest publish date
(undated last); then the smallest (file_id, ordinal). Articles are visited in that order and each
one that matches an earlier non-duplicate links to the match sharing the most text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from datasketch import MinHash, MinHashLSH

from flows.records import Article, DuplicateLink

SHINGLE = 3
NUM_PERM = 128
MINHASH_SEED = 1  # fixed: the same text must hash the same in every run
PARAGRAPH_THRESHOLD = 0.5
MIN_PARAGRAPH_SHINGLES = 20
MIN_ARTICLE_SHINGLES = 50
NEAR_CONTAINMENT = 0.8
NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def find_duplicates(articles: Sequence[Article]) -> list[DuplicateLink]:
    """Links from each duplicate article to its canonical article (see the module docstring)."""
    # The flow passes the batch plus earlier articles, which may overlap: one entry per article.
    unique = {article.article_id: article for article in articles}
    ordered = sorted(unique.values(), key=_canonical_rank)
    shingles = {article.article_id: _shingles(article.body) for article in ordered}
    candidates = _near_candidates(ordered)
    links: list[DuplicateLink] = []
    canonical_by_hash: dict[str, Article] = {}
    originals: list[Article] = []
    for article in ordered:
        digest = _text_hash(article.body)
        if digest in canonical_by_hash:
            original = canonical_by_hash[digest]
            links.append(DuplicateLink(article.article_id, original.article_id, "exact", 1.0))
            continue
        match = _best_original(article, originals, candidates, shingles)
        if match is not None:
            original, score = match
            links.append(
                DuplicateLink(article.article_id, original.article_id, "near", round(score, 4))
            )
            continue
        canonical_by_hash[digest] = article
        originals.append(article)
    return links


def _canonical_rank(article: Article) -> tuple[bool, bool, date, str, int]:
    published = article.published_date
    return (
        article.url is not None,
        published is None,
        published or date.max,
        article.file_id,
        article.ordinal,
    )


def _fold(text: str) -> str:
    return NOISE.sub("", unicodedata.normalize("NFKC", text))


def _text_hash(text: str) -> str:
    return hashlib.sha256(_fold(text).encode("utf-8")).hexdigest()


def _shingles(text: str) -> frozenset[str]:
    folded = _fold(text)
    return frozenset(folded[i : i + SHINGLE] for i in range(len(folded) - SHINGLE + 1))


def _minhash(shingles: frozenset[str]) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)
    minhash.update_batch([shingle.encode("utf-8") for shingle in sorted(shingles)])
    return minhash


def _near_candidates(articles: Sequence[Article]) -> set[frozenset[str]]:
    """Pairs of article ids that share at least one near-identical paragraph."""
    lsh = MinHashLSH(threshold=PARAGRAPH_THRESHOLD, num_perm=NUM_PERM)
    owner: dict[str, str] = {}
    pairs: set[frozenset[str]] = set()
    for article in articles:
        for index, paragraph in enumerate(article.body.split("\n")):
            shingles = _shingles(paragraph)
            if len(shingles) < MIN_PARAGRAPH_SHINGLES:
                continue
            key = f"{article.article_id}:{index}"
            minhash = _minhash(shingles)
            for other in lsh.query(minhash):
                if owner[other] != article.article_id:
                    pairs.add(frozenset({owner[other], article.article_id}))
            lsh.insert(key, minhash)
            owner[key] = article.article_id
    return pairs


def containment(first: frozenset[str], second: frozenset[str]) -> float:
    """Share of the smaller set found in the larger one."""
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


def _best_original(
    article: Article,
    originals: list[Article],
    candidates: set[frozenset[str]],
    shingles: dict[str, frozenset[str]],
) -> tuple[Article, float] | None:
    mine = shingles[article.article_id]
    best: tuple[int, Article, float] | None = None
    for original in originals:
        if frozenset({article.article_id, original.article_id}) not in candidates:
            continue
        theirs = shingles[original.article_id]
        if min(len(mine), len(theirs)) < MIN_ARTICLE_SHINGLES:
            continue
        score = containment(mine, theirs)
        shared = len(mine & theirs)
        if score >= NEAR_CONTAINMENT and (best is None or shared > best[0]):
            best = (shared, original, score)
    return (best[1], best[2]) if best else None
