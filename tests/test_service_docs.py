"""The service's own pages as a person meets them: /docs rendered by a real headless Chromium with the
network off (no CDN), and `serve` on a busy port failing before it says anything.

Chromium comes from the system (`apt-get install chromium`; CI installs it). Without it these browser
tests are skipped, unless SWITCHBOARD_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from switchboard.config.settings import PROJECT_ROOT
from tests.cli import one_error_line
from tests.test_service import Server, Servers

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("SWITCHBOARD_REQUIRE_BROWSER") != "1",
    reason="no Chromium on this machine (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    started = Servers(tmp_path_factory.mktemp("docs"))
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def docs_server(seeded: str, servers: Servers) -> Server:
    """One service process on the seeded test database, shared by this module's tests."""
    return servers.first(1)[0]


def offline_dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, in headless Chromium that can reach only this machine."""
    assert CHROMIUM is not None, "SWITCHBOARD_REQUIRE_BROWSER=1 but no Chromium is installed"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            # the network is off: every host but this machine fails to resolve (a CDN would too)
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@needs_browser
def test_the_docs_page_renders_every_operation_with_the_network_off(
    docs_server: Server, tmp_path: Path
) -> None:
    page = httpx.get(f"{docs_server.url}/docs", timeout=30).text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)""", page)
    assert assets and not [a for a in assets if "://" in a], assets  # everything from this service

    dom = offline_dom(f"{docs_server.url}/docs", tmp_path / "profile")
    operations = set(re.findall(r'class="opblock-summary-path"[^>]*data-path="([^"]+)"', dom))
    assert {"/threads", "/threads/{thread_id}/messages", "/approvals"} <= operations, dom[:2000]
    assert "Switchboard" in dom


def test_the_openapi_says_what_the_answer_holds_while_paused(docs_server: Server) -> None:
    schema = httpx.get(f"{docs_server.url}/openapi.json", timeout=30).json()
    answer = schema["components"]["schemas"]["AskResultOut"]["properties"]["answer"]["description"]
    assert "paused" in answer and "''" not in answer


def test_serve_on_a_busy_port_is_one_error_line_and_no_banner(docs_server: Server, tmp_path: Path) -> None:
    port = docs_server.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "switchboard", "serve", "--port", port],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = one_error_line(result)
    assert f"port {port}" in line and "in use" in line
    assert "Switchboard service on" not in result.stderr + result.stdout
