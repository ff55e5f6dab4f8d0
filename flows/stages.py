"""The four stages as plain functions over a run's stage folder (see flows/stage_io.py).

Each stage reads the Parquet files of the stage before it and writes its own; the Prefect flow
in flows/pipeline.py wraps each in a task and gates its output. Nothing here touches Prefect,
so every stage can be unit-tested and run by hand.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flows.records import Article, ArticleFacts, DuplicateLink
from flows.stage_io import read_table, record_row, write_table

FACT_TABLES = {
    "quantities": "stg_quantities",
    "people": "stg_people",
    "places": "stg_places",
    "organizations": "stg_organizations",
    "laws": "stg_laws",
    "slogans": "stg_slogans",
    "votes": "stg_votes",
    "meetings": "stg_meetings",
    "dated_events": "stg_dated_events",
}


@dataclass
class IngestCounts:
    files_seen: int = 0
    files_unchanged: int = 0
    files_loaded: int = 0
    files_quarantined: int = 0
    articles: int = 0
    duplicates: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)


# --- ingest --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusState:
    """What the warehouse already holds that ingest and extract need to see."""

    ledger: dict[str, str] = field(default_factory=dict)  # path -> file_id last processed
    articles: tuple[Article, ...] = ()  # loaded articles outside this batch, for deduplication
    document_frequency: dict[str, int] = field(default_factory=dict)  # term -> articles with it
    document_count: int = 0


def ingest_stage(
    source: Path | str, stage_dir: Path, quarantine_dir: Path, corpus: CorpusState, max_bytes: int
) -> IngestCounts:
    """Read every new or changed file of `source` into staged files, articles and duplicates."""
    from flows.ingest import discover_files, ingest_file

    root, paths = discover_files(source)
    counts = IngestCounts(files_seen=len(paths))
    files, quarantined, articles = [], [], []
    for path in paths:
        relative = _relative(path, root)
        if _unchanged(path, relative, corpus.ledger):
            counts.files_unchanged += 1
            continue
        outcome = ingest_file(path, root, max_bytes=max_bytes)
        file_articles = [_with_path(article, relative) for article in outcome.articles]
        files.append(_file_row(relative, outcome, len(file_articles)))
        if outcome.quarantined is not None:
            quarantined.append(record_row(outcome.quarantined, path=relative))
            _keep_quarantined_bytes(path, quarantine_dir, relative)
            reason = outcome.quarantined.reason
            counts.quarantine_reasons[reason] = counts.quarantine_reasons.get(reason, 0) + 1
        articles.extend(file_articles)
    duplicates = _duplicates(articles, corpus, {row["path"] for row in files})
    _write_ingest(stage_dir, files, quarantined, articles, duplicates)
    counts.files_quarantined = len(quarantined)
    counts.files_loaded = len(files) - len(quarantined)
    counts.articles = len(articles)
    batch_ids = {article.article_id for article in articles}
    counts.duplicates = sum(1 for link in duplicates if link.article_id in batch_ids)
    return counts


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _unchanged(path: Path, relative: str, ledger: dict[str, str]) -> bool:
    from flows.ingest import fingerprint

    if relative not in ledger or not path.is_file() or path.is_symlink():
        return False
    try:
        return fingerprint(path) == ledger[relative]
    except OSError:
        return False  # unreadable now: ingest will quarantine it with the reason


def _with_path(article: Article, relative: str) -> Article:
    return dataclasses.replace(article, path=relative)


def _file_row(relative: str, outcome, article_count: int) -> dict:
    source_file = outcome.file
    return {
        "path": relative,
        "file_id": source_file.file_id if source_file else None,
        "size_bytes": source_file.size_bytes if source_file else None,
        "encoding": source_file.encoding if source_file else None,
        "status": "quarantined" if outcome.quarantined else "loaded",
        "article_count": article_count,
        "page_chrome": list(outcome.page_chrome),
    }


def _keep_quarantined_bytes(path: Path, quarantine_dir: Path, relative: str) -> None:
    """A copy of what could be read, so a quarantined file stays recoverable after it changes."""
    if not path.is_file() or path.is_symlink():
        return
    target = quarantine_dir / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    except OSError:
        pass  # unreadable: the source file itself is all there is, and the reason says why


def _duplicates(
    batch: list[Article], corpus: CorpusState, batch_paths: set[str]
) -> list[DuplicateLink]:
    """Duplicate links over the whole corpus: this batch plus what earlier runs loaded."""
    from flows.ingest import find_duplicates

    earlier = [article for article in corpus.articles if article.path not in batch_paths]
    return find_duplicates([*earlier, *batch])


def _write_ingest(stage_dir: Path, files, quarantined, articles, duplicates) -> None:
    write_table(stage_dir, "stg_files", files)
    write_table(stage_dir, "stg_quarantine", quarantined)
    write_table(stage_dir, "stg_articles", (_article_row(article) for article in articles))
    write_table(stage_dir, "stg_duplicates", (record_row(link) for link in duplicates))


def _article_row(article: Article) -> dict:
    return record_row(article, article_id=article.article_id, char_count=len(article.body))


def read_articles(stage_dir: Path) -> list[Article]:
    return [
        article_from_row(row) for row in read_table(stage_dir, "stg_articles").iter_rows(named=True)
    ]


def article_from_row(row: dict) -> Article:
    names = {f.name for f in dataclasses.fields(Article)}
    values = {key: value for key, value in row.items() if key in names}
    values["authors"] = tuple(values.get("authors") or ())
    return Article(**values)


# --- segment -------------------------------------------------------------------------------------


def segment_stage(stage_dir: Path) -> int:
    """jieba tokens of every staged article; returns the token count."""
    from flows.segment import get_segmenter

    segmenter = get_segmenter()
    articles = read_table(stage_dir, "stg_articles").select("article_id", "body")
    rows = []
    for article_id, body in articles.iter_rows():
        tokens = segmenter.cut(body)
        rows.append({"article_id": article_id, "token_count": len(tokens), "tokens": tokens})
    write_table(stage_dir, "stg_tokens", rows)
    return sum(row["token_count"] for row in rows)


# --- extract -------------------------------------------------------------------------------------


def extract_stage(stage_dir: Path, corpus: CorpusState, keyword_count: int) -> dict[str, int]:
    """Every fact of every staged article; returns rows per staging table."""
    from flows.extract.article import extract_article

    articles = read_articles(stage_dir)
    tokens = _tokens_by_article(stage_dir)
    idf = corpus_idf(tokens.values(), corpus)
    facts = [extract_article(a, tokens[a.article_id], idf, keyword_count) for a in articles]
    return write_facts(stage_dir, facts, tokens, idf)


def _tokens_by_article(stage_dir: Path) -> dict[str, list[str]]:
    frame = read_table(stage_dir, "stg_tokens")
    return {row["article_id"]: row["tokens"] for row in frame.iter_rows(named=True)}


def corpus_idf(batch_tokens: Iterable[list[str]], corpus: CorpusState) -> dict[str, float]:
    """IDF learned from the whole corpus: the batch plus every article already loaded."""
    from flows.extract.keywords import content_words, idf_from_counts

    frequency = dict(corpus.document_frequency)
    documents = corpus.document_count
    for tokens in batch_tokens:
        documents += 1
        for term in set(content_words(tokens)):
            frequency[term] = frequency.get(term, 0) + 1
    return idf_from_counts(frequency, documents)


def write_facts(
    stage_dir: Path, facts: list[ArticleFacts], tokens: dict[str, list[str]], idf: dict[str, float]
) -> dict[str, int]:

    counts = {}
    for attribute, table in FACT_TABLES.items():
        rows = (
            record_row(f, article_id=af.article_id) for af in facts for f in getattr(af, attribute)
        )
        counts[table] = write_table(stage_dir, table, rows)
    counts["stg_keywords"] = write_table(
        stage_dir,
        "stg_keywords",
        (record_row(k, article_id=af.article_id) for af in facts for k in af.keywords),
    )
    counts["stg_topics"] = write_table(
        stage_dir,
        "stg_topics",
        (record_row(t, article_id=af.article_id) for af in facts for t in af.topics),
    )
    counts["stg_article_regions"] = write_table(
        stage_dir,
        "stg_article_regions",
        (record_row(af.region, article_id=af.article_id) for af in facts if af.region),
    )
    counts["stg_term_mentions"] = write_table(
        stage_dir, "stg_term_mentions", _term_rows(tokens, idf)
    )
    return counts


def _term_rows(tokens: dict[str, list[str]], idf: dict[str, float]) -> Iterable[dict]:
    from flows.extract.article import term_frequencies

    for article_id, article_tokens in tokens.items():
        frequencies = term_frequencies(article_tokens)
        total = sum(frequencies.values()) or 1
        for term, tf in frequencies.items():
            yield {
                "article_id": article_id,
                "term": term,
                "tf": tf,
                "tfidf": tf / total * idf.get(term, 0.0),
            }
