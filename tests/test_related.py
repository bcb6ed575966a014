"""Related notes (related.py): Adamic–Adar over the link graph, kept exact between plans."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mindmap.related import HUB, SHOWN, Related, adjacency


def adj_of(edges: list[tuple[str, str]], notes: str = "") -> dict[str, frozenset[str]]:
    names = set(notes) | {n for e in edges for n in e}
    out: dict[str, set[str]] = {}
    ins: dict[str, dict[str, list[int]]] = {}
    for s, t in edges:
        out.setdefault(s, set()).add(t)
        ins.setdefault(t, {})[s] = []
    return adjacency(names, out, ins)


def test_adamic_adar_ranks_rare_shared_neighbours_higher() -> None:
    # a and b share c (degree 2); a and d share e (degree 3, also linked from f).
    adj = adj_of([("a", "c"), ("b", "c"), ("a", "e"), ("d", "e"), ("f", "e")])
    assert adj["c"] == {"a", "b"} and adj["e"] == {"a", "d", "f"}
    related = Related(adj)
    assert related.of("a") == ("b", "d", "f")  # 1/log 2 > 1/log 3; d before f by name
    assert related.of("c") == ("e",)  # through a
    assert 1 / math.log(2) > 1 / math.log(3)


def test_direct_links_and_the_note_itself_are_never_related() -> None:
    adj = adj_of([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    assert Related(adj).of("a") == ("d",)  # b and c are linked with a directly


def test_links_count_both_ways_and_self_links_do_not() -> None:
    adj = adj_of([("x", "hub1"), ("y", "hub1"), ("x", "x")])
    assert adj["hub1"] == {"x", "y"} and "x" not in adj["x"]
    assert Related(adj).of("y") == ("x",)


def test_hubs_do_not_relate_everything() -> None:
    spokes = [(f"n{i:03}", "hub") for i in range(HUB + 1)]
    related = Related(adj_of(spokes))
    assert related.of("n000") == ()
    fewer = Related(adj_of(spokes[:HUB]))
    assert len(fewer.of("n000")) == SHOWN


def test_at_most_shown_best_first() -> None:
    adj = adj_of([(f"s{i}", "m") for i in range(10)] + [("a", "m"), ("a", "k"), ("s9", "k")])
    got = Related(adj).of("a")
    assert len(got) == SHOWN and got[0] == "s9"  # shares two neighbours with a


edge_lists = st.lists(
    st.tuples(st.sampled_from("abcdefgh"), st.sampled_from("abcdefgh")), max_size=25
)


@settings(max_examples=200, deadline=None)
@given(before=edge_lists, after=edge_lists)
def test_kept_lists_equal_fresh_ones(
    before: list[tuple[str, str]], after: list[tuple[str, str]]
) -> None:
    """What a plan keeps from the last one is exactly what it would work out afresh."""
    old = Related(adj_of(before, "abcdefgh"))
    for n in "abcdefgh":
        old.of(n)
    new_adj = adj_of(after, "abcdefg")  # h is deleted
    kept = Related(new_adj, old)
    fresh = Related(new_adj)
    assert {n: kept.of(n) for n in "abcdefg"} == {n: fresh.of(n) for n in "abcdefg"}


def test_note_page_shows_related_notes(build_vault: Callable[..., tuple[object, Path]]) -> None:
    _result, site = build_vault(
        {
            "A.md": "* see [[Hub]]\n* and [[Side]]\n",
            "B.md": "* also [[Hub]] and [[Side]]\n",
            "C.md": "* [[A]] directly\n* [[Hub]]\n",
            "Hub.md": "hub\n",
            "Side.md": "side\n",
        }
    )
    page = (site / "a.html").read_text(encoding="utf-8")
    panel = re.search(r'<nav class="mm-related.*?</nav>', page, re.S)
    assert panel is not None
    titles = re.findall(r'class="internal" href="([^"]+)">([^<]+)</a>', panel.group(0))
    assert titles == [("b.html", "B")]  # C links A directly; Hub and Side are linked
