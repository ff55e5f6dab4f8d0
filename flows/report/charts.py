"""Plotly figures for the report's panels, rendered as <div>s that the inlined plotly.js draws.

Rows are summed per category here rather than in SQL so a reporting view at a finer grain
(a role per person, a city per province) still draws one bar per category.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from flows.report.sections import UNKNOWN, Chart

FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"Hiragino Sans GB", "WenQuanYi Micro Hei", system-ui, sans-serif'
)
# Tableau 10 plus two: distinct enough for a dozen stacked series; grey is kept for "unknown".
PALETTE = (
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#E15759",
    "#76B7B2",
    "#EDC948",
    "#B07AA1",
    "#FF9DA7",
    "#9C755F",
    "#17BECF",
    "#8C564B",
    "#BCBD22",
)
UNKNOWN_COLOUR = "#C5CBD3"
# Series whose meaning has a conventional colour: a failed gate must read as red at a glance.
FIXED_COLOURS = {UNKNOWN: UNKNOWN_COLOUR, "passed": "#59A14F", "failed": "#E15759"}
# Light blue to navy: a cell holding one mention must still stand out from an empty one.
HEAT_SCALE = [[0.0, "#D6E6F5"], [0.5, "#6BAED6"], [1.0, "#08306B"]]
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d"]}


def chart_html(chart: Chart, columns: Sequence[str], rows: Sequence[tuple], div_id: str) -> str:
    """The chart as an HTML fragment; plotly.js must be on the page already."""
    import plotly.io as pio  # plotly takes about a second to import: only when a report is built

    figure = FIGURE_BUILDERS[chart.kind](chart, _records(columns, rows))
    return pio.to_html(
        figure, full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG, div_id=div_id
    )


def _records(columns: Sequence[str], rows: Sequence[tuple]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _label(value: Any) -> str:
    return UNKNOWN if value is None or value == "" else str(value)


def _sums(records: list[dict], keys: tuple[str, ...], value: str) -> dict[tuple[str, ...], float]:
    totals: dict[tuple[str, ...], float] = defaultdict(float)
    for record in records:
        totals[tuple(_label(record[key]) for key in keys)] += float(record[value] or 0)
    return totals


def _ordered(labels: set[str]) -> list[str]:
    """Months and names in natural order, with the unknown bucket last where it reads as a note."""
    return sorted(labels, key=lambda label: (label == UNKNOWN, label))


def _ranked(totals: dict[str, float], limit: int) -> list[str]:
    return sorted(totals, key=lambda label: (-totals[label], label))[:limit]


def bar_figure(chart: Chart, records: list[dict]):
    import plotly.graph_objects as go

    keys = (chart.x, chart.color) if chart.color else (chart.x,)
    totals = _sums(records, keys, chart.value)
    categories = _ordered({key[0] for key in totals})
    series = _ordered({key[1] for key in totals}) if chart.color else [None]
    figure = go.Figure()
    for index, name in enumerate(series):
        key_of = (lambda x, n=name: (x, n)) if chart.color else (lambda x: (x,))
        figure.add_bar(
            x=categories,
            y=[totals.get(key_of(category), 0) for category in categories],
            name=name or chart.value,
            marker_color=FIXED_COLOURS.get(name or "", PALETTE[index % len(PALETTE)]),
        )
    figure.update_layout(
        barmode="stack", showlegend=chart.color is not None, legend_traceorder="normal"
    )
    figure.update_xaxes(type="category")  # else plotly reads "2024-02" as a date axis
    return _styled(figure, chart, x_title=chart.x, y_title=chart.value)


def hbar_figure(chart: Chart, records: list[dict]):
    import plotly.graph_objects as go

    totals = {key[0]: total for key, total in _sums(records, (chart.x,), chart.value).items()}
    top = list(reversed(_ranked(totals, chart.limit)))  # plotly draws the first bar at the bottom
    figure = go.Figure(
        go.Bar(x=[totals[label] for label in top], y=top, orientation="h", marker_color=PALETTE[0])
    )
    figure.update_layout(height=max(260, 22 * len(top) + 90))
    return _styled(figure, chart, x_title=chart.value, y_title="")


def heatmap_figure(chart: Chart, records: list[dict]):
    import plotly.graph_objects as go

    assert chart.y is not None, "a heatmap needs rows (y)"
    cells = _sums(records, (chart.x, chart.y), chart.value)
    row_totals: dict[str, float] = defaultdict(float)
    for (_, row), total in cells.items():
        row_totals[row] += total
    rows = list(reversed(_ranked(row_totals, chart.limit)))  # the busiest row on top
    columns = _ordered({column for column, _ in cells})
    z = [[cells.get((column, row)) for column in columns] for row in rows]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=columns,
            y=rows,
            colorscale=HEAT_SCALE,
            xgap=2,
            ygap=2,
            hoverongaps=False,
            colorbar={"title": {"text": chart.value.replace("_", " ")}},
        )
    )
    figure.update_layout(height=max(280, 26 * len(rows) + 110))
    figure.update_xaxes(type="category")
    return _styled(figure, chart, x_title=chart.x, y_title="")


def _styled(figure, chart: Chart, *, x_title: str, y_title: str):
    figure.update_layout(
        template="plotly_white",
        font={"family": FONT_STACK, "size": 13, "color": "#1f2933"},
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        legend={"orientation": "h", "y": -0.2},
        hoverlabel={"font": {"family": FONT_STACK}},
    )
    if figure.layout.height is None:
        figure.update_layout(height=340)
    figure.update_xaxes(title_text=x_title.replace("_", " "), automargin=True)
    figure.update_yaxes(title_text=y_title.replace("_", " "), automargin=True)
    return figure


FIGURE_BUILDERS = {"bar": bar_figure, "hbar": hbar_figure, "heatmap": heatmap_figure}
