"""Golden vaults: small vaults built into a temporary folder and compared file by file.

Each case is a folder `tests/golden/<case>/` with

* `notes/`: the vault (3–6 notes);
* `mindmap.yml` (optional): its settings;
* `expected/`: the checked-in output: every HTML page, `graph.json` (pretty-printed here, so
  that a diff is readable: the comparison is of the parsed JSON, re-printed the same way),
  every copied attachment, and `diagnostics.txt` (what `mindmap build` prints about the vault,
  one diagnostic per line, paths as `notes/...`). `static/`, `.nojekyll` and `.mindmap-site`
  are not kept (the CSS is compared elsewhere).

A mismatch fails with a unified diff per file. After an intended change to the output,
regenerate every expected tree with the one command

    pytest tests/golden --update-golden

then READ the diff (`git diff tests/golden`) before committing it: a golden file blesses what
the generator does, right or wrong.

Cases in `KNOWN_BUGS` hold hand-checked *correct* output that the generator does not produce
yet: they are strict xfails, and `--update-golden` leaves them alone. When the bug is fixed the
case passes, the strict xfail fails, and the entry must be removed.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from mindmap.build import build_site
from mindmap.config import Config, load_config
from mindmap.diagnostics import summarise
from sitetools import parse_html, read_site

HERE = Path(__file__).resolve().parent
CASES = sorted(p.name for p in HERE.iterdir() if (p / "notes").is_dir())
SKIP_PREFIXES = ("static/", "search-index/")  # the search index: tests/test_search.py
SKIP_FILES = {".nojekyll", ".mindmap-site"}
KNOWN_BUGS: dict[str, str] = {}  # case → "BUG: file, function, what is wrong"


def build_case(case: Path, out: Path) -> dict[str, bytes]:
    """The files of the case's site as they are kept in `expected/`."""
    settings = case / "mindmap.yml"
    config = load_config(settings) if settings.exists() else Config(base_dir=case)
    result = build_site(case / "notes", out, config, None, 1)
    files = {
        rel: data
        for rel, data in read_site(out).items()
        if rel not in SKIP_FILES and not rel.startswith(SKIP_PREFIXES)
    }
    files["graph.json"] = pretty_json(files["graph.json"])
    diagnostics = summarise(result.diagnostics, "notes")
    files["diagnostics.txt"] = "".join(line + "\n" for line in diagnostics).encode()
    return files


def pretty_json(data: bytes) -> bytes:
    return (
        json.dumps(json.loads(data), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    ).encode()


def is_text(rel: str) -> bool:
    return rel.endswith((".html", ".json", ".txt"))


def file_diff(rel: str, expected: bytes, actual: bytes) -> str:
    if not is_text(rel):
        return f"--- {rel}: binary files differ ({len(expected)} vs {len(actual)} bytes)\n"
    lines = difflib.unified_diff(
        expected.decode("utf-8").splitlines(keepends=True),
        actual.decode("utf-8").splitlines(keepends=True),
        f"expected/{rel}",
        f"actual/{rel}",
    )
    return "".join(lines)


def params() -> list:
    return [
        pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_BUGS[name], strict=True))
        if name in KNOWN_BUGS
        else name
        for name in CASES
    ]


@pytest.mark.parametrize("name", params())
def test_golden(name: str, tmp_path: Path, update_golden: bool) -> None:
    case = HERE / name
    actual = build_case(case, tmp_path / "site")
    expected_dir = case / "expected"
    if update_golden and name in KNOWN_BUGS:
        pytest.skip(f"{name}: expected/ is hand-checked correct output of a known bug; not updated")
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, data in actual.items():
            path = expected_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return
    assert expected_dir.is_dir(), (
        f"no expected output for {name}: run pytest {HERE} --update-golden"
    )
    expected = read_site(expected_dir)
    problems = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        problems.append(f"files no longer written: {missing}")
    if extra:
        problems.append(f"files not in expected/: {extra}")
    for rel in sorted(set(expected) & set(actual)):
        if expected[rel] != actual[rel]:
            problems.append(file_diff(rel, expected[rel], actual[rel]))
    assert not problems, (
        f"golden case {name!r} differs (update with: pytest tests/golden --update-golden)\n"
        + "\n".join(problems)
    )


def test_every_case_has_expected_output() -> None:
    """A new case without expected/ is a mistake, not a silent pass."""
    assert CASES, "no golden cases found"
    for name in CASES:
        assert (HERE / name / "expected").is_dir(), name


@pytest.mark.parametrize("name", CASES)
def test_expected_pages_are_well_formed(name: str) -> None:
    """What is blessed must at least be valid structure: no block element inside a <p>."""
    expected = HERE / name / "expected"
    for page in sorted(expected.rglob("*.html")):
        problems = parse_html(page.read_text(encoding="utf-8")).attrs["block_in_p"]
        assert not problems, f"{page.relative_to(HERE)}: {problems}"
