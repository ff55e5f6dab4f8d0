"""Progress of long stage loops: counts and rates, as bars on a terminal and as log lines elsewhere.

Stages call `track(items, name, total, unit)` (or `stage(...)` for an `advance(count)` callback)
and never decide where progress goes, so they stay free of Prefect and of the terminal:

- on a terminal, a rich bar per stage with count, rate and elapsed time;
- otherwise (CI, pipes, Prefect workers), a plain line every few seconds and one at the end,
  such as "segment: 1,200/2,000 articles (85.3/s)", so logs stay readable;
- inside a Prefect run, lines go through the run logger, so they show in the UI too (on a
  terminal only the final line, the bar shows the rest).

Tests and callers that know better inject a reporter with `reporting(reporter)`.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from contextvars import ContextVar
from typing import Protocol, TypeVar

Item = TypeVar("Item")
Advance = Callable[[int], None]

LINE_INTERVAL_SECONDS = 5.0  # often enough to see a stage move, rare enough to read the log


class Reporter(Protocol):
    def stage(self, name: str, total: int | None, unit: str) -> AbstractContextManager[Advance]:
        """Yields `advance(count)`; reports the end when the block exits."""
        ...


_INJECTED: ContextVar[Reporter | None] = ContextVar("renda_progress_reporter", default=None)


@contextmanager
def stage(name: str, total: int | None, unit: str) -> Iterator[Advance]:
    """Report one stage's loop: call `advance(count)` after every `count` items done."""
    with current_reporter().stage(name, total, unit) as advance:
        yield advance


def track(
    items: Iterable[Item],
    name: str,
    total: int | None,
    unit: str,
    size: Callable[[Item], int] = lambda item: 1,
) -> Iterator[Item]:
    """`items`, reporting `size(item)` units done once the caller has finished with each."""
    with stage(name, total, unit) as advance:
        for item in items:
            yield item
            advance(size(item))


@contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Send the progress of every stage run inside this block to `reporter`."""
    token = _INJECTED.set(reporter)
    try:
        yield reporter
    finally:
        _INJECTED.reset(token)


def current_reporter() -> Reporter:
    return _INJECTED.get() or choose_reporter(sys.stdout.isatty(), _prefect_run_logger())


def choose_reporter(is_terminal: bool, run_logger: logging.Logger | None) -> Reporter:
    """Bars for a person at a terminal, lines for logs; a Prefect run's logger always gets lines."""
    if is_terminal and run_logger is None:
        return BarReporter()
    if is_terminal:  # the bar shows the way; the run's log in the UI keeps the final count
        return FanOut(BarReporter(), LineReporter(run_logger.info, interval=math.inf))
    logger = run_logger or logging.getLogger("flows.progress")
    return LineReporter(logger.info)


def _prefect_run_logger() -> logging.Logger | None:
    """The run logger when called inside a Prefect flow or task run; never imports Prefect."""
    if "prefect" not in sys.modules:
        return None
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return None


# --- plain lines ---------------------------------------------------------------------------------


class LineReporter:
    """A line per `interval` seconds while a stage runs, and a final line with its time."""

    def __init__(
        self,
        emit: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
        interval: float = LINE_INTERVAL_SECONDS,
    ) -> None:
        self.emit, self.clock, self.interval = emit, clock, interval

    @contextmanager
    def stage(self, name: str, total: int | None, unit: str) -> Iterator[Advance]:
        started = last_line = self.clock()
        done = 0

        def advance(count: int = 1) -> None:
            nonlocal done, last_line
            done += count
            now = self.clock()
            if now - last_line >= self.interval:
                self.emit(progress_line(name, done, total, unit, now - started))
                last_line = now

        try:
            yield advance
        except BaseException:
            self.emit(f"{progress_line(name, done, total, unit, self.clock() - started)} stopped")
            raise
        self.emit(final_line(name, done, total, unit, self.clock() - started))


def progress_line(name: str, done: int, total: int | None, unit: str, seconds: float) -> str:
    """'segment: 1,200/2,000 articles (85.3/s)'; without a total, 'load: 1,200 rows (85.3/s)'."""
    return f"{name}: {_count(done, total)} {unit} ({_rate(done, seconds)})"


def final_line(name: str, done: int, total: int | None, unit: str, seconds: float) -> str:
    """'segment: 2,000/2,000 articles in 23.4 s (85.3/s)'."""
    return f"{name}: {_count(done, total)} {unit} in {seconds:.1f} s ({_rate(done, seconds)})"


def _count(done: int, total: int | None) -> str:
    return f"{done:,}" if total is None else f"{done:,}/{total:,}"


def _rate(done: int, seconds: float) -> str:
    return f"{done / seconds:,.1f}/s" if seconds > 0 else "-/s"


# --- terminal bars -------------------------------------------------------------------------------


class BarReporter:
    """A rich bar per stage (count, rate, elapsed), left on screen when the stage ends."""

    def __init__(self, console=None) -> None:
        self.console = console

    @contextmanager
    def stage(self, name: str, total: int | None, unit: str) -> Iterator[Advance]:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit),
            _rate_column(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self.console) as bars:
            task = bars.add_task(name, total=total)
            yield lambda count=1: bars.advance(task, count)


def _rate_column():
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Items per second over the whole stage (rich's own speed column is for bytes)."""

        def render(self, task) -> Text:
            seconds = task.elapsed or 0.0
            return Text(_rate(int(task.completed), seconds), style="progress.data.speed")

    return RateColumn()


class FanOut:
    """The same progress to several reporters."""

    def __init__(self, *reporters: Reporter) -> None:
        self.reporters = reporters

    @contextmanager
    def stage(self, name: str, total: int | None, unit: str) -> Iterator[Advance]:
        with ExitStack() as stack:
            advances = [stack.enter_context(r.stage(name, total, unit)) for r in self.reporters]

            def advance(count: int = 1) -> None:
                for each in advances:
                    each(count)

            yield advance
