"""Write the site: into a temporary folder beside the output, then swap it in.

A build that fails leaves the previous site as it was; the notes folder is never written.
"""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mindmap.config import ConfigError
from mindmap.paths import fit_name

MARKER = ".mindmap-site"
_WRITERS = 8
_TEMPORARY = re.compile(r"\..+\.tmp-\d+")  # `temporary`'s names, any process's


def temporary(target: Path) -> Path:
    """Where `target` is written before it is renamed over (`.name.tmp-PID`, beside it). The
    name is cut as urls are (`fit_name`): a name the file system takes may not take 13 more
    bytes (the urls leave room for them; an output folder's name, chosen by hand, may not)."""
    return target.with_name(f".{fit_name(target.name)}.tmp-{os.getpid()}")


def is_temporary(name: str) -> bool:
    """Whether a file name is one of `temporary`'s: a file a process is writing."""
    return _TEMPORARY.fullmatch(name) is not None


def replace_file(target: Path, data: bytes) -> None:
    """Write `target` atomically: beside it, then renamed over it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary(target)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # no half-written file left behind, to be published
        raise


def no_links_between(root: Path, folder: Path) -> None:
    """Delete a symbolic link (the link alone) that stands for a folder between `root` and
    `folder` inside it: a file written or deleted there went through it, outside the site
    (a link put into the output folder by hand, or by another tool)."""
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            current.unlink()
            return  # what lay below was behind the link


def check_folders(notes_dir: Path, out_dir: Path) -> None:
    """Refuse an output folder that holds the notes, sits in them, or is someone else's."""
    notes, out = notes_dir.resolve(), out_dir.resolve()
    if not notes.is_dir():
        raise ConfigError(f"notes folder not found: {notes_dir}")
    if out == notes or notes.is_relative_to(out) or out.is_relative_to(notes):
        raise ConfigError(
            f"output folder {out_dir} must not contain or be inside the notes folder {notes_dir}"
        )
    if out.exists() and not out.is_dir():
        raise ConfigError(f"output path {out_dir} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ConfigError(
            f"refusing to replace {out_dir}: it is not empty and was not made by mindmap "
            f"(no {MARKER} file); choose an empty or new folder"
        )


class SiteWriter:
    """Collects files in a fresh temporary folder; `commit()` swaps it into place."""

    def __init__(self, out_dir: Path) -> None:
        self.out = out_dir.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = temporary(self.out)
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir()
        self._dirs: set[Path] = {self.tmp}

    def _path(self, url: str) -> Path:
        path = self.tmp / url
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        return path

    def write(self, url: str, data: str | bytes) -> None:
        self._path(url).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def copy(self, url: str, source: Path) -> None:
        shutil.copyfile(source, self._path(url))

    def write_many(self, files: dict[str, bytes]) -> None:
        """Write many files at once: creating a file costs ~0.5 ms of waiting on some disks
        (measured here), and a few threads overlap that waiting."""
        for url in files:
            self._path(url)  # make the folders first, in this thread
        with ThreadPoolExecutor(_WRITERS) as pool:
            list(pool.map(lambda item: (self.tmp / item[0]).write_bytes(item[1]), files.items()))

    def commit(self) -> int:
        """Swap the new site in; returns how many files it has."""
        self.write(MARKER, "This folder is written by mindmap; it is replaced on every build.\n")
        files = sum(len(names) for _dir, _subdirs, names in os.walk(self.tmp))
        old = self.out.parent / f".{fit_name(self.out.name)}.old-{os.getpid()}"
        if self.out.exists():
            os.replace(self.out, old)
        os.replace(self.tmp, self.out)
        shutil.rmtree(old, ignore_errors=True)
        return files

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
