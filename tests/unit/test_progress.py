"""Progress of long stages: plain lines, the choice of reporter, and the counts stages report."""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.console import Console

from flows import progress
from flows.progress import BarReporter, FanOut, LineReporter, choose_reporter
from flows.stage_io import read_table
from flows.stages import CorpusState, extract_stage, ingest_stage, run_idf, segment_stage
from tests.conftest import PROJECT_ROOT, SEED_ARTICLES


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class RecordingReporter:
    """Keeps, per stage, the total it announced and the units it was told were done."""

    def __init__(self) -> None:
        self.stages: dict[str, dict] = {}

    @contextmanager
    def stage(self, name, total, unit):
        record = self.stages[name] = {"total": total, "unit": unit, "done": 0, "finished": False}

        def advance(count=1):
            record["done"] += count

        yield advance
        record["finished"] = True


def run_line_stage(steps: list[tuple[float, int]], total: int | None = 2000) -> list[str]:
    """Lines a LineReporter emits for `steps` of (seconds later, items done)."""
    clock, lines = FakeClock(), []
    reporter = LineReporter(lines.append, clock=clock, interval=5.0)
    with reporter.stage("segment", total=total, unit="articles") as advance:
        for seconds, count in steps:
            clock.now += seconds
            advance(count)
    return lines


def test_line_reporter_shows_count_total_and_rate_every_interval():
    lines = run_line_stage([(5.0, 400), (5.0, 800), (4.0, 800)])

    assert [
        "segment: 400/2,000 articles (80.0/s)",
        "segment: 1,200/2,000 articles (120.0/s)",
        "segment: 2,000/2,000 articles in 14.0 s (142.9/s)",
    ] == lines


def test_line_reporter_throttles_lines_to_one_per_interval():
    lines = run_line_stage([(1.0, 10)] * 12, total=120)  # 12 s: lines at 5 s and 10 s, then final

    assert [
        "segment: 50/120 articles (10.0/s)",
        "segment: 100/120 articles (10.0/s)",
        "segment: 120/120 articles in 12.0 s (10.0/s)",
    ] == lines


def test_line_reporter_gives_a_final_line_for_a_short_stage():
    lines = run_line_stage([(0.5, 3)], total=3)

    assert ["segment: 3/3 articles in 0.5 s (6.0/s)"] == lines


def test_line_reporter_without_a_total_shows_the_count():
    lines = run_line_stage([(2.0, 30)], total=None)

    assert ["segment: 30 articles in 2.0 s (15.0/s)"] == lines


def test_line_reporter_says_where_a_failed_stage_stopped():
    clock, lines = FakeClock(), []
    with (
        pytest.raises(RuntimeError),
        LineReporter(lines.append, clock=clock).stage("load", 10, "rows") as advance,
    ):
        clock.now += 1.0
        advance(4)
        raise RuntimeError("the transaction failed")

    assert ["load: 4/10 rows (4.0/s) stopped"] == lines


def test_a_stage_without_time_passing_has_no_rate():
    lines = run_line_stage([(0.0, 0)], total=0)

    assert ["segment: 0/0 articles in 0.0 s (-/s)"] == lines


@pytest.mark.parametrize(
    ("is_terminal", "in_prefect_run", "expected"),
    [
        (True, False, [BarReporter]),
        (False, False, [LineReporter]),
        (False, True, [LineReporter]),
        (True, True, [BarReporter, LineReporter]),  # the bar, and the final line for the UI
    ],
)
def test_reporter_is_bars_on_a_terminal_and_lines_elsewhere(is_terminal, in_prefect_run, expected):
    run_logger = logging.getLogger("test.run") if in_prefect_run else None

    reporter = choose_reporter(is_terminal, run_logger)

    parts = reporter.reporters if isinstance(reporter, FanOut) else (reporter,)
    assert expected == [type(part) for part in parts]


def test_lines_of_a_prefect_run_go_to_its_logger(caplog):
    run_logger = logging.getLogger("test.run")

    reporter = choose_reporter(False, run_logger)

    with (
        caplog.at_level(logging.INFO, logger="test.run"),
        reporter.stage("ingest", 2, "files") as advance,
    ):
        advance(2)

    assert 1 == len(caplog.records)
    assert caplog.records[0].getMessage().startswith("ingest: 2/2 files in ")


def test_on_a_terminal_only_the_final_line_reaches_the_run_log(caplog):
    run_logger = logging.getLogger("test.run")
    reporter = choose_reporter(True, run_logger)
    reporter.reporters[0].console = Console(file=io.StringIO())

    with (
        caplog.at_level(logging.INFO, logger="test.run"),
        reporter.stage("extract", 100, "articles") as advance,
    ):
        for _ in range(100):
            advance(1)

    assert ["extract: 100/100 articles"] == [
        record.getMessage().split(" in ")[0] for record in caplog.records
    ]


def test_bar_shows_stage_count_and_unit():
    screen = io.StringIO()
    reporter = BarReporter(Console(file=screen, width=100, force_terminal=False))

    with reporter.stage("segment", 20, "articles") as advance:
        advance(20)

    assert "segment" in screen.getvalue()
    assert "20/20 articles" in screen.getvalue()


def test_an_injected_reporter_wins_over_the_context():
    recorder = RecordingReporter()

    with progress.reporting(recorder):
        assert list(progress.track(["a", "b", "c"], "ingest", 3, "files")) == ["a", "b", "c"]

    assert {"total": 3, "unit": "files", "done": 3, "finished": True} == recorder.stages["ingest"]


@pytest.fixture(scope="module")
def staged_samples(tmp_path_factory) -> tuple[Path, RecordingReporter]:
    """The sample articles through ingest, segment and extract, with every report recorded."""
    stage = tmp_path_factory.mktemp("stage")
    recorder = RecordingReporter()
    with progress.reporting(recorder):
        ingest_stage(SEED_ARTICLES, stage, stage.parent / "q", CorpusState(), 10**6)
        segment_stage(stage)
        extract_stage(stage, run_idf([stage], CorpusState()), 5)
    return stage, recorder


def test_ingest_reports_every_file_it_read(staged_samples):
    stage, recorder = staged_samples
    files = read_table(stage, "stg_files").height

    assert {"total": files, "unit": "files", "done": files, "finished": True} == (
        recorder.stages["ingest"]
    )


@pytest.mark.parametrize("name", ["segment", "extract"])
def test_segment_and_extract_report_every_staged_article(staged_samples, name):
    stage, recorder = staged_samples
    articles = read_table(stage, "stg_articles").height

    assert articles > 1
    assert {"total": articles, "unit": "articles", "done": articles, "finished": True} == (
        recorder.stages[name]
    )


def test_load_reports_every_staged_row(staged_samples, tmp_path):
    from flows.warehouse import RunInfo, load_batch

    stage, _ = staged_samples
    recorder = RecordingReporter()
    with progress.reporting(recorder):
        result = load_batch(
            tmp_path / "w.duckdb", PROJECT_ROOT / "warehouse", stage, RunInfo("r", "t")
        )

    rows = sum(result.staged_rows.values())
    assert {"total": rows, "unit": "rows", "done": rows, "finished": True} == recorder.stages[
        "load"
    ]


def test_segment_on_a_process_pool_reports_every_article(tmp_path):
    from bench.corpus import CorpusSpec, write_corpus

    source = tmp_path / "corpus"
    write_corpus(SEED_ARTICLES, source, CorpusSpec(articles=80, seed=3))  # above one batch
    stage = tmp_path / "stage"
    recorder = RecordingReporter()
    with progress.reporting(recorder):
        ingest_stage(source, stage, tmp_path / "q", CorpusState(), 10**6, workers=2)
        segment_stage(stage, workers=2)

    articles = read_table(stage, "stg_articles").height
    assert articles > 64  # more than one batch per worker, so the pool really ran
    assert articles == recorder.stages["segment"]["done"] == recorder.stages["segment"]["total"]
