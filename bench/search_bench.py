#!/usr/bin/env python3
"""Benchmark search: indexing time, index size, and what a browser fetches for a query.

Usage (from the repository root, after `pip install -e '.[test]'`; needs Debian's chromium):

    python bench/search_bench.py                       # the 1,000-note reference vault
    python bench/search_bench.py --notes 1000 10000 --corpus   # also 10,000 notes, flancian

For each vault: builds the site, then times Pagefind indexing it again, every shard (the
step that `build` runs after writing and `serve` runs when idle, there for the shards whose
pages changed), prints the index's size on disk, and serves the site over HTTP to headless
Chromium, which opens the search dialog on a note page and runs two queries, one after the
other: the bytes fetched from pagefind/ for the opening (the list of shards, Pagefind's
script and WebAssembly, every shard's metadata), for the first query and for the second
(each shard's chunks for the query's words, and a fragment a result shown).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mindmap.build import build_site
from mindmap.config import Config
from mindmap.search import SHARDS, SearchIndex, listing

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
OUT = ROOT / "bench" / "out"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def queries(site: Path) -> tuple[str, str]:
    """Two words of the site's notes: one common, one rare (deterministic)."""
    words: Counter[str] = Counter()
    for page in sorted(site.rglob("*.html"))[:400]:
        text = page.read_text(encoding="utf-8", errors="replace")
        body = text.split('class="mm-body', 1)[-1].split("</article>", 1)[0]
        words.update(re.findall(r"\b[a-z]{6,12}\b", re.sub(r"<[^>]+>", " ", body)))
    ranked = [w for w, _n in words.most_common()]
    return ranked[len(ranked) // 50], ranked[len(ranked) // 2]


def browse(site: Path, page_url: str, terms: tuple[str, str]) -> list[tuple[str, int, int]]:
    """(what, requests, bytes) fetched from pagefind/ when opening search and per query."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(Quiet, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    fetched: list[tuple[str, int]] = []
    rows = []
    with sync_playwright() as p:
        args = ["--no-sandbox", "--disable-gpu"]
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        page = browser.new_page()
        page.on("requestfinished", lambda r: fetched.append((r.url, _size(r))))
        page.goto(base + page_url)
        fetched.clear()
        page.keyboard.press("/")
        page.wait_for_selector("#mm-search-q")
        _quiet(page, fetched)  # Pagefind's script, WebAssembly and metadata load on opening
        rows.append(("open search", *_sum(fetched, base)))
        for term in terms:
            fetched.clear()
            page.locator("#mm-search-q").fill(term)
            page.wait_for_selector(".mm-search-result")
            _quiet(page, fetched)  # the excerpts' fragments
            count = page.locator(".mm-search-result").count()
            rows.append((f"query {term!r} ({count} shown)", *_sum(fetched, base)))
        browser.close()
    httpd.shutdown()
    return rows


def _size(request: Any) -> int:
    """Bytes of the response body as sent (the file server sends Content-Length)."""
    response = request.response()
    length = response.header_value("content-length") if response else None
    return int(length) if length else 0


def _quiet(page: Any, fetched: list[tuple[str, int]], seconds: float = 1.0) -> None:
    """Wait until no request has finished for `seconds` (events arrive while Playwright
    waits, not during time.sleep)."""
    seen, still = -1, 0.0
    while still < seconds:
        page.wait_for_timeout(100)
        still = still + 0.1 if len(fetched) == seen else 0.0
        seen = len(fetched)


def _sum(fetched: list[tuple[str, int]], base: str) -> tuple[int, int]:
    mine = [size for url, size in fetched if url.startswith(base + "pagefind/")]
    return len(mine), sum(mine)


def bench(name: str, vault: Path) -> None:
    site = OUT / ("search-" + re.sub(r"\W+", "-", name))
    shutil.rmtree(site, ignore_errors=True)
    result = build_site(vault, site, Config(), jobs=0)  # with its index
    pages = {p.relative_to(site).as_posix(): "" for p in _note_pages(site)}
    start = time.perf_counter()  # the indexing alone, again, every shard
    SearchIndex(site, None).want(pages, now=True)
    seconds = time.perf_counter() - start
    files = listing(site)
    size = sum(p.stat().st_size for p in files.values())
    chunks = sum(1 for u in files if u.endswith(".pf_index"))
    fragments = sum(1 for u in files if u.endswith(".pf_fragment"))
    shards = len(json.loads((site / SHARDS).read_bytes())["shards"])
    print(
        f"{name}: {result.notes} notes: indexed in {seconds:.2f} s ({shards} shards); index "
        f"{size / 1e6:.1f} MB in {len(files)} files ({chunks} index chunks, {fragments} page "
        "fragments)"
    )
    page_url = _a_note_page(site)
    terms = queries(site)
    for what, requests, size in browse(site, page_url, terms):
        print(f"  {what}: {requests} requests, {size / 1024:.0f} KB")


def _note_pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html")) if b"data-pagefind-body" in p.read_bytes()]


def _a_note_page(site: Path) -> str:
    for page in _note_pages(site)[:1]:
        return page.relative_to(site).as_posix()
    raise SystemExit("no note page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--notes", type=int, nargs="*", default=[1000])
    parser.add_argument("--corpus", action="store_true", help="also flancian-garden")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for n in args.notes:
        vault = OUT / f"vault-{n}"
        if not vault.exists():
            gen = [sys.executable, str(args.shared / "bench" / "gen_vault.py"), str(n), str(vault)]
            subprocess.run([*gen, "1"], check=True, stdout=subprocess.DEVNULL)
        bench(f"{n} generated notes", vault)
    if args.corpus:
        bench("flancian-garden", args.shared / "corpora" / "flancian-garden")


if __name__ == "__main__":
    main()
