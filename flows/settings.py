"""One place for every knob: environment variables prefixed RENDA_, or a .env file.

Defaults work offline on a fresh clone: paths are relative to the project root, found from this
file rather than the working directory, so `renda` behaves the same from any folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RENDA_", env_file=".env", extra="ignore")

    source_dir: Path = Field(PROJECT_ROOT / "seeds" / "articles", description="Articles to read.")
    warehouse_path: Path = Field(
        PROJECT_ROOT / "warehouse" / "renda.duckdb",
        description="The DuckDB warehouse to query: a snapshot published after every run.",
    )
    sql_dir: Path = Field(PROJECT_ROOT / "warehouse", description="SQL objects, one per file.")
    expectations_dir: Path = Field(
        PROJECT_ROOT / "expectations", description="Great Expectations suites, one per stage."
    )
    dictionary_dir: Path = Field(
        PROJECT_ROOT / "seeds" / "dictionaries", description="Domain vocabulary for jieba."
    )
    prefect_home: Path = Field(
        PROJECT_ROOT / ".prefect",
        description="Prefect's state, shared by `make run` and `make ui`.",
    )
    prefect_port: int = Field(
        4200, gt=0, lt=65536, description="Port of the local Prefect server (make ui, serve)."
    )
    max_file_bytes: int = Field(
        5_000_000, gt=0, description="Files larger than this are quarantined before decoding."
    )
    batch_articles: int = Field(
        2000,
        gt=0,
        description="Most articles segmented, extracted, gated and loaded together: a run with "
        "more is split into batches of whole files, so its memory stays that of one batch.",
    )
    keywords_per_article: int = Field(10, gt=0, description="TF-IDF keywords kept per article.")
    workers: int | None = Field(
        None, ge=1, description="Processes for ingest, segment and extract (default: every core)."
    )
    task_runner: Literal["process", "dask"] = Field(
        "process",
        description="Where segment and extract batches run: a process pool, or a Dask cluster.",
    )
    duckdb_memory_limit: str = Field(
        "256MB",
        pattern=r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="Memory DuckDB may use on the warehouse; beyond it, loads spill to disk "
        "(DuckDB's own default is 80% of RAM). Most of it is a cache of the tables a load "
        "reads, which would otherwise grow with the warehouse (a batch of 2,000 articles "
        "loaded with 256MB, not with 128MB).",
    )
    dask_address: str | None = Field(
        None,
        description="Scheduler of a running Dask cluster, tcp://host:port (default: a local "
        "cluster of `workers` processes, started for the run).",
    )

    @property
    def live_warehouse_path(self) -> Path:
        """The file the pipeline writes; readers use `warehouse_path`, its published snapshot.

        DuckDB has no lock wait, so a reader holding the file a load writes would make the load
        fail. Loads write this hidden sibling and publish a copy under the documented name.
        """
        published = self.warehouse_path
        return published.with_name(f".{published.stem}.live{published.suffix}")

    @property
    def work_dir(self) -> Path:
        """Stage outputs (Parquet) of each run, beside the warehouse they feed."""
        return self.warehouse_path.parent / ".runs"

    @property
    def stage_cache_dir(self) -> Path:
        """Segment and extract outputs kept by input content, so a failed run's retry resumes."""
        return self.warehouse_path.parent / ".stage-cache"

    @property
    def report_dir(self) -> Path:
        """Where `renda report` and every successful run write the HTML report."""
        return self.warehouse_path.parent / "report"

    @property
    def user_dictionary(self) -> Path:
        return self.dictionary_dir / "user_dict.txt"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def prefect_environment(settings: Settings) -> dict[str, str]:
    """Environment Prefect must see before it is imported: a project-local home, no telemetry."""
    return {
        "PREFECT_HOME": str(settings.prefect_home),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "true",
    }
