"""Plan the site: one `Page` (url, template, plain-data context) per output HTML file.

Templates receive dicts, lists and strings only (and `Markup` for rendered HTML).
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from markupsafe import Markup

from mindmap.bodies import BodyFiller
from mindmap.config import Config
from mindmap.fingerprint import fingerprint
from mindmap.graph import LinkGraph, all_tags, tags_with_ancestors
from mindmap.model import Heading, Note
from mindmap.paths import NotePath, folder_of, quote_url, relative_url, root_prefix
from mindmap.related import Related, adjacency
from mindmap.resolve import Resolution
from mindmap.treeview import Chip, mind_map

MAX_CONTEXTS = 5  # snippets shown per linking note; a hub page stays readable and light
EXPLORER_URL = "explorer-data.js"  # the folder explorer's data: every note's path, title, url
NAV = [
    ("Home", "index.html"),
    ("All notes", "notes.html"),
    ("Tags", "tags/index.html"),
    ("Graph", "graph.html"),
]


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


class Own(NamedTuple):
    """A note's own part of the fingerprints, and what it was made from."""

    digest: str  # the note's source
    resolutions: list[Resolution]
    key: str
    embeds: tuple[NotePath, ...]  # notes it embeds
    cache: dict[Any, Any]  # what is made of it alone: its row, link states, snippet keys


class NoteKey(NamedTuple):
    """A note page's key and what it was made from (beyond its own and its neighbours')."""

    deep: str
    links_in: dict[str, list[int]]  # source → refs, as in LinkGraph
    links_out: set[str]
    related: tuple[tuple[str, str, str], ...]  # the rows its related-notes panel shows
    key: str


@dataclass
class KeyMemo:
    """Parts of page fingerprints kept from one plan to the next, each reused only while
    what it was made from is the same:

    - each note's own part (`SitePlan._own`): while the note, its resolutions (the very
      list the resolution cache lent) and every url are the same;
    - each note page's key (`SitePlan.note_key`): while, in addition, its deep key, its
      links in and out, and the own part of every note it links to or is linked from
      are the same (`changed` are the notes whose own part was made again for this plan,
      and the missing notes whose title changed);
    - the keys of the listing pages (`SitePlan._listing`)."""

    urls: tuple[dict[str, str], ...] | None = None
    own: dict[NotePath, Own] = field(default_factory=dict)
    pages: dict[NotePath, NoteKey] = field(default_factory=dict)
    missing: dict[str, object] = field(default_factory=dict)  # missing node → its title
    changed: set[str] = field(default_factory=set)
    listings: tuple[str, dict[tuple[str, Any], str]] = ("", {})  # keys of listing pages
    rows: dict[NotePath, Row] | None = None  # the rows the listings' group key was made of
    targets: dict[NotePath, tuple[list[Resolution], str]] = field(default_factory=dict)
    related: Related | None = None  # each note's related notes, kept while still right

    def forget(self) -> None:
        """Drop the page keys: a plan whose pages were keyed elsewhere (forked workers) or
        not at all (a failed build) left them behind its own parts."""
        self.own, self.pages, self.rows, self.listings = {}, {}, None, ("", {})

    def start(self, notes: dict[NotePath, Note], *urls: dict[str, str]) -> None:
        if self.urls != urls:
            self.urls, self.own, self.pages, self.rows = urls, {}, {}, None
        self.own = {p: e for p, e in self.own.items() if p in notes}
        self.pages = {p: e for p, e in self.pages.items() if p in notes}
        self.targets = {p: e for p, e in self.targets.items() if p in notes}
        self.changed = set()


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
    tag_labels: dict[str, str] = field(default_factory=dict)  # tag → how it is shown (T2)
    _tagged: dict[str, list[NotePath]] | None = None
    graph_cache: dict[str, Any] = field(default_factory=dict)  # graph.json parts, kept by serve
    graph_store: Any = None  # where `build` keeps them between runs (cache.GraphStore)
    graph_layout: Any = None  # the previous layout of graph.json, kept (layout.LayoutMemo)
    _deep: dict[NotePath, str] = field(default_factory=dict)
    _listing_group: str | None = None
    _owns: dict[NotePath, Own] = field(default_factory=dict)
    _prepared: bool = False  # prepare_keys ran: memo.changed is complete
    _folder_index: Folders | None = None
    _children: dict[str, list[str]] | None = None
    _out: dict[NotePath, list[dict[str, Any]]] = field(default_factory=dict)
    _related: Related | None = None
    memo: KeyMemo = field(default_factory=KeyMemo)

    def jobs(self) -> list[PageJob]:
        """Every HTML page of the site, in a stable order, each with the fingerprint of
        everything it reads (design.md §2.6): a page whose key did not change since the last
        build has the same bytes, so an incremental build skips it.

        Note, tag, folder and all-notes pages are keyed by the plain tuples their contexts
        are made from (making and hashing a thousand contexts would cost more than the
        rebuild); the few other pages are made and keyed by their context.
        """
        jobs = [PageJob(self.urls[p], self.note_page, p, self.note_key) for p in sorted(self.notes)]
        listing = self._listing
        jobs += [
            PageJob(self.tag_urls[t], self.tag_page, t, listing(self.tag_key))
            for t in sorted(self.tag_urls)
        ]
        jobs += [
            PageJob(self.folder_urls[f], self.folder_page, f, listing(self.folder_key))
            for f in sorted(self.folder_urls)
        ]
        jobs += [
            PageJob("tags/index.html", _call, self.tags_page, listing(self.tags_key)),
            PageJob("notes.html", _call, self.notes_page, listing(self.notes_key)),
            PageJob(EXPLORER_URL, _call, self.explorer_page, listing(self.explorer_key)),
            PageJob("404.html", _call, self.not_found_page),
            PageJob("graph.html", _call, self.graph_page),
        ]
        if self.config.search:
            jobs.append(PageJob("search.html", _call, self.search_page))
        if self.home is None:
            jobs.append(PageJob("index.html", _call, self.overview_page, self.overview_key))
        return jobs

    def prepare_keys(self) -> None:
        """Make or check every note's own part now, so that `memo.changed` is complete
        before any page key is reused on the strength of it (with no page key to reuse,
        as in a cold build, there is nothing to do)."""
        missing = {n: a["title"] for n, a in self.graph.nodes.items() if a["kind"] == "missing"}
        old, self.memo.missing = self.memo.missing, missing  # always: the next plan compares
        if not self.memo.pages:
            return
        self._prepared = True
        for path in self.notes:
            self._own(path)
        self.memo.changed |= {n for n, t in missing.items() if old.get(n) != t}

    def note_key(self, path: NotePath) -> str:
        """The note page's key (`_note_key`), or the last plan's while none of its inputs
        changed (KeyMemo)."""
        deep, changed = self.deep(path), self.memo.changed
        ins = self.graph.links_in.get(path, {})
        outs = self.graph.links_out.get(path, set())
        related = self._related_rows(path)
        kept = self.memo.pages.get(path)
        if (
            kept is not None
            and path not in changed
            and kept.deep == deep
            and kept.links_in == ins
            and kept.links_out == outs
            and kept.related == related
            and changed.isdisjoint(ins)
            and changed.isdisjoint(outs)
        ):
            return kept.key
        key = self._note_key(path)
        self.memo.pages[path] = NoteKey(deep, ins, outs, related, key)
        return key

    def _note_key(self, path: NotePath) -> str:
        """The fingerprint of a note page: its own data, the deep content of its body, the
        snippets its backlinks show, and the small data of its sidebars."""
        note = self.notes[path]
        backs = [
            (b.source, b.refs, self.urls[b.source], self._snippets(b.source, b.refs))
            for b in self.graph.backlinks(path)
        ]
        # What the header and the sidebar show, as the plain strings they are made from
        # (_note_info, _outlinks): cheaper to hash than the dicts made of them.
        crumbs = [self.folder_urls[f] for f in _ancestors(folder_of(path))]
        tags = [self._tag_ref(t) for t in note.tags]
        out = [
            (
                t,
                self.notes[NotePath(t)].title if t in self.notes else self.graph.nodes[t]["title"],
                self.urls.get(t),
            )
            for t in self.graph.outlinks(path)
        ]
        related = self._related_rows(path)
        parts = (
            self.urls[path],
            path == self.home,
            note.digest,
            crumbs,
            tags,
            self.deep(path),
            out,
            related,
            backs,
        )
        return _digest("note.html", parts)

    def _related_rows(self, path: NotePath) -> tuple[tuple[str, str, str], ...]:
        """What the related-notes panel shows: title, url and folder of each."""
        return tuple(self._row(NotePath(r))[:3] for r in self.related(path))

    def related(self, path: NotePath) -> tuple[str, ...]:
        """The notes close to `path` in the link graph that it does not link with
        (related.py), worked out for the whole plan once and kept for the next plan."""
        if self._related is None:
            graph = self.graph
            adj = adjacency(self.notes, graph.links_out, graph.links_in)
            self._related = self.memo.related = Related(adj, self.memo.related)
        return self._related.of(path)

    def deep(self, path: NotePath) -> str:
        """Hash of what a note's rendered HTML depends on, wherever it is shown: its source,
        where its links point, its tags' pages, and the same for every note it embeds,
        transitively (the set of embedded notes, so that embed loops are covered too)."""
        if path not in self._deep:
            own = self._own(path)
            if not own.embeds:  # most notes embed nothing: their own part is all
                self._deep[path] = own.key
            else:
                closure = sorted(self._embed_closure(path))
                owns = [self._own(p) for p in closure]
                kept = own.cache.get("deep")  # (the closure's own parts, their digest)
                if (
                    kept is None
                    or len(kept[0]) != len(owns)
                    or any(a is not b for a, b in zip(kept[0], owns, strict=True))
                ):
                    parts = [(p, o.key) for p, o in zip(closure, owns, strict=True)]
                    kept = own.cache["deep"] = (owns, _digest("deep", parts))
                self._deep[path] = kept[1]
        return self._deep[path]

    def _own(self, path: NotePath) -> Own:
        """Fingerprint of a note's own source, where its links point and its tags' pages."""
        own = self._owns.get(path)  # checked already for this plan
        if own is not None:
            return own
        own = self._owns[path] = self._make_own(path)
        return own

    def _make_own(self, path: NotePath) -> Own:
        note, resolutions = self.notes[path], self.filler.resolutions[path]
        kept = self.memo.own.get(path)
        if kept is not None and kept.digest == note.digest and kept.resolutions is resolutions:
            return kept
        state = [(r.status, r.target, self.urls.get(r.target or ""), r.anchor) for r in resolutions]
        key = _digest("own", (path, note.digest, state, [self.tag_urls[t] for t in note.tags]))
        embeds = tuple(
            NotePath(str(res.target))
            for ref, res in zip(note.links, resolutions, strict=True)
            if ref.embed and res.status in ("found", "bad-anchor") and not res.is_asset
        )
        own = self.memo.own[path] = Own(note.digest, resolutions, key, embeds, {})
        self.memo.changed.add(path)
        return own

    def _snippets(self, source: NotePath, refs: tuple[int, ...]) -> tuple[Any, ...]:
        """What the backlink card of `source` (on any page) is made from: its title, and for
        each snippet shown, the snippet's own text, crumbs and anchor, and the links and tags
        in it (part of the page's key: editing one bullet of a note re-renders only the pages
        its changed snippets show on, not every page the note links to)."""
        own, note = self._own(source), self.notes[source]
        if ("snippets", refs) not in own.cache:
            states = self._link_states(source)
            parts = []
            for index in shown_contexts(note, refs):
                c = note.contexts[index]
                links = [states[n] for n in c.links]
                tags = [self.tag_urls[t] for t in c.tags]
                parts.append((c.digest, c.crumbs, c.anchor, links, tags))
            own.cache["snippets", refs] = (note.title, _h1_text(note), parts)
        return own.cache["snippets", refs]

    def targets_text(self, path: NotePath) -> str:
        """Where a note's links point, as text (part of graph.json's key); kept while the
        resolution cache lends the same list."""
        resolutions, kept = self.filler.resolutions[path], self.memo.targets.get(path)
        if kept is None or kept[0] is not resolutions:
            text = "|".join(f"{r.status}:{r.target}" for r in resolutions)
            kept = self.memo.targets[path] = (resolutions, text)
        return kept[1]

    def _link_states(self, path: NotePath) -> list[tuple[Any, ...]]:
        """What a compact snippet shows of each link of a note: how it was written (not
        where), where it points, and the title of a note it embeds."""
        own = self._own(path)
        if "states" in own.cache:
            return own.cache["states"]  # type: ignore[no-any-return]
        note, resolutions = self.notes[path], own.resolutions
        own.cache["states"] = states = [
            (
                ref.target,
                ref.heading,
                ref.block,
                ref.alias,
                ref.embed,
                ref.kind,
                res.status,
                res.target,
                res.is_asset,
                res.anchor,
                self.urls.get(res.target or ""),
                self.notes[NotePath(res.target)].title
                if ref.embed and res.target in self.notes
                else None,
            )
            for ref, res in zip(note.links, resolutions, strict=True)
        ]
        return states

    def _embed_closure(self, path: NotePath) -> set[NotePath]:
        seen, todo = {path}, [path]
        while todo:
            for target in self._own(todo.pop()).embeds:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    def _page(self, url: str, template: str, kind: str, title: str, **context: Any) -> Page:
        base = {
            "site": {
                "title": self.config.title,
                "lang": self.config.lang,
                "url": self.config.url,
                "search": self.config.search,
            },
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
            "related": [_row_dict(self._row(NotePath(r))) for r in self.related(path)],
            "backlinks": self._backlinks(path, url),
            "mindview": self._mind_view(note, url, heading),
        }
        return self._page(url, "note.html", kind, note.title, **context)

    def _mind_view(self, note: Note, url: str, h1: Heading | None) -> Markup | None:
        """The note's outline as a mind map, for notes that are outlines: two topics or more
        (besides the leading H1, which stands for the note), more of them bullets than
        headings. A note of headings has its table of contents already, and every page
        carries its map: the median page must stay light. Its key: the note's source, and
        the titles and urls of the notes it links to (chips show only those: `_note_key`
        covers them)."""
        topics = note.outline_topics()
        items = sum(t.kind == "item" for t in topics)
        if len(topics) < 2 or items <= len(topics) - items:
            return None
        chips: dict[str, list[Chip]] = defaultdict(list)
        seen = set()
        resolutions = self.filler.resolutions[note.path]
        for ref, res in zip(note.links, resolutions, strict=True):
            target = str(res.target)
            if (
                ref.context < 0
                or res.status not in ("found", "bad-anchor")
                or res.is_asset
                or target == note.path
                or target not in self.notes
            ):
                continue
            topic = note.contexts[ref.context].topic
            if (topic, target) not in seen:
                seen.add((topic, target))
                title = self.notes[NotePath(target)].title
                chips[topic].append(Chip(title, relative_url(url, self.urls[target])))
        return Markup(mind_map(note.title, topics, chips, h1.anchor if h1 else ""))

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
            "description": note.lede(),
            "cssclasses": meta.get("cssclasses", []),
        }

    def _folder_crumbs(self, folder: str) -> list[dict[str, str]]:
        return [
            {"name": posixpath.basename(f), "url": quote_url(self.folder_urls[f])}
            for f in _ancestors(folder)
        ]

    def _tags(self, tags: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
        return [{"name": n, "url": u} for n, u in map(self._tag_ref, sorted(tags))]

    def _tag_ref(self, tag: str) -> tuple[str, str]:
        """How a tag is shown (as first written in the vault), and its page's url."""
        return self._label(tag), quote_url(self.tag_urls[tag])

    def _label(self, tag: str) -> str:
        return self.tag_labels.get(tag, tag)  # (a plan made without labels shows names)

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
            contexts = []
            for index in shown_contexts(source, back.refs):
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
                for tag_name in tags_with_ancestors(self.notes[path].tags):
                    self._tagged[tag_name].append(path)
        return self._tagged.get(tag, [])

    def _row(self, path: NotePath) -> Row:
        """What a list of notes shows of one: title, url, folder, tags (name, url)."""
        own = self._own(path)
        if "row" not in own.cache:
            note = self.notes[path]
            tags = tuple(map(self._tag_ref, sorted(note.tags)))
            own.cache["row"] = (note.title, self.link(path), folder_of(path), tags)
        return own.cache["row"]  # type: ignore[no-any-return]

    def _listing(self, keyer: Callable[[Any], str]) -> Callable[[Any], str]:
        """`keyer` for a listing page (a tag, a folder, all notes, all tags), remembered from
        the last plan while the listings' inputs are the same: these pages read only the
        notes' paths and rows and the tag and folder urls, so editing the text of a note
        re-keys none of them."""

        def key(arg: Any) -> str:
            self._listing_digest()  # makes memo.listings this group's
            keys = self.memo.listings[1]
            name = (keyer.__name__, arg if isinstance(arg, str) else "")  # a tag, a folder
            if name not in keys:
                keys[name] = keyer(arg)
            return keys[name]

        return key

    def _listing_digest(self) -> str:
        """Fingerprint of everything listings read: the notes' paths and rows, the tag and
        folder urls."""
        if self._listing_group is None:
            memo = self.memo
            if (
                self._prepared  # memo.changed is complete
                and memo.rows is not None
                and memo.rows.keys() == self.notes.keys()
                and all(self._row(p) == memo.rows[p] for p in memo.changed if p in self.notes)
            ):
                self._listing_group = memo.listings[0]  # no row changed (urls did not: start)
            else:
                rows = [(p, self._row(p)) for p in sorted(self.notes)]
                memo.rows = dict(rows)
                group = _digest(
                    "listings", (self.tag_urls, self.tag_labels, self.folder_urls, rows)
                )
                if memo.listings[0] != group:
                    memo.listings = (group, {})  # the keys made for another group go
                self._listing_group = group
        return self._listing_group

    def _rows_of(self, paths: list[NotePath]) -> tuple[Row, ...]:
        return tuple(sorted((self._row(p) for p in paths), key=_by_title))

    def _tag_data(self, tag: str) -> tuple[Any, ...]:
        parts = tag.split("/")
        crumbs = tuple(
            self._tag_ref(c) for c in ("/".join(parts[:i]) for i in range(1, len(parts)))
        )
        children = tuple(
            (*self._tag_ref(c), len(self._notes_with_tag(c)))
            for c in self._tag_children().get(tag, [])
        )
        # a tag page lists its notes without their tags: with them, a note carrying
        # thousands of tags made every one of its tags' pages list all of them (quadratic)
        rows = tuple(r[:3] for r in self._rows_of(self._notes_with_tag(tag)))
        return self.tag_urls[tag], self._label(tag), crumbs, children, rows

    def tag_key(self, tag: str) -> str:
        return _digest("tag.html", self._tag_data(tag))

    def tag_page(self, tag: str) -> Page:
        url, name, crumbs, children, rows = self._tag_data(tag)
        context = {
            "tag": {
                "name": name,
                "crumbs": [{"name": c, "url": u} for c, u in crumbs],
                "children": [{"name": c, "url": u, "count": n} for c, u, n in children],
                "notes": [{"title": t, "url": u, "folder": f} for t, u, f in rows],
            }
        }
        return self._page(url, "tag.html", "tag", "#" + name, **context)

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
                    "name": label.split("/")[-1],
                    "full": label,
                    "url": url,
                    "count": len(self._notes_with_tag(t)),
                    "children": tree(children.get(t, [])),
                }
                for t in tags
                for label, url in [self._tag_ref(t)]
            ]

        top = sorted(t for t in self.tag_urls if "/" not in t)
        return self._page("tags/index.html", "tags.html", "tags", "Tags", tags=tree(top))

    def _folders(self) -> Folders:
        """Each folder's notes and subfolders, and how many notes it holds in all."""
        if self._folder_index is None:
            index = Folders(defaultdict(list), defaultdict(list), Counter())
            for path in sorted(self.notes):
                index.notes[folder_of(path)].append(path)
                for folder in _ancestors(folder_of(path)):
                    index.counts[folder] += 1
            for folder in sorted(self.folder_urls):
                index.subfolders[folder_of(folder)].append(folder)
            self._folder_index = index
        return self._folder_index

    def _folder_data(self, folder: str) -> tuple[Any, ...]:
        index = self._folders()
        subfolders = tuple(
            (posixpath.basename(f), quote_url(self.folder_urls[f]), index.counts[f])
            for f in index.subfolders.get(folder, [])
        )
        notes = sorted(index.notes.get(folder, []), key=lambda p: self.notes[p].title.lower())
        rows = tuple((self.notes[p].title, self.link(p)) for p in notes)
        crumbs = tuple(
            (posixpath.basename(f), quote_url(self.folder_urls[f]))
            for f in _ancestors(folder_of(folder))
        )
        return self.folder_urls[folder], folder, crumbs, subfolders, rows

    def folder_key(self, folder: str) -> str:
        return _digest("folder.html", self._folder_data(folder))

    def folder_page(self, folder: str) -> Page:
        url, path, crumbs, subfolders, rows = self._folder_data(folder)
        context = {
            "folder": {
                "name": posixpath.basename(path),
                "path": path,
                "crumbs": [{"name": n, "url": u} for n, u in crumbs],
                "folders": [{"name": n, "url": u, "count": c} for n, u, c in subfolders],
                "notes": [{"title": t, "url": u} for t, u in rows],
            }
        }
        return self._page(url, "folder.html", "folder", path, **context)

    def _notes_data(self) -> tuple[tuple[str, str | None, tuple[Row, ...]], ...]:
        groups = self._folders().notes
        return tuple(
            (f, quote_url(self.folder_urls[f]) if f else None, self._rows_of(groups[f]))
            for f in sorted(groups)
        )

    def tags_key(self, _arg: Any = None) -> str:
        page = self.tags_page()
        return _digest(page.template, page.context)

    def notes_key(self, _arg: Any = None) -> str:
        return _digest("notes.html", self._notes_data())

    def explorer_key(self, _arg: Any = None) -> str:
        return _digest("explorer-data.js", self._explorer_rows())

    def _explorer_rows(self) -> list[tuple[str, str, str]]:
        return [(path, *self._row(path)[:2]) for path in sorted(self.notes)]

    def explorer_page(self) -> Page:
        """The folder explorer's data (static/explorer.js), as a script so that it loads
        from disk (file://) too, where a page may not fetch() another file."""
        return self._page(
            EXPLORER_URL, "explorer-data.js", "data", "Explorer", notes=self._explorer_rows()
        )

    def notes_page(self) -> Page:
        context = {
            "groups": [
                {"folder": f, "url": u, "notes": [_row_dict(r) for r in rows]}
                for f, u, rows in self._notes_data()
            ]
        }
        return self._page("notes.html", "notes.html", "notes", "All notes", **context)

    def overview_key(self, _arg: Any = None) -> str:
        """The home page shows listings' data (counts of notes, folders, tags) and the hubs
        and link count of the graph."""
        counts = self.graph.inbound_counts()
        hubs = [(p, counts[p]) for p in sorted(counts, key=lambda p: (-counts[p], p))[:12]]
        graph = (hubs, self.graph.link_count())
        return _digest("index.html", (self._listing_digest(), graph))

    def overview_page(self) -> Page:
        counts = self.graph.inbound_counts()
        hubs = sorted(counts, key=lambda p: (-counts[p], p))[:12]
        top = [f for f in self.folder_urls if "/" not in f]
        tags = sorted(all_tags(self.notes.values()))
        tag_rows = sorted(
            (
                {"name": label, "url": url, "count": len(self._notes_with_tag(t))}
                for t in tags
                if "/" not in t
                for label, url in [self._tag_ref(t)]
            ),
            key=lambda r: (-r["count"], r["name"].lower(), r["name"]),
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
                    "count": self._folders().counts[f],
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

    def graph_page(self) -> Page:
        """The whole topic graph: the page is a frame; static/graph.js draws graph.json."""
        return self._page("graph.html", "graph.html", "graph", "Graph")

    def search_page(self) -> Page:
        return self._page("search.html", "search.html", "search", "Search")

    def not_found_page(self) -> Page:
        home = self.config.url.rstrip("/") + "/index.html" if self.config.url else "index.html"
        return self._page("404.html", "404.html", "404", "Page not found", home_url=home)


def shown_contexts(source: Note, refs: tuple[int, ...]) -> list[int]:
    """The contexts (bullets, paragraphs) of `source` a backlink card shows for its links
    `refs`: each once, in order, at most MAX_CONTEXTS."""
    shown: list[int] = []
    for n in refs:
        index = source.links[n].context
        if index >= 0 and index not in shown and len(shown) < MAX_CONTEXTS:
            shown.append(index)
    return shown


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
    return fingerprint(template, data)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


Row = tuple[str, str, str, tuple[tuple[str, str], ...]]  # title, url, folder, tags


@dataclass
class Folders:
    notes: dict[str, list[NotePath]]  # folder → its own notes
    subfolders: dict[str, list[str]]  # folder → its folders
    counts: Counter[str]  # folder → notes in it and below


def _by_title(row: Row) -> tuple[str, str]:
    return (row[0].lower(), row[1])


def _row_dict(row: Row) -> dict[str, Any]:
    title, url, folder, tags = row
    return {
        "title": title,
        "url": url,
        "folder": folder,
        "tags": [{"name": n, "url": u} for n, u in tags],
    }
