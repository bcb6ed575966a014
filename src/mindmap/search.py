"""Full-text search: the Pagefind index of the note pages, in `OUT_DIR/pagefind/`.

Pagefind splits the index into chunks that a browser fetches as a query needs them, so a
search loads a few dozen kilobytes whatever the size of the vault. Only note pages are
indexed (their `<article data-pagefind-body>`: title, aliases, lede and body); listing pages
carry no such element, so Pagefind leaves them out.

The index is made by Pagefind's own binary (PyPI `pagefind-bin`) over the written site,
into a temporary folder, then copied into `OUT_DIR/pagefind/` file by file (unchanged files
are not rewritten, files of an older index are deleted). Its key is a digest of the note
pages' bytes: when they did not change, neither does the index. Pagefind's output is
byte-identical for the same pages.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path

import mindmap
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.graph import Interrupted

SEARCH_DIR = "pagefind"
ENTRY = f"{SEARCH_DIR}/pagefind-entry.json"
FORMAT = "2"  # bump when what is indexed or kept changes without the pages changing
# Pagefind also writes its ready-made UIs (300 KB); the site's own search.js uses the API only.
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
# What Pagefind writes (a vault folder named pagefind/ may hold note pages: never touched)
_OURS = re.compile(
    r"pagefind/(pagefind[\w.-]*\.(js|json|pf_meta)|wasm\.[\w-]+\.pagefind"
    r"|fragment/[\w-]+\.pf_fragment|index/[\w-]+\.pf_index)"
)
_TIMEOUT = 600.0  # seconds: a vault that takes longer is not one a browser should search


class SearchError(Exception):
    """The indexer could not run or failed: the site is built without (a new) search index."""


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


def index_key(pages: Mapping[str, str]) -> str:
    """The key of the index made from these pages (url → digest of the page's bytes)."""
    h = hashlib.sha1(f"{mindmap.__version__}\0{FORMAT}\0{version()}".encode())
    for url in sorted(pages):
        h.update(f"\0{url}\0{pages[url]}".encode())
    return h.hexdigest()


def make_index(site: Path, stop: Callable[[], bool] | None = None) -> dict[str, bytes]:
    """Index the site in `site` with Pagefind: path in the site (`pagefind/...`) → bytes.
    `stop` may give up the indexing (`Interrupted`): the process is ended at once."""
    exe = executable()
    if exe is None or not exe.is_file():
        where = f" at {exe}" if exe else ""
        raise SearchError(f"Pagefind's binary was not found{where}")
    with tempfile.TemporaryDirectory(prefix="mindmap-search-") as tmp:
        out = Path(tmp) / SEARCH_DIR
        args = [str(exe), "--site", str(site), "--output-path", str(out)]
        # the mind-map view: the outline again (Pagefind skips its SVG, not its "Mind map")
        args += ["--exclude-selectors", ".mm-mindview"]
        _run([*args, "--keep-index-url", "--silent"], stop)
        found = ((f"{SEARCH_DIR}/{p.relative_to(out).as_posix()}", p) for p in out.rglob("*"))
        return {
            url: p.read_bytes()
            for url, p in sorted(found)
            if _OURS.fullmatch(url) and not p.name.startswith(_UNUSED) and p.is_file()
        }


def _run(args: list[str], stop: Callable[[], bool] | None) -> None:
    with tempfile.TemporaryFile() as log:  # not a pipe: a full pipe would block Pagefind
        try:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        except OSError as err:
            raise SearchError(f"Pagefind could not be started: {err}") from err
        deadline = time.monotonic() + _TIMEOUT
        while proc.poll() is None:
            if (stop is not None and stop()) or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                if stop is not None and stop():
                    raise Interrupted()
                raise SearchError(f"Pagefind did not finish in {_TIMEOUT:.0f}s")
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(0.05)
        log.seek(0)
        output = log.read().decode(errors="replace").strip()
    if proc.returncode != 0:
        last = output.splitlines()[-1] if output else "no output"
        raise SearchError(f"Pagefind failed (exit status {proc.returncode}): {last}")


def write_index(out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """Make `OUT_DIR/pagefind/` hold exactly `files`: new and changed ones written (each
    atomically), those of an older index deleted. Returns the urls written."""
    old = listing(out_dir)
    written = []
    for url in sorted(files, key=lambda u: u == ENTRY):  # the entry last: it names the rest
        target = out_dir / url
        if url in old and target.read_bytes() == files[url]:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        tmp.write_bytes(files[url])
        os.replace(tmp, target)
        written.append(url)
    remove_index(out_dir, keep=files)
    return written


def remove_index(out_dir: Path, keep: Iterable[str] = ()) -> None:
    """Delete the index's files in `OUT_DIR/pagefind/` but those in `keep` (and folders left
    empty)."""
    root = out_dir / SEARCH_DIR
    kept = set(keep)
    for url, path in listing(out_dir).items():
        if url not in kept:
            path.unlink()
    for folder in (root / "fragment", root / "index", root):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def listing(out_dir: Path) -> dict[str, Path]:
    """The index on disk: url → file (Pagefind's files only)."""
    root = out_dir / SEARCH_DIR
    found = ((p.relative_to(out_dir).as_posix(), p) for p in sorted(root.rglob("*")))
    return {url: p for url, p in found if _OURS.fullmatch(url) and p.is_file()}


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
    """The site's search index: the key it was made from (in `.mindmap-cache/`, written with
    the files, so the two never disagree) and, for `serve`, the files to serve, replaced
    whole when a new index is written (every snapshot of the site shares this object)."""

    def __init__(self, out_dir: Path, key_file: Path | None) -> None:
        self.out_dir, self.key_file = out_dir, key_file
        self.files: dict[str, Path] = {}
        self.due: str | None = None  # the key the last build wants, when not made yet
        self.problem: Diagnostic | None = None  # why the last indexing failed
        self._made: str | None = None

    def made(self) -> str | None:
        """The key of the index on disk (None: none, or not known to be whole)."""
        if self._made is None and self.key_file is not None and self.key_file.is_file():
            self._made = self.key_file.read_text(encoding="utf-8").strip() or None
        if self._made is not None and self._made != EMPTY and not (self.out_dir / ENTRY).is_file():
            self._made = None  # deleted by hand, or a clean build replaced the folder
        return self._made

    def want(self, key: str, pages: Iterable[str], now: bool) -> list[Diagnostic]:
        """The index for `key` (made from the note pages `pages`): made now, or (`now`
        false, under serve) when `settle` is called. Returns the problem, if any."""
        if self.made() == key:
            self.due = None
            self.problem = None
            if not self.files:
                self.files = listing(self.out_dir)
            return []
        self.due = key if any(True for _ in pages) else None
        if self.due is None:  # no note to index: no index (Pagefind would take every page)
            self._record(EMPTY, {})
            return []
        if now:
            self.settle()
        return [self.problem] if self.problem else []

    def settle(self, stop: Callable[[], bool] | None = None) -> Diagnostic | None:
        """Make the index that is due; a new problem is returned (and kept in `problem`).
        `stop` gives up (the index stays due, to be made at the next call)."""
        key, self.due = self.due, None
        if key is None or key == self.made():
            return None
        try:
            files = make_index(self.out_dir, stop)
        except Interrupted:
            self.due = key
            return None
        except (SearchError, OSError) as err:
            new = problem(err)
            fresh = new != self.problem
            self.problem = new
            return new if fresh else None
        self._record(key, files)
        self.problem = None
        return None

    def remove(self) -> None:
        """Search is turned off: no index, nothing recorded."""
        self.due, self.problem, self.files = None, None, {}
        remove_index(self.out_dir)
        self._made = None
        if self.key_file is not None:
            self.key_file.unlink(missing_ok=True)

    def _record(self, key: str, files: Mapping[str, bytes]) -> None:
        if self.key_file is not None:  # the files and the key never disagree: forget first
            self.key_file.unlink(missing_ok=True)
        self._made = None
        write_index(self.out_dir, files)
        self.files = listing(self.out_dir)
        if self.key_file is not None:
            self.key_file.parent.mkdir(parents=True, exist_ok=True)
            self.key_file.write_text(key + "\n", encoding="utf-8")
        self._made = key


EMPTY = "empty"  # the key of "no note to index"
