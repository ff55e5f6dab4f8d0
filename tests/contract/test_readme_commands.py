"""Every shell command the README shows is run, in README order, in a throwaway copy of the project.

The README walks a new user from `make run` to the report to a first query; this test does the
same walk for real, so a command that stops working (or a new one nobody runs) fails here.

The copy holds the git-tracked files and a link to this project's .venv (nothing is installed
twice); PYTHONPATH points the installed `flows` package at the copy, so the warehouse, Prefect's
home and every run folder live in the copy and the project itself stays untouched. The local
Prefect server gets a free port (RENDA_PREFECT_PORT), so other servers on the machine do not
matter. Each command has one entry in STEPS saying how to run it and what output proves it
worked; a README command without an entry fails `test_every_readme_command_has_a_step`.

Commands that run until stopped (servers, workers, `renda serve`) and the long suites (`make
bench`, `make reliability`) are started, proven up by a port or a line of their output, and
stopped, each within a time bound. Six of the commands run the whole pipeline, which sets the
pace (`make run`, with Prefect's temporary server, about 3 min of it): the walk took 9 min on 2
cores shared with other jobs (14.5 min beside a reliability run).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from flows.settings import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
COMMAND = re.compile(r"^(make|renda|\.venv/bin/\S+|python -m|prefect)\s+\S")
INLINE_CODE = re.compile(r"`([^`\n]+)`")


def readme_commands(text: str) -> list[str]:
    """Shell commands in README order, each once: lines of code blocks and inline code spans.

    SQL and CSV blocks do not start with a command word (tests/sql/test_readme_queries.py runs
    those); prose mentions such as `renda run` or `make ui` count, because a reader runs them too.
    """
    found: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        in_code = in_fence or line.startswith("    ")
        candidates = [line.strip()] if in_code else INLINE_CODE.findall(line)
        found.extend(c for c in candidates if COMMAND.match(c) and c not in found)
    return found


# --- how each README command is run ---------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Run to completion: exit status 0 and every `expect` regex somewhere in the output."""

    expect: str | tuple[str, ...]
    shell: str | None = None  # what to run when the README's text has placeholders
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 300.0


@dataclass(frozen=True)
class Start:
    """Start, prove it up by `ready` (a regex of its output, or "port" for the Prefect API), stop.

    `keep` leaves it running for the commands after it (the README's server), until the end.
    """

    ready: str
    shell: str | None = None  # what to run when the README names the command without its path
    keep: bool = False
    timeout: float = 180.0


@dataclass(frozen=True)
class PartOf:
    """A command the README names as what another README command runs (a Makefile recipe)."""

    command: str
    target: str


REPROCESSED = r"reprocessing \d+ of \d+ matching files[\s\S]*renda-etl run \S+ finished"
SAMPLES_SUBSET = "{tmp}/two-articles"  # `path/to/articles`: a folder of two sample files
STEPS: dict[str, Run | Start | PartOf] = {
    "make run": Run(
        (
            r"renda-etl run \S+ finished[\s\S]*gates passed: \d+",
            # not a terminal: each stage's progress is a line in the run's log (flows/progress.py)
            r"segment: (\d+)/\1 articles in [\d.]+ s \([\d.,]+/s\)",
        ),
        timeout=600,
    ),
    # The whole suite takes about 10 minutes and includes this test: one real test proves the
    # target (install, then pytest over the project) without running everything twice.
    "make test": Run(
        r"\b1 passed\b",
        env={"PYTEST_ADDOPTS": "tests/unit/test_cli.py -k test_config_prints -p no:cacheprovider"},
    ),
    ".venv/bin/renda report": Run(r"report written to \S+index\.html"),
    ".venv/bin/renda query rpt_quantities": Run(r"subject"),
    '.venv/bin/renda query "select title, subject, value, unit from reporting.rpt_quantities '
    "where unit = '个'\" --format csv": Run(r"(?m)^title,subject,value,unit$\n.+,个$"),
    "make ui": Start("port", keep=True),
    ".venv/bin/renda run path/to/articles --warehouse /tmp/other.duckdb": Run(
        r"files read: 2 \(unchanged 0, loaded 2",
        shell=f".venv/bin/renda run {SAMPLES_SUBSET} --warehouse {{tmp}}/other.duckdb",
    ),
    "renda query ... --format csv": Run(
        r"(?m)^law_title,kind,", shell=".venv/bin/renda query rpt_laws --format csv"
    ),
    "renda run --task-runner dask": Run(
        r"renda-etl run \S+ finished",
        shell=f".venv/bin/renda run {SAMPLES_SUBSET} --warehouse {{tmp}}/dask.duckdb "
        "--task-runner dask",
    ),
    "renda views": Run(r"rpt_quantities", shell=".venv/bin/renda views"),
    "make eval": Run(r"field +precision +recall +F1[\s\S]*files: \d+ scored, 0 missing"),
    "renda export --gold DIR": Run(
        r"wrote [1-9]\d* files", shell=".venv/bin/renda export --gold {tmp}/predicted"
    ),
    "renda eval DIR --gold tests/gold": Run(
        r"field +precision", shell=".venv/bin/renda eval {tmp}/predicted --gold tests/gold"
    ),
    "make serve": Start(r"is being served"),
    "renda serve": Start(r"is being served", shell=".venv/bin/renda serve"),
    "renda run": Run(r"nothing changed since the last run", shell=".venv/bin/renda run"),
    "make deploy": Run(r"renda-etl"),
    "prefect deploy --prefect-file deployments/prefect.yaml": PartOf(
        "prefect --no-prompt deploy --prefect-file deployments/prefect.yaml", target="deploy"
    ),
    "make worker": Start(r"Worker '.+' started"),
    ".venv/bin/renda reprocess 'seeds/articles/00*.txt'": Run(REPROCESSED),
    ".venv/bin/renda reprocess --since 2024-01-01 --until 2024-03-31": Run(REPROCESSED),
    "make bench": Start(r"bench: corpus"),
    'make bench BENCH_ARGS="--articles 200 --scale 2"': Start(r"bench: corpus"),
    ".venv/bin/python -m bench.profile --articles 100": Run(
        r"extract: 100 articles, \d+ chars", timeout=600
    ),
    ".venv/bin/python -m bench.steps": Run(r"sum of the steps +[\d.]+ x jieba\.lcut", timeout=600),
    "make reliability": Start(r"reliability: \d+ scenarios"),
    "python -m reliability --list": Run(r"kill -9", shell=".venv/bin/python -m reliability --list"),
    "renda config": Run(r"RENDA_WAREHOUSE_PATH=\S+", shell=".venv/bin/renda config"),
}


def test_readme_commands_come_from_code_blocks_and_inline_code():
    text = (
        "Run `make run` first.\n\n    .venv/bin/renda report\n\n    select 1 from t\n\n"
        "```\nmake ui\n```\nthen `renda run` and `renda-etl` and `make run` again.\n"
    )

    assert ["make run", ".venv/bin/renda report", "make ui", "renda run"] == readme_commands(text)


def test_every_readme_command_has_a_step():
    commands = readme_commands(README.read_text(encoding="utf-8"))

    assert [] == [command for command in commands if command not in STEPS]
    assert [] == [command for command in STEPS if command not in commands]  # no stale steps


def test_readme_walks_from_make_run_to_the_report_to_a_first_query():
    commands = readme_commands(README.read_text(encoding="utf-8"))
    first_query = next(c for c in commands if c.startswith(".venv/bin/renda query"))

    assert commands.index("make run") < commands.index(".venv/bin/renda report")
    assert commands.index(".venv/bin/renda report") < commands.index(first_query)


# --- the walk ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def project_copy(target: Path) -> Path:
    """The git-tracked files (with their times, so make sees the install as done), the .venv,
    and the uv that `make` bootstrapped into .tools when the machine had none."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for installed in (".venv", ".tools"):
        if (PROJECT_ROOT / installed).exists():
            (target / installed).symlink_to(PROJECT_ROOT / installed)
    return target


def ensure_installed(copy: Path, env: dict[str, str]) -> None:
    """`make install` must be a no-op in the copy: a `uv sync` there would re-point the shared
    .venv's editable install at the copy. The project's own install makes it one."""
    if subprocess.run(["make", "-q", "install"], cwd=copy, env=env).returncode != 0:
        subprocess.run(["make", "install"], cwd=PROJECT_ROOT, env=env, check=True)
    assert 0 == subprocess.run(["make", "-q", "install"], cwd=copy, env=env).returncode


def command_env(copy: Path, tmp: Path, port: int) -> dict[str, str]:
    ours = ("RENDA_", "PREFECT_", "PYTEST_")
    env = {name: value for name, value in os.environ.items() if not name.startswith(ours)}
    env.update(
        PYTHONPATH=str(copy),  # wins over the .venv's editable path to this project
        RENDA_PREFECT_PORT=str(port),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        # Prefect's temporary server needs more than its 20 s on a busy 2-core machine.
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        TMPDIR=str(tmp),
        COLUMNS="200",
    )
    return env


@dataclass
class Walk:
    copy: Path
    tmp: Path
    env: dict[str, str]
    port: int
    kept: list[subprocess.Popen] = field(default_factory=list)
    logs: Path = field(init=False)

    def __post_init__(self) -> None:
        self.logs = self.tmp / "logs"
        self.logs.mkdir()

    def shell(self, command: str, step: Run | Start) -> str:
        text = getattr(step, "shell", None) or command
        return text.format(tmp=self.tmp)

    def run(self, command: str, step: Run) -> str | None:
        """None when the command did what the README says, else what went wrong."""
        env = {**self.env, **step.env}
        try:
            done = subprocess.run(
                ["bash", "-c", self.shell(command, step)],
                cwd=self.copy,
                env=env,
                capture_output=True,
                text=True,
                timeout=step.timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return f"still running after {step.timeout:.0f} s"
        output = done.stdout + done.stderr
        if done.returncode != 0:
            return f"exit status {done.returncode}:\n{tail(output)}"
        patterns = (step.expect,) if isinstance(step.expect, str) else step.expect
        missing = [pattern for pattern in patterns if not re.search(pattern, output)]
        return f"no match for {missing} in:\n{tail(output)}" if missing else None

    def start(self, command: str, step: Start, index: int) -> str | None:
        log_path = self.logs / f"{index:02d}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                ["bash", "-c", self.shell(command, step)],
                cwd=self.copy,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        problem = self.wait_until_up(process, step, log_path)
        if step.keep and problem is None:
            self.kept.append(process)
        else:
            stop(process)
        return problem

    def wait_until_up(self, process: subprocess.Popen, step: Start, log_path: Path) -> str | None:
        deadline = time.monotonic() + step.timeout
        while time.monotonic() < deadline:
            if self.is_up(step, log_path):
                return None
            if process.poll() is not None:
                return f"exited with {process.returncode} before it was up:\n{tail_of(log_path)}"
            time.sleep(1.0)
        return f"not up after {step.timeout:.0f} s:\n{tail_of(log_path)}"

    def is_up(self, step: Start, log_path: Path) -> bool:
        if step.ready == "port":
            try:
                url = f"http://127.0.0.1:{self.port}/api/health"
                return httpx.get(url, timeout=2.0).status_code == 200
            except httpx.HTTPError:
                return False
        return (
            re.search(step.ready, log_path.read_text(encoding="utf-8", errors="replace"))
            is not None
        )

    def part_of(self, step: PartOf) -> str | None:
        makefile = (self.copy / "Makefile").read_text(encoding="utf-8")
        recipe = re.search(rf"(?ms)^{step.target}:.*?(?=^\S|\Z)", makefile)
        if recipe is None or step.command not in recipe.group(0):
            return f"`make {step.target}` no longer runs {step.command!r}"
        return None

    def leftovers(self) -> list[int]:
        """Processes still working in the copy (a server a stopped command left behind)."""
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and Path(os.readlink(entry / "cwd")).is_relative_to(
                    self.copy
                ):
                    found.append(int(entry.name))
            except OSError:
                continue
        kept_groups = {process.pid for process in self.kept}
        return [pid for pid in found if _group(pid) not in kept_groups and pid != os.getpid()]


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C first (servers and runners shut down cleanly on it), then harder, all bounded."""
    for sig, wait in ((signal.SIGINT, 30), (signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            continue


def tail(output: str, lines: int = 25) -> str:
    return "\n".join(output.splitlines()[-lines:])


def tail_of(path: Path) -> str:
    return tail(path.read_text(encoding="utf-8", errors="replace"))


@pytest.fixture
def walk(tmp_path: Path):
    copy = project_copy(tmp_path / "project")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    subset = scratch / "two-articles"
    subset.mkdir()
    for sample in sorted((copy / "seeds" / "articles").iterdir())[:2]:
        shutil.copy2(sample, subset / sample.name)
    port = free_port()
    env = command_env(copy, scratch, port)
    ensure_installed(copy, env)
    state = Walk(copy, scratch, env, port)
    try:
        yield state
    finally:
        for process in state.kept:
            stop(process)
        for pid in state.leftovers():
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_every_readme_command_runs_in_readme_order(walk):
    commands = readme_commands(README.read_text(encoding="utf-8"))
    problems, timings = {}, []
    started = time.monotonic()
    for index, command in enumerate(commands):
        step = STEPS.get(command)
        began = time.monotonic()
        if step is None:
            problem = "the test does not know how to run it: add it to STEPS"
        elif isinstance(step, Run):
            problem = walk.run(command, step)
        elif isinstance(step, Start):
            problem = walk.start(command, step, index)
            left = walk.leftovers()
            if left:
                problem = f"left processes running after it was stopped: {left}"
                for pid in left:
                    os.kill(pid, signal.SIGKILL)
        else:
            problem = walk.part_of(step)
        timings.append(f"{time.monotonic() - began:6.1f} s  {command}")
        if problem:
            problems[command] = problem
    timings.append(f"{time.monotonic() - started:6.1f} s  in all")
    print("\n".join(timings))

    assert {} == problems, "\n".join(timings)
    assert (walk.tmp / "other.duckdb").exists()  # the placeholder path was really used
    assert [] == written_since(PROJECT_ROOT, started)  # every run wrote into the copy


def written_since(root: Path, started_monotonic: float) -> list[str]:
    """Run-time artefacts of the project itself (warehouse files, Prefect's home) changed by now."""
    since = time.time() - (time.monotonic() - started_monotonic)
    places = [root / "warehouse", root / ".prefect"]
    return sorted(
        str(path.relative_to(root))
        for place in places
        if place.exists()
        for path in place.rglob("*")
        if path.is_file() and path.stat().st_mtime >= since
    )
