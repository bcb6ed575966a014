#!/usr/bin/env python3
"""Benchmark `mindmap serve`: from saving a note to the server returning the updated page.

Usage (from the repository root, after `pip install -e .`):

    python bench/serve_bench.py                 # the 1,000-note generated vault, 5 edits
    python bench/serve_bench.py --corpus        # also flancian-garden (7,770 notes)

Each round appends a bullet with a new link (and a unique word) to one note, then polls the
linked note's page until its backlinks show the word. Prints the time from the save to that
answer (the debounce of 0.1 s included) and the same minus the debounce (targets: at most
0.5 s and 0.15 s on 1,000 notes; at most 1 s on flancian-garden).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
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


def bench(vault: Path, rounds: int, label: str) -> None:
    work = OUT / f"serve-{label}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(vault, work)
    port = free_port()
    out = OUT / f"serve-site-{label}"
    cmd = [sys.executable, "-m", "mindmap", "serve", str(work), "-o", str(out), "--port", str(port)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until(base + "index.html", "<html", 600)
        notes = sorted(work.rglob("*.md"))
        totals = []
        for n in range(rounds):
            source, target = notes[n], notes[(n * 37 + 11) % len(notes)]
            page = base + target_url(out, target, work)
            word = f"zqx{n}marker"
            with source.open("a", encoding="utf-8") as f:
                saved = time.perf_counter()
                f.write(f"\n- {word} see [[{target.stem}]]\n")
            totals.append(wait_until(page, word, 60) - saved)
            time.sleep(0.5)
        total = statistics.median(totals)
        print(
            f"{label}: save → updated backlink, median of {rounds}: {total * 1000:.0f} ms "
            f"({(total - DEBOUNCE) * 1000:.0f} ms after the {DEBOUNCE * 1000:.0f} ms debounce)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def target_url(out: Path, note: Path, vault: Path) -> str:
    """The page of a note, read from graph.json (the documented way to find a note's url)."""
    import json

    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    rel = note.relative_to(vault).as_posix()
    return next(n["url"] for n in graph["nodes"] if n["path"] == rel)


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
