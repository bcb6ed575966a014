"""The `mindmap` command as a user meets it: arguments, output, exit codes, settings errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import mindmap
from mindmap.cli import main
from sitetools import read_site, snapshot, write_files

# Line 3 column 5 holds the typo, so the diagnostic position is known exactly.
VAULT = {
    "a.md": "# A\n\nSee [[Grpah theory]] and [[B]].\n",
    "B.md": "Back to [[a]].\n",
    "Graph theory.md": "Nodes and edges.\n",
    "img/pic.png": b"\x89PNG\r\n\x1a\n-not-really",
}
TYPO = 'notes/a.md:3:5: warning: no note named "Grpah theory" [link-missing]'
HINT = "    hint: did you mean [[Graph theory]]?"
SUMMARY = re.compile(
    r"^built (\d+) notes into (\d+) pages \((\d+) files\) in (\S+)/ in \d+\.\d\ds: "
    r"(\d+) errors, (\d+) warnings$",
    re.M,
)


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder holding the tiny vault in notes/, as a new user's would."""
    write_files(tmp_path / "notes", VAULT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_build_defaults_notes_to_site(cwd: Path) -> None:
    result = run("build")
    assert result.exit_code == 0, result.output
    site = cwd / "site"
    files = read_site(site)
    assert {"index.html", "a.html", "b.html", "graph-theory.html", "graph.json"} <= set(files)
    assert "img/pic.png" not in files  # nothing links to it: not copied
    assert b'href="b.html"' in files["a.html"]


def test_summary_line_counts_what_was_written(cwd: Path) -> None:
    result = run("build")
    assert result.exit_code == 0, result.output
    match = SUMMARY.search(result.stderr)
    assert match, result.stderr
    notes, pages, count, out, errors, warnings = match.groups()
    files = read_site(cwd / "site")
    assert int(notes) == 3
    assert int(pages) == sum(1 for f in files if f.endswith(".html"))
    assert int(count) == len(files)
    assert out == "site"
    assert (int(errors), int(warnings)) == (0, 1)
    assert "parsed 3 notes" in result.stderr  # progress lines


def test_out_option(cwd: Path) -> None:
    result = run("build", "notes", "-o", "public/www")
    assert result.exit_code == 0, result.output
    assert (cwd / "public/www/index.html").is_file()
    assert not (cwd / "site").exists()
    assert "in public/www/ in" in result.stderr


def test_diagnostics_printed_like_a_compiler(cwd: Path) -> None:
    result = run("build")
    lines = result.stderr.splitlines()
    assert TYPO in lines
    assert lines[lines.index(TYPO) + 1] == HINT
    assert result.exit_code == 0  # warnings do not fail a build


def test_diagnostic_paths_use_the_notes_dir_as_typed(cwd: Path) -> None:
    (cwd / "notes").rename(cwd / "vault")
    result = run("build", "vault/")
    assert result.exit_code == 0, result.output
    assert TYPO.replace("notes/", "vault/") in result.stderr.splitlines()


def test_strict_exits_1_on_warnings(cwd: Path) -> None:
    result = run("build", "--strict")
    assert result.exit_code == 1
    assert TYPO in result.stderr.splitlines()


def test_strict_exits_0_without_warnings(cwd: Path) -> None:
    (cwd / "notes/a.md").write_text("# A\n\nSee [[Graph theory]] and [[B]].\n")
    result = run("build", "--strict")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.stderr


def test_severity_setting_changes_levels(cwd: Path) -> None:
    (cwd / "mindmap.yml").write_text("severity:\n  link-missing: error\n")
    result = run("build")
    assert result.exit_code == 1
    assert TYPO.replace("warning:", "error:") in result.stderr.splitlines()
    assert "1 errors, 0 warnings" in result.stderr
    (cwd / "mindmap.yml").write_text("severity:\n  link-missing: info\n")
    result = run("build", "--strict")
    assert result.exit_code == 0, result.output
    assert TYPO.replace("warning:", "info:") in result.stderr.splitlines()


def test_quiet_prints_only_diagnostics(cwd: Path) -> None:
    result = run("build", "-q")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [TYPO, HINT]
    assert result.stdout == ""


def test_config_option_and_site_title(cwd: Path) -> None:
    (cwd / "conf").mkdir()
    (cwd / "conf/site.yml").write_text("title: My <Garden>\n")
    result = run("build", "-c", "conf/site.yml")
    assert result.exit_code == 0, result.output
    page = (cwd / "site/a.html").read_text()
    assert re.search(r"<title>[^<]* · My &lt;Garden&gt;</title>", page), page[:400]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour: red\n", "mindmap.yml: unknown setting(s): colour"),
        ("resolve_aliases: sometimes\n", "mindmap.yml: resolve_aliases must be true or false"),
        ("embed_depth: deep\n", "mindmap.yml: embed_depth must be a whole number"),
        ("embed_depth: -1\n", "mindmap.yml: embed_depth must be a whole number"),
        ("severity: [a]\n", "mindmap.yml: severity must be a mapping"),
        ("severity:\n  link-missing: fatal\n", "severity levels must be error, warning or info"),
        (
            "severity:\n  link-mising: info\n  nosuch: error\n",
            "mindmap.yml: unknown diagnostic code(s) under severity: "
            "link-mising (did you mean link-missing?), nosuch",
        ),
        ("- just\n- a list\n", "mindmap.yml: expected a mapping of settings"),
        ('title: "unclosed\n', "cannot read mindmap.yml"),
        ("title: [a\n", "cannot read mindmap.yml"),
    ],
)
def test_bad_settings_exit_2_and_build_nothing(cwd: Path, text: str, message: str) -> None:
    (cwd / "mindmap.yml").write_text(text)
    before = snapshot(cwd)
    result = run("build")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(cwd) == before


@pytest.mark.parametrize("text", ["ignore: [2024]\n", "ignore: 7\n", "ignore: [null]\n"])
def test_non_string_ignore_patterns_do_not_crash(cwd: Path, text: str) -> None:
    (cwd / "mindmap.yml").write_text(text)
    result = run("build")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2)  # read as a pattern, or refused with a message
    if result.exit_code == 2:
        assert "ignore" in result.stderr


def test_missing_notes_dir_exits_2(cwd: Path) -> None:
    result = run("build", "nowhere")
    assert result.exit_code == 2
    assert "Error: notes folder not found: nowhere" in result.stderr
    assert not (cwd / "site").exists()


def test_missing_default_notes_dir_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert result.exit_code == 2
    assert "notes folder not found: notes" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_check_prints_the_same_diagnostics_and_writes_nothing(cwd: Path) -> None:
    before = snapshot(cwd)
    checked = run("check")
    assert snapshot(cwd) == before  # no site/, no temporary folder, nothing in notes/
    assert checked.exit_code == 0
    assert re.search(r"^checked 3 notes in \d+\.\d\ds: 0 errors, 1 warnings$", checked.stderr, re.M)
    built = run("build", "-q")
    assert checked.stderr.splitlines()[:-1] == built.stderr.splitlines()


def test_check_strict_and_missing_dir(cwd: Path) -> None:
    assert run("check", "--strict").exit_code == 1
    result = run("check", "elsewhere")
    assert result.exit_code == 2
    assert "notes folder not found: elsewhere" in result.stderr


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"mindmap, version {mindmap.__version__}"


def test_python_dash_m_subprocess(cwd: Path) -> None:
    """One real process, as a user runs it: `python -m mindmap build`."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "mindmap", "build", "-j", "1"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert TYPO in lines
    assert lines[lines.index(TYPO) + 1] == HINT
    assert SUMMARY.search(proc.stderr)
    assert (cwd / "site/index.html").is_file()
    assert (cwd / "site/.mindmap-site").is_file()
    again = subprocess.run(
        [sys.executable, "-m", "mindmap", "build", "--strict", "-q"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert again.returncode == 1  # and the previous site was replaced, not refused
    assert again.stderr.splitlines() == [TYPO, HINT]


@pytest.mark.parametrize("command", ["check", "build"])
def test_fifty_diagnostics_of_a_code_then_a_count_unless_all(cwd: Path, command: str) -> None:
    write_files(cwd / "many", {"Many.md": "".join(f"[[missing {i:02}]]\n" for i in range(60))})
    lines = run(command, "many").stderr.splitlines()
    shown = [line for line in lines if "Many.md" in line]
    assert len(shown) == 50 and shown[-1].startswith("many/Many.md:50:1: warning")
    assert "... and 10 more [link-missing]" in lines
    every = run(command, "many", "--all").stderr
    assert [n for n in range(1, 61) if f"many/Many.md:{n}:1: warning" not in every] == []
    assert "more [link-missing]" not in every


def test_a_settings_file_beside_the_notes_is_pointed_at(tmp_path: Path, monkeypatch) -> None:
    """Run from another folder, the build uses default settings (./mindmap.yml is looked
    for where it runs), and says where the vault's own file is."""
    write_files(tmp_path / "project" / "notes", VAULT)
    (tmp_path / "project" / "mindmap.yml").write_text("title: My garden\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = run("build", "../project/notes", "-o", "site")
    assert result.exit_code == 0, result.output
    assert (
        "note: no ./mindmap.yml here, so default settings are used; "
        "../project/mindmap.yml exists: pass -c ../project/mindmap.yml to use it"
    ) in result.stderr
    monkeypatch.chdir(tmp_path / "project")
    assert "note:" not in run("build", "notes", "-o", "site").stderr


def test_a_site_that_cannot_be_written_is_an_error_without_a_traceback(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk full under the output: one line saying so (no traceback), exit code 1, and
    the site of the last build as it was (a first build or --clean writes a new folder)."""
    import errno

    import mindmap.output

    assert run("build").exit_code == 0
    before = read_site(cwd / "site")

    def full(self: object, url: str, data: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(mindmap.output.SiteWriter, "write", full)
    result = run("build", "--clean")
    assert result.exit_code == 1
    assert "Error: the build stopped: [Errno 28] No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert read_site(cwd / "site") == before
    assert not [p for p in cwd.iterdir() if p.name.startswith(".site")]  # no half site left
