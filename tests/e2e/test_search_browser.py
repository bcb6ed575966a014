"""Search in a real browser (Debian's Chromium through Playwright) on the demo site served by
`mindmap serve`: the dialog, its keys, results, the search page, file://, and a word saved
into a note found once the server is idle; an index in many page tables and chunks.

Skips when Chromium or Playwright is missing; `.ci/run` installs them.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from mindmap import search
from mindmap.build import build_site
from mindmap.config import Config, load_config
from mindmap.serve import DevServer

from .conftest import open_page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


def ready(url: str, path: str = search.META, timeout: float = 60.0) -> None:
    """Wait until the server has made the search index (it does so when idle)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url + path, timeout=5):
                return
        except urllib.error.HTTPError:
            time.sleep(0.2)
    raise AssertionError("the search index was never served")


def leads_to(url: str) -> re.Pattern[str]:
    """A result's href: `url`, then perhaps a text fragment (`#:~:text=`: where the browser
    scrolls to the excerpt's marked word)."""
    return re.compile(re.escape(url) + r"(?:#?:~:text=.+)?$")


def opened(path: str) -> re.Pattern[str]:
    """The url of `path` as opened from a result (a text fragment, if kept, after it)."""
    return re.compile(".*/" + re.escape(path) + r"(?:#?:~:.*)?$")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevServer, Path]]:
    tmp = tmp_path_factory.mktemp("search-e2e")
    notes = tmp / "notes"
    shutil.copytree(ROOT / "notes", notes)
    shutil.copy(ROOT / "mindmap.yml", tmp / "mindmap.yml")
    dev = DevServer(notes, tmp / "site", tmp / "mindmap.yml", log=lambda _line: None)
    dev.start("127.0.0.1", 0)
    try:
        ready(dev.url)
        yield dev, notes
    finally:
        dev.stop()


@pytest.fixture
def errors() -> Iterator[list[str]]:
    found: list[str] = []
    yield found
    assert found == [], "console errors or failed requests"


def test_a_word_in_one_note_finds_it_with_title_excerpt_and_folder(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    dev, _notes = served
    page = open_page(browser, dev.url + "people/memory.html", errors)
    page.keyboard.press("/")  # type: ignore[attr-defined]
    dialog = page.locator("dialog.mm-search-dialog")  # type: ignore[attr-defined]
    expect(dialog).to_be_visible()
    page.keyboard.type("Bielefeld")  # type: ignore[attr-defined]
    results = dialog.locator(".mm-search-result")
    expect(results).to_have_count(1)
    expect(results.locator(".mm-search-title")).to_have_text("Zettelkasten")
    expect(results.locator(".mm-search-folder")).to_have_text("methods")
    expect(results.locator(".mm-search-excerpt mark").first).to_have_text("Bielefeld")
    expect(dialog.locator(".mm-search-status")).to_have_text("1 note")
    href = results.locator("a").get_attribute("href")
    assert leads_to("../methods/zettelkasten.html").match(str(href))  # relative to the page
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(opened("methods/zettelkasten.html"))  # type: ignore[attr-defined]


def test_an_excerpt_parts_the_lines_it_crosses(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    """Where an excerpt runs from one line into the next (a heading into its text, a bullet
    into its sub-bullet), a " · " parts them, unless the line ended with a stop: they ran
    together ("brain side While you sleep", found in a walk-through)."""
    dev, _notes = served
    page = open_page(browser, dev.url + "index.html", errors)
    page.keyboard.press("/")  # type: ignore[attr-defined]
    page.locator("#mm-search-q").fill("hippocampus")  # type: ignore[attr-defined]
    excerpts = page.locator(".mm-search-excerpt")  # type: ignore[attr-defined]
    expect(excerpts.filter(has_text="brain side · While you sleep")).to_have_count(1)
    page.locator("#mm-search-q").fill("Molaison")  # type: ignore[attr-defined]
    expect(excerpts.first).to_contain_text("(Henry Molaison) · 1953: a surgeon")
    expect(excerpts.first).not_to_contain_text(". ·")


def test_a_result_opens_the_note_at_its_match_deep_in_a_bullet(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    """A match in a nested bullet of a section without headings leads to the bullet: the
    result's link carries a text fragment (its marked word, after the word before it) that
    the browser scrolls to and highlights; before, it opened the page at its top."""
    dev, _notes = served
    page = open_page(browser, dev.url + "index.html", errors)
    page.keyboard.press("/")  # type: ignore[attr-defined]
    page.locator("#mm-search-q").fill("hippocampus")  # type: ignore[attr-defined]
    result = page.locator(".mm-search-result a", has_text="two weeks of sleep")  # type: ignore[attr-defined]
    expect(result).to_have_attribute(
        "href", "journal/2024-04-07.html#:~:text=sleep%2Ddeprived-,hippocampus"
    )
    result.click()
    page.wait_for_url("**/journal/2024-04-07.html*")  # type: ignore[attr-defined]
    bullet = page.locator("li", has_text="a sleep-deprived hippocampus").last  # type: ignore[attr-defined]
    page.wait_for_function("scrollY > 0")  # type: ignore[attr-defined]
    box, height = bullet.bounding_box(), page.viewport_size["height"]  # type: ignore[attr-defined]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height


def test_a_result_opens_the_note_at_the_section_of_its_matches(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    """A word under a heading leads to that heading (and in it to the word), with that
    section's excerpt; a word of the title leads to the page's top."""
    dev, _notes = served
    page = open_page(browser, dev.url + "index.html", errors)
    page.keyboard.press("/")  # type: ignore[attr-defined]
    box = page.locator("#mm-search-q")  # type: ignore[attr-defined]
    box.fill("Molaison")
    result = page.locator(".mm-search-result a")  # type: ignore[attr-defined]
    expect(result).to_have_count(1)
    expect(result).to_have_attribute("href", leads_to("people/memory.html#long-term-memory"))
    # the mark holds the word alone, not the parenthesis after it
    expect(result.locator(".mm-search-excerpt mark").first).to_have_text("Molaison")
    expect(result.locator(".mm-search-excerpt")).to_contain_text("(Henry Molaison)")
    box.fill("Zettelkasten")
    first = page.locator(".mm-search-result a", has_text="Zettelkasten").first  # type: ignore[attr-defined]
    expect(first).to_have_attribute("href", "methods/zettelkasten.html")  # its top, no fragment
    box.fill("Molaison")
    expect(result).to_have_count(1)
    expect(result).to_have_attribute("href", leads_to("people/memory.html#long-term-memory"))
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(opened("people/memory.html#long-term-memory"))  # type: ignore[attr-defined]
    # at the section, and in it at the match (its text fragment), the heading above it
    top = page.evaluate("document.getElementById('long-term-memory').getBoundingClientRect().top")  # type: ignore[attr-defined]
    match = page.locator("#mm-body li", has_text="Henry Molaison").last  # type: ignore[attr-defined]
    page.wait_for_function("document.querySelector('#mm-body').getBoundingClientRect().top < 0")  # type: ignore[attr-defined]
    where = match.bounding_box()
    assert top < where["y"] and 0 <= where["y"] < page.viewport_size["height"]  # type: ignore[attr-defined]


WORDS_VAULT = {
    "Accents.md": "Un café au lait à Zürich.\n",
    "Plurals.md": "Two classes of stories about graphs.\n",
    "Cjk.md": "日本語のノート\n",
    "Inline.md": "It is un*believ*able, a **Mind**map of [[Plurals|Note]]book.\n",
    "Digits.md": "Released in 2024, version 3.11.\n",
    "Ctor.md": "Every object has a constructor.\n",
    "Top.md": "# Constructor\n\nThe zebrafruit makes objects.\n",
    "Marks.md": "My re\u0301sume\u0301, then \u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd and"
    " \u0939\u093f\u0928\u094d\u0926\u0940 written.\n",
    "Math.md": "It weighs $5\\text{kg}$ today.\n",
    "Long.md": "A " + "w" * 3000 + " word.\n",
    "Prose.md": "Lorem ipsum dolor sit amet don't one two three four five violinist practised"
    " scales every morning before breakfast and then played long slow tones until the"
    " tone was even, a habit that lasted through the whole of a long career.\n",
}


@pytest.fixture(scope="module")
def words_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    tmp = tmp_path_factory.mktemp("words")
    for name, text in WORDS_VAULT.items():
        (tmp / "notes" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "notes" / name).write_text(text, encoding="utf-8")
    dev = DevServer(tmp / "notes", tmp / "site", None, log=lambda _line: None)
    dev.start("127.0.0.1", 0)
    try:
        ready(dev.url)
        yield dev
    finally:
        dev.stop()


@pytest.mark.parametrize(
    ("query", "title", "marked"),
    [
        ("CAFE", "Accents", ["café"]),
        ("zurich", "Accents", ["Zürich"]),
        ("class", "Plurals", ["classes"]),
        ("story", "Plurals", ["stories"]),
        ("graph", "Plurals", ["graphs"]),
        ("本語", "Cjk", ["本", "語"]),
        ("unbelievable", "Inline", ["unbelievable"]),
        ("mindmap notebook", "Inline", ["Mindmap", "Notebook"]),
        ("2024", "Digits", ["2024"]),
        ("constructor", "Constructor", ["Constructor"]),  # a name JavaScript's objects know
        ("zebrafruit", "Constructor", ["zebrafruit"]),  # under the heading "#constructor"
        ("résumé", "Marks", ["re\u0301sume\u0301"]),  # written with combining accents
        ("\u05e9\u05dc\u05d5\u05dd", "Marks", ["\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd"]),
        ("\u0939\u093f\u0928\u094d\u0926\u0940", "Marks", ["\u0939\u093f\u0928\u094d\u0926\u0940"]),
        ("kg", "Math", ["kg"]),  # MathML's elements part words, as in the index
    ],
)
def test_the_browser_cuts_words_as_the_index_does(
    words_site: DevServer,
    browser: object,
    errors: list[str],
    query: str,
    title: str,
    marked: list[str],
) -> None:
    """search.js folds, stems and splits a query, and finds and marks words in an excerpt,
    exactly as words.py cut the notes: accents and case, plurals, CJK characters, marks
    inside words (NFD accents, Hebrew points, Hindi vowel signs), words that inline markup
    or a link cuts on the page, and words that are names of JavaScript's objects."""
    page = open_page(browser, words_site.url + f"search.html?q={quote(query)}", errors)
    result = page.locator("main .mm-search-result").first  # type: ignore[attr-defined]
    expect(result.locator(".mm-search-title")).to_have_text(title)
    expect(result.locator(".mm-search-excerpt mark")).to_have_text(marked)


def test_an_excerpt_cuts_a_word_of_thousands_of_letters(
    words_site: DevServer, browser: object, errors: list[str]
) -> None:
    page = open_page(browser, words_site.url + "search.html?q=word", errors)
    excerpt = page.locator("main .mm-search-result", has_text="Long").locator(".mm-search-excerpt")  # type: ignore[attr-defined]
    expect(excerpt).to_contain_text("\u2026")
    assert len(excerpt.inner_text()) < 200


def test_an_excerpt_is_cut_at_whole_words(
    words_site: DevServer, browser: object, errors: list[str]
) -> None:
    """An excerpt starts and ends at a space ("don't", two words to the index, is not cut
    in two), and an ellipsis stands only where text is left out, once."""
    page = open_page(browser, words_site.url + "search.html?q=violinist", errors)
    excerpt = page.locator("main .mm-search-result", has_text="Prose").locator(".mm-search-excerpt")  # type: ignore[attr-defined]
    expect(excerpt.locator("mark")).to_have_text("violinist")
    text = excerpt.inner_text()
    assert text.startswith("\u2026 don't one two three four five violinist practised scales")
    assert text.endswith(" the tone was even, \u2026") and text.count("\u2026") == 2


class Cached(SimpleHTTPRequestHandler):
    """Files as GitHub Pages serves them: a browser may keep each for ten minutes."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_page_open_while_the_site_is_rebuilt_searches_the_new_index(
    tmp_path: Path, browser: object, errors: list[str]
) -> None:
    """A reader's page searched, then the site was rebuilt and published (a note added, so
    the notes after it are numbered anew, and one edited), while the browser kept the
    files it had: the same page, asked again, answers from the new index, never a mix."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, word in (("b", "banana"), ("c", "cherry"), ("d", "damson")):
        (notes / f"{name}.md").write_text(f"Only {word} here.\n", encoding="utf-8")
    site = tmp_path / "site"
    build_site(notes, site, Config(), jobs=1, cache=True)
    handler = functools.partial(Cached, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/search.html"
        page = open_page(browser, url, errors)
        box = page.locator("main #mm-search-q")  # type: ignore[attr-defined]
        titles = page.locator("main .mm-search-title")  # type: ignore[attr-defined]
        for word, title in (("banana", "b"), ("cherry", "c"), ("damson", "d")):
            box.fill(word)
            expect(titles).to_have_text([title])
        (notes / "a.md").write_text("Only apple here.\n", encoding="utf-8")
        (notes / "c.md").write_text("Only cherry here, and elderberry.\n", encoding="utf-8")
        build_site(notes, site, Config(), jobs=1, cache=True)
        for word, title in (("banana", "b"), ("elderberry", "c"), ("damson", "d"), ("apple", "a")):
            box.fill(word)
            expect(titles).to_have_text([title])
    finally:
        httpd.shutdown()


def test_show_more_clicked_twice_shows_each_result_once(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    dev, _notes = served
    page = open_page(browser, dev.url + "search.html?q=forgetting", errors)
    results = page.locator("main .mm-search-result")  # type: ignore[attr-defined]
    expect(results).to_have_count(10)
    total = int(page.locator("main .mm-search-status").inner_text().split()[0])  # type: ignore[attr-defined]
    page.get_by_role("button", name="Show more results").dblclick()  # type: ignore[attr-defined]
    expect(results).to_have_count(min(total, 20))
    page.wait_for_timeout(500)  # type: ignore[attr-defined]  (a second batch would come by now)
    urls = [a.get_attribute("href") for a in page.locator("main .mm-search-result a").all()]  # type: ignore[attr-defined]
    assert len(urls) == min(total, 20) and len(set(urls)) == len(urls)


def test_enter_before_the_results_of_the_query_opens_none_of_the_last_ones(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    """Enter pressed while the box's query is still being asked waits for its results: the
    first of them opens, not the first result of what the box held before."""
    dev, _notes = served
    page = open_page(browser, dev.url + "search.html", errors)
    box = page.locator("main #mm-search-q")  # type: ignore[attr-defined]
    box.fill("gradient")
    expect(page.locator("main .mm-search-result").first).to_be_visible()  # type: ignore[attr-defined]
    box.press_sequentially(" xyzzyq")
    box.press("Enter")
    status = page.locator("main .mm-search-status")  # type: ignore[attr-defined]
    expect(status).to_have_text("No note matches \u201cgradient xyzzyq\u201d.")
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    assert page.url.endswith("/search.html")  # type: ignore[attr-defined]
    box.fill("Zettelkasten")
    box.press("Enter")  # at once: opens the first result once it comes
    page.wait_for_url(opened("methods/zettelkasten.html"))  # type: ignore[attr-defined]


def test_words_of_unpublished_notes_find_nothing(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    dev, _notes = served
    page = open_page(browser, dev.url + "index.html", errors)
    page.keyboard.press("Control+k")  # type: ignore[attr-defined]
    for word in ("procrastination", "Friston"):  # only in a publish: false note, a draft
        page.locator("#mm-search-q").fill(word)  # type: ignore[attr-defined]
        expect(page.locator(".mm-search-status")).to_have_text(  # type: ignore[attr-defined]
            f"No note matches \u201c{word}\u201d."
        )
        expect(page.locator(".mm-search-result")).to_have_count(0)  # type: ignore[attr-defined]


def test_shortcuts_open_escape_closes_and_focus_returns(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    dev, _notes = served
    page = open_page(browser, dev.url + "people/memory.html", errors)
    dialog = page.locator("dialog.mm-search-dialog")  # type: ignore[attr-defined]
    button = page.locator(".mm-search-open")  # type: ignore[attr-defined]
    for keys in ("/", "Control+k", "Meta+k"):
        button.focus()
        page.keyboard.press(keys)  # type: ignore[attr-defined]
        expect(dialog).to_be_visible()
        expect(page.locator("#mm-search-q")).to_be_focused()  # type: ignore[attr-defined]
        page.keyboard.press("Escape")  # type: ignore[attr-defined]
        expect(dialog).to_be_hidden()
        expect(button).to_be_focused()
    button.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    inside = page.evaluate(  # type: ignore[attr-defined]
        "document.querySelector('dialog').contains(document.activeElement)"
    )
    assert inside  # a modal dialog: focus stays in it
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    # typing "/" in a field does not open search
    page.evaluate(  # type: ignore[attr-defined]
        "document.body.insertAdjacentHTML('beforeend', '<input id=probe aria-label=probe>')"
    )
    page.locator("#probe").type("a/b")  # type: ignore[attr-defined]
    expect(dialog).to_be_hidden()
    expect(page.locator("#probe")).to_have_value("a/b")  # type: ignore[attr-defined]


def test_arrow_keys_choose_and_enter_opens(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    dev, _notes = served
    page = open_page(browser, dev.url + "index.html", errors)
    page.keyboard.press("/")  # type: ignore[attr-defined]
    page.keyboard.type("forgetting curve")  # type: ignore[attr-defined]
    results = page.locator(".mm-search-result")  # type: ignore[attr-defined]
    expect(results.nth(2)).to_be_visible()
    expect(results.nth(0).locator("a")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")  # type: ignore[attr-defined]
    page.keyboard.press("ArrowDown")  # type: ignore[attr-defined]
    page.keyboard.press("ArrowUp")  # type: ignore[attr-defined]
    expect(results.nth(1).locator("a")).to_have_attribute("aria-selected", "true")
    box = page.locator("#mm-search-q")  # type: ignore[attr-defined]
    expect(box).to_have_attribute("aria-activedescendant", "mm-search-r1")
    href = results.nth(1).locator("a").get_attribute("href")
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(opened(str(href).partition(":~:")[0].rstrip("#")))  # type: ignore[attr-defined]


def test_the_search_page_searches_in_place(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    dev, _notes = served
    page = open_page(browser, dev.url + "search.html?q=Bielefeld", errors)
    assert page.locator("dialog").count() == 0  # type: ignore[attr-defined]
    first = page.locator("main .mm-search-result a").first  # type: ignore[attr-defined]
    expect(first).to_have_attribute("href", leads_to("methods/zettelkasten.html"))
    expect(page.locator("#mm-search-q")).to_be_focused()  # type: ignore[attr-defined]


def test_more_results_than_fit_are_a_button_away(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    """A query with more than ten matches shows ten and a button for the next ones, which
    the keyboard reaches; once all are shown the button goes and focus returns to the query."""
    dev, _notes = served
    page = open_page(browser, dev.url + "search.html?q=forgetting", errors)
    results = page.locator("main .mm-search-result")  # type: ignore[attr-defined]
    status = page.locator("main .mm-search-status")  # type: ignore[attr-defined]
    expect(status).to_contain_text("(the first 10 shown)")
    total = int(status.inner_text().split()[0])
    assert total > 10
    more = page.get_by_role("button", name="Show more results")  # type: ignore[attr-defined]
    expect(results).to_have_count(10)
    more.focus()
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    expect(results).to_have_count(min(total, 20))
    if total <= 20:
        expect(more).to_be_hidden()
        expect(status).to_have_text(f"{total} notes")
        expect(page.locator("#mm-search-q")).to_be_focused()  # type: ignore[attr-defined]
    urls = [a.get_attribute("href") for a in page.locator("main .mm-search-result a").all()]  # type: ignore[attr-defined]
    assert len(set(urls)) == len(urls)  # the next ones, not the first ones again
    expect(page.locator("#mm-search-r10")).to_have_attribute("aria-selected", "true")  # type: ignore[attr-defined]


def test_show_more_is_in_the_dialogs_tab_order_and_keeps_the_page_in_place(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    """In the dialog, Tab goes input, Esc, the results (they scroll), Show more, and round;
    on the search page, Show more leaves the page where the new results are."""
    dev, _notes = served
    page = open_page(browser, dev.url + "people/memory.html", errors)
    page.keyboard.press("/")  # type: ignore[attr-defined]
    page.keyboard.type("forgetting")  # type: ignore[attr-defined]
    more = page.locator("dialog .mm-search-more")  # type: ignore[attr-defined]
    expect(more).to_be_visible()
    seen = []
    for _ in range(6):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        seen.append(page.evaluate("document.activeElement.className || document.activeElement.id"))  # type: ignore[attr-defined]
    at = seen.index("mm-search-more")  # reached by Tab
    assert seen[at + 1] == "mm-search-q"  # and round to the query
    page.goto(dev.url + "search.html?q=forgetting")  # type: ignore[attr-defined]
    button = page.get_by_role("button", name="Show more results")  # type: ignore[attr-defined]
    button.scroll_into_view_if_needed()
    button.click()
    expect(button).to_be_hidden()
    assert page.evaluate("scrollY") > 0  # type: ignore[attr-defined]
    new = page.locator("#mm-search-r10")  # type: ignore[attr-defined]
    box = new.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("word", ["xylophone", "zzqxnotaword", "qwertyuiop"])
def test_a_word_in_no_note_finds_nothing(
    served: tuple[DevServer, Path], browser: object, errors: list[str], word: str
) -> None:
    """Pagefind cuts a word it cannot find until some word starts with what is left
    ("xylophone" found the demo's lone "x"); such a match is no answer."""
    dev, _notes = served
    page = open_page(browser, dev.url + f"search.html?q={word}", errors)
    status = page.locator("main .mm-search-status")  # type: ignore[attr-defined]
    expect(status).to_have_text(f"No note matches \u201c{word}\u201d.")
    expect(page.locator("main .mm-search-result")).to_have_count(0)  # type: ignore[attr-defined]
    page.goto(dev.url + "search.html?q=instalation")  # a typo keeping most of the word
    expect(page.locator("main .mm-search-result").first).to_be_visible()  # type: ignore[attr-defined]


def test_the_search_page_without_javascript_explains(
    served: tuple[DevServer, Path], browser: object
) -> None:
    dev, _notes = served
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(dev.url + "people/memory.html")
    page.locator(".mm-search-open").click()
    page.wait_for_url("**/search.html")
    expect(page.locator("main")).to_contain_text("Search needs JavaScript")
    page.get_by_role("link", name="All notes").last.click()
    page.wait_for_url("**/notes.html")
    context.close()


def test_from_disk_search_says_it_needs_a_server(
    tmp_path: Path, browser: object, errors: list[str]
) -> None:
    site = tmp_path / "site"
    build_site(ROOT / "notes", site, load_config(ROOT / "mindmap.yml"), jobs=1)
    page = open_page(browser, (site / "people" / "memory.html").as_uri(), errors)
    page.keyboard.press("/")  # type: ignore[attr-defined]
    status = page.locator(".mm-search-status")  # type: ignore[attr-defined]
    expect(status).to_contain_text("Search needs a web server")
    page.keyboard.type("memory")  # type: ignore[attr-defined]
    expect(status).to_contain_text("mindmap serve")
    assert page.locator(".mm-search-result").count() == 0  # type: ignore[attr-defined]


def test_a_saved_word_is_found_once_the_server_is_idle(
    served: tuple[DevServer, Path], browser: object, errors: list[str]
) -> None:
    dev, notes = served
    note = notes / "methods" / "Interleaving.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n- a brand new word: zugzwang\n")
    page = open_page(browser, dev.url + "index.html", errors)
    deadline = time.monotonic() + 60
    titles: list[str] = []
    while time.monotonic() < deadline and titles != ["Interleaving"]:
        page.reload()  # type: ignore[attr-defined]  (a new page loads the newest index)
        page.keyboard.press("/")  # type: ignore[attr-defined]
        page.keyboard.type("zugzwang")  # type: ignore[attr-defined]
        status = page.locator(".mm-search-status")  # type: ignore[attr-defined]
        expect(status).not_to_be_empty()
        titles = page.locator(".mm-search-title").all_inner_texts()  # type: ignore[attr-defined]
        time.sleep(0.3)
    assert titles == ["Interleaving"]
    mark = page.locator(".mm-search-excerpt mark").first  # type: ignore[attr-defined]
    expect(mark).to_contain_text("zugzwang")


def _tables(site: Path) -> list[list[tuple[str, str]]]:
    """The index's page tables, in order: (url, title) of each page."""
    meta = json.loads((site / search.META).read_bytes())
    folder = site / search.SEARCH_DIR
    tables = [json.loads((folder / name).read_bytes()) for name in meta["tables"]]
    return [[(row[0], row[1]) for row in rows] for rows in tables]


def test_results_come_from_every_page_table_and_chunk(
    tmp_path: Path, browser: object, errors: list[str]
) -> None:
    """The demo vault's index split into page tables of 8 pages and chunks of about 4 terms:
    a note of each table is found by its title, and one query's results come from several
    tables, ranked together."""
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PAGES_PER_FILE", 8)
        patch.setattr(search, "_CUT", 4)
        dev = DevServer(notes, tmp_path / "site", ROOT / "mindmap.yml", log=lambda _line: None)
        dev.start("127.0.0.1", 0)
        try:
            ready(dev.url)
            tables = _tables(tmp_path / "site")
            assert len(tables) == 5
            meta = json.loads((tmp_path / "site" / search.META).read_bytes())
            assert len(meta["chunks"]) > 200
            page = open_page(browser, dev.url + "index.html", errors)
            page.keyboard.press("/")  # type: ignore[attr-defined]
            box = page.locator("#mm-search-q")  # type: ignore[attr-defined]
            for rows in tables:
                url, title = rows[-1]
                box.fill(title)
                result = page.locator(".mm-search-result a", has_text=title).first  # type: ignore[attr-defined]
                expect(result).to_have_attribute("href", leads_to(url))
            box.fill("memory")
            expect(page.locator(".mm-search-result").nth(4)).to_be_visible()  # type: ignore[attr-defined]
            hrefs = page.locator(".mm-search-result a").evaluate_all(  # type: ignore[attr-defined]
                "links => links.map(a => a.getAttribute('href'))"
            )
            table_of = {u: k for k, rows in enumerate(tables) for u, _t in rows}
            assert len({table_of[h.partition("#")[0]] for h in hrefs}) >= 2
        finally:
            dev.stop()


def test_a_missing_page_deep_down_links_home_without_probing_under_serve(
    served: tuple[DevServer, Path], browser: object
) -> None:
    """The 404 page finds the site's root by probing for graph.json upwards, a failed
    request (and a console error) per folder; under serve the root is known."""
    dev, _notes = served
    page = browser.new_page()  # type: ignore[attr-defined]
    probes: list[str] = []
    page.on("request", lambda r: probes.append(r.url) if "graph.json" in r.url else None)
    page.goto(dev.url + "a/b/c/nope.html")
    expect(page.locator("#home")).to_have_attribute("href", "/index.html")
    assert probes == []
    page.close()
