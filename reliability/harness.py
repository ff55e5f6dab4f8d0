"""Running the pipeline as a real process: one shared Prefect server, timeouts on everything.

Every scenario drives `renda run` in a subprocess (a kill -9 must hit a real process) against its
own warehouse folder. All runs talk to one `prefect server` started here: a temporary server per
process costs about 15 s and times out when several start at once on a small machine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flows.settings import PROJECT_ROOT

RUN_TIMEOUT = 180.0  # seconds; a normal run of the small corpora takes 15 to 25
PYTHON = sys.executable


@dataclass
class RunOutcome:
    returncode: int
    output: str
    seconds: float
    fault_fired: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


@dataclass
class Harness:
    """Where scenarios put their files, and the environment every pipeline process gets."""

    work_dir: Path
    api_url: str | None = None
    _counts: threading.local = field(default_factory=threading.local)

    @property
    def runs(self) -> int:
        """Processes this thread started since it last set `runs` (scenarios run in threads)."""
        return getattr(self._counts, "runs", 0)

    @runs.setter
    def runs(self, value: int) -> None:
        self._counts.runs = value

    def environment(self, **renda: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("RENDA_", "PREFECT_"))  # a scenario says what it wants
        }
        env.update(
            PREFECT_HOME=str(self.work_dir / "prefect"),
            DO_NOT_TRACK="1",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_LOGGING_LEVEL="INFO",
            PYTHONPATH=str(PROJECT_ROOT),
        )
        if self.api_url:
            env["PREFECT_API_URL"] = self.api_url
        env.update({f"RENDA_{name.upper()}": value for name, value in renda.items()})
        return env

    def scenario_dir(self, name: str) -> Path:
        folder = self.work_dir / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def run(
        self,
        source: Path,
        warehouse: Path,
        fault: str | None = None,
        timeout: float = RUN_TIMEOUT,
        **renda: str,
    ) -> RunOutcome:
        """One `renda run`, optionally with a fault (see reliability/faults.py)."""
        marker = warehouse.parent / f".fault-{time.monotonic_ns()}"
        cli = ["run", str(source), "--warehouse", str(warehouse)]
        if fault:
            command = [PYTHON, "-m", "reliability.faults", fault, str(marker), "--", *cli]
        else:
            command = [PYTHON, "-c", "from flows.cli import main; main()", *cli]
        outcome = self.spawn_and_wait(command, timeout, self.environment(**renda))
        outcome.fault_fired = marker.exists()
        marker.unlink(missing_ok=True)
        return outcome

    def spawn_and_wait(self, command: list[str], timeout: float, env: dict) -> RunOutcome:
        process = self.spawn(command, env)
        return self.wait(process, timeout)

    def spawn(self, command: list[str], env: dict) -> subprocess.Popen:
        self.runs += 1
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a timeout kills the whole group, pool workers included
        )
        process.started = time.monotonic()  # type: ignore[attr-defined]
        return process

    def wait(self, process: subprocess.Popen, timeout: float) -> RunOutcome:
        try:
            output, _ = process.communicate(timeout=timeout)
            code = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            output, _ = process.communicate()
            output += b"\n[reliability] TIMEOUT: the run hung and was killed"
            code = -999
        seconds = time.monotonic() - process.started  # type: ignore[attr-defined]
        return RunOutcome(code, output.decode("utf-8", errors="replace"), seconds)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_prefect_server(harness: Harness) -> subprocess.Popen:
    """One Prefect server for every run of the suite (flows.serve knows how to start one)."""
    from flows.serve import api_url, start_server

    port = free_port()
    env = harness.environment()
    env.pop("PREFECT_API_URL", None)
    process = start_server(port, harness.work_dir / "prefect-server.log", env=env)
    harness.api_url = api_url(port)
    return process
