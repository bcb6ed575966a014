"""Words as search cuts them (src/mindmap/words.py): folding, the plural stemmer, CJK one
character a word, the text of rendered HTML, and a note's terms by section."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from mindmap.markdown import make_markdown, parse_note
from mindmap.words import (
    HEADING_WEIGHT,
    TITLE_WEIGHT,
    count_terms,
    html_text,
    section_terms,
    term,
    words,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Café", "cafe"),
        ("CAFÉ", "cafe"),
        ("Cafe\u0301", "cafe"),  # NFD: the accent is a mark of its own
        ("ÉCOLE", "ecole"),
        ("naïve", "naive"),
        ("Ångström", "angstrom"),
        ("ﬁle", "file"),  # a ligature, decomposed
        ("ＡＢＣ", "abc"),  # full width
        ("²", "2"),
        ("Mixed", "mixed"),
        ("ISTANBUL", "istanbul"),
    ],
)
def test_a_term_is_folded_to_lower_case_without_accents(word: str, expected: str) -> None:
    assert term(word) == expected


def test_the_same_word_written_three_ways_is_one_term() -> None:
    assert count_terms("Café CAFÉ Cafe\u0301 cafe") == {"cafe": 4}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("graphs", "graph"),
        ("classes", "class"),
        ("stories", "story"),
        ("boxes", "box"),
        ("churches", "church"),
        ("wishes", "wish"),
        ("buzzes", "buzz"),
        ("cats", "cat"),
        ("ties", "tie"),  # too short for -ies → -y
        ("Notes", "note"),
        ("CAFÉS", "cafe"),  # folded, then stemmed
        # not plurals: kept as they are
        ("status", "status"),
        ("analysis", "analysis"),
        ("class", "class"),
        ("glass", "glass"),
        ("bus", "bus"),
        ("gas", "gas"),  # too short
        ("this", "this"),
        ("graph", "graph"),
        ("story", "story"),
    ],
)
def test_plural_endings_are_stemmed(word: str, expected: str) -> None:
    assert term(word) == expected


@pytest.mark.parametrize(
    ("singular", "plural"),
    [("graph", "graphs"), ("class", "classes"), ("story", "stories"), ("box", "boxes")],
)
def test_a_singular_and_its_plural_find_each_other(singular: str, plural: str) -> None:
    assert term(singular) == term(plural) == term(term(plural))


def test_cjk_characters_are_words_one_by_one() -> None:
    assert words("日本語のテキスト") == ["日", "本", "語", "の", "テ", "キ", "ス", "ト"]
    assert words("abc中文def") == ["abc", "中", "文", "def"]  # Latin runs stay whole
    assert words("한국어") == ["한", "국", "어"]
    assert words("中文。標點") == ["中", "文", "標", "點"]  # punctuation is no word
    assert count_terms("中文 中国") == {"中": 2, "文": 1, "国": 1}


def test_words_are_runs_of_letters_and_digits_and_underscore_splits_them() -> None:
    assert words("secret_key snake_case_name") == ["secret", "key", "snake", "case", "name"]
    assert words("v2.0 released 2024-01-02!") == ["v2", "0", "released", "2024", "01", "02"]
    assert words("it's a well-known fact") == ["it", "s", "a", "well", "known", "fact"]
    assert words("  ...  ") == []


def test_marks_beyond_the_basic_plane_stay_inside_words() -> None:
    brahmi = "\U00011013\U00011038"  # a Brahmi letter and its vowel sign (a mark)
    assert words(f"{brahmi} x\U0001d165y") == [brahmi, "x\U0001d165y"]
    assert words(f"\U0001f600 mind{brahmi}map") == [f"mind{brahmi}map"]  # an emoji is no word
    assert words("re\u0301sume\u0301 \U0001f600") == ["re\u0301sume\u0301"]  # plane 0's too


def test_count_terms_weighs_and_adds_up() -> None:
    counts = count_terms("Graphs and graph", 2)
    assert counts == {"graph": 4, "and": 2}
    assert count_terms("graph", 3, counts) is counts
    assert counts == {"graph": 7, "and": 2}


def test_html_text_drops_tags_link_placeholders_and_attributes() -> None:
    fragment = (
        '<p id="p-x">see \x02L3\x03Beta</a> and \x02E12\x03 then '
        '<a class="tag" href="\x02Tidea/sub\x03">#idea/sub</a> '
        '<a href="https://hiddendomain.example" title="hidden title">shown</a></p>'
    )
    assert words(html_text(fragment)) == ["see", "Beta", "and", "then", "idea", "sub", "shown"]


def test_html_text_decodes_entities_after_dropping_tags() -> None:
    text = html_text("<p>fish &amp; chips &lt;b&gt;not a tag&lt;/b&gt; caf&eacute;</p>")
    assert "fish & chips <b>not a tag</b> café" in text
    assert words(text) == ["fish", "chips", "b", "not", "a", "tag", "b", "café"]


def test_html_text_skips_svg_script_and_style_contents() -> None:
    fragment = (
        "<p>before</p>"
        '<svg viewBox="0 0 10 10"><g><text>svgword</text></g></svg>'
        "<script>let scriptword = 1</script>"
        "<style>.styleword { color: red }</style>"
        "<p>after</p>"
        "<svg><text>second</text></svg><p>end</p>"
    )
    assert words(html_text(fragment)) == ["before", "after", "end"]


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>un<em>believ</em>able</p>", ["unbelievable"]),
        ("<p><strong>Mind</strong>map</p>", ["Mindmap"]),
        ("<p>\x02L0\x03Note</a>book</p>", ["Notebook"]),
        ("<p>one</p><p>two</p>", ["one", "two"]),  # but a block's tags part words
        ("<ul><li>one</li><li>two</li></ul>", ["one", "two"]),
        ("<p>one<br>two</p><h2 id=x>three</h2><table><tr><td>four</td><td>five</td></tr>", None),
    ],
)
def test_inline_markup_inside_a_word_leaves_it_one_word(
    fragment: str, expected: list[str] | None
) -> None:
    assert words(html_text(fragment)) == (expected or ["one", "two", "three", "four", "five"])


class Heading(NamedTuple):
    text: str
    start: int  # its first block token


def test_section_terms_counts_each_heading_with_its_words_three_times() -> None:
    blocks = [
        "<p>intro words</p>",
        '<h2 id="big-title">Big Title</h2>',
        "<p>under the title</p>",
        '<h3 id="small">Small</h3>',
        "<p>last</p>",
    ]
    offsets = [0]
    for block in blocks:
        offsets.append(offsets[-1] + len(block))
    body = "".join(blocks)
    found = section_terms(body, offsets, [Heading("Big Title", 1), Heading("Small", 3)])
    assert found == (
        {"intro": 1, "word": 1},
        {"big": HEADING_WEIGHT, "title": HEADING_WEIGHT + 1, "under": 1, "the": 1},
        {"small": HEADING_WEIGHT, "last": 1},
    )
    assert HEADING_WEIGHT == 3
    # no heading: one section, the headings' words counted once, as text
    assert section_terms(body, offsets, []) == (
        {"intro": 1, "word": 1, "big": 1, "title": 2, "under": 1, "the": 1, "small": 1, "last": 1},
    )


def test_a_parsed_note_has_its_terms_by_section() -> None:
    text = (
        "---\ntitle: Front Title\nsecret_key: zephyrine\n---\n"
        "Lede text. %%hidden commentword%%\n\n"
        "# Top\n\ntop words\n\n"
        "## See [[Beta|the beta]] `codeword`\n\nbody\n\n"
        "### **Bold** heading\n\n"
        '<svg><text>svgword</text></svg>\n\ndeep <span title="attrword">span</span>\n'
    )
    note = parse_note(make_markdown(), text, "a.md")
    assert [h.text for h in note.headings] == ["Top", "See the beta codeword", "Bold heading"]
    sections = section_terms(note.body, note.offsets, note.headings)
    assert sections == (
        {"lede": 1, "text": 1},
        {"top": 4, "word": 1},
        {"see": 3, "the": 3, "beta": 3, "codeword": 3, "body": 1},
        {"bold": 3, "heading": 3, "deep": 1, "span": 1},
    )
    every = {t for section in sections for t in section}
    for word in ("zephyrine", "secret", "front", "commentword", "hidden", "svgword", "attrword"):
        assert word not in every  # front matter, comments, shapes, attributes
    # its postings: the title's words in the top section too ("# Top" is no leading H1)
    anchors, postings = note.postings.anchors, dict(note.postings.items())
    assert anchors == ("", "top", "see-the-beta-codeword", "bold-heading")
    assert postings["front"].split(",")[1:] == ["0", str(TITLE_WEIGHT)]
    assert postings["see"].split(",")[1:] == ["2", "3"]
    assert postings["top"].split(",")[1:] == ["1", "4"]
    assert not set(postings) & {"zephyrine", "secret", "commentword", "svgword", "attrword"}


def test_a_note_without_headings_has_one_section() -> None:
    note = parse_note(make_markdown(), "Just graphs.\n\n- and lists\n  - nested\n", "b.md")
    assert section_terms(note.body, note.offsets, note.headings) == (
        {"just": 1, "graph": 1, "and": 1, "list": 1, "nested": 1},
    )
    assert note.postings.anchors == ("",)
