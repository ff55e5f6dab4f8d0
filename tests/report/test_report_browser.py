"""The report of the sample articles, opened in headless Chromium: charts draw, facts show.

The sample warehouse is built once for the module by running the stages, the gates and the load
as the flow does, without Prefect. The README's screenshot docs/report.png is refreshed with
RENDA_UPDATE_SCREENSHOT=1; otherwise the screenshot goes to a temporary folder, so running the
tests never changes the repository.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path

import pytest

from flows import ops
from flows.gates import check_gate
from flows.report import build_report
from flows.settings import PROJECT_ROOT, Settings
from flows.stage_io import read_table
from flows.stages import CorpusState, extract_stage, ingest_stage, run_idf, segment_stage
from flows.warehouse import RunInfo, load_batch, publish_snapshot
from tests.browser import Chromium, is_real_png, screenshot_target

pytestmark = pytest.mark.slow

RUN_ID = "sample-run"


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    settings = Settings(warehouse_path=root / "renda.duckdb")
    stage_dir = root / "stage"
    source = PROJECT_ROOT / "seeds" / "articles"
    ops.record_run_start(settings, RUN_ID, str(source), "test")
    ingest = ingest_stage(source, stage_dir, root / "quarantine", CorpusState(), 5_000_000)
    segment_stage(stage_dir)
    extract_stage(stage_dir, run_idf([stage_dir], CorpusState()), settings.keywords_per_article)
    gates = [
        check_gate(read_table(stage_dir, suite.stem), settings.expectations_dir, suite.stem)
        for suite in sorted(settings.expectations_dir.glob("*.json"))  # suite name == table
    ]
    run = RunInfo(run_id=RUN_ID, extractor_version="test")
    load_batch(settings.live_warehouse_path, settings.sql_dir, stage_dir, run)
    ops.record_run_end(settings, RUN_ID, "completed", {"ingest": asdict(ingest)}, gates)
    return publish_snapshot(settings.live_warehouse_path, settings.warehouse_path)


@pytest.fixture(scope="module")
def report(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report(sample_warehouse, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def dom(chromium: Chromium, report: Path) -> str:
    """The page as Chromium holds it after plotly.js and the table script ran."""
    return chromium.dump_dom(report.as_uri())


def chart_ids(page: str) -> list[str]:
    return re.findall(r'<div id="(chart-[\w-]+)"', page)


def test_report_draws_every_chart_in_chromium(report: Path, dom: str) -> None:
    expected = chart_ids(report.read_text(encoding="utf-8"))
    assert len(expected) >= 8  # region, source, units, keywords x2, slogans, people, topics, gates
    for chart_id in expected:
        start = dom.index(f'id="{chart_id}"')
        drawn = dom[start : dom.find('<div class="chart"', start)]
        assert 'class="main-svg"' in drawn, f"{chart_id} has no SVG"
        assert re.search(r'class="(?:trace |hm|point)', drawn), f"{chart_id} drew no data"


def test_report_shows_the_sample_quantities_in_chromium(dom: str) -> None:
    rows = re.findall(r"<tr>(.*?)</tr>", dom, flags=re.S)
    # A fact of the samples: 273 代表联络站 (a count the quantity extractor must find).
    assert [row for row in rows if "代表联络站" in row and ">273<" in row]


def test_report_runs_the_table_script_in_chromium(dom: str) -> None:
    # The row counter is written by report.js: it ran, on every filterable table.
    counters = re.findall(r'<span class="row-count">(\d+) of (\d+) rows</span>', dom)
    assert counters
    assert [] == [(shown, total) for shown, total in counters if shown != total]


def test_report_shows_the_last_run_and_its_gates_in_chromium(dom: str) -> None:
    assert "completed" in dom
    assert "stg_quantities" in dom


def test_report_screenshot_is_saved(chromium: Chromium, report: Path, tmp_path: Path) -> None:
    screenshot = chromium.screenshot(report.as_uri(), screenshot_target("report.png", tmp_path))
    assert is_real_png(screenshot, min_bytes=50_000)
