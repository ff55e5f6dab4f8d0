"""Finding the same story told twice: exact copies and near-duplicate reprints.

Exact: the same normalised text (NFKC, no whitespace, no punctuation) hashes the same.
Near: locality-sensitive hashing over MinHash signatures of character 3-grams of each
*paragraph* finds article pairs that share a paragraph; each candidate pair is then verified on
its full 3-gram sets by containment (|A∩B| / min(|A|, |B|)), not Jaccard, because a reprint
often embeds the original inside more text (one sample is 0.88 contained in another with a
Jaccard of only 0.44).

Built for corpora of tens of thousands of articles: a 3-gram is one integer (three code points),
signatures are computed with numpy a whole article at a time, only the LSH band keys are kept
(a few hundred bytes a paragraph), candidate pairs are found by sorting those keys, and 3-gram
sets are built only for the few articles that have a candidate. A band-key collision can only
add a candidate, which containment then rejects: the links never depend on it.

Canonical choice, deterministic: an article that points to an original elsewhere (it carries
a 原文链接 URL) is a copy and ranks after one that does not; then the earliest publish date
(undated last); then the smallest (file_id, ordinal). Articles are visited in that order and each
one that matches an earlier non-duplicate links to the match sharing the most text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache

import numpy as np

from flows.records import Article, DuplicateLink

SHINGLE = 3
NUM_PERM = 128
MINHASH_SEED = 1  # fixed: the same text must hash the same in every run
PARAGRAPH_THRESHOLD = 0.5
LSH_BANDS, LSH_ROWS = 25, 5  # for PARAGRAPH_THRESHOLD and NUM_PERM: see `_bands`
MIN_PARAGRAPH_SHINGLES = 20
MIN_ARTICLE_SHINGLES = 50
NEAR_CONTAINMENT = 0.8
NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def find_duplicates(articles: Iterable[Article]) -> list[DuplicateLink]:
    """Links from each duplicate article to its canonical article (see the module docstring)."""
    # The flow passes the batch plus earlier articles, which may overlap: one entry per article.
    # article_id is a hash computed on access: compute it once per article here.
    unique = {article.article_id: article for article in articles}
    ordered = sorted(unique.items(), key=lambda item: _canonical_rank(item[1]))
    digests, partners = _digests_and_partners([article for _, article in ordered])
    shingles = _ShingleSets([article for _, article in ordered])
    links: list[DuplicateLink] = []
    canonical_by_hash: dict[str, str] = {}
    original_rank: dict[int, int] = {}  # position in `ordered` -> rank among originals
    for position, article_id in enumerate(article_id for article_id, _ in ordered):
        digest = digests[position]
        if digest in canonical_by_hash:
            links.append(DuplicateLink(article_id, canonical_by_hash[digest], "exact", 1.0))
            continue
        candidates = sorted(
            (other for other in partners.get(position, ()) if other in original_rank),
            key=original_rank.__getitem__,
        )
        match = _best_original(position, candidates, shingles)
        if match is not None:
            original, score = match
            links.append(DuplicateLink(article_id, ordered[original][0], "near", round(score, 4)))
            continue
        canonical_by_hash[digest] = article_id
        original_rank[position] = len(original_rank)
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


def shingle_keys(text: str) -> np.ndarray:
    """The distinct 3-grams of the folded text, each as one integer (sorted, uint64)."""
    return _keys_of_folded(_fold(text))


def _keys_of_folded(folded: str) -> np.ndarray:
    """Three code points (21 bits each) pack into one 64-bit integer without loss, so these are
    the 3-gram strings themselves in another form: the same counts, the same overlaps."""
    if len(folded) < SHINGLE:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    keys = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    return np.unique(keys)


def containment(first: np.ndarray, second: np.ndarray) -> float:
    """Share of the smaller set of 3-grams found in the larger one."""
    smaller = min(len(first), len(second))
    return _shared(first, second) / smaller if smaller else 0.0


def _shared(first: np.ndarray, second: np.ndarray) -> int:
    return len(np.intersect1d(first, second, assume_unique=True))


# --- candidates: MinHash LSH over paragraphs -------------------------------------------------


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """128 fixed (a, b) pairs (a odd), as columns for broadcasting over a paragraph's 3-grams."""
    generator = np.random.default_rng(MINHASH_SEED)
    a = generator.integers(0, 2**64, size=NUM_PERM, dtype=np.uint64, endpoint=False)
    b = generator.integers(0, 2**64, size=NUM_PERM, dtype=np.uint64, endpoint=False)
    return (a | np.uint64(1))[:, np.newaxis], b[:, np.newaxis]


def _bands() -> tuple[int, int]:
    """(bands, rows per band): what datasketch's MinHashLSH chooses for a threshold of 0.5 over
    128 permutations (a test checks it). Written out because asking datasketch imports
    scipy.integrate, seconds of every run's start-up."""
    return LSH_BANDS, LSH_ROWS


def _digests_and_partners(articles: Sequence[Article]) -> tuple[list[str], dict[int, set[int]]]:
    """Each article's exact-copy digest, and for each article (by position) the articles that
    share a near-identical paragraph with it. One pass: a body is folded once for both."""
    digests: list[str] = []
    owners: list[np.ndarray] = []
    band_keys: list[np.ndarray] = []
    for position, article in enumerate(articles):
        # Folding stops at line breaks (whitespace, removed), so the folded paragraphs joined
        # are the folded body.
        folded = [_fold(paragraph) for paragraph in article.body.split("\n")]
        digests.append(hashlib.sha256("".join(folded).encode("utf-8")).hexdigest())
        keys = _paragraph_band_keys(folded)
        if len(keys):
            band_keys.append(keys)
            owners.append(np.full(len(keys), position, dtype=np.int64))
    if not band_keys:
        return digests, {}
    return digests, _pairs_sharing_a_band(np.concatenate(band_keys), np.concatenate(owners))


def _paragraph_band_keys(folded_paragraphs: list[str]) -> np.ndarray:
    """One row per paragraph long enough to compare: a 64-bit key per LSH band."""
    keyed = map(_keys_of_folded, folded_paragraphs)
    paragraphs = [keys for keys in keyed if len(keys) >= MIN_PARAGRAPH_SHINGLES]
    bands, rows = _bands()
    if not paragraphs:
        return np.empty((0, bands), dtype=np.uint64)
    starts = np.cumsum([0] + [len(keys) for keys in paragraphs[:-1]])
    signatures = _signatures(np.concatenate(paragraphs), starts)  # paragraphs x permutations
    banded = signatures[:, : bands * rows].reshape(len(paragraphs), bands, rows)
    return _combine(banded)


def _signatures(keys: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """MinHash (128 values) of each run of `keys` beginning at `starts`.

    Each permutation is multiply-shift hashing, (a*x + b) mod 2^64 keeping the high 32 bits, on
    mixed 3-grams: a multiply and an add where datasketch's (a*x + b) mod (2^61 - 1) pays for a
    64-bit division, which was most of the cost of a signature.
    """
    a, b = _permutations()
    permuted = (a * _mix(keys) + b) >> np.uint64(32)
    return np.minimum.reduceat(permuted, starts, axis=1).T


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads packed 3-grams over all 64 bits (wrapping on purpose)."""
    z = values + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _combine(banded: np.ndarray) -> np.ndarray:
    """A 64-bit key per band from its rows: equal bands always get equal keys."""
    key = np.zeros(banded.shape[:2], dtype=np.uint64)
    for row in range(banded.shape[2]):
        key = _mix(key ^ banded[:, :, row])
    return key


def _pairs_sharing_a_band(keys: np.ndarray, owners: np.ndarray) -> dict[int, set[int]]:
    partners: dict[int, set[int]] = {}
    for band in range(keys.shape[1]):
        column = keys[:, band]
        order = np.argsort(column, kind="stable")
        sorted_keys = column[order]
        same_as_next = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
        for group in _runs(same_as_next):
            members = {int(owner) for owner in owners[order[group[0] : group[-1] + 2]]}
            for member in members:
                partners.setdefault(member, set()).update(members - {member})
    return partners


def _runs(indices: np.ndarray) -> list[np.ndarray]:
    """Consecutive stretches of sorted indices: each is one bucket of equal band keys."""
    if len(indices) == 0:
        return []
    return np.split(indices, np.flatnonzero(np.diff(indices) > 1) + 1)


# --- verification ------------------------------------------------------------------------------


class _ShingleSets:
    """3-gram sets of whole articles, built on first use: only candidates ever need one."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._articles = articles
        self._built: dict[int, np.ndarray] = {}

    def __getitem__(self, position: int) -> np.ndarray:
        if position not in self._built:
            self._built[position] = shingle_keys(self._articles[position].body)
        return self._built[position]


def _best_original(
    position: int, candidates: list[int], shingles: _ShingleSets
) -> tuple[int, float] | None:
    """The earlier original this article repeats most of, if it repeats one at all."""
    if not candidates:
        return None
    mine = shingles[position]
    best: tuple[int, int, float] | None = None
    for original in candidates:
        theirs = shingles[original]
        if min(len(mine), len(theirs)) < MIN_ARTICLE_SHINGLES:
            continue
        shared = _shared(mine, theirs)
        score = shared / min(len(mine), len(theirs))
        if score >= NEAR_CONTAINMENT and (best is None or shared > best[0]):
            best = (shared, original, score)
    return (best[1], best[2]) if best else None
