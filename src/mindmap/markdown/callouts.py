"""Core rule: a blockquote whose first line is `[!type]±title` becomes a callout (ofm-spec §8).

Runs before `inline`, on the raw inline content: the first line becomes its own inline
token (the title), then a `callout_body` token; the rest stays the first paragraph. Tokens:
`callout_open` (meta kind, fold, title), inline, `callout_body`, … `callout_close`.
Nesting works because quotes nest.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_MARKER = re.compile(r"\[!([^\]\s][^\]]*)\]([+-]?)[ \t]*(.*)")

ALIASES = {
    "summary": "abstract",
    "tldr": "abstract",
    "hint": "tip",
    "important": "tip",
    "check": "success",
    "done": "success",
    "help": "question",
    "faq": "question",
    "caution": "warning",
    "attention": "warning",
    "fail": "failure",
    "missing": "failure",
    "error": "danger",
    "cite": "quote",
}


def callouts_plugin(md: MarkdownIt) -> None:
    """After the comment rule (which may parse the rest of a note again, and empties what
    a comment hides): a callout after such a comment is found, and `> %%[!x]%%` is none."""
    md.core.ruler.before("inline", "callout", _callout_rule)


def _callout_rule(state: StateCore) -> None:
    if "[!" not in state.src:  # no callout in the note: nothing to walk
        return
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        if tokens[i].type == "blockquote_open" and _is_callout(tokens, i):
            _convert(tokens, i)
        i += 1


def _is_callout(tokens: list[Token], i: int) -> bool:
    return (
        i + 2 < len(tokens)
        and tokens[i + 1].type == "paragraph_open"
        and bool(_MARKER.match(tokens[i + 2].content))
    )


def _convert(tokens: list[Token], i: int) -> None:
    opener, inline = tokens[i], tokens[i + 2]
    first, _, rest = inline.content.partition("\n")
    match = _MARKER.match(first)
    assert match is not None
    written = match.group(1).strip()
    kind = ALIASES.get(written.lower(), written.lower())
    title = match.group(3).strip() or written[:1].upper() + written[1:].lower()
    opener.type = "callout_open"
    fold = match.group(2) or None
    opener.meta = {"kind": kind, "typed": written.lower(), "fold": fold, "title": title}
    _retype_close(tokens, i)
    body_token = Token("callout_body", "", 0)
    body_token.meta = opener.meta
    title_inline = Token("inline", "", 0)
    title_inline.content = title
    title_inline.map = opener.map
    title_inline.children = []
    if rest.strip():
        inline.content = rest
        if inline.map:
            inline.map = [inline.map[0] + 1, inline.map[1]]
            tokens[i + 1].map = inline.map
        tokens[i + 1 : i + 1] = [title_inline, body_token]
    else:  # title-only first paragraph: drop it
        tokens[i + 1 : i + 4] = [title_inline, body_token]


def _retype_close(tokens: list[Token], i: int) -> None:
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].type in ("blockquote_open", "callout_open"):
            depth += 1
        elif tokens[j].type == "blockquote_close":
            depth -= 1
            if depth == 0:
                tokens[j].type = "callout_close"
                tokens[j].meta = tokens[i].meta
                return
