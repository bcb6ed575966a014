"""The search index (src/mindmap/search.py): what reaches it, when it is made, and that a
failing indexer leaves the site built. The index's page records (Pagefind's fragments: gzip
of `pagefind_dcd` + JSON) are read back to see exactly what a reader can find."""

from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from mindmap import search
from mindmap.build import Builder, build_site
from mindmap.config import Config
from mindmap.indexer import Indexer
from mindmap.search import ENTRY, SHARDS, executable
from mindmap.serve import content_type
from sitetools import read_site, write_files

pytestmark = pytest.mark.skipif(executable() is None, reason="Pagefind's binary is missing")

VAULT = {
    "Alpha.md": "---\ntags: [greek]\ncreated: 2024-01-02\n---\n# Alpha\n\n- quixotic bullet\n"
    "  - see [[Beta]]\n\n%%a comment holding xylograph%%\n",
    "deep/Beta.md": "---\ntitle: Beta Note\nsecret_key: zephyrine\n---\nBeta body with "
    "marmalade.\n",
    "Draft.md": "---\ndraft: true\n---\nA draft about obsidianite.\n",
    "Hidden.md": "---\npublish: false\n---\nUnpublished pumpernickel.\n",
}


def records(site: Path, folder: str = "") -> dict[str, dict]:
    """url → the page record Pagefind stores: content, meta (title, folder); of every shard
    (or of the shard in `folder`, relative to pagefind/)."""
    out = {}
    shards = [folder] if folder else shards_of(site)
    for shard in shards:
        for path in sorted((site / "pagefind" / shard / "fragment").iterdir()):
            data = gzip.decompress(path.read_bytes())
            assert data.startswith(b"pagefind_dcd")
            record = json.loads(data[len(b"pagefind_dcd") :])
            assert record["url"] not in out  # a page is in one shard only
            out[record["url"]] = record
    return out


def shards_of(site: Path) -> list[str]:
    """The shards' folders that pagefind/shards.json lists ("" or "s<k>/")."""
    return json.loads((site / SHARDS).read_bytes())["shards"]


def build(tmp_path: Path, files: dict[str, str], name: str = "site", **config: object) -> Path:
    notes = write_files(tmp_path / f"notes-{name}", files)
    out = tmp_path / name
    build_site(notes, out, Config(**config), jobs=1)  # type: ignore[arg-type]
    return out


def test_only_note_pages_are_indexed_with_title_body_and_folder(tmp_path: Path) -> None:
    site = build(tmp_path, VAULT)
    found = records(site)
    assert sorted(found) == ["/alpha.html", "/deep/beta.html"]  # no listing, tag, 404 page
    beta = found["/deep/beta.html"]
    assert beta["meta"]["title"] == "Beta Note"
    assert beta["meta"]["folder"] == "deep"
    assert "marmalade" in beta["content"]
    alpha = found["/alpha.html"]
    assert "folder" not in alpha["meta"]  # a note at the root has no folder
    assert "quixotic bullet" in alpha["content"]
    # the crumbs, dates, tags and footer are not text a reader searches; backlinks neither
    assert "greek" not in alpha["content"] and "2024" not in alpha["content"]
    assert "alpha.md" not in alpha["content"].lower()
    assert "Alpha" not in beta["content"]  # Alpha links here: its backlink card is not indexed


def test_the_mind_map_view_does_not_repeat_the_outline(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    build_site(root / "notes", tmp_path / "demo", Config(), jobs=1)
    page = (tmp_path / "demo" / "people" / "memory.html").read_text(encoding="utf-8")
    assert page.count("three processes") >= 2  # the outline and its mind map
    memory = records(tmp_path / "demo")["/people/memory.html"]["content"]
    assert memory.count("three processes") == 1 and "Mind map" not in memory


def test_the_index_of_the_read_parts_is_the_index_of_the_whole_pages(tmp_path: Path) -> None:
    """Pagefind is given only what it reads of each page (`indexed_part`), in memory: the
    files it makes are byte for byte those it makes from the pages as published, and its
    page records (url, title, content) are those of Pagefind's command line over the site."""
    root = Path(__file__).resolve().parents[1]
    site = tmp_path / "demo"
    build_site(root / "notes", site, Config(search=False), jobs=1)
    urls = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if b"data-pagefind-body" in p.read_bytes()
    )
    assert len(urls) > 10
    memory = (site / "people" / "memory.html").read_bytes()
    part = search.indexed_part(memory)
    assert part is not None and len(part) < len(memory) / 2
    assert b"mm-mindview" in memory and b"mm-mindview" not in part  # left out, as Pagefind would
    assert b"three processes" in part
    ours = search.make_index(site, urls)
    exe = executable()
    assert exe is not None
    with Indexer(exe) as indexer:
        whole = indexer.index([(f"/{u}", (site / u).read_bytes()) for u in urls], search._CONFIG)
    assert ours == {name: whole[name] for name in ours}
    cli = tmp_path / "cli"
    args = ["--site", str(site), "--output-path", str(cli), "--keep-index-url", "--silent"]
    subprocess.run([str(exe), *args, "--exclude-selectors", ".mm-mindview"], check=True)
    fragments = {n: d for n, d in ours.items() if n.startswith("fragment/")}
    assert len(fragments) == len(urls)
    assert fragments == {n: (cli / n).read_bytes() for n in fragments}


def test_nothing_private_reaches_the_index(tmp_path: Path) -> None:
    site = build(tmp_path, VAULT)
    index = b"".join(p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file())
    text = json.dumps(records(site))
    for word in ("obsidianite", "pumpernickel", "xylograph", "zephyrine", "secret_key"):
        assert word not in text  # drafts, unpublished notes, comments, unshown front matter
        assert word.encode() not in index


@pytest.mark.parametrize("shard_pages", [300, 1])
def test_two_builds_write_byte_identical_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shard_pages: int
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", shard_pages)
    one = read_site(build(tmp_path, VAULT, "one"))
    two = read_site(build(tmp_path, VAULT, "two"))
    index = {u for u in one if u.startswith("pagefind/")}
    # one shard a note: 2 shards, but both notes hash to the first (an empty one has no folder)
    entries = {
        "pagefind/pagefind-entry.json" if shard_pages > 1 else "pagefind/s0/pagefind-entry.json"
    }
    assert {u for u in index if u.endswith("entry.json")} == entries
    assert any(u.endswith(".pf_index") for u in index)
    assert not any("pagefind-ui" in u for u in index)  # Pagefind's ready-made UIs are dropped
    assert {u: one[u] for u in index} == {u: two[u] for u in two if u.startswith("pagefind/")}


def test_search_off_writes_no_index_page_or_button(tmp_path: Path) -> None:
    files = read_site(build(tmp_path, VAULT, search=False))
    assert not any(u.startswith("pagefind/") for u in files)
    assert "search.html" not in files
    assert b"mm-search-open" not in files["alpha.html"]
    on = read_site(build(tmp_path, VAULT, "on"))
    assert b'href="search.html"' in on["alpha.html"] and b"static/search.js" in on["alpha.html"]
    assert b"Search needs JavaScript" in on["search.html"]


def _failing_binary(tmp_path: Path) -> Path:
    script = tmp_path / "pagefind-broken"
    script.write_text("#!/bin/sh\necho 'Error: it broke' >&2\nexit 3\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.parametrize("broken", ["missing", "crash"])
def test_a_failing_indexer_is_a_diagnostic_and_the_site_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    binary = tmp_path / "nowhere" if broken == "missing" else _failing_binary(tmp_path)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    notes = write_files(tmp_path / "notes", VAULT)
    result = build_site(notes, tmp_path / "site", Config(), jobs=1)
    problems = [d for d in result.diagnostics if d.code == "search-index"]
    assert len(problems) == 1 and problems[0].severity == "warning"
    expected = "not found" if broken == "missing" else "exit status 3): Error: it broke"
    assert expected in problems[0].message
    files = read_site(tmp_path / "site")
    assert "alpha.html" in files and "search.html" in files and "notes.html" in files
    assert not any(u.startswith("pagefind/") for u in files)


def test_an_unchanged_site_keeps_its_index_and_a_deleted_one_is_made_again(
    tmp_path: Path,
) -> None:
    notes = write_files(tmp_path / "notes", VAULT)
    out = tmp_path / "site"
    Builder(notes, out, Config(), jobs=1).build()
    entry = out / ENTRY
    before = entry.stat().st_mtime_ns
    Builder(notes, out, Config(), jobs=1).build()  # a second `mindmap build`: nothing to do
    assert entry.stat().st_mtime_ns == before
    for path in sorted((out / "pagefind").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (out / "pagefind").rmdir()
    Builder(notes, out, Config(), jobs=1).build()
    assert sorted(records(out)) == ["/alpha.html", "/deep/beta.html"]


def _edit(path: Path, text: str, clock: list[int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    clock[0] += 10
    os.utime(path, (clock[0], clock[0]))


@pytest.mark.parametrize("shard_pages", [300, 1])
def test_live_index_is_exact_once_settled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shard_pages: int
) -> None:
    """As under serve: the index is made only when idle (`settle`), given up when a save
    comes in, and then equals a clean build's, on disk and in the snapshot served (with
    one shard, and with one shard a note: 2, then 4 shards as a draft is published)."""
    monkeypatch.setattr(search, "SHARD_PAGES", shard_pages)
    notes = write_files(tmp_path / "notes", VAULT)
    clock = [1_600_000_000]
    for rel in VAULT:
        os.utime(notes / rel, (clock[0], clock[0]))
    live = Builder(notes, tmp_path / "live", Config(), jobs=1, keep=True)
    live.build()
    assert not (tmp_path / "live" / ENTRY).exists()  # deferred: a save's page does not wait
    live.settle()
    edits = [
        ("Alpha.md", "# Alpha\n\n- a new word: quokka\n"),
        ("Draft.md", "Now published: obsidianite.\n"),  # a draft made public
        ("deep/Beta.md", "---\ndraft: true\n---\nmarmalade\n"),  # a note made a draft
    ]
    for n, (rel, text) in enumerate(edits):
        _edit(notes / rel, text, clock)
        live.build()
        live.settle(stop=lambda: True)  # a save came in: given up, still due
        assert live.search.due is not None
        live.settle()
        clean = tmp_path / f"clean-{n}"
        Builder(notes, clean, Config(), jobs=1, cache=False).build()
        index = {u: d for u, d in read_site(clean).items() if u.startswith("pagefind/")}
        on_disk = {u: d for u, d in read_site(tmp_path / "live").items() if u in index}
        assert on_disk == index
        assert not any(
            u.startswith("pagefind/") and u not in index for u in read_site(tmp_path / "live")
        )
        served = {u: live.files[u] for u in live.files if u.startswith("pagefind/")}
        assert {u: Path(p).read_bytes() for u, p in served.items()} == index  # type: ignore[arg-type]
    found = records(tmp_path / "live")
    assert sorted(found) == ["/alpha.html", "/draft.html"]
    assert "quokka" in found["/alpha.html"]["content"]


def test_a_note_named_search_or_a_folder_named_pagefind_keeps_its_pages(
    tmp_path: Path,
) -> None:
    files = read_site(
        build(tmp_path, {"Search.md": "Notes on search.\n", "pagefind/Own.md": "mine\n"})
    )
    assert b"Notes on search." in files["search-2.html"]  # search.html is the search page
    assert b"Search needs JavaScript" in files["search.html"]
    assert b"mine" in files["pagefind/own.html"]  # the index's cleanup leaves it alone
    assert sorted(records(tmp_path / "site")) == ["/pagefind/own.html", "/search-2.html"]


def test_serve_answers_index_files_with_sensible_types() -> None:
    assert content_type("pagefind/wasm.en.pagefind") == "application/octet-stream"
    assert content_type("pagefind/index/en_1.pf_index") == "application/octet-stream"
    assert content_type("pagefind/x.wasm") == "application/wasm"
    assert content_type("pagefind/pagefind.js").startswith("text/javascript")
    assert content_type("pagefind/pagefind-entry.json").startswith("application/json")


WORDS = "apricot bramble cobalt damson ember fennel garnet hazel indigo juniper kelp lichen"
# 12 notes, 3 a shard: 4 shards (by the hash of their urls: s0 n09; s1 n00 n11; s2 n01 n03;
# s3 the other 7)
SHARDED = {f"N{i:02}.md": f"# N{i:02}\n\nA note about {w}.\n" for i, w in enumerate(WORDS.split())}


def _state(site: Path, shard: str) -> dict[str, tuple[bytes, int, int]]:
    """A shard's files: bytes, mtime, inode (a file rewritten with the same bytes differs)."""
    out = {}
    for path in sorted((site / "pagefind" / shard).rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and (shard or not rel.startswith("pagefind/s")):
            info = path.stat()
            out[rel] = (path.read_bytes(), info.st_mtime_ns, info.st_ino)
    return out


def test_a_big_vault_is_split_into_shards_each_indexed_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 3)
    site = build(tmp_path, SHARDED)
    assert shards_of(site) == ["s0/", "s1/", "s2/", "s3/"]
    assert (site / SHARDS).read_bytes() == b'{"shards": ["s0/", "s1/", "s2/", "s3/"]}\n'
    assert not (site / ENTRY).exists()  # no index at pagefind/ itself
    expected = {"s0/": ["n09"], "s1/": ["n00", "n11"], "s2/": ["n01", "n03"]}
    for shard, names in expected.items():
        found = records(site, shard)
        assert sorted(found) == [f"/{n}.html" for n in names]  # urls of the site, not of
        assert found[f"/{names[0]}.html"]["meta"]["title"] == names[0].upper()  # the shard
        assert (site / "pagefind" / shard / "pagefind.js").is_file()
    found = records(site)
    assert len(found) == 12 and len(records(site, "s3/")) == 7
    for i, word in enumerate(WORDS.split()):
        assert word in found[f"/n{i:02}.html"]["content"]


def test_an_edit_reindexes_only_its_shard_and_an_emptied_shard_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 3)
    notes = write_files(tmp_path / "notes", SHARDED)
    out = tmp_path / "site"
    Builder(notes, out, Config(), jobs=1).build()
    before = {shard: _state(out, shard) for shard in shards_of(out)}
    indexed: list[list[str]] = []  # the pages of each Pagefind run
    make = search.make_index
    monkeypatch.setattr(
        search,
        "make_index",
        lambda site, urls, stop: indexed.append(list(urls)) or make(site, urls, stop),
    )
    (notes / "N09.md").write_text("# N09\n\nA note about [[N00]].\n", encoding="utf-8")
    Builder(notes, out, Config(), jobs=1).build()  # N00's page has a new backlink, not
    assert indexed == [["n09.html"]]  # in what Pagefind reads: its shard is not made again
    assert b"mm-backlinks" in (out / "n00.html").read_bytes()
    clean = tmp_path / "clean"
    Builder(notes, clean, Config(), jobs=1, cache=False).build()
    index = {u: d for u, d in read_site(clean).items() if u.startswith("pagefind/")}
    assert {u: d for u, d in read_site(out).items() if u.startswith("pagefind/")} == index
    indexed.clear()
    (notes / "N01.md").write_text("# N01\n\nNow about quince.\n", encoding="utf-8")
    Builder(notes, out, Config(), jobs=1).build()  # a second `mindmap build`
    assert indexed == [["n01.html", "n03.html"]]  # its shard only
    after = {shard: _state(out, shard) for shard in shards_of(out)}
    assert sorted(after) == sorted(before)
    for shard in ("s1/", "s3/"):
        assert after[shard] == before[shard]  # not rewritten: same bytes, mtimes, inodes
    changed = [u for u in after["s2/"] if after["s2/"][u][0] != before["s2/"].get(u, (b"",))[0]]
    assert f"pagefind/s2/{ENTRY.split('/')[-1]}" in changed
    assert "quince" in records(out, "s2/")["/n01.html"]["content"]
    assert "quince" not in json.dumps(records(out, "s3/"))

    for name in ("N00.md", "N11.md"):  # every note of s1 (10 notes: still 4 shards)
        (notes / name).unlink()
    Builder(notes, out, Config(), jobs=1).build()
    assert indexed[1:] == [["n09.html"]]  # its link to N00 is gone; s2 and s3 are kept
    assert shards_of(out) == ["s0/", "s2/", "s3/"]
    assert not (out / "pagefind" / "s1").exists()
    assert sorted(records(out)) == sorted(f"/n{i:02}.html" for i in range(1, 11))
    for shard in ("s2/", "s3/"):
        assert _state(out, shard) == after[shard]

    for i in range(2, 11):  # 1 note left: one shard, at pagefind/ itself
        (notes / f"N{i:02}.md").unlink()
    Builder(notes, out, Config(), jobs=1).build()
    assert shards_of(out) == [""]
    assert sorted(records(out)) == ["/n01.html"]
    assert sorted(p.name for p in (out / "pagefind").iterdir() if p.is_dir()) == [
        "fragment",
        "index",
    ]


def test_shards_are_a_power_of_two_of_at_most_300_pages_up_to_8() -> None:
    counts = {n: search.shard_count(n) for n in (0, 1, 300, 301, 600, 601, 1000, 7770, 10**5)}
    assert counts == {0: 1, 1: 1, 300: 1, 301: 2, 600: 2, 601: 4, 1000: 4, 7770: 8, 10**5: 8}


@pytest.mark.parametrize(
    "link", ["pagefind", "pagefind/fragment", "pagefind/s1", "pagefind/s1/index"]
)
def test_the_index_is_never_written_or_deleted_through_a_link(tmp_path: Path, link: str) -> None:
    """`serve` does not look for strays: the index's own writing and deleting must not go
    through a link to a folder elsewhere, at any depth (found by a review)."""
    out, outside = tmp_path / "site", tmp_path / "outside"
    outside.mkdir()
    (outside / "en_1.pf_fragment").write_bytes(b"theirs")
    (outside / "en_1.pf_index").write_bytes(b"theirs")
    (out / link).parent.mkdir(parents=True)
    (out / link).symlink_to(outside, target_is_directory=True)
    folder = "pagefind/s1" if "s1" in link else "pagefind"
    files = {"pagefind-entry.json": b"{}", "fragment/en_2.pf_fragment": b"new"}
    search.write_index(out, folder, files)
    search.remove_index(out, folder, keep=["pagefind-entry.json"])
    assert sorted(p.name for p in outside.iterdir()) == ["en_1.pf_fragment", "en_1.pf_index"]
    assert not (out / link).is_symlink()
