"""`renda`: the command line. Every command is a thin shell over a tested function.

Prefect reads its settings when it is first imported, so the project-local Prefect home and the
telemetry switches are put in the environment before anything imports Prefect.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from flows.settings import get_settings, prefect_environment

app = typer.Typer(
    help="Turn Chinese news about local People's Congress work into a DuckDB warehouse.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)  # long paths stay copyable when output is not a terminal

EVAL_THRESHOLDS = {  # the quality bars of issues 3 and 4; `renda eval --check` enforces them
    "article_split": 0.95,
    "title": 0.9,
    "publish_date": 0.9,
    "source": 0.9,
    "authors": 0.9,
    "quantities": 0.90,
    "quantity_subjects": 0.75,
    "people": 0.90,
    "roles": 0.80,
    "places": 0.85,
    "organizations": 0.75,
    "laws": 0.95,
    "slogans": 0.65,
    "dated_events": 0.80,
    "region": 0.85,
}


def _prepare_prefect() -> None:
    settings = get_settings()
    for name, value in prefect_environment(settings).items():
        os.environ.setdefault(name, value)
    if "prefect_home" in settings.model_fields_set:
        # RENDA_PREFECT_HOME is asked for by name: it wins over an inherited PREFECT_HOME, which
        # `make` always exports (the bench's runs used to land in the project's history).
        os.environ["PREFECT_HOME"] = str(settings.prefect_home)
    from flows.serve import attach_to_running_server

    # With `make ui` or `renda serve` up, runs join that server's history instead of starting a
    # temporary server of their own (which fails under overlapping runs).
    attach_to_running_server()


@app.command()
def run(
    source: Annotated[
        str | None,
        typer.Argument(help="Folder or glob of article files (default: seeds/articles)."),
    ] = None,
    warehouse: Annotated[
        Path | None, typer.Option(help="DuckDB file to load (default: warehouse/renda.duckdb).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes for ingest, segment and extract (default: all cores)."),
    ] = None,
    task_runner: Annotated[
        TaskRunner | None,
        typer.Option(help="Run segment and extract on a process pool or a Dask cluster."),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option(help="A running Dask scheduler, tcp://host:port (means --task-runner dask)."),
    ] = None,
) -> None:
    """Run the pipeline: ingest, segment, extract and load, gated at every stage.

    Examples: renda run seeds/articles --warehouse /tmp/renda.duckdb ;
    renda run --task-runner dask --address tcp://10.0.0.5:8786
    """
    # The flow reads settings, not arguments.
    _set_settings(
        workers=str(workers) if workers else None,
        task_runner=task_runner.value if task_runner else ("dask" if address else None),
        dask_address=address,
    )
    _prepare_prefect()
    from flows.pipeline import etl_flow

    with _user_errors():
        _check_run_inputs(source, warehouse)
        settings = get_settings()
        if settings.task_runner == "dask" and settings.dask_address:
            from flows.dask_runner import check_scheduler

            check_scheduler(settings.dask_address)
        summary = etl_flow(settings)(source=source, warehouse=str(warehouse) if warehouse else None)
    _print_summary(summary)


def _set_settings(**values: str | None) -> None:
    given = {name: value for name, value in values.items() if value is not None}
    for name, value in given.items():
        os.environ[f"RENDA_{name.upper()}"] = value
    if given:
        get_settings.cache_clear()


def _check_run_inputs(source: str | None, warehouse: Path | None) -> None:
    """The user's mistakes, found before Prefect starts: in a second, and without its traceback.

    A warehouse locked by a load is left to the flow, which waits for the lock to clear.
    """
    from flows.ingest import discover_files
    from flows.pipeline import check_suites, settings_for
    from flows.warehouse import WarehouseLocked, connect

    settings = settings_for(str(warehouse) if warehouse else None)
    source = source or str(settings.source_dir)
    if not discover_files(source)[1]:
        raise ValueError(f"no article files in {source}: add some, or name another folder")
    check_suites.fn(settings)
    for path in (settings.warehouse_path, settings.live_warehouse_path):
        if path.exists():
            try:
                with connect(path, read_only=True):
                    pass
            except WarehouseLocked:
                pass


@contextmanager
def _user_errors() -> Iterator[None]:
    """Errors a user can act on become one sentence and exit code 1, not a traceback."""
    from flows.gates import GateFailed, SuiteMissing
    from flows.warehouse import WarehouseError

    try:
        yield
    except (GateFailed, SuiteMissing, WarehouseError, FileNotFoundError, ValueError) as error:
        console.print(f"[red]error:[/] {error}", highlight=False)
        raise typer.Exit(1) from None


def _print_summary(summary) -> None:
    ingest = summary.stage_counts.get("ingest", {})
    console.print(f"[bold]renda-etl[/] run {summary.run_id} finished")
    console.print(
        f"files read: {ingest.get('files_seen', 0)} "
        f"(unchanged {ingest.get('files_unchanged', 0)}, loaded {ingest.get('files_loaded', 0)}, "
        f"quarantined {ingest.get('files_quarantined', 0)}); "
        f"articles: {ingest.get('articles', 0)} (duplicates {ingest.get('duplicates', 0)})"
    )
    if summary.nothing_to_do:
        console.print("nothing changed since the last run: the warehouse is as it was")
    if summary.core_rows:
        table = Table("table", "rows", title=f"warehouse {summary.warehouse}")
        for name, rows in summary.core_rows.items():
            table.add_row(name, str(rows))
        console.print(table)
    console.print(f"gates passed: {len(summary.gates_passed)} ({', '.join(summary.gates_passed)})")
    warehouse_option = (
        "" if _is_default_warehouse(summary.warehouse) else (f" --warehouse {summary.warehouse}")
    )
    console.print(
        "next:\n"
        f"  .venv/bin/renda query rpt_quantities{warehouse_option}   "
        "(or any SELECT, read-only)\n"
        f"  open {summary.warehouse} read-only with any DuckDB client\n"
        f"  make ui, then http://127.0.0.1:{get_settings().prefect_port} for the run history",
        highlight=False,
    )


def _is_default_warehouse(path: str) -> bool:
    return Path(path).resolve() == get_settings().warehouse_path.resolve()


class TaskRunner(StrEnum):
    process = "process"
    dask = "dask"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def serve(
    cron: Annotated[
        str | None, typer.Option(help="Cron schedule (default: deployments/prefect.yaml).")
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="Timezone of the schedule.")] = None,
    port: Annotated[
        int | None, typer.Option(help="Port of the local Prefect server (RENDA_PREFECT_PORT).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Folder or glob of articles.")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to load.")] = None,
) -> None:
    """Run renda-etl on its schedule, with a Prefect server on 127.0.0.1, in the foreground.

    Example: renda serve --cron "30 7 * * 1-5" --timezone Asia/Shanghai
    """
    _prepare_prefect()
    from prefect.client.schemas.schedules import CronSchedule

    from flows.serve import serve as serve_flow

    with _user_errors():
        if cron or timezone:  # a bad schedule is a mistake to report before a server starts
            _check_schedule(CronSchedule, cron, timezone)
        serve_flow(cron, timezone, port, source, str(warehouse) if warehouse else None)


def _check_schedule(schedule_type: type, cron: str | None, timezone: str | None) -> None:
    try:
        schedule_type(cron=cron or "0 6 * * *", timezone=timezone or "Asia/Shanghai")
    except ValueError:
        raise ValueError(
            f"invalid schedule (cron {cron!r}, timezone {timezone!r}): give five cron fields "
            "such as '0 6 * * *' and a timezone such as Asia/Shanghai"
        ) from None


@app.command()
def reprocess(
    source: Annotated[
        str | None, typer.Argument(help="Files to re-run: a folder or glob (default: all).")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First publish date to re-run.")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last publish date to re-run.")
    ] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to load.")] = None,
) -> None:
    """Re-run files already loaded (after a rule or dictionary change), by glob or date range.

    Examples: renda reprocess 'seeds/articles/00*.txt' ; renda reprocess --since 2024-01-01
    """
    _prepare_prefect()
    from flows.backfill import reprocess as reprocess_files

    with _user_errors():
        summary = reprocess_files(
            source,
            first=since.date() if since else None,
            last=until.date() if until else None,
            warehouse=str(warehouse) if warehouse else None,
        )
    _print_summary(summary)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="A SELECT statement, or a reporting view name.")],
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to read.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show at most.")] = 50,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, csv or json for tools.")
    ] = OutputFormat.table,
) -> None:
    """Query the warehouse read-only.

    Examples:
      renda query rpt_quantities
      renda query "select title, value, unit from reporting.rpt_quantities" --format csv
    """
    from flows.warehouse import connect

    statement = f"select * from reporting.{sql}" if sql.isidentifier() else sql
    with _user_errors(), connect(warehouse or get_settings().warehouse_path, read_only=True) as db:
        if sql.isidentifier() and not _is_reporting_view(db, sql):
            raise ValueError(f"no reporting view named {sql}: `renda views` lists them")
        try:
            cursor = db.execute(statement)
        except duckdb.Error as error:
            raise ValueError(f"the query failed: {error}") from error
        columns = [column[0] for column in cursor.description]
        rows = cursor.fetchmany(limit)
    _print_rows(columns, rows, output)


def _is_reporting_view(db, name: str) -> bool:
    found = db.execute(
        "select count(*) from duckdb_views() where schema_name = 'reporting' and view_name = ?",
        [name],
    ).fetchone()[0]
    return found > 0


def _print_rows(columns: list[str], rows: list[tuple], output: OutputFormat) -> None:
    if output is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif output is OutputFormat.json:
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, default=str, indent=1) + "\n")
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if value is None else str(value) for value in row))
        console.print(table)


@app.command()
def views(
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to read.")] = None,
) -> None:
    """List the reporting views with what each one answers.

    Example: renda views
    """
    from flows.warehouse import connect

    statement = (
        "select view_name, comment from duckdb_views() "
        "where schema_name = 'reporting' order by view_name"
    )
    with _user_errors(), connect(warehouse or get_settings().warehouse_path, read_only=True) as db:
        rows = db.execute(statement).fetchall()
    _print_rows(["view", "what it answers"], rows, OutputFormat.table)


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(help="Folder for index.html.")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to read.")] = None,
) -> None:
    """Build the offline HTML report (charts and sortable tables) from the reporting views.

    Example: renda report --out /tmp/report   (then open /tmp/report/index.html in a browser)
    """
    from flows.report import build_report

    settings = get_settings()
    with _user_errors():
        page = build_report(warehouse or settings.warehouse_path, out or settings.report_dir)
    console.print(f"report written to {page}", highlight=False)


@app.command()
def export(
    gold: Annotated[
        Path, typer.Option(help="Folder to write one gold-format JSON per input file.")
    ],
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to read.")] = None,
) -> None:
    """Write what the warehouse holds in the shape of the gold annotations (tests/gold/).

    Example: renda export --gold /tmp/predicted
    """
    from flows.gold_export import export_gold

    with _user_errors():
        written = export_gold(warehouse or get_settings().warehouse_path, gold)
    console.print(f"wrote {len(written)} files to {gold}")


@app.command("eval")
def evaluate_command(
    predicted: Annotated[Path, typer.Argument(help="Folder written by `renda export --gold`.")],
    gold: Annotated[Path, typer.Option(help="Folder of gold annotations.")] = Path("tests/gold"),
    check: Annotated[bool, typer.Option(help="Exit 1 when a quality bar is missed.")] = False,
) -> None:
    """Score an export against the gold annotations: precision, recall and F1 per field.

    Example: renda eval /tmp/predicted --gold tests/gold
    """
    from flows.evaluate import evaluate, format_evaluation

    with _user_errors():
        evaluation = evaluate(predicted, gold)
    console.print(format_evaluation(evaluation), highlight=False)
    failures = evaluation.check(EVAL_THRESHOLDS)
    for failure in failures:
        console.print(f"below the bar: {failure}", highlight=False)
    if check and failures:
        raise typer.Exit(1)


@app.command()
def config() -> None:
    """Print the settings in force (environment variables RENDA_*, or .env)."""
    settings = get_settings()
    for name, value in settings.model_dump().items():
        console.print(f"RENDA_{name.upper()}={value}", highlight=False)


def main() -> None:  # pragma: no cover - the console script
    sys.exit(app())
