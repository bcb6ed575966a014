#!/usr/bin/env python3
"""Benchmark search: indexing time, index size, and what a browser fetches for a query.

Usage (from the repository root, after `pip install -e '.[test]'`; needs Debian's chromium):

    python bench/search_bench.py                       # the 1,000-note reference vault
    python bench/search_bench.py --notes 1000 10000 --corpus   # also 10,000 notes, flancian

For each vault (a generated one is made in bench/out/ by `--shared`'s bench/gen_vault.py):
builds the site (with `build_site`, its search index too), then makes the index's entries
as the build does (`Builder._index`: `search.entry` of every published note, the vault
scanned, parsed and planned again) and times the index alone, with Python's cycle
collector paused as during a build:

- making its files in memory (`search.index_files`);
- making and writing them (`SearchIndex(site, None).want(entries, now=True)`) into an empty
  `search-index/` (the build's index is deleted first: unchanged files are not written).

It checks that the files are the ones the build wrote, and prints the index's size on disk
and its files: `index.json` (the chunks' first terms), the term chunks (`t-<hash>.json`)
and the page tables (`p<k>.json`). Then it serves the site over HTTP to headless Chromium,
which opens the search dialog on a note page and runs two queries, one after the other (a
common word of the notes, then a rarer one; each from an empty box). For the opening and
for each query it prints the requests and bytes fetched (the Content-Length sent), split
into the index's files (`search-index/`: `index.json` on opening; for a query, the term
chunks of its words and the page tables of the results shown, each kind with its largest)
and the note pages fetched to cut the results' excerpts from (the site's other `.html`
requests); then any other request, and the page's console errors and failed requests.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mindmap.build import build_site
from mindmap.config import Config
from mindmap.pipeline import plan_site
from mindmap.search import (
    META,
    SEARCH_DIR,
    Entry,
    SearchIndex,
    entry,
    index_files,
    listing,
    remove_index,
)
from mindmap.vault import parse_notes, scan

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
OUT = ROOT / "bench" / "out"
BODY = b"data-search-body"  # what marks a note page (the part searched)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Fetched:
    """What the browser fetched in one step: (requests, bytes) of each kind, and errors."""

    index: list[tuple[str, int]] = field(default_factory=list)  # search-index/: (name, size)
    pages: list[int] = field(default_factory=list)  # note pages (.html) for excerpts
    other: list[str] = field(default_factory=list)  # any other url
    errors: list[str] = field(default_factory=list)  # console errors, failed requests

    def line(self) -> str:
        sizes = [size for _name, size in self.index]
        text = f"index {len(sizes)} requests, {_kb(sum(sizes))}"
        kinds = (("t-", "term chunk"), ("p", "page table"))
        parts = [
            f"{len(mine)} {what}{'s' if len(mine) > 1 else ''} {_kb(sum(mine))}"
            + (f" (largest {_kb(max(mine))})" if len(mine) > 1 else "")
            for start, what in kinds
            if (mine := [size for name, size in self.index if name.startswith(start)])
        ]
        if parts:
            text += f" ({', '.join(parts)})"
        text += f"; note pages {len(self.pages)} requests, {_kb(sum(self.pages))}"
        if self.other:
            text += f"; other: {', '.join(self.other)}"
        if self.errors:
            text += f"; ERRORS: {' | '.join(self.errors)}"
        return text


def _kb(size: int) -> str:
    return f"{size / 1024:.0f} KB"


def queries(site: Path) -> tuple[str, str]:
    """Two words of the site's notes: one common, one rare (deterministic)."""
    words: Counter[str] = Counter()
    for page in _note_pages(site)[:400]:
        text = page.read_text(encoding="utf-8", errors="replace")
        body = text.split('class="mm-body', 1)[-1].split("</article>", 1)[0]
        words.update(re.findall(r"\b[a-z]{6,12}\b", re.sub(r"<[^>]+>", " ", body)))
    ranked = [w for w, _n in words.most_common()]
    return ranked[len(ranked) // 50], ranked[len(ranked) // 2]


def browse(site: Path, page_url: str, terms: tuple[str, str]) -> list[tuple[str, Fetched]]:
    """What the browser fetches when opening search on `page_url`, then for each query."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(Quiet, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    step = Fetched()
    seen: list[str] = []  # every request finished or failed, to wait for quiet
    rows: list[tuple[str, Fetched]] = []

    def finished(request: Any) -> None:
        seen.append(request.url)
        url, size = request.url, _size(request)
        if url.startswith(base + SEARCH_DIR + "/"):
            step.index.append((url.removeprefix(base + SEARCH_DIR + "/"), size))
        elif url.startswith(base) and url.split("#")[0].split("?")[0].endswith(".html"):
            step.pages.append(size)
        else:
            step.other.append(f"{url.removeprefix(base)} ({size / 1024:.0f} KB)")

    def failed(request: Any) -> None:
        seen.append(request.url)
        step.errors.append(f"failed {request.url.removeprefix(base)}: {request.failure}")

    with sync_playwright() as p:
        args = ["--no-sandbox", "--disable-gpu"]
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        page = browser.new_page()
        page.on("requestfinished", finished)
        page.on("requestfailed", failed)
        page.on("console", lambda m: step.errors.extend([m.text] if m.type == "error" else []))
        page.on("pageerror", lambda e: step.errors.append(str(e)))
        page.goto(base + page_url)
        _quiet(page, seen)
        step = Fetched(errors=step.errors)  # the page's own errors are told with the opening
        page.keyboard.press("/")
        page.wait_for_selector("#mm-search-q")
        _quiet(page, seen)  # index.json loads on opening
        rows.append(("open search", step))
        box = page.locator("#mm-search-q")
        for term in terms:
            box.fill("")  # an empty query shows no result at once
            page.wait_for_selector(".mm-search-result", state="detached")
            step = Fetched()
            box.fill(term)
            page.wait_for_selector(".mm-search-result", timeout=60_000)
            _quiet(page, seen)  # the chunks, the page tables, the note pages
            shown = page.locator(".mm-search-result").count()
            status = page.locator(".mm-search-status").first.text_content() or ""
            rows.append((f"query {term!r} ({status.strip() or f'{shown} shown'})", step))
        browser.close()
    httpd.shutdown()
    return rows


def _size(request: Any) -> int:
    """Bytes of the response body as sent (the file server sends Content-Length)."""
    response = request.response()
    length = response.header_value("content-length") if response else None
    return int(length) if length else 0


def _quiet(page: Any, seen: list[str], seconds: float = 1.0) -> None:
    """Wait until no request has ended for `seconds` (events arrive while Playwright waits,
    not during time.sleep)."""
    count, still = -1, 0.0
    while still < seconds:
        page.wait_for_timeout(100)
        still = still + 0.1 if len(seen) == count else 0.0
        count = len(seen)


def entries_of(vault: Path, config: Config) -> list[Entry]:
    """The index's entries, as `Builder._index` makes them: of every published note."""
    found = scan(vault, config.ignore)
    notes = parse_notes(found.notes, config.strict_line_breaks)
    plan, _diagnostics = plan_site(notes, found.assets, config, found.hidden)
    return [entry(plan.notes[p], plan.urls[p]) for p in plan.notes]


def bench(name: str, vault: Path) -> None:
    site = OUT / ("search-" + re.sub(r"\W+", "-", name))
    shutil.rmtree(site, ignore_errors=True)
    config = Config()
    start = time.perf_counter()
    result = build_site(vault, site, config, jobs=0)  # with its index
    built = time.perf_counter() - start
    by_build = {url: path.read_bytes() for url, path in listing(site).items()}
    entries = entries_of(vault, config)

    gc.collect()
    gc.disable()  # as during a build (Builder.build)
    try:
        start = time.perf_counter()  # the index alone: its files, in memory
        files = index_files(entries)
        made = time.perf_counter() - start
        remove_index(site)  # written again, every file
        start = time.perf_counter()
        problems = SearchIndex(site, None).want(entries, now=True)
        written = time.perf_counter() - start
    finally:
        gc.enable()

    on_disk = listing(site)
    mine = {f"{SEARCH_DIR}/{n}": data for n, data in files.items()}
    if problems or mine != by_build or set(on_disk) != set(mine):
        print(f"{name}: WARNING: the index differs from the build's ({problems})")
    size = sum(p.stat().st_size for p in on_disk.values())
    chunks = sum(1 for u in on_disk if u.startswith(f"{SEARCH_DIR}/t-"))
    tables = sum(1 for u in on_disk if re.fullmatch(rf"{SEARCH_DIR}/p\d+\.json", u))
    meta = (site / META).stat().st_size
    terms = sum(len(json.loads(p.read_bytes())) for u, p in on_disk.items() if "/t-" in u)
    print(
        f"{name}: {result.notes} notes, built in {built:.1f} s; index of {len(entries)} "
        f"pages, {terms:,} terms: made in {made:.2f} s (index_files), made and written in "
        f"{written:.2f} s (SearchIndex.want, into an empty folder)"
    )
    print(
        f"  index on disk: {size / 1e6:.2f} MB in {len(on_disk)} files: index.json "
        f"{meta / 1024:.0f} KB, {chunks} term chunks, {tables} page tables"
    )
    page_url = _a_note_page(site)
    common_rare = queries(site)
    print(f"  in Chromium, on {page_url}:")
    for what, fetched in browse(site, page_url, common_rare):
        print(f"  {what}: {fetched.line()}")


def _note_pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html")) if BODY in p.read_bytes()]


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
