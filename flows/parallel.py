"""Running a per-item function over many items on every core, in order, a batch at a time.

Segmentation and extraction are pure Python and CPU-bound, so threads would not help: work goes
to a process pool in batches (one task per article would spend more on pickling than on work).
At most a few batches are in flight, so a stage never holds the whole corpus in memory, and
results come back in input order, so the output is the same as a single-process run.

Workers are forked after the caller has loaded what they need (`prepare`), so the jieba
dictionary (about 1 s and 100 MB to build) is loaded once, not once per worker. Forking is safe
here because workers only run pure functions: they never log, touch Prefect or open DuckDB.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

BATCHES_IN_FLIGHT_PER_WORKER = 2  # one running, one queued: workers never wait on the parent


def available_cores() -> int:
    """Cores this process may run on (the container's share, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def map_batches(
    function: Callable[[list[Item]], list[Result]],
    batches: Iterable[list[Item]],
    workers: int | None = None,
) -> Iterator[list[Result]]:
    """`function(batch)` for every batch, in order; in this process when one worker is asked."""
    workers = workers or available_cores()
    if workers <= 1:
        yield from map(function, batches)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future] = deque()
        for batch in batches:
            pending.append(pool.submit(function, batch))
            if len(pending) >= workers * BATCHES_IN_FLIGHT_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
