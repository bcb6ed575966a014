"""Block rules tried by a line's first character.

markdown-it tries every block rule, in order, on every line until one matches, and each
paragraph, list item and blockquote tries its terminator rules on every line that follows.
Most rules give up at once unless the line's first non-blank character is their marker
(`>` for a blockquote, `#` for a heading, ...), but the calls themselves (and the debug
logging each rule does on entry) were a sixth of the parse of an outline vault. Here each
chain of rules becomes a table: first character → the rules that can start with it, in
their usual order. The same tokens, from fewer calls.

`FirstCharBlockParser.tokenize` is markdown-it's own loop (markdown-it-py 4.3) with that
lookup; it adds no stack frame per nesting level (the recursion a note nested 400 levels
deep needs is the same). It is installed only while markdown-it-py's loop is the one it was
copied from (`_LOOP`); otherwise the parser stays as it is. The terminator chains, which
rules call in silent mode (no nesting), are each compiled into one function that does the
lookup: `getRules("paragraph")` and the like return that one function. A rule whose name is
not in `STARTS` (a plugin's, or `table`, `code`, `lheading` and `paragraph`, which can start
with any character) is tried on every line, as before. tests/markdown/test_dispatch.py runs
every rule named in `STARTS` on lines starting with other characters: none matches.

Two rules that can start with a list marker get a cheap test first (`GUARDS`): `hr` needs
three of its marker on the line, and `lheading` (a setext heading, which tries every
terminator rule on each line of the paragraph) an underline line before the next blank one.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from markdown_it.parser_block import ParserBlock
from markdown_it.ruler import Ruler

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock

BlockRule = Callable[["StateBlock", int, int, bool], bool]
Rules = tuple[BlockRule, ...]

# The characters a line must start with (after its indent) for each of these rules of
# markdown-it, mdit-py-plugins and ours to match; each checks this first and fails otherwise.
STARTS: dict[str, str] = {
    "front_matter": "-",  # markdown/properties.py: `---` at the very start of the note
    "comment": "%",  # markdown/comments.py: `%%`
    "math_block": "$",
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "footnote_def": "[",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}


def _may_be_hr(state: StateBlock, line: int, _end: int) -> bool:
    """A thematic break has three of its marker or more on its line (`hr` counts them only
    after logging its call)."""
    pos, end = state.bMarks[line] + state.tShift[line], state.eMarks[line]
    return pos < end and state.src.count(state.src[pos], pos, end) >= 3


_UNDERLINE = re.compile(r"^[ \t>]*(?:=+|-+)[ \t]*$", re.M)  # in a quote too: `> ===`
_BLANK = re.compile(r"^[ \t]*$", re.M)
_SETEXT = "mm_setext_lines"  # env key: the note's possible underlines and blank lines


def _may_be_setext(state: StateBlock, line: int, end: int) -> bool:
    """A setext heading needs an underline (`===` or `---` alone on its line, in any quote
    or item) before the paragraph's first blank line. `lheading` tries every terminator rule
    on each line until it finds one; this looks the lines up, found once per note."""
    found = state.env.get(_SETEXT)
    if found is None or found[0] is not state.src:
        found = state.env[_SETEXT] = (state.src, _lines(state, _UNDERLINE), _lines(state, _BLANK))
    _src, underlines, blanks = found
    i = bisect_right(underlines, line)
    if i == len(underlines) or underlines[i] >= end:
        return False
    j = bisect_right(blanks, line)
    return j == len(blanks) or blanks[j] > underlines[i]


def _lines(state: StateBlock, pattern: re.Pattern[str]) -> list[int]:
    """The numbers of the source's lines that match."""
    src, out, line, last = state.src, [], 0, 0
    for match in pattern.finditer(src):
        line += src.count("\n", last, match.start())
        last = match.start()
        out.append(line)
    return out


# Cheap tests that a rule cannot match a line, tried before it. Each is False only where the
# rule would fail: tests/markdown/test_dispatch.py compares the tokens with and without them.
GUARDS: dict[str, Callable[[StateBlock, int, int], bool]] = {
    "hr": _may_be_hr,
    "lheading": _may_be_setext,
}


def _guarded(name: str, rule: BlockRule) -> BlockRule:
    guard = GUARDS.get(name)
    if guard is None:
        return rule

    def guarded(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        return guard(state, line, end) and rule(state, line, end, silent)

    return guarded


class Candidates:
    """The rules of a chain that can match a line, by the line's first character."""

    def __init__(self, rules: Sequence[tuple[str, BlockRule]]) -> None:
        self.always: Rules = tuple(fn for name, fn in rules if name not in STARTS)
        chars = {char for name, _fn in rules for char in STARTS.get(name, "")}
        self.table: dict[str, Rules] = {
            char: tuple(fn for name, fn in rules if name not in STARTS or char in STARTS[name])
            for char in chars
        }


class FirstCharRuler(Ruler[BlockRule]):
    """A block ruler that also keeps each chain's `Candidates`; the named (terminator)
    chains are each one function that tries only the candidates."""

    candidates: dict[str, Candidates]

    def __compile__(self) -> None:
        super().__compile__()
        assert self.__cache__ is not None
        self.candidates = {}
        for chain in self.__cache__:
            rules = [
                (rule.name, _guarded(rule.name, rule.fn))
                for rule in self.__rules__
                if rule.enabled and (not chain or chain in rule.alt)
            ]
            self.candidates[chain] = Candidates(rules)
            if chain and rules:
                self.__cache__[chain] = [_dispatcher(self.candidates[chain])]

    def first_chars(self) -> Candidates:
        """The main chain's candidates (compiled when the rules changed)."""
        if self.__cache__ is None:
            self.__compile__()
        return self.candidates[""]


CUT = "mm_nesting_cut"  # env key: the first line the block loop left out, too deep


class FirstCharBlockParser(ParserBlock):
    ruler: FirstCharRuler

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        """markdown-it's block loop, trying only the rules that can match each line."""
        candidates = self.ruler.first_chars()
        table, always = candidates.table.get, candidates.always
        line = startLine
        max_nesting = state.md.options.maxNesting
        has_empty_lines = False
        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine:
                break
            if state.sCount[line] < state.blkIndent:
                break  # the end of a nested call (blockquotes, lists)
            if state.level >= max_nesting:
                state.line = endLine  # too deep: the rest is skipped
                state.env.setdefault(CUT, line)  # (noted: the first line left out)
                break
            pos = state.bMarks[line] + state.tShift[line]
            for rule in table(state.src[pos : pos + 1], always):
                if rule(state, line, endLine, False):
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            else:
                raise RuntimeError("none of the block rules matched")
            # the latest empty line does not count for tightness
            state.tight = not has_empty_lines
            line = state.line
            # a paragraph may "eat" one newline after it in nested lists
            if (line - 1) < endLine and state.isEmpty(line - 1):
                has_empty_lines = True
            if line < endLine and state.isEmpty(line):
                has_empty_lines = True
                line += 1
                state.line = line


def use_first_char_dispatch(md: MarkdownIt) -> bool:
    """Make `md`'s block parser try only the rules a line can match (same tokens); False
    (nothing changed) when markdown-it-py's block loop is not the one copied here."""
    if _loop_digest() != _LOOP:
        return False
    ruler = FirstCharRuler()
    ruler.__rules__ = list(md.block.ruler.__rules__)
    block = FirstCharBlockParser()
    block.ruler = ruler
    md.block = block
    return True


# sha1 of the source of markdown-it-py 4.3's `ParserBlock.tokenize`, which
# `FirstCharBlockParser.tokenize` repeats with the lookup
_LOOP = "2fd583575ad5ffe707830d555022f414cdc1baa4"


def _loop_digest() -> str:
    try:
        source = inspect.getsource(ParserBlock.tokenize)
    except (OSError, TypeError):  # no source installed
        return ""
    return hashlib.sha1(source.encode()).hexdigest()


def _dispatcher(candidates: Candidates) -> BlockRule:
    """One rule that tries, in order, the candidates for the line."""
    table, always = candidates.table.get, candidates.always

    def dispatch(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        pos = state.bMarks[line] + state.tShift[line]
        for rule in table(state.src[pos : pos + 1], always):  # noqa: SIM110 (no generator here)
            if rule(state, line, end, silent):
                return True
        return False

    return dispatch
