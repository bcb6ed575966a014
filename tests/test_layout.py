"""graph.json's layout: deterministic from scratch, stable under edits (layout.py)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from mindmap.build import Builder, build_site
from mindmap.config import Config
from mindmap.layout import EDGE, LayoutMemo, layout_json, place, separate
from sitetools import read_graph

ROOT = Path(__file__).resolve().parents[1]


def graph_of(site: Path) -> dict:
    return read_graph((site / "graph.json").read_bytes())


def positions(graph: dict) -> dict[str, tuple[int, int]]:
    lay = graph["layout"]
    return {n["id"]: (x, y) for n, x, y in zip(graph["nodes"], lay["x"], lay["y"], strict=True)}


def write(vault: Path, rel: str, text: str, tick: int) -> None:
    path = vault / rel
    path.write_text(text, encoding="utf-8")
    os.utime(path, (1.6e9 + tick, 1.6e9 + tick))  # old: the stat cache trusts it


def test_two_clean_builds_give_the_same_bytes(tmp_path: Path) -> None:
    build_site(ROOT / "notes", tmp_path / "a", Config(), jobs=1)
    build_site(ROOT / "notes", tmp_path / "b", Config(), jobs=2)  # the layout in a worker
    assert (tmp_path / "a/graph.json").read_bytes() == (tmp_path / "b/graph.json").read_bytes()


def test_every_node_has_a_finite_position_a_community_and_a_size(tmp_path: Path) -> None:
    build_site(ROOT / "notes", tmp_path / "site", Config(), jobs=1)
    graph = graph_of(tmp_path / "site")
    lay, count = graph["layout"], len(graph["nodes"])
    assert sorted(lay) == ["community", "degree", "rank", "x", "y"]
    assert all(len(column) == count for column in lay.values())
    assert all(isinstance(v, int) for column in lay.values() for v in column)
    assert len(set(zip(lay["x"], lay["y"], strict=True))) > 0.95 * count  # spread out
    assert max(map(abs, lay["x"] + lay["y"])) < 100 * EDGE
    sizes = {}
    for label in lay["community"]:
        sizes[label] = sizes.get(label, 0) + 1
    assert [sizes[k] for k in sorted(sizes)] == sorted(sizes.values(), reverse=True)
    by_id = {n["id"]: d for n, d in zip(graph["nodes"], lay["degree"], strict=True)}
    assert by_id["tag:memory"] >= 3 and by_id["Home.md"] > 10


def test_an_edit_moves_only_the_nodes_it_touches(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    vault.mkdir()
    for n in range(12):
        links = f"[[n{(n + 1) % 12}]] and [[n{(n * 5) % 12}]]"
        write(vault, f"n{n}.md", f"# n{n}\n\n- see {links}\n", n)
    write(vault, "gone.md", "- to [[n1]]\n", 20)
    live = Builder(vault, tmp_path / "live", Config(), jobs=1, keep=True, cache=False)
    live.build()
    live.settle()
    before = positions(graph_of(tmp_path / "live"))
    write(vault, "n3.md", "# n3\n\n- see [[n4]] and [[n3 child]]\n  - a branch\n    - leaf\n", 30)
    write(vault, "island.md", "alone\n", 31)
    (vault / "gone.md").unlink()
    live.build()
    live.settle()
    after = positions(graph_of(tmp_path / "live"))
    assert "gone.md" not in after
    for node, point in after.items():
        if node in before:
            assert point == before[node], node  # every surviving node stays exactly
    new = sorted(set(after) - set(before))
    see, branch = "n3.md#t-see-n4-and-n3-child", "n3.md#t-a-branch"
    assert new == ["island.md", "missing:n3 child", branch, see]
    assert math.dist(after["missing:n3 child"], after["n3.md"]) <= EDGE + 1  # its one neighbour
    assert math.dist(after[see], after["n3.md"]) <= EDGE + 1  # a topic near its note
    assert math.dist(after[branch], after[see]) <= EDGE + 1  # and its branch near it
    centre = (sum(p[0] for p in before.values()) / 13, sum(p[1] for p in before.values()) / 13)
    rim = max(math.dist(p, centre) for p in before.values())
    assert math.dist(after["island.md"], centre) > rim  # no neighbour: on the periphery
    # The graph (and so communities and sizes) is a clean build's; only positions remember.
    Builder(vault, tmp_path / "clean", Config(), jobs=1, cache=False).build()
    clean = graph_of(tmp_path / "clean")
    live_graph = graph_of(tmp_path / "live")
    for key in ("community", "degree", "rank"):
        assert live_graph["layout"][key] == clean["layout"][key]
    assert live_graph["nodes"] == clean["nodes"] and live_graph["links"] == clean["links"]


def test_build_keeps_the_layout_in_its_cache_and_clean_starts_afresh(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    vault.mkdir()
    for n in range(8):
        write(vault, f"n{n}.md", f"- [[n{(n + 1) % 8}]] [[n{(n + 3) % 8}]]\n", n)
    Builder(vault, tmp_path / "site", Config(), jobs=1).build()
    first = positions(graph_of(tmp_path / "site"))
    write(vault, "n0.md", "- [[n1]] [[n3]] [[fresh]]\n", 20)  # a new node: the graph changes
    Builder(vault, tmp_path / "site", Config(), jobs=1).build()  # a new process: the cache
    second = positions(graph_of(tmp_path / "site"))
    assert {k: second[k] for k in first} == first
    Builder(vault, tmp_path / "site", Config(), jobs=1, fresh=True).build()  # --clean
    Builder(vault, tmp_path / "clean", Config(), jobs=1, cache=False).build()
    scratch = (tmp_path / "clean/graph.json").read_bytes()
    assert (tmp_path / "site/graph.json").read_bytes() == scratch
    assert positions(read_graph(scratch)) != second  # afresh, the whole graph is laid out


def test_new_nodes_are_placed_in_waves_from_the_kept_ones() -> None:
    kept = {"a": (0, 0), "b": (300, 0)}
    ids = ["a", "b", "c", "d", "e", "f"]
    edges = [(0, 2), (1, 2), (2, 3), (4, 5)]  # c between a and b, d beyond c; e-f an island
    c, d, e, f = place(ids, edges, kept)[2:]
    assert math.dist(c, (150, 0)) <= EDGE + 1
    assert math.dist(d, c) <= EDGE + 1
    assert math.dist(e, (150, 0)) > 150 + EDGE and math.dist(f, e) <= EDGE + 1
    assert place(ids, edges, kept) == place(ids, edges, dict(kept))  # the same every time


def test_layout_of_an_empty_graph() -> None:
    memo = LayoutMemo()
    assert layout_json([], [], memo) == '{"community":[],"degree":[],"rank":[],"x":[],"y":[]}'
    assert layout_json(["a"], [], memo).endswith('"x":[0],"y":[0]}')


def test_a_big_graph_lays_out_its_notes_and_hangs_the_satellites_around_them() -> None:
    """From 500 nodes on, only the notes and tags get the force layout; each topic lands
    within an edge or so of what it hangs from, and the result is deterministic."""
    notes = [f"n{i:03}" for i in range(150)]
    edges = [(notes[i], notes[(i * 7 + 3) % 150]) for i in range(150)]
    topics = [f"{n}#t{k}" for n in notes for k in range(3)]
    edges += [(t.split("#")[0], t) for t in topics]
    ids = notes + topics
    one = json.loads(layout_json(ids, edges, LayoutMemo(), frozenset(topics)))
    two = json.loads(layout_json(ids, edges, LayoutMemo(), frozenset(topics)))
    assert one == two
    where = {node: (x, y) for node, x, y in zip(ids, one["x"], one["y"], strict=True)}
    for topic in topics:
        assert math.dist(where[topic], where[topic.split("#")[0]]) <= EDGE + 1
    assert len({where[n] for n in notes}) == len(notes)  # the notes are spread out


def test_overlapping_nodes_are_pushed_apart_deterministically() -> None:
    """Hubs of a dense cluster, on top of each other, come apart until their circles are
    clear; the same input gives the same output; no node that is clear moves."""
    points = [(0, 0), (0, 0), (3, 1), (5, -2), (400, 400)]
    radii = [12.0, 10.0, 6.0, 6.0, 5.0]
    out = separate(points, radii)
    assert out == separate(points, radii)
    for a in range(len(out)):
        for b in range(a + 1, len(out)):
            assert math.dist(out[a], out[b]) >= radii[a] + radii[b] - 1  # rounded to units
    assert out[4] == (400, 400)


def test_a_small_vault_graph_has_no_overlapping_nodes(tmp_path: Path) -> None:
    """graph.json of a from-scratch layout: nodes drawn at zoom 1 (one unit, one pixel,
    sized by links as graph.js does) do not overlap."""
    vault, site = tmp_path / "v", tmp_path / "s"
    vault.mkdir()
    for n in range(12):  # every note links every other: a tight ball of hubs
        write(vault, f"N{n}.md", "".join(f"[[N{m}]] " for m in range(12) if m != n), n)
    build_site(vault, site, Config(base_dir=tmp_path))
    graph = graph_of(site)
    layout, ids = graph["layout"], [n["id"] for n in graph["nodes"]]
    radius = {i: 3 + 1.6 * math.sqrt(d) for i, d in zip(ids, layout["degree"], strict=True)}
    points = dict(zip(ids, zip(layout["x"], layout["y"], strict=True), strict=True))
    for a in ids:
        for b in ids:
            if a < b:
                assert math.dist(points[a], points[b]) >= radius[a] + radius[b] - 1, (a, b)
