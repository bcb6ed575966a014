"""Jinja: the template environment and turning a planned page into HTML text.

Autoescaping is on and undefined variables fail loudly: no title or front matter value can
inject markup, and a wrong name in a template is an error at `templates/x.html:LINE`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from mindmap.config import template_dirs
from mindmap.diagnostics import Diagnostic, Severity
from mindmap.site import Page

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?!\d)")


class _Environment(jinja2.Environment):
    """Jinja's environment, reading a dict's keys first: `{{ note.title }}` tries the
    attribute `title` before the key, and a dict (every page context here is made of them)
    has no such attribute; raising and catching that AttributeError, about 160 times a
    page, was a fifth of the rendering. A name that is a dict's attribute (`items`, `get`,
    ...) is still looked up as Jinja does, attribute first, so nothing renders differently."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_DICT_NAMES = frozenset(dir(dict))


def make_environment(user_dir: Path | None, cache_dir: Path | None = None) -> jinja2.Environment:
    """`cache_dir` keeps compiled templates between runs (Jinja checks each against its
    source): compiling them costs a fifth of a second in every new process."""
    loader = jinja2.FileSystemLoader([str(d) for d in template_dirs(user_dir)])
    bytecode = None
    if cache_dir is not None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            bytecode = _BytecodeCache(str(cache_dir))
        except OSError:  # no cache folder: templates are compiled in every run
            pass
    env = _Environment(
        loader=loader,
        bytecode_cache=bytecode,
        autoescape=True,
        auto_reload=False,  # serve makes a new environment when templates change
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["isodate"] = is_iso_date
    env.filters["path"] = breakable_path
    return env


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, which gives up a file it cannot write (a disk
    full) instead of failing the build: that template is compiled again next time."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def breakable_path(value: object) -> Markup:
    """A folder path that a narrow screen may break after each `/` (the `path` filter):
    `a/b` → `a/<wbr>b`, each part escaped."""
    return Markup("/<wbr>").join(escape(part) for part in str(value).split("/"))


def is_iso_date(value: object) -> bool:
    """Whether a property's value starts with a real date, `YYYY-MM-DD` (the `isodate`
    test of the templates: `2024-02-30` is text, not a date)."""
    text = str(value)
    if not _ISO_DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def render_page(env: jinja2.Environment, page: Page) -> tuple[str, Diagnostic | None]:
    """The page's HTML; a template error becomes a diagnostic and a plain error page."""
    try:
        return env.get_template(page.template).render(page.context), None
    except jinja2.TemplateSyntaxError as err:
        where, line = err.filename or page.template, err.lineno
        message = f"template syntax error: {err.message}"
    except jinja2.TemplateError as err:
        where, line = page.template, 0
        message = f"template error while rendering {page.url}: {err}"
    diag = Diagnostic(where, line, 0, Severity.ERROR, "template-error", message)
    return f"<!doctype html><title>Template error</title><pre>{escape(message)}</pre>", diag
