"""The gold-format export: one JSON document per input file, in the shape of tests/gold/*.json.

This is the export contract of tests/gold/README.md. Writing the pipeline's output in the same
shape as the hand-made gold lets `flows.evaluate` score it field by field, and gives analysts a
plain, diffable view of what the pipeline understood from each file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from flows.records import (
    Article,
    ArticleFacts,
    DatedEvent,
    Person,
    Place,
    Quantity,
    Vote,
)

FIRST_SENTENCE_CHARS = 20

Fact = TypeVar("Fact")

ExportedArticle = tuple[Article, ArticleFacts | None, str | None]


def gold_document(
    file_name: str, page_chrome: list[str], articles: Sequence[ExportedArticle]
) -> dict[str, Any]:
    """One input file in gold shape; each article comes with its facts and its duplicate link.

    The duplicate link is "<file>: <title>" of the article this one repeats, or None.
    """
    ordered = sorted(articles, key=lambda item: item[0].ordinal)
    return {
        "file": file_name,
        "page_chrome": list(page_chrome),
        "articles": [gold_article(article, facts, dup) for article, facts, dup in ordered],
    }


def gold_article(
    article: Article, facts: ArticleFacts | None, duplicate_of: str | None
) -> dict[str, Any]:
    # An article extraction skipped (or failed on) still exports its metadata, with no facts.
    facts = facts if facts is not None else ArticleFacts(article_id=article.article_id)
    return {
        "title": article.title,
        "subtitle": article.subtitle,
        "first_sentence": first_sentence(article.body),
        "publish_date": article.published_date.isoformat() if article.published_date else None,
        "source": article.source,
        "authors": distinct(article.authors),
        "region": region_of(facts.region),
        "duplicate_of": duplicate_of,
        "people": people_of(facts.people),
        "places": distinct(place.name for place in by_position(facts.places)),
        "organizations": distinct(org.name for org in by_position(facts.organizations)),
        "quantities": [quantity_of(q) for q in by_position(facts.quantities)],
        "dated_events": [dated_event_of(event) for event in by_position(facts.dated_events)],
        "laws": distinct(law.title for law in by_position(facts.laws)),
        "slogans": distinct(slogan.text for slogan in by_position(facts.slogans)),
        "votes": [vote_of(vote) for vote in by_position(facts.votes)],
    }


def write_gold_documents(documents: Iterable[dict[str, Any]], out_dir: Path) -> list[Path]:
    """Write `<stem of file>.json` per document (UTF-8, readable Chinese); return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for document in documents:
        path = out_dir / f"{Path(document['file']).stem}.json"
        if path in written:
            # Two inputs with one stem (a/x.txt, b/x.txt) would silently overwrite each other.
            raise ValueError(f"two documents export to the same file: {path.name}")
        text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False)
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written


def first_sentence(body: str) -> str:
    # Leading blank lines or indentation are layout, not the start of the text.
    return body.lstrip()[:FIRST_SENTENCE_CHARS]


def distinct(values: Iterable[str | None]) -> list[str]:
    """Each value once, in order of first appearance, empty values dropped."""
    return list(dict.fromkeys(value for value in values if value))


def by_position(facts: Iterable[Fact]) -> list[Fact]:
    # Reading order, so exports diff cleanly between runs; sorted() is stable for ties.
    return sorted(facts, key=lambda fact: fact.start)  # type: ignore[attr-defined]


def region_of(region: Place | None) -> dict[str, str | None]:
    if region is None:
        return {"province": None, "city": None, "county": None}
    return {"province": region.province, "city": region.city, "county": region.county}


def people_of(people: Iterable[Person]) -> list[dict[str, str | None]]:
    """One entry per name; the role is the first one any mention states."""
    roles: dict[str, str | None] = {}
    for person in by_position(people):
        if not roles.get(person.name):
            roles[person.name] = person.role or None
    return [{"name": name, "role": role} for name, role in roles.items()]


def quantity_of(quantity: Quantity) -> dict[str, Any]:
    return {
        "text": quantity.text,
        "value": json_number(quantity.value),
        "unit": quantity.unit,
        "approx": quantity.approx,
        "subject": quantity.subject,
    }


def json_number(value: float | None) -> int | float | None:
    """70.0 -> 70, so exported values read like the gold; NaN and infinity are not JSON."""
    if value is None or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else value


def dated_event_of(event: DatedEvent) -> dict[str, str]:
    # "what" is a summary in the gold; until extraction writes one, the sentence stands in.
    return {"text": event.text, "date": event.event_date.isoformat(), "what": event.text}


def vote_of(vote: Vote) -> dict[str, Any]:
    return {
        "text": vote.text,
        "for": vote.votes_for,
        "against": vote.votes_against,
        "abstain": vote.votes_abstain,
    }
