"""`python -m reliability [--only TEXT ...] [--workers N] [--keep]`: run the suite, print the table.

The last line is exactly `N passed, M failed` (CI reads it); the exit code is 1 if any failed.
A skipped scenario (for example the full disk without root) counts as neither.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Prefect and the pipeline run in subprocesses; this process only needs quiet telemetry.
os.environ.setdefault("DO_NOT_TRACK", "1")

from reliability.harness import Harness, start_prefect_server
from reliability.scenarios import Context, Result, all_scenarios, run_scenario

COLUMNS = ("scenario", "runs", "files accounted", "rows lost", "rows duplicated", "outcome")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m reliability", description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="scenarios whose name has")
    parser.add_argument("--workers", type=int, default=2, help="scenarios run side by side")
    parser.add_argument("--work-dir", type=Path, help="where scenarios put their files")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.add_argument("--list", action="store_true", help="list the scenarios and stop")
    return parser.parse_args(argv)


def chosen(only: list[str]) -> dict:
    scenarios = all_scenarios()
    if not only:
        return scenarios
    return {name: run for name, run in scenarios.items() if any(text in name for text in only)}


def table(results: list[Result]) -> str:
    rows = [COLUMNS] + [
        (
            result.name,
            str(result.runs),
            f"{result.verdict.files_accounted}/{result.verdict.files_expected}",
            str(result.verdict.rows_lost),
            str(result.verdict.rows_duplicated),
            result.outcome,
        )
        for result in results
    ]
    widths = [max(len(row[index]) for row in rows) for index in range(len(COLUMNS))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def explain(results: list[Result]) -> str:
    notes = []
    for result in results:
        if result.skipped:
            notes.append(f"- {result.name}: skipped: {result.skipped}")
        for problem in result.verdict.problems:
            notes.append(f"- {result.name}: {problem}")
    return "\n".join(notes)


def run_all(harness: Harness, scenarios: dict, workers: int) -> list[Result]:
    context = Context(harness)  # builds the reference when a scenario first needs it
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(run_scenario, context, name, scenario)
            for name, scenario in scenarios.items()
        ]
        results = []
        for future in futures:
            result = future.result()
            print(f"  {result.outcome:7} {result.name} ({result.seconds:.0f} s)", flush=True)
            results.append(result)
    return results


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    scenarios = chosen(arguments.only)
    if arguments.list:
        print("\n".join(scenarios))
        return 0
    work_dir = arguments.work_dir or Path(tempfile.mkdtemp(prefix="renda-reliability-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    harness = Harness(work_dir.resolve())
    started = time.monotonic()
    print(f"reliability: {len(scenarios)} scenarios in {work_dir}", flush=True)
    server = start_prefect_server(harness)
    try:
        results = run_all(harness, scenarios, arguments.workers)
    finally:
        from flows.serve import stop_server

        stop_server(server)
        if not arguments.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    passed = sum(result.outcome == "pass" for result in results)
    failed = sum(result.outcome == "FAIL" for result in results)
    print(f"\n{table(results)}\n")
    if explain(results):
        print(explain(results) + "\n")
    print(f"suite time: {time.monotonic() - started:.0f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
