"""A statement that fails inside the load transaction must fail the load, never vanish.

DuckDB 2.0 rolls the whole transaction back at COMMIT after a failed statement, without an
error. The previous batch's staging rows come back with it and reconcile perfectly with core,
so the loader must prove that *this* batch landed.
"""

from __future__ import annotations

import pytest

from flows import warehouse
from flows.warehouse import RunInfo, WarehouseError, load_batch
from reliability.faults import swallowing_after
from reliability.invariants import table_hashes
from tests.unit.test_warehouse import SQL_DIR, stage_batch


def hashes(path):
    with warehouse.connect(path, read_only=True) as connection:
        return table_hashes(connection)


def test_swallowed_error_in_the_load_fails_the_run_and_changes_nothing(tmp_path, monkeypatch):
    live = tmp_path / "w.duckdb"
    stage_batch(tmp_path / "first", path="a.txt")
    load_batch(live, SQL_DIR, tmp_path / "first", RunInfo("run-1", "test"))
    before = hashes(live)
    stage_batch(tmp_path / "second", path="b.txt")
    monkeypatch.setattr(warehouse, "_audit", swallowing_after(warehouse._audit, lambda: None))

    with pytest.raises(WarehouseError, match="run-2 did not commit"):
        load_batch(live, SQL_DIR, tmp_path / "second", RunInfo("run-2", "test"))

    assert before == hashes(live)


def test_the_same_batch_loads_when_nothing_is_swallowed(tmp_path):
    live = tmp_path / "w.duckdb"
    stage_batch(tmp_path / "first", path="a.txt")
    load_batch(live, SQL_DIR, tmp_path / "first", RunInfo("run-1", "test"))
    stage_batch(tmp_path / "second", path="b.txt")

    result = load_batch(live, SQL_DIR, tmp_path / "second", RunInfo("run-2", "test"))

    assert 2 == result.core_rows["dim_articles"]
