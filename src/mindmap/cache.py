"""The persistent build cache beside the output (`.mindmap-cache/`): what the last build saw.

Versioned: another mindmap version, renderer or Python, or other settings, make the cache
unusable and the build starts clean. It is written atomically after a successful build only,
so a crash or Ctrl-C mid-build leaves the previous (still true) cache. The output files it
describes are checked by size and mtime before any is trusted.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import pickle
import sys
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import mindmap
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.layout import LayoutMemo
from mindmap.model import Note
from mindmap.paths import NotePath, fit_name
from mindmap.related import Related

# (size, mtime_ns, ctime_ns): the change time too, which no tool can set back, so that a
# file restored or synced with its old size and modification time still counts as changed
StatKey = tuple[int, int, int]


@dataclass
class BuildState:
    """What a Builder knows between builds."""

    notes: dict[NotePath, tuple[StatKey, Note]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # url → fingerprint of its inputs
    digests: dict[str, str] = field(default_factory=dict)  # url → sha1 of the bytes written
    stats: dict[str, StatKey] = field(default_factory=dict)  # url → the written file's stat
    page_diags: dict[str, list[Diagnostic]] = field(default_factory=dict)
    inputs: str = ""  # fingerprint of every input file's stat, the templates and the settings
    diagnostics: list[Diagnostic] = field(default_factory=list)  # of the last build
    summary: tuple[int, int, int] = (0, 0, 0)  # notes, pages, files of the last build


def cache_file(out_dir: Path, part: str = "state") -> Path:
    """`.mindmap-cache/<site>.state.pickle` (small: keys, digests) and `<site>.notes.pickle`
    (every parsed note: big, read only when a note must be looked at)."""
    out = out_dir.resolve()  # a long output folder name is cut (its own name may be 255 bytes)
    return out.parent / ".mindmap-cache" / f"{fit_name(out.name)}.{part}.pickle"


def _version(settings: str) -> tuple[str, ...]:
    return (mindmap.__version__, code_digest(), sys.version, settings)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of mindmap's own source: any change to the code (an upgrade, a local edit)
    makes old parses and pages unusable, without anyone remembering to bump a number."""
    h = hashlib.sha1()
    package = Path(mindmap.__file__).parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _load(path: Path, settings: str, version: tuple[str, ...] | None = None) -> object:
    try:
        with path.open("rb") as f:
            found, data = pickle.load(f)
    except Exception:  # missing, truncated, from another version: start clean
        return None
    return data if found == (version or _version(settings)) else None


def _save(path: Path, settings: str, data: object, version: tuple[str, ...] | None = None) -> None:
    tmp = _temporary(path)
    try:
        with tmp.open("wb") as f:
            pickle.dump((version or _version(settings), data), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:  # (a disk full): nothing half written is left
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def _temporary(path: Path) -> Path:
    """Where this process writes `path` before renaming it into place (`.tmp-PID`, beside
    it), its folder made and what killed builds left there cleared."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _clear_dead(path)
    return path.with_suffix(f".tmp-{os.getpid()}")


def _clear_dead(path: Path) -> None:
    """Delete what killed builds left of `path`: its `.tmp-PID` files of processes gone (one
    that is killed while it writes a cache file cannot delete its own)."""
    for tmp in path.parent.glob(f"{glob.escape(path.stem)}.tmp-*"):
        pid = tmp.name.rpartition(".tmp-")[2]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process (or none can be)
        return False
    except PermissionError:  # another user's
        return True
    return True


def pickle_note(note: Note) -> bytes:
    """A parsed note as the parse cache keeps it: pickled on its own. The parser processes
    send notes so (vault.parse_notes), and a build writes the cache from those bytes and
    the last cache's instead of pickling every note again (0.08 CPU seconds at 1,000 notes,
    every build that parsed anything)."""
    return pickle.dumps(note, protocol=pickle.HIGHEST_PROTOCOL)


def load_notes(out_dir: Path, settings: str) -> dict[NotePath, tuple[StatKey, bytes]]:
    """The parse cache (`NotesWriter`), each note still pickled (`read_notes`); empty when
    it is missing, cut short or from another version. A stale entry is harmless (it is
    keyed by its file's stat)."""
    out: dict[NotePath, tuple[StatKey, bytes]] = {}
    try:
        with cache_file(out_dir, "notes").open("rb") as f:
            if pickle.load(f) != _version(settings):
                return {}
            while (record := pickle.load(f)) is not None:
                path, stat, data = record
                out[path] = (stat, data)
    except Exception:  # missing, truncated, from another version: start clean
        return {}
    return out


def read_notes(
    cached: dict[NotePath, tuple[StatKey, bytes]],
) -> dict[NotePath, tuple[StatKey, Note]]:
    """The notes of the parse cache; an entry that does not read as a note is left out (its
    note is parsed again)."""
    out = {}
    for path, (stat, data) in cached.items():
        try:
            note = pickle.loads(data)
        except Exception:
            continue
        if isinstance(note, Note):
            out[path] = (stat, note)
    return out


class NotesWriter:
    """The parse cache, written note by note: the version, then a record (path, stat,
    pickle) a note, then None. A build writes each note as its parser process sends it,
    holding none (at 8,000 notes they are 85 MB). Used as a context: the file is renamed
    into place when the block ends without an exception only, so an interrupted build
    leaves the last cache. A cache that cannot be written (a disk full, a folder not
    writable) is given up, its error kept in `error`: the build goes on without it."""

    def __init__(self, out_dir: Path, settings: str) -> None:
        self.path = cache_file(out_dir, "notes")
        self.error: OSError | None = None
        self._file: BinaryIO | None = None
        try:
            self.tmp = _temporary(self.path)
            self._file = self.tmp.open("wb")
        except OSError as err:
            self.error = err
        self._dump(_version(settings))

    def _dump(self, record: object) -> None:
        if self._file is None:
            return
        try:
            pickle.dump(record, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as err:
            self.error = err
            self._give_up()

    def _give_up(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
            with contextlib.suppress(OSError):
                self.tmp.unlink(missing_ok=True)

    def add(self, path: NotePath, stat: StatKey, data: bytes) -> None:
        self._dump((path, stat, data))

    def __enter__(self) -> NotesWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_rest: object) -> None:
        if kind is not None or self._file is None:
            self._give_up()
            return
        self._dump(None)
        try:
            if self._file is not None:
                self._file.close()
                os.replace(self.tmp, self.path)
        except OSError as err:
            self.error = err
            self._give_up()


def save_notes(out_dir: Path, settings: str, notes: dict[NotePath, tuple[StatKey, bytes]]) -> None:
    """Write the parse cache at once: each note's stat and pickle (`pickle_note`)."""
    with NotesWriter(out_dir, settings) as writer:
        for path, (stat, data) in notes.items():
            writer.add(path, stat, data)


@dataclass(frozen=True)
class GraphStore:
    """Each note's part of graph.json, kept on disk between builds (`<site>.graph.pickle`):
    an edit re-serialises one note's part instead of the whole graph."""

    out_dir: Path
    settings: str
    read: bool = True  # False: write only (`--clean`)

    def load(self) -> dict[str, Any]:
        if not self.read:
            return {}
        parts = _load(cache_file(self.out_dir, "graph"), self.settings)
        return parts if isinstance(parts, dict) else {}

    def save(self, parts: dict[str, Any]) -> None:
        """Keep the parts; if they cannot be written, the next build makes them again (each
        is checked against what it was made from). The build reports its other cache files
        that cannot be written (`cache-write`): they are in the same folder."""
        with contextlib.suppress(OSError):
            _save(cache_file(self.out_dir, "graph"), self.settings, parts)


_LAYOUT_VERSION = ("layout", 1)


def load_layout(out_dir: Path) -> LayoutMemo:
    """The last layout of graph.json (`<site>.layout.pickle`). Not tied to the code or the
    settings, as the rest of the cache is: an upgrade keeps the map where it was."""
    memo = _load(cache_file(out_dir, "layout"), "", _LAYOUT_VERSION)
    return memo if isinstance(memo, LayoutMemo) else LayoutMemo()


def save_layout(out_dir: Path, memo: LayoutMemo) -> None:
    _save(cache_file(out_dir, "layout"), "", memo, _LAYOUT_VERSION)


def load_related(out_dir: Path, settings: str) -> Related | None:
    """The related notes the last build worked out (`<site>.related.pickle`): the next one
    ranks again only the notes whose neighbourhood changed (related.Related checks it)."""
    related = _load(cache_file(out_dir, "related"), settings)
    return related if isinstance(related, Related) else None


def save_related(out_dir: Path, settings: str, related: Related) -> None:
    _save(cache_file(out_dir, "related"), settings, related)


def load_state(out_dir: Path, settings: str) -> BuildState:
    """The cached state (without notes), with every output file it describes checked;
    empty when unusable."""
    state = _load(cache_file(out_dir), settings)
    if not isinstance(state, BuildState):
        return BuildState()
    if any(not hasattr(state, f.name) for f in fields(BuildState)):
        return BuildState()
    for url in list(state.digests):
        if stat_key(out_dir / url) != state.stats.get(url):  # changed or deleted by hand
            state.keys.pop(url, None)
            state.digests.pop(url, None)
            state.inputs = ""  # so the next build is not taken for one with nothing to do
    return state


def save_state(out_dir: Path, settings: str, state: BuildState) -> None:
    """Write the state; if it cannot be written, the last one is deleted: it describes an
    older site (each file's digest is checked against the file, but not the settings that
    made it, say), so the next build does everything again instead."""
    path = cache_file(out_dir)
    try:
        _save(path, settings, replace(state, notes={}))
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        raise


def cache_problem(err: OSError) -> Diagnostic:
    """The warning of a build whose cache could not be written."""
    return Diagnostic(
        "",
        0,
        0,
        Severity.WARNING,
        "cache-write",
        f"the build cache was not written: {err}",
        "the site is built and right; the next build parses and renders everything again",
    )


def stat_key(path: Path) -> StatKey | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns
