"""flows.parallel: batches in, results out in input order, on one process or several."""

from __future__ import annotations

import operator
import os
from pathlib import Path

import pytest

from flows.parallel import (
    available_cores,
    batched,
    batches_on_cluster,
    in_forked_process,
    in_fresh_process,
    map_batches,
)


@pytest.mark.parametrize(
    ("expected", "items", "size"),
    [
        ([[1, 2], [3, 4], [5]], [1, 2, 3, 4, 5], 2),
        ([[1, 2], [3, 4]], [1, 2, 3, 4], 2),  # an exact multiple leaves no empty batch behind
        ([], [], 3),  # nothing in, nothing out (not one empty batch)
        ([[1, 2, 3]], iter([1, 2, 3]), 10),  # any iterable, consumed lazily
    ],
)
def test_batched_splits_items_into_batches_of_size(expected, items, size):
    assert expected == list(batched(items, size))


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_map_batches_returns_results_in_input_order(workers):
    # More batches than the in-flight window, so results must be collected while submitting.
    batches = [[index, -index] for index in range(25)]

    results = list(map_batches(sorted, batches, workers))

    assert [sorted(batch) for batch in batches] == results


def test_map_batches_handles_no_batches_on_a_pool():
    assert [] == list(map_batches(sorted, iter([]), workers=2))


def test_available_cores_is_at_least_one():
    assert available_cores() >= 1


@pytest.mark.parametrize("workers", [1, 2])
def test_map_batches_gives_every_batch_the_shared_value(workers):
    batches = [[index] for index in range(9)]

    results = list(map_batches(operator.add, batches, workers, shared=["shared"]))

    assert [[index, "shared"] for index in range(9)] == results


@pytest.mark.slow
def test_map_batches_on_a_dask_cluster_returns_results_in_input_order(dask_client):
    # More batches than two workers' in-flight window, as on the fork pool.
    batches = [[index, -index] for index in range(25)]

    with batches_on_cluster(lambda: dask_client):
        results = list(map_batches(operator.add, batches, workers=2, shared=[0]))

    assert [[index, -index, 0] for index in range(25)] == results


def test_map_batches_never_asks_for_a_cluster_on_one_worker():
    def no_cluster():
        raise AssertionError("a single worker must run in this process")

    with batches_on_cluster(no_cluster):
        assert [[1, 2]] == list(map_batches(sorted, [[2, 1]], workers=1))


def _pid_and_call(function, value):
    return os.getpid(), function(value)


def test_in_forked_process_runs_in_a_child_and_inherits_unpicklable_arguments():
    # A lambda cannot be pickled: it reaches the child through the fork, as a large corpus does.
    child_pid, result = in_forked_process(_pid_and_call, lambda value: value * 2, 21)

    assert (42, True) == (result, child_pid != os.getpid())


def _fail(message):
    raise ValueError(message)


def test_in_forked_process_raises_the_childs_error_here():
    with pytest.raises(ValueError, match="no such article"):
        in_forked_process(_fail, "no such article")


_STATE_SET_IN_THIS_PROCESS: list[str] = []


def _pid_and_state() -> tuple[int, list[str]]:
    return os.getpid(), list(_STATE_SET_IN_THIS_PROCESS)


def test_in_fresh_process_runs_in_a_new_interpreter_not_a_fork():
    # A fork would see this process's memory (and count it in its resident set); a fresh
    # interpreter starts from the module's import, without what this process added since.
    _STATE_SET_IN_THIS_PROCESS.append("set after import")
    try:
        child_pid, child_state = in_fresh_process(_pid_and_state)
    finally:
        _STATE_SET_IN_THIS_PROCESS.clear()

    assert child_pid != os.getpid()
    assert [] == child_state


def test_in_fresh_process_raises_the_childs_error_here():
    with pytest.raises(ValueError, match="no such warehouse"):
        in_fresh_process(_fail, "no such warehouse")


def _locked(path: str) -> None:
    from flows.warehouse import WarehouseLocked

    raise WarehouseLocked(Path(path), "lock is held in /usr/bin/python3 (PID 7)")


def test_in_fresh_process_raises_a_project_error_with_its_own_message():
    # WarehouseLocked takes two arguments: without __reduce__ it could not be rebuilt here, and
    # the pool would report itself broken instead of saying who holds the warehouse.
    from flows.warehouse import WarehouseLocked

    with pytest.raises(WarehouseLocked, match=r"w\.duckdb is open in another process \(PID 7"):
        in_fresh_process(_locked, "w.duckdb")


class _ErrorWithTwoArguments(Exception):
    def __init__(self, table: str, rows: int) -> None:
        super().__init__(f"{table} has {rows} bad rows")


def _fail_unpicklably(table: str) -> None:
    raise _ErrorWithTwoArguments(table, 3)


def test_in_fresh_process_reports_an_error_that_cannot_cross_processes_by_its_message():
    with pytest.raises(RuntimeError, match="_ErrorWithTwoArguments: stg_people has 3 bad rows"):
        in_fresh_process(_fail_unpicklably, "stg_people")
