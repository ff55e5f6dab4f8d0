"""`renda export --gold`: what the warehouse holds, read back into the gold shape per input file.

Reading from the warehouse (not from stage outputs) is the point: the export proves what an
analyst would find with SQL, after every gate, transaction and reload.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb

from flows.export import gold_document, write_gold_documents
from flows.records import (
    ArticleFacts,
    DatedEvent,
    Law,
    Organization,
    Person,
    Place,
    Quantity,
    Slogan,
    Vote,
)
from flows.stages import article_from_row
from flows.warehouse import _rows, connect

_ARTICLES = """
    select a.article_id, a.file_id, a.ordinal, a.body, a.body_original, a.title, a.subtitle,
        a.published_date, a.source_name as source, a.authors, a.url, a.file_path as path,
        r.province, r.city, r.county, r.division_code, canonical.file_path as canonical_path,
        coalesce(canonical.title, left(canonical.body, 20)) as canonical_title
    from core.dim_articles a
    left join core.dim_regions r using (region_sk)
    left join core.fct_article_duplicates d using (article_sk)
    left join core.dim_articles canonical on canonical.article_sk = d.canonical_article_sk
"""

# fact record type -> query returning article_id plus the record's fields by name
_FACT_QUERIES = {
    Quantity: """select a.article_id, f.text, f.start_offset as start, f.end_offset as end,
        f.value, f.unit, f.approx, f.subject from core.fct_quantities f join core.dim_articles a
        using (article_sk)""",
    Person: """select a.article_id, f.name, f.start_offset as start, f.end_offset as end, f.role
        from core.fct_entity_mentions f join core.dim_articles a using (article_sk)
        where f.entity_type = 'person'""",
    Place: """select a.article_id, f.name, f.start_offset as start, f.end_offset as end
        from core.fct_entity_mentions f join core.dim_articles a using (article_sk)
        where f.entity_type = 'place'""",
    Organization: """select a.article_id, f.name, f.start_offset as start,
        f.end_offset as end from core.fct_entity_mentions f join core.dim_articles a
        using (article_sk) where f.entity_type = 'organization'""",
    Law: """select a.article_id, f.title, f.start_offset as start, f.end_offset as end, f.kind
        from core.fct_laws f join core.dim_articles a using (article_sk)""",
    Slogan: """select a.article_id, f.slogan as text, f.start_offset as start,
        f.end_offset as end from core.fct_slogans f join core.dim_articles a using (article_sk)""",
    Vote: """select a.article_id, f.text, f.start_offset as start, f.end_offset as end,
        f.votes_for, f.votes_against, f.votes_abstain from core.fct_votes f
        join core.dim_articles a using (article_sk)""",
    DatedEvent: """select a.article_id, f.text, f.start_offset as start, f.end_offset as end,
        f.event_date, f.date_text from core.fct_dated_events f
        join core.dim_articles a using (article_sk)""",
}
_FACT_ATTRIBUTES = {
    Quantity: "quantities",
    Person: "people",
    Place: "places",
    Organization: "organizations",
    Law: "laws",
    Slogan: "slogans",
    Vote: "votes",
    DatedEvent: "dated_events",
}


def export_gold(warehouse: Path, out_dir: Path) -> list[Path]:
    """Write one gold-shaped JSON per loaded input file; returns the files written."""
    with connect(warehouse, read_only=True) as connection:
        articles = _rows(connection, _ARTICLES)
        facts = _facts_by_article(connection, [row["article_id"] for row in articles])
        chrome = dict(
            connection.execute(
                "select path, page_chrome from raw.file_ledger where status = 'loaded'"
            ).fetchall()
        )
    documents = _documents(articles, facts, chrome)
    return write_gold_documents(documents, out_dir)


def _facts_by_article(
    connection: duckdb.DuckDBPyConnection, article_ids: list[str]
) -> dict[str, ArticleFacts]:
    facts = {article_id: ArticleFacts(article_id=article_id) for article_id in article_ids}
    for record_type, query in _FACT_QUERIES.items():
        for row in _rows(connection, query):
            article_id = row.pop("article_id")
            getattr(facts[article_id], _FACT_ATTRIBUTES[record_type]).append(record_type(**row))
    return facts


def _documents(articles: list[dict], facts: dict[str, ArticleFacts], chrome: dict) -> list[dict]:
    by_file: dict[str, list] = defaultdict(list)
    for row in articles:
        article = article_from_row(row)
        article_facts = facts[row["article_id"]]
        article_facts.region = _region(row)
        by_file[article.path].append((article, article_facts, _duplicate_of(row)))
    return [
        gold_document(Path(path).name, list(chrome.get(path) or []), items)
        for path, items in sorted(by_file.items())
    ]


def _region(row: dict) -> Place | None:
    if not (row["province"] or row["city"] or row["county"]):
        return None
    name = row["county"] or row["city"] or row["province"]
    return Place(name, 0, 0, row["province"], row["city"], row["county"], row["division_code"])


def _duplicate_of(row: dict) -> str | None:
    if not row["canonical_path"]:
        return None
    return f"{Path(row['canonical_path']).name}: {row['canonical_title']}"
