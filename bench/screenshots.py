"""Screenshots of the demo site for the README: `python bench/screenshots.py` after `mindmap build`.

Needs Playwright (`pip install playwright`) and Debian's Chromium (`apt-get install chromium`).
"""

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
site = ROOT / "site"
out = ROOT / "docs" / "screenshots"
with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path=shutil.which("chromium"),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    for scheme in ("light", "dark"):
        page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page.goto((site / "people/memory.html").as_uri())
        page.screenshot(path=str(out / f"note-{scheme}.png"))
        page.close()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page.goto((site / "people/retrieval-practice.html").as_uri())
    box = page.locator(".mm-backlinks").bounding_box()
    page.set_viewport_size({"width": 1280, "height": int(box["y"] + 1000)})
    page.screenshot(
        path=str(out / "backlinks-light.png"),
        clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": 960},
    )
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser.close()
print("ok")
