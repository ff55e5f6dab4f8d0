"""The report builder on a tiny made-up warehouse: sections, Chinese text, sorting, degradation."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.report import build_report
from flows.report.page import _display
from flows.report.sections import SECTIONS
from flows.settings import PROJECT_ROOT
from flows.warehouse import WarehouseError, connect, migrate

SQL_DIR = PROJECT_ROOT / "warehouse"
# Made-up rows: one article, its region, date and source, one quantity, one person, one law.
# Only the columns the reporting views join or show; the rest stay null.
MADE_UP_ROWS = """
insert into core.dim_regions by name
    select 'r1' as region_sk, '某某省' as province, '某某市' as city, '某某县' as county;
insert into core.dim_dates by name
    select 20240312 as date_sk, date '2024-03-12' as calendar_date, '2024-03' as year_month;
insert into core.dim_sources by name select 's1' as source_sk, '某某日报' as source_name;
insert into core.fct_articles by name
    select 'a1' as article_sk, 20240312 as published_date_sk, 's1' as source_sk,
        'r1' as region_sk, 40 as char_count, 20 as token_count;
insert into core.dim_articles by name
    select 'a1' as article_sk, 'article-1' as article_id,
        '某某县人大<b>常委会</b>召开会议' as title, date '2024-03-12' as published_date,
        '某某日报' as source_name, 'r1' as region_sk;
insert into core.fct_quantities by name
    select 'q1' as quantity_sk, 'a1' as article_sk, 12.0 as value, '个' as unit,
        '联络点' as subject, '12个' as text, 3 as start_offset, 6 as end_offset;
insert into core.dim_people by name select 'p1' as person_sk, '王某' as name;
insert into core.fct_entity_mentions by name
    select 'm1' as entity_mention_sk, 'a1' as article_sk, 'person' as entity_type,
        '王某' as name, '副主任' as role, 'p1' as person_sk, 0 as start_offset, 2 as end_offset;
insert into core.fct_laws by name
    select 'l1' as law_sk, 'a1' as article_sk, '某某县河道管理条例' as title, '条例' as kind,
        7 as start_offset, 16 as end_offset;
"""


def made_up_warehouse(path: Path, *statements: str) -> Path:
    """A migrated warehouse holding the made-up rows, changed by `statements` (drops, views)."""
    with connect(path) as connection:
        migrate(connection, SQL_DIR)
        connection.execute(MADE_UP_ROWS)
        for statement in statements:
            connection.execute(statement)
    return path


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("report")
    warehouse = made_up_warehouse(root / "renda.duckdb")
    return build_report(warehouse, root / "out").read_text(encoding="utf-8")


def build(tmp_path: Path, *statements: str) -> str:
    warehouse = made_up_warehouse(tmp_path / "renda.duckdb", *statements)
    return build_report(warehouse, tmp_path / "out").read_text(encoding="utf-8")


def panel_html(page: str, title: str) -> str:
    """The HTML of the panel titled `title`, up to the next panel or section."""
    start = page.index(f"<h3>{title}</h3>")
    end = min(
        i
        for i in (page.find('<div class="panel', start), page.find("</section>", start))
        if i != -1
    )
    return page[start:end]


@pytest.mark.parametrize("heading", [section.heading for section in SECTIONS])
def test_build_report_writes_every_section_heading(page: str, heading: str) -> None:
    assert f"<h2>{heading}</h2>" in page


@pytest.mark.parametrize(
    "text",
    [
        '<meta charset="utf-8">',  # browsers opening the file from disk must not guess
        "Noto Sans CJK SC",  # a CJK font first, so Han glyphs do not fall back to Japanese forms
        "某某县河道管理条例",
        "联络点",
        "副主任",
        "某某省",
    ],
)
def test_build_report_keeps_chinese_text(page: str, text: str) -> None:
    assert text in page


def test_build_report_escapes_markup_from_the_data(page: str) -> None:
    # A title holding markup must show as text, not become part of the page.
    assert "某某县人大&lt;b&gt;常委会&lt;/b&gt;召开会议" in page
    assert "人大<b>常委会" not in page


def test_build_report_makes_every_table_sortable(page: str) -> None:
    tables = re.findall(r"<table[^>]*>", page)
    assert len(tables) >= 5
    assert [] == [table for table in tables if "data-sortable" not in table]


def test_build_report_inlines_plotly_and_fetches_nothing(page: str) -> None:
    assert "plotly.js v" in page  # the library's banner: the bundle itself is in the page
    # No script or stylesheet from a URL: the report must open with no network.
    assert [] == re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"https?:", page)


def test_build_report_draws_a_chart_per_charted_panel_with_rows(page: str) -> None:
    # Charted panels with made-up rows: region/month, source/month, units, people.
    assert 4 == page.count('<div class="chart" data-chart>')


@pytest.mark.parametrize(
    ("statement", "panel_title"),
    [
        ("drop view reporting.rpt_quantities", "All quantities"),
        ("drop view reporting.rpt_quantities", "Quantity mentions per unit"),
        ("drop table core.fct_laws", "Laws and regulations"),
        # The runs view exists but is missing a column the panel needs: treated as not built yet.
        (
            "create or replace view reporting.rpt_runs as select 'r' as run_id",
            "Pipeline runs, newest first",
        ),
    ],
)
def test_build_report_degrades_when_an_object_is_missing(
    tmp_path: Path, statement: str, panel_title: str
) -> None:
    page = build(tmp_path, statement)
    panel = panel_html(page, panel_title)
    assert "Not available yet" in panel
    assert "<h2>People and roles</h2>" in page  # the rest of the report is still there
    assert "王某" in page


def test_build_report_prefers_the_reporting_view_once_it_exists(tmp_path: Path) -> None:
    page = build(
        tmp_path,
        "create or replace view reporting.rpt_laws as "
        "select '某某市物业管理条例' as law_title, '条例' as kind, 3 as article_count",
    )
    panel = panel_html(page, "Laws and regulations")
    assert "<code>reporting.rpt_laws</code>" in panel
    assert "某某市物业管理条例" in panel
    assert "某某县河道管理条例" not in panel  # the core fallback was not used


def test_build_report_falls_back_when_a_view_cannot_feed_the_chart(tmp_path: Path) -> None:
    # A people view without the charted columns (name, mention_count): the core query is used.
    page = build(
        tmp_path, "create or replace view reporting.rpt_people_roles as select '王某' as person"
    )
    panel = panel_html(page, "People and roles")
    assert "<code>core.fct_entity_mentions</code>" in panel
    assert "data-chart" in panel


def test_build_report_refuses_a_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="renda run"):
        build_report(tmp_path / "absent.duckdb", tmp_path / "out")


def test_build_report_opens_the_warehouse_read_only(tmp_path: Path) -> None:
    warehouse = made_up_warehouse(tmp_path / "renda.duckdb")
    build_report(warehouse, tmp_path / "out")
    # Still writable afterwards by another connection: the report left no lock or change behind.
    with duckdb.connect(str(warehouse)) as connection:
        assert 1 == connection.execute("select count(*) from core.fct_laws").fetchone()[0]


@pytest.mark.parametrize(
    ("expected", "value"),
    [
        ("273", 273.0),  # a whole number stored as DOUBLE shows without ".0"
        ("0.9526", 0.9526),
        ("1.5", 1.5),  # trailing zeros of the 4 decimals are dropped
        ("12,000", 12000),
        ("", None),
        ("yes", True),
        ("2024-03-12", date(2024, 3, 12)),
        ("张三、李四", ["张三", "李四"]),  # DuckDB lists (authors) join with the Chinese comma
        ("代表联络站", "代表联络站"),
    ],
)
def test_display_formats_values_for_reading(expected: str, value: object) -> None:
    assert expected == _display(value)
