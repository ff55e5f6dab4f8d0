"""What must hold after every scenario, whatever was done to the pipeline on the way.

`check_warehouse` opens the live warehouse and its published snapshot read-only and returns a
`Verdict` listing every broken invariant:

- every input file is exactly once either loaded (ledger) or quarantined (with a reason code);
- stage counts reconcile (ingest counts add up, ledger article counts match core), and every
  warehouse/checks/assert_*.sql audit returns zero rows;
- both DuckDB files open, no run is left 'running', every reporting view answers, and the
  snapshot holds exactly what the live warehouse holds;
- compared with a run that was never interrupted: no row lost, no row duplicated.

Contents are compared as multisets of row hashes per table, leaving out what legitimately
differs between two correct histories: run ids, lineage and timestamps, and ops tables.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows.ingest import QuarantineReason, discover_files
from flows.settings import PROJECT_ROOT
from flows.warehouse import catalog, checks, connect

SQL_DIR = PROJECT_ROOT / "warehouse"
# Columns that name the run or the moment, not the data: two correct histories differ there.
RUN_COLUMNS = frozenset(
    {"run_id", "extractor_version", "recorded_at", "quarantined_at", "loaded_at", "detail"}
)
COMPARED_SCHEMAS = ("raw", "core")
REPLACEMENT_CHARACTER = "\ufffd"

TableHashes = dict[str, Counter]


@dataclass
class Verdict:
    files_expected: int = 0
    files_accounted: int = 0
    rows_lost: int = 0
    rows_duplicated: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, problem: str) -> None:
        self.problems.append(problem)


def live_path(published: Path) -> Path:
    """The live sibling flows.settings derives from a published path."""
    return published.with_name(f".{published.stem}.live{published.suffix}")


def check_warehouse(source: Path, published: Path, reference: TableHashes | None = None) -> Verdict:
    verdict = Verdict()
    live = live_path(published)
    try:
        with connect(live, read_only=True) as connection:
            check_files(connection, source, verdict)
            check_counts(connection, verdict)
            check_runs_closed(connection, verdict)
            live_hashes = table_hashes(connection)
        with connect(published, read_only=True) as connection:
            check_reporting(connection, verdict)
            check_runs_closed(connection, verdict)
            published_hashes = table_hashes(connection)
    except (duckdb.Error, OSError, RuntimeError) as error:
        verdict.fail(f"the warehouse could not be read: {error}")
        return verdict
    if live_hashes != published_hashes:
        differing = differing_tables(live_hashes, published_hashes)
        verdict.fail(f"the snapshot differs from the live warehouse in {differing}")
    if reference is not None:
        compare_contents(reference, live_hashes, verdict)
    return verdict


# --- files ---------------------------------------------------------------------------------------


def input_files(source: Path) -> list[str]:
    """Every entry of the source as the ledger names it (relative to the source root)."""
    root, paths = discover_files(source)
    names = []
    for path in paths:
        try:
            names.append(path.relative_to(root).as_posix())
        except ValueError:
            names.append(path.as_posix())
    return sorted(names)


def check_files(connection, source: Path, verdict: Verdict) -> None:
    expected = input_files(source)
    loaded = Counter(
        row[0]
        for row in connection.execute(
            "select path from raw.file_ledger where status = 'loaded'"
        ).fetchall()
    )
    quarantined = dict(connection.execute("select path, reason from raw.quarantine").fetchall())
    reasons = {reason.value for reason in QuarantineReason}
    verdict.files_expected = len(expected)
    for name in expected:
        places = loaded[name] + (name in quarantined)
        if places != 1:
            verdict.fail(f"{name} is recorded {places} times (ledger or quarantine)")
        elif name in quarantined and quarantined[name] not in reasons:
            verdict.fail(f"{name} is quarantined without a known reason ({quarantined[name]!r})")
        else:
            verdict.files_accounted += 1
    strangers = (set(loaded) | set(quarantined)) - set(expected)
    if strangers:
        verdict.fail(f"recorded files that are not in the source: {sorted(strangers)[:5]}")


# --- counts and audits ---------------------------------------------------------------------------


def check_counts(connection, verdict: Verdict) -> None:
    ledger_articles, dim_articles, fct_articles = connection.execute(
        "select (select coalesce(sum(article_count), 0) from raw.file_ledger "
        "where status = 'loaded'), (select count(*) from core.dim_articles), "
        "(select count(*) from core.fct_articles)"
    ).fetchone()
    if not ledger_articles == dim_articles == fct_articles:
        verdict.fail(
            f"article counts disagree: ledger {ledger_articles}, dim_articles {dim_articles}, "
            f"fct_articles {fct_articles}"
        )
    check_last_run_counts(connection, verdict)
    for check in checks(SQL_DIR):
        offending = connection.execute(f"select count(*) from ({check.body})").fetchone()[0]
        if offending:
            verdict.fail(f"audit {check.name} returns {offending} rows")


INGEST_PARTS = ("files_unchanged", "files_loaded", "files_quarantined")


def check_last_run_counts(connection, verdict: Verdict) -> None:
    row = connection.execute(
        "select stage_counts from ops.runs where status = 'completed' "
        "order by started_at desc limit 1"
    ).fetchone()
    if row is None:
        verdict.fail("no completed run in ops.runs")
        return
    ingest = json.loads(row[0]).get("ingest", {})
    parts = sum(ingest.get(key, 0) for key in INGEST_PARTS)
    if ingest.get("files_seen") != parts:
        verdict.fail(f"ingest counts do not add up: {ingest}")


def check_runs_closed(connection, verdict: Verdict) -> None:
    running = connection.execute("select run_id from ops.runs where status = 'running'").fetchall()
    if running:
        verdict.fail(f"runs left 'running': {[row[0] for row in running]}")


def check_reporting(connection, verdict: Verdict) -> None:
    for obj in catalog(SQL_DIR):
        if obj.schema == "reporting":
            try:
                connection.execute(f"select count(*) from {obj.qualified_name}").fetchone()
            except duckdb.Error as error:
                verdict.fail(f"{obj.qualified_name} does not answer: {error}")


# --- contents ------------------------------------------------------------------------------------


def table_hashes(connection) -> TableHashes:
    """For each raw and core table, a multiset of row hashes (run columns left out)."""
    hashes = {}
    for table, columns in compared_columns(connection).items():
        expression = " || '|' || ".join(_column_text(name, kind) for name, kind in columns)
        rows = connection.execute(
            f"select md5({expression}), count(*) from {table} group by 1"
        ).fetchall()
        hashes[table] = Counter(dict(rows))
    return hashes


def compared_columns(connection) -> dict[str, list[tuple[str, str]]]:
    rows = connection.execute(
        "select table_schema || '.' || table_name, column_name, data_type "
        "from information_schema.columns "
        "where table_schema in (select unnest(?::varchar[])) "
        "and table_name in (select table_name from information_schema.tables "
        "    where table_type = 'BASE TABLE') "
        "order by table_schema, table_name, ordinal_position",
        [list(COMPARED_SCHEMAS)],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        if column not in RUN_COLUMNS:
            tables.setdefault(table, []).append((column, kind))
    return tables


def _column_text(name: str, kind: str) -> str:
    # Floats are rounded: a sum in another order may differ in the last bit, not in meaning.
    value = f'round("{name}", 9)' if kind in ("DOUBLE", "FLOAT", "REAL") else f'"{name}"'
    return f"coalesce(cast({value} as varchar), '<null>')"


def differing_tables(expected: TableHashes, actual: TableHashes) -> list[str]:
    names = set(expected) | set(actual)
    return sorted(name for name in names if expected.get(name) != actual.get(name))


def compare_contents(reference: TableHashes, actual: TableHashes, verdict: Verdict) -> None:
    for table in sorted(set(reference) | set(actual)):
        want, got = reference.get(table, Counter()), actual.get(table, Counter())
        lost = sum((want - got).values())
        extra = sum((got - want).values())
        verdict.rows_lost += lost
        verdict.rows_duplicated += extra
        if lost or extra:
            verdict.fail(f"{table}: {lost} rows lost, {extra} rows extra against the reference")


def warehouse_hashes(published: Path) -> TableHashes:
    with connect(live_path(published), read_only=True) as connection:
        return table_hashes(connection)


def core_hashes(published: Path) -> TableHashes:
    """Only core: what a failed run must leave exactly as it was."""
    return {
        table: rows
        for table, rows in warehouse_hashes(published).items()
        if table.startswith("core.")
    }


def replacement_characters(published: Path) -> dict[str, int]:
    """Text columns holding U+FFFD (a decoding that gave up), with how many rows do."""
    found = {}
    with connect(live_path(published), read_only=True) as connection:
        columns = connection.execute(
            "select table_schema || '.' || table_name, column_name from information_schema.columns "
            "where table_schema in ('raw', 'staging', 'core') "
            "and (data_type = 'VARCHAR' or data_type like 'VARCHAR[]')"
        ).fetchall()
        for table, column in columns:
            count = connection.execute(
                f'select count(*) from {table} where contains(cast("{column}" as varchar), ?)',
                [REPLACEMENT_CHARACTER],
            ).fetchone()[0]
            if count:
                found[f"{table}.{column}"] = count
    return found
