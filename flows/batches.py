"""A large run split into batches of whole files, each segmented, extracted, gated and loaded
on its own.

Everything after ingest holds a batch in memory somewhere: the gates validate whole staged
tables, and the load publishes a batch in one DuckDB transaction that cannot spill to disk. With
one batch per run, a run's peak memory grew with its corpus (issue 7: 2.0 GB for 20,000 articles
against 1.1 GB for 2,000). Split into batches of at most `batch_articles` articles, it grows
with the batch instead.

A batch is the unit a gate protects: a failed gate publishes nothing from its batch, and the
batches before it stay loaded. Their files are in the ledger, so running again carries on with
the files not loaded yet.

Ingest and the files' gate see the whole run, so duplicates are found across batches; articles
are gated per batch (validating a run's text at once held 350 MB for 20,000 articles). Each
batch carries the duplicate links whose two articles the warehouse holds once it is loaded; the
last batch carries all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import polars as pl

from flows.stage_io import read_table, release_freed_memory, table_path

BATCHES_FOLDER = "batches"
SPLIT_BY_FILE = ("stg_files", "stg_quarantine")
ROWS_PER_READ = 256


def plan_batches(file_articles: Iterable[tuple[str, int]], max_articles: int) -> list[list[str]]:
    """Consecutive files grouped so no batch holds more than `max_articles` articles.

    A file is never split (its articles replace its old rows together); a file with more
    articles than the limit makes a batch of its own. Files without articles (quarantined) join
    the batch being filled.
    """
    batches: list[list[str]] = [[]]
    articles = 0
    for path, count in file_articles:
        if articles and count and articles + count > max_articles:
            batches.append([])
            articles = 0
        batches[-1].append(path)
        articles += count
    return batches


def split_stage(stage_dir: Path, max_articles: int, stored_paths: Mapping[str, str]) -> list[Path]:
    """The run's staged ingest output as batch folders; the run folder itself if one suffices.

    `stored_paths` maps the loaded articles that duplicate links name to their files (see
    `links_present_after`).
    """
    files = read_table(stage_dir, "stg_files")
    plan = plan_batches(zip(files["path"], files["article_count"], strict=True), max_articles)
    if len(plan) == 1:
        return [stage_dir]
    batch_dirs = [stage_dir / BATCHES_FOLDER / f"{number:04d}" for number, _ in enumerate(plan, 1)]
    batch_of_file = {path: index for index, paths in enumerate(plan) for path in paths}
    for table in SPLIT_BY_FILE:
        _split_by_file(stage_dir, table, batch_dirs, batch_of_file)
    article_ids = _split_articles(stage_dir, batch_dirs, batch_of_file)
    _split_fingerprints(stage_dir, batch_dirs, article_ids)
    _split_duplicates(stage_dir, batch_dirs, plan, article_ids, stored_paths)
    release_freed_memory()
    return batch_dirs


def _split_by_file(
    stage_dir: Path, table: str, batch_dirs: list[Path], batch_of_file: dict[str, int]
) -> None:
    rows = read_table(stage_dir, table)
    batch = rows["path"].replace_strict(batch_of_file, return_dtype=pl.Int64)
    for index, batch_dir in enumerate(batch_dirs):
        batch_dir.mkdir(parents=True, exist_ok=True)
        rows.filter(batch == index).write_parquet(table_path(batch_dir, table))


def _split_articles(
    stage_dir: Path, batch_dirs: list[Path], batch_of_file: dict[str, int]
) -> list[set[str]]:
    """Route staged articles to their batch's file a row group at a time; returns their ids.

    Arrow record batches go straight from one Parquet file to the other: the run's text is
    never all in memory, and never turned into Python rows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = pq.ParquetFile(table_path(stage_dir, "stg_articles"))
    writers: dict[int, pq.ParquetWriter] = {}
    article_ids: list[set[str]] = [set() for _ in batch_dirs]
    try:
        # A row group at a time (the default reads 65,536 rows: a whole run's text at once).
        for record_batch in source.iter_batches(ROWS_PER_READ, use_threads=False):
            paths = record_batch.column("path").to_pylist()
            batch = pa.array([batch_of_file[path] for path in paths], pa.int64())
            for index in pc.unique(batch).to_pylist():
                rows = record_batch.filter(pc.equal(batch, index))
                if index not in writers:
                    target = table_path(batch_dirs[index], "stg_articles")
                    writers[index] = pq.ParquetWriter(target, source.schema_arrow)
                writers[index].write_batch(rows)
                article_ids[index].update(rows.column("article_id").to_pylist())
    finally:
        for writer in writers.values():
            writer.close()
    for index, batch_dir in enumerate(batch_dirs):
        if index not in writers:  # only quarantined files: an empty table, as ingest writes it
            pq.write_table(source.schema_arrow.empty_table(), table_path(batch_dir, "stg_articles"))
    return article_ids


def _split_fingerprints(
    stage_dir: Path, batch_dirs: list[Path], article_ids: list[set[str]]
) -> None:
    """Each article's fingerprint goes with it; those recomputed for articles loaded earlier go
    with the first batch, so the first load keeps them."""
    fingerprints = read_table(stage_dir, "stg_fingerprints")
    batch_of_article = {article: index for index, ids in enumerate(article_ids) for article in ids}
    batch = fingerprints["article_id"].replace_strict(
        batch_of_article, default=0, return_dtype=pl.Int64
    )
    for index, batch_dir in enumerate(batch_dirs):
        fingerprints.filter(batch == index).write_parquet(table_path(batch_dir, "stg_fingerprints"))


def _split_duplicates(
    stage_dir: Path,
    batch_dirs: list[Path],
    plan: list[list[str]],
    article_ids: list[set[str]],
    stored_paths: Mapping[str, str],
) -> None:
    links = read_table(stage_dir, "stg_duplicates")
    loaded_ids: set[str] = set()
    loaded_files: set[str] = set()
    for index, batch_dir in enumerate(batch_dirs):
        loaded_ids |= article_ids[index]
        loaded_files.update(plan[index])
        last = index == len(batch_dirs) - 1
        present = links_present_after(links, loaded_ids, loaded_files, stored_paths)
        (links if last else links.filter(present)).write_parquet(
            table_path(batch_dir, "stg_duplicates")
        )


def links_present_after(
    links: pl.DataFrame,
    loaded_ids: set[str],
    loaded_files: set[str],
    stored_paths: Mapping[str, str],
) -> pl.Series:
    """Which duplicate links have both articles in the warehouse once some batches are loaded.

    An article is there if a loaded batch holds it, or if an earlier run loaded it from a file
    no loaded batch has replaced yet. A link to an article a later batch brings must wait for
    that batch: the warehouse's checks reject a link to an article it does not hold.
    """

    def present(article_id: str) -> bool:
        if article_id in loaded_ids:
            return True
        stored_file = stored_paths.get(article_id)
        return stored_file is not None and stored_file not in loaded_files

    both = [
        present(article) and present(canonical)
        for article, canonical in zip(
            links["article_id"], links["canonical_article_id"], strict=True
        )
    ]
    return pl.Series(both, dtype=pl.Boolean)
