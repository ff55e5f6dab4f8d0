"""Build the report: query the published warehouse read-only, then write one index.html."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from flows.report.sections import OVERVIEW, SECTIONS, Panel, Query, Section
from flows.warehouse import connect

# A missing view or table, or a view without a column a query names: the object is not built yet.
NOT_BUILT_YET = (duckdb.CatalogException, duckdb.BinderException)


@dataclass(frozen=True)
class PanelResult:
    panel: Panel
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    source: str | None = None
    missing: str | None = None  # why no candidate query could run, when none could

    @property
    def available(self) -> bool:
        return self.missing is None


@dataclass(frozen=True)
class SectionResult:
    section: Section
    panels: list[PanelResult]


def build_report(warehouse: Path, out_dir: Path) -> Path:
    """Write `out_dir/index.html` from the published `warehouse` (opened read-only); return it."""
    from flows.report.page import render_page

    with connect(warehouse, read_only=True) as connection:
        sections = [query_section(connection, section) for section in SECTIONS]
        overview = query_overview(connection)
    html = render_page(sections, overview, warehouse=warehouse, generated_at=datetime.now(UTC))
    out_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return index


def query_section(connection: duckdb.DuckDBPyConnection, section: Section) -> SectionResult:
    return SectionResult(section, [query_panel(connection, panel) for panel in section.panels])


def query_panel(connection: duckdb.DuckDBPyConnection, panel: Panel) -> PanelResult:
    """The first candidate query that runs and has the columns the panel's chart plots."""
    reasons = []
    for query in panel.queries:
        try:
            columns, rows = _run(connection, query)
        except NOT_BUILT_YET as error:
            reasons.append(f"{query.source}: {_first_line(error)}")
            continue
        if panel.chart and not panel.chart.columns <= set(columns):
            reasons.append(f"{query.source}: lacks {sorted(panel.chart.columns - set(columns))}")
            continue
        return PanelResult(panel, columns, rows, query.source)
    return PanelResult(panel, missing="; ".join(reasons))


def query_overview(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, Any]]:
    """(label, value) per headline figure; None where the object behind it is not built yet."""
    figures = []
    for figure in OVERVIEW:
        try:
            _, rows = _run(connection, figure.query)
        except NOT_BUILT_YET:
            rows = []
        figures.append((figure.label, rows[0][0] if rows else None))
    return figures


def _run(connection: duckdb.DuckDBPyConnection, query: Query) -> tuple[list[str], list[tuple]]:
    result = connection.execute(query.sql)
    columns = [description[0] for description in result.description]
    return columns, result.fetchall()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
