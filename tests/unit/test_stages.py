"""Stage functions without Prefect: what each writes for the next one."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows import stages
from flows.extract.keywords import content_words
from flows.ingest import fingerprint
from flows.stage_io import (
    frame,
    frame_of_columns,
    read_table,
    table_path,
)
from flows.stages import (
    CorpusState,
    TableWriter,
    extract_stage,
    ingest_stage,
    read_articles,
    run_idf,
    segment_stage,
)
from tests.conftest import SEED_ARTICLES

ARTICLE = "标题\n\n本报讯 市人大常委会建成代表联络站12个，收集意见建议300余条。\n"


def write_sources(folder: Path) -> Path:
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_ingest_stage_accounts_for_every_file_once(tmp_path):
    source = write_sources(tmp_path / "src")

    counts = ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(), 1_000_000)

    files = read_table(tmp_path / "stage", "stg_files").sort("path")
    assert [("empty.txt", "quarantined"), ("good.txt", "loaded")] == files.select(
        "path", "status"
    ).rows()
    quarantined = read_table(tmp_path / "stage", "stg_quarantine")
    assert ["empty.txt"] == quarantined["path"].to_list()
    assert (1, 1) == (counts.files_loaded, counts.files_quarantined)


def test_ingest_stage_gives_articles_their_source_path(tmp_path):
    source = write_sources(tmp_path / "src")

    ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(), 1_000_000)

    articles = read_table(tmp_path / "stage", "stg_articles")
    assert ["good.txt"] == articles["path"].unique().to_list()
    assert all(count > 0 for count in articles["char_count"].to_list())


def test_ingest_stage_skips_files_the_ledger_has_seen_unchanged(tmp_path):
    source = write_sources(tmp_path / "src")
    ledger = {"good.txt": fingerprint(source / "good.txt")}

    counts = ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(ledger), 10**6)

    assert 1 == counts.files_unchanged
    assert ["empty.txt"] == read_table(tmp_path / "stage", "stg_files")["path"].to_list()


def test_ingest_stage_keeps_a_copy_of_quarantined_bytes(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "binary.txt").write_bytes(bytes(range(256)) * 4)

    ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(), 1_000_000)

    assert (source / "binary.txt").read_bytes() == (tmp_path / "q" / "binary.txt").read_bytes()


def test_segment_stage_tokens_every_article_with_the_domain_dictionary(tmp_path):
    source = write_sources(tmp_path / "src")
    ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(), 1_000_000)

    segment_stage(tmp_path / "stage")

    tokens = read_table(tmp_path / "stage", "stg_tokens")["tokens"].to_list()
    assert any("代表联络站" in article_tokens for article_tokens in tokens)


# --- streaming and parallel stages ---------------------------------------------------------------

STAGE_TABLES = [
    "stg_articles",
    "stg_tokens",
    "stg_quantities",
    "stg_people",
    "stg_places",
    "stg_organizations",
    "stg_keywords",
    "stg_topics",
    "stg_article_regions",
    "stg_term_mentions",
]


def run_stages(source: Path, stage: Path, workers: int) -> None:
    ingest_stage(source, stage, stage / "q", CorpusState(), 1_000_000, workers=workers)
    segment_stage(stage, workers=workers)
    extract_stage(stage, run_idf([stage], CorpusState()), 10, workers=workers)


def test_stages_give_the_same_rows_on_one_process_and_on_a_pool(tmp_path, monkeypatch):
    # Tiny batches, so the 5 files and 20 articles are spread over many tasks and both workers.
    monkeypatch.setattr(stages, "ARTICLES_PER_BATCH", 2)
    monkeypatch.setattr(stages, "FILES_PER_BATCH", 1)

    run_stages(SEED_ARTICLES, tmp_path / "one", workers=1)
    run_stages(SEED_ARTICLES, tmp_path / "two", workers=2)

    for table in STAGE_TABLES:
        single = read_table(tmp_path / "one", table)
        pooled = read_table(tmp_path / "two", table)
        assert single.height > 0, table
        assert single.equals(pooled), table  # same rows in the same order, not just the same set


@pytest.mark.slow
def test_stages_give_the_same_rows_on_a_dask_cluster(tmp_path, monkeypatch, dask_client):
    from flows.parallel import batches_on_cluster

    monkeypatch.setattr(stages, "ARTICLES_PER_BATCH", 2)  # many batches, on both Dask workers

    run_stages(SEED_ARTICLES, tmp_path / "one", workers=1)
    with batches_on_cluster(lambda: dask_client):
        run_stages(SEED_ARTICLES, tmp_path / "dask", workers=2)

    for table in STAGE_TABLES:
        single = read_table(tmp_path / "one", table)
        assert single.height > 0, table
        assert single.equals(read_table(tmp_path / "dask", table)), table


def test_extract_stage_writes_exactly_the_tables_the_stage_cache_keeps(tmp_path):
    # A fact table the cache did not know would be missing from a resumed run's load.
    source = write_sources(tmp_path / "src")
    stage = tmp_path / "stage"
    ingest_stage(source, stage, tmp_path / "q", CorpusState(), 1_000_000)
    before = {path.stem for path in stage.glob("*.parquet")}
    segment_stage(stage)
    segmented = {path.stem for path in stage.glob("*.parquet")}
    extract_stage(stage, run_idf([stage], CorpusState()), 5)

    assert set(stages.SEGMENT_OUTPUTS) == segmented - before
    assert set(stages.EXTRACT_OUTPUTS) == {p.stem for p in stage.glob("*.parquet")} - segmented


def test_table_writer_writes_one_file_a_row_group_per_batch(tmp_path):
    rows = [{"article_id": f"a{i}", "token_count": 1, "tokens": [str(i)]} for i in range(5)]

    with TableWriter(tmp_path, "stg_tokens") as writer:
        written = [writer.write(rows[:2]), writer.write([]), writer.write(rows[2:])]

    assert [2, 0, 3] == written
    assert 2 == pq.ParquetFile(table_path(tmp_path, "stg_tokens")).num_row_groups
    assert rows == read_table(tmp_path, "stg_tokens").to_dicts()


def test_table_writer_gathers_rows_that_come_a_few_at_a_time_into_row_groups(tmp_path):
    rows = [{"article_id": f"a{i}", "token_count": 1, "tokens": [str(i)]} for i in range(5)]

    with TableWriter(tmp_path, "stg_tokens", rows_per_group=2) as writer:
        taken = [writer.write([row]) for row in rows]

    parquet = pq.ParquetFile(table_path(tmp_path, "stg_tokens"))
    assert [1] * 5 == taken
    assert [2, 2, 1] == [parquet.metadata.row_group(i).num_rows for i in range(3)]
    assert rows == read_table(tmp_path, "stg_tokens").to_dicts()


def test_table_writer_leaves_an_empty_table_when_nothing_was_written(tmp_path):
    with TableWriter(tmp_path, "stg_people"):
        pass

    assert table_path(tmp_path, "stg_people").exists()
    assert 0 == read_table(tmp_path, "stg_people").height


def test_extract_stage_refuses_tokens_of_another_article(tmp_path):
    source = write_sources(tmp_path / "src")
    ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(), 1_000_000)
    with TableWriter(tmp_path / "stage", "stg_tokens") as writer:
        writer.write([{"article_id": "someone-else", "token_count": 1, "tokens": ["标题"]}])

    with pytest.raises(ValueError, match="not in stg_articles order"):
        extract_stage(tmp_path / "stage", {}, 10, workers=1)


def test_ingest_stage_skips_the_corpus_wide_duplicate_search_when_nothing_changed(tmp_path):
    # Earlier articles that duplicate each other: a changed run would link them again, but an
    # unchanged run loads nothing, so searching the whole corpus again would be wasted work.
    source = tmp_path / "src"
    source.mkdir()
    (source / "good.txt").write_text(ARTICLE, encoding="utf-8")
    ingest_stage(source, tmp_path / "first", tmp_path / "q", CorpusState(), 1_000_000)
    earlier = tuple(read_articles(tmp_path / "first"))
    copies = (*earlier, dataclasses.replace(earlier[0], file_id="f" * 64, path="copy.txt"))
    corpus = CorpusState({"good.txt": fingerprint(source / "good.txt")}, copies)

    counts = ingest_stage(source, tmp_path / "stage", tmp_path / "q", corpus, 1_000_000)

    assert (1, 0) == (counts.files_unchanged, counts.articles)
    assert 0 == read_table(tmp_path / "stage", "stg_duplicates").height


def test_staging_frames_refuse_a_value_of_the_wrong_type():
    # A fact with a number where the table holds text is a bug to stop at, not to convert.
    with pytest.raises(TypeError):
        frame("stg_laws", [{"article_id": "a", "title": 5, "start_offset": 0, "end_offset": 1}])


def test_staging_frames_from_columns_take_exactly_the_tables_columns():
    with pytest.raises(ValueError, match="stg_laws takes the columns"):
        frame_of_columns("stg_laws", {"article_id": ["a"], "title": ["《条例》"]})


def test_term_mentions_count_each_content_word_and_weigh_it_by_tf_idf(tmp_path):
    source = write_sources(tmp_path / "src")
    stage = tmp_path / "stage"
    ingest_stage(source, stage, tmp_path / "q", CorpusState(), 1_000_000)
    segment_stage(stage)
    idf = run_idf([stage], CorpusState())

    extract_stage(stage, idf, 5, workers=2)

    mentions = read_table(stage, "stg_term_mentions").to_dicts()
    for row in read_table(stage, "stg_tokens").to_dicts():
        counts = Counter(content_words(row["tokens"]))
        found = [m for m in mentions if m["article_id"] == row["article_id"]]
        assert list(counts.items()) == [(m["term"], m["tf"]) for m in found]
        total = sum(counts.values())
        assert [m["tf"] / total * idf[m["term"]] for m in found] == [m["tfidf"] for m in found]


def test_table_writer_gathers_columns_into_row_groups_like_rows(tmp_path):
    rows = [{"article_id": "a0", "token_count": 1, "tokens": ["0"]}]
    columns = {"article_id": ["a1", "a2", "a3"], "token_count": [1, 1, 1], "tokens": [["1"]] * 3}

    with TableWriter(tmp_path, "stg_tokens", rows_per_group=2) as writer:
        taken = [writer.write(rows), writer.write_columns(columns)]

    parquet = pq.ParquetFile(table_path(tmp_path, "stg_tokens"))
    assert [1, 3] == taken
    assert [2, 2] == [parquet.metadata.row_group(i).num_rows for i in range(2)]
    assert ["a0", "a1", "a2", "a3"] == read_table(tmp_path, "stg_tokens")["article_id"].to_list()


def test_the_renda_command_has_arrow_allocate_with_malloc():
    # Arrow's default pool (mimalloc) kept part of each batch's freed memory: about 9 MB more per
    # batch of 2,000 articles. Arrow reads its choice once, at import, so a fresh interpreter.
    code = "import flows.cli, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    environment = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}

    shown = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )

    assert "system" == shown.stdout.strip()
