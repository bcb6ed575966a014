"""How fast the topic graph is made and drawn: layout time at build, graph.json's size, time
to the first complete draw of graph.html in headless Chromium, and frame times while panning
and zooming.

    python bench/graph_bench.py                # flancian-garden (../shared/corpora)
    python bench/graph_bench.py --vault notes  # another vault
    python bench/graph_bench.py --reuse        # keep the site built by an earlier run

Builds the vault (unless --reuse finds the site), times a from-scratch layout of its
graph.json, serves the site with Python's http.server in a thread and opens graph.html
in Debian's Chromium (`chromium`) through Playwright, --rounds times.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from mindmap.layout import LayoutMemo, layout_json

ROOT = Path(__file__).resolve().parents[1]
FLANCIAN = ROOT.parent / "shared" / "corpora" / "flancian-garden"

# In the page: pan and zoom as a reader does, timing each redraw (what a frame costs).
SCRIPT = """async () => {
  const g = mmGraph[0], times = [];
  const frame = () => new Promise(r => requestAnimationFrame(r));
  for (let n = 0; n < 60; n++) {
    if (n % 20 < 10) { g.view.tx += 25; g.view.ty -= 10; } else g.zoomBy(n % 2 ? 1.25 : 0.85);
    const t = performance.now();
    g.draw();
    times.push(performance.now() - t);
    await frame();
  }
  return times;
}"""


def build(vault: Path, out: Path) -> float:
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "mindmap", "build", str(vault), "-o", str(out), "-q", "--clean"]
    out.mkdir(parents=True, exist_ok=True)  # run beside it: no mindmap.yml of this folder
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL, cwd=out.parent)
    return time.perf_counter() - start


def layout_seconds(graph: dict) -> float:
    """A from-scratch layout (positions, communities, sizes) of graph.json's graph."""
    ids = graph["nodes"]["id"]
    links = graph["links"]
    pairs = [(ids[s], ids[t]) for s, t in zip(links["source"], links["target"], strict=True)]
    start = time.perf_counter()
    layout_json(ids, pairs, LayoutMemo())
    return time.perf_counter() - start


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def browse(site: Path, rounds: int) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/graph.html"
    drawn, frames = [], []
    with sync_playwright() as p:
        args = ["--no-sandbox", "--disable-gpu"]
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        for _ in range(rounds):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url)
            page.wait_for_function("document.documentElement.dataset.graphDrawn", timeout=60000)
            drawn.append(float(page.evaluate("document.documentElement.dataset.graphDrawn")))
            frames += page.evaluate(SCRIPT)
            page.close()
        browser.close()
    server.shutdown()
    return drawn, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vault", type=Path, default=FLANCIAN)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "mm-graph-bench")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="reuse the site of an earlier run")
    opts = parser.parse_args()
    site = opts.out / "site"
    if not (opts.reuse and (site / "graph.html").exists()):
        print(f"built {opts.vault.name} in {build(opts.vault, site):.1f}s (--clean)")
    data = (site / "graph.json").read_bytes()
    graph = json.loads(data)
    without = len(data) - len(json.dumps(graph["layout"], separators=(",", ":"))) - 10
    print(
        f"graph.json: {len(graph['nodes']['id'])} nodes, {len(graph['links']['kind'])} links, "
        f"{len(data) / 1e6:.2f} MB ({without / 1e6:.2f} MB without the layout part)"
    )
    print(f"layout from scratch (positions, communities, sizes): {layout_seconds(graph):.2f}s")
    drawn, frames = browse(site, opts.rounds)
    print(f"graph.html drawn {statistics.median(drawn):.0f} ms after navigation start "
          f"(median of {len(drawn)}: {', '.join(f'{d:.0f}' for d in drawn)})")  # fmt: skip
    frames.sort()
    p95 = frames[int(len(frames) * 0.95) - 1]
    print(f"pan/zoom redraws ({len(frames)}): median {statistics.median(frames):.1f} ms, "
          f"p95 {p95:.1f} ms, max {frames[-1]:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
