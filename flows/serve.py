"""Scheduled runs on one machine: a persistent local Prefect server plus the served deployment.

`serve()` is what `renda serve` runs in the foreground: it reuses a Prefect server already
listening on the loopback port (`make ui`) or starts one, then serves the `renda-etl` flow with
the schedule, parameters and concurrency limit of deployments/prefect.yaml (the single source
of truth for both shapes). Flow runs then talk to that server, never to the temporary server
Prefect starts for each process when PREFECT_API_URL is unset (those time out when runs
overlap on a small machine).

The production shape is the same deployment through a work pool: `prefect server start`,
`prefect deploy --prefect-file deployments/prefect.yaml --all`, and `prefect worker start
--pool renda-process` (see README, Scheduling).

Nothing here imports Prefect at module level: the API URL must be in the environment first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from flows.settings import PROJECT_ROOT, get_settings

DEPLOYMENT_FILE = PROJECT_ROOT / "deployments" / "prefect.yaml"
LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 4200
SERVER_START_TIMEOUT = 120.0  # seconds; a cold start with migrations takes 10 to 30 on 2 cores


@dataclass(frozen=True)
class Schedule:
    cron: str
    timezone: str
    concurrency_limit: int
    collision_strategy: str
    parameters: dict[str, Any]


def deployment_schedule(path: Path = DEPLOYMENT_FILE, name: str = "renda-etl") -> Schedule:
    """The schedule and limits of a deployment in prefect.yaml, so serve and deploy agree."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    deployment = next(item for item in spec["deployments"] if item["name"] == name)
    schedule = deployment["schedules"][0]
    limit = deployment["concurrency_limit"]
    return Schedule(
        cron=schedule["cron"],
        timezone=schedule["timezone"],
        concurrency_limit=int(limit["limit"]),
        collision_strategy=limit["collision_strategy"],
        parameters=dict(deployment.get("parameters") or {}),
    )


def api_url(port: int = DEFAULT_PORT, host: str = LOOPBACK) -> str:
    return f"http://{host}:{port}/api"


def server_is_healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def attach_to_running_server(port: int | None = None) -> str | None:
    """Point this process at a local server when one is up (call before importing Prefect).

    A `renda run` next to `renda serve` or `make ui` then shows up in the same history instead
    of starting a temporary server of its own.
    """
    url = api_url(port or get_settings().prefect_port)
    if "PREFECT_API_URL" in os.environ or not server_is_healthy(url, timeout=0.5):
        return os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    return url


def start_server(
    port: int,
    log_path: Path,
    host: str = LOOPBACK,
    timeout: float = SERVER_START_TIMEOUT,
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """`prefect server start` on loopback, its output in `log_path`; returns once it is healthy.

    `env` defaults to this process's environment (PREFECT_HOME says where its database lives).
    """
    # `--port` does not reach the UI: unless told, its pages call the API on port 4200, which is
    # another server's (or nobody's) on any other port.
    env = {"PREFECT_UI_API_URL": api_url(port, host), **(os.environ if env is None else env)}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", host]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl-C in the terminal reaches us, and we stop it cleanly
        )
    try:
        wait_until_healthy(api_url(port, host), process, log_path, timeout)
    except BaseException:
        stop_server(process)
        raise
    return process


def wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the Prefect server exited early; see {log_path}:\n{_tail(log_path)}"
            )
        if server_is_healthy(url):
            return
        time.sleep(0.5)
    raise TimeoutError(f"the Prefect server at {url} was not healthy after {timeout:.0f}s")


def stop_server(process: subprocess.Popen, timeout: float = 20.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@contextmanager
def local_server(port: int = DEFAULT_PORT, host: str = LOOPBACK) -> Iterator[str]:
    """The API URL of a server on loopback: the one already running there, or one we start."""
    url = api_url(port, host)
    if server_is_healthy(url):
        yield url
        return
    log_path = get_settings().prefect_home / "server.log"
    print(f"starting the Prefect server on {url} (log: {log_path})", flush=True)
    process = start_server(port, log_path, host)
    try:
        yield url
    finally:
        stop_server(process)


def serve(
    cron: str | None = None,
    timezone: str | None = None,
    port: int | None = None,
    source: str | None = None,
    warehouse: str | None = None,
) -> None:
    """Serve `renda-etl` on its schedule until Ctrl-C, with a local server (the one-machine shape).

    `cron` and `timezone` default to deployments/prefect.yaml; at most one run at a time (later
    ones wait in the queue: DuckDB has one writer).
    """
    schedule = deployment_schedule()
    cron, timezone = cron or schedule.cron, timezone or schedule.timezone
    parameters = {**schedule.parameters, "source": source, "warehouse": warehouse}
    with local_server(port or get_settings().prefect_port) as url:
        os.environ["PREFECT_API_URL"] = url  # inherited by every flow-run process
        _serve_flow(url, cron, timezone, schedule, parameters)


def _serve_flow(
    url: str, cron: str, timezone: str, schedule: Schedule, parameters: dict[str, Any]
) -> None:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.pipeline import renda_etl

    limit = ConcurrencyLimitConfig(
        limit=schedule.concurrency_limit,
        collision_strategy=ConcurrencyLimitStrategy(schedule.collision_strategy),
    )
    print(
        f"serving renda-etl: cron '{cron}' ({timezone}), at most {limit.limit} run at a time, "
        f"parameters {parameters}\nUI: {url.removesuffix('/api')}  (Ctrl-C stops serving)",
        flush=True,
    )
    with temporary_settings(updates={PREFECT_API_URL: url}):
        renda_etl.serve(
            name="renda-etl",
            schedules=[Cron(cron, timezone=timezone)],
            global_limit=limit,
            parameters=parameters,
            pause_on_shutdown=True,
        )
