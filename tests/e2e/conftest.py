"""What every browser test shares: Debian's Chromium through Playwright (a browser per test
module: Playwright's sync API allows one running instance at a time, and other tests start
their own), the demo site built once, and that site over HTTP (the graph, search and hover
previews need a server; browsers refuse them from file://).

Browser tests skip when Chromium or Playwright is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from mindmap.build import build_site
from mindmap.config import load_config

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


class Quiet(http.server.SimpleHTTPRequestHandler):
    """A static file server that does not log every request."""

    def log_message(self, *args: object) -> None:
        pass


def serve_folder(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free port while the generator is open; yields its url."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo vault's site (read-only for the tests)."""
    out = tmp_path_factory.mktemp("e2e") / "site"
    build_site(ROOT / "notes", out, load_config(ROOT / "mindmap.yml"), jobs=1)
    return out


@pytest.fixture(scope="session")
def served(site: Path) -> Iterator[str]:
    yield from serve_folder(site)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as p:
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        b = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield b
        b.close()


def open_page(browser: object, url: str, errors: list[str], **options: object) -> object:
    """A new page (`options` as for Playwright's `new_page`) at `url` whose console errors,
    uncaught exceptions and failed requests are appended to `errors`."""
    page = browser.new_page(**options)  # type: ignore[attr-defined]
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed(r, errors))
    page.goto(url)
    return page


def storage_written(page: object) -> None:
    """Wait until a write the page's script just made to localStorage can be read by the
    next page. The page reads its own write at once, but Chromium hands it to the browser
    process asynchronously, and a navigation right after it may start before it arrives
    (the next page then finds the old state: seen under load, in a reload and in a theme
    chosen just before opening 404.html). A quarter of a second is far more than that
    hand-over takes."""
    page.wait_for_timeout(250)  # type: ignore[attr-defined]


def reload_remembering(page: object) -> None:
    """Reload a page whose script just wrote to localStorage (`storage_written`)."""
    storage_written(page)
    page.reload()  # type: ignore[attr-defined]


def failed(request: object, errors: list[str]) -> None:
    """A request that failed, except one cancelled because the test navigated away."""
    if "ERR_ABORTED" not in (request.failure or ""):  # type: ignore[attr-defined]
        errors.append(f"failed: {request.url} {request.failure}")  # type: ignore[attr-defined]
