"""Full-text search: the index of the note pages, in `OUT_DIR/search-index/`.

The index is made from what the parser counted of each note (`Note.postings`, words.py),
not from the pages: no page is read again, and making it costs about a tenth of a second at
1,000 notes. A browser fetches only what a query needs (`templates/static/search.js`):

- `index.json`: the number of pages, the first term and the file of each chunk of terms,
  and the files of the page tables; fetched afresh whenever search opens (`no-cache`);
- `t-<hash>.json`: a chunk of terms (in order), each with its postings: for every page that
  holds it, `[page, score, section, weight, section, weight, ...]`. The score is a BM25 term
  weight (`words.score`) of the term's weighted count in the page and the page's length; the
  sections (0: the page's top, then its headings) and weights say where the term is, so that
  a result opens at the section that holds most of the query's words;
- `p<k>-<hash>.json`: pages `k*PAGES_PER_FILE` onwards, each `[url, title, folder, [anchor,
  ...]]` (its sections' anchors: "" for the page's top, then its headings').

A result's excerpt is cut from the note page itself, which the browser fetches when the
result is shown. Every file but `index.json` is named by a hash of its bytes, so a browser
holding files of an older index (GitHub Pages lets it keep them ten minutes) never mixes them
with this one's. Chunks end at terms whose hash says so (content-defined, `_CUT`), or at a
size, so an edited note changes only the chunks of the terms whose counts it changes (page
lengths are banded for BM25: a few words more rarely change the others' scores): the other
files keep their bytes and names, and are not written again. The folder is the index's own
(`urls.RESERVED_FOLDERS`): a file found there that the index does not name is deleted. The
output is byte-identical for the same notes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import mindmap
from mindmap.cache import code_digest
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.graph import Interrupted
from mindmap.model import Note
from mindmap.output import no_links_between, replace_file
from mindmap.words import Postings

SEARCH_DIR = "search-index"
META = f"{SEARCH_DIR}/index.json"
FORMAT = 2  # bump when the files' layout changes (search.js reads `format`)
PAGES_PER_FILE = 64
_CUT = 40  # a chunk of terms ends, on average, every this many terms (content-defined) ...
_CHUNK_BYTES = 24_000  # ... or once it holds this many bytes


@dataclass(frozen=True)
class Entry:
    """One page of the index: its url, what a result shows, and the note's postings."""

    url: str
    title: str
    folder: str
    postings: Postings  # its sections' anchors and its terms' postings (words.py)
    key: str  # changes when anything above does


def entry(note: Note, url: str) -> Entry:
    """The index's entry for a note's page: what the parser counted (`Note.postings`)."""
    folder = posixpath.dirname(note.path)
    key = "\0".join((url, note.digest, note.title, folder))  # the note's digest: its postings
    return Entry(url, note.title, folder, note.postings, key)


def index_key(entries: Iterable[Entry]) -> str:
    """A key of the index these pages make: of the pages, and of mindmap's code (which cuts
    the words)."""
    h = hashlib.sha1(f"{mindmap.__version__}\0{code_digest()}\0{FORMAT}".encode())
    for e in sorted(entries, key=lambda e: e.url):
        h.update(f"\0{e.url}\0{e.key}".encode())
    return h.hexdigest()


def _sort_key(term: str) -> bytes:
    """Terms in the order JavaScript compares strings (UTF-16 code units)."""
    return term.encode("utf-16-be", "surrogatepass")


def _dump(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def index_files(
    entries: Iterable[Entry], stop: Callable[[], bool] | None = None
) -> dict[str, bytes]:
    """The index's files (by name in its folder) for these pages. `stop`, asked every few
    hundred pages, gives up (`Interrupted`)."""
    pages = sorted(entries, key=lambda e: e.url)
    postings: dict[str, list[str]] = {}  # term → its rows, as JSON
    for number, page in enumerate(pages):
        if stop is not None and number % 256 == 255 and stop():
            raise Interrupted
        for t, rest in page.postings.items():
            row = f"[{number},{rest}]"
            found = postings.get(t)
            if found is None:
                postings[t] = [row]
            else:
                found.append(row)
    files: dict[str, bytes] = {}
    chunks = [[first, _named(files, "t", data)] for first, data in _chunks(postings, stop).items()]
    tables = []
    for start in range(0, len(pages), PAGES_PER_FILE):
        table = pages[start : start + PAGES_PER_FILE]
        rows = [[p.url, p.title, p.folder, p.postings.anchors] for p in table]
        tables.append(_named(files, f"p{start // PAGES_PER_FILE}", _dump(rows)))
    meta = {
        "format": FORMAT,
        "pages": len(pages),
        "perFile": PAGES_PER_FILE,
        "chunks": chunks,
        "tables": tables,
    }
    files["index.json"] = _dump(meta)
    return files


def _named(files: dict[str, bytes], prefix: str, data: bytes) -> str:
    """Add a file to `files` under a name made of a hash of its bytes, which it returns: a
    browser that cached a file of an older index never takes it for this one's."""
    name = f"{prefix}-{hashlib.sha1(data).hexdigest()[:12]}.json"
    files[name] = data
    return name


def _chunks(
    postings: Mapping[str, list[str]], stop: Callable[[], bool] | None = None
) -> dict[str, bytes]:
    """The chunks of terms, in order, keyed by their first term (renamed by the caller):
    a chunk ends before a term whose hash says so (`_CUT`), or once it holds `_CHUNK_BYTES`."""
    out: dict[str, bytes] = {}
    first, parts, size = "", [], 0
    for n, t in enumerate(sorted(postings, key=_sort_key)):
        if stop is not None and n % 4096 == 4095 and stop():
            raise Interrupted
        part = f"{json.dumps(t, ensure_ascii=False)}:[{','.join(postings[t])}]"
        if parts and (size >= _CHUNK_BYTES or zlib.crc32(t.encode()) % _CUT == 0):
            out[first] = ("{" + ",".join(parts) + "}\n").encode()
            parts, size = [], 0
        if not parts:
            first = t
        parts.append(part)
        size += len(part)
    if parts:
        out[first] = ("{" + ",".join(parts) + "}\n").encode()
    return out


def _files(folder: Path) -> dict[str, Path]:
    """The files in the index's folder, by name: the index's own (no vault file lands in it,
    `urls.RESERVED_FOLDERS`), or left there by hand. Links are listed too, to be deleted
    (the link alone), never read or written through; folders are left alone."""
    found: dict[str, Path] = {}
    if folder.is_symlink():
        return found
    try:
        with os.scandir(folder) as entries:
            for e in entries:
                if e.is_symlink() or e.is_file(follow_symlinks=False):
                    found[e.name] = folder / e.name
    except (FileNotFoundError, NotADirectoryError):
        pass
    return dict(sorted(found.items()))


def write_index(out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """Make the index's folder hold exactly `files`: new and changed ones written (each
    atomically; `index.json`, which names the chunks, last), older ones deleted. Returns
    the urls written."""
    root = out_dir / SEARCH_DIR
    no_links_between(out_dir, root)  # never written through a link, outside the site
    old = _files(root)
    written = []
    for name in sorted(files, key=lambda n: n == "index.json"):
        target = root / name
        same = name in old and not target.is_symlink() and target.read_bytes() == files[name]
        if same:
            continue
        replace_file(target, files[name])
        written.append(f"{SEARCH_DIR}/{name}")
    remove_index(out_dir, keep=files, found=old)
    return written


def remove_index(
    out_dir: Path, keep: Iterable[str] = (), found: Mapping[str, Path] | None = None
) -> None:
    """Delete the index's files (those `found`, when known) but those in `keep`, and its
    folder when left empty."""
    root = out_dir / SEARCH_DIR
    no_links_between(out_dir, root)
    kept = set(keep)
    for name, path in (_files(root) if found is None else found).items():
        if name not in kept:
            path.unlink(missing_ok=True)
    if root.is_dir() and not root.is_symlink() and not any(root.iterdir()):
        root.rmdir()


def listing(out_dir: Path) -> dict[str, Path]:
    """The index on disk: url → file."""
    return {f"{SEARCH_DIR}/{n}": p for n, p in _files(out_dir / SEARCH_DIR).items()}


def problem(err: Exception) -> Diagnostic:
    return Diagnostic(
        "",
        0,
        0,
        Severity.WARNING,
        "search-index",
        f"the search index was not written: {err}",
        "the rest of the site is built; search shows no (or older) results",
    )


class SearchIndex:
    """The site's search index: the key of the index on disk (in `.mindmap-cache/`, forgotten
    before its files change and written after, so the two never disagree) and, for `serve`,
    the files to serve (every snapshot of the site shares this object)."""

    def __init__(self, out_dir: Path, key_file: Path | None) -> None:
        self.out_dir, self.key_file = out_dir, key_file
        self.files: dict[str, Path] = {}
        self.due: tuple[str, list[Entry]] | None = None  # wanted by the last build, not made
        self.problem: Diagnostic | None = None  # why the last writing failed
        self._key: str | None = None  # of the index on disk ("" when none is known)
        self._ready: tuple[str, dict[str, bytes]] | None = None  # made ahead (`prepare`)

    def made(self) -> str | None:
        """The key of the index on disk (None: not known to be whole: no key, or a file that
        `index.json` names is missing)."""
        key = self._recorded()
        if not key:
            return None
        try:
            meta = json.loads((self.out_dir / META).read_bytes())
            names = {"index.json", *(n for _t, n in meta["chunks"]), *meta["tables"]}
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if names != set(_files(self.out_dir / SEARCH_DIR)):
            return None  # a file deleted, or put there, by hand
        return key

    def want(self, entries: Iterable[Entry], now: bool) -> list[Diagnostic]:
        """The index of these pages: made now, or (`now` false, under serve) when `settle` is
        called. Returns the problem, if any."""
        pages = list(entries)
        key = index_key(pages)
        if self.made() == key:
            self.due = None
            self.problem = None
            if not self.files:
                self.files = listing(self.out_dir)
            return []
        self.due = (key, pages)
        if now:
            self.settle()
        return [self.problem] if self.problem else []

    def prepare(self, entries: Iterable[Entry]) -> None:
        """Make the files of the index of these pages now, for `want` to write: a cold
        build makes them while its workers render (the build's own process waits
        meanwhile), instead of after."""
        pages = list(entries)
        self._ready = (index_key(pages), index_files(pages))

    def settle(self, stop: Callable[[], bool] | None = None) -> Diagnostic | None:
        """Write the index that is due; a new problem is returned (and kept in `problem`).
        `stop` (a save came in) gives up the making: the index stays due."""
        if self.due is None:
            return None
        key, pages = self.due
        ready, self._ready = self._ready, None
        try:
            files = ready[1] if ready and ready[0] == key else index_files(pages, stop)
        except Interrupted:
            return None  # a save came in: made when idle again
        if stop is not None and stop():
            return None
        fresh = None
        try:
            self._save("")  # forgotten first: the files and the key never disagree
            write_index(self.out_dir, files)
            self._save(key)
            self.due = None
        except OSError as err:
            fresh = None if self.problem else problem(err)
            self.problem = problem(err)
        else:
            self.problem = None
        self.files = listing(self.out_dir)
        return fresh

    def remove(self) -> None:
        """No index (search is off): its files deleted, and the key forgotten."""
        self.due = None
        self.problem = None
        if self._recorded() is not None or listing(self.out_dir):
            self._save("")
            remove_index(self.out_dir)
        self.files = {}

    def _recorded(self) -> str | None:
        if self._key is None and self.key_file is not None and self.key_file.is_file():
            with contextlib.suppress(ValueError, TypeError, KeyError, OSError):
                self._key = str(json.loads(self.key_file.read_text(encoding="utf-8"))["index"])
        return self._key

    def _save(self, key: str) -> None:
        """Record the key of the index on disk ("": none known) in the key file. A key that
        cannot be recorded (the cache's folder not writable) is no key: the next build makes
        the index again. Only a key that can be neither forgotten nor deleted stops the
        index being written (it would name files it no longer describes)."""
        self._key = key
        if self.key_file is None:
            return
        try:
            self.key_file.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.key_file, json.dumps({"index": key}).encode())
        except OSError:
            with contextlib.suppress(NotADirectoryError):  # (its folder is a file: none there)
                self.key_file.unlink(missing_ok=True)
            self._key = key if key == "" else None
