"""The mind-map view: treeview.py's SVG, and how note pages show it."""

from __future__ import annotations

import html
import math
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from mindmap import treeview
from mindmap.model import Topic
from mindmap.treeview import Chip, mind_map
from sitetools import ids_of, parse_html

ROOT = Path(__file__).resolve().parents[1]
SVG = re.compile(r'<svg class="mm-mv".*?</svg>', re.S)

OUTLINE = """---
title: Outline
---
# Outline

Intro with [[Intro Target]].

- alpha
  - alpha one
    - deep [[Target]]
  - alpha two
    - x
- alpha
  - the same text twice gives another anchor
- beta ^beta-id
  - a leaf linking [[Target|aliased]] and [[Other]] and [[Nowhere]]
  - ![[Target]]

## Section
- gamma
  - g1
"""
HEADS = "# Heads\n\n## One\n\n- a\n  - b\n\n## Two\n\n## Three\n"  # more headings than bullets
LINKED = {"Target.md": "# Target\n", "sub/Other.md": "# Other\n", "Intro Target.md": "hi\n"}


def nodes(svg: str) -> ET.Element:
    """The root node's <g> of an SVG mind map, parsed as XML."""
    root = ET.fromstring(svg)
    assert root.tag == "svg"
    return root[0]


def child_nodes(g: ET.Element) -> list[ET.Element]:
    return [c for c in g if c.tag == "g"]


def href(g: ET.Element) -> str | None:
    a = g.find("a")
    return None if a is None else a.get("href")


def label(g: ET.Element) -> str:
    a = g.find("a")
    title = a.find("title") if a is not None else None
    text = (a if a is not None else g).find("text")
    return ((title if title is not None else text).text or "").removeprefix("→ ")  # type: ignore[union-attr]


def topic_tree(g: ET.Element) -> list[tuple[str, str]]:
    """(parent href, href) of every topic node (no class), root = ""."""
    out = []
    for child in child_nodes(g):
        if child.get("class") is None:
            out.append((href(g) or "", str(href(child))))
            out += topic_tree(child)
    return out


def page_svg(page: str) -> str:
    found = SVG.search(page)
    assert found, "no mind map on the page"
    return found.group(0)


def topics(*rows: tuple[str, str]) -> list[Topic]:
    """Topics from (anchor, parent) pairs."""
    return [Topic(a, a.upper(), p, "item", n + 1) for n, (a, p) in enumerate(rows)]


# --- the SVG itself --------------------------------------------------------------------


def test_nodes_and_nesting_match_the_topics() -> None:
    given = topics(("a", ""), ("a1", "a"), ("a2", "a"), ("a2x", "a2"), ("b", ""))
    root = nodes(mind_map("Note", given, {}))
    assert label(root) == "Note" and href(root) is None
    assert topic_tree(root) == [
        ("", "#a"),
        ("#a", "#a1"),
        ("#a", "#a2"),
        ("#a2", "#a2x"),
        ("", "#b"),
    ]
    assert [label(g) for g in child_nodes(root)] == ["A", "B"]


def test_the_leading_h1_stands_for_the_note() -> None:
    given = [Topic("h", "Title", "", "heading", 1), *topics(("x", "h"), ("y", "x"))]
    chips = {"h": [Chip("Else", "else.html")]}
    root = nodes(mind_map("Title", given, chips, root="h"))
    assert topic_tree(root) == [("", "#x"), ("#x", "#y")]
    assert [href(g) for g in child_nodes(root)] == ["#x", "else.html"]


def test_layout_is_a_tidy_tree_in_integer_coordinates() -> None:
    given = topics(("a", ""), ("a1", "a"), ("a2", "a"), ("b", ""))
    svg = mind_map("Note", given, {})
    assert not re.search(r"\d\.\d", svg)  # integers only
    root = nodes(svg)

    def y_of(g: ET.Element) -> int:
        return int(g.find("a/text").get("y"))  # type: ignore[union-attr]

    a, b = child_nodes(root)
    a1, a2 = child_nodes(a)
    assert y_of(a1) < y_of(a2) < y_of(b)  # one row each, in document order
    assert y_of(a) == (y_of(a1) + y_of(a2)) // 2  # a parent sits midway between its children
    xs = [int(g.find("a/text").get("x")) for g in (a, a1)]  # type: ignore[union-attr]
    assert xs[0] < xs[1]  # children to the right


def test_labels_are_truncated_with_the_full_text_in_a_title() -> None:
    long = "a very long bullet  that goes on and on, and on "
    svg = mind_map("Note", [Topic("a", long, "", "item", 1), *topics(("b", ""))], {})
    g = child_nodes(nodes(svg))[0]
    text = g.find("a/text").text  # type: ignore[union-attr]
    assert len(text) == treeview.LABEL and text.endswith("…")  # type: ignore[arg-type]
    assert g.find("a/title").text == " ".join(long.split())  # type: ignore[union-attr]
    longer = "word " * 40
    svg = mind_map("Note", [Topic("a", longer, "", "item", 1), *topics(("b", ""))], {})
    title = child_nodes(nodes(svg))[0].find("a/title").text  # type: ignore[union-attr]
    assert len(title) == treeview.TITLE and title.endswith("…")  # type: ignore[arg-type]
    assert child_nodes(nodes(svg))[1].find("a/title") is None  # short: no title needed


@pytest.mark.parametrize(
    ("label", "regular", "bold"),
    [
        ("abc", 0.61 + 0.63 + 0.55, 0.67 + 0.72 + 0.59),
        ("Wi", 0.99 + 0.28, 1.10 + 0.34),  # as DejaVu Sans draws them
        ("中文", 2.0, 2.2),  # wide characters: an em each
        ("ab中…", 0.61 + 0.63 + 1.0 + 1.0, 0.67 + 0.72 + 1.1 + 1.0),
        ("é", 0.7, 0.7),  # beyond the tables
    ],
)
def test_a_label_is_as_wide_as_its_characters(label: str, regular: float, bold: float) -> None:
    assert treeview.ems(label) == pytest.approx(regular)
    assert treeview.ems(label, bold=True) == pytest.approx(bold)
    deep = treeview._Node("t", label, "", 2, label=label)
    assert treeview._width(deep) == math.ceil(regular * 12) + 6
    top = treeview._Node("t", label, "", 1, label=label)  # the note's own topics are bold
    assert treeview._width(top) == math.ceil(bold * 12) + 6
    top.children.append(treeview._Node("t", "x", "", 2, label="x"))
    assert treeview._width(top) == math.ceil(bold * 12) + 14  # room for its fold knob


def test_hostile_titles_come_out_inert() -> None:
    evil = '</svg><script>alert(1)</script><a href="x" onload="y">&amp;'
    given = [Topic('"><script>', evil, "", "item", 1), *topics(("b", ""))]
    chips = {"": [Chip(evil, 'javascript:"><script>')]}
    svg = mind_map(evil + "\x07", given, chips)
    assert "<script" not in svg and "onload=" not in svg.replace("onload=&quot;", "")
    root = ET.fromstring(svg)  # still one well-formed SVG
    texts = [t.text for t in root.iter("title")] + [t.text for t in root.iter("text")]
    assert evil in texts and root.get("aria-label") == "Mind map of " + evil
    assert href(child_nodes(root[0])[0]) == '#"><script>'


def test_output_is_deterministic() -> None:
    given = topics(*[(f"t{n}", f"t{n // 3}" if n >= 3 else "") for n in range(60)])
    chips = {"t1": [Chip("A", "a.html"), Chip("B", "b.html")]}
    assert mind_map("N", given, chips) == mind_map("N", list(given), dict(chips))


def count(g: ET.Element, kind: str | None) -> int:
    return sum(1 for e in g.iter("g") if e.get("class") == kind)


def test_a_big_outline_is_cut_breadth_first_with_more_nodes() -> None:
    # 10 branches of 30 bullets each: 310 topics
    rows = [(f"b{i}", "") for i in range(10)]
    rows += [(f"b{i}-{j}", f"b{i}") for i in range(10) for j in range(30)]
    root = nodes(mind_map("Big", topics(*rows), {}))
    shown = count(root, None) - 1  # the root has no class either
    assert shown == treeview.MAX_NODES
    assert [href(g) for g in child_nodes(root)] == [f"#b{i}" for i in range(10)]  # all of level 1
    more = [g for g in root.iter("g") if g.get("class") == "m"]
    hidden = sum(int(label(g).split()[0][1:]) for g in more)
    assert shown + hidden == 310
    # each "+N more" links to the first bullet it stands for
    first = child_nodes(root)[-1]
    (more_node,) = child_nodes(first)
    assert href(more_node) == "#b9-0" and label(more_node) == "+30 more"


def test_a_deep_outline_is_cut_at_max_depth() -> None:
    rows = [(f"d{n}", f"d{n - 1}" if n else "") for n in range(12)]
    root = nodes(mind_map("Deep", topics(*rows), {}))
    depth, g = 0, root
    while child_nodes(g):
        g, depth = child_nodes(g)[0], depth + 1
    assert depth == treeview.MAX_DEPTH + 1 and g.get("class") == "m"
    assert label(g) == f"+{12 - treeview.MAX_DEPTH} more"
    assert href(g) == f"#d{treeview.MAX_DEPTH}"


def test_chips_are_capped_per_topic_and_the_rest_counted() -> None:
    """Three linked notes a topic, then "+N more" to the topic (where they are linked); for
    the note itself, to its "Links from here"."""
    chips = {
        "a": [Chip(f"N{n}", f"n{n}.html") for n in range(5)],
        "": [Chip(f"R{n}", f"r{n}.html") for n in range(4)],
    }
    root = nodes(mind_map("N", topics(("a", ""), ("b", "")), chips))
    a = child_nodes(root)[0]
    assert [href(g) for g in child_nodes(a)] == ["n0.html", "n1.html", "n2.html", "#a"]
    assert [g.get("class") for g in child_nodes(a)] == ["c", "c", "c", "m"]
    assert label(child_nodes(a)[-1]) == "+2 more"
    more = child_nodes(root)[-1]
    assert (more.get("class"), label(more), href(more)) == ("m", "+1 more", "#mm-outlinks-title")


def test_a_cut_more_node_still_counts_what_it_stood_for() -> None:
    """37 topics and ten notes linked from the note: the node cap (40) hides the chips'
    "+7 more" itself; what replaces it still says 7 (it said 1) and links to the links."""
    many = topics(*((f"a{i}", "") for i in range(37)))
    root = nodes(mind_map("N", many, {"": [Chip(f"R{n}", f"r{n}.html") for n in range(10)]}))
    more = [g for g in child_nodes(root) if g.get("class") == "m"]
    assert [(label(g), href(g)) for g in more] == [("+7 more", "#mm-outlinks-title")]


# --- on the note page ------------------------------------------------------------------


@pytest.fixture
def outline_site(build_vault: Callable[..., Any]) -> Path:
    files = {"notes/Outline.md": OUTLINE, "Short.md": "- one\n  - two\n", "Heads.md": HEADS}
    files |= {f"other/{k}" if "/" not in k else k: v for k, v in LINKED.items()}
    _result, site = build_vault(files)
    return site


def test_every_anchor_of_the_map_is_an_id_on_the_page(outline_site: Path) -> None:
    page = (outline_site / "notes/outline.html").read_text()
    svg = page_svg(page)
    anchors = [h[1:] for h in re.findall(r'href="(#[^"]*)"', svg)]
    ids = ids_of(parse_html(page))
    assert anchors and set(html.unescape(a) for a in anchors) <= ids
    tree = topic_tree(nodes(svg))
    labels = [label(g) for g in nodes(svg).iter("g") if g.get("class") is None][1:]
    assert labels == ["alpha", "alpha one", "alpha two", "alpha", "beta", "Section", "gamma"]
    assert ("", "#^beta-id") in tree and ("#section", "#t-gamma") in tree
    assert len(set(anchors)) == len(anchors)  # "alpha" twice: two anchors


def test_chips_point_at_the_linked_pages(outline_site: Path) -> None:
    page = (outline_site / "notes/outline.html").read_text()
    root = nodes(page_svg(page))
    by_label = {label(g): g for g in root.iter("g") if g.get("class") is None}
    chips = {
        label(g): posixpath.normpath(posixpath.join("notes", str(href(g))))
        for g in root.iter("g")
        if g.get("class") == "c"
    }
    for target in chips.values():
        assert (outline_site / target).is_file()
    # under the note: the link before any bullet
    assert [label(g) for g in child_nodes(root) if g.get("class") == "c"] == ["Intro Target"]
    # a leaf's links hang off its topic, each note once, missing notes left out
    beta = [label(g) for g in child_nodes(by_label["beta"]) if g.get("class") == "c"]
    assert beta == ["Target", "Other"]
    assert chips["Other"] == "sub/other.html" and chips["Target"] == "other/target.html"
    # "deep [[Target]]" is a leaf of "alpha one"; "alpha two" links nowhere
    assert [label(g) for g in child_nodes(by_label["alpha one"])] == ["Target"]
    assert child_nodes(by_label["alpha two"]) == []


def test_only_outline_notes_have_a_map(outline_site: Path) -> None:
    for page in ("short.html", "heads.html"):  # one topic; mostly headings
        assert "mm-mindview" not in (outline_site / page).read_text()
        assert "mindview.js" not in (outline_site / page).read_text()
    page = (outline_site / "notes/outline.html").read_text()
    assert page.count("mindview.js") == 1 and '<details class="mm-mindview" open>' in page


def test_every_map_of_the_demo_site_links_to_ids_of_its_page(
    build_vault: Callable[..., Any],
) -> None:
    _result, site = build_vault(ROOT / "notes")
    maps = 0
    for path in sorted(site.rglob("*.html")):
        page = path.read_text()
        found = SVG.search(page)
        if not found:
            continue
        maps += 1
        ET.fromstring(found.group(0))
        ids = ids_of(parse_html(page))
        for anchor in re.findall(r'href="#([^"]*)"', found.group(0)):
            assert html.unescape(anchor) in ids, (path.name, anchor)
        for link in re.findall(r'href="([^"#][^"]*)"', found.group(0)):
            target = path.parent / unquote(html.unescape(link))
            assert target.resolve().is_file(), (path.name, link)
    assert maps >= 20
