"""The parent flow `renda-etl`: ingest -> gate -> segment -> gate -> extract -> gate -> load.

Each stage is a task over a run folder of Parquet files (tasks pass paths, not frames), each
stage output passes its Great Expectations suite before the next stage starts, and the load
publishes the whole batch in one DuckDB transaction or nothing at all. A run with more than
`batch_articles` articles is ingested and deduplicated as a whole, then segmented, extracted,
gated and loaded one batch of whole files at a time (flows/batches.py), so its memory is that of
a batch.

Every run leaves artifacts in the Prefect UI (stage counts, one table per gate, a summary of what
it found, a link to its Data Docs) and one row in ops.runs, written by the flow on success and by
the flow's on_failure/on_crashed hooks otherwise. Tasks that open the warehouse retry, with
backoff, only when another process holds DuckDB's lock: any other error fails at once.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff

from flows import artifacts, ops, stage_cache
from flows.batches import split_stage
from flows.dask_runner import batches_on_flow_cluster, task_runner_for
from flows.gates import (
    GateFailed,
    GateHistory,
    GateResult,
    build_data_docs,
    check_gate,
    gx_context_dir,
    load_suite_definition,
    suite_columns,
)
from flows.lineage import extractor_version
from flows.parallel import in_fresh_process
from flows.settings import Settings, get_settings
from flows.stage_cache import CachedStage
from flows.stage_io import (
    keep_memory_flat_across_batches,
    read_columns,
    read_table,
    release_freed_memory,
    staging_schemas,
)
from flows.stages import (
    EXTRACT_OUTPUTS,
    SEGMENT_OUTPUTS,
    extract_stage,
    ingest_stage,
    read_idf,
    run_idf,
    segment_stage,
    write_idf,
)
from flows.warehouse import (
    LOCK_ERROR_PREFIX,
    RunInfo,
    WarehouseLocked,
    load_batch,
    publish_snapshot,
    read_corpus_state,
    stored_article_files,
)

IDF_FILE = "run_idf.parquet"  # in the run folder, beside the batches it was learnt from
FILE_SUITES = ("stg_files",)  # the whole run, before it is split into batches
ARTICLE_SUITES = ("stg_articles", "stg_fingerprints")  # each batch
INGEST_SUITES = (*FILE_SUITES, *ARTICLE_SUITES)
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
    reused_stages: list[str] = field(default_factory=list)  # taken from the stage cache
    cache_entries: list[str] = field(default_factory=list)


def warehouse_locked(task, task_run, state) -> bool:
    """Retry only when another process holds the DuckDB file: that clears when it closes."""
    try:
        state.result()
    except WarehouseLocked:
        return True
    except Exception as error:  # a raw DuckDB error from a path that does not wrap it
        return LOCK_ERROR_PREFIX in str(error)
    return False


# DuckDB has no lock wait: 5 tries over about a minute outlast a load or a query, not a stuck
# client, and the jitter keeps two waiting runs from colliding again.
LOCK_RETRIES = {
    "retries": 5,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": warehouse_locked,
}


@task(name="ingest_articles", cache_policy=NO_CACHE, **LOCK_RETRIES)
def ingest_articles(source: str, stage_dir: Path, settings: Settings) -> dict:
    corpus = read_corpus_state(
        settings.live_warehouse_path, with_fingerprints=True, with_terms=False
    )
    quarantine_dir = settings.warehouse_path.parent / "quarantine"
    counts = ingest_stage(
        source, stage_dir, quarantine_dir, corpus, settings.max_file_bytes, workers=settings.workers
    )
    get_run_logger().info("ingest: %s", counts)
    return asdict(counts)


# Segment and extract are cached on their inputs' content (flows/stage_cache.py); the flow sets
# their result storage to the warehouse's stage cache folder.
@task(name="segment_articles", cache_key_fn=stage_cache.segment_key, persist_result=True)
def segment_articles(stage_dir: Path, settings: Settings) -> CachedStage:
    with batches_on_flow_cluster():
        tokens = segment_stage(stage_dir, workers=settings.workers)
    get_run_logger().info("segment: %d tokens", tokens)
    return _keep_outputs(stage_dir, SEGMENT_OUTPUTS, settings, {"tokens": tokens})


@task(name="learn_idf", cache_policy=NO_CACHE, **LOCK_RETRIES)
def learn_idf(stage_dir: Path, batch_dirs: list[Path], settings: Settings) -> Path:
    """IDF over what the warehouse will hold after this run, for the keywords of every batch.

    The run's files replace their earlier rows: their old terms must not count twice, or
    re-processing a file would give other keywords than loading it once. Learnt once for the
    whole run, so the keywords of a file do not depend on the batch it fell in.
    """
    run_files = frozenset().union(*(stage_cache.batch_paths(batch) for batch in batch_dirs))
    corpus = read_corpus_state(
        settings.live_warehouse_path,
        with_fingerprints=False,
        with_terms=True,
        excluding_paths=run_files,
    )
    with batches_on_flow_cluster():
        idf = run_idf(batch_dirs, corpus, settings.workers)
    idf_file = stage_dir / IDF_FILE
    write_idf(idf_file, idf)
    get_run_logger().info("IDF of %d terms over %d batches", len(idf), len(batch_dirs))
    return idf_file


@task(name="extract_facts", cache_key_fn=stage_cache.extract_key, persist_result=True)
def extract_facts(stage_dir: Path, settings: Settings, idf_file: Path) -> CachedStage:
    with batches_on_flow_cluster():
        counts = extract_stage(
            stage_dir, read_idf(idf_file), settings.keywords_per_article, workers=settings.workers
        )
    get_run_logger().info("extract: %s", counts)
    return _keep_outputs(stage_dir, EXTRACT_OUTPUTS, settings, counts)


def _keep_outputs(
    stage_dir: Path, tables: tuple[str, ...], settings: Settings, counts: dict[str, int]
) -> CachedStage:
    """The stage's tables into the cache entry named by the key Prefect looked up."""
    from prefect.transactions import get_transaction

    transaction = get_transaction()
    key = transaction.key if transaction else None
    entry = stage_cache.entry_for(key, settings.stage_cache_dir)
    return CachedStage(counts, stage_cache.save(stage_dir, tables, entry))


class StageGateFailed(GateFailed):
    """One suite of a stage's gate failed; `passed` holds the stage's suites that passed before."""

    def __init__(self, result: GateResult, passed: list[GateResult]) -> None:
        super().__init__(result)
        self.passed = passed


@task(name="check_gates", cache_policy=NO_CACHE, task_run_name="gate-{stage}")
def gate_stage(
    stage_dir: Path,
    stage: str,
    suite_names: tuple[str, ...],
    expectations_dir: Path,
    history: GateHistory | None = None,
) -> list[GateResult]:
    """Every suite of one stage's output, in order, in one task; the first failure stops it.

    One task per stage and batch, not per table: a batch has sixteen tables, and a run of ten
    batches showed 160 gate task runs in the Prefect UI. Each table keeps its own artifact and
    log line. (It did not make gates faster: their cost is Great Expectations' own.)
    """
    passed: list[GateResult] = []
    for suite_name in suite_names:
        try:
            passed.append(_gate_table(stage_dir, suite_name, expectations_dir, history))
        except GateFailed as failure:
            raise StageGateFailed(failure.result, passed) from failure
    return passed


def _gate_table(
    stage_dir: Path, suite_name: str, expectations_dir: Path, history: GateHistory | None
) -> GateResult:
    # Only the columns the suite checks: a staged table can be far larger than what GX needs.
    definition = load_suite_definition(expectations_dir, suite_name)
    columns = suite_columns(definition, list(staging_schemas()[suite_name]))
    try:
        result = check_gate(
            read_columns(stage_dir, suite_name, columns), expectations_dir, suite_name, history
        )
    except GateFailed as failure:
        _report_gate_failure(read_table(stage_dir, suite_name), failure.result)
        raise
    finally:
        release_freed_memory()
    artifacts.publish_gate(result)
    get_run_logger().info("gate %s passed on %d rows", suite_name, result.row_count)
    return result


def _report_gate_failure(data, result: GateResult) -> None:
    """Name each failed expectation and show the rows that broke it, in the log and the UI."""
    logger = get_run_logger()
    for outcome in result.failures:
        logger.error(
            "gate %s: %s on %s failed (%s unexpected, e.g. %s) at rows %s",
            result.suite_name,
            outcome.expectation_type,
            outcome.column or "the table",
            outcome.unexpected_count,
            outcome.sample[:3],
            outcome.row_indices[:10],
        )
    if result.docs_page:
        logger.error("gate %s: Data Docs page %s", result.suite_name, result.docs_page)
    artifacts.publish_gate(result)
    artifacts.publish_gate_failure(data, result)


@task(name="split_into_batches", cache_policy=NO_CACHE)
def split_into_batches(stage_dir: Path, settings: Settings) -> list[Path]:
    """The run's articles in batches of at most `batch_articles` (flows/batches.py)."""
    links = read_table(stage_dir, "stg_duplicates")
    named = {*links["article_id"], *links["canonical_article_id"]}
    stored = stored_article_files(settings.live_warehouse_path, named)
    batch_dirs = split_stage(stage_dir, settings.batch_articles, stored)
    if len(batch_dirs) > 1:
        get_run_logger().info(
            "%d batches of at most %d articles", len(batch_dirs), settings.batch_articles
        )
    return batch_dirs


@task(name="load_warehouse", cache_policy=NO_CACHE, **LOCK_RETRIES)
def load_warehouse(stage_dir: Path, settings: Settings, run_id: str) -> dict[str, int]:
    run = RunInfo(run_id=run_id, extractor_version=extractor_version())
    result = load_batch(settings.live_warehouse_path, settings.sql_dir, stage_dir, run)
    get_run_logger().info(
        "load: %d articles replaced, committed in %.2fs", result.replaced_articles, result.seconds
    )
    return result.core_rows


@task(name="publish_warehouse", cache_policy=NO_CACHE, **LOCK_RETRIES)
def publish_warehouse(settings: Settings) -> str:
    published = publish_snapshot(settings.live_warehouse_path, settings.warehouse_path)
    get_run_logger().info("published the read snapshot %s", published)
    return str(published)


@task(name="check_suites", cache_policy=NO_CACHE)
def check_suites(settings: Settings) -> None:
    """Every gate's suite exists and parses, before the run writes anything.

    Otherwise a missing last suite would surface only after ingest, segment and extract ran.
    """
    for suite_name in (*INGEST_SUITES, *SEGMENT_SUITES, *EXTRACT_SUITES):
        load_suite_definition(settings.expectations_dir, suite_name)


@task(name="record_run_start", cache_policy=NO_CACHE, **LOCK_RETRIES)
def record_run_start(settings: Settings, run_id: str, source: str) -> None:
    crashed = ops.record_run_start(settings, run_id, source, extractor_version())
    if crashed:
        get_run_logger().warning("earlier runs whose process was killed: %s", crashed)
    close_killed_prefect_runs(settings, run_id)


def close_killed_prefect_runs(settings: Settings, own_run_id: str) -> None:
    """A kill -9 leaves the Prefect run RUNNING forever: set CRASHED the ones of this warehouse.

    Asked of Prefect, not of ops.runs: a kill while publishing comes after the run recorded
    'completed'. Only runs in this warehouse's ops.runs whose process is gone from this host
    are touched. Best effort: ops.runs already tells the truth, and the Prefect UI agreeing is
    not worth failing a run over.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    running = FlowRunFilter(
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING]))
    )
    try:
        with get_client(sync_client=True) as client:
            candidates = [str(run.id) for run in client.read_flow_runs(flow_run_filter=running)]
            candidates = [run_id for run_id in candidates if run_id != own_run_id]
            for run_id in ops.runs_of_dead_processes(settings, candidates):
                client.set_flow_run_state(
                    uuid.UUID(run_id), Crashed(message=ops.KILLED_RUN_ERROR), force=True
                )
                get_run_logger().warning("marked the killed Prefect run %s crashed", run_id)
    except Exception as error:  # bookkeeping, never the run's outcome
        get_run_logger().warning("could not mark killed runs crashed in Prefect: %s", error)


@task(name="record_run_end", cache_policy=NO_CACHE, **LOCK_RETRIES)
def record_run_end(
    settings: Settings, summary: RunSummary, status: str, gates: list[GateResult], error: str = ""
) -> None:
    ops.record_run_end(
        settings, summary.run_id, status, summary.stage_counts, gates, error=error or None
    )


@task(name="report_run", cache_policy=NO_CACHE)
def report_run(settings: Settings, summary: RunSummary, history: GateHistory, failed: bool) -> None:
    """Data Docs for the run's gates, then the counts, summary and links as artifacts."""
    # No gate ran when nothing changed: building Data Docs would only cost GX's import (~8 s).
    gated = summary.stage_counts.get("ingest") and not summary.nothing_to_do
    docs_page = build_data_docs(history) if gated else None
    if docs_page:
        artifacts.publish_data_docs_link(docs_page)
        get_run_logger().info("Data Docs of this run: %s", docs_page.as_uri())
    artifacts.publish_stage_counts(summary.stage_counts, summary.core_rows)
    if not failed:
        findings = artifacts.read_findings(settings.warehouse_path, summary.run_id)
        artifacts.publish_summary(
            artifacts.summary_markdown(summary.run_id, summary.stage_counts, findings, docs_page)
        )
        _publish_report(settings)


def _publish_report(settings: Settings) -> None:
    """The HTML report of the published warehouse, linked from the run (issue 9).

    The run's data is already published by now: a report that cannot be built is a warning in
    the run's log, not a failed run.
    """
    from flows.report import build_report

    try:
        # Its queries over the whole warehouse took 450 MB at 20,000 articles, on top of the
        # flow's own memory: in a fresh process, the flow's peak no longer grows with the report.
        page = in_fresh_process(build_report, settings.warehouse_path, settings.report_dir)
    except Exception as error:
        get_run_logger().warning("could not build the report: %s", error)
        return
    artifacts.publish_report_link(page)
    get_run_logger().info("report of the warehouse: %s", page.as_uri())


def record_final_state(flow, flow_run, state) -> None:
    """on_failure / on_crashed: the run's end state reaches ops.runs even if the body never could.

    A crash (SIGTERM, lost infrastructure) ends the body before its own bookkeeping; this hook
    still runs, in the flow's process or in the runner that started it.
    """
    settings = settings_for(flow_run.parameters.get("warehouse"))
    status = "crashed" if state.is_crashed() else "failed"
    source = flow_run.parameters.get("source") or str(settings.source_dir)
    ops.record_run_state(settings, str(flow_run.id), status, state.message, source=source)
    if state.is_crashed():
        publish_snapshot(settings.live_warehouse_path, settings.warehouse_path)


@flow(
    name="renda-etl",
    log_prints=True,
    on_failure=[record_final_state],
    on_crashed=[record_final_state],
)
def renda_etl(source: str | None = None, warehouse: str | None = None) -> RunSummary:
    """Load a folder (or glob) of article files into the DuckDB warehouse."""
    keep_memory_flat_across_batches()
    settings = settings_for(warehouse)
    source = source or str(settings.source_dir)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    summary = RunSummary(run_id, source, str(settings.warehouse_path))
    stage_dir = settings.work_dir / run_id
    history = GateHistory(gx_context_dir(settings.warehouse_path), run_id)
    check_suites(settings)
    record_run_start(settings, run_id, source)
    gates: list[GateResult] = []
    try:
        _run_stages(source, stage_dir, settings, summary, gates, history)
    except BaseException as error:
        _record_failure(settings, summary, gates, error, history)
        raise
    record_run_end(settings, summary, "completed", gates)
    publish_warehouse(settings)
    shutil.rmtree(stage_dir, ignore_errors=True)  # the warehouse now holds everything staged
    stage_cache.prune(settings.stage_cache_dir, summary.cache_entries)
    report_run(settings, summary, history, failed=False)
    return summary


def _run_stages(
    source: str,
    stage_dir: Path,
    settings: Settings,
    summary: RunSummary,
    gates: list[GateResult],
    history: GateHistory,
) -> None:
    ingest = ingest_articles(source, stage_dir, settings)
    summary.stage_counts["ingest"] = ingest
    if ingest["files_loaded"] + ingest["files_quarantined"] == 0:
        summary.nothing_to_do = True  # every file unchanged since the last run
        return
    _gate(stage_dir, "files", FILE_SUITES, settings, summary, gates, history)
    if not ingest["files_loaded"]:  # only quarantined files: their ledger rows
        summary.core_rows = load_warehouse(stage_dir, settings, summary.run_id)
        _note_passed(summary, "warehouse_checks")
        return
    batch_dirs = split_into_batches(stage_dir, settings)
    summary.stage_counts["batches"] = len(batch_dirs)
    # Every batch segmented before any is extracted: the IDF of keywords needs all their tokens.
    for batch_dir in batch_dirs:
        # Articles are gated per batch: GX holds what it validates, and the text is the bulk.
        _gate(batch_dir, "articles", ARTICLE_SUITES, settings, summary, gates, history)
        segment = _cached_stage(segment_articles, batch_dir, settings, summary)
        _add_counts(summary.stage_counts, "segment", segment)
        _gate(batch_dir, "tokens", SEGMENT_SUITES, settings, summary, gates, history)
    idf_file = learn_idf(stage_dir, batch_dirs, settings)
    for batch_dir in batch_dirs:
        extract = _cached_stage(extract_facts, batch_dir, settings, summary, idf_file)
        _add_counts(summary.stage_counts, "extract", extract)
        _gate(batch_dir, "facts", EXTRACT_SUITES, settings, summary, gates, history)
        summary.core_rows = load_warehouse(batch_dir, settings, summary.run_id)
        _note_passed(summary, "warehouse_checks")


def _add_counts(stage_counts: dict[str, object], stage: str, counts: dict[str, int]) -> None:
    """A stage's counts summed over the run's batches."""
    total = stage_counts.setdefault(stage, {})
    for name, count in counts.items():
        total[name] = total.get(name, 0) + count


def _note_passed(summary: RunSummary, check: str) -> None:
    if check not in summary.gates_passed:  # once per run, however many batches passed it
        summary.gates_passed.append(check)


def _cached_stage(
    stage_task, stage_dir: Path, settings: Settings, summary: RunSummary, *inputs: object
) -> dict:
    """Run a cached stage task, or take its output from an earlier run; returns its counts."""
    cached = stage_task.with_options(result_storage=settings.stage_cache_dir)
    state = cached(stage_dir, settings, *inputs, return_state=True)
    result = state.result()
    if not stage_cache.restore(result, stage_dir):
        # Another run pruned the entry between Prefect's lookup and the copy: compute it again.
        refreshed = cached.with_options(refresh_cache=True)
        state = refreshed(stage_dir, settings, *inputs, return_state=True)
        result = state.result()
    if state.name == "Cached":
        summary.reused_stages.append(stage_task.name)
        get_run_logger().info("%s: reused the output of an earlier run", stage_task.name)
    if result.entry:
        summary.cache_entries.append(result.entry)
    return result.counts


def _gate(
    stage_dir: Path,
    stage: str,
    suites: tuple[str, ...],
    settings: Settings,
    summary: RunSummary,
    gates: list[GateResult],
    history: GateHistory,
) -> None:
    try:
        passed = gate_stage(stage_dir, stage, suites, settings.expectations_dir, history)
    except StageGateFailed as failure:
        _note_gates(summary, gates, failure.passed)
        gates.append(failure.result)
        raise
    _note_gates(summary, gates, passed)


def _note_gates(summary: RunSummary, gates: list[GateResult], passed: list[GateResult]) -> None:
    gates += passed
    for result in passed:
        _note_passed(summary, result.suite_name)


def _record_failure(
    settings: Settings,
    summary: RunSummary,
    gates: list[GateResult],
    error: BaseException,
    history: GateHistory,
) -> None:
    """What only the body knows (counts, gate results) goes to ops.runs; core stays unchanged.

    Each step is best effort: the original error matters more than its bookkeeping, and the
    on_failure hook still records the status if this cannot.
    """
    steps = (
        lambda: record_run_end(settings, summary, "failed", gates, error=repr(error)),
        lambda: publish_warehouse(settings),  # readers see the failure in rpt_runs
        lambda: report_run(settings, summary, history, failed=True),
        lambda: stage_cache.prune(settings.stage_cache_dir, finished=[]),  # keeps the newest
    )
    for step in steps:
        try:
            step()
        except Exception as secondary:
            get_run_logger().error("could not record the failed run: %s", secondary)


def etl_flow(settings: Settings | None = None):
    """renda_etl on the task runner the settings ask for (`renda run --task-runner dask`)."""
    runner = task_runner_for(settings or get_settings())
    return renda_etl if runner is None else renda_etl.with_options(task_runner=runner)


def settings_for(warehouse: str | None) -> Settings:
    settings = get_settings()
    if warehouse:
        settings = settings.model_copy(update={"warehouse_path": Path(warehouse).resolve()})
    return settings
