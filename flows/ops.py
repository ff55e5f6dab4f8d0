"""Operational records in the warehouse: the run history and every gate's results.

These are written outside the batch transaction on purpose: a failed run must still leave its
failure and its gate results behind, while publishing nothing from its batch.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

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
