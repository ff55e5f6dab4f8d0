"""Finding the same story told twice: exact copies and near-duplicate reprints.

Exact: the same normalised text (NFKC, no whitespace, no punctuation) hashes the same.
Near: MinHashLSH over character 3-grams of each *paragraph* finds earlier articles that share
paragraphs with this one; a candidate whose shared paragraphs cover at least half of the smaller
article is then verified on the full 3-gram sets by containment (|A∩B| / min(|A|, |B|)), not
Jaccard, because a reprint often embeds the original inside more text (one sample is 0.88
contained in another with a Jaccard of only 0.44).

Canonical choice, deterministic: an article that points to an original elsewhere (it carries
a 原文链接 URL) is a copy and ranks after one that does not; then the earliest publish date
(undated last); then the smallest (file_id, ordinal, path). Articles are visited in that order
and each one that matches an earlier non-duplicate links to the match sharing the most text.

Each article's fingerprint (its folded text's hash and its paragraphs' MinHash bands, most of the
cost) is computed once, on every core, and kept in the warehouse: a later run reads the stored
fingerprints instead of every body ever loaded, and reads a stored body only to verify a
candidate pair, one an earlier run did not verify already (`link_duplicates`' `verified`). The
search itself is one sequential pass in canonical order.

Cost stays linear in the corpus: only originals are indexed (a duplicate's paragraphs are already
there), and a paragraph that already has SATURATED near-copies in the index is stock text shared
by many distinct stories: it still counts as evidence but is not indexed again, so no query
returns thousands of hits. Without both, 20,000 articles drawn from a few hundred shared
paragraphs took minutes and gigabytes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import metadata
from typing import TYPE_CHECKING

import numpy as np
from datasketch import MinHash, MinHashLSH

from flows.parallel import batched, map_batches
from flows.records import Article, DuplicateLink

if TYPE_CHECKING:
    import pyarrow as pa

SHINGLE = 3
NUM_PERM = 128
MINHASH_SEED = 1  # fixed: the same text must hash the same in every run
PARAGRAPH_THRESHOLD = 0.5
MIN_PARAGRAPH_SHINGLES = 20
MIN_ARTICLE_SHINGLES = 50
NEAR_CONTAINMENT = 0.8
EVIDENCE_SHARE = 0.5  # of the smaller article's indexed paragraphs, before verifying a candidate
SATURATED = 32  # near-copies of one paragraph indexed at most; beyond, it is stock text
NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
BODIES_PER_TASK = 64
# A stored fingerprint made another way is computed again from its body. The method names the
# fingerprint's parameters (SHINGLE, NUM_PERM, MINHASH_SEED, PARAGRAPH_THRESHOLD's bands,
# MIN_PARAGRAPH_SHINGLES); raise the revision when the folding, shingling or band mixing code
# changes. Raise it too when a verification could now reject a pair it once accepted (a higher
# MIN_ARTICLE_SHINGLES, another measure than containment): an earlier run's near links are
# trusted only between articles whose fingerprints this method made. A higher NEAR_CONTAINMENT
# needs no raise (`_verified_match` checks it), nor does anything that only finds candidates.
FINGERPRINT_REVISION = 1


def find_duplicates(articles: Sequence[Article], workers: int | None = None) -> list[DuplicateLink]:
    """Links from each duplicate article to its canonical article (see the module docstring).

    Fingerprints are computed on `workers` processes (default: every core).
    """
    # The same article may come twice: fingerprint it once. article_id is a hash computed on
    # access: compute it once per article here.
    unique = {article.article_id: article for article in articles}
    entries = fingerprint_articles(list(unique.values()), workers)
    return link_duplicates(entries, lambda article_id: unique[article_id].body)


Rank = tuple[bool, bool, date, str, int, str]


@dataclass(frozen=True)
class Fingerprint:
    """What the search needs of one article body. The warehouse keeps it
    (core.fct_article_fingerprints), so a later run never reads or hashes that body again."""

    digest: str  # of the folded text: exact copies share it
    sizes: list[int]  # 3-grams of each paragraph long enough to index
    band_keys: np.ndarray | None  # (that paragraph, band) -> a 64-bit key; None: no paragraph


@dataclass(frozen=True)
class Fingerprinted:
    """An article as the duplicate search sees it: its id, canonical rank and fingerprint."""

    article_id: str
    rank: Rank  # `canonical_rank`
    fingerprint: Fingerprint


def canonical_rank(
    has_url: bool, published: date | None, file_id: str, ordinal: int, path: str | None
) -> Rank:
    """Sort key of the canonical choice: originals before copies, earliest first; the path
    last, so one file copied to two places ranks the same whatever order they are read in."""
    return (has_url, published is None, published or date.max, file_id, ordinal, path or "")


def fingerprint_articles(
    articles: Sequence[Article], workers: int | None = None
) -> list[Fingerprinted]:
    """Every article with its fingerprint, in order, computed on `workers` processes."""
    fingerprints = fingerprint_bodies([article.body for article in articles], workers)
    return [
        Fingerprinted(article.article_id, _canonical_rank(article), fingerprint)
        for article, fingerprint in zip(articles, fingerprints, strict=True)
    ]


def link_duplicates(
    entries: Iterable[Fingerprinted],
    body_of: Callable[[str], str],
    verified: Mapping[str, tuple[str, float]] | None = None,
) -> list[DuplicateLink]:
    """The search itself, over fingerprints; `body_of(article_id)` is read only for the few
    articles a candidate pair must be verified on.

    `verified` holds near links an earlier run verified (duplicate id -> (original id,
    containment)) between articles whose bodies are the same now: an id names one file's bytes
    and the article's place in it, so a pair verified once keeps its containment. When that
    original is again the only candidate, the link is taken as it was, and neither body is read.
    """
    verified = verified or {}
    unique = {entry.article_id: entry for entry in entries}
    ordered = sorted(unique.values(), key=lambda entry: entry.rank)
    digests = [entry.fingerprint.digest for entry in ordered]
    paragraphs = _ParagraphBands.of([entry.fingerprint for entry in ordered])
    shingles = _ShingleSets(body_of)  # built only for articles with a strong candidate
    index = _ParagraphIndex(paragraphs)
    links: list[DuplicateLink] = []
    canonical_by_hash: dict[str, str] = {}
    for position, entry in enumerate(ordered):
        article_id, digest = entry.article_id, digests[position]
        if digest in canonical_by_hash:
            links.append(DuplicateLink(article_id, canonical_by_hash[digest], "exact", 1.0))
            continue
        matches = index.matches(position)  # valid until the next add: used for both
        strong = index.strong_candidates(position, matches)
        candidates = [ordered[original].article_id for original in strong]
        match = _verified_match(verified.get(article_id), candidates) or _best_original(
            article_id, candidates, shingles
        )
        if match is not None:
            original_id, score = match
            links.append(DuplicateLink(article_id, original_id, "near", round(score, 4)))
            continue
        canonical_by_hash[digest] = article_id
        index.add(position, matches)
    return links


def _canonical_rank(article: Article) -> Rank:
    return canonical_rank(
        article.url is not None,
        article.published_date,
        article.file_id,
        article.ordinal,
        article.path,
    )


@lru_cache(maxsize=1)
def fingerprint_method() -> str:
    """How fingerprints are made, as stored beside them (core.fct_article_fingerprints.method)."""
    # NFKC folding follows Python's Unicode tables and the permutations are datasketch's: an
    # upgrade of either can change a fingerprint, so both are part of the name.
    rows = _band_ranges()[0][1] - _band_ranges()[0][0]
    return (
        f"paragraph-minhash/r{FINGERPRINT_REVISION}: {SHINGLE}-grams of paragraphs of "
        f"{MIN_PARAGRAPH_SHINGLES}+, {NUM_PERM} permutations (seed {MINHASH_SEED}), "
        f"{len(_band_ranges())} bands of {rows}; unicode {unicodedata.unidata_version}, "
        f"datasketch {metadata.version('datasketch')}"
    )


def fingerprint_bodies(bodies: list[str], workers: int | None = None) -> list[Fingerprint]:
    """Fingerprints of `bodies`, in order; a handful of bodies is not worth a process pool."""
    if len(bodies) < 2 * BODIES_PER_TASK:
        workers = 1
    batches = map_batches(_fingerprint_batch, batched(bodies, BODIES_PER_TASK), workers)
    return [fingerprint for batch in batches for fingerprint in batch]


def _fingerprint_batch(bodies: list[str]) -> list[Fingerprint]:
    return [_fingerprint(body) for body in bodies]


def _fingerprint(body: str) -> Fingerprint:
    folded = _folded_paragraphs(body)
    paragraphs = _indexed_shingles(folded)
    keys = _band_keys([_minhash(shingles) for shingles in paragraphs]) if paragraphs else None
    # The body folds to its folded paragraphs end to end: NFKC never reaches across a line
    # break, and folding drops the break itself. Folding once serves both the hash and the bands.
    digest = _digest("".join(folded))
    return Fingerprint(digest, [len(shingles) for shingles in paragraphs], keys)


def _fold(text: str) -> str:
    return NOISE.sub("", unicodedata.normalize("NFKC", text))


def _digest(folded: str) -> str:
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


class _ShingleSets(dict[str, frozenset[str]]):
    """Article id -> its body's 3-gram set, built on first use.

    Most articles have no candidate partner; holding every article's set at once would cost
    gigabytes on a large corpus for sets nobody reads.
    """

    def __init__(self, body_of: Callable[[str], str]) -> None:
        super().__init__()
        self._body_of = body_of

    def __missing__(self, article_id: str) -> frozenset[str]:
        shingles = self[article_id] = _shingles(self._body_of(article_id))
        return shingles


def _shingles(text: str) -> frozenset[str]:
    return _shingles_of_folded(_fold(text))


def _shingles_of_folded(folded: str) -> frozenset[str]:
    return frozenset({folded[i : i + SHINGLE] for i in range(len(folded) - SHINGLE + 1)})


@lru_cache(maxsize=1)
def _template() -> MinHash:
    # Building 128 permutations is most of a MinHash's cost; every paragraph shares one set.
    return MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)


def _minhash(shingles: frozenset[str]) -> MinHash:
    template = _template()
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=MINHASH_SEED,
        hashfunc=zlib.crc32,  # cheaper than sha1; datasketch pre-mixes every hash (fmix32)
        permutations=template.permutations,
        scheme=template.scheme,
    )
    # A minimum does not depend on order: the set is hashed as it comes.
    minhash.update_batch([shingle.encode("utf-8") for shingle in shingles])
    return minhash


def _paragraph_shingles(body: str) -> list[frozenset[str]]:
    """The 3-gram sets of the paragraphs long enough to tell stories apart."""
    return _indexed_shingles(_folded_paragraphs(body))


def _folded_paragraphs(body: str) -> list[str]:
    return [_fold(paragraph) for paragraph in body.split("\n")]


def _indexed_shingles(folded_paragraphs: list[str]) -> list[frozenset[str]]:
    found = []
    for folded in folded_paragraphs:
        shingles = _shingles_of_folded(folded)
        if len(shingles) >= MIN_PARAGRAPH_SHINGLES:
            found.append(shingles)
    return found


@lru_cache(maxsize=1)
def _band_ranges() -> tuple[tuple[int, int], ...]:
    # datasketch's choice of bands and rows for the threshold (25 bands of 5 at 0.5 of 128).
    return tuple(MinHashLSH(threshold=PARAGRAPH_THRESHOLD, num_perm=NUM_PERM).hashranges)


@dataclass(frozen=True)
class _ParagraphBands:
    """Every paragraph of the corpus as LSH bands, in arrays rather than Python objects.

    Two paragraphs are near-identical candidates when they agree on every MinHash value of at
    least one band (as datasketch's MinHashLSH decides). Equal bands get the same group number,
    so the index below needs only integers: about 300 bytes per paragraph, where MinHashLSH's
    bucket sets took about 6 KB (1.2 GB for the paragraphs of 20,000 articles).
    """

    first: np.ndarray  # article position -> its first paragraph's number (one extra at the end)
    size: np.ndarray  # paragraph -> 3-grams in it
    group: np.ndarray  # (paragraph, band) -> number of the distinct band value in that band

    @classmethod
    def of(cls, fingerprints: Sequence[Fingerprint]) -> _ParagraphBands:
        first, sizes, keys = [0], [], []
        for fingerprint in fingerprints:
            sizes.extend(fingerprint.sizes)
            if fingerprint.sizes:
                keys.append(fingerprint.band_keys)
            first.append(len(sizes))
        bands = len(_band_ranges())
        key_matrix = np.vstack(keys) if keys else np.empty((0, bands), dtype=np.uint64)
        group = np.empty(key_matrix.shape, dtype=np.int32)
        for band in range(bands):
            group[:, band] = np.unique(key_matrix[:, band], return_inverse=True)[1].ravel()
        return cls(np.array(first, dtype=np.int64), np.array(sizes, dtype=np.int64), group)

    def of_article(self, position: int) -> range:
        return range(int(self.first[position]), int(self.first[position + 1]))


# Odd 64-bit multipliers: a band's values (each below 2**32) fold into one 64-bit key.
_BAND_MIX = np.random.default_rng(MINHASH_SEED).integers(1, 2**63, NUM_PERM, dtype=np.uint64) | 1


def _band_keys(minhashes: list[MinHash]) -> np.ndarray:
    """(paragraph, band) -> one 64-bit key for the band's values. Two different bands collide
    with odds of about 2**-60; a collision only makes a candidate, verified on the full texts."""
    ranges = _band_ranges()
    values = np.vstack([minhash.hashvalues for minhash in minhashes]).astype(np.uint64)
    mixed = values[:, : ranges[-1][1]] * _BAND_MIX[: ranges[-1][1]]  # wraps modulo 2**64
    return np.add.reduceat(mixed, [start for start, _ in ranges], axis=1, dtype=np.uint64)


class _ParagraphIndex:
    """The paragraphs of the originals seen so far, searchable by near-identity.

    Per band, the indexed paragraphs of one group form a chain (`head` -> `after` -> ...), in
    int32 arrays. A chain never exceeds SATURATED: a paragraph is indexed only when it matched
    fewer than SATURATED indexed paragraphs, across all its bands.
    """

    def __init__(self, paragraphs: _ParagraphBands) -> None:
        self.paragraphs = paragraphs
        count, bands = paragraphs.group.shape
        self.head = np.full((bands, count), -1, dtype=np.int32)  # groups number at most `count`
        self.after = np.full((count, bands), -1, dtype=np.int32)
        self.bands = np.arange(bands)
        self.owner = np.full(count, -1, dtype=np.int64)  # paragraph -> article position
        # article position -> 3-grams in its paragraphs (stock ones too: its text all the same)
        self.paragraph_size: dict[int, int] = {}

    def matches(self, position: int) -> list[set[int]]:
        """For each paragraph of the article, the indexed paragraphs near-identical to it."""
        return [self._matches_of(paragraph) for paragraph in self.paragraphs.of_article(position)]

    def _matches_of(self, paragraph: int) -> set[int]:
        """The chains of all the paragraph's bands walked at once, one array lookup per step:
        reading numpy an element at a time took most of the search's time."""
        found: set[int] = set()
        bands = self.bands
        members = self.head[bands, self.paragraphs.group[paragraph]]
        while True:
            linked = members >= 0
            members, bands = members[linked], bands[linked]
            if not members.size:
                return found
            found.update(members.tolist())
            members = self.after[members, bands]

    def strong_candidates(self, position: int, matches: list[set[int]]) -> list[int]:
        """Originals sharing paragraphs that cover at least EVIDENCE_SHARE of the smaller one,
        in canonical order (the order they were added)."""
        evidence: Counter[int] = Counter()
        sizes = self.paragraphs.size
        for paragraph, found in zip(self.paragraphs.of_article(position), matches, strict=True):
            for original in {int(self.owner[member]) for member in found}:
                evidence[original] += int(sizes[paragraph])
        mine = self._size_of(position)
        strong = [
            original
            for original, shared in evidence.items()
            if shared >= EVIDENCE_SHARE * min(mine, self.paragraph_size[original])
        ]
        return sorted(strong)

    def add(self, position: int, matches: list[set[int]]) -> None:
        self.paragraph_size[position] = self._size_of(position)
        for paragraph, found in zip(self.paragraphs.of_article(position), matches, strict=True):
            if len(found) >= SATURATED:
                continue  # stock text: enough copies are indexed to find it as evidence
            self.owner[paragraph] = position
            groups = self.paragraphs.group[paragraph]  # one chain per band: no two collide
            self.after[paragraph] = self.head[self.bands, groups]
            self.head[self.bands, groups] = paragraph

    def _size_of(self, position: int) -> int:
        return int(self.paragraphs.size[self.paragraphs.of_article(position)].sum())


def containment(first: frozenset[str], second: frozenset[str]) -> float:
    """Share of the smaller set found in the larger one."""
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


def _verified_match(
    verified: tuple[str, float] | None, candidates: list[str]
) -> tuple[str, float] | None:
    """An earlier run's link, when its original is the only candidate: `_best_original` would
    measure the same containment again. Several candidates need each one's shared 3-grams."""
    if verified is None or candidates != [verified[0]] or verified[1] < NEAR_CONTAINMENT:
        return None
    return verified


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


# --- the stored form (staging.stg_fingerprints, core.fct_article_fingerprints) --------------


def fingerprint_columns(entries: Sequence[Fingerprinted]) -> dict[str, pa.Array]:
    """stg_fingerprints' columns, as Arrow arrays. A row's band keys go paragraph by paragraph,
    each paragraph's keys in band order; an article with no paragraph to index has none."""
    import pyarrow as pa

    keys = [entry.fingerprint.band_keys for entry in entries]
    counts = [0 if article_keys is None else article_keys.size for article_keys in keys]
    values = [article_keys.ravel() for article_keys in keys if article_keys is not None]
    return {
        "article_id": pa.array([entry.article_id for entry in entries], pa.string()),
        "method": pa.array([fingerprint_method()] * len(entries), pa.string()),
        "text_hash": pa.array([entry.fingerprint.digest for entry in entries], pa.string()),
        "paragraph_shingles": pa.array(
            [entry.fingerprint.sizes for entry in entries], pa.list_(pa.int32())
        ),
        "band_keys": pa.ListArray.from_arrays(
            pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32()),
            pa.array(np.concatenate(values) if values else [], pa.uint64()),
        ),
    }


def fingerprints_from_columns(
    text_hash: pa.Array, paragraph_shingles: pa.ListArray, band_keys: pa.ListArray
) -> list[Fingerprint]:
    """The fingerprints `fingerprint_columns` stored, back as the search reads them."""
    bands = len(_band_ranges())
    offsets = band_keys.offsets.to_numpy()
    values = band_keys.values.to_numpy()
    fingerprints = []
    for row, (digest, sizes) in enumerate(
        zip(text_hash.to_pylist(), paragraph_shingles.to_pylist(), strict=True)
    ):
        keys = values[offsets[row] : offsets[row + 1]].reshape(-1, bands)
        fingerprints.append(Fingerprint(digest, sizes, keys if sizes else None))
    return fingerprints
