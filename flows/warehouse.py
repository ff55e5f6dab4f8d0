"""The DuckDB warehouse: its SQL catalog, migrations, and the one-transaction batch load.

Every object lives in one SQL file under warehouse/ whose header declares how it is built
(`materialized:`). The loader reads those headers instead of a hand-kept list, so adding a table
is adding a file.

Load protocol (write -> audit -> publish, all in one transaction):
1. DDL runs first, outside the transaction (DuckDB: keep DDL out of load transactions).
2. Staging tables are replaced with the batch's Parquet files.
3. Rows of every re-processed file are deleted from core, then rebuilt from staging.
4. The ledger and quarantine record every file of the batch.
5. Every warehouse/checks/assert_*.sql must return zero rows, else the transaction rolls back.
6. After commit, the staging tables and ledger must carry this run's id and core row counts are
   reconciled with the staged counts (a failed statement can make DuckDB 2.0 roll back silently
   at COMMIT, restoring the previous batch: the run id proves the commit really landed).
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from flows import progress
from flows.settings import get_settings
from flows.stage_io import row_count, staging_schemas, table_path

if TYPE_CHECKING:
    import pyarrow as pa

    from flows.ingest.dedup import Fingerprint, Fingerprinted
    from flows.stages import CorpusState

SCHEMAS = ("raw", "staging", "core", "reporting", "ops")
_HEADER_LINE = re.compile(r"^--\s*(\w+):\s*(.*)$")
# DuckDB has no lock wait: a writer that finds the file locked fails at once with this.
LOCK_ERROR_PREFIX = "Could not set lock on file"


class WarehouseError(RuntimeError):
    """The warehouse cannot be used or the load could not be proved correct."""


class CheckFailed(WarehouseError):
    """An audit query found offending rows; the batch was rolled back."""

    def __init__(self, failures: dict[str, int]) -> None:
        self.failures = failures
        listed = ", ".join(f"{name} ({count} rows)" for name, count in failures.items())
        super().__init__(f"warehouse checks failed, nothing was published: {listed}")

    def __reduce__(self):  # rebuilt from its constructor's argument when it crosses processes
        return type(self), (self.failures,)


class BatchTooLargeForMemory(WarehouseError):
    """The batch did not fit in DuckDB's memory cap; it was rolled back."""


# Measured: a batch of 20,000 generated articles needed 600-800 MB inside its transaction.
MEGABYTES_PER_1000_ARTICLES = 40


@dataclass(frozen=True)
class SqlObject:
    """One SQL file of warehouse/: a table, model, view, macro or check."""

    path: Path
    schema: str
    name: str
    header: dict[str, str]
    body: str

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def materialized(self) -> str:
        return self.header.get("materialized", "")

    @property
    def unique_key(self) -> str:
        return self.header["unique_key"]


def read_sql_object(path: Path, sql_dir: Path) -> SqlObject:
    header: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER_LINE.match(line)
        if not line.startswith("--"):
            break
        if match:
            header[match.group(1)] = match.group(2).strip()
    layer = path.parent.name
    schema = layer if layer in SCHEMAS else ""
    return SqlObject(path, schema, path.stem, header, path.read_text(encoding="utf-8"))


def catalog(sql_dir: Path) -> list[SqlObject]:
    """All SQL objects, in build order: macros, raw, ops, staging, core, reporting, checks."""
    order = ["macros", "raw", "ops", "staging", "core", "reporting", "checks"]
    objects = []
    for layer in order:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            objects.append(read_sql_object(path, sql_dir))
    return objects


def core_models(sql_dir: Path) -> list[SqlObject]:
    return [obj for obj in catalog(sql_dir) if obj.schema == "core"]


def checks(sql_dir: Path) -> list[SqlObject]:
    return [obj for obj in catalog(sql_dir) if obj.path.parent.name == "checks"]


# --- connections ---------------------------------------------------------------------------------


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is always closed; a lock held by another process becomes a clear error."""
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `renda run` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(path), read_only=read_only, config=_duckdb_config())
    except duckdb.IOException as error:
        if LOCK_ERROR_PREFIX in str(error):
            raise WarehouseLocked(path, str(error)) from error
        if "not a valid DuckDB database file" in str(error):
            raise WarehouseError(
                f"{path} is not a DuckDB warehouse (a foreign or damaged file): "
                "point --warehouse at another path, or move this file away and run again"
            ) from error
        raise
    except duckdb.Error as error:
        if "Corrupt database file" not in str(error):
            raise
        raise WarehouseError(
            f"{path} is damaged ({error}): move it away and run `renda run` to rebuild it "
            "from the articles, or restore it from a copy"
        ) from error
    try:
        yield connection
    finally:
        connection.close()


def _duckdb_config() -> dict[str, str]:
    # One configuration for every connection: DuckDB refuses a second connection to an open
    # file with different settings.
    return {"memory_limit": get_settings().duckdb_memory_limit}


class WarehouseLocked(WarehouseError):
    def __init__(self, path: Path, detail: str) -> None:
        self.path, self.detail = path, detail
        super().__init__(
            f"the warehouse {path} is open in another process ({lock_holder(detail)}: a load "
            "or an SQL client); close it or wait for the load to finish, then try again"
        )

    def __reduce__(self):  # rebuilt from its constructor's arguments when it crosses processes
        return type(self), (self.path, self.detail)


def lock_holder(detail: str) -> str:
    """'PID 123, /usr/bin/python3' from DuckDB's lock error, so the user knows what to close."""
    found = re.search(r"lock is held in (.+?) \(PID (\d+)\)", detail)
    return f"PID {found[2]}, {found[1]}" if found else f"DuckDB said: {detail}"


# --- migrations ----------------------------------------------------------------------------------


def migrate(connection: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """Create every schema, table, model table and view that does not exist yet (idempotent)."""
    for schema in SCHEMAS:
        connection.execute(f"create schema if not exists {schema}")
    for obj in catalog(sql_dir):
        if obj.materialized == "ddl" or obj.materialized == "view":
            connection.execute(obj.body)
        elif obj.schema == "core":
            connection.execute(
                f"create table if not exists {obj.qualified_name} as "
                f"select * from ({obj.body}) with no data"
            )


# --- the batch load ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    extractor_version: str


@dataclass
class LoadResult:
    staged_rows: dict[str, int] = field(default_factory=dict)
    core_rows: dict[str, int] = field(default_factory=dict)
    replaced_articles: int = 0
    seconds: float = 0.0


def load_batch(warehouse: Path, sql_dir: Path, stage_dir: Path, run: RunInfo) -> LoadResult:
    """Publish a staged batch into the warehouse, all or nothing (see the module docstring)."""
    try:
        return _load_batch(warehouse, sql_dir, stage_dir, run)
    except duckdb.OutOfMemoryException as error:
        # One transaction holds the whole batch, and what it holds cannot be spilled to disk.
        settings = get_settings()
        raise BatchTooLargeForMemory(
            "loading this batch needs more memory than "
            f"RENDA_DUCKDB_MEMORY_LIMIT={settings.duckdb_memory_limit}; nothing of it was "
            "published. Raise the limit or lower "
            f"RENDA_BATCH_ARTICLES={settings.batch_articles} (a batch takes about "
            f"{MEGABYTES_PER_1000_ARTICLES} MB per 1,000 articles) and run again. DuckDB: "
            f"{str(error).splitlines()[0]}"
        ) from error


def _load_batch(warehouse: Path, sql_dir: Path, stage_dir: Path, run: RunInfo) -> LoadResult:
    started = time.perf_counter()
    result = LoadResult()
    with connect(warehouse) as connection:
        migrate(connection, sql_dir)
        connection.execute("begin transaction")
        try:
            result.staged_rows = _replace_staging(connection, stage_dir, run)
            result.replaced_articles = _delete_replaced_files(connection, sql_dir)
            _build_core(connection, sql_dir)
            _record_files(connection, run)
            _audit(connection, sql_dir)
            connection.execute("commit")
        except BaseException:
            connection.execute("rollback")
            raise
        _prove_batch_committed(connection, run)
        result.core_rows = _reconcile(connection, sql_dir)
        connection.execute("checkpoint")
    result.seconds = time.perf_counter() - started
    return result


def _replace_staging(
    connection: duckdb.DuckDBPyConnection, stage_dir: Path, run: RunInfo
) -> dict[str, int]:
    counts = {}
    staged = [table for table in staging_schemas() if table != "stg_run"]
    rows = sum(row_count(stage_dir, table) for table in staged)
    for table in progress.track(staged, "load", rows, "rows", size=lambda table: counts[table]):
        connection.execute(f"delete from staging.{table}")
        parquet = table_path(stage_dir, table)
        if parquet.exists():
            connection.execute(
                f"insert into staging.{table} by name select * from read_parquet(?)",
                [str(parquet)],
            )
        counts[table] = _count(connection, f"staging.{table}")
    connection.execute("delete from staging.stg_run")
    connection.execute(
        "insert into staging.stg_run values (?, ?, ?)",
        [run.run_id, run.extractor_version, datetime.now(UTC)],
    )
    return counts


# Rows rebuilt with their article: deleted when its file is re-processed. An upsert_by_article
# model may also stage rows for articles loaded earlier (recomputed fingerprints), which replace
# those articles' rows.
BY_ARTICLE = ("by_article", "upsert_by_article")


def _delete_replaced_files(connection: duckdb.DuckDBPyConnection, sql_dir: Path) -> int:
    """Remove every core row that came from a file in this batch, so it can be rebuilt."""
    connection.execute(
        "create or replace temp table replaced_articles as "
        "select article_sk from core.dim_articles "
        "where file_path in (select path from staging.stg_files)"
    )
    for model in core_models(sql_dir):
        if model.materialized in BY_ARTICLE:
            connection.execute(
                f"delete from {model.qualified_name} "
                "where article_sk in (select article_sk from replaced_articles)"
            )
    return _count(connection, "replaced_articles")


def _build_core(connection: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    for model in core_models(sql_dir):
        target = model.qualified_name
        if model.materialized == "replace_all":
            connection.execute(f"delete from {target}")
        if model.materialized == "upsert_by_article":
            connection.execute(
                f"delete from {target} where article_sk in (select article_sk from ({model.body}))"
            )
        if model.materialized == "append_new_keys":
            connection.execute(
                f"insert into {target} by name select * from ({model.body}) as model "
                f"where model.{model.unique_key} not in (select {model.unique_key} from {target})"
            )
        else:
            connection.execute(f"insert into {target} by name select * from ({model.body})")


def _record_files(connection: duckdb.DuckDBPyConnection, run: RunInfo) -> None:
    """Ledger and quarantine: every file of the batch ends in exactly one of them."""
    now = datetime.now(UTC)
    connection.execute(
        "delete from raw.file_ledger where path in (select path from staging.stg_files)"
    )
    connection.execute(
        "insert into raw.file_ledger by name "
        "select *, ? as run_id, ? as recorded_at from staging.stg_files",
        [run.run_id, now],
    )
    connection.execute(
        "delete from raw.quarantine where path in (select path from staging.stg_files)"
    )
    connection.execute(
        "insert into raw.quarantine by name "
        "select *, ? as run_id, ? as quarantined_at from staging.stg_quarantine",
        [run.run_id, now],
    )


def _audit(connection: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    failures = {}
    for check in checks(sql_dir):
        offending = connection.execute(f"select count(*) from ({check.body})").fetchone()[0]
        if offending:
            failures[check.name] = offending
    if failures:
        raise CheckFailed(failures)


RECONCILIATION_CHECK = "assert_batch_counts_reconcile"


def _reconcile(connection: duckdb.DuckDBPyConnection, sql_dir: Path) -> dict[str, int]:
    """Prove the commit landed: the batch's staged rows are all in core, after COMMIT.

    DuckDB 2.0 rolls back silently at COMMIT after a failed statement, so success is judged by
    what the tables hold afterwards, never by the absence of an error. The same audit that ran
    inside the transaction runs again on what was committed.
    """
    check = next(obj for obj in checks(sql_dir) if obj.name == RECONCILIATION_CHECK)
    mismatches = connection.execute(check.body).fetchall()
    if mismatches:
        described = ", ".join(
            f"{table}: {staged} staged, {core} loaded" for table, staged, core in mismatches
        )
        raise WarehouseError(f"the load did not land as staged ({described})")
    return {model.name: _count(connection, model.qualified_name) for model in core_models(sql_dir)}


def _prove_batch_committed(connection: duckdb.DuckDBPyConnection, run: RunInfo) -> None:
    """The staging tables and the ledger must hold this run's batch, not the one before.

    A silent rollback also restores the previous batch's staging rows, and those reconcile
    perfectly with core: counting alone would call the lost batch a success.
    """
    staged_run = connection.execute("select max(run_id) from staging.stg_run").fetchone()[0]
    unrecorded = connection.execute(
        "select count(*) from staging.stg_files as staged "
        "left join raw.file_ledger as ledger on ledger.path = staged.path and ledger.run_id = ? "
        "where ledger.path is null",
        [run.run_id],
    ).fetchone()[0]
    if staged_run != run.run_id or unrecorded:
        raise WarehouseError(
            f"the load of run {run.run_id} did not commit (DuckDB rolled the transaction back "
            "at COMMIT after a failed statement): nothing of this batch was published"
        )


def _count(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    return connection.execute(f"select count(*) from {table}").fetchone()[0]


# --- publishing ------------------------------------------------------------------------------


def publish_snapshot(live: Path, published: Path) -> Path:
    """Copy the live warehouse to a temporary file, then rename it over the published one.

    The rename is atomic: a reader that opened the old snapshot keeps a consistent view, a
    reader that opens the path afterwards sees the new one, and none ever sees a partial copy.
    The live file's lock is held until after the rename, so concurrent publishers take turns
    and the copies a killed publisher left behind can be removed safely.
    """
    temporary = published.with_name(f".{published.name}.{uuid.uuid4().hex}.tmp")
    try:
        with connect(live) as connection:
            _remove_abandoned_copies(published)
            # After a checkpoint the file alone holds every committed row, and the open
            # connection keeps other writers out: a byte copy is a consistent database. It
            # streams, where COPY FROM DATABASE held about five times the file in memory.
            connection.execute("checkpoint")
            shutil.copyfile(live, temporary)
            os.replace(temporary, published)
    finally:
        temporary.unlink(missing_ok=True)
    return published


def _remove_abandoned_copies(published: Path) -> None:
    """Half-written snapshots of publishers killed before their rename (only ever garbage)."""
    for abandoned in published.parent.glob(f".{published.name}.*.tmp*"):  # and any .wal
        abandoned.unlink(missing_ok=True)


# --- reading -------------------------------------------------------------------------------------


def table_counts(warehouse: Path, sql_dir: Path) -> dict[str, int]:
    """Row counts of raw, core and ops tables, for summaries and re-run checks."""
    with connect(warehouse, read_only=True) as connection:
        names = [
            obj.qualified_name
            for obj in catalog(sql_dir)
            if obj.schema in ("raw", "core", "ops") and obj.materialized != "view"
        ]
        return {name: _count(connection, name) for name in names}


def read_corpus_state(
    warehouse: Path,
    *,
    with_fingerprints: bool,
    with_terms: bool,
    excluding_paths: frozenset[str] = frozenset(),
) -> CorpusState:
    """What earlier runs loaded: the ledger, and on request fingerprints and term frequencies.

    Fingerprints are read only when asked (see `StoredFingerprints`): a run with no changed file
    never compares anything.
    Term frequencies and the document count leave out the articles of `excluding_paths`: files
    the current batch re-processes, whose old rows the load is about to replace.
    """
    from flows.stages import CorpusState

    if not warehouse.exists():
        return CorpusState()
    with connect(warehouse, read_only=True) as connection:
        if not _has_table(connection, "raw", "file_ledger"):
            return CorpusState()
        ledger = dict(
            connection.execute(
                "select path, file_id from raw.file_ledger where file_id is not null"
            ).fetchall()
        )
        fingerprints = StoredFingerprints(warehouse) if with_fingerprints else None
        excluded = sorted(excluding_paths)
        frequency = (
            dict(connection.execute(_TERM_DOCUMENT_FREQUENCY, [excluded]).fetchall())
            if with_terms
            else {}
        )
        documents = connection.execute(_DOCUMENT_COUNT, [excluded]).fetchone()[0]
    return CorpusState(ledger, fingerprints, frequency, documents)


def stored_article_files(warehouse: Path, article_ids: Iterable[str]) -> dict[str, str]:
    """The file each of these articles was loaded from, for those the warehouse holds."""
    wanted = sorted(set(article_ids))
    if not wanted or not warehouse.exists():
        return {}
    with connect(warehouse, read_only=True) as connection:
        if not _has_table(connection, "core", "dim_articles"):
            return {}
        return dict(
            connection.execute(
                "select article_id, file_path from core.dim_articles "
                "where article_id in (select unnest(?::varchar[]))",
                [wanted],
            ).fetchall()
        )


class StoredFingerprints:
    """What the duplicate search needs of the articles earlier runs loaded, read when asked.

    Fingerprints come from core.fct_article_fingerprints; an article without one made this
    code's way (loaded before fingerprints were kept, or made another way) is fingerprinted
    again from its body, and the result is handed back for the load to keep. Bodies are
    otherwise read only one at a time, to verify a candidate pair (`body`).
    """

    BODIES_PER_READ = 2000

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse

    def read(
        self, excluding_paths: Iterable[str], workers: int | None = None
    ) -> tuple[list[Fingerprinted], list[Fingerprinted]]:
        """(every stored article outside `excluding_paths`, those fingerprinted just now)."""
        import pyarrow.compute as pc

        from flows.ingest.dedup import fingerprint_method

        excluded = sorted(excluding_paths)
        with connect(self.warehouse, read_only=True) as connection:
            if _has_table(connection, "core", "fct_article_fingerprints"):
                query, parameters = _STORED_FINGERPRINTS, [fingerprint_method(), excluded]
            else:  # a warehouse from before fingerprints were kept
                query, parameters = _ARTICLES_TO_FINGERPRINT, [excluded]
            rows = connection.sql(query, params=parameters).to_arrow_table().combine_chunks()
        stored = pc.is_valid(rows["text_hash"])
        found = _stored_entries(rows.filter(stored))
        computed = self._fingerprint_again(rows.filter(pc.invert(stored)), workers)
        return [*found, *computed], computed

    def _fingerprint_again(self, rows: pa.Table, workers: int | None) -> list[Fingerprinted]:
        """Fingerprints of these articles from their bodies, a chunk of bodies at a time (a
        warehouse from before fingerprints were kept has them all to do). The connection is
        closed before fingerprinting forks its worker processes."""
        from flows.ingest.dedup import fingerprint_bodies

        computed: list[Fingerprinted] = []
        for start in range(0, rows.num_rows, self.BODIES_PER_READ):
            chunk = _rank_rows(rows.slice(start, self.BODIES_PER_READ))
            ids = [row["article_id"] for row in chunk]
            with connect(self.warehouse, read_only=True) as connection:
                bodies = dict(connection.execute(_BODIES, [ids]).fetchall())
            fingerprints = fingerprint_bodies([bodies[article_id] for article_id in ids], workers)
            computed += _entries(chunk, fingerprints)
        return computed

    def verified_links(self, excluding_paths: Iterable[str]) -> dict[str, tuple[str, float]]:
        """Near links earlier runs verified: duplicate id -> (original id, containment).

        Only between articles outside `excluding_paths` whose stored fingerprints this code's
        method made (the articles `read` does not fingerprint again): under another method the
        pair might be verified another way, so its link is verified again.
        """
        from flows.ingest.dedup import fingerprint_method

        parameters = [fingerprint_method(), sorted(excluding_paths)]
        with connect(self.warehouse, read_only=True) as connection:
            if not _has_table(connection, "core", "fct_article_fingerprints"):
                return {}  # a warehouse from before fingerprints were kept: nothing to trust
            rows = connection.execute(_VERIFIED_NEAR_LINKS, parameters).fetchall()
        return {duplicate: (original, similarity) for duplicate, original, similarity in rows}

    @contextmanager
    def bodies(self) -> Iterator[Callable[[str], str]]:
        """`body(article_id)` of stored articles, on one connection for the whole search."""
        with connect(self.warehouse, read_only=True) as connection:

            def body(article_id: str) -> str:
                found = connection.execute(_BODY, [article_id]).fetchone()
                if found is None:
                    raise WarehouseError(f"article {article_id} is not in {self.warehouse}")
                return found[0]

            yield body


def _stored_entries(rows: pa.Table) -> list[Fingerprinted]:
    from flows.ingest.dedup import fingerprints_from_columns

    fingerprints = fingerprints_from_columns(
        rows["text_hash"].combine_chunks(),
        rows["paragraph_shingles"].combine_chunks(),
        rows["band_keys"].combine_chunks(),
    )
    return _entries(_rank_rows(rows), fingerprints)


_RANK_COLUMNS = ("has_url", "published_date", "file_id", "ordinal", "file_path")


def _rank_rows(rows: pa.Table) -> list[dict]:
    """Each article's id and the columns of its canonical rank, as Python values."""
    return rows.select(["article_id", *_RANK_COLUMNS]).to_pylist()


def _entries(rank_rows: list[dict], fingerprints: list[Fingerprint]) -> list[Fingerprinted]:
    from flows.ingest.dedup import Fingerprinted, canonical_rank

    return [
        Fingerprinted(
            row["article_id"], canonical_rank(*(row[column] for column in _RANK_COLUMNS)), found
        )
        for row, found in zip(rank_rows, fingerprints, strict=True)
    ]


# Stored articles with what their canonical rank needs; their fingerprint where this code's
# method made it (else null: fingerprinted again from the body).
_STORED_FINGERPRINTS = """
    select articles.article_id, articles.url is not null as has_url, articles.published_date,
        articles.file_id, articles.ordinal, articles.file_path,
        fingerprints.text_hash, fingerprints.paragraph_shingles, fingerprints.band_keys
    from core.dim_articles as articles
    left join core.fct_article_fingerprints as fingerprints
        on fingerprints.article_sk = articles.article_sk and fingerprints.method = ?
    where articles.file_path not in (select unnest(?::varchar[]))
"""

_ARTICLES_TO_FINGERPRINT = """
    select article_id, url is not null as has_url, published_date, file_id, ordinal, file_path,
        null::varchar as text_hash, null::integer[] as paragraph_shingles,
        null::ubigint[] as band_keys
    from core.dim_articles
    where file_path not in (select unnest(?::varchar[]))
"""

_VERIFIED_NEAR_LINKS = """
    with kept as (
        select article_sk, article_id from core.dim_articles
        where article_sk in (
                select article_sk from core.fct_article_fingerprints where method = ?
            )
            and file_path not in (select unnest(?::varchar[]))
    )
    select duplicate.article_id, original.article_id, links.similarity
    from core.fct_article_duplicates as links
    join kept as duplicate on duplicate.article_sk = links.article_sk
    join kept as original on original.article_sk = links.canonical_article_sk
    where links.method = 'near'
"""

_BODY = "select body from core.dim_articles where article_id = ?"

_BODIES = """
    select article_id, body from core.dim_articles
    where article_id in (select unnest(?::varchar[]))
"""

_TERM_DOCUMENT_FREQUENCY = """
    select terms.term, count(distinct mentions.article_sk)
    from core.fct_term_mentions as mentions
    join core.dim_terms as terms using (term_sk)
    where mentions.article_sk not in (
        select article_sk from core.dim_articles where list_contains(?::varchar[], file_path)
    )
    group by terms.term
"""

_DOCUMENT_COUNT = """
    select count(*) from core.dim_articles where not list_contains(?::varchar[], file_path)
"""


def _rows(connection: duckdb.DuckDBPyConnection, query: str) -> list[dict]:
    cursor = connection.execute(query)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _has_table(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    # fetchall, not fetchone: DuckDB 2.0 refuses a relation query (`sql`) on a connection
    # whose last result was not read to its end.
    [(found,)] = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(found)
