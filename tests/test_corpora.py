"""The real vaults in ../shared/corpora, built whole (skipped when ../shared is absent).

Each corpus is built once per module with `build_site(..., jobs=2)`. Checks: no exception, a
page for every published note (and none for drafts), internal links point at files, and spot
checks of resolution taken from ../shared/corpora/README.md. flancian-garden (7,770 notes) is
marked `slow`; it is not skipped by default.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import CORPORA, needs_shared
from mindmap.build import BuildResult, build_site
from mindmap.config import Config
from mindmap.diagnostics import Severity
from mindmap.vault import scan
from sitetools import Element, ids_of, parse_html, read_graph, refs_of

pytestmark = needs_shared

OE = "obsidian-export-testdata/input"
FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass
class Built:
    root: Path
    site: Path
    result: BuildResult
    graph: dict
    pages: dict[str, str]  # vault path of each published note → its url

    def html(self, url: str) -> str:
        return (self.site / url).read_text(encoding="utf-8")

    def page_of(self, path: str) -> Element:
        return parse_html(self.html(self.pages[path]))

    def body_of(self, path: str) -> Element:
        return self.page_of(path).find("div", cls="mm-body")

    def lines(self, code: str) -> list[str]:
        return [d.format() for d in self.result.diagnostics if d.code == code]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Built]:
    cache: dict[str, Built] = {}

    def get(name: str) -> Built:
        if name not in cache:
            root = CORPORA / name
            out = tmp_path_factory.mktemp(name.replace("/", "-")) / "site"
            result = build_site(root, out, Config(base_dir=out.parent), None, 2)
            graph = read_graph((out / "graph.json").read_bytes())
            pages = {n["path"]: n["url"] for n in graph["nodes"] if n["kind"] == "note"}
            cache[name] = Built(root, out, result, graph, pages)
        return cache[name]

    return get


def is_private(file: Path) -> bool:
    """Independent of the code under test: `draft: true` or `publish: false` in front matter."""
    match = FRONT.match(file.read_text(encoding="utf-8", errors="replace"))
    if not match:
        return False
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return False
    if not isinstance(data, dict):
        return False
    data = {str(k).lower(): v for k, v in data.items()}
    return data.get("draft") in (True, "true") or data.get("publish") in (False, "false")


def check_whole_site(built: Built, sample: int | None = None) -> None:
    result, site = built.result, built.site
    assert result.notes > 0 and result.pages > result.notes
    assert not [d for d in result.diagnostics if d.severity is Severity.ERROR]
    notes = scan(built.root, ()).notes
    published = {p for p, f in notes.items() if not is_private(f)}
    assert set(built.pages) == published
    assert result.notes == len(published)
    assert len(set(built.pages.values())) == len(published)  # one file per note
    for path, url in built.pages.items():
        text = (site / url).read_text(encoding="utf-8")
        assert f"<code>{html.escape(path, quote=True).replace('&#x27;', '&#39;')}</code>" in (
            text.replace("&#34;", "&quot;")
        ), path
    # Every internal href/src of (a sample of) the pages points at a file of the site.
    urls = sorted(built.pages.values())
    if sample:
        urls = urls[:: max(1, len(urls) // sample)]
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    missing = []
    for url in urls:
        for ref in refs_of(url, parse_html(built.html(url))):
            if ref.external:
                continue
            target, _fragment = ref.target()
            if target not in files:
                missing.append(f"{url}: {ref.url}")
    assert not missing, missing[:20]


# --- every corpus ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["quartz-docs", OE, "vaultofknowledge"])
def test_corpus_builds_with_a_page_per_published_note(corpus, name: str) -> None:
    check_whole_site(corpus(name), sample=300)


@pytest.mark.slow
def test_flancian_garden_builds(corpus) -> None:
    built = corpus("flancian-garden")
    check_whole_site(built, sample=300)
    assert built.result.notes > 7000
    # Case-colliding files get two pages, each of its own note (README 3b).
    upper, lower = built.pages["Flancia.md"], built.pages["flancia.md"]
    assert upper != lower
    assert "<code>Flancia.md</code>" in built.html(upper)
    assert "<code>flancia.md</code>" in built.html(lower)
    # File names with link syntax still get pages: `hypha#coop.md` is not `hypha.md`.
    assert len({built.pages[p] for p in ("hypha.md", "hypha#coop.md", "hypha.coop.md")}) == 3
    # Numeric hashes are not tags (T1).
    tags = {n["id"] for n in built.graph["nodes"] if n["kind"] == "tag"}
    assert "tag:2019" not in tags and "tag:pull" in tags


# --- obsidian-export: the README's table is the oracle -----------------------------------


def hrefs(body: Element) -> dict[str, str]:
    """Link text → href of every <a> with an href in a body."""
    return {a.text().strip(): str(a.attrs["href"]) for a in body.find_all("a") if "href" in a.attrs}


def test_oe_same_filename_different_directories(corpus) -> None:
    built = corpus(OE)
    case = "same-filename-different-directories"
    body = built.body_of(f"{case}/Note.md")
    links = hrefs(body)
    assert links["note from dir1"] == "dir1/note.html"
    assert links["note from dir2"] == "dir2/note.html"
    embeds = body.find_all("div", cls="embed")
    assert [e.find("div", cls="embed-content").text().strip() for e in embeds] == [
        "Note in dir1.",
        "Note in dir2.",
    ]


def test_oe_non_ascii_names(corpus) -> None:
    built = corpus(OE)
    url = built.pages["non-ascii/Nöte with 'quotes'.md"]
    assert url == "non-ascii/nöte-with-quotes.html"
    link = built.body_of("non-ascii/Link.md").find("a")
    assert link.attrs["href"] == "n%C3%B6te-with-quotes.html"
    assert link.text() == "Nöte with 'quotes'"
    embed = built.body_of("non-ascii/Embed.md").find("div", cls="embed")
    assert embed.find("a").attrs["href"] == "n%C3%B6te-with-quotes.html"
    assert embed.find("div", cls="embed-content").text().strip()


def test_oe_infinite_recursion_is_cut(corpus) -> None:
    built = corpus(OE)
    cycles = [line for line in built.lines("embed-cycle") if "infinite-recursion/" in line]
    assert cycles
    for note in ("Note A", "Note B", "Note C"):
        body = built.body_of(f"infinite-recursion/{note}.md")
        [cut] = body.find_all(cls="embed-cycle")
        assert "(embed loop cut)" in cut.text()
        assert cut.find("a").attrs["href"].startswith("note-")
    assert "Note C ends here." in built.body_of("infinite-recursion/Note A.md").text()


def test_oe_infinite_recursion_cuts_at_the_page_note(corpus) -> None:
    """README: on A's page, A inlines B, B inlines C, and C's ![[Note A]] becomes a link."""
    body = corpus(OE).body_of("infinite-recursion/Note A.md")
    assert body.text().count("This note (A) embeds note B") == 1
    assert body.find(cls="embed-cycle").find("a").attrs["href"] == "note-a.html"


def test_oe_wikilinks_case_and_trimming(corpus) -> None:
    built = corpus(OE)
    body = built.body_of("main-samples/obsidian-wikilinks.md")
    links = hrefs(body)
    assert links["pure-markdown-examples"] == "pure-markdown-examples.html"
    assert links["Pure-Markdown-Examples"] == "pure-markdown-examples.html"  # R3, own spelling
    assert links["uppercased-note"] == built.pages["main-samples/Uppercased-note.md"].split("/")[-1]
    assert links["_underscored-note"] == "_underscored-note.html"
    code = " ".join(c.text() for c in body.find_all("code"))
    assert "[[" in code  # links in code stay literal
    trimmed = built.body_of("main-samples/issue-188-wikilinks-need-trimming.md")
    targets = {a.attrs.get("href", "").split("#")[0] for a in trimmed.find_all("a")}
    assert targets == {"foo.html"}


def test_oe_heading_embed_takes_the_first_matching_section(corpus) -> None:
    body = corpus(OE).body_of("main-samples/embeds-partial-note.md")
    embed = body.find("div", cls="embed").find("div", cls="embed-content").text()
    assert "Second paragraph" in embed
    assert "Subheading" in embed
    assert "This section is also named heading" not in embed


def test_oe_embed_in_subdir_links_relative_to_the_embedding_page(corpus) -> None:
    built = corpus(OE)
    embed = built.body_of("main-samples/embeds-note-in-subdir.md").find("div", cls="embed")
    inner = embed.find("div", cls="embed-content").find("a")
    assert inner.attrs["href"] == "pure-markdown-examples.html"
    assert built.pages["main-samples/subdir/note-in-subdir.md"].startswith("main-samples/subdir/")


# --- quartz-docs ------------------------------------------------------------------------


def test_quartz_spot_checks(corpus) -> None:
    built = corpus("quartz-docs")
    assert "features/upcoming features.md" not in built.pages  # draft: true
    roam = built.pages["features/Roam Research compatibility.md"]
    body = built.body_of("plugins/RoamFlavoredMarkdown.md")
    assert any(href.endswith(roam.split("/")[-1]) for href in hrefs(body).values()), (
        "[[Roam Research Compatibility]] resolves case-insensitively"
    )
    config = built.body_of("configuration.md")
    assert hrefs(config)["Latex"] == "plugins/latex.html"
    assert built.pages["plugins/Latex.md"] == "plugins/latex.html"
    assert built.pages["features/Latex.md"] == "features/latex.html"
    # `tags: component` (a scalar) is a tag with its page. The vault has a note
    # tags/component.md too: the note keeps tags/component.html, the tag page moves aside.
    assert built.pages["tags/component.md"] == "tags/component.html"
    [tag] = [n for n in built.graph["nodes"] if n["id"] == "tag:component"]
    assert tag["url"] != "tags/component.html"
    assert "Recent Notes" in built.html(tag["url"])
    # [[configuration#Layout|layout]]: the note exists, the heading does not.
    assert any(
        "creating components.md" in line and '"Layout"' in line
        for line in built.lines("anchor-missing")
    )


# --- vaultofknowledge -------------------------------------------------------------------


def test_vaultofknowledge_spot_checks(corpus) -> None:
    built = corpus("vaultofknowledge")
    photo = built.pages["01. Personal/Knowledge/Photography.md"]
    assert "^2ceb3b" in ids_of(parse_html(built.html(photo)))
    aperture = built.body_of("03. Culture/Fun and Activities/Photography/Aperture.md")
    href = hrefs(aperture)["bokeh"]
    assert href.endswith("photography.html#^2ceb3b")
    tags = {n["id"] for n in built.graph["nodes"] if n["kind"] == "tag"}
    assert "tag:1" not in tags and "tag:2" not in tags  # numbered hashes are not tags
    assert "tag:knowledge-management" in tags
    # index.md at the root is the home page; another folder's Index.md is a page of its own.
    assert built.pages["index.md"] == "index.html"
    other = built.pages["08. External Resources/Large File Backups (PDFs, etc.)/Index.md"]
    assert other == "08.-external-resources/large-file-backups-pdfs-etc/index.html"
