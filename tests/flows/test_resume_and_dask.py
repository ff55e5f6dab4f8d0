"""A failed run's retry resumes from the stage cache, a run split into batches and a Dask run
load what one batch on a process pool loads.

Each compares every core table, row by row, with an uninterrupted default run of the samples.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows import parallel, pipeline, stages
from flows.gates import GateFailed
from flows.pipeline import etl_flow, renda_etl
from flows.settings import Settings
from tests.conftest import SEED_ARTICLES, suites_with_quantity_cap

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

RUN_COLUMNS = ("run_id", "recorded_at", "quarantined_at")  # differ between any two runs


def core_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every core table's rows, sorted, without the columns that name or time the run."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'core' order by table_name"
        ).fetchall()
        rows = {}
        for (table,) in tables:
            columns = [
                name
                for (name,) in connection.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'core' and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if name not in RUN_COLUMNS
            ]
            selected = ", ".join(f'"{name}"' for name in columns)
            rows[table] = connection.execute(
                f"select {selected} from core.{table} order by all"
            ).fetchall()
    return rows


@pytest.fixture(scope="module")
def reference(tmp_path_factory, prefect_harness) -> dict[str, list[tuple]]:
    """The samples loaded by one uninterrupted run on the default process pool."""
    warehouse = tmp_path_factory.mktemp("reference") / "w.duckdb"
    renda_etl(source=str(SEED_ARTICLES), warehouse=str(warehouse))
    return core_rows(warehouse)


class Counted:
    """A stage function that counts its calls, to prove a cached stage did not run."""

    def __init__(self, function) -> None:
        self.function, self.calls = function, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


def failing(message: str):
    def fail(*args, **kwargs):
        raise RuntimeError(message)

    return fail


def fail_once_at(monkeypatch, name: str, source: Path, warehouse: Path) -> None:
    """A run that dies in pipeline.<name>; the original is put back afterwards."""
    original = getattr(pipeline, name)
    monkeypatch.setattr(pipeline, name, failing(f"{name} died"))
    with pytest.raises(RuntimeError, match=f"{name} died"):
        renda_etl(source=str(source), warehouse=str(warehouse))
    monkeypatch.setattr(pipeline, name, original)


def count_stages(monkeypatch) -> tuple[Counted, Counted]:
    segment, extract = Counted(pipeline.segment_stage), Counted(pipeline.extract_stage)
    monkeypatch.setattr(pipeline, "segment_stage", segment)
    monkeypatch.setattr(pipeline, "extract_stage", extract)
    return segment, extract


def cache_entries(warehouse: Path) -> list[str]:
    cache = Settings(warehouse_path=warehouse).stage_cache_dir
    return sorted(path.name for path in cache.iterdir()) if cache.exists() else []


def test_a_run_failing_in_extract_resumes_without_segmenting_again(
    reference, seed_copy, tmp_path, monkeypatch
):
    warehouse = tmp_path / "w.duckdb"
    fail_once_at(monkeypatch, "extract_stage", seed_copy, warehouse)
    segment, extract = count_stages(monkeypatch)

    summary = renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert (0, 1) == (segment.calls, extract.calls)
    assert ["segment_articles"] == summary.reused_stages  # Prefect's Cached state
    assert reference == core_rows(warehouse)
    assert [] == cache_entries(warehouse)  # a successful run removes the entries it used


def test_a_run_failing_in_the_load_resumes_without_segmenting_or_extracting(
    reference, seed_copy, tmp_path, monkeypatch
):
    warehouse = tmp_path / "w.duckdb"
    fail_once_at(monkeypatch, "load_batch", seed_copy, warehouse)
    assert 2 == len(cache_entries(warehouse))  # segment and extract, kept by the failed run
    segment, extract = count_stages(monkeypatch)

    summary = renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert (0, 0) == (segment.calls, extract.calls)
    assert ["segment_articles", "extract_facts"] == summary.reused_stages
    assert reference == core_rows(warehouse)


def test_a_changed_input_file_misses_the_cache(seed_copy, tmp_path, monkeypatch):
    warehouse = tmp_path / "w.duckdb"
    fail_once_at(monkeypatch, "extract_stage", seed_copy, warehouse)
    changed = sorted(seed_copy.iterdir())[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补记一句。\n", encoding="utf-8")
    segment, _ = count_stages(monkeypatch)

    summary = renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert 1 == segment.calls
    assert [] == summary.reused_stages


def test_a_cache_entry_whose_files_are_gone_is_a_miss(seed_copy, tmp_path, monkeypatch):
    warehouse = tmp_path / "w.duckdb"
    fail_once_at(monkeypatch, "extract_stage", seed_copy, warehouse)
    cache = Settings(warehouse_path=warehouse).stage_cache_dir
    for tokens in cache.glob("segment-*/stg_tokens.parquet"):
        tokens.unlink()
    segment, _ = count_stages(monkeypatch)

    summary = renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert 1 == segment.calls
    assert [] == summary.reused_stages


def test_an_entry_pruned_after_the_lookup_is_computed_again(
    reference, seed_copy, tmp_path, monkeypatch
):
    from flows import stage_cache

    warehouse = tmp_path / "w.duckdb"
    fail_once_at(monkeypatch, "extract_stage", seed_copy, warehouse)
    restore = Counted(stage_cache.restore)
    # The first restore finds the entry gone, as when an overlapping run pruned it meanwhile.
    monkeypatch.setattr(stage_cache, "restore", lambda *args: restore(*args) and restore.calls > 1)
    segment, _ = count_stages(monkeypatch)

    summary = renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert 1 == segment.calls  # Prefect's hit, then a refreshed run of the stage
    assert [] == summary.reused_stages
    assert reference == core_rows(warehouse)


def test_a_run_in_batches_loads_the_same_rows_as_one_batch(reference, tmp_path, settings_env):
    warehouse = tmp_path / "w.duckdb"
    settings_env(batch_articles="4")  # the samples hold 20 articles in 5 files

    summary = renda_etl(source=str(SEED_ARTICLES), warehouse=str(warehouse))

    assert summary.stage_counts["batches"] > 1
    assert reference == core_rows(warehouse)  # keywords too: one IDF for the whole run


def test_a_gate_failing_in_a_later_batch_keeps_the_batches_before_it(
    reference, seed_copy, tmp_path, settings_env
):
    warehouse = tmp_path / "w.duckdb"
    strict = suites_with_quantity_cap(tmp_path / "expectations", cap=1e11)  # above the samples'
    settings_env(batch_articles="4", expectations_dir=str(strict))
    breaking = seed_copy / "zz-last.txt"  # sorted last: the last batch
    story = "代表联络站\n\n本报讯 全市建成代表联络站900000000000个。\n"
    breaking.write_text(story, encoding="utf-8")

    with pytest.raises(GateFailed, match="stg_quantities"):
        renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    published = Settings(warehouse_path=warehouse).warehouse_path
    with duckdb.connect(str(published), read_only=True) as connection:
        ledger = {
            path for (path,) in connection.execute("select path from raw.file_ledger").fetchall()
        }
        article_files = {
            path
            for (path,) in connection.execute("select file_path from core.dim_articles").fetchall()
        }
    assert ledger and breaking.name not in ledger  # earlier batches loaded, the failing one not
    assert ledger == article_files

    breaking.unlink()
    renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    # The rerun loads the rest, as one run would have. Keyword weights aside: the batches loaded
    # first were weighted with an IDF that counted the file since removed, as any earlier load is.
    loaded = core_rows(warehouse)
    assert {**reference, "fct_term_mentions": None} == {**loaded, "fct_term_mentions": None}


def test_a_dask_run_loads_the_same_rows_as_the_process_pool(
    reference, tmp_path, monkeypatch, settings_env
):
    settings_env(workers="2")  # a pool, whatever this machine's core count
    monkeypatch.setattr(stages, "ARTICLES_PER_BATCH", 2)  # enough batches for the cluster
    on_cluster = Counted(parallel._map_on_cluster)
    monkeypatch.setattr(parallel, "_map_on_cluster", on_cluster)
    warehouse = tmp_path / "w.duckdb"

    flow = etl_flow(Settings(task_runner="dask", workers=2))
    flow(source=str(SEED_ARTICLES), warehouse=str(warehouse))

    assert on_cluster.calls >= 3  # segment, then extract's IDF and facts passes
    assert reference == core_rows(warehouse)
