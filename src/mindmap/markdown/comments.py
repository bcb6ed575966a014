"""`%%comments%%`: removed with everything inside them, links and tags included (ofm-spec K1).

Three rules share the job:
- a block rule takes comments that start a line (they may span lines and blank lines; text
  after the closing `%%` on its line stays);
- an inline rule takes `%%…%%` inside a paragraph, and an unclosed `%%` to its end;
- a core rule, before inline parsing, carries a comment opened in one paragraph into the next
  blocks until its closing `%%`, emptying what lies between; when that `%%` starts a line,
  the block rule took it for an opening one, and what follows it is parsed again, shown
  (Obsidian pairs the markers in order: `a %%`, a blank line, `%%`, `b`: b is shown).
An unclosed comment runs to the end of the note, as in Obsidian: hiding too much is safe,
leaking private text is not; where such a comment may open is added to `env[UNCLOSED]`
(0-based line and column in the source), and the first one is warned about. `%%` inside
code stays literal.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

UNCLOSED = "mindmap_comment_unclosed"  # env key: [(line, column)] of `%%`s never closed
_CODE_SPAN = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")


def comments_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "fence",
        "comment",
        _comment_block,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.core.ruler.before("inline", "comment_spans", _comment_spans)
    md.inline.ruler.before("text", "comment", _comment_inline)


def _comment_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    pos = state.bMarks[start] + state.tShift[start]
    if state.sCount[start] - state.blkIndent >= 4 or not state.src.startswith("%%", pos):
        return False
    if silent and _closes_paragraph_comment(state, start):
        return False  # it goes on the paragraph, whose inline rule pairs the two markers
    close = state.src.find("%%", pos + 2)
    line = start
    if close < 0:
        line = end
        column = pos - (state.src.rfind("\n", 0, pos) + 1)  # in a blockquote, after its "> "
        if not silent:
            state.env.setdefault(UNCLOSED, []).append((start, column))
    else:
        while line < end and state.eMarks[line] < close:
            line += 1
    if silent:
        return True
    token = state.push("comment", "", 0)
    token.map = [start, min(line + 1, end)]
    token.hidden = True
    # in a list item or a quote, a closing %% past its end: the comment goes on after it
    # (`> %% a` / `- b %%`: b is hidden), which the core rule carries on (`_comment_spans`)
    token.meta = {"block": True, "open": close >= 0 and line >= end}
    if close >= 0 and line < end:
        _keep_trailing_text(state, line, state.src[close + 2 : state.eMarks[line]])
    state.line = min(line + 1, end)
    return True


def _closes_paragraph_comment(state: StateBlock, start: int) -> bool:
    """Whether the lines just above line `start` (back to a blank line) leave a `%%` open:
    then the `%%` starting this line closes it, as Obsidian pairs markers in order, and must
    not end the paragraph (`- a %%` / `hidden` / `%% b` / `  - c`: the item shows "a b" and
    its child c). Each line's answer is kept (`_OPEN`), so a long outline of such lines is
    looked at once, not once a line (it was quadratic)."""
    return _open_after(state, start - 1)


# env key: (the source, line → (its start, whether a %% is open)); a new source (the rest
# of a note parsed again, `_show_after_marker`) starts a new memo
_OPEN = "mindmap_comment_open_after"


def _open_after(state: StateBlock, line: int) -> bool:
    """Whether a `%%` is open at the end of `line`, counting from the last blank line."""
    source, memo = state.env.get(_OPEN, (None, {}))
    if source is not state.src:
        memo = {}
        state.env[_OPEN] = (state.src, memo)
    todo = []
    while line >= 0 and not state.isEmpty(line):
        begin = state.bMarks[line] + state.tShift[line]
        kept = memo.get(line)
        if kept is not None and kept[0] == begin:  # the same line as seen from here
            break
        todo.append((line, begin))
        line -= 1
    is_open = line >= 0 and not state.isEmpty(line) and memo[line][1]
    for row, begin in reversed(todo):
        text = state.src[begin : state.eMarks[row]]
        is_open ^= len(_markers(text)) % 2 == 1
        memo[row] = (begin, is_open)
    return is_open


def _keep_trailing_text(state: StateBlock, line: int, text: str) -> None:
    """`%% c %% more text`: the text after the closing marker is a paragraph of its own."""
    if not text.strip():
        return
    state.push("paragraph_open", "p", 1).map = [line, line + 1]
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = text.strip(), [line, line + 1], []
    state.push("paragraph_close", "p", -1)


def _comment_inline(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("%%", state.pos):
        return False
    close = state.src.find("%%", state.pos + 2)
    state.pos = state.posMax if close < 0 else close + 2
    return True


def _comment_spans(state: StateCore) -> None:
    open_comment, opened, i = False, (0, 0), -1
    while i + 1 < len(state.tokens):
        i += 1
        token = state.tokens[i]
        if open_comment and _closes(token):
            _show_after_marker(state, i)  # its tokens are looked at next
            open_comment = False
            i -= 1
            continue
        if open_comment and token.type != "inline":
            if token.nesting == 0 and token.content:  # code, html, math: inside the comment
                token.type, token.content, token.hidden = "comment", "", True
            continue
        if token.type == "comment" and token.meta.get("open"):
            open_comment = True  # closed past its container: hide on, to its closing %%
            opened = ((token.map or [0])[0], 0)
            continue
        if token.type != "inline":
            continue
        whole, cut = token.content, 0
        if open_comment:
            close = _find_marker(whole, 0)
            if close < 0:
                _empty(state.tokens, i)
                continue
            cut = close + 2
            token.content = whole[cut:]
            open_comment = False
        open_comment = _ends_open(token.content)
        if open_comment:
            at = cut + _markers(token.content)[-1]
            opened = _source_position(state.src, (token.map or [0, 0])[0], whole, at)
    if open_comment:
        state.env.setdefault(UNCLOSED, []).append(opened)


def _closes(token: Token) -> bool:
    """A comment block at the top level, whose `%%` closes a comment left open before it."""
    return token.type == "comment" and bool(token.meta.get("block")) and token.level == 0


def _show_after_marker(state: StateCore, i: int) -> None:
    """Replace the comment block at `i`, and every token after it, with the rest of the note
    from after the block's first `%%`, parsed again as blocks: the markers after it pair up
    differently now (its own closing one opens a comment), to the end of the note."""
    first = (state.tokens[i].map or [0, 0])[0]
    lines = state.src.split("\n")[first:]
    lines[0] = lines[0][lines[0].find("%%") + 2 :].lstrip()
    before = [e for e in state.env.get(UNCLOSED, []) if e[0] < first]  # found again below
    state.env[UNCLOSED] = []
    fresh: list[Token] = []
    state.md.block.parse("\n".join(lines), state.md, state.env, fresh)
    for new in fresh:
        if new.map:
            new.map = [new.map[0] + first, new.map[1] + first]
    found = [(line + first, column) for line, column in state.env[UNCLOSED]]
    state.env[UNCLOSED] = before + found
    state.tokens[i:] = fresh


def _source_position(source: str, first: int, content: str, at: int) -> tuple[int, int]:
    """Line and column in the source of `content[at]`, the content of an inline token whose
    first line is `first`: each of its lines is found in its source line (which may hold a
    list marker, "> " or other table cells too)."""
    row = content.count("\n", 0, at)
    start = content.rfind("\n", 0, at) + 1
    text = content[start : content.find("\n", at) if "\n" in content[at:] else len(content)]
    lines = source.split("\n", first + row + 1)
    line = lines[first + row] if first + row < len(lines) else text
    found = line.rfind(text.strip()) if text.strip() else -1
    if found < 0:
        return first + row, at - start
    return first + row, found + (at - start) - (len(text) - len(text.lstrip()))


def _markers(text: str) -> list[int]:
    """Indices of every `%%` outside inline code, in one pass."""
    if "%%" not in text:
        return []
    spans = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(text)] if "`" in text else []
    found, at, span = [], text.find("%%"), 0
    while at >= 0:
        while span < len(spans) and spans[span][1] <= at:
            span += 1
        inside = span < len(spans) and spans[span][0] <= at
        if not inside:
            found.append(at)
        at = text.find("%%", at + 2)
    return found


def _find_marker(text: str, start: int) -> int:
    """Index of the next `%%` outside inline code, or -1."""
    return next((at for at in _markers(text) if at >= start), -1)


def _ends_open(text: str) -> bool:
    """Whether the text leaves a `%%` comment open at its end."""
    return len(_markers(text)) % 2 == 1


def _empty(tokens: list[Token], i: int) -> None:
    tokens[i].content = ""
    for j in (i - 1, i + 1):
        if tokens[j].type in ("paragraph_open", "paragraph_close", "heading_open", "heading_close"):
            tokens[j].hidden = True


_FENCE = re.compile(r"(`{3,}|~{3,})")
_PREFIX = re.compile(r"(?:[ \t]*(?:>|[-*+]|\d{1,9}[.)])(?=[ \t]|$))*[ \t]*")
_WORD = re.compile(r"\w+")


def hidden_spans(source: str) -> list[tuple[int, int]]:
    """Where Obsidian hides comments in `source`, as (start, end) offsets: `%%` markers pair
    up in order through the whole note, markers and all, a last one left open hides the
    rest; a `%%` in a code fence or an inline code span is text. (The rules above render
    comments block by block; this is the plain model they are checked against.)"""
    spans, opened, at, fence = [], -1, 0, ""
    lines = source.splitlines(keepends=True)
    if lines and lines[0].rstrip() == "---":  # front matter: properties, not the note's text
        close = next((n for n, t in enumerate(lines) if n and t.rstrip() in ("---", "...")), 0)
        at, lines = sum(map(len, lines[: close + 1])), lines[close + 1 :]
    for line in lines:
        body = line[_PREFIX.match(line).end() :]  # type: ignore[union-attr]
        marker = _FENCE.match(body)
        if opened < 0 and (fence or marker):
            if not fence:
                fence = marker.group(1)  # type: ignore[union-attr]
            elif marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = ""
            at += len(line)
            continue
        for found in _markers(line):
            if opened < 0:
                opened = at + found
            else:
                spans.append((opened, at + found + 2))
                opened = -1
        at += len(line)
    if opened >= 0:
        spans.append((opened, len(source)))
    return spans


def leaks(source: str, shown: str) -> bool:
    """Whether `shown` (a rendering of `source`) holds a word that `source` has only inside
    comments (`hidden_spans`), anywhere: glued to the text around it too (a comment cut
    across lines can leave `w6w8` of a hidden `w6` and a hidden `w8`)."""
    spans = hidden_spans(source)
    if not spans:
        return False
    hidden, visible, at = [], [], 0
    for start, end in spans:
        visible.append(source[at:start])
        hidden.append(source[start:end])
        at = end
    visible.append(source[at:])
    secret = set(_WORD.findall(" ".join(hidden))) - set(_WORD.findall(" ".join(visible)))
    return any(word in shown for word in secret)


def without_comments(source: str) -> str:
    """`source` with every comment cut out (`hidden_spans`), its line breaks kept."""
    out, at = [], 0
    for start, end in hidden_spans(source):
        out.append(source[at:start])
        out.append("\n" * source.count("\n", start, end))
        at = end
    out.append(source[at:])
    return "".join(out)
