"""The demo site in a real browser (Debian's Chromium through Playwright), opened from disk.

Skips when Chromium or Playwright is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import http.server
import shutil
import threading
from functools import partial
from pathlib import Path

import pytest

from .conftest import failed, open_page, reload_remembering, storage_written

CHROMIUM = shutil.which("chromium")
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


def test_follow_a_wikilink_from_disk(site: Path, browser: object) -> None:
    errors: list[str] = []
    page = open_page(browser, (site / "index.html").as_uri(), errors)
    page.get_by_role("link", name="Spaced Repetition").first.click()  # type: ignore[attr-defined]
    assert page.url.endswith("people/spaced-repetition.html")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "Spaced Repetition"  # type: ignore[attr-defined]
    assert errors == []


def test_backlink_card_jumps_to_the_bullet(site: Path, browser: object) -> None:
    errors: list[str] = []
    page = open_page(browser, (site / "people/retrieval-practice.html").as_uri(), errors)
    card = page.locator(".mm-bl-card", has_text="Bloom's Two Sigma Problem")  # type: ignore[attr-defined]
    assert "Retrieval Practice" in card.locator(".mm-ctx-body").inner_text()
    card.locator(".mm-ctx-jump").first.click()
    assert "bloom-s-two-sigma-problem.html#" in page.url  # type: ignore[attr-defined]
    anchor = page.url.split("#", 1)[1]  # type: ignore[attr-defined]
    target = page.locator(f"[id='{anchor}']")  # type: ignore[attr-defined]
    assert "Retrieval Practice" in target.inner_text()
    assert errors == []


@pytest.mark.parametrize("over", ["file", "http"])
def test_every_page_loads_without_errors_or_failed_requests(
    site: Path, served: str, browser: object, over: str
) -> None:
    """Every page of the demo site, from disk and served, with its scripts running: no
    console error, no failed request."""
    errors: list[str] = []
    page = browser.new_page()  # type: ignore[attr-defined]
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed(r, errors))
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 60
    for path in pages:
        rel = path.relative_to(site).as_posix()
        page.goto(path.as_uri() if over == "file" else served + rel)
        assert page.locator("h1").count() == 1, path
    assert errors == []


def test_readable_with_javascript_off(site: Path, browser: object) -> None:
    """No script: the whole outline shows, the JS-only buttons stay hidden, links work."""
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto((site / "people" / "memory.html").as_uri())
    assert page.locator(".mm-body li").first.is_visible()
    hidden = page.locator(".mm-body li:not(:visible)")
    assert hidden.count() == 0
    assert page.locator(".mm-theme").is_hidden() and page.locator(".mm-explorer-open").is_hidden()
    page.get_by_role("link", name="All notes").click()
    assert page.url.endswith("notes.html")
    context.close()


def test_images_and_embeds_render(site: Path, browser: object) -> None:
    errors: list[str] = []
    page = open_page(browser, (site / "people/forgetting-curve.html").as_uri(), errors)
    images = page.locator("img.embed-image")  # type: ignore[attr-defined]
    assert images.count() >= 1
    for i in range(images.count()):
        width = images.nth(i).evaluate("img => img.naturalWidth")
        assert width > 0, images.nth(i).get_attribute("src")
    assert errors == []


def test_fold_and_unfold_bullets(site: Path, browser: object) -> None:
    """A bullet with children folds by its bullet (mouse or keyboard), the toolbar folds to
    a level or expands all, and what is folded is still folded after a reload."""
    errors: list[str] = []
    page = open_page(browser, (site / "people" / "memory.html").as_uri(), errors)
    first = page.locator(".mm-body li.branch").first  # type: ignore[attr-defined]
    children = first.locator(":scope > ul")
    toggle = first.locator(":scope > .mm-fold")
    assert children.is_visible()
    toggle.click()
    assert children.is_hidden()
    assert toggle.get_attribute("aria-expanded") == "false"
    reload_remembering(page)
    assert children.is_hidden()  # remembered for this page
    toggle.focus()
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert children.is_visible()
    page.get_by_role("button", name="Level 1").click()  # type: ignore[attr-defined]
    folded = page.locator(".mm-body li.mm-folded")  # type: ignore[attr-defined]
    top = page.locator(".mm-body > ul > li.branch")  # type: ignore[attr-defined]
    assert folded.count() == page.locator(".mm-body li.branch").count()  # type: ignore[attr-defined]
    assert top.count() > 0 and top.first.locator(":scope > ul").is_hidden()
    page.get_by_role("button", name="Expand all").click()  # type: ignore[attr-defined]
    assert folded.count() == 0
    assert errors == []


def test_folding_hides_everything_under_the_bullet_and_names_it_by_its_line(
    site: Path, browser: object
) -> None:
    """A folded bullet hides all that is under it, not only its lists: here an embed between
    two of its lists (found by a walk-through: it stayed on screen). Its toggle is named by
    the bullet's whole line, links and emphasis included, not by the text before them."""
    errors: list[str] = []
    url = (site / "bridges" / "human-vs-machine-learning.html").as_uri()
    page = open_page(browser, url, errors)
    item = page.locator("#t-how-is-memory-stored")  # type: ignore[attr-defined]
    embed = item.locator(":scope > div.embed")
    assert embed.is_visible()
    item.locator(":scope > .mm-fold").click()
    assert embed.is_hidden() and item.locator(":scope > ul").first.is_hidden()
    assert item.locator(":scope > p").is_visible()  # the bullet's own line stays
    page.goto((site / "machines" / "embeddings.html").as_uri())  # type: ignore[attr-defined]
    names = page.eval_on_selector_all(  # type: ignore[attr-defined]
        ".mm-fold", "bs => bs.map(b => b.getAttribute('aria-label'))"
    )
    assert "Fold or unfold: in Transformers the first layer is a lookup table from toke…" in names
    assert "Fold or unfold: in" not in names
    assert errors == []


def test_a_fold_inside_an_embed_is_remembered(site: Path, browser: object) -> None:
    """A branch inside an embed has no id of its own (the embedded note's would repeat the
    page's): it is remembered by its place among such branches, and stays folded after a
    reload, as the page's own branches do."""
    errors: list[str] = []
    url = (site / "bridges" / "human-vs-machine-learning.html").as_uri()
    page = open_page(browser, url, errors)
    inner = page.locator("div.embed li.branch").first  # type: ignore[attr-defined]
    assert inner.get_attribute("id") is None
    inner.locator(":scope > .mm-fold").click()
    assert inner.locator(":scope > ul").is_hidden()
    reload_remembering(page)
    assert inner.locator(":scope > ul").is_hidden()
    assert "mm-folded" in str(inner.get_attribute("class"))
    assert page.locator(".mm-body li.mm-folded").count() == 1  # type: ignore[attr-defined]
    assert errors == []


def test_a_link_into_a_folded_branch_unfolds_it(site: Path, browser: object) -> None:
    """A link to a bullet inside folded branches (a backlink's context, a block link) lands
    on it: the branches around it unfold, on load and when only the fragment changes."""
    errors: list[str] = []
    url = (site / "people" / "memory.html").as_uri()
    page = open_page(browser, url, errors)
    page.get_by_role("button", name="Level 1").click()  # type: ignore[attr-defined]
    target = page.locator("[id='^three-stores']")  # type: ignore[attr-defined]
    assert target.is_hidden()
    page.goto(url + "#%5Ethree-stores")  # type: ignore[attr-defined]
    assert target.is_visible()
    assert page.evaluate("scrollY") > 0  # type: ignore[attr-defined]
    assert "mm-folded" not in (target.get_attribute("class") or "")  # its own children too
    page.goto(url)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Level 1").click()  # type: ignore[attr-defined]
    storage_written(page)
    page.goto("about:blank")  # type: ignore[attr-defined]
    page.goto(url + "#%5Ethree-stores")  # type: ignore[attr-defined]
    assert target.is_visible()
    assert page.evaluate("scrollY") > 0  # type: ignore[attr-defined]
    assert errors == []


def test_folded_callouts_print_open(site: Path, browser: object) -> None:
    """A callout folded with `-` prints open (and is folded again after printing)."""
    errors: list[str] = []
    page = open_page(browser, (site / "methods" / "socratic-method.html").as_uri(), errors)
    folded = page.locator("details.callout:not([open])")  # type: ignore[attr-defined]
    count = folded.count()
    assert count > 0
    page.evaluate("dispatchEvent(new Event('beforeprint'))")  # type: ignore[attr-defined]
    assert folded.count() == 0
    page.evaluate("dispatchEvent(new Event('afterprint'))")  # type: ignore[attr-defined]
    assert folded.count() == count
    assert errors == []


def test_headings_and_bullets_offer_a_link_to_themselves(site: Path, browser: object) -> None:
    errors: list[str] = []
    page = open_page(browser, (site / "people" / "memory.html").as_uri(), errors)
    heading = page.locator(".mm-body h2[id]").first  # type: ignore[attr-defined]
    anchor = heading.locator(":scope > .mm-anchor")
    assert anchor.evaluate("a => getComputedStyle(a).opacity") == "0"
    heading.hover()
    assert anchor.evaluate("a => getComputedStyle(a).opacity") == "1"
    anchor.click()
    assert page.url.endswith("#" + heading.get_attribute("id"))  # type: ignore[attr-defined]
    bullet = page.locator(".mm-body li.branch").first  # type: ignore[attr-defined]
    link = bullet.locator(":scope > .mm-anchor, :scope > p:first-of-type > .mm-anchor")
    assert link.get_attribute("href") == "#" + str(bullet.get_attribute("id"))
    assert errors == []


def _background(page: object) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")  # type: ignore[attr-defined]


@pytest.mark.parametrize("system", ["light", "dark"])
def test_the_404_page_follows_the_chosen_theme(site: Path, browser: object, system: str) -> None:
    """The not-found page is self-contained, but the reader's choice of theme holds there too."""
    context = browser.new_context(color_scheme=system)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    page.get_by_role("button", name="Dark theme").click()  # the other theme
    storage_written(page)
    page.goto((site / "404.html").as_uri())
    chosen = "light" if system == "dark" else "dark"
    assert page.evaluate("document.documentElement.dataset.theme") == chosen
    dark = "rgb(22, 24, 27)"
    assert (_background(page) == dark) == (chosen == "dark")
    context.close()


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_code_prints_in_light_colours_whatever_the_theme(
    site: Path, browser: object, theme: str
) -> None:
    """Print is light: the page and the code's colours too, also after the reader chose
    dark (the print rules used to stop at `:root:not([data-theme=dark])`)."""
    context = browser.new_context(color_scheme="light")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto((site / "machines" / "gradient-descent.html").as_uri())
    page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    page.emulate_media(media="print")
    keyword = page.locator(".highlight .k").first
    assert keyword.evaluate("e => getComputedStyle(e).color") == "rgb(0, 128, 0)"
    block = page.locator(".highlight").first
    assert block.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(248, 248, 248)"
    context.close()


@pytest.mark.parametrize("system", ["light", "dark"])
def test_theme_toggle_persists_across_pages(site: Path, browser: object, system: str) -> None:
    """The toggle switches from the system's theme to the other one, the choice holds on
    the next page and after a reload (no flash: <head> applies it), and it is a button the
    keyboard reaches."""
    errors: list[str] = []
    context = browser.new_context(color_scheme=system)  # type: ignore[attr-defined]
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((site / "people" / "memory.html").as_uri())
    before = _background(page)
    toggle = page.get_by_role("button", name="Dark theme")
    assert toggle.get_attribute("aria-pressed") == ("true" if system == "dark" else "false")
    toggle.focus()
    page.keyboard.press("Enter")
    other = "light" if system == "dark" else "dark"
    assert page.evaluate("document.documentElement.dataset.theme") == other
    assert toggle.get_attribute("aria-pressed") == ("true" if other == "dark" else "false")
    after = _background(page)
    assert after != before
    storage_written(page)
    page.goto((site / "index.html").as_uri())
    assert _background(page) == after
    assert page.evaluate("document.documentElement.dataset.theme") == other
    page.reload()
    assert _background(page) == after
    context.close()
    assert errors == []


def _inside_viewport(page: object, selector: str) -> bool:
    return page.evaluate(  # type: ignore[attr-defined, no-any-return]
        """s => { const r = document.querySelector(s).getBoundingClientRect();
        return r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; }""",
        selector,
    )


def test_hover_preview_shows_the_linked_section(served: str, browser: object) -> None:
    """Pointing at a link shows the target's content; a link to a heading shows that
    heading's section, not the top of the note; the popover stays inside the viewport."""
    errors: list[str] = []
    page = open_page(browser, served + "machines/memory.html", errors)
    link = page.locator(".mm-body a.internal[href*='transformers.html#']").first  # type: ignore[attr-defined]
    link.hover()
    preview = page.locator(".mm-preview")  # type: ignore[attr-defined]
    preview.wait_for()
    text = preview.inner_text()
    assert text.startswith("Transformers")  # the note's title
    assert "Attention heads" in text and "query" in text
    assert page.locator(".mm-preview [id]").count() == 0  # type: ignore[attr-defined]
    assert link.get_attribute("aria-describedby") == "mm-preview"
    assert _inside_viewport(page, ".mm-preview")
    page.mouse.move(5, 5)  # type: ignore[attr-defined]
    preview.wait_for(state="detached")
    assert errors == []


def test_keyboard_focus_opens_a_preview_and_escape_closes_it(served: str, browser: object) -> None:
    errors: list[str] = []
    page = open_page(browser, served + "people/retrieval-practice.html", errors)
    link = page.locator(".mm-body a.internal[href$='spaced-repetition.html']").first  # type: ignore[attr-defined]
    link.focus()
    preview = page.locator(".mm-preview")  # type: ignore[attr-defined]
    preview.wait_for()
    assert preview.inner_text().startswith("Spaced Repetition")
    assert _inside_viewport(page, ".mm-preview")
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    assert preview.count() == 0
    assert errors == []


def test_no_previews_from_disk(site: Path, browser: object) -> None:
    """file:// pages cannot read other files: no popover, and no error either."""
    errors: list[str] = []
    page = open_page(browser, (site / "people" / "retrieval-practice.html").as_uri(), errors)
    page.locator(".mm-body a.internal").first.hover()  # type: ignore[attr-defined]
    page.wait_for_timeout(600)  # type: ignore[attr-defined]
    assert page.locator(".mm-preview").count() == 0  # type: ignore[attr-defined]
    assert errors == []


def test_the_site_root_is_the_home_page_for_the_scripts(served: str, browser: object) -> None:
    """Served at `/`, the home page is index.html to the explorer (its note is current) and
    to the outline (folds made at `/` are those of /index.html)."""
    errors: list[str] = []
    page = open_page(browser, served, errors)
    assert page.url.endswith("/")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Explorer").click()  # type: ignore[attr-defined]
    panel = page.get_by_role("navigation", name="Explorer")  # type: ignore[attr-defined]
    assert panel.locator("a[aria-current=page]").inner_text() == "A Garden of Learning"
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Level 1").click()  # type: ignore[attr-defined]
    folded = page.locator(".mm-body li.mm-folded")  # type: ignore[attr-defined]
    count = folded.count()
    assert count > 0
    page.goto(served + "index.html")  # type: ignore[attr-defined]
    assert folded.count() == count
    page.get_by_role("button", name="Expand all").click()  # type: ignore[attr-defined]
    assert errors == []


def test_folder_explorer_from_disk(site: Path, browser: object) -> None:
    """The explorer opens from the header (keyboard too), marks the current note inside its
    open folder, filters by name, navigates, Escape gives the focus back, and tabbing out
    of it closes it (focus went on behind it, hidden under it on a phone)."""
    errors: list[str] = []
    page = open_page(browser, (site / "machines" / "memory.html").as_uri(), errors)
    button = page.get_by_role("button", name="Explorer")  # type: ignore[attr-defined]
    button.focus()
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    panel = page.get_by_role("navigation", name="Explorer")  # type: ignore[attr-defined]
    current = panel.locator("a[aria-current=page]")
    assert current.inner_text() == "Memory (machines)" and current.is_visible()
    assert panel.locator("details[open] > summary").all_inner_texts() == ["machines"]
    assert page.evaluate("document.activeElement.type") == "search"  # type: ignore[attr-defined]
    page.keyboard.type("loci")  # type: ignore[attr-defined]
    shown = panel.locator("a:visible")
    assert shown.all_inner_texts() == ["Méthode des loci"]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    assert panel.is_hidden() and button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.className") == "mm-explorer-open"  # type: ignore[attr-defined]
    button.click()  # Shift+Tab out of it, to the page it covers: it closes, focus goes on
    page.keyboard.press("Shift+Tab")  # type: ignore[attr-defined]
    assert panel.is_hidden() and button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.closest('#mm-explorer')") is None  # type: ignore[attr-defined]
    button.click()
    shown.first.click()
    assert page.url.endswith("methods/m%C3%A9thode-des-loci.html")  # type: ignore[attr-defined]
    assert errors == []


def test_a_video_card_plays_in_place_only_when_asked(build_vault, browser: object) -> None:
    """Nothing is fetched from YouTube with the page; Enter on the card puts the player
    (youtube-nocookie.com) in its place; a page without a card does not load embeds.js."""
    video = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    _, site = build_vault({"A.md": f"Watch ![]({video}) now.\n", "B.md": "plain\n"})
    errors: list[str] = []
    requests: list[str] = []
    page = browser.new_page()  # type: ignore[attr-defined]
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: route.fulfill(body="<title>player</title>", content_type="text/html"),
    )
    page.goto((site / "a.html").as_uri())
    assert [u for u in requests if not u.startswith("file:")] == []
    card = page.locator("a.embed-video-card")
    assert card.get_attribute("href") == video
    card.focus()
    page.keyboard.press("Enter")
    player = page.locator("iframe.embed-web-player")
    player.wait_for()
    assert player.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")
    assert card.count() == 0 and page.url.endswith("a.html")
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"
    page.goto((site / "b.html").as_uri())
    assert "embeds.js" not in page.content()
    assert errors == []


def test_long_folder_paths_and_formulas_do_not_widen_a_phone_page(
    build_vault, browser: object
) -> None:
    """A folder path has no space to break at for dozens of characters, a formula none at
    all: on a 390 px screen both must fit (or scroll in their own box), not the page."""
    deep = "/".join(
        ["Organized Knowledge - Old Format", *[f"Subject{n}Electrodynamics" for n in range(6)]]
    )
    formula = "$Y=1.2219V-0.23111V^2+0.23951V^3-0.021009V^4+0.0008404V^5-0.0000147V^6$"
    _, site = build_vault(
        {
            "A.md": f"The target. {formula}\n",
            f"{deep}/Deep.md": "- links to [[A]] from far down\n",
            "B.md": "#t also [[A]]\n",
            f"{deep}/Tagged.md": "#t\n",
        }
    )
    page = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    for url in ["a.html", "tags/t.html", "notes.html"]:
        page.goto((site / url).as_uri())
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], url
    page.goto((site / "a.html").as_uri())
    assert "Subject5Electrodynamics" in page.locator(".mm-bl-folder").inner_text()
    page.close()


def test_tag_card_folders_stay_readable_and_long_link_names_stay_in_the_sidebar(
    build_vault, browser: object
) -> None:
    """A tag card's folder goes under the title when there is no room beside it, not one
    letter a line; a long missing note's name in "Links from here" wraps inside the sidebar."""
    far = "ShmojiMindMapPublic-20250101T000000Z-001/ShmojiMindMapPublic/transformer LLM"
    _, site = build_vault(
        {
            "methods/A note with a rather long title.md": "#learning\n",
            "bridges/Another long note title here.md": "#learning\n",
            "Seed.md": f"# Seed\n\n- [[{far}]] and [[methods/A note with a rather long title]]\n",
        }
    )
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
        page.goto((site / "tags/learning.html").as_uri())
        folders = page.locator(".mm-cards .mm-folder")
        assert folders.count() == 2
        for i in range(2):
            box = folders.nth(i).bounding_box()
            line = page.evaluate(
                "e => parseFloat(getComputedStyle(e).lineHeight)", folders.nth(i).element_handle()
            )
            assert box["height"] < 1.5 * line and box["width"] > 40, (width, box)
        page.goto((site / "seed.html").as_uri())
        if width == 1280:  # the sidebar is beside the note
            wide = page.evaluate(
                "[...document.querySelectorAll('.mm-outlinks li')].map(li => "
                "li.scrollWidth - li.clientWidth)"
            )
            assert wide and max(wide) <= 0, wide
        page.close()


def test_a_missing_page_under_a_sub_path_finds_the_site_root(site: Path, browser: object, tmp_path):
    """As on GitHub Pages' project sites: the site at /repo/, and the server answering any
    missing path with the site's 404.html. Its script finds /repo/ by probing for graph.json
    from the missing page's folder upwards."""
    (tmp_path / "repo").symlink_to(site, target_is_directory=True)
    page404 = (site / "404.html").read_bytes()

    class Pages(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def send_error(self, code: int, message: str | None = None, explain: str | None = None):
            if code != 404:
                return super().send_error(code, message, explain)
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page404)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(page404)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Pages, directory=tmp_path))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(base + "/repo/people/gone/nope.html")
        home = page.locator("#home")
        page.wait_for_function("document.getElementById('home').href.endsWith('/repo/index.html')")
        home.click()
        page.wait_for_url(base + "/repo/index.html")
        page.close()
    finally:
        server.shutdown()
        server.server_close()


def test_task_boxes_show_in_both_themes_and_a_done_task_strikes_only_its_own_text(
    build_vault, browser: object
) -> None:
    text = "- [x] done parent\n  - [ ] open child\n- [ ] open parent\n  - [ ] child\n"
    _, site = build_vault({"T.md": text})
    for scheme in ("light", "dark"):
        page = browser.new_page(color_scheme=scheme)  # type: ignore[attr-defined]
        page.goto((site / "t.html").as_uri())
        strike = "el => getComputedStyle(el).textDecorationLine"
        done = page.locator("li#t-done-parent > .task-text")
        child = page.locator("li#t-done-parent li .task-text")
        assert done.evaluate(strike) == "line-through" and child.evaluate(strike) == "none"
        # the open box's edge stands out from the page (a disabled native box did not in
        # the dark theme): a contrast of at least 3:1, as for any control's outline
        box = page.locator("li#t-open-parent > .task-list-item-checkbox")
        border = box.evaluate("el => getComputedStyle(el).borderTopColor")
        page_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert _contrast(border, page_bg) >= 3, (scheme, border, page_bg)
        # the chevron that folds a task with sub-items sits left of its box, apart from it
        fold = page.locator("li#t-open-parent > .mm-fold").bounding_box()
        at = box.bounding_box()
        assert fold["x"] + fold["width"] <= at["x"]
        page.locator("li#t-open-parent > .mm-fold").click()
        assert page.locator("li#t-open-parent li").is_hidden()
        page.close()


def _contrast(one: str, two: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        r, g, b = (int(v) / 255 for v in colour[colour.index("(") + 1 : -1].split(",")[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(one), luminance(two)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
