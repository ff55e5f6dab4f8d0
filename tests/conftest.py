"""Shared fixtures. Prefect reads its settings at import, so its environment is set first."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.browser import Chromium

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_ARTICLES = PROJECT_ROOT / "seeds" / "articles"
GOLD_DIR = PROJECT_ROOT / "tests" / "gold"


def suites_with_quantity_cap(target: Path, cap: float) -> Path:
    """A copy of the expectation suites whose quantity gate fails on values above `cap`."""
    shutil.copytree(PROJECT_ROOT / "expectations", target)
    suite_file = target / "stg_quantities.json"
    suite = json.loads(suite_file.read_text(encoding="utf-8"))
    for expectation in suite["expectations"]:
        if expectation["kwargs"].get("column") == "value" and "max_value" in expectation["kwargs"]:
            expectation["kwargs"]["max_value"] = cap
    suite_file.write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session (it takes about 10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of the sample articles that a test may change."""
    target = tmp_path / "articles"
    shutil.copytree(SEED_ARTICLES, target)
    return target


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch):
    """Set RENDA_* variables for one test and rebuild the cached settings around it."""
    from flows.settings import get_settings

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"RENDA_{name.upper()}", value)
        get_settings.cache_clear()

    yield apply
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Chromium:
    """Headless Chromium for the browser tests (tests/browser.py)."""
    from tests.browser import Chromium, find_chromium

    executable = find_chromium()
    if executable:
        return Chromium(executable, tmp_path_factory.mktemp("chromium"))
    if os.environ.get("CI"):  # CI must prove the pages render: a missing browser is a failure
        pytest.fail("chromium is not installed on this CI machine: apt-get install -y chromium")
    pytest.skip("chromium is not installed (apt-get install -y chromium); CI is unset, skipping")


@pytest.fixture(scope="session")
def dask_client():
    """A local Dask cluster of two single-threaded worker processes, for the whole session."""
    from distributed import Client, LocalCluster

    from flows.dask_runner import local_cluster_options

    with LocalCluster(**local_cluster_options(2)) as cluster, Client(cluster) as client:
        yield client
