"""Screenshots of the mind-map view for the README: `python bench/mindview_screenshots.py`
after `mindmap build` (the demo site in `site/`). Writes docs/screenshots/mindmap-light.png
and mindmap-dark.png (1280 px), and prints where a 390 px phone shot went (not committed).

Needs Playwright (`pip install playwright`) and Debian's Chromium (`apt-get install chromium`).
"""

import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
site = ROOT / "site"
out = ROOT / "docs" / "screenshots"
phone = Path(tempfile.gettempdir()) / "mindmap-phone.png"
with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path=shutil.which("chromium"),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    shots = [("light", 1280, out / "mindmap-light.png"), ("dark", 1280, out / "mindmap-dark.png")]
    for scheme, width, path in [*shots, ("light", 390, phone)]:
        page = browser.new_page(viewport={"width": width, "height": 820}, color_scheme=scheme)
        page.goto((site / "machines/machine-learning-map.html").as_uri())
        box = page.locator("details.mm-mindview").bounding_box()
        page.evaluate(f"window.scrollTo(0, {box['y'] - 16})")
        page.screenshot(path=str(path))
        page.close()
    browser.close()
print("ok; phone shot:", phone)
