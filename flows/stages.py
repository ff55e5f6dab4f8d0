"""The four stages as plain functions over a run's stage folder (see flows/stage_io.py).

Each stage reads the Parquet files of the stage before it and writes its own; the Prefect flow
in flows/pipeline.py wraps each in a task and gates its output. Nothing here touches Prefect,
so every stage can be unit-tested and run by hand.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flows import progress
from flows.parallel import batched, in_forked_process, map_batches
from flows.records import Article, ArticleFacts, DuplicateLink
from flows.stage_io import (
    columns_of_rows,
    frame,
    frame_of_columns,
    record_row,
    release_freed_memory,
    row_count,
    staging_schemas,
    table_path,
    write_table,
)

if TYPE_CHECKING:
    import polars as pl

    from flows.ingest.dedup import Fingerprinted
    from flows.warehouse import StoredFingerprints

# Articles per task sent to a worker: large enough that pickling and scheduling stay small next to
# the work, small enough that a few batches in flight hold little memory.
FILES_PER_BATCH = 16
ARTICLES_PER_BATCH = 32
ROWS_PER_GROUP = 256
# Fingerprints of earlier articles, made again from their bodies (a warehouse from before they
# were kept, or a changed method), that one run's load keeps; see `_kept`.
RECOMPUTED_KEPT_PER_RUN = 10_000

FACT_TABLES = {
    "quantities": "stg_quantities",
    "people": "stg_people",
    "places": "stg_places",
    "organizations": "stg_organizations",
    "laws": "stg_laws",
    "slogans": "stg_slogans",
    "votes": "stg_votes",
    "meetings": "stg_meetings",
    "dated_events": "stg_dated_events",
}


@dataclass
class IngestCounts:
    files_seen: int = 0
    files_unchanged: int = 0
    files_loaded: int = 0
    files_quarantined: int = 0
    articles: int = 0
    duplicates: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)


# --- ingest --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusState:
    """What the warehouse already holds that ingest and extract need to see."""

    ledger: dict[str, str] = field(default_factory=dict)  # path -> file_id last processed
    fingerprints: StoredFingerprints | None = None  # of loaded articles, for deduplication
    document_frequency: dict[str, int] = field(default_factory=dict)  # term -> articles with it
    document_count: int = 0


def ingest_stage(
    source: Path | str,
    stage_dir: Path,
    quarantine_dir: Path,
    corpus: CorpusState,
    max_bytes: int,
    workers: int | None = None,
) -> IngestCounts:
    """Read every new or changed file of `source` into staged files, articles and duplicates.

    Files are decoded and split on every core (`workers`, default all), in order.
    """
    from flows.ingest import discover_files

    root, paths = discover_files(source)
    counts = IngestCounts(files_seen=len(paths))
    changed = []
    for path in paths:
        if _unchanged(path, _relative(path, root), corpus.ledger):
            counts.files_unchanged += 1
        else:
            changed.append(path)
    files, quarantined, batch_ids = [], [], set()
    read = _ingest_files(changed, root, max_bytes, workers)
    # Articles go to Parquet as they are read: the flow's process never holds the batch's text.
    with TableWriter(stage_dir, "stg_articles", rows_per_group=ROWS_PER_GROUP) as articles:
        for path, outcome in progress.track(read, "ingest", len(changed), "files"):
            relative = _relative(path, root)
            file_articles = [_with_path(article, relative) for article in outcome.articles]
            files.append(_file_row(relative, outcome, len(file_articles)))
            if outcome.quarantined is not None:
                quarantined.append(record_row(outcome.quarantined, path=relative))
                _keep_quarantined_bytes(path, quarantine_dir, relative)
                reason = outcome.quarantined.reason
                counts.quarantine_reasons[reason] = counts.quarantine_reasons.get(reason, 0) + 1
            articles.write(_article_row(article) for article in file_articles)
            counts.articles += len(file_articles)
            batch_ids.update(article.article_id for article in file_articles)
    # Nothing read, nothing new to compare: the flow loads nothing, so the corpus-wide pass
    # (which grows with every article ever loaded) would be wasted on an unchanged rerun.
    paths = {row["path"] for row in files}
    duplicates = _duplicates(stage_dir, corpus, paths, workers) if changed else []
    write_table(stage_dir, "stg_files", files)
    write_table(stage_dir, "stg_quarantine", quarantined)
    write_table(stage_dir, "stg_duplicates", (record_row(link) for link in duplicates))
    counts.files_quarantined = len(quarantined)
    counts.files_loaded = len(files) - len(quarantined)
    counts.duplicates = sum(1 for link in duplicates if link.article_id in batch_ids)
    return counts


def _ingest_files(paths: list[Path], root: Path, max_bytes: int, workers: int | None):
    """(path, IngestOutcome) for every path, in order, read on every core."""
    jobs = ((path, root, max_bytes) for path in paths)
    batches = batched(jobs, FILES_PER_BATCH)
    for batch in map_batches(_ingest_batch, batches, _workers_for(len(paths), workers)):
        yield from batch


def _ingest_batch(jobs: list[tuple[Path, Path, int]]) -> list:
    from flows.ingest import ingest_file

    return [(path, ingest_file(path, root, max_bytes=max_bytes)) for path, root, max_bytes in jobs]


def _workers_for(items: int, workers: int | None) -> int | None:
    """One process for a handful of items: starting a pool would cost more than it saves."""
    return 1 if items < 2 * ARTICLES_PER_BATCH else workers


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _unchanged(path: Path, relative: str, ledger: dict[str, str]) -> bool:
    from flows.ingest import fingerprint

    if relative not in ledger or not path.is_file() or path.is_symlink():
        return False
    try:
        return fingerprint(path) == ledger[relative]
    except OSError:
        return False  # unreadable now: ingest will quarantine it with the reason


def _with_path(article: Article, relative: str) -> Article:
    return dataclasses.replace(article, path=relative)


def _file_row(relative: str, outcome, article_count: int) -> dict:
    source_file = outcome.file
    return {
        "path": relative,
        "file_id": source_file.file_id if source_file else None,
        "size_bytes": source_file.size_bytes if source_file else None,
        "encoding": source_file.encoding if source_file else None,
        "status": "quarantined" if outcome.quarantined else "loaded",
        "article_count": article_count,
        "page_chrome": list(outcome.page_chrome),
    }


def _keep_quarantined_bytes(path: Path, quarantine_dir: Path, relative: str) -> None:
    """A copy of what could be read, so a quarantined file stays recoverable after it changes."""
    if not path.is_file() or path.is_symlink():
        return
    target = quarantine_dir / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    except OSError:
        pass  # unreadable: the source file itself is all there is, and the reason says why


def _duplicates(
    stage_dir: Path, corpus: CorpusState, batch_paths: set[str], workers: int | None
) -> list[DuplicateLink]:
    """Duplicate links over the whole corpus: this batch plus what earlier runs loaded.

    Also stages the fingerprints the load keeps (stg_fingerprints). The search's index and the
    batch's text take about 10 MB per 1,000 articles and are thrown away: the child process that
    builds them reads the staged batch itself.
    """
    return in_forked_process(_find_duplicates, stage_dir, corpus.fingerprints, batch_paths, workers)


def _find_duplicates(
    stage_dir: Path,
    stored: StoredFingerprints | None,
    batch_paths: set[str],
    workers: int | None,
) -> list[DuplicateLink]:
    from flows.ingest import fingerprint_articles, link_duplicates

    articles = read_articles(stage_dir)
    bodies = {article.article_id: article.body for article in articles}
    batch = fingerprint_articles(articles, workers)
    del articles
    if stored is None:  # nothing loaded yet
        _write_fingerprints(stage_dir, batch)
        return link_duplicates(batch, bodies.__getitem__)
    earlier, recomputed = stored.read(batch_paths, workers)
    _write_fingerprints(stage_dir, [*batch, *_kept(recomputed, batch)])
    verified = stored.verified_links(batch_paths)
    with stored.bodies() as stored_body:

        def body_of(article_id: str) -> str:
            return bodies[article_id] if article_id in bodies else stored_body(article_id)

        return link_duplicates([*earlier, *batch], body_of, verified)


def _kept(recomputed: list[Fingerprinted], batch: list[Fingerprinted]) -> list[Fingerprinted]:
    """The recomputed fingerprints of earlier articles this run's load keeps.

    They ride with the first batch's load, one transaction that cannot spill to disk: at most
    RECOMPUTED_KEPT_PER_RUN of them (about 2 KB each), the rest made again and kept by later
    runs. A run without new articles keeps none: it loads without the articles' gate.
    """
    return recomputed[:RECOMPUTED_KEPT_PER_RUN] if batch else []


def _write_fingerprints(stage_dir: Path, entries: list[Fingerprinted]) -> None:
    """stg_fingerprints, written with pyarrow: polars' thread pool does not survive a fork."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flows.ingest.dedup import fingerprint_columns

    pq.write_table(
        pa.table(fingerprint_columns(entries)), table_path(stage_dir, "stg_fingerprints")
    )


def _article_row(article: Article) -> dict:
    return record_row(article, article_id=article.article_id, char_count=len(article.body))


def read_articles(stage_dir: Path) -> list[Article]:
    """Every staged article. Read with pyarrow on one thread, so a forked child can call it:
    polars' thread pool does not survive a fork (a child reading with it hung)."""
    return [
        article_from_row(row)
        for rows in _stream_columns(stage_dir, "stg_articles", None)
        for row in rows
    ]


def article_from_row(row: dict) -> Article:
    names = {f.name for f in dataclasses.fields(Article)}
    values = {key: value for key, value in row.items() if key in names}
    values["authors"] = tuple(values.get("authors") or ())
    return Article(**values)


# --- segment -------------------------------------------------------------------------------------


def segment_stage(stage_dir: Path, workers: int | None = None) -> int:
    """jieba tokens of every staged article, on every core, streamed; returns the token count."""
    from flows.segment import get_segmenter

    get_segmenter().warm()  # before the pool forks: workers share the loaded dictionary
    bodies = _stream_columns(stage_dir, "stg_articles", ["article_id", "body"])
    total = 0
    with TableWriter(stage_dir, "stg_tokens") as writer:
        segmented = map_batches(_segment_batch, bodies, _workers_for_table(stage_dir, workers))
        articles = row_count(stage_dir, "stg_articles")
        for rows in progress.track(segmented, "segment", articles, "articles", size=len):
            writer.write(rows)
            total += sum(row["token_count"] for row in rows)
    return total


def _segment_batch(rows: list[dict]) -> list[dict]:
    from flows.segment import get_segmenter

    segmenter = get_segmenter()
    out = []
    for row in rows:
        tokens = segmenter.cut(row["body"])
        out.append({"article_id": row["article_id"], "token_count": len(tokens), "tokens": tokens})
    return out


# --- extract -------------------------------------------------------------------------------------


def extract_stage(
    stage_dir: Path, idf: Mapping[str, float], keyword_count: int, workers: int | None = None
) -> dict[str, int]:
    """Every fact of every staged article, on every core, streamed; returns rows per table.

    `idf` comes from `run_idf` over the whole run (a run split into batches learns it from all
    of them, so its keywords do not depend on where the batches were cut).
    """
    from flows.segment import get_segmenter

    get_segmenter().warm()
    workers = _workers_for_table(stage_dir, workers)
    jobs = (
        [(article, tokens, keyword_count) for article, tokens in batch]
        for batch in _articles_with_tokens(stage_dir)
    )
    counts = dict.fromkeys(_FACT_TABLE_NAMES, 0)
    # Each fact table's column names travel with the IDF: workers never open DuckDB, where the
    # staging schemas are read.
    fact_columns = {table: list(staging_schemas()[table]) for table in _FACT_ROW_TABLES}
    with _FactWriters(stage_dir) as writers:
        # Shared values go to each worker once (inherited by a fork, scattered on Dask).
        extracted = map_batches(_extract_batch, jobs, workers, shared=(idf, fact_columns))
        articles = row_count(stage_dir, "stg_articles")
        for _, tables in progress.track(extracted, "extract", articles, "articles", size=_first):
            for table, columns in tables.items():
                counts[table] += writers.write_columns(table, columns)
    return counts


def run_idf(
    stage_dirs: Iterable[Path], corpus: CorpusState, workers: int | None = None
) -> dict[str, float]:
    """IDF learned from the whole corpus: what the warehouse holds (`corpus`) and the tokens
    staged in `stage_dirs`, counted a batch of articles at a time, never all held at once."""
    from flows.extract.keywords import idf_from_counts

    frequency = dict(corpus.document_frequency)
    documents = corpus.document_count
    for stage_dir in stage_dirs:
        token_batches = _stream_columns(stage_dir, "stg_tokens", ["tokens"])
        for batch_count, batch_frequency in map_batches(_count_terms, token_batches, workers):
            documents += batch_count
            for term, count in batch_frequency.items():
                frequency[term] = frequency.get(term, 0) + count
    return idf_from_counts(frequency, documents)


def write_idf(path: Path, idf: Mapping[str, float]) -> None:
    import polars as pl

    schema = {"term": pl.String, "idf": pl.Float64}
    pl.DataFrame({"term": list(idf), "idf": list(idf.values())}, schema=schema).write_parquet(path)


def read_idf(path: Path) -> dict[str, float]:
    import polars as pl

    terms = pl.read_parquet(path)
    return dict(zip(terms["term"].to_list(), terms["idf"].to_list(), strict=True))


def _count_terms(rows: list[dict]) -> tuple[int, dict[str, int]]:
    from flows.extract.keywords import content_words

    frequency: dict[str, int] = {}
    for row in rows:
        for term in set(content_words(row["tokens"])):
            frequency[term] = frequency.get(term, 0) + 1
    return len(rows), frequency


def _articles_with_tokens(stage_dir: Path):
    """Batches of (Article, tokens), reading stg_articles and stg_tokens side by side.

    The segment stage writes tokens in article order; a mismatch means the folder was edited by
    hand, and extraction must not pair an article with another's tokens.
    """
    articles = _stream_columns(stage_dir, "stg_articles", None)
    tokens = _stream_columns(stage_dir, "stg_tokens", ["article_id", "tokens"])
    token_rows = (row for batch in tokens for row in batch)
    for batch in articles:
        paired = []
        for row in batch:
            token_row = next(token_rows, None)
            if token_row is None or token_row["article_id"] != row["article_id"]:
                raise ValueError(f"stg_tokens is not in stg_articles order at {row['article_id']}")
            paired.append((article_from_row(row), token_row["tokens"]))
        yield paired


def _extract_batch(
    jobs: list[tuple[Article, list[str], int]],
    shared: tuple[dict[str, float], dict[str, list[str]]],
) -> tuple[int, dict[str, dict[str, list]]]:
    """Articles done and every fact table's rows, column by column, for a batch (runs in a
    worker). Columns, not row dicts: they cost far less to send back to the flow's process.

    `shared` is the run's IDF and the column names of each fact table but term mentions.
    """
    from flows.extract.article import extract_article

    idf, columns = shared
    tables: dict[str, list[dict]] = {table: [] for table in columns}
    for article, tokens, keyword_count in jobs:
        facts = extract_article(article, tokens, idf, keyword_count)
        for table, rows in fact_rows(facts).items():
            tables[table].extend(rows)
    by_column = {table: columns_of_rows(columns[table], rows) for table, rows in tables.items()}
    tokens_by_article = ((article.article_id, tokens) for article, tokens, _ in jobs)
    return len(jobs), {**by_column, "stg_term_mentions": _term_columns(tokens_by_article, idf)}


def _first(pair: tuple) -> object:
    return pair[0]


def fact_rows(facts: ArticleFacts) -> dict[str, list[dict]]:
    """One article's facts as staging rows, per staging table (term mentions aside)."""
    article_id = facts.article_id
    tables = {
        table: [record_row(f, article_id=article_id) for f in getattr(facts, attribute)]
        for attribute, table in FACT_TABLES.items()
    }
    tables["stg_keywords"] = [record_row(k, article_id=article_id) for k in facts.keywords]
    tables["stg_topics"] = [record_row(t, article_id=article_id) for t in facts.topics]
    tables["stg_article_regions"] = (
        [record_row(facts.region, article_id=article_id)] if facts.region else []
    )
    return tables


_FACT_ROW_TABLES = (*FACT_TABLES.values(), "stg_keywords", "stg_topics", "stg_article_regions")
_FACT_TABLE_NAMES = (*_FACT_ROW_TABLES, "stg_term_mentions")  # term mentions: `_term_columns`
SEGMENT_OUTPUTS = ("stg_tokens",)
EXTRACT_OUTPUTS = _FACT_TABLE_NAMES  # what the stage cache keeps of a run (flows/stage_cache.py)


def _term_columns(
    tokens: Iterable[tuple[str, list[str]]], idf: dict[str, float]
) -> dict[str, list]:
    """stg_term_mentions, column by column: each article's content words, their count and
    TF-IDF. The table has about 300 rows per article, most of what extraction stages."""
    from flows.extract.article import term_frequencies

    article_ids, terms, counts, weights = [], [], [], []
    for article_id, article_tokens in tokens:
        frequencies = term_frequencies(article_tokens)
        total = sum(frequencies.values()) or 1
        article_ids += [article_id] * len(frequencies)
        terms += frequencies
        counts += frequencies.values()
        weights += [tf / total * idf.get(term, 0.0) for term, tf in frequencies.items()]
    return {"article_id": article_ids, "term": terms, "tf": counts, "tfidf": weights}


# --- streaming Parquet ---------------------------------------------------------------------------


def _stream_columns(stage_dir: Path, table: str, columns: list[str] | None):
    """Batches of row dicts of a staged table, read a row group at a time, never all at once."""
    import pyarrow.parquet as pq

    path = table_path(stage_dir, table)
    if not path.exists():
        return
    parquet = pq.ParquetFile(path)
    # One thread: a batch is a few rows, and this also runs in forked children (no pool to lose).
    batches = parquet.iter_batches(ARTICLES_PER_BATCH, columns=columns, use_threads=False)
    for record_batch in batches:
        yield record_batch.to_pylist()


def _workers_for_table(stage_dir: Path, workers: int | None) -> int | None:
    return _workers_for(row_count(stage_dir, "stg_articles"), workers)


class TableWriter:
    """One staging table's Parquet file, written a batch at a time (a row group per batch).

    stage_io.write_table needs every row at once; this keeps one file per table, as readers
    expect, without holding the table in memory. With `rows_per_group`, rows that come a few at
    a time (an input file's articles) are gathered into row groups of that size.
    """

    def __init__(self, stage_dir: Path, table: str, rows_per_group: int | None = None) -> None:
        self.stage_dir, self.table = stage_dir, table
        self._writer = None
        self._schema = None
        self._rows_per_group = rows_per_group
        self._pending: list[dict] = []

    def write(self, rows: Iterable[dict]) -> int:
        """Rows taken: written now, or once their row group is full (at the latest on close)."""
        if self._rows_per_group is None:
            return self._write_group(rows)
        taken = list(rows)
        self._pending += taken
        while len(self._pending) >= self._rows_per_group:
            self._write_group(self._pending[: self._rows_per_group])
            del self._pending[: self._rows_per_group]
        return len(taken)

    def write_columns(self, columns: Mapping[str, list]) -> int:
        """Rows given as one list per column: a row group of their own, or with `rows_per_group`
        gathered like the rows of `write`."""
        if self._rows_per_group is not None:
            return self.write(
                dict(zip(columns, values, strict=True))
                for values in zip(*columns.values(), strict=True)
            )
        return self._write_frame(frame_of_columns(self.table, columns))

    def _write_group(self, rows: Iterable[dict]) -> int:
        return self._write_frame(frame(self.table, rows))

    def _write_frame(self, data: pl.DataFrame) -> int:
        import pyarrow.parquet as pq

        if data.height == 0:
            return 0
        arrow = data.to_arrow()
        if self._writer is None:
            self.stage_dir.mkdir(parents=True, exist_ok=True)
            self._schema = arrow.schema
            self._writer = pq.ParquetWriter(table_path(self.stage_dir, self.table), self._schema)
        self._writer.write_table(arrow.cast(self._schema))
        return data.height

    def close(self) -> None:
        self._write_group(self._pending)
        self._pending = []
        if self._writer is None:
            write_table(self.stage_dir, self.table, [])  # an empty table still has its file
        else:
            self._writer.close()
        release_freed_memory()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _FactWriters:
    """A TableWriter per fact table."""

    def __init__(self, stage_dir: Path) -> None:
        self._writers = {table: TableWriter(stage_dir, table) for table in _FACT_TABLE_NAMES}

    def write_columns(self, table: str, columns: Mapping[str, list]) -> int:
        return self._writers[table].write_columns(columns)

    def __enter__(self) -> _FactWriters:
        return self

    def __exit__(self, *exc_info) -> None:
        for writer in self._writers.values():
            writer.close()
