"""`mindmap serve` end to end: the real Builder on a temporary vault, a server on a free port,
notes edited on disk, pages fetched once the reload event has come; and one test in a real
headless Chromium that watches an open page follow the note on disk.
"""

from __future__ import annotations

import http.client
import json
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mindmap.serve import DevServer
from sitetools import (
    MANY_NOTES,
    in_a_new_process,
    note_render_processes,
    parse_html,
    render_processes,
    write_files,
)

build = pytest.importorskip("mindmap.build")
if not hasattr(build, "Builder"):
    pytest.skip("mindmap.build has no Builder yet", allow_module_level=True)

CHROMIUM = shutil.which("chromium")
VAULT = {
    "Alpha.md": "# Alpha\n\nFirst note.\n",
    "Beta.md": "# Beta\n\nSecond note.\n",
    "Gamma.md": "# Gamma\n\nSee [[Missing Note]] soon.\n",
}
BROKEN = "---\ntitle: [unclosed\n---\n# Alpha\n\nFirst note.\n"


@dataclass
class Served:
    dev: DevServer
    notes: Path
    out: Path

    @property
    def url(self) -> str:
        return self.dev.url

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def status(self, source: str) -> list[str]:
        _code, body = self.get(f"_mindmap/status?path={source}")
        return [d["code"] for d in json.loads(body)["diagnostics"]]

    def change(self, action: Callable[[], object]) -> int:
        """Do `action` on the files, then wait for the reload event that follows it."""
        host, port = self.dev.httpd.server_address[:2]  # type: ignore[union-attr]
        conn = http.client.HTTPConnection(str(host), port, timeout=5)
        conn.request("GET", "/_mindmap/events")
        stream = conn.getresponse()
        before = _next_epoch(stream)
        action()
        while (epoch := _next_epoch(stream)) == before:
            pass
        conn.close()
        return epoch


def _next_epoch(stream: http.client.HTTPResponse) -> int:
    while not (line := stream.fp.readline()).startswith(b"data: "):
        assert line, "the event stream ended"
    return int(line[6:])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    notes = write_files(tmp_path / "notes", VAULT)
    (tmp_path / "mindmap.yml").write_text("title: Garden\n")
    dev = DevServer(notes, tmp_path / "site", tmp_path / "mindmap.yml", log=lambda _line: None)
    dev.start("127.0.0.1", 0)
    try:
        yield Served(dev, notes, tmp_path / "site")
    finally:
        dev.stop()


def backlinks(page: str) -> str:
    found = parse_html(page).find_all("aside", cls="mm-backlinks")
    return found[0].text() if found else ""


def test_an_edit_adds_the_backlink_on_the_linked_notes_page(served: Served) -> None:
    assert "Beta" not in backlinks(served.get("alpha.html")[1])
    served.change(lambda: (served.notes / "Beta.md").write_text("# Beta\n\nSee [[Alpha]].\n"))
    code, page = served.get("alpha.html")
    assert code == 200
    assert "Beta" in backlinks(page)
    assert 'src="/_mindmap/reload.js"' in page
    assert "_mindmap" not in (served.out / "alpha.html").read_text()  # the built file is clean


def test_a_deleted_note_is_gone(served: Served) -> None:
    assert served.get("beta.html")[0] == 200
    served.change((served.notes / "Beta.md").unlink)
    code, page = served.get("beta.html")
    assert code == 404
    assert "isn’t in the garden" in page  # the site's own 404 page
    assert not (served.out / "beta.html").exists()
    assert "Beta" not in served.get("notes.html")[1]


def test_a_created_note_fixes_the_missing_link(served: Served) -> None:
    assert served.status("Gamma.md") == ["link-missing"]
    served.change(lambda: (served.notes / "Missing Note.md").write_text("Here now.\n"))
    code, page = served.get("gamma.html")
    assert code == 200
    assert 'href="missing-note.html"' in page
    assert served.get("missing-note.html")[0] == 200
    assert served.status("Gamma.md") == []


def test_a_broken_note_is_reported_until_it_is_fixed(served: Served) -> None:
    served.change(lambda: (served.notes / "Alpha.md").write_text(BROKEN))
    assert served.status("Alpha.md") == ["frontmatter-yaml"]
    assert served.get("alpha.html")[0] == 200  # published without its properties
    served.change(lambda: (served.notes / "Alpha.md").write_text(VAULT["Alpha.md"]))
    assert served.status("Alpha.md") == []


def test_settings_changes_rebuild_and_bad_settings_keep_the_site(served: Served) -> None:
    config = served.notes.parent / "mindmap.yml"
    served.change(lambda: config.write_text("title: Orchard\n"))
    assert "Orchard" in served.get("alpha.html")[1]
    served.change(lambda: config.write_text("titel: typo\n"))
    _code, body = served.get("_mindmap/status")
    assert "unknown setting(s): titel" in json.loads(body)["error"]
    assert "Orchard" in served.get("alpha.html")[1]  # still the last good site
    served.change(lambda: config.write_text("title: Meadow\n"))
    assert json.loads(served.get("_mindmap/status")[1])["error"] is None
    assert "Meadow" in served.get("alpha.html")[1]


def test_editor_litter_does_not_rebuild(served: Served) -> None:
    epoch = served.dev.epoch
    (served.notes / ".Alpha.md.swp").write_text("swap")
    (served.notes / "Alpha.md~").write_text("backup")
    (served.notes / ".obsidian").mkdir()
    (served.notes / ".obsidian" / "workspace.json").write_text("{}")
    time.sleep(0.3)  # three debounce periods
    assert served.dev.epoch == epoch
    served.change(lambda: (served.notes / "Beta.md").write_text("# Beta\n\nEdited.\n"))
    assert served.dev.epoch == epoch + 1  # one rebuild, for Beta.md only


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_an_open_page_follows_the_note_on_disk(served: Served) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    long_note = "# Alpha\n\n" + "".join(f"- point {i}\n" for i in range(150))
    served.change(lambda: (served.notes / "Alpha.md").write_text(long_note + "First note.\n"))
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(served.url + "alpha.html")
            body = page.locator(".mm-body")
            sync_api.expect(body).to_contain_text("First note.")
            page.evaluate("window.scrollTo(0, 1200)")
            page.wait_for_function("window.scrollY >= 1200")

            (served.notes / "Alpha.md").write_text(long_note + "Edited on disk.\n")
            sync_api.expect(body).to_contain_text("Edited on disk.", timeout=5000)
            page.wait_for_function("window.scrollY >= 1100", timeout=3000)  # kept its place
            assert page.locator("#mindmap-dev-overlay").count() == 0

            (served.notes / "Alpha.md").write_text("---\ntitle: [x\n---\n" + long_note)
            badge = page.locator("#mindmap-dev-overlay .badge")  # a warning: a small badge
            sync_api.expect(badge).to_have_text("⚠ 1 warning", timeout=5000)
            badge.click()
            sync_api.expect(page.locator("#mindmap-dev-overlay .panel")).to_contain_text(
                "[frontmatter-yaml]"
            )
        finally:
            browser.close()
    assert errors == []


def test_the_first_build_renders_on_every_core(tmp_path: Path) -> None:
    """serve's first build runs before the watcher's and the server's threads, so it forks
    its render helpers like `mindmap build` (a process running threads does not fork)."""
    in_a_new_process(_serve_once, tmp_path)
    seen = render_processes(tmp_path)
    assert len(seen.pages) >= 2  # a process a core: its own and the helpers


def _serve_once(tmp_path: Path) -> None:
    notes = write_files(tmp_path / "notes", MANY_NOTES)
    note_render_processes(tmp_path)
    dev = DevServer(notes, tmp_path / "site", None, log=lambda _line: None)
    dev.start("127.0.0.1", 0)
    dev.stop()
