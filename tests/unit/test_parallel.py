"""flows.parallel: batches in, results out in input order, on one process or several."""

from __future__ import annotations

import pytest

from flows.parallel import available_cores, batched, map_batches


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
