"""Find the notes and attachments of a vault, and parse the notes (in parallel when it pays)."""

from __future__ import annotations

import fnmatch
import gc
import multiprocessing
import os
import pickle
import re
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from mindmap.cache import pickle_note
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.model import Note
from mindmap.paths import AssetPath, NotePath, nfc

_PARALLEL_FROM = 64  # below this many notes a worker pool costs more than it saves


@dataclass(frozen=True)
class Scan:
    notes: dict[NotePath, Path]  # vault path (NFC, posix) → file on disk
    assets: dict[AssetPath, Path]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    hidden: set[NotePath] = field(default_factory=set)  # ignored or hidden notes: names only
    stats: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # (size, mtime, ctime ns)


@lru_cache(maxsize=65536)
def is_ignored(rel: str, patterns: tuple[str, ...]) -> bool:
    """Whether the file at vault path `rel` matches a gitignore pattern (README, `ignore`).
    Case and Unicode form do not matter (`private/` leaves out `Private/` too, as a
    case-insensitive disk, and Obsidian on it, would have it): what to keep private is
    better left out once too often than published once."""
    regex = _ignore_regex(patterns)
    folded = _fold(rel)
    if regex is not None and regex.fullmatch(folded) is not None:
        return True
    return _loosely_ignored(folded, patterns)


def _loosely_ignored(rel: str, patterns: tuple[str, ...]) -> bool:
    """The matching of earlier versions, kept alongside git's, so that an upgrade never
    publishes a note it left out: there `*` crossed folders (`journal/*.md` left out
    `journal/2024/x.md`, which git's rules keep)."""
    parts = rel.split("/")
    for pattern in patterns:
        pat = _fold(pattern.strip().rstrip("/"))
        if not pat:
            continue
        if "/" in pat:
            pat = pat.lstrip("/")
            if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(rel, pat + "/*"):
                return True
        elif any(fnmatch.fnmatchcase(part, pat) for part in parts):
            return True
    return False


@lru_cache(maxsize=64)
def _ignore_regex(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """All patterns as one regex, made once per config: `serve` asks about 10,000 paths."""
    parts = [r for p in patterns if (r := _pattern_regex(_fold(_trim(p)))) is not None]
    return re.compile("|".join(f"(?:{r})" for r in parts), re.DOTALL) if parts else None


def _trim(pattern: str) -> str:
    """Spaces around a pattern do not count, but an escaped one at its end does (`a\\ `)."""
    trimmed = pattern.strip()
    return trimmed + " " if trimmed.endswith("\\") and pattern.rstrip() != pattern else trimmed


def _pattern_regex(pattern: str) -> str | None:
    """One pattern as a regex for a whole file path. The file matches, or a folder it is in
    does: git never looks inside a folder it ignores. `#` and `!` are plain characters here,
    not a comment or a negation: either would leave a file out less often, never more."""
    folders_only = pattern.endswith("/")  # `dir/`: a folder, so something must follow
    anchored = "/" in pattern.rstrip("/")  # a slash at the start or in the middle
    segments = [s for s in pattern.split("/") if s]
    if not segments:
        return None
    body = ""
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if len(segment) > 1 and segment.strip("*") == "":  # `**`: any depth
            body += ".*" if last else "(?:[^/]*/)*"
        else:
            body += _segment_regex(segment) + ("" if last else "/")
    inside = "/.*" if folders_only else "(?:/.*)?"
    return ("" if anchored else "(?:[^/]*/)*") + body + inside


def _segment_regex(segment: str) -> str:
    """One name of a pattern: `*` and `?` never match `/`, `\\x` is a literal `x`. Each `*`
    but the last takes the shortest run up to what follows it, without going back (an
    atomic group, as `fnmatch` does): `*a*a*a*a*a*b` against 80 a's took 0.75 s, and more
    stars exponentially longer."""
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            while i + 1 < len(segment) and segment[i + 1] == "*":
                i += 1  # `a**b` is `a*b`
            out.append(_STAR)
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (found := _class_regex(segment, i)) is not None:
            regex, i = found
            out.append(regex)
            continue
        elif char == "\\" and i + 1 < len(segment):
            i += 1
            out.append(re.escape(segment[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return _join_stars(out)


_STAR = "*"  # a placeholder among `_segment_regex`'s pieces (no piece is a bare `*`)


def _join_stars(pieces: list[str]) -> str:
    """The pieces as a regex, each `*` between two fixed parts atomic (`_segment_regex`)."""
    groups: list[list[str]] = [[]]
    for piece in pieces:
        if piece == _STAR:
            groups.append([])
        else:
            groups[-1].append(piece)
    if len(groups) == 1:
        return "".join(groups[0])
    middle = "".join(f"(?>[^/]*?{''.join(g)})" for g in groups[1:-1])
    return "".join(groups[0]) + middle + "[^/]*" + "".join(groups[-1])


def _class_regex(segment: str, start: int) -> tuple[str, int] | None:
    """`[...]` at `start` as a regex and the index after it; None when it is not closed, so
    the `[` is literal (git would match nothing: hiding the file is the safer mistake).
    `!` or `^` negates, a leading `]` is literal, `\\x` is `x`, `a-z` a range."""
    i = start + 1
    negate = i < len(segment) and segment[i] in "!^"
    i += 1 if negate else 0
    items: list[str] = []
    first = True
    while i < len(segment) and (first or segment[i] != "]"):
        first = False
        named = re.match(r"\[:([a-z]+):\]", segment[i:])
        if named and named.group(1) in _POSIX:  # `[[:digit:]]`: a POSIX class, as in git
            items.append(_POSIX[named.group(1)])
            i += named.end()
            continue
        low, i = _class_char(segment, i)
        if i + 1 < len(segment) and segment[i] == "-" and segment[i + 1] != "]":
            high, i = _class_char(segment, i + 1)
            if low <= high:  # git: a backwards range matches nothing
                items.append(re.escape(low) + "-" + re.escape(high))
        else:
            items.append(re.escape(low))
    if i >= len(segment):
        return None
    if not items:
        return ("[^/]" if negate else "(?!)"), i + 1
    return "(?!/)[" + ("^" if negate else "") + "".join(items) + "]", i + 1


# POSIX classes in the C locale, as git reads them; upper and lower are letters, since case
# does not matter here
_POSIX = {
    "alpha": "a-zA-Z",
    "upper": "a-zA-Z",
    "lower": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "xdigit": "0-9a-fA-F",
    "space": " \\t\\n\\r\\f\\v",
    "blank": " \\t",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "cntrl": "\\x00-\\x1f\\x7f",
    "graph": "!-~",
    "print": " -~",
}


def _class_char(segment: str, i: int) -> tuple[str, int]:
    """The character at `i` in a class, a backslash escaping it, and the index after it."""
    if segment[i] == "\\" and i + 1 < len(segment):
        return segment[i + 1], i + 2
    return segment[i], i + 1


def _fold(text: str) -> str:
    return nfc(text).casefold()


def scan(root: Path, ignore: tuple[str, ...]) -> Scan:
    """Every note and attachment, hidden files (.obsidian/, .trash/) and ignored ones left out."""
    result = Scan({}, {})
    for rel, entry, hidden in _walk(root, "", result.diagnostics, False):
        key = nfc(rel)
        if hidden or is_ignored(rel, ignore):
            if rel.lower().endswith(".md"):  # links to it become plain text, like a draft's
                result.hidden.add(NotePath(key))
            continue
        try:
            st = entry.stat()
        except OSError:  # gone since the folder was listed
            continue
        path = _path(entry.path)
        result.stats[key] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if rel.lower().endswith(".md"):
            result.notes[NotePath(key)] = path
        else:
            result.assets[AssetPath(key)] = path
    return result


@lru_cache(maxsize=65536)
def _path(name: str) -> Path:
    """The same Path object for a file every scan (`serve` scans the vault on every save)."""
    return Path(name)


def _walk(
    root: Path, prefix: str, diags: list[Diagnostic], hidden: bool
) -> Iterator[tuple[str, os.DirEntry[str], bool]]:
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as err:
        diags.append(Diagnostic(prefix, 0, 0, Severity.WARNING, "read-error", str(err)))
        return
    for entry in entries:
        if entry.is_symlink() or entry.name == ".git":
            continue  # a link could leave the vault; .git holds no notes
        is_hidden = hidden or entry.name.startswith(".")  # .obsidian/, .trash/: never published
        rel = prefix + entry.name
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            what = "folder" if entry.is_dir() else "file"
            diags.append(
                Diagnostic(
                    shown,  # its own path, the bad bytes shown as U+FFFD
                    0,
                    0,
                    Severity.WARNING,
                    "filename-encoding",
                    f"skipped a {what} whose name is not UTF-8: {rel!r}",
                )
            )
            continue
        if entry.is_dir():
            yield from _walk(Path(entry.path), rel + "/", diags, is_hidden)
        elif entry.is_file():
            yield rel, entry, is_hidden


def read_text(path: Path) -> tuple[str, int]:
    """A note's text, and the line (1-based) of the first bytes that had to be replaced
    because they are not UTF-8 (0: none)."""
    data = path.read_bytes()
    try:
        text, bad = data.decode("utf-8"), 0
    except UnicodeDecodeError as err:
        text = data.decode("utf-8", errors="replace")
        head = data[: err.start]  # lines end in \n, \r\n or \r, as below
        bad = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), bad


def file_digest(path: Path) -> str | None:
    """The digest a note read from `path` would have now; None if it cannot be read or is
    not valid UTF-8 (then it is parsed again: its warnings depend on more than its text)."""
    from mindmap.markdown import source_digest

    try:
        text, bad = read_text(path)
    except OSError:
        return None
    return None if bad else source_digest(text)


_MD = None
_MD_FLAG: bool | None = None  # the strict_line_breaks setting _MD was made with
# A worker keeps Python's cycle collector paused, as the build does: parsing leaves no cyclic
# garbage (none after 1,000 notes, measured), and the collector's passes over the tokens it
# makes and drops cost a fifth of the parsing. A full pass every `_COLLECT_EVERY` notes
# still frees any cycle a rare note makes (an error's traceback, say).
_COLLECT_EVERY = 500
_parsed = -1  # notes parsed by this worker; -1: not a worker


def _init_pool_worker() -> None:
    """A parse pool's worker: `start_worker` (its collector stays paused: `_COLLECT_EVERY`);
    its parser is the parent's, made before the fork."""
    global _parsed
    start_worker()
    _parsed = 0


def _init_worker(strict_line_breaks: bool) -> None:
    """The parser of this process, made once per setting (a live rebuild parses one note)."""
    global _MD, _MD_FLAG
    from mindmap.markdown import make_markdown

    if _MD is None or strict_line_breaks != _MD_FLAG:
        _MD, _MD_FLAG = make_markdown(strict_line_breaks), strict_line_breaks


def _parse_one(item: tuple[str, str]) -> Note:
    global _parsed
    from mindmap.markdown import parse_note

    if _parsed >= 0:
        _parsed += 1
        if _parsed % _COLLECT_EVERY == 0:
            gc.collect()
    rel, file = item
    try:
        text, bad = read_text(Path(file))
    except OSError as err:
        text, bad = "", 0
        problem = Diagnostic(rel, 0, 0, Severity.WARNING, "read-error", f"cannot read note: {err}")
        note = parse_note(_MD, text, rel)  # type: ignore[arg-type]
        return _with(note, problem)
    try:
        note = parse_note(_MD, text, rel)  # type: ignore[arg-type]
    except RecursionError:  # a last resort: the parser's limits should have stopped it
        message = "nested too deeply to parse: the note is left out"  # its privacy unread
        hint = "split the deepest outline or bracket run into smaller pieces"
        problem = Diagnostic(rel, 1, 0, Severity.WARNING, "nesting-too-deep", message, hint)
        empty = parse_note(_MD, "", rel)  # type: ignore[arg-type]
        return _with(replace(empty, published=False), problem)
    if bad:
        note = _with(
            note,
            Diagnostic(
                rel,
                bad,
                0,
                Severity.WARNING,
                "encoding",
                "note is not valid UTF-8; bad bytes were replaced",
            ),
        )
    return note


def _with(note: Note, diag: Diagnostic) -> Note:
    return replace(note, diagnostics=(*note.diagnostics, diag))


def start_worker() -> None:
    """What every pool worker does first: its collector paused (the parent's is, during a
    build) and SIGTERM's default action back. `serve` turns SIGTERM into KeyboardInterrupt,
    and a forked worker inherits that handler: a pool's `terminate` ends its workers with
    SIGTERM, and a Python handler runs only between bytecodes, so a worker blocked in C on
    the task queue's lock (which `terminate` holds) when the signal is missed is never ended
    and the pool's exit waits for it. A hang of serve's first build looked like that once."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.disable()


def worker_count(jobs: int) -> int:
    """Processes to use: `jobs`, or every core. Forking a process that runs other threads
    (serve's server and watcher) can deadlock, so then the work stays in this process."""
    if threading.active_count() > 1:
        return 1
    return jobs or min(os.cpu_count() or 1, 8)


def parse_notes(
    files: dict[NotePath, Path],
    strict_line_breaks: bool,
    jobs: int = 0,
    meanwhile: Callable[[], None] = lambda: None,
    on_note: Callable[[Note, bytes], None] | None = None,
    stats: Mapping[str, tuple[int, int, int]] | None = None,
) -> list[Note]:
    """Parse every note on its own; on big vaults, on every core (parsing is pure per note).

    `meanwhile` runs in this process while the workers parse (build.py imports and warms up
    what comes next there). `on_note`, when given, gets each note and its pickle as the parse
    cache keeps it (`cache.pickle_note`: the workers send them so), as they come: in order
    of their paths, or in parallel the biggest first (by the scan's `stats`, size first). The
    notes are returned in path order.
    """
    items = [(rel, str(path)) for rel, path in sorted(files.items())]
    jobs = worker_count(jobs)
    if items:  # the Markdown engine imported and made once, here: forked workers inherit it
        _init_worker(strict_line_breaks)
    if jobs == 1 or len(items) < _PARALLEL_FROM:
        meanwhile()
        notes = [_parse_one(item) for item in items]
        if on_note is not None:
            for note in notes:
                on_note(note, pickle_note(note))
        return notes
    ctx = multiprocessing.get_context("fork")
    notes = []
    if stats:  # the biggest notes first: the last chunks, which one worker may end alone, are small
        items.sort(key=lambda item: -stats.get(item[0], (0, 0, 0))[0])
    with ctx.Pool(jobs, _init_pool_worker) as pool:
        chunk = max(1, len(items) // (jobs * 8))
        results = pool.imap(_parse_pickled, items, chunksize=chunk)
        meanwhile()
        for data in results:  # read as they come, while the workers go on
            note = pickle.loads(data)
            notes.append(note)
            if on_note is not None:
                on_note(note, data)
    notes.sort(key=lambda note: note.path)
    return notes


def _parse_pickled(item: tuple[str, str]) -> bytes:
    """A worker's note, pickled as the parse cache keeps it (the pool would pickle it
    anyway, to send it)."""
    return pickle_note(_parse_one(item))
