"""Front matter (Obsidian "properties", ofm-spec §10): read leniently, report bad YAML.

Invalid YAML is reported at its file line and the note keeps its body (F6). Whether a note
is published fails closed: front matter that cannot be read (invalid, never closed, or
expanding to a huge value through YAML aliases) but has a `publish` or `draft` line leaves
the note out, and a `publish` value that is not plainly true, or a `draft` value that is not
plainly false, does too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from mindmap.diagnostics import Diagnostic, Severity
from mindmap.markdown.tags import normalise_tag, tag_label

_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WIKILINK = re.compile(r"\[\[([^\[\]|#]*)")
_KEPT = ("date", "created", "updated", "description", "permalink")
_NO_PROPERTIES = "the body is published without properties"
_LEFT_OUT = "it sets publish or draft, so the note is left out until its front matter reads"
_PRIVACY_KEY = re.compile(r"""(?:^|[{,\s])["']?(publish|draft)["']?\s*:""", re.I | re.M)
# each `publish:` or `draft:` line of readable front matter, whatever its case or nesting:
# YAML keeps the last of two equal keys, and `Publish` is not `publish` (fails closed)
_PRIVACY_LINE = re.compile(r"""^\s*["']?(publish|draft)["']?\s*:(.*)$""", re.I | re.M)
_MAX_VALUES = 10_000  # values in front matter, aliases expanded (a "billion laughs" stops here)


class _Loader(_SAFE):  # type: ignore[misc,valid-type]
    """Safe YAML, except that a value shaped like a date that is no real date or time
    (`2024-02-30`, `2024-01-01 25:00:00`) stays text and is noted in `bad_dates` (line in the
    YAML, text), instead of failing the whole front matter."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.bad_dates: list[tuple[int, str]] = []


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError, AttributeError, TypeError):
        loader.bad_dates.append((node.start_mark.line, str(node.value)))
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


@dataclass
class Properties:
    title: str | None  # the `title` property; None when there is none
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    tag_labels: tuple[str, ...] = ()  # `tags` as written (aligned with it)
    meta: dict[str, Any] = field(default_factory=dict)
    published: bool = True
    links: list[tuple[int, str]] = field(default_factory=list)  # (line, target) of "[[x]]" values
    diagnostics: list[Diagnostic] = field(default_factory=list)


def properties_plugin(md: MarkdownIt) -> None:
    """mdit-py-plugins' front matter, only at the very top of the note (F1): its rule reads
    `---` on line 0 wherever that line's content starts, so `- I---the plan` as a note's
    first line became (empty) front matter and its text vanished."""
    md.use(front_matter_plugin)
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "front_matter")
    plugin_rule = rule.fn

    def front_matter(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if start != 0 or state.bMarks[0] + state.tShift[0] != 0:
            return False  # not the note's first line, or inside a list item or a quote
        return plugin_rule(state, start, end, silent)

    md.block.ruler.at("front_matter", front_matter, {"alt": list(rule.alt)})


def read_properties(tokens: list[Token], path: str, source: str = "") -> Properties:
    """Properties of a note from its `front_matter` token (the first token, if any); the
    note's `source` is looked at for front matter that was never closed."""
    props = Properties(title=None)
    if not tokens or tokens[0].type != "front_matter":
        _check_unclosed(source, path, props)
        return props
    raw = tokens[0].content
    first_line = (tokens[0].map or [0])[0] + 2  # file line of the first YAML line
    before = len(props.diagnostics)
    data = _load(raw, path, first_line, props)
    if isinstance(data, dict):
        _apply(data, props, first_line, raw, path)
        return props
    if data is not None:
        message = "front matter is not a mapping"
        props.diagnostics.append(_problem(path, first_line, 0, message, _NO_PROPERTIES))
    if _PRIVACY_KEY.search(raw):  # unreadable, but meant to say whether to publish
        props.published = False
        if len(props.diagnostics) > before:
            props.diagnostics[-1] = replace(props.diagnostics[-1], hint=_LEFT_OUT)
        else:
            message = "front matter holds no properties"
            props.diagnostics.append(_problem(path, first_line, 0, message, _LEFT_OUT))
    return props


def _check_unclosed(source: str, path: str, props: Properties) -> None:
    """`---` on the first line and no closing one: Obsidian shows it as text, a rule and a
    paragraph. When a line of the note (YAML may hold blank lines: any line) starts with
    `publish:` or `draft:`, the note is left out rather than published with it in view."""
    if not source.startswith("---") or source.split("\n", 1)[0].rstrip() != "---":
        return
    if _PRIVACY_LINE.search(source):
        props.published = False
        message = "front matter opened with --- is never closed"
        props.diagnostics.append(_problem(path, 1, 1, message, _LEFT_OUT))


def _load(text: str, path: str, first_line: int, props: Properties) -> Any:
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = first_line + mark.line if mark else first_line
        col = mark.column + 1 if mark else 0
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        props.diagnostics.append(
            _problem(path, line, col, f"invalid YAML front matter: {problem}", _NO_PROPERTIES)
        )
        return None
    except (ValueError, TypeError, AttributeError, OverflowError, RecursionError) as err:
        # a value YAML reads but cannot make (`!!int "abc"`, `!!float x`): no position known
        props.diagnostics.append(
            _problem(path, first_line, 0, f"invalid YAML front matter: {err}", _NO_PROPERTIES)
        )
        return None
    finally:
        loader.dispose()
    for line, value in loader.bad_dates:
        message = f'"{value}" is not a real date: kept as text'
        props.diagnostics.append(_problem(path, first_line + line, 0, message))
    if _too_big(data):
        message = f"front matter expands to more than {_MAX_VALUES:,} values (YAML aliases)"
        props.diagnostics.append(_problem(path, first_line, 0, message, _NO_PROPERTIES))
        return None
    return data


def _too_big(data: Any) -> bool:
    """Whether the values, each alias counted again where it is used, are more than
    `_MAX_VALUES`: nine lines of anchors make a billion, which later steps would walk."""
    todo, seen = [data], 0
    while todo:
        seen += 1
        if seen > _MAX_VALUES:
            return True
        value = todo.pop()
        if isinstance(value, dict):
            todo += [*value.keys(), *value.values()]
        elif isinstance(value, list | tuple | set):
            todo += value
    return False


def _problem(path: str, line: int, col: int, message: str, hint: str | None = None) -> Diagnostic:
    """A front-matter warning (`frontmatter-yaml`)."""
    return Diagnostic(path, line, col, Severity.WARNING, "frontmatter-yaml", message, hint)


def _apply(data: dict[Any, Any], props: Properties, first_line: int, raw: str, path: str) -> None:
    data = {str(k).lower(): v for k, v in data.items()}
    if isinstance(data.get("title"), str | int | float) and str(data["title"]).strip():
        props.title = str(data["title"]).strip()
    props.aliases = tuple(_strings(data.get("aliases", data.get("alias"))))
    tags = _strings(data.get("tags", data.get("tag")), split=True)
    props.tag_labels = tuple(t for t in (tag_label(x.lstrip("#")) for x in tags) if t)
    props.tags = tuple(normalise_tag(t) for t in props.tag_labels)
    # published unless said otherwise; a value that is not plainly "publish" (or plainly
    # "no draft") is otherwise. An empty value is none: templates leave them so.
    publish, draft = data.get("publish"), data.get("draft")
    props.published = (publish is None or _truthy(publish)) and (draft is None or _falsy(draft))
    for key, value in _PRIVACY_LINE.findall(raw):
        value = value.split(" #", 1)[0].strip().strip("'\"")
        if value and (_falsy(value) if key.lower() == "draft" else _truthy(value)) is False:
            props.published = False
    for key in _KEPT:
        if data.get(key) is not None:
            props.meta[key] = _scalar(data[key])
    _check_permalink(str(props.meta.get("permalink", "")), raw, (path, first_line), props)
    classes = _strings(data.get("cssclasses", data.get("cssclass")), split=True)
    props.meta["cssclasses"] = [c for c in classes if re.fullmatch(r"[\w-]+", c)]
    props.links = _property_links(data, raw, first_line)


def _check_permalink(permalink: str, raw: str, where: tuple[str, int], props: Properties) -> None:
    """`../x` or `./x`: a page cannot leave the site, so each `.` or `..` becomes a name
    (`note/x.html`); say so, at the permalink's line."""
    if not {".", ".."} & set(permalink.strip().split("/")):
        return
    lines = raw.split("\n")
    row = next((n for n, t in enumerate(lines) if re.match(r"\s*permalink\s*:", t, re.I)), 0)
    message = f'permalink "{permalink}" has . or .. in its path: they are names here'
    hint = "write the page's path from the site's root, e.g. permalink: guides/setup"
    path, first_line = where
    props.diagnostics.append(
        Diagnostic(path, first_line + row, 0, Severity.WARNING, "permalink", message, hint)
    )


def _strings(value: Any, split: bool = False) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    text = str(value)
    pieces = re.split(r"[,\s]+", text) if split else [text]
    return [p.strip() for p in pieces if p.strip()]


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "yes", "on", "1")


def _falsy(value: Any) -> bool:
    return value is False or str(value).strip().lower() in ("false", "no", "off", "0")


def _scalar(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool):
        return value if not isinstance(value, str) else value.strip()
    return str(value)


def _property_links(data: dict[str, Any], raw: str, first_line: int) -> list[tuple[int, str]]:
    """Quoted `"[[x]]"` values are links (F3); their line is found in the raw YAML."""
    links: list[tuple[int, str]] = []
    for n, line in enumerate(raw.splitlines()):
        for match in _WIKILINK.finditer(line):
            if match.group(1).strip():
                links.append((first_line + n, match.group(1).strip()))
    return links
