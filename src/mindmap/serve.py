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
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote

from mindmap.config import ConfigError
from mindmap.diagnostics import Severity
from mindmap.watch import LiveSite

DEV = "_mindmap/"  # the server's own urls (they hide a vault folder of that name)
EVENTS = DEV + "events"
RELOAD_JS = Path(__file__).with_name("reload.js")
_MIME = mimetypes.MimeTypes()  # Python's own table, not the system's: the same answer everywhere
_MORE_TYPES = {".js": "text/javascript", ".md": "text/markdown", ".wav": "audio/wav",
               ".ogg": "audio/ogg", ".m4a": "audio/mp4", ".flac": "audio/flac",
               ".webp": "image/webp", ".mkv": "video/x-matroska",
               ".woff2": "font/woff2", ".wasm": "application/wasm"}  # fmt: skip
_TEXT_TYPES = ("application/json", "image/svg+xml", "application/xml")
_NOT_FOUND = b"<!DOCTYPE html><meta charset=utf-8><title>Not found</title><h1>Not found</h1>\n"


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


class DevServer(LiveSite):
    """A live site answering HTTP: pages from the current snapshot, the reload events, the
    overlay's status and script. `respond` is the whole request logic, testable without sockets."""

    keepalive = 15.0  # seconds between SSE comments that keep a connection open
    httpd: _Server | None = None
    _serving: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2] if self.httpd else ("127.0.0.1", 0)
        return f"http://{f'[{host}]' if ':' in str(host) else host}:{port}/"

    def start(self, host: str = "127.0.0.1", port: int = 8000) -> None:
        """Listen (a busy port raises), build, watch, then answer in a background thread."""
        self.httpd = _bind(host, port, self)
        try:
            self.watch()
        except BaseException:
            self.httpd.server_close()
            raise
        self._serving = threading.Thread(target=self.httpd.serve_forever, args=(0.1,))
        self._serving.daemon = True
        self._serving.start()

    def stop(self) -> None:
        self.close()
        if self._serving is not None:
            self.httpd.shutdown()  # type: ignore[union-attr]
            self._serving = None
        if self.httpd is not None:
            self.httpd.server_close()

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
            return Response(200, content_type("status.json"), json.dumps(status).encode())
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
        write(b"retry: 1000\n\n")
        sent, epoch = -1, self.epoch
        while epoch is not None:
            write(f"data: {epoch}\n\n".encode() if epoch != sent else b": keep-alive\n\n")
            sent, epoch = epoch, self.wait(epoch, self.keepalive)


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
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
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


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
