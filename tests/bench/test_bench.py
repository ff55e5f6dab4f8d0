"""The benchmark's corpus generator and its JSON line (the full benchmark is `make bench`)."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from bench.corpus import CorpusSpec, write_corpus
from bench.run import PipelineRun, summary, wait_for_pipeline
from flows.ingest import ingest_file
from tests.conftest import PROJECT_ROOT, SEED_ARTICLES

REQUIRED_KEYS = {
    "articles",
    "chars",
    "workers",
    "limit_chars_per_s",
    "pipeline_chars_per_s",
    "ratio_to_limit",
    "ratio_to_limit_10x",
    "startup_s",
    "rerun_fraction",
    "scale10_time_ratio",
    "scale10_rss_ratio",
    "stages",
}


def corpus_bytes(folder, articles: int, seed: int) -> dict[str, bytes]:
    write_corpus(SEED_ARTICLES, folder, CorpusSpec(articles=articles, seed=seed))
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_corpus_is_byte_identical_for_the_same_seed(tmp_path):
    assert corpus_bytes(tmp_path / "a", 12, seed=7) == corpus_bytes(tmp_path / "b", 12, seed=7)


def test_corpus_differs_for_another_seed(tmp_path):
    assert corpus_bytes(tmp_path / "a", 12, seed=7) != corpus_bytes(tmp_path / "b", 12, seed=8)


def test_corpus_grows_by_appending_files(tmp_path):
    # The 10x corpus starts with the 1x corpus: one random stream, read in the same order.
    small = corpus_bytes(tmp_path / "small", 6, seed=7)
    large = corpus_bytes(tmp_path / "large", 12, seed=7)

    assert small == {name: large[name] for name in small}


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_corpus_files_ingest_as_one_article_each(tmp_path, suffix):
    # Every third file is GB18030 text, so .txt covers both encodings across 12 files.
    folder = tmp_path / "corpus"
    write_corpus(SEED_ARTICLES, folder, CorpusSpec(articles=12))

    for path in sorted(folder.glob(f"*{suffix}")):
        outcome = ingest_file(path, folder, max_bytes=1_000_000)
        assert outcome.quarantined is None, path.name
        assert 1 == len(outcome.articles), path.name
        assert outcome.articles[0].published_date is not None, path.name


def test_summary_has_every_key_the_tracker_asks_for():
    run = PipelineRun(seconds=30.0, peak_rss_mb=500.0, stages={"segment_articles": 1.0})
    startup = PipelineRun(seconds=10.0, peak_rss_mb=400.0)
    big = PipelineRun(seconds=210.0, peak_rss_mb=550.0)
    appended = PipelineRun(seconds=50.0, peak_rss_mb=560.0)

    result = summary(
        100, 10, 2, startup, run, startup, big, (1000, 0.5, True), (10000, 5.0, False), appended
    )

    assert REQUIRED_KEYS <= set(result)
    assert 0.0 == result["rerun_fraction"]  # a rerun no slower than start-up did no work
    assert 7.0 == result["scale10_time_ratio"]
    assert 2.0 == result["append_time_ratio"]  # 40 s of work for what took 20 s on its own
    assert result["tokens_match_limit"] is False  # one corpus cut differently is one too many


@pytest.mark.slow
def test_bench_prints_its_json_last_on_a_tiny_corpus(tmp_path):
    command = [sys.executable, "-m", "bench", "--articles", "3", "--scale", "2"]
    completed = subprocess.run(
        [*command, "--work-dir", str(tmp_path / "bench")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PREFECT_HOME": str(tmp_path / "project-prefect")},  # as make exports
    )

    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert REQUIRED_KEYS <= set(result)
    assert {"append_time_ratio", "stages_append"} <= set(result)
    assert 3 == result["articles"]
    assert {"ingest_articles", "segment_articles", "extract_facts"} <= set(result["stages"])


def test_profile_names_the_extractors_and_the_throughput(tmp_path):
    command = [sys.executable, "-m", "bench.profile", "--articles", "3", "--top", "60"]
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )

    assert "extract_article" in completed.stdout
    assert "tag_clauses" in completed.stdout
    assert completed.stdout.strip().splitlines()[-1].startswith("extract: 3 articles")


def test_steps_time_every_extractor_against_bare_jieba(tmp_path):
    command = [sys.executable, "-m", "bench.steps", "--articles", "4"]
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])

    assert 4 == result["articles"]
    steps = set(result["ratio_to_lcut"])
    assert {"ingest: read files", "ingest: fingerprints", "segment"} <= steps
    # Each extractor extract_article calls is timed on its own, found by its name there.
    assert {"extract: tag_for_extraction", "extract: extract_quantities"} <= steps
    assert {"extract: article_keywords", "extract: classify_topics"} <= steps
    assert all(seconds >= 0 for seconds in result["seconds"].values())
    assert result["sum_ratio"] == pytest.approx(sum(result["ratio_to_lcut"].values()), rel=0.01)
    assert result["ceiling_ratio_to_limit"] == pytest.approx(1 / result["sum_ratio"], rel=0.01)


def test_an_interrupted_bench_does_not_leave_its_pipeline_running():
    # Ctrl-C in the middle of `renda run`: the bench must not return while its child still holds
    # the scratch warehouse (the README walk found such a leftover after stopping `make bench`).
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    interrupt = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    interrupt.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            wait_for_pipeline(child)
    finally:
        interrupt.cancel()
        if child.poll() is None:
            child.kill()
            pytest.fail("the interrupted bench left its child running")


def test_a_second_bench_on_the_same_folder_stops_before_wiping_it(tmp_path):
    work = tmp_path / "bench"
    work.mkdir()
    (work / "run.log").write_text("the first bench's work", encoding="utf-8")
    with (tmp_path / ".bench.lock").open("w") as held:  # as the first bench holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        completed = subprocess.run(
            [sys.executable, "-m", "bench", "--articles", "1", "--work-dir", str(work)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )

    assert 0 != completed.returncode
    assert "another bench is using" in completed.stderr
    assert (work / "run.log").exists()
