"""`make bench`: how close the pipeline comes to bare jieba, and how it scales.

One invocation, one process tree, everything measured side by side on the same machine:
1. the limit: `jieba.lcut` over the very article bodies the pipeline loaded, on the same number
   of worker processes the pipeline uses (dictionary loaded before the clock starts);
2. the fixed start-up cost: the pipeline on a one-article corpus;
3. the pipeline (`renda run` in a subprocess) on N synthetic articles into a fresh warehouse;
4. the same run again with no file changed;
5. the pipeline and the limit on 10x the corpus;
6. N new articles (another seed) added to the 10x corpus and run into its warehouse: what a
   scheduled run that finds a day's news costs once the warehouse is large.
The last line printed is one JSON object (see `summary`). Absolute times depend on the machine
and its load; the ratios are what to compare between runs.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import duckdb

from bench.corpus import CorpusSpec, write_corpus
from flows.parallel import available_cores, batched
from flows.settings import PROJECT_ROOT, get_settings

SAMPLES = PROJECT_ROOT / "seeds" / "articles"
LIMIT_BATCH = 32  # articles per task for the limit, as the pipeline's stages use


@dataclass
class PipelineRun:
    seconds: float
    peak_rss_mb: float
    stages: dict[str, float] = field(default_factory=dict)


def main(argv: list[str] | None = None) -> None:
    options = _parse(argv)
    work = Path(options.work_dir)
    with _sole_user(work):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            result = run_benchmark(work, options.articles, options.seed, options.scale)
        except KeyboardInterrupt:
            raise SystemExit("bench: interrupted; nothing was measured to the end") from None
    print(json.dumps(result, ensure_ascii=False), flush=True)


@contextmanager
def _sole_user(work: Path) -> Iterator[None]:
    """Hold a lock beside the scratch folder: a second bench would wipe it under the first."""
    lock_path = work.with_name(f".{work.name}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(
                f"bench: another bench is using {work}; wait for it or pass --work-dir"
            ) from None
        yield


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles in the 1x corpus")
    parser.add_argument("--scale", type=int, default=10, help="size of the large corpus, in x")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed: same seed, same files")
    parser.add_argument(
        "--work-dir",
        default=str(Path(tempfile.gettempdir()) / "renda-bench"),
        help="scratch folder, wiped first (default: renda-bench in the temporary folder)",
    )
    return parser.parse_args(argv)


def run_benchmark(work: Path, articles: int, seed: int, scale: int) -> dict:
    workers = available_cores()
    tiny = _corpus(work, "startup", 1, seed)
    _pipeline(work, "startup", tiny)  # warm-up: creates Prefect's database, fills OS caches
    startup = _pipeline(work, "startup", tiny)
    small = _corpus(work, "1x", articles, seed)
    first = _pipeline(work, "1x", small)
    rerun = _pipeline(work, "1x", small, fresh=False)
    small_limit = _limit(work / "1x" / "w.duckdb", workers)
    large = _corpus(work, f"{scale}x", articles * scale, seed)
    big = _pipeline(work, f"{scale}x", large)
    big_limit = _limit(work / f"{scale}x" / "w.duckdb", workers)
    write_corpus(SAMPLES, large / "added", CorpusSpec(articles=articles, seed=seed + 1))
    appended = _pipeline(work, f"{scale}x", large, fresh=False)
    return summary(
        articles, scale, workers, startup, first, rerun, big, small_limit, big_limit, appended
    )


def summary(
    articles, scale, workers, startup, first, rerun, big, small_limit, big_limit, appended
) -> dict:
    """The JSON line. Throughputs leave the fixed start-up cost out (it is reported alone)."""
    chars, limit_seconds, small_tokens_match = small_limit
    big_chars, big_limit_seconds, big_tokens_match = big_limit
    pipeline_rate = chars / max(first.seconds - startup.seconds, 1e-9)
    big_rate = big_chars / max(big.seconds - startup.seconds, 1e-9)
    limit_rate, big_limit_rate = chars / limit_seconds, big_chars / big_limit_seconds
    return {
        "articles": articles,
        "chars": chars,
        "workers": workers,
        "limit_chars_per_s": round(limit_rate),
        "pipeline_chars_per_s": round(pipeline_rate),
        "ratio_to_limit": round(pipeline_rate / limit_rate, 3),
        "articles_10x": articles * scale,
        "chars_10x": big_chars,
        "limit_chars_per_s_10x": round(big_limit_rate),
        "pipeline_chars_per_s_10x": round(big_rate),
        "ratio_to_limit_10x": round(big_rate / big_limit_rate, 3),
        # The pipeline segments with jieba-next's compiled word graph: as many tokens as jieba?
        "tokens_match_limit": small_tokens_match and big_tokens_match,
        "startup_s": round(startup.seconds, 2),
        "first_run_s": round(first.seconds, 2),
        "rerun_s": round(rerun.seconds, 2),
        # A rerun's own work next to the first run's; start-up noise can make it look negative.
        "rerun_fraction": round(
            max(rerun.seconds - startup.seconds, 0.0) / _marginal(first, startup), 3
        ),
        "rerun_fraction_wall": round(rerun.seconds / first.seconds, 3),
        "run_10x_s": round(big.seconds, 2),
        "scale10_time_ratio": round(big.seconds / first.seconds, 2),
        "scale10_marginal_time_ratio": round(
            _marginal(big, startup) / _marginal(first, startup), 2
        ),
        # N new articles into the 10x warehouse against N into an empty one: 1.0 when a run
        # costs what its new files cost, whatever the warehouse already holds.
        "append_s": round(appended.seconds, 2),
        "append_time_ratio": round(_marginal(appended, startup) / _marginal(first, startup), 2),
        "peak_rss_mb": round(first.peak_rss_mb),
        "peak_rss_mb_10x": round(big.peak_rss_mb),
        "scale10_rss_ratio": round(big.peak_rss_mb / first.peak_rss_mb, 2),
        "stages": first.stages,
        "stages_10x": big.stages,
        "stages_rerun": rerun.stages,
        "stages_append": appended.stages,
    }


def _marginal(run: PipelineRun, startup: PipelineRun) -> float:
    return max(run.seconds - startup.seconds, 1e-9)


def _corpus(work: Path, name: str, articles: int, seed: int) -> Path:
    target = work / name / "corpus"
    started = time.perf_counter()
    write_corpus(SAMPLES, target, CorpusSpec(articles=articles, seed=seed))
    _log(f"corpus {name}: {articles} articles in {time.perf_counter() - started:.1f} s")
    return target


# --- the pipeline, as a user runs it -------------------------------------------------------------


def _pipeline(work: Path, name: str, corpus: Path, fresh: bool = True) -> PipelineRun:
    """`renda run` in a subprocess: wall time, peak RSS, and seconds per task from Prefect."""
    warehouse = work / name / "w.duckdb"
    if fresh:
        shutil.rmtree(warehouse.parent / ".runs", ignore_errors=True)
        for stale in warehouse.parent.glob("*.duckdb*"):
            stale.unlink()
    prefect_home = work / "prefect"  # shared: its database is created once, by the warm-up
    command = [str(Path(sys.executable).parent / "renda"), "run", str(corpus)]
    started = time.perf_counter()
    with open(work / name / "run.log", "a", encoding="utf-8") as log:
        process = subprocess.Popen(
            [*command, "--warehouse", str(warehouse)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_pipeline_environment(prefect_home),
            cwd=PROJECT_ROOT,
        )
        status, usage = wait_for_pipeline(process)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"renda run failed on {name}; see {work / name / 'run.log'}")
    run = PipelineRun(seconds, usage.ru_maxrss / 1024, _task_seconds(prefect_home))
    _log(f"pipeline {name}{'' if fresh else ' (rerun)'}: {seconds:.1f} s, {run.peak_rss_mb:.0f} MB")
    return run


def wait_for_pipeline(process: subprocess.Popen) -> tuple[int, os.struct_rusage]:
    """The child's exit status and resource usage; an interrupted bench still outlives its child.

    Ctrl-C reaches the whole process group, so `renda run` is already shutting down when the
    bench sees KeyboardInterrupt; waiting for it (bounded) means `make bench` never returns while
    a pipeline still holds the scratch warehouse.
    """
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        _stop_pipeline(process)
        raise
    return status, usage


def _stop_pipeline(process: subprocess.Popen) -> None:
    """Ctrl-C, then SIGTERM, then SIGKILL, each given 20 s to take effect."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            continue


def _pipeline_environment(prefect_home: Path) -> dict[str, str]:
    """The caller's environment, with Prefect's state kept in the bench folder."""
    environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    environment["RENDA_PREFECT_HOME"] = str(prefect_home)
    # Prefect's temporary server needs longer than its 20 s default to start on a busy machine.
    environment.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    return environment


def _task_seconds(prefect_home: Path) -> dict[str, float]:
    """Seconds per task name (gates summed) of the latest flow run, from Prefect's database."""
    database = prefect_home / "prefect.db"
    if not database.exists():
        return {}
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "select task_run.name, "
            "(julianday(task_run.end_time) - julianday(task_run.start_time)) * 86400 "
            "from task_run where flow_run_id = "
            "(select id from flow_run order by start_time desc limit 1)"
        ).fetchall()
    seconds: dict[str, float] = {}
    for name, duration in rows:
        task = name.rsplit("-", 1)[0]
        seconds[task] = round(seconds.get(task, 0.0) + (duration or 0.0), 2)
    return seconds


# --- the limit: bare jieba on the same text and cores ---------------------------------------------

_TOKENIZER = None  # loaded before the pool forks, as the pipeline does


def _limit(warehouse: Path, workers: int) -> tuple[int, float, bool]:
    """(characters, seconds, same token count) for `jieba.lcut` over every loaded article body
    on `workers` cores; the last says whether jieba cut as many tokens as the pipeline stored."""
    bodies = _bodies(warehouse)
    _load_tokenizer()
    started = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        tokens = sum(pool.map(_lcut_batch, batched(bodies, LIMIT_BATCH)))
    seconds = time.perf_counter() - started
    chars = sum(map(len, bodies))
    stored = _stored_tokens(warehouse)
    _log(f"limit {warehouse.parent.name}: {chars} chars, {tokens} tokens in {seconds:.1f} s")
    _log(f"pipeline {warehouse.parent.name}: {stored} tokens stored")
    return chars, seconds, tokens == stored


def _bodies(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute("select body from core.dim_articles order by article_id")
        return [body for (body,) in rows.fetchall() if body]


def _stored_tokens(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        [(tokens,)] = connection.execute(
            "select coalesce(sum(token_count), 0) from core.fct_articles"
        ).fetchall()
        return int(tokens)


def _load_tokenizer() -> None:
    global _TOKENIZER
    import jieba

    jieba.setLogLevel(60)
    if _TOKENIZER is None:
        _TOKENIZER = jieba.Tokenizer()
        _TOKENIZER.load_userdict(str(get_settings().user_dictionary))
        _TOKENIZER.lcut("预热")  # the prefix dictionary loads lazily on first use


def _lcut_batch(bodies: list[str]) -> int:
    return sum(len(_TOKENIZER.lcut(body)) for body in bodies)


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)
