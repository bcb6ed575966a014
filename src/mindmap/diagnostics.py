"""Problems found in the notes: data with a position, collected, formatted like a compiler."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


CODES = {
    "link-missing": "a link to a note that does not exist",
    "embed-missing": "an embed of a note or file that does not exist",
    "anchor-missing": "the note exists but has no such heading or block",
    "embed-cycle": "an embed that loops back to itself or nests too deep",
    "frontmatter-yaml": "invalid YAML front matter",
    "blockid-duplicate": "the same ^id twice in a note",
    "nesting-too-deep": "an outline nested deeper than the parser allows",
    "comment-unclosed": "a %% comment that is never closed",
    "template-error": "a template failed",
    "read-error": "a file or folder could not be read",
    "encoding": "a note is not valid UTF-8",
    "filename-encoding": "a file name is not valid UTF-8",
    "search-index": "the search index could not be made",
    "cache-write": "the build cache could not be written (the next build does more work)",
    "home-missing": "the home setting names no published note",
    "permalink": "a permalink with . or .. in its path",
}  # every code; README.md documents each one (tests/test_docs.py checks)


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    path: str  # vault-relative source path ("" for build-wide problems)
    line: int  # 1-based; 0 when unknown
    col: int  # 1-based; 0 when unknown
    severity: Severity
    code: str  # "link-missing", "embed-cycle", "frontmatter-yaml", ...
    message: str
    hint: str | None = None

    def __post_init__(self) -> None:
        assert self.code in CODES, f"unknown diagnostic code {self.code!r}"

    def format(self, notes_dir: str = "") -> str:
        """`notes/a.md:14:9: warning: no note named "X" [link-missing]` plus a hint line."""
        where = f"{notes_dir.rstrip('/')}/{self.path}" if notes_dir and self.path else self.path
        pos = "".join(f":{n}" for n in (self.line, self.col) if n)
        head = f"{where}{pos}: " if where else ""
        text = f"{head}{self.severity.value}: {self.message} [{self.code}]"
        return text + (f"\n    hint: {self.hint}" if self.hint else "")


PER_CODE = 50  # diagnostics printed of each code, unless asked for all (`--all`)


def summarise(diags: list[Diagnostic], notes_dir: str, per_code: int = PER_CODE) -> list[str]:
    """Sorted, deduplicated lines; after `per_code` of one code (0: no limit), a single
    '... and N more'."""
    shown: Counter[str] = Counter()
    lines: list[str] = []
    for d in sorted(set(diags)):
        shown[d.code] += 1
        if not per_code or shown[d.code] <= per_code:
            lines.append(d.format(notes_dir))
    for code, n in sorted(shown.items()):
        if per_code and n > per_code:
            lines.append(f"... and {n - per_code} more [{code}]")
    return lines


def count(diags: list[Diagnostic], severity: Severity) -> int:
    return sum(1 for d in set(diags) if d.severity is severity)
