"""Mistakes a user can make get one clear sentence and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.settings import PROJECT_ROOT

runner = CliRunner()


@pytest.fixture(scope="module")
def loaded_warehouse(tmp_path_factory) -> Path:
    """A small published warehouse, loaded without Prefect."""
    from flows.stages import CorpusState, extract_stage, ingest_stage, run_idf, segment_stage
    from flows.warehouse import RunInfo, load_batch, publish_snapshot

    folder = tmp_path_factory.mktemp("cli")
    source = folder / "articles"
    source.mkdir()
    text = "标题\n\n本报讯 市人大常委会建成代表联络站12个，收集意见建议300余条。\n"
    (source / "a.txt").write_text(text, encoding="utf-8")
    stage = folder / "stage"
    ingest_stage(source, stage, folder / "q", CorpusState(), 10**6)
    segment_stage(stage)
    extract_stage(stage, run_idf([stage], CorpusState()), 5)
    load_batch(folder / ".w.live.duckdb", PROJECT_ROOT / "warehouse", stage, RunInfo("r", "t"))
    return publish_snapshot(folder / ".w.live.duckdb", folder / "w.duckdb")


def test_query_prints_a_reporting_view(loaded_warehouse):
    arguments = ["query", "rpt_quantities", "--format", "csv", "--warehouse", str(loaded_warehouse)]

    result = runner.invoke(app, arguments)

    assert 0 == result.exit_code
    header, *rows = result.output.splitlines()
    assert "title" in header.split(",")
    assert any("代表联络站" in row and ",12.0,个," in row for row in rows)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["query", "rpt_nowhere"], "no reporting view named rpt_nowhere"),
        (["query", "select * from nowhere"], "the query failed"),
    ],
)
def test_query_mistakes_are_one_sentence(loaded_warehouse, arguments, message):
    result = runner.invoke(app, [*arguments, "--warehouse", str(loaded_warehouse)])

    assert 1 == result.exit_code
    assert message in result.output
    assert "Traceback" not in result.output


def test_query_on_a_missing_warehouse_says_to_run_first(tmp_path):
    result = runner.invoke(app, ["query", "rpt_runs", "--warehouse", str(tmp_path / "no.duckdb")])

    assert 1 == result.exit_code
    assert "run `renda run` first" in result.output


def test_query_on_a_foreign_file_says_it_is_not_a_warehouse(tmp_path):
    foreign = tmp_path / "notes.duckdb"
    foreign.write_text("这不是数据库", encoding="utf-8")

    result = runner.invoke(app, ["query", "rpt_runs", "--warehouse", str(foreign)])

    assert 1 == result.exit_code
    assert "is not a DuckDB warehouse" in result.output


def test_config_prints_every_setting_with_its_variable():
    result = runner.invoke(app, ["config"])

    assert 0 == result.exit_code
    assert "RENDA_WAREHOUSE_PATH=" in result.output
    assert "RENDA_MAX_FILE_BYTES=" in result.output


def test_env_example_lists_only_real_settings():
    from flows.settings import Settings

    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    names = {line.split("=")[0] for line in example.splitlines() if line.startswith("RENDA_")}
    assert names <= {f"RENDA_{field.upper()}" for field in Settings.model_fields}


@pytest.mark.parametrize(
    ("options", "shown"),
    [
        (["--cron", "not a cron"], "'not a cron'"),
        (["--cron", "0 6 * * *", "--timezone", "Mars/Olympus"], "'Mars/Olympus'"),
    ],
)
def test_serve_rejects_a_bad_schedule_before_starting_anything(options, shown):
    result = runner.invoke(app, ["serve", *options])

    assert 1 == result.exit_code
    assert "invalid schedule" in result.output
    assert shown in result.output


def test_views_lists_every_reporting_view_with_its_description(loaded_warehouse):
    result = runner.invoke(app, ["views", "--warehouse", str(loaded_warehouse)])

    assert 0 == result.exit_code
    view_files = sorted((PROJECT_ROOT / "warehouse" / "reporting").glob("rpt_*.sql"))
    assert all(path.stem in result.output for path in view_files)
    assert "One row per article" in result.output


def test_query_refuses_a_write_statement_with_a_clear_error(loaded_warehouse):
    result = runner.invoke(
        app, ["query", "delete from core.fct_quantities", "--warehouse", str(loaded_warehouse)]
    )

    assert 1 == result.exit_code
    assert "read-only mode" in result.output


def assert_one_sentence_and_exit_1(result, message: str) -> None:
    assert 1 == result.exit_code
    assert message in result.output
    assert "Traceback" not in result.output
    assert 1 == len(result.output.strip().splitlines())


@pytest.mark.parametrize(
    ("make_source", "message"),
    [
        (lambda folder: folder / "nowhere", "source does not exist"),
        (lambda folder: folder, "no article files in"),
        (lambda folder: f"{folder}/*.txt", "no article files in"),  # a glob that matches nothing
    ],
    ids=["missing", "empty", "empty-glob"],
)
def test_run_refuses_a_missing_or_empty_source_before_starting(tmp_path, make_source, message):
    result = runner.invoke(app, ["run", str(make_source(tmp_path)), "--warehouse", str(tmp_path)])

    assert_one_sentence_and_exit_1(result, message)


def test_run_refuses_a_missing_expectation_suite_before_starting(tmp_path, settings_env):
    settings_env(expectations_dir=str(tmp_path))  # a folder without any suite

    result = runner.invoke(app, ["run", "--warehouse", str(tmp_path / "w.duckdb")])

    assert_one_sentence_and_exit_1(result, "no expectation suite for")


def test_run_refuses_to_replace_a_file_that_is_not_a_warehouse(tmp_path):
    foreign = tmp_path / "notes.duckdb"
    foreign.write_text("这不是数据库", encoding="utf-8")

    result = runner.invoke(app, ["run", "--warehouse", str(foreign)])

    assert_one_sentence_and_exit_1(result, "is not a DuckDB warehouse")
    assert "这不是数据库" == foreign.read_text(encoding="utf-8")  # nothing lost


def test_query_on_a_damaged_warehouse_says_it_is_damaged(loaded_warehouse, tmp_path):
    damaged = tmp_path / "damaged.duckdb"
    data = bytearray(loaded_warehouse.read_bytes())
    data[5000:9000] = bytes(4000)  # inside the first metadata block: its checksum fails
    damaged.write_bytes(data)

    result = runner.invoke(app, ["query", "rpt_runs", "--warehouse", str(damaged)])

    assert_one_sentence_and_exit_1(result, f"{damaged} is damaged")


def test_query_on_a_held_warehouse_names_the_process_holding_it(tmp_path):
    import subprocess
    import sys

    import duckdb

    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    hold = f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); print('held', flush=True)"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold + "; time.sleep(30)"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert "held" == holder.stdout.readline().strip()
        result = runner.invoke(app, ["query", "rpt_runs", "--warehouse", str(warehouse)])
    finally:
        holder.kill()
        holder.wait()

    assert_one_sentence_and_exit_1(result, f"open in another process (PID {holder.pid},")
    assert "close it or wait" in result.output


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:1", "not-an-address", "http://example:1"])
def test_run_on_an_unreachable_dask_scheduler_is_one_sentence(
    address, tmp_path, monkeypatch, settings_env
):
    import flows.dask_runner

    monkeypatch.setattr(flows.dask_runner, "SCHEDULER_CONNECT_SECONDS", 1)
    settings_env(task_runner="process")  # restored after the test: `run` sets it for the flow
    monkeypatch.setenv("RENDA_DASK_ADDRESS", "")
    warehouse = tmp_path / "w.duckdb"
    arguments = ["run", "--task-runner", "dask", "--address", address]
    arguments += ["--warehouse", str(warehouse)]

    result = runner.invoke(app, arguments)

    assert 1 == result.exit_code
    assert f"no Dask scheduler answers at {address!r}" in result.output
    assert "Traceback" not in result.output
    assert not warehouse.exists()  # refused before the flow started


def test_config_shows_the_task_runner_settings():
    result = runner.invoke(app, ["config"])

    assert "RENDA_TASK_RUNNER=process" in result.output
    assert "RENDA_DASK_ADDRESS=" in result.output


def test_renda_prefect_home_wins_over_an_inherited_prefect_home(
    tmp_path, monkeypatch, settings_env
):
    # `make` exports PREFECT_HOME for every command; a run told RENDA_PREFECT_HOME must still
    # keep its history there (the bench's runs used to land in the project's history).
    import flows.serve
    from flows.cli import _prepare_prefect

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "exported-by-make"))
    monkeypatch.setattr(flows.serve, "attach_to_running_server", lambda: None)
    settings_env(prefect_home=str(tmp_path / "asked-for"))

    _prepare_prefect()

    assert str(tmp_path / "asked-for") == os.environ["PREFECT_HOME"]
