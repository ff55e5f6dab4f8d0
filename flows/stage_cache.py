"""Segment and extract outputs kept by the content of their inputs, so a failed run resumes.

A run that fails after segmenting (in extract, a gate or the load) loads nothing, so its retry
ingests the same changed files again and stages byte-identical articles. The segment and extract
tasks are cached by Prefect (the UI shows them Cached) on a key computed from what they read:
the bytes of their input Parquet files, the extractor version (package + dictionaries) and, for
extract, the IDF the run learnt from the warehouse and its own tokens. A cache entry is a folder
`<warehouse folder>/.stage-cache/<stage>-<digest>/` holding the stage's output tables and
Prefect's result record; on a hit the flow copies the tables into the new run's folder.

An entry with a file missing is dropped whole before Prefect looks it up, so it is a miss, never
an error. Entries are bounded: a successful run removes its own, and every run keeps at most
KEEP_ENTRIES others (the newest), left by failed runs, and no loose record.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from flows.lineage import extractor_version
from flows.stage_io import read_table, table_path

RECORD_NAME = "record"  # Prefect's result record, beside the tables it describes
MANIFEST_NAME = "tables.json"  # written last: an entry without it is incomplete
KEEP_ENTRIES = 6  # two stages of the last three failed runs
SEGMENT_INPUTS = ("stg_articles",)
EXTRACT_INPUTS = ("stg_articles", "stg_tokens")


@dataclass(frozen=True)
class CachedStage:
    """What a cached stage task returns: its counts, and the entry holding its output tables."""

    counts: dict[str, int]
    entry: str | None  # None when the stage ran without a cache key


# --- keys ----------------------------------------------------------------------------------------


def segment_key(context, parameters: dict) -> str:
    """Prefect cache_key_fn of the segment task: its input articles and the dictionaries."""
    return _key("segment", parameters["stage_dir"], parameters["settings"], SEGMENT_INPUTS)


def extract_key(context, parameters: dict) -> str:
    """Prefect cache_key_fn of the extract task: articles, tokens, and the run's IDF."""
    settings, stage_dir = parameters["settings"], parameters["stage_dir"]
    extra = (file_digest(parameters["idf_file"]), f"keywords={settings.keywords_per_article}")
    return _key("extract", stage_dir, settings, EXTRACT_INPUTS, extra)


def batch_paths(stage_dir: Path) -> frozenset[str]:
    """Files this batch (re)loads: their old rows must not count in the corpus IDF."""
    return frozenset(read_table(stage_dir, "stg_files")["path"].to_list())


def _key(
    stage: str, stage_dir: Path, settings, inputs: tuple[str, ...], extra: tuple[str, ...] = ()
) -> str:
    digest = input_digest(stage_dir, inputs, (stage, extractor_version(), *extra))
    entry = settings.stage_cache_dir / f"{stage}-{digest}"
    drop_if_incomplete(entry)
    # The record's storage key is relative to the cache folder (the task's result storage), so
    # the record lives inside its entry and goes with it.
    return f"{entry.name}/{RECORD_NAME}"


def input_digest(stage_dir: Path, tables: tuple[str, ...], extra: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode() + b"\0")
    for table in tables:
        path = table_path(stage_dir, table)
        digest.update(table.encode() + b"\0")
        if path.exists():
            _add_file(digest, path)
    return digest.hexdigest()[:32]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    _add_file(digest, path)
    return digest.hexdigest()


def _add_file(digest, path: Path) -> None:
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)


# --- entries -------------------------------------------------------------------------------------


def entry_for(storage_key: str | None, cache_dir: Path) -> Path | None:
    """The entry folder of a cache key from `_key` (None: Prefect computed no key)."""
    if not storage_key:
        return None
    return cache_dir / Path(storage_key).parent


def drop_if_incomplete(entry: Path) -> None:
    """An entry missing a file goes whole, record included: a miss for Prefect, not an error."""
    if entry.exists() and not _is_complete(entry):
        shutil.rmtree(entry, ignore_errors=True)


def _is_complete(entry: Path) -> bool:
    try:
        tables = json.loads((entry / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return all((entry / f"{table}.parquet").is_file() for table in tables)


def save(stage_dir: Path, tables: tuple[str, ...], entry: Path | None) -> str | None:
    """Copy a stage's output tables into its entry; the entry appears whole or not at all.

    Best effort: the stage has succeeded whatever happens here, so a full disk or an overlapping
    run saving the same entry first costs a later re-run its reuse, never this run its result.
    """
    if entry is None:
        return None
    if _is_complete(entry):
        return str(entry)  # an earlier run computed the same output; the record went missing
    partial = entry.with_name(f".{entry.name}.{uuid.uuid4().hex[:8]}")
    try:
        partial.mkdir(parents=True)
        for table in tables:
            shutil.copyfile(table_path(stage_dir, table), partial / f"{table}.parquet")
        (partial / MANIFEST_NAME).write_text(json.dumps(list(tables)), encoding="utf-8")
        drop_if_incomplete(entry)  # a leftover of a killed run
        os.replace(partial, entry)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        return str(entry) if _is_complete(entry) else None
    return str(entry)


def restore(result: CachedStage, stage_dir: Path) -> bool:
    """Put a cached stage's tables into this run's folder; False if the entry is gone.

    On a miss the task has just written them there, and nothing is copied.
    """
    if result.entry is None:
        return True
    entry = Path(result.entry)
    try:
        tables = json.loads((entry / MANIFEST_NAME).read_text(encoding="utf-8"))
        for table in tables:
            target = table_path(stage_dir, table)
            if not target.exists():
                stage_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(entry / f"{table}.parquet", target)
    except (OSError, ValueError):
        return False  # removed by another run between Prefect's lookup and this copy
    return True


def prune(cache_dir: Path, finished: list[str], keep: int = KEEP_ENTRIES) -> None:
    """Remove the entries a successful run used, then all but the `keep` newest others.

    Loose files go too: records Prefect stored without a key (a failed stage's exception), which
    no lookup ever reads.
    """
    for entry in finished:
        shutil.rmtree(entry, ignore_errors=True)
    if not cache_dir.is_dir():
        return
    for loose in (path for path in cache_dir.iterdir() if not path.is_dir()):
        loose.unlink(missing_ok=True)
    entries = sorted(cache_dir.iterdir(), key=_modified, reverse=True)
    for stale in entries[keep:]:
        shutil.rmtree(stale, ignore_errors=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
