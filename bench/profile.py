"""`python -m bench.profile`: where extraction's time goes, on a small generated corpus.

Ingests and segments N synthetic articles in this process (no Prefect, no pool), then profiles
`extract_article` over them with cProfile and prints the functions with the most time. A
developer's tool: the numbers are for comparing before and after a change on the same machine.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import CorpusSpec, write_corpus
from bench.run import SAMPLES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=35, help="functions to print")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (tottime, ...)")
    options = parser.parse_args(argv)
    articles = _articles(options.articles, options.seed)
    jobs = _segmented(articles)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.runcall(_extract_all, jobs)
    seconds = time.perf_counter() - started
    chars = sum(len(article.body) for article, _ in jobs)
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats(options.sort).print_stats(options.top)
    print(f"extract: {len(jobs)} articles, {chars} chars, {seconds:.2f} s under the profiler")


def _articles(count: int, seed: int) -> list:
    from flows.ingest import ingest_file

    with tempfile.TemporaryDirectory(prefix="renda-profile-") as scratch:
        folder = Path(scratch)
        paths = write_corpus(SAMPLES, folder, CorpusSpec(articles=count, seed=seed))
        outcomes = (ingest_file(path, folder, max_bytes=10_000_000) for path in paths)
        return [article for outcome in outcomes for article in outcome.articles]


def _segmented(articles: list) -> list:
    from flows.segment import get_segmenter

    segmenter = get_segmenter().warm()
    return [(article, segmenter.cut(article.body)) for article in articles]


def _extract_all(jobs: list) -> None:
    from flows.extract.article import extract_article
    from flows.extract.keywords import learn_idf

    idf = learn_idf(tokens for _, tokens in jobs)
    for article, tokens in jobs:
        extract_article(article, tokens, idf, 10)


if __name__ == "__main__":
    main()
