"""A run killed with -9 records nothing: the next run start must close its 'running' row."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import duckdb
import pytest

from flows import ops
from flows.settings import PROJECT_ROOT, Settings
from flows.warehouse import connect, migrate

SQL_DIR = PROJECT_ROOT / "warehouse"
HOST = socket.gethostname()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()  # reaped: the pid names no process any more
    return process.pid


def insert_running(connection, run_id: str, hostname: str, pid: int, started: int | None):
    connection.execute(
        "insert into ops.runs (run_id, source, started_at, status, extractor_version, "
        "hostname, pid, process_started) values (?, 'src', now(), 'running', 'v', ?, ?, ?)",
        [run_id, hostname, pid, started],
    )


def statuses(connection) -> dict[str, str]:
    return dict(connection.execute("select run_id, status from ops.runs").fetchall())


def test_only_runs_whose_process_is_gone_on_this_host_are_marked_crashed():
    connection = duckdb.connect()
    migrate(connection, SQL_DIR)
    me = ops.ProcessIdentity.current()
    insert_running(connection, "killed", HOST, dead_pid(), None)
    insert_running(connection, "alive", HOST, me.pid, me.started)
    # another machine's run: this host cannot tell whether it lives
    insert_running(connection, "elsewhere", "another-host", dead_pid(), None)
    # the pid was reused by a live process that started at another time: not the same run
    insert_running(connection, "reused-pid", HOST, me.pid, (me.started or 0) + 1)

    crashed = ops.mark_dead_runs_crashed(connection, HOST)

    assert ["killed", "reused-pid"] == sorted(crashed)
    expected = {
        "killed": "crashed",
        "alive": "running",
        "elsewhere": "running",
        "reused-pid": "crashed",
    }
    assert expected == statuses(connection)


def test_run_start_closes_a_killed_run_and_records_its_own_process(tmp_path):
    settings = Settings(warehouse_path=tmp_path / "w.duckdb")
    with connect(settings.live_warehouse_path) as connection:
        migrate(connection, SQL_DIR)
        insert_running(connection, "killed", HOST, dead_pid(), None)

    crashed = ops.record_run_start(settings, "next", "src", "v")

    assert ["killed"] == crashed
    with connect(settings.live_warehouse_path, read_only=True) as connection:
        rows = connection.execute(
            "select run_id, status, pid, error is not null from ops.runs order by run_id"
        ).fetchall()
    assert [
        ("killed", "crashed", rows[0][2], True),
        ("next", "running", os.getpid(), False),
    ] == rows


def test_an_ops_runs_table_from_before_the_pid_columns_gains_them():
    connection = duckdb.connect()
    connection.execute("create schema ops")
    connection.execute(
        "create table ops.runs (run_id varchar primary key, source varchar not null, "
        "started_at timestamptz not null, ended_at timestamptz, status varchar not null, "
        "error varchar, stage_counts json, extractor_version varchar not null)"
    )
    connection.execute(
        "insert into ops.runs values ('old', 's', now(), null, 'running', null, null, 'v')"
    )

    migrate(connection, SQL_DIR)
    migrate(connection, SQL_DIR)  # every run migrates: the second time changes nothing

    columns = [row[0] for row in connection.execute("describe ops.runs").fetchall()]
    assert ["hostname", "pid", "process_started"] == columns[-3:]
    # a row without a pid cannot be judged: it stays as it was
    assert [] == ops.mark_dead_runs_crashed(connection, HOST)


@pytest.mark.parametrize(
    ("stat_line", "expected"),
    [
        ("42 (python) S 1 42 42 0 -1 4194560 " + "0 " * 12 + "777 0", 777),
        # a process name with spaces and a closing parenthesis must not shift the fields
        ("42 (a) b) S 1 42 42 0 -1 4194560 " + "0 " * 12 + "888 0", 888),
        # a zombie has exited: it counts as gone
        ("42 (python) Z 1 42 42 0 -1 4194560 " + "0 " * 12 + "999 0", None),
    ],
)
def test_process_start_ticks_reads_field_22(monkeypatch, stat_line, expected):
    monkeypatch.setattr(ops.Path, "read_text", lambda self: stat_line)

    assert expected == ops.process_start_ticks(42)
