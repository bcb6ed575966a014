"""Decide every output file's url once, so that no two things ever write the same file."""

from __future__ import annotations

from mindmap.model import Note
from mindmap.paths import AssetPath, NotePath, Url, fit_path, folder_of, note_url, slugify

SPECIAL = (
    "index.html",
    "notes.html",
    "404.html",
    "graph.json",
    "graph.html",
    "tags/index.html",
    "search.html",
)


# Folders of the site's own files, which no vault file may land in (a vault folder of that
# name is published as `<name>-2/`)
RESERVED_FOLDERS = ("search-index",)


class UrlPlan:
    """Allocates urls; a url (compared case-insensitively) is given out once."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, wanted: str) -> Url:
        """`wanted`, its names cut to fit a file system (`fit_path`: a 300-letter tag or
        permalink cannot be a file name), with `-2`, `-3`... when it is taken. Every output
        url passes here, so pages, links, graph.json and the explorer agree on it."""
        wanted = _outside_reserved(fit_path(wanted))
        stem, dot, ext = (
            wanted.rpartition(".") if "." in wanted.split("/")[-1] else (wanted, "", "")
        )
        url, n = wanted, 1
        while url.lower() in self.taken:
            n += 1
            url = f"{stem}-{n}{dot}{ext}"
        self.taken.add(url.lower())
        return Url(url)


def _outside_reserved(url: str) -> str:
    """`url`, or in `<folder>-2/` when it would land in a reserved folder."""
    first, slash, rest = url.partition("/")
    return f"{first}-2/{rest}" if slash and first.lower() in RESERVED_FOLDERS else url


def tag_page_url(tag: str) -> str:
    return "tags/" + "/".join(slugify(p) for p in tag.split("/")) + ".html"


def folder_page_url(folder: str) -> str:
    return "/".join(slugify(p) for p in folder.split("/")) + "/index.html"


def plan_urls(
    notes: dict[NotePath, Note],
    assets: list[AssetPath],
    home: NotePath | None,
    tags: list[str],
    folders: list[str],
    reserved: tuple[str, ...] | list[str] = (),
) -> tuple[dict[str, Url], dict[str, Url], dict[str, Url]]:
    """Urls of notes and assets (one map), tag pages and folder pages; deterministic."""
    plan = UrlPlan()
    urls: dict[str, Url] = {}
    for special in SPECIAL:
        plan.claim(special)
    plan.taken.update(("static", ".nojekyll", ".mindmap-site"))
    plan.taken.update(url.lower() for url in reserved)
    for asset in sorted(assets):
        urls[asset] = plan.claim(asset)
    if home is not None:
        urls[home] = Url("index.html")
    for path in sorted(notes):
        if path != home:
            permalink = str(notes[path].meta.get("permalink", "")).strip("/")
            wanted = (
                "/".join(slugify(p) for p in permalink.split("/")) + ".html"
                if permalink
                else note_url(path)
            )
            urls[path] = plan.claim(wanted)
    tag_urls = {tag: plan.claim(tag_page_url(tag)) for tag in sorted(tags)}
    folder_urls = {f: plan.claim(folder_page_url(f)) for f in sorted(folders)}
    return urls, tag_urls, folder_urls


def folders_of(paths: list[NotePath]) -> list[str]:
    """Every folder that holds a note, with its ancestors; the root is ""."""
    out: set[str] = set()
    for path in paths:
        folder = folder_of(path)
        while folder:
            out.add(folder)
            folder = folder_of(folder)
    return sorted(out)
