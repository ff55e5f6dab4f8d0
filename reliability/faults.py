"""Run `renda` with one fault injected at a named point: the test-only crash hook.

    python -m reliability.faults kill@load:in-transaction MARKER -- run SOURCE --warehouse W

The fault is installed by patching the pipeline's own functions in this process before the CLI
starts, so nothing in flows/ reads a fault switch and production code has no test branch. When
the point is reached the wrapper writes MARKER (so the runner knows the fault really fired),
then acts:

- kill:    SIGKILL to itself (no hook, no finally, no Prefect bookkeeping: a power cut)
- term:    SIGTERM to itself (what a service manager sends; Prefect marks the run CRASHED)
- swallow: runs a failing statement inside the load transaction and swallows the error, the
           mistake DuckDB 2.0 punishes with a silent rollback at COMMIT

Points are `stage:when`; see POINTS.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ACTIONS = ("kill", "term", "swallow")


def _fire(action: str, marker: Path) -> None:
    marker.write_text(action, encoding="utf-8")
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "term":
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(60)  # the handler raises in the main thread at the next bytecode


def _around(module: Any, name: str, before: bool, fire: Callable[[], None], nth: int = 1) -> None:
    """Replace module.name by a wrapper that fires on its nth call, before or after the call."""
    original = getattr(module, name)
    calls = {"count": 0}

    def wrapper(*args, **kwargs):
        calls["count"] += 1
        hit = calls["count"] == nth
        if hit and before:
            fire()
        result = original(*args, **kwargs)
        if hit and not before:
            fire()
        return result

    setattr(module, name, wrapper)


class _OsWithFaultyReplace:
    """The os module as flows.warehouse sees it, except that replace() fires first."""

    def __init__(self, fire: Callable[[], None]) -> None:
        self._fire = fire

    def replace(self, *args, **kwargs):
        self._fire()
        return os.replace(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(os, name)


def swallowing_after(original: Callable, fire: Callable[[], None]) -> Callable:
    """`original`, then a failing statement whose error is caught (the last before COMMIT).

    Any later statement would fail loudly on the aborted transaction; only COMMIT rolls back
    without a word, so the swallowed failure must come right before it.
    """

    def wrapper(connection, *args):
        original(connection, *args)
        fire()
        # The bug under test: an error caught, and the transaction carried on.
        with contextlib.suppress(Exception):
            connection.execute("insert into raw.file_ledger (path) values (null)")

    return wrapper


def install(point: str, action: str, marker: Path) -> None:
    """Patch the function at `point` so that `action` happens there."""
    import flows.pipeline as pipeline
    import flows.warehouse as warehouse

    def fire() -> None:
        _fire(action, marker)

    stage_points = {
        "ingest": "ingest_stage",
        "segment": "segment_stage",
        "extract": "extract_stage",
    }
    stage, _, when = point.partition(":")
    if stage in stage_points:
        _around(pipeline, stage_points[stage], when == "before", fire)
    elif point == "gate:first":
        _around(pipeline, "check_gate", True, fire)
    elif point == "gate:middle":
        _around(pipeline, "check_gate", True, fire, nth=len(pipeline.INGEST_SUITES) + 3)
    elif point == "load:in-transaction" and action == "swallow":
        warehouse._audit = swallowing_after(warehouse._audit, fire)
    elif point == "load:in-transaction":
        _around(warehouse, "_audit", False, fire)  # every write done, COMMIT not yet sent
    elif point == "load:after-commit":
        _around(warehouse, "_prove_batch_committed", True, fire)
    elif point == "publish:mid-copy":
        warehouse.os = _OsWithFaultyReplace(fire)  # the copy is written, not yet renamed
    elif point == "publish:after":
        _around(pipeline, "publish_snapshot", False, fire)
    else:
        raise SystemExit(f"unknown fault point {point!r}; see reliability/faults.py")


POINTS = (
    "ingest:before",
    "ingest:after",
    "segment:before",
    "segment:after",
    "extract:before",
    "extract:after",
    "gate:first",
    "gate:middle",
    "load:in-transaction",
    "load:after-commit",
    "publish:mid-copy",
    "publish:after",
)


def main(argv: list[str]) -> None:
    spec, marker, separator, *cli_args = argv
    action, _, point = spec.partition("@")
    if action not in ACTIONS or separator != "--":
        raise SystemExit(__doc__)
    install(point, action, Path(marker))
    from flows.cli import main as renda

    sys.argv = ["renda", *cli_args]
    renda()


if __name__ == "__main__":
    main(sys.argv[1:])
