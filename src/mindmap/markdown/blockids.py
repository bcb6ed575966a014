"""Core rule: `^block-id` markers name blocks (ofm-spec B1–B3); the marker is hidden.

Trailing form: ` ^id` at the end of a paragraph names that paragraph, or the list item /
quote / callout that directly holds it (a list item is named with its subtree). Standalone
form: a paragraph that is only `^id` names the block before it: a list, quote, callout or
table (B2), and just as well a heading or a paragraph; a block that is one token (a code
block, math, a rule) is wrapped in a `<div>` to carry the id. After anything else (raw
HTML, another marker) the marker stays, as an empty anchor. The id goes to
`meta["block_id"]` of the named block's opening token.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_TRAILING = re.compile(r"(?:^|(?<=\s))\^([A-Za-z0-9-]+)\s*$")
_GLUED = re.compile(r"\^([A-Za-z0-9-]+)\s*$")
_CONTAINERS = ("list_item_open", "blockquote_open", "callout_open")
# Blocks of one token that a <div> can wrap to carry an id
_ONE_TOKEN = ("fence", "code_block", "hr", "math_block", "math_block_eqno")
_STRUCTURES = {
    "bullet_list_close": "bullet_list_open",
    "ordered_list_close": "ordered_list_open",
    "blockquote_close": "blockquote_open",
    "callout_close": "callout_open",
    "table_close": "table_open",
}


def blockids_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "block_id", _block_id_rule)


def _block_id_rule(state: StateCore) -> None:
    if "^" not in state.src:  # no block id in the note (most notes): nothing to walk
        return
    tokens = state.tokens
    wraps: list[int] = []  # one-token blocks to wrap, once the tokens are walked
    for i, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        if tokens[i - 1].type == "paragraph_open":
            block_id = _strip_marker(token)
            if block_id:
                target = _attach(tokens, i - 1, block_id, only_marker=not _has_content(token))
                if tokens[target].nesting == 0:
                    wraps.append(target)
        elif tokens[i - 1].type == "callout_open":  # `> [!note] Title ^id`: names the callout
            block_id = _strip_marker(token)
            if block_id:
                tokens[i - 1].meta = {**tokens[i - 1].meta, "block_id": block_id}
    for at in reversed(wraps):
        _wrap(tokens, at)


def _strip_marker(inline: Token) -> str | None:
    children = inline.children or []
    last = children[-1] if children else None
    if last is None or last.type != "text":
        return None
    match = _TRAILING.search(last.content)
    if not match and len(children) > 1 and children[-2].type in ("embed", "wikilink"):
        match = _GLUED.fullmatch(last.content)  # `![[img.png]]^id`, seen in real vaults (B2)
    if not match:
        return None
    last.content = last.content[: match.start()].rstrip()
    while children and children[-1].type in ("softbreak", "hardbreak", "text"):
        if children[-1].type == "text" and children[-1].content:
            break
        children.pop()
    return match.group(1)


def _has_content(inline: Token) -> bool:
    return any(c.type != "text" or c.content.strip() for c in inline.children or [])


def _attach(tokens: list[Token], para: int, block_id: str, only_marker: bool) -> int:
    """Put the id on the block it names; returns that block's (first) token."""
    container = _enclosing(tokens, para)
    if container is not None:
        target = container
    elif only_marker and para > 0:
        target = _previous_block(tokens, para)
    else:
        target = para
    if only_marker:
        for j in (para, para + 1, para + 2):
            tokens[j].hidden = target != para  # a marker naming nothing stays as an anchor
        tokens[para + 1].children = []
    tokens[target].meta = {**(tokens[target].meta or {}), "block_id": block_id}
    return target


def _previous_block(tokens: list[Token], para: int) -> int:
    """The block that ends right before the paragraph: its opening token, or the token
    itself when it is a block of one token; the paragraph when there is none."""
    before = tokens[para - 1]
    if before.hidden:  # another marker's paragraph: that one names the block
        return para
    if before.type in _STRUCTURES:
        return _matching_open(tokens, para - 1)
    if before.type in ("heading_close", "paragraph_close"):
        for j in range(para - 2, -1, -1):
            if tokens[j].nesting == 1 and tokens[j].level == before.level:
                return j
    if before.nesting == 0 and before.block and before.type in _ONE_TOKEN:
        return para - 1
    return para  # (raw HTML, which may open an element a wrapper would close: not wrapped)


def _wrap(tokens: list[Token], at: int) -> None:
    """A block of one token (fence, math, rule, HTML), which renders no attributes, in a
    `<div>` that carries its id."""
    inner = tokens[at]
    opener = Token("block_wrap_open", "div", 1)
    closer = Token("block_wrap_close", "div", -1)
    for token in (opener, closer):
        token.block, token.level, token.map = True, inner.level, inner.map
    opener.meta = {"block_id": inner.meta.pop("block_id")}
    inner.level += 1
    tokens[at : at + 1] = [opener, inner, closer]


def _enclosing(tokens: list[Token], para: int) -> int | None:
    """The innermost list item, quote or callout that directly holds the paragraph."""
    level = tokens[para].level
    for j in range(para - 1, -1, -1):
        if tokens[j].level < level and tokens[j].nesting == 1:
            return j if tokens[j].type in _CONTAINERS else None
    return None


def _matching_open(tokens: list[Token], close: int) -> int:
    want, depth = _STRUCTURES[tokens[close].type], 0
    for j in range(close, -1, -1):
        if tokens[j].nesting == -1 and tokens[j].level == tokens[close].level:
            depth += 1
        elif tokens[j].type == want and tokens[j].level == tokens[close].level:
            depth -= 1
            if depth == 0:
                return j
    return close
