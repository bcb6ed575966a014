"""Whole builds of small vaults, checked by reading every file of the site.

Determinism, relative urls, privacy, escaping, slugs, output-folder safety, bad input, the
public graph.json and backlinks with context. Bugs found here are strict xfails whose reason
starts with "BUG:" (file, function, what is wrong).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from mindmap.build import MemorySink, build_site, make_site
from mindmap.cli import main
from mindmap.config import Config, ConfigError
from mindmap.diagnostics import Diagnostic
from sitetools import (
    Element,
    html_pages,
    ids_of,
    parse_html,
    png,
    read_graph,
    read_site,
    refs_of,
    script_vectors,
    snapshot,
    time_limit,
    write_files,
)

# --------------------------------------------------------------------------------------------
# helpers


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in a fresh folder: the CLI reads ./mindmap.yml, and the repo root has one."""
    monkeypatch.chdir(tmp_path)


def note_pages(files: dict[str, bytes]) -> dict[str, str]:
    """Vault path → url of every note page (from the page footer `Source: <code>…</code>`)."""
    out = {}
    for url, text in html_pages(files).items():
        match = re.search(r"<p>Source: <code>(.*?)</code></p>", text)
        if match:
            out[match.group(1).replace("&amp;", "&").replace("&#39;", "'")] = url
    return out


def body_of(page: str) -> Element:
    return parse_html(page).find("div", cls="mm-body")


def age(root: Path, seconds: float) -> None:
    """Set every file's mtime `seconds` into the past (out of the cache's racy window)."""
    stamp = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (stamp, stamp))


def codes(diags: list[Diagnostic]) -> Counter[str]:
    return Counter(d.code for d in diags)


# --------------------------------------------------------------------------------------------
# determinism


def generated_vault(n: int = 230) -> dict[str, str | bytes]:
    """Enough notes to parse (≥64) and render (≥200 pages) on several processes."""
    folders = ["", "alpha/", "alpha/deep/", "beta/", "gamma/δ/"]
    paths = [f"{folders[i % len(folders)]}Note {i:03d}.md" for i in range(n)]
    stems = [posixpath.basename(p)[:-3] for p in paths]
    files: dict[str, str | bytes] = {}
    for i, path in enumerate(paths):
        j, k, m = (i * 7 + 3) % n, (i * 13 + 5) % n, (i + 1) % n
        files[path] = (
            f"---\ntags: [t{i % 9}, group/g{i % 4}]\n---\n# Heading {i}\n\n"
            f"- Branch {i}\n"
            f"  - to [[{stems[j]}]] and [[{stems[k]}#Heading {k}|k]] ![[pic.png|40]]\n"
            f"  - missing [[Ghost {i % 11}]] #inline{i % 5}\n"
            f"    - leaf ^b{i}\n"
            f"- ![[{stems[m]}#^b{m}]]\n\n"
            f"> [!tip] Callout {i}\n> with $x^{i % 3}$ and ==mark==\n"
        )
    files["pic.png"] = png()
    return files


def test_two_builds_are_byte_identical(make_vault, build_vault) -> None:
    notes = make_vault(generated_vault())
    serial, one = build_vault(notes, jobs=1)
    parallel, two = build_vault(notes, jobs=2)  # parsing and rendering on two processes
    assert serial.pages >= 200 and serial.pages == parallel.pages
    a, b = read_site(one), read_site(two)
    assert sorted(a) == sorted(b)
    differ = sorted(k for k in a if a[k] != b[k])
    assert not differ, f"files differ between builds: {differ[:10]}"
    assert serial.diagnostics == parallel.diagnostics


# --------------------------------------------------------------------------------------------
# relative urls

URL_VAULT: dict[str, str | bytes] = {
    "Home.md": (
        "# Home\n\n## Top\n\n"
        "Start at [[Deep]], [[Mid#Größe & Maß]], [[What is this?]], [[100% sure]], "
        "[[Other note#^para]] and [[x/Other note]]. #topic/sub/deep\n\n"
        "Footnote[^1] here.\n\n[^1]: The footnote.\n"
    ),
    "a/b/c/Deep.md": (
        "## Section two\n\nUp: [[../Mid]], [[Home#Top]], [[Mid#^blk]], [[#Section two]]. "
        "![[pics/p q.png|50]] [ext](https://example.com/x/) #topic\n\n![[Mid#Größe & Maß]]\n"
    ),
    "a/b/Mid.md": (
        "## Größe & Maß\n\nText with [[Deep#Section two]] ^blk\n\n"
        "- [[x/Other note|other]] in a bullet\n  - child [[docs/file.pdf]]\n"
    ),
    "x/Other note.md": (
        "Para with an image ![[pics/p q.png]] and a pdf: ^para\n\n"
        "![[docs/file.pdf#page=2]]\n\n![[sound.mp3]]\n\n"
        "[md link](../a/b/Mid.md#Gr%C3%B6%C3%9Fe%20%26%20Ma%C3%9F) and [top](<../Home.md#Top>) "
        "and [[Missing one]]\n\n![[a/b/c/Deep]]\n"
    ),
    "What is this?.md": "Question mark. [[Home]] ![[pics/p q.png#icon|20x10]]\n",
    "100% sure.md": "---\ntags: [topic/other]\n---\nPercent. [[Home#Top]]\n",
    "pics/p q.png": png(1),
    "docs/file.pdf": b"%PDF-1.4\n%%EOF\n",
    "sound.mp3": b"ID3\x03\x00",
}
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def test_every_internal_url_is_relative_and_points_at_a_file(build_vault) -> None:
    _, site = build_vault(URL_VAULT)
    files = read_site(site)
    pages = {url: parse_html(text) for url, text in html_pages(files).items()}
    ids = {url: ids_of(doc) for url, doc in pages.items()}
    problems: list[str] = []
    checked = 0
    for url, doc in pages.items():
        for ref in refs_of(url, doc):
            if ref.url.startswith("data:image/"):  # inline (a favicon): fetches nothing
                continue
            if ref.external:
                assert ref.url.startswith("https://example.com"), ref
                assert "external" in ref.element.classes
                continue
            checked += 1
            where = f"{url}: <{ref.tag} {ref.attr}={ref.url!r}>"
            if not ref.url or ref.url.startswith("/") or SCHEME.match(ref.url):
                problems.append(f"{where}: not a relative url")
                continue
            target, fragment = ref.target()
            if target.endswith("/") or ref.url.split("#")[0].endswith("/"):
                problems.append(f"{where}: points at a folder, not a file")
            if target not in files:
                problems.append(f"{where}: {target} does not exist")
            elif fragment and target.endswith(".html") and fragment not in ids[target]:
                problems.append(f"{where}: no id {fragment!r} in {target}")
    assert checked > 100
    assert not problems, "\n".join(problems)
    # The attachments that are used are there, byte for byte, at their vault paths.
    for asset in ("pics/p q.png", "docs/file.pdf", "sound.mp3"):
        assert files[asset] == URL_VAULT[asset]


def test_links_in_nested_folders_go_where_they_should(build_vault) -> None:
    _, site = build_vault(URL_VAULT)
    files = read_site(site)
    where = note_pages(files)
    assert where == {
        "Home.md": "index.html",
        "a/b/c/Deep.md": "a/b/c/deep.html",
        "a/b/Mid.md": "a/b/mid.html",
        "x/Other note.md": "x/other-note.html",
        "What is this?.md": "what-is-this.html",
        "100% sure.md": "100-sure.html",
    }
    deep = files["a/b/c/deep.html"].decode()
    assert 'href="../mid.html"' in deep
    assert 'href="../../../index.html#top"' in deep
    assert 'href="../mid.html#^blk"' in deep
    assert 'href="deep.html#section-two"' in deep
    [img] = body_of(deep).find_all("img")
    assert img.attrs["src"] == "../../../pics/p%20q.png" and img.attrs["width"] == "50"
    other = files["x/other-note.html"].decode()
    assert 'href="../a/b/mid.html#gr%C3%B6%C3%9Fe-ma%C3%9F"' in other  # markdown link, decoded
    assert 'href="../index.html#top"' in other
    assert 'data="../docs/file.pdf#page=2"' in other
    assert '<audio class="embed-audio" controls src="../sound.mp3"' in other
    # Deep embedded in x/Other note: its links are written relative to x/other-note.html.
    assert 'href="../a/b/c/deep.html#section-two"' in other
    home = files["index.html"].decode()
    assert 'href="what-is-this.html"' in home
    assert 'href="100-sure.html"' in home
    assert 'href="x/other-note.html#^para"' in home
    [img] = body_of(files["what-is-this.html"].decode()).find_all("img")
    assert img.attrs["src"] == "pics/p%20q.png#icon"  # E5: the fragment is a style hook
    assert (img.attrs["width"], img.attrs["height"]) == ("20", "10")


def test_footnote_links_in_embeds_and_snippets_have_targets(build_vault) -> None:
    _, site = build_vault(
        {
            "Home.md": "Start at [[Deep]] with a note[^1].\n\n[^1]: The note.\n",
            "Deep.md": "![[Home]]\n",
        }
    )
    for url, text in html_pages(read_site(site)).items():
        doc = parse_html(text)
        ids = ids_of(doc)
        for ref in refs_of(url, doc):
            if ref.url.startswith("#"):
                assert ref.url[1:] in ids, f"{url}: {ref.url} has no target"


def test_heading_ids_do_not_clash_with_template_ids(build_vault) -> None:
    _, site = build_vault({"Home.md": "# Home\n\n## Main\n\nText.\n", "B.md": "[[Home#Main]]\n"})
    for url, text in html_pages(read_site(site)).items():
        ids = [e.attrs["id"] for e in parse_html(text).iter() if e.attrs.get("id")]
        duplicated = [i for i, n in Counter(ids).items() if n > 1]
        assert not duplicated, f"{url}: duplicate ids {duplicated}"


def test_pages_have_no_block_elements_inside_paragraphs(build_vault) -> None:
    _, site = build_vault(URL_VAULT)
    for url, text in html_pages(read_site(site)).items():
        assert not parse_html(text).attrs["block_in_p"], url


@pytest.mark.parametrize("embed", ["![[B]]", "![[B#^x]]", "![[Nowhere]]"])
def test_an_embed_inside_a_paragraph_is_not_a_div_inside_a_p(build_vault, embed: str) -> None:
    _, site = build_vault({"A.md": f"See this: {embed} and more.\n", "B.md": "Block ^x\n"})
    text = read_site(site)["a.html"].decode()
    assert "embed" in text  # the embed is there
    assert not parse_html(text).attrs["block_in_p"]


# --------------------------------------------------------------------------------------------
# privacy

PRIVATE_MARKERS = ["marmalade", "tangerine", "wombat", "platypus", "narwhal", "zanzibar", "quokka"]
PRIVACY_VAULT: dict[str, str | bytes] = {
    "Public.md": (
        "# Public\n\n"
        "- Draft: [[Marmalade plan|a plan]] and [[Tangerine notes|some notes]]\n"
        "- Embeds: ![[Marmalade plan]] ![[Tangerine notes#Part]] ![[Tangerine notes#^tblock]]\n"
        "- Inline %%zanzibar [[Other]] #zanzibartag%% comment.\n\n"
        "%%\nquokka block comment [[Other]] #quokkatag\n\n![[quokka.png]]\n%%\n\n"
        "- Shared picture ![[shared.png]]\n\n"
        "A paragraph with https://y.example %%zanzibar in it%% <script>zanzibar()</script>\n\n"
        "See https://x.example/page%%\nzanzibar right after a url\n%%\n"
    ),
    "Other.md": "Other public note.\n",
    "Marmalade plan.md": (
        "---\ndraft: true\ntitle: Marmalade title\ntags: [marmaladetag]\n"
        "aliases: [Marmalade alias]\ndescription: marmalade description\n---\n"
        "# Marmalade heading\n\n- marmalade branch\n  - marmalade body [[Other]] [[Public]] "
        "#marmaladeinline ![[marmalade-only.png]] ![[shared.png]] [[Marmalade ghost]]\n"
    ),
    "Tangerine notes.md": (
        "---\npublish: false\n---\n## Part\n\ntangerine body [[Other]] #tangerinetag "
        "![[tangerine-only.png]] ^tblock\n"
    ),
    "private/Diary.md": "wombat body [[Other]] [[Public]] #wombattag ![[wombat-only.png]]\n",
    "private/wombat-only.png": png(3),
    ".trash/Old.md": "platypus body [[Other]] [[Public]] ![[platypus-only.png]]\n",
    ".obsidian/Settings.md": "narwhal body [[Other]] [[Public]]\n",
    ".obsidian/workspace.json": '{"narwhal": true}',
    "img/marmalade-only.png": png(1),
    "img/tangerine-only.png": png(2),
    "img/platypus-only.png": png(4),
    "img/quokka.png": png(5),
    "img/shared.png": png(6),
}
PRIVACY_CONFIG = {"ignore": ["private/"]}


def test_private_content_reaches_no_output_file(build_vault) -> None:
    result, site = build_vault(PRIVACY_VAULT, PRIVACY_CONFIG)
    files = read_site(site)
    leaks = [
        f"{marker} in {name}"
        for name, data in files.items()
        for marker in PRIVATE_MARKERS
        if marker.encode() in data.lower() or marker in name.lower()
    ]
    assert not leaks, leaks
    for diag in result.diagnostics:  # no warning even names what is private
        assert not any(m in diag.format().lower() for m in PRIVATE_MARKERS), diag
    assert set(note_pages(files)) == {"Public.md", "Other.md"}
    assert result.notes == 2


def test_attachments_of_private_notes_are_not_copied(build_vault) -> None:
    _, site = build_vault(PRIVACY_VAULT, PRIVACY_CONFIG)
    files = read_site(site)
    assert files["img/shared.png"] == PRIVACY_VAULT["img/shared.png"]
    copied = {f for f in files if f.endswith(".png")}
    assert copied == {"img/shared.png"}
    assert not any(f.startswith((".obsidian", ".trash", "private")) for f in files)


def test_links_to_private_notes_are_plain_text(build_vault) -> None:
    _, site = build_vault(PRIVACY_VAULT, PRIVACY_CONFIG)
    files = read_site(site)
    body = body_of(files["public.html"].decode())
    anchors = {a.text(): a for a in body.find_all("a")}
    for text in ("a plan", "some notes"):
        assert anchors[text].attrs == {}, anchors[text].attrs  # no href, no class, no title
    assert "Embeds:" in body.text()
    assert not body.find_all(cls="embed")  # private embeds vanish, without a placeholder
    # The comment's links are no backlinks, the draft's links are no backlinks either.
    other = files["other.html"].decode()
    assert "No other notes link here yet." in other
    public = files["public.html"].decode()
    assert 'Linked mentions <span class="mm-count">0</span>' in public
    graph = read_graph(files["graph.json"])
    assert {n["id"] for n in graph["nodes"] if n["kind"] == "note"} == {"Public.md", "Other.md"}
    assert not [n for n in graph["nodes"] if n["kind"] == "missing"]
    tags = {n["id"] for n in graph["nodes"] if n["kind"] == "tag"}
    assert tags == set()


def test_links_to_ignored_and_hidden_notes_are_plain_text(build_vault) -> None:
    files = {
        **PRIVACY_VAULT,
        "Public.md": "Links: [[private/Diary|a diary]], [[Old|an old note]], "
        "[[Settings|settings]], ![[private/Diary]]\n",
    }
    result, site = build_vault(files, PRIVACY_CONFIG)
    built = read_site(site)
    anchors = {a.text(): a for a in body_of(built["public.html"].decode()).find_all("a")}
    for text in ("a diary", "an old note", "settings"):
        assert anchors[text].attrs == {}, anchors[text].attrs
    assert not body_of(built["public.html"].decode()).find_all(cls="embed-missing")
    graph = read_graph(built["graph.json"])
    assert not [n for n in graph["nodes"] if n["kind"] == "missing"]
    assert not [d for d in result.diagnostics if d.code in ("link-missing", "embed-missing")]
    assert b"Diary" not in built["graph.json"]


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("private/", "Private/Diary.md"),
        ("journal/secret*", "Journal/Secret plans.md"),
        ("DRAFTS", "drafts/x.md"),
        ("café/", "cafe\u0301/menu.md"),  # the pattern in NFC, the folder in NFD (macOS)
    ],
)
def test_ignore_patterns_match_whatever_the_case_or_unicode_form(
    build_vault, pattern: str, path: str
) -> None:
    """A private folder is left out even when its name's case (or Unicode form) is not the
    pattern's: on a case-insensitive disk both are the same folder to the writer."""
    files = {"Public.md": "public\n", path: "the secret words\n"}
    _, site = build_vault(files, {"ignore": [pattern]})
    built = read_site(site)
    assert "public.html" in built
    assert not [url for url, data in built.items() if b"secret words" in data]


# --------------------------------------------------------------------------------------------
# autoescaping

EVIL_VAULT: dict[str, str | bytes] = {
    "Evil.md": (
        "---\n"
        'title: "<script>alert(1)</script>"\n'
        "aliases: ['<img src=x onerror=alert(2)>']\n"
        "tags: ['<b>tag</b>', ok]\n"
        "description: '<i>desc</i> \" onload=\"alert(3)'\n"
        "date: '<svg onload=alert(4)>'\n"
        "updated: '2024-01-01\"><svg onload=alert(10)>'\n"
        "cssclasses: ['x\" onclick=\"alert(5)']\n"
        "permalink: '<evil>'\n"
        "---\n"
        "Body [[Other|<b>bold</b> alias]] and [[<u>missing</u>]] and [[<em>Name]]\n"
    ),
    "Other.md": "Links [[Evil]] and embeds ![[Evil]]\n",
    "<em>Name.md": "---\naliases: '\"><script>alert(12)</script>'\n---\nA file name with markup.\n",
}
# Elements that appear only if a value above was not escaped (the templates use none;
# scripts are caught by script_vectors, which allows the templates' own).
INJECTED_TAGS = {"svg", "i", "u", "em", "evil", "img"}


def test_front_matter_and_names_cannot_inject_markup(build_vault) -> None:
    _, site = build_vault(EVIL_VAULT)
    files = read_site(site)
    pages = html_pages(files)
    problems = []
    for name, text in pages.items():
        doc = parse_html(text)
        problems += [f"{name}: {v}" for v in script_vectors(doc)]
        problems += [f"{name}: <{e.tag}>" for e in doc.iter() if e.tag in INJECTED_TAGS]
        problems += [
            f"{name}: <b> outside a link" for e in doc.find_all("b") if e.parent.tag != "a"
        ]
        if "<script>alert" in text.lower():
            problems.append(f"{name}: '<script>alert' in the text")
    assert not problems, problems
    evil_url = note_pages(files)["Evil.md"]
    evil = pages[evil_url]
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; · mindmap</title>" in evil
    assert "&lt;img src=x onerror=alert(2)&gt;" in evil  # the alias, as text
    assert "&lt;i&gt;desc&lt;/i&gt;" in evil
    assert "&lt;svg onload=alert(4)&gt;" in evil
    # graph.json is data, not markup: it carries the title exactly, and parses.
    graph = read_graph(files["graph.json"])
    titles = {n["id"]: n["title"] for n in graph["nodes"]}
    assert titles["Evil.md"] == "<script>alert(1)</script>"
    assert titles["<em>Name.md"] == "<em>Name"
    assert "missing:<u>missing</u>" in titles
    # A permalink cannot escape the site: the page is a plain file at the root.
    assert "/" not in evil_url and evil_url.endswith(".html")


RAW_HTML_SAFE = {
    "script": "<script>alert(1)</script>",
    "script-block": "<div>\n<script>\nalert(1)\n</script>\n</div>",
    "handler": '<img src="x.png" onerror="alert(1)">',
    "handler-unquoted": "<img src=x onerror=alert(1)//>",
    "js-href": '<a href="javascript:alert(1)">x</a>',
    "js-href-caps": "<a href=JaVaScRiPt:alert(1)>x</a>",
    "markdown-js": "[x](javascript:alert(1)) ![y](javascript:alert(2))",
}
RAW_HTML_BYPASS = {
    "entity-scheme": '<a href="jav&#97;script:alert(1)">x</a>',
    "entity-colon": '<a href="javascript&colon;alert(1)">x</a>',
    "tab-in-scheme": '<a href="java\tscript:alert(1)">x</a>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "form-action": '<form action="javascript:alert(1)"><button>x</button></form>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
}


@pytest.mark.parametrize("html", RAW_HTML_SAFE.values(), ids=RAW_HTML_SAFE.keys())
def test_raw_html_in_notes_is_sanitised(build_vault, html: str) -> None:
    _, site = build_vault({"Raw.md": f"Before\n\n{html}\n\nAfter [[Other]]\n", "Other.md": "o"})
    files = read_site(site)
    for name in ("raw.html", "other.html"):  # the page, and the backlink snippet
        assert not script_vectors(parse_html(files[name].decode())), name


@pytest.mark.parametrize("html", RAW_HTML_BYPASS.values(), ids=RAW_HTML_BYPASS.keys())
def test_raw_html_sanitiser_is_not_fooled_by_encodings(build_vault, html: str) -> None:
    _, site = build_vault({"Raw.md": f"Before\n\n{html}\n\nAfter\n"})
    assert not script_vectors(parse_html(read_site(site)["raw.html"].decode()))


# --------------------------------------------------------------------------------------------
# slugs


def test_notes_that_slug_alike_get_their_own_files(build_vault) -> None:
    vault = {
        "A b.md": "Spaces. [[a-b]] [[A b]]\n",
        "a-b.md": "Dash.\n",
        "Flancia.md": "Upper. [[flancia]] [[Flancia]]\n",
        "flancia.md": "Lower.\n",
        "notes.md": "Clashes with the all-notes page.\n",
        "404.md": "Clashes with the 404 page.\n",
        "tags/index.md": "Clashes with the tag index. #x\n",
        "sub/index.md": "Clashes with the folder page of sub/.\n",
        "sub/other.md": "Other.\n",
        "Perma.md": "---\npermalink: a-b\n---\nPermalink clash.\n",
        "img/A.png": png(1),
        "img/a.png": png(2),
        "Pics.md": "![[img/A.png]] ![[img/a.png]]\n",
    }
    result, site = build_vault(vault)
    files = read_site(site)
    where = note_pages(files)
    notes = [p for p in vault if p.endswith(".md")]
    assert sorted(where) == sorted(notes)
    assert len(set(where.values())) == len(notes)  # one file per note
    assert result.notes == len(notes)
    # Each page really is its own note.
    for path, url in where.items():
        assert f"<code>{path}</code>" in files[url].decode()
    # Special pages are still the special pages.
    assert "All notes" in files["notes.html"].decode()
    assert "<code>" not in files["404.html"].decode()
    assert 'class="mm-listing mm-tags"' in files["tags/index.html"].decode()
    # Exact case wins a case tie (R3): each link goes to its own note.
    a_b = files[where["A b.md"]].decode()
    assert f'href="{where["a-b.md"]}"' in a_b
    upper = files[where["Flancia.md"]].decode()
    assert f'href="{where["flancia.md"]}">flancia<' in upper
    assert f'href="{where["Flancia.md"]}">Flancia<' in upper
    # Two attachments that differ by case are both copied, to different files.
    pngs = {data for name, data in files.items() if name.startswith("img/")}
    assert pngs == {png(1), png(2)}


def test_special_pages_notes_and_attachments_never_share_a_file(build_vault) -> None:
    """Every planned thing keeps its own file: if two shared one, one would be missing."""
    vault = {
        "index.md": "home [[graph]] [[a.html]] [[tags/x]]",
        "Index.md": "other home",
        "graph.md": "the note, not graph.json",
        "a.html": "<p>an html attachment</p>",
        "a.md": "a note beside a.html",
        "tags/x.md": "a note where the tag page of #x would go",
        "x.md": "#x",
    }
    _, site = build_vault(vault)
    files = read_site(site)
    where = note_pages(files)
    assert sorted(where) == sorted(p for p in vault if p.endswith(".md"))
    assert len(set(where.values())) == len(where)
    assert where["index.md"] == "index.html"
    assert files["a.html"] == b"<p>an html attachment</p>"
    assert read_graph(files["graph.json"])["nodes"]
    [tag] = [n for n in read_graph(files["graph.json"])["nodes"] if n["id"] == "tag:x"]
    assert tag["url"] not in where.values()
    assert 'class="mm-listing mm-tag"' in files[tag["url"]].decode()
    home = body_of(files["index.html"].decode())
    assert hrefs_by_text(home) == {
        "graph": where["graph.md"],
        "a.html": "a.html",
        "tags/x": where["tags/x.md"],
    }


def hrefs_by_text(body: Element) -> dict[str, str]:
    return {a.text(): str(a.attrs["href"]) for a in body.find_all("a") if "href" in a.attrs}


def test_vault_attachment_under_static_does_not_clobber_the_stylesheet(build_vault) -> None:
    _, site = build_vault({"A.md": "[[static/mindmap.css|my css]]", "static/mindmap.css": "body{}"})
    files = read_site(site)
    href = hrefs_by_text(body_of(files["a.html"].decode()))["my css"]
    assert files[href] == b"body{}"
    builtin = Path(__file__).resolve().parents[1] / "templates/static/mindmap.css"
    assert files["static/mindmap.css"] == builtin.read_bytes()


def test_unicode_names_make_readable_urls(build_vault) -> None:
    vault = {
        "Café au lait.md": "[[日本語 ノート]] [[Ünïcödé/Straße]]\n",
        "日本語 ノート.md": "x\n",
        "Ünïcödé/Straße.md": "y\n",
        "Ω & ∑ — “quotes”.md": "z\n",
    }
    _, site = build_vault(vault)
    where = note_pages(read_site(site))
    assert where == {
        "Café au lait.md": "café-au-lait.html",
        "日本語 ノート.md": "日本語-ノート.html",
        "Ünïcödé/Straße.md": "ünïcödé/straße.html",
        "Ω & ∑ — “quotes”.md": "ω-∑-—-“quotes”.html",
    }
    assert (site / "café-au-lait.html").is_file()


LONG = "Long " + "n" * 246  # 254 bytes with ".md": the longest note name ext4 takes
WIDE = "é" * 120  # 240 bytes of two-byte letters: a cut must not split one
FOLDER = "f" * 250
TAG = "a" * 300
NESTED = "b" * 210 + "/" + "c" * 300
IMAGE = "img/" + "i" * 248 + ".png"
LONG_NAMES = {
    f"{LONG}.md": "long\n",
    f"{WIDE}.md": "wide\n",
    f"{FOLDER}/Inner.md": "inner\n",
    "Perma.md": f"---\npermalink: {'p' * 260}\n---\nperma\n",
    "Links.md": f"[[{LONG}]] [[{WIDE}]] [[{FOLDER}/Inner|inner]] [[Perma]] #{TAG} #{NESTED}\n\n"
    f"![[{IMAGE}]]\n",
    IMAGE: png(),
}


def names_on_disk(root: Path) -> list[str]:
    return [name for _dir, folders, files in os.walk(root) for name in folders + files]


def test_names_too_long_for_a_file_system_are_cut_to_fit(build_vault) -> None:
    """ext4 takes 255 bytes a name: pages of long note names, tags and permalinks, and long
    attachments' copies, crashed the build. Each name is cut to `NAME_BYTES` (room for the
    writer's temporary names), and every link, tag and graph.json url goes to the cut one."""
    result, site = build_vault(LONG_NAMES)
    from mindmap.paths import NAME_BYTES

    files = read_site(site)
    assert max(len(name.encode()) for name in names_on_disk(site)) <= NAME_BYTES
    where = note_pages(files)
    assert sorted(where) == sorted(p for p in LONG_NAMES if p.endswith(".md"))
    assert result.notes == len(where)
    links = body_of(files[where["Links.md"]].decode())
    hrefs = {unquote(a) for a in hrefs_by_text(links).values()}
    assert {where[f"{LONG}.md"], where[f"{WIDE}.md"], where[f"{FOLDER}/Inner.md"]} < hrefs
    assert where["Perma.md"] in hrefs and where["Perma.md"].startswith("p" * 150)
    assert where[f"{LONG}.md"].startswith("long-nnnn") and where[f"{WIDE}.md"].startswith("éé")
    tag_pages = {h for h in hrefs if h.startswith("tags/")}
    assert len(tag_pages) == 2 and tag_pages <= set(files)
    [img] = [e for e in links.iter() if e.tag == "img"]
    assert files[unquote(str(img.attrs["src"]))] == png()
    graph = read_graph(files["graph.json"])
    urls = {n["url"].partition("#")[0] for n in graph["nodes"] if n["url"]}
    assert urls <= set(files) and len(urls) == 7  # five notes, two tags


def test_long_names_with_the_same_head_keep_their_own_pages(build_vault) -> None:
    """Cut names end in a hash of the whole name: two names alike in their first 240
    characters (or two permalinks, in their first 250) get their own files, and a link goes
    to the right one."""
    head = "x" * 240
    vault = {f"{head} one.md": "one\n", f"{head} two.md": "two\n"}
    vault |= {f"P{n}.md": f"---\npermalink: {'p' * 250}-{n}\n---\n{n}\n" for n in ("one", "two")}
    vault["Links.md"] = f"[[{head} one|one]] [[{head} two|two]] [[Pone|p1]] [[Ptwo|p2]]\n"
    _, site = build_vault(vault)
    files = read_site(site)
    where = note_pages(files)
    links = hrefs_by_text(body_of(files[where["Links.md"]].decode()))
    assert links == {
        "one": where[f"{head} one.md"],
        "two": where[f"{head} two.md"],
        "p1": where["Pone.md"],
        "p2": where["Ptwo.md"],
    }
    assert len(set(links.values())) == 4
    assert all(url.startswith(("x" * 150, "p" * 150)) for url in links.values())


def test_a_rebuild_of_long_names_writes_beside_them_in_names_that_fit(make_vault, tmp_path) -> None:
    """A cached build writes each changed file beside it first (`.name.tmp-PID`): for a
    245-letter page that name was too long, and the build stopped half way."""
    notes = make_vault({f"{'n' * 245}.md": "first\n", "A.md": f"[[{'n' * 245}]] #{TAG}\n"})
    age(notes, 300)
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0
    (notes / f"{'n' * 245}.md").write_text("second\n")
    age(notes, 100)
    result = cli("build", "notes", "-o", "site", "-q")
    assert result.exit_code == 0, result.output
    where = note_pages(read_site(tmp_path / "site"))
    assert "second" in (tmp_path / "site" / where[f"{'n' * 245}.md"]).read_text()
    assert not [n for n in names_on_disk(tmp_path) if ".tmp-" in n]


def test_a_temporary_name_fits_whatever_its_file_is_called(tmp_path: Path) -> None:
    from mindmap.output import is_temporary, temporary

    for name in ("a.html", "n" * 255, "é" * 127):
        tmp = temporary(tmp_path / name)
        assert len(tmp.name.encode()) <= 255 and is_temporary(tmp.name)
        tmp.write_bytes(b"")  # the file system takes it
    assert temporary(tmp_path / "a.html").name == f".a.html.tmp-{os.getpid()}"


# --------------------------------------------------------------------------------------------
# output safety

SMALL = {"A.md": "# A\n\n[[B]]\n", "B.md": "# B\n", "img/p.png": png()}


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_refuses_a_non_empty_folder_it_did_not_make(make_vault, tmp_path) -> None:
    notes = make_vault(SMALL)
    out = tmp_path / "important"
    write_files(out, {"thesis.tex": "years of work", "data/x.csv": "1,2"})
    before = snapshot(out)
    result = cli("build", str(notes), "-o", str(out))
    assert result.exit_code == 2
    assert "refusing to replace" in result.stderr and ".mindmap-site" in result.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["important", "notes"]  # no tmp folders


def test_rebuilds_its_own_site_and_drops_stale_files(make_vault, build_vault, tmp_path) -> None:
    notes = make_vault(SMALL)
    _, site = build_vault(notes)
    assert (site / "b.html").is_file()
    (notes / "B.md").unlink()
    (site / "extra.txt").write_text("left by hand")
    _, again = build_vault(notes, out=site)
    assert again == site
    assert not (site / "b.html").exists()
    assert not (site / "extra.txt").exists()  # the folder is replaced as a whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("damage", ["deleted", "edited", "added", "added in a new folder"])
def test_a_build_with_nothing_to_do_repairs_a_site_changed_by_hand(
    make_vault, tmp_path, damage: str
) -> None:
    """No note changed, but the site did: the cached build must not take it for up to date
    (it only checked that the folder was its own), and it deletes what it did not write."""
    notes = make_vault(SMALL)
    age(notes, 300)
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0  # settled, nothing to do
    before = snapshot(tmp_path / "site")
    site = tmp_path / "site"
    if damage == "deleted":
        (site / "b.html").unlink()
        (site / "static/theme.js").unlink()
    elif damage == "edited":
        with (site / "index.html").open("a") as page:
            page.write("<script>alert(1)</script>")
    else:
        where = site / ("extra.html" if damage == "added" else "more/extra.txt")
        write_files(where.parent, {where.name: "left by hand"})
    result = cli("build", "notes", "-o", "site")
    assert result.exit_code == 0, result.output
    assert {url: data for url, (data, _mtime) in snapshot(site).items()} == {
        url: data for url, (data, _mtime) in before.items()
    }
    assert not (site / "more").exists()


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(make_vault, tmp_path) -> None:
    """A sync or restore can write a note with the same size and set its old mtime back:
    the stat the cache trusts includes the change time, which no tool sets back."""
    notes = make_vault({"A.md": "aaaa [[B]]\n", "B.md": "b\n"})
    age(notes, 300)
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0
    old = (notes / "A.md").stat()
    (notes / "A.md").write_text("zzzz [[B]]\n")
    os.utime(notes / "A.md", ns=(old.st_atime_ns, old.st_mtime_ns))
    assert (notes / "A.md").stat().st_size == old.st_size
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0
    page = (tmp_path / "site/a.html").read_text()
    assert "zzzz" in page and "aaaa" not in page


def test_what_counts_as_a_stray_file(tmp_path: Path) -> None:
    """A file the build did not write is a stray, but not the same name handed back in NFD
    (HFS+ does that), another process's temporary file, or anything in the search index's
    folder (the index keeps that itself)."""
    from mindmap.build import _strays

    nfd = "cafe\u0301.html"
    write_files(
        tmp_path,
        {
            nfd: "page",
            ".index.html.tmp-4242": "being written by serve",
            "search-index/index.json": "{}",
            "extra.html": "by hand",
            "sub/more.txt": "by hand",
            ".mindmap-site": "",
        },
    )
    assert _strays(tmp_path, {"caf\u00e9.html"}) == ["extra.html", "sub/more.txt"]


def test_an_empty_existing_folder_is_fine(make_vault, tmp_path) -> None:
    notes = make_vault(SMALL)
    (tmp_path / "empty").mkdir()
    result = cli("build", str(notes), "-o", str(tmp_path / "empty"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "empty/a.html").is_file()


@pytest.mark.parametrize("where", ["inside", "same", "contains", "file"])
def test_output_may_not_overlap_the_notes(make_vault, tmp_path, where: str) -> None:
    notes = make_vault(SMALL)
    out = {
        "inside": notes / "site",
        "same": notes,
        "contains": tmp_path,
        "file": notes / "A.md",
    }[where]
    before = snapshot(tmp_path)
    result = cli("build", str(notes), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before
    with pytest.raises(ConfigError):
        build_site(notes, out, Config(base_dir=tmp_path))


@pytest.mark.parametrize("how", ["build_site", "cli-warm"])
def test_a_failed_build_leaves_the_previous_site(make_vault, monkeypatch, tmp_path, how) -> None:
    notes = make_vault(SMALL)
    age(notes, 300)
    site = tmp_path / "site"
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0
    before = snapshot(site)
    (notes / "C.md").write_text("# C\n\n[[A]]\n")  # changes A's backlinks too
    (notes / "B.md").write_text("# B changed\n")
    age(notes, 100)
    calls = []

    def explode(env, page):
        calls.append(page.url)
        if len(calls) == 2:
            raise RuntimeError("template engine on fire")
        return real(env, page)

    import mindmap.render

    real = mindmap.render.render_page
    monkeypatch.setattr(mindmap.render, "render_page", explode)
    if how == "build_site":
        with pytest.raises(RuntimeError, match="on fire"):
            build_site(notes, site, Config(base_dir=tmp_path), None, 1)
    else:
        result = cli("build", "notes", "-o", "site", "-j", "1")
        assert isinstance(result.exception, RuntimeError)
    assert len(calls) == 2
    assert snapshot(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and "tmp" in p.name] == []


def test_the_notes_folder_is_never_written(make_vault, tmp_path) -> None:
    notes = make_vault({**URL_VAULT, **PRIVACY_VAULT, "templates/note.html": "{{ x }}"})
    os.utime(notes, ns=(1, 1))  # so that any change of a folder's entries would show
    for folder in notes.rglob("*"):
        if folder.is_dir():
            os.utime(folder, ns=(1, 1))
    before = snapshot(notes)
    assert cli("build", str(notes), "-o", str(tmp_path / "site")).exit_code == 0
    assert cli("check", str(notes)).exit_code == 0
    assert cli("build", str(notes), "-o", str(tmp_path / "site"), "-j", "2").exit_code == 0
    assert snapshot(notes) == before


# --------------------------------------------------------------------------------------------
# bad input


def test_a_note_that_is_not_utf8_is_published_with_a_warning(build_vault) -> None:
    text = b"Caf\xc3\xa9\r\n\r\ncaf\xe9 au lait [[Other]] \xff\n"  # the first bad byte: line 3
    result, site = build_vault({"Latin.md": text, "Other.md": "o\n"})
    body = body_of(read_site(site)["latin.html"].decode())
    assert body.text().split() == ["Caf\u00e9", "caf\ufffd", "au", "lait", "Other", "\ufffd"]
    assert body.find("a").attrs["href"] == "other.html"
    [diag] = [d for d in result.diagnostics if d.code == "encoding"]
    assert diag.format("notes") == (
        "notes/Latin.md:3: warning: note is not valid UTF-8; bad bytes were replaced [encoding]"
    )


@pytest.mark.skipif(os.name != "posix", reason="needs a file system that takes any bytes")
def test_a_file_name_that_is_not_utf8_is_skipped_and_reported_at_its_path(
    make_vault, build_vault
) -> None:
    notes = make_vault({"ok.md": "ok\n", "sub/fine.md": "fine\n"})
    for name in (b"/bad\xff.md", b"/sub/bad\xfe.md"):
        with open(os.fsencode(notes) + name, "wb") as file:
            file.write(b"x")
    os.mkdir(os.fsencode(notes) + b"/dir\xfd")
    result, site = build_vault(notes)
    lines = [d.format("notes") for d in result.diagnostics if d.code == "filename-encoding"]
    assert sorted(lines) == [
        "notes/bad\ufffd.md: warning: skipped a file whose name is not UTF-8: "
        "'bad\\udcff.md' [filename-encoding]",
        "notes/dir\ufffd: warning: skipped a folder whose name is not UTF-8: "
        "'dir\\udcfd' [filename-encoding]",
        "notes/sub/bad\ufffd.md: warning: skipped a file whose name is not UTF-8: "
        "'sub/bad\\udcfe.md' [filename-encoding]",
    ]
    assert {"ok.html", "sub/fine.html"} <= set(read_site(site))


def test_invalid_yaml_is_reported_at_its_line_and_the_body_published(build_vault) -> None:
    text = "---\ntags: [x]\ntitle: a: b\n---\n# Body heading\n\nText [[Other]] #inline\n"
    result, site = build_vault({"Bad.md": text, "Other.md": "o\n"})
    [diag] = [d for d in result.diagnostics if d.code == "frontmatter-yaml"]
    assert diag.format("notes") == (
        "notes/Bad.md:3:9: warning: invalid YAML front matter: mapping values are not allowed "
        "in this context [frontmatter-yaml]\n    hint: the body is published without properties"
    )
    page = read_site(site)["bad.html"].decode()
    assert "<h1" in page and "Body heading</h1>" in page
    assert 'href="other.html"' in page
    assert "tags/inline.html" in page  # inline tags still count
    assert "tags/x.html" not in page  # the broken front matter's do not
    assert "title: a: b" not in page


LAUGHS = "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True)
)


@pytest.mark.parametrize(
    ("front", "published", "warning"),
    [
        ("---\npublish: false\ndescription: a: b\n---\n", False, "publish or draft"),
        ("---\npublish: false\ntags: [a, b\n---\n", False, "publish or draft"),
        ("---\n\tdraft: true\n---\n", False, "publish or draft"),
        ("---\npublish: false\n", False, "never closed"),  # no closing ---
        ("---\ntitle: t\n\npublish: false\n", False, "never closed"),  # a blank line first
        ("---\npublish: false\ntitle: x\npublish: true\n---\n", False, None),  # YAML: last
        ("---\nPublish: false\npublish:\n---\n", False, None),
        ("---\n{publish: false, a: [}\n---\n", False, "publish or draft"),  # flow, invalid
        ("---\nPublish: false\n---\n", False, None),
        ("---\npublish: 0\n---\n", False, None),
        ("---\npublish: [a]\n---\n", False, None),
        ("---\npublish: 'no'\n---\n", False, None),
        ("---\ndraft: yes\n---\n", False, None),
        ("---\ndraft: 'true'\n---\n", False, None),
        ("---\ndraft: [x]\n---\n", False, None),
        (
            f"---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n{LAUGHS}"
            "aliases: *h\npublish: false\n---\n",
            False,
            "more than 10,000 values",
        ),
        # published: plainly so, or nothing said
        ("---\npublish: true\ndraft: false\n---\n", True, None),
        ("---\npublish:\ndraft:\n---\n", True, None),
        ("---\ndescription: a: b\n---\n", True, "published without properties"),
        ("---\nnot front matter\n", True, None),
    ],
)
def test_a_note_is_published_only_when_its_front_matter_plainly_allows_it(
    build_vault, front: str, published: bool, warning: str | None
) -> None:
    """Fails closed: front matter that cannot be read (invalid, never closed, or a "billion
    laughs" of YAML aliases) but says publish or draft leaves the note out; so does a value
    that is not plainly true (publish) or plainly false (draft)."""
    result, site = build_vault({"Secret.md": front + "kumquat body\n", "Other.md": "o\n"})
    files = read_site(site)
    assert ("secret.html" in files) is published
    assert any(b"kumquat" in data for data in files.values()) is published
    found = [d.format("notes") for d in result.diagnostics if d.code == "frontmatter-yaml"]
    if warning is None:
        assert found == []
    else:
        assert len(found) == 1 and warning in found[0], found
        assert found[0].startswith("notes/Secret.md:")


def test_a_block_id_after_a_heading_is_a_working_target(build_vault) -> None:
    """vaultofknowledge has `## Videos` then `^videos` on a line of its own: links to the
    block used to point at an anchor no element had, and the embed showed nothing."""
    notes = {"N.md": "intro\n\n## Sub\n\n^vid\n\n- x\n", "M.md": "[[N#^vid]]\n\n![[N#^vid]]\n"}
    result, site = build_vault(notes)
    assert [d.code for d in result.diagnostics] == []
    page = parse_html(read_site(site)["m.html"].decode())
    link, title = (a.attrs["href"] for a in page.find("div", cls="mm-body").find_all("a"))
    assert link == title == "n.html#sub"
    assert "sub" in ids_of(parse_html(read_site(site)["n.html"].decode()))
    embed = page.find("div", cls="embed-content")
    assert [h.text() for h in embed.find_all("h2")] == ["Sub"]


def test_an_embed_of_a_missing_section_is_a_placeholder_not_the_note(build_vault) -> None:
    notes = {
        "N.md": "## Real\n\nThe whole note, long and private to its page.\n",
        "M.md": "![[N#^nope]]\n\n![[N#Nothing]]\n",
    }
    result, site = build_vault(notes)
    assert [(d.code, d.line, d.hint) for d in result.diagnostics] == [
        ("anchor-missing", 1, "the embed shows a placeholder"),
        ("anchor-missing", 3, "the embed shows a placeholder"),
    ]
    body = body_of(read_site(site)["m.html"].decode())
    assert "The whole note" not in body.text()
    missing = body.find_all("div", cls="embed-missing")
    assert [m.text() for m in missing] == [
        "Unable to find “^nope” in N",
        "Unable to find “Nothing” in N",
    ]
    assert [m.find("a").attrs["href"] for m in missing] == ["n.html", "n.html"]


@pytest.mark.parametrize("home", ["Nope", "Draft", "Draft.md"])
def test_a_home_setting_naming_no_published_note_is_reported(build_vault, home: str) -> None:
    notes = {"A.md": "a\n", "Draft.md": "---\ndraft: true\n---\nsecret\n"}
    result, site = build_vault(notes, {"home": home})
    [diag] = [d for d in result.diagnostics if d.code == "home-missing"]
    assert diag.format("notes") == (
        f'warning: the home setting names no published note: "{home}" [home-missing]\n'
        "    hint: the home page is an overview of the notes instead; name a note by its path "
        "in the vault (a draft or an ignored note cannot be the home page)"
    )
    assert "secret" not in read_site(site)["index.html"].decode()


def test_a_home_setting_naming_a_note_is_quiet(build_vault) -> None:
    result, site = build_vault({"A.md": "a home\n", "B.md": "b\n"}, {"home": "A"})
    assert [d.code for d in result.diagnostics] == []
    assert "a home" in read_site(site)["index.html"].decode()


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{{ no_such_thing.x }}",
            "template error while rendering a.html: 'no_such_thing' is undefined",
        ),
        ("{% if %}", "template syntax error: Expected an expression, got 'end of statement block'"),
    ],
)
def test_a_broken_template_is_a_diagnostic_and_an_error_page(
    build_vault, tmp_path: Path, template: str, message: str
) -> None:
    """A user's template that fails is reported (template-error) and its pages show the
    error, escaped; the build goes on (the error page used to crash it: jinja2.escape is
    gone from Jinja 3.1)."""
    write_files(tmp_path / "mine", {"note.html": template + "<b>never</b>"})
    result, site = build_vault({"A.md": "a\n"}, {"templates": str(tmp_path / "mine")})
    [diag] = {d for d in result.diagnostics if d.code == "template-error"}
    assert diag.severity.value == "error" and diag.message == message
    page = read_site(site)["a.html"].decode()
    assert page.startswith("<!doctype html><title>Template error</title><pre>")
    assert "<b>never</b>" not in page
    assert "&#39;" in page  # the message is escaped
    assert "index.html" in read_site(site)  # the other pages are built


def test_an_impossible_date_is_shown_as_text_and_the_build_goes_on(build_vault) -> None:
    text = "---\ncreated: 2024-02-30\nupdated: 2024-03-01\ntags: [kept]\n---\nBody\n"
    result, site = build_vault({"Dated.md": text})
    [diag] = [d for d in result.diagnostics if d.code == "frontmatter-yaml"]
    assert diag.format("notes") == (
        'notes/Dated.md:2: warning: "2024-02-30" is not a real date: kept as text '
        "[frontmatter-yaml]"
    )
    page = read_site(site)["dated.html"].decode()
    dates = parse_html(page).find("dl", cls="mm-dates")
    assert [(t.attrs["datetime"], t.text()) for t in dates.find_all("time")] == [
        ("2024-03-01", "2024-03-01")
    ]
    assert "<dd>2024-02-30</dd>" in page
    assert "tags/kept.html" in read_site(site)


@pytest.mark.parametrize(
    ("name", "text", "shown"),
    [
        ("deep-list", "".join("  " * i + f"- item {i}\n" for i in range(2000)), "item 0"),
        ("deep-tabs", "".join("\t" * i + f"- tab {i}\n" for i in range(2000)), "tab 0"),
        ("deep-quote", ">" * 2000 + " quoted [[Other]]\n\nafter the quote\n", "after the quote"),
        ("long-line", "word [[Other]] and #tag ==mark== " * 3000 + "\n", "word Other and #tag"),
        ("long-word", "x" * 100_000 + "\n", "x" * 100_000),
    ],
)
def test_pathological_notes_do_not_crash_or_hang(build_vault, name, text, shown) -> None:
    with time_limit(60):
        result, site = build_vault({f"{name}.md": text, "Other.md": "o\n"})
    files = read_site(site)
    body = body_of(files[f"{name}.html"].decode())
    assert shown in body.text()
    assert not [d for d in result.diagnostics if d.severity == "error"]
    if name == "long-line":
        assert len(body.find_all("a", href="other.html")) == 3000
        assert len(body.find_all("mark")) == 3000


def test_a_long_line_of_comment_markers_parses_in_linear_time(build_vault) -> None:
    with time_limit(3):
        _, site = build_vault({"Line.md": "%%a" * 50_000 + "\n"})
    assert (site / "line.html").is_file()


def test_deep_outlines_keep_every_level_and_what_follows(build_vault) -> None:
    outline = "".join("  " * i + f"- level{i}\n" for i in range(14)) + "- after the outline\n"
    _, site = build_vault({"Deep.md": outline + "\nClosing paragraph.\n"})
    text = body_of(read_site(site)["deep.html"].decode()).text()
    for i in range(14):
        assert f"level{i}" in text
    assert "after the outline" in text
    assert "Closing paragraph." in text


def test_embed_loop_is_cut_with_a_diagnostic_and_a_link(build_vault) -> None:
    with time_limit(30):
        result, site = build_vault(
            {"A.md": "A embeds B:\n\n![[B]]\n", "B.md": "B embeds A:\n\n![[A]]\n"}
        )
    lines = {d.format("notes") for d in result.diagnostics if d.code == "embed-cycle"}
    assert lines == {
        'notes/A.md:3:1: warning: embed of "B" loops back or nests too deep; cut here '
        "[embed-cycle]",
        'notes/B.md:3:1: warning: embed of "A" loops back or nests too deep; cut here '
        "[embed-cycle]",
    }
    files = read_site(site)
    for page, back in (("a.html", "b.html"), ("b.html", "a.html")):
        body = body_of(files[page].decode())
        [cut] = body.find_all(cls="embed-cycle")
        assert cut.find("a").attrs["href"] in (page, back)
        assert "(embed loop cut)" in cut.text()


def test_a_note_is_never_embedded_inside_its_own_page(build_vault) -> None:
    _, site = build_vault({"A.md": "A text.\n\n![[B]]\n", "B.md": "B text.\n\n![[A]]\n"})
    body = body_of(read_site(site)["a.html"].decode())
    assert body.text().count("A text.") == 1
    [cut] = body.find_all(cls="embed-cycle")
    assert cut.find("a").attrs["href"] == "a.html"


def test_embed_depth_is_capped(build_vault) -> None:
    chain = {f"N{i}.md": f"n{i}\n\n![[N{i + 1}]]\n" for i in range(12)}
    chain["N12.md"] = "the end\n"
    result, site = build_vault(chain, {"embed_depth": 3})
    body = body_of(read_site(site)["n0.html"].decode())
    assert len(body.find_all(cls="embed")) <= 5
    assert "the end" not in body.text()
    assert body.find_all(cls="embed-cycle")
    assert codes(result.diagnostics)["embed-cycle"] >= 1


# --------------------------------------------------------------------------------------------
# graph.json

GRAPH_VAULT: dict[str, str | bytes] = {
    "Hub.md": (
        "# Hub\n\n## Learning\n\n- Memory\n  - Spacing [[people/Ann]] #memory/spacing\n"
        "    - leaf\n- Attention ![[Notes#Part]]\n\n[[Nowhere]] ![[pic.png]] [[Secret draft]]\n"
    ),
    "Notes.md": "---\ntags: [misc]\n---\n## Part\n\nPart text [[Hub#Learning]].\n",
    "people/Ann.md": "- Ann\n  - knows [[Hub]] and [[nowhere]] and [[Ghost#Head]]\n",
    "Secret draft.md": "---\ndraft: true\n---\n- cryptid\n  - [[Hub]]\n",
    "pic.png": png(),
}


def test_graph_json_has_exactly_the_documented_schema(build_vault) -> None:
    _, site = build_vault(GRAPH_VAULT)
    files = read_site(site)
    raw = json.loads(files["graph.json"])
    assert list(raw) == ["kinds", "links", "nodes", "layout"]
    assert raw["kinds"] == {
        "node": ["note", "topic", "tag", "missing"],
        "link": ["link", "embed", "outline", "tag"],
    }
    assert set(raw["nodes"]) == {"id", "kind", "title", "url"}
    assert set(raw["links"]) == {"source", "target", "kind"}
    count = len(raw["nodes"]["id"])
    assert {len(column) for column in raw["nodes"].values()} == {count}
    assert len({len(column) for column in raw["links"].values()}) == 1
    assert set(raw["layout"]) == {"x", "y", "community", "degree", "rank"}
    assert {len(column) for column in raw["layout"].values()} == {count}
    assert set(raw["nodes"]["kind"]) == {0, 1, 2, 3} and set(raw["links"]["kind"]) == {0, 1, 2, 3}
    ends = raw["links"]["source"] + raw["links"]["target"]
    assert all(isinstance(n, int) and 0 <= n < count for n in ends)
    graph = read_graph(files["graph.json"])
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert len(nodes) == len(graph["nodes"])  # ids are unique
    for node in graph["nodes"]:
        assert isinstance(node["title"], str) and node["title"]
    pages = {u: parse_html(t) for u, t in html_pages(files).items()}
    for node in graph["nodes"]:
        kind, url = node["kind"], node["url"]
        if kind == "note":
            assert node["path"] == node["id"] and node["parent"] is None
            assert url in files and f"<code>{node['path']}</code>" in files[url].decode()
        elif kind == "topic":
            page, _, anchor = url.partition("#")
            assert anchor and anchor in ids_of(pages[page]), node
            assert node["parent"] in nodes and node["path"] is None
            note = node["id"].split("#")[0]
            assert node["parent"] == note or node["parent"].startswith(note + "#")
            assert nodes[note]["url"] == page
            assert {"source": node["parent"], "target": node["id"], "kind": "outline"} in graph[
                "links"
            ]
        elif kind == "tag":
            assert url in files and node["path"] is None and node["parent"] is None
            assert node["title"].startswith("#")
        else:
            assert url is None and node["path"] is None and node["parent"] is None
    # What this vault must contain.
    assert {n["id"] for n in graph["nodes"] if n["kind"] == "note"} == {
        "Hub.md",
        "Notes.md",
        "people/Ann.md",
    }
    missing = {n["id"] for n in graph["nodes"] if n["kind"] == "missing"}
    assert missing == {"missing:nowhere", "missing:ghost"}  # case-insensitive: one node
    assert nodes["Hub.md#t-memory"]["parent"] == "Hub.md#learning"
    [spacing] = [n for n in graph["nodes"] if n["title"].startswith("Spacing")]
    assert spacing["kind"] == "topic" and spacing["parent"] == "Hub.md#t-memory"
    # the leading H1 stands for the note (its title): no topic of its own, a second
    # "Hub" beside the note; its sections hang from the note
    assert "Hub.md#hub" not in nodes
    assert nodes["Hub.md#learning"]["parent"] == "Hub.md"
    edges = {(link["source"], link["target"], link["kind"]) for link in graph["links"]}
    assert ("Hub.md", "people/Ann.md", "link") in edges
    assert ("Hub.md", "Notes.md", "embed") in edges
    assert ("Notes.md", "Hub.md", "link") in edges
    assert ("Hub.md", "tag:memory/spacing", "tag") in edges
    assert ("Notes.md", "tag:misc", "tag") in edges
    assert not any("pic.png" in s + t for s, t, _k in edges)  # attachments are no nodes
    assert b"Secret" not in files["graph.json"] and b"cryptid" not in files["graph.json"]


def test_one_missing_node_per_missing_note(build_vault) -> None:
    _, site = build_vault({"A.md": "[[Gone]] [[Gone.md]] [x](Gone.md)\n"})
    graph = read_graph(read_site(site)["graph.json"])
    assert [n["id"] for n in graph["nodes"] if n["kind"] == "missing"] == ["missing:gone"]


def test_graph_links_agree_with_backlinks_on_pages(build_vault) -> None:
    _, site = build_vault(GRAPH_VAULT)
    files = read_site(site)
    graph = read_graph(files["graph.json"])
    nodes = {n["id"]: n for n in graph["nodes"]}
    for link in graph["links"]:
        if link["kind"] in ("link", "embed") and nodes[link["target"]]["kind"] == "note":
            if link["source"] == link["target"]:
                continue
            target_page = parse_html(files[nodes[link["target"]]["url"]].decode())
            cards = target_page.find("aside", cls="mm-backlinks").find_all("h3")
            titles = {c.text() for c in cards}
            assert nodes[link["source"]]["title"] in titles, link


# --------------------------------------------------------------------------------------------
# backlinks with context

BACKLINK_VAULT = {
    "A.md": (
        "---\ntitle: Alpha\n---\n# Alpha\n\n## Plans\n\n"
        "- Projects\n  - Garden\n    - water the [[B|beta]] plants daily\n      - a child\n"
        "- Other\n\n"
        "Paragraph mention of [[B]] here.\n"
    ),
    "B.md": "# Beta\n\nNothing here.\n",
    "sub/C.md": "> [!note] Callout\n> mention [[B#Beta]] in a callout\n",
}


def test_backlinks_show_the_bullet_its_crumbs_and_jump_to_the_anchor(build_vault) -> None:
    _, site = build_vault(BACKLINK_VAULT)
    files = read_site(site)
    aside = parse_html(files["b.html"].decode()).find("aside", cls="mm-backlinks")
    cards = aside.find_all("li", cls="mm-bl-card")
    assert [c.find("h3").text() for c in cards] == ["Alpha", "C"]
    card_a = cards[0]
    assert card_a.find("h3").find("a").attrs["href"] == "a.html"
    contexts = card_a.find_all("li", cls="mm-ctx")
    assert len(contexts) == 2
    bullet, paragraph = contexts
    # The bullet that holds the link, with its ancestors (and heading) as crumbs.
    crumbs = [
        s.text() for s in bullet.find("p", cls="mm-ctx-crumbs").find_all("span") if not s.classes
    ]
    assert crumbs[-3:] == ["Plans", "Projects", "Garden"]
    snippet = bullet.find("div", cls="mm-ctx-body")
    assert snippet.text().strip() == "water the beta plants daily"
    link = snippet.find("a")
    assert link.attrs["href"] == "b.html" and "is-current" in link.classes
    # The jump link goes to the exact bullet in A, which holds the link to B.
    jump = bullet.find("a", cls="mm-ctx-jump").attrs["href"]
    page, _, anchor = jump.partition("#")
    assert page == "a.html" and anchor
    a_page = parse_html(files["a.html"].decode())
    [target] = [e for e in a_page.iter() if e.attrs.get("id") == anchor]
    assert target.tag == "li"
    assert "water the" in target.text()
    assert any(x.attrs.get("href") == "b.html" for x in target.find_all("a"))
    # The paragraph, under its heading.
    para_crumbs = [s.text() for s in paragraph.find_all("span") if not s.classes]
    assert "Plans" in para_crumbs
    assert paragraph.find("div", cls="mm-ctx-body").text().strip() == (
        "Paragraph mention of B here."
    )
    p_page, _, p_anchor = paragraph.find("a", cls="mm-ctx-jump").attrs["href"].partition("#")
    assert p_page == "a.html" and p_anchor in ids_of(a_page)
    # A note in a folder: its card says where it is, and its link is relative to b.html.
    card_c = cards[1]
    assert card_c.find("span", cls="mm-bl-folder").text() == "sub"
    assert card_c.find("h3").find("a").attrs["href"] == "sub/c.html"
    assert "mention" in card_c.find("div", cls="mm-ctx-body").text()
    assert card_c.find("div", cls="mm-ctx-body").find("a").attrs["href"] == "b.html#beta"


def test_a_note_without_backlinks_says_so(build_vault) -> None:
    _, site = build_vault(BACKLINK_VAULT)
    a = read_site(site)["a.html"].decode()
    assert 'Linked mentions <span class="mm-count">0</span>' in a
    assert "No other notes link here yet." in a


def test_all_pages_are_listed_and_copied_assets_are_exact(build_vault) -> None:
    """Sanity of the whole tree: special pages, a page per tag and folder, nothing extra."""
    result, site = build_vault(URL_VAULT)
    files = read_site(site)
    expected_special = {"index.html", "notes.html", "404.html", "graph.json", "tags/index.html"}
    assert expected_special <= set(files)
    assert {".nojekyll", ".mindmap-site", "static/mindmap.css", "static/pygments.css"} <= set(files)
    tags = {f for f in files if f.startswith("tags/") and f != "tags/index.html"}
    assert tags == {
        "tags/topic.html",
        "tags/topic/sub.html",
        "tags/topic/sub/deep.html",
        "tags/topic/other.html",
    }
    folders = {f for f in files if f.endswith("/index.html") and not f.startswith("tags/")}
    assert folders == {
        "a/index.html",
        "a/b/index.html",
        "a/b/c/index.html",
        "x/index.html",
    }
    assert result.pages == sum(1 for f in files if f.endswith(".html"))
    assert result.files == len(files)
    notes_page = files["notes.html"].decode()
    for url in note_pages(files).values():
        if url != "index.html":
            assert url.replace(" ", "%20") in notes_page or url in notes_page


def test_check_sink_matches_the_written_site(make_vault, build_vault, tmp_path) -> None:
    """`mindmap check` runs the same build in memory: the same pages, byte for byte."""
    notes = make_vault(URL_VAULT)
    result, site = build_vault(notes)
    sink = MemorySink()
    checked = make_site(notes, Config(base_dir=tmp_path), sink, None, 1)
    written = read_site(site)
    assert set(html_pages(written)) | {"graph.json", "explorer-data.js"} == set(sink.files)
    assert {u: written[u] for u in sink.files} == sink.files
    assert checked.diagnostics == result.diagnostics
    assert checked.notes == result.notes


def test_build_with_shutil_copy_of_a_vault_is_stable(make_vault, build_vault, tmp_path) -> None:
    """The site does not depend on where the vault lives on disk."""
    notes = make_vault(URL_VAULT)
    moved = tmp_path / "elsewhere" / "deeper" / "vault"
    shutil.copytree(notes, moved)
    _, one = build_vault(notes)
    _, two = build_vault(moved)
    assert read_site(one) == read_site(two)


def test_a_rebuild_after_edits_equals_a_clean_build(make_vault, tmp_path) -> None:
    """`mindmap build` reuses its cache; what it writes must be what a clean build writes."""
    notes = make_vault({**URL_VAULT, **BACKLINK_VAULT, **GRAPH_VAULT})
    age(notes, 300)
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0
    # Edits that change other pages: a renamed heading (anchors of links to it), a deleted
    # note (backlinks, a link turns missing), a new note, a note turned draft, a new tag,
    # a removed attachment.
    mid = notes / "a/b/Mid.md"
    mid.write_text(mid.read_text().replace("## Größe & Maß", "## Size and measure"))
    (notes / "B.md").unlink()
    (notes / "New.md").write_text("New note linking [[Hub]] and [[A]] #fresh\n")
    (notes / "people/Ann.md").write_text("---\ndraft: true\n---\nnow private [[Hub]]\n")
    (notes / "sound.mp3").unlink()
    age(notes, 100)
    warm = cli("build", "notes", "-o", "site")
    assert warm.exit_code == 0, warm.output
    clean = cli("build", "notes", "-o", "clean", "--clean", "-q")
    assert clean.exit_code == 0, clean.output
    one, two = read_site(tmp_path / "site"), read_site(tmp_path / "clean")
    assert sorted(one) == sorted(two)
    # graph.json's positions remember the last layout (README: graph.json); the rest is exact.
    graphs = [read_graph(one.pop("graph.json")), read_graph(two.pop("graph.json"))]
    for graph in graphs:
        graph["layout"].pop("x"), graph["layout"].pop("y")
    assert graphs[0] == graphs[1]
    assert [f for f in one if one[f] != two[f]] == []
    progress = re.compile(r"^  \S|^built ")
    printed = [line for line in warm.stderr.splitlines() if not progress.match(line)]
    assert printed == clean.stderr.splitlines()


def test_a_tag_is_shown_as_first_written_in_the_vault(build_vault) -> None:
    """T2: tags compare case-insensitively, and show the casing first seen (notes in path
    order, front matter before the body); the page urls stay lower-case."""
    _, site = build_vault(
        {
            "A.md": "---\ntags: [Alpha]\n---\n#ProjectX and #MachineLearning/NLP #projectx\n",
            "sub/B.md": "#projectx #machinelearning #alpha\n",
        }
    )
    b = (site / "sub/b.html").read_text()
    assert '<a class="tag" href="../tags/projectx.html">#ProjectX</a></li>' in b  # a pill
    assert '<a class="tag" href="../tags/projectx.html">#projectx</a>' in b  # body: as written
    heading = '<h1><span class="mm-hash" aria-hidden="true">#</span>{}</h1>'
    assert heading.format("MachineLearning") in (site / "tags/machinelearning.html").read_text()
    nested = (site / "tags/machinelearning/nlp.html").read_text()
    assert heading.format("MachineLearning/NLP") in nested
    index = (site / "tags/index.html").read_text()
    assert ">#Alpha<" in index and ">#alpha<" not in index
    nodes = read_graph((site / "graph.json").read_bytes())["nodes"]
    titles = {n["title"] for n in nodes if n["kind"] == "tag"}
    assert titles == {"#Alpha", "#ProjectX", "#MachineLearning", "#MachineLearning/NLP"}


def test_recasing_a_tag_in_one_note_updates_every_page_that_lists_it(make_vault, tmp_path):
    notes = make_vault({"A.md": "#Topic first\n", "B.md": "#topic too\n", "C.md": "[[B]]\n"})
    age(notes, 300)
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0
    (notes / "A.md").write_text("#TOPIC first\n")
    age(notes, 100)
    assert cli("build", "notes", "-o", "site", "-q").exit_code == 0
    assert cli("build", "notes", "-o", "clean", "--clean", "-q").exit_code == 0
    b = (tmp_path / "site/b.html").read_text()
    assert ">#TOPIC</a></li>" in b and ">#Topic<" not in b
    one, two = read_site(tmp_path / "site"), read_site(tmp_path / "clean")
    assert [f for f in one if f != "graph.json" and one[f] != two[f]] == []


def test_a_missing_image_inside_a_paragraph_keeps_the_paragraph_whole(build_vault) -> None:
    """An image is inline content: its placeholder must not be a <div>, which would end the
    <p> in a browser (the text after it thrown out of the paragraph)."""
    _, site = build_vault({"A.md": "text ![[missing.png]] more\n\n![[Gone]]\n"})
    html = (site / "a.html").read_text()
    missing = '<span class="embed embed-missing mm-error">Missing embed: “missing.png”</span>'
    assert f'<p id="p-text-more">text {missing} more</p>' in html
    assert '<div class="embed embed-missing mm-error">Missing embed: “Gone”</div>' in html


def test_nested_tags_are_shown_under_their_parents_first_spelling(build_vault) -> None:
    _, site = build_vault({"b.md": "#Alpha/beta #ALPHA\n", "c.md": "#alpha/Beta/Gamma\n"})
    heading = '<h1><span class="mm-hash" aria-hidden="true">#</span>{}</h1>'
    assert heading.format("Alpha") in (site / "tags/alpha.html").read_text()
    gamma = (site / "tags/alpha/beta/gamma.html").read_text()
    assert heading.format("Alpha/beta/Gamma") in gamma
    assert ">#Alpha</a>" in gamma and ">#Alpha/beta</a>" in gamma  # its crumbs


def test_top_tags_with_as_many_notes_are_in_alphabetical_order_whatever_their_case(
    build_vault,
) -> None:
    _, site = build_vault({"A.md": "#Zeta #alpha #Beta\n"})
    home = (site / "index.html").read_text()
    assert home.index("#alpha") < home.index("#Beta") < home.index("#Zeta")


def test_a_permalink_with_dot_parts_is_reported_and_stays_inside_the_site(build_vault) -> None:
    text = "---\ntitle: T\npermalink: ../../escape\n---\nbody\n"
    result, site = build_vault({"A.md": text, "B.md": "[[A]]\n"})
    [diag] = [d for d in result.diagnostics if d.code == "permalink"]
    assert diag.format("notes").startswith(
        'notes/A.md:3: warning: permalink "../../escape" has . or .. in its path'
    )
    files = read_site(site)
    [page] = [u for u, data in files.items() if b"<h1" in data and b">T</h1>" in data]
    assert page.endswith("escape.html") and ".." not in page


def test_a_backlink_from_a_table_cell_shows_its_whole_row(build_vault) -> None:
    """A cell alone ("memory") says little: the snippet is the row, in a table of its own;
    two links in one row make one snippet."""
    table = "## Compare\n\n| topic | people | machines |\n|---|---|---|\n"
    table += "| [[Memory]] | sleep replays the day | [[Memory]] again: replay buffers |\n"
    _, site = build_vault({"A.md": table, "Memory.md": "m\n"})
    page = read_site(site)["memory.html"].decode()
    cards = page[page.index('class="mm-bl-list"') :]
    body = cards[cards.index('<div class="mm-ctx-body') :]
    body = body[: body.index("</div>")]
    assert body.count("<table>") == 1 and body.count("<tr>") == 1
    assert "sleep replays the day" in body and "replay buffers" in body
    assert cards.count('class="mm-ctx-body') == 1
    assert "Compare" in cards  # the heading above it, as crumbs
