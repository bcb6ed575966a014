"""Screenshots of the demo site for the README: `python bench/screenshots.py` after `mindmap build`.

Needs Playwright (`pip install playwright`) and Debian's Chromium (`apt-get install chromium`).
Serves site/ over HTTP on a free port for the shots that need it (hover previews).
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


handler = partial(Quiet, directory=str(site))
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
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
        page.goto((site / "people/memory.html").as_uri())
        page.screenshot(path=str(out / f"note-{scheme}.png"))
        page.close()
    page = new_page()
    page.goto((site / "people/retrieval-practice.html").as_uri())
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
    page.goto((site / "machines/memory.html").as_uri())
    page.get_by_role("button", name="Explorer").click()
    page.get_by_role("navigation", name="Explorer").wait_for()
    page.screenshot(path=str(out / "explorer-dark.png"))
    page.close()

    page = new_page("dark", width=390, height=844)  # a phone
    page.goto((site / "people/memory.html").as_uri())
    page.screenshot(path=str(out / "phone-dark.png"))
    page.close()
    browser.close()
server.shutdown()
print("ok" if not errors else f"console errors: {errors}")
