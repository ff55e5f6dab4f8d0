"""flows.stage_cache without Prefect: keys follow input content, entries are whole or absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows import stage_cache
from flows.settings import Settings
from flows.stage_cache import CachedStage
from flows.stage_io import table_path, write_table
from flows.stages import write_idf

ARTICLE = {"article_id": "a1", "path": "a.txt", "file_id": "f1", "ordinal": 0, "body": "代表"}


def stage_with_article(folder: Path, body: str = "代表联络站") -> Path:
    write_table(folder, "stg_articles", [{**ARTICLE, "body": body, "body_original": body}])
    write_table(folder, "stg_files", [{"path": "a.txt", "status": "loaded"}])
    return folder


def settings_in(folder: Path) -> Settings:
    return Settings(warehouse_path=folder / "w.duckdb")


def segment_key(stage_dir: Path, settings: Settings) -> str:
    return stage_cache.segment_key(None, {"stage_dir": stage_dir, "settings": settings})


def test_segment_key_depends_on_input_content_not_on_the_run_folder(tmp_path):
    settings = settings_in(tmp_path)
    first = stage_with_article(tmp_path / "run-1")
    second = stage_with_article(tmp_path / "run-2")
    changed = stage_with_article(tmp_path / "run-3", body="代表联络站。")

    assert segment_key(first, settings) == segment_key(second, settings)
    assert segment_key(first, settings) != segment_key(changed, settings)


def test_segment_key_changes_with_the_extractor_version(tmp_path, monkeypatch):
    settings = settings_in(tmp_path)
    stage = stage_with_article(tmp_path / "run")
    before = segment_key(stage, settings)

    monkeypatch.setattr(stage_cache, "extractor_version", lambda: "0.0.0+otherdict")

    assert before != segment_key(stage, settings)


def test_extract_key_changes_with_the_run_idf(tmp_path):
    settings = settings_in(tmp_path)
    stage = stage_with_article(tmp_path / "run")
    write_table(stage, "stg_tokens", [{"article_id": "a1", "token_count": 1, "tokens": ["代表"]}])
    idf_file = tmp_path / "run" / "run_idf.parquet"
    write_idf(idf_file, {"代表": 1.0})
    parameters = {"stage_dir": stage, "settings": settings, "idf_file": idf_file}
    before = stage_cache.extract_key(None, parameters)

    write_idf(idf_file, {"代表": 1.5})  # another corpus: the same term is rarer

    assert before != stage_cache.extract_key(None, parameters)


def test_key_names_a_record_inside_the_entry_folder(tmp_path):
    settings = settings_in(tmp_path)
    key = segment_key(stage_with_article(tmp_path / "run"), settings)

    entry = stage_cache.entry_for(key, settings.stage_cache_dir)

    assert settings.stage_cache_dir == entry.parent
    assert entry.name.startswith("segment-")
    assert key.endswith("/" + stage_cache.RECORD_NAME)


def test_saved_tables_are_restored_byte_for_byte_into_another_run(tmp_path):
    stage = stage_with_article(tmp_path / "run-1")
    entry = tmp_path / "cache" / "segment-x"

    saved = stage_cache.save(stage, ("stg_articles", "stg_files"), entry)
    restored = stage_cache.restore(CachedStage({}, saved), tmp_path / "run-2")

    assert restored
    for table in ("stg_articles", "stg_files"):
        original = table_path(stage, table).read_bytes()
        assert original == table_path(tmp_path / "run-2", table).read_bytes()


def test_an_entry_missing_a_table_is_dropped_before_lookup(tmp_path):
    settings = settings_in(tmp_path)
    stage = stage_with_article(tmp_path / "run")
    entry = stage_cache.entry_for(segment_key(stage, settings), settings.stage_cache_dir)
    stage_cache.save(stage, ("stg_articles",), entry)
    (entry / stage_cache.RECORD_NAME).write_bytes(b"a record Prefect would find")
    (entry / "stg_articles.parquet").unlink()

    segment_key(stage, settings)

    assert not entry.exists()  # record included: Prefect sees a miss, not a broken hit


def test_a_complete_entry_survives_the_key_computation(tmp_path):
    settings = settings_in(tmp_path)
    stage = stage_with_article(tmp_path / "run")
    entry = stage_cache.entry_for(segment_key(stage, settings), settings.stage_cache_dir)
    stage_cache.save(stage, ("stg_articles",), entry)

    segment_key(stage, settings)

    assert (entry / "stg_articles.parquet").is_file()


def test_restore_reports_an_entry_removed_since_the_lookup(tmp_path):
    gone = CachedStage({"tokens": 1}, str(tmp_path / "cache" / "segment-gone"))

    assert not stage_cache.restore(gone, tmp_path / "run")


def test_prune_removes_finished_entries_and_keeps_the_newest_others(tmp_path):
    cache = tmp_path / "cache"
    entries = []
    for age in range(5):
        entry = cache / f"segment-{age}"
        entry.mkdir(parents=True)
        os.utime(entry, (1_000_000 - age, 1_000_000 - age))  # segment-0 is the newest
        entries.append(entry)

    (cache / "0b1f5e").write_bytes(b"a failed task's exception, stored without a key")

    stage_cache.prune(cache, finished=[str(entries[0])], keep=2)

    assert ["segment-1", "segment-2"] == sorted(path.name for path in cache.iterdir())


@pytest.mark.parametrize("missing", [None, ""])
def test_a_stage_run_without_a_key_keeps_nothing(tmp_path, missing):
    assert stage_cache.entry_for(missing, tmp_path) is None
    assert stage_cache.save(stage_with_article(tmp_path / "run"), ("stg_articles",), None) is None


def test_save_keeps_the_entry_another_run_saved_first(tmp_path):
    stage = stage_with_article(tmp_path / "run")
    entry = tmp_path / "cache" / "segment-x"
    stage_cache.save(stage, ("stg_articles",), entry)
    (entry / stage_cache.RECORD_NAME).write_bytes(b"the other run's record")

    assert str(entry) == stage_cache.save(stage, ("stg_articles",), entry)
    assert b"the other run's record" == (entry / stage_cache.RECORD_NAME).read_bytes()


def test_save_gives_up_quietly_when_the_cache_cannot_be_written(tmp_path):
    stage = stage_with_article(tmp_path / "run")
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")

    assert stage_cache.save(stage, ("stg_articles",), blocked / "segment-x") is None
