"""Tagging only the clauses an extractor can use gives the same facts as tagging everything."""

from __future__ import annotations

import pytest

from bench.corpus import CorpusSpec, write_corpus
from flows.extract import article as article_module
from flows.extract.article import extract_article
from flows.extract.keywords import learn_idf
from flows.extract.tagging import needs_tags
from flows.ingest import discover_files, ingest_file
from flows.segment import get_segmenter
from tests.conftest import SEED_ARTICLES


@pytest.mark.parametrize(
    ("expected", "clause"),
    [
        (True, "党组书记、主任张明新说，"),  # a title
        (True, "他表示，"),  # a verb of saying
        (True, "安阳的发展"),  # a division's short name
        (True, "在红旗村"),  # a town suffix
        (True, "市场监督管理局"),  # an organisation suffix
        (False, "今天天气很好，"),
        (False, ""),
    ],
)
def test_needs_tags_finds_trigger_words(expected, clause):
    assert expected == needs_tags(clause)


def articles_of(folder):
    root, paths = discover_files(folder)
    return [a for path in paths for a in ingest_file(path, root, max_bytes=10**7).articles]


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    """The samples, and a generated corpus that mixes their sentences with new names."""
    generated = tmp_path_factory.mktemp("corpus")
    write_corpus(SEED_ARTICLES, generated, CorpusSpec(articles=40, seed=5))
    return articles_of(SEED_ARTICLES) + articles_of(generated)


def extract_all(articles):
    segmenter = get_segmenter()
    jobs = [(article, segmenter.cut(article.body)) for article in articles]
    idf = learn_idf(tokens for _, tokens in jobs)
    return [extract_article(article, tokens, idf, 10) for article, tokens in jobs]


def test_extract_with_clause_tagging_equals_extract_with_every_clause_tagged(articles, monkeypatch):
    selective = extract_all(articles)
    monkeypatch.setattr(article_module, "tag_for_extraction", get_segmenter().tag)

    everything = extract_all(articles)

    assert len(articles) > 40
    for article, expected, actual in zip(articles, everything, selective, strict=True):
        assert expected == actual, article.path or article.title
