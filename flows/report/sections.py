"""What the report shows: its sections, the queries behind them, and how each is drawn.

Each panel lists candidate queries, best first. The first is the reporting view made for it
(`select *`, so the table shows whatever columns the view's author chose); the next ones read
the reporting or core objects that exist today. A candidate is skipped when an object or column
it needs is missing, or when it lacks the columns the panel's chart plots, so a warehouse built
before a view existed still gets a report, and the view takes over as soon as it is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

UNKNOWN = "(unknown)"  # the label dim_dates and dim_sources already use for a missing value


@dataclass(frozen=True)
class Query:
    source: str  # the object named under the panel, so analysts know where to query further
    sql: str


@dataclass(frozen=True)
class Chart:
    """A plotly chart of a panel's rows. bar: stacked by `color`; hbar: ranked; heatmap: x*y."""

    kind: Literal["bar", "hbar", "heatmap"]
    x: str  # the category: bars along x (bar), ranked down the page (hbar), heatmap columns
    value: str  # the measure, summed over rows that share a category
    y: str | None = None  # heatmap rows
    color: str | None = None  # bar: one stacked series per value of this column
    limit: int = 20  # categories kept on the ranked axis; the table below keeps every row

    @property
    def columns(self) -> set[str]:
        return {column for column in (self.x, self.value, self.y, self.color) if column}


@dataclass(frozen=True)
class Table:
    filters: tuple[str, ...] = ()  # columns offered as drop-down filters above the table
    max_rows: int = 2000  # a page, not an export: past this, point the reader to `renda query`


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[Query, ...]
    chart: Chart | None = None
    table: Table | None = None


@dataclass(frozen=True)
class Section:
    anchor: str
    heading: str
    intro: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class Figure:
    """One number of the overview strip at the top of the page."""

    label: str
    query: Query


def _view(name: str, order_by: str = "") -> Query:
    order = f" order by {order_by}" if order_by else ""
    return Query(f"reporting.{name}", f"select * from reporting.{name}{order}")


ARTICLES_BY_REGION_MONTH = f"""
select
    coalesce(province, '{UNKNOWN}') as province,
    coalesce(strftime(published_date, '%Y-%m'), '{UNKNOWN}') as year_month,
    count(*) as article_count
from reporting.rpt_articles
where not is_duplicate
group by all
order by year_month, province
"""

QUANTITIES = """
select published_date, province, city, county, subject, value, unit, approx, text, title,
    from_duplicate
from reporting.rpt_quantities
"""

QUANTITIES_BY_UNIT = f"""
select coalesce(unit, '{UNKNOWN}') as unit, count(*) as mention_count
from reporting.rpt_quantities
where not from_duplicate
group by all
"""

# Keywords are the top-10 TF-IDF terms of each article; a reprint would count its story twice.
KEYWORDS_BY_MONTH = """
with keywords as (
    select * from core.fct_term_mentions
    where tfidf_rank <= 10
        and article_sk not in (select article_sk from core.fct_article_duplicates)
),

final as (
    select terms.term, dates.year_month, count(*) as article_count
    from keywords
    join core.dim_terms as terms using (term_sk)
    join core.fct_articles as articles using (article_sk)
    join core.dim_dates as dates on dates.date_sk = articles.published_date_sk
    group by all
    order by dates.year_month, terms.term
)

select * from final
"""

SLOGANS_BY_MONTH = """
with slogans as (
    select * from core.fct_slogans
    where article_sk not in (select article_sk from core.fct_article_duplicates)
),

final as (
    select
        slogans.slogan,
        dates.year_month,
        count(*) as mention_count,
        count(distinct slogans.article_sk) as article_count
    from slogans
    join core.fct_articles as articles using (article_sk)
    join core.dim_dates as dates on dates.date_sk = articles.published_date_sk
    group by all
    order by mention_count desc, slogans.slogan
)

select * from final
"""

LAWS = """
select
    laws.title as law_title,
    laws.kind,
    count(distinct laws.article_sk) as article_count,
    min(articles.published_date) as first_published_date,
    string_agg(distinct articles.title, ' | ') as article_titles
from core.fct_laws as laws
join core.dim_articles as articles using (article_sk)
group by all
order by article_count desc, law_title
"""

PEOPLE_ROLES = """
select
    mentions.name as person_name,
    coalesce(mentions.role, '') as role,
    count(*) as mention_count,
    count(distinct mentions.article_sk) as article_count,
    string_agg(distinct articles.title, ' | ') as article_titles
from core.fct_entity_mentions as mentions
join core.dim_articles as articles using (article_sk)
where mentions.entity_type = 'person'
group by all
order by mention_count desc, mentions.name
"""

DUPLICATES = """
select
    duplicate.title as duplicate_title,
    duplicate.source_name as duplicate_source,
    duplicate.published_date as duplicate_date,
    canonical.title as canonical_title,
    canonical.source_name as canonical_source,
    links.method,
    links.similarity
from core.fct_article_duplicates as links
join core.dim_articles as duplicate using (article_sk)
join core.dim_articles as canonical on canonical.article_sk = links.canonical_article_sk
order by links.similarity desc
"""

TOPICS_BY_REGION = f"""
select
    coalesce(regions.province, '{UNKNOWN}') as province,
    topics.topic,
    count(distinct assignments.article_sk) as article_count
from core.fct_topics as assignments
join core.dim_topics as topics using (topic_sk)
join core.fct_articles as articles using (article_sk)
left join core.dim_regions as regions on regions.region_sk = articles.region_sk
where assignments.is_article_level
    and assignments.article_sk not in (select article_sk from core.fct_article_duplicates)
group by all
order by article_count desc, province, topics.topic
"""

GATE_OUTCOMES = """
select
    suite_name,
    case when success then 'passed' else 'failed' end as outcome,
    count(*) as expectation_count
from reporting.rpt_data_quality
group by all
order by suite_name
"""

RUNS = """
select run_id, status, started_at, seconds, error, extractor_version, source
from reporting.rpt_runs
limit 50
"""

SECTIONS: tuple[Section, ...] = (
    Section(
        "articles",
        "Articles per region and month",
        "Stories per province and publish month; a reprint counts once.",
        (
            Panel(
                "Articles per province and month",
                (
                    _view("rpt_articles_by_region_month"),
                    Query("reporting.rpt_articles", ARTICLES_BY_REGION_MONTH),
                ),
                Chart("bar", x="year_month", value="article_count", color="province"),
                Table(filters=("province",)),
            ),
            Panel(
                "Articles per source and month",
                (_view("rpt_articles_by_source_month"),),
                Chart("bar", x="year_month", value="article_count", color="source_name"),
                Table(filters=("source_name",)),
            ),
        ),
    ),
    Section(
        "quantities",
        "Quantities",
        "Every number the articles report, with its subject and unit. Filter by region or unit, "
        "search any text, click a column heading to sort.",
        (
            Panel(
                "Quantity mentions per unit",
                (Query("reporting.rpt_quantities", QUANTITIES_BY_UNIT),),
                Chart("hbar", x="unit", value="mention_count"),
            ),
            Panel(
                "All quantities",
                (Query("reporting.rpt_quantities", QUANTITIES),),
                table=Table(filters=("province", "city", "unit")),
            ),
        ),
    ),
    Section(
        "keywords",
        "Top keywords and slogans over time",
        "Terms that characterise the corpus (TF-IDF summed over stories), and how keywords and "
        "slogans spread over publish months.",
        (
            Panel(
                "Top keywords",
                (_view("rpt_top_terms", "tfidf_total desc"),),
                Chart("hbar", x="term", value="tfidf_total"),
                Table(),
            ),
            Panel(
                "Keywords per month (stories where the term is a top-10 keyword)",
                (
                    _view("rpt_keywords_by_month"),
                    Query("core.fct_term_mentions", KEYWORDS_BY_MONTH),
                ),
                Chart("heatmap", x="year_month", y="term", value="article_count", limit=15),
            ),
            Panel(
                "Slogans per month",
                (
                    _view("rpt_slogans_by_month"),
                    Query("core.fct_slogans", SLOGANS_BY_MONTH),
                ),
                Chart("heatmap", x="year_month", y="slogan", value="mention_count", limit=15),
                Table(filters=("year_month",)),
            ),
        ),
    ),
    Section(
        "laws",
        "Laws passed and reviewed",
        "Laws, regulations and decisions the articles name: passed, reviewed or cited.",
        (
            Panel(
                "Laws and regulations",
                (_view("rpt_laws"), Query("core.fct_laws", LAWS)),
                table=Table(filters=("kind",)),
            ),
        ),
    ),
    Section(
        "people",
        "People and roles",
        "People named in the articles with the role the article gives them.",
        (
            Panel(
                "People and roles",
                (_view("rpt_people_roles"), Query("core.fct_entity_mentions", PEOPLE_ROLES)),
                Chart("hbar", x="person_name", value="mention_count"),
                Table(filters=("province",)),
            ),
        ),
    ),
    Section(
        "topics",
        "Topics per region",
        "Stories per topic of 人大 work and province.",
        (
            Panel(
                "Topics per province",
                (_view("rpt_topics_by_region"), Query("core.fct_topics", TOPICS_BY_REGION)),
                Chart("heatmap", x="topic", y="province", value="article_count"),
                Table(filters=("province", "topic")),
            ),
        ),
    ),
    Section(
        "duplicates",
        "Duplicates",
        "Stories that repeat another one (reprints and near copies), with the story they repeat.",
        (
            Panel(
                "Duplicate stories",
                (_view("rpt_duplicates"), Query("core.fct_article_duplicates", DUPLICATES)),
                table=Table(),
            ),
        ),
    ),
    Section(
        "quality",
        "Data quality",
        "The latest result of every Great Expectations gate, and the history of pipeline runs.",
        (
            Panel(
                "Expectations per gate, latest run",
                (Query("reporting.rpt_data_quality", GATE_OUTCOMES),),
                Chart("bar", x="suite_name", value="expectation_count", color="outcome"),
            ),
            Panel(
                "Expectations, latest result",
                (_view("rpt_data_quality"),),
                table=Table(filters=("suite_name", "success")),
            ),
            Panel(
                "Pipeline runs, newest first",
                (Query("reporting.rpt_runs", RUNS),),
                table=Table(filters=("status",)),
            ),
        ),
    ),
)

OVERVIEW: tuple[Figure, ...] = (
    Figure(
        "stories",
        Query(
            "reporting.rpt_articles",
            "select count(*) from reporting.rpt_articles where not is_duplicate",
        ),
    ),
    Figure(
        "duplicates",
        Query(
            "reporting.rpt_articles",
            "select count(*) from reporting.rpt_articles where is_duplicate",
        ),
    ),
    Figure(
        "quantities",
        Query("reporting.rpt_quantities", "select count(*) from reporting.rpt_quantities"),
    ),
    Figure(
        "people named",
        Query(
            "core.fct_entity_mentions",
            "select count(distinct name) from core.fct_entity_mentions "
            "where entity_type = 'person'",
        ),
    ),
    Figure("laws named", Query("core.fct_laws", "select count(distinct title) from core.fct_laws")),
    Figure(
        "last run", Query("reporting.rpt_runs", "select status from reporting.rpt_runs limit 1")
    ),
)
