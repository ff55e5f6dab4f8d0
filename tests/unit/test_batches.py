"""Splitting a run's staged ingest output into batches of whole files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from flows.batches import links_present_after, plan_batches, split_stage
from flows.stage_io import read_table, write_table
from flows.stages import CorpusState, ingest_stage

STORY = "本报讯 {n}市人大常委会建成代表联络站{n}个，收集意见建议{n}00余条，督办{n}件。"


def test_plan_keeps_each_batch_within_the_limit_and_files_in_order():
    files = [("a", 3), ("b", 2), ("c", 1), ("d", 4), ("e", 1)]

    assert [["a"], ["b", "c"], ["d"], ["e"]] == plan_batches(files, max_articles=3)
    assert [["a", "b", "c"], ["d", "e"]] == plan_batches(files, max_articles=6)


def test_plan_gives_a_file_larger_than_the_limit_a_batch_of_its_own():
    assert [["a"], ["big"], ["b"]] == plan_batches([("a", 1), ("big", 9), ("b", 1)], 2)


def test_plan_puts_files_without_articles_in_the_batch_being_filled():
    files = [("quarantined-1", 0), ("a", 2), ("quarantined-2", 0), ("b", 2)]

    assert [["quarantined-1", "a", "quarantined-2"], ["b"]] == plan_batches(files, 2)


def test_plan_puts_a_file_without_articles_after_an_oversized_one_in_its_batch():
    # A batch of quarantined files alone would have no article, and fail the articles' gate.
    assert [["big", "quarantined"]] == plan_batches([("big", 5), ("quarantined", 0)], 2)
    files = [("big", 5), ("quarantined", 0), ("a", 1)]
    assert [["big", "quarantined"], ["a"]] == plan_batches(files, 2)


def test_plan_of_a_small_run_is_one_batch():
    assert [["a", "b"]] == plan_batches([("a", 1), ("b", 1)], 2000)
    assert [[]] == plan_batches([], 2000)


@pytest.fixture
def staged_run(tmp_path: Path) -> Path:
    """Five files of two articles each, one empty file (quarantined), ingested."""
    source = tmp_path / "src"
    source.mkdir()
    for number in range(1, 6):
        stories = [f"标题{number}{part}\n\n{STORY.format(n=number * 10 + part)}" for part in (1, 2)]
        (source / f"{number}.txt").write_text("\n\n\n\n".join(stories), encoding="utf-8")
    (source / "0-empty.txt").write_bytes(b"")
    stage = tmp_path / "stage"
    ingest_stage(source, stage, tmp_path / "quarantine", CorpusState(), 1_000_000)
    return stage


def test_split_puts_every_file_and_article_in_exactly_one_batch(staged_run):
    articles_per_file = dict(
        read_table(staged_run, "stg_files").select("path", "article_count").rows()
    )

    batch_dirs = split_stage(staged_run, max_articles=3, stored_paths={})

    assert 1 < len(batch_dirs)
    files = [read_table(batch, "stg_files")["path"].to_list() for batch in batch_dirs]
    assert sorted(articles_per_file) == sorted(path for paths in files for path in paths)
    articles = pl.concat([read_table(batch, "stg_articles") for batch in batch_dirs])
    assert (
        read_table(staged_run, "stg_articles")
        .sort("article_id")
        .equals(articles.sort("article_id"))
    )
    for batch, paths in zip(batch_dirs, files, strict=True):
        assert set(read_table(batch, "stg_articles")["path"]) <= set(paths)
        assert sum(articles_per_file[path] for path in paths) <= 3 or len(paths) == 1
    quarantined = [read_table(batch, "stg_quarantine")["path"].to_list() for batch in batch_dirs]
    assert ["0-empty.txt"] == [path for paths in quarantined for path in paths]


def test_a_run_within_the_limit_stays_in_its_own_folder(staged_run):
    assert [staged_run] == split_stage(staged_run, max_articles=2000, stored_paths={})


def test_each_batch_carries_the_duplicate_links_it_can_hold_and_the_last_all(staged_run):
    articles = read_table(staged_run, "stg_articles").sort("path", "ordinal")
    first, last = articles["article_id"][0], articles["article_id"][-1]
    links = [  # a later file's article retells the first one, and one retells a stored article
        {"article_id": last, "canonical_article_id": first, "method": "near", "similarity": 0.9},
        {
            "article_id": first,
            "canonical_article_id": "stored",
            "method": "near",
            "similarity": 1.0,
        },
    ]
    write_table(staged_run, "stg_duplicates", links)

    batch_dirs = split_stage(staged_run, max_articles=3, stored_paths={"stored": "old.txt"})

    carried = [read_table(batch, "stg_duplicates")["article_id"].to_list() for batch in batch_dirs]
    assert [first] == carried[0]  # the stored canonical is there; the later article is not yet
    assert sorted([first, last]) == sorted(carried[-1])


def test_a_link_waits_while_its_stored_article_is_being_replaced():
    links = pl.DataFrame(
        {"article_id": ["new"], "canonical_article_id": ["old"], "method": ["near"]},
    )
    stored = {"old": "changed.txt"}

    assert [True] == links_present_after(links, {"new"}, {"new.txt"}, stored).to_list()
    assert [False] == links_present_after(links, {"new"}, {"changed.txt"}, stored).to_list()
    assert [False] == links_present_after(links, set(), {"new.txt"}, stored).to_list()


def test_split_sends_each_fingerprint_with_its_article_and_earlier_ones_with_the_first(
    staged_run,
):
    # Fingerprints made again for articles loaded by earlier runs belong to no batch of this run:
    # the first batch's load keeps them.
    staged = read_table(staged_run, "stg_fingerprints")
    earlier = staged.head(1).with_columns(pl.lit("loaded-earlier").alias("article_id"))
    pl.concat([staged, earlier]).write_parquet(staged_run / "stg_fingerprints.parquet")

    batch_dirs = split_stage(staged_run, max_articles=3, stored_paths={})

    for number, batch in enumerate(batch_dirs):
        articles = set(read_table(batch, "stg_articles")["article_id"])
        fingerprinted = set(read_table(batch, "stg_fingerprints")["article_id"])
        assert articles | ({"loaded-earlier"} if number == 0 else set()) == fingerprinted
