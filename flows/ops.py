"""Operational records in the warehouse: the run history and every gate's results.

These are written outside the batch transaction on purpose: a failed run must still leave its
failure and its gate results behind, while publishing nothing from its batch.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from flows.gates import GateResult
from flows.settings import Settings
from flows.warehouse import connect, migrate


def record_run_start(settings: Settings, run_id: str, source: str, extractor_version: str) -> None:
    with connect(settings.live_warehouse_path) as connection:
        migrate(connection, settings.sql_dir)
        connection.execute(
            "insert or replace into ops.runs "
            "(run_id, source, started_at, status, extractor_version) "
            "values (?, ?, ?, 'running', ?)",
            [run_id, source, datetime.now(UTC), extractor_version],
        )


def record_run_end(
    settings: Settings,
    run_id: str,
    status: str,
    stage_counts: dict[str, object],
    gates: list[GateResult],
    error: str | None = None,
) -> None:
    now = datetime.now(UTC)
    with connect(settings.live_warehouse_path) as connection:
        connection.execute("begin transaction")
        connection.execute(
            "update ops.runs set ended_at = ?, status = ?, error = ?, stage_counts = ? "
            "where run_id = ?",
            [now, status, error, json.dumps(stage_counts, ensure_ascii=False, default=str), run_id],
        )
        rows = [
            _gate_row(run_id, gate, outcome, now) for gate in gates for outcome in gate.outcomes
        ]
        if rows:
            connection.executemany(
                "insert or replace into ops.gate_results values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        connection.execute("commit")


def _gate_row(run_id: str, gate: GateResult, outcome, checked_at: datetime) -> list:
    return [
        run_id,
        gate.suite_name,
        outcome.index,
        outcome.expectation_type,
        outcome.column,
        outcome.success,
        outcome.unexpected_count,
        outcome.observed_value,
        checked_at,
    ]


def record_run_state(
    settings: Settings, run_id: str, status: str, error: str | None, source: str = ""
) -> None:
    """Mark how a run ended, from Prefect's final state (the flow's on_failure/on_crashed hooks).

    The flow body may already have recorded the failure with its gate results; this keeps those
    and only sets the status, the end time if missing and the error if none was recorded. A run
    that died before it recorded its start gets a row of its own.
    """
    now = datetime.now(UTC)
    with connect(settings.live_warehouse_path) as connection:
        migrate(connection, settings.sql_dir)
        connection.execute(
            "insert into ops.runs (run_id, source, started_at, status, extractor_version) "
            "values (?, ?, ?, ?, 'unknown') on conflict do nothing",
            [run_id, source, now, status],
        )
        connection.execute(
            "update ops.runs set status = ?, ended_at = coalesce(ended_at, ?), "
            "error = coalesce(error, ?) where run_id = ?",
            [status, now, error, run_id],
        )


def forget_files(settings: Settings, paths: list[str]) -> int:
    """Make the next run re-process these ledger paths, as if their content had changed.

    The ledger row stays (the file is still accounted for) but loses its content hash, which is
    what a run compares to skip a file. The next load replaces the file's rows as usual.
    """
    if not paths or not settings.live_warehouse_path.exists():
        return 0
    with connect(settings.live_warehouse_path) as connection:
        migrate(connection, settings.sql_dir)
        forgotten = connection.execute(
            "update raw.file_ledger set file_id = null "
            "where path in (select unnest(?::varchar[])) and file_id is not null",
            [paths],
        ).fetchone()[0]
    return int(forgotten)


def paths_published_between(settings: Settings, first: date, last: date) -> list[str]:
    """Ledger paths of the files holding an article published in [first, last]."""
    if not settings.live_warehouse_path.exists():
        return []
    with connect(settings.live_warehouse_path, read_only=True) as connection:
        rows = connection.execute(
            "select distinct file_path from core.dim_articles "
            "where published_date between ? and ? order by file_path",
            [first, last],
        ).fetchall()
    return [row[0] for row in rows]
