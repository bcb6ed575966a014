"""Full-text search: the Pagefind index of the note pages, in `OUT_DIR/pagefind/`.

Pagefind splits an index into chunks that a browser fetches as a query needs them, so a
search loads a few dozen kilobytes whatever the size of the vault. Only note pages are
indexed (their `<article data-pagefind-body>`: title, aliases, lede and body); listing pages
carry no such element, so Pagefind leaves them out.

Pagefind cannot update an index, and indexing takes time superlinear in the pages (1,000
pages: 3 s; 250: 0.4 s), so the note pages are split into shards by a stable hash of their
url, one index each: `pagefind/` itself when there is one shard (up to `SHARD_PAGES` pages),
else `pagefind/s<k>/` (shard k of a power of two, so the split changes rarely; at most
`MAX_SHARDS`). Each shard is keyed by its own pages' digests; a build re-indexes only the
shards whose pages changed, and the others' files are not touched. `pagefind/shards.json`
lists the shards' folders (the page's search.js loads the first and merges the others with
Pagefind's `mergeIndex`).

A shard is made by Pagefind's own binary (PyPI `pagefind-bin`) run as a service
(`indexer.py`): it is handed, in memory, only the part of each page that it reads
(`indexed_part`: the index is the same as from the whole pages) with the page's url, and
hands back the index's files, which are then written into place file by file (unchanged
files are not rewritten, files of an older index are deleted). Pagefind's output is
byte-identical for the same pages.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import mindmap
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.graph import Interrupted
from mindmap.indexer import Indexer, IndexerError
from mindmap.output import no_links_between, replace_file

SEARCH_DIR = "pagefind"
ENTRY_NAME = "pagefind-entry.json"
ENTRY = f"{SEARCH_DIR}/{ENTRY_NAME}"  # the first shard's, when there is one shard
SHARDS = f"{SEARCH_DIR}/shards.json"  # the shards' folders, relative to pagefind/
FORMAT = "3"  # bump when what is indexed or kept changes without the pages changing
SHARD_PAGES = 300  # at most this many pages a shard (on average): 1,000 notes make 4 shards
# ... but no more shards than this: a query fetches an index chunk (about 20 KB) from every
# shard, and a bigger vault's build takes longer, so its shards may too
MAX_SHARDS = 8
JOBS = 2  # shards indexed at once (Pagefind itself uses more than one core only a little)
# Pagefind also writes its ready-made UIs (300 KB); the site's own search.js uses the API only.
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
# What Pagefind writes in a shard's folder (a vault folder named pagefind/ may hold note
# pages: never touched)
_FILES = re.compile(
    r"pagefind[\w.-]*\.(js|json|pf_meta)|wasm\.[\w-]+\.pagefind"
    r"|fragment/[\w-]+\.pf_fragment|index/[\w-]+\.pf_index"
)
_SHARD = re.compile(rf"{SEARCH_DIR}(/s\d+)?")
_TIMEOUT = 600.0  # seconds: a vault that takes longer is not one a browser should search
# Pagefind's settings: results keep their url as it is (`.../index.html` too); the mind-map
# view holds the outline again (Pagefind skips its SVG's shapes, not its "Mind map" caption)
_CONFIG = {"keep_index_url": True, "exclude_selectors": [".mm-mindview"]}
_MIND_VIEW = b'<details class="mm-mindview" open><summary>Mind map</summary><svg '


class SearchError(Exception):
    """The indexer could not run or failed: the site is built without (a new) search index."""


@dataclass(frozen=True)
class Shard:
    """Some note pages and the folder of their index; `key` changes with any of them."""

    folder: str  # `pagefind` or `pagefind/s<k>`
    key: str
    urls: tuple[str, ...]


def shard_count(pages: int) -> int:
    """The number of shards for this many pages: the least power of two that leaves at most
    `SHARD_PAGES` pages a shard, up to `MAX_SHARDS`."""
    count = 1
    while pages > count * SHARD_PAGES and count < MAX_SHARDS:
        count *= 2
    return count


def plan_shards(pages: Mapping[str, str]) -> dict[str, Shard]:
    """The shards of these pages (url → digest of the page's bytes), by folder, in order;
    a shard with no page is left out."""
    count = shard_count(len(pages))
    groups: dict[int, list[str]] = {}
    for url in sorted(pages):
        number = int.from_bytes(hashlib.sha1(url.encode()).digest()[:4], "big") % count
        groups.setdefault(number, []).append(url)
    shards = {}
    for number, urls in sorted(groups.items()):
        folder = SEARCH_DIR if count == 1 else f"{SEARCH_DIR}/s{number}"
        h = hashlib.sha1(f"{mindmap.__version__}\0{FORMAT}\0{version()}\0{folder}".encode())
        for url in urls:
            h.update(f"\0{url}\0{pages[url]}".encode())
        shards[folder] = Shard(folder, h.hexdigest(), tuple(urls))
    return shards


def indexed_part(data: bytes) -> bytes | None:
    """What Pagefind reads of a note page: its `<html lang>` tag and everything from the
    `<article data-pagefind-body>` to the end of `<main>` (not the head, header, sidebar,
    backlinks, local graph or footer, which hold no `data-pagefind-*`), but the mind-map
    view (Pagefind leaves it out: `_CONFIG`; its SVG is a third of the bytes); None when the
    page is not laid out as expected."""
    html, body = data.find(b"<html"), data.find(b"data-pagefind-body")
    start, end = data.rfind(b"<article", 0, body), data.rfind(b"</main>")
    if html < 0 or body < 0 or start < 0 or end < body:
        return None
    part = data[html : data.find(b">", html) + 1] + data[start:end]
    view = part.find(_MIND_VIEW)
    close = part.find(b"</details>", view)  # none inside: the SVG's text is escaped
    if view < 0 or close < 0:
        return part
    return part[:view] + part[close + len(b"</details>") :]


def indexed_digest(page: Path) -> str:
    """A digest of what Pagefind reads of a note page (`document`)."""
    return hashlib.sha1(document(page)).hexdigest()


def document(page: Path) -> bytes:
    """What Pagefind is given of a note page: `indexed_part`, or the whole page when it is
    not laid out as expected."""
    data = page.read_bytes()
    part = indexed_part(data)
    return data if part is None else part


def _within(url: str, folder: str) -> bool:
    """Whether `url` is a file of the index in `folder` (not of a shard in a subfolder)."""
    return url.startswith(f"{folder}/") and _FILES.fullmatch(url[len(folder) + 1 :]) is not None


def shards_json(folders: Iterable[str]) -> bytes:
    """`pagefind/shards.json`: the shards' folders relative to pagefind/ ("" or "s<k>/"), in
    the order of their numbers."""
    names = [f[len(SEARCH_DIR) + 1 :] + "/" if f != SEARCH_DIR else "" for f in folders]
    names.sort(key=lambda name: int(name[1:-1] or 0))
    return json.dumps({"shards": names}).encode() + b"\n"


def executable() -> Path | None:
    """Pagefind's binary: $PAGEFIND_BINARY_PATH, the `pagefind-bin` package's, or `pagefind`
    on the PATH."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override is not None:
        return Path(override)
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]

        return Path(get_executable())
    except (ImportError, FileNotFoundError):
        found = shutil.which("pagefind")
        return Path(found) if found else None


def version() -> str:
    try:
        return metadata.version("pagefind-bin")
    except metadata.PackageNotFoundError:
        return "unknown"


def make_index(
    site: Path, urls: Iterable[str], stop: Callable[[], bool] | None = None
) -> dict[str, bytes]:
    """Index the pages `urls` of the site in `site` with Pagefind: path in the index's folder
    (`pagefind-entry.json`, `index/...`) → bytes. Pagefind is given only what it reads of
    each page (`indexed_part`: the same index, from a fifth of the bytes). `stop` may give up
    the indexing (`Interrupted`): the process is ended at once."""
    exe = executable()
    if exe is None or not exe.is_file():
        where = f" at {exe}" if exe else ""
        raise SearchError(f"Pagefind's binary was not found{where}")
    pages = ((f"/{url}", document(site / url)) for url in urls)
    try:
        with Indexer(exe, stop, _TIMEOUT) as indexer:
            files = indexer.index(pages, _CONFIG)
    except IndexerError as err:
        raise SearchError(str(err)) from err
    return {
        name: files[name]
        for name in sorted(files)
        if _FILES.fullmatch(name) and not name.startswith(_UNUSED)
    }


def _files(folder: Path) -> dict[str, Path]:
    """Pagefind's files in an index's folder, by path in it (not those of other shards in
    its subfolders, nor a vault's pages, nor links). Read with `os.scandir`, which knows a
    file from a folder without a `stat` each: a build lists a shard's thousand files a few
    times."""
    found: dict[str, Path] = {}
    if folder.is_symlink():
        return found
    for sub in ("", "fragment/", "index/"):
        if sub and (folder / sub).is_symlink():
            continue  # not the index's: never read, written or deleted through
        try:
            with os.scandir(folder / sub) as entries:
                for entry in entries:
                    name = sub + entry.name
                    if _FILES.fullmatch(name) and entry.is_file(follow_symlinks=False):
                        found[name] = folder / name
        except (FileNotFoundError, NotADirectoryError):
            continue
    return dict(sorted(found.items()))


def write_index(out_dir: Path, folder: str, files: Mapping[str, bytes]) -> list[str]:
    """Make the index's folder `folder` (`pagefind/...`) hold exactly `files` (by path in it):
    new and changed ones written (each atomically), those of an older index deleted. Returns
    the urls written."""
    root = out_dir / folder
    _no_links(out_dir, root)  # never written through a link, outside the site
    old = _files(root)
    written = []
    for name in sorted(files, key=lambda n: n == ENTRY_NAME):  # the entry last: it names the rest
        target = root / name
        if name in old and target.read_bytes() == files[name]:
            continue
        replace_file(target, files[name])
        written.append(f"{folder}/{name}")
    remove_index(out_dir, folder, keep=files, found=old)
    return written


def remove_index(
    out_dir: Path, folder: str, keep: Iterable[str] = (), found: Mapping[str, Path] | None = None
) -> None:
    """Delete the index's files in `folder` (those `found` there, when known) but those in
    `keep`, and folders left empty."""
    root = out_dir / folder
    _no_links(out_dir, root)
    kept = set(keep)
    for name, path in (_files(root) if found is None else found).items():
        if name not in kept:
            path.unlink(missing_ok=True)
    for sub in (root / "fragment", root / "index", root):
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()


def _no_links(out_dir: Path, root: Path) -> None:
    """No symbolic link on the way to an index's folder, nor for its subfolders."""
    no_links_between(out_dir, root / "fragment")
    no_links_between(out_dir, root / "index")


def folders(out_dir: Path) -> list[str]:
    """The folders on disk that hold an index (or part of one)."""
    return [name for name in _candidates(out_dir) if _files(out_dir / name)]


def _candidates(out_dir: Path) -> list[str]:
    root = out_dir / SEARCH_DIR
    found = [root, *(p for p in sorted(root.glob("s*")) if p.is_dir())] if root.is_dir() else []
    names = (p.relative_to(out_dir).as_posix() for p in found)
    return [name for name in names if _SHARD.fullmatch(name)]


def listing(out_dir: Path) -> dict[str, Path]:
    """The index on disk: url → file (Pagefind's files and `pagefind/shards.json`)."""
    found = {}
    for folder in _candidates(out_dir):
        found.update((f"{folder}/{name}", p) for name, p in _files(out_dir / folder).items())
    shards = out_dir / SHARDS
    if shards.is_file():
        found[SHARDS] = shards
    return dict(sorted(found.items()))


def problem(err: Exception) -> Diagnostic:
    return Diagnostic(
        "",
        0,
        0,
        Severity.WARNING,
        "search-index",
        f"the search index was not made: {err}",
        "the rest of the site is built; search shows no (or older) results. Reinstall mindmap "
        "with its dependencies (pagefind-bin), or turn search off with `search: false`",
    )


class SearchIndex:
    """The site's search index: the key of each shard on disk (in `.mindmap-cache/`, a shard's
    forgotten before its files change and written after, so the two never disagree) and, for
    `serve`, the files to serve, replaced whole when a shard is written (every snapshot of the
    site shares this object)."""

    def __init__(self, out_dir: Path, key_file: Path | None) -> None:
        self.out_dir, self.key_file = out_dir, key_file
        self.files: dict[str, Path] = {}
        self.due: dict[str, Shard] | None = None  # the shards the last build wants, not made yet
        self.problem: Diagnostic | None = None  # why the last indexing failed
        self._keys: dict[str, str] | None = None  # folder → key of the shards written
        # url → (digest of a note page, digest of what Pagefind reads of it), kept with the keys
        self._seen: dict[str, tuple[str, str]] = {}

    def made(self) -> dict[str, str] | None:
        """Folder → key of each shard of the index on disk (None: not known to be whole)."""
        keys = self._recorded()
        if keys is None:
            return None
        if not keys:
            return keys
        whole = all((self.out_dir / f / ENTRY_NAME).is_file() for f in keys)
        listed = self.out_dir / SHARDS
        if not whole or not listed.is_file() or listed.read_bytes() != shards_json(keys):
            return None  # deleted by hand, a clean build replaced the folder, or unfinished
        return keys

    def want(self, pages: Mapping[str, str], now: bool) -> list[Diagnostic]:
        """The index of the note pages `pages` (url → digest of its bytes): made now, or
        (`now` false, under serve) when `settle` is called. Returns the problem, if any."""
        shards = plan_shards(self._indexed(pages))
        if self.made() == {f: s.key for f, s in shards.items()}:
            self.due = None
            self.problem = None
            if not self.files:
                self.files = listing(self.out_dir)
            return []
        self.due = shards
        if now:
            self.settle()
        return [self.problem] if self.problem else []

    def settle(self, stop: Callable[[], bool] | None = None) -> Diagnostic | None:
        """Make the index that is due: the shards whose pages changed, `JOBS` at a time; a
        new problem is returned (and kept in `problem`). `stop` gives up (the shards made
        are kept, the rest stays due, to be made at the next call)."""
        shards, self.due = self.due, None
        if shards is None or self.made() == {f: s.key for f, s in shards.items()}:
            return None
        try:
            self._make(shards, stop)
        except Interrupted:
            self.due = shards
            return None
        except (SearchError, OSError) as err:
            new = problem(err)
            fresh = new != self.problem
            self.problem = new
            return new if fresh else None
        self._finish(shards)
        self.problem = None
        return None

    def remove(self) -> None:
        """Search is turned off: no index, nothing recorded."""
        self.due, self.problem, self.files = None, None, {}
        self._keys = None
        if self.key_file is not None:
            self.key_file.unlink(missing_ok=True)
        no_links_between(self.out_dir, self.out_dir / SEARCH_DIR)
        (self.out_dir / SHARDS).unlink(missing_ok=True)
        for folder in reversed(folders(self.out_dir)):  # pagefind/s<k>/ before pagefind/
            remove_index(self.out_dir, folder)

    def _make(self, shards: Mapping[str, Shard], stop: Callable[[], bool] | None) -> None:
        """Index the shards not on disk as they are now; each is written when made."""
        keys = self._recorded() or {}
        todo = [
            s
            for s in shards.values()
            if keys.get(s.folder) != s.key or not (self.out_dir / s.folder / ENTRY_NAME).is_file()
        ]
        failure: BaseException | None = None
        if not self.files:
            self.files = listing(self.out_dir)  # then updated as each shard is written
        with ThreadPoolExecutor(max_workers=JOBS) as pool:
            jobs: dict[Future[dict[str, bytes]], Shard] = {
                pool.submit(make_index, self.out_dir, s.urls, stop): s for s in todo
            }
            for job in as_completed(jobs):
                try:
                    files = job.result()
                except CancelledError:
                    continue
                except (Interrupted, SearchError, OSError) as err:
                    failure = failure or err
                    for other in jobs:
                        other.cancel()
                    continue
                self._write(jobs[job], files)
        if failure is not None:
            raise failure

    def _write(self, shard: Shard, files: Mapping[str, bytes]) -> None:
        keys = dict(self._recorded() or {})
        keys.pop(shard.folder, None)
        self._save(keys)  # forgotten first: the files and the keys never disagree
        write_index(self.out_dir, shard.folder, files)
        self._save({**keys, shard.folder: shard.key})
        served = {u: p for u, p in self.files.items() if not _within(u, shard.folder)}
        served.update((f"{shard.folder}/{n}", self.out_dir / shard.folder / n) for n in files)
        self.files = dict(sorted(served.items()))

    def _finish(self, shards: Mapping[str, Shard]) -> None:
        """Every shard made: those of an older split deleted, the list of shards written."""
        self._save({f: s.key for f, s in shards.items()})
        for folder in reversed(_candidates(self.out_dir)):  # pagefind/s<k>/ before pagefind/
            if folder not in shards:
                remove_index(self.out_dir, folder)
        target = self.out_dir / SHARDS
        no_links_between(self.out_dir, target.parent)
        if shards:
            data = shards_json(shards)
            if not target.is_file() or target.read_bytes() != data:
                replace_file(target, data)
        else:
            target.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                (self.out_dir / SEARCH_DIR).rmdir()  # left empty (a vault's pages stay)
        self.files = listing(self.out_dir)

    def _indexed(self, pages: Mapping[str, str]) -> dict[str, str]:
        """url → digest of what Pagefind reads of the page (read again only when the page
        changed): a page whose backlinks or related notes changed keeps its shard's key."""
        self._recorded()
        before, self._seen = self._seen, {}
        for url, digest in pages.items():
            seen = before.get(url)
            if seen is None or seen[0] != digest:
                seen = (digest, indexed_digest(self.out_dir / url))
            self._seen[url] = seen
        if self._seen != before and self._keys is not None:
            self._save(self._keys)
        return {url: seen[1] for url, seen in self._seen.items()}

    def _recorded(self) -> dict[str, str] | None:
        if self._keys is None and self.key_file is not None and self.key_file.is_file():
            with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
                data = json.loads(self.key_file.read_text(encoding="utf-8"))
                self._seen = self._seen or {u: (p, i) for u, (p, i) in data["pages"].items()}
                self._keys = dict(data["shards"])
        return self._keys

    def _save(self, keys: dict[str, str]) -> None:
        self._keys = keys
        if self.key_file is not None:
            data = {"shards": keys, "pages": self._seen}
            self.key_file.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.key_file, json.dumps(data, sort_keys=True).encode())
