"""Scale-out on Dask (`renda run --task-runner dask`), through prefect-dask's DaskTaskRunner.

The flow gets a DaskTaskRunner; its segment and extract tasks still run in the flow's process
(they read and write the run folder), and send their batches of articles to the runner's cluster
(flows/parallel.py). Only batches and results cross the wire, so a remote cluster needs the
project installed on its workers, not the run folder. The runner starts its cluster on first use
and stops it when the flow ends: a run with nothing to segment never starts one.

prefect-dask and distributed are imported only when Dask is asked for (they take seconds).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from flows.parallel import available_cores, batches_on_cluster
from flows.settings import Settings

SCHEDULER_CONNECT_SECONDS = 10


class DaskUnavailable(ValueError):
    """The Dask scheduler asked for cannot be reached: a mistake the user can fix."""


def task_runner_for(settings: Settings):
    """The DaskTaskRunner the settings ask for, or None for Prefect's default runner."""
    if settings.task_runner != "dask":
        return None
    from prefect_dask import DaskTaskRunner

    # The scheduler runs in this process and logs every worker's arrival at INFO.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_kwargs=local_cluster_options(settings.workers))


def local_cluster_options(workers: int | None) -> dict:
    # One single-threaded process per worker: segmentation and extraction hold the GIL. No
    # dashboard: it needs bokeh, and a fixed port would collide between overlapping runs.
    return {
        "n_workers": workers or available_cores(),
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": None,
        "silence_logs": logging.WARNING,
    }


def check_scheduler(address: str, timeout: float | None = None) -> None:
    """Fail fast, in one sentence, when no Dask scheduler answers at `address`.

    Without this, the flow would start, then wait 30 s for the scheduler and end in a traceback.
    """
    import asyncio

    try:
        asyncio.run(_probe(address, timeout or SCHEDULER_CONNECT_SECONDS))
    except Exception as error:  # refused, unresolvable, malformed: all mean the same to a user
        raise DaskUnavailable(
            f"no Dask scheduler answers at {address!r} ({_first_line(error)}): start one "
            "(`dask scheduler` and `dask worker`) or leave out --address for a local cluster"
        ) from None


async def _probe(address: str, timeout: float) -> None:
    # A bare comm handshake: a Client that fails to connect complains again when collected.
    from distributed.comm import connect

    comm = await connect(address, timeout=timeout)
    await comm.close()


def _first_line(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


@contextmanager
def batches_on_flow_cluster() -> Iterator[None]:
    """Within this block, stage batches go to the running flow's Dask cluster, if it has one."""
    runner = _flow_dask_runner()
    with nullcontext() if runner is None else batches_on_cluster(lambda: runner.client):
        yield


def _flow_dask_runner():
    prefect_dask = sys.modules.get("prefect_dask")
    if prefect_dask is None:  # never imported, so the flow cannot be running on Dask
        return None
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    return runner if isinstance(runner, prefect_dask.DaskTaskRunner) else None
