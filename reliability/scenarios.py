"""The scenarios: each does something hostile to the pipeline, re-runs it, and checks invariants.

A scenario is a small function taking the shared `Context` and returning a `Result`. Every one
ends with `check_warehouse` (reliability/invariants.py) after a normal re-run; most compare the
contents with a run of the same corpus that was never interrupted (the reference).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from reliability import corpus
from reliability.faults import POINTS
from reliability.harness import PYTHON, Harness, RunOutcome
from reliability.invariants import (
    TableHashes,
    Verdict,
    check_warehouse,
    core_hashes,
    live_path,
    replacement_characters,
    warehouse_hashes,
)

WAREHOUSE = "w.duckdb"
FORGOTTEN = ["001_4ca2f901b2fa3bdc.txt", "variant_reordered.txt"]  # re-processed by fault runs


@dataclass
class Result:
    name: str
    runs: int = 0
    verdict: Verdict = field(default_factory=Verdict)
    skipped: str = ""
    seconds: float = 0.0

    @property
    def outcome(self) -> str:
        if self.skipped:
            return "skipped"
        return "pass" if self.verdict.ok else "FAIL"


class Context:
    """The harness plus the reference warehouse, built once and shared by every scenario."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self._reference: TableHashes | None = None
        self._lock = threading.Lock()

    @property
    def reference_dir(self) -> Path:
        return self.harness.work_dir / "reference"

    def reference(self) -> TableHashes:
        with self._lock:
            if self._reference is None:
                self._reference = self._build_reference()
            return self._reference

    def _build_reference(self) -> TableHashes:
        folder = self.harness.scenario_dir("reference")
        source = corpus.crash_corpus(folder / "articles")
        runs = self.harness.runs
        outcome = self.harness.run(source, folder / WAREHOUSE)
        self.harness.runs = runs  # the reference is nobody's run: do not count it
        if not outcome.ok:
            raise RuntimeError(f"the reference run failed:\n{outcome.tail(40)}")
        return warehouse_hashes(folder / WAREHOUSE)

    def copy_of_reference(self, folder: Path) -> tuple[Path, Path]:
        """A source folder and a warehouse as the reference left them, FORGOTTEN made stale."""
        from flows import ops
        from flows.settings import Settings

        self.reference()
        source = corpus.crash_corpus(folder / "articles")
        warehouse = folder / WAREHOUSE
        for path in (warehouse, live_path(warehouse)):
            shutil.copyfile(self.reference_dir / path.name, path)
        ops.forget_files(Settings(warehouse_path=warehouse), FORGOTTEN)
        return source, warehouse


def _expect(verdict: Verdict, condition: bool, problem: str) -> None:
    if not condition:
        verdict.fail(problem)


def _expect_run_ok(verdict: Verdict, outcome: RunOutcome, what: str) -> None:
    _expect(verdict, outcome.ok, f"{what} failed ({outcome.returncode}):\n{outcome.tail()}")


def _ops_runs(warehouse: Path) -> list[tuple[str, str]]:
    from flows.warehouse import connect

    with connect(live_path(warehouse), read_only=True) as connection:
        query = "select run_id, status from ops.runs order by started_at"
        return connection.execute(query).fetchall()


# --- crashes -------------------------------------------------------------------------------------


def crash(action: str, points: tuple[str, ...]) -> Callable[[Context, Result], None]:
    """Kill (or SIGTERM) the pipeline at each point in turn, then re-run it normally.

    Each killed run after the first is itself a re-run that must recover from the crash before
    it, up to its own kill point; the last, normal run recovers from the last crash. Chaining
    the points of a stage this way checks each of them for the price of one final run.
    """

    def scenario(context: Context, result: Result) -> None:
        reference = context.reference()
        folder = context.harness.scenario_dir(_folder_name(result.name))
        source = corpus.crash_corpus(folder / "articles")
        warehouse = folder / WAREHOUSE
        verdict = result.verdict
        for point in points:
            killed = context.harness.run(source, warehouse, fault=f"{action}@{point}")
            _expect(
                verdict, killed.fault_fired, f"{point}: the fault never fired:\n{killed.tail()}"
            )
            _expect(verdict, not killed.ok, f"{point}: the killed run exited 0")
        rerun = context.harness.run(source, warehouse)
        _expect_run_ok(verdict, rerun, "the re-run")
        _merge(verdict, check_warehouse(source, warehouse, reference))
        _check_killed_runs_closed(context, warehouse, points, verdict)

    return scenario


def _folder_name(name: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in name)


def _check_killed_runs_closed(
    context: Context, warehouse: Path, points: tuple[str, ...], verdict: Verdict
) -> None:
    """Each killed run is 'crashed' in ops.runs and not RUNNING in Prefect either."""
    runs = _ops_runs(warehouse)[: len(points)]
    _expect(verdict, len(runs) == len(points), f"ops.runs holds {len(runs)} killed runs")
    for (run_id, status), point in zip(runs, points, strict=False):
        # Publishing comes after the run recorded its end: a kill there leaves it 'completed'.
        expected = "completed" if point.startswith("publish") else "crashed"
        _expect(verdict, status == expected, f"the run killed at {point} is {status}")
        if context.harness.api_url:
            state = _prefect_state(context.harness.api_url, run_id)
            _expect(verdict, state not in ("RUNNING", "PENDING"), f"{point}: Prefect says {state}")


def _prefect_state(api_url: str, run_id: str) -> str | None:
    try:
        response = httpx.get(f"{api_url}/flow_runs/{run_id}", timeout=10)
        return response.json()["state"]["type"]
    except (httpx.HTTPError, KeyError, TypeError, ValueError):
        return None


def _merge(verdict: Verdict, checked: Verdict) -> None:
    verdict.files_expected = checked.files_expected
    verdict.files_accounted = checked.files_accounted
    verdict.rows_lost += checked.rows_lost
    verdict.rows_duplicated += checked.rows_duplicated
    verdict.problems.extend(checked.problems)


# --- overlapping runs ----------------------------------------------------------------------------


def overlapping_runs(context: Context, result: Result, count: int = 3) -> None:
    """Several runs started at once on one warehouse: they take turns, nothing doubles."""
    reference = context.reference()
    folder = context.harness.scenario_dir(_folder_name(result.name))
    source = corpus.crash_corpus(folder / "articles")
    warehouse = folder / WAREHOUSE
    harness = context.harness
    command = [PYTHON, "-c", "from flows.cli import main; main()", "run", str(source)]
    command += ["--warehouse", str(warehouse)]
    processes = [harness.spawn(command, harness.environment()) for _ in range(count)]
    outcomes = [harness.wait(process, 300) for process in processes]
    verdict = result.verdict
    for outcome in outcomes:
        locked_clearly = "open in another process" in outcome.output
        _expect(verdict, outcome.ok or locked_clearly, f"an overlapping run:\n{outcome.tail()}")
    _expect(verdict, any(outcome.ok for outcome in outcomes), "no overlapping run completed")
    _expect_run_ok(verdict, harness.run(source, warehouse), "the re-run")
    _merge(verdict, check_warehouse(source, warehouse, reference))


# --- readers during loads ------------------------------------------------------------------------


def readers_during_loads(context: Context, result: Result, readers: int = 3) -> None:
    """Processes query the snapshot while loads publish: no error, never a partial load."""
    harness, verdict = context.harness, result.verdict
    folder = harness.scenario_dir(_folder_name(result.name))
    source = corpus.copy_samples(folder / "articles", 2)
    warehouse = folder / WAREHOUSE
    _expect_run_ok(verdict, harness.run(source, warehouse), "the first load")
    published_counts = [_article_count(warehouse)]
    stop = folder / "stop-readers"
    command = [PYTHON, "-m", "reliability.reader", str(warehouse), str(stop)]
    processes = [harness.spawn(command, harness.environment()) for _ in range(readers)]
    harness.runs -= readers  # readers are not pipeline runs
    for step in (lambda: corpus.copy_samples(source), lambda: corpus.crash_corpus(source)):
        step()
        _expect_run_ok(verdict, harness.run(source, warehouse), "a load under readers")
        published_counts.append(_article_count(warehouse))
    stop.touch()
    for process in processes:
        _check_reader(harness.wait(process, 60), published_counts, verdict)
    _merge(verdict, check_warehouse(source, warehouse))


def _article_count(warehouse: Path) -> int:
    from reliability.reader import read_once

    return read_once(warehouse)[0]


def _check_reader(outcome: RunOutcome, published: list[int], verdict: Verdict) -> None:
    try:
        summary = json.loads(outcome.output.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        verdict.fail(f"a reader crashed:\n{outcome.tail()}")
        return
    _expect(verdict, summary["reads"] > 0, "a reader never read")
    _expect(verdict, not summary["errors"], f"reader errors: {summary['errors'][:3]}")
    _expect(verdict, not summary["inconsistent"], f"partial loads: {summary['inconsistent'][:3]}")
    unknown = set(summary["counts"]) - set(published)
    _expect(verdict, not unknown, f"readers saw counts {unknown}, published only {published}")


# --- hostile input -------------------------------------------------------------------------------

EXPECTED_REASONS = {
    "empty.txt": "empty",
    "whitespace.txt": "whitespace_only",
    "binary.txt": "binary",
    "oversize.txt": "oversize",
    "fifo.txt": "not_regular_file",
    "link_outside.txt": "symlink_outside_root",
    "unreadable.txt": "unreadable",
    "picture.png": "unsupported_type",
}


def hostile_input(context: Context, result: Result) -> None:
    """Every kind of bad file in one folder: all accounted for, no U+FFFD, no hang."""
    harness, verdict = context.harness, result.verdict
    folder = harness.scenario_dir(_folder_name(result.name))
    source = folder / "articles"
    corpus.hostile_corpus(source)
    warehouse = folder / WAREHOUSE
    cap = str(corpus.HOSTILE_MAX_BYTES)
    changing = source / "changing.txt"
    versions = [corpus.sample_text(i).encode() for i in (2, 3, 4)]
    with corpus.changing_file(changing, versions):
        first = harness.run(source, warehouse, max_file_bytes=cap)
    _expect_run_ok(verdict, first, "the hostile run")
    _expect_run_ok(verdict, harness.run(source, warehouse, max_file_bytes=cap), "the re-run")
    _merge(verdict, check_warehouse(source, warehouse))
    if not verdict.ok:
        return
    _expect(verdict, not replacement_characters(warehouse), "U+FFFD in the warehouse")
    _check_reasons(warehouse, verdict)
    final = hashlib.sha256(versions[-1]).hexdigest()
    _expect(verdict, _ledger_id(warehouse, "changing.txt") == final, "changed file is stale")


def _check_reasons(warehouse: Path, verdict: Verdict) -> None:
    from flows.warehouse import connect

    with connect(live_path(warehouse), read_only=True) as connection:
        reasons = dict(connection.execute("select path, reason from raw.quarantine").fetchall())
    for name, reason in EXPECTED_REASONS.items():
        _expect(verdict, reasons.get(name) == reason, f"{name}: {reasons.get(name)} not {reason}")


def _ledger_id(warehouse: Path, name: str) -> str | None:
    from flows.warehouse import connect

    with connect(live_path(warehouse), read_only=True) as connection:
        row = connection.execute(
            "select file_id from raw.file_ledger where path = ?", [name]
        ).fetchone()
    return row[0] if row else None


# --- gate and environment faults -----------------------------------------------------------------


def _failing_run_changes_nothing(
    context: Context,
    result: Result,
    run: Callable[[Path, Path], RunOutcome],
    says: str,
    folder: Path | None = None,
) -> None:
    """A run that must fail cleanly: non-zero exit, its message, core untouched, then recovery."""
    verdict = result.verdict
    folder = folder or context.harness.scenario_dir(_folder_name(result.name))
    source, warehouse = context.copy_of_reference(folder)
    before = core_hashes(warehouse)
    failed = run(source, warehouse)
    _expect(verdict, not failed.ok, "the faulty run exited 0")
    _expect(verdict, says in failed.output, f"no {says!r} in its output:\n{failed.tail()}")
    _expect(verdict, core_hashes(warehouse) == before, "the failed run changed core")
    _expect_run_ok(verdict, context.harness.run(source, warehouse), "the normal re-run")
    _merge(verdict, check_warehouse(source, warehouse, context.reference()))


def broken_suite(damage: str) -> Callable[[Context, Result], None]:
    """A missing or corrupt expectation suite stops the run before it writes any data."""
    suite = "stg_topics"  # the last gate: without a preflight it would fail after all the work

    def scenario(context: Context, result: Result) -> None:
        expectations = context.harness.work_dir / f"expectations-{damage}"
        shutil.rmtree(expectations, ignore_errors=True)
        shutil.copytree(corpus.PROJECT_ROOT / "expectations", expectations)
        if damage == "missing":
            (expectations / f"{suite}.json").unlink()
        else:
            (expectations / f"{suite}.json").write_text('{"name": "stg_topics", "expect', "utf-8")

        def run(source: Path, warehouse: Path) -> RunOutcome:
            outcome = context.harness.run(source, warehouse, expectations_dir=str(expectations))
            result.verdict.problems.extend(_wrote_stage_files(warehouse))
            return outcome

        _failing_run_changes_nothing(context, result, run, suite)

    return scenario


def _wrote_stage_files(warehouse: Path) -> list[str]:
    runs = warehouse.parent / ".runs"
    staged = [path for path in runs.rglob("*.parquet")] if runs.exists() else []
    return [f"the failed run staged {len(staged)} files before failing"] if staged else []


def swallowed_transaction_error(context: Context, result: Result) -> None:
    """A statement that fails inside the load transaction and is caught: the run must fail."""

    def run(source: Path, warehouse: Path) -> RunOutcome:
        outcome = context.harness.run(source, warehouse, fault="swallow@load:in-transaction")
        _expect(result.verdict, outcome.fault_fired, "the swallowed error was never injected")
        return outcome

    _failing_run_changes_nothing(context, result, run, "did not commit")


def full_disk(context: Context, result: Result, size_mb: int = 64) -> None:
    """The warehouse disk fills up mid-run: a clear error, earlier data intact, then recovery."""
    mount_point = context.harness.scenario_dir(_folder_name(result.name)) / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if mounted.returncode != 0:
        result.skipped = f"cannot mount a small tmpfs (needs root): {mounted.stderr.strip()}"
        return
    try:
        _on_small_disk(context, result, mount_point)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


def _on_small_disk(context: Context, result: Result, disk: Path) -> None:
    filler = disk / "filler"

    def run(source: Path, warehouse: Path) -> RunOutcome:
        free = shutil.disk_usage(disk).free
        with filler.open("wb") as handle:
            handle.truncate(0)
            handle.write(b"\0" * max(free - 200_000, 0))  # tmpfs allocates on write
        outcome = context.harness.run(source, warehouse)
        filler.unlink()
        return outcome

    _failing_run_changes_nothing(context, result, run, "No space left on device", folder=disk)


# --- the catalogue -------------------------------------------------------------------------------


def all_scenarios() -> dict[str, Callable[[Context, Result], None]]:
    """In the order they start: the ones that need no reference first, so it builds meanwhile."""
    scenarios: dict[str, Callable[[Context, Result], None]] = {
        "hostile input": hostile_input,
        "readers during loads": readers_during_loads,
    }
    for stage in STAGES:
        points = tuple(point for point in POINTS if point.startswith(f"{stage}:"))
        scenarios[f"kill -9 in {stage} ({', '.join(p.split(':')[1] for p in points)})"] = crash(
            "kill", points
        )
    scenarios["SIGTERM in segment, in load"] = crash(
        "term", ("segment:before", "load:in-transaction")
    )
    scenarios["3 overlapping runs"] = overlapping_runs
    scenarios["missing expectation suite"] = broken_suite("missing")
    scenarios["corrupt expectation suite"] = broken_suite("corrupt")
    scenarios["swallowed transaction error"] = swallowed_transaction_error
    scenarios["full disk"] = full_disk
    return scenarios


STAGES = ("ingest", "segment", "extract", "gate", "load", "publish")


Scenario = Callable[[Context, Result], None]


def run_scenario(context: Context, name: str, scenario: Scenario) -> Result:
    result = Result(name)
    context.harness.runs = 0  # counted per thread: scenarios run side by side
    started = time.monotonic()
    try:
        scenario(context, result)
    except Exception as error:  # a scenario that breaks is a failed scenario, not a dead suite
        result.verdict.fail(f"the scenario raised {type(error).__name__}: {error}")
    result.seconds = time.monotonic() - started
    result.runs = context.harness.runs
    return result


if __name__ == "__main__":  # pragma: no cover - `python -m reliability` is the entry point
    sys.exit("run `python -m reliability`")
