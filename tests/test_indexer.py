"""The client of Pagefind's indexing service (src/mindmap/indexer.py): it answers with the
index, and a stuck, refusing or dying service ends in an error or `Interrupted` at once,
never a hang, with the process ended."""

from __future__ import annotations

import gzip
import json
import stat
import sys
import time
from pathlib import Path

import pytest

from mindmap.graph import Interrupted
from mindmap.indexer import Indexer, IndexerError
from mindmap.search import executable

PAGES = [
    (f"/p{i}.html", f'<html lang="en"><body><h1>P{i}</h1><p>{"word " * 2000}w{i}</p></body></html>')
    for i in range(100)
]

# Answers NewIndex, then never reads stdin again: the client's writes fill the pipe.
STUCK = """
import base64, json, sys, time
buf = b""
while b"," not in buf:
    buf += sys.stdin.buffer.read1(1)
msg = json.loads(base64.b64decode(buf[:-1]))
answer = {"message_id": msg["message_id"], "payload": {"type": "NewIndex", "index_id": 0}}
sys.stdout.buffer.write(base64.b64encode(json.dumps(answer).encode()) + b",")
sys.stdout.flush()
time.sleep(3600)
"""


def _script(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-pagefind"
    script.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def _pages() -> list[tuple[str, bytes]]:
    return [(url, html.encode()) for url, html in PAGES]


@pytest.mark.skipif(executable() is None, reason="Pagefind's binary is missing")
def test_the_service_indexes_pages_given_in_memory() -> None:
    exe = executable()
    assert exe is not None
    with Indexer(exe) as indexer:
        files = indexer.index(_pages(), {"keep_index_url": True})
    assert "pagefind-entry.json" in files
    fragments = [json.loads(gzip.decompress(d)[12:]) for n, d in files.items() if "fragment/" in n]
    assert sorted(f["url"] for f in fragments) == sorted(url for url, _ in PAGES)
    assert any("w42" in f["content"] for f in fragments)


def test_a_stuck_service_is_given_up_when_asked(tmp_path: Path) -> None:
    start = time.monotonic()
    indexer = Indexer(_script(tmp_path, STUCK), lambda: time.monotonic() - start > 0.5)
    with pytest.raises(Interrupted), indexer:
        indexer.index(_pages(), {})
    assert time.monotonic() - start < 10
    assert indexer._proc.returncode is not None  # ended, not left behind


def test_a_stuck_service_times_out(tmp_path: Path) -> None:
    start = time.monotonic()
    indexer = Indexer(_script(tmp_path, STUCK), timeout=1.0)
    with pytest.raises(IndexerError, match="did not finish in 1s"), indexer:
        indexer.index(_pages(), {})
    assert time.monotonic() - start < 10
    assert indexer._proc.returncode is not None


@pytest.mark.skipif(executable() is None, reason="Pagefind's binary is missing")
def test_a_request_pagefind_cannot_read_is_its_error_at_once() -> None:
    exe = executable()
    assert exe is not None
    start = time.monotonic()
    with pytest.raises(IndexerError, match=r"Pagefind failed: .*boolean"), Indexer(exe) as ix:
        ix.index(_pages()[:1], {"keep_index_url": "yes"})
    assert time.monotonic() - start < 10  # not the 600 s timeout


def test_a_service_that_dies_says_why(tmp_path: Path) -> None:
    script = _script(
        tmp_path, "import sys\nprint('Error: it broke', file=sys.stderr)\nsys.exit(3)\n"
    )
    with (
        pytest.raises(IndexerError, match=r"exit status 3\): Error: it broke"),
        Indexer(script) as indexer,
    ):
        indexer.index(_pages(), {})
