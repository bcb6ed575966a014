"""Plan the site: one `Page` (url, template, plain-data context) per output HTML file.

Templates receive dicts, lists and strings only (and `Markup` for rendered HTML).
"""

from __future__ import annotations

import hashlib
import pickle
import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from mindmap.bodies import BodyFiller
from mindmap.config import Config
from mindmap.graph import LinkGraph, tag_ancestors
from mindmap.model import Note
from mindmap.paths import NotePath, folder_of, quote_url, root_prefix

MAX_CONTEXTS = 5  # snippets shown per linking note; a hub page stays readable and light
NAV = [("Home", "index.html"), ("All notes", "notes.html"), ("Tags", "tags/index.html")]


@dataclass(frozen=True)
class Page:
    url: str  # site-relative output file
    template: str
    context: dict[str, Any]


@dataclass
class PageJob:
    """A page to be: its url, how to make it, and how to key its inputs (lazily: a cold
    build computes keys in the worker processes, next to rendering)."""

    url: str
    make: Callable[[Any], Page]
    arg: Any
    keyer: Callable[[Any], str] | None = None  # None: the key is a digest of the page made
    _page: Page | None = field(default=None, repr=False)

    def page(self) -> Page:
        if self._page is None:
            self._page = self.make(self.arg)
        return self._page

    @property
    def key(self) -> str:
        if self.keyer is not None:
            return self.keyer(self.arg)
        page = self.page()
        return _digest(page.template, page.context)


@dataclass
class SitePlan:
    config: Config
    notes: dict[NotePath, Note]
    graph: LinkGraph
    filler: BodyFiller
    urls: dict[str, str]
    tag_urls: dict[str, str]
    folder_urls: dict[str, str]
    home: NotePath | None
    assets: set[str]  # attachments that published notes use: the only ones copied
    _tagged: dict[str, list[NotePath]] | None = None
    graph_cache: dict[str, Any] = field(default_factory=dict)  # graph.json parts, kept by serve
    _deep: dict[NotePath, str] = field(default_factory=dict)
    _rows: dict[NotePath, dict[str, Any]] = field(default_factory=dict)
    _children: dict[str, list[str]] | None = None
    _out: dict[NotePath, list[dict[str, Any]]] = field(default_factory=dict)

    def jobs(self) -> list[PageJob]:
        """Every HTML page of the site, in a stable order, each with the fingerprint of
        everything it reads (design.md §2.6): a page whose key did not change since the last
        build has the same bytes, so an incremental build skips it.

        Note pages are made lazily (their bodies are the costly part) and keyed by their
        inputs; the other pages are cheap, so they are made and keyed by their context.
        """
        jobs = [PageJob(self.urls[p], self.note_page, p, self.note_key) for p in sorted(self.notes)]
        jobs += [PageJob(self.tag_urls[t], self.tag_page, t) for t in sorted(self.tag_urls)]
        jobs += [
            PageJob(self.folder_urls[f], self.folder_page, f) for f in sorted(self.folder_urls)
        ]
        jobs += [
            PageJob("tags/index.html", _call, self.tags_page),
            PageJob("notes.html", _call, self.notes_page),
            PageJob("404.html", _call, self.not_found_page),
        ]
        if self.home is None:
            jobs.append(PageJob("index.html", _call, self.overview_page))
        return jobs

    def note_key(self, path: NotePath) -> str:
        """The fingerprint of a note page: its own data, the deep content of its body and of
        every note whose snippet shows in its backlinks, and the small data of its sidebars."""
        note = self.notes[path]
        backs = [
            (b.source, b.refs, self.urls[b.source], self.deep(b.source))
            for b in self.graph.backlinks(path)
        ]
        # What the header and the sidebar show, as the plain strings they are made from
        # (_note_info, _outlinks): cheaper to hash than the dicts made of them.
        crumbs = [self.folder_urls[f] for f in _ancestors(folder_of(path))]
        tags = [self.tag_urls[t] for t in note.tags]
        out = [
            (
                t,
                self.notes[NotePath(t)].title if t in self.notes else self.graph.nodes[t]["title"],
                self.urls.get(t),
            )
            for t in self.graph.outlinks(path)
        ]
        parts = (
            self.urls[path],
            path == self.home,
            note.digest,
            crumbs,
            tags,
            self.deep(path),
            out,
            backs,
        )
        return _digest("note.html", parts)

    def deep(self, path: NotePath) -> str:
        """Hash of what a note's rendered HTML depends on, wherever it is shown: its source,
        where its links point, its tags' pages, and the same for every note it embeds,
        transitively (the set of embedded notes, so that embed loops are covered too)."""
        if path not in self._deep:
            closure = self._embed_closure(path)
            self._deep[path] = _digest("deep", sorted((p, self._own(p)) for p in closure))
        return self._deep[path]

    def _own(self, path: NotePath) -> tuple[Any, ...]:
        note = self.notes[path]
        state = [
            (r.status, r.target, self.urls.get(r.target or ""), r.anchor)
            for r in self.filler.resolutions[path]
        ]
        return note.digest, state, [self.tag_urls[t] for t in note.tags]

    def _embed_closure(self, path: NotePath) -> set[NotePath]:
        seen, todo = {path}, [path]
        while todo:
            current = todo.pop()
            for ref, res in zip(
                self.notes[current].links, self.filler.resolutions[current], strict=True
            ):
                if ref.embed and res.status in ("found", "bad-anchor") and not res.is_asset:
                    target = NotePath(str(res.target))
                    if target not in seen:
                        seen.add(target)
                        todo.append(target)
        return seen

    def _page(self, url: str, template: str, kind: str, title: str, **context: Any) -> Page:
        base = {
            "site": {"title": self.config.title, "lang": self.config.lang, "url": self.config.url},
            "root": root_prefix(url),
            "page": {"kind": kind, "title": title, "url": quote_url(url)},
            "nav": [{"title": t, "url": u} for t, u in NAV],
            "diagnostics": [],
        }
        return Page(url, template, {**base, **context})

    def link(self, key: str) -> str:
        return quote_url(self.urls[key])

    def note_page(self, path: NotePath) -> Page:
        note, url = self.notes[path], self.urls[path]
        kind = "home" if path == self.home else "note"
        heading = note.leading_h1()  # shown as the page's <h1>, or under it when it differs
        body = note.body_after(heading)
        subtitle = heading if heading and heading.text.lower() != note.title.lower() else None
        info = {
            **self._note_info(note),
            "heading": note.title,
            "anchor": heading.anchor if heading and not subtitle else None,
            "subtitle": subtitle.text if subtitle else None,
            "subtitle_anchor": subtitle.anchor if subtitle else None,
        }
        context = {
            "note": info,
            "body": Markup(self.filler.page_body(note, url, body)),
            "toc": [
                {"level": h.level, "text": h.text, "anchor": h.anchor}
                for h in note.headings
                if h is not heading
            ],
            "outlinks": self._outlinks(path),
            "backlinks": self._backlinks(path, url),
        }
        return self._page(url, "note.html", kind, note.title, **context)

    def _note_info(self, note: Note) -> dict[str, Any]:
        folder = folder_of(note.path)
        meta = note.meta
        return {
            "title": note.title,
            "path": note.path,
            "url": self.link(note.path),
            "crumbs": self._folder_crumbs(folder),
            "tags": self._tags(note.tags),
            "aliases": list(note.aliases),
            "date": _text(meta.get("date")),
            "created": _text(meta.get("created")),
            "updated": _text(meta.get("updated")),
            "description": _text(meta.get("description")),
            "cssclasses": meta.get("cssclasses", []),
        }

    def _folder_crumbs(self, folder: str) -> list[dict[str, str]]:
        return [
            {"name": posixpath.basename(f), "url": quote_url(self.folder_urls[f])}
            for f in _ancestors(folder)
        ]

    def _tags(self, tags: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
        return [{"name": t, "url": quote_url(self.tag_urls[t])} for t in sorted(tags)]

    def _outlinks(self, path: NotePath) -> list[dict[str, Any]]:
        if path not in self._out:
            self._out[path] = self._make_outlinks(path)
        return self._out[path]

    def _make_outlinks(self, path: NotePath) -> list[dict[str, Any]]:
        out = []
        targets = self.graph.outlinks(path)
        titles = Counter(self.notes[NotePath(t)].title.lower() for t in targets if t in self.notes)
        for target in targets:
            if target not in self.notes:
                title = self.graph.nodes[target]["title"]
                out.append({"title": title, "url": None, "missing": True})
                continue
            title = self.notes[NotePath(target)].title
            if titles[title.lower()] > 1:  # two notes of one name: say which folder
                title = f"{title} ({folder_of(target) or '/'})"
            out.append({"title": title, "url": self.link(target), "missing": False})
        return sorted(out, key=lambda o: (o["missing"], o["title"].lower()))

    def _backlinks(self, path: NotePath, url: str) -> list[dict[str, Any]]:
        rows = []
        for back in self.graph.backlinks(path):
            source = self.notes[back.source]
            contexts, seen = [], set()
            for n in back.refs:
                index = source.links[n].context
                if index < 0 or index in seen or len(seen) >= MAX_CONTEXTS:
                    continue
                seen.add(index)
                ctx = source.contexts[index]
                html = self.filler.context_html(source, ctx, url, path)
                target = self.urls[source.path] + (f"#{ctx.anchor}" if ctx.anchor else "")
                crumbs = list(ctx.crumbs)
                if crumbs and crumbs[0].lower() in (source.title.lower(), _h1_text(source)):
                    crumbs = crumbs[1:]  # the card already names the note
                contexts.append({"crumbs": crumbs, "html": Markup(html), "url": quote_url(target)})
            rows.append(
                {
                    "title": source.title,
                    "url": self.link(source.path),
                    "folder": folder_of(source.path),
                    "contexts": contexts,
                }
            )
        return sorted(rows, key=lambda r: (r["title"].lower(), r["url"]))

    def _notes_with_tag(self, tag: str) -> list[NotePath]:
        """Notes tagged `tag` or one of its children (`tag:inbox` finds `#inbox/x`, T2)."""
        if self._tagged is None:
            self._tagged = defaultdict(list)
            for path in sorted(self.notes):
                for tag_name in tag_ancestors(self.notes[path].tags):
                    self._tagged[tag_name].append(path)
        return self._tagged.get(tag, [])

    def _note_row(self, path: NotePath) -> dict[str, Any]:
        if path not in self._rows:
            self._rows[path] = self._make_note_row(path)
        return self._rows[path]

    def _make_note_row(self, path: NotePath) -> dict[str, Any]:
        note = self.notes[path]
        return {
            "title": note.title,
            "url": self.link(path),
            "folder": folder_of(path),
            "tags": self._tags(note.tags),
        }

    def tag_page(self, tag: str) -> Page:
        parts = tag.split("/")
        crumbs = ["/".join(parts[:i]) for i in range(1, len(parts))]
        children = self._tag_children().get(tag, [])
        context = {
            "tag": {
                "name": tag,
                "crumbs": [{"name": c, "url": quote_url(self.tag_urls[c])} for c in crumbs],
                "children": [
                    {
                        "name": c,
                        "url": quote_url(self.tag_urls[c]),
                        "count": len(self._notes_with_tag(c)),
                    }
                    for c in children
                ],
                "notes": sorted(
                    (self._note_row(p) for p in self._notes_with_tag(tag)), key=_by_title
                ),
            }
        }
        return self._page(self.tag_urls[tag], "tag.html", "tag", "#" + tag, **context)

    def _tag_children(self) -> dict[str, list[str]]:
        if self._children is None:
            self._children = defaultdict(list)
            for tag in sorted(self.tag_urls):
                if "/" in tag:
                    self._children[tag.rsplit("/", 1)[0]].append(tag)
        return self._children

    def tags_page(self) -> Page:
        children = self._tag_children()

        def tree(tags: list[str]) -> list[dict[str, Any]]:
            return [
                {
                    "name": t.split("/")[-1],
                    "full": t,
                    "url": quote_url(self.tag_urls[t]),
                    "count": len(self._notes_with_tag(t)),
                    "children": tree(children.get(t, [])),
                }
                for t in tags
            ]

        top = sorted(t for t in self.tag_urls if "/" not in t)
        return self._page("tags/index.html", "tags.html", "tags", "Tags", tags=tree(top))

    def folder_page(self, folder: str) -> Page:
        subfolders = sorted(f for f in self.folder_urls if folder_of(f) == folder)
        notes = sorted(
            (p for p in self.notes if folder_of(p) == folder),
            key=lambda p: self.notes[p].title.lower(),
        )
        context = {
            "folder": {
                "name": posixpath.basename(folder),
                "path": folder,
                "crumbs": self._folder_crumbs(folder_of(folder)),
                "folders": [
                    {
                        "name": posixpath.basename(f),
                        "url": quote_url(self.folder_urls[f]),
                        "count": sum(1 for p in self.notes if p.startswith(f + "/")),
                    }
                    for f in subfolders
                ],
                "notes": [{"title": self.notes[p].title, "url": self.link(p)} for p in notes],
            }
        }
        return self._page(self.folder_urls[folder], "folder.html", "folder", folder, **context)

    def notes_page(self) -> Page:
        groups: dict[str, list[NotePath]] = defaultdict(list)
        for path in self.notes:
            groups[folder_of(path)].append(path)
        context = {
            "groups": [
                {
                    "folder": f,
                    "url": quote_url(self.folder_urls[f]) if f else None,
                    "notes": sorted((self._note_row(p) for p in groups[f]), key=_by_title),
                }
                for f in sorted(groups)
            ]
        }
        return self._page("notes.html", "notes.html", "notes", "All notes", **context)

    def overview_page(self) -> Page:
        counts = self.graph.inbound_counts()
        hubs = sorted(counts, key=lambda p: (-counts[p], p))[:12]
        top = [f for f in self.folder_urls if "/" not in f]
        tags = sorted(tag_ancestors(t for n in self.notes.values() for t in n.tags))
        tag_rows = sorted(
            (
                {
                    "name": t,
                    "url": quote_url(self.tag_urls[t]),
                    "count": len(self._notes_with_tag(t)),
                }
                for t in tags
                if "/" not in t
            ),
            key=lambda r: (-r["count"], r["name"]),
        )[:24]
        context = {
            "stats": {
                "notes": len(self.notes),
                "tags": len(self.tag_urls),
                "links": self.graph.link_count(),
            },
            "folders": [
                {
                    "name": f,
                    "url": quote_url(self.folder_urls[f]),
                    "count": sum(1 for p in self.notes if p.startswith(f + "/")),
                }
                for f in top
            ],
            "tags": tag_rows,
            "hubs": [
                {"title": self.notes[p].title, "url": self.link(p), "count": counts[p]}
                for p in hubs
                if counts[p]
            ],
        }
        return self._page("index.html", "index.html", "home", self.config.title, **context)

    def not_found_page(self) -> Page:
        home = self.config.url.rstrip("/") + "/index.html" if self.config.url else "index.html"
        return self._page("404.html", "404.html", "404", "Page not found", home_url=home)


def _h1_text(note: Note) -> str:
    heading = note.leading_h1()
    return heading.text.lower() if heading else ""


def _ancestors(folder: str) -> list[str]:
    """A folder and the folders above it, the root-most first ("a", "a/b", "a/b/c")."""
    chain = []
    while folder:
        chain.append(folder)
        folder = folder_of(folder)
    return chain[::-1]


def _call(make: Callable[[], Page]) -> Page:
    return make()


def _digest(template: str, data: Any) -> str:
    """A key of plain data (pickle: a few times faster than canonical JSON, and the data is
    built in a deterministic order, so equal inputs give equal bytes)."""
    return hashlib.sha1(template.encode() + pickle.dumps(data, protocol=5)).hexdigest()


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _by_title(row: dict[str, Any]) -> tuple[str, str]:
    return (row["title"].lower(), row["url"])
