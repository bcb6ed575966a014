"""The Markdown engine: `parse_note(text, path)` turns one note into a `Note`, on its own.

Front matter, Obsidian syntax (wikilinks, embeds, tags, block ids, callouts, highlights,
comments), math, footnotes and task lists are all markdown-it plugins producing tokens;
no regex pass touches the raw text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from itertools import accumulate
from typing import Any

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from mindmap.diagnostics import Diagnostic, Severity
from mindmap.markdown.blockids import blockids_plugin
from mindmap.markdown.callouts import callouts_plugin
from mindmap.markdown.comments import UNCLOSED, comments_plugin, leaks, without_comments
from mindmap.markdown.dispatch import CUT, FirstCharBlockParser, use_first_char_dispatch
from mindmap.markdown.extract import extract
from mindmap.markdown.highlights import highlights_plugin
from mindmap.markdown.properties import Properties, properties_plugin, read_properties
from mindmap.markdown.render import PLACEHOLDER, PartsRenderer, install_rules
from mindmap.markdown.sanitise import raw_content_plugin
from mindmap.markdown.tags import tags_plugin
from mindmap.markdown.tasks import tasks_plugin
from mindmap.markdown.wikilinks import wikilinks_plugin
from mindmap.model import Context, LinkRef, Note
from mindmap.paths import NotePath, stem_of
from mindmap.words import Postings, note_postings, section_terms

# markdown-it's preset stops at 20 levels (about 10 of bullets) and drops the rest of the note;
# mind maps go deeper. 400 levels (~200 of bullets) stays well inside Python's recursion limit.
MAX_NESTING = 400
# ... for blocks. Inline, each `[` that may open a link label nests a level, five Python
# frames deep: 250 of them (`[[[[…`) overflowed the recursion limit. Inline nesting stops at
# this many levels instead, as markdown-it stops at its limit (the rest of the paragraph is
# text); no real link nests a tenth as deep.
INLINE_NESTING = 64


def make_markdown(strict_line_breaks: bool = False) -> MarkdownIt:
    """One MarkdownIt with every plugin; Obsidian's default shows single newlines (K7)."""
    options = {
        "html": True,
        "breaks": not strict_line_breaks,
        "maxNesting": MAX_NESTING,
        "linkify": True,
    }
    md = MarkdownIt("commonmark", options, renderer_cls=PartsRenderer)
    md.linkify = _Linkify().set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    md.enable(["table", "strikethrough", "linkify"])
    # Only the core rule, on the text that the inline rules left: the inline one takes a URL
    # before our rules see the rest of the line, and `https://x.org/a%%private%%`,
    # `~~https://x.org~~` or `https://x.org/a[[B]]` went into the link, comment and all.
    md.inline.ruler.disable("linkify")
    for plugin in (
        properties_plugin,
        comments_plugin,
        wikilinks_plugin,
        tags_plugin,
        highlights_plugin,
        footnote_plugin,
        tasks_plugin,
        callouts_plugin,
        blockids_plugin,
        raw_content_plugin,
    ):
        md.use(plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=True, double_inline=True)
    _no_digit_after_closing_dollar(md)
    use_first_char_dispatch(md)  # the same tokens, from fewer rule calls
    _cap_inline_nesting(md)
    assert isinstance(md.renderer, PartsRenderer)
    install_rules(md.renderer)
    return md


def _cap_inline_nesting(md: MarkdownIt) -> None:
    """`INLINE_NESTING`: past it, markdown-it's own way at its limit (skip to the end)."""
    skip = md.inline.skipToken

    def skip_token(state: StateInline) -> None:
        if state.level < INLINE_NESTING:
            skip(state)
            return
        pos = state.pos
        state.pos = state.cache[pos] = state.posMax + 1

    md.inline.skipToken = skip_token  # type: ignore[method-assign]


def _no_digit_after_closing_dollar(md: MarkdownIt) -> None:
    """Inline math as in Obsidian and Pandoc: a `$` opens before a non-space (a digit may
    come before it: `10$\\degree$` is 10°), and closes after a non-space but not before a
    digit, so `$5-$10` and `$5 and $6` stay text. dollarmath checks digits on both sides
    or on neither; this wraps its rule to check the closing side alone (of `$x$`, not of
    `$$x$$`, whose closing is unmistakable)."""
    rule = next(r.fn for r in md.inline.ruler.__rules__ if r.name == "math_inline")

    def math_inline(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if state.src.startswith("$$", start):
            return bool(rule(state, silent))
        if not rule(state, True):
            return False
        end, state.pos = state.pos, start
        if end < state.posMax and state.src[end].isdigit():
            return False
        return bool(rule(state, silent))

    md.inline.ruler.at("math_inline", math_inline)


class _Linkify(LinkifyIt):  # type: ignore[misc]
    """Bare URLs with a scheme become links, as in Obsidian's reading view (not `www.x.org`
    without one). linkify-it's own pretest is a large case-insensitive pattern tried on
    every paragraph (0.7 s over the 1,000-note workload); a URL needs `:` first."""

    def pretest(self, text: str) -> bool:
        return ":" in text and bool(super().pretest(text))


def source_digest(text: str) -> str:
    """The `Note.digest` of a note's text: equal digests, equal notes (parsing is pure)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def parse_note(md: MarkdownIt, text: str, path: str) -> Note:
    """Parse and render one note. Pure: reads no other file; links stay unresolved.

    Comments are rendered block by block (comments.py), which keeps an outline's shape
    around them; where markers pair across quotes and list items in ways those rules do not
    follow, a word Obsidian hides could show. Every note with a `%%` is checked against the
    plain model of what Obsidian hides (`leaks`): if any word found only in comments shows,
    the note is rendered again with its comments cut out first (its shape may differ a
    little from Obsidian's; nothing hidden shows)."""
    digest = source_digest(text)
    clean = text.replace("\x02", "\ufffd").replace("\x03", "\ufffd")
    note = _parse(md, clean, path, digest)
    if "%%" in clean and leaks(clean, _TAG.sub(" ", note.body)):
        cut = _parse(md, without_comments(clean), path, digest)
        kept = tuple(d for d in note.diagnostics if d.code == "comment-unclosed")
        note = replace(cut, diagnostics=cut.diagnostics + kept)
    return note


_TAG = re.compile(r"<[^>]*>")


def _parse(md: MarkdownIt, clean: str, path: str, digest: str) -> Note:
    env: dict[str, Any] = {}
    tokens = md.parse(clean, env)
    props = read_properties(tokens, path, clean)
    found = extract(tokens, clean.split("\n"), path)
    exact = isinstance(md.block, FirstCharBlockParser)
    found.diagnostics += _nesting_problem(tokens, path, env, exact) + _comment_problem(path, env)
    assert isinstance(md.renderer, PartsRenderer)
    parts = md.renderer.render_parts(tokens, md.options, env)
    offsets = [0, *accumulate(map(len, parts))]
    body = "".join(parts)
    links = found.links + [LinkRef(line, 0, t, kind="property") for line, t in props.links]
    title = props.title or _leading_h1_text(found, parts) or stem_of(path)
    labels: dict[str, str] = {}  # tag → as first written: front matter, then the body
    written = zip(props.tags, props.tag_labels, strict=True)
    for tag, label in [*written, *zip(found.tags, found.tag_labels, strict=True)]:
        labels.setdefault(tag, label)
    note = Note(
        path=NotePath(path),
        digest=digest,
        title=title,
        aliases=props.aliases,
        tags=tuple(sorted(labels)),
        tag_labels=tuple(labels.values()),
        meta=props.meta,
        published=props.published,
        headings=tuple(found.headings),
        blocks=tuple(found.blocks),
        topics=tuple(found.topics),
        links=tuple(links),
        contexts=tuple(_with_content(c, parts) for c in found.contexts),
        body=body,
        offsets=tuple(offsets),
        diagnostics=tuple(props.diagnostics + found.diagnostics),
    )
    return replace(note, postings=_postings(note))


def _postings(note: Note) -> Postings:
    """What the note gives the search index (words.py)."""
    return note_postings(
        section_terms(note.body, note.offsets, note.headings),
        note.headings,
        note.leading_h1(),
        note.title,
        note.aliases,
        note.lede(),
    )


def _with_content(context: Context, parts: list[str]) -> Context:
    """A context with what its HTML holds: a digest, and the links and tags in it (backlink
    snippets are keyed by these; working them out here, once per parse, keeps keys cheap)."""
    html = "".join(parts[context.start : context.end])
    found = PLACEHOLDER.findall(html)
    return context._replace(
        digest=hashlib.sha1(html.encode("utf-8", "surrogatepass")).hexdigest(),
        links=tuple(int(v) for k, v in found if k == "L"),
        tags=tuple(v for k, v in found if k == "T"),
    )


def _nesting_problem(
    tokens: list[Any], path: str, env: dict[str, Any], exact: bool
) -> list[Diagnostic]:
    """markdown-it stops at MAX_NESTING and drops what follows: say so, at its line. With
    our block loop (`exact`) that line is noted when it happens; with markdown-it's own, the
    line after the deepest token is a guess (it warns too when a note just reaches it)."""
    if exact:
        if CUT not in env:
            return []
        line = env[CUT] + 1
    else:
        deepest = max(tokens, key=lambda t: t.level, default=None)
        if deepest is None or deepest.level < MAX_NESTING - 2:
            return []
        line = (deepest.map or [0, 0])[1] + 1
    message = f"nested deeper than the parser follows (about {MAX_NESTING // 2 - 1} bullet levels)"
    hint = "this line and the rest of the note are not shown"
    return [Diagnostic(path, line, 0, Severity.WARNING, "nesting-too-deep", message, hint)]


def _comment_problem(path: str, env: dict[str, Any]) -> list[Diagnostic]:
    """A `%%` never closed hides the rest of the note (as in Obsidian): say where it opens."""
    if not env.get(UNCLOSED):
        return []
    line, col = min(env[UNCLOSED])  # the first: all after it is hidden
    message = "this %% comment is never closed"
    hint = "the rest of the note is hidden: close it with %%, or write a literal %% as `%%`"
    code = "comment-unclosed"
    return [Diagnostic(path, line + 1, col + 1, Severity.WARNING, code, message, hint)]


def _leading_h1_text(found: Any, parts: list[str]) -> str | None:
    """The text of the H1 a note opens with (nothing shown before it), if any."""
    first = found.headings[0] if found.headings else None
    if first is None or first.level != 1 or "".join(parts[: first.start]).strip():
        return None
    return first.text or None


__all__ = ["Properties", "make_markdown", "parse_note"]
