"""A run as an operator sees it: the Prefect UI's page of the run, and the Data Docs it links to.

One real `prefect server start` with its UI, on a free loopback port with its own PREFECT_HOME;
`renda run` loads a copy of the sample articles against it; the run's id, name and artifacts are
read through the API, then headless Chromium opens the UI page of that run (Artifacts tab) and the
Great Expectations page its data-docs artifact links to. The README's screenshots
docs/prefect-ui-run.png and docs/data-docs.png are refreshed with RENDA_UPDATE_SCREENSHOT=1;
otherwise the screenshots go to a temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from flows.serve import start_server, stop_server
from flows.settings import PROJECT_ROOT
from tests.browser import Chromium, is_real_png, screenshot_target

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 420  # seconds: a cold run imports GX and jieba, on a shared 2 cores
PAGE_TIMEOUT = 90  # seconds for the UI to fetch and draw what the API already holds
RUN_ARTIFACTS = ("renda-stage-counts", "renda-run-summary", "renda-data-docs", "renda-report")
GATED_SUITE = "stg_quantities"  # any gated table would do; this one has Chinese in its suite


@dataclass(frozen=True)
class FlowRun:
    ui: str  # the server's root URL, where the UI lives
    id: str
    name: str
    state: str
    artifacts: dict[str, str]  # key -> data (a link artifact's data is markdown)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A real Prefect server with its UI; always stopped afterwards."""
    home = tmp_path_factory.mktemp("prefect-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RENDA_"))}
    env.update(PREFECT_HOME=str(home), DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    port = free_port()
    process = start_server(port, home / "server.log", env=env, timeout=180)
    try:
        yield {"ui": f"http://127.0.0.1:{port}", "env": env}
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def flow_run(server: dict, tmp_path_factory: pytest.TempPathFactory) -> FlowRun:
    root = tmp_path_factory.mktemp("ui-run")
    source = shutil.copytree(PROJECT_ROOT / "seeds" / "articles", root / "articles")
    renda = Path(sys.executable).with_name("renda")
    command = [str(renda), "run", str(source), "--warehouse", str(root / "renda.duckdb")]
    env = {**server["env"], "PREFECT_API_URL": f"{server['ui']}/api"}
    finished = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT
    )
    assert 0 == finished.returncode, finished.stdout[-3000:] + finished.stderr[-3000:]
    return read_flow_run(server["ui"])


def read_flow_run(ui: str) -> FlowRun:
    """The one run of renda-etl on this server, and its artifacts, as the API reports them."""
    api = f"{ui}/api"
    runs = httpx.post(f"{api}/flow_runs/filter", json={"limit": 10}, timeout=30).json()
    assert 1 == len(runs), runs
    run = runs[0]
    artifacts = httpx.post(
        f"{api}/artifacts/filter",
        json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}, "limit": 200},
        timeout=30,
    ).json()
    return FlowRun(
        ui=ui,
        id=run["id"],
        name=run["name"],
        state=run["state_type"],
        artifacts={artifact["key"]: artifact["data"] for artifact in artifacts if artifact["key"]},
    )


def test_prefect_ui_shows_the_run_with_its_artifacts(
    chromium: Chromium, flow_run: FlowRun, tmp_path: Path
) -> None:
    assert "COMPLETED" == flow_run.state
    assert set(RUN_ARTIFACTS) <= set(flow_run.artifacts)
    with chromium.page(size="1400,1500") as page:
        page.open(f"{flow_run.ui}/runs/flow-run/{flow_run.id}")
        page.wait_for_text(flow_run.name, PAGE_TIMEOUT)
        # A `?tab=Artifacts` link is reset to Logs while the run loads: click, as a person does.
        page.click("li.p-tab#artifacts")
        page.wait_for_text(RUN_ARTIFACTS[0], PAGE_TIMEOUT)
        page.wait_for_text(RUN_ARTIFACTS[-1], PAGE_TIMEOUT)
        shown = page.text()
        screenshot = page.screenshot(screenshot_target("prefect-ui-run.png", tmp_path))

    assert flow_run.name in shown
    assert [] == [key for key in flow_run.artifacts if key not in shown]
    assert "What this run found" in shown  # the summary's title, as the flow describes it
    assert is_real_png(screenshot, min_bytes=50_000)  # a blank page compresses to a few kB


def artifact_link(flow_run: FlowRun, key: str) -> str:
    """The file:// page a link artifact of the run points to."""
    found = re.search(r"\((file://[^)\s]+)\)", flow_run.artifacts[key])
    assert found, flow_run.artifacts[key]
    return found.group(1)


def test_the_run_links_to_the_report_it_built(chromium: Chromium, flow_run: FlowRun) -> None:
    report = chromium.dump_dom(artifact_link(flow_run, "renda-report"))

    assert 'class="main-svg"' in report  # plotly drew the charts
    assert "代表联络站" in report  # a subject of the samples' quantities, in Chinese


def test_data_docs_of_the_run_show_its_gates(
    chromium: Chromium, flow_run: FlowRun, tmp_path: Path
) -> None:
    run_page = artifact_link(flow_run, "renda-data-docs")
    listing = chromium.dump_dom(run_page)
    assert flow_run.id in listing  # GX names the validations by the run's id
    link = re.search(rf'<a href="([^"]+)">{GATED_SUITE}</a>', listing)
    assert link, listing[-2000:]
    validation_page = urljoin(run_page, link.group(1))

    validation = chromium.dump_dom(validation_page)
    screenshot = chromium.screenshot(
        validation_page, screenshot_target("data-docs.png", tmp_path), size="1400,1900"
    )

    overview = re.search(r"Expectation Suite:(.*?)Succeeded", validation, flags=re.S)
    assert overview, validation[:3000]  # the overview says which suite, then its status
    assert f">{GATED_SUITE}</a>" in overview.group(1)
    assert "Status:" in overview.group(1)
    assert flow_run.id in validation
    assert is_real_png(screenshot, min_bytes=50_000)
