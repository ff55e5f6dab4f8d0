"""Stage outputs on disk: one Parquet file per staging table, in a folder per run.

Tasks pass these folders to each other, never frames or connections, so Prefect can persist and
cache stage results, and the loader can read a whole batch with DuckDB's `read_parquet`.
"""

from __future__ import annotations

import ctypes
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from flows.settings import get_settings

if TYPE_CHECKING:
    import pyarrow as pa

# Python attribute -> staging column, where SQL needs another name (`end` is a keyword).
_RENAMES = {"start": "start_offset", "end": "end_offset", "published": "published_date"}

_DUCKDB_TO_POLARS: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "DOUBLE": pl.Float64(),
    "DATE": pl.Date(),
    "BOOLEAN": pl.Boolean(),
    "VARCHAR[]": pl.List(pl.String()),
    "INTEGER[]": pl.List(pl.Int32()),
    "UBIGINT[]": pl.List(pl.UInt64()),
    "TIMESTAMP WITH TIME ZONE": pl.Datetime(time_zone="UTC"),
}


@lru_cache(maxsize=1)
def staging_schemas() -> dict[str, dict[str, pl.DataType]]:
    """Column names and types of every staging table, read from its DDL in warehouse/staging/.

    The SQL files are the single source of truth; building them in an in-memory DuckDB and
    describing the result keeps the Parquet writer and the warehouse from drifting apart.
    """
    staging_dir = get_settings().sql_dir / "staging"
    with duckdb.connect() as connection:
        connection.execute("create schema staging")
        schemas = {}
        for ddl in sorted(staging_dir.glob("stg_*.sql")):
            connection.execute(ddl.read_text(encoding="utf-8"))
            described = connection.execute(f"describe staging.{ddl.stem}").fetchall()
            schemas[ddl.stem] = {name: _DUCKDB_TO_POLARS[kind] for name, kind, *_ in described}
    return schemas


def record_row(record: Any, **extra: Any) -> dict[str, Any]:
    """A dataclass record as a staging row: renamed columns, tuples as lists, extra keys added.

    Records are flat (their fields hold strings, numbers, dates and tuples of strings), so a
    field-by-field read does what `dataclasses.asdict` does without its deep copy, which took
    8 % of the extract stage's time under the profiler.
    """
    row = {}
    for attribute, column in _columns_of(type(record)):
        value = getattr(record, attribute)
        row[column] = list(value) if isinstance(value, tuple) else value
    row.update(extra)
    return row


@cache
def _columns_of(record_type: type) -> tuple[tuple[str, str], ...]:
    """(attribute, staging column) of every field of a record class."""
    return tuple(
        (field.name, _RENAMES.get(field.name, field.name))
        for field in dataclasses.fields(record_type)
    )


def frame(table: str, rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """Rows as a frame with exactly the staging table's columns and types."""
    return frame_of_columns(table, columns_of_rows(list(staging_schemas()[table]), rows))


def columns_of_rows(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> dict[str, list]:
    """Rows turned into one list per column (None where a row lacks the column).

    Polars builds a frame from lists faster than from one dict per row, and lists of plain
    values cross between processes at a fraction of the cost of the dicts.
    """
    rows = list(rows)
    return {column: [row.get(column) for row in rows] for column in columns}


def frame_of_columns(table: str, columns: Mapping[str, list]) -> pl.DataFrame:
    """A staging table's frame from one list per column: every column of its schema, no other.

    Polars refuses a value of the wrong type (an int in a text column) instead of converting it.
    """
    schema = staging_schemas()[table]
    if set(columns) != set(schema):
        raise ValueError(f"{table} takes the columns {list(schema)}, not {list(columns)}")
    return pl.DataFrame({column: columns[column] for column in schema}, schema=schema)


def write_table(stage_dir: Path, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write a staging table's Parquet file; returns the row count."""
    data = frame(table, rows)
    stage_dir.mkdir(parents=True, exist_ok=True)
    data.write_parquet(table_path(stage_dir, table))
    return data.height


def read_table(stage_dir: Path, table: str) -> pl.DataFrame:
    path = table_path(stage_dir, table)
    if not path.exists():
        return frame(table, [])
    return pl.read_parquet(path)


def read_columns(stage_dir: Path, table: str, columns: list[str]) -> pa.Table:
    """Some columns of a staged table as Arrow, text dictionary-encoded: a value repeated on
    many rows (an article id on every term of the article) is held once."""
    import pyarrow.parquet as pq

    path = table_path(stage_dir, table)
    if not path.exists():
        return frame(table, []).select(columns).to_arrow()
    schema = staging_schemas()[table]
    text = [column for column in columns if schema[column] == pl.String()]
    return pq.read_table(path, columns=columns, read_dictionary=text)


def release_freed_memory() -> None:
    """Give memory freed after a large table back to the system.

    Arrow's pool (unless it is the system one, see `keep_memory_flat_across_batches`) keeps
    freed buffers for reuse, and glibc keeps freed small blocks (an article body, a term) in
    its heap: after the largest tables of a run were written or validated, the flow's process
    held about 500 MB (20,000 articles) that nothing would use again, and that every worker
    forked afterwards started with.
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    if _glibc is not None:
        _glibc.malloc_trim(0)


# glibc's mallopt parameter: requests this size or larger get their own mapping (man mallopt).
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 1 << 20


def keep_memory_flat_across_batches() -> None:
    """Allocators that give back what a batch freed, so a long run does not grow batch by batch.

    Measured on 20,000 articles in ten batches (RSS of the flow's process after each load):
    with the defaults it grew about 9 MB a batch (885 -> 968 MB), while Python's objects, its
    own allocator and glibc's memory in use stayed flat. Two allocators kept freed memory:
    - Arrow's default pool (mimalloc) keeps part of it even after `release_unused`. Arrow
      allocates with malloc instead because `flows/__init__.py` sets ARROW_DEFAULT_MEMORY_POOL
      before pyarrow is imported (the only way to reach its C++ code's allocations).
    - glibc raises its mmap threshold each time a large block is freed, so later large blocks
      (a batch's pickled results, a column's buffer) come from the heap and leave holes there.
      This function fixes the threshold at 1 MiB (glibc starts at 128 KiB): every block of that
      size or more gets its own mapping, which goes back to the system when the block is freed.
    Either alone left RSS growing; with both it stayed between 745 and 758 MB over the ten
    batches. Called by the flow before its first stage, in its own process: forked workers
    inherit the setting; Dask workers and spawned interpreters (the report) keep glibc's
    default. It cannot be undone within a process.
    """
    if _glibc is not None:
        _glibc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)  # also stops the raising


def _load_glibc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")  # malloc_trim and mallopt are glibc's; not elsewhere
    except OSError:
        return None


_glibc = _load_glibc()


def table_path(stage_dir: Path, table: str) -> Path:
    if table not in staging_schemas():
        raise KeyError(f"unknown staging table {table!r}")
    return stage_dir / f"{table}.parquet"


def row_count(stage_dir: Path, table: str) -> int:
    """Rows of a staged table from its Parquet footer, without reading the rows."""
    import pyarrow.parquet as pq

    path = table_path(stage_dir, table)
    return pq.ParquetFile(path).metadata.num_rows if path.exists() else 0
