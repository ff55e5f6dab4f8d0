"""Running a per-item function over many items on every core, in order, a batch at a time.

Segmentation and extraction are pure Python and CPU-bound, so threads would not help: work goes
to a process pool in batches (one task per article would spend more on pickling than on work).
At most a few batches are in flight, so a stage never holds the whole corpus in memory, and
results come back in input order, so the output is the same as a single-process run.

Workers are forked after the caller has loaded what they need (`prepare`), so the jieba
dictionary (about 1 s and 100 MB to build) is loaded once, not once per worker. Forking is safe
here because workers only run pure functions: they never log, touch Prefect or open DuckDB.

Inside `batches_on_cluster(...)` the same batches go to a Dask cluster instead (see
flows/dask_runner.py), under the same contract: in order, a bounded number in flight.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import islice
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

BATCHES_IN_FLIGHT_PER_WORKER = 2  # one running, one queued: workers never wait on the parent

# A function returning a Dask client, set by `batches_on_cluster`. A context variable rather than
# a parameter, so the stage functions stay the same whichever runner the flow uses.
_cluster_client: ContextVar[Callable[[], Any] | None] = ContextVar("cluster_client", default=None)

# The `shared` value of the running map_batches: forked workers inherit it instead of receiving a
# pickled copy with every batch.
_FORKED_SHARED: Any = None


def in_forked_process(function: Callable[..., Result], *args: Any) -> Result:
    """`function(*args)` in a forked child process, for a step that builds a large throwaway index.

    What the child allocates goes back to the system when it exits; in this process it would stay
    (Python seldom returns a fragmented heap), and every worker forked later would start with it.
    The call travels as the fork pool's shared value: inherited, not pickled; only the result
    comes back.
    """
    [result] = _map_on_fork_pool(_apply_shared_call, [None], 1, (function, args))
    return result


def in_fresh_process(function: Callable[..., Result], *args: Any) -> Result:
    """`function(*args)` in a new interpreter (spawned, not forked), for a step whose memory
    should count neither in this process's peak nor in the workers it forks later.

    A forked child starts with this process's pages in its resident set, so a step that needs
    400 MB adds them to the flow's 1 GB; a spawned one starts with only what `function`'s module
    and this process's `__main__` import (a second or two). `function` and `args` travel
    pickled, and so does an exception: one that cannot be rebuilt from its pickle comes back as
    a RuntimeError with its type and message, not as a broken pool that says neither.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_call_sending_errors_back, function, *args).result()


def _call_sending_errors_back(function: Callable[..., Result], *args: Any) -> Result:
    try:
        return function(*args)
    except Exception as error:
        try:
            pickle.loads(pickle.dumps(error))
        except Exception:
            raise RuntimeError(f"{type(error).__name__}: {error}") from None
        raise


def _apply_shared_call(_: None, call: tuple[Callable[..., Result], tuple]) -> Result:
    function, args = call
    # The child may map batches of its own: on a pool it forks, since the parent's connection to
    # a Dask cluster does not survive the fork.
    _cluster_client.set(None)
    return function(*args)


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


@contextmanager
def batches_on_cluster(client: Callable[[], Any]) -> Iterator[None]:
    """Within this block, map_batches sends its batches to the Dask cluster of `client()`.

    `client` is only called when a pool would be used, so a handful of articles never waits for
    a cluster to start.
    """
    token = _cluster_client.set(client)
    try:
        yield
    finally:
        _cluster_client.reset(token)


def map_batches(
    function: Callable[..., list[Result]],
    batches: Iterable[list[Item]],
    workers: int | None = None,
    shared: Any = None,
) -> Iterator[list[Result]]:
    """`function(batch)` for every batch, in order; in this process when one worker is asked.

    With `shared`, each call is `function(batch, shared)`: a large read-only value every batch
    needs goes to each worker once, not once per batch.
    """
    workers = workers or available_cores()
    if workers <= 1:
        args = () if shared is None else (shared,)
        yield from (function(batch, *args) for batch in batches)
    elif (client := _cluster_client.get()) is not None:
        yield from _map_on_cluster(client(), function, batches, shared)
    else:
        yield from _map_on_fork_pool(function, batches, workers, shared)


def _map_on_fork_pool(function, batches, workers: int, shared: Any) -> Iterator:
    global _FORKED_SHARED
    _FORKED_SHARED = shared  # before the pool forks, so every worker inherits it
    context = multiprocessing.get_context("fork")
    call, args = (function, ()) if shared is None else (_call_with_forked_shared, (function,))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            pending: deque[Future] = deque()
            for batch in batches:
                pending.append(pool.submit(call, *args, batch))
                if len(pending) >= workers * BATCHES_IN_FLIGHT_PER_WORKER:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        _FORKED_SHARED = None


def _call_with_forked_shared(function: Callable, batch: list) -> list:
    return function(batch, _FORKED_SHARED)


def _map_on_cluster(client, function, batches, shared: Any) -> Iterator:
    """The fork pool's contract on Dask: in order, at most two batches per worker thread queued.

    `shared` is scattered to every worker once; each task then receives a reference to it.
    """
    args = () if shared is None else tuple(client.scatter([shared], broadcast=True, hash=False))
    threads = max(1, sum(client.nthreads().values()))
    pending: deque = deque()
    try:
        for batch in batches:
            # pure=False: batches are not worth hashing, and two equal batches are still two jobs
            pending.append(client.submit(function, batch, *args, pure=False))
            if len(pending) >= threads * BATCHES_IN_FLIGHT_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        if pending:  # a failed batch or an abandoned stage: free the cluster for the next one
            client.cancel(list(pending))
