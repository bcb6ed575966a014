"""axe-core (npm, injected into Chromium) on the demo site: no serious or critical violation,
in the light and the dark theme, on every kind of page.

axe-core is installed with npm into `.test-deps/` on first use (the test skips when npm is
missing; `.ci/run` has it). Chromium as in test_browser.py.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
AXE_VERSION = "4.14.1"
DEPS = ROOT / ".test-deps"
AXE = DEPS / "node_modules" / "axe-core" / "axe.min.js"
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")

# One page of each kind (and the pages other features add, once they exist).
PAGES = [
    "index.html",
    "people/memory.html",  # a note: outline, callouts, math, backlinks, related notes
    "machines/transformers.html",  # code, tables, a table of contents
    "tags/memory.html",
    "tags/index.html",
    "notes.html",
    "machines/index.html",
    "graph.html",
    "search.html",
    "404.html",
]


@pytest.fixture(scope="module")
def axe() -> str:
    if not AXE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot install axe-core")
        command = [npm, "install", "--prefix", str(DEPS), "--no-save", "--no-audit", "--no-fund"]
        subprocess.run([*command, f"axe-core@{AXE_VERSION}"], check=True, capture_output=True)
    return AXE.read_text(encoding="utf-8")


def violations(page: object, axe: str) -> list[str]:
    page.add_script_tag(content=axe)  # type: ignore[attr-defined]
    found = page.evaluate(  # type: ignore[attr-defined]
        """async () => (await axe.run(document)).violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target).join(" | ")}`)"""
    )
    return list(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violations(served: str, browser: object, axe: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
    page = context.new_page()
    found = {}
    for url in PAGES:
        page.goto(served + url)
        if url == "graph.html":  # its controls are made once graph.json is in
            page.wait_for_function("document.documentElement.dataset.graphDrawn")
        page.wait_for_timeout(100)  # the deferred scripts (toggles, anchors) have run
        if v := violations(page, axe):
            found[url] = v
    context.close()
    assert found == {}


def test_no_serious_violations_in_the_explorer(site: Path, browser: object, axe: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto((site / "people" / "memory.html").as_uri())
    page.get_by_role("button", name="Explorer").click()
    page.get_by_role("navigation", name="Explorer").wait_for()
    assert violations(page, axe) == []
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violations_in_search_results_and_the_local_graph(
    served: str, browser: object, axe: str, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(served + "people/memory.html")
    page.keyboard.press("/")
    page.keyboard.type("memory")
    page.locator(".mm-search-result").first.wait_for()
    assert violations(page, axe) == []
    page.keyboard.press("Escape")
    page.locator(".mm-localgraph summary").click()
    page.wait_for_function("document.documentElement.dataset.localGraphDrawn")
    assert violations(page, axe) == []
    context.close()


def test_keyboard_reaches_every_control_visibly(site: Path, browser: object) -> None:
    """Tab walks the header, the mind map's links and knobs, the outline's toolbar and
    toggles; each focused element shows an outline or a box shadow (a knob of the mind map,
    a circle, a thick ring: an outline round it hardly showed)."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto((site / "people" / "memory.html").as_uri())
    seen: list[list[object]] = []
    while len(seen) < 120 and "Expand all" not in [name for name, _visible in seen]:
        page.keyboard.press("Tab")
        seen.append(
            page.evaluate(
                """() => { const e = document.activeElement, s = getComputedStyle(e);
                return [e.textContent.trim().slice(0, 20),
                        s.outlineStyle !== "none" || s.boxShadow !== "none" ||
                        (e.tagName === "circle" && parseFloat(s.strokeWidth) >= 3)]; }"""
            )
        )
    names = [name for name, _visible in seen]
    assert "Skip to main content" in names and "Explorer" in " ".join(names)
    assert "Expand all" in names
    assert all(visible for _name, visible in seen), seen
    page.close()
