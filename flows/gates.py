"""Great Expectations gates: one suite per staged table, kept as JSON in expectations/.

A gate validates a stage's output before anything is published and raises `GateFailed`, which
carries the full validation result, when any expectation fails. Great Expectations takes seconds
to import, so it is imported inside the functions that need it, never at module import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl


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


@dataclass(frozen=True)
class GateResult:
    suite_name: str
    success: bool
    row_count: int
    outcomes: list[ExpectationOutcome]
    raw: dict[str, Any]  # Great Expectations' own JSON of the validation result

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
    data: pd.DataFrame, definition: dict[str, Any], parameters: dict[str, Any] | None = None
) -> GateResult:
    """Validate a pandas frame against a suite definition (no exception on failure).

    `parameters` fill the suite's {"$PARAMETER": name} placeholders, so a suite can check values
    against reference data kept in seeds/ (the unit catalogue) instead of a copy of it.
    """
    import great_expectations as gx

    context = _context()
    suite = gx.ExpectationSuite(**definition)
    batch = _batch_definition(definition["name"]).get_batch(batch_parameters={"dataframe": data})
    validation = batch.validate(
        suite, expectation_parameters=parameters or {}, result_format="SUMMARY"
    )
    outcomes = [_outcome(index, result) for index, result in enumerate(validation.results)]
    del context  # the context only has to exist while the suite is built and run
    return GateResult(
        definition["name"],
        bool(validation.success),
        len(data),
        outcomes,
        validation.to_json_dict(),
    )


def gate_frame(data: pl.DataFrame) -> pd.DataFrame:
    """The pandas frame Great Expectations sees (it has no polars support).

    Dates become yyyymmdd integers: GX 1.24 cannot compare pandas Timestamps with the bounds a
    JSON suite can hold, and integer bounds such as 19491001 read plainly in the suite.
    """
    import polars as pl

    dates = [name for name, dtype in data.schema.items() if dtype == pl.Date]
    converted = data.with_columns(
        pl.col(name).dt.strftime("%Y%m%d").cast(pl.Int32) for name in dates
    )
    return converted.to_pandas()


def suite_parameters() -> dict[str, Any]:
    """Reference data the suites check against, read from seeds/ when a gate runs."""
    from flows.extract.quantities import unit_catalogue

    return {"unit_catalogue": sorted(unit_catalogue())}


def check_gate(data: pl.DataFrame, expectations_dir: Path, suite_name: str) -> GateResult:
    """Validate a stage output and raise GateFailed on any failed expectation.

    The suite is read first, so a missing or broken suite stops the run before any validation.
    """
    definition = load_suite_definition(expectations_dir, suite_name)
    result = validate_frame(gate_frame(data), definition, suite_parameters())
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


@lru_cache(maxsize=64)
def _batch_definition(suite_name: str) -> Any:
    source = _context().data_sources.add_or_update_pandas(f"stage_{suite_name}")
    asset = source.add_dataframe_asset(suite_name)
    return asset.add_batch_definition_whole_dataframe(suite_name)
