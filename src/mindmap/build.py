"""The build, as one story: scan → parse → plan (resolve, graph) → render → write.

A `Builder` keeps what it learnt between builds (in memory for `serve`, in `.mindmap-cache/`
for `build`): a note is parsed again only when its file changed, and a page is rendered
again only when the fingerprint of what it reads changed (site.py). Output files are
rewritten only when their bytes change. `build` and `serve` run exactly this code.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mindmap.cache import (
    BuildState,
    GraphStore,
    NotesWriter,
    StatKey,
    cache_file,
    cache_problem,
    load_layout,
    load_notes,
    load_related,
    load_state,
    pickle_note,
    read_notes,
    save_layout,
    save_notes,
    save_related,
    save_state,
    stat_key,
)
from mindmap.config import Config
from mindmap.diagnostics import Diagnostic
from mindmap.graph import Interrupted
from mindmap.layout import LayoutMemo
from mindmap.model import Note
from mindmap.output import (
    MARKER,
    SiteWriter,
    check_folders,
    is_temporary,
    no_links_between,
    temporary,
)
from mindmap.paths import NotePath, nfc
from mindmap.pipeline import (
    GRAPH_URL,
    GraphJob,
    PlanMemo,
    Rendered,
    apply_severity,
    graph_json,
    graph_key,
    import_planning,
    plan_site,
    render_pages,
    start_graph,
    static_files,
    templates_digest,
    warm_up,
)
from mindmap.search import SEARCH_DIR, Entry, SearchIndex, entry
from mindmap.vault import file_digest, parse_notes, scan

if TYPE_CHECKING:
    import jinja2

    from mindmap.site import SitePlan

Progress = Callable[[str], None]
_UNKNOWN: StatKey = (-1, -1, -1)  # no file has this stat
_RACY_SECONDS = 2.0  # a file changed this recently may change again within one mtime tick


@dataclass
class BuildResult:
    notes: int = 0  # published notes
    pages: int = 0  # HTML pages
    files: int = 0  # files in the site, attachments included
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    written: list[str] = field(default_factory=list)  # urls whose file was (re)written
    removed: list[str] = field(default_factory=list)  # urls whose file was deleted


class Builder:
    """Builds a vault into a site again and again, each time doing only what changed."""

    def __init__(
        self,
        notes_dir: Path,
        out_dir: Path,
        config: Config,
        jobs: int = 0,
        cache: bool = True,
        keep: bool = False,
        progress: Progress | None = None,
        autosave: bool = True,
        fresh: bool = False,
    ) -> None:
        """`cache`: read and write `.mindmap-cache/`; `fresh`: start from nothing (`--clean`)
        but still write the cache for the next build."""
        self.notes_dir, self.out_dir, self.config = notes_dir, out_dir, config
        self.jobs, self.cache, self.keep = jobs, cache, keep
        self.autosave = cache and autosave  # False for serve: it saves once, when it stops
        self.say = progress or (lambda _message: None)
        self.settings = repr(config)
        read = cache and not fresh
        self._fresh = fresh  # `--clean`: no cache is read, not even graph.json's parts
        self.state = load_state(out_dir, self.settings) if read else BuildState()
        self._notes_loaded = not read  # the parse cache is read when first needed
        # each cached note's pickle, as read from the parse cache, until `build` has written
        # the cache again (`_parse`)
        self._pickles: dict[NotePath, bytes] = {}
        self._graph_cache: dict[str, Any] = {}
        self._files: Mapping[str, bytes | Path] = {}
        self._env: tuple[str, jinja2.Environment] | None = None
        self._memo = PlanMemo()  # resolutions and key parts lent from one plan to the next
        self._pending: Deferred | None = None  # graph.json of the last build, when deferred
        self._job: GraphJob | None = None  # the process making graph.json, until asked
        self._cache_error: OSError | None = None  # a build's first cache file not written
        # Where graph.json's nodes were: kept, so that an edit moves only what it touches.
        self._layout = load_layout(out_dir) if read else LayoutMemo()
        # the search index (search-index/): made after each build, under serve when idle
        key_file = cache_file(out_dir, "search").with_suffix(".key") if cache else None
        self.search = SearchIndex(out_dir, key_file)

    @property
    def files(self) -> Mapping[str, bytes | Path]:
        """The complete site after the last successful build: url → bytes or source file.
        Replaced, never changed in place, by each build (serve reads it while one runs)."""
        return self._files

    def settle(
        self, make: bool = True, stop: Callable[[], bool] | None = None, index: bool = True
    ) -> list[Diagnostic]:
        """Finish what the last build deferred: graph.json under `serve` is made when first
        asked for or when this is called (serve calls it when idle, `save_cache` on stop),
        then written and remembered. The next build calls it with `make=False`: what was
        not made yet is dropped (and deferred again by that build if still wanted); the file
        on disk stays the older one, which the cache knows. `stop` gives up the making when
        it says so (a save came in: the rebuild must not wait); it is resumed later.
        Then, the same way (unless `index` is false), the search index (see `search.py`):
        returns its new problem."""
        pending, self._pending = self._pending, None
        if pending is not None and (make or pending.made):
            try:
                self._settle_graph(pending, stop)
            except Interrupted:
                self._pending = pending
                return []
        if not make or not index or (stop is not None and stop()):
            return []
        problem = self.search.settle(stop)
        return [problem] if problem else []

    def _settle_graph(self, pending: Deferred, stop: Callable[[], bool] | None) -> None:
        data = pending.get(stop)
        key = pending.key
        digest = hashlib.sha1(data).hexdigest()
        if self.state.digests.get(GRAPH_URL) != digest:
            _write_files(self.out_dir, {GRAPH_URL: data}, {})
            self.state.digests[GRAPH_URL] = digest
            self.state.stats[GRAPH_URL] = stat_key(self.out_dir / GRAPH_URL) or (0, 0, 0)
        self.state.keys[GRAPH_URL] = key

    def build(self) -> BuildResult:
        """Bring the output up to date with the vault and the templates.

        Python's cycle collector is paused meanwhile: a build makes hundreds of thousands of
        objects that live until its end, and every full collection walks all of them (a
        tenth of a second each, several per rebuild at 1,000 notes). Its cycles are collected
        when it ends, or by `serve` when idle (`collect_garbage`)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._build()
        finally:
            if enabled:
                gc.enable()

    def _build(self) -> BuildResult:
        start = time.perf_counter()
        self._cache_error = None
        check_folders(self.notes_dir, self.out_dir)
        found = scan(self.notes_dir, self.config.ignore)
        templates = templates_digest(self.config)
        inputs = _inputs_key(found.stats, templates, found.hidden)
        if inputs and inputs == self.state.inputs and self._output_intact():
            return self._unchanged(start)  # no input changed: what is deferred stays so
        self.settle(make=False)
        notes = self._parse(found.notes, found.stats, templates)
        self.say(f"parsed {len(notes)} notes in {time.perf_counter() - start:.2f}s")
        try:
            if self.autosave and not self._fresh and self._memo.keys.related is None:
                self._memo.keys.related = load_related(self.out_dir, self.settings)
            plan, diags = plan_site(notes, found.assets, self.config, found.hidden, self._memo)
            plan.graph_cache = self._graph_cache  # each note's part of graph.json, kept
            plan.graph_layout = self._layout
            if self.autosave:  # `build`: kept on disk too (serve keeps them in memory)
                plan.graph_store = GraphStore(self.out_dir, self.settings, not self._fresh)
            sources = {plan.urls[a]: found.assets[a] for a in plan.assets} | static_files(
                self.config
            )
            result = self._render_and_write(plan, sources, templates)
        except BaseException:
            self._memo = PlanMemo()  # a failed build may leave its caches half updated
            raise
        self.say(f"rendered {result.pages} pages in {time.perf_counter() - start:.2f}s")
        page_diags = [d for ds in self.state.page_diags.values() for d in ds]
        try:
            page_diags += self._index(plan)
            if self._job is not None:
                self.settle(index=False)  # graph.json from the process making it, written
        finally:
            if self._job is not None:  # not asked for: the build failed before
                self._job.discard()
                self._job = None
        result.files += len(self.search.files)  # under serve: the index made so far
        result.diagnostics = apply_severity(
            list(found.diagnostics) + diags + page_diags, self.config
        )
        result.notes, result.seconds = len(plan.notes), time.perf_counter() - start
        self.state.inputs, self.state.diagnostics = inputs, result.diagnostics
        self.state.summary = (result.notes, result.pages, result.files)
        if self.autosave:
            self._keep(partial(save_state, self.out_dir, self.settings, self.state))
            self._keep(partial(save_layout, self.out_dir, self._layout))
            if (related := self._memo.keys.related) is not None:
                self._keep(partial(save_related, self.out_dir, self.settings, related))
        if self._cache_error is not None:  # (not kept in the state: not a problem of the notes)
            problem = apply_severity([cache_problem(self._cache_error)], self.config)
            result.diagnostics = result.diagnostics + problem
        return result

    def _keep(self, save: Callable[[], None]) -> None:
        """Write a cache file: one that cannot be written (a disk full, a folder not
        writable) makes the next build slower, not this one fail (`cache-write`)."""
        try:
            save()
        except OSError as err:
            self._cache_error = self._cache_error or err

    def _output_intact(self) -> bool:
        search = not self.config.search or self.search.due is not None
        search = search or self.search.made() is not None
        if not (self.out_dir / MARKER).exists() or not search:
            return False
        if self.keep:  # serve: what it serves is in memory; it reads the folder only once
            return bool(self._files)
        return not _strays(self.out_dir, set(self.state.digests))

    def _meanwhile(self, plan: SitePlan, cold: bool) -> None:
        """What this process does while its workers render: on a cold build, it makes the
        search index (`_index` writes it)."""
        if cold and not self.keep and self.config.search:
            self.search.prepare(_entries(plan))

    def _index(self, plan: SitePlan) -> list[Diagnostic]:
        """The search index of the note pages as just written: made now by `build`, when
        idle by `serve` (indexing a big vault takes seconds; a save's page must not wait)."""
        if not self.config.search:
            self.search.remove()
            return []
        return self.search.want(_entries(plan), now=not self.keep)

    def _unchanged(self, start: float) -> BuildResult:
        notes, pages, files = self.state.summary
        return BuildResult(
            notes, pages, files, list(self.state.diagnostics), time.perf_counter() - start
        )

    def save_cache(self) -> None:
        self.settle(index=False)  # serve stopping: an index still due is made by the next build
        if self.cache and self.state.keys:  # (when it cannot be written: slower next time)
            self._keep(partial(save_layout, self.out_dir, self._layout))
            self._keep(partial(save_state, self.out_dir, self.settings, self.state))
            self._keep(partial(save_notes, self.out_dir, self.settings, self._pickled()))

    # -- parsing -------------------------------------------------------------------------

    def _parse(
        self, files: dict[NotePath, Path], stats: dict[str, StatKey], templates: str
    ) -> list[Note]:
        """Cached notes whose file did not change; the others parsed (in parallel if many)."""
        if not self._notes_loaded:
            cached = load_notes(self.out_dir, self.settings)
            self.state.notes = read_notes(cached)
            if self.autosave:  # (serve pickles the notes again when it stops)
                self._pickles = {p: data for p, (_stat, data) in cached.items()}
            self._notes_loaded = True
        now = time.time()
        old, keep, todo = self.state.notes, {}, {}

        def trusted(key: StatKey) -> StatKey:
            """A stat too recent to trust is kept as unknown: the text is checked next time
            (it may change again within one mtime tick, after it was read)."""
            return _UNKNOWN if _racy(key, now) else key

        for path, file in files.items():
            key, cached = stats[path], old.get(path)
            if cached and cached[0] == key and not _racy(key, now):
                keep[path] = cached
            elif cached and _clean(cached[1]) and file_digest(file) == cached[1].digest:
                keep[path] = (trusted(key), cached[1])  # touched or saved again, same text
            else:
                todo[path] = file
        many = len(todo) > 64
        warm = partial(self._warm_up, templates) if many else (lambda: None)
        due = self.autosave and bool(todo or len(keep) != len(old))
        fresh = self._parse_saving(todo, keep, stats, trusted, warm, due)
        for note in fresh:
            keep[note.path] = (trusted(stats[note.path]), note)  # the stat before the read
        self.state.notes = keep
        return [keep[p][1] for p in sorted(keep)]

    def _parse_saving(
        self,
        todo: dict[NotePath, Path],
        keep: dict[NotePath, tuple[StatKey, Note]],
        stats: dict[str, StatKey],
        trusted: Callable[[StatKey], StatKey],
        warm: Callable[[], None],
        due: bool,
    ) -> list[Note]:
        """Parse `todo`; when `due`, write the parse cache meanwhile (`NotesWriter`): the
        notes kept, then each parsed note as it comes, with its `trusted` stat."""
        pickles, self._pickles = self._pickles, {}  # the cache's, needed no longer after
        strict = self.config.strict_line_breaks
        if not due:
            return parse_notes(todo, strict, self.jobs, warm, stats=stats)
        with NotesWriter(self.out_dir, self.settings) as writer:
            for path, (key, note) in keep.items():
                writer.add(path, key, pickles.get(path) or pickle_note(note))
            del pickles

            def parsed(note: Note, data: bytes) -> None:
                writer.add(note.path, trusted(stats[note.path]), data)

            notes = parse_notes(todo, strict, self.jobs, warm, parsed, stats)
        if writer.error is not None:
            self._cache_error = self._cache_error or writer.error
        return notes

    def _pickled(self) -> dict[NotePath, tuple[StatKey, bytes]]:
        """Every note's stat and pickle (serve, when it stops)."""
        return {path: (stat, pickle_note(note)) for path, (stat, note) in self.state.notes.items()}

    def _warm_up(self, templates: str) -> None:
        """What comes after parsing, made ready while the parser processes work."""
        self._environment(templates, compile_all=True)
        import_planning()

    def _environment(self, templates: str, compile_all: bool = False) -> jinja2.Environment:
        """The Jinja environment, made again when a template changed."""
        if self._env is None or self._env[0] != templates:
            jinja = cache_file(self.out_dir).parent / "jinja" if self.cache else None
            self._env = (templates, warm_up(self.config, templates, compile_all, jinja))
        return self._env[1]

    # -- rendering and writing -----------------------------------------------------------

    def _render_and_write(
        self, plan: SitePlan, sources: dict[str, Path], digest: str
    ) -> BuildResult:
        jobs = plan.jobs()
        cold = not self.state.keys or not (self.out_dir / MARKER).exists()
        old = {} if cold else self.state.keys
        keys = {GRAPH_URL: digest + graph_key(plan)}  # as every page: templates, then inputs
        with_graph = old.get(GRAPH_URL) != keys[GRAPH_URL]
        # On a small rebuild, graph.json (the biggest single file) is made in another process
        # while this one keys the pages and renders those whose key changed; under serve, it
        # is made when first asked for (a reader waiting for a page does not wait for it).
        defer = with_graph and self.keep and not cold
        graph = None if cold or not with_graph or defer else start_graph(plan, self.jobs)
        # A cold build renders every page; its workers key them.
        keys |= {} if cold else {job.url: digest + job.key for job in jobs}
        keys |= {url: _key(digest, str(path), stat_key(path)) for url, path in sources.items()}
        todo = jobs if cold else [job for job in jobs if old.get(job.url) != keys[job.url]]
        writer = SiteWriter(self.out_dir) if cold else None
        try:
            env = self._environment(digest) if todo or cold else None
            own_graph = with_graph and graph is None and not defer
            meanwhile = partial(self._meanwhile, plan, cold)
            rendered = render_pages(
                plan, env, todo, own_graph, self.jobs, writer, self.keep, cold, meanwhile
            )
            if rendered.forked and cold:
                plan.memo.forget()  # the pages were keyed in the workers, not here
            if rendered.layout is not None:  # graph.json was made (perhaps in a worker)
                self._layout = rendered.layout
            keys |= {url: digest + key for url, key in rendered.keys.items()}
            copies = {
                u: p
                for u, p in sources.items()
                if old.get(u) != keys[u] or _racy(stat_key(p), time.time())
            }
            result = self._write(rendered, copies, writer, set(keys))
            if graph is not None:
                graph.receive()  # nothing more is forked: its result is read meanwhile
        except BaseException:
            if writer is not None:
                writer.abort()
            if graph is not None:
                graph.discard()
            raise
        pending = Deferred(partial(graph_json, plan), keys[GRAPH_URL]) if defer else None
        if graph is not None:  # being made in another process: the build settles it after
            pending = Deferred(partial(self._graph_made, graph), keys[GRAPH_URL])  # the search
            self._job = graph  # index, which it can overlap (a core each)
        self._remember(keys, rendered, result, sources, pending)
        result.pages = sum(1 for job in jobs if job.url.endswith(".html"))
        return result

    def _graph_made(self, job: GraphJob, _stop: Callable[[], bool] | None) -> bytes:
        """graph.json from the process that made it; its layout is kept for the next build.
        (The job is forgotten once it answered: interrupted before, the build discards it.)"""
        made = job.result()
        self._job = None
        if made.layout is not None:
            self._layout = made.layout
        return made.files[GRAPH_URL]

    def _write(
        self,
        rendered: Rendered,
        copies: dict[str, Path],
        writer: SiteWriter | None,
        planned: set[str],
    ) -> BuildResult:
        """Write what changed (everything, into a fresh folder, on a cold build)."""
        if writer is not None:
            for url, path in copies.items():
                writer.copy(url, path)
            writer.write(".nojekyll", b"")
            files = writer.commit()
            return BuildResult(files=files, written=sorted(rendered.digests) + sorted(copies))
        changed = {
            u: d
            for u, d in rendered.files.items()
            if self.state.digests.get(u) != rendered.digests[u]
        }
        copies = {u: p for u, p in copies.items() if self.state.digests.get(u) != _file_digest(p)}
        strays = [] if self.keep else _strays(self.out_dir, set(self.state.digests) | planned)
        _write_files(self.out_dir, changed, copies)
        removed = sorted(set(self.state.digests) - planned)
        _remove_files(self.out_dir, removed + strays)
        return BuildResult(
            files=len(planned) + 2, written=sorted(changed) + sorted(copies), removed=removed
        )

    def _remember(
        self,
        keys: dict[str, str],
        rendered: Rendered,
        result: BuildResult,
        sources: dict[str, Path],
        pending: Deferred | None,
    ) -> None:
        state = self.state
        state.keys = dict(keys)
        if pending is not None:  # graph.json is up to date once settled, not before
            state.keys.pop(GRAPH_URL, None)
            self._pending = pending
        state.digests.update(rendered.digests)
        for url in result.written:
            if url in sources:  # a copied attachment or static file
                state.digests[url] = _file_digest(sources[url])
        state.digests = {u: d for u, d in state.digests.items() if u in keys}
        state.page_diags.update(rendered.diagnostics)
        state.page_diags = {u: d for u, d in state.page_diags.items() if u in keys}
        for url in result.written:  # only what this build wrote can have a new stat
            state.stats[url] = stat_key(self.out_dir / url) or (0, 0, 0)
        state.stats = {u: k for u, k in state.stats.items() if u in state.digests}
        if self.keep:
            self._files = self._snapshot(rendered, keys, sources, pending)

    def _snapshot(
        self,
        rendered: Rendered,
        keys: dict[str, str],
        sources: dict[str, Path],
        pending: Deferred | None,
    ) -> Snapshot:
        files: dict[str, bytes | Path | Deferred] = {}
        before = self._files.raw if isinstance(self._files, Snapshot) else {}
        for url in keys:
            data = sources.get(url) or rendered.files.get(url) or before.get(url)
            files[url] = data if data is not None else (self.out_dir / url).read_bytes()
        if pending is not None:
            files[GRAPH_URL] = pending
        return Snapshot(files, self.search)


class Deferred:
    """Bytes made on first use, once, whichever thread asks first."""

    def __init__(self, make: Callable[[Callable[[], bool] | None], bytes], key: str) -> None:
        self._make, self.key = make, key
        self._data: bytes | None = None
        self._lock = threading.Lock()

    @property
    def made(self) -> bool:
        return self._data is not None

    def get(self, stop: Callable[[], bool] | None = None) -> bytes:
        """The bytes; `stop` may interrupt their making (`Interrupted`), a reader's never."""
        with self._lock:
            if self._data is None:
                self._data = self._make(stop)
            return self._data


class Snapshot(Mapping[str, "bytes | Path"]):
    """A complete site: url → bytes, or the file to send; deferred entries are made when
    read, from the plan of the same build, so every read sees one consistent site. The
    search index's files are the latest written (shared by every snapshot, made when idle)."""

    def __init__(
        self, raw: dict[str, bytes | Path | Deferred], search: SearchIndex | None = None
    ) -> None:
        self.raw = raw
        self._search = search

    def _index(self) -> dict[str, Path]:
        return self._search.files if self._search is not None else {}

    def __contains__(self, url: object) -> bool:  # without making a deferred entry
        return url in self.raw or url in self._index()

    def __getitem__(self, url: str) -> bytes | Path:
        data = self.raw[url] if url in self.raw else self._index()[url]
        return data.get() if isinstance(data, Deferred) else data

    def __iter__(self) -> Iterator[str]:
        return iter([*self.raw, *self._index()])

    def __len__(self) -> int:
        return len(self.raw) + len(self._index())


_OWN_FILES = {MARKER, ".nojekyll"}


def _entries(plan: SitePlan) -> list[Entry]:
    """The search index's entries: one per note page."""
    return [entry(plan.notes[p], plan.urls[p]) for p in plan.notes]


def _inputs_key(stats: dict[str, StatKey], templates: str, hidden: set[NotePath]) -> str:
    """Fingerprint of every input, or "" when a file is too recent to trust its stat. The
    names of hidden and ignored notes count too: links to them become plain text."""
    now = time.time()
    if any(_racy(key, now) for key in stats.values()):
        return ""
    listing = "".join(f"{path}\0{key}\0" for path, key in sorted(stats.items()))
    names = "\0".join(sorted(hidden))
    return hashlib.sha1(f"{templates}\0{listing}\0{names}".encode()).hexdigest()


def _clean(note: Note) -> bool:
    """A note read without trouble: one that was not (bad bytes, a read error) is parsed
    again rather than trusted by the digest of its text."""
    return not any(d.code in ("encoding", "read-error") for d in note.diagnostics)


def _key(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def _racy(key: StatKey | None, now: float) -> bool:
    """Whether a file's stat cannot be trusted: gone, or changed so recently that it may
    change again within the same mtime tick (then its content is read again)."""
    return key is None or now - key[1] / 1e9 < _RACY_SECONDS


def _file_digest(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def _write_files(out: Path, pages: dict[str, bytes], copies: dict[str, Path]) -> None:
    """Each file replaced atomically (written beside it, then renamed over it), never
    through a symbolic link to a folder elsewhere."""
    for folder in sorted({(out / url).parent for url in [*pages, *copies]}):
        no_links_between(out, folder)

    def put(url: str, data: bytes | None, source: Path | None) -> None:
        target = out / url
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary(target)
        if source is not None:
            shutil.copyfile(source, tmp)
        else:
            tmp.write_bytes(data or b"")
        os.replace(tmp, target)

    items = [(u, d, None) for u, d in pages.items()] + [(u, None, p) for u, p in copies.items()]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda item: put(*item), items))


def _strays(out: Path, known: set[str]) -> list[str]:
    """Files in the output folder that no build wrote there (put there by hand): `build`
    deletes them, as a first build, which replaces the folder, does. Names are compared in
    NFC (a disk may hand them back in NFD: they are the same files); the search index's
    folder is left to the index, which deletes files of an older index itself, and another
    process's temporary files (`.name.tmp-PID`) to that process."""
    found = []
    for folder, subfolders, names in os.walk(out):
        here = Path(folder).relative_to(out).as_posix()
        prefix = "" if here == "." else f"{here}/"
        linked = [name for name in subfolders if os.path.islink(os.path.join(folder, name))]
        found += [prefix + name for name in linked]  # a link to a folder: itself a stray
        subfolders[:] = [name for name in subfolders if name not in linked]
        if nfc(prefix) == f"{SEARCH_DIR}/":
            subfolders.clear()
            continue
        for name in names:
            url = prefix + name  # as on disk: what to delete
            if nfc(url) not in known and not is_temporary(name):
                found.append(url)
    return sorted(url for url in found if url not in _OWN_FILES)


def _remove_files(out: Path, urls: list[str]) -> None:
    for url in urls:
        path = out / url
        no_links_between(out, path.parent)  # never a file behind a link, outside the site
        if path.is_dir() and not path.is_symlink():
            continue  # a link to a folder, replaced by a real one as files were written
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def build_site(
    notes_dir: Path,
    out_dir: Path,
    config: Config,
    progress: Progress | None = None,
    jobs: int = 0,
    cache: bool = False,
) -> BuildResult:
    """Build the site into `out_dir` (from scratch unless `cache`)."""
    return Builder(notes_dir, out_dir, config, jobs, cache, progress=progress).build()


@dataclass
class MemorySink:
    """Collects a site in memory (for `check` and tests) instead of writing it."""

    files: dict[str, bytes] = field(default_factory=dict)


def make_site(
    notes_dir: Path,
    config: Config,
    sink: MemorySink,
    progress: Progress | None = None,
    jobs: int = 0,
) -> BuildResult:
    """Compute the whole site in memory, writing nothing (`mindmap check`)."""
    start = time.perf_counter()
    found = scan(notes_dir, config.ignore)
    templates = templates_digest(config)
    notes = parse_notes(found.notes, config.strict_line_breaks, jobs, stats=found.stats)
    plan, diags = plan_site(notes, found.assets, config, found.hidden)
    rendered = render_pages(plan, warm_up(config, templates, True), plan.jobs(), True, jobs)
    sink.files.update(rendered.files)
    page_diags = [d for ds in rendered.diagnostics.values() for d in ds]
    all_diags = apply_severity(list(found.diagnostics) + diags + page_diags, config)
    pages = sum(1 for url in rendered.files if url.endswith(".html"))
    return BuildResult(
        len(plan.notes), pages, len(rendered.files), all_diags, time.perf_counter() - start
    )
