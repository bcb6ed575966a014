"""Raw HTML in notes (allowed, ofm-spec K6) made safe: an allowlist of tags and attributes.

Works on fragments as markdown-it hands them over (an `html_inline` token is often one lone
tag, `<span style=…>` now and `</span>` later), so it re-emits each allowed tag as it comes,
never closing or re-nesting anything. Attribute values are decoded before they are checked
(`jav&#97;script:` is `javascript:`), then escaped again. What is not allowed is dropped:
scripts and styles with their content, other unknown elements keeping their text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "blockquote",
        "br",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "font",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "picture",
        "pre",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "source",
        "span",
        "strike",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "wbr",
        "audio",
        "video",
        "iframe",
    ]
)
_DROP_WITH_CONTENT = frozenset(
    ["script", "style", "template", "noscript", "title", "textarea", "xmp", "svg", "math"]
)
_GLOBAL = frozenset(
    ["class", "id", "title", "lang", "dir", "style", "align", "width", "height", "hidden"]
)
_ATTRS = {
    "a": {"href", "name", "target", "rel"},
    "img": {"src", "alt", "loading"},
    "source": {"src", "type", "media"},
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "video": {"src", "controls", "loop", "muted", "poster", "preload", "playsinline"},
    "iframe": {"src", "allow", "allowfullscreen", "frameborder", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "type", "reversed"},
    "details": {"open"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "font": {"color", "size", "face"},
    "col": {"span"},
    "colgroup": {"span"},
}
_URLS = frozenset(["href", "src", "poster", "cite"])
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_SAFE_SCHEMES = ("http:", "https:", "mailto:")
_IMAGE_DATA = re.compile(r"^data:image/(?:png|gif|jpe?g|webp|avif);", re.I)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


# MathML as latex2mathml writes it, and nothing else: it copies `\text{...}` into <mtext>
# as it is (`\text{<script>…}` ran) and `\href{javascript:…}` into an `href` attribute.
_MATH_TAGS = frozenset(
    [
        "math",
        "semantics",
        "annotation",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msub",
        "msup",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mstyle",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
        "mover",
        "munder",
        "munderover",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
        "mmultiscripts",
        "mprescripts",
        "none",
        "maligngroup",
        "malignmark",
    ]
)
_MATH_ATTRS = frozenset(
    [
        "xmlns",
        "display",
        "mathvariant",
        "mathsize",
        "mathcolor",
        "mathbackground",
        "stretchy",
        "fence",
        "separator",
        "separators",
        "lspace",
        "rspace",
        "accent",
        "accentunder",
        "columnalign",
        "rowalign",
        "columnlines",
        "rowlines",
        "columnspacing",
        "rowspacing",
        "columnspan",
        "rowspan",
        "frame",
        "framespacing",
        "width",
        "height",
        "depth",
        "displaystyle",
        "scriptlevel",
        "linethickness",
        "notation",
        "minsize",
        "maxsize",
        "movablelimits",
        "largeop",
        "symmetric",
        "form",
        "encoding",
        "open",
        "close",
        "align",
        "class",
        "voffset",
        "linebreak",
        "indentalign",
        "equalrows",
        "equalcolumns",
    ]
)


def sanitise_html(fragment: str) -> str:
    """The fragment with only safe tags and attributes left."""
    return _clean(_Cleaner(_TAGS, _attribute, _DROP_WITH_CONTENT), fragment)


def sanitise_mathml(markup: str) -> str:
    """MathML with only its presentation elements and their plain attributes left: no link,
    no event handler, no style, no id; any other element dropped (a script with its text)."""
    return _clean(_Cleaner(_MATH_TAGS, _math_attribute, _DROP_WITH_CONTENT - _MATH_TAGS), markup)


def _clean(cleaner: _Cleaner, fragment: str) -> str:
    cleaner.feed(fragment)
    cleaner.close()
    return "".join(cleaner.out)


def _math_attribute(_tag: str, name: str, value: str | None) -> str:
    if name not in _MATH_ATTRS:
        return ""
    return f" {name}" if value is None else f' {name}="{escape(value)}"'


class _Cleaner(HTMLParser):
    def __init__(
        self,
        tags: frozenset[str],
        attribute: Callable[[str, str, str | None], str],
        drop: frozenset[str],
    ) -> None:
        super().__init__(convert_charrefs=True)
        self.tags, self.attribute, self.drop = tags, attribute, drop
        self.out: list[str] = []
        self.dropping: list[str] = []  # open elements whose content is thrown away

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, " /")

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        if tag in self.drop:
            if not close:
                self.dropping.append(tag)
            return
        if self.dropping or tag not in self.tags:
            return
        kept = "".join(self.attribute(tag, name, value) for name, value in attrs)
        self.out.append(f"<{tag}{kept}{close}>")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in self.tags:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))


def _attribute(tag: str, name: str, value: str | None) -> str:
    if name not in _GLOBAL and name not in _ATTRS.get(tag, ()):
        return ""
    if value is None:
        return f" {name}"
    if name in _URLS and not _safe_url(tag, name, value):
        return ""
    return f' {name}="{escape(value)}"'


def _safe_url(tag: str, name: str, value: str) -> bool:
    url = _INVISIBLE.sub("", value)  # browsers ignore these inside a scheme: "java\tscript:"
    if tag == "img" and name == "src" and _IMAGE_DATA.match(url):
        return True
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(0).lower() in _SAFE_SCHEMES


_RAW_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")


def raw_content_plugin(md: MarkdownIt) -> None:
    """Text between inline raw `<script>…</script>` (and the other elements dropped with
    their content) is dropped too: a tag at a time, the sanitiser could drop only the tags,
    and the script's text showed on the page, in outline titles and in anchors."""
    md.core.ruler.after("inline", "raw_content", _drop_raw_content)


def _drop_raw_content(state: StateCore) -> None:
    if "<" not in state.src:  # most notes hold no raw HTML at all
        return
    for token in state.tokens:
        if token.type == "inline" and token.children and "<" in token.content:
            token.children = _kept(token.children)


def _kept(children: list[Token]) -> list[Token]:
    kept: list[Token] = []
    inside: str | None = None  # the element whose content is being dropped
    for child in children:
        match = _RAW_TAG.match(child.content) if child.type == "html_inline" else None
        name = match.group(2).lower() if match else ""
        if inside is None and match and not match.group(1) and name in _DROP_WITH_CONTENT:
            inside = None if child.content.rstrip().endswith("/>") else name
        elif inside is not None:
            if match and match.group(1) and name == inside:
                inside = None
        else:
            kept.append(child)
    return kept
