"""Stage functions without Prefect: what each writes for the next one."""

from __future__ import annotations

from pathlib import Path

from flows.ingest import fingerprint
from flows.stage_io import read_table
from flows.stages import CorpusState, ingest_stage, segment_stage

ARTICLE = "标题\n\n本报讯 市人大常委会建成代表联络站12个，收集意见建议300余条。\n"


def write_sources(folder: Path) -> Path:
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_ingest_stage_accounts_for_every_file_once(tmp_path):
    source = write_sources(tmp_path / "src")

    counts = ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(), 1_000_000)

    files = read_table(tmp_path / "stage", "stg_files").sort("path")
    assert [("empty.txt", "quarantined"), ("good.txt", "loaded")] == files.select(
        "path", "status"
    ).rows()
    quarantined = read_table(tmp_path / "stage", "stg_quarantine")
    assert ["empty.txt"] == quarantined["path"].to_list()
    assert (1, 1) == (counts.files_loaded, counts.files_quarantined)


def test_ingest_stage_gives_articles_their_source_path(tmp_path):
    source = write_sources(tmp_path / "src")

    ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(), 1_000_000)

    articles = read_table(tmp_path / "stage", "stg_articles")
    assert ["good.txt"] == articles["path"].unique().to_list()
    assert all(count > 0 for count in articles["char_count"].to_list())


def test_ingest_stage_skips_files_the_ledger_has_seen_unchanged(tmp_path):
    source = write_sources(tmp_path / "src")
    ledger = {"good.txt": fingerprint(source / "good.txt")}

    counts = ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(ledger), 10**6)

    assert 1 == counts.files_unchanged
    assert ["empty.txt"] == read_table(tmp_path / "stage", "stg_files")["path"].to_list()


def test_ingest_stage_keeps_a_copy_of_quarantined_bytes(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "binary.txt").write_bytes(bytes(range(256)) * 4)

    ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(), 1_000_000)

    assert (source / "binary.txt").read_bytes() == (tmp_path / "q" / "binary.txt").read_bytes()


def test_segment_stage_tokens_every_article_with_the_domain_dictionary(tmp_path):
    source = write_sources(tmp_path / "src")
    ingest_stage(source, tmp_path / "stage", tmp_path / "q", CorpusState(), 1_000_000)

    segment_stage(tmp_path / "stage")

    tokens = read_table(tmp_path / "stage", "stg_tokens")["tokens"].to_list()
    assert any("代表联络站" in article_tokens for article_tokens in tokens)
