"""Shared fixtures for the ingest tests: the sample pages and their gold annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.ingest import discover_files, ingest_file

PROJECT = Path(__file__).resolve().parents[3]
SAMPLES = PROJECT / "seeds" / "articles"
GOLD = PROJECT / "tests" / "gold"


def gold_for(name: str) -> dict:
    return json.loads((GOLD / name.replace(".txt", ".json")).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_outcomes() -> dict:
    """{file name: IngestOutcome} for every sample page, ingested once per session."""
    root, paths = discover_files(SAMPLES)
    return {path.name: ingest_file(path, root, max_bytes=5_000_000) for path in paths}
