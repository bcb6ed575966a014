"""A client of Pagefind's indexing service (`pagefind --service`): pages are handed over in
memory and the index's files come back in memory, so nothing is written to a temporary
folder and read back (on a 1,000-note vault that file traffic cost as much time as the
indexing itself).

The protocol is Pagefind's own (its Node and Python APIs speak it): each message is a JSON
object, base64-encoded and followed by a comma, on the process's stdin; the answers come
the same way on its stdout, each with the `message_id` of its request. The service handles
one message after another, in the order sent, so the index is the same for the same pages
in the same order (Pagefind's Python package polls for answers every 0.1 s, one answer at a
time, which would make a thousand pages take minutes: hence this client). Requests are all
written at once and a thread reads the answers as they come (a pipe left unread would block
both processes).
"""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from mindmap.graph import Interrupted


class IndexerError(Exception):
    """Pagefind could not be started, failed, answered with an error or took too long."""


class Indexer:
    """One `pagefind --service` process, for one index at a time. `stop` (checked while
    waiting) gives up: the process is killed and `Interrupted` raised."""

    def __init__(
        self, exe: Path, stop: Callable[[], bool] | None = None, timeout: float = 600.0
    ) -> None:
        self._stop, self._deadline = stop, time.monotonic() + timeout
        self._timeout = timeout
        # its messages, in a file (a pipe could fill up), read when it failed
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        try:
            self._proc = subprocess.Popen(
                [str(exe), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
            )
        except OSError as err:
            self._log.close()
            raise IndexerError(f"Pagefind could not be started: {err}") from err
        self._answers: dict[int, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        self._ended = False
        self._refused: str | None = None  # Pagefind's error for a request it could not read
        self._sent = 0
        self._writer: threading.Thread | None = None
        self._reader = threading.Thread(target=self._read, name="pagefind-answers", daemon=True)
        self._reader.start()

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def index(self, pages: Iterable[tuple[str, bytes]], config: dict[str, Any]) -> dict[str, bytes]:
        """The index of these pages (url from the site's root, starting with `/` → the HTML
        Pagefind should read): path in the index's folder → bytes. The pages are written by
        a thread of their own while this one waits for the answers (and for `stop`)."""
        number = self._ask({"type": "NewIndex", "config": config})["index_id"]
        added = [
            self._message(
                {
                    "type": "AddFile",
                    "index_id": number,
                    "file_path": None,
                    "url": url,
                    "file_contents": html.decode("utf-8", errors="replace"),
                }
            )
            for url, html in pages
        ]
        self._writer = threading.Thread(
            target=self._write, args=(b"".join(data for _n, data in added),), daemon=True
        )
        self._writer.start()
        for message, _data in added:
            self._wait(message)
        files = self._ask({"type": "GetFiles", "index_id": number})["files"]
        return {f["path"].lstrip("/"): base64.b64decode(f["content"]) for f in files}

    def close(self) -> None:
        """End the service (closing its stdin ends it) and wait for it."""
        if self._writer is not None and self._writer.is_alive():
            self._proc.kill()  # given up while still writing: stdin cannot be closed under it
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        self._end()
        if self._writer is not None:
            self._writer.join()  # its write fails once the service is gone
        self._reader.join()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._log.close()

    def _end(self) -> int:
        """Wait for the service to end (killed if it does not within 5 s): its exit status."""
        try:
            return self._proc.wait(5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            return self._proc.wait()

    # -- the protocol --------------------------------------------------------------------

    def _ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        message, data = self._message(payload)
        self._write(data)
        return self._wait(message)

    def _message(self, payload: dict[str, Any]) -> tuple[int, bytes]:
        """The next message's number and bytes on the wire."""
        self._sent += 1
        text = json.dumps({"message_id": self._sent, "payload": payload}, ensure_ascii=False)
        return self._sent, base64.b64encode(text.encode("utf-8")) + b","

    def _write(self, data: bytes) -> None:
        """Write to the service; if it is gone, its exit status and log say why (`_wait`
        reports it once its stdout has ended)."""
        assert self._proc.stdin is not None
        with contextlib.suppress(OSError, ValueError):  # ValueError: stdin closed meanwhile
            self._proc.stdin.write(data)
            self._proc.stdin.flush()

    def _wait(self, message: int) -> dict[str, Any]:
        with self._arrived:
            while message not in self._answers:
                if self._refused is not None:
                    raise IndexerError(f"Pagefind failed: {self._refused}")
                if self._ended:
                    self._failed()
                if self._stop is not None and self._stop():
                    self._proc.kill()
                    raise Interrupted()
                if time.monotonic() > self._deadline:
                    self._proc.kill()
                    raise IndexerError(f"Pagefind did not finish in {self._timeout:.0f}s")
                self._arrived.wait(0.05)
            answer = self._answers.pop(message)
        if answer.get("type") == "Error":
            raise IndexerError(f"Pagefind failed: {answer.get('message', 'an error')}")
        return answer

    def _read(self) -> None:
        """The answers as they arrive (in this thread), until the service's stdout ends."""
        assert self._proc.stdout is not None
        buffer = bytearray()
        while chunk := self._proc.stdout.read1(1 << 16):
            start = len(buffer)
            buffer += chunk
            end = buffer.find(b",", start)
            while end >= 0:
                self._arrive(bytes(buffer[:end]))
                del buffer[: end + 1]
                end = buffer.find(b",")
        with self._arrived:
            self._ended = True
            self._arrived.notify_all()

    def _arrive(self, message: bytes) -> None:
        try:
            answer = json.loads(base64.b64decode(message))
            number, payload = answer.get("message_id"), answer["payload"]
        except (ValueError, KeyError, TypeError, AttributeError):
            return  # not an answer (Pagefind prints nothing else here)
        with self._arrived:
            if number is None:  # a request it could not read: no answer will come for it
                self._refused = str(payload.get("message", payload))
            else:
                self._answers[number] = payload
            self._arrived.notify_all()

    def _failed(self) -> None:
        """The service ended before answering: why, from its exit status and last line."""
        code = self._end()
        self._log.seek(0)
        output = self._log.read().decode(errors="replace").strip()
        last = output.splitlines()[-1] if output else "no output"
        raise IndexerError(f"Pagefind failed (exit status {code}): {last}")
