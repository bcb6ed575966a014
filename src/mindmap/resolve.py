"""Resolve links as Obsidian does (ofm-spec R1–R9, H1–H3, B1): against the whole vault.

Order for a bare name: the exact vault path, then the linking note's own folder, then the
shortest path string. Case-insensitive and NFC throughout; `.md` optional for notes.
"""

from __future__ import annotations

import difflib
import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from mindmap.model import LinkRef, Note
from mindmap.paths import AssetPath, NotePath, nfc, normalise_heading, stem_of

T = TypeVar("T")
Status = Literal["found", "missing", "private", "bad-anchor"]


@dataclass(frozen=True, slots=True)
class Resolution:
    status: Status
    target: str | None = None  # NotePath or AssetPath
    is_asset: bool = False
    anchor: str | None = None  # html id of the heading or block, when asked and found


class Resolver:
    """An index of the vault by lower-cased path and name, built once per build."""

    def __init__(
        self,
        notes: dict[NotePath, Note],
        assets: set[AssetPath],
        private: set[NotePath],
        resolve_aliases: bool = False,
    ) -> None:
        self.notes = notes
        self.by_path: dict[str, list[str]] = defaultdict(list)
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.assets = assets
        for path in [*notes, *assets, *private]:
            key = nfc(path).lower()
            self.by_path[key].append(path)
            self.by_name[posixpath.basename(key)].append(path)
            if key.endswith(".md"):
                self.by_path[key[:-3]].append(path)
                self.by_name[posixpath.basename(key[:-3])].append(path)
        self.private = private
        self.aliases: dict[str, list[str]] = defaultdict(list)
        if resolve_aliases:
            for path, note in notes.items():
                for alias in note.aliases:
                    self.aliases[nfc(alias).lower()].append(path)
        self._grams: dict[str, list[str]] | None = None
        self.suggestions: dict[str, str | None] = {}

    def resolve(self, ref: LinkRef, source: NotePath) -> Resolution:
        """Where `ref`, written in `source`, points."""
        path = self.find(ref.target, source) if ref.target else source
        if path is None:
            return Resolution("missing")
        if path in self.private:
            return Resolution("private")
        if path in self.assets:
            return Resolution("found", path, is_asset=True)
        return self._anchor(ref, self.notes[NotePath(path)])

    def find(self, target: str, source: str) -> str | None:
        """The file a link target names, or None."""
        key = nfc(target).strip().lower()
        if key.startswith(("./", "../")):
            key = posixpath.normpath(posixpath.join(posixpath.dirname(source.lower()), key))
            return self._pick(self.by_path.get(key, []), key, source, target)
        key = key.lstrip("/")
        if "/" in key:
            found = self.by_path.get(key) or self._by_suffix(key)
        else:
            found = self.by_name.get(key, [])
        if not found and key in self.aliases:
            found = self.aliases[key]
        return self._pick(found, key, source, nfc(target).strip())

    def _by_suffix(self, key: str) -> list[str]:
        """A partial path `b/Note` matches `a/b/Note.md` (obsidian-export's rule, R4)."""
        name = posixpath.basename(key)
        return [
            p
            for p in self.by_name.get(name, [])
            if _strip_md(p.lower()).endswith("/" + key) or p.lower().endswith("/" + key)
        ]

    def _pick(self, found: list[str], key: str, source: str, written: str) -> str | None:
        """R5 tie-break; notes win over attachments; an exact-case name wins a case tie (R3)."""
        if len(found) == 1:
            return found[0]
        notes = sorted({p for p in found if p.lower().endswith(".md")} or set(found))
        folder = posixpath.dirname(source)

        name = _strip_md(posixpath.basename(written.rstrip("/")))

        def rank(path: str) -> tuple[bool, bool, int, bool, str]:
            """R5 (root path, same folder, shortest); then exact case, for `Flancia`/`flancia`."""
            at_root = _strip_md(path.lower()) == _strip_md(key)
            exact_case = _strip_md(posixpath.basename(path)) == name
            return (not at_root, posixpath.dirname(path) != folder, len(path), not exact_case, path)

        return min(notes, key=rank) if notes else None

    def _anchor(self, ref: LinkRef, note: Note) -> Resolution:
        if ref.block:
            want = ref.block.lower()
            block = next((b for b in note.blocks if b.id.lower() == want), None)
            if block is None:
                return Resolution("bad-anchor", note.path)
            return Resolution("found", note.path, anchor=block.anchor or f"^{block.id}")
        if ref.heading:
            anchor = find_heading(note, ref.heading)
            return Resolution("found" if anchor else "bad-anchor", note.path, anchor=anchor)
        return Resolution("found", note.path)

    def suggest(self, target: str) -> str | None:
        """A close existing name, for the "did you mean" hint of a missing link.

        difflib over every name costs ~65 ms at 7,800 notes, so only the 30 names that share
        the most character pairs with the target are compared.
        """
        if target not in self.suggestions:
            self.suggestions[target] = self._suggest(target)
        return self.suggestions[target]

    def _suggest(self, target: str) -> str | None:
        if self._grams is None:
            self._grams = defaultdict(list)
            for name in sorted({stem_of(p) for p in self.notes}):
                for gram in _bigrams(name.lower()):
                    self._grams[gram].append(name)
        shared: Counter[str] = Counter()
        for gram in _bigrams(target.lower()):
            shared.update(self._grams.get(gram, ()))
        # the 30 sharing the most; ties go to the names nearest in length, then by name (a
        # Counter's order of equal counts followed the bigrams' set order: PYTHONHASHSEED)
        size = len(target)
        closest = sorted(shared.items(), key=lambda i: (-i[1], abs(len(i[0]) - size), i[0]))[:30]
        pool = {name.lower(): name for name, _n in closest}
        match = difflib.get_close_matches(target.lower(), list(pool), n=1, cutoff=0.75)
        return pool[match[0]] if match else None


@dataclass(frozen=True, slots=True)
class _Resolved:
    digest: str  # of the linking note's source
    read: tuple[tuple[str, str], ...]  # (path, digest) of each note whose anchors were read
    resolutions: list[Resolution]
    problems: list[Any]  # its broken links' warnings, made when first asked for


class ResolutionCache:
    """Each note's resolutions, kept from one build to the next (`serve`, and `build` within a
    process). A note's resolutions depend on its own source, on the vault's index of names, and
    on the headings and blocks of the notes it links to; they are reused only while all three
    are unchanged, so the result is always what resolving afresh gives."""

    def __init__(self) -> None:
        self._index: tuple[object, ...] | None = None
        self._resolver: Resolver | None = None
        self._rows: dict[NotePath, _Resolved] = {}

    def resolver(
        self,
        notes: dict[NotePath, Note],
        assets: set[AssetPath],
        private: set[NotePath],
        resolve_aliases: bool = False,
    ) -> Resolver:
        """The index of names, made again only when a name in it changed (it then forgets
        every resolution, and the did-you-mean hints)."""
        aliases = [(p, n.aliases) for p, n in notes.items() if n.aliases] if resolve_aliases else []
        index = (tuple(notes), tuple(sorted(assets)), tuple(sorted(private)), tuple(aliases))
        if self._resolver is None or index != self._index:
            self._resolver = Resolver(notes, assets, private, resolve_aliases)
            self._index, self._rows = index, {}
        self._resolver.notes = notes  # the index is the same; the notes may be newer
        return self._resolver

    def resolve_all(
        self, notes: dict[NotePath, Note], resolver: Resolver
    ) -> dict[NotePath, list[Resolution]]:
        """Where every link of every note points (`resolver` from `self.resolver`)."""
        rows = {path: self._row(notes, path, resolver) for path in notes}
        self._rows = rows
        return {path: row.resolutions for path, row in rows.items()}

    def _row(self, notes: dict[NotePath, Note], path: NotePath, resolver: Resolver) -> _Resolved:
        note, row = notes[path], self._rows.get(path)
        if row is not None and row.digest == note.digest and _unchanged(notes, row.read):
            return row
        resolutions = [resolver.resolve(ref, path) for ref in note.links]
        # A link's anchor depends on its target's headings and blocks; an embed's place in the
        # plan (site.py keys, the snippet's title) on the embedded note. A plain link depends
        # on names alone.
        read = {
            (str(r.target), notes[NotePath(str(r.target))].digest)
            for ref, r in zip(note.links, resolutions, strict=True)
            if (ref.heading or ref.block or ref.embed)
            and r.status in ("found", "bad-anchor")
            and not r.is_asset
        }
        return _Resolved(note.digest, tuple(sorted(read)), resolutions, [])

    def problems(self, path: NotePath, make: Callable[[], T]) -> T:
        """`make()` of a note's resolutions (its broken links' warnings), kept with them."""
        row = self._rows[path]
        if not row.problems:
            row.problems.append(make())
        return row.problems[0]  # type: ignore[no-any-return]


def _unchanged(notes: dict[NotePath, Note], read: tuple[tuple[str, str], ...]) -> bool:
    for path, digest in read:
        note = notes.get(NotePath(path))
        if note is None or note.digest != digest:
            return False
    return True


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _strip_md(path: str) -> str:
    return path[:-3] if path.lower().endswith(".md") else path


def find_heading(note: Note, wanted: tuple[str, ...]) -> str | None:
    """The anchor of heading `wanted[-1]` nested under the earlier ones (H1, H2)."""
    heads = note.headings
    lo, hi = 0, len(note.offsets)
    match = None
    for part in wanted:
        key = normalise_heading(part)
        match = next((h for h in heads if lo <= h.start < hi and _same(h.text, key)), None)
        if match is None:
            break
        lo, hi = match.start + 1, match.end
    if match is None and len(wanted) > 1:  # fall back to the last component alone
        key = normalise_heading(wanted[-1])
        match = next((h for h in heads if _same(h.text, key)), None)
    return match.anchor if match else None


def _same(heading: str, key: str) -> bool:
    norm = normalise_heading(heading)
    return norm == key or norm.rstrip("?.!,;") == key.rstrip("?.!,;")
