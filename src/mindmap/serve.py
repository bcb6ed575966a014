"""`mindmap serve`: build, serve the site from memory, rebuild on every change, reload the page.

Requests read one complete snapshot of the site (`Builder.files`), so a rebuild in progress is
never seen half done. HTML gets the reload script at serve time only: the built files stay clean.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
import shutil
import signal
import socket
import socketserver
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, unquote

import click

from mindmap.config import Config, ConfigError, load_config
from mindmap.diagnostics import Diagnostic, Severity, count, summarise
from mindmap.watch import Debouncer, Watched, Watcher

Site = Mapping[str, bytes | Path]
Log = Callable[[str], None]
DEV = "_mindmap/"  # the server's own urls; a vault cannot make one (hidden names are skipped)
EVENTS = DEV + "events"
RELOAD_JS = Path(__file__).with_name("reload.js")
_MIME = mimetypes.MimeTypes()  # Python's own table, not the system's: the same answer everywhere
_MORE_TYPES = {
    ".js": "text/javascript",
    ".md": "text/markdown",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".m4a": "audio/mp4",
    ".flac": "audio/flac",
    ".webm": "video/webm",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff2": "font/woff2",
}
_TEXT_TYPES = ("application/json", "image/svg+xml", "application/xml")
_NOT_FOUND = b"<!DOCTYPE html><meta charset=utf-8><title>Not found</title><h1>Not found</h1>\n"


class SiteBuilder(Protocol):
    """What `serve` needs of `mindmap.build.Builder` (tests inject a fake)."""

    @property
    def files(self) -> Site: ...
    def build(self) -> Any: ...
    def save_cache(self) -> None: ...


MakeBuilder = Callable[[Path, Path, Config], SiteBuilder]


@dataclass
class Response:
    status: int
    type: str
    body: bytes | Path  # a Path is streamed from disk (attachments, static files)
    headers: dict[str, str] = field(default_factory=dict)


def request_url(target: str) -> str | None:
    """The site url a request asks for (`/` → index.html, `/x/` → x/index.html); None when the
    path is malformed or tries to leave the site (`..`, backslashes, NUL, `//absolute`)."""
    try:
        path = unquote(target.split("?", 1)[0].split("#", 1)[0], errors="strict")
    except UnicodeDecodeError:
        return None
    if not path.startswith("/") or path.startswith("//") or "\\" in path or "\x00" in path:
        return None
    url = path[1:]
    parts = url.split("/")
    if any(part in (".", "..") for part in parts) or "" in parts[:-1]:
        return None
    return url + "index.html" if url == "" or url.endswith("/") else url


def content_type(url: str) -> str:
    ext = posixpath.splitext(url)[1].lower()
    kind = _MORE_TYPES.get(ext) or _MIME.guess_type("x" + ext)[0] or "application/octet-stream"
    return kind + "; charset=utf-8" if kind.startswith("text/") or kind in _TEXT_TYPES else kind


def inject(html: bytes, epoch: int) -> bytes:
    """Add the reload script before `</body>` (or at the end) of a page being served."""
    tag = f'<script src="/{DEV}reload.js" data-epoch="{epoch}"></script>\n'.encode()
    at = html.rfind(b"</body>")
    at = at if at >= 0 else html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


class DevServer:
    """The builder, the watcher, the HTTP server and the state the browser sees."""

    keepalive = 15.0  # seconds between SSE comments that keep a connection open

    def __init__(
        self,
        notes_dir: Path,
        out_dir: Path,
        config_path: Path | None = None,
        *,
        make_builder: MakeBuilder | None = None,
        poll: bool = False,
        quiet: float = 0.1,
        log: Log | None = None,
    ) -> None:
        self.notes_dir, self.out_dir, self.config_path = Path(notes_dir), Path(out_dir), config_path
        self.config = load_config(config_path)
        self._make = make_builder or _make_builder
        self.builder = self._make(self.notes_dir, self.out_dir, self.config)
        self.log = log or _echo
        self.site: tuple[Site, int] = ({}, 0)  # the snapshot served, and its epoch (read as one)
        self.diagnostics: list[Diagnostic] = []
        self.error: str | None = None  # why the last rebuild failed
        self.built = False  # a build succeeded: there is a cache worth saving
        self._config_changed = False
        self._cond = threading.Condition()
        self._closing = False
        self.debouncer = Debouncer(self.rebuild, quiet)
        self.watcher = Watcher(self._watched(), self.changed, poll)
        self.httpd: ThreadingHTTPServer | None = None
        self._http: threading.Thread | None = None

    @property
    def epoch(self) -> int:
        return self.site[1]

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2] if self.httpd else ("127.0.0.1", 0)
        return f"http://{f'[{host}]' if ':' in str(host) else host}:{port}/"

    def start(self, host: str = "127.0.0.1", port: int = 8000) -> None:
        """Listen, build, watch, then answer requests in a background thread."""
        self.httpd = _bind(host, port, self)
        self.watcher.start()  # changes made during the first build are not lost
        try:
            self._build()
        except click.ClickException:
            self.stop()
            raise
        except Exception as err:
            self._failed(err)
        self.debouncer.start()
        self._http = threading.Thread(
            target=self.httpd.serve_forever, args=(0.1,), name="mindmap-http"
        )
        self._http.daemon = True
        self._http.start()

    def stop(self) -> None:
        """Stop watching and serving; save the cache once the rebuild in progress has ended."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self.watcher.stop()
        finished = self.debouncer.stop()
        if self.httpd is not None:
            if self._http is not None:
                self.httpd.shutdown()
            self.httpd.server_close()
        if finished and self.built:
            try:
                self.builder.save_cache()
            except Exception as err:
                self.log(f"could not save the cache: {err}")

    def changed(self, kinds: set[str]) -> None:
        """A file that matters changed (called from the watcher's thread)."""
        if "config" in kinds:
            self._config_changed = True
        self.debouncer.poke()

    def rebuild(self) -> None:
        """Bring the site up to date; a failure keeps the last good site and is shown instead."""
        try:
            self._build()
        except Exception as err:
            self._failed(err)

    def _build(self) -> None:
        if self._config_changed:
            self._config_changed = False
            try:
                config = load_config(self.config_path)
            except BaseException:
                self._config_changed = True  # retried (and shown) until mindmap.yml is fixed
                raise
            self.log("settings changed: rebuilding everything")
            self.config, self.builder = config, self._make(self.notes_dir, self.out_dir, config)
            self.watcher.update(self._watched())
        result = self.builder.build()
        self._publish(result)

    def _publish(self, result: Any) -> None:
        old, first = set(self.diagnostics), not self.built
        with self._cond:
            self.diagnostics, self.error = list(result.diagnostics), None
            self.site = (self.builder.files, self.epoch + 1)
            self.built = True
            self._cond.notify_all()
        for line in summarise([d for d in self.diagnostics if d not in old], str(self.notes_dir)):
            self.log(line)
        self.log(_summary(result, self.out_dir if first else None))

    def _failed(self, err: Exception) -> None:
        if isinstance(err, click.ClickException):
            message = err.format_message()
        else:
            message = "".join(traceback.format_exception(err)).rstrip()
        self.log(f"rebuild failed, still serving the last good site:\n{message}")
        with self._cond:
            self.error = message
            self.site = (self.site[0], self.epoch + 1)  # browsers reload and show the overlay
            self._cond.notify_all()

    def _watched(self) -> Watched:
        templates = self.config.templates_dir
        return Watched(
            self.notes_dir.resolve(),
            self.out_dir.resolve(),
            (self.config_path or Path("mindmap.yml")).resolve(),
            templates if templates.is_dir() else None,
            self.config.ignore,
        )

    def respond(self, target: str) -> Response:
        """The answer to `GET target`, from one snapshot of the site (the SSE stream aside)."""
        url = request_url(target)
        if url is None:
            return Response(400, "text/plain; charset=utf-8", b"bad request path\n")
        if url.startswith(DEV):
            return self._dev_file(url, target)
        files, epoch = self.site
        body = files.get(url)
        if body is None and url + "/index.html" in files:
            location = "/" + quote(url, safe="/") + "/"
            return Response(301, "text/plain; charset=utf-8", b"", {"Location": location})
        if body is None or (isinstance(body, Path) and not body.is_file()):
            page = files.get("404.html", _NOT_FOUND)
            html = page.read_bytes() if isinstance(page, Path) else page
            return Response(404, content_type("404.html"), inject(html, epoch))
        kind = content_type(url)
        if kind.startswith("text/html"):
            body = inject(body.read_bytes() if isinstance(body, Path) else body, epoch)
        return Response(200, kind, body)

    def _dev_file(self, url: str, target: str) -> Response:
        if url == DEV + "reload.js":
            return Response(200, content_type("reload.js"), RELOAD_JS.read_bytes())
        if url == DEV + "status":
            query = parse_qs(target.partition("?")[2], keep_blank_values=True)
            status = self.status(query["path"][0] if "path" in query else None)
            return Response(200, content_type("status.json"), _json(status))
        return Response(404, "text/plain; charset=utf-8", b"not found\n")

    def status(self, path: str | None = None) -> dict[str, Any]:
        """The last build's diagnostics and failure; with `path`, only errors and that note's."""
        with self._cond:
            diags, error, epoch = self.diagnostics, self.error, self.epoch
        if path is not None:
            diags = [d for d in diags if d.severity is Severity.ERROR or d.path == path]
        rows = [
            {"path": d.path, "line": d.line, "col": d.col, "severity": d.severity.value}
            | {"code": d.code, "message": d.message, "hint": d.hint, "text": d.format()}
            for d in diags
        ]
        return {"epoch": epoch, "error": error, "diagnostics": rows}

    def stream_events(self, write: Callable[[bytes], None]) -> None:
        """Server-Sent Events: the epoch now and after every rebuild, comments in between.
        Returns when the server stops or `write` fails (the browser went away)."""
        sent = -1
        write(b"retry: 1000\n\n")
        while True:
            with self._cond:
                if self.epoch == sent and not self._closing:
                    self._cond.wait(self.keepalive)
                if self._closing:
                    return
                epoch = self.epoch
            write(f"data: {epoch}\n\n".encode() if epoch != sent else b": keep-alive\n\n")
            sent = epoch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    dev: DevServer

    def server_bind(self) -> None:  # HTTPServer's would look the host name up in DNS
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser that went away
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "mindmap"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown the rebuild lines

    def _answer(self, send_body: bool) -> None:
        try:
            if send_body and request_url(self.path) == EVENTS:
                self._events()
                return
            r = self.server.dev.respond(self.path)
            size = r.body.stat().st_size if isinstance(r.body, Path) else len(r.body)
            self._head(r.status, r.type, {"Content-Length": str(size)} | r.headers)
            if send_body and isinstance(r.body, Path):
                with r.body.open("rb") as source:
                    shutil.copyfileobj(source, self.wfile)
            elif send_body:
                self.wfile.write(r.body)
        except (ConnectionError, FileNotFoundError):
            self.close_connection = True

    def _head(self, status: int, kind: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        headers = {"Content-Type": kind, "Cache-Control": "no-store"} | headers
        for name, value in (headers | {"X-Content-Type-Options": "nosniff"}).items():
            self.send_header(name, value)
        self.end_headers()

    def _events(self) -> None:
        self.close_connection = True
        self._head(200, "text/event-stream", {"X-Accel-Buffering": "no"})

        def write(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        self.server.dev.stream_events(write)


def _bind(host: str, port: int, dev: DevServer) -> _Server:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_class = type("DevHTTPServer", (_Server,), {"address_family": family})
    try:
        server: _Server = server_class((host, port), _Handler)
    except OSError as err:
        hint = f"; is another server running? try --port {port + 1}" if port else ""
        raise ConfigError(f"cannot listen on {host}:{port}: {err.strerror}{hint}") from err
    server.dev = dev
    return server


def serve(
    notes_dir: Path,
    out_dir: Path,
    config_path: Path | None,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    poll: bool = False,
) -> None:
    """Build, serve and rebuild until Ctrl-C (or SIGTERM); then save the cache and return."""
    dev = DevServer(notes_dir, out_dir, config_path, poll=poll)
    previous = _stop_on_sigterm()
    try:
        dev.start(host, port)
        dev.log(f"Serving {dev.url} (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(dev.url.replace("//0.0.0.0:", "//127.0.0.1:"))
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        dev.log("stopping")
    finally:
        dev.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stop_on_sigterm() -> Any:
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _make_builder(notes_dir: Path, out_dir: Path, config: Config) -> SiteBuilder:
    from mindmap.build import Builder

    return Builder(notes_dir, out_dir, config, keep=True)  # keep: hold `files` in memory


def _summary(result: Any, first_into: Path | None) -> str:
    diags = result.diagnostics
    errors, warnings = count(diags, Severity.ERROR), count(diags, Severity.WARNING)
    if first_into is not None:
        return (
            f"built {result.notes} notes into {result.pages} pages ({result.files} files) in "
            f"{first_into}/ in {result.seconds:.2f}s: {errors} errors, {warnings} warnings"
        )
    written = list(getattr(result, "written", None) or [])
    pages = sum(1 for url in written if url.endswith(".html"))
    parts = [f"{pages} {'page' if pages == 1 else 'pages'} written"]
    if len(written) > pages:
        parts.append(f"{len(written) - pages} other files")
    if removed := len(getattr(result, "removed", None) or []):
        parts.append(f"{removed} removed")
    parts += [f"{errors} errors"] if errors else []
    parts.append(f"{warnings} {'warning' if warnings == 1 else 'warnings'}")
    return f"rebuilt in {result.seconds:.2f}s: " + ", ".join(parts)


def _echo(line: str) -> None:
    click.echo(line, err=True)


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()
