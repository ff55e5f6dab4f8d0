"""Headless Chromium for the browser tests: one-shot pages, and live pages driven over DevTools.

Static pages (the report, Great Expectations' Data Docs) need nothing more than Chromium's
command line: `--dump-dom` or `--screenshot` after `--virtual-time-budget` lets their scripts run.

The Prefect UI is a single-page app that fetches its data after load, and its flow-run page
resets a `?tab=` link to Logs before the run arrives (the Artifacts tab is hidden until then), so
no command-line flag can show a run's artifacts. `Chromium.page` opens a live page over the
DevTools protocol instead: wait for text, click, read the DOM, take a screenshot, every wait
bounded. Tests get a `Chromium` from the `chromium` fixture in tests/conftest.py.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
README_DOCS = PROJECT_ROOT / "docs"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEADLESS = (
    "--headless",
    "--no-sandbox",  # CI containers run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def screenshot_target(name: str, scratch: Path) -> Path:
    """The README's copy under docs/ with RENDA_UPDATE_SCREENSHOT=1, else a scratch file.

    Running the tests never changes the repository unless asked to.
    """
    if os.environ.get("RENDA_UPDATE_SCREENSHOT") == "1":
        return README_DOCS / name
    return scratch / name


def is_real_png(path: Path, min_bytes: int) -> bool:
    """A PNG big enough to hold a drawn page: a blank one compresses to a few kB."""
    return path.read_bytes().startswith(PNG_SIGNATURE) and path.stat().st_size > min_bytes


@dataclass(frozen=True)
class Chromium:
    executable: str
    profiles: Path  # each call gets a fresh profile below this folder

    def run(self, *arguments: str, budget_ms: int = 10_000, timeout: float = 180) -> str:
        """One headless Chromium call; returns its standard output (the DOM for --dump-dom)."""
        command = [
            self.executable,
            *HEADLESS,
            f"--user-data-dir={self._fresh_profile()}",
            f"--virtual-time-budget={budget_ms}",  # let every script run before DOM or pixels
            *arguments,
        ]
        finished = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        finished.check_returncode()
        return finished.stdout

    def dump_dom(self, url: str) -> str:
        return self.run("--dump-dom", url)

    def screenshot(self, url: str, target: Path, size: str = "1400,2400") -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.run(f"--screenshot={target}", f"--window-size={size}", url)
        return target

    @contextmanager
    def page(self, size: str = "1400,1600", start_timeout: float = 60) -> Iterator[Page]:
        """A live page on a Chromium of its own, always stopped afterwards."""
        profile = self._fresh_profile()
        process = subprocess.Popen(
            [
                self.executable,
                *HEADLESS,
                f"--user-data-dir={profile}",
                f"--window-size={size}",
                "--remote-debugging-port=0",  # Chromium picks a free port and writes it down
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with Page.connect(_debugging_port(profile, process, start_timeout)) as page:
                yield page
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(20)

    def _fresh_profile(self) -> Path:
        self.profiles.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="profile-", dir=self.profiles))


def _debugging_port(profile: Path, process: subprocess.Popen, timeout: float) -> int:
    marker = profile / "DevToolsActivePort"  # first line: the port
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with status {process.returncode} at start")
        if marker.exists() and (lines := marker.read_text().split()):
            return int(lines[0])
        time.sleep(0.1)
    raise TimeoutError(f"chromium opened no DevTools port in {timeout:.0f}s")


class Page:
    """One browser tab driven over the DevTools protocol (JSON over a websocket)."""

    def __init__(self, socket: Any) -> None:
        self._socket = socket
        self._ids = itertools.count(1)

    @classmethod
    @contextmanager
    def connect(cls, port: int) -> Iterator[Page]:
        from websockets.sync.client import connect  # websockets comes with prefect

        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        tab = next(target for target in targets if target["type"] == "page")
        with connect(tab["webSocketDebuggerUrl"], max_size=None) as socket:
            yield cls(socket)

    def call(self, method: str, timeout: float = 60, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:  # events arrive between replies; skip them
            reply = json.loads(self._socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method} failed: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} raised: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def text(self) -> str:
        return self.evaluate("document.body ? document.body.innerText : ''") or ""

    def wait_for_text(self, wanted: str, timeout: float) -> None:
        """Poll the rendered text: the app fetches after load, slowly on a busy machine."""
        deadline = time.monotonic() + timeout
        while wanted not in self.text():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{wanted!r} not on the page after {timeout:.0f}s")
            time.sleep(0.25)

    def click(self, selector: str) -> None:
        found = self.evaluate(
            f"(() => {{ const node = document.querySelector({json.dumps(selector)});"
            " if (node) node.click(); return Boolean(node); })()"
        )
        if not found:
            raise LookupError(f"nothing on the page matches {selector!r}")

    def dom(self) -> str:
        return self.evaluate("document.documentElement.outerHTML")

    def screenshot(self, target: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
        return target
