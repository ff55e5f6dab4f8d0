"""Render query results into the one self-contained HTML page of the report.

Plain string templates and `html.escape`, no template engine: the page is a handful of
repeated blocks, and every value from the warehouse passes through `_text` before it lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from flows.report.build import PanelResult, SectionResult
from flows.report.charts import FONT_STACK, chart_html

ASSETS = files("flows.report")
EMPTY_OPTION = "__empty__"  # the filter choice for rows whose cell is blank
NUMBER_TYPE = ' data-type="number"'  # right-aligned, sorted as numbers by report.js
MAX_FILTER_OPTIONS = 300  # past this a drop-down stops helping; the search box still works


def render_page(
    sections: Sequence[SectionResult],
    overview: Sequence[tuple[str, Any]],
    *,
    warehouse: Path,
    generated_at: datetime,
    plotly_js: str | None = None,
) -> str:
    """The whole page. `plotly_js` defaults to the bundled plotly.min.js (tests pass a stub)."""
    template = Template(_asset("template.html"))
    return template.substitute(
        font_stack=FONT_STACK,
        css=_asset("report.css"),
        js=_asset("report.js"),
        plotly_js=_plotly_js() if plotly_js is None else plotly_js,
        warehouse_name=_text(warehouse.name),  # the full path is a tooltip: it is machine-specific
        warehouse_path=_text(str(warehouse)),
        generated_at=_text(generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        overview=render_overview(overview),
        nav="\n".join(
            f'<a href="#{r.section.anchor}">{_text(r.section.heading)}</a>' for r in sections
        ),
        sections="\n".join(render_section(result) for result in sections),
    )


def _asset(name: str) -> str:
    return ASSETS.joinpath(name).read_text(encoding="utf-8")


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_overview(overview: Sequence[tuple[str, Any]]) -> str:
    return "\n".join(
        f'<div class="figure"><span class="figure-value">{_text(_display(value)) or "–"}</span>'
        f'<span class="figure-label">{_text(label)}</span></div>'
        for label, value in overview
    )


def render_section(result: SectionResult) -> str:
    section = result.section
    panels = "\n".join(
        render_panel(panel, f"{section.anchor}-{index}")
        for index, panel in enumerate(result.panels)
    )
    return (
        f'<section id="{section.anchor}">\n<h2>{_text(section.heading)}</h2>\n'
        f'<p class="intro">{_text(section.intro)}</p>\n{panels}\n</section>'
    )


def render_panel(result: PanelResult, panel_id: str) -> str:
    title = f"<h3>{_text(result.panel.title)}</h3>"
    if not result.available:
        return f'<div class="panel unavailable">{title}{render_unavailable(result)}</div>'
    caption = (
        f'<p class="source">from <code>{_text(result.source or "")}</code> · '
        f"{len(result.rows):,} rows</p>"
    )
    if not result.rows:
        return f'<div class="panel">{title}{caption}<p class="empty">No rows yet.</p></div>'
    body = []
    if result.panel.chart:
        chart = chart_html(result.panel.chart, result.columns, result.rows, f"chart-{panel_id}")
        body.append(f'<div class="chart" data-chart>{chart}</div>')
    if result.panel.table:
        body.append(render_table(result, f"table-{panel_id}"))
    return f'<div class="panel">{title}{caption}{"".join(body)}</div>'


def render_unavailable(result: PanelResult) -> str:
    sources = ", ".join(f"<code>{_text(query.source)}</code>" for query in result.panel.queries)
    return (
        f'<p class="empty">Not available yet: this warehouse does not have {sources} '
        "in the shape this panel needs. Rebuild it with a newer <code>renda run</code>.</p>"
        f"<details><summary>details</summary><pre>{_text(result.missing or '')}</pre></details>"
    )


# --- tables --------------------------------------------------------------------------------------


def render_table(result: PanelResult, table_id: str) -> str:
    """A sortable table (click a heading) with a search box and drop-down filters above it."""
    assert result.panel.table is not None
    limit = result.panel.table.max_rows
    rows = result.rows[:limit]
    numeric = [_is_numeric_column(rows, index) for index in range(len(result.columns))]
    head = "".join(
        f'<th scope="col"{NUMBER_TYPE if numeric[index] else ""}>'
        f"{_text(column.replace('_', ' '))}</th>"
        for index, column in enumerate(result.columns)
    )
    body = "\n".join(_row_html(row, numeric) for row in rows)
    note = ""
    if len(result.rows) > limit:
        note = (
            f'<p class="note">Showing the first {limit:,} of {len(result.rows):,} rows; '
            f"<code>renda query {_text(result.source or '')}</code> has them all.</p>"
        )
    return (
        f"{render_tools(result, rows, table_id)}{note}"
        f'<div class="table-wrap"><table id="{table_id}" class="data sortable" data-sortable>'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>"
    )


def render_tools(result: PanelResult, rows: Sequence[tuple], table_id: str) -> str:
    assert result.panel.table is not None
    selects = [
        _filter_select(column, result.columns.index(column), rows)
        for column in result.panel.table.filters
        if column in result.columns  # a view may drop a column the fallback query had
    ]
    return (
        f'<div class="table-tools" data-table="{table_id}">'
        '<input type="search" placeholder="Search this table…" aria-label="search">'
        f'{"".join(selects)}<span class="row-count"></span></div>'
    )


def _filter_select(column: str, index: int, rows: Sequence[tuple]) -> str:
    values = sorted({_display(row[index]) for row in rows})[:MAX_FILTER_OPTIONS]
    label = column.replace("_", " ")
    options = [f'<option value="">{_text(label)}: all</option>'] + [
        f'<option value="{_text(value) or EMPTY_OPTION}">{_text(value) or "(blank)"}</option>'
        for value in values
    ]
    return f'<select data-column="{index}" aria-label="{_text(label)}">{"".join(options)}</select>'


def _row_html(row: tuple, numeric: list[bool]) -> str:
    cells = []
    for value, is_number in zip(row, numeric, strict=True):
        sort_key = _sort_key(value)
        attributes = f' data-sort="{_text(sort_key)}"' if sort_key is not None else ""
        if is_number:
            attributes += ' class="num"'
        cells.append(f"<td{attributes}>{_text(_display(value))}</td>")
    return f"<tr>{''.join(cells)}</tr>"


def _is_numeric_column(rows: Sequence[tuple], index: int) -> bool:
    values = [row[index] for row in rows if row[index] is not None]
    return bool(values) and all(_is_number(value) for value in values)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _sort_key(value: Any) -> str | None:
    """What the table script sorts by when the shown text would sort wrongly (1,200 vs 300)."""
    if _is_number(value):
        return repr(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return None


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.4f}".rstrip("0")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(_display(item) for item in value)
    return str(value)


def _text(value: str) -> str:
    return escape(value, quote=True)
