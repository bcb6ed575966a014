"""Helpers for the site-level tests: write vaults, read built sites, look inside HTML pages.

Kept out of conftest.py so that test modules can import them by name (`from sitetools import
...`); conftest.py puts this folder on sys.path.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import posixpath
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from mindmap import pipeline
from mindmap.config import Config, load_config

Files = dict[str, str | bytes]
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# Start tags that, in HTML, close an open <p> (so they cannot sit inside one).
CLOSES_P = {
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
}
URL_ATTRS = ("href", "src", "data")


def write_files(root: Path, files: Files) -> Path:
    """Write `{relpath: text or bytes}` under `root` (text as UTF-8, byte for byte)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def config_from(data: dict | None, where: Path) -> Config:
    """A Config read the way the CLI reads `mindmap.yml` (so lists become tuples, etc.)."""
    if data is None:
        return Config(base_dir=where)
    where.mkdir(parents=True, exist_ok=True)
    path = where / "mindmap.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_config(path)


def read_site(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by posix path relative to the site root."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Contents and mtimes of every file and folder under `root` (to prove nothing changed)."""
    out: dict[str, tuple[bytes, int]] = {".": (b"<dir>", root.stat().st_mtime_ns)}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = (p.read_bytes() if p.is_file() else b"<dir>", p.stat().st_mtime_ns)
    return out


def html_pages(files: dict[str, bytes]) -> dict[str, str]:
    return {rel: data.decode("utf-8") for rel, data in files.items() if rel.endswith(".html")}


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Turn a hang into a failure (POSIX: SIGALRM)."""

    def expired(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"took longer than {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- a small DOM -------------------------------------------------------------------------


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self) -> Iterator[Element]:
        """Descendants in document order (iterative: outlines nest thousands deep)."""
        stack = [c for c in reversed(self.children) if isinstance(c, Element)]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(c for c in reversed(element.children) if isinstance(c, Element))

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes)
            and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}> in <{self.tag}>"
        return found[0]

    def text(self) -> str:
        out: list[str] = []
        stack: list[Element | str] = list(reversed(self.children))
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                out.append(node)
            else:
                stack.extend(reversed(node.children))
        return "".join(out)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]
        self.block_in_p: list[str] = []  # "<div> inside <p> at line N" problems

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CLOSES_P and any(e.tag == "p" for e in self.stack):
            self.block_in_p.append(f"<{tag}> inside <p> at line {self.getpos()[0]}")
        element = Element(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    builder.root.attrs["block_in_p"] = "\n".join(builder.block_in_p)
    return builder.root


def ids_of(doc: Element) -> set[str]:
    return {str(e.attrs["id"]) for e in doc.iter() if e.attrs.get("id")}


@dataclass(frozen=True)
class Ref:
    page: str  # site-relative page that holds the reference
    tag: str
    attr: str
    url: str  # as written in the attribute
    element: Element

    @property
    def external(self) -> bool:
        parts = urlsplit(self.url)
        return bool(parts.scheme or parts.netloc)

    def target(self) -> tuple[str, str]:
        """(site-relative file, decoded fragment) the url points at; file "" = this page."""
        parts = urlsplit(self.url)
        path = unquote(parts.path)
        if not path:
            return self.page, unquote(parts.fragment)
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.page), path))
        return joined, unquote(parts.fragment)


def refs_of(page: str, doc: Element) -> list[Ref]:
    return [
        Ref(page, e.tag, attr, str(e.attrs[attr]), e)
        for e in doc.iter()
        for attr in URL_ATTRS
        if e.attrs.get(attr) is not None
    ]


def png(seed: int = 0) -> bytes:
    """A valid 1×1 PNG; `seed` changes its colour (so two files differ)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, seed % 256, 255, 0]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


_URL_JUNK = str.maketrans("", "", "".join(chr(c) for c in range(0x21)) + "\x7f")
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def script_vectors(doc: Element) -> list[str]:
    """Ways an HTML page could run a test payload: the parsed DOM, entities decoded as a
    browser does. The templates' own scripts are allowed: a <script> counts when it holds
    the payload marker `alert`."""
    found = []
    for e in doc.iter():
        if e.tag == "script" and "alert" in e.text() + str(e.attrs.get("src") or ""):
            found.append("<script> element with the payload")
        if e.tag in ("frame", "embed", "base", "form"):
            found.append(f"<{e.tag}> element")
        # Obsidian allows <iframe> (embedded web pages, ofm-spec E6); srcdoc and script urls
        # on it are caught below.
        if e.tag == "meta" and (e.attrs.get("http-equiv") or "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        for name, value in e.attrs.items():
            if name.startswith("on"):
                found.append(f"<{e.tag} {name}=...>")
            if name in ("srcdoc", "formaction"):
                found.append(f"<{e.tag} {name}=...>")
            url = (value or "").translate(_URL_JUNK).lower()
            if name in ("href", "src", "data", "action", "xlink:href", "poster", "content") and (
                url.startswith(SCRIPT_SCHEMES) or ";url=javascript:" in url
            ):
                found.append(f"<{e.tag} {name}={value!r}>")
    return found


def read_graph(data: bytes | str) -> dict:
    """graph.json as rows, for tests: `nodes` as {id, kind, title, url, path, parent} (path: a
    note's own id; parent: a topic's, from its outline link) and `links` as {source, target,
    kind} with ids, `layout` as it is. The file itself has columns, a link's ends as node
    numbers and kinds as numbers (README: graph.json)."""
    raw = json.loads(data)
    node_kinds, link_kinds = raw["kinds"]["node"], raw["kinds"]["link"]
    nodes, columns = raw["nodes"], raw["links"]
    ids = nodes["id"]
    ends = zip(columns["source"], columns["target"], columns["kind"], strict=True)
    links = [{"source": ids[s], "target": ids[t], "kind": link_kinds[k]} for s, t, k in ends]
    parent = {link["target"]: link["source"] for link in links if link["kind"] == "outline"}
    rows = zip(ids, nodes["kind"], nodes["title"], nodes["url"], strict=True)
    return {
        "nodes": [
            {
                "id": node,
                "kind": node_kinds[kind],
                "title": title,
                "url": url,
                "path": node if node_kinds[kind] == "note" else None,
                "parent": parent.get(node),
            }
            for node, kind, title, url in rows
        ],
        "links": links,
        "layout": raw["layout"],
    }


# -- which processes render (a process running threads does not fork its workers) ---------

# 240 notes linking around: enough for a build to render on worker processes
MANY_NOTES: Files = {
    f"n{i:03}.md": f"# N{i:03}\n\n- about w{i}\n  - see [[n{(i * 7) % 240:03}]]\n"
    for i in range(240)
}


def in_a_new_process(run: Callable[[Path], None], tmp_path: Path) -> None:
    """`run(tmp_path)` in a new interpreter: pytest's own runs a server thread (the browser
    tests'), so a build in it never forks."""
    process = multiprocessing.get_context("spawn").Process(target=run, args=(tmp_path,))
    process.start()
    process.join(120)
    assert process.exitcode == 0, f"{run.__name__} failed in its process (see its output)"


@dataclass
class RenderProcesses:
    parent: str  # the pid of the process that noted them
    pages: set[str]  # the pids that rendered pages
    graph: set[str]  # the pids that made graph.json on its own
    pages_rendered: int


def note_render_processes(tmp_path: Path) -> None:
    """From now on in this process (and the ones it forks), note which process renders
    which pages (`render_processes` reads it)."""
    os.environ["MM_TEST_PIDS"] = str(tmp_path / "pids")
    (tmp_path / "parent").write_text(str(os.getpid()))
    pipeline._render_range = _noting_pid


def stop_noting_render_processes() -> None:
    pipeline._render_range = _RENDER_RANGE


def render_processes(tmp_path: Path) -> RenderProcesses:
    rows = [line.split() for line in (tmp_path / "pids").read_text().splitlines()]
    return RenderProcesses(
        parent=(tmp_path / "parent").read_text(),
        pages={pid for pid, _lo, hi in rows if int(hi) > 0},
        graph={pid for pid, lo, hi in rows if lo == "-1" and hi == "0"},
        pages_rendered=sum(int(hi) - max(int(lo), 0) for _pid, lo, hi in rows),
    )


_RENDER_RANGE = pipeline._render_range


def _noting_pid(bounds: tuple[int, int]) -> pipeline.Rendered:
    """`_render_range`, noting which process ran which range."""
    with open(os.environ["MM_TEST_PIDS"], "a") as f:
        f.write(f"{os.getpid()} {bounds[0]} {bounds[1]}\n")
    return _RENDER_RANGE(bounds)
