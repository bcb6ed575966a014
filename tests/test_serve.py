"""`mindmap serve` with a fake builder: request handling (mostly without sockets), the snapshot
served during a rebuild, live-reload events, the overlay's status, debouncing and filtering of
file events, failures that keep the last good site, and a clean stop.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

import mindmap.serve as serve_module
import mindmap.watch as watch_module
from mindmap.cli import main
from mindmap.config import ConfigError
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.serve import DevServer, content_type, inject, request_url
from mindmap.watch import Debouncer, Watched, is_temporary

PAGE = b"<!DOCTYPE html><html><body><h1>A</h1>\n</body></html>\n"
NOT_FOUND = b"<!DOCTYPE html><html><body><p>This page isn't in the garden</p></body></html>"
SCRIPT = b'<script src="/_mindmap/reload.js"'


@dataclass
class FakeResult:
    diagnostics: list[Diagnostic]
    written: list[str]
    removed: list[str] = field(default_factory=list)
    notes: int = 1
    pages: int = 2
    files: int = 4
    seconds: float = 0.01


class FakeBuilder:
    """Builds `self.site` (a new mapping each time); can fail, or block until `gate` is set."""

    def __init__(self, site: dict[str, bytes | Path]) -> None:
        self.site = site
        self.files: dict[str, bytes | Path] = {}
        self.diags: list[Diagnostic] = []
        self.fail: Exception | None = None
        self.gate: threading.Event | None = None
        self.started = threading.Event()
        self.builds = 0
        self.saved = 0
        self.settled = 0

    def build(self) -> FakeResult:
        self.builds += 1
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(5)
        if self.fail is not None:
            raise self.fail
        before, self.files = self.files, dict(self.site)
        written = sorted(u for u, data in self.site.items() if before.get(u) != data)
        return FakeResult(list(self.diags), written)

    def settle(self, make: bool = True, stop: Callable[[], bool] | None = None) -> None:
        self.settled += 1

    def save_cache(self) -> None:
        self.saved += 1


def warning(path: str, message: str = "no note named X") -> Diagnostic:
    return Diagnostic(path, 3, 5, Severity.WARNING, "link-missing", message)


def wait_until(condition: Callable[[], object], timeout: float = 3.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "notes").mkdir()
    (tmp_path / "mindmap.yml").write_text("title: Test\n")
    return tmp_path


@pytest.fixture
def fake(project: Path) -> FakeBuilder:
    (project / "pic.png").write_bytes(b"\x89PNG-bytes")
    return FakeBuilder(
        {
            "index.html": PAGE,
            "a.html": PAGE,
            "folder/index.html": PAGE,
            "404.html": NOT_FOUND,
            "static/mindmap.css": b"body{}",
            "graph.json": b"{}",
            "img/pic.png": project / "pic.png",
            "my note.html": PAGE,
        }
    )


@pytest.fixture
def dev(project: Path, fake: FakeBuilder) -> DevServer:
    """A server over the fake builder, built once, with nothing listening or watching."""
    server = DevServer(
        project / "notes",
        project / "site",
        project / "mindmap.yml",
        make_builder=lambda _n, _o, _c: fake,
        quiet=0.05,
        log=lambda _line: None,
    )
    server.rebuild()
    return server


# -- urls and types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "url"),
    [
        ("/", "index.html"),
        ("/a.html", "a.html"),
        ("/folder/", "folder/index.html"),
        ("/my%20note.html?x=1#top", "my note.html"),
        ("/people/caf%C3%A9.html", "people/café.html"),
        ("/_mindmap/status?path=a.md", "_mindmap/status"),
    ],
)
def test_request_urls(target: str, url: str) -> None:
    assert request_url(target) == url


@pytest.mark.parametrize(
    "target",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/folder/../../etc/passwd",
        "/..",
        "//etc/passwd",
        "/%2Fetc/passwd",
        "/..\\..\\windows\\win.ini",
        "/%5c..%5cetc",
        "/a.html%00.png",
        "/./a.html",
        "/a//b.html",
        "etc/passwd",
        "http://evil.example/a.html",
        "/%ff%fe",
    ],
)
def test_request_urls_that_leave_the_site_are_refused(target: str, dev: DevServer) -> None:
    assert request_url(target) is None
    response = dev.respond(target)
    assert response.status == 400
    assert response.body == b"bad request path\n"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("a.html", "text/html; charset=utf-8"),
        ("static/mindmap.css", "text/css; charset=utf-8"),
        ("x.js", "text/javascript; charset=utf-8"),
        ("graph.json", "application/json; charset=utf-8"),
        ("i.svg", "image/svg+xml; charset=utf-8"),
        ("i.PNG", "image/png"),
        ("i.webp", "image/webp"),
        ("d.pdf", "application/pdf"),
        ("s.wav", "audio/wav"),
        ("s.mp3", "audio/mpeg"),
        ("s.m4a", "audio/mp4"),
        ("v.mp4", "video/mp4"),
        ("v.webm", "video/webm"),
        ("blob", "application/octet-stream"),
    ],
)
def test_content_types(url: str, kind: str) -> None:
    assert content_type(url) == kind


def test_inject_before_the_last_body_end_or_at_the_end() -> None:
    page = inject(b"<body><pre>&lt;/body&gt;</pre></BODY></html>", 7)
    assert page.endswith(b'data-epoch="7"></script>\n</BODY></html>')
    assert inject(b"<p>fragment", 1).startswith(b"<p>fragment" + SCRIPT)


# -- responses -----------------------------------------------------------------------------


def test_pages_are_served_from_the_snapshot_with_the_reload_script(dev: DevServer) -> None:
    for target in ("/", "/a.html", "/folder/", "/my%20note.html"):
        response = dev.respond(target)
        assert response.status == 200
        assert response.type == "text/html; charset=utf-8"
        assert response.body == PAGE.replace(
            b"</body>", SCRIPT + b' data-epoch="1"></script>\n</body>'
        )


def test_only_html_gets_the_script(dev: DevServer, project: Path) -> None:
    assert dev.respond("/static/mindmap.css").body == b"body{}"
    assert dev.respond("/graph.json").body == b"{}"
    picture = dev.respond("/img/pic.png")
    assert (picture.status, picture.type, picture.body) == (200, "image/png", project / "pic.png")
    assert not (project / "site").exists()  # the fake wrote nothing: all came from memory


def test_a_missing_url_gets_the_sites_404_page(dev: DevServer, project: Path) -> None:
    for target in ("/nope.html", "/folder/nope/", "/img/other.png", "/index.html/x"):
        response = dev.respond(target)
        assert response.status == 404
        assert isinstance(response.body, bytes)
        assert response.body.startswith(NOT_FOUND.removesuffix(b"</body></html>"))
        assert SCRIPT in response.body  # the overlay and reload work on the 404 page too
    (project / "pic.png").unlink()  # a source file gone since the build
    assert dev.respond("/img/pic.png").status == 404


def test_no_directory_listing_and_a_folder_url_without_slash_redirects(dev: DevServer) -> None:
    assert dev.respond("/img/").status == 404
    moved = dev.respond("/folder?x=1")
    assert (moved.status, moved.headers) == (301, {"Location": "/folder/"})


def test_before_any_successful_build_a_plain_404_page_carries_the_overlay(
    project: Path, fake: FakeBuilder
) -> None:
    fake.fail = RuntimeError("boom")
    dev = DevServer(
        project / "notes",
        project / "site",
        project / "mindmap.yml",
        make_builder=lambda _n, _o, _c: fake,
        log=lambda _line: None,
    )
    dev.rebuild()
    response = dev.respond("/")
    assert response.status == 404
    assert SCRIPT in response.body  # type: ignore[operator]
    assert "RuntimeError: boom" in dev.status()["error"]


def test_reload_js_and_unknown_dev_urls(dev: DevServer) -> None:
    script = dev.respond("/_mindmap/reload.js")
    assert script.type == "text/javascript; charset=utf-8"
    assert b"EventSource" in script.body  # type: ignore[operator]
    assert dev.respond("/_mindmap/nothing").status == 404


# -- snapshot, failures, status --------------------------------------------------------------


def test_requests_during_a_rebuild_get_the_previous_complete_site(
    dev: DevServer, fake: FakeBuilder
) -> None:
    fake.site = {"index.html": b"<body>new</body>", "b.html": PAGE}
    fake.gate, fake.started = threading.Event(), threading.Event()
    worker = threading.Thread(target=dev.rebuild)
    worker.start()
    assert fake.started.wait(2)
    assert dev.respond("/a.html").status == 200  # the old site, whole
    assert dev.respond("/b.html").status == 404
    fake.gate.set()
    worker.join(2)
    assert dev.respond("/a.html").status == 404
    assert dev.respond("/").body.startswith(b"<body>new")  # type: ignore[union-attr]
    assert dev.epoch == 2


def test_a_crash_keeps_the_old_snapshot_and_is_reported(dev: DevServer, fake: FakeBuilder) -> None:
    lines: list[str] = []
    dev.log = lines.append
    old = dev.site[0]
    fake.fail = KeyError("bug in the builder")
    dev.rebuild()  # does not raise
    assert dev.site == (old, 2)  # same site, new epoch: browsers reload and show the overlay
    assert dev.respond("/a.html").status == 200
    status = dev.status()
    assert "KeyError: 'bug in the builder'" in status["error"]
    assert "Traceback" in status["error"]
    assert any("rebuild failed" in line for line in lines)
    fake.fail = None
    dev.rebuild()
    assert dev.status()["error"] is None
    assert dev.epoch == 3


def test_status_lists_every_diagnostic_or_errors_and_one_notes(
    dev: DevServer, fake: FakeBuilder
) -> None:
    fake.diags = [
        warning("a.md"),
        warning("b.md"),
        Diagnostic("", 0, 0, Severity.ERROR, "template-error", "note.html:3: bad"),
    ]
    dev.rebuild()
    everything = dev.status()
    assert [d["path"] for d in everything["diagnostics"]] == ["a.md", "b.md", ""]
    row = everything["diagnostics"][0]
    assert row["text"] == "a.md:3:5: warning: no note named X [link-missing]"
    assert (row["severity"], row["code"], row["line"]) == ("warning", "link-missing", 3)
    for_a = dev.respond("/_mindmap/status?path=a.md")
    assert for_a.type == "application/json; charset=utf-8"

    data = json.loads(for_a.body)  # type: ignore[arg-type]
    assert [d["path"] for d in data["diagnostics"]] == ["a.md", ""]
    assert data["epoch"] == 2
    empty = json.loads(dev.respond("/_mindmap/status?path=").body)  # type: ignore[arg-type]
    assert [d["code"] for d in empty["diagnostics"]] == ["template-error"]
    fake.diags = []
    dev.rebuild()  # the note was fixed: the overlay has nothing left to show
    assert dev.status("a.md")["diagnostics"] == []


def test_rebuild_lines_are_printed_like_mkdocs(dev: DevServer, fake: FakeBuilder) -> None:
    lines: list[str] = []
    dev.log = lines.append
    fake.site = {"a.html": PAGE + b"<!-- 1 -->"}
    fake.diags = [warning("a.md"), warning("b.md")]
    dev.rebuild()
    assert lines[-1] == "rebuilt in 0.01s: 1 page written, 2 warnings"
    assert lines[0].endswith("/notes/a.md:3:5: warning: no note named X [link-missing]")
    assert lines[1].endswith("/notes/b.md:3:5: warning: no note named X [link-missing]")
    lines.clear()
    fake.site = {"a.html": PAGE + b"<!-- 2 -->"}
    dev.rebuild()  # the same diagnostics are not printed again
    assert lines == ["rebuilt in 0.01s: 1 page written, 2 warnings"]


# -- live reload -------------------------------------------------------------------------------


def test_events_send_the_epoch_now_and_after_each_rebuild(dev: DevServer) -> None:
    chunks: list[bytes] = []
    dev.keepalive = 0.05
    worker = threading.Thread(target=dev.stream_events, args=(chunks.append,))
    worker.start()
    wait_until(lambda: b"data: 1\n\n" in chunks)
    wait_until(lambda: b": keep-alive\n\n" in chunks)
    dev.rebuild()
    wait_until(lambda: b"data: 2\n\n" in chunks)
    dev.stop()
    worker.join(2)
    assert not worker.is_alive()
    assert chunks[0] == b"retry: 1000\n\n"
    data = [c for c in chunks if c.startswith(b"data")]
    assert data == [b"data: 1\n\n", b"data: 2\n\n"]


def test_events_end_when_the_browser_goes_away(dev: DevServer) -> None:
    def gone(_data: bytes) -> None:
        raise BrokenPipeError

    with pytest.raises(BrokenPipeError):
        dev.stream_events(gone)


# -- watching -----------------------------------------------------------------------------------


@pytest.fixture
def watched(tmp_path: Path) -> Watched:
    (tmp_path / "notes").mkdir()
    (tmp_path / "templates").mkdir()
    return Watched(
        tmp_path / "notes",
        tmp_path / "site",
        tmp_path / "mindmap.yml",
        tmp_path / "templates",
        ("private/", "*.draft.md"),
    )


@pytest.mark.parametrize(
    "name",
    ["a.md~", ".a.md.swp", "a.md.swp", ".a.md.swx", "4913", ".#a.md", "#a.md#", "a.md.tmp",
     "a.md___jb_tmp___", ".DS_Store", "Thumbs.db"],
)  # fmt: skip
def test_editor_litter_is_temporary(name: str, watched: Watched) -> None:
    assert is_temporary(name)
    assert watched.kind(str(watched.notes / "people" / name)) is None


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("notes/a.md", "notes"),
        ("notes/2024/Jan.md", "notes"),
        ("notes/pic.png", "notes"),
        ("notes/.obsidian/workspace.json", None),
        ("notes/.git/index", None),
        ("notes/.trash/old.md", None),
        ("notes/private/secret.md", None),
        ("notes/x.draft.md", None),
        ("templates/note.html", "templates"),
        ("templates/static/mindmap.css", "templates"),
        ("mindmap.yml", "config"),
        ("other.yml", None),
        ("site/index.html", None),
        (".mindmap-cache/site.pickle", None),
    ],
)
def test_which_changes_matter(rel: str, kind: str | None, watched: Watched) -> None:
    assert watched.kind(str(watched.notes.parent / rel)) == kind


def test_folder_events(watched: Watched) -> None:
    assert watched.kind(str(watched.notes / "2024"), is_dir=True) == "notes"  # moved in
    assert watched.kind(str(watched.notes / ".obsidian"), is_dir=True) is None


def test_watch_roots_do_not_overlap(watched: Watched, tmp_path: Path) -> None:
    assert watched.roots() == [
        (tmp_path, False),
        (tmp_path / "notes", True),
        (tmp_path / "templates", True),
    ]
    inside = Watched(
        tmp_path / "notes", tmp_path / "site", tmp_path / "notes" / "m.yml", tmp_path / "notes"
    )
    assert inside.roots() == [(tmp_path / "notes", True)]


def test_a_burst_of_50_events_is_one_rebuild(dev: DevServer, fake: FakeBuilder) -> None:
    notes = dev.notes_dir.resolve()
    dev.debouncer.start()
    try:
        for i in range(10):  # an editor's atomic save, vim's dance and a git checkout
            dev.watcher.handler.dispatch(FileCreatedEvent(str(notes / f"n{i}.md.tmp")))
            dev.watcher.handler.dispatch(
                FileMovedEvent(str(notes / f"n{i}.md.tmp"), str(notes / f"n{i}.md"))
            )
            dev.watcher.handler.dispatch(FileCreatedEvent(str(notes / "4913")))
            dev.watcher.handler.dispatch(FileModifiedEvent(str(notes / f"n{i}.md")))
            dev.watcher.handler.dispatch(DirModifiedEvent(str(notes)))
        wait_until(lambda: fake.builds == 2)
        time.sleep(0.2)  # several quiet periods: nothing else comes
        assert fake.builds == 2  # the first build, then exactly one
    finally:
        dev.stop()


def test_temporary_and_ignored_files_never_trigger_a_rebuild(
    dev: DevServer, fake: FakeBuilder
) -> None:
    notes = dev.notes_dir.resolve()
    handler = dev.watcher.handler
    dev.debouncer.start()
    try:
        for event in [
            FileModifiedEvent(str(notes / ".obsidian" / "workspace.json")),
            FileCreatedEvent(str(notes / ".a.md.swp")),
            FileDeletedEvent(str(notes / "a.md~")),
            FileCreatedEvent(str(notes / ".git" / "index.lock")),
            FileModifiedEvent(str(dev.out_dir.resolve() / "a.html")),
            FileOpenedEvent(str(notes / "a.md")),  # reading a note changes nothing
            FileClosedNoWriteEvent(str(notes / "a.md")),
        ]:
            handler.dispatch(event)
        time.sleep(0.2)
        assert fake.builds == 1
    finally:
        dev.stop()


def test_events_during_a_rebuild_schedule_exactly_one_more(
    dev: DevServer, fake: FakeBuilder
) -> None:
    note = str(dev.notes_dir.resolve() / "a.md")
    fake.gate, fake.started = threading.Event(), threading.Event()
    dev.debouncer.start()
    try:
        dev.watcher.handler.dispatch(FileModifiedEvent(note))
        assert fake.started.wait(2)
        for _ in range(20):
            dev.watcher.handler.dispatch(FileModifiedEvent(note))
        fake.gate.set()
        wait_until(lambda: fake.builds == 3)
        time.sleep(0.2)
        assert fake.builds == 3
    finally:
        dev.stop()


def test_debouncer_runs_a_steady_stream_after_at_most_longest() -> None:
    runs: list[float] = []
    debouncer = Debouncer(lambda: runs.append(time.monotonic()), quiet=0.1, longest=0.2)
    debouncer.start()
    start = time.monotonic()
    while time.monotonic() - start < 0.35:
        debouncer.poke()
        time.sleep(0.01)
    assert debouncer.stop()
    assert runs and runs[0] - start < 0.4  # `longest` (0.2 s), not the end of the stream


def test_a_settings_change_makes_a_new_builder(project: Path, fake: FakeBuilder) -> None:
    configs = []

    def make(_notes: Path, _out: Path, config: object) -> FakeBuilder:
        configs.append(config)
        return fake

    dev = DevServer(
        project / "notes",
        project / "site",
        project / "mindmap.yml",
        make_builder=make,
        log=lambda _line: None,
    )
    dev.rebuild()
    (project / "mindmap.yml").write_text("title: [broken\n")
    dev.changed({"config"})
    dev.rebuild()
    assert "cannot read" in dev.status()["error"]
    assert dev.respond("/a.html").status == 200  # still the last good site
    dev.changed({"notes"})
    dev.rebuild()  # still broken: tried again, still shown
    assert dev.status()["error"] is not None
    (project / "mindmap.yml").write_text("title: Fixed\n")
    dev.rebuild()
    assert dev.status()["error"] is None
    assert [c.title for c in configs] == ["Test", "Fixed"]  # type: ignore[attr-defined]
    assert dev.config.title == "Fixed"


# -- starting and stopping -------------------------------------------------------------------


def test_over_a_socket(project: Path, fake: FakeBuilder) -> None:
    dev = DevServer(
        project / "notes",
        project / "site",
        project / "mindmap.yml",
        make_builder=lambda _n, _o, _c: fake,
        log=lambda _line: None,
    )
    dev.start("127.0.0.1", 0)
    try:
        port = dev.httpd.server_address[1]  # type: ignore[union-attr]
        assert dev.url == f"http://127.0.0.1:{port}/"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/img/pic.png")
        response = conn.getresponse()
        assert (response.status, response.read()) == (200, b"\x89PNG-bytes")
        assert response.getheader("Cache-Control") == "no-store"
        assert response.getheader("Content-Length") == "10"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("HEAD", "/")
        response = conn.getresponse()
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert response.read() == b""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/_mindmap/events")
        response = conn.getresponse()
        assert response.getheader("Content-Type") == "text/event-stream"
        assert response.fp.readline() == b"retry: 1000\n"
        assert response.fp.readline() == b"\n"
        assert response.fp.readline() == b"data: 1\n"
    finally:
        dev.stop()
    assert fake.saved == 1


@contextlib.contextmanager
def started(project: Path, fake: FakeBuilder) -> Iterator[tuple[DevServer, list[str]]]:
    """A server over `fake`, started (first build, watching, listening): it and its log."""
    lines: list[str] = []
    dev = DevServer(
        project / "notes", project / "site", project / "mindmap.yml",
        make_builder=lambda _n, _o, _c: fake, log=lines.append,
    )  # fmt: skip
    dev.start("127.0.0.1", 0)
    try:
        yield dev, lines
    finally:
        dev.stop()


class SavedDuringBuild(FakeBuilder):
    """A note is saved while the first build runs (before the watcher is started)."""

    def build(self) -> FakeResult:
        result = super().build()
        if self.builds == 1:
            self.site = {**self.site, "a.html": PAGE + b"<!-- saved meanwhile -->"}
        return result


def test_a_save_during_the_first_build_is_built_before_serving(project: Path) -> None:
    """The first build runs before any thread (so that it can fork its workers), the
    watcher after it: what changed meanwhile is built at once, and served."""
    fake = SavedDuringBuild({"index.html": PAGE, "a.html": PAGE})
    with started(project, fake) as (dev, lines):
        assert fake.builds == 2
        files, epoch = dev.site
        assert files["a.html"] == PAGE + b"<!-- saved meanwhile -->"
        assert epoch == 2
        assert lines[-1] == "rebuilt in 0.01s: 1 page written, 0 warnings"


def test_nothing_saved_during_the_first_build_publishes_nothing_more(
    project: Path, fake: FakeBuilder
) -> None:
    with started(project, fake) as (dev, lines):
        assert fake.builds == 2  # it looked
        assert dev.site[1] == 1  # no reload
        assert len(lines) == 1 and lines[0].startswith("built 1 notes into 2 pages")


class FixedDuringBuild(FakeBuilder):
    """The first build fails, and the fix is saved while it runs."""

    def build(self) -> FakeResult:
        try:
            return super().build()
        finally:
            if self.builds == 1:
                self.fail = None


def test_a_fix_saved_during_a_failed_first_build_is_served(project: Path) -> None:
    fake = FixedDuringBuild({"index.html": PAGE})
    fake.fail = RuntimeError("a broken template")
    with started(project, fake) as (dev, lines):
        assert fake.builds == 2
        assert dev.error is None and dev.site[0] == {"index.html": PAGE}
        assert sum("rebuild failed" in line for line in lines) == 1


def test_a_first_build_that_fails_again_is_shown_once(project: Path, fake: FakeBuilder) -> None:
    fake.fail = RuntimeError("a broken template")
    with started(project, fake) as (dev, lines):
        assert fake.builds == 2  # it tried again
        assert sum("rebuild failed" in line for line in lines) == 1
        assert dev.error is not None and "a broken template" in dev.error


class SettingsSavedDuringBuild(FakeBuilder):
    """mindmap.yml is saved while the first build runs."""

    def __init__(self, site: dict[str, bytes | Path], config: Path) -> None:
        super().__init__(site)
        self.config = config

    def build(self) -> FakeResult:
        if self.builds == 0:
            self.config.write_text("title: New Title\n")
        return super().build()


def test_settings_saved_during_the_first_build_are_taken_up(project: Path) -> None:
    fake = SettingsSavedDuringBuild({"index.html": PAGE}, project / "mindmap.yml")
    with started(project, fake) as (dev, lines):
        assert dev.config.title == "New Title"
        assert "settings changed: rebuilding everything" in lines
        assert fake.builds == 2


def test_a_busy_port_is_a_usage_error(project: Path, fake: FakeBuilder) -> None:
    first = DevServer(
        project / "notes", project / "site", project / "mindmap.yml",
        make_builder=lambda _n, _o, _c: fake, log=lambda _line: None,
    )  # fmt: skip
    first.start("127.0.0.1", 0)
    try:
        second = DevServer(
            project / "notes", project / "site", project / "mindmap.yml",
            make_builder=lambda _n, _o, _c: fake, log=lambda _line: None,
        )  # fmt: skip
        with pytest.raises(ConfigError, match="cannot listen"):
            second.start("127.0.0.1", first.httpd.server_address[1])  # type: ignore[union-attr]
        second.stop()  # as serve() does: nothing to wait for
    finally:
        first.stop()


def test_ctrl_c_stops_cleanly_and_saves_the_cache(
    project: Path, fake: FakeBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines: list[str] = []

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "_make_builder", lambda _n, _o, _c: fake)
    monkeypatch.setattr(watch_module, "_echo", lines.append)
    monkeypatch.setattr(serve_module.time, "sleep", interrupt)
    serve_module.serve(project / "notes", project / "site", project / "mindmap.yml", port=0)
    assert lines[0].startswith("built 1 notes into 2 pages (4 files) in ")
    assert lines[1].startswith("Serving http://127.0.0.1:")
    assert lines[1].endswith("/ (Ctrl-C to stop)")
    assert fake.saved == 1


def test_cli_serve_passes_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(serve_module, "serve", lambda *args: calls.append(args))
    args = ["serve", "vault", "-o", "out", "--port", "9000", "--host", "0.0.0.0", "--open"]
    result = CliRunner().invoke(main, [*args, "--poll"])
    assert result.exit_code == 0, result.output
    assert calls == [(Path("vault"), Path("out"), None, "0.0.0.0", 9000, True, True)]
    result = CliRunner().invoke(main, ["serve", "--help"])
    for option in ("--out", "--config", "--port", "--host", "--open", "--poll"):
        assert option in result.output
