"""One sample warehouse for the SQL tests: the seed articles through every stage, loaded once.

The stages run as plain functions (no Prefect), and two runs are recorded in ops so the run
history and data-quality views have something to show: an earlier failed run whose gate failed,
then the run that loaded the batch and passed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flows import ops
from flows.gates import ExpectationOutcome, GateResult
from flows.settings import PROJECT_ROOT, Settings
from flows.stages import CorpusState, extract_stage, ingest_stage, run_idf, segment_stage
from flows.warehouse import RunInfo, load_batch

SQL_DIR = PROJECT_ROOT / "warehouse"
SEED_ARTICLES = PROJECT_ROOT / "seeds" / "articles"
FAILED_RUN = "run-failed"
LOADED_RUN = "run-loaded"


def gate_result(success: bool) -> GateResult:
    outcome = ExpectationOutcome(
        0, "expect_column_values_to_not_be_null", "article_id", success, 0 if success else 1, None
    )
    return GateResult("stg_articles", success, 20, [outcome], raw={})


def stage_sample(stage_dir: Path, quarantine_dir: Path) -> None:
    corpus = CorpusState()  # an empty warehouse: every seed file is new
    ingest_stage(SEED_ARTICLES, stage_dir, quarantine_dir, corpus, max_bytes=5_000_000)
    segment_stage(stage_dir)
    extract_stage(stage_dir, run_idf([stage_dir], corpus), keyword_count=10)


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the loaded sample warehouse; open it read-only (copy it to change it).

    Session scope on purpose: the pipeline takes ~15 s, so every SQL test module shares one build.
    """
    root = tmp_path_factory.mktemp("sample")
    settings = Settings(warehouse_path=root / "w.duckdb", sql_dir=SQL_DIR)
    warehouse = settings.live_warehouse_path
    ops.record_run_start(settings, FAILED_RUN, str(SEED_ARTICLES), "test")
    ops.record_run_end(settings, FAILED_RUN, "failed", {}, [gate_result(False)], error="boom")
    time.sleep(0.01)  # the later run must have a later checked_at than the failed one
    ops.record_run_start(settings, LOADED_RUN, str(SEED_ARTICLES), "test")
    stage_sample(root / "stage", root / "quarantine")
    load_batch(warehouse, SQL_DIR, root / "stage", RunInfo(LOADED_RUN, "test"))
    ops.record_run_end(settings, LOADED_RUN, "completed", {}, [gate_result(True)])
    return warehouse
