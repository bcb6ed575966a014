#!/usr/bin/env python3
"""What a reader downloads: page weight of built sites (issue 4's budgets).

Usage (from the repository root, after `pip install -e .`):

    python bench/weight.py              # the demo vault (notes/)
    python bench/weight.py --corpus     # also the real corpora in ../shared/corpora

Builds each vault into bench/out/weight-<name>/ and prints: the number of note pages, the
median, 90th percentile and largest note page (HTML only; budget: median at most 15 KB),
every shared JavaScript and CSS file and their total (budget: at most 150 KB), and the data
files a page loads only when asked (graph, explorer, search index).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from mindmap.search import SEARCH_DIR, listing

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CORPORA = ROOT.parent / "shared" / "corpora"
NOTE_KINDS = (b'class="mm-kind-note"', b'class="mm-kind-home"')


def build(vault: Path, out: Path) -> None:
    command = [sys.executable, "-m", "mindmap", "build", str(vault), "-o", str(out), "-q"]
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)


def kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB"


def report(name: str, site: Path) -> None:
    sizes = sorted(
        p.stat().st_size
        for p in site.rglob("*.html")
        if any(k in p.read_bytes() for k in NOTE_KINDS)
    )
    print(f"\n{name}: {len(sizes)} note pages")
    if sizes:
        p90 = sizes[int(0.9 * (len(sizes) - 1))]
        median = statistics.median(sizes)
        print(f"  note page HTML: median {kb(median)}, p90 {kb(p90)}, max {kb(sizes[-1])}")
    shared = sorted(p for p in (site / "static").rglob("*") if p.suffix in (".js", ".css"))
    for p in shared:
        print(f"  {p.relative_to(site)}: {kb(p.stat().st_size)}")
    print(f"  all shared JS + CSS: {kb(sum(p.stat().st_size for p in shared))} (budget 150 KB)")
    for extra in ("graph.json", "explorer-data.js"):
        if (site / extra).is_file():
            print(f"  {extra} (loaded on demand): {kb((site / extra).stat().st_size)}")
    index = listing(site)  # the index's files (not a vault's pages in a folder so named)
    if index:
        total = sum(p.stat().st_size for p in index.values())
        print(
            f"  {SEARCH_DIR}/ (fetched in chunks while searching): {kb(total)} "
            f"in {len(index)} files"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", action="store_true", help="also the real corpora")
    args = parser.parse_args()
    vaults = [("demo", ROOT / "notes")]
    if args.corpus and CORPORA.is_dir():
        vaults += [
            (p.name, p) for p in sorted(CORPORA.iterdir()) if p.is_dir() and p.name[0] != "_"
        ]
    for name, vault in vaults:
        out = OUT / f"weight-{name}"
        build(vault, out)
        report(name, out)


if __name__ == "__main__":
    main()
