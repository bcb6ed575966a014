"""Inline rule: `[[target#heading#sub|alias]]`, `[[t#^block]]` and `![[embed|size]]` → tokens.

Only parses; resolution happens later against the whole vault (resolve.py). Token contract:
type `wikilink` or `embed`, meta = {target, heading (tuple), block, alias, raw, offset};
a wikilink's children are the parsed display text (Markdown is allowed there, ofm-spec D2).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token


def wikilinks_plugin(md: MarkdownIt) -> None:
    """Register before `link`, so `[[a]]` is never read as a reference link."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.core.ruler.push("embed_paragraph", _embeds_as_blocks)
    for name in ("link", "image"):  # Markdown links to notes need a line, like wikilinks
        md.inline.ruler.at(name, _with_offset(md.inline.ruler.getRules("")[_index(md, name)]))


def _index(md: MarkdownIt, name: str) -> int:
    return [rule.name for rule in md.inline.ruler.__rules__ if rule.enabled].index(name)


def _with_offset(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """Wrap markdown-it's link/image rule to record where the link starts (meta["offset"])."""

    def positioned(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        found = rule(state, silent)
        if found and not silent:
            for token in state.tokens[count:]:  # pending text may be flushed first
                if token.type in ("link_open", "image"):
                    token.meta = {**(token.meta or {}), "offset": start}
                    break
        return found

    return positioned


_INLINE_MEDIA = (
    ".avif",
    ".bmp",
    ".gif",
    ".jpeg",
    ".jpg",
    ".png",
    ".svg",
    ".webp",
    ".flac",
    ".m4a",
    ".mp3",
    ".ogg",
    ".wav",
    ".webm",
    ".3gp",
    ".mkv",
    ".mov",
    ".mp4",
    ".ogv",
)
EXTERNAL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")  # a scheme or `//`: not in the vault


def _embeds_as_blocks(state: StateCore) -> None:
    """A transcluded note is block content, so it cannot sit inside a <p>: a paragraph that
    holds one is split around it (text before, the embed, text after). Images and other
    media embeds are inline content and stay where they are."""
    if "![" not in state.src:  # no embed at all (most notes): nothing to split
        return
    tokens, out, i = state.tokens, [], 0
    while i < len(tokens):
        if _holds_block_embed(tokens, i):
            out += _split(tokens[i], tokens[i + 1], tokens[i + 2])
            i += 3
        else:
            out.append(tokens[i])
            i += 1
    state.tokens[:] = out


def is_block_embed(token: Token) -> bool:
    """A note embed: `![[Note]]`, or `![](Note.md)` (E1); not an image or other media, nor
    an external image."""
    if token.type == "embed":
        return not is_inline_media(str(token.meta["target"]))
    if token.type != "image":
        return False
    src = str(token.attrGet("src") or "")
    return bool(src) and not EXTERNAL.match(src) and not is_inline_media(unquote(src))


def is_inline_media(target: str) -> bool:
    """Whether an embed's target (a path, maybe with a #fragment) is an image, audio or video
    file: inline content, which may sit inside a paragraph."""
    path = target.partition("#")[0].partition("?")[0]  # `pic.png?v=1`: a query is no name
    return path.lower().rstrip().endswith(_INLINE_MEDIA)


def _holds_block_embed(tokens: list[Token], i: int) -> bool:
    return (
        tokens[i].type == "paragraph_open"
        and not tokens[i].hidden
        and i + 2 < len(tokens)
        and any(is_block_embed(c) for c in tokens[i + 1].children or [])
    )


def _split(opener: Token, inline: Token, closer: Token) -> list[Token]:
    segments: list[list[Token]] = [[]]
    for child in inline.children or []:
        if is_block_embed(child):
            segments += [[child], []]
        else:
            segments[-1].append(child)
    out: list[Token] = []
    for n, children in enumerate(segments):
        if not any(
            c.type not in ("softbreak", "hardbreak") and (c.type != "text" or c.content.strip())
            for c in children
        ):
            continue
        lone = len(children) == 1 and is_block_embed(children[0])
        parts = [copy.copy(opener), copy.copy(inline), copy.copy(closer)]
        parts[0].attrs, parts[0].meta = dict(opener.attrs), dict(opener.meta or {})
        parts[1].children = children
        parts[0].hidden = parts[2].hidden = lone
        if n:  # a block id names the first part only
            parts[0].meta.pop("block_id", None)
        out += parts
    return out


def _unwrap_lone_embeds(state: StateCore) -> None:
    """A paragraph that is only an embed loses its <p>: a transcluded note is block content."""
    tokens = state.tokens
    for i in range(1, len(tokens) - 1):
        opener = tokens[i - 1]
        if opener.type != "paragraph_open" or (opener.meta and "block_id" in opener.meta):
            continue
        kids = [
            c
            for c in tokens[i].children or []
            if c.type != "softbreak" and not (c.type == "text" and not c.content.strip())
        ]
        if len(kids) == 1 and kids[0].type == "embed":
            opener.hidden = tokens[i + 1].hidden = True


def split_linktext(inner: str) -> dict[str, object] | None:
    """Split `target#h1#h2|alias` (P2, P3, P4); None when it is not a link at all."""
    inner = inner.replace("\\|", "|")
    linktext, bar, alias = inner.partition("|")
    target, _, subpath = linktext.partition("#")
    parts = [p.strip() for p in subpath.split("#")] if subpath else []
    block = None
    headings: list[str] = []
    for part in parts:
        if part.startswith("^"):
            block = part[1:].strip()
        elif part:
            headings.append(part)
    target = target.strip()
    if not target and not headings and not block:
        return None
    return {
        "target": target,
        "heading": tuple(headings),
        "block": block,
        "alias": alias.strip() if bar else None,
    }


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    start = pos + (3 if embed else 2)
    line_end = src.find("\n", start)
    end = src.find("]]", start, line_end if line_end >= 0 else len(src))
    if end < 0:
        return False
    inner = src[start:end]
    # One line only, and the innermost complete pair wins (P5): `[[a [[b]] c]]` links to b.
    if "[[" in inner:
        return False
    parts = split_linktext(inner)
    if parts is None:
        return False
    if not silent:
        _push_link(state, parts, embed, src[pos : end + 2])
    state.pos = end + 2
    return True


def _push_link(state: StateInline, parts: dict[str, object], embed: bool, raw: str) -> None:
    token = state.push("embed" if embed else "wikilink", "", 0)
    token.meta = {**parts, "raw": raw, "offset": state.pos}
    token.markup = raw
    if embed:
        return
    alias = parts["alias"]
    text = alias if alias else display_text(parts)
    token.children = []
    if alias:
        state.md.inline.parse(str(text), state.md, state.env, token.children)
        token.children = _flatten_links(token.children)
    else:
        child = Token("text", "", 0)
        child.content = str(text)
        token.children.append(child)


def _flatten_links(children: list[Token]) -> list[Token]:
    """Display text is inside a link: a #tag or [link](x) there is just text (no nested <a>)."""
    out: list[Token] = []
    for child in children:
        if child.type in ("link_open", "link_close"):
            continue
        if child.type == "tag":
            text = Token("text", "", 0)
            text.content = "#" + child.content
            child = text
        out.append(child)
    return out


def display_text(parts: dict[str, object]) -> str:
    """What Obsidian shows for a link without alias (D1): `Note > Heading`, `Note > ^id`."""
    shown = [str(parts["target"])] if parts["target"] else []
    shown += [str(h) for h in parts["heading"]]  # type: ignore[attr-defined]
    if parts["block"]:
        shown.append(f"^{parts['block']}")
    return " > ".join(shown)
