"""The topic graph in a real browser: graph.html and the local graph of note pages, drawn by
static/graph.js from graph.json, on the demo site served over HTTP (and opened from disk).

Skips when Chromium or Playwright is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from . import conftest as shared

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
SPACED = "people/Spaced Repetition.md"


@pytest.fixture
def errors() -> list[str]:
    return []


def open_page(browser: object, url: str, errors: list[str], **options: object) -> object:
    viewport = {"width": 1280, "height": 800}
    return shared.open_page(browser, url, errors, viewport=viewport, **options)


def drawn(page: object, marker: str = "graphDrawn") -> None:
    page.wait_for_function(f"document.documentElement.dataset.{marker}", timeout=20000)  # type: ignore[attr-defined]
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # type: ignore[attr-defined]


INK = """(sel) => {
  const c = document.querySelector(sel);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const bg = [d[0], d[1], d[2]]; let ink = 0, hash = 0;
  for (let i = 0; i < d.length; i += 4) {
    const off = Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]);
    if (off > 30) ink++;
    hash = (hash * 31 + d[i] + d[i + 1] * 7 + d[i + 2] * 13) | 0;
  }
  return {ink, hash, bg: 'rgb(' + bg.join(', ') + ')'};
}"""


FRAMED = """() => {
  const g = mmGraph[0], m = g.m, v = g.view, xs = [], ys = [];
  for (let i = 0; i < m.n; i++) {
    if (m.on[i]) { xs.push(m.x[i] * v.s + v.tx); ys.push(m.y[i] * v.s + v.ty); }
  }
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return {inside: x0 >= 0 && y0 >= 0 && x1 <= g.w && y1 <= g.h,
          wide: (x1 - x0) / g.w, high: (y1 - y0) / g.h};
}"""


def find_box(page: object, query: str) -> object:
    """The graph's Find box, with `query` typed into it."""
    find = page.get_by_role("combobox", name="Find")  # type: ignore[attr-defined]
    find.fill(query)
    return find


def ink(page: object, selector: str = ".mm-graph canvas") -> dict:
    return page.evaluate(INK, selector)  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_global_graph_draws_in_the_page_colours(
    served: str, browser: object, errors: list[str], scheme: str
) -> None:
    page = open_page(browser, served + "graph.html", errors, color_scheme=scheme)
    drawn(page)
    found = ink(page)
    assert found["ink"] > 5000  # nodes and edges, not an empty canvas
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")  # type: ignore[attr-defined]
    assert found["bg"] == bg  # drawn on the theme's background
    assert "notes," in page.locator(".mm-graph-status").inner_text()  # type: ignore[attr-defined]
    label = page.locator("canvas").get_attribute("aria-label")  # type: ignore[attr-defined]
    assert label.startswith("Graph of ") and "notes" in label
    assert page.locator("nav.mm-nav a[aria-current=page]").inner_text() == "Graph"  # type: ignore[attr-defined]
    assert errors == []


def test_find_a_note_then_click_it(served: str, browser: object, errors: list[str]) -> None:
    page = open_page(browser, served + "graph.html", errors)
    drawn(page)
    find = find_box(page, "spaced rep")
    offered = page.locator(".mm-graph-find datalist option")  # type: ignore[attr-defined]
    assert offered.first.get_attribute("value") == "Spaced Repetition"
    find.press("Enter")
    x, y = page.evaluate(f"mmGraph[0].screenOf({SPACED!r})")  # type: ignore[attr-defined]
    box = page.locator(".mm-graph canvas").bounding_box()  # type: ignore[attr-defined]
    assert abs(x - box["width"] / 2) < 1 and abs(y - box["height"] / 2) < 1  # centred on it
    page.mouse.move(box["x"] + x, box["y"] + y)  # type: ignore[attr-defined]
    tip = page.locator(".mm-graph-tip")  # type: ignore[attr-defined]
    assert tip.is_visible() and tip.inner_text() == "Spaced Repetition"
    page.mouse.click(box["x"] + x, box["y"] + y)  # type: ignore[attr-defined]
    page.wait_for_url("**/people/spaced-repetition.html")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "Spaced Repetition"  # type: ignore[attr-defined]
    assert errors == []


def test_find_offers_the_note_of_that_very_title_first(
    served: str, browser: object, errors: list[str]
) -> None:
    """A topic that starts with a note's title ("Attention heads", in an earlier note) comes
    after the note."""
    page = open_page(browser, served + "graph.html", errors)
    drawn(page)
    find = find_box(page, "attention")
    first = page.locator(".mm-graph-find datalist option").first  # type: ignore[attr-defined]
    assert (first.get_attribute("value"), first.get_attribute("label")) == ("Attention", "note")
    find.press("Enter")
    x, y = page.evaluate("mmGraph[0].screenOf('people/Attention.md')")  # type: ignore[attr-defined]
    box = page.locator(".mm-graph canvas").bounding_box()  # type: ignore[attr-defined]
    assert abs(x - box["width"] / 2) < 1 and abs(y - box["height"] / 2) < 1
    assert errors == []


def test_find_a_missing_note_says_it_has_no_page(
    served: str, browser: object, errors: list[str]
) -> None:
    """A note not written yet is found and centred, but promises no page to open."""
    page = open_page(browser, served + "graph.html", errors)
    drawn(page)
    find = find_box(page, "Metacognition")
    find.press("Enter")
    status = page.locator(".mm-graph-status").inner_text()  # type: ignore[attr-defined]
    assert status == "Metacognition: not written yet, so no page to open."
    assert errors == []


def test_find_says_when_nothing_matches_and_counts_edges_as_edges(
    served: str, browser: object, errors: list[str]
) -> None:
    """A search for a title not in the graph says so (the status kept the last match's
    message); the summary counts edges of every kind as "edges", not as "links", the name
    of one kind among them."""
    page = open_page(browser, served + "graph.html", errors)
    drawn(page)
    status = page.locator(".mm-graph-status")  # type: ignore[attr-defined]
    assert " edges" in status.inner_text() and " links" not in status.inner_text()
    find = find_box(page, "Metacognition")
    find.press("Enter")
    find.fill("zzqx")
    find.press("Enter")
    assert status.inner_text() == "No note or topic shown here has \u201czzqx\u201d in its title."
    assert errors == []


def test_a_key_says_what_each_colour_stands_for(
    served: str, browser: object, errors: list[str]
) -> None:
    """Under the global graph, a key: a swatch and a name per colour (the folders, biggest
    first, or the communities, each named by its most linked note), then tags and missing
    notes; it follows the Colour choice (the graph had no key: found in a walk-through)."""
    page = open_page(browser, served + "graph.html", errors)
    drawn(page)
    key = page.locator(".mm-graph-key li")  # type: ignore[attr-defined]
    names = key.all_inner_texts()
    assert names[:2] == ["machines", "people"] and names[-2:] == ["tags", "missing notes (dimmed)"]
    assert key.locator(".mm-graph-swatch").count() == len(names)
    page.select_option("select[id$=colour]", "community")  # type: ignore[attr-defined]
    sync_api.expect(key.first).to_have_text("around Machine Learning Map")  # (made again)
    assert errors == []


def test_the_tooltip_stays_inside_the_graph(
    served: str, browser: object, errors: list[str]
) -> None:
    """Near the frame's right or bottom edge the tooltip flips to the side with room (the
    frame clips what overflows it)."""
    page = open_page(browser, served + "graph.html", errors)
    drawn(page)
    frame = page.locator(".mm-graph canvas").bounding_box()  # type: ignore[attr-defined]
    tip = page.locator(".mm-graph-tip")  # type: ignore[attr-defined]
    longest = "(() => { var g = mmGraph[0], t = g.g.title, b = 0; for (var i = 0; i < g.m.n; i++)"
    longest += " if (t[g.m.gi[i]].length > t[g.m.gi[b]].length) b = i; return b; })()"
    node = page.evaluate(longest)  # type: ignore[attr-defined]
    for corner in ("[2, 2]", "[g.w - 2, 2]", "[2, g.h - 2]", "[g.w - 2, g.h - 2]"):
        # a short title first, near the edge, then the longest one at the same place
        page.evaluate(f"(() => {{ var g = mmGraph[0]; g.tooltip(0, {corner}); }})()")  # type: ignore[attr-defined]
        page.evaluate(f"(() => {{ var g = mmGraph[0]; g.tooltip({node}, {corner}); }})()")  # type: ignore[attr-defined]
        box = tip.bounding_box()
        assert box["x"] >= frame["x"] and box["y"] >= frame["y"], corner
        assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5, corner
        assert box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.5, corner
    assert errors == []


def test_two_fingers_pinch_to_zoom(served: str, browser: object, errors: list[str]) -> None:
    """On a touch screen two fingers zoom about their middle (and lifting them opens
    nothing); the local graph leaves vertical swipes to the page."""
    page = open_page(browser, served + "graph.html", errors)
    drawn(page)
    before = page.evaluate("mmGraph[0].view.s")  # type: ignore[attr-defined]
    page.evaluate(  # type: ignore[attr-defined]
        """(() => {
        var c = document.querySelector(".mm-graph canvas"), b = c.getBoundingClientRect();
        var cx = b.left + b.width / 2, cy = b.top + b.height / 2;
        function send(type, id, x) {
          c.dispatchEvent(new PointerEvent(type, { pointerId: id, pointerType: "touch",
            clientX: cx + x, clientY: cy, bubbles: true, isPrimary: id === 1 }));
        }
        send("pointerdown", 1, -40); send("pointerdown", 2, 40);
        send("pointermove", 1, -80); send("pointermove", 2, 80);
        send("pointerup", 1, -80); send("pointerup", 2, 80);
      })()"""
    )
    after = page.evaluate("mmGraph[0].view.s")  # type: ignore[attr-defined]
    assert 1.9 < after / before < 2.1
    assert page.url.endswith("graph.html")  # type: ignore[attr-defined]
    note = open_page(browser, served + "people/memory.html", errors)
    note.locator("details.mm-graph summary").click()  # type: ignore[attr-defined]
    canvas = note.locator(".mm-localgraph canvas")  # type: ignore[attr-defined]
    assert canvas.evaluate("c => getComputedStyle(c).touchAction") == "pan-y"
    assert errors == []


def test_toggles_and_zoom_change_what_is_drawn(
    served: str, browser: object, errors: list[str]
) -> None:
    page = open_page(browser, served + "graph.html", errors)
    drawn(page)
    status = page.locator(".mm-graph-status")  # type: ignore[attr-defined]
    assert " 0 tags" not in status.inner_text()
    before = ink(page)
    page.get_by_role("group", name="Show").get_by_label("Tags").uncheck()  # type: ignore[attr-defined]
    page.get_by_role("group", name="Show").get_by_label("Topics").uncheck()  # type: ignore[attr-defined]
    drawn(page)
    after = ink(page)
    assert ", 0 topics, 0 tags," in status.inner_text()
    assert after["hash"] != before["hash"]
    # the view was fitted to the notes left: they span the canvas, none is outside it
    box = page.evaluate(FRAMED)  # type: ignore[attr-defined]
    assert box["inside"] and max(box["wide"], box["high"]) > 0.6
    page.get_by_role("group", name="Edges").get_by_label("Links").uncheck()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Zoom in").click()  # type: ignore[attr-defined]
    drawn(page)
    assert ink(page)["hash"] != after["hash"]
    page.get_by_label("Colour").select_option("community")  # type: ignore[attr-defined]
    page.get_by_label("Size").select_option("rank")  # type: ignore[attr-defined]
    assert errors == []


def test_the_local_graph_loads_when_opened_and_depth_2_shows_more(
    served: str, browser: object, errors: list[str]
) -> None:
    requests: list[str] = []
    page = browser.new_page()  # type: ignore[attr-defined]
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served + "people/spaced-repetition.html")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if u.endswith("graph.json")]  # not fetched before it is opened
    page.locator(".mm-localgraph summary").click()
    drawn(page, "localGraphDrawn")
    assert [u for u in requests if u.endswith("graph.json")]
    assert ink(page, ".mm-localgraph canvas")["ink"] > 500
    neighbours = page.locator(".mm-graph-alt a")
    names = neighbours.all_inner_texts()
    assert "Forgetting Curve" in names and "A Garden of Learning" in names
    one = page.evaluate("mmGraph[0].m.n")
    page.get_by_label("Depth", exact=True).select_option("2")
    two = page.evaluate("mmGraph[0].m.n")
    assert two > one > len(names) // 2
    label = page.locator(".mm-localgraph canvas").get_attribute("aria-label")
    assert label.startswith("Local graph of Spaced Repetition to depth 2")
    shared.reload_remembering(page)  # opened once: open on the next page too, drawn in view
    assert page.locator(".mm-localgraph details").get_attribute("open") is not None
    page.locator(".mm-localgraph").scroll_into_view_if_needed()
    drawn(page, "localGraphDrawn")
    assert errors == []


@pytest.mark.parametrize("path", ["graph.html", "people/spaced-repetition.html"])
def test_from_disk_the_graph_says_it_needs_a_server(
    site: Path, browser: object, errors: list[str], path: str
) -> None:
    page = open_page(browser, (site / path).as_uri(), errors)
    if "people" in path:
        page.locator(".mm-localgraph summary").click()  # type: ignore[attr-defined]
    status = page.locator(".mm-graph-status")  # type: ignore[attr-defined]
    status.filter(has_text="web server").wait_for()
    assert "mindmap serve" in status.inner_text()
    assert page.locator(".mm-graph canvas").count() == 0  # type: ignore[attr-defined]
    assert errors == []
