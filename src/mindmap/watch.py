"""Keep a site up to date with its files for `mindmap serve`: watch the vault, the templates and
mindmap.yml, turn bursts of events into one rebuild, and publish each complete result. Editor
litter (swap files, backups, lock files, temporary files renamed into place) and ignored or
hidden paths never trigger a rebuild; a rebuild that fails keeps the last good site.
"""

from __future__ import annotations

import gc
import os
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import click
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from mindmap.config import Config, load_config
from mindmap.diagnostics import Diagnostic, Severity, count, summarise
from mindmap.vault import is_ignored

Site = Mapping[str, bytes | Path]  # url → page bytes, or the file to send
Log = Callable[[str], None]

# vim: .swp/.swo/.swx swap files and "4913" (a numbered probe of whether it may write the folder);
# emacs: "#autosave#" and ".#lock"; JetBrains: ___jb_tmp___/___jb_old___; many: "~" backups,
# ".tmp"/".part" files written first and then renamed over the note (the rename is what counts).
_TEMP_SUFFIXES = ("~", ".swp", ".swo", ".swn", ".swx", ".swpx", ".tmp", ".part", ".crdownload",
                  ".kate-swp", "___jb_tmp___", "___jb_old___")  # fmt: skip
_TEMP_NAMES = {"thumbs.db", "desktop.ini"}
_CHANGES = {"created", "deleted", "modified", "moved", "closed"}  # not opened, attrib (touch)


def is_temporary(name: str) -> bool:
    """A file name that editors or the OS write beside real files, never content."""
    low = name.lower()
    litter = low.startswith((".", "#")) or low.endswith(_TEMP_SUFFIXES) or low.isdigit()
    return litter or low in _TEMP_NAMES


@dataclass(frozen=True)
class Watched:
    """What `serve` watches, as absolute paths; `kind` sorts out the changes that matter."""

    notes: Path
    out: Path  # the output folder, and the cache beside it, are written by the build itself
    config: Path  # mindmap.yml (may not exist yet: creating it counts)
    templates: Path | None  # the user's templates folder, when it exists
    ignore: tuple[str, ...] = ()  # the config's `ignore` patterns, relative to the notes

    def kind(self, path: str, is_dir: bool = False) -> str | None:
        """Whether a change at `path` matters: "config", "templates", "notes", or None."""
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
            rel = "/".join(parts) + ("/" if is_dir else "")  # `dir/` patterns: folders
            if kind == "notes" and is_ignored(rel, self.ignore):
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
    during a run schedule exactly one more. `idle` runs once after a run when no poke has come
    for `idle_after` seconds (housekeeping that a waiting reader should not wait for)."""

    def __init__(
        self,
        action: Callable[[], None],
        quiet: float = 0.1,
        longest: float = 2.0,
        idle: Callable[[], None] | None = None,
        idle_after: float = 0.5,
    ) -> None:
        self.action, self.quiet, self.longest = action, quiet, longest
        self.idle, self.idle_after = idle, idle_after
        self._cond = threading.Condition()
        self._first: float | None = None  # when the pending burst began
        self._last = 0.0
        self._idle_at: float | None = None  # when `idle` is due
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="mindmap-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def pending(self) -> bool:
        """Whether a change came in that no run has taken up yet."""
        return self._first is not None

    def idle_soon(self) -> None:
        """Run `idle` once no poke came for `idle_after` seconds, as after a run (serve's
        first build, made before the thread started, has idle work too)."""
        if self.idle is None:
            return
        with self._cond:
            self._idle_at = time.monotonic() + self.idle_after
            self._cond.notify()

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
        while (what := self._next()) is not None:
            what()
            if what == self.action and self.idle is not None:
                with self._cond:
                    self._idle_at = time.monotonic() + self.idle_after

    def _next(self) -> Callable[[], None] | None:
        """Wait for the next thing to do: the action, the idle work, or None when stopped."""
        with self._cond:
            while not self._stopped:
                now = time.monotonic()
                if self._first is not None:
                    due = min(self._last + self.quiet, self._first + self.longest)
                elif self._idle_at is not None:
                    due = max(self._idle_at, self._last + self.idle_after)
                else:
                    self._cond.wait()
                    continue
                if now < due:
                    self._cond.wait(due - now)
                    continue
                if self._first is not None:
                    self._first = None
                    return self.action
                self._idle_at = None
                return self.idle
            return None


class SiteBuilder(Protocol):
    """What `serve` needs of `mindmap.build.Builder` (tests inject a fake)."""

    @property
    def files(self) -> Site: ...
    def build(self) -> Any: ...
    def settle(self, make: bool = True, stop: Callable[[], bool] | None = None) -> Any: ...
    def save_cache(self) -> None: ...


MakeBuilder = Callable[[Path, Path, Config], SiteBuilder]


class LiveSite:
    """The builder, the watcher and the debouncer, and what browsers see: one complete snapshot
    of the site with its epoch, the last build's diagnostics, and why the last rebuild failed."""

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
        self.site: tuple[Site, int] = ({}, 0)  # the snapshot served and its epoch, read as one
        self.diagnostics: list[Diagnostic] = []
        self.error: str | None = None  # why the last rebuild failed
        self._error_kind: str | None = None  # its exception and message, without the traceback
        self.built = False  # a build succeeded: there is a cache worth saving
        self._config_changed = False
        self._tidied = 0
        self._collecting = False  # whether the collector was on before serving
        self._cond = threading.Condition()
        self._closing = False
        self.debouncer = Debouncer(self.rebuild, quiet, idle=self.tidy)
        self.watcher = Watcher(self._watched(), self.changed, poll)

    @property
    def epoch(self) -> int:
        return self.site[1]

    def watch(self) -> None:
        """Build once (a settings problem raises), then rebuild after every change.

        The cycle collector stays paused while serving and collects in `tidy`: switched on
        after a rebuild, it would run at once over all the rebuild made (a tenth of a second,
        between the new site and the reader asking for it)."""
        self._collecting = gc.isenabled()
        gc.disable()
        try:  # before any thread starts: a process running threads does not fork its workers
            self._build()
        except click.ClickException:
            raise
        except Exception as err:
            self._failed(err)
        # What the first build keeps (every parsed note, the caches) lives as long as the
        # server: collected once now and then frozen, later collections never walk it.
        gc.collect()
        gc.freeze()
        self.watcher.start()
        self._catch_up()
        self.debouncer.start()
        self.debouncer.idle_soon()  # the first build's deferred work: the search index

    def _catch_up(self) -> None:
        """The first build ran before the watcher started: what changed meanwhile (notes,
        templates, mindmap.yml) is built now. A build that finds nothing to do is not
        published (no reload, no log line), and one that fails as the first did is not
        shown twice; the site served is the builder's either way."""
        try:
            settings = load_config(self.config_path)
        except click.ClickException:
            settings = None  # shown by the build below
        self._config_changed = self._config_changed or settings != self.config
        quiet = self.built and not self._config_changed
        try:
            result = self._built()
        except Exception as err:
            if _kind(err) != self._error_kind:
                self._failed(err)
            return
        changed = result.written or result.removed or result.diagnostics != self.diagnostics
        if not quiet or changed:
            self._publish(result)
            return
        with self._cond:
            self.site = (self.builder.files, self.epoch)  # the same pages, at the same epoch

    def close(self) -> None:
        """Stop watching; save the cache once the rebuild in progress has ended."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self.watcher.stop()
        if self.debouncer.stop() and self.built:
            try:
                self.builder.save_cache()
            except Exception as err:
                self.log(f"could not save the cache: {err}")
        gc.unfreeze()
        if self._collecting:
            gc.enable()

    def wait(self, epoch: int, timeout: float) -> int | None:
        """The current epoch, once it is not `epoch` or after `timeout`; None when closing."""
        with self._cond:
            if self.epoch == epoch and not self._closing:
                self._cond.wait(timeout)
            return None if self._closing else self.epoch

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

    def tidy(self) -> None:
        """When no change came for a moment after a rebuild: finish its deferred work (the
        files on disk catch up with the snapshot served) and collect the garbage of the
        rebuilds, which run with the cycle collector paused. A full collection walks every
        object of the vault (most of a second on a big one), so most times only the young
        generations are collected."""
        try:
            problems = self.builder.settle(stop=self.debouncer.pending) or []
        except Exception as err:
            self._failed(err)
        else:
            for line in summarise(problems, str(self.notes_dir)):
                self.log(line)  # a failed search index: the site itself is up to date
        self._tidied += 1
        full = self._tidied % 16 == 0 and not self.debouncer.pending()
        gc.collect(2 if full else 1)

    def _build(self) -> None:
        self._publish(self._built())

    def _built(self) -> Any:
        """A build, with new settings (and a new builder) if mindmap.yml changed."""
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
        return self.builder.build()

    def _publish(self, result: Any) -> None:
        old, first = set(self.diagnostics), not self.built
        with self._cond:
            self.diagnostics, self.error = list(result.diagnostics), None
            self._error_kind = None
            self.site = (self.builder.files, self.epoch + 1)
            self.built = True
            self._cond.notify_all()
        for line in summarise([d for d in self.diagnostics if d not in old], str(self.notes_dir)):
            self.log(line)  # the new ones only: the rest were printed before
        self.log(_summary(result, self.out_dir if first else None))

    def _failed(self, err: Exception) -> None:
        if isinstance(err, click.ClickException):
            message = err.format_message()
        else:
            message = "".join(traceback.format_exception(err)).rstrip()
        self._error_kind = _kind(err)
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


def _kind(err: Exception) -> str:
    """A failure without where it happened (the same failure raised elsewhere is the same)."""
    return f"{type(err).__name__}: {err}"


def _make_builder(notes_dir: Path, out_dir: Path, config: Config) -> SiteBuilder:
    from mindmap.build import Builder

    # keep: hold `files` in memory; autosave off: the cache is written once, on stop
    return Builder(notes_dir, out_dir, config, keep=True, autosave=False)


def _summary(result: Any, first_into: Path | None) -> str:
    """`built 38 notes into 74 pages ...` first, then `rebuilt in 0.04s: 1 page written, ...`."""
    diags = result.diagnostics
    errors, warnings = count(diags, Severity.ERROR), count(diags, Severity.WARNING)
    if first_into is not None:
        return (
            f"built {result.notes} notes into {result.pages} pages ({result.files} files) in "
            f"{first_into}/ in {result.seconds:.2f}s: {errors} errors, {warnings} warnings"
        )
    pages = sum(1 for url in result.written if url.endswith(".html"))
    parts = [f"{pages} {'page' if pages == 1 else 'pages'} written"]
    parts += [f"{len(result.removed)} removed"] if result.removed else []
    parts += [f"{errors} errors"] if errors else []
    parts.append(f"{warnings} {'warning' if warnings == 1 else 'warnings'}")
    return f"rebuilt in {result.seconds:.2f}s: " + ", ".join(parts)


def _echo(line: str) -> None:
    click.echo(line, err=True)
