"""What a run leaves in the Prefect UI: tables of counts and gate outcomes, a summary, a link.

The rows and the markdown are built by plain functions (unit-tested without Prefect); the
`publish_*` functions only hand them to `prefect.artifacts`. Artifact keys are stable, so each
one has a history across runs in the UI's Artifacts page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.gates import GateResult
from flows.warehouse import connect

if TYPE_CHECKING:
    import polars as pl

FAILING_ROWS_SHOWN = 20  # per failed expectation: enough to see the pattern, small for the UI


@dataclass(frozen=True)
class RunFindings:
    """What the run added that a reader would want to hear about first."""

    top_quantities: list[dict[str, Any]] = field(default_factory=list)
    new_laws: list[dict[str, Any]] = field(default_factory=list)
    new_regions: list[dict[str, Any]] = field(default_factory=list)


def artifact_key(*parts: str) -> str:
    """Prefect allows lowercase letters, digits and dashes only in artifact keys."""
    joined = "-".join(("renda", *parts)).lower()
    return "".join(char if char.isalnum() or char == "-" else "-" for char in joined)


def stage_count_rows(
    stage_counts: dict[str, Any], core_rows: dict[str, int]
) -> list[dict[str, Any]]:
    """One row per (stage, measure): files seen, unchanged, quarantined, articles, facts..."""
    rows = []
    for stage, counts in stage_counts.items():
        for measure, count in _flatten(counts if isinstance(counts, dict) else {stage: counts}):
            rows.append({"stage": stage, "measure": measure, "count": count})
    for table, count in core_rows.items():
        rows.append({"stage": "load", "measure": f"{table} (rows in warehouse)", "count": count})
    return rows


def _flatten(counts: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested counts (quarantine reasons) become `quarantine_reasons.<reason>` measures."""
    flat: list[tuple[str, Any]] = []
    for name, value in counts.items():
        if isinstance(value, dict):
            flat.extend(_flatten(value, f"{prefix}{name}."))
        else:
            flat.append((f"{prefix}{name}", value))
    return flat


def gate_rows(result: GateResult) -> list[dict[str, Any]]:
    return [
        {
            "expectation": outcome.expectation_type,
            "column": outcome.column or "",
            "passed": outcome.success,
            "unexpected_count": outcome.unexpected_count,
            "observed": outcome.observed_value or "",
        }
        for outcome in result.outcomes
    ]


def failing_rows(data: pl.DataFrame, result: GateResult) -> list[dict[str, Any]]:
    """The staged rows that broke each failed expectation, labelled with the expectation."""
    rows = []
    for outcome in result.failures:
        for index in outcome.row_indices[:FAILING_ROWS_SHOWN]:
            if 0 <= index < data.height:
                row = {key: _cell(value) for key, value in data.row(index, named=True).items()}
                where = f"{outcome.expectation_type}({outcome.column or ''})"
                rows.append({"failed": where, "row": index, **row})
    return rows


def _cell(value: Any) -> Any:
    """Long bodies would swamp the table; the offsets and ids identify the row anyway."""
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    if isinstance(value, list | tuple):
        return str(list(value))[:80]
    return value if value is None or isinstance(value, int | float | bool | str) else str(value)


def read_findings(warehouse: Path, run_id: str, limit: int = 10) -> RunFindings:
    """Largest quantities, and laws and regions that no article of an earlier run mentioned."""
    if not warehouse.exists():
        return RunFindings()
    with connect(warehouse, read_only=True) as connection:
        found = {}
        for name, sql in _FINDINGS.items():
            cursor = connection.execute(sql, {"run_id": run_id, "limit": limit})
            columns = [column[0] for column in cursor.description]
            found[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return RunFindings(**found)


_FINDINGS = {
    "top_quantities": """
        select quantities.value, quantities.unit, quantities.subject, articles.title
        from core.fct_quantities as quantities
        join core.dim_articles as articles using (article_sk)
        where quantities.run_id = $run_id and quantities.value is not null
        order by quantities.value desc, quantities.quantity_sk
        limit $limit
    """,
    "new_laws": """
        select title, kind, count(*) as mentions
        from core.fct_laws
        where run_id = $run_id
            and title not in (select title from core.fct_laws where run_id <> $run_id)
        group by title, kind
        order by mentions desc, title
        limit $limit
    """,
    "new_regions": """
        select regions.province, regions.city, regions.county, count(*) as articles
        from core.fct_articles as facts
        join core.dim_regions as regions using (region_sk)
        where facts.run_id = $run_id and regions.region_level <> 'unknown'
            and facts.region_sk not in (
                select region_sk from core.fct_articles where run_id <> $run_id
            )
        group by all
        order by articles desc, regions.province, regions.city, regions.county
        limit $limit
    """,
}


def summary_markdown(
    run_id: str,
    stage_counts: dict[str, Any],
    findings: RunFindings,
    docs_page: Path | None,
) -> str:
    ingest = stage_counts.get("ingest", {})
    lines = [
        f"# renda-etl run `{run_id}`",
        "",
        f"Files read: **{ingest.get('files_seen', 0)}** "
        f"(unchanged {ingest.get('files_unchanged', 0)}, loaded {ingest.get('files_loaded', 0)}, "
        f"quarantined {ingest.get('files_quarantined', 0)}); "
        f"articles: **{ingest.get('articles', 0)}** (duplicates {ingest.get('duplicates', 0)}).",
        "",
        *_section("Largest quantities", findings.top_quantities, _quantity_line),
        *_section("Laws no earlier run mentioned", findings.new_laws, _law_line),
        *_section("Regions no earlier run wrote about", findings.new_regions, _region_line),
    ]
    if docs_page:
        lines += ["", f"Gate results: [Data Docs of this run]({docs_page.as_uri()})"]
    return "\n".join(lines) + "\n"


def _section(title: str, rows: list[dict[str, Any]], line) -> list[str]:
    body = [line(row) for row in rows] or ["- none"]
    return [f"## {title}", "", *body, ""]


def _quantity_line(row: dict[str, Any]) -> str:
    value = row["value"]
    shown = int(value) if float(value).is_integer() else value
    subject = f" {row['subject']}" if row.get("subject") else ""
    return f"- {shown:,}{row.get('unit') or ''}{subject} ({row['title'] or 'untitled article'})"


def _law_line(row: dict[str, Any]) -> str:
    return f"- 《{row['title']}》 ({row.get('kind') or 'unknown kind'}, {row['mentions']}x)"


def _region_line(row: dict[str, Any]) -> str:
    name = "".join(part for part in (row["province"], row["city"], row["county"]) if part)
    articles = row["articles"]
    return f"- {name} ({articles} article{'' if articles == 1 else 's'})"


# --- publishing (needs a Prefect run context) ----------------------------------------------------


def publish_stage_counts(stage_counts: dict[str, Any], core_rows: dict[str, int]) -> None:
    from prefect.artifacts import create_table_artifact

    create_table_artifact(
        stage_count_rows(stage_counts, core_rows),
        key=artifact_key("stage-counts"),
        description="Counts per stage of this run",
    )


def publish_gate(result: GateResult) -> None:
    from prefect.artifacts import create_table_artifact

    verdict = "passed" if result.success else "FAILED"
    create_table_artifact(
        gate_rows(result),
        key=artifact_key("gate", result.suite_name),
        description=f"Gate {result.suite_name} {verdict} on {result.row_count} rows",
    )


def publish_gate_failure(data: pl.DataFrame, result: GateResult) -> None:
    from prefect.artifacts import create_table_artifact

    create_table_artifact(
        failing_rows(data, result),
        key=artifact_key("failed-rows", result.suite_name),
        description=f"Rows of {result.suite_name} that broke its expectations (first "
        f"{FAILING_ROWS_SHOWN} per expectation)",
    )


def publish_summary(markdown: str) -> None:
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        markdown, key=artifact_key("run-summary"), description="What this run found"
    )


def publish_data_docs_link(page: Path) -> None:
    _publish_link(
        page,
        "data-docs",
        "Great Expectations Data Docs of this run",
        "Every gate of this run, rendered by Great Expectations",
    )


def publish_report_link(page: Path) -> None:
    _publish_link(
        page,
        "report",
        "The warehouse report after this run",
        "Charts and sortable tables of the reporting views, readable offline",
    )


def _publish_link(page: Path, name: str, text: str, description: str) -> None:
    from prefect.artifacts import create_link_artifact

    create_link_artifact(
        page.as_uri(), link_text=text, key=artifact_key(name), description=description
    )
