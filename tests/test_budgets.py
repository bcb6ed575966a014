"""The weight budgets of issue 4, on the demo vault: a median note page's HTML at most 15 KB,
all our JavaScript and CSS together at most 150 KB (shared files, cached across pages), and
no request that leaves the site. bench/weight.py prints the same numbers for any vault."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from mindmap.build import build_site
from mindmap.config import load_config

ROOT = Path(__file__).resolve().parents[1]
NOTE_PAGE_KB = 15
JS_CSS_KB = 150
ASSET = re.compile(r'<(?:script|link|img|audio|video|source|iframe)\b[^>]*\b(?:src|href)="([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("weight") / "site"
    build_site(ROOT / "notes", out, load_config(ROOT / "mindmap.yml"), jobs=1)
    return out


def note_pages(site: Path) -> list[Path]:
    return [
        p
        for p in site.rglob("*.html")
        if 'class="mm-kind-note"' in p.read_text(encoding="utf-8")
        or 'class="mm-kind-home"' in p.read_text(encoding="utf-8")
    ]


def test_median_note_page_is_light(site: Path) -> None:
    sizes = [p.stat().st_size for p in note_pages(site)]
    assert len(sizes) > 30
    assert statistics.median(sizes) <= NOTE_PAGE_KB * 1024, statistics.median(sizes)


def test_all_javascript_and_css_fit_the_budget(site: Path) -> None:
    shipped = [p for p in (site / "static").rglob("*") if p.suffix in (".js", ".css")]
    total = sum(p.stat().st_size for p in shipped)
    assert len(shipped) >= 4
    assert total <= JS_CSS_KB * 1024, {p.name: p.stat().st_size for p in shipped}


def test_pages_load_only_the_shared_files(site: Path) -> None:
    """Every script and stylesheet a page loads is a shared static file: no inline bundles
    (but the one-line theme script in <head>), and nothing from another host. 404.html is
    self-contained on purpose (it is served at any depth)."""
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for url in ASSET.findall(html):
            assert not re.match(r"(?i)(https?:)?//", url), (page, url)
        if page.name == "404.html":
            continue
        inline = re.findall(r"<script>(.*?)</script>", html, re.S)
        assert all(len(s) < 400 for s in inline), page
        assert "<style" not in html, page
