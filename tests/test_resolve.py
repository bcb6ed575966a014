"""Link resolution against a whole vault: ofm-spec §2 (R1–R9) and §3 (H1–H3, B1).

Each case is (files in the vault, the note that links, the link as written) → expected
(status, target path, anchor). Notes are parsed with `parse_note`, so headings and blocks
are the real ones; attachments are any non-`.md` path.
"""

from __future__ import annotations

import unicodedata

import pytest

from mindmap.markdown import make_markdown, parse_note
from mindmap.model import LinkRef, Note
from mindmap.paths import AssetPath, NotePath
from mindmap.resolve import Resolution, Resolver

MD = make_markdown()

Files = dict[str, str]


def make_resolver(
    files: Files, private: tuple[str, ...] = (), resolve_aliases: bool = False
) -> Resolver:
    notes: dict[NotePath, Note] = {}
    assets: set[AssetPath] = set()
    hidden: set[NotePath] = set()
    for path, text in files.items():
        if path.lower().endswith(".md"):
            if path in private:
                hidden.add(NotePath(path))
            else:
                notes[NotePath(path)] = parse_note(MD, text, path)
        else:
            assets.add(AssetPath(path))
    return Resolver(notes, assets, hidden, resolve_aliases)


def link_in(source: str, written: str) -> LinkRef:
    """The one link of a note whose whole text is `written`."""
    refs = parse_note(MD, written + "\n", source).links
    assert len(refs) == 1, refs
    return refs[0]


def resolve(files: Files, source: str, written: str, **options: object) -> Resolution:
    resolver = make_resolver(files, **options)  # type: ignore[arg-type]
    return resolver.resolve(link_in(source, written), NotePath(source))


def outcome(res: Resolution) -> tuple[str, str | None, str | None]:
    return (res.status, res.target, res.anchor)


FOUND = "found"
MISSING = ("missing", None, None)

R2_VAULT = {"Note.1.md": "", "Figure 1.png": "", "dashboard.md": "", "dashboard.base": ""}
R4_VAULT = {"Projects/Three laws of motion.md": "", "a/x.md": "", "y.md": ""}
SYNC = "Obsidian Sync/Security and privacy.md"
PUBLISH = "Obsidian Publish/Security and privacy.md"
R5_HELP = {SYNC: "", PUBLISH: "", "Obsidian Sync/Set up.md": "", "Obsidian Publish/Intro.md": ""}
R5_ROOT = {"Note.md": "", "zzzz/Note.md": "", "a/b/Note.md": ""}
R5_SHORT = {"zzzz/Note.md": "", "a/b/Note.md": "", "b/Note.md": ""}
R9_VAULT = {
    "Sub/My Note.md": "# Sec\n",
    "Example.md": "## Details\ntext ^blk\n",
    "Projects/Three laws of motion.md": "",
}
NFD = unicodedata.normalize("NFD", "Noteä")
NFC = unicodedata.normalize("NFC", "Noteä")
HEADINGS = """\
## Date & time
## Property
## Minecraft: The Video Game
## How large can each remote vault be?
## Schema.org variables
## Date, time & more
# Questions and advice
## Report bugs
# Other
## Report bugs
### Deeper
"""
H_VAULT = {"N.md": HEADINGS, "Self.md": "# Supported types\npara ^blk\n"}
B_VAULT = {
    "2023-01-01.md": "The quote. ^quote-of-the-day\n\n- item ^Item-1\n  - child\n",
}

CASES = [
    # R1: empty path = the current note
    (
        "R1 heading in this note",
        H_VAULT,
        "Self.md",
        "[[#Supported types]]",
        (FOUND, "Self.md", "supported-types"),
    ),
    ("R1 block in this note", H_VAULT, "Self.md", "[[#^blk]]", (FOUND, "Self.md", "^blk")),
    (
        "R1 markdown link to a heading here",
        H_VAULT,
        "Self.md",
        "[x](#Supported%20types)",
        (FOUND, "Self.md", "supported-types"),
    ),
    # R2: extensions
    ("R2 dot in a note name", R2_VAULT, "x.md", "[[Note.1]]", (FOUND, "Note.1.md", None)),
    ("R2 .md is optional", R2_VAULT, "x.md", "[[Note.1.md]]", (FOUND, "Note.1.md", None)),
    (
        "R2 .md extension is case-insensitive",
        R2_VAULT,
        "x.md",
        "[[Dashboard.MD]]",
        (FOUND, "dashboard.md", None),
    ),
    ("R2 attachments need their extension", R2_VAULT, "x.md", "[[Figure 1]]", MISSING),
    (
        "R2 attachment with extension",
        R2_VAULT,
        "x.md",
        "[[Figure 1.png]]",
        (FOUND, "Figure 1.png", None),
    ),
    (
        "R2 attachment extension is case-insensitive",
        R2_VAULT,
        "x.md",
        "![[figure 1.PNG]]",
        (FOUND, "Figure 1.png", None),
    ),
    (
        "R2 note wins over .base of the same name",
        R2_VAULT,
        "x.md",
        "[[dashboard]]",
        (FOUND, "dashboard.md", None),
    ),
    (
        "R2 .base only with its extension",
        R2_VAULT,
        "x.md",
        "[[dashboard.base]]",
        (FOUND, "dashboard.base", None),
    ),
    # R3: case-insensitive
    ("R3 lower case", {"Log.md": ""}, "x.md", "[[log]]", (FOUND, "Log.md", None)),
    ("R3 upper case", {"Log.md": ""}, "x.md", "[[LOG]]", (FOUND, "Log.md", None)),
    (
        "R3 help vault properties",
        {"Properties.md": ""},
        "x.md",
        "[[properties]]",
        (FOUND, "Properties.md", None),
    ),
    (
        "R3 help vault embed files",
        {"Embed files.md": ""},
        "x.md",
        "[[Embed Files]]",
        (FOUND, "Embed files.md", None),
    ),
    (
        "R3 exact case wins a case tie",
        {"Flancia.md": "", "flancia.md": ""},
        "x.md",
        "[[flancia]]",
        (FOUND, "flancia.md", None),
    ),
    (
        "R3 exact case wins a case tie (other spelling)",
        {"Flancia.md": "", "flancia.md": ""},
        "x.md",
        "[[Flancia]]",
        (FOUND, "Flancia.md", None),
    ),
    # R4: paths
    (
        "R4 vault-root path",
        R4_VAULT,
        "a/x.md",
        "[[Projects/Three laws of motion]]",
        (FOUND, "Projects/Three laws of motion.md", None),
    ),
    (
        "R4 path is case-insensitive",
        R4_VAULT,
        "a/x.md",
        "[[projects/three LAWS of motion.md]]",
        (FOUND, "Projects/Three laws of motion.md", None),
    ),
    ("R4 ../ is relative to the source", R4_VAULT, "a/x.md", "[[../y]]", (FOUND, "y.md", None)),
    ("R4 bare name from a folder", R4_VAULT, "a/x.md", "[[y]]", (FOUND, "y.md", None)),
    (
        "R4 ./ is the source folder",
        {"a/x.md": "", "a/y.md": "", "y.md": ""},
        "a/x.md",
        "[[./y]]",
        (FOUND, "a/y.md", None),
    ),
    ("R4 ../ above the vault is missing", {"y.md": ""}, "x.md", "[[../y]]", MISSING),
    ("R4 ../ does not search by name", {"b/y.md": ""}, "a/x.md", "[[../y]]", MISSING),
    (
        "R4 leading / is the vault root",
        R5_SHORT,
        "zzzz/x.md",
        "[[/a/b/Note.md]]",
        (FOUND, "a/b/Note.md", None),
    ),
    (
        "R4 partial path is a suffix",
        {"zzzz/Note.md": "", "a/b/Note.md": ""},
        "zzzz/x.md",
        "[[b/Note]]",
        (FOUND, "a/b/Note.md", None),
    ),
    (
        "R4 partial path with .md",
        {"a/b/Note.md": ""},
        "x.md",
        "[[B/note.md]]",
        (FOUND, "a/b/Note.md", None),
    ),
    (
        "R4 suffix matches whole folder names only",
        {"a/xb/Note.md": ""},
        "x.md",
        "[[b/Note]]",
        MISSING,
    ),
    ("R4 wrong folder is missing", R4_VAULT, "a/x.md", "[[Other/Three laws of motion]]", MISSING),
    # R5: ambiguous bare names
    (
        "R5 same folder (Sync)",
        R5_HELP,
        "Obsidian Sync/Set up.md",
        "[[Security and privacy]]",
        (FOUND, SYNC, None),
    ),
    (
        "R5 same folder (Publish)",
        R5_HELP,
        "Obsidian Publish/Intro.md",
        "[[Security and privacy]]",
        (FOUND, PUBLISH, None),
    ),
    (
        "R5 exact root path wins over same folder",
        R5_ROOT,
        "zzzz/x.md",
        "[[Note]]",
        (FOUND, "Note.md", None),
    ),
    (
        "R5 shortest path, ancestor folder ignored",
        R5_SHORT,
        "zzzz/deep/x.md",
        "[[Note]]",
        (FOUND, "b/Note.md", None),
    ),
    (
        "R5 same folder over shorter path",
        R5_SHORT,
        "zzzz/x.md",
        "[[Note]]",
        (FOUND, "zzzz/Note.md", None),
    ),
    (
        "R5 shortest path string, not fewest folders",
        {"a/b/Note.md": "", "zzzz/Note.md": ""},
        "x.md",
        "[[Note]]",
        (FOUND, "a/b/Note.md", None),
    ),
    ("R5 from the root, shortest", R5_SHORT, "x.md", "[[Note]]", (FOUND, "b/Note.md", None)),
    # R6: aliases are not link targets
    (
        "R6 alias is unresolved",
        {"Artificial intelligence.md": "---\naliases: [AI]\n---\n"},
        "x.md",
        "[[AI]]",
        MISSING,
    ),
    (
        "R6 alias in other case is unresolved",
        {"Artificial intelligence.md": "---\naliases: [AI]\n---\n"},
        "x.md",
        "[[ai]]",
        MISSING,
    ),
    (
        "R6 the link the suggester writes",
        {"Artificial intelligence.md": "---\naliases: [AI]\n---\n"},
        "x.md",
        "[[Artificial intelligence|AI]]",
        (FOUND, "Artificial intelligence.md", None),
    ),
    # R7: unresolved
    ("R7 missing note", {"a.md": ""}, "x.md", "[[Nowhere]]", MISSING),
    ("R7 missing note with folder", {"a.md": ""}, "x.md", "[[f/Nowhere#H]]", MISSING),
    # R8: unicode
    (
        "R8 NFD link finds NFC file",
        {f"{NFC}.md": ""},
        "x.md",
        f"[[{NFD}]]",
        (FOUND, f"{NFC}.md", None),
    ),
    (
        "R8 NFC link finds NFD file",
        {f"{NFD}.md": ""},
        "x.md",
        f"[[{NFC}]]",
        (FOUND, f"{NFD}.md", None),
    ),
    ("R8 unicode case folding", {"Ärger.md": ""}, "x.md", "[[ärger]]", (FOUND, "Ärger.md", None)),
    # R9: Markdown links
    (
        "R9 percent-decoded, vault-wide",
        R9_VAULT,
        "x.md",
        "[y](My%20Note.md)",
        (FOUND, "Sub/My Note.md", None),
    ),
    (
        "R9 with a heading",
        R9_VAULT,
        "x.md",
        "[y](My%20Note.md#Sec)",
        (FOUND, "Sub/My Note.md", "sec"),
    ),
    ("R9 .md optional", R9_VAULT, "x.md", "[s](Example#Details)", (FOUND, "Example.md", "details")),
    ("R9 with a block", R9_VAULT, "x.md", "[s](Example.md#^blk)", (FOUND, "Example.md", "^blk")),
    (
        "R9 angle brackets",
        R9_VAULT,
        "x.md",
        "[x](<Projects/Three laws of motion.md>)",
        (FOUND, "Projects/Three laws of motion.md", None),
    ),
    (
        "R9 encoded path",
        R9_VAULT,
        "x.md",
        "[x](Projects/Three%20laws%20of%20motion.md)",
        (FOUND, "Projects/Three laws of motion.md", None),
    ),
    (
        "R9 relative Markdown link",
        {"a/x.md": "", "y.md": ""},
        "a/x.md",
        "[x](../y.md)",
        (FOUND, "y.md", None),
    ),
    (
        "R9 Markdown image",
        {"img/pic 1.png": ""},
        "x.md",
        "![a](img/pic%201.png)",
        (FOUND, "img/pic 1.png", None),
    ),
    (
        "P8 a URL in a wikilink is an unresolved note",
        {"a.md": ""},
        "x.md",
        "[[https://example.com]]",
        MISSING,
    ),
    # H1: heading matching
    ("H1 exact heading", H_VAULT, "x.md", "[[N#Date & time]]", (FOUND, "N.md", "date-time")),
    ("H1 case-insensitive", H_VAULT, "x.md", "[[N#property]]", (FOUND, "N.md", "property")),
    (
        "H1 colon dropped",
        H_VAULT,
        "x.md",
        "[[N#Minecraft The Video Game]]",
        (FOUND, "N.md", "minecraft-the-video-game"),
    ),
    (
        "H1 colon kept",
        H_VAULT,
        "x.md",
        "[[N#Minecraft: The Video Game]]",
        (FOUND, "N.md", "minecraft-the-video-game"),
    ),
    (
        "H1 extra spaces",
        H_VAULT,
        "x.md",
        "[[N#  minecraft   the video  game ]]",
        (FOUND, "N.md", "minecraft-the-video-game"),
    ),
    (
        "H1 dots survive",
        H_VAULT,
        "x.md",
        "[[N#Schema.org variables]]",
        (FOUND, "N.md", "schema-org-variables"),
    ),
    (
        "H1 commas and ampersands survive",
        H_VAULT,
        "x.md",
        "[[N#date, TIME & more]]",
        (FOUND, "N.md", "date-time-more"),
    ),
    (
        "H3 trailing ? rescued",
        H_VAULT,
        "x.md",
        "[[N#How large can each remote vault be]]",
        (FOUND, "N.md", "how-large-can-each-remote-vault-be"),
    ),
    (
        "H1 with the ?",
        H_VAULT,
        "x.md",
        "[[N#How large can each remote vault be?|x]]",
        (FOUND, "N.md", "how-large-can-each-remote-vault-be"),
    ),
    (
        "H1 first duplicate wins",
        H_VAULT,
        "x.md",
        "[[N#Report bugs]]",
        (FOUND, "N.md", "report-bugs"),
    ),
    # H2: nested heading paths
    (
        "H2 nested path",
        H_VAULT,
        "x.md",
        "[[N#Questions and advice#Report bugs]]",
        (FOUND, "N.md", "report-bugs"),
    ),
    (
        "H2 nested path picks the one under A",
        H_VAULT,
        "x.md",
        "[[N#Other#Report bugs]]",
        (FOUND, "N.md", "report-bugs-2"),
    ),
    (
        "H2 three levels",
        H_VAULT,
        "x.md",
        "[[N#Other#Report bugs#Deeper]]",
        (FOUND, "N.md", "deeper"),
    ),
    (
        "H2 falls back to the last part",
        H_VAULT,
        "x.md",
        "[[N#Nowhere#Deeper]]",
        (FOUND, "N.md", "deeper"),
    ),
    (
        "H2 heading outside A's section is not under A",
        H_VAULT,
        "x.md",
        "[[N#Questions and advice#Deeper]]",
        (FOUND, "N.md", "deeper"),
    ),
    # H3: missing heading
    ("H3 missing heading", H_VAULT, "x.md", "[[N#Nope]]", ("bad-anchor", "N.md", None)),
    (
        "H3 missing nested heading",
        H_VAULT,
        "x.md",
        "[[N#Other#Nope]]",
        ("bad-anchor", "N.md", None),
    ),
    (
        "H3 missing heading in this note",
        H_VAULT,
        "Self.md",
        "[[#Nope]]",
        ("bad-anchor", "Self.md", None),
    ),
    # B1: blocks
    (
        "B1 block",
        B_VAULT,
        "x.md",
        "[[2023-01-01#^quote-of-the-day]]",
        (FOUND, "2023-01-01.md", "^quote-of-the-day"),
    ),
    (
        "B1 block ids are case-insensitive",
        B_VAULT,
        "x.md",
        "[[2023-01-01#^QUOTE-of-the-day]]",
        (FOUND, "2023-01-01.md", "^quote-of-the-day"),
    ),
    (
        "B1 anchor keeps the id's own case",
        B_VAULT,
        "x.md",
        "[[2023-01-01#^item-1]]",
        (FOUND, "2023-01-01.md", "^Item-1"),
    ),
    (
        "B1 missing block",
        B_VAULT,
        "x.md",
        "[[2023-01-01#^nope]]",
        ("bad-anchor", "2023-01-01.md", None),
    ),
    (
        "B1 embed of a block",
        B_VAULT,
        "x.md",
        "![[2023-01-01#^Item-1]]",
        (FOUND, "2023-01-01.md", "^Item-1"),
    ),
    (
        "B2 double # before a block id",
        B_VAULT,
        "x.md",
        "[[2023-01-01##^quote-of-the-day]]",
        (FOUND, "2023-01-01.md", "^quote-of-the-day"),
    ),
    # attachments and subpaths
    (
        "E5 image fragment is not a heading",
        {"img.png": ""},
        "x.md",
        "![[img.png#icon|100]]",
        (FOUND, "img.png", None),
    ),
]


@pytest.mark.parametrize(
    ("files", "source", "written", "expected"),
    [pytest.param(f, s, w, e, id=name) for name, f, s, w, e in CASES],
)
def test_resolve(files: Files, source: str, written: str, expected: tuple[object, ...]) -> None:
    files = {source: "", **files} if source not in files else files
    assert outcome(resolve(files, source, written)) == expected


def test_attachment_resolutions_are_marked() -> None:
    files = {"x.md": "", "Figure 1.png": "", "Note.md": ""}
    assert resolve(files, "x.md", "[[Figure 1.png]]").is_asset is True
    assert resolve(files, "x.md", "[[Note]]").is_asset is False


# --- ambiguity bugs ----------------------------------------------------------------------


def test_shortest_path_beats_exact_case_across_folders() -> None:
    files = {"a/b/note.md": "", "b/Note.md": "", "zzzz/deep/x.md": ""}
    assert resolve(files, "zzzz/deep/x.md", "[[note]]").target == "b/Note.md"


def test_exact_case_tie_with_extension() -> None:
    files = {"Flancia.md": "", "flancia.md": "", "x.md": ""}
    assert resolve(files, "x.md", "[[flancia.md]]").target == "flancia.md"


@pytest.mark.parametrize(
    ("heading", "written"),
    [("## `move`", "[[#`move`|move]]"), ("## **Bold** words", "[[#**Bold** words]]")],
)
def test_heading_written_with_its_markup(heading: str, written: str) -> None:
    res = resolve({"x.md": heading + "\n"}, "x.md", written)
    assert res.status == FOUND and res.anchor is not None


# --- aliases (opt-in) --------------------------------------------------------------------


ALIASED = {
    "Artificial intelligence.md": "---\naliases: [AI, Machine minds]\n---\n",
    "Other.md": "",
    "x.md": "",
}


@pytest.mark.parametrize("written", ["[[AI]]", "[[ai]]", "[[machine MINDS]]"])
def test_aliases_resolve_with_the_switch(written: str) -> None:
    res = resolve(ALIASED, "x.md", written, resolve_aliases=True)
    assert outcome(res) == (FOUND, "Artificial intelligence.md", None)
    assert outcome(resolve(ALIASED, "x.md", written)) == MISSING


def test_a_real_name_beats_an_alias() -> None:
    files = {**ALIASED, "AI.md": ""}
    assert resolve(files, "x.md", "[[AI]]", resolve_aliases=True).target == "AI.md"


# --- private notes -----------------------------------------------------------------------


def test_private_notes() -> None:
    files = {"secret.md": "# H\n", "x.md": ""}
    for written in ("[[secret]]", "[[secret#H]]", "![[secret]]", "[s](secret.md)"):
        res = resolve(files, "x.md", written, private=("secret.md",))
        assert outcome(res) == ("private", None, None), written


def test_a_private_root_note_shadows_a_published_one() -> None:
    # R5 picks the root Note.md; it is private, so the link must not fall through to another.
    files = {"Note.md": "", "sub/Note.md": "", "x.md": ""}
    res = resolve(files, "sub/x.md", "[[Note]]", private=("Note.md",))
    assert res.status == "private"


# --- find() directly ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "found"),
    [
        ("Note", "b/Note.md"),
        (" note ", "b/Note.md"),
        ("zzzz/Note", "zzzz/Note.md"),
        ("/zzzz/Note.md", "zzzz/Note.md"),
        ("Nope", None),
        ("Note.png", None),
    ],
)
def test_find(target: str, found: str | None) -> None:
    resolver = make_resolver(R5_SHORT)
    assert resolver.find(target, "elsewhere/x.md") == found


# --- did you mean -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "hint"),
    [
        ("Graph theroy", "Graph theory"),
        ("graph THEORY", "Graph theory"),
        ("Tres", "Trees"),
        ("completely different", None),
        ("", None),
    ],
)
def test_suggest(target: str, hint: str | None) -> None:
    resolver = make_resolver({"ideas/Graph theory.md": "", "Trees.md": "", "Zebra.md": ""})
    assert resolver.suggest(target) == hint


_TIED = """
import test_resolve as T
names = {f"gaXarXrdXdeXen{i:02d}.md": "" for i in range(40)} | {"gardens.md": ""}
print(T.make_resolver(names).suggest("garden"))
"""


def test_a_suggestion_does_not_depend_on_the_hash_seed() -> None:
    """More than 30 names share as many letter pairs with a missing link's name: which of
    them are compared must not follow Python's string hashing (PYTHONHASHSEED)."""
    import os
    import subprocess
    import sys

    here = os.path.dirname(__file__)
    found = set()
    for seed in ("1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": here}
        run = subprocess.run([sys.executable, "-c", _TIED], env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        found.add(run.stdout.strip())
    assert found == {"gardens"}  # the nearest in length among the ties, in every process
