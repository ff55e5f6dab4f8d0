"""Operating the flow: lock retries, failure hooks, and reprocessing files already loaded."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from flows import ops
from flows.backfill import plan_for_source, reprocess
from flows.pipeline import record_final_state, renda_etl, settings_for, warehouse_locked
from flows.warehouse import LOCK_ERROR_PREFIX, WarehouseLocked


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (WarehouseLocked(Path("w.duckdb"), "held by PID 7"), True),
        # raised by a path that does not wrap DuckDB's error: the message still says it
        (duckdb.IOException(f'{LOCK_ERROR_PREFIX} "w.duckdb": Resource busy'), True),
        (duckdb.IOException("No space left on device"), False),  # retrying cannot help
        (ValueError("bad input"), False),
    ],
)
def test_only_a_held_lock_is_retried(error, expected):
    from prefect.states import Failed

    assert expected == warehouse_locked(None, None, Failed(data=error))


@pytest.mark.parametrize(
    ("state_name", "expected_status"),
    [("Crashed", "crashed"), ("Failed", "failed")],
)
def test_final_state_hook_records_a_run_that_never_recorded_itself(
    tmp_path, state_name, expected_status
):
    from prefect import states

    warehouse = tmp_path / "w.duckdb"
    flow_run = SimpleNamespace(id="run-9", parameters={"warehouse": str(warehouse), "source": "x"})

    record_final_state(None, flow_run, getattr(states, state_name)(message="killed"))

    live = settings_for(str(warehouse)).live_warehouse_path
    assert [("run-9", expected_status, "killed")] == query(
        live, "select run_id, status, error from ops.runs"
    )


def test_crash_hook_keeps_what_the_body_recorded(tmp_path):
    from prefect.states import Crashed

    warehouse = tmp_path / "w.duckdb"
    settings = settings_for(str(warehouse))
    ops.record_run_start(settings, "run-8", "x", "v1")
    ops.record_run_end(settings, "run-8", "failed", {"ingest": {"files_seen": 2}}, [], error="E")
    flow_run = SimpleNamespace(id="run-8", parameters={"warehouse": str(warehouse)})

    record_final_state(None, flow_run, Crashed(message="SIGTERM"))

    rows = query(settings.live_warehouse_path, "select status, error, stage_counts from ops.runs")
    assert [("crashed", "E", '{"ingest": {"files_seen": 2}}')] == rows


def test_plan_for_a_glob_names_files_as_the_ledger_does(seed_copy):
    plan = plan_for_source(str(seed_copy / "00[01]_*.txt"))

    expected = sorted(path.name for path in seed_copy.glob("00[01]_*.txt"))
    assert expected == plan.paths


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_reprocess_reloads_only_the_chosen_files(seed_copy, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    renda_etl(source=str(seed_copy), warehouse=str(warehouse))
    before = query(warehouse, "select count(*) from core.fct_quantities")
    one_file = sorted(seed_copy.iterdir())[0]

    by_glob = reprocess(str(seed_copy / one_file.name), warehouse=str(warehouse))
    by_dates = reprocess(
        str(seed_copy), first=date(1949, 10, 1), last=date(2100, 1, 1), warehouse=str(warehouse)
    )

    assert 1 == by_glob.stage_counts["ingest"]["files_loaded"]
    dated_files = query(
        warehouse, "select count(distinct file_path) from core.dim_articles where published_date "
        "is not null",
    )[0][0]  # fmt: skip
    assert dated_files == by_dates.stage_counts["ingest"]["files_loaded"]
    assert before == query(warehouse, "select count(*) from core.fct_quantities")
