"""The link graph of the vault: notes, outline topics, tags and missing notes (networkx).

The only module that imports networkx. Backlinks, outlinks and graph.json all come from here,
so they cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, NamedTuple

from mindmap.model import Note
from mindmap.paths import NotePath, nfc
from mindmap.resolve import Resolution

if TYPE_CHECKING:
    import networkx as nx

    from mindmap.layout import LayoutMemo


class Backlink(NamedTuple):
    source: NotePath
    refs: tuple[int, ...]  # indices into the source note's links that point here


def missing_id(target: str) -> str:
    """One node per missing note, however it was written (`[[Gone]]`, `[x](Gone.md)`)."""
    key = nfc(target).strip().lower()
    return "missing:" + (key[:-3] if key.endswith(".md") else key)


class LinkGraph:
    """A MultiDiGraph with edge kinds link / embed / tag / outline."""

    def __init__(
        self,
        notes: dict[NotePath, Note],
        resolutions: dict[NotePath, list[Resolution]],
        parts: dict[NotePath, NoteEdges] | None = None,
    ) -> None:
        """`parts` keeps each note's edges from one graph to the next (`serve`): reused
        while the note and its resolutions (the very list) are the same."""
        self.notes = notes
        self.nodes: dict[str, dict[str, object]] = {p: {"kind": "note"} for p in sorted(notes)}
        self.edges: dict[tuple[str, str, str], list[int]] = {}
        self.links_in: dict[str, dict[str, list[int]]] = defaultdict(dict)  # target → source → refs
        self.links_out: dict[str, set[str]] = defaultdict(set)
        self.by_source: dict[str, list[tuple[str, str]]] = defaultdict(list)  # for graph.json
        self.missing_of: dict[str, list[tuple[str, str]]] = {}  # note → its missing, as written
        parts = {} if parts is None else parts
        for path in sorted(notes):
            part = parts.get(path)
            note, resolved = notes[path], resolutions[path]
            if part is None or part.digest != note.digest or part.resolutions is not resolved:
                part = parts[path] = _note_edges(note, resolved)
            for node, title in part.missing:
                self.nodes.setdefault(node, {"kind": "missing", "title": title})
            if part.missing:
                self.missing_of[path] = part.missing
            self.nodes.update(part.tags)
            self.edges.update(part.edges)  # keys begin with the note: no two notes share one
            if part.by_source:
                self.by_source[path] = part.by_source
            if part.out:
                self.links_out[path] = part.out
            for target, refs in part.ins:
                self.links_in[target][path] = refs
        for gone in set(parts) - set(notes):
            del parts[gone]
        self._nx: nx.MultiDiGraph | None = None
        self._links: int | None = None
        self._topics = False
        self._backlinks: dict[str, list[Backlink]] = {}

    @property
    def g(self) -> nx.MultiDiGraph:
        """The whole graph in networkx (made on first use: graph.json, graph algorithms).

        Page rendering reads the plain indexes above; building the networkx graph costs about
        a second at 1,000 notes of mind maps, so only the graph.json job pays for it.
        """
        if self._nx is None:
            import networkx as nx  # slow to import: only builds that write graph.json pay

            self._add_topics()
            graph = nx.MultiDiGraph()
            graph.add_nodes_from(self.nodes.items())
            edges = self.edges.items()
            graph.add_edges_from((s, t, k, {"kind": k, "refs": r}) for (s, t, k), r in edges)
            self._nx = graph
        return self._nx

    def _add_topics(self) -> None:
        """Outline topics (tens of thousands in big mind maps) join the tables only when the
        whole graph is wanted: pages need links and tags alone."""
        if self._topics:
            return
        self._topics = True
        for path in sorted(self.notes):
            for topic in self.notes[path].outline_topics():
                node = f"{path}#{topic.anchor}"
                parent = f"{path}#{topic.parent}" if topic.parent else path
                self.nodes[node] = {"kind": "topic", "note": path, "topic": topic}
                self.edges[(parent, node, "outline")] = []

    def backlinks(self, path: NotePath) -> list[Backlink]:
        """Notes that link to or embed `path` (itself excluded), with the refs that do."""
        if path not in self._backlinks:
            found = self.links_in.get(path, {})
            rows = [Backlink(NotePath(s), tuple(sorted(found[s]))) for s in sorted(found)]
            self._backlinks[path] = rows
        return self._backlinks[path]

    def outlinks(self, path: NotePath) -> list[str]:
        """Distinct notes and missing names `path` links to or embeds (itself excluded)."""
        return sorted(self.links_out.get(path, ()))

    def inbound_counts(self) -> dict[str, int]:
        """How many distinct notes link to each note: the hubs of the garden."""
        return {p: len(self.links_in.get(p, ())) for p in self.notes}

    def link_count(self) -> int:
        if self._links is None:
            self._links = sum(
                len(refs)
                for (_s, _t, kind), refs in self.edges.items()
                if kind in ("link", "embed")
            )
        return self._links

    def to_json(
        self,
        urls: dict[str, str],
        tag_urls: dict[str, str],
        cache: dict[str, tuple[str, Fragment]] | None = None,
        stop: Callable[[], bool] | None = None,
        layout: LayoutMemo | None = None,
        labels: dict[str, str] | None = None,
    ) -> bytes:
        """The documented public graph.json (README: "graph.json"), in columns: an array per
        field of the nodes and of the links, a link's ends as node numbers. Nodes note by
        note in the order of their paths (each note, then its topics), then the tags and the
        missing notes, sorted; links note by note likewise.

        Each note's part is serialised on its own and kept in `cache` by what it depends on
        (and `cache` may be kept on disk), so a rebuild re-serialises only what changed and
        puts the parts together without sorting. `stop` is asked every few hundred notes;
        when it says so, `Interrupted` is raised (the parts made so far stay in `cache`).

        Then the `"layout"` part (layout.py): positions, communities and sizes of the nodes,
        in their order; `layout` holds the previous layout, which it keeps (see there).
        A tag node's title is its label (`labels`: as first written), else its name."""
        cache = {} if cache is None else cache
        columns: dict[str, list[str]] = {"id": [], "kind": [], "title": [], "url": []}
        links: list[tuple[str, str, int]] = []
        missing: dict[str, str] = {}
        tags: set[str] = set()
        ids: list[str] = []
        topics: list[str] = []
        pairs: list[tuple[str, str]] = []
        for n, path in enumerate(sorted(self.notes)):
            if stop is not None and n % 256 == 0 and stop():
                raise Interrupted
            part = self._fragment(NotePath(path), urls, cache)
            for column, values in zip(columns.values(), part.columns, strict=True):
                column.append(values)
            links += part.links
            for node, title in part.missing:
                missing.setdefault(node, title)
            tags.update(part.tags)
            self._add_ids(NotePath(path), ids, topics, pairs)
        labels = labels or {}
        extra = [(f"tag:{t}", "tag", "#" + labels.get(t, t), tag_urls[t]) for t in sorted(tags)]
        extra += [(m, "missing", missing[m], None) for m in sorted(missing)]
        for row in extra:
            for column, value in zip(columns.values(), _row(*row), strict=True):
                column.append(value)
        ids += [node for node, *_rest in extra]
        if stop is not None and stop():
            raise Interrupted
        from mindmap.layout import LayoutMemo, layout_json  # igraph: only graph.json pays

        satellites = frozenset(topics) | frozenset(missing)
        memo = LayoutMemo() if layout is None else layout
        part = layout_json(ids, pairs, memo, satellites)
        return _graph_json(columns, _link_columns(ids, links), part).encode()

    def _add_ids(
        self, path: NotePath, ids: list[str], topics: list[str], pairs: list[tuple[str, str]]
    ) -> None:
        """A note's node ids (the note, its topics; the topics in `topics` too) and edges, as
        its fragment has them."""
        ids.append(path)
        for topic in self.notes[path].outline_topics():
            node = f"{path}#{topic.anchor}"
            ids.append(node)
            topics.append(node)
            pairs.append((f"{path}#{topic.parent}" if topic.parent else path, node))
        pairs += [(path, target) for target, _kind in self.by_source.get(path, ())]

    def _fragment(
        self, path: NotePath, urls: dict[str, str], cache: dict[str, tuple[str, Fragment]]
    ) -> Fragment:
        note, url = self.notes[path], urls[path]
        edges = self.by_source.get(path, [])
        key = f"{note.digest}\0{url}\0{edges}"
        kept = cache.get(path)  # read once: two snapshots' graph.json may be made at once
        if kept is not None and kept[0] == key:
            return kept[1]
        rows = [_row(path, "note", note.title, url)]
        links = []
        for topic in note.outline_topics():
            node = f"{path}#{topic.anchor}"
            parent = f"{path}#{topic.parent}" if topic.parent else path
            rows.append(_row(node, "topic", topic.title, f"{url}#{topic.anchor}"))
            links.append((parent, node, LINK_KINDS.index("outline")))
        written: dict[str, str] = {}  # each missing note's title as this note first wrote it
        for node, title in self.missing_of.get(path, []):
            written.setdefault(node, title)
        missing = []
        for target, kind in edges:
            links.append((path, target, LINK_KINDS.index(kind)))
            if target.startswith("missing:"):
                missing.append((target, written[target]))
        columns = tuple(",".join(values) for values in zip(*rows, strict=True))
        part = Fragment(columns, links, missing, note.tags)
        cache[path] = (key, part)
        return part


class Interrupted(Exception):
    """Making graph.json was given up for more urgent work (see `LinkGraph.to_json`)."""


class NoteEdges(NamedTuple):
    """One note's part of the graph, made once per version of the note and its links."""

    digest: str
    resolutions: list[Resolution]
    edges: dict[tuple[str, str, str], list[int]]  # (note, target, kind) → its links' indices
    missing: list[tuple[str, str]]  # (missing node, title as written)
    tags: dict[str, dict[str, object]]  # its tag nodes
    by_source: list[tuple[str, str]]  # (target, kind) of each edge
    out: set[str]  # what it links to or embeds, itself excluded
    ins: list[tuple[str, list[int]]]  # (target, its links' indices), for targets' backlinks


def _note_edges(note: Note, resolved: list[Resolution]) -> NoteEdges:
    edges: dict[tuple[str, str, str], list[int]] = {}
    missing: list[tuple[str, str]] = []
    for n, (ref, res) in enumerate(zip(note.links, resolved, strict=True)):
        kind = "embed" if ref.embed else "link"
        if res.status in ("found", "bad-anchor") and not res.is_asset:
            edges.setdefault((note.path, str(res.target), kind), []).append(n)
        elif res.status == "missing" and ref.kind != "image":
            node = missing_id(ref.target)
            missing.append((node, ref.target.strip()))
            edges.setdefault((note.path, node, kind), []).append(n)
    for tag in note.tags:
        edges[(note.path, "tag:" + tag, "tag")] = []
    ins: dict[str, list[int]] = {}
    for (_source, target, kind), refs in edges.items():
        if kind in ("link", "embed") and target != note.path:
            ins.setdefault(target, []).extend(refs)
    return NoteEdges(
        note.digest,
        resolved,
        edges,
        missing,
        {"tag:" + tag: {"kind": "tag"} for tag in note.tags},
        [(target, kind) for (_s, target, kind) in edges],
        set(ins),
        list(ins.items()),
    )


class Fragment(NamedTuple):
    """One note's part of graph.json: its node's and topics' columns, serialised (id, kind,
    title, url: JSON values, comma-separated), and its links (source id, target id, kind
    number: numbered once every node is known)."""

    columns: tuple[str, ...]
    links: list[tuple[str, str, int]]
    missing: list[tuple[str, str]]  # (missing id, title as this note first wrote it)
    tags: tuple[str, ...]


NODE_KINDS = ("note", "topic", "tag", "missing")  # graph.json's "kinds", in this order
LINK_KINDS = ("link", "embed", "outline", "tag")


def _row(node: str, kind: str, title: str, url: str | None) -> tuple[str, str, str, str]:
    """A node's values as JSON, written directly: graph.json has tens of thousands of them,
    and this is the text json.dumps gives, only faster."""
    return _str(node), str(NODE_KINDS.index(kind)), _str(title), _str(url)


def _link_columns(ids: list[str], links: list[tuple[str, str, int]]) -> dict[str, list[str]]:
    """The links' columns: source and target as node numbers (positions in `ids`), kind."""
    number = {node: n for n, node in enumerate(ids)}
    return {
        "kind": [str(kind) for _s, _t, kind in links],
        "source": [str(number[source]) for source, _t, _k in links],
        "target": [str(number[target]) for _s, target, _k in links],
    }


def _graph_json(nodes: dict[str, list[str]], links: dict[str, list[str]], layout: str) -> str:
    """graph.json's text: keys sorted, but the layout last."""

    def obj(columns: dict[str, list[str]]) -> str:
        return "{" + ",".join(f'"{k}":[{",".join(v)}]' for k, v in columns.items()) + "}"

    kinds = f'{{"link":{_list(LINK_KINDS)},"node":{_list(NODE_KINDS)}}}'
    return f'{{"kinds":{kinds},"links":{obj(links)},"nodes":{obj(nodes)},"layout":{layout}}}'


def _list(values: Iterable[str]) -> str:
    return "[" + ",".join(map(_str, values)) + "]"


def _str(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


@lru_cache(maxsize=65536)
def tags_with_ancestors(tags: tuple[str, ...]) -> frozenset[str]:
    """`tag_ancestors` of one note's tags, remembered (the same tuples come every build)."""
    return frozenset(tag_ancestors(tags))


def all_tags(notes: Iterable[Note]) -> set[str]:
    """Every tag of `notes` with its parents."""
    return set().union(*(tags_with_ancestors(n.tags) for n in notes))


def tag_labels(notes: dict[NotePath, Note]) -> dict[str, str]:
    """How each tag (and each parent of a nested one) is shown: as first written, notes in
    the order of their paths, each note's tags in the order written (T2; `#ProjectX` shows so
    wherever `#projectx` is listed). A nested tag is shown under its parent's label, so a
    tree never mixes spellings: after `#Alpha/beta`, `#alpha/Beta/Gamma` is `Alpha/beta/Gamma`."""
    labels: dict[str, str] = {}
    for path in sorted(notes):
        for label in notes[path].tag_labels:
            name, shown = "", ""
            for part in label.split("/"):
                name = f"{name}/{part.lower()}" if name else part.lower()
                shown = labels.setdefault(name, f"{shown}/{part}" if shown else part)
    return labels


def tag_ancestors(tags: Iterable[str]) -> set[str]:
    """Every tag plus its parents: `a/b/c` gives a, a/b, a/b/c (nested tags, T1)."""
    out: set[str] = set()
    for tag in tags:
        parts = tag.split("/")
        out.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return out
