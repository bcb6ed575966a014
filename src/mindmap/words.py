"""Words as search cuts and weighs them: what a note gives the search index.

A word is a run of letters, digits and marks (Unicode categories L, N and M, and the
joiners); each CJK character is a word of its own. Its term is the word folded (lower case;
accents and other marks, and the joiners, dropped after NFKD) with a light English stemmer
that drops plural endings ("graphs" → "graph", "classes" → "class", "stories" → "story").
`templates/static/search.js` cuts a query the same way (`words`, `term`):
tests/e2e/test_search_browser.py checks that the two agree.

Each note's words are counted when it is parsed (in the parser processes, kept in the
cache): one count per section, the text before its first heading and then each heading's,
whose title counts `HEADING_WEIGHT` times; the note's title, aliases and lede count in its
top section (`TITLE_WEIGHT`, `ALIAS_WEIGHT` and once). From the counts come its postings
(`note_postings`): for each term, a BM25 weight of its count in the note, and the sections
where it is, as search.py writes them into the index.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple, Protocol

from mindmap.marks import mark_class

HEADING_WEIGHT = 3  # a heading's words count this many times in its section
TITLE_WEIGHT, ALIAS_WEIGHT = 5, 3  # a word of the title or an alias counts this many times
_K1, _B, _LENGTH = 1.2, 0.75, 400  # BM25; `_LENGTH`: a page's length of average weight
_BAND = 1.1  # page lengths are rounded to bands this much apart (`_norm`)
_JOINERS = "\u00ad\u200c\u200d"  # a soft hyphen, the zero-width (non-)joiner: inside words
# Letters, digits and marks (Python's \w, whose "_" `words` splits at, and the marks, which
# \w leaves out: "re\u0301sume\u0301", Hindi or pointed Hebrew is one word), and joiners.
# `re` tests a class with ranges beyond the Basic Multilingual Plane range by range, 30
# times slower than one within it (a bitmap): text with no character beyond it, nearly all,
# is cut with the plane's own marks (`_ASTRAL`).
_INSIDE = f"\\w{mark_class(astral=False)}{_JOINERS}"
_WORD = re.compile(f"[{_INSIDE}]+")
_WORD_ANY = re.compile(f"(?:[{_INSIDE}]|[{mark_class(bmp=False)}])+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_ASCII_WORD = re.compile("[A-Za-z0-9]+")  # the same, in ASCII text
_DROP = frozenset(_JOINERS)
_CJK = re.compile(  # Han, kana (half-width too), Hangul, and the CJK extensions beyond the BMP
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f]"
)
# A block's tags part words; an inline tag (emphasis, a link, a link's placeholder) does not:
# `un<em>believ</em>able` is one word, as the page shows it
_BLOCK = re.compile(
    r"</?(?:p|li|ul|ol|div|h[1-6]|blockquote|pre|table|thead|tbody|tr|td|th|dl|dt|dd|br|hr"
    r"|section|details|summary|figure|figcaption|aside|nav|header|footer|img|iframe|video"
    r"|audio|math|mtr|mtd|mrow|mi|mo|mn)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>|\x02[^\x03]*\x03")  # any other tag, or a link's placeholder
_SKIP = re.compile(r"<(svg|script|style)\b.*?</\1>", re.S)  # shapes and code, not text
_PLURALS = ("sses", "xes", "zes", "ches", "shes")


class _Heading(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def anchor(self) -> str: ...


class Postings(NamedTuple):
    """What a note gives the search index: its sections' anchors ("" for the page's top, then
    its headings'), and each term's posting in it, a line `term<TAB>score,section,weight,...`
    (JSON but the page's number, which search.py puts in front) a term. One string, not a
    dict: a twelfth of the memory (flancian-garden: 6 MB against 48), and every process
    that forks from the build holds it."""

    anchors: tuple[str, ...]
    lines: str

    def items(self) -> Iterator[tuple[str, str]]:
        """(term, posting) of each term."""
        for line in self.lines.split("\n") if self.lines else ():
            t, _tab, posting = line.partition("\t")
            yield t, posting


@lru_cache(maxsize=1 << 16)
def term(word: str) -> str:
    """The term of one word (a run of letters and digits): folded, plurals stemmed."""
    word = word.lower()
    if not word.isascii():
        decomposed = unicodedata.normalize("NFKD", word)
        word = "".join(
            c for c in decomposed if not unicodedata.category(c).startswith("M") and c not in _DROP
        )
        word = word.lower()
    return _stem(word)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(_PLURALS):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The words of plain text, in order: runs of letters, digits and marks, CJK one by
    one."""
    if text.isascii():
        return _ASCII_WORD.findall(text)
    found = (_WORD_ANY if _ASTRAL.search(text) else _WORD).findall(text)
    if "_" in text:
        found = [w for run in found for w in run.split("_") if w]
    if not _CJK.search(text):
        return found
    out: list[str] = []
    for word in found:
        if _CJK.search(word):
            out += [w for w in re.split(f"({_CJK.pattern})", word) if w]
        else:
            out.append(word)
    return out


def count_terms(text: str, weight: int = 1, into: dict[str, int] | None = None) -> dict[str, int]:
    """Add the terms of plain text to `into` (a new dict by default), `weight` each."""
    into = {} if into is None else into
    get = into.get
    for word, n in Counter(words(text)).items():
        t = term(word)
        if t:
            into[t] = get(t, 0) + n * weight
    return into


def html_text(fragment: str) -> str:
    """The text of an HTML fragment: tags and link placeholders out (a block's tags part
    words, other tags do not), entities decoded."""
    return html.unescape(_TAG.sub("", _BLOCK.sub(" ", _SKIP.sub(" ", fragment))))


def section_terms(
    body: str, offsets: Sequence[int], headings: Sequence[_Heading]
) -> tuple[dict[str, int], ...]:
    """A note's terms by section: before its first heading, then under each heading (its
    own words `HEADING_WEIGHT` times, and the text until the next heading of any level)."""
    bounds = [0, *(offsets[h.start] for h in headings), len(body)]
    out = []
    for i in range(len(bounds) - 1):
        counts = count_terms(html_text(body[bounds[i] : bounds[i + 1]]))
        if i:
            count_terms(headings[i - 1].text, HEADING_WEIGHT - 1, counts)
        out.append(counts)
    return tuple(out)


def note_postings(
    sections: Sequence[dict[str, int]],
    headings: Sequence[_Heading],
    h1: _Heading | None,
    title: str,
    aliases: Sequence[str],
    lede: str | None,
) -> Postings:
    """A note's postings from its terms by section (`section_terms`). The page shows a leading
    H1 as its title (or under it), so its section is the page's top, with the title, aliases
    and lede."""
    top = dict(sections[0]) if sections else {}
    anchors, kept = [""], [top]
    for heading, counts in zip(headings, sections[1:], strict=False):
        if heading is h1:
            for t, n in counts.items():
                top[t] = top.get(t, 0) + n
            continue
        anchors.append(heading.anchor)
        kept.append(counts)
    extra = count_terms(title, TITLE_WEIGHT)
    for alias in aliases:
        count_terms(alias, ALIAS_WEIGHT, extra)
    if lede:
        count_terms(lede, 1, extra)
    for t, n in extra.items():
        top[t] = top.get(t, 0) + n
    return Postings(tuple(anchors), _postings(kept))


def _postings(sections: Sequence[dict[str, int]]) -> str:
    totals: dict[str, int] = {}
    where: dict[str, str] = {}
    for section, counts in enumerate(sections):
        for t, n in counts.items():
            if t in totals:
                totals[t] += n
                where[t] += f",{section},{n}"
            else:
                totals[t] = n
                where[t] = f"{section},{n}"
    norm = _norm(sum(totals.values()))
    weight = {n: score(n, norm) for n in set(totals.values())}  # few counts, many terms
    return "\n".join([f"{t}\t{weight[n]},{where[t]}" for t, n in totals.items()])


@lru_cache(maxsize=1024)
def _norm(length: int) -> float:
    """BM25's length normalisation of a page of `length` (weighted) words, rounded to a band
    of 10 % (`_BAND`): a few words more or fewer rarely move a page to another band, so an
    edit rewrites only the index's chunks of the terms whose counts it changes."""
    banded = _BAND ** round(math.log(max(length, 1), _BAND))
    return _K1 * (1 - _B + _B * banded / _LENGTH)


def score(count: int, norm: float) -> int:
    """BM25's term weight, times 1000: a term's weighted count in a page of norm `norm`."""
    return int(1000 * count * (_K1 + 1) / (count + norm) + 0.5)
