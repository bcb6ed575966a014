"""Walk a note's tokens once: headings, block ids, outline topics, links with their context.

Also gives elements their html ids (headings, named blocks, branch bullets and bullets that
hold links), so that render.py only has to print what is decided here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from urllib.parse import unquote

from markdown_it.token import Token

from mindmap.diagnostics import Diagnostic, Severity
from mindmap.markdown.tags import tag_label
from mindmap.markdown.wikilinks import EXTERNAL
from mindmap.model import Block, Context, Heading, LinkRef, Topic
from mindmap.paths import anchor_slug, heading_anchor

_LINKISH = ("wikilink", "embed", "link_open", "image", "tag")
_LISTS = ("bullet_list_open", "ordered_list_open")
_CRUMB_MAX = 80
_RESERVED_IDS = frozenset({"main"})
_CRUMBS = 4
_NEWLINE = re.compile("\n")


@dataclass
class Extracted:
    headings: list[Heading] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    links: list[LinkRef] = field(default_factory=list)
    contexts: list[Context] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    tag_labels: list[str] = field(default_factory=list)  # `tags` as written (aligned with it)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def plain_text(inline: Token | None) -> str:
    """The visible text of an inline token, for titles, crumbs and heading anchors."""
    if inline is None:
        return ""
    out: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline", "math_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "wikilink":
            out.append(plain_text(child))
        elif child.type == "tag":
            out.append("#" + child.content)
    return " ".join("".join(out).split())


def matching_closes(tokens: list[Token]) -> tuple[dict[int, int], set[int]]:
    """Index of each opening token's closing token, and the list items that hold a list."""
    closes: dict[int, int] = {}
    branches: set[int] = set()
    stack: list[int] = []
    for i, token in enumerate(tokens):
        if token.nesting == 1:
            if token.type in _LISTS and stack and tokens[stack[-1]].type == "list_item_open":
                branches.add(stack[-1])
            stack.append(i)
        elif token.nesting == -1 and stack:
            closes[stack.pop()] = i
    return closes, branches


class _Walker:
    """One pass over the block tokens, keeping the heading path and the open list items."""

    def __init__(self, tokens: list[Token], lines: list[str], path: str) -> None:
        self.tokens, self.lines, self.path = tokens, lines, path
        self.closes, self.branches = matching_closes(tokens)
        self.out = Extracted()
        self.ids: set[str] = set()
        self.heading_path: list[tuple[int, str, str]] = []  # (level, text, anchor)
        self.items: list[tuple[int, str, str, bool]] = []  # (close, text, anchor, is a topic)
        # per inline token: where its content's lines start, and each line's column in the
        # source; per source line, where the last inline found in it ended (table cells)
        self.layouts: dict[int, tuple[list[int], dict[int, int]]] = {}
        self.cursors: dict[int, int] = {}
        self.at = 0  # the inline token whose links are being read

    def run(self) -> Extracted:
        items = self.items
        for i, token in enumerate(self.tokens):
            kind = token.type
            if kind == "inline" or kind == "list_item_open" or kind == "heading_open":
                while items and items[-1][0] < i:  # the items closed by now
                    items.pop()
                if kind == "inline":
                    self._inline(i)
                elif kind == "list_item_open":
                    self._item(i)
                else:
                    self._heading(i)
            if token.meta and "block_id" in token.meta:
                self._block(i)
        self._section_ends()
        return self.out

    def unique_id(self, base: str) -> str:
        if base in _RESERVED_IDS or base.startswith("mm-"):
            base = "h-" + base  # the page around the note uses these
        anchor, n = base, 1
        while anchor in self.ids:
            n += 1
            anchor = f"{base}-{n}"
        self.ids.add(anchor)
        return anchor

    def _heading(self, i: int) -> None:
        token = self.tokens[i]
        level = int(token.tag[1])
        text = plain_text(self.tokens[i + 1])
        anchor = self.unique_id(heading_anchor(text))
        token.attrSet("id", anchor)
        line = (token.map or [0])[0] + 1
        self.out.headings.append(Heading(level, text, anchor, line, i, i))
        while self.heading_path and self.heading_path[-1][0] >= level:
            self.heading_path.pop()
        parent = self._topic_parent()
        self.heading_path.append((level, text, anchor))
        self.out.topics.append(Topic(anchor, text, parent, "heading", line))

    def _item(self, i: int) -> None:
        token, close = self.tokens[i], self.closes.get(i, i)
        inline = self.tokens[i + 2] if self.tokens[i + 1].type == "paragraph_open" else None
        text = plain_text(inline)
        branch = i in self.branches
        holds_link = inline is not None and any(c.type in _LINKISH for c in inline.children or [])
        anchor = ""
        if token.meta and "block_id" in token.meta:
            anchor = self.unique_id("^" + token.meta["block_id"])
        elif branch or holds_link:
            slug = anchor_slug(text)[:40].rstrip("-") or "item"  # only embeds: no text
            anchor = self.unique_id("t-" + slug)
        if anchor:
            token.attrSet("id", anchor)
        if branch:
            token.attrJoin("class", "branch")
            line = (token.map or [0])[0] + 1
            self.out.topics.append(Topic(anchor, text, self._topic_parent(), "item", line))
        self.items.append((close, text, anchor, branch))

    def _topic_parent(self) -> str:
        for _close, _text, anchor, topic in reversed(self.items):
            if topic:
                return anchor
        return self.heading_path[-1][2] if self.heading_path else ""

    def _block(self, i: int) -> None:
        token = self.tokens[i]
        block_id = token.meta["block_id"]
        line = (token.map or [0])[0] + 1
        if any(b.id.lower() == block_id.lower() for b in self.out.blocks):
            self._warn(line, "blockid-duplicate", f'block id "^{block_id}" is used twice')
            return
        own = str(token.attrGet("id") or "")  # a heading's: links to the block use it
        if not own:
            token.attrSet("id", self.unique_id("^" + block_id))
        wrap = ""
        if token.type == "list_item_open":
            parent = next(t for t in reversed(self.tokens[:i]) if t.level < token.level)
            wrap = "ol" if parent.type == "ordered_list_open" else "ul"
        end = self.closes.get(i, i) + 1
        self.out.blocks.append(Block(block_id, i, end, wrap, line, own))

    def _inline(self, i: int) -> None:
        inline = self.tokens[i]
        children = inline.children or []
        if not any(c.type in _LINKISH for c in children):
            return
        context = self._context(i)
        base = (inline.map or [0])[0]
        self.at = i
        for child in children:
            self._child(child, inline.content, base, context)

    def _context(self, i: int) -> int:
        start, end = self._context_range(i)
        last = self.out.contexts[-1] if self.out.contexts else None
        if last is not None and (last.start, last.end) == (start, end):
            return len(self.out.contexts) - 1  # another cell of the same table row
        crumbs = [text for _level, text, _anchor in self.heading_path]
        crumbs += [text for close, text, _anchor, _topic in self.items if close > i]
        if self.items and self.tokens[i - 2].type == "list_item_open":
            crumbs = crumbs[:-1]  # the item's own text is the context, not a crumb
        anchor = self._block_anchor(i)
        anchors = [a for _c, _t, a, _b in self.items if a] or [a for _l, _t, a in self.heading_path]
        anchors += [anchor] if anchor else []
        line = (self.tokens[i].map or [0])[0] + 1
        if len(crumbs) > _CRUMBS:  # the nearest ancestors say the most; keep the top heading too
            crumbs = [crumbs[0], "…", *crumbs[-(_CRUMBS - 1) :]]
        crumbs = [c if len(c) <= _CRUMB_MAX else c[: _CRUMB_MAX - 1] + "…" for c in crumbs]
        anchor = anchors[-1] if anchors else ""
        self.out.contexts.append(
            Context(start, end, tuple(crumbs), anchor, line, topic=self._topic_parent())
        )
        return len(self.out.contexts) - 1

    def _context_range(self, i: int) -> tuple[int, int]:
        """The tokens a backlink snippet of inline token i shows: the token itself, or for a
        table cell its whole row (a cell alone, "memory", says little)."""
        if self.tokens[i - 1].type not in ("td_open", "th_open"):
            return i, i + 1
        start = next(j for j in range(i - 1, -1, -1) if self.tokens[j].type == "tr_open")
        end = next(j for j in range(i, len(self.tokens)) if self.tokens[j].type == "tr_close")
        return start, end + 1

    def _block_anchor(self, i: int) -> str:
        """An id on the block that holds inline token i, so backlinks can jump right to it:
        a paragraph, a table row, a callout or a heading (list items have theirs already)."""
        opener = self.tokens[i - 1]
        if opener.type == "paragraph_open" and self.tokens[i - 2].type == "list_item_open":
            return ""
        if opener.type in ("td_open", "th_open"):
            opener = next(t for t in reversed(self.tokens[:i]) if t.type == "tr_open")
        elif opener.type not in ("paragraph_open", "callout_open", "heading_open") or opener.hidden:
            return ""
        if not opener.attrGet("id"):  # from the text shown: not a comment's, nor a script's
            inline = self.tokens[i]
            text = plain_text(inline) or " ".join(
                str((c.meta or {}).get("target", ""))
                for c in inline.children or []
                if c.type == "embed"
            )
            slug = anchor_slug(text)[:40].rstrip("-") or "block"
            opener.attrSet("id", self.unique_id("p-" + slug))
        return str(opener.attrGet("id"))

    def _child(self, child: Token, content: str, base: int, context: int) -> None:
        if child.type == "tag":
            self.out.tags.append(child.meta["name"])
            self.out.tag_labels.append(tag_label(child.content))
            return
        ref = self._ref(child, content, base, context)
        if ref is not None:
            child.meta = {**(child.meta or {}), "n": len(self.out.links)}
            self.out.links.append(ref)

    def _ref(self, child: Token, content: str, base: int, context: int) -> LinkRef | None:
        meta = child.meta or {}
        if child.type in ("wikilink", "embed"):
            line, col = self._position(content, base, meta.get("offset", 0), meta["raw"])
            return LinkRef(
                line,
                col,
                meta["target"],
                meta["heading"],
                meta["block"],
                meta["alias"],
                child.type == "embed",
                "wiki",
                context,
            )
        attr = "href" if child.type == "link_open" else "src"
        dest = str(child.attrGet(attr) or "") if child.type in ("link_open", "image") else ""
        if not dest or EXTERNAL.match(dest):
            return None
        path, _, fragment = unquote(dest).partition("#")
        parts = [p for p in fragment.split("#") if p]
        block = parts.pop()[1:] if parts and parts[-1].startswith("^") else None
        line, col = self._position(content, base, meta.get("offset", 0), dest)
        if child.type == "image":
            alt = plain_text(child) or child.content
            return LinkRef(line, col, path, tuple(parts), block, alt, True, "image", context)
        return LinkRef(line, col, path, tuple(parts), block, None, False, "markdown", context)

    def _position(self, content: str, base: int, offset: int, raw: str) -> tuple[int, int]:
        """File line and column of inline `offset`: the inline content has lost its list or
        quote prefix, so find where this content line sits in the source line (once a line:
        a line of thousands of links must not be searched again for each)."""
        starts, shifts = self._layout(content)
        k = bisect_right(starts, offset) - 1
        line = base + k + 1
        shift = shifts.get(k)
        if shift is None:
            shift = shifts[k] = self._find(content, starts, k, line)
        if shift < 0:
            source = self._source_line(line)
            at = source.find(raw)
            return line, at + 1 if at >= 0 else 0
        return line, shift + offset - starts[k] + 1

    def _source_line(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def _layout(self, content: str) -> tuple[list[int], dict[int, int]]:
        layout = self.layouts.get(self.at)
        if layout is None:
            starts = [0, *(m.end() for m in _NEWLINE.finditer(content))]
            layout = self.layouts[self.at] = (starts, {})
        return layout

    def _find(self, content: str, starts: list[int], k: int, line: int) -> int:
        """Where content line k starts in source line `line` (-1: not found): after the
        inline found before it in that line, if any (a table row's cells, left to right)."""
        source = self._source_line(line)
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(content)
        text = content[starts[k] : end]
        if not text:
            return -1
        at = source.find(text, self.cursors.get(line, 0))
        if at < 0:
            at = source.find(text)
        if at >= 0:
            self.cursors[line] = at + len(text)
        return at

    def _section_ends(self) -> None:
        heads = self.out.headings
        top = [h for h in heads if self.tokens[h.start].level == 0]
        ends: dict[int, int] = {}
        for k, h in enumerate(top):
            nxt = next((o.start for o in top[k + 1 :] if o.level <= h.level), len(self.tokens))
            ends[h.start] = nxt
        self.out.headings = [
            Heading(h.level, h.text, h.anchor, h.line, h.start, ends.get(h.start, h.start + 3))
            for h in heads
        ]

    def _warn(self, line: int, code: str, message: str) -> None:
        self.out.diagnostics.append(Diagnostic(self.path, line, 0, Severity.WARNING, code, message))


def extract(tokens: list[Token], lines: list[str], path: str) -> Extracted:
    """Collect everything resolve, graph and site need from one note's tokens."""
    return _Walker(tokens, lines, path).run()
