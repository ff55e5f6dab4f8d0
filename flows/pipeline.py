"""The parent flow `renda-etl`: ingest -> gate -> segment -> gate -> extract -> gate -> load.

Each stage is a task over a run folder of Parquet files (tasks pass paths, not frames), each
stage output passes its Great Expectations suite before the next stage starts, and the load
publishes the whole batch in one DuckDB transaction or nothing at all.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows import ops
from flows.gates import GateFailed, GateResult, check_gate
from flows.lineage import extractor_version
from flows.settings import Settings, get_settings
from flows.stage_io import read_table
from flows.stages import extract_stage, ingest_stage, segment_stage
from flows.warehouse import RunInfo, load_batch, publish_snapshot, read_corpus_state

INGEST_SUITES = ("stg_files", "stg_articles")
SEGMENT_SUITES = ("stg_tokens",)
EXTRACT_SUITES = (
    "stg_term_mentions",
    "stg_keywords",
    "stg_quantities",
    "stg_people",
    "stg_places",
    "stg_organizations",
    "stg_laws",
    "stg_slogans",
    "stg_votes",
    "stg_meetings",
    "stg_dated_events",
    "stg_topics",
    "stg_article_regions",
)


@dataclass
class RunSummary:
    run_id: str
    source: str
    warehouse: str
    stage_counts: dict[str, object] = field(default_factory=dict)
    gates_passed: list[str] = field(default_factory=list)
    core_rows: dict[str, int] = field(default_factory=dict)
    nothing_to_do: bool = False


@task(name="ingest_articles", cache_policy=NO_CACHE)
def ingest_articles(source: str, stage_dir: Path, settings: Settings) -> dict:
    corpus = read_corpus_state(settings.live_warehouse_path, with_articles=True, with_terms=False)
    quarantine_dir = settings.warehouse_path.parent / "quarantine"
    counts = ingest_stage(source, stage_dir, quarantine_dir, corpus, settings.max_file_bytes)
    get_run_logger().info("ingest: %s", counts)
    return asdict(counts)


@task(name="segment_articles", cache_policy=NO_CACHE)
def segment_articles(stage_dir: Path) -> int:
    tokens = segment_stage(stage_dir)
    get_run_logger().info("segment: %d tokens", tokens)
    return tokens


@task(name="extract_facts", cache_policy=NO_CACHE)
def extract_facts(stage_dir: Path, settings: Settings) -> dict[str, int]:
    corpus = read_corpus_state(settings.live_warehouse_path, with_articles=False, with_terms=True)
    counts = extract_stage(stage_dir, corpus, settings.keywords_per_article)
    get_run_logger().info("extract: %s", counts)
    return counts


@task(name="check_gate", cache_policy=NO_CACHE, task_run_name="gate-{suite_name}")
def gate_table(stage_dir: Path, suite_name: str, expectations_dir: Path) -> GateResult:
    data = read_table(stage_dir, suite_name)
    result = check_gate(data, expectations_dir, suite_name)
    get_run_logger().info("gate %s passed on %d rows", suite_name, result.row_count)
    return result


@task(name="load_warehouse", cache_policy=NO_CACHE)
def load_warehouse(stage_dir: Path, settings: Settings, run_id: str) -> dict[str, int]:
    run = RunInfo(run_id=run_id, extractor_version=extractor_version())
    result = load_batch(settings.live_warehouse_path, settings.sql_dir, stage_dir, run)
    get_run_logger().info(
        "load: %d articles replaced, committed in %.2fs", result.replaced_articles, result.seconds
    )
    return result.core_rows


@task(name="publish_warehouse", cache_policy=NO_CACHE)
def publish_warehouse(settings: Settings) -> str:
    published = publish_snapshot(settings.live_warehouse_path, settings.warehouse_path)
    get_run_logger().info("published the read snapshot %s", published)
    return str(published)


@flow(name="renda-etl", log_prints=True)
def renda_etl(source: str | None = None, warehouse: str | None = None) -> RunSummary:
    """Load a folder (or glob) of article files into the DuckDB warehouse."""
    settings = _settings_for(warehouse)
    source = source or str(settings.source_dir)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    summary = RunSummary(run_id, source, str(settings.warehouse_path))
    stage_dir = settings.work_dir / run_id
    ops.record_run_start(settings, run_id, source, extractor_version())
    gates: list[GateResult] = []
    try:
        _run_stages(source, stage_dir, settings, summary, gates)
    except BaseException as error:
        _record_failure(settings, summary, gates, error)
        publish_warehouse(settings)  # core is unchanged; readers see the failure in rpt_runs
        raise
    ops.record_run_end(settings, run_id, "completed", summary.stage_counts, gates)
    publish_warehouse(settings)
    shutil.rmtree(stage_dir, ignore_errors=True)  # the warehouse now holds everything staged
    return summary


def _run_stages(
    source: str, stage_dir: Path, settings: Settings, summary: RunSummary, gates: list[GateResult]
) -> None:
    ingest = ingest_articles(source, stage_dir, settings)
    summary.stage_counts["ingest"] = ingest
    if ingest["files_loaded"] + ingest["files_quarantined"] == 0:
        summary.nothing_to_do = True  # every file unchanged since the last run
        return
    suites = INGEST_SUITES if ingest["files_loaded"] else ("stg_files",)
    _gate(stage_dir, suites, settings, summary, gates)
    if ingest["files_loaded"]:
        summary.stage_counts["segment"] = {"tokens": segment_articles(stage_dir)}
        _gate(stage_dir, SEGMENT_SUITES, settings, summary, gates)
        summary.stage_counts["extract"] = extract_facts(stage_dir, settings)
        _gate(stage_dir, EXTRACT_SUITES, settings, summary, gates)
    summary.core_rows = load_warehouse(stage_dir, settings, summary.run_id)
    summary.gates_passed.append("warehouse_checks")


def _gate(
    stage_dir: Path,
    suites: tuple[str, ...],
    settings: Settings,
    summary: RunSummary,
    gates: list[GateResult],
) -> None:
    for suite_name in suites:
        try:
            result = gate_table(stage_dir, suite_name, settings.expectations_dir)
        except GateFailed as failure:
            gates.append(failure.result)
            raise
        gates.append(result)
        summary.gates_passed.append(suite_name)


def _record_failure(
    settings: Settings, summary: RunSummary, gates: list[GateResult], error: BaseException
) -> None:
    try:
        ops.record_run_end(
            settings, summary.run_id, "failed", summary.stage_counts, gates, error=repr(error)
        )
    except Exception as secondary:  # the original error matters more than its bookkeeping
        get_run_logger().error("could not record the failed run: %s", secondary)


def _settings_for(warehouse: str | None) -> Settings:
    settings = get_settings()
    if warehouse:
        settings = settings.model_copy(update={"warehouse_path": Path(warehouse).resolve()})
    return settings
