"""Great Expectations gates: one suite per staged table, kept as JSON in expectations/.

A gate validates a stage's output before anything is published and raises `GateFailed`, which
carries the full validation result, when any expectation fails. Great Expectations takes seconds
to import, so it is imported inside the functions that need it, never at module import.

The JSON files in expectations/ are the source of truth. A run that passes a `GateHistory` also
validates through a file-based GX context (git-ignored, beside the warehouse): the suites are
copied into it, every validation result is kept there, and `build_data_docs` renders the HTML
Data Docs site with one page per run. Unit tests pass no history and use an in-memory context.
"""

from __future__ import annotations

import fcntl
import html
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa


class SuiteMissing(FileNotFoundError):
    """A gated table has no expectation suite: the run stops before it writes anything."""


@dataclass(frozen=True)
class ExpectationOutcome:
    index: int
    expectation_type: str
    column: str | None
    success: bool
    unexpected_count: int | None
    observed_value: str | None
    sample: list[Any] = field(default_factory=list)
    row_indices: list[int] = field(default_factory=list)  # positions of failing rows in the frame


@dataclass(frozen=True)
class GateResult:
    suite_name: str
    success: bool
    row_count: int
    outcomes: list[ExpectationOutcome]
    raw: dict[str, Any]  # Great Expectations' own JSON of the validation result
    docs_page: str | None = None  # the Data Docs page of this validation, when history is kept

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]


class GateFailed(RuntimeError):
    """A stage output broke its expectations; nothing from the batch was published."""

    def __init__(self, result: GateResult) -> None:
        self.result = result
        described = "; ".join(_describe(outcome) for outcome in result.failures)
        super().__init__(f"gate {result.suite_name} failed ({result.row_count} rows): {described}")


def _describe(outcome: ExpectationOutcome) -> str:
    where = f" on {outcome.column}" if outcome.column else ""
    detail = f", {outcome.unexpected_count} unexpected" if outcome.unexpected_count else ""
    sample = f", e.g. {outcome.sample[:3]}" if outcome.sample else ""
    observed = f", observed {outcome.observed_value}" if outcome.observed_value else ""
    return f"{outcome.expectation_type}{where}{detail}{observed}{sample}"


@dataclass(frozen=True)
class GateHistory:
    """Where validation results are kept (a GX file context) and the run they belong to."""

    context_dir: Path
    run_name: str


def gx_context_dir(warehouse_path: Path) -> Path:
    """The GX file context of a warehouse: validation history and Data Docs (git-ignored)."""
    return warehouse_path.parent / ".gx"


def suite_path(expectations_dir: Path, suite_name: str) -> Path:
    return expectations_dir / f"{suite_name}.json"


def load_suite_definition(expectations_dir: Path, suite_name: str) -> dict[str, Any]:
    path = suite_path(expectations_dir, suite_name)
    if not path.exists():
        raise SuiteMissing(f"no expectation suite for {suite_name}: expected {path}")
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SuiteMissing(f"expectation suite {path} is not valid JSON: {error}") from error
    if definition.get("name") != suite_name or not definition.get("expectations"):
        raise SuiteMissing(f"expectation suite {path} must be named {suite_name} and not empty")
    return definition


def validate_frame(
    data: pd.DataFrame,
    definition: dict[str, Any],
    parameters: dict[str, Any] | None = None,
    history: GateHistory | None = None,
) -> GateResult:
    """Validate a pandas frame against a suite definition (no exception on failure).

    `parameters` fill the suite's {"$PARAMETER": name} placeholders, so a suite can check values
    against reference data kept in seeds/ (the unit catalogue) instead of a copy of it.
    """
    run = _validate_kept if history else _validate_ephemeral
    validation, docs_page = run(data, definition, parameters or {}, history)
    outcomes = [_outcome(index, result) for index, result in enumerate(validation.results)]
    return GateResult(
        definition["name"],
        bool(validation.success),
        len(data),
        outcomes,
        validation.to_json_dict(),
        docs_page,
    )


def _validate_ephemeral(
    data: pd.DataFrame, definition: dict[str, Any], parameters: dict[str, Any], _: None
) -> tuple[Any, None]:
    import great_expectations as gx

    context = _context()  # an ExpectationSuite can only be built once a context exists
    suite = gx.ExpectationSuite(**definition)
    batch_definition = _batch_definition(definition["name"])
    batch = batch_definition.get_batch(batch_parameters={"dataframe": data})
    validation = batch.validate(suite, expectation_parameters=parameters, result_format="SUMMARY")
    _forget_batches(batch_definition)
    del context
    return validation, None


def _validate_kept(
    data: pd.DataFrame, definition: dict[str, Any], parameters: dict[str, Any], history: GateHistory
) -> tuple[Any, str | None]:
    """Validate through the file context, which stores the result under the run's name."""
    from great_expectations.exceptions import ValidationDefinitionRelatedResourcesFreshnessError

    suite_json = json.dumps(definition, sort_keys=True)
    with _sole_writer(history.context_dir):
        validation_definition = _kept_validation_definition(history.context_dir, suite_json)
        try:
            validation = _run_kept(validation_definition, data, parameters, history)
        except ValidationDefinitionRelatedResourcesFreshnessError:
            # Another process saved another version of the suite (an edited suite during a
            # long run, or another code version): save ours again, as each batch used to.
            _kept_validation_definition.cache_clear()
            validation_definition = _kept_validation_definition(history.context_dir, suite_json)
            validation = _run_kept(validation_definition, data, parameters, history)
        finally:
            _forget_batches(validation_definition.data)
    page = _validation_page(history, definition["name"])
    return validation, page.as_uri() if page else None


def _run_kept(
    validation_definition: Any,
    data: pd.DataFrame,
    parameters: dict[str, Any],
    history: GateHistory,
) -> Any:
    from great_expectations.core.run_identifier import RunIdentifier

    return validation_definition.run(
        batch_parameters={"dataframe": data},
        expectation_parameters=parameters,
        result_format="SUMMARY",
        run_id=RunIdentifier(run_name=history.run_name),
    )


@lru_cache(maxsize=64)
def _kept_validation_definition(context_dir: Path, suite_json: str) -> Any:
    """A suite's validation definition in the file context, saved there once per process.

    Saving writes the suite and the definition to disk; a run of ten batches saved each one ten
    times. Saved once, 15 of a batch's suites took 1.6 s instead of 1.9 s (the same 2,000
    articles gated again in one process, three times each way). The key is the suite's text, so
    the JSON in expectations/ still wins over what the context holds.
    """
    import great_expectations as gx

    definition = json.loads(suite_json)
    context = _file_context(context_dir)
    suite = context.suites.add_or_update(gx.ExpectationSuite(**definition))
    batch_definition = _kept_batch_definition(context, definition["name"])
    return context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=definition["name"], data=batch_definition, suite=suite)
    )


def _forget_batches(batch_definition: Any) -> None:
    """Drop the frame GX keeps after validating it.

    Each data source's execution engine holds its last batch, the whole frame, until another
    batch replaces it; with one data source per staged table, every table validated in a run
    stayed in memory to its end (on 20,000 articles, gigabytes held through the load).
    """
    engine = batch_definition.data_asset.datasource.get_execution_engine()
    engine.batch_manager.reset_batch_cache()
    engine.batch_manager.batch_data_cache.clear()


def build_data_docs(history: GateHistory) -> Path:
    """Render the Data Docs pages of this run's validations, and a page that lists them.

    Only the run's own results are rendered (the index is rebuilt too), so the cost of a run
    does not grow with the history kept.
    """
    with _sole_writer(history.context_dir):
        context = _file_context(history.context_dir)
        keys = [
            key
            for key in context.validation_results_store.list_keys()
            if key.run_id.run_name == history.run_name
        ]
        context.build_data_docs(resource_identifiers=keys)
        return _write_run_page(history, keys)


@contextmanager
def _sole_writer(context_dir: Path) -> Iterator[None]:
    """One process at a time in the GX folder that runs on a warehouse share.

    GX's file stores are not safe for two writers: a run whose validation definition another
    run saved in between fails with ValidationDefinitionRelatedResourcesFreshnessError (seen
    with overlapping runs). Gates are short, so the other run simply waits its turn.
    """
    context_dir.mkdir(parents=True, exist_ok=True)
    with (context_dir / "renda.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def data_docs_site(context_dir: Path) -> Path:
    return context_dir / "uncommitted" / "data_docs" / "local_site"


def _validation_page(history: GateHistory, suite_name: str) -> Path | None:
    """The page a validation will have once the site is built (GX names it by run and time)."""
    validations = data_docs_site(history.context_dir) / "validations" / suite_name
    stored = sorted(
        (history.context_dir / "uncommitted" / "validations" / suite_name / history.run_name).glob(
            "*/*.json"
        )
    )
    if not stored:
        return None
    latest = stored[-1]
    return validations / history.run_name / latest.parent.name / f"{latest.stem}.html"


def _write_run_page(history: GateHistory, keys: list[Any]) -> Path:
    site = data_docs_site(history.context_dir)
    rows = []
    for key in sorted(keys, key=lambda key: key.expectation_suite_identifier.name):
        suite_name = key.expectation_suite_identifier.name
        page = _validation_page(history, suite_name)
        if page is None:
            continue
        target = os.path.relpath(page, site / "runs")
        rows.append(f'<li><a href="{html.escape(target)}">{html.escape(suite_name)}</a></li>')
    run_page = site / "runs" / f"{history.run_name}.html"
    run_page.parent.mkdir(parents=True, exist_ok=True)
    run_page.write_text(_RUN_PAGE.format(run=html.escape(history.run_name), rows="\n".join(rows)))
    return run_page


_RUN_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>renda-etl run {run}</title></head>
<body><h1>Gates of run {run}</h1>
<p>One Great Expectations validation per staged table; <a href="../index.html">all runs</a>.</p>
<ul>
{rows}
</ul></body></html>
"""


def gate_frame(data: pl.DataFrame | pa.Table) -> pd.DataFrame:
    """The pandas frame Great Expectations sees (it has no polars support).

    Dates become yyyymmdd integers: GX 1.24 cannot compare pandas Timestamps with the bounds a
    JSON suite can hold, and integer bounds such as 19491001 read plainly in the suite. Text
    becomes categorical: an article id repeated on every row of its terms is held once, where
    plain pandas holds a Python string per row (about 1 GB for 20,000 articles' terms).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    table = data if isinstance(data, pa.Table) else data.to_arrow()
    for position, column_type in enumerate(table.schema.types):
        column = table.column(position)
        if pa.types.is_date(column_type):
            column = pc.cast(pc.strftime(column, format="%Y%m%d"), pa.int32())
        elif pa.types.is_string(column_type) or pa.types.is_large_string(column_type):
            column = pc.dictionary_encode(column)
        else:
            continue
        table = table.set_column(position, table.column_names[position], column)
    return table.to_pandas()


def suite_columns(definition: dict[str, Any], available: list[str]) -> list[str]:
    """The columns a suite's expectations name, in table order (the first one when it names
    none: a row count still needs rows)."""
    named: set[str] = set()
    for expectation in definition["expectations"]:
        kwargs = expectation.get("kwargs", {})
        named.update([kwargs["column"]] if "column" in kwargs else [])
        named.update(kwargs.get("column_list", []))
    return [column for column in available if column in named] or available[:1]


def suite_parameters() -> dict[str, Any]:
    """Reference data the suites check against: the unit catalogue in seeds/, the official
    division codes of the gazetteer and the fingerprint method of this code, so a suite never
    holds a stale copy of any."""
    from flows.extract.places import get_gazetteer
    from flows.extract.quantities import unit_catalogue
    from flows.ingest.dedup import fingerprint_method

    return {
        "unit_catalogue": sorted(unit_catalogue()),
        "division_codes": sorted(get_gazetteer().divisions),
        "fingerprint_methods": [fingerprint_method()],
    }


def check_gate(
    data: pl.DataFrame | pa.Table,
    expectations_dir: Path,
    suite_name: str,
    history: GateHistory | None = None,
) -> GateResult:
    """Validate a stage output and raise GateFailed on any failed expectation.

    The suite is read first, so a missing or broken suite stops the run before any validation.
    """
    definition = load_suite_definition(expectations_dir, suite_name)
    result = validate_frame(gate_frame(data), definition, suite_parameters(), history)
    if not result.success:
        raise GateFailed(result)
    return result


def _outcome(index: int, result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    observed = details.get("observed_value")
    error = _exception_message(result.exception_info or {})
    if error:
        observed = f"error: {error}"
    return ExpectationOutcome(
        index=index,
        expectation_type=config.type,
        column=config.kwargs.get("column"),
        success=bool(result.success),
        unexpected_count=details.get("unexpected_count"),
        observed_value=None if observed is None else str(observed),
        sample=list(details.get("partial_unexpected_list") or [])[:5],
        row_indices=[int(index) for index in details.get("partial_unexpected_index_list") or []],
    )


def _exception_message(info: dict[str, Any]) -> str | None:
    """GX nests metric errors one level down, keyed by metric id; find the first message."""
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    nested = (value for value in info.values() if isinstance(value, dict))
    return next((_exception_message(value) for value in nested if _exception_message(value)), None)


@lru_cache(maxsize=1)
def _context() -> Any:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return context


@lru_cache(maxsize=4)
def _file_context(context_dir: Path) -> Any:
    import great_expectations as gx

    context = gx.get_context(mode="file", context_root_dir=str(context_dir))
    context.variables.progress_bars = {"globally": False}
    return context


def _kept_batch_definition(context: Any, suite_name: str) -> Any:
    """The whole-dataframe batch of a staged table, created in the file context on first use."""
    name = f"stage_{suite_name}"
    try:
        source = context.data_sources.get(name)
    except LookupError:
        source = context.data_sources.add_pandas(name)
    try:
        asset = source.get_asset(suite_name)
    except LookupError:
        asset = source.add_dataframe_asset(suite_name)
    try:
        return asset.get_batch_definition(suite_name)
    except LookupError:
        return asset.add_batch_definition_whole_dataframe(suite_name)


@lru_cache(maxsize=64)
def _batch_definition(suite_name: str) -> Any:
    source = _context().data_sources.add_or_update_pandas(f"stage_{suite_name}")
    asset = source.add_dataframe_asset(suite_name)
    return asset.add_batch_definition_whole_dataframe(suite_name)
