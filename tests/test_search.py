"""The search index (src/mindmap/search.py): what reaches it, how it is laid out, when it is
written, and that a failure to write it leaves the site built. The index's files
(`search-index/index.json`, `t-<hash>.json` chunks of terms, `p<k>.json` page tables) are
read back, and checked for consistency, to see exactly what a reader can find."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from mindmap import search, words
from mindmap.build import Builder, build_site
from mindmap.config import Config
from mindmap.search import SEARCH_DIR
from mindmap.serve import content_type
from mindmap.words import Postings, term
from sitetools import parse_html, read_site, write_files

VAULT = {
    "Alpha.md": "---\ntags: [greek]\ncreated: 2024-01-02\n---\n# Alpha\n\n- quixotic bullet\n"
    "  - see [[Beta]]\n\n%%a comment holding xylograph%%\n",
    "deep/Beta.md": "---\ntitle: Beta Note\nsecret_key: zephyrine\n---\nBeta body with "
    "marmalade.\n",
    "Draft.md": "---\ndraft: true\n---\nA draft about obsidianite.\n",
    "Hidden.md": "---\npublish: false\n---\nUnpublished pumpernickel.\n",
}
# the index's own files in its folder (a vault's pages there are not the index's)
INDEX_FILE = re.compile(r"index\.json|t-[0-9a-f]{12}\.json|p\d+-[0-9a-f]{12}\.json")


def utf16(text: str) -> bytes:
    """The order of JavaScript's string comparison."""
    return text.encode("utf-16-be", "surrogatepass")


def index_files(site: Path) -> dict[str, bytes]:
    """The files on disk in search-index/, by name (links are never the index's): the index
    owns the folder, so every file there must be one of its own (`read_index` checks)."""
    folder = site / SEARCH_DIR
    if not folder.is_dir():
        return {}
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.is_symlink()
    }


@dataclass
class Index:
    meta: dict
    pages: list[list]  # [url, title, folder, [anchor, ...]], in page order
    terms: dict[str, list[list[int]]]  # term → postings [page, score, section, weight, ...]
    chunks: dict[str, dict]  # file name → its terms

    def urls(self) -> list[str]:
        return [page[0] for page in self.pages]

    def page(self, url: str) -> list:
        return self.pages[self.urls().index(url)]

    def find(self, word: str) -> dict[str, dict[int, int]]:
        """url → {section: weight} of the pages that hold the word's term."""
        found = {}
        for posting in self.terms.get(term(word), []):
            pairs = posting[2:]
            found[self.pages[posting[0]][0]] = dict(zip(pairs[::2], pairs[1::2], strict=True))
        return found

    def score(self, word: str, url: str) -> int:
        number = self.urls().index(url)
        return next(p[1] for p in self.terms[term(word)] if p[0] == number)


def read_index(site: Path) -> Index:
    """The index in `site`, checked whole: every file index.json names is there and no
    other, chunks hold their terms in order between their first terms, postings point at
    pages and sections that exist, in order."""
    files = index_files(site)
    meta = json.loads(files["index.json"])
    assert meta["format"] == search.FORMAT
    per = meta["perFile"]
    tables = meta["tables"]
    assert len(tables) == -(-meta["pages"] // per)
    for k, name in enumerate(tables):  # named by their bytes: a cached older one never mixes in
        assert name == f"p{k}-{hashlib.sha1(files[name]).hexdigest()[:12]}.json"
    pages = [row for name in tables for row in json.loads(files[name])]
    assert len(pages) == meta["pages"]
    urls = [page[0] for page in pages]
    assert urls == sorted(urls) and len(set(urls)) == len(urls)
    for k, name in enumerate(tables):
        assert len(json.loads(files[name])) == min(per, meta["pages"] - k * per)
    firsts = [first for first, _name in meta["chunks"]]
    assert firsts == sorted(firsts, key=utf16) and len(set(firsts)) == len(firsts)
    terms: dict[str, list[list[int]]] = {}
    chunks = {}
    for i, (first, name) in enumerate(meta["chunks"]):
        assert name == f"t-{hashlib.sha1(files[name]).hexdigest()[:12]}.json"
        chunk = json.loads(files[name])
        keys = list(chunk)
        assert keys and keys[0] == first and keys == sorted(keys, key=utf16)
        if i + 1 < len(firsts):
            assert utf16(keys[-1]) < utf16(firsts[i + 1])
        chunks[name] = chunk
        terms.update(chunk)
    assert sorted(files) == sorted(["index.json", *tables, *chunks])  # no file of an older one
    for t, postings in terms.items():
        assert term(t) == t, t  # terms as words.py makes them
        numbers = [p[0] for p in postings]
        assert numbers == sorted(set(numbers))
        for posting in postings:
            sections = posting[2::2]
            assert len(posting) % 2 == 0 and sections == sorted(set(sections))
            assert all(s < len(pages[posting[0]][3]) for s in sections)
            assert all(w > 0 for w in posting[3::2])
    return Index(meta, pages, terms, chunks)


def build(tmp_path: Path, files: dict[str, str], name: str = "site", **config: object) -> Path:
    notes = write_files(tmp_path / f"notes-{name}", files)
    out = tmp_path / name
    result = build_site(notes, out, Config(**config), jobs=1)  # type: ignore[arg-type]
    assert not [d for d in result.diagnostics if d.code == "search-index"]
    return out


def state(site: Path) -> dict[str, tuple[bytes, int, int]]:
    """The index's files: bytes, mtime, inode (a file written again with the same bytes
    differs)."""
    out = {}
    for name in index_files(site):
        info = (site / SEARCH_DIR / name).stat()
        out[name] = ((site / SEARCH_DIR / name).read_bytes(), info.st_mtime_ns, info.st_ino)
    return out


def touched(before: dict, after: dict) -> set[str]:
    """The files written, added or deleted between two `state`s."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def written(before: dict, after: dict) -> set[str]:
    """The files written between two `state`s (files are named by their bytes but
    index.json: a changed file is a new one, its older self deleted)."""
    return {name for name in after if before.get(name) != after[name]}


def _edit(path: Path, text: str, clock: list[int]) -> None:
    """Write a note with an mtime of its own, well in the past (so the stat cache trusts it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    clock[0] += 10
    os.utime(path, (clock[0], clock[0]))


def clean_index(notes: Path, out: Path) -> dict[str, bytes]:
    Builder(notes, out, Config(), jobs=1, cache=False).build()
    return index_files(out)


# -- what is indexed --------------------------------------------------------------------


def test_only_published_note_pages_are_indexed_with_title_body_and_folder(
    tmp_path: Path,
) -> None:
    site = build(tmp_path, VAULT)
    index = read_index(site)
    assert index.meta["pages"] == 2
    # no listing, tag, folder, home or 404 page; no draft
    assert index.pages == [
        ["alpha.html", "Alpha", "", [""]],
        ["deep/beta.html", "Beta Note", "deep", [""]],
    ]
    assert index.find("marmalade") == {"deep/beta.html": {0: 1}}
    assert index.find("Quixotic") == {"alpha.html": {0: 1}}
    assert index.find("bullets") == {"alpha.html": {0: 1}}  # a query's plural finds it
    # the title counts 5 times; Beta's body says "Beta" once more
    assert index.find("note") == {"deep/beta.html": {0: words.TITLE_WEIGHT}}
    assert index.find("beta")["deep/beta.html"] == {0: words.TITLE_WEIGHT + 1}
    # Alpha's link text is Alpha's; Beta's backlink from Alpha is not Beta's text
    assert index.find("see") == {"alpha.html": {0: 1}}
    assert "deep/beta.html" not in index.find("alpha")
    # tags, dates and file names of the front matter are no text a reader searches
    for word in ("greek", "2024", "created", "md", "deep"):
        assert index.find(word) == {}, word


def test_nothing_private_reaches_the_index(tmp_path: Path) -> None:
    site = build(tmp_path, VAULT)
    data = b"".join(p.read_bytes() for p in sorted((site / SEARCH_DIR).rglob("*")))
    assert b"marmalade" in data  # what is published is there
    index = read_index(site)
    # drafts, unpublished notes, comments, front matter the page does not show
    for word in ("obsidianite", "pumpernickel", "unpublished", "xylograph", "comment"):
        assert word.encode() not in data, word
        assert index.find(word) == {}
    for word in ("zephyrine", "secret_key", "secret", "draft.html", "hidden.html"):
        assert word.encode() not in data, word


def test_title_aliases_and_description_count_in_the_top_section(tmp_path: Path) -> None:
    note = (
        "---\ntitle: Quillwort Meadow\naliases: [Zanzibar Field]\n"
        "description: A sunny meadow.\n---\nLede about a meadow.\n\n## Later\n\nmore\n"
    )
    index = read_index(build(tmp_path, {"Note.md": note}))
    assert index.find("quillwort") == {"note.html": {0: words.TITLE_WEIGHT}}
    assert index.find("zanzibar") == {"note.html": {0: words.ALIAS_WEIGHT}}
    assert index.find("sunny") == {"note.html": {0: 1}}
    assert index.find("meadow") == {"note.html": {0: words.TITLE_WEIGHT + 1 + 1}}
    assert index.find("more") == {"note.html": {1: 1}}


def test_a_lede_that_is_no_string_is_found_as_the_page_shows_it(tmp_path: Path) -> None:
    site = build(tmp_path, {"Orwell.md": "---\ndescription: 1984\n---\nA novel.\n"})
    assert '<p class="mm-lede">1984</p>' in (site / "orwell.html").read_text(encoding="utf-8")
    assert read_index(site).find("1984") == {"orwell.html": {0: 1}}


def test_the_mind_map_view_does_not_add_words_twice(tmp_path: Path) -> None:
    outline = (
        "# Outline\n\n- quixotic branch\n  - jabberwock leaf\n  - second leaf\n"
        "- other branch\n  - final leaf\n"
    )
    site = build(tmp_path, {"Outline.md": outline})
    page = (site / "outline.html").read_text(encoding="utf-8")
    assert "mm-mindview" in page  # the page shows the outline twice: as a list and a map
    assert parse_html(page).text().count("quixotic branch") == 2
    index = read_index(site)
    assert index.find("quixotic") == {"outline.html": {0: 1}}  # as often as the note says
    assert index.find("jabberwock") == {"outline.html": {0: 1}}
    assert index.find("leaf") == {"outline.html": {0: 3}}
    assert index.find("branch") == {"outline.html": {0: 2}}
    assert index.find("map") == {}  # nor the view's caption


def test_sections_are_the_headings_with_their_anchors_on_the_page(tmp_path: Path) -> None:
    note = (
        "# Leading\n\nlede words\n\n## First Part\n\nnarwhal here\n\n## First Part\n\n"
        "narwhal again and again narwhal\n\n### Deeper [[Other|linked]]\n\nokapi\n"
    )
    site = build(tmp_path, {"Sections.md": note, "Other.md": "other\n"})
    index = read_index(site)
    sections = index.page("sections.html")[3]
    # the leading H1 is the title: its section is the page's top
    assert sections == ["", "first-part", "first-part-2", "deeper-linked"]
    page = (site / "sections.html").read_text(encoding="utf-8")
    ids = {e.attrs.get("id") for e in parse_html(page).iter()}
    for anchor in sections[1:]:
        assert anchor in ids, f"#{anchor} is not on the page"
    assert 'id="leading"' in page
    # the H1's words are in section 0, with the title's
    assert index.find("leading") == {"sections.html": {0: words.TITLE_WEIGHT + 3}}
    assert index.find("lede") == {"sections.html": {0: 1}}
    # a heading's words count 3 times in its section, with the text under it
    assert index.find("part") == {"sections.html": {1: 3, 2: 3}}
    assert index.find("narwhal") == {"sections.html": {1: 1, 2: 2}}
    assert index.find("linked") == {"sections.html": {3: 3}}
    assert index.find("okapi") == {"sections.html": {3: 1}}


def test_an_h1_after_text_is_a_section_of_its_own(tmp_path: Path) -> None:
    index = read_index(build(tmp_path, {"Late.md": "Text first.\n\n# Later Heading\n\nbody\n"}))
    assert index.page("late.html")[3] == ["", "later-heading"]
    assert index.find("later") == {"late.html": {1: 3}}
    assert index.find("text") == {"late.html": {0: 1}}


def test_scores_are_bm25_of_the_weighted_count_and_the_page_length(tmp_path: Path) -> None:
    files = {
        "Short.md": "walrus\n",
        "Long.md": "walrus " + " ".join(f"filler{chr(97 + i)}" for i in range(20)) + "\n",
        "Twice.md": "walrus walrus " + " ".join(f"filler{chr(97 + i)}" for i in range(19)) + "\n",
    }
    index = read_index(build(tmp_path, files))
    lengths: dict[int, int] = {}
    for postings in index.terms.values():
        for p in postings:
            lengths[p[0]] = lengths.get(p[0], 0) + sum(p[3::2])
    k1, b, average = words._K1, words._B, words._LENGTH  # BM25's, as the docstring says
    for postings in index.terms.values():
        for p in postings:
            banded = words._BAND ** round(math.log(lengths[p[0]], words._BAND))
            count, norm = sum(p[3::2]), k1 * (1 - b + b * banded / average)
            assert abs(p[1] - 1000 * count * (k1 + 1) / (count + norm)) <= 0.5
    short, long, twice = (index.score("walrus", f"{n}.html") for n in ("short", "long", "twice"))
    assert short > long  # the same count in a longer page
    assert twice > long  # more of it in a page of the same length
    assert index.find("walrus")["twice.html"] == {0: 2}


def test_terms_are_in_javascript_order_and_cut_into_chunks() -> None:
    """Chunks cut where a term's hash says so, names hashed from their first terms; terms in
    UTF-16 order (what search.js compares), which differs from Python's for characters
    beyond the BMP; page numbers in url order, whatever the entries' order."""
    words = ["z", "\U00020000", "\ufa0e", "a"] + [f"w{i}" for i in range(200)]

    def entry(url: str, words: list[str]) -> search.Entry:
        lines = "\n".join(f"{w}\t1000,0,1" for w in words)
        return search.Entry(url, url, "", Postings(("",), lines), url)

    entries = [entry("b.html", words[:100]), entry("a.html", [*words[100:], "z"])]
    files = search.index_files(entries)
    assert files == search.index_files(entries[::-1])
    meta = json.loads(files["index.json"])
    chunks = [json.loads(files[name]) for _first, name in meta["chunks"]]
    assert len(chunks) > 1
    order = [t for chunk in chunks for t in chunk]
    assert order == sorted(words, key=utf16)
    assert order.index("\U00020000") < order.index("\ufa0e")  # a surrogate pair sorts first
    assert sorted(words).index("\U00020000") > sorted(words).index("\ufa0e")  # in Python, last
    merged = {t: p for chunk in chunks for t, p in chunk.items()}
    assert [p[0] for p in merged["z"]] == [0, 1]  # a.html is page 0
    assert json.loads(files[meta["tables"][0]]) == [
        ["a.html", "a.html", "", [""]],
        ["b.html", "b.html", "", [""]],
    ]


def test_an_index_prepared_ahead_is_written_only_for_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build makes the index's files while its workers render (`prepare`); `want`
    writes them if its pages are the ones prepared, and makes them again if not."""

    def entry(url: str, word: str) -> search.Entry:
        return search.Entry(url, url, "", Postings(("",), f"{word}\t1000,0,1"), url + word)

    made: list[int] = []
    make = search.index_files
    monkeypatch.setattr(
        search, "index_files", lambda pages, stop=None: made.append(1) or make(pages)
    )
    index = search.SearchIndex(tmp_path, None)
    index.prepare([entry("a.html", "alpha")])
    assert index.want([entry("a.html", "alpha")], now=True) == [] and len(made) == 1
    first = index_files(tmp_path)
    index.prepare([entry("a.html", "alpha")])
    index.want([entry("a.html", "beta")], now=True)  # another page: not the prepared one
    assert len(made) == 3 and index_files(tmp_path) != first
    assert b"beta" in b"".join(index_files(tmp_path).values())


# -- writing it -------------------------------------------------------------------------


@pytest.mark.parametrize("per_file", [64, 1])
def test_two_builds_write_byte_identical_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_file: int
) -> None:
    monkeypatch.setattr(search, "PAGES_PER_FILE", per_file)
    one, two = build(tmp_path, VAULT, "one"), build(tmp_path, VAULT, "two")
    files = index_files(one)
    tables = ["p0"] if per_file > 1 else ["p0", "p1"]
    assert sorted(n.partition("-")[0] for n in files if n.startswith("p")) == tables
    assert sum(n.startswith("t-") for n in files) >= 1
    assert files == index_files(two)
    assert {u for u in read_site(one) if u.startswith(f"{SEARCH_DIR}/")} == {
        f"{SEARCH_DIR}/{n}" for n in files
    }  # nothing else in the folder
    read_index(one)


def test_search_off_writes_no_index_page_or_button(tmp_path: Path) -> None:
    files = read_site(build(tmp_path, VAULT, search=False))
    assert not any(u.startswith(f"{SEARCH_DIR}/") for u in files)
    assert "search.html" not in files
    assert b"mm-search-open" not in files["alpha.html"]
    assert b"search.js" not in files["alpha.html"]
    on = read_site(build(tmp_path, VAULT, "on"))
    assert b'href="search.html"' in on["alpha.html"] and b"static/search.js" in on["alpha.html"]
    assert "search.html" in on and f"{SEARCH_DIR}/index.json" in on


def test_turning_search_off_deletes_the_index_and_on_makes_it_again(tmp_path: Path) -> None:
    notes = write_files(tmp_path / "notes", VAULT)
    out = tmp_path / "site"
    Builder(notes, out, Config(), jobs=1).build()
    made = index_files(out)
    assert made
    Builder(notes, out, Config(search=False), jobs=1).build()
    assert not (out / SEARCH_DIR).exists()
    assert not (out / "search.html").exists() and (out / "alpha.html").is_file()
    Builder(notes, out, Config(), jobs=1).build()
    assert index_files(out) == made


def test_a_file_put_into_the_index_folder_is_deleted_by_the_next_build(tmp_path: Path) -> None:
    """The folder is the index's own (no vault file lands there): anything else found in it
    (by hand, or a file of an older index) is deleted, and the index is made whole again."""
    notes = write_files(tmp_path / "notes", VAULT)
    out = tmp_path / "site"
    Builder(notes, out, Config(), jobs=1).build()
    before = index_files(out)
    (out / SEARCH_DIR / "notes.txt").write_text("by hand", encoding="utf-8")
    (out / SEARCH_DIR / "t-000000000000.json").write_text("{}", encoding="utf-8")
    Builder(notes, out, Config(), jobs=1).build()
    assert index_files(out) == before
    read_index(out)


def test_an_unchanged_site_keeps_its_index_and_a_deleted_one_is_made_again(
    tmp_path: Path,
) -> None:
    notes = write_files(tmp_path / "notes", VAULT)
    out = tmp_path / "site"
    Builder(notes, out, Config(), jobs=1).build()
    before = state(out)
    assert len(before) >= 3
    Builder(notes, out, Config(), jobs=1).build()  # a second `mindmap build`: nothing to do
    assert state(out) == before  # not written again: same bytes, mtimes, inodes
    # a new tag, no new word: the index's files are not written again
    (notes / "Alpha.md").write_text(
        VAULT["Alpha.md"].replace("[greek]", "[greek, roman]"), encoding="utf-8"
    )
    Builder(notes, out, Config(), jobs=1).build()
    assert (out / "tags" / "roman.html").is_file()
    assert state(out) == before
    shutil.rmtree(out / SEARCH_DIR)
    Builder(notes, out, Config(), jobs=1).build()
    assert {n: s[0] for n, s in state(out).items()} == {n: s[0] for n, s in before.items()}
    (out / SEARCH_DIR / "index.json").unlink()  # the file that names the others
    Builder(notes, out, Config(), jobs=1).build()
    assert index_files(out) == {n: s[0] for n, s in before.items()}


# 40 notes of 12 words each, no word in two notes: several chunks of terms
SYLLABLES = ["ka", "lo", "mi", "nu", "pe", "ri", "so", "tu"]
WORDS = [a + b + c + "x" for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES][:480]
MANY = {f"N{i:02}.md": f"Note about {' '.join(WORDS[12 * i : 12 * i + 12])}.\n" for i in range(40)}


def chunk_of(index: Index, t: str) -> str:
    return next(name for name, chunk in index.chunks.items() if t in chunk)


def test_an_edit_rewrites_only_the_chunks_of_the_terms_it_swaps(tmp_path: Path) -> None:
    notes = write_files(tmp_path / "notes", MANY)
    out = tmp_path / "site"
    Builder(notes, out, Config(), jobs=1).build()
    old = read_index(out)
    assert len(old.chunks) >= 6
    before = state(out)
    lost = WORDS[12 * 7 + 5]  # one of N07's words, in the middle of its chunk
    assert all(first != lost for first, _name in old.meta["chunks"])
    text = MANY["N07.md"].replace(lost, "zzquokka")  # a word for a word: the same length
    (notes / "N07.md").write_text(text, encoding="utf-8")
    Builder(notes, out, Config(), jobs=1).build()
    new = read_index(out)
    assert new.find("zzquokka") == {"n07.html": {0: 1}} and new.find(lost) == {}
    after = state(out)
    neighbour = next(first for first, name in old.meta["chunks"] if name == chunk_of(old, lost))
    new_chunks = {chunk_of(new, "zzquokka"), chunk_of(new, neighbour)}
    assert written(before, after) == {"index.json", *new_chunks}
    # gone: the chunk that held `lost`, and the one "zzquokka" went into, under their old names
    home = max((f for f, _n in old.meta["chunks"] if utf16(f) <= utf16("zzquokka")), key=utf16)
    into = dict(old.meta["chunks"])[home]
    assert set(before) - set(after) == {chunk_of(old, lost), into}
    kept = set(before) & set(after) - {"index.json"}
    assert len(kept) >= len(before) - 3 and all(before[n] == after[n] for n in kept)
    assert index_files(out) == clean_index(notes, tmp_path / "clean")


def test_an_edit_that_adds_a_word_rewrites_only_the_chunks_of_its_new_terms(
    tmp_path: Path,
) -> None:
    notes = write_files(tmp_path / "notes", MANY)
    out = tmp_path / "site"
    Builder(notes, out, Config(), jobs=1).build()
    before = state(out)
    (notes / "N07.md").write_text(MANY["N07.md"] + "\nzzquokka\n", encoding="utf-8")
    Builder(notes, out, Config(), jobs=1).build()
    new = read_index(out)
    after = state(out)
    assert written(before, after) == {"index.json", chunk_of(new, "zzquokka")}
    assert len(set(before) - set(after)) == 1  # the chunk it was added to, under its old name


def test_notes_added_and_removed_update_the_page_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PAGES_PER_FILE", 2)
    files = {f"{c}.md": f"Note {c} about {c}{c}word.\n" for c in "abcde"}
    notes = write_files(tmp_path / "notes", files)
    out = tmp_path / "site"

    def check(urls: list[str], step: str) -> Index:
        Builder(notes, out, Config(), jobs=1).build()
        index = read_index(out)
        assert index.urls() == urls
        for url in urls:
            c = url[0]
            assert index.find(f"{c}{c}word") == {url: {0: 1}}  # page numbers, across tables
        assert index_files(out) == clean_index(notes, tmp_path / f"clean-{step}")
        return index

    check(["a.html", "b.html", "c.html", "d.html", "e.html"], "0")
    tables = sorted(n.partition("-")[0] for n in index_files(out) if n.startswith("p"))
    assert tables == ["p0", "p1", "p2"]
    before = state(out)
    (notes / "f.md").write_text("Note f about ffword.\n", encoding="utf-8")
    check(["a.html", "b.html", "c.html", "d.html", "e.html", "f.html"], "1")
    changed = {n.partition("-")[0] for n in touched(before, state(out)) if n.startswith("p")}
    assert changed == {"p2"}  # p0 and p1 kept their bytes and names
    (notes / "a.md").unlink()
    (notes / "c.md").unlink()
    index = check(["b.html", "d.html", "e.html", "f.html"], "2")
    assert index.find("aaword") == {} and index.find("ccword") == {}
    assert not list((out / SEARCH_DIR).glob("p2-*.json"))
    for c in "bdef":
        (notes / f"{c}.md").unlink()
    Builder(notes, out, Config(), jobs=1).build()  # no note left: an empty index
    index = read_index(out)
    assert index.meta["pages"] == 0 and index.pages == [] and index.terms == {}
    assert sorted(index_files(out)) == ["index.json"]


@pytest.mark.parametrize("per_file", [64, 1])
def test_live_index_is_exact_once_settled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_file: int
) -> None:
    """As under serve: the index is made only when idle (`settle`), given up when a save
    comes in, and then equals a clean build's, on disk and in the snapshot served (with one
    page table, and with one page a table)."""
    monkeypatch.setattr(search, "PAGES_PER_FILE", per_file)
    notes = write_files(tmp_path / "notes", VAULT)
    clock = [1_600_000_000]
    for rel in VAULT:
        os.utime(notes / rel, (clock[0], clock[0]))
    live = Builder(notes, tmp_path / "live", Config(), jobs=1, keep=True)
    live.build()
    assert not (tmp_path / "live" / search.META).exists()  # deferred: a save's page does not wait
    assert live.search.due is not None
    live.settle()
    assert live.search.due is None and (tmp_path / "live" / search.META).is_file()
    edits = [
        ("Alpha.md", "# Alpha\n\n- a new word: quokka\n"),
        ("Draft.md", "Now published: obsidianite.\n"),  # a draft made public
        ("deep/Beta.md", "---\ndraft: true\n---\nmarmalade\n"),  # a note made a draft
        ("New.md", "## A heading\n\nnew note\n"),
    ]
    for n, (rel, text) in enumerate(edits):
        _edit(notes / rel, text, clock)
        older = index_files(tmp_path / "live")
        live.build()
        assert index_files(tmp_path / "live") == older  # the older index until idle
        live.settle(stop=lambda: True)  # a save came in: given up, still due
        assert live.search.due is not None
        assert index_files(tmp_path / "live") == older
        live.settle()
        assert live.search.due is None
        index = clean_index(notes, tmp_path / f"clean-{n}")
        assert index_files(tmp_path / "live") == index
        served = {u: live.files[u] for u in live.files if u.startswith(f"{SEARCH_DIR}/")}
        assert {u: Path(p).read_bytes() for u, p in served.items()} == {  # type: ignore[arg-type]
            f"{SEARCH_DIR}/{name}": data for name, data in index.items()
        }
    found = read_index(tmp_path / "live")
    assert found.urls() == ["alpha.html", "draft.html", "new.html"]
    assert found.find("quokka") == {"alpha.html": {0: 1}}
    assert found.find("obsidianite") == {"draft.html": {0: 1}}
    assert found.find("marmalade") == {}
    assert found.find("heading") == {"new.html": {1: 3}}


def test_a_note_named_search_or_a_folder_named_search_index_keeps_its_pages(
    tmp_path: Path,
) -> None:
    """search.html is the search page, search-index/ the index's own folder: a note named
    Search and a vault folder named search-index are published beside them, under other
    names, and the index never touches their pages."""
    files = {
        "Search.md": "Notes on search.\n",
        "search-index/Own.md": "mine\n",
        "search-index/Index.md": "an index note\n",
    }
    notes = write_files(tmp_path / "notes", files)
    out = tmp_path / "site"
    Builder(notes, out, Config(), jobs=1).build()
    site = read_site(out)
    assert b"Notes on search." in site["search-2.html"]  # search.html is the search page
    assert b"Search needs JavaScript" in site["search.html"]
    own = site["search-index-2/own.html"]
    assert b"mine" in own
    assert not [u for u in site if u.startswith("search-index/") and u.endswith(".html")]
    index = read_index(out)
    assert index.urls() == ["search-2.html", "search-index-2/index.html", "search-index-2/own.html"]
    assert index.page("search-index-2/own.html")[2] == "search-index"  # its folder in the vault
    (notes / "Search.md").write_text("Notes on finding.\n", encoding="utf-8")
    Builder(notes, out, Config(), jobs=1).build()  # the index written again: pages left alone
    assert read_index(out).find("finding") == {"search-2.html": {0: 1}}
    assert (out / "search-index-2" / "own.html").read_bytes() == own
    Builder(notes, out, Config(search=False), jobs=1).build()  # the index deleted
    assert index_files(out) == {}
    assert not (out / "search-index").exists()
    assert b"<p>mine</p>" in (out / "search-index-2" / "own.html").read_bytes()
    assert b"an index note" in (out / "search-index-2" / "index.html").read_bytes()


def test_a_vault_file_in_a_folder_named_search_index_is_not_lost(tmp_path: Path) -> None:
    files = {
        "Data.md": "See [table](search-index/p7.json) and [meta](search-index/index.json).\n",
        "search-index/p7.json": '{"mine": 7}\n',
        "search-index/index.json": '{"mine": true}\n',
    }
    notes = write_files(tmp_path / "notes", files)
    out = tmp_path / "site"
    for _ in range(2):
        Builder(notes, out, Config(), jobs=1).build()
        page = (out / "data.html").read_text(encoding="utf-8")
        hrefs = re.findall(r'href="(search-index[^"]*\.json)"', page)
        assert len(hrefs) == 2
        linked = {(out / href).read_bytes() if (out / href).is_file() else None for href in hrefs}
        assert linked == {b'{"mine": 7}\n', b'{"mine": true}\n'}  # the links give the files
        read_index(out)  # and the index is whole


@pytest.mark.parametrize(
    "link",
    [
        "search-index",
        "search-index/index.json",
        "search-index/p0.json",
        "search-index/t-0123456789.json",
    ],
)
def test_the_index_is_never_written_or_deleted_through_a_link(tmp_path: Path, link: str) -> None:
    """`serve` does not look for strays: the index's own writing and deleting must not go
    through a link to a folder or a file elsewhere."""
    out, outside = tmp_path / "site", tmp_path / "outside"
    theirs = {"index.json": b"theirs", "p0.json": b"theirs", "t-0123456789.json": b"theirs"}
    write_files(outside, theirs)
    (out / link).parent.mkdir(parents=True, exist_ok=True)
    if link == SEARCH_DIR:
        (out / link).symlink_to(outside, target_is_directory=True)
    else:
        (out / link).symlink_to(outside / Path(link).name)
    search.write_index(out, {"index.json": b"{}\n", "p0.json": b"[]\n"})
    assert read_site(outside) == theirs
    assert not (out / SEARCH_DIR).is_symlink()
    for name, data in (("index.json", b"{}\n"), ("p0.json", b"[]\n")):
        assert not (out / SEARCH_DIR / name).is_symlink()
        assert (out / SEARCH_DIR / name).read_bytes() == data
    search.remove_index(out, keep=["index.json"])
    assert read_site(outside) == theirs
    assert not (out / SEARCH_DIR / "p0.json").exists()
    search.remove_index(out)
    assert read_site(outside) == theirs
    assert not (out / SEARCH_DIR / "index.json").exists()


def test_a_build_never_writes_the_index_through_a_link(tmp_path: Path) -> None:
    notes = write_files(tmp_path / "notes", VAULT)
    out, outside = tmp_path / "site", tmp_path / "outside"
    Builder(notes, out, Config(), jobs=1).build()
    made = index_files(out)
    shutil.move(out / SEARCH_DIR, outside)
    theirs = read_site(outside)
    (out / SEARCH_DIR).symlink_to(outside, target_is_directory=True)
    (notes / "Alpha.md").write_text("# Alpha\n\nnew words\n", encoding="utf-8")
    Builder(notes, out, Config(), jobs=1).build()
    assert read_site(outside) == theirs
    assert not (out / SEARCH_DIR).is_symlink()
    assert read_index(out).find("new") == {"alpha.html": {0: 1}}
    assert index_files(out) != made
    (out / SEARCH_DIR).rename(tmp_path / "mine")
    (out / SEARCH_DIR).symlink_to(outside, target_is_directory=True)
    Builder(notes, out, Config(search=False), jobs=1).build()  # deleting the index
    assert read_site(outside) == theirs


def test_serve_answers_index_files_as_json(tmp_path: Path) -> None:
    for name in ("index.json", "t-0123456789.json", "p0.json"):
        assert content_type(f"{SEARCH_DIR}/{name}").startswith("application/json")
    notes = write_files(tmp_path / "notes", VAULT)
    live = Builder(notes, tmp_path / "live", Config(), jobs=1, keep=True)
    live.build()
    live.settle()
    served = sorted(u for u in live.files if u.startswith(f"{SEARCH_DIR}/"))
    assert served == [f"{SEARCH_DIR}/{n}" for n in index_files(tmp_path / "live")]
    assert served


# -- when it cannot be written ----------------------------------------------------------


def _failing_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    real = search.replace_file

    def replace(target: Path, data: bytes) -> None:
        if SEARCH_DIR in target.parts:
            raise PermissionError(13, "Permission denied", str(target))
        real(target, data)

    monkeypatch.setattr(search, "replace_file", replace)


def _folder_in_the_way(out: Path) -> None:
    shutil.rmtree(out / SEARCH_DIR, ignore_errors=True)
    (out / SEARCH_DIR / "index.json").mkdir(parents=True)
    (out / SEARCH_DIR / "index.json" / "x").write_text("in the way")


@pytest.mark.parametrize("broken", ["replace fails", "a folder in the way"])
def test_a_failure_to_write_the_index_is_a_warning_and_the_site_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    notes = write_files(tmp_path / "notes", VAULT)
    out = tmp_path / "site"
    if broken == "replace fails":
        _failing_replace(monkeypatch)
        result = Builder(notes, out, Config(), jobs=1).build()
    else:
        Builder(notes, out, Config(), jobs=1).build()
        _folder_in_the_way(out)
        (notes / "Alpha.md").write_text("# Alpha\n\nchanged\n", encoding="utf-8")
        result = Builder(notes, out, Config(), jobs=1).build()
    problems = [d for d in result.diagnostics if d.code == "search-index"]
    assert len(problems) == 1 and problems[0].severity == "warning"
    assert "the search index was not written" in problems[0].message
    expected = "Permission denied" if broken == "replace fails" else "index.json"
    assert expected in problems[0].message
    files = read_site(out)
    assert "alpha.html" in files and "search.html" in files and "notes.html" in files
    if broken == "replace fails":
        assert not (out / SEARCH_DIR / "index.json").exists()
    else:
        assert b"changed" in files["alpha.html"]
    monkeypatch.undo()
    shutil.rmtree(out / SEARCH_DIR, ignore_errors=True)
    result = Builder(notes, out, Config(), jobs=1).build()  # fixed: made by the next build
    assert not [d for d in result.diagnostics if d.code == "search-index"]
    assert index_files(out) == clean_index(notes, tmp_path / "clean")


def test_a_failed_write_leaves_no_temporary_file_once_the_index_is_made(tmp_path: Path) -> None:
    notes = write_files(tmp_path / "notes", VAULT)
    out = tmp_path / "site"

    def mindmap_build() -> str:
        """A `mindmap build`: a process of its own (its pid is in its temporary files' names)."""
        args = [sys.executable, "-m", "mindmap", "build", str(notes), "-o", str(out), "-j", "1"]
        run = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=True)
        return run.stdout + run.stderr

    mindmap_build()
    _folder_in_the_way(out)
    (notes / "Alpha.md").write_text("# Alpha\n\nchanged\n", encoding="utf-8")
    assert "the search index was not written" in mindmap_build()
    shutil.rmtree(out / SEARCH_DIR / "index.json")  # the folder in the way, and only it
    assert "search-index" not in mindmap_build()
    assert index_files(out) == clean_index(notes, tmp_path / "clean")
    assert sorted(p.name for p in (out / SEARCH_DIR).iterdir()) == sorted(index_files(out))


def test_under_serve_a_failure_is_reported_once_and_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = write_files(tmp_path / "notes", VAULT)
    live = Builder(notes, tmp_path / "live", Config(), jobs=1, keep=True)
    _failing_replace(monkeypatch)
    live.build()
    first = live.settle()
    assert [d.code for d in first] == ["search-index"]
    assert live.search.due is not None  # still wanted
    assert live.settle() == []  # the same problem: not reported again
    monkeypatch.undo()
    assert live.settle() == []
    assert live.search.due is None and live.search.problem is None
    assert index_files(tmp_path / "live") == clean_index(notes, tmp_path / "clean")
