"""Operational records in the warehouse: the run history and every gate's results.

These are written outside the batch transaction on purpose: a failed run must still leave its
failure and its gate results behind, while publishing nothing from its batch.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flows.gates import GateResult
from flows.settings import Settings
from flows.warehouse import connect, migrate


def record_run_start(
    settings: Settings, run_id: str, source: str, extractor_version: str
) -> list[str]:
    """Record this run as running, with its process; returns earlier runs found dead (crashed).

    A kill -9 gives a run no chance to record its end: its row would say 'running' forever. Each
    run start therefore closes the rows of runs whose process no longer exists on this host.
    """
    me = ProcessIdentity.current()
    with connect(settings.live_warehouse_path) as connection:
        migrate(connection, settings.sql_dir)
        stale = mark_dead_runs_crashed(connection, me.hostname)
        connection.execute(
            "insert or replace into ops.runs (run_id, source, started_at, status, "
            "extractor_version, hostname, pid, process_started) "
            "values (?, ?, ?, 'running', ?, ?, ?, ?)",
            [run_id, source, datetime.now(UTC), extractor_version, *me.row()],
        )
    return stale


@dataclass(frozen=True)
class ProcessIdentity:
    """Which process ran a run: a pid alone can be reused, so its start time comes with it."""

    hostname: str
    pid: int
    started: int | None  # clock ticks since boot (Linux /proc); None where unknown

    @classmethod
    def current(cls) -> ProcessIdentity:
        return cls(socket.gethostname(), os.getpid(), process_start_ticks(os.getpid()))

    def row(self) -> list:
        return [self.hostname, self.pid, self.started]


def process_start_ticks(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat (start time); None if unreadable or not Linux."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields_after_name = stat.rsplit(")", 1)[1].split()  # the name may hold spaces and ')'
    if fields_after_name[0] == "Z":
        return None  # a zombie has finished: only its exit status is left to collect
    return int(fields_after_name[19])


def process_is_alive(pid: int, started: int | None) -> bool:
    """True while the process that ran a run still exists (same pid, same start time)."""
    if Path("/proc/self/stat").exists():
        now_started = process_start_ticks(pid)
        return now_started is not None and (started is None or now_started == started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


KILLED_RUN_ERROR = "the run's process ended without recording its end (killed)"


def mark_dead_runs_crashed(connection, hostname: str) -> list[str]:
    """Mark 'running' rows of this host whose process is gone as 'crashed'; returns their ids.

    Rows of other hosts are left alone: this host cannot tell whether their process lives.
    Rows without a pid predate the pid column and cannot be judged either.
    """
    running = connection.execute(
        "select run_id, pid, process_started from ops.runs "
        "where status = 'running' and hostname = ? and pid is not null",
        [hostname],
    ).fetchall()
    dead = [run_id for run_id, pid, started in running if not process_is_alive(pid, started)]
    for run_id in dead:
        connection.execute(
            "update ops.runs set status = 'crashed', ended_at = ?, error = coalesce(error, ?) "
            "where run_id = ?",
            [datetime.now(UTC), KILLED_RUN_ERROR, run_id],
        )
    return dead


def runs_of_dead_processes(settings: Settings, run_ids: list[str]) -> list[str]:
    """Those of `run_ids` this warehouse ran on this host in a process that no longer exists."""
    if not run_ids:
        return []
    with connect(settings.live_warehouse_path, read_only=True) as connection:
        rows = connection.execute(
            "select run_id, pid, process_started from ops.runs "
            "where hostname = ? and pid is not null and list_contains(?::varchar[], run_id)",
            [socket.gethostname(), run_ids],
        ).fetchall()
    return [run_id for run_id, pid, started in rows if not process_is_alive(pid, started)]


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
