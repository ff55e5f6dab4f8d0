"""What a run shows in the Prefect UI, built by plain functions (no Prefect, no warehouse)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from flows.artifacts import (
    RunFindings,
    artifact_key,
    failing_rows,
    gate_rows,
    stage_count_rows,
    summary_markdown,
)
from flows.gates import ExpectationOutcome, GateResult


def outcome(success: bool, column: str | None = "value", rows: list[int] | None = None):
    return ExpectationOutcome(
        index=0,
        expectation_type="expect_column_values_to_be_between",
        column=column,
        success=success,
        unexpected_count=None if success else len(rows or []),
        observed_value=None,
        sample=[],
        row_indices=rows or [],
    )


def gate(*outcomes: ExpectationOutcome) -> GateResult:
    return GateResult("stg_quantities", all(o.success for o in outcomes), 3, list(outcomes), {})


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("gate", "stg_quantities"), "renda-gate-stg-quantities"),  # underscores are not allowed
        (("Run Summary",), "renda-run-summary"),  # nor capitals or spaces
    ],
)
def test_artifact_key_uses_only_what_prefect_allows(parts, expected):
    assert expected == artifact_key(*parts)


def test_stage_count_rows_flatten_nested_counts_and_add_warehouse_rows():
    counts = {
        "ingest": {"files_seen": 5, "quarantine_reasons": {"empty": 1}},
        "segment": {"tokens": 120},
    }

    rows = stage_count_rows(counts, {"fct_laws": 8})

    assert [
        {"stage": "ingest", "measure": "files_seen", "count": 5},
        {"stage": "ingest", "measure": "quarantine_reasons.empty", "count": 1},
        {"stage": "segment", "measure": "tokens", "count": 120},
        {"stage": "load", "measure": "fct_laws (rows in warehouse)", "count": 8},
    ] == rows


def test_gate_rows_name_expectation_column_and_outcome():
    rows = gate_rows(gate(outcome(True, column=None), outcome(False, rows=[1])))

    assert [("", True, None), ("value", False, 1)] == [
        (row["column"], row["passed"], row["unexpected_count"]) for row in rows
    ]


def test_failing_rows_are_the_staged_rows_at_the_reported_positions():
    data = pl.DataFrame({"article_id": ["a", "b", "c"], "value": [3.0, -1.0, -2.0]})

    rows = failing_rows(data, gate(outcome(True), outcome(False, rows=[1, 2, 7])))

    # position 7 is past the end (a stale index): it is skipped, not an error
    assert [("b", -1.0, 1), ("c", -2.0, 2)] == [
        (r["article_id"], r["value"], r["row"]) for r in rows
    ]
    assert "expect_column_values_to_be_between(value)" == rows[0]["failed"]


def test_failing_rows_shorten_long_text():
    data = pl.DataFrame({"body": ["长" * 500]})

    rows = failing_rows(data, gate(outcome(False, column="body", rows=[0])))

    assert 80 == len(rows[0]["body"])


def test_summary_lists_findings_and_links_the_data_docs(tmp_path):
    findings = RunFindings(
        top_quantities=[{"value": 273.0, "unit": "个", "subject": "联络站", "title": "标题"}],
        new_laws=[{"title": "某某条例", "kind": "条例", "mentions": 2}],
        new_regions=[],
    )
    counts = {"ingest": {"files_seen": 5, "files_loaded": 5, "articles": 20, "duplicates": 1}}

    markdown = summary_markdown("run-1", counts, findings, tmp_path / "run-1.html")

    assert "- 273个 联络站 (标题)" in markdown  # a whole number shows without ".0"
    assert "- 《某某条例》 (条例, 2x)" in markdown
    assert "## Regions no earlier run wrote about\n\n- none" in markdown
    assert Path(tmp_path / "run-1.html").as_uri() in markdown
