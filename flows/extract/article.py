"""Extraction of one article: every extractor, in the order their inputs require.

Places come before organisations and the region, because resolving 市人大常委会 needs the city
the article is about. Part-of-speech tagging (the costly part of jieba) runs once per article,
only on the clauses where an extractor can use it (flows/extract/tagging.py), and is shared by
the extractors that need it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from flows.extract.events import extract_dated_events
from flows.extract.keywords import article_keywords, content_words
from flows.extract.laws import extract_laws
from flows.extract.meetings import extract_meetings
from flows.extract.organizations import extract_organizations
from flows.extract.people import extract_people
from flows.extract.places import extract_places
from flows.extract.quantities import extract_quantities
from flows.extract.region import infer_region
from flows.extract.slogans import extract_slogans
from flows.extract.tagging import tag_for_extraction
from flows.extract.topics import classify_topics
from flows.extract.votes import extract_votes
from flows.records import Article, ArticleFacts


def extract_article(
    article: Article, tokens: Sequence[str], idf: dict[str, float], keyword_count: int
) -> ArticleFacts:
    text = article.body
    tagged = tag_for_extraction(text)
    places = extract_places(text, tagged)
    region = infer_region(places, article.title, text)
    return ArticleFacts(
        article_id=article.article_id,
        quantities=extract_quantities(text, tokens),
        keywords=article_keywords(list(tokens), idf, keyword_count),
        people=extract_people(text, tagged, article.authors),
        places=places,
        organizations=extract_organizations(text, tagged, places, region),
        laws=extract_laws(text),
        slogans=extract_slogans(text),
        votes=extract_votes(text),
        meetings=extract_meetings(text),
        dated_events=extract_dated_events(text, article.published_date),
        topics=classify_topics(text, list(tokens)),
        region=region,
    )


def term_frequencies(tokens: Sequence[str]) -> Counter[str]:
    """Content-word counts of one article (stopwords, numbers and punctuation dropped)."""
    return Counter(content_words(tokens))
