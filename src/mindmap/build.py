"""The build, as one story: scan → parse → resolve → graph → plan → render → write."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mindmap.bodies import BodyFiller
from mindmap.config import Config
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.graph import LinkGraph, tag_ancestors
from mindmap.model import Note
from mindmap.output import SiteWriter, check_folders
from mindmap.paths import AssetPath, NotePath, stem_of
from mindmap.render import make_environment, render_page, template_dirs
from mindmap.resolve import Resolution, Resolver
from mindmap.site import SitePlan
from mindmap.urls import folders_of, plan_urls
from mindmap.vault import parse_notes, scan

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class BuildResult:
    notes: int = 0  # published notes
    pages: int = 0  # HTML pages written
    files: int = 0  # every file written, attachments included
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Site:
    """Everything a build computes before writing: pages and files, as bytes by url."""

    files: dict[str, bytes | Path]
    pages: int
    notes: int
    diagnostics: list[Diagnostic]


def build_site(
    notes_dir: Path, out_dir: Path, config: Config, progress: Progress | None = None, jobs: int = 0
) -> BuildResult:
    """Build the whole site into `out_dir`, replacing it only when everything succeeded."""
    start = time.perf_counter()
    check_folders(notes_dir, out_dir)
    site = make_site(notes_dir, config, progress or (lambda _m: None), jobs)
    writer = SiteWriter(out_dir)
    try:
        for url, data in sorted(site.files.items()):
            writer.copy(url, data) if isinstance(data, Path) else writer.write(url, data)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BuildResult(
        site.notes, site.pages, writer.count, site.diagnostics, time.perf_counter() - start
    )


def make_site(notes_dir: Path, config: Config, progress: Progress, jobs: int = 0) -> Site:
    """Compute every output file in memory; pure apart from reading the vault and templates."""
    t0 = time.perf_counter()
    found = scan(notes_dir, config.ignore)
    notes = parse_notes(found.notes, config.strict_line_breaks, jobs)
    progress(f"parsed {len(notes)} notes in {time.perf_counter() - t0:.2f}s")
    diags = list(found.diagnostics) + [d for n in notes for d in n.diagnostics]
    published = {n.path: n for n in notes if n.published}
    private = {n.path for n in notes if not n.published}
    resolver = Resolver(published, set(found.assets), private, config.resolve_aliases)
    resolutions = {p: [resolver.resolve(r, p) for r in n.links] for p, n in published.items()}
    diags += link_diagnostics(published, resolutions, resolver)
    graph = LinkGraph(published, resolutions)
    used = used_assets(resolutions)
    home = find_home(published, config)
    tags = sorted(tag_ancestors(t for n in published.values() for t in n.tags))
    urls, tag_urls, folder_urls = plan_urls(
        published, sorted(used), home, tags, folders_of(list(published))
    )
    filler = BodyFiller(published, resolutions, urls, tag_urls, config.embed_depth)
    plan = SitePlan(config, published, graph, filler, urls, tag_urls, folder_urls, home)
    files, pages, render_diags = render_files(plan, config)
    progress(f"rendered {pages} pages in {time.perf_counter() - t0:.2f}s")
    files["graph.json"] = _json(graph.to_json(urls, tag_urls))
    for asset in used:
        files[urls[asset]] = found.assets[asset]
    files.update(static_files(config))
    diags += sorted(filler.diagnostics) + render_diags
    return Site(files, pages, len(published), apply_severity(diags, config))


def render_files(
    plan: SitePlan, config: Config
) -> tuple[dict[str, bytes | Path], int, list[Diagnostic]]:
    env = make_environment(config.templates_dir)
    files: dict[str, bytes | Path] = {}
    diags: list[Diagnostic] = []
    pages = plan.pages()
    for page in pages:
        html, problem = render_page(env, page)
        files[page.url] = html.encode("utf-8")
        if problem:
            diags.append(problem)
    files[".nojekyll"] = b""
    return files, len(pages), diags


def static_files(config: Config) -> dict[str, bytes | Path]:
    """templates/static/* → static/*; a user's file of the same name wins."""
    out: dict[str, bytes | Path] = {}
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
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )
