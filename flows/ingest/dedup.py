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
from functools import lru_cache

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
    # article_id is a hash computed on access: compute it once per article here.
    unique = {article.article_id: article for article in articles}
    ordered = sorted(unique.items(), key=lambda item: _canonical_rank(item[1]))
    shingles = _ShingleSets(unique)  # built only for articles with a candidate partner
    partners = _near_partners(ordered)
    links: list[DuplicateLink] = []
    canonical_by_hash: dict[str, str] = {}
    original_rank: dict[str, int] = {}
    for article_id, article in ordered:
        digest = _text_hash(article.body)
        if digest in canonical_by_hash:
            links.append(DuplicateLink(article_id, canonical_by_hash[digest], "exact", 1.0))
            continue
        candidates = sorted(
            (original for original in partners.get(article_id, ()) if original in original_rank),
            key=original_rank.__getitem__,
        )
        match = _best_original(article_id, candidates, shingles)
        if match is not None:
            original_id, score = match
            links.append(DuplicateLink(article_id, original_id, "near", round(score, 4)))
            continue
        canonical_by_hash[digest] = article_id
        original_rank[article_id] = len(original_rank)
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


class _ShingleSets(dict[str, frozenset[str]]):
    """Article id -> its body's 3-gram set, built on first use.

    Most articles have no candidate partner; holding every article's set at once would cost
    gigabytes on a large corpus for sets nobody reads.
    """

    def __init__(self, articles: dict[str, Article]) -> None:
        super().__init__()
        self._articles = articles

    def __missing__(self, article_id: str) -> frozenset[str]:
        shingles = self[article_id] = _shingles(self._articles[article_id].body)
        return shingles


def _shingles(text: str) -> frozenset[str]:
    folded = _fold(text)
    return frozenset(folded[i : i + SHINGLE] for i in range(len(folded) - SHINGLE + 1))


@lru_cache(maxsize=1)
def _template() -> MinHash:
    # Building 128 permutations is most of a MinHash's cost; every paragraph shares one set.
    return MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)


def _minhash(shingles: frozenset[str]) -> MinHash:
    template = _template()
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=MINHASH_SEED,
        permutations=template.permutations,
        scheme=template.scheme,
    )
    minhash.update_batch([shingle.encode("utf-8") for shingle in sorted(shingles)])
    return minhash


def _near_partners(articles: Sequence[tuple[str, Article]]) -> dict[str, set[str]]:
    """For each article id, the ids of articles sharing at least one near-identical paragraph."""
    lsh = MinHashLSH(threshold=PARAGRAPH_THRESHOLD, num_perm=NUM_PERM)
    owner: dict[str, str] = {}
    partners: dict[str, set[str]] = {}
    for article_id, article in articles:
        for index, paragraph in enumerate(article.body.split("\n")):
            shingles = _shingles(paragraph)
            if len(shingles) < MIN_PARAGRAPH_SHINGLES:
                continue
            key = f"{article_id}:{index}"
            minhash = _minhash(shingles)
            for other in lsh.query(minhash):
                if owner[other] != article_id:
                    partners.setdefault(article_id, set()).add(owner[other])
                    partners.setdefault(owner[other], set()).add(article_id)
            lsh.insert(key, minhash)
            owner[key] = article_id
    return partners


def containment(first: frozenset[str], second: frozenset[str]) -> float:
    """Share of the smaller set found in the larger one."""
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


def _best_original(
    article_id: str, candidates: list[str], shingles: _ShingleSets
) -> tuple[str, float] | None:
    """The earlier original this article repeats most of, if it repeats one at all."""
    if not candidates:
        return None
    mine = shingles[article_id]
    best: tuple[int, str, float] | None = None
    for original_id in candidates:
        theirs = shingles[original_id]
        if min(len(mine), len(theirs)) < MIN_ARTICLE_SHINGLES:
            continue
        score = containment(mine, theirs)
        shared = len(mine & theirs)
        if score >= NEAR_CONTAINMENT and (best is None or shared > best[0]):
            best = (shared, original_id, score)
    return (best[1], best[2]) if best else None
