"""Web pages embedded with image syntax (ofm-spec E6): `![](https://www.youtube.com/watch?v=…)`
shows the video, `![](https://twitter.com/u/status/…)` the post.

The site fetches nothing from another host when a page is viewed, so neither is loaded
with the page: a video is a card linking to it, which `static/embeds.js` swaps for the
player (youtube-nocookie.com) when the reader clicks it; a post is a card linking to it.
Without JavaScript both are plain links. Other external images stay images.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import parse_qs, urlsplit

_YOUTUBE_HOSTS = frozenset(
    ["youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
     "youtube-nocookie.com", "www.youtube-nocookie.com"]
)  # fmt: skip
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_PATH_ID = re.compile(r"/(?:shorts|embed|live|v)/([A-Za-z0-9_-]{11})(?:[/?#]|$)")
_TWEET = re.compile(r"/([A-Za-z0-9_]{1,15})/status(?:es)?/(\d{1,20})(?:[/?#]|$)")
_TWEET_HOSTS = frozenset(["twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com",
                          "www.x.com"])  # fmt: skip
_TIME = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")


def web_embed(src: str, alt: str, inside_link: bool = False) -> str | None:
    """The HTML of `![alt](src)` when `src` is a YouTube video or a post on X/Twitter; inside
    a link (`[![](…)](…)`) the card is a <span>, the link's own target is followed."""
    try:
        url = urlsplit(src)
    except ValueError:
        return None
    if url.scheme not in ("http", "https"):
        return None
    host = (url.hostname or "").lower()
    video = _youtube_id(host, url.path, url.query)
    if video is not None:
        return _card(*_video(video, _start(url.query, url.fragment), alt), inside_link)
    match = _TWEET.match(url.path) if host in _TWEET_HOSTS else None
    if match is not None:
        return _card(*_post(match.group(1), match.group(2), alt), inside_link)
    return None


def _youtube_id(host: str, path: str, query: str) -> str | None:
    if host == "youtu.be":
        candidate = path.lstrip("/").split("/")[0]
        return candidate if _VIDEO_ID.fullmatch(candidate) else None
    if host not in _YOUTUBE_HOSTS:
        return None
    if path in ("/watch", "/watch/"):
        candidate = parse_qs(query).get("v", [""])[0]
        return candidate if _VIDEO_ID.fullmatch(candidate) else None
    match = _PATH_ID.match(path)
    return match.group(1) if match else None


def _start(query: str, fragment: str) -> int:
    """Seconds from `t=1m30s`, `t=90` or `start=90` (in the query or the #fragment)."""
    values = parse_qs(query) | parse_qs(fragment)
    raw = (values.get("t") or values.get("start") or [""])[0]
    match = _TIME.fullmatch(raw)
    if not raw or match is None:
        return 0
    h, m, s = (int(g or 0) for g in match.groups())
    return h * 3600 + m * 60 + s


def _video(video: str, start: int, alt: str) -> tuple[str, str, str, str, str, str]:
    """A video card's parts (as `_card` takes them): it links to the video and plays it
    from youtube-nocookie.com (`data-player`, static/embeds.js)."""
    watch = f"https://www.youtube.com/watch?v={video}" + (f"&t={start}s" if start else "")
    player = f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1" + (
        f"&start={start}" if start else ""
    )
    extra, shown = f' data-player="{escape(player)}"', f"youtube.com/watch?v={video}"
    return "embed-video-card", watch, extra, "▶", alt or "YouTube video", shown


def _post(user: str, post: str, alt: str) -> tuple[str, str, str, str, str, str]:
    """A post's card parts: it links to the post."""
    shown = f"x.com/{user}/status/{post}"
    return "embed-post-card", f"https://{shown}", "", "𝕏", alt or f"Post by @{user}", shown


def _card(
    kind: str, href: str, extra: str, icon: str, title: str, shown: str, inside_link: bool
) -> str:
    """A card: an icon, a title and the address shown; a link, or inside one a <span>."""
    opening = (
        f'<span class="embed-web {kind}">'
        if inside_link
        else (f'<a class="embed-web {kind}" href="{escape(href)}"{extra}>')
    )
    return (
        f'{opening}<span class="embed-web-icon" aria-hidden="true">{icon}</span>'
        f'<span class="embed-web-text"><span class="embed-web-title">{escape(title)}</span>'
        f'<span class="embed-web-url">{escape(shown)}</span></span>'
        + ("</span>" if inside_link else "</a>")
    )
