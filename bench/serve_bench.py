#!/usr/bin/env python3
"""Benchmark `mindmap serve`: from saving a note to the server returning the updated page.

Usage (from the repository root, after `pip install -e .`):

    python bench/serve_bench.py                 # the 1,000-note generated vault, 5 edits
    python bench/serve_bench.py --corpus        # also flancian-garden (7,770 notes)

Each round appends a bullet with a new link (and a unique word) to one note and then does
what an open browser tab does: it waits for the server's reload event (Server-Sent Events),
fetches the linked note's page, and checks that its backlinks show the word (if not, it waits
for the next event). Prints the time from the save to that answer (the debounce of 0.1 s
included) and the same minus the debounce (targets: at most 0.5 s and 0.15 s on 1,000 notes;
at most 1 s on flancian-garden), and the rebuild times the server itself reported.
"""

from __future__ import annotations

import argparse
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError

from build_bench import DEFAULT_SHARED, OUT

DEBOUNCE = 0.1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (URLError, TimeoutError):
        return ""


def wait_until(url: str, word: str, limit: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if word in fetch(url):
            return time.perf_counter()
        time.sleep(0.005)
    raise SystemExit(f"{url} did not show {word!r} within {limit} s")


def listen(url: str, events: queue.Queue[float]) -> None:
    """Read the server's event stream; put the arrival time of each reload event."""
    with urllib.request.urlopen(url, timeout=600) as stream:
        for line in stream:
            if line.startswith(b"data:"):
                events.put(time.perf_counter())


def wait_for_page(url: str, word: str, events: queue.Queue[float], limit: float) -> float:
    """After each reload event, fetch the page once; the time it first shows `word`."""
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        try:
            events.get(timeout=max(0.0, end - time.perf_counter()))
        except queue.Empty:
            break
        if word in fetch(url):
            return time.perf_counter()
    raise SystemExit(f"{url} did not show {word!r} within {limit} s")


def bench(vault: Path, rounds: int, label: str) -> None:
    work = OUT / f"serve-{label}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(vault, work)
    port = free_port()
    out = OUT / f"serve-site-{label}"
    log = OUT / f"serve-{label}.log"
    cmd = [sys.executable, "-m", "mindmap", "serve", str(work), "-o", str(out), "--port", str(port)]
    with log.open("w") as err:
        server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until(base + "index.html", "<html", 600)
        events: queue.Queue[float] = queue.Queue()
        stream = base + "_mindmap/events"
        threading.Thread(target=listen, args=(stream, events), daemon=True).start()
        events.get(timeout=30)  # the stream's first event: the current epoch
        notes = sorted(work.rglob("*.md"))
        totals = []
        for n in range(rounds):
            source, target = notes[n], notes[(n * 37 + 11) % len(notes)]
            page = base + target_url(out, target, work)
            word = f"zqx{n}marker"
            with source.open("a", encoding="utf-8") as f:
                saved = time.perf_counter()
                f.write(f"\n- {word} see [[{target.stem}]]\n")
            totals.append(wait_for_page(page, word, events, 60) - saved)
            time.sleep(1.0)  # a writer's pause: the server tidies up when idle
        total = statistics.median(totals)
        rebuilds = [float(s) for s in re.findall(r"rebuilt in ([\d.]+)s", log.read_text())]
        print(
            f"{label}: save → updated backlink, median of {rounds}: {total * 1000:.0f} ms "
            f"({(total - DEBOUNCE) * 1000:.0f} ms after the {DEBOUNCE * 1000:.0f} ms debounce; "
            f"all: {', '.join(f'{t * 1000:.0f}' for t in totals)} ms); "
            f"rebuilds as the server reports them: median "
            f"{statistics.median(rebuilds) * 1000:.0f} ms"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def target_url(out: Path, note: Path, vault: Path) -> str:
    """The page of a note, read from graph.json (the documented way to find a note's url)."""
    import json

    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    nodes = graph["nodes"]
    return nodes["url"][nodes["id"].index(note.relative_to(vault).as_posix())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", action="store_true")
    args = parser.parse_args()
    vault = OUT / "vault-1000"
    if not vault.exists():
        gen = args.shared / "bench" / "gen_vault.py"
        subprocess.run(
            [sys.executable, str(gen), "1000", str(vault), "1"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    bench(vault, args.rounds, "1000 notes")
    if args.corpus:
        bench(args.shared / "corpora" / "flancian-garden", args.rounds, "flancian-garden")


if __name__ == "__main__":
    main()
