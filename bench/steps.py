"""`python -m bench.steps`: what each step costs against bare `jieba.lcut`, on one core.

The pipeline's ratio to the limit (`make bench`) is the whole pipeline against bare jieba on the
same cores. This splits the per-article work into its steps and times each one on the same
article bodies in one process, one after another, beside `jieba.lcut` over those bodies:
reading a file (decode, clean, split, metadata), its duplicate-search fingerprint, segmentation,
part-of-speech tagging and every extractor `extract_article` calls. Each step's seconds divided
by jieba's is what that step alone costs in units of the limit.

Their sum is a ceiling: were gates, loads, the duplicate search, start-up and the hand-over
between processes free and every core always busy, the pipeline's ratio to the limit would be
1 / that sum. No profiler runs (cProfile inflates small Python functions several times over);
each extractor is timed by wrapping the names `flows.extract.article` calls, so an extractor
added there is timed without changing this file. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FunctionType

from bench.corpus import CorpusSpec, write_corpus
from bench.run import SAMPLES

MAX_FILE_BYTES = 10_000_000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.steps", description=__doc__)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args(argv)
    result = measure(options.articles, options.seed)
    for step, ratio in result["ratio_to_lcut"].items():
        print(f"{step:24s} {result['seconds'][step]:8.3f} s  {ratio:6.3f} x jieba.lcut")
    print(f"{'sum of the steps':24s} {result['sum_ratio']:19.3f} x jieba.lcut")
    print(json.dumps(result, ensure_ascii=False))


def measure(articles: int, seed: int) -> dict:
    """Seconds per step over `articles` generated articles, and each as a multiple of lcut's."""
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="renda-steps-") as scratch:
        folder = Path(scratch)
        paths = write_corpus(SAMPLES, folder, CorpusSpec(articles=articles, seed=seed))
        read = _warm_then_timed(seconds, "ingest: read files", _read_articles, paths, folder)
    bodies = [article.body for article in read]
    seconds["limit: jieba.lcut"] = _bare_lcut_seconds(bodies)
    _warm_then_timed(seconds, "ingest: fingerprints", _fingerprints, bodies)
    tokens = _warm_then_timed(seconds, "segment", _segment, bodies)
    _extract(read, tokens, seconds)
    limit = seconds.pop("limit: jieba.lcut")
    ratios = {step: round(spent / limit, 3) for step, spent in seconds.items()}
    return {
        "articles": len(read),
        "chars": sum(map(len, bodies)),
        "lcut_s": round(limit, 3),
        "seconds": {step: round(spent, 3) for step, spent in seconds.items()},
        "ratio_to_lcut": ratios,
        "sum_ratio": round(sum(seconds.values()) / limit, 3),
        "ceiling_ratio_to_limit": round(limit / sum(seconds.values()), 3),
    }


def _warm_then_timed(seconds: dict[str, float], step: str, function: Callable, items, *args):
    """`function(items, *args)` timed after a first untimed call on the first three items, so
    imports, dictionaries and caches that load once per process are not counted."""
    function(items[:3], *args)
    return _timed(seconds, step, function, items, *args)


def _timed(seconds: dict[str, float], step: str, function: Callable, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    seconds[step] = seconds.get(step, 0.0) + time.perf_counter() - started
    return result


def _read_articles(paths: list[Path], root: Path) -> list:
    from flows.ingest import ingest_file

    outcomes = (ingest_file(path, root, max_bytes=MAX_FILE_BYTES) for path in paths)
    return [article for outcome in outcomes for article in outcome.articles]


def _bare_lcut_seconds(bodies: list[str]) -> float:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()  # the dictionary loads before the clock starts, as in `make bench`
    started = time.perf_counter()
    for body in bodies:
        jieba.lcut(body)
    return time.perf_counter() - started


def _fingerprints(bodies: list[str]) -> list:
    from flows.ingest.dedup import fingerprint_bodies

    return fingerprint_bodies(bodies, workers=1)


def _segment(bodies: list[str]) -> list[list[str]]:
    from flows.segment import get_segmenter

    segmenter = get_segmenter()
    return [segmenter.cut(body) for body in bodies]


def _extract(articles: list, tokens: list[list[str]], seconds: dict[str, float]) -> None:
    """`extract_article` over every article, each extractor it calls timed on its own."""
    from flows.extract import article as module
    from flows.extract.keywords import learn_idf

    idf = learn_idf(tokens)
    for article, article_tokens in zip(articles[:3], tokens, strict=False):
        module.extract_article(article, article_tokens, idf, 10)  # loads vocabularies, untimed
    started = time.perf_counter()
    with _each_extractor_timed(module, seconds):
        for article, article_tokens in zip(articles, tokens, strict=True):
            module.extract_article(article, article_tokens, idf, 10)
    timed = sum(spent for step, spent in seconds.items() if step.startswith("extract: "))
    seconds["extract: the rest"] = time.perf_counter() - started - timed


@contextmanager
def _each_extractor_timed(module, seconds: dict[str, float]) -> Iterator[None]:
    """Every function `module` imported from another flows.extract module, wrapped in a timer."""
    originals = {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, FunctionType)
        and value.__module__.startswith("flows.extract.")
        and value.__module__ != module.__name__
    }
    for name, function in originals.items():
        setattr(module, name, _timer(function, f"extract: {name}", seconds))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def _timer(function: Callable, step: str, seconds: dict[str, float]) -> Callable:
    def timed(*args, **kwargs):
        return _timed(seconds, step, function, *args, **kwargs)

    return timed


if __name__ == "__main__":
    main()
