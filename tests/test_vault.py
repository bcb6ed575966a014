"""`ignore` patterns: gitignore semantics, checked case by case and against git itself.

`GIT` cases are ones where the first version (fnmatch over the whole path) disagreed with
git, `SAME` ones where it already agreed; `test_ignore_agrees_with_git` runs both through
`git check-ignore`, so the tables cannot drift from what they claim. `OURS` are deliberate
differences from git: case and Unicode form, no comments, no negation.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mindmap.paths import nfc
from mindmap.vault import is_ignored

GIT: list[tuple[str, str, bool]] = [
    # A leading `**/` matches at any depth, the root included.
    ("**/private/", "private/Diary.md", True),
    ("**/Secret.md", "Secret.md", True),
    ("**/drafts/**", "drafts/Plan.md", True),
    # `a/**/b` matches `a/b` too: `/**/` is zero or more folders.
    ("journal/**/Secret.md", "journal/Secret.md", True),
    ("journal/**/**/Secret.md", "journal/Secret.md", True),
    # `*`, `?` and a class never match a `/`.
    ("journal/*.md", "journal/2024/Day.md", False),
    ("notes/a?b.md", "notes/a/b.md", False),
    ("notes/a[!x]b.md", "notes/a/b.md", False),
    ("notes/a**.md", "notes/ax/b.md", False),  # `**` inside a name is a plain `*`
    # Classes: `^` negates as `!` does; a backslash escapes inside one.
    ("[^x]ecret.md", "Secret.md", True),
    ("[\\]]x.md", "]x.md", True),
    # A backslash makes the next character literal: `#`, `!`, `*`, `?`, `[`.
    ("\\#hash.md", "#hash.md", True),
    ("\\!bang.md", "!bang.md", True),
    ("\\*star.md", "*star.md", True),
    ("what\\?.md", "what?.md", True),
    ("\\[draft].md", "[draft].md", True),
    # A trailing `/` matches folders only, never a file of that name.
    ("private/", "private", False),
    ("notes/private/", "notes/private", False),
    # POSIX classes, and an escaped space at the end (found by a review)
    ("[[:digit:]]*.md", "1note.md", True),
    ("[[:digit:]]*.md", "anote.md", False),
    ("x[[:punct:]].md", "x!.md", True),
    ("foo\\ ", "foo ", True),
]

# Where git keeps a file that earlier versions of mindmap left out (their `*`, `?` and classes
# crossed folders; `dir/` matched a file named dir): still left out, so that an upgrade
# never publishes a note it left out before.
WIDER = {
    ("journal/*.md", "journal/2024/Day.md"),
    ("notes/a?b.md", "notes/a/b.md"),
    ("notes/a[!x]b.md", "notes/a/b.md"),
    ("notes/a**.md", "notes/ax/b.md"),
    ("private/", "private"),
    ("notes/private/", "notes/private"),
}

SAME: list[tuple[str, str, bool]] = [
    # A name without a slash matches at any depth; a slash anchors at the vault root.
    ("Diary.md", "a/b/Diary.md", True),
    ("private/", "a/private/x.md", True),
    ("journal/x.md", "sub/journal/x.md", False),
    ("/Diary.md", "a/Diary.md", False),
    ("/Diary.md", "Diary.md", True),
    ("journal/2024*", "journal/2024-drafts/x.md", True),  # a folder matched: all inside
    ("drafts/**", "drafts/a/b.md", True),
    ("drafts/**", "drafts.md", False),
    ("**/private/", "a/b/private/x.md", True),
    ("*.pdf", "a/b/x.pdf", True),
    ("[0-9]*.md", "2024-01-01.md", True),
    ("[z-a]x.md", "bx.md", False),
    ("\\*star.md", "xstar.md", False),
    # several stars in a name (each but the last matched without going back)
    ("a*b*c.md", "axbyc.md", True),
    ("a*b*c.md", "acb.md", False),
    ("*a*a*b.md", "aaab.md", True),
    ("*a*a*b.md", "ab.md", False),
]

OURS: list[tuple[tuple[str, ...], str, bool]] = [
    # Case and Unicode form do not matter.
    (("private/",), "Private/Diary.md", True),
    (("café/",), "cafe\u0301/menu.md", True),
    (("**/Private/**",), "a/PRIVATE/x.md", True),
    # No comments (the config is YAML, which has its own) and no negation (a file left out
    # stays out): both read as plain names, which hides more, never less.
    (("#hash.md",), "#hash.md", True),
    (("!bang.md",), "!bang.md", True),
    (("private/", "!private/Keep.md"), "private/Keep.md", True),
    # Blank patterns match nothing; spaces around a pattern do not count; an unclosed `[`
    # is a literal one (git matches nothing).
    (("", "  ", "/"), "Diary.md", False),
    ((" Diary.md ",), "Diary.md", True),
    (("[draft.md",), "[draft.md", True),
    (("notes//private/",), "notes/private/x.md", True),  # `//` is one `/` (git: no match)
]


@pytest.mark.parametrize(("pattern", "path", "expected"), GIT)
def test_ignore_follows_gitignore(pattern: str, path: str, expected: bool) -> None:
    assert is_ignored(path, (pattern,)) is (expected or (pattern, path) in WIDER)


@pytest.mark.parametrize(("pattern", "path", "expected"), SAME)
def test_ignore_keeps_what_already_followed_gitignore(
    pattern: str, path: str, expected: bool
) -> None:
    assert is_ignored(path, (pattern,)) is expected


@pytest.mark.parametrize(("patterns", "path", "expected"), OURS)
def test_ignore_keeps_its_own_choices(patterns: tuple[str, ...], path: str, expected: bool) -> None:
    assert is_ignored(path, patterns) is expected


NAME = st.text(st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1)


@given(st.lists(NAME, min_size=1, max_size=4), st.text(max_size=30))
def test_any_pattern_works_and_an_escaped_path_matches_itself(
    names: list[str], pattern: str
) -> None:
    """No pattern makes the build fail, and any path, its `*?[]#!` and backslashes escaped,
    is left out by that pattern."""
    path = "/".join(names)
    is_ignored(path, (pattern,))
    assume(path.strip() == path and nfc(path) == path)
    escaped = "".join("\\" + c if c in "*?[]#!\\" else c for c in path)
    assert is_ignored(path, (escaped,))


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_ignore_agrees_with_git(tmp_path: Path) -> None:
    """Each `GIT` and `SAME` case is what `git check-ignore` says: case `i` is folder `i/` of
    one repository, with the pattern in its own `.gitignore` (patterns anchor at its folder)."""
    cases = GIT + SAME
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    paths = []
    for i, (pattern, path, _) in enumerate(cases):
        (tmp_path / str(i) / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / str(i) / path).touch()
        (tmp_path / str(i) / ".gitignore").write_text(pattern + "\n", encoding="utf-8")
        paths.append(f"{i}/{path}")
    run = subprocess.run(
        ["git", "-c", "core.ignorecase=false", "check-ignore", "--no-index", "-z", "--stdin"],
        cwd=tmp_path,
        input="\0".join(paths).encode() + b"\0",
        capture_output=True,
        check=False,
    )
    ignored = set(run.stdout.decode().split("\0")) - {""}
    assert run.returncode in (0, 1), run.stderr
    said = [(case, path in ignored) for case, path in zip(cases, paths, strict=True)]
    assert [(case, git) for case, git in said if case[2] is not git] == []
