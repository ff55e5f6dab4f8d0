"""The checker the reliability scenarios end with: it must see lost, doubled and stray rows."""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest

from reliability.invariants import Verdict, check_files, compare_contents, table_hashes


def warehouse(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("create schema core")
    connection.execute("create table core.fct_x (x_sk varchar, score double, run_id varchar)")
    connection.executemany("insert into core.fct_x values (?, ?, ?)", rows)
    return connection


REFERENCE = [("a", 0.5, "run-1"), ("b", 1.0, "run-1")]


@pytest.mark.parametrize(
    ("rows", "lost", "duplicated"),
    [
        (REFERENCE, 0, 0),
        # another run id and a last-bit float difference are the same data
        ([("a", 0.5 + 1e-15, "run-9"), ("b", 1.0, "run-9")], 0, 0),
        ([("a", 0.5, "run-1")], 1, 0),
        ([*REFERENCE, ("b", 1.0, "run-2")], 0, 1),  # a re-run that appended instead of replacing
        ([("a", 0.5, "run-1"), ("b", 2.0, "run-1")], 1, 1),  # a changed value: one out, one in
    ],
)
def test_compare_contents_counts_lost_and_duplicated_rows(rows, lost, duplicated):
    verdict = Verdict()

    compare_contents(table_hashes(warehouse(REFERENCE)), table_hashes(warehouse(rows)), verdict)

    assert (lost, duplicated) == (verdict.rows_lost, verdict.rows_duplicated)
    assert (lost + duplicated == 0) == verdict.ok


def ledger(loaded: list[str], quarantined: list[tuple[str, str]]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("create schema raw")
    connection.execute("create table raw.file_ledger (path varchar, status varchar)")
    connection.execute("create table raw.quarantine (path varchar, reason varchar)")
    for path in loaded:
        connection.execute("insert into raw.file_ledger values (?, 'loaded')", [path])
    for row in quarantined:
        connection.execute("insert into raw.quarantine values (?, ?)", list(row))
    return connection


@pytest.mark.parametrize(
    ("loaded", "quarantined", "accounted", "problem"),
    [
        (["a.txt"], [("b.txt", "empty")], 2, None),
        (["a.txt"], [], 1, "b.txt is recorded 0 times"),
        (["a.txt", "b.txt"], [("b.txt", "empty")], 1, "b.txt is recorded 2 times"),
        (["a.txt"], [("b.txt", "felt like it")], 1, "without a known reason"),
        (["a.txt", "b.txt", "gone.txt"], [], 2, "not in the source"),
    ],
)
def test_check_files_wants_each_file_exactly_once(
    tmp_path, loaded, quarantined, accounted, problem
):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    verdict = Verdict()

    check_files(ledger(loaded, quarantined), tmp_path, verdict)

    assert (2, accounted) == (verdict.files_expected, verdict.files_accounted)
    if problem is None:
        assert [] == verdict.problems
    else:
        assert any(problem in text for text in verdict.problems), verdict.problems


def test_table_hashes_ignore_lineage_columns_only():
    hashes = table_hashes(warehouse([("a", 0.5, "run-1"), ("a", 0.5, "run-2")]))

    assert [2] == list(hashes["core.fct_x"].values())  # same data twice: one hash, counted 2
    assert Counter() != hashes["core.fct_x"]
