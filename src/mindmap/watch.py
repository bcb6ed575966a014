"""Watch the vault, the templates and mindmap.yml for `mindmap serve`; turn bursts of events into
one rebuild. Editor litter (swap files, backups, lock files, temporary files renamed into place)
and ignored or hidden paths never trigger one.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from mindmap.vault import is_ignored

# vim: .swp/.swo/.swx swap files and "4913" (a numbered probe of whether it may write the folder);
# emacs: "#autosave#" and ".#lock"; JetBrains: ___jb_tmp___/___jb_old___; many: "~" backups,
# ".tmp"/".part" files written first and then renamed over the note (the rename is what counts).
_TEMP_SUFFIXES = (
    "~",
    ".swp",
    ".swo",
    ".swn",
    ".swx",
    ".swpx",
    ".tmp",
    ".part",
    ".crdownload",
    ".kate-swp",
    "___jb_tmp___",
    "___jb_old___",
)
_TEMP_NAMES = {"thumbs.db", "desktop.ini"}
_CHANGES = {"created", "deleted", "modified", "moved", "closed"}  # not opened, attrib (touch)


def is_temporary(name: str) -> bool:
    """A file name that editors or the OS write beside real files, never content."""
    low = name.lower()
    return (
        low.startswith((".", "#"))
        or low.endswith(_TEMP_SUFFIXES)
        or low in _TEMP_NAMES
        or low.isdigit()
    )


@dataclass(frozen=True)
class Watched:
    """What `serve` watches, as absolute paths; `kind` sorts out the changes that matter."""

    notes: Path
    out: Path  # the output folder, and the cache beside it, are written by the build itself
    config: Path  # mindmap.yml (may not exist yet: creating it counts)
    templates: Path | None  # the user's templates folder, when it exists
    ignore: tuple[str, ...] = ()  # the config's `ignore` patterns, relative to the notes

    def kind(self, path: str, is_dir: bool = False) -> str | None:
        """ "config", "templates" or "notes" when a change at `path` matters, else None."""
        p = Path(os.path.abspath(path))
        if p == self.config:
            return "config"
        if p.is_relative_to(self.out) or p.is_relative_to(self.out.parent / ".mindmap-cache"):
            return None
        for root, kind in ((self.templates, "templates"), (self.notes, "notes")):
            if root is None or not p.is_relative_to(root) or p == root:
                continue
            parts = p.relative_to(root).parts
            if any(part.startswith(".") for part in parts):
                return None  # .obsidian/, .git/, .trash/, .DS_Store, .#lock, .note.md.swp
            if not is_dir and is_temporary(parts[-1]):
                return None
            if kind == "notes" and is_ignored("/".join(parts), self.ignore):
                return None
            return kind
        return None

    def roots(self) -> list[tuple[Path, bool]]:
        """(folder, recursive) to schedule, without folders that another watch already covers."""
        deep = [p for p in (self.notes, self.templates) if p is not None and p.is_dir()]
        deep = [p for p in deep if not any(p != q and p.is_relative_to(q) for q in deep)]
        flat = self.config.parent
        covered = any(flat.is_relative_to(q) for q in deep)
        return sorted({(p, True) for p in deep} | (set() if covered else {(flat, False)}))


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder's "modified" only echoes a change inside it
        paths = [event.src_path] + ([event.dest_path] if event.event_type == "moved" else [])
        watched = self.watcher.watched
        kinds = {watched.kind(os.fsdecode(p), event.is_directory) for p in paths} - {None}
        if kinds:
            self.watcher.on_change(kinds)  # type: ignore[arg-type]


class Watcher:
    """A watchdog observer (or a polling one, for network drives and containers) over `Watched`;
    calls `on_change(kinds)` from the observer's thread for every change that matters."""

    def __init__(
        self, watched: Watched, on_change: Callable[[set[str]], None], poll: bool = False
    ) -> None:
        self.watched = watched
        self.on_change = on_change
        self._observer: BaseObserver = PollingObserver(timeout=0.5) if poll else Observer()
        self.handler = _Handler(self)  # public: tests feed it events

    def start(self) -> None:
        self._schedule()
        self._observer.start()

    def update(self, watched: Watched) -> None:
        """New settings (mindmap.yml changed): watch the new templates folder and patterns."""
        old, self.watched = self.watched.roots(), watched
        if watched.roots() != old:
            self._observer.unschedule_all()
            self._schedule()

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=5)

    def _schedule(self) -> None:
        for folder, recursive in self.watched.roots():
            self._observer.schedule(self.handler, str(folder), recursive=recursive)


class Debouncer:
    """Runs `action` in its own thread once no `poke()` has come for `quiet` seconds (or `longest`
    after the first one, so a steady stream of writes still rebuilds). One run at a time; pokes
    during a run schedule exactly one more."""

    def __init__(
        self, action: Callable[[], None], quiet: float = 0.1, longest: float = 2.0
    ) -> None:
        self.action, self.quiet, self.longest = action, quiet, longest
        self._cond = threading.Condition()
        self._first: float | None = None  # when the pending burst began
        self._last = 0.0
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="mindmap-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        with self._cond:
            self._last = time.monotonic()
            if self._first is None:
                self._first = self._last
            self._cond.notify()

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop after the run in progress (if any); False when it did not end within `timeout`."""
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while self._wait_for_quiet():
            self.action()

    def _wait_for_quiet(self) -> bool:
        with self._cond:
            while not self._stopped:
                if self._first is None:
                    self._cond.wait()
                    continue
                due = min(self._last + self.quiet, self._first + self.longest)
                if time.monotonic() >= due:
                    self._first = None
                    return True
                self._cond.wait(due - time.monotonic())
            return False
