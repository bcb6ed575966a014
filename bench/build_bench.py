#!/usr/bin/env python3
"""Benchmark `mindmap build` against the pure-Python floor, as whole processes.

Usage (from the repository root, after `pip install -e .`):

    python bench/build_bench.py                      # 1,000-note vault, 3 alternating rounds
    python bench/build_bench.py --rounds 5 --corpus  # also build the real corpora
    python bench/build_bench.py --config off.yml     # with these settings (`search: false`)
    python bench/build_bench.py --out /elsewhere     # vaults and outputs there

Prints one line per measurement and a summary with the medians, the ratio build/floor
(target: at most 1.5), second builds with the cache (nothing changed: at most 0.2 of a cold
build; one note edited: at most 0.25) and, for the corpora, wall time and peak memory of the
whole process tree (target for flancian-garden: at most 20 s and 1 GB); each round also
gives the CPU seconds of both commands, in user space and in the kernel. Cold builds use
`--clean` and a new output folder, as does the floor: the last one is moved aside and all
are deleted when the benchmark ends (`set_aside`). Both run without PYTHONDONTWRITEBYTECODE,
which this project's machine sets: Python keeps its bytecode, as it does for a user.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
OUT = ROOT / "bench" / "out"
TRASH = OUT / "trash"  # outputs set aside during a run, deleted at its end (`set_aside`)
# The measured commands keep their modules' bytecode, as on a user's machine: some machines
# (this project's) set PYTHONDONTWRITEBYTECODE, and then every run compiles mindmap again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SLOW_FILES = 0.3  # the floor's system seconds above which its files were slow to make
CONFIG: list[str] = []  # `-c FILE` for every build (--config), e.g. one with `search: false`


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in KB.

    It is polled while the build runs, on the same two cores: it walks the tree from the
    process down (`/proc/PID/task/TID/children`, 0.3 ms a pass) rather than reading every
    process's status on the machine (2.3 ms a pass with 70 processes, every 50 ms: 5 % of a
    core taken from the build, which uses both, and not from the floor, which uses one)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            tasks = os.listdir(f"/proc/{current}/task")
            for task in tasks:
                todo += map(int, Path(f"/proc/{current}/task/{task}/children").read_text().split())
        except FileNotFoundError:  # it ended meanwhile
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


@dataclass
class Run:
    """One measured command: wall seconds, peak resident memory of its process tree (KB),
    and the CPU seconds of the process and the children it waited for, in user space and
    in the kernel."""

    seconds: float
    peak: int
    user: float
    system: float

    def cpu(self) -> str:
        return f"{self.user:.2f} user + {self.system:.2f} system CPU s"


def run(cmd: list[str]) -> Run:
    """Run one command and measure it (`Run`)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    done.set()
    watcher.join()
    if code != 0:
        sys.exit(f"command failed with exit code {code}: {' '.join(cmd)}")
    return Run(seconds, peak, usage.ru_utime, usage.ru_stime)


def mindmap_cmd(vault: Path, out: Path, *extra: str) -> list[str]:
    cmd = [sys.executable, "-m", "mindmap", "build", str(vault), "-o", str(out), "-q"]
    return [*cmd, *CONFIG, *extra]


def cold_build(vault: Path, out: Path) -> Run:
    """A build from nothing: no output folder, no cache."""
    set_aside(out)
    return run(mindmap_cmd(vault, out, "--clean"))


def set_aside(folder: Path) -> None:
    """Move an output folder out of the way, to be deleted when the benchmark ends.

    This machine's file system (ext4 without a journal) skips a recently freed inode when it
    makes a file, and looks at each one it skips from the start of the block group: after
    thousands of files are deleted (a test run, an earlier benchmark's outputs), every file
    made in that part of the disk costs the kernel up to 0.5 ms, for tens of minutes (still
    4 x slower 13 minutes after a test run here). Deleting the last output right before a
    build made it slower by up to 2 s; a floor's 1,000 files made there took 1.3 s of
    system time instead of 0.05. Each round prints both commands' system time: a floor
    over `SLOW_FILES` seconds of it was slowed so (and its ratio flatters the build, which
    makes its files on two cores)."""
    if folder.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        folder.rename(TRASH / f"{folder.name}-{time.monotonic_ns()}")


def edit_one_note(vault: Path, n: int) -> None:
    """Append a bullet with a new link to one note, as a writer saving it would."""
    notes = sorted(vault.rglob("*.md"))
    target = notes[(n * 7 + 3) % len(notes)].stem
    with notes[0].open("a", encoding="utf-8") as f:
        f.write(f"\n- edit {n}: see [[{target}]]\n")
    # A save a minute ago: an mtime old enough for the build to trust (a file changed within
    # the last 2 s is re-read on every build, since it may change again within one mtime tick).
    saved = time.time() - 60 + n
    os.utime(notes[0], (saved, saved))


def bench_generated(shared: Path, notes: int, rounds: int) -> None:
    vault = OUT / f"vault-{notes}"
    if not vault.exists():
        subprocess.run(
            [sys.executable, str(shared / "bench" / "gen_vault.py"), str(notes), str(vault), "1"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    floor_cmd = [
        sys.executable,
        str(shared / "bench" / "floor.py"),
        str(vault),
        "--engine",
        "mdit",
        "--wikilinks",
        "--plugins",
        "--write",
        str(OUT / "floor"),
        "--repeat",
        "1",
    ]
    builds, floors = [], []
    for n in range(rounds):
        set_aside(OUT / "floor")  # both write into a new folder
        floor = run(floor_cmd)
        build = cold_build(vault, OUT / "site")
        floors.append(floor.seconds)
        builds.append(build.seconds)
        print(
            f"round {n + 1}: floor {floor.seconds:.2f} s ({floor.cpu()}), mindmap build "
            f"{build.seconds:.2f} s ({build.cpu()}, {build.peak / 1024:.0f} MB peak)"
        )
        if floor.system > SLOW_FILES:
            print(
                f"  (the floor spent {floor.system:.2f} s in the kernel: its files were slow "
                "to make, and this round flatters the build; see `set_aside`)"
            )
    build, floor = statistics.median(builds), statistics.median(floors)
    print(
        f"\n{notes} notes, median of {rounds}: mindmap build {build:.2f} s, floor {floor:.2f} s, "
        f"ratio {build / floor:.2f} (target <= 1.5)"
    )
    bench_incremental(vault, build, rounds)


def bench_incremental(vault: Path, cold: float, rounds: int) -> None:
    """Second builds with the cache: nothing changed, then one note edited."""
    work = OUT / "vault-edited"
    set_aside(work)
    shutil.copytree(vault, work)
    out = OUT / "site-incremental"
    cold_build(work, out)
    same, edited = [], []
    for n in range(rounds):
        same.append(run(mindmap_cmd(work, out)).seconds)
        edit_one_note(work, n)
        edited.append(run(mindmap_cmd(work, out)).seconds)
    s, e = statistics.median(same), statistics.median(edited)
    print(f"second build, nothing changed: {s:.2f} s = {s / cold:.2f} x cold (target <= 0.2)")
    print(f"second build, one note edited: {e:.2f} s = {e / cold:.2f} x cold (target <= 0.25)")


def bench_corpora(shared: Path) -> None:
    limits = {"flancian-garden": "target <= 20 s and <= 1024 MB"}
    for name in ("quartz-docs", "vaultofknowledge", "flancian-garden"):
        vault = shared / "corpora" / name
        if not vault.is_dir():
            print(f"{name}: not found under {shared / 'corpora'}, skipped")
            continue
        made = cold_build(vault, OUT / f"site-{name}")
        notes = sum(1 for _ in vault.rglob("*.md"))
        extra = f" ({limits[name]})" if name in limits else ""
        print(
            f"{name}: {notes} notes in {made.seconds:.2f} s ({made.cpu()}), "
            f"peak {made.peak / 1024:.0f} MB{extra}"
        )


def main() -> None:
    global OUT, TRASH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="the shared/ folder with bench/ and corpora/ (default: ../shared)",
    )
    parser.add_argument("--notes", type=int, default=1000, help="notes in the generated vault")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds to take medians of"
    )
    parser.add_argument("--corpus", action="store_true", help="also build the real corpora")
    parser.add_argument("--config", type=Path, help="a mindmap.yml for every build (-c)")
    parser.add_argument(
        "--out",
        type=Path,
        default=OUT,
        help="where the vaults and outputs go (default: bench/out; see set_aside)",
    )
    args = parser.parse_args()
    OUT, TRASH = args.out.resolve(), args.out.resolve() / "trash"
    if args.config:
        CONFIG[:] = ["-c", str(args.config.resolve())]
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    shutil.rmtree(TRASH, ignore_errors=True)  # left by an interrupted run
    try:
        bench_generated(args.shared, args.notes, args.rounds)
        if args.corpus:
            bench_corpora(args.shared)
    finally:
        shutil.rmtree(TRASH, ignore_errors=True)


if __name__ == "__main__":
    main()
