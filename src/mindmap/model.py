"""Plain, picklable data for one parsed note. Nothing here knows about other notes.

The many small records are NamedTuples: immutable like frozen dataclasses, and three times
faster to unpickle, which matters because every parsed note crosses a process boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mindmap.diagnostics import Diagnostic
from mindmap.paths import NotePath
from mindmap.words import Postings


class LinkRef(NamedTuple):
    """A link exactly as written; resolve.py resolves it against the whole vault."""

    line: int  # 1-based source line
    col: int  # 1-based column, 0 when unknown
    target: str  # "Graph theory", "ideas/Graph theory", "tree.png", "" for [[#Heading]]
    heading: tuple[str, ...] = ()  # [[A#B#C]] → ("B", "C")
    block: str | None = None  # [[A#^id]] → "id"
    alias: str | None = None  # display text, or an image's size/alt text
    embed: bool = False  # ![[...]] or a Markdown image
    kind: str = "wiki"  # "wiki" | "markdown" | "image" | "property"
    context: int = -1  # index into Note.contexts: the bullet or paragraph holding the link


class Heading(NamedTuple):
    level: int  # 1–6
    text: str  # plain text
    anchor: str  # html id, unique in the note
    line: int
    start: int  # token index of heading_open
    end: int  # token index where its section ends (next heading of same or higher level)


class Block(NamedTuple):
    """A block named by a `^id`: a paragraph, a list item with its subtree, a quote, a table."""

    id: str
    start: int  # token range [start, end) of the named block
    end: int
    wrap: str  # "ul"/"ol" when the block is a lone list item that needs its list around it
    line: int
    anchor: str = ""  # the element's id, when not `^id` (a heading keeps its own)


class Topic(NamedTuple):
    """A branch of the note's mind map: a heading, or a list item that has children."""

    anchor: str
    title: str
    parent: str  # anchor of the enclosing topic, "" for the note itself
    kind: str  # "heading" | "item"
    line: int


class Context(NamedTuple):
    """Where a link sits: the bullet or paragraph (token range) and its ancestors' texts."""

    start: int
    end: int
    crumbs: tuple[str, ...]
    anchor: str  # id of the nearest element that has one ("" for none)
    line: int
    digest: str = ""  # of its HTML (with placeholders), set once the note is rendered
    links: tuple[int, ...] = ()  # the links (indices into Note.links) in that HTML
    tags: tuple[str, ...] = ()  # the tags in that HTML
    topic: str = ""  # anchor of the innermost topic around it ("" for none): its mind-map node


NO_POSTINGS = Postings(("",), "")


@dataclass(frozen=True)
class Note:
    path: NotePath
    digest: str  # hash of the source bytes
    title: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...]  # normalised, sorted, front matter and inline
    tag_labels: tuple[str, ...]  # its tags as written, each once, in the order written (T2)
    meta: dict[str, Any]  # JSON-able front matter values the site uses
    published: bool  # False for `draft: true` or `publish: false`
    headings: tuple[Heading, ...]
    blocks: tuple[Block, ...]
    topics: tuple[Topic, ...]
    links: tuple[LinkRef, ...]
    contexts: tuple[Context, ...]
    body: str  # rendered HTML with placeholders for links, embeds and tags
    offsets: tuple[int, ...]  # body[offsets[i]:offsets[i+1]] is block token i
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    # what it gives the search index (words.py): its sections' anchors, its terms' postings
    postings: Postings = NO_POSTINGS

    def slice(self, start: int, end: int) -> str:
        """The rendered HTML of block tokens [start, end), still with placeholders."""
        return self.body[self.offsets[start] : self.offsets[end]]

    def lede(self) -> str | None:
        """Its `description` as its page shows it: as text, none when empty."""
        value = self.meta.get("description")
        return None if value is None or value == "" else str(value)

    def leading_h1(self) -> Heading | None:
        """The H1 the note opens with, if any: pages and embeds show it as the title."""
        if self.headings and self.headings[0].level == 1:
            head = self.headings[0]
            if not self.body[: self.offsets[head.start]].strip():
                return head
        return None

    def outline_topics(self) -> tuple[Topic, ...]:
        """The topics of the note's outline: the leading H1 stands for the note itself (the
        page shows it as the title), so it is no topic of its own; its children hang from
        the note."""
        h1 = self.leading_h1()
        if h1 is None:
            return self.topics
        return tuple(
            t._replace(parent="") if t.parent == h1.anchor else t
            for t in self.topics
            if t.anchor != h1.anchor
        )

    def body_after(self, heading: Heading | None) -> str:
        """The body without the given leading heading."""
        return self.body[self.offsets[heading.start + 3] :] if heading else self.body
