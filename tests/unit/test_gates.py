"""Great Expectations gates: suites from expectations/, failures that carry their result."""

from __future__ import annotations

import gc
import json
import weakref
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from flows.gates import (
    GateFailed,
    GateHistory,
    SuiteMissing,
    build_data_docs,
    check_gate,
    gate_frame,
    load_suite_definition,
    suite_columns,
    suite_parameters,
    validate_frame,
)
from flows.settings import PROJECT_ROOT
from flows.stage_io import frame, read_columns, staging_schemas, write_table

EXPECTATIONS = PROJECT_ROOT / "expectations"


def quantity(value: float, unit: str | None = "个", start: int = 0) -> dict:
    return {
        "article_id": "a",
        "start_offset": start,
        "end_offset": start + 2,
        "text": "3个",
        "value": value,
        "unit": unit,
    }


def test_gate_passes_a_good_frame():
    data = frame("stg_quantities", [quantity(3), quantity(4, start=5)])

    result = check_gate(data, EXPECTATIONS, "stg_quantities")

    assert result.success
    assert 2 == result.row_count


@pytest.mark.parametrize(
    ("rows", "failing_column"),
    [
        ([quantity(-1)], "value"),  # counts are never negative
        ([quantity(float("inf"))], "value"),  # infinity is not a count
        ([quantity(3, unit=None)], "unit"),
        ([quantity(3), quantity(4)], None),  # two quantities at one offset: compound key broken
    ],
)
def test_gate_fails_and_names_the_expectation(rows, failing_column):
    data = frame("stg_quantities", rows)

    with pytest.raises(GateFailed) as failure:
        check_gate(data, EXPECTATIONS, "stg_quantities")

    failed_columns = [outcome.column for outcome in failure.value.result.failures]
    assert failing_column in failed_columns
    assert failure.value.result.raw["success"] is False


def test_empty_articles_frame_fails_on_row_count():
    """An empty frame passes every row-level expectation; the row count must catch it."""
    with pytest.raises(GateFailed) as failure:
        check_gate(frame("stg_articles", []), EXPECTATIONS, "stg_articles")

    failed = [outcome.expectation_type for outcome in failure.value.result.failures]
    assert ["expect_table_row_count_to_be_between"] == failed


def test_missing_suite_stops_before_validating(tmp_path):
    with pytest.raises(SuiteMissing, match="no expectation suite for stg_quantities"):
        check_gate(frame("stg_quantities", []), tmp_path, "stg_quantities")


def test_broken_suite_is_reported_as_such(tmp_path):
    (tmp_path / "stg_quantities.json").write_text("{not json", encoding="utf-8")

    with pytest.raises(SuiteMissing, match="not valid JSON"):
        check_gate(frame("stg_quantities", []), tmp_path, "stg_quantities")


def test_gate_frame_turns_dates_into_comparable_integers():
    data = pl.DataFrame({"published_date": [date(2024, 3, 11), None]})

    converted = gate_frame(data)

    assert [20240311] == converted["published_date"].dropna().astype(int).tolist()


def test_every_suite_checks_a_minimum_row_count():
    for path in sorted(EXPECTATIONS.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        types = [expectation["type"] for expectation in suite["expectations"]]
        assert "expect_table_row_count_to_be_between" in types, path.name


def test_gate_rejects_a_unit_outside_the_catalogue():
    data = frame("stg_quantities", [quantity(3, unit="斤两")])

    with pytest.raises(GateFailed) as failure:
        check_gate(data, EXPECTATIONS, "stg_quantities")

    assert [["斤两"]] == [o.sample for o in failure.value.result.failures if o.column == "unit"]


def test_gate_with_history_keeps_the_result_and_links_its_data_docs_page(tmp_path):
    history = GateHistory(tmp_path / ".gx", "run-1")
    data = frame("stg_quantities", [quantity(3)])

    result = check_gate(data, EXPECTATIONS, "stg_quantities", history)
    run_page = build_data_docs(history)

    stored = list(
        (tmp_path / ".gx" / "uncommitted" / "validations").glob("stg_quantities/run-1/*/*")
    )
    assert 1 == len(stored)
    assert result.docs_page.endswith(".html")
    assert Path(result.docs_page.removeprefix("file://")).exists()
    assert "stg_quantities" in run_page.read_text(encoding="utf-8")
    assert (run_page.parent.parent / "index.html").exists()


def test_failed_gate_with_history_points_at_the_failing_rows(tmp_path):
    history = GateHistory(tmp_path / ".gx", "run-2")
    # the second row is the negative count; its position is what the UI shows
    data = frame("stg_quantities", [quantity(3), quantity(-1, start=5)])

    with pytest.raises(GateFailed) as failure:
        check_gate(data, EXPECTATIONS, "stg_quantities", history)

    value_failures = [o for o in failure.value.result.failures if o.column == "value"]
    assert [[1]] == [outcome.row_indices for outcome in value_failures]
    assert failure.value.result.docs_page is not None


def test_suite_in_the_json_file_wins_over_the_copy_in_the_context(tmp_path):
    """The file context keeps a copy of each suite; an edited JSON suite must replace it."""
    history = GateHistory(tmp_path / ".gx", "run-3")
    check_gate(frame("stg_quantities", [quantity(300)]), EXPECTATIONS, "stg_quantities", history)
    strict = tmp_path / "strict"
    strict.mkdir()
    suite = json.loads((EXPECTATIONS / "stg_quantities.json").read_text(encoding="utf-8"))
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "value", "max_value": 100},
        }
    )
    (strict / "stg_quantities.json").write_text(json.dumps(suite), encoding="utf-8")

    with pytest.raises(GateFailed):
        check_gate(frame("stg_quantities", [quantity(300)]), strict, "stg_quantities", history)


def test_gate_rejects_a_division_code_the_gazetteer_does_not_know():
    place = {
        "article_id": "a",
        "start_offset": 0,
        "end_offset": 2,
        "name": "某地",
        "province": "某省",
        "division_code": "999999",
    }

    with pytest.raises(GateFailed) as failure:
        check_gate(frame("stg_places", [place]), EXPECTATIONS, "stg_places")

    samples = [o.sample for o in failure.value.result.failures if o.column == "division_code"]
    assert [["999999"]] == samples


@pytest.mark.parametrize("kept", [False, True], ids=["ephemeral", "with history"])
def test_a_validated_frame_is_not_kept_alive(kept, tmp_path):
    # GX keeps each data source's last batch; a run validates a dozen tables and would hold
    # every one of them to its end.
    data = gate_frame(frame("stg_quantities", [quantity(3)]))
    alive = weakref.ref(data)
    history = GateHistory(tmp_path / ".gx", "run-1") if kept else None
    definition = load_suite_definition(EXPECTATIONS, "stg_quantities")

    assert validate_frame(data, definition, suite_parameters(), history).success
    del data
    gc.collect()

    assert alive() is None


def test_a_gate_reads_only_the_columns_its_suite_checks(tmp_path):
    definition = load_suite_definition(EXPECTATIONS, "stg_tokens")
    write_table(
        tmp_path, "stg_tokens", [{"article_id": "a", "token_count": 2, "tokens": ["x", "y"]}]
    )

    columns = suite_columns(definition, list(staging_schemas()["stg_tokens"]))
    data = read_columns(tmp_path, "stg_tokens", columns)

    assert "tokens" not in data.column_names  # the token lists are most of the table
    assert check_gate(data, EXPECTATIONS, "stg_tokens").success


def test_gate_frame_holds_repeated_text_once():
    rows = [quantity(3, start=offset) for offset in range(0, 300, 3)]

    converted = gate_frame(frame("stg_quantities", rows))

    assert ["a"] == list(converted["article_id"].cat.categories)


@pytest.mark.parametrize(
    ("rows", "failing_column"),
    [
        ([quantity(3), quantity(4)], None),  # duplicate key among categorical text columns
        ([{**quantity(3), "unit": "not-a-unit"}], "unit"),  # set membership on categorical text
    ],
)
def test_gate_still_fails_on_categorical_text(rows, failing_column):
    with pytest.raises(GateFailed) as failure:
        check_gate(frame("stg_quantities", rows).to_arrow(), EXPECTATIONS, "stg_quantities")

    assert failing_column in [outcome.column for outcome in failure.value.result.failures]


def test_a_gate_still_runs_after_another_process_saved_another_version_of_its_suite(tmp_path):
    # The validation definition is saved once per process; another run (another code version,
    # or a suite edited during a long run) may save a different suite under the same name.
    import great_expectations as gx

    history = GateHistory(tmp_path / ".gx", "run-4")
    data = frame("stg_quantities", [quantity(3)])
    check_gate(data, EXPECTATIONS, "stg_quantities", history)
    other = json.loads((EXPECTATIONS / "stg_quantities.json").read_text(encoding="utf-8"))
    other["expectations"] = other["expectations"][:1]
    other_process = gx.get_context(mode="file", context_root_dir=str(history.context_dir))
    other_process.suites.add_or_update(gx.ExpectationSuite(**other))

    result = check_gate(data, EXPECTATIONS, "stg_quantities", history)

    expected = load_suite_definition(EXPECTATIONS, "stg_quantities")["expectations"]
    assert len(expected) == len(result.outcomes)  # this process's suite, saved again
