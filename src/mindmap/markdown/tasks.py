"""Core rule: task list items `- [ ]`, `- [x]`, and any other mark (`- [?]`, `- [-]`, K3).

A blank mark is open; any other character counts as checked, and is kept in `data-task` so
a stylesheet can tell `[?]` from `[x]`.
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from mindmap.markdown.wikilinks import is_block_embed

_MARK = re.compile(r"\[([^\]\n])\][ \t]+")


def tasks_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "tasks", _task_rule)


TEXT_OPEN, TEXT_CLOSE = '<span class="task-text">', "</span>"


def render_checkbox(mark: str) -> str:
    """The disabled checkbox a task item starts with; its mark kept in `data-task`."""
    checked = "" if mark == " " else " checked"
    state = {" ": "open", "x": "done", "X": "done"}.get(mark, f"marked {mark}")
    return (f'<input class="task-list-item-checkbox" type="checkbox" disabled{checked}'
            f' data-task="{escape(mark)}" aria-label="task, {escape(state)}">')  # fmt: skip


def _task_rule(state: StateCore) -> None:
    if "[" not in state.src:  # no checkbox in the note: nothing to walk
        return
    tokens = state.tokens
    for i in range(2, len(tokens)):
        inline = tokens[i]
        if (inline.type == "inline" and tokens[i - 1].type == "paragraph_open"
                and tokens[i - 2].type == "list_item_open" and inline.children
                and inline.children[0].type == "text"):  # fmt: skip
            match = _MARK.match(inline.children[0].content)
            if match:
                _make_task(tokens, i, match)


def _make_task(tokens: list[Token], i: int, match: re.Match[str]) -> None:
    inline, mark = tokens[i], match.group(1)
    first = inline.children[0]  # type: ignore[index]
    first.content = first.content[match.end() :]
    box = Token("task_checkbox", "input", 0, content=mark)  # its own token: not raw HTML
    children = inline.children or []
    if any(is_block_embed(c) for c in children):  # a note embed splits the paragraph
        inline.children = [box, *children]
    else:  # the item's own text, apart from its sub-items (a done task's is struck through)
        inline.children = [box, Token("task_text_open", "span", 1), *children,
                           Token("task_text_close", "span", -1)]  # fmt: skip
    tokens[i - 2].attrJoin("class", "task-list-item")
    level = tokens[i - 2].level - 1
    for j in range(i - 3, -1, -1):
        if tokens[j].level == level and tokens[j].nesting == 1:
            if "contains-task-list" not in str(tokens[j].attrGet("class") or ""):
                tokens[j].attrJoin("class", "contains-task-list")
            break
