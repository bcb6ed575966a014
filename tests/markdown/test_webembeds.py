"""Web pages embedded with image syntax (E6): YouTube videos and posts on X/Twitter."""

from __future__ import annotations

import re

import pytest

from mindmap.markdown import make_markdown, parse_note
from mindmap.markdown.webembeds import web_embed

VIDEO = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("src", "start"),
    [
        (f"https://www.youtube.com/watch?v={VIDEO}", 0),
        (f"https://youtube.com/watch?feature=share&v={VIDEO}&t=90", 90),
        (f"https://m.youtube.com/watch?v={VIDEO}#t=1m5s", 65),
        (f"https://youtu.be/{VIDEO}?t=1h2m3s", 3723),
        (f"https://www.youtube.com/shorts/{VIDEO}", 0),
        (f"https://www.youtube.com/embed/{VIDEO}?start=12", 12),
        (f"http://www.youtube-nocookie.com/embed/{VIDEO}", 0),
    ],
)
def test_a_youtube_address_is_a_card_that_plays_from_youtube_nocookie(src: str, start: int):
    html = web_embed(src, "")
    assert html is not None and html.startswith('<a class="embed-web embed-video-card" ')
    href = re.search(r'href="([^"]*)"', html).group(1)  # type: ignore[union-attr]
    player = re.search(r'data-player="([^"]*)"', html).group(1)  # type: ignore[union-attr]
    suffix = f"&amp;t={start}s" if start else ""
    assert href == f"https://www.youtube.com/watch?v={VIDEO}{suffix}"
    suffix = f"&amp;start={start}" if start else ""
    assert player == f"https://www.youtube-nocookie.com/embed/{VIDEO}?autoplay=1{suffix}"
    assert ">YouTube video<" in html


@pytest.mark.parametrize(
    "src",
    [
        "https://www.youtube.com/watch?v=short",  # not an 11-character id
        f"https://www.youtube.com/channel/{VIDEO}",
        f"https://notyoutube.com/watch?v={VIDEO}",
        f"javascript:alert(1)//youtube.com/watch?v={VIDEO}",
        "https://e.org/a.png",
        "https://twitter.com/obsdmd",
        "https://x.com/a/status/notanumber",
        "http://[bad",
    ],
)
def test_other_addresses_are_not_web_embeds(src: str) -> None:
    assert web_embed(src, "") is None


def test_a_post_is_a_card_linking_to_it_and_the_alt_text_titles_a_card() -> None:
    html = web_embed("https://twitter.com/obsdmd/status/1580548874246443010?s=20", "")
    assert html is not None
    assert 'href="https://x.com/obsdmd/status/1580548874246443010"' in html
    assert ">Post by @obsdmd<" in html and "<script" not in html
    titled = web_embed(f"https://youtu.be/{VIDEO}", "<b>A talk</b>")
    assert titled is not None and ">&lt;b&gt;A talk&lt;/b&gt;<" in titled


def test_in_a_note_the_card_replaces_the_image_and_stays_in_its_paragraph() -> None:
    note = parse_note(make_markdown(), f"Watch ![](https://youtu.be/{VIDEO}) now.\n", "a.md")
    assert note.body.startswith('<p id="p-watch-now">Watch <a class="embed-web embed-video-card"')
    assert "<img" not in note.body and note.body.rstrip().endswith("</a> now.</p>")


def test_inside_a_link_the_card_is_no_link_of_its_own() -> None:
    text = f"[see ![](https://youtu.be/{VIDEO})](https://example.com)\n"
    body = parse_note(make_markdown(), text, "a.md").body
    assert body.count("<a ") == 1 and body.count("</a>") == 1  # no <a> inside the <a>
    assert '<span class="embed-web embed-video-card">' in body and "data-player" not in body


def test_an_image_with_a_query_stays_an_inline_image() -> None:
    body = parse_note(make_markdown(), "a ![](pic.png?v=1) b\n", "a.md").body
    assert body.startswith("<p") and body.count("<p") == 1  # its paragraph not split
