"""The loader: migrations, the one-transaction batch load, audits and reconciliation."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.ingest.dedup import fingerprint_articles
from flows.records import Article
from flows.settings import PROJECT_ROOT
from flows.stage_io import write_table
from flows.stages import _article_row, _write_fingerprints
from flows.warehouse import (
    BatchTooLargeForMemory,
    CheckFailed,
    RunInfo,
    StoredFingerprints,
    WarehouseLocked,
    catalog,
    connect,
    load_batch,
    migrate,
    publish_snapshot,
    read_corpus_state,
    table_counts,
)

SQL_DIR = PROJECT_ROOT / "warehouse"
RUN = RunInfo(run_id="run-1", extractor_version="test")
BODY = "本市建成代表联络站12个，收集意见建议300余条。"


STAGED_ARTICLE = Article(
    file_id="f1",
    ordinal=0,
    body=BODY,
    body_original=BODY,
    title="标题",
    published_date=date(2024, 3, 1),
    source="某报",
    path="a.txt",
)


def stage_batch(
    stage_dir: Path, *, quantity_end: int = 17, path: str = "a.txt", **fields: object
) -> None:
    article = dataclasses.replace(STAGED_ARTICLE, path=path, **fields)
    write_table(
        stage_dir,
        "stg_files",
        [
            {
                "path": path,
                "file_id": "f1",
                "size_bytes": 10,
                "encoding": "utf-8",
                "status": "loaded",
                "article_count": 1,
                "page_chrome": ["打印本页"],
            }
        ],
    )
    write_table(stage_dir, "stg_articles", [_article_row(article)])
    _write_fingerprints(stage_dir, fingerprint_articles([article], workers=1))
    write_table(
        stage_dir,
        "stg_tokens",
        [
            {
                "article_id": article.article_id,
                "token_count": 3,
                "tokens": ["本市", "建成", "代表联络站"],
            }
        ],
    )
    write_table(
        stage_dir,
        "stg_quantities",
        [
            {
                "article_id": article.article_id,
                "start_offset": 14,
                "end_offset": quantity_end,
                "text": BODY[14:quantity_end],
                "value": 12.0,
                "unit": "个",
                "subject": "代表联络站",
            }
        ],
    )
    write_table(
        stage_dir,
        "stg_term_mentions",
        [
            {"article_id": article.article_id, "term": "代表联络站", "tf": 1, "tfidf": 0.5},
        ],
    )


def core_counts(warehouse: Path) -> dict[str, int]:
    return {k: v for k, v in table_counts(warehouse, SQL_DIR).items() if not k.startswith("ops.")}


def test_catalog_orders_layers_for_building():
    layers = [obj.path.parent.name for obj in catalog(SQL_DIR)]

    expected = ["macros", "raw", "ops", "staging", "core", "reporting", "checks"]
    assert expected == list(dict.fromkeys(layers))


def test_migrate_is_idempotent(tmp_path):
    with connect(tmp_path / "w.duckdb") as connection:
        migrate(connection, SQL_DIR)
        migrate(connection, SQL_DIR)
        tables = connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'core'"
        ).fetchone()[0]
    assert len([o for o in catalog(SQL_DIR) if o.schema == "core"]) == tables


def test_load_batch_publishes_facts_with_lineage(tmp_path):
    stage_batch(tmp_path / "stage")

    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RUN)

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        row = connection.execute(
            "select value, unit, subject, run_id, extractor_version from core.fct_quantities"
        ).fetchone()
    assert (12.0, "个", "代表联络站", "run-1", "test") == row


def test_reloading_the_same_batch_keeps_row_counts(tmp_path):
    stage_batch(tmp_path / "stage")
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RUN)
    first = core_counts(tmp_path / "w.duckdb")

    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RunInfo("run-2", "test"))

    assert first == core_counts(tmp_path / "w.duckdb")


def test_failed_audit_rolls_back_the_whole_batch(tmp_path):
    stage_batch(tmp_path / "good")
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "good", RUN)
    before = core_counts(tmp_path / "w.duckdb")
    # An offset past the article's end is untraceable: assert_offsets_inside_articles rejects it.
    stage_batch(tmp_path / "bad", quantity_end=999, path="b.txt")

    with pytest.raises(CheckFailed) as failure:
        load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "bad", RunInfo("run-2", "test"))

    assert "assert_offsets_inside_articles" in failure.value.failures
    assert before == core_counts(tmp_path / "w.duckdb")


def test_every_audit_passes_on_a_good_batch(tmp_path):
    stage_batch(tmp_path / "stage")
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RUN)

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        offending = {
            check.name: connection.execute(f"select count(*) from ({check.body})").fetchone()[0]
            for check in catalog(SQL_DIR)
            if check.path.parent.name == "checks"
        }
    assert all(count == 0 for count in offending.values()), offending


@pytest.mark.parametrize(
    "dimension",
    # dim_articles is exempt: every fact is extracted from an article, so it is never unknown.
    [o for o in catalog(SQL_DIR) if o.name.startswith("dim_") and o.name != "dim_articles"],
    ids=lambda o: o.name,
)
def test_every_dimension_has_an_unknown_member(tmp_path, dimension):
    """Facts with a missing attribute point at the unknown member instead of dangling."""
    stage_batch(tmp_path / "stage")
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RUN)
    key = dimension.unique_key
    unknown = "0" if key == "date_sk" else "sk(null)"

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        found = connection.execute(
            f"select count(*) from {dimension.qualified_name} where {key} = {unknown}"
        ).fetchone()[0]
    assert 1 == found


def test_a_held_warehouse_gives_a_clear_lock_error(tmp_path):
    """DuckDB has no lock wait; the error must say what holds the file and what to do."""
    import subprocess
    import sys

    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    hold = f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); print('held', flush=True)"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold + "; time.sleep(30)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "held" == holder.stdout.readline().strip()
        with pytest.raises(WarehouseLocked, match="open in another process"), connect(warehouse):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_published_snapshot_is_a_complete_copy_readers_can_hold(tmp_path):
    stage_batch(tmp_path / "stage")
    live, published = tmp_path / ".w.live.duckdb", tmp_path / "w.duckdb"
    load_batch(live, SQL_DIR, tmp_path / "stage", RUN)

    publish_snapshot(live, published)
    reader = duckdb.connect(str(published), read_only=True)
    try:
        load_batch(live, SQL_DIR, tmp_path / "stage", RunInfo("run-2", "test"))  # not blocked
        publish_snapshot(live, published)  # the rename does not disturb the open reader
        rows = reader.execute("select value, unit from reporting.rpt_quantities").fetchall()
    finally:
        reader.close()
    assert [(12.0, "个")] == rows
    assert core_counts(live) == core_counts(published)
    assert [] == list(tmp_path.glob("*.tmp"))


def test_reconciliation_notices_rows_that_did_not_land(tmp_path):
    """DuckDB 2.0 can roll back silently at COMMIT; the counts after commit must catch it."""
    from flows.warehouse import WarehouseError, _reconcile

    stage_batch(tmp_path / "stage")
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RUN)

    with connect(tmp_path / "w.duckdb") as connection:
        connection.execute("delete from core.fct_quantities")  # as if the commit had not landed
        with pytest.raises(WarehouseError, match="fct_quantities: 1 staged, 0 loaded"):
            _reconcile(connection, SQL_DIR)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"url": "https://example.org/original", "published_date": None},  # a copy, undated
    ],
    ids=["dated original", "undated copy"],
)
def test_stored_fingerprints_read_back_as_they_were_made(tmp_path, fields):
    stage_batch(tmp_path / "stage", **fields)
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RUN)

    corpus = read_corpus_state(tmp_path / "w.duckdb", with_fingerprints=True, with_terms=False)
    [entry], recomputed = corpus.fingerprints.read(excluding_paths=[])

    [made] = fingerprint_articles([dataclasses.replace(STAGED_ARTICLE, **fields)], workers=1)
    assert [] == recomputed  # the load kept the fingerprint: no body was read
    assert (made.article_id, made.rank, made.fingerprint.digest) == (
        entry.article_id,
        entry.rank,
        entry.fingerprint.digest,
    )
    assert made.fingerprint.sizes == entry.fingerprint.sizes
    assert {"a.txt": "f1"} == corpus.ledger


def test_stored_fingerprints_leave_out_the_files_a_run_replaces(tmp_path):
    stage_batch(tmp_path / "stage")
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RUN)

    assert ([], []) == StoredFingerprints(tmp_path / "w.duckdb").read(excluding_paths=["a.txt"])


@pytest.mark.parametrize(
    "make_old",
    [
        "delete from core.fct_article_fingerprints",  # loaded before fingerprints were kept
        "update core.fct_article_fingerprints set method = 'an older method'",
    ],
)
def test_a_missing_or_outdated_fingerprint_is_made_again_from_the_body(tmp_path, make_old):
    stage_batch(tmp_path / "stage")
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RUN)
    with connect(tmp_path / "w.duckdb") as connection:
        connection.execute(make_old)

    [entry], [recomputed] = StoredFingerprints(tmp_path / "w.duckdb").read(excluding_paths=[])

    [made] = fingerprint_articles([STAGED_ARTICLE], workers=1)
    assert entry is recomputed
    assert (made.article_id, made.rank, made.fingerprint.digest) == (
        entry.article_id,
        entry.rank,
        entry.fingerprint.digest,
    )


def test_verified_links_are_the_near_links_between_unchanged_articles(tmp_path):
    # Two articles from two files, the second linked to the first as a near copy.
    warehouse = tmp_path / "w.duckdb"
    stage_batch(tmp_path / "first")
    load_batch(warehouse, SQL_DIR, tmp_path / "first", RUN)
    copy = dataclasses.replace(STAGED_ARTICLE, ordinal=1, path="b.txt")
    stage_batch(tmp_path / "second", path="b.txt", ordinal=1)
    link = {
        "article_id": copy.article_id,
        "canonical_article_id": STAGED_ARTICLE.article_id,
        "method": "near",
        "similarity": 0.9123,
    }
    write_table(tmp_path / "second", "stg_duplicates", [link])
    load_batch(warehouse, SQL_DIR, tmp_path / "second", RUN)
    stored = StoredFingerprints(warehouse)

    verified = {copy.article_id: (STAGED_ARTICLE.article_id, 0.9123)}
    assert verified == stored.verified_links([])
    # a file this run replaces, or a fingerprint made another way: verified again
    assert {} == stored.verified_links(["a.txt"])
    with connect(warehouse) as connection:
        connection.execute(
            "update core.fct_article_fingerprints set method = 'an older method' "
            "where article_sk = sk(?)",
            [STAGED_ARTICLE.article_id],
        )
    assert {} == stored.verified_links([])


def test_stored_bodies_are_read_one_by_one_and_a_missing_one_is_an_error(tmp_path):
    from flows.warehouse import WarehouseError

    stage_batch(tmp_path / "stage")
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "stage", RUN)

    with StoredFingerprints(tmp_path / "w.duckdb").bodies() as body:
        assert BODY == body(STAGED_ARTICLE.article_id)
        with pytest.raises(WarehouseError, match="not-an-article is not in"):
            body("not-an-article")


def test_every_warehouse_connection_keeps_to_the_memory_limit(tmp_path, settings_env):
    # Without a cap DuckDB takes up to 80% of the machine's memory during a large load.
    settings_env(duckdb_memory_limit="256MB")
    with connect(tmp_path / "w.duckdb") as connection:
        limit = connection.execute("select current_setting('memory_limit')").fetchone()[0]
    with connect(tmp_path / "w.duckdb", read_only=True) as reader:
        reader_limit = reader.execute("select current_setting('memory_limit')").fetchone()[0]

    assert ["244.1 MiB", "244.1 MiB"] == [limit, reader_limit]


def test_a_batch_too_large_for_the_memory_limit_says_so_and_publishes_nothing(
    tmp_path, settings_env
):
    stage_batch(tmp_path / "good")
    load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "good", RUN)
    before = core_counts(tmp_path / "w.duckdb")
    stage_batch(tmp_path / "next", path="b.txt")
    settings_env(duckdb_memory_limit="4MB")

    with pytest.raises(BatchTooLargeForMemory, match=r"LIMIT=4MB.* lower RENDA_BATCH_ARTICLES="):
        load_batch(tmp_path / "w.duckdb", SQL_DIR, tmp_path / "next", RunInfo("run-2", "test"))

    settings_env(duckdb_memory_limit="1GB")
    assert before == core_counts(tmp_path / "w.duckdb")


def test_check_failed_keeps_its_failures_across_processes():
    # The report and any step run in a fresh interpreter send their errors back pickled.
    failure = pickle.loads(pickle.dumps(CheckFailed({"assert_no_orphan_facts": 3})))

    assert {"assert_no_orphan_facts": 3} == failure.failures
    assert "assert_no_orphan_facts (3 rows)" in str(failure)


def test_a_run_keeps_a_bounded_number_of_fingerprints_made_again(monkeypatch):
    # They load with the first batch, in one transaction that cannot spill: a warehouse of a
    # million articles from before fingerprints were kept is caught up over several runs.
    from flows import stages

    made = fingerprint_articles(
        [dataclasses.replace(STAGED_ARTICLE, ordinal=number) for number in range(3)], workers=1
    )
    monkeypatch.setattr(stages, "RECOMPUTED_KEPT_PER_RUN", 2)

    assert made[:2] == stages._kept(made, batch=made[:1])
    assert [] == stages._kept(made, batch=[])  # no new article: no articles' gate to pass
