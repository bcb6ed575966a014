"""Inline rule: `#tag` and `#nested/tag` → `tag` tokens (ofm-spec T1).

A tag starts at the start of the text or after whitespace, and must hold one non-digit
(`#1984` is not a tag). Headings' own `#` never reach here: the block rule consumed them.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# Ends at whitespace, ASCII punctuation other than _ - /, or general/supplemental punctuation.
_TAG = re.compile(r"#([^\s!-,.:-@\[-^`{-~\u2000-\u206f\u2e00-\u2e7f]+)")
_ALL_DIGITS = re.compile(r"[\d/]+")


def tags_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.after("wikilink", "tag", _tag_rule)


def normalise_tag(name: str) -> str:
    """Tags compare case-insensitively (T2); trailing slashes mean nothing."""
    return tag_label(name).lower()


def tag_label(name: str) -> str:
    """A tag as written, to show it (T2: the casing first seen); `normalise_tag` to compare."""
    return "/".join(p for p in name.split("/") if p)


def _tag_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    src = state.src
    if src[pos] != "#" or state.linkLevel > 0:
        return False
    if pos > 0 and not src[pos - 1].isspace():
        return False
    match = _TAG.match(src, pos)
    if not match or _ALL_DIGITS.fullmatch(match.group(1)):
        return False
    name = normalise_tag(match.group(1))
    if not name:
        return False
    if not silent:
        token = state.push("tag", "", 0)
        token.content = match.group(1)
        token.meta = {"name": name, "offset": pos}
    state.pos = match.end()
    return True
