"""The link graph of the vault: notes, outline topics, tags and missing notes (networkx).

The only module that imports networkx. Backlinks, outlinks and graph.json all come from here,
so they cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mindmap.model import Note
from mindmap.paths import NotePath, nfc
from mindmap.resolve import Resolution

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True)
class Backlink:
    source: NotePath
    refs: tuple[int, ...]  # indices into the source note's links that point here


def missing_id(target: str) -> str:
    """One node per missing note, however it was written (`[[Gone]]`, `[x](Gone.md)`)."""
    key = nfc(target).strip().lower()
    return "missing:" + (key[:-3] if key.endswith(".md") else key)


class LinkGraph:
    """A MultiDiGraph with edge kinds link / embed / tag / outline."""

    def __init__(
        self, notes: dict[NotePath, Note], resolutions: dict[NotePath, list[Resolution]]
    ) -> None:
        self.notes = notes
        self.nodes: dict[str, dict[str, object]] = {p: {"kind": "note"} for p in sorted(notes)}
        self.edges: dict[tuple[str, str, str], list[int]] = {}
        for path in sorted(notes):
            self._add_note(notes[path], resolutions[path])
        self.links_in: dict[str, dict[str, list[int]]] = defaultdict(dict)  # target → source → refs
        self.links_out: dict[str, set[str]] = defaultdict(set)
        for (source, target, kind), refs in self.edges.items():
            if kind in ("link", "embed") and source != target:
                self.links_in[target].setdefault(source, []).extend(refs)
                self.links_out[source].add(target)
        self._nx: nx.MultiDiGraph | None = None
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

    def _add_note(self, note: Note, resolved: list[Resolution]) -> None:
        for n, (ref, res) in enumerate(zip(note.links, resolved, strict=True)):
            kind = "embed" if ref.embed else "link"
            if res.status in ("found", "bad-anchor") and not res.is_asset:
                self.edges.setdefault((note.path, str(res.target), kind), []).append(n)
            elif res.status == "missing" and ref.kind != "image":
                node = missing_id(ref.target)
                self.nodes.setdefault(node, {"kind": "missing", "title": ref.target.strip()})
                self.edges.setdefault((note.path, node, kind), []).append(n)
        for tag in note.tags:
            self.nodes["tag:" + tag] = {"kind": "tag"}
            self.edges[(note.path, "tag:" + tag, "tag")] = []

    def _add_topics(self) -> None:
        """Outline topics (tens of thousands in big mind maps) join the tables only when the
        whole graph is wanted: pages need links and tags alone."""
        if self._topics:
            return
        self._topics = True
        for path in sorted(self.notes):
            for topic in self.notes[path].topics:
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
        return sum(
            len(refs) for (_s, _t, kind), refs in self.edges.items() if kind in ("link", "embed")
        )

    def to_json(self, urls: dict[str, str], tag_urls: dict[str, str]) -> dict[str, object]:
        """The documented public graph.json (README: "graph.json"): the nodes and edges of the
        graph, read from the same tables that `g` is made of (10× faster than walking it)."""
        self._add_topics()
        nodes = [self._node_json(n, d, urls, tag_urls) for n, d in sorted(self.nodes.items())]
        links = sorted(self.edges)
        return {
            "nodes": nodes,
            "links": [{"source": s, "target": t, "kind": k} for s, t, k in links],
        }

    def _node_json(
        self, node: str, data: dict[str, object], urls: dict[str, str], tag_urls: dict[str, str]
    ) -> dict[str, object]:
        kind = str(data["kind"])
        out: dict[str, object] = {
            "id": node,
            "kind": kind,
            "title": node,
            "url": None,
            "path": None,
            "parent": None,
        }
        if kind == "note":
            out.update(title=self.notes[NotePath(node)].title, url=urls[node], path=node)
        elif kind == "topic":
            topic, note = data["topic"], str(data["note"])
            parent = f"{note}#{topic.parent}" if topic.parent else note  # type: ignore[attr-defined]
            out.update(title=topic.title, url=f"{urls[note]}#{topic.anchor}", parent=parent)  # type: ignore[attr-defined]
        elif kind == "tag":
            out.update(title="#" + node[4:], url=tag_urls[node[4:]])
        else:
            out.update(title=data["title"])
        return out


def tag_ancestors(tags: Iterable[str]) -> set[str]:
    """Every tag plus its parents: `a/b/c` gives a, a/b, a/b/c (nested tags, T1)."""
    out: set[str] = set()
    for tag in tags:
        parts = tag.split("/")
        out.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return out
