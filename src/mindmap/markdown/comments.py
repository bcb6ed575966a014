"""`%%comments%%`: removed with everything inside them, links and tags included (ofm-spec K1).

A block rule takes comments that start a line (and may span many lines and blank lines);
an inline rule takes `%%…%%` inside a paragraph. An unclosed block comment runs to the end
of the note, as in Obsidian: hiding too much is safe, leaking private text is not.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline


def comments_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "fence",
        "comment",
        _comment_block,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.inline.ruler.before("text", "comment", _comment_inline)


def _comment_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    pos = state.bMarks[start] + state.tShift[start]
    if state.sCount[start] - state.blkIndent >= 4 or not state.src.startswith("%%", pos):
        return False
    close = state.src.find("%%", pos + 2)
    line = start
    if close < 0:
        line = end
    else:
        while line < end and state.eMarks[line] < close:
            line += 1
        line += 1
    if silent:
        return True
    token = state.push("comment", "", 0)
    token.map = [start, line]
    token.hidden = True
    state.line = line
    return True


def _comment_inline(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("%%", state.pos):
        return False
    close = state.src.find("%%", state.pos + 2)
    state.pos = state.posMax if close < 0 else close + 2
    return True
