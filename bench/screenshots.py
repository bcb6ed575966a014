"""Every screenshot in the README: `python bench/screenshots.py` after `mindmap build`.

Serves site/ over HTTP on a free port (the graph, search and hover previews need a server)
and writes docs/screenshots/*.png: note pages light and dark, backlinks, a hover preview,
the explorer, a phone, the mind-map view, the topic graph (global and local) and search.
Needs Playwright (`pip install playwright`) and Debian's Chromium (`apt-get install chromium`).
"""

import http.server
import shutil
import threading
from functools import partial
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
site = ROOT / "site"
out = ROOT / "docs" / "screenshots"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
threading.Thread(target=server.serve_forever, daemon=True).start()
served = f"http://127.0.0.1:{server.server_address[1]}/"
errors: list[str] = []

with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path=shutil.which("chromium"),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )

    def new_page(scheme: str = "light", width: int = 1280, height: int = 900) -> Page:
        page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        return page

    for scheme in ("light", "dark"):
        page = new_page(scheme)
        page.goto(served + "people/memory.html")
        page.screenshot(path=str(out / f"note-{scheme}.png"))
        page.close()

    page = new_page()
    page.goto(served + "people/retrieval-practice.html")
    box = page.locator(".mm-backlinks").bounding_box()
    page.set_viewport_size({"width": 1280, "height": int(box["y"] + 1000)})
    page.screenshot(
        path=str(out / "backlinks-light.png"),
        clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": 960},
    )
    page.close()

    page = new_page(height=720)  # a hover preview of a link to a heading
    page.goto(served + "machines/memory.html")
    page.locator(".mm-body a.internal[href*='transformers.html#']").first.hover()
    page.locator(".mm-preview").wait_for()
    page.screenshot(path=str(out / "preview-light.png"))
    page.close()

    page = new_page("dark", height=720)  # the explorer, opened on a note
    page.goto(served + "machines/memory.html")
    page.get_by_role("button", name="Explorer").click()
    page.get_by_role("navigation", name="Explorer").wait_for()
    page.screenshot(path=str(out / "explorer-dark.png"))
    page.close()

    page = new_page("dark", width=390, height=844)  # a phone
    page.goto(served + "people/memory.html")
    page.screenshot(path=str(out / "phone-dark.png"))
    page.close()

    for scheme in ("light", "dark"):  # the mind-map view of an outline note
        page = new_page(scheme, height=820)
        page.goto(served + "machines/machine-learning-map.html")
        box = page.locator("details.mm-mindview").bounding_box()
        page.evaluate(f"window.scrollTo(0, {box['y'] - 16})")
        page.screenshot(path=str(out / f"mindmap-{scheme}.png"))
        page.close()

    for scheme in ("light", "dark"):  # the global graph
        page = new_page(scheme, height=800)
        page.goto(served + "graph.html")
        page.wait_for_function("document.documentElement.dataset.graphDrawn")
        page.screenshot(path=str(out / f"graph-{scheme}.png"))
        page.close()

    page = new_page(width=760, height=640)  # a local graph, opened
    page.goto(served + "people/spaced-repetition.html")
    page.locator(".mm-localgraph summary").click()
    page.wait_for_function("document.documentElement.dataset.localGraphDrawn")
    page.locator(".mm-localgraph").evaluate("e => e.scrollIntoView()")
    page.wait_for_timeout(200)
    page.screenshot(path=str(out / "local-graph-light.png"))
    page.close()

    for name, scheme, width in (("light", "light", 1280), ("dark", "dark", 1280),
                                ("phone", "light", 390)):  # fmt: skip
        page = new_page(scheme, width=width, height=800)
        page.goto(served + "people/memory.html")
        page.keyboard.press("/")
        page.keyboard.type("forgetting curve")
        page.wait_for_selector(".mm-search-result >> nth=3")
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / f"search-{name}.png"))
        page.close()
    browser.close()
server.shutdown()
print("ok" if not errors else f"console errors: {errors}")
