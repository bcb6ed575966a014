"""The build, as one story: scan → parse → resolve → graph → plan → render → write.

`make_site` computes every output file; `build_site` writes them into a fresh folder and swaps
it in. Parsing and page rendering each run on all cores when the vault is big (fork).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mindmap.config import Config
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.model import Note
from mindmap.output import SiteWriter, check_folders
from mindmap.paths import AssetPath, NotePath, stem_of
from mindmap.vault import parse_notes, scan

if TYPE_CHECKING:
    import jinja2

    from mindmap.resolve import Resolution, Resolver
    from mindmap.site import SitePlan

Progress = Callable[[str], None]
_PARALLEL_PAGES = 200


class Sink(Protocol):
    """Where output files go: a SiteWriter (disk) or a MemorySink (check, tests)."""

    def write(self, url: str, data: str | bytes) -> None: ...
    def copy(self, url: str, source: Path) -> None: ...


@dataclass
class MemorySink:
    files: dict[str, bytes] = field(default_factory=dict)

    def write(self, url: str, data: str | bytes) -> None:
        self.files[url] = data.encode("utf-8") if isinstance(data, str) else data

    def copy(self, url: str, source: Path) -> None:
        self.files[url] = source.read_bytes()


@dataclass
class BuildResult:
    notes: int = 0  # published notes
    pages: int = 0  # HTML pages
    files: int = 0  # every file written, attachments included
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


def build_site(
    notes_dir: Path, out_dir: Path, config: Config, progress: Progress | None = None, jobs: int = 0
) -> BuildResult:
    """Build the whole site into `out_dir`, replacing it only when everything succeeded."""
    start = time.perf_counter()
    check_folders(notes_dir, out_dir)
    writer = SiteWriter(out_dir)
    try:
        result = make_site(notes_dir, config, writer, progress, jobs)
        result.files = writer.commit()
    except BaseException:
        writer.abort()
        raise
    result.seconds = time.perf_counter() - start
    return result


def make_site(
    notes_dir: Path, config: Config, sink: Sink, progress: Progress | None = None, jobs: int = 0
) -> BuildResult:
    """Compute every output file of the site and hand it to `sink`."""
    say = progress or (lambda _message: None)
    start = time.perf_counter()
    found = scan(notes_dir, config.ignore)
    warm: dict[str, object] = {}
    notes = parse_notes(
        found.notes, config.strict_line_breaks, jobs, lambda: _warm_up(config, warm)
    )
    say(f"parsed {len(notes)} notes in {time.perf_counter() - start:.2f}s")
    plan, diags = plan_site(notes, found.assets, config)
    diags = list(found.diagnostics) + diags
    pages, page_diags = render_pages(plan, warm["env"], sink, jobs)  # type: ignore[arg-type]
    say(f"rendered {pages} pages in {time.perf_counter() - start:.2f}s")
    for asset in sorted(plan.assets):
        sink.copy(plan.urls[asset], found.assets[asset])
    for url, source in static_files(config).items():
        sink.copy(url, source)
    sink.write(".nojekyll", b"")
    all_diags = apply_severity(diags + page_diags, config)
    return BuildResult(len(plan.notes), pages, 0, all_diags, time.perf_counter() - start)


def _warm_up(config: Config, into: dict[str, object]) -> None:
    """Import and compile what comes after parsing, while the workers parse."""
    import mindmap.graph  # noqa: F401  (networkx is slow to import)
    from mindmap.render import make_environment

    env = make_environment(config.templates_dir)
    for name in ("note.html", "tag.html", "tags.html", "folder.html", "notes.html", "index.html"):
        env.get_template(name)
    into["env"] = env


def plan_site(
    notes: list[Note], assets: dict[AssetPath, Path], config: Config
) -> tuple[SitePlan, list[Diagnostic]]:
    """Resolve every link against the published vault and decide every page."""
    from mindmap.bodies import BodyFiller
    from mindmap.graph import LinkGraph, tag_ancestors
    from mindmap.resolve import Resolver
    from mindmap.site import SitePlan
    from mindmap.urls import folders_of, plan_urls

    diags = [d for n in notes for d in n.diagnostics]
    published = {n.path: n for n in notes if n.published}
    private = {n.path for n in notes if not n.published}
    resolver = Resolver(published, set(assets), private, config.resolve_aliases)
    resolutions = {p: [resolver.resolve(r, p) for r in n.links] for p, n in published.items()}
    diags += link_diagnostics(published, resolutions, resolver)
    used = used_assets(resolutions)
    home = find_home(published, config)
    tags = sorted(tag_ancestors(t for n in published.values() for t in n.tags))
    folders = folders_of(list(published))
    urls, tag_urls, folder_urls = plan_urls(published, sorted(used), home, tags, folders)
    filler = BodyFiller(published, resolutions, urls, tag_urls, config.embed_depth)
    graph = LinkGraph(published, resolutions)
    plan = SitePlan(config, published, graph, filler, urls, tag_urls, folder_urls, home, used)
    return plan, diags


_WORK: tuple[SitePlan, jinja2.Environment, Sink, bool] | None = None  # shared with forked workers


def render_pages(
    plan: SitePlan, env: jinja2.Environment, sink: Sink, jobs: int = 0
) -> tuple[int, list[Diagnostic]]:
    """Render every page (and graph.json) into `sink`, on all cores when there are many."""
    global _WORK
    count = len(plan.jobs())
    workers = jobs or min(os.cpu_count() or 1, 8)
    direct = isinstance(sink, SiteWriter)  # forked workers can write files, not fill a dict
    _WORK = (plan, env, sink, direct)
    try:
        if workers == 1 or count < _PARALLEL_PAGES:
            chunks = [_render_range((-1, count))]
        else:
            step = -(-count // (workers * 4))
            ranges = [(-1, step)] + [(lo, min(lo + step, count)) for lo in range(step, count, step)]
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                chunks = pool.map(_render_range, ranges)
    finally:
        _WORK = None
    diags: list[Diagnostic] = []
    for files, problems in chunks:
        for url, data in files.items():
            sink.write(url, data)
        diags += problems
    return count, diags


def _render_range(bounds: tuple[int, int]) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Pages [lo, hi) of the plan; lo == -1 also makes graph.json (one big job of its own)."""
    from mindmap.render import render_page

    assert _WORK is not None
    plan, env, sink, direct = _WORK
    plan.filler.diagnostics.clear()
    out: dict[str, bytes] = {}
    diags: list[Diagnostic] = []
    if bounds[0] == -1:
        out["graph.json"] = _json(plan.graph.to_json(plan.urls, plan.tag_urls))
    for make, arg in plan.jobs()[max(bounds[0], 0) : bounds[1]]:
        page = make(arg)
        html, problem = render_page(env, page)
        out[page.url] = html.encode("utf-8")
        if problem:
            diags.append(problem)
    diags += sorted(plan.filler.diagnostics)
    if direct and multiprocessing.parent_process() is not None:
        sink.write_many(out)  # type: ignore[attr-defined]
        return {}, diags
    return out, diags


def static_files(config: Config) -> dict[str, Path]:
    """templates/static/* → static/*; a user's file of the same name wins."""
    from mindmap.render import template_dirs

    out: dict[str, Path] = {}
    for folder in reversed(template_dirs(config.templates_dir)):
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    out["static/" + path.relative_to(static).as_posix()] = path
    return out


def link_diagnostics(
    notes: dict[NotePath, Note],
    resolutions: dict[NotePath, list[Resolution]],
    resolver: Resolver,
    hints: int = 200,
) -> list[Diagnostic]:
    """A warning per link that points nowhere, with a did-you-mean for the first ones."""
    out: list[Diagnostic] = []
    for path in sorted(notes):
        for ref, res in zip(notes[path].links, resolutions[path], strict=True):
            if res.status == "missing":
                what = "embed" if ref.embed else "link"
                hint = resolver.suggest(ref.target) if hints > 0 else None
                hints -= 1
                out.append(
                    Diagnostic(
                        path,
                        ref.line,
                        ref.col,
                        Severity.WARNING,
                        f"{what}-missing",
                        f'no note named "{ref.target.strip()}"',
                        f"did you mean [[{hint}]]?" if hint else None,
                    )
                )
            elif res.status == "bad-anchor":
                part = f"^{ref.block}" if ref.block else "#".join(ref.heading)
                out.append(
                    Diagnostic(
                        path,
                        ref.line,
                        ref.col,
                        Severity.WARNING,
                        "anchor-missing",
                        f'"{stem_of(str(res.target))}" has no heading or block "{part}"',
                        "the link goes to the top of the note",
                    )
                )
    return out


def used_assets(resolutions: dict[NotePath, list[Resolution]]) -> set[AssetPath]:
    """Attachments that published notes link or embed: only these are copied (privacy)."""
    return {
        AssetPath(str(r.target))
        for rs in resolutions.values()
        for r in rs
        if r.status == "found" and r.is_asset
    }


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
    levels = {code: Severity(level) for code, level in config.severity.items()}
    return sorted({replace(d, severity=levels.get(d.code, d.severity)) for d in diags})


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
