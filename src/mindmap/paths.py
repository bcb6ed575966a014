"""Path kinds and the only functions that convert between them (slugs, urls, anchors)."""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from functools import lru_cache
from typing import NewType
from urllib.parse import quote

NotePath = NewType("NotePath", str)  # vault-relative posix path with ".md": "ideas/Graph theory.md"
AssetPath = NewType("AssetPath", str)  # vault-relative posix path of an attachment: "img/x.png"
Url = NewType("Url", str)  # site-relative output file, unencoded: "ideas/graph-theory.html"

_UNSAFE = re.compile(r"[\s\"#%&'()*+,:;<=>?@\[\\\]^`{|}~!$/]+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DASHES = re.compile(r"-{2,}")
_PATH_SAFE = "/-._~!$&'()*+,;=:@"

# At most this many UTF-8 bytes in an output file or folder name. File systems allow 255
# (ext4, APFS; NTFS 255 UTF-16 units, never more than the bytes); the writer's temporary
# name adds 13 (`.name.tmp-PID`) and `UrlPlan.claim` a `-2`, so 200 leaves room for both.
NAME_BYTES = 200
_HASH_CHARS = 8  # hex digits of sha1 that tell apart long names cut to the same head
_KEPT_SUFFIX_BYTES = 16  # a file's extension up to this long survives the cut (".html")


def nfc(text: str) -> str:
    """NFC-normalise text: macOS writes NFD file names, people type NFC (ofm-spec R8)."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """A readable, unicode-safe url segment: lower case, punctuation and spaces become '-'."""
    text = _CONTROL.sub("", nfc(text)).lower()
    text = _DASHES.sub("-", _UNSAFE.sub("-", text)).strip("-.")
    return text or "note"


_NOT_WORD = re.compile(r"[^\w-]+")


def anchor_slug(text: str) -> str:
    """An html id from text: letters (any script), digits, `_` and `-` only, so a copied
    url needs no percent-encoding beyond the letters themselves."""
    return _DASHES.sub("-", _NOT_WORD.sub("-", nfc(text).lower())).strip("-_")


def heading_anchor(text: str) -> str:
    """The html id of a heading; links compute their fragment from the matched heading (H4)."""
    return anchor_slug(text) or "section"


@lru_cache(maxsize=65536)
def normalise_heading(text: str) -> str:
    """Obsidian's stripHeading-like key for matching `[[N#Heading]]` against headings (H1)."""
    text = re.sub(r"[#|^:%\[\]\\`*_~=]", " ", nfc(text).lower())
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def note_url(path: NotePath) -> Url:
    """The default output file of a note: each folder and the stem slugified."""
    parts = path[:-3].split("/") if path.lower().endswith(".md") else path.split("/")
    return Url("/".join(slugify(p) for p in parts) + ".html")


def fit_name(name: str, suffix: str = "") -> str:
    """`name` if it fits in `NAME_BYTES`, else its head cut at a character boundary, a hash
    of the whole name (two long names with the same head stay apart, and the same name is
    always cut alike) and `suffix`, a tail of `name` (its extension) kept as it is."""
    data = name.encode()
    if len(data) <= NAME_BYTES:
        return name
    digest = hashlib.sha1(data).hexdigest()[:_HASH_CHARS]
    tail = f"-{digest}{suffix}"
    room = NAME_BYTES - len(tail.encode())
    head = data[: len(data) - len(suffix.encode())][:room].decode("utf-8", "ignore")
    return nfc(head).rstrip("-.") + tail  # nfc: names are compared in NFC (`build._strays`)


@lru_cache(maxsize=65536)
def fit_path(path: str) -> str:
    """`path` with each name fitted by `fit_name`: the last one, a file, keeps a short
    extension, so that a cut page is still `.html` and a cut picture still `.png`."""
    *folders, file = path.split("/")
    stem, dot, ext = file.rpartition(".")
    keep = dot + ext if stem and len((dot + ext).encode()) <= _KEPT_SUFFIX_BYTES else ""
    return "/".join([*(fit_name(f) for f in folders), fit_name(file, keep)])


def relative_url(from_url: str, to_url: str) -> str:
    """Percent-encoded href from the page `from_url` to `to_url` (both site-relative)."""
    path, hash_, fragment = to_url.partition("#")
    return _relative_path(from_url, path) + (hash_ + _quote_fragment(fragment) if hash_ else "")


@lru_cache(maxsize=65536)
def _relative_path(from_url: str, to_path: str) -> str:
    if not to_path:
        return ""  # a fragment on the same page
    here = from_url.split("/")[:-1]
    there = to_path.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    rel = "../" * (len(here) - common) + "/".join(there[common:])
    return quote(rel, safe=_PATH_SAFE)


@lru_cache(maxsize=65536)
def _quote_fragment(fragment: str) -> str:
    return quote(fragment, safe="^" + _PATH_SAFE + "?")


def root_prefix(from_url: str) -> str:
    """The relative path from a page to the site root: "" or "../../"."""
    return "../" * from_url.count("/")


@lru_cache(maxsize=65536)
def folder_of(path: str) -> str:
    """Vault-relative folder of a path, "" for the root."""
    return posixpath.dirname(path)


def stem_of(path: str) -> str:
    """File name without the `.md` extension (a note's name in Obsidian, F5)."""
    name = posixpath.basename(path)
    return name[:-3] if name.lower().endswith(".md") else name


@lru_cache(maxsize=65536)
def quote_url(url: str) -> str:
    """A site-relative url as it goes into an href (templates prefix it with `root`)."""
    path, hash_, fragment = url.partition("#")
    return quote(path, safe=_PATH_SAFE) + (hash_ + _quote_fragment(fragment) if hash_ else "")
