"""The first-character dispatch of block rules (markdown/dispatch.py) gives exactly the tokens
of markdown-it's own rule loop: on the fixtures, on tricky block syntax, on random text and,
when `../shared` is there, on every note of the real corpora. And it does skip rules."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock

from conftest import CORPORA, needs_shared
from mindmap.markdown import dispatch, make_markdown
from mindmap.markdown.dispatch import STARTS, FirstCharBlockParser
from test_properties import ANY_TEXT, LINES, SETTINGS

FIXTURES = Path(__file__).parent / "fixtures"

FAST = make_markdown()
STRICT_FAST = make_markdown(strict_line_breaks=True)


def without_dispatch(md: MarkdownIt) -> MarkdownIt:
    """The same rules in markdown-it's own ruler: every rule tried on every line."""
    block = ParserBlock()
    block.ruler = Ruler()
    block.ruler.__rules__ = md.block.ruler.__rules__
    md.block = block
    return md


PLAIN = without_dispatch(make_markdown())
STRICT_PLAIN = without_dispatch(make_markdown(strict_line_breaks=True))

TRICKY = [
    "---\ntitle: x\n---\n* a\n",
    " ---\nnot: front matter\n---\n",
    "* * *\n- - -\n_ _ _\n* a\n  * b\n    * c\n",
    "para\n---\n\npara\n===\n",
    "* a\n\n  b\n\n      code\n* c\n  > quote\n  > - in quote\n",
    "1. one\n2) two\n10. ten\n  3. nested\n",
    "+ plus\n+ more\n\n- minus\n",
    "```js\n* not a list\n```\n~~~\n# not a heading\n~~~\n",
    "text\n```\nfence ends paragraph\n```\n",
    "text\n> quote ends paragraph\ntext\n# heading ends paragraph\n<div>\nhtml\n</div>\n",
    "[ref]: https://example.com\n[^1]: footnote\n  continued\n\ntext[^1] [ref]\n",
    "%% comment\n* in comment\n%%\n* after\n  %% inline block %% tail\n",
    "$$\nx^2\n$$\n* $$\n  y\n  $$\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n* | c |\n  |---|\n  | 3 |\n",
    "\t* tabbed\n\t\t* more\n    * four spaces\n",
    "> [!note] Callout\n> * a\n>   * b\n",
    "* a\n\n\n* b\n    \n  * c\n",
    "#no heading\n# heading\n####### seven\n",
    "<!-- html comment -->\n* a\n<p>x</p>\n",
    "*emphasis* not a list\n-not a list\n+not a list\n1.not a list\n",
    "",
    "\n\n\n",
    "*",
    "-",
    "> ",
    "- a--\nb",  # the first line, not the note, starts with "-" (no front matter)
    "- > a--\nb",
    # setext headings and thematic breaks (dispatch.GUARDS skip `lheading` and `hr`)
    "a\nb\n===\n\nc\n\n===\n",
    "> quoted\n> ===\n\n> lazy\n---\n",
    "- item\n  ---\n- item\n  ===\n\n  para\n  --\n",
    "para\n  ===  \nnext\n\t---\t\n",
    "para\n    ===\n\n    code\n---\n",
    "- a\n- b\n---\n- c\n***\n* d\n___\n_ _ _\n",
    "a-b-c\n- x-y-z\n* a*b*c\n-- --\n- -- -\n",
    "para\n> ===\n",
    ">para\n>===\n>\n>===\n",
]


def tokens(md: MarkdownIt, text: str) -> list[dict[str, Any]]:
    return [token.as_dict() for token in md.parse(text, {})]


def assert_same(text: str) -> None:
    assert tokens(FAST, text) == tokens(PLAIN, text)
    assert tokens(STRICT_FAST, text) == tokens(STRICT_PLAIN, text)


def test_make_markdown_dispatches() -> None:
    assert isinstance(FAST.block, FirstCharBlockParser), (
        "markdown-it-py's block loop changed: compare FirstCharBlockParser.tokenize with it, "
        "then update dispatch._LOOP"
    )
    assert not isinstance(PLAIN.block, FirstCharBlockParser)


def test_another_markdown_it_loop_keeps_markdown_its_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dispatch, "_LOOP", "not the installed loop")
    md = make_markdown()
    assert type(md.block) is ParserBlock
    assert tokens(md, TRICKY[2]) == tokens(PLAIN, TRICKY[2])


def test_rules_that_cannot_match_are_not_called() -> None:
    """A list line is not offered to the blockquote, fence or heading rules, neither as a
    block of its own nor as the end of the paragraph above."""
    md = make_markdown()
    called: list[str] = []
    for rule in md.block.ruler.__rules__:
        if rule.name in ("blockquote", "fence", "heading", "list"):
            rule.fn = _counting(rule.fn, rule.name, called)
    md.block.ruler.__cache__ = None
    md.parse("* a\n  * b\n\npara\n- c\n", {})
    assert "list" in called
    assert not {"blockquote", "fence", "heading"} & set(called)


def test_guards_spare_the_setext_and_thematic_break_rules_where_they_cannot_match() -> None:
    """In an outline with no `===`/`---` line, `lheading` is never called, and `hr` only for
    a line with three dashes (dispatch.GUARDS); the tokens are the same (tests below)."""
    md = make_markdown()
    called: list[str] = []
    for rule in md.block.ruler.__rules__:
        if rule.name in ("lheading", "hr"):
            rule.fn = _counting(rule.fn, rule.name, called)
    md.block.ruler.__cache__ = None
    md.parse("- a\n  - b\n- well-known-thing\n\npara\n- c\n", {})
    assert called == ["hr", "hr"]  # "- well-known-thing": as the end of a paragraph, a block
    called.clear()
    md.parse("para\n===\n", {})
    assert called == ["lheading"]


# What follows a line's first character: every block syntax, and the character repeated
# ("{c}"), so that each character is tried as a rule, a list marker, a fence
SHAPES = [
    "",
    " x",
    "--",
    "---",
    "-- x",
    "x--",
    "$$",
    "``` x",
    "~~~",
    "%% c %%",
    "[x]: /y",
    "[^1]: x",
    "> q",
    "# h",
    "<div>",
    "1. x",
    "* * *",
    "- x",
    "=",
    "|a|b|",
    "{c}{c}",
    "{c}{c} x",
    " {c} {c}",
    "{c}{c}{c}{c}",
    ". x",
    ") x",
]
AFTER = [
    "",
    "\n",
    "\nnext\n",
    "\n---\n",
    "\n$$\n",
    "\n%%\n",
    "\n|-|-|\n",
    "\n  x\n",
    "\n{c}{c}{c}\n",
]
CHARS = [chr(c) for c in range(33, 127)] + ["é", "\u00a0", "\u3000"]


@pytest.mark.parametrize("name", sorted(STARTS))
def test_a_rule_named_in_the_table_matches_only_lines_starting_as_it_says(name: str) -> None:
    """The table is a promise about each rule (markdown-it's, mdit-py-plugins' or ours): on
    a line whose first non-blank character is not in its set, it does not match, silent or
    not (this checks the installed versions of those rules)."""
    md = make_markdown()
    rules = {rule.name: rule.fn for rule in md.block.ruler.__rules__}
    if name not in rules:
        pytest.skip(f"{name} is not one of make_markdown's rules")
    rule = rules[name]
    for char in CHARS:
        if char in STARTS[name]:
            continue
        for indent, shape, after in itertools.product(["", "  ", "\t"], SHAPES, AFTER):
            text = f"{indent}{char}{shape}{after}".replace("{c}", char)
            for silent in (True, False):
                state = StateBlock(text, md, {}, [])
                assert not rule(state, 0, state.lineMax, silent), (name, text, silent)
                assert state.tokens == []


def _counting(fn: Any, name: str, called: list[str]) -> Any:
    def rule(*args: Any) -> Any:
        called.append(name)
        return fn(*args)

    return rule


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.md")))
def test_fixtures_give_the_same_tokens(name: str) -> None:
    assert_same((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_block_syntax_gives_the_same_tokens(text: str) -> None:
    assert_same(text)


@SETTINGS
@given(ANY_TEXT)
def test_random_text_gives_the_same_tokens(text: str) -> None:
    assert_same(text)


@SETTINGS
@given(LINES.map(lambda s: "\n".join("  " * (i % 4) + x for i, x in enumerate(s.split("\n")))))
def test_random_indented_outlines_give_the_same_tokens(text: str) -> None:
    assert_same(text)


@needs_shared
@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["obsidian-export-testdata", "quartz-docs", "vaultofknowledge"])
def test_real_notes_give_the_same_tokens(corpus: str) -> None:
    notes = sorted((CORPORA / corpus).rglob("*.md"))
    assert notes
    for path in notes:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert tokens(FAST, text) == tokens(PLAIN, text), path
