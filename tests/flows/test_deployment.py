"""Scheduled runs for real: a Prefect server on a free loopback port, the flow served and deployed.

Each test triggers a run through the API and checks, through the same API, that it completed
with the expected task runs and artifacts. Every wait is bounded and every process is stopped.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.serve import start_server, stop_server
from flows.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 420.0  # seconds: a cold flow-run process imports GX and jieba, on a shared 2 cores
STAGE_TASKS = {"ingest_articles", "segment_articles", "extract_facts", "load_warehouse"}
RUN_ARTIFACTS = {"renda-stage-counts", "renda-run-summary", "renda-data-docs", "renda-report"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `prefect server start` with its own PREFECT_HOME; always stopped afterwards."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = server_environment(home)
    process = start_server(port, home / "server.log", env=env, timeout=180)
    try:
        yield {"url": f"http://127.0.0.1:{port}/api", "env": env, "home": home}
    finally:
        stop_server(process)


def server_environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RENDA_"))}
    env.update(
        PREFECT_HOME=str(home),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
    )
    return env


def client_environment(server: dict, **extra: str) -> dict[str, str]:
    return {**server["env"], "PREFECT_API_URL": server["url"], **extra}


def test_served_flow_runs_on_demand_with_tasks_and_artifacts(server, seed_copy, tmp_path):
    warehouse = tmp_path / "served.duckdb"
    script = (
        "from flows.serve import serve; "
        f"serve(port={server['url'].split(':')[2].split('/')[0]}, "
        f"source={str(seed_copy)!r}, warehouse={str(warehouse)!r})"
    )
    serving = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=server["env"],  # no PREFECT_API_URL: serve must find the server on its port
        stdout=(tmp_path / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        report = asyncio.run(trigger_and_wait(server["url"], "renda-etl/renda-etl", {}))
    finally:
        stop_server(serving)

    assert "COMPLETED" == report["state"], (tmp_path / "serve.log").read_text()[-3000:]
    assert STAGE_TASKS <= report["tasks"]
    assert {"gate-files", "gate-articles", "gate-tokens", "gate-facts"} <= report["task_run_names"]
    assert RUN_ARTIFACTS | {"renda-gate-stg-quantities"} <= report["artifacts"]
    expected_deployment = {
        "concurrency_limit": 1,
        "collision_strategy": "ENQUEUE",
        "schedule": ("0 6 * * *", "Asia/Shanghai"),
    }
    assert expected_deployment == report["deployment"]
    assert [(report["id"], "completed")] == query(warehouse, "select run_id, status from ops.runs")


def test_prefect_yaml_deploys_and_a_process_worker_runs_it(server, seed_copy, tmp_path):
    env = client_environment(server, RENDA_PROJECT_DIR=str(PROJECT_ROOT))
    prefect = [sys.executable, "-m", "prefect"]
    create_pool = [*prefect, "work-pool", "create", "renda-process", "--type", "process"]
    run_bounded(create_pool, env, tmp_path / "pool.log")
    deploy = [*prefect, "--no-prompt", "deploy", "--all"]
    run_bounded([*deploy, "--prefect-file", "deployments/prefect.yaml"], env, tmp_path / "dep.log")
    warehouse = tmp_path / "deployed.duckdb"
    parameters = {"source": str(seed_copy), "warehouse": str(warehouse)}
    worker = subprocess.Popen(
        [*prefect, "worker", "start", "--pool", "renda-process", "--limit", "1"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        report = asyncio.run(trigger_and_wait(server["url"], "renda-etl/renda-etl", parameters))
    finally:
        stop_server(worker)

    assert "COMPLETED" == report["state"], (tmp_path / "worker.log").read_text()[-3000:]
    assert STAGE_TASKS <= report["tasks"]
    assert RUN_ARTIFACTS <= report["artifacts"]
    assert "ENQUEUE" == report["deployment"]["collision_strategy"]
    assert [(report["id"], "completed")] == query(warehouse, "select run_id, status from ops.runs")


def run_bounded(command: list[str], env: dict[str, str], log: Path, timeout: float = 180) -> None:
    with log.open("wb") as output:
        finished = subprocess.run(
            command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            timeout=timeout, check=False,
        )  # fmt: skip
    assert 0 == finished.returncode, log.read_text()[-3000:]


async def trigger_and_wait(url: str, deployment_name: str, parameters: dict) -> dict:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: url}):
        async with get_client() as client:
            deployment = await wait_for_deployment(client, deployment_name, timeout=180)
            flow_run = await client.create_flow_run_from_deployment(
                deployment.id, parameters=parameters
            )
            final = await wait_for_final_state(client, flow_run.id, RUN_TIMEOUT)
            return await describe_run(client, deployment, final)


async def wait_for_deployment(client, name: str, timeout: float):
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    while True:
        try:
            return await client.read_deployment_by_name(name)
        except ObjectNotFound:
            if time.monotonic() > deadline:
                raise TimeoutError(f"deployment {name} never appeared") from None
            await asyncio.sleep(1)


async def wait_for_final_state(client, flow_run_id, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        flow_run = await client.read_flow_run(flow_run_id)
        if flow_run.state and flow_run.state.is_final():
            return flow_run
        await asyncio.sleep(2)
    raise TimeoutError(f"flow run {flow_run_id} did not finish in {timeout:.0f}s")


async def describe_run(client, deployment, flow_run) -> dict:
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
        TaskRunFilter,
    )

    runs = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id]))
    from prefect.client.schemas.sorting import ArtifactSort, TaskRunSort

    # Every filter, sort and limit is given: the 3.8 client sends null for the ones left out,
    # and this server (fastapi as locked) rejects some of those nulls with 422.
    task_runs = await client.read_task_runs(
        flow_run_filter=runs, sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=200
    )
    artifacts = await client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id])),
        flow_run_filter=runs,
        task_run_filter=TaskRunFilter(),
        sort=ArtifactSort.ID_DESC,
        limit=200,
    )
    schedule = deployment.schedules[0].schedule
    return {
        "id": str(flow_run.id),
        "state": flow_run.state.type.value,
        "tasks": {run.name.rsplit("-", 1)[0] for run in task_runs},  # names end in -<suffix>
        "task_run_names": {run.name for run in task_runs},
        "artifacts": {artifact.key for artifact in artifacts if artifact.key},
        "deployment": {
            "concurrency_limit": deployment.global_concurrency_limit.limit,
            "collision_strategy": deployment.concurrency_options.collision_strategy.value,
            "schedule": (schedule.cron, schedule.timezone),
        },
    }


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()
