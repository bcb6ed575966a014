"""Where each node of graph.json is drawn, its community and its size (python-igraph).

The only module that imports igraph. A layout made from scratch is a deterministic function
of the graph (Kamada-Kawai or Fruchterman-Reingold, seeded). A layout made with the previous
one keeps every surviving node exactly where it was and places only the new ones, near their
neighbours: an edit moves only the nodes it touches. Communities and sizes depend on the
graph alone.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from mindmap.fingerprint import fingerprint

if TYPE_CHECKING:
    import igraph

EDGE = 30  # a from-scratch layout's median edge length, in graph.json's units
_SEED = 4  # Python's `random` drives igraph's random numbers
_ITERATIONS = 500
_SPRING_BELOW = 500  # nodes: Kamada-Kawai (clearer, but quadratic) below; Fruchterman-Reingold
_SEPARATE_ROUNDS = 30  # rounds of pushing overlapping nodes apart (`separate`) ...
_SEPARATE_MAX = 600  # ... in a layout of at most this many nodes (its time grows faster)
_GAP = 2.0  # between two nodes' circles, in graph.json's units

Point = tuple[int, int]
T = TypeVar("T")


@dataclass
class Measures:
    """What depends on the graph alone: kept while the graph (ids and edges) is the same."""

    key: str = ""
    community: list[int] = field(default_factory=list)
    degree: list[int] = field(default_factory=list)
    rank: list[int] = field(default_factory=list)


@dataclass
class LayoutMemo:
    """The last layout a builder made: node id → position, and the last measures."""

    positions: dict[str, Point] = field(default_factory=dict)
    measures: Measures = field(default_factory=Measures)


def layout_json(
    ids: Sequence[str],
    edges: Sequence[tuple[str, str]],
    memo: LayoutMemo,
    satellites: frozenset[str] = frozenset(),
) -> str:
    """graph.json's `"layout"` object (arrays aligned with `ids`); `memo` is updated to it.

    With positions in `memo` (the previous layout), the nodes that are still there keep
    them and new nodes are placed near their neighbours; without, all are laid out, except
    that in a big graph the `satellites` (outline topics, missing notes) are not: they are
    placed around what they hang from, as new nodes are (half the nodes of a big vault, and
    the force layout's time is in proportion)."""
    index = {node: n for n, node in enumerate(ids)}
    pairs = _pairs(index, edges)
    key = fingerprint("graph", (list(ids), pairs))
    kept = {node: memo.positions[node] for node in ids if node in memo.positions}
    graph = None
    if not kept or memo.measures.key != key:
        graph = _graph(len(ids), pairs)
    if kept:
        points = place(ids, pairs, kept)
    else:
        assert graph is not None
        radii = [_radius(node, d) for node, d in zip(ids, graph.degree(), strict=True)]
        if len(ids) >= _SPRING_BELOW and satellites:
            points = place(ids, pairs, _core_layout(ids, pairs, satellites, radii))
        else:
            points = separate(scratch(graph), radii)
    if memo.measures.key != key:
        assert graph is not None
        memo.measures = measure(graph, key)
    memo.positions = dict(zip(ids, points, strict=True))
    m = memo.measures
    columns = {
        "community": m.community,
        "degree": m.degree,
        "rank": m.rank,
        "x": [p[0] for p in points],
        "y": [p[1] for p in points],
    }
    return "{" + ",".join(f'"{k}":[{",".join(map(str, v))}]' for k, v in columns.items()) + "}"


def _pairs(index: dict[str, int], edges: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
    """Distinct undirected edges between distinct nodes, as index pairs, in a stable order."""
    seen: set[tuple[int, int]] = set()
    out = []
    for source, target in edges:
        a, b = index[source], index[target]
        pair = (a, b) if a < b else (b, a)
        if a != b and pair not in seen:
            seen.add(pair)
            out.append(pair)
    return out


def _graph(count: int, pairs: list[tuple[int, int]]) -> igraph.Graph:
    if "igraph" not in sys.modules:
        # PageRank (PRPACK) runs on an OpenMP thread pool, and a process forked once that pool
        # exists hangs in its next OpenMP call (builds fork their workers): one thread only.
        os.environ["OMP_NUM_THREADS"] = "1"
    import igraph

    return igraph.Graph(n=count, edges=pairs)


def seeded(make: Callable[[], T]) -> T:
    """`make()` with Python's random numbers (igraph's) seeded, the caller's state kept."""
    state = random.getstate()
    random.seed(_SEED)
    try:
        return make()
    finally:
        random.setstate(state)


def scratch(graph: igraph.Graph) -> list[Point]:
    """A layout centred, scaled to a median edge of `EDGE` and rounded: Kamada-Kawai for a
    small graph, else Fruchterman-Reingold with a grid (repulsion from nearby nodes only:
    3 s at 38,000 nodes)."""
    count = graph.vcount()
    if count == 0:
        return []
    if count < _SPRING_BELOW:
        coords = seeded(lambda: graph.layout_kamada_kawai().coords)
    else:
        fr = graph.layout_fruchterman_reingold
        coords = seeded(lambda: fr(niter=_ITERATIONS, grid=True).coords)
    lengths = sorted(math.dist(coords[a], coords[b]) for a, b in graph.get_edgelist())
    median = lengths[len(lengths) // 2] if lengths else 1.0
    scale = EDGE / median if median > 0 else 1.0
    cx = sum(c[0] for c in coords) / count
    cy = sum(c[1] for c in coords) / count
    return [(round((x - cx) * scale), round((y - cy) * scale)) for x, y in coords]


def _core_layout(
    ids: Sequence[str],
    pairs: list[tuple[int, int]],
    satellites: frozenset[str],
    radii: list[float],
) -> dict[str, Point]:
    """A from-scratch layout of the nodes that are not satellites, by id."""
    core = [n for n, node in enumerate(ids) if node not in satellites]
    if not core:
        core = list(range(len(ids)))
    renumber = {n: m for m, n in enumerate(core)}
    inner = [(renumber[a], renumber[b]) for a, b in pairs if a in renumber and b in renumber]
    points = separate(scratch(_graph(len(core), inner)), [radii[n] for n in core])
    return {ids[n]: point for n, point in zip(core, points, strict=True)}


def _radius(node: str, degree: int) -> float:
    """A node's radius as graph.js draws it at zoom 1, sized by links (its default): in
    graph.json's units, since zoom 1 draws one unit as one pixel."""
    base = 3 + 1.6 * math.sqrt(degree)
    return min(base * 0.7 if "#" in node else base, 60)


def separate(
    points: list[Point], radii: list[float], rounds: int = _SEPARATE_ROUNDS
) -> list[Point]:
    """The layout with its overlapping nodes pushed apart: the force layout puts the hubs of a
    dense cluster on top of each other, where neither zoom nor a click tells them apart. Each
    round, every pair of nodes closer than their radii (and a gap) moves apart along the line
    between them, the smaller node further; pairs are found through a grid of cells as wide
    as the biggest node. Deterministic: the same points and radii, the same result. A bigger
    layout (`_SEPARATE_MAX`) is left as it is: pure Python takes seconds there, and a
    thousand nodes at Fit are a cloud to zoom into anyway."""
    if len(points) < 2 or len(points) > _SEPARATE_MAX:
        return points
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    cell = 2 * max(radii) + _GAP
    for _ in range(_SEPARATE_ROUNDS):
        grid: dict[tuple[int, int], list[int]] = {}
        for n in range(len(xs)):
            grid.setdefault((int(xs[n] // cell), int(ys[n] // cell)), []).append(n)
        moved = False
        for (gx, gy), members in sorted(grid.items()):
            near = [m for dx in (0, 1) for dy in (-1, 0, 1) if (dx, dy) > (0, -1)
                    for m in grid.get((gx + dx, gy + dy), [])]  # fmt: skip
            for i, a in enumerate(members):
                for b in members[i + 1 :] + near:
                    moved |= _push(xs, ys, radii, a, b)
        if not moved:
            break
    return [(round(x), round(y)) for x, y in zip(xs, ys, strict=True)]


def _push(xs: list[float], ys: list[float], radii: list[float], a: int, b: int) -> bool:
    """Move nodes a and b apart until their circles are `_GAP` apart; whether they moved."""
    want = radii[a] + radii[b] + _GAP
    dx, dy = xs[b] - xs[a], ys[b] - ys[a]
    far = dx * dx + dy * dy
    if far >= want * want:
        return False
    if far == 0:  # on the same spot: apart along a direction from their numbers
        angle = (a * 7919 + b * 104729) % 360 * math.pi / 180
        dx, dy, far = math.cos(angle), math.sin(angle), 1.0
    dist = math.sqrt(far)
    short = (want - dist) / dist
    share = radii[a] / (radii[a] + radii[b])  # the smaller moves more
    xs[a] -= dx * short * (1 - share)
    ys[a] -= dy * short * (1 - share)
    xs[b] += dx * short * share
    ys[b] += dy * short * share
    return True


def place(ids: Sequence[str], pairs: list[tuple[int, int]], kept: dict[str, Point]) -> list[Point]:
    """Kept nodes where they were; each new node, in waves outwards from the kept ones, at
    the centroid of its placed neighbours plus a small offset from a hash of its id; a new
    node with no placed neighbour anywhere on a spot of the periphery (from its id's hash).

    A wave is every new node with a placed neighbour, each placed from the nodes placed
    before the wave (so the order within a wave does not matter); the next wave can only be
    the new neighbours of this one."""
    points: list[Point | None] = [kept.get(node) for node in ids]
    new = [n for n, p in enumerate(points) if p is None]
    if not new:
        return points  # type: ignore[return-value]
    near = _new_neighbours(new, pairs)
    placed = [p for p in points if p is not None]
    cx = sum(p[0] for p in placed) / len(placed)
    cy = sum(p[1] for p in placed) / len(placed)
    rim = max(math.dist(p, (cx, cy)) for p in placed) + 2 * EDGE
    waiting = set(new)
    wave = [n for n in new if any(points[m] is not None for m in near[n])]
    first = 0  # where in `new` to look for an island's first node
    while waiting:
        if not wave:  # an island of new nodes: its first node goes on the periphery
            while new[first] not in waiting:
                first += 1
            n = new[first]
            angle, _ = _jitter(ids[n])
            points[n] = (round(cx + rim * math.cos(angle)), round(cy + rim * math.sin(angle)))
            rim += EDGE / 4
            waiting.discard(n)
            wave = [m for m in near[n] if m in waiting]
            continue
        spots = [(n, _near(ids[n], [p for m in near[n] if (p := points[m])])) for n in wave]
        for n, spot in spots:
            points[n] = spot
        waiting.difference_update(wave)
        wave = list({m: None for n in wave for m in near[n] if m in waiting})
    return points  # type: ignore[return-value]


def _new_neighbours(new: list[int], pairs: list[tuple[int, int]]) -> dict[int, list[int]]:
    """Each new node's neighbours."""
    near: dict[int, list[int]] = {n: [] for n in new}
    for a, b in pairs:
        if a in near:
            near[a].append(b)
        if b in near:
            near[b].append(a)
    return near


def _near(node: str, neighbours: list[Point]) -> Point:
    angle, fraction = _jitter(node)
    x = sum(p[0] for p in neighbours) / len(neighbours)
    y = sum(p[1] for p in neighbours) / len(neighbours)
    radius = EDGE * (0.5 + 0.5 * fraction)
    return round(x + radius * math.cos(angle)), round(y + radius * math.sin(angle))


def _jitter(node: str) -> tuple[float, float]:
    """An angle and a fraction in [0, 1) from the node's id, the same in every process."""
    digest = hashlib.blake2b(node.encode(), digest_size=8).digest()
    a, b = int.from_bytes(digest[:4]), int.from_bytes(digest[4:])
    return a / 2**32 * 2 * math.pi, b / 2**32


def measure(graph: igraph.Graph, key: str) -> Measures:
    """Communities (Leiden, modularity; numbered by size, largest first, ties by their first
    node), degree (distinct neighbours) and PageRank (100 = the average node)."""
    count = graph.vcount()
    if count == 0:
        return Measures(key)
    membership = seeded(
        lambda: graph.community_leiden(objective_function="modularity", n_iterations=2).membership
    )
    sizes: dict[int, int] = {}
    first: dict[int, int] = {}
    for n, label in enumerate(membership):
        sizes[label] = sizes.get(label, 0) + 1
        first.setdefault(label, n)
    order = sorted(sizes, key=lambda label: (-sizes[label], first[label]))
    renumber = {label: n for n, label in enumerate(order)}
    ranks = graph.pagerank(directed=False) if graph.ecount() else [1 / count] * count
    return Measures(
        key,
        [renumber[label] for label in membership],
        graph.degree(),
        [round(r * count * 100) for r in ranks],
    )
