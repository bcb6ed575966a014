"""Syntax fixtures: one markdown-it fixture file per plugin, in `fixtures/*.md`.

Each case is `title`, `.`, Markdown input, `.`, expected HTML, `.` (the format of
`markdown_it.utils.read_fixture_file`). The input is parsed with
`parse_note(make_markdown(), text, "note.md")` and the note's body is printed with its
placeholders filled in by a fake, deterministic "resolver", so that the expected HTML shows
exactly what was parsed:

* wikilink or Markdown link n (the `\\x02L<n>\\x03` that stands for its `<a ...>` tag)
  → `<a href="[[TARGET#H1#H2#^BLOCK]]">`, built from `note.links[n]`: `target`, then each
  `heading` part after a `#`, then `#^block`. A Markdown link (kind "markdown") is printed
  `<a kind="markdown" href="[[...]]">`, so `[x](My%20Note.md#Sec)` shows as
  `<a kind="markdown" href="[[My Note.md#Sec]]">x</a>`.
* embed n (`![[...]]`, which stands for the whole element) → `<embed src="TARGET#H#^BLOCK|ALIAS"/>`
  (`|ALIAS` only when the link has an alias/size slot); an internal Markdown image is
  `<embed kind="image" src="PATH|ALT"/>`.
* tag url (`\\x02T<name>\\x03`) → `#tag:<name>` (the normalised tag name).

Trailing newlines are not compared (the fixture format always ends the output with one).
External links and images are not placeholders: they are printed by the renderer itself
(`class="external"`, `loading="lazy"`).

Besides the HTML, every case checks that the placeholders and the note's data agree: each
non-property `LinkRef` is printed exactly once, and the tags printed in the body are exactly
the note's tags (fixtures have no front matter). So a link or tag hidden in a comment is
also absent from `note.links` / `note.tags`.

Cases whose expected output is the *correct* (ofm-spec) behaviour but which the code gets
wrong are listed in `XFAIL` with a diagnosis; they are strict xfails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from mindmap.markdown import make_markdown, parse_note
from mindmap.markdown.render import PLACEHOLDER
from mindmap.model import LinkRef, Note

FIXTURES = Path(__file__).parent / "fixtures"
MD = make_markdown()

# (fixture file stem, case title) → reason. The expected output in the fixture is correct.
XFAIL: dict[tuple[str, str], str] = {}


def subpath(ref: LinkRef) -> str:
    heading = "".join(f"#{h}" for h in ref.heading)
    block = f"#^{ref.block}" if ref.block is not None else ""
    return f"{ref.target}{heading}{block}"


def fill(note: Note) -> str:
    """The note body with placeholders replaced as documented at the top of this file."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) == "T":
            return f"#tag:{match.group(2)}"
        ref = note.links[int(match.group(2))]
        kind = "" if ref.kind == "wiki" else f' kind="{ref.kind}"'
        if ref.embed:
            alias = f"|{ref.alias}" if ref.alias is not None else ""
            return f'<embed{kind} src="{subpath(ref)}{alias}"/>'
        return f'<a{kind} href="[[{subpath(ref)}]]">'

    return PLACEHOLDER.sub(replace, note.body)


def check_placeholders(note: Note) -> None:
    """Placeholders ⟷ links and tags, one to one."""
    printed = [m.group(2) for m in PLACEHOLDER.finditer(note.body) if m.group(1) == "L"]
    in_body = [n for n, ref in enumerate(note.links) if ref.kind != "property"]
    assert sorted(int(n) for n in printed) == in_body
    tags = {m.group(2) for m in PLACEHOLDER.finditer(note.body) if m.group(1) == "T"}
    assert tags == set(note.tags)
    assert "\x02" not in fill(note) and "\x03" not in fill(note)


def render(text: str) -> str:
    note = parse_note(MD, text, "note.md")
    check_placeholders(note)
    return fill(note)


def _cases() -> list[object]:
    params: list[object] = []
    for path in sorted(FIXTURES.glob("*.md")):
        for line, title, text, expected in read_fixture_file(path):
            key = (path.stem, title)
            marks = [pytest.mark.xfail(reason=XFAIL[key], strict=True)] if key in XFAIL else []
            params.append(
                pytest.param(text, expected, id=f"{path.stem}:{line + 1}:{title}", marks=marks)
            )
    return params


CASES = _cases()


def test_every_plugin_has_a_fixture_file() -> None:
    names = {p.stem for p in FIXTURES.glob("*.md")}
    assert names >= {
        "wikilinks",
        "embeds",
        "tags",
        "blockids",
        "callouts",
        "comments",
        "highlights",
        "outline",
        "math",
    }


def test_xfail_keys_name_real_cases() -> None:
    titles = {
        (p.stem, title) for p in FIXTURES.glob("*.md") for _l, title, *_ in read_fixture_file(p)
    }
    assert set(XFAIL) <= titles


def test_fixture_titles_are_unique() -> None:
    for path in FIXTURES.glob("*.md"):
        titles = [title for _l, title, *_ in read_fixture_file(path)]
        assert len(titles) == len(set(titles)), path.name


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_fixture(text: str, expected: str) -> None:
    assert render(text).rstrip("\n") == expected.rstrip("\n")


# Bugs whose correct HTML is not pinned down to the byte (whitespace is the fixer's choice):
# asserted on what must and must not be in the output instead.


def test_comment_closed_mid_line_keeps_the_rest_of_the_line() -> None:
    note = parse_note(MD, "%% one line %% trailing [[Z]]\n", "note.md")
    html = fill(note)
    assert "one line" not in html
    assert '<a href="[[Z]]">Z</a>' in html and "trailing" in html
    assert [ref.target for ref in note.links] == ["Z"]


def test_comment_across_paragraphs_hides_everything_up_to_the_close() -> None:
    note = parse_note(MD, "shown %%secret\n\nhidden [[Leak]] %% after\n", "note.md")
    html = fill(note)
    assert "secret" not in html and "hidden" not in html and "Leak" not in html
    assert note.links == ()
    assert "shown" in html and "after" in html


def test_custom_task_markers_are_tasks() -> None:
    html = render("- [?] question\n- [-] cancelled\n")
    assert html.count('<li class="task-list-item') == 2
    assert "[?]" not in html and "[-]" not in html
    assert html.count('type="checkbox" disabled checked') == 2  # any mark but a space
    assert 'data-task="?"' in html and 'data-task="-"' in html


def test_a_task_list_item_starts_with_its_checkbox() -> None:
    """The checkbox is the site's own markup, not a note's raw HTML: the sanitiser, which
    lets no `<input>` through, once dropped every one."""
    html = render("- [ ] open\n- [x] done\n")
    open_box, done_box = re.findall(r'<li class="task-list-item">(<input [^>]*>)', html)
    assert "checked" not in open_box and 'type="checkbox"' in open_box
    assert " checked " in done_box and 'data-task="x"' in done_box


def test_external_image_size_in_alt_text() -> None:
    html = render("![Engelbart|100x145](https://example.com/e.jpg)\n")
    assert 'width="100"' in html and 'height="145"' in html
    assert "|100" not in html


def test_comment_leaves_no_links_or_tags_behind() -> None:
    text = "before %%[[A]] #a%%\n\n%%\n[[B]] ![[C]] #b\n\n[[D]]\n%%\nafter [[E]] #e\n"
    note = parse_note(MD, text, "note.md")
    assert [ref.target for ref in note.links] == ["E"]
    assert note.tags == ("e",)
    assert "#b" not in note.body and "before" in note.body
