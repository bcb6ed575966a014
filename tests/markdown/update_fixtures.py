"""Rewrite the expected output of every fixture case from what the code renders now.

    python tests/markdown/update_fixtures.py

For an intended change of output: run it, then read `git diff tests/markdown/fixtures` and
make sure every changed line is a change you meant.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from test_fixtures import FIXTURES, render


def update(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i + 1] == "." and lines[i] != ".":
            title_end = i + 1
            input_end = lines.index(".", title_end + 1)
            expected_end = lines.index(".", input_end + 1)
            source = "\n".join(lines[title_end + 1 : input_end]) + "\n"
            out += lines[i : input_end + 1]
            out += render(source).rstrip("\n").split("\n")
            out.append(".")
            i = expected_end + 1
        else:
            out.append(lines[i])
            i += 1
    path.write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    for fixture in sorted(FIXTURES.glob("*.md")):
        update(fixture)
