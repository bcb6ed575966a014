"""Render rules for our tokens, and a renderer that keeps each block token's HTML apart.

Links, embeds and tags depend on the rest of the vault and on the page the HTML lands on,
so they are printed as placeholders (`\x02L3\x03`: link 3 of the note; `\x02Ttag\x03`: the
url of a tag page) and filled in by site rendering. Everything else is final here, which
lets each note be rendered once, in parallel, before any link is resolved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Any

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from mindmap.markdown.sanitise import sanitise_html, sanitise_mathml
from mindmap.markdown.tasks import TEXT_CLOSE, TEXT_OPEN, render_checkbox
from mindmap.markdown.webembeds import web_embed

_SIZE = re.compile(r"(\d+)(?:x(\d+))?")
PLACEHOLDER = re.compile("\x02([LT])([^\x03]*)\x03")
_FORMATTER = HtmlFormatter(nowrap=False, cssclass="highlight")


def link_placeholder(n: int) -> str:
    return f"\x02L{n}\x03"


class PartsRenderer(RendererHTML):
    """RendererHTML that can return one string per block token (for slicing embeds)."""

    def render_parts(
        self, tokens: Sequence[Token], options: OptionsDict, env: EnvType
    ) -> list[str]:
        parts: list[str] = []
        rules = self.rules
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                parts.append(self.renderInline(token.children or [], options, env))
            elif kind in rules:
                parts.append(rules[kind](tokens, i, options, env))
            elif token.hidden:  # a tight list's paragraph: renderToken's first test
                parts.append("")
            else:
                parts.append(self.renderToken(tokens, i, options, env))
        return parts


def install_rules(renderer: PartsRenderer) -> None:
    """Attach the render rule of every token type our plugins produce."""
    for name, rule in _RULES.items():
        renderer.rules[name] = rule.__get__(renderer)


def _wikilink(
    self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    token = tokens[idx]
    inner = self.renderInline(token.children or [], options, env)
    return f"{link_placeholder(token.meta['n'])}{inner}</a>"


def _embed(self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return link_placeholder(tokens[idx].meta["n"])


def _link_open(
    self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    token = tokens[idx]
    if token.meta and "n" in token.meta:
        return link_placeholder(token.meta["n"])
    token.attrJoin("class", "external")
    if token.markup in ("linkify", "autolink"):  # its text is its address (print shows both)
        token.attrJoin("class", "bare")
    return self.renderToken(tokens, idx, options, env)


def _image(self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if token.meta and "n" in token.meta:
        return link_placeholder(token.meta["n"])
    alt, width, height = split_size(self.renderInlineAsText(token.children or [], options, env))
    opened = sum(t.nesting for t in tokens[:idx] if t.type in ("link_open", "link_close"))
    web = web_embed(str(token.attrGet("src") or ""), alt, inside_link=opened > 0)
    if web is not None:
        return web
    src = escape(str(token.attrGet("src") or ""))
    return f'<img src="{src}" alt="{escape(alt)}"{size_attrs(width, height)} loading="lazy">'


def split_size(text: str) -> tuple[str, str | None, str | None]:
    """`alt|100x145`, `alt|100` or `250` → (alt, width, height): the size slot of E5/E6."""
    alt, bar, size = text.rpartition("|")
    match = _SIZE.fullmatch(size.strip())
    if match:
        return (alt if bar else ""), match.group(1), match.group(2)
    return text, None, None


def size_attrs(width: str | None, height: str | None) -> str:
    return (f' width="{width}"' if width else "") + (f' height="{height}"' if height else "")


def _tag(self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    return f'<a class="tag" href="\x02T{token.meta["name"]}\x03">#{escape(token.content)}</a>'


def _callout_open(
    self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    """`data-callout` keeps the type as typed (`faq`), as Obsidian does, for user CSS; the
    class names the canonical type (`callout-question`) for the built-in styles."""
    meta = tokens[idx].meta
    anchor = tokens[idx].attrGet("id")
    attrs = (
        f' class="callout callout-{escape(meta["kind"])}" data-callout="{escape(meta["typed"])}"'
    )
    attrs += f' id="{escape(str(anchor))}"' if anchor else ""
    inner = (
        '<span class="callout-icon" aria-hidden="true"></span><span class="callout-title-inner">'
    )
    if meta["fold"]:
        opened = " open" if meta["fold"] == "+" else ""
        return f'<details{attrs}{opened}><summary class="callout-title">{inner}'
    return f'<div{attrs}><div class="callout-title">{inner}'


def _callout_body(
    self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    tag = "summary" if tokens[idx].meta.get("fold") else "div"
    return f'</span></{tag}><div class="callout-content">\n'


def _callout_close(
    self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return "</div></details>\n" if tokens[idx].meta.get("fold") else "</div></div>\n"


def _math_inline(
    self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return f'<span class="math inline">{_mathml(tokens[idx].content, False)}</span>'


def _math_block(
    self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return f'<div class="math display">{_mathml(tokens[idx].content, True)}</div>\n'


def _math_display_inline(
    self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    """`$$x$$` inside a paragraph: shown as a display formula (CSS), but a <span>, since a
    <div> cannot sit inside a <p> (the browser would end the paragraph there)."""
    return f'<span class="math display">{_mathml(tokens[idx].content, True)}</span>'


@lru_cache(maxsize=4096)
def _mathml(latex: str, display: bool) -> str:
    """LaTeX → MathML at build time: browsers draw it natively, no script, no CDN."""
    from latex2mathml.converter import convert

    try:
        return sanitise_mathml(convert(latex.strip(), display="block" if display else "inline"))
    except Exception:  # latex2mathml raises many types; show the source instead
        return f'<code class="mm-error mm-error--math">{escape(latex)}</code>'


def _fence(self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    lang = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    return _highlight(token.content, lang)


@lru_cache(maxsize=2048)
def _highlight(code: str, lang: str) -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        cls = f' class="language-{escape(lang)}"' if lang else ""
        return f"<pre><code{cls}>{escape(code)}</code></pre>\n"
    return highlight(code, lexer, _FORMATTER)


def _html(self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return sanitise_html(tokens[idx].content)


def _checkbox(
    self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return render_checkbox(tokens[idx].content)


def _nothing(self: PartsRenderer, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return ""


_RULES = {
    "wikilink": _wikilink,
    "embed": _embed,
    "link_open": _link_open,
    "image": _image,
    "tag": _tag,
    "task_checkbox": _checkbox,
    "task_text_open": lambda *_args: TEXT_OPEN,
    "task_text_close": lambda *_args: TEXT_CLOSE,
    "callout_open": _callout_open,
    "callout_body": _callout_body,
    "callout_close": _callout_close,
    "math_inline": _math_inline,
    "math_block": _math_block,
    "math_block_label": _math_block,
    "math_inline_double": _math_display_inline,
    "fence": _fence,
    "html_block": _html,
    "html_inline": _html,
    "comment": _nothing,
    "front_matter": _nothing,
}
