"""The extraction contract of `parse_note`: positions, contexts, topics, blocks, headings,
front matter. Everything here is what resolve.py, graph.py and bodies.py rely on.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from mindmap.diagnostics import Severity
from mindmap.markdown import make_markdown, parse_note
from mindmap.model import LinkRef, Note
from mindmap.paths import heading_anchor

MD = make_markdown()


def parse(text: str, path: str = "dir/My Note.md") -> Note:
    return parse_note(MD, text, path)


def positions(note: Note) -> list[tuple[str, int, int]]:
    return [(ref.target, ref.line, ref.col) for ref in note.links]


def context_of(note: Note, ref: LinkRef) -> str:
    ctx = note.contexts[ref.context]
    return note.slice(ctx.start, ctx.end)


# --- line and column of links -------------------------------------------------------------


def test_line_and_col_in_plain_paragraphs() -> None:
    note = parse("first [[A]]\nsecond line ![[B.png]]\n\n   [[C]] third\n")
    assert positions(note) == [("A", 1, 7), ("B.png", 2, 13), ("C", 4, 4)]


def test_many_links_on_one_line_each_have_their_column() -> None:
    line = ", ".join(f"[[n{i}]]" for i in range(300))
    note = parse(f"intro\n\n- item\n  {line}\n  - [[kid]] and [[kid2]]\n")
    cols = [line.index(f"[[n{i}]]") + 3 for i in range(300)]
    assert positions(note)[:300] == [(f"n{i}", 4, c) for i, c in zip(range(300), cols, strict=True)]
    assert positions(note)[300:] == [("kid", 5, 5), ("kid2", 5, 17)]


def test_the_same_link_in_two_cells_of_a_row_has_two_columns() -> None:
    """Each table cell is an inline of its own: a cell's text was looked for from the start
    of the row, so a second `[[m1]]` got the first one's column (and its warning was merged
    with the first as a duplicate)."""
    note = parse("| [[m1]] | [[m1]] |\n|---|---|\n| a [[m1]] | [[m2]] [[m1]] |\n")
    assert positions(note) == [
        ("m1", 1, 3),
        ("m1", 1, 12),
        ("m1", 3, 5),
        ("m2", 3, 14),
        ("m1", 3, 21),
    ]


def test_lines_are_file_lines_after_front_matter() -> None:
    text = "---\ntitle: T\ntags: [a]\n---\n\n# H [[InHeading]]\nbody [[A]]\n"
    assert positions(parse(text)) == [("InHeading", 6, 5), ("A", 7, 6)]


def test_line_and_col_in_nested_lists() -> None:
    text = "- top [[A]]\n  - mid\n    - deep [[B]]\n      continued [[C]]\n- last [[D]]\n"
    assert positions(parse(text)) == [("A", 1, 7), ("B", 3, 12), ("C", 4, 17), ("D", 5, 8)]


def test_line_and_col_in_blockquotes_and_callouts() -> None:
    text = (
        "> quoted ![[Emb]] and [[Two]]\n"
        "> > deeper [[Three]]\n"
        "\n"
        "> [!note] Title [[InTitle]]\n"
        "> body [[InBody]]\n"
    )
    assert positions(parse(text)) == [
        ("Emb", 1, 10),
        ("Two", 1, 23),
        ("Three", 2, 12),
        ("InTitle", 4, 17),
        ("InBody", 5, 8),
    ]


def test_line_and_col_in_tables() -> None:
    text = "| a | b |\n|---|---|\n| x | [[A]] |\n| [[B]] | y |\n"
    assert positions(parse(text)) == [("A", 3, 7), ("B", 4, 3)]


def test_line_of_an_escaped_pipe_link_in_a_table() -> None:
    # The column of `[[A\|B]]` is not asserted: the cell text no longer holds the `\`,
    # and 0 means "unknown" in the LinkRef contract.
    (ref,) = parse("| a |\n|---|\n| [[A\\|B]] |\n").links
    assert (ref.target, ref.alias, ref.line) == ("A", "B", 3)


def test_line_in_a_footnote_definition() -> None:
    note = parse("Text[^1]\n\n[^1]: see [[FN]]\n")
    assert positions(note) == [("FN", 3, 11)]


def test_col_of_a_repeated_link_on_one_line() -> None:
    assert positions(parse("[[a]] and [[a]]\n")) == [("a", 1, 1), ("a", 1, 11)]


def test_line_of_markdown_links_on_later_lines() -> None:
    note = parse("para\nsecond [x](b.md)\nthird ![i](c.png)\n")
    assert [(r.target, r.line) for r in note.links] == [("b.md", 2), ("c.png", 3)]


def test_markdown_link_fields() -> None:
    note = parse(
        "[x](My%20Note.md#Sec) [y](<Sub/N.md#^blk>) ![alt](img/a%20b.png) [e](https://x.y)\n"
    )
    assert note.links == (
        LinkRef(1, 1, "My Note.md", ("Sec",), None, None, False, "markdown", 0),
        LinkRef(1, 23, "Sub/N.md", (), "blk", None, False, "markdown", 0),
        LinkRef(1, 44, "img/a b.png", (), None, "alt", True, "image", 0),
    )


def test_wikilink_fields() -> None:
    note = parse("[[t#A#B|text]] ![[img.png#icon|100x20]] [[#^blk]]\n")
    assert note.links == (
        LinkRef(1, 1, "t", ("A", "B"), None, "text", False, "wiki", 0),
        LinkRef(1, 16, "img.png", ("icon",), None, "100x20", True, "wiki", 0),
        LinkRef(1, 41, "", (), "blk", None, False, "wiki", 0),
    )


# --- contexts ----------------------------------------------------------------------------


OUTLINE = """\
# Top
Intro [[A]] here.
## Section
- parent
  - child with [[B]]
    - grand [[G]]
- other [[C]] #Tag
> quote [[D]]
"""


def test_context_crumbs_are_ancestor_headings_and_bullets() -> None:
    note = parse(OUTLINE)
    crumbs = {ref.target: note.contexts[ref.context].crumbs for ref in note.links}
    assert crumbs == {
        "A": ("Top",),
        "B": ("Top", "Section", "parent"),
        "G": ("Top", "Section", "parent", "child with B"),
        "C": ("Top", "Section"),
        "D": ("Top", "Section"),
    }


def test_context_html_is_the_bullets_own_text() -> None:
    note = parse(OUTLINE)
    html = {ref.target: context_of(note, ref) for ref in note.links}
    assert html["A"] == "Intro \x02L0\x03A</a> here."
    assert html["B"] == "child with \x02L1\x03B</a>"  # not the grandchild
    assert html["G"] == "grand \x02L2\x03G</a>"
    assert html["C"] == 'other \x02L3\x03C</a> <a class="tag" href="\x02Ttag\x03">#Tag</a>'
    assert html["D"] == "quote \x02L4\x03D</a>"


def test_context_anchor_and_line() -> None:
    note = parse(OUTLINE)
    got = {
        r.target: (note.contexts[r.context].anchor, note.contexts[r.context].line)
        for r in note.links
    }
    assert got == {
        "A": ("p-intro-a-here", 2),  # the paragraph itself, so a backlink lands on it
        "B": ("t-child-with-b", 5),
        "G": ("t-grand-g", 6),
        "C": ("t-other-c-tag", 7),
        "D": ("p-quote-d", 8),
    }
    assert 'id="t-child-with-b"' in note.body and 'id="t-grand-g"' in note.body


def test_links_in_one_paragraph_share_a_context() -> None:
    note = parse("See [[A]] and [[B]].\n\nThen [[C]].\n")
    assert [ref.context for ref in note.links] == [0, 0, 1]
    assert len(note.contexts) == 2


def test_deep_crumbs_keep_the_top_and_the_nearest_ancestors() -> None:
    note = parse("# H\n- a\n  - b\n    - c\n      - d\n        - e [[L]]\n")
    assert note.contexts[0].crumbs == ("H", "…", "b", "c", "d")


def test_long_crumbs_are_shortened() -> None:
    long = "word " * 30
    note = parse(f"- {long}\n  - [[A]]\n")
    (crumb,) = note.contexts[0].crumbs
    assert len(crumb) == 80 and crumb.endswith("…")


# --- topics ------------------------------------------------------------------------------


def test_topics_are_headings_and_branch_bullets() -> None:
    text = (
        "## Pre\n# A\n## B\n### C\n## D\n# E\n"
        "- x\n  - y\n    - z\n  - w\n- v\n  1. n\n     - m\n- leaf\n"
    )
    got = [(t.anchor, t.title, t.parent, t.kind, t.line) for t in parse(text).topics]
    assert got == [
        ("pre", "Pre", "", "heading", 1),
        ("a", "A", "", "heading", 2),
        ("b", "B", "a", "heading", 3),
        ("c", "C", "b", "heading", 4),
        ("d", "D", "a", "heading", 5),
        ("e", "E", "", "heading", 6),
        ("t-x", "x", "e", "item", 7),
        ("t-y", "y", "t-x", "item", 8),
        ("t-v", "v", "e", "item", 11),
        ("t-n", "n", "t-v", "item", 12),
    ]


def test_bullets_without_heading_have_the_note_as_parent() -> None:
    got = [(t.anchor, t.parent) for t in parse("- a\n  - b\n    - c\n").topics]
    assert got == [("t-a", ""), ("t-b", "t-a")]


def test_a_named_branch_is_a_topic_under_its_block_id() -> None:
    got = [(t.anchor, t.title, t.parent) for t in parse("- parent ^p1\n  - kid\n    - g\n").topics]
    assert got == [("^p1", "parent", ""), ("t-kid", "kid", "^p1")]


def test_leaf_bullets_with_links_are_not_topic_parents() -> None:
    note = parse("# H\n- leaf [[A]]\n- branch\n  - x\n")
    assert [(t.anchor, t.parent) for t in note.topics] == [("h", ""), ("t-branch", "h")]


def test_topic_anchors_are_the_html_ids() -> None:
    note = parse("# A\n- x\n  - y\n")
    for topic in note.topics:
        assert f'id="{topic.anchor}"' in note.body


def test_an_inline_script_is_dropped_with_its_text() -> None:
    """Raw `<script>…</script>` in a bullet: the sanitiser dropped the tags one by one and
    the script's text showed in the page, the topic's title and its anchor."""
    note = parse("- a <script>alert(2)</script> b [[X]]\n  - kid\n- c <style>p{}</style> d\n")
    (topic,) = note.topics
    assert (topic.anchor, topic.title) == ("t-a-b-x", "a b X")
    assert "alert" not in note.body and "p{}" not in note.body
    assert "c  d" in note.body


def test_a_paragraph_anchor_comes_from_the_text_shown() -> None:
    """A paragraph's id (backlinks jump to it) was made from its source, comments and
    scripts included: their words reached the page through it."""
    note = parse("Hi [[A|there]] %%hidden words%% <script>more()</script> now\n")
    assert 'id="p-hi-there-now"' in note.body
    assert "hidden" not in note.body and "more" not in note.body


def test_a_bullet_of_embeds_only_gets_a_real_anchor() -> None:
    note = parse("- ![[Y]]\n  - kid\n- ![[Z]]\n  - kid\n")
    assert [t.anchor for t in note.topics] == ["t-item", "t-item-2"]


# --- blocks ------------------------------------------------------------------------------


def test_block_on_a_paragraph() -> None:
    note = parse("intro\n\nThe quick gem. ^37066d\n")
    (block,) = note.blocks
    assert (block.id, block.wrap, block.line) == ("37066d", "", 3)
    assert note.slice(block.start, block.end) == '<p id="^37066d">The quick gem.</p>\n'


def test_block_on_an_item_with_children_spans_the_subtree() -> None:
    note = parse("- first\n- parent ^p1\n  - kid a\n    - grandkid\n  - kid b\n- after\n")
    (block,) = note.blocks
    assert (block.id, block.wrap, block.line) == ("p1", "ul", 2)
    html = note.slice(block.start, block.end)
    assert html.startswith('<li id="^p1" class="branch">parent')
    assert "kid a" in html and "grandkid" in html and "kid b" in html
    assert "first" not in html and "after" not in html
    assert html.endswith("</li>\n")


def test_block_on_an_ordered_item_wraps_in_ol() -> None:
    note = parse("1. one\n2. two ^o2\n")
    (block,) = note.blocks
    assert block.wrap == "ol"
    assert note.slice(block.start, block.end) == '<li id="^o2">two</li>\n'


def test_standalone_block_after_a_list_names_the_list() -> None:
    note = parse("- a\n- b\n\n^listid\n\nafter\n")
    (block,) = note.blocks
    assert block.wrap == ""
    assert (
        note.slice(block.start, block.end) == '<ul id="^listid">\n<li>a</li>\n<li>b</li>\n</ul>\n'
    )


def test_standalone_block_after_a_heading_uses_the_headings_anchor() -> None:
    """Seen in vaultofknowledge (`## Videos` then `^videos`): the id names the heading, and
    a link to the block goes to the heading's own anchor (one element has one id)."""
    note = parse("intro\n\n## Sub\n\n^vid\n\n- x\n")
    (block,) = note.blocks
    assert (block.id, block.anchor, block.line) == ("vid", "sub", 3)
    assert note.slice(block.start, block.end) == '<h2 id="sub">Sub</h2>\n'
    assert "^vid" not in note.body


def test_standalone_block_after_a_paragraph_names_it() -> None:
    note = parse("first\n\n^p1\n\nafter\n")
    (block,) = note.blocks
    assert note.slice(block.start, block.end) == '<p id="^p1">first</p>\n'


@pytest.mark.parametrize(
    ("block", "inside"),
    [
        ("```py\nx = 1\n```", '<div class="highlight">'),
        ("$$\nx^2\n$$", '<div class="math display">'),
        ("***", "<hr />"),
    ],
)
def test_standalone_block_after_a_one_token_block_wraps_it(block: str, inside: str) -> None:
    """Code, math, a rule and HTML render no attributes of their own: a `<div>` carries the
    id, so that a link lands on the block and an embed shows it."""
    note = parse(f"before\n\n{block}\n\n^b1\n\nafter\n")
    (blk,) = note.blocks
    html = note.slice(blk.start, blk.end)
    assert html.startswith('<div id="^b1">\n' + inside) and html.endswith("</div>\n")
    assert "before" not in html and "after" not in html and "^b1\n" not in note.body


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("text\n\n^a\n\n^b\n", '<p id="^b"></p>\n'),  # a marker after a marker
        ("<details>\n\n^d\n\ninside\n\n</details>\n", '<p id="^d"></p>\n'),  # not wrapped
    ],
)
def test_a_marker_after_no_block_it_can_name_stays_an_anchor(text: str, html: str) -> None:
    """Raw HTML may open an element that a wrapping <div> would close early, and a marker's
    own hidden paragraph names nothing: the marker stays, as an empty anchor."""
    note = parse(text)
    block = note.blocks[-1]
    assert note.slice(block.start, block.end).strip() == html.strip()
    assert "<details>" not in note.slice(block.start, block.end)


def test_a_marker_naming_no_block_is_still_an_anchor() -> None:
    note = parse("^top\n\ntext\n")
    (block,) = note.blocks
    assert note.slice(block.start, block.end) == '<p id="^top"></p>\n'


def test_lazy_continuation_block_names_the_callout() -> None:
    note = parse("> [!tip] Tip\n> Use [[A|a]] when\n^callout-id\n\nafter\n")
    (block,) = note.blocks
    html = note.slice(block.start, block.end)
    assert html.startswith('<div class="callout callout-tip" data-callout="tip" id="^callout-id">')
    assert html.endswith("</div></div>\n") and "after" not in html


def test_block_ids_keep_their_case_and_duplicates_are_reported() -> None:
    note = parse("text ^Dup\n\nmore ^dup\n")
    assert [b.id for b in note.blocks] == ["Dup"]
    (diag,) = note.diagnostics
    assert (diag.code, diag.line, diag.severity) == ("blockid-duplicate", 3, Severity.WARNING)


# --- headings ----------------------------------------------------------------------------


def test_heading_anchors_are_unique_and_heading_anchor_based() -> None:
    text = "# Same\n# Same\n## Same\n# Same 2\n# Date & time\n# ==Hi== `code` **b**\n#\n"
    note = parse(text)
    assert [h.anchor for h in note.headings] == [
        "same",
        "same-2",
        "same-3",
        "same-2-2",
        "date-time",
        "hi-code-b",
        "section",
    ]
    for h in note.headings:
        assert h.anchor.startswith(heading_anchor(h.text))
        assert f'id="{h.anchor}"' in note.body
    assert len({h.anchor for h in note.headings}) == len(note.headings)


def test_heading_sections_end_at_the_next_same_or_higher_heading() -> None:
    note = parse("# A\n## B\ntext\n### C\nmore\n## D\n# E\n")
    by_text = {h.text: h for h in note.headings}
    assert by_text["B"].end == by_text["D"].start
    assert by_text["C"].end == by_text["D"].start
    assert by_text["A"].end == by_text["E"].start
    assert by_text["E"].end == len(note.offsets) - 1
    section = note.slice(by_text["B"].start, by_text["B"].end)
    assert section.startswith('<h2 id="b">B</h2>') and "more" in section and "D" not in section


def test_heading_levels_and_lines() -> None:
    note = parse("---\na: 1\n---\n# One\n\nSetext\n------\n")
    assert [(h.level, h.text, h.line) for h in note.headings] == [(1, "One", 4), (2, "Setext", 6)]


# --- front matter ------------------------------------------------------------------------


FRONT = """\
---
title: Custom
tags: [Alpha, beta/Sub]
aliases: AI
link: "[[Episode IV]]"
list:
  - "[[L1]]"
  - "[[L2#h|x]]"
---
Body #Inline #alpha
"""


def test_property_links() -> None:
    note = parse(FRONT)
    props = [(r.target, r.line, r.kind, r.context) for r in note.links if r.kind == "property"]
    assert props == [
        ("Episode IV", 5, "property", -1),
        ("L1", 7, "property", -1),
        ("L2", 8, "property", -1),
    ]


def test_tags_merge_front_matter_and_inline_case_insensitively() -> None:
    assert parse(FRONT).tags == ("alpha", "beta/sub", "inline")


def test_scalar_tags_and_hashes_in_front_matter() -> None:
    note = parse("---\ntags: One\n---\n#one #Two\n")
    assert note.tags == ("one", "two")
    note = parse("---\ntags:\n  - '#hashed'\n  - Nested/Tag/\n---\n")
    assert note.tags == ("hashed", "nested/tag")


def test_title_aliases_from_front_matter() -> None:
    note = parse(FRONT)
    assert (note.title, note.aliases) == ("Custom", ("AI",))
    note = parse("---\naliases: [One, Two]\n---\n")
    assert (note.title, note.aliases) == ("My Note", ("One", "Two"))


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("no front matter\n", "My Note"),
        ("---\ntitle: '   '\n---\n# Heading\n", "Heading"),  # the H1 a note opens with
        ("---\ntitle: 2024\n---\n", "2024"),
        ("# An opening H1 is the title\n", "An opening H1 is the title"),
        ("text first\n\n# A later H1 is not\n", "My Note"),
        ("\n---\ntitle: not front matter\n---\n", "My Note"),
    ],
)
def test_title_is_front_matter_then_leading_h1_then_file_stem(text: str, title: str) -> None:
    assert parse(text).title == title


def test_title_of_a_dotted_name() -> None:
    assert parse("", "a/Note.1.md").title == "Note.1"


@pytest.mark.parametrize(
    ("front", "published"),
    [
        ("draft: true", False),
        ("draft: yes", False),
        ("draft: false", True),
        ("publish: false", False),
        ('publish: "false"', False),
        ("publish: true", True),
        ("title: x", True),
    ],
)
def test_draft_and_publish(front: str, published: bool) -> None:
    assert parse(f"---\n{front}\n---\nbody\n").published is published


def test_no_front_matter_is_published() -> None:
    assert parse("body\n").published is True


@pytest.mark.parametrize(
    ("yaml", "line", "col"),
    [
        ("key: value\n  bad indent: x", 3, 13),  # the line YAML complains about, as file line
        ("title: ok\nbad: [unclosed\nother: x", 4, 6),
        ("a: 1\nb: 2\nc: 'open", 4, 9),
        ("a: 1\nb: @x", 3, 4),
        ("tags: [a\n", 3, 1),
    ],
)
def test_invalid_yaml_is_reported_and_the_body_kept(yaml: str, line: int, col: int) -> None:
    text = f"---\n{yaml.rstrip()}\n---\nBody [[A]]\n"
    note = parse(text)
    (diag,) = note.diagnostics
    assert (diag.path, diag.line, diag.col) == ("dir/My Note.md", line, col)
    assert (diag.code, diag.severity) == ("frontmatter-yaml", Severity.WARNING)
    assert note.body.strip() == '<p id="p-body-a">Body \x02L0\x03A</a></p>'
    body_line = text.count("\n", 0, text.index("Body")) + 1
    assert [(r.target, r.line) for r in note.links] == [("A", body_line)]
    assert (note.title, note.tags, note.published) == ("My Note", (), True)


@pytest.mark.parametrize(
    ("yaml", "value", "line"),
    [
        ("title: T\ndate: 2024-02-30", "2024-02-30", 3),
        ("title: T\ncreated: 2024-13-45", "2024-13-45", 3),
        ("title: T\nupdated: 2024-01-01 25:00:00", "2024-01-01 25:00:00", 3),
        ("title: T\nfoo: 0000-01-01", "0000-01-01", 3),
        ('title: T\nx: !!timestamp "bad"', "bad", 3),
    ],
)
def test_an_impossible_date_stays_text(yaml: str, value: str, line: int) -> None:
    """YAML takes `2024-02-30` for a date by its shape; such a value is kept as text and
    reported, and the other properties stay (it used to fail the whole build)."""
    note = parse(f"---\n{yaml}\n---\nBody\n")
    (diag,) = note.diagnostics
    assert (diag.line, diag.code) == (line, "frontmatter-yaml")
    assert diag.message == f'"{value}" is not a real date: kept as text'
    assert note.title == "T"
    key = yaml.splitlines()[1].split(":")[0]
    if key in ("date", "created", "updated"):
        assert note.meta[key] == value


@pytest.mark.parametrize("bad", ['x: !!int "abc"', "x: !!float abc"])
def test_a_value_yaml_cannot_make_is_reported(bad: str) -> None:
    note = parse(f"---\ntitle: T\n{bad}\n---\nBody [[A]]\n")
    (diag,) = note.diagnostics
    assert (diag.line, diag.code) == (2, "frontmatter-yaml")
    assert diag.message.startswith("invalid YAML front matter: ")
    assert (note.title, [r.target for r in note.links]) == ("My Note", ["A"])
    assert "Body" in note.body


def test_real_dates_are_dates() -> None:
    note = parse("---\ndate: 2024-02-29\nupdated: 2024-01-01T10:30:00\n---\nx\n")
    assert note.diagnostics == ()
    assert (note.meta["date"], note.meta["updated"]) == ("2024-02-29", "2024-01-01T10:30:00")


@pytest.mark.parametrize("prefix", ["intro\n\n", ""])
def test_an_outline_too_deep_is_reported_at_its_first_hidden_line(prefix: str) -> None:
    lines = [f"{'  ' * i}- item {i}" for i in range(300)]
    note = parse(prefix + "\n".join(lines) + "\nafter\n")
    (diag,) = note.diagnostics
    assert (diag.code, diag.severity) == ("nesting-too-deep", Severity.WARNING)
    shown = {int(n) for n in re.findall(r"item (\d+)", note.body)}
    first_hidden = min(set(range(300)) - shown)
    assert shown == set(range(first_hidden))
    assert diag.line == prefix.count("\n") + first_hidden + 1
    assert "after" not in note.body
    assert diag.hint == "this line and the rest of the note are not shown"


def test_an_outline_just_deep_enough_is_not_reported() -> None:
    """199 levels of bullets all show: no warning (the deepest token's level alone used to
    say otherwise)."""
    lines = [f"{'  ' * i}- item {i}" for i in range(199)]
    note = parse("\n".join(lines) + "\n\nafter\n")
    assert note.diagnostics == ()
    assert "item 198" in note.body and "after" in note.body


def test_front_matter_that_is_not_a_mapping() -> None:
    note = parse("---\n- a\n- b\n---\ntext\n")
    (diag,) = note.diagnostics
    assert (diag.code, diag.line) == ("frontmatter-yaml", 2)
    assert note.body.strip() == "<p>text</p>"


def test_front_matter_is_not_rendered() -> None:
    note = parse(FRONT)
    assert "Custom" not in note.body and "Episode" not in note.body


# --- the note as a whole -----------------------------------------------------------------


def test_body_is_the_concatenation_of_block_slices() -> None:
    note = parse(OUTLINE)
    assert note.slice(0, len(note.offsets) - 1) == note.body
    assert note.offsets[0] == 0 and list(note.offsets) == sorted(note.offsets)


def test_digest_and_path() -> None:
    text = "# x\n"
    note = parse(text)
    assert note.digest == hashlib.sha1(text.encode()).hexdigest()
    assert note.path == "dir/My Note.md"


def test_control_characters_cannot_forge_placeholders() -> None:
    note = parse("a \x02L0\x03 b \x02Tx\x03\n")
    assert "\x02" not in note.body and "\x03" not in note.body
    assert note.links == () and note.tags == ()


@pytest.mark.parametrize(
    "text",
    [
        "- I---the plan\n- second\n",
        "-\tI---the plan\nsecond\n",
        "- - I---the plan\nsecond\n",
        "- > I---the plan\nsecond\n",
        "- [^1]:--- the plan\n\nsee[^1]\n",
    ],
)
def test_front_matter_is_only_at_the_very_top(text: str) -> None:
    """A first line that starts a list item holding `---` is the item's text, not (empty)
    front matter that swallows it (mdit-py-plugins' rule alone read it so)."""
    note = parse(text)
    assert "the plan" in note.body
    assert not note.diagnostics
    assert parse("---\ntitle: Top\n---\n- I---the plan\n").title == "Top"


# --- comments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("a %%unterminated comment\nstill going\n\nend\n", 1, 3),  # inline, runs on
        ("text\n\n%% block never closed\n\nmore\n", 3, 1),  # a comment block
        ("---\nt: x\n---\n- item\n  - > q %%shut%% and %%open\n\nrest\n", 5, 22),  # nested
        ("x `%%` y %%a%%\n\n%%\n", 3, 1),  # the one in code does not count
    ],
)
def test_an_unclosed_comment_is_reported_where_it_opens(text: str, line: int, col: int) -> None:
    note = parse(text)
    (diag,) = note.diagnostics
    assert (diag.code, diag.line, diag.col) == ("comment-unclosed", line, col)
    assert "rest" not in note.body and "end" not in note.body and "more" not in note.body


def test_closed_comments_are_not_reported() -> None:
    note = parse(
        "a %%one%% b\n\n%%\nblock\n%%\n\nc %%across\n\nparagraphs%% d `%%`\n\ne %%\n\n%%\n"
    )
    assert note.diagnostics == ()
    assert "d" in note.body and "block" not in note.body


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("p1 %% open\n\nline a\nx %% closes %% reopen\nmore\n", 4, 13),  # after a closing
        ("> q\n> %% open\n\nafter\n", 2, 3),  # a comment block in a blockquote
        ("> > %% open\n", 1, 5),
        ("| a | b |\n|---|---|\n| x %% y | z |\n\nrest\n", 3, 5),  # a table cell
        ("foo %% open\n\n> %% another\n\nmore\n", 1, 5),  # the first of two
        ("a\r\nb %% open\r\n\r\nrest\r\n", 2, 3),
        ("a %%\n\nx\n\n%%\nshown\n%%\nhidden\n\nmore\n", 7, 1),  # reopened by a line
    ],
)
def test_the_unclosed_comment_reported_is_where_the_hiding_starts(
    text: str, line: int, col: int
) -> None:
    (diag,) = parse(text).diagnostics
    assert (diag.code, diag.line, diag.col) == ("comment-unclosed", line, col)
