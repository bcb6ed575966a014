"""The stages of a build between parsing and writing: plan the site, then render pages.

Stateless functions; build.py strings them together (and keeps state between builds).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mindmap.config import Config, template_dirs
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.fingerprint import fingerprint
from mindmap.model import Note
from mindmap.output import SiteWriter
from mindmap.paths import AssetPath, NotePath, stem_of
from mindmap.vault import start_worker, worker_count

if TYPE_CHECKING:
    import jinja2

    from mindmap.graph import NoteEdges
    from mindmap.layout import LayoutMemo
    from mindmap.resolve import Resolution, ResolutionCache, Resolver
    from mindmap.site import KeyMemo, PageJob, SitePlan

_PARALLEL_PAGES = 200
GRAPH_URL = "graph.json"


def warm_up(
    config: Config, templates: str, compile_all: bool = False, cache_dir: Path | None = None
) -> jinja2.Environment:
    """The template environment, shared by every Builder of this process while the templates
    are the same (`serve` makes a new Builder when the settings change). `compile_all` compiles
    every page template now: a cold build does it while the parser processes work, and its
    forked render workers inherit the result; a small rebuild compiles what it uses."""
    key = (str(config.templates_dir), templates)
    if key not in _ENVIRONMENTS:
        from mindmap.render import make_environment

        _ENVIRONMENTS.clear()
        _ENVIRONMENTS[key] = make_environment(config.templates_dir, cache_dir)
    env = _ENVIRONMENTS[key]
    if compile_all:
        for name in (
            "note.html",
            "tag.html",
            "tags.html",
            "folder.html",
            "notes.html",
            "index.html",
        ):
            env.get_template(name)
    return env


_ENVIRONMENTS: dict[tuple[str, str], jinja2.Environment] = {}


def import_planning() -> None:
    """Import what planning uses that a build's own process has not needed yet (the
    Markdown engine among it: bodies.py cuts embeds by its tokens). A cold build calls this
    while the parser processes work, so that planning does not wait for it (0.04 s)."""
    for module in ("mindmap.bodies", "mindmap.site"):
        importlib.import_module(module)


@dataclass
class PlanMemo:
    """Caches a Builder keeps from one plan to the next; each is exact by construction (it
    checks what its entries were made from), so a plan with or without them is the same.
    The two that need planning's modules are made when the first plan asks for them: a
    Builder is made before the parser processes start, which need none of those modules."""

    edges: dict[NotePath, NoteEdges] = field(default_factory=dict)  # LinkGraph's parts
    urls: tuple[Any, Any] | None = None  # the inputs and result of the last plan_urls
    _resolutions: ResolutionCache | None = None
    _keys: KeyMemo | None = None

    @property
    def resolutions(self) -> ResolutionCache:
        if self._resolutions is None:
            from mindmap.resolve import ResolutionCache

            self._resolutions = ResolutionCache()
        return self._resolutions

    @property
    def keys(self) -> KeyMemo:
        if self._keys is None:
            from mindmap.site import KeyMemo

            self._keys = KeyMemo()
        return self._keys


def plan_site(
    notes: list[Note],
    assets: dict[AssetPath, Path],
    config: Config,
    hidden: set[NotePath] | frozenset[NotePath] = frozenset(),
    memo: PlanMemo | None = None,
) -> tuple[SitePlan, list[Diagnostic]]:
    """Resolve every link against the published vault and decide every page.

    `hidden` are the vault paths of notes left out (hidden folders, `ignore`): like drafts,
    links to them become plain text instead of missing links that would name them. `memo`
    carries what the previous plan of the same vault can lend this one."""
    from mindmap.bodies import BodyFiller
    from mindmap.graph import LinkGraph, all_tags, tag_labels
    from mindmap.site import SitePlan
    from mindmap.urls import folders_of, plan_urls

    memo = memo or PlanMemo()

    diags = [d for n in notes for d in n.diagnostics]
    published = {n.path: n for n in notes if n.published}
    private = {n.path for n in notes if not n.published} | set(hidden)
    resolver = memo.resolutions.resolver(published, set(assets), private, config.resolve_aliases)
    resolutions = memo.resolutions.resolve_all(published, resolver)
    diags += link_diagnostics(published, resolutions, resolver, cache=memo.resolutions)
    used = used_assets(resolutions)
    home = find_home(published, config)
    if config.home and home is None:
        diags.append(_no_home(config.home))
    tags = sorted(all_tags(published.values()))
    folders = folders_of(list(published))
    reserved = sorted(static_files(config))  # the stylesheets' urls are not for attachments
    wanted = ([(p, n.meta.get("permalink")) for p, n in published.items()], used, home, tags)
    if memo.urls is None or memo.urls[0] != (wanted, folders, reserved):
        found = plan_urls(published, sorted(used), home, tags, folders, reserved)
        memo.urls = ((wanted, folders, reserved), found)  # the same inputs: the same urls
    urls, tag_urls, folder_urls = memo.urls[1]
    filler = BodyFiller(published, resolutions, urls, tag_urls, config.embed_depth)
    graph = LinkGraph(published, resolutions, memo.edges)
    plan = SitePlan(config, published, graph, filler, urls, tag_urls, folder_urls, home, used)
    plan.tag_labels = tag_labels(published)
    plan.memo = memo.keys
    memo.keys.start(published, urls, tag_urls, folder_urls, plan.tag_labels)
    plan.prepare_keys()
    return plan, diags


def graph_key(plan: SitePlan) -> str:
    """Fingerprint of graph.json: each note's source and where its links point, the urls."""
    parts = [fingerprint("urls", [plan.urls, plan.tag_urls, plan.tag_labels])]
    for path, note in sorted(plan.notes.items()):
        parts.append(f"{path}\0{note.digest}\0{plan.targets_text(path)}\0")
    return hashlib.sha1("".join(parts).encode()).hexdigest()


@dataclass
class Rendered:
    """What rendering produced: bytes (unless written by the workers), digests, diagnostics."""

    files: dict[str, bytes] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    diagnostics: dict[str, list[Diagnostic]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # input keys, when asked for
    forked: bool = False  # made by worker processes
    layout: LayoutMemo | None = None  # graph.json's layout, when graph.json was made

    def merge(self, other: Rendered) -> None:
        self.files.update(other.files)
        self.digests.update(other.digests)
        self.diagnostics.update(other.diagnostics)
        self.keys.update(other.keys)
        self.layout = other.layout or self.layout


@dataclass
class _Work:
    plan: SitePlan
    env: jinja2.Environment | None
    jobs: list[PageJob]
    with_graph: bool
    with_keys: bool  # compute each page's input key too (cold builds, in parallel)
    writer: SiteWriter | None = None  # a cold build's: its workers write their pages with it


_WORK: _Work | None = None  # shared with forked workers


def render_pages(
    plan: SitePlan,
    env: jinja2.Environment | None,
    jobs: list[PageJob],
    with_graph: bool,
    workers: int = 0,
    writer: SiteWriter | None = None,
    keep: bool = True,
    with_keys: bool = False,
    meanwhile: Callable[[], None] = lambda: None,
) -> Rendered:
    """Render `jobs` (and graph.json), on all cores when there are many.

    This process renders with `workers - 1` helpers it forks (`_share`), and writes each
    chunk a helper finishes (`writer`) as it comes: creating files costs ~0.5 ms each on
    some disks, and that waiting then overlaps rendering. `meanwhile` runs in this process
    once the helpers are forked, before it renders."""
    global _WORK
    workers = worker_count(workers)
    _WORK = _Work(plan, env, jobs, with_graph, with_keys)
    out = Rendered()
    try:
        if workers == 1 or len(jobs) < _PARALLEL_PAGES:
            meanwhile()
            _collect(out, _render_range((-1, len(jobs))), writer, keep)
        else:
            step = -(-len(jobs) // (workers * 8))
            ranges = [(-1, step)] + [
                (lo, min(lo + step, len(jobs))) for lo in range(step, len(jobs), step)
            ]
            # The big jobs first, so that the last ranges, which one worker may end alone,
            # are small: graph.json, then the site's own pages (the list of all notes...), then
            # the notes and the tags (a tag page costs a third of a note's).
            ranges.insert(1, ranges.pop())
            # This process renders too, with `workers - 1` forked helpers, each taking the
            # next range not taken yet (`_share`). A forked process copies each page of memory
            # it touches (Python writes a reference count into every object it reads), and
            # the vault's parsed notes are most of it: with this process as one of the two
            # renderers instead of a pool of two, a cold build of the 1,000 notes has 75,000
            # page faults instead of 82,500, and a peak of 225 MB instead of 293
            # (flancian-garden: 638 MB instead of 827).
            # Rendering leaves cycles (Jinja's contexts: about a hundred objects a page), so
            # each process collects them after each range (`_collected`), not as usual: the
            # collector's passes in between cost a fifth of the rendering (the parent pauses it
            # during a build, and the fork inherits that). What the parent holds (the whole
            # vault, parsed) is frozen first, out of these collections: walking it again
            # and again cost the workers a third of their time.
            # A cold build's pages are written by the process that renders them: their
            # bytes do not cross back to this one (0.2 CPU seconds at 1,000 notes).
            if writer is not None and not keep:
                _WORK.writer = writer
            gc.freeze()
            try:
                _share(
                    ranges, workers - 1, lambda chunk: _collect(out, chunk, writer, keep), meanwhile
                )
            finally:
                gc.unfreeze()
            out.forked = True
    finally:
        _WORK = None
    return out


def _share(
    ranges: list[tuple[int, int]],
    helpers: int,
    collect: Callable[[Rendered], None],
    meanwhile: Callable[[], None],
) -> None:
    """Render `ranges` in this process and in `helpers` forked ones, each taking the next
    range not taken yet (a counter in shared memory), so that they end together however
    fast each runs. The helpers send each range's result as it is done, `collect`ed here by
    a thread (`_Helper`); `meanwhile` runs here first."""
    taken = multiprocessing.get_context("fork").Value("i", 0)

    def take() -> tuple[int, int] | None:
        with taken.get_lock():
            n = taken.value
            taken.value = n + 1
        return ranges[n] if n < len(ranges) else None

    lock = threading.Lock()

    def collect_one(chunk: Rendered) -> None:
        with lock:
            collect(chunk)

    def render(send: Callable[[Any], None]) -> None:
        while (bounds := take()) is not None:
            send(_collected(bounds))

    helpers_ = [_Helper(render, "a process rendering pages") for _ in range(helpers)]
    try:
        for helper in helpers_:
            helper.receive(collect_one)  # every helper is forked: threads may start
        meanwhile()
        while (bounds := take()) is not None:
            collect_one(_collected(bounds))
        for helper in helpers_:
            helper.join()
    finally:
        for helper in helpers_:
            helper.discard()


class _Helper:
    """A forked process doing `work`, which sends each result as it is made (`send`)
    through a pipe: a length, then a pickle; an error is sent so, and ends the work.
    `what` names the process in the errors."""

    def __init__(self, work: Callable[[Callable[[Any], None]], None], what: str) -> None:
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: work, send, leave at once (no cleanup)
            code = 1
            try:
                os.close(read)
                start_worker()
                with os.fdopen(write, "wb") as pipe:

                    def send(made: Any) -> None:
                        data = pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL)
                        pipe.write(len(data).to_bytes(8, "little") + data)
                        pipe.flush()

                    try:
                        work(send)
                    except Exception as err:
                        data = _pickled_error(err, what)
                        pipe.write(len(data).to_bytes(8, "little") + data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.what = what
        self._pid: int | None = pid
        self._pipe = os.fdopen(read, "rb")
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def receive(self, collect: Callable[[Any], None]) -> None:
        """Read the results in a thread, `collect`ing each, until the helper is done."""

        def read() -> None:
            try:
                while header := self._pipe.read(8):
                    made = pickle.loads(self._pipe.read(int.from_bytes(header, "little")))
                    if isinstance(made, BaseException):
                        raise made
                    collect(made)
            except BaseException as err:
                self._error = err

        self._thread = threading.Thread(target=read, name=self.what, daemon=True)
        self._thread.start()

    def join(self) -> None:
        """Wait for every result; a helper's error (or its death) is raised here."""
        assert self._thread is not None and self._pid is not None
        self._thread.join()
        if self._error is not None:  # (the helper may wait to send what is read no more)
            self.discard()
            raise self._error
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if status != 0:  # killed (by the system, out of memory) or crashed
            raise RuntimeError(f"{self.what} failed (wait status {status})")

    def discard(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
        if self._thread is not None:
            self._thread.join()  # its pipe ended with the process
        self._pipe.close()


class GraphJob:
    """graph.json being made by a forked process (or here, when forking is not safe).

    The child is forked bare (`_Helper`) and sends its result back through a pipe: a pool
    would run threads in this process, and a process that runs threads is not forked again,
    so the pages rendered meanwhile (all of them after a template changed) would be rendered
    by this process alone instead of by a worker a core. Its collector stays paused, as the
    build's: a pass walks the whole vault the child inherits (0.1 of its 0.4 s after a
    one-note edit of 1,000 notes), and the child lives only until graph.json is sent. Once
    nothing more is to be forked, `receive` takes the result in a thread while this one goes
    on (the search index)."""

    def __init__(self, plan: SitePlan, workers: int) -> None:
        global _WORK
        self._helper: _Helper | None = None
        self._made: list[Rendered] = []
        _WORK = _Work(plan, None, [], True, False)
        try:
            if worker_count(workers) > 1:
                self._helper = _Helper(
                    lambda send: send(_render_range((-1, 0))), "the process making graph.json"
                )
            else:
                self.done = _render_range((-1, 0))
        finally:
            _WORK = None

    @property
    def _pid(self) -> int | None:
        return self._helper._pid if self._helper is not None else None

    def receive(self) -> None:
        """Start reading the result in a thread (forking is over by then)."""
        if self._helper is not None and self._helper._thread is None:
            self._helper.receive(self._made.append)

    def discard(self) -> None:
        if self._helper is not None:
            self._helper.discard()
            self._helper = None

    def result(self) -> Rendered:
        """The result (again when asked again); the child's error is raised here."""
        if self._helper is None:
            return self.done
        self.receive()
        helper, self._helper = self._helper, None
        try:
            helper.join()
        finally:
            helper.discard()  # (its pipe closed)
        (self.done,) = self._made
        return self.done


def _pickled_error(err: Exception, what: str) -> bytes:
    """The pickle of an error in a child process, with its traceback as a note (`what`
    names the child); an error that does not survive pickling becomes a RuntimeError."""
    trace = "".join(traceback.format_exception(err)).rstrip()
    err.add_note(f"in {what}:\n{trace}")
    try:
        data = pickle.dumps(err, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(RuntimeError(f"{what} failed:\n{trace}"))


def graph_json(plan: SitePlan, stop: Callable[[], bool] | None = None) -> bytes:
    """graph.json; with `plan.graph_store`, each note's part is read from and kept on disk."""
    store = plan.graph_store
    if store is not None and not plan.graph_cache:
        plan.graph_cache.update(store.load())
    data = plan.graph.to_json(
        plan.urls, plan.tag_urls, plan.graph_cache, stop, plan.graph_layout, plan.tag_labels
    )
    if store is not None:
        store.save({p: v for p, v in plan.graph_cache.items() if p in plan.notes})
    return data


def start_graph(plan: SitePlan, workers: int = 0) -> GraphJob:
    return GraphJob(plan, workers)


def _collect(out: Rendered, chunk: Rendered, writer: SiteWriter | None, keep: bool) -> None:
    if writer is not None:
        writer.write_many(chunk.files)
        if not keep:
            chunk.files = {}
    out.merge(chunk)


def _collected(bounds: tuple[int, int]) -> Rendered:
    """`_render_range` in a worker, which then frees the cycles it left: a collection of the
    young generations only, the objects made since the last range (what survives it, the
    worker's memos, is not walked again; a full collection walked them all after every
    range: 0.55 CPU seconds over the 1,000-note reference vault, against 0.13, freeing the
    same 163,000 objects)."""
    try:
        return _render_range(bounds)
    finally:
        gc.collect(1)


def _render_range(bounds: tuple[int, int]) -> Rendered:
    """Jobs [lo, hi); lo == -1 also makes graph.json (a big job of its own)."""
    from mindmap.render import render_page

    assert _WORK is not None
    work, out = _WORK, Rendered()
    if bounds[0] == -1 and work.with_graph:
        _add(out, GRAPH_URL, graph_json(work.plan), [], work.writer)
        out.layout = work.plan.graph_layout  # back to the builder from a worker process
    for job in work.jobs[max(bounds[0], 0) : bounds[1]]:
        work.plan.filler.diagnostics.clear()
        assert work.env is not None
        html, problem = render_page(work.env, job.page())
        page_diags = sorted(work.plan.filler.diagnostics) + ([problem] if problem else [])
        _add(out, job.url, html.encode("utf-8"), page_diags, work.writer)
        if work.with_keys:
            out.keys[job.url] = job.key
    return out


def _add(
    out: Rendered,
    url: str,
    data: bytes,
    diags: list[Diagnostic],
    writer: SiteWriter | None = None,
) -> None:
    """A page rendered: kept in `out`, or written with `writer` (a worker of a cold build)."""
    if writer is None:
        out.files[url] = data
    else:
        writer.write(url, data)
    out.digests[url] = hashlib.sha1(data).hexdigest()
    out.diagnostics[url] = diags


def static_files(config: Config) -> dict[str, Path]:
    """templates/static/* → static/*; a user's file of the same name wins."""
    out: dict[str, Path] = {}
    for folder in reversed(template_dirs(config.templates_dir)):
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    out["static/" + path.relative_to(static).as_posix()] = path
    return out


def templates_digest(config: Config) -> str:
    """Changes when any template or static file changes: every page key includes it."""
    h = hashlib.sha1()
    for folder in template_dirs(config.templates_dir):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    h.update(repr(config).encode())
    return h.hexdigest()


def link_diagnostics(
    notes: dict[NotePath, Note],
    resolutions: dict[NotePath, list[Resolution]],
    resolver: Resolver,
    hints: int = 200,
    cache: ResolutionCache | None = None,
) -> list[Diagnostic]:
    """A warning per link that points nowhere, with a did-you-mean for the first ones.

    Each note's warnings are made with its resolutions (and kept with them by `cache`); the
    hints, which depend on the whole vault's names, are added here."""
    out: list[Diagnostic] = []
    for path in sorted(notes):
        if cache is not None:
            problems = cache.problems(path, lambda p=path: link_problems(notes[p], resolutions[p]))
        else:
            problems = link_problems(notes[path], resolutions[path])
        for diag, target in problems:
            if target is not None:
                hint = resolver.suggest(target) if hints > 0 else None
                hints -= 1
                diag = replace(diag, hint=f"did you mean [[{hint}]]?") if hint else diag
            out.append(diag)
    return out


def link_problems(
    note: Note, resolutions: list[Resolution]
) -> tuple[tuple[Diagnostic, str | None], ...]:
    """A note's links that point nowhere, each with the name to suggest a note for (missing
    notes) or None (missing anchors)."""
    out: list[tuple[Diagnostic, str | None]] = []
    for ref, res in zip(note.links, resolutions, strict=True):
        if res.status == "missing":
            what = "embed" if ref.embed else "link"
            message = f'no note named "{ref.target.strip()}"'
            diag = Diagnostic(
                note.path, ref.line, ref.col, Severity.WARNING, f"{what}-missing", message
            )
            out.append((diag, ref.target))
        elif res.status == "bad-anchor":
            part = f"^{ref.block}" if ref.block else "#".join(ref.heading)
            message = f'"{stem_of(str(res.target))}" has no heading or block "{part}"'
            hint = (
                "the embed shows a placeholder"
                if ref.embed
                else "the link goes to the top of the note"
            )
            diag = Diagnostic(
                note.path, ref.line, ref.col, Severity.WARNING, "anchor-missing", message, hint
            )
            out.append((diag, None))
    return tuple(out)


def used_assets(resolutions: dict[NotePath, list[Resolution]]) -> set[AssetPath]:
    """Attachments that published notes link or embed: only these are copied (privacy)."""
    return {
        AssetPath(str(r.target))
        for rs in resolutions.values()
        for r in rs
        if r.status == "found" and r.is_asset
    }


def _no_home(name: str) -> Diagnostic:
    return Diagnostic(
        "",
        0,
        0,
        Severity.WARNING,
        "home-missing",
        f'the home setting names no published note: "{name}"',
        "the home page is an overview of the notes instead; name a note by its path in the "
        "vault (a draft or an ignored note cannot be the home page)",
    )


def find_home(notes: dict[NotePath, Note], config: Config) -> NotePath | None:
    """The configured home note, else index.md, else Home.md at the vault root."""
    wanted = [config.home] if config.home else ["index.md", "Home.md"]
    lowered = {p.lower(): p for p in notes}
    for name in wanted:
        key = name.lower() if name.lower().endswith(".md") else name.lower() + ".md"
        if key in lowered:
            return lowered[key]
    return None


def apply_severity(diags: list[Diagnostic], config: Config) -> list[Diagnostic]:
    """The severities `severity:` sets, each diagnostic once, in order (sorting by a tuple:
    the dataclass's own comparisons cost a third of a second on 17,000 warnings)."""
    levels = {code: Severity(level) for code, level in config.severity.items()}
    changed = {
        replace(d, severity=levels[d.code])
        if d.code in levels and levels[d.code] != d.severity
        else d
        for d in diags
    }
    return sorted(
        changed, key=lambda d: (d.path, d.line, d.col, d.severity, d.code, d.message, d.hint)
    )
