"""Reporting views on the sample warehouse: what an analyst relies on when querying them.

The sample holds one reprint: article 0 of file 000 repeats article 1 of file 001 (a near copy
with a date the canonical copy lacks). Aggregate views must count that story once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from flows.warehouse import catalog, connect

SQL_DIR = Path(__file__).resolve().parents[2] / "warehouse"
VIEWS = [obj.name for obj in catalog(SQL_DIR) if obj.schema == "reporting"]
REGION = ("province", "city", "county")
IN_REGION = (
    "where province is not distinct from ? and city is not distinct from ? "
    "and county is not distinct from ?"
)
# per fact value: how many articles state it, for values stated by both copies of the reprint
IN_BOTH_COPIES = """
    with facts as ({fact_sql}),
    articles as (select article_sk, article_id from core.dim_articles)
    select key, count(distinct article_sk)
    from facts join articles using (article_sk)
    group by key
    having count(distinct article_id) filter (where article_id in (?, ?)) = 2
"""

pytestmark = pytest.mark.slow  # builds the sample warehouse with the whole pipeline


@pytest.fixture(scope="module")
def db(sample_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(sample_warehouse, read_only=True) as connection:
        yield connection


def rows(db: duckdb.DuckDBPyConnection, sql: str, *params) -> list[tuple]:
    return db.execute(sql, list(params)).fetchall()


def scalar(db: duckdb.DuckDBPyConnection, sql: str, *params):
    return db.execute(sql, list(params)).fetchone()[0]


def canonical_article_count(db: duckdb.DuckDBPyConnection) -> int:
    return scalar(db, "select count(*) from reporting.rpt_articles where not is_duplicate")


def reprint_pair(db: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    return rows(
        db, "select duplicate_article_id, canonical_article_id from reporting.rpt_duplicates"
    )[0]


# --- every view ----------------------------------------------------------------------------------


def test_views_in_database_are_the_view_files(db):
    in_database = rows(db, "select view_name from duckdb_views() where schema_name = 'reporting'")

    assert sorted(VIEWS) == sorted(name for (name,) in in_database)


@pytest.mark.parametrize("view", VIEWS)
def test_view_is_documented_by_a_comment(db, view):
    comment = scalar(
        db,
        "select comment from duckdb_views() where schema_name = 'reporting' and view_name = ?",
        view,
    )

    assert comment and len(comment) > 40  # a sentence, not a placeholder


@pytest.mark.parametrize("view", VIEWS)
def test_view_runs_and_returns_rows_on_the_sample(db, view):
    assert scalar(db, f"select count(*) from reporting.{view}") > 0


# --- duplicates ----------------------------------------------------------------------------------


def test_duplicates_lists_exactly_the_reprint_pair(db):
    listed = rows(
        db,
        "select duplicate_file_path, duplicate_ordinal, canonical_file_path, canonical_ordinal, "
        "method from reporting.rpt_duplicates",
    )

    assert [("000_54f3899849c6cafd.txt", 0, "001_4ca2f901b2fa3bdc.txt", 1, "near")] == listed


def test_duplicates_shows_both_titles_and_a_similarity(db):
    duplicate_title, canonical_title, similarity = rows(
        db, "select duplicate_title, canonical_title, similarity from reporting.rpt_duplicates"
    )[0]

    assert canonical_title in duplicate_title  # the reprint prefixes the source: 平顶山人大：...
    assert 0.8 < similarity <= 1.0


# --- counted once --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "view",
    ["rpt_articles_by_region_month", "rpt_articles_by_source_month"],
)
def test_article_counts_add_up_to_canonical_articles(db, view):
    total = scalar(db, f"select sum(article_count) from reporting.{view}")

    assert canonical_article_count(db) == total
    assert 19 == total  # 20 articles in the sample, one of them a reprint


def test_articles_by_region_month_counts_the_reprint_pair_once(db):
    duplicate_id, _ = reprint_pair(db)
    region = rows(
        db,
        "select province, city, county from reporting.rpt_articles where article_id = ?",
        duplicate_id,
    )[0]
    all_articles = scalar(db, f"select count(*) from reporting.rpt_articles {IN_REGION}", *region)

    counted = scalar(
        db,
        f"select sum(article_count) from reporting.rpt_articles_by_region_month {IN_REGION}",
        *region,
    )

    assert all_articles - 1 == counted  # both copies are about this region; one is counted


def test_articles_by_region_month_has_one_row_per_region_and_month(db):
    keys = rows(
        db, "select province, city, county, year_month from reporting.rpt_articles_by_region_month"
    )

    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("view", "key", "fact_sql"),
    [
        # each: a per-key article count in the view, and the same count taken over all articles
        ("rpt_laws", "law_title", "select title as key, article_sk from core.fct_laws"),
        (
            "rpt_slogans_by_month",
            "slogan",
            "select slogan as key, article_sk from core.fct_slogans",
        ),
    ],
)
def test_mentions_in_both_copies_of_a_reprint_count_once(db, view, key, fact_sql):
    duplicate_id, canonical_id = reprint_pair(db)
    in_both = rows(db, IN_BOTH_COPIES.format(fact_sql=fact_sql), duplicate_id, canonical_id)
    assert in_both  # the reprint repeats at least one of these facts, else the test proves nothing

    for value, all_copies in in_both:
        counted = scalar(
            db, f"select sum(article_count) from reporting.{view} where {key} = ?", value
        )
        assert all_copies - 1 == counted, value


# --- regions -------------------------------------------------------------------------------------


def test_top_terms_by_region_rank_starts_at_one_without_gaps(db):
    ranks = rows(
        db,
        "select region_name, min(rank), max(rank), count(*) "
        "from reporting.rpt_top_terms_by_region group by region_name",
    )

    assert [] == [r for r in ranks if r[1] != 1 or r[2] != r[3]]


def test_top_terms_by_region_top_ten_is_at_most_ten_terms_ordered_by_tfidf(db):
    top = rows(
        db,
        "select region_name, list(tfidf_total order by rank) "
        "from reporting.rpt_top_terms_by_region where rank <= 10 group by region_name",
    )

    assert [] == [region for region, scores in top if len(scores) > 10]
    assert [] == [region for region, scores in top if scores != sorted(scores, reverse=True)]


def test_top_terms_by_region_counts_each_story_of_the_region_once(db):
    most = rows(
        db,
        "select region_name, max(article_count) from reporting.rpt_top_terms_by_region "
        "group by region_name",
    )
    stories = dict(
        rows(
            db,
            "select region_name, sum(article_count) from reporting.rpt_articles_by_region_month "
            "group by region_name",
        )
    )

    assert [] == [(region, n) for region, n in most if n > stories[region]]


def test_topics_by_region_shares_add_up_to_one_per_region(db):
    totals = rows(
        db,
        "select region_name, sum(share_of_region) from reporting.rpt_topics_by_region "
        "group by region_name",
    )

    assert [] == [(region, total) for region, total in totals if abs(total - 1) > 0.001]


def test_topics_by_region_counts_each_canonical_article_once(db):
    total = scalar(db, "select sum(article_count) from reporting.rpt_topics_by_region")

    assert canonical_article_count(db) == total  # every article has one article-level topic


# --- readable facts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "columns"),
    [
        ("rpt_quantities", ["title", "published_date", *REGION, "subject", "value", "unit"]),
        (
            "rpt_people_roles",
            ["person_name", "role", "title", "published_date", *REGION, "mention_count"],
        ),
        (
            "rpt_laws",
            ["law_title", "kind", "article_count", "first_published_date", "last_published_date"],
        ),
        ("rpt_slogans_by_month", ["slogan", "year_month", "article_count"]),
        ("rpt_topics_by_region", [*REGION, "topic", "article_count", "share_of_region"]),
        ("rpt_articles_by_region_month", [*REGION, "year_month", "article_count"]),
        ("rpt_top_terms_by_region", [*REGION, "rank", "term", "tfidf_total"]),
        (
            "rpt_duplicates",
            [
                "duplicate_title",
                "duplicate_file_path",
                "canonical_title",
                "canonical_file_path",
                "method",
                "similarity",
            ],
        ),
    ],
)
def test_view_has_the_columns_analysts_ask_for(db, view, columns):
    present = {
        name
        for (name,) in rows(
            db,
            "select column_name from information_schema.columns "
            "where table_schema = 'reporting' and table_name = ?",
            view,
        )
    }

    assert [] == [column for column in columns if column not in present]


def test_quantities_carry_their_article_title_and_unit(db):
    unreadable = scalar(
        db, "select count(*) from reporting.rpt_quantities where unit is null or value is null"
    )
    titled = scalar(db, "select count(*) from reporting.rpt_quantities where title is not null")

    assert 0 == unreadable
    assert titled > 0


def test_quantities_flag_exactly_the_numbers_of_the_reprint(db):
    duplicate_id, _ = reprint_pair(db)
    flagged = rows(
        db, "select distinct article_id from reporting.rpt_quantities where from_duplicate"
    )

    assert [(duplicate_id,)] == flagged


def test_people_roles_leave_out_bylines(db):
    bylines = rows(
        db,
        "select people.person_name, people.title from reporting.rpt_people_roles as people "
        "join reporting.rpt_articles as articles using (article_id) "
        "where list_contains(articles.authors, people.person_name)",
    )

    assert [] == bylines


def test_people_roles_leave_out_the_reprint(db):
    duplicate_id, canonical_id = reprint_pair(db)
    listed = {
        article_id
        for (article_id,) in rows(db, "select distinct article_id from reporting.rpt_people_roles")
    }

    assert duplicate_id not in listed
    assert canonical_id in listed  # the story's people are still there, once


def test_people_roles_mention_counts_add_up_per_person(db):
    mismatched = rows(
        db,
        "select article_id, person_name from reporting.rpt_people_roles "
        "group by article_id, person_name "
        "having sum(mention_count) <> any_value(person_mention_count)",
    )

    assert [] == mismatched


def test_laws_take_first_seen_dates_from_reprints_too(db):
    # the canonical copy has no date, the reprint has one: a law cited by both was seen then
    duplicate_id, _ = reprint_pair(db)
    reprint_date = scalar(
        db, "select published_date from reporting.rpt_articles where article_id = ?", duplicate_id
    )
    dates = rows(
        db,
        "select distinct laws.first_published_date from reporting.rpt_laws as laws "
        "join core.fct_laws as facts on facts.title = laws.law_title "
        "join core.dim_articles as articles using (article_sk) where articles.article_id = ?",
        duplicate_id,
    )

    assert [(reprint_date,)] == dates


# --- operations ----------------------------------------------------------------------------------


def test_runs_lists_newest_first_with_status(db):
    listed = rows(db, "select run_id, status from reporting.rpt_runs")

    assert [("run-loaded", "completed"), ("run-failed", "failed")] == listed


def test_data_quality_shows_only_the_latest_result_per_suite(db):
    latest = rows(db, "select suite_name, run_id, success from reporting.rpt_data_quality")

    assert [("stg_articles", "run-loaded", True)] == latest
