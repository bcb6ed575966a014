"""Draw a note's outline topics as a mind map: a horizontal tidy tree, as inline SVG markup.

The root (the note) sits on the left, its topics (headings, bullets with children) branch
to the right, children stacked in rows; each parent sits midway between its first and last
child. A topic is a link to its anchor on the page; the notes linked from under a topic hang
off it as chips. Big outlines are cut to MAX_DEPTH levels and MAX_NODES nodes (breadth
first, so the top levels always show), each cut branch ending in a "+N more" node.

The markup nests one `<g>` per node inside its parent's, in document order (static/mindview.js
folds and re-lays out from that), uses integer coordinates and short class names, and takes
its colours from the stylesheet (`.mm-mv` in mindmap.css). A map wider than the note's
column shrinks to fit it down to `SHRINK` % of its size (labels of 12 px stay 10.8 px or
more: shrunk to fit, they were read at 9 px), and scrolls beyond that.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape as _escape
from typing import NamedTuple

from mindmap.model import Topic

MAX_DEPTH = 3  # levels of topics below the note
MAX_NODES = 40  # topics and chips shown in all (breadth first)
MAX_CHIPS = 3  # linked notes shown per topic
LABEL = 22  # characters of a topic's label (the full text is in its <title>)
TITLE = 80  # characters of that full text, at most
ROW = 26  # px between two rows
GAP = 28  # px between a column and the next
PAD = 6
SHRINK = 90  # % of its width a map may shrink to, to fit its column; wider, it scrolls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPECIAL = re.compile("[&<>\"']")


class Chip(NamedTuple):
    """A note linked from under a topic: its title and its href from the page."""

    title: str
    href: str


@dataclass(eq=False)  # nodes are told apart by identity
class _Node:
    kind: str  # "r" root, "t" topic, "c" chip, "m" more
    text: str
    href: str
    depth: int
    children: list[_Node] = field(default_factory=list)
    x: int = 0
    y: int = 0
    width: int = 0
    stands_for: int = 1  # a "+N more" node: the N nodes it stands for
    label: str = ""  # its text as shown, cut to LABEL characters (set by `_columns`)


def mind_map(
    title: str, topics: Sequence[Topic], chips: Mapping[str, Sequence[Chip]], root: str = ""
) -> str:
    """The SVG of a note's mind map. `root` is the anchor of the topic that stands for the
    note itself (its leading H1), whose children branch from the root; `chips` are keyed
    by topic anchor ("" or `root` for the note)."""
    tree = _cut(_tree(title, topics, chips, root))
    columns = _columns(tree)
    rows = _place(tree, columns)
    width = sum(columns) + GAP * (len(columns) - 1) + 2 * PAD
    height = rows * ROW + 2 * PAD
    label = escape(f"Mind map of {_clean(title)}")
    return (
        f'<svg class="mm-mv" viewBox="0 0 {width} {height}" width="{width}" '
        f'style="min-width:{width * SHRINK // 100}px" aria-label="{label}">'
        f"{_draw(tree, None)}</svg>"
    )


def _tree(
    title: str, topics: Sequence[Topic], chips: Mapping[str, Sequence[Chip]], root: str
) -> _Node:
    top = _Node("r", title, "", 0)
    nodes = {"": top}
    for topic in topics:
        if topic.anchor == root and root:
            continue
        parent = nodes.get("" if topic.parent == root else topic.parent, top)
        node = _Node("t", topic.title, "#" + topic.anchor, parent.depth + 1)
        parent.children.append(node)
        nodes[topic.anchor] = node
    for anchor in nodes:
        _add_chips(nodes[anchor], chips.get(anchor, ()))
    if root:
        _add_chips(top, chips.get(root, ()))
    return top


def _add_chips(node: _Node, chips: Sequence[Chip]) -> None:
    """The topic's linked notes, MAX_CHIPS of them, then "+N more" (to the topic, where
    they are linked; for the note itself, to its "Links from here")."""
    room = max(MAX_CHIPS - len([c for c in node.children if c.kind == "c"]), 0)
    for chip in chips[:room]:
        node.children.append(_Node("c", chip.title, chip.href, node.depth + 1))
    if len(chips) > room:
        href, more = node.href or "#mm-outlinks-title", len(chips) - room
        node.children.append(_Node("m", f"+{more} more", href, node.depth + 1, stands_for=more))


def _cut(top: _Node) -> _Node:
    """Keep MAX_NODES nodes, breadth first, down to MAX_DEPTH; each node that loses children
    gets a "+N more" node instead, linking to its first hidden topic (or to itself)."""
    shown, level = 0, [top]
    while level:
        nxt = []
        for node in level:
            kept, hidden = [], []
            for child in node.children:
                if child.depth <= MAX_DEPTH + (child.kind in "cm") and shown < MAX_NODES:
                    kept.append(child)
                    shown += 1
                else:
                    hidden.append(child)
            if hidden:
                count = sum(_size(c) for c in hidden)
                first = next((c.href for c in hidden if c.kind in "tm"), "")
                href = first or node.href or "#mm-outlinks-title"
                kept.append(_Node("m", f"+{count} more", href, node.depth + 1, stands_for=count))
            node.children = kept
            nxt += [c for c in kept if c.kind == "t"]
        level = nxt
    return top


def _size(node: _Node) -> int:
    """How many nodes a node stands for, with its subtree."""
    if node.kind == "m":
        return node.stands_for
    return 1 + sum(_size(c) for c in node.children)


def _columns(top: _Node) -> list[int]:
    """Each column's width: its widest node's."""
    widths: list[int] = []
    todo = [top]
    while todo:
        node = todo.pop()
        node.label = _label(node)
        node.width = _width(node)
        if node.depth == len(widths):
            widths.append(0)
        widths[node.depth] = max(widths[node.depth], node.width)
        todo += node.children
    return widths


def _width(node: _Node) -> int:
    """The node's width: its label's (bold for the root and the note's own topics, as
    mindmap.css draws them; a chip's with its arrow), and room around it: a topic with
    children has its fold knob at the end of its line (mindview.js; 8 px across on a touch
    screen), clear of the label."""
    bold = node.kind == "r" or (node.depth == 1 and node.kind != "c")
    text = "→ " + node.label if node.kind == "c" else node.label
    size = 11 if node.kind == "c" else 12
    pad = {"r": 22, "t": 14 if node.children else 6, "c": 4, "m": 6}[node.kind]
    return math.ceil(ems(text, bold) * size) + pad


def _measures(widths: str) -> bytes:
    """A table for `bytes.translate`: each ASCII character's width, in hundredths of an em."""
    return bytes(int(w) for w in widths.split()).rjust(127, b"\0").ljust(256, b"\0")


# Advance widths of the printable ASCII characters (" " to "~") in hundredths of an em, in
# DejaVu Sans, regular and bold, as Chromium draws them: the widest font the stylesheet's
# `--sans` falls back to (Linux's), so that a label measured so fits in any of them.
_REGULAR = _measures(
    "32 40 46 84 64 95 78 27 39 39 50 84 32 36 32 34 64 64 64 64 64 64 64 64 64 64 34 34 84 84 "
    "84 53 100 71 69 70 77 63 58 77 75 29 29 66 56 86 75 79 60 79 69 63 59 73 68 99 69 61 69 "
    "39 34 39 84 50 50 61 63 55 63 62 34 63 63 28 28 58 28 97 63 61 63 63 39 52 39 63 59 82 59 "
    "59 52 64 34 64 84"
)
_BOLD = _measures(
    "35 46 52 84 70 100 87 31 46 46 52 84 38 42 38 37 70 70 70 70 70 70 70 70 70 70 40 40 84 84 "
    "84 58 100 77 76 73 83 68 68 82 84 37 37 77 64 100 84 85 73 85 77 68 70 81 77 110 77 72 73 "
    "46 37 46 84 50 50 67 72 59 72 68 41 72 71 34 34 67 34 104 71 69 72 72 49 60 48 71 65 92 65 "
    "65 58 71 37 71 84"
)
_OTHER = {"…": 100, "→": 84}  # in every label cut short, and every chip


def ems(text: str, bold: bool = False) -> float:
    """A label's width in ems (`_REGULAR`, `_BOLD`); a character outside those tables is
    taken as 0.7 em, or 1 em when wide (CJK; 1.1 in bold)."""
    table = _BOLD if bold else _REGULAR
    if text.isascii():  # nearly every label: counted in C
        return sum(text.encode().translate(table)) / 100
    core = text.replace("…", "").replace("→", "")
    if core.isascii():  # a label cut short, a chip
        extra = 100 * text.count("…") + 84 * text.count("→")
        return (sum(core.encode().translate(table)) + extra) / 100
    total = 0
    for ch in text:
        if ch.isascii():
            total += table[ord(ch)]
        elif ch in _OTHER:
            total += _OTHER[ch]
        else:
            wide = unicodedata.east_asian_width(ch) in "WF"
            total += (110 if bold else 100) if wide else 70
    return total / 100


def _place(top: _Node, columns: list[int]) -> int:
    """Give every node its x (its column) and y (its row, or midway between its first and
    last child); return the number of rows."""
    starts = [PAD]
    for width in columns[:-1]:
        starts.append(starts[-1] + width + GAP)
    row = 0

    def place(node: _Node) -> None:
        nonlocal row
        node.x = starts[node.depth]
        if node.children:
            for child in node.children:
                place(child)
            node.y = (node.children[0].y + node.children[-1].y) // 2
        else:
            node.y = PAD + ROW // 2 + 4 + row * ROW
            row += 1

    place(top)
    return max(row, 1)


def _draw(node: _Node, parent: _Node | None) -> str:
    """A node's `<g>`: the connector from its parent (into its underline), its link, then
    its children's groups. Depth shows in the nesting, so only chips ("c") and "+N more"
    nodes ("m") need a class."""
    x, y, w = node.x, node.y, node.width
    text = node.label
    full = _clean(node.text) if text.endswith("…") else text
    if len(full) > TITLE:
        full = full[: TITLE - 1].rstrip() + "…"
    title = f"<title>{escape(full)}</title>" if text != full else ""
    out = f'<g class="{node.kind}">' if node.kind in "cm" else "<g>"
    if parent is not None:
        px, py = parent.x + parent.width, parent.y
        half, dy = (x - px) // 2, y - py
        end = f"h{w}" if node.kind in "tm" else ""
        out += f'<path d="M{px},{py}c{half},0 {half},{dy} {x - px},{dy}{end}"/>'
    if node.kind == "r":
        shape = f'<rect x="{x}" y="{y - 12}" width="{w}" height="24" rx="12"/>'
        label = f'<text x="{x + 11}" y="{y + 4}">{escape(text)}</text>'
    elif node.kind == "c":  # a linked note: like "Links from here"
        shape, label = "", f'<text x="{x + 2}" y="{y + 4}">→ {escape(text)}</text>'
    else:
        shape, label = "", f'<text x="{x + 3}" y="{y - 5}">{escape(text)}</text>'
    body = title + shape + label
    out += f'<a href="{escape(node.href)}">{body}</a>' if node.href else body
    return out + "".join(_draw(c, node) for c in node.children) + "</g>"


def escape(text: str) -> str:
    """html.escape, for the text that needs it (most labels and anchors do not)."""
    return _escape(text) if _SPECIAL.search(text) else text


def _label(node: _Node) -> str:
    text = _clean(node.text) or "…"
    return text if len(text) <= LABEL else text[: LABEL - 1].rstrip() + "…"


def _clean(text: str) -> str:
    """One line of text without the control characters XML forbids."""
    return " ".join(_CONTROL.sub("", text).split())
