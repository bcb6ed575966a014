"""Fill a note's placeholder HTML for the page it lands on: links, embeds, tag urls.

Hrefs are relative to the page being written, which may be another note's page (for an
embed or a backlink snippet), so the same note HTML is filled differently per page (E1).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html import escape

from mindmap.diagnostics import Diagnostic, Severity
from mindmap.markdown.render import PLACEHOLDER, size_attrs, split_size
from mindmap.markdown.wikilinks import is_inline_media
from mindmap.model import Context, LinkRef, Note
from mindmap.paths import NotePath, relative_url
from mindmap.resolve import Resolution, find_heading

IMAGE = {".avif", ".bmp", ".gif", ".jpeg", ".jpg", ".png", ".svg", ".webp"}
AUDIO = {".flac", ".m4a", ".mp3", ".ogg", ".wav", ".webm", ".3gp"}
VIDEO = {".mkv", ".mov", ".mp4", ".ogv"}
# Shown on another page, a note's ids would clash, and its footnote links point at nothing.
_IDS = re.compile(r' id="[^"]*"| href="#fn(?:ref)?[\d:]+"')


@dataclass
class _Frame:
    note: Note
    page: str  # url of the page being written
    stack: tuple[tuple[str, int], ...] = ()  # (note, token index) of each embed we are inside
    current: str | None = None  # backlink snippets: the page whose links get `is-current`
    compact: bool = False  # backlink snippets: an embed shows as a one-line reference


@dataclass
class BodyFiller:
    notes: dict[NotePath, Note]
    resolutions: dict[NotePath, list[Resolution]]
    urls: dict[str, str]
    tag_urls: dict[str, str]
    embed_depth: int = 5
    diagnostics: set[Diagnostic] = field(default_factory=set)

    def page_body(self, note: Note, page: str, body: str | None = None) -> str:
        """The note's body (or the given part of it) as it appears on its own page."""
        return self._fill(note.body if body is None else body, _Frame(note, page))

    def context_html(self, note: Note, context: Context, page: str, current: str) -> str:
        """A backlink snippet: the bullet or paragraph of `note` that links to `current`."""
        html = note.slice(context.start, context.end)
        if html.startswith("<tr"):  # a table row: in a table of its own
            html = f"<table>\n<tbody>\n{html}</tbody>\n</table>\n"
        return _IDS.sub("", self._fill(html, _Frame(note, page, (), current, compact=True)))

    def _fill(self, html: str, frame: _Frame) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(1) == "T":
                return relative_url(frame.page, self.tag_urls[match.group(2)])
            n = int(match.group(2))
            ref, res = frame.note.links[n], self.resolutions[frame.note.path][n]
            if ref.embed:
                return self._embed(ref, res, frame)
            return self._link_open(ref, res, frame)

        return PLACEHOLDER.sub(replace, html)

    def _href(self, res: Resolution, frame: _Frame) -> str:
        target = self.urls[str(res.target)]
        return relative_url(frame.page, f"{target}#{res.anchor}" if res.anchor else target)

    def _link_open(self, ref: LinkRef, res: Resolution, frame: _Frame) -> str:
        if res.status == "private":
            return "<a>"  # an unpublished note: plain text, nothing that leaks its name
        if res.status == "missing":
            title = escape(f"No note named “{ref.target.strip()}”")
            return f'<a class="internal missing" title="{title}">'
        classes = "internal attachment" if res.is_asset else "internal"
        if frame.current is not None and res.target == frame.current:
            classes += " is-current"
        return f'<a class="{classes}" href="{escape(self._href(res, frame))}">'

    def _embed(self, ref: LinkRef, res: Resolution, frame: _Frame) -> str:
        if res.status == "private":
            return ""
        if res.status == "missing":
            what = escape(ref.target.strip() or "?")
            tag = "span" if is_inline_media(ref.target) else "div"  # may sit in a paragraph
            return f'<{tag} class="embed embed-missing mm-error">Missing embed: “{what}”</{tag}>'
        if res.is_asset:
            return self._media(ref, res, frame)
        if res.status == "bad-anchor" and not frame.compact:
            return self._no_section(ref, res, frame)
        return self._transclude(ref, res, frame)

    def _no_section(self, ref: LinkRef, res: Resolution, frame: _Frame) -> str:
        """An embed of a heading or block the note does not have: a placeholder with a link
        to the note, as Obsidian's "Unable to find section" (not the whole note, which a
        typo in an id would pull in)."""
        target = self.notes[NotePath(str(res.target))]
        part = escape(f"^{ref.block}" if ref.block else "#".join(ref.heading))
        href = escape(self._href(res, frame))
        return (
            f'<div class="embed embed-missing mm-error">Unable to find “{part}” in '
            f'<a class="internal" href="{href}">{escape(target.title)}</a></div>'
        )

    def _media(self, ref: LinkRef, res: Resolution, frame: _Frame) -> str:
        src = escape(relative_url(frame.page, self.urls[str(res.target)]))
        ext = posixpath.splitext(str(res.target))[1].lower()
        label = escape(ref.alias or posixpath.basename(str(res.target)))
        if ext in IMAGE:
            return _image(src, ref, posixpath.basename(str(res.target)))
        if ext in AUDIO:
            return f'<audio class="embed-audio" controls src="{src}" title="{label}"></audio>'
        if ext in VIDEO:
            return f'<video class="embed-video" controls src="{src}" title="{label}"></video>'
        if ext == ".pdf":
            frag = "#" + escape("#".join(ref.heading)) if ref.heading else ""
            return (
                f'<object class="embed-pdf" type="application/pdf" title="{label}" '
                f'data="{src}{frag}">'
                f'<a class="internal attachment" href="{src}">{label}</a></object>'
            )
        return f'<a class="internal attachment" href="{src}">{label}</a>'

    def _transclude(self, ref: LinkRef, res: Resolution, frame: _Frame) -> str:
        target = self.notes[NotePath(str(res.target))]
        href = escape(self._href(res, frame))
        title = escape(" › ".join([target.title, *ref.heading]))
        if frame.compact:
            return f'<span class="embed-ref">↳ <a class="internal" href="{href}">{title}</a></span>'
        start, end, wrap, kind = _section(target, ref)
        here = frame.note.contexts[ref.context].start if ref.context >= 0 else 0
        stack = (*frame.stack, (frame.note.path, here))
        # A loop (E4): the embedded part holds an embed we are already inside of. A note may
        # embed its own other sections; and the page's own note is the bottom of the stack.
        if (
            any(p == target.path and start <= at < end for p, at in stack)
            or len(stack) > self.embed_depth
        ):
            self._report(
                frame.note,
                ref,
                "embed-cycle",
                f'embed of "{ref.target or target.title}" loops back or nests too deep; cut here',
            )
            return (
                f'<div class="embed embed-cycle mm-error">↻ <a class="internal" href="{href}">'
                f"{title}</a> (embed loop cut)</div>"
            )
        html = (
            target.slice(start, end) if kind != "note" else target.body_after(target.leading_h1())
        )
        inner = self._fill(
            f"<{wrap}>{html}</{wrap}>" if wrap else html, _Frame(target, frame.page, stack)
        )
        return (
            f'<div class="embed" data-embed="{kind}"><div class="embed-title">'
            f'<a class="internal" href="{href}">{title}</a></div>'
            f'<div class="embed-content">{_IDS.sub("", inner)}</div></div>'
        )

    def _report(self, note: Note, ref: LinkRef, code: str, message: str) -> None:
        self.diagnostics.add(
            Diagnostic(note.path, ref.line, ref.col, Severity.WARNING, code, message)
        )


def _section(note: Note, ref: LinkRef) -> tuple[int, int, str, str]:
    """The token range an embed shows: a block (E3), a heading's section (E2) or the whole
    note (E1); with the list to wrap a lone list item in, and the kind."""
    if ref.block:
        block = next((b for b in note.blocks if b.id.lower() == ref.block.lower()), None)
        if block is not None:
            return block.start, block.end, block.wrap, "block"
    if ref.heading:
        anchor = find_heading(note, ref.heading)
        head = next((h for h in note.headings if h.anchor == anchor), None)
        if head is not None:
            return head.start, head.end, "", "heading"
    return 0, len(note.offsets) - 1, "", "note"


def _image(src: str, ref: LinkRef, name: str) -> str:
    alt, width, height = split_size(ref.alias or "")
    alt = alt or posixpath.splitext(name)[0]  # something for screen readers
    frag = "#" + escape("#".join(ref.heading)) if ref.heading else ""  # a style hook, kept (E5)
    return (f'<img class="embed-image" src="{src}{frag}" alt="{escape(alt)}"'
            f"{size_attrs(width, height)} loading=\"lazy\">")  # fmt: skip
