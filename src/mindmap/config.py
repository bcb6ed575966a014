"""Site configuration from an optional `mindmap.yml`; every key has a default."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import click
import yaml

import mindmap
from mindmap.diagnostics import CODES


class ConfigError(click.ClickException):
    """A usage or configuration problem: exit code 2, nothing is built."""

    exit_code = 2


@dataclass(frozen=True)
class Config:
    title: str = "mindmap"  # site title, in every page header
    description: str = ""  # site description for the home page's <meta>
    lang: str = "en"  # <html lang>
    url: str = ""  # public base url (https://user.github.io/repo/): only the 404 page uses it
    home: str = ""  # note shown as the home page; default index.md, then Home.md, at the root
    ignore: tuple[str, ...] = ()  # gitignore-style patterns of vault files to leave out
    resolve_aliases: bool = False  # let [[Alias]] resolve to the note that declares it (R6: off)
    strict_line_breaks: bool = False  # CommonMark line breaks; Obsidian's default is off (K7)
    embed_depth: int = 5  # nested embeds deeper than this are cut
    templates: str = "templates"  # folder whose templates override the built-in ones by name
    severity: dict[str, str] = field(default_factory=dict)  # per-code level: error|warning|info
    search: bool = True  # full-text search: the search index, the search page and button
    base_dir: Path = field(default=Path("."), compare=False)  # folder of mindmap.yml

    @property
    def templates_dir(self) -> Path:
        return (self.base_dir / self.templates).resolve()


def load_config(path: Path | None) -> Config:
    """Read `path` (or ./mindmap.yml when it exists); unknown keys are an error, not a guess."""
    if path is None:
        path = Path("mindmap.yml")
        if not path.exists():
            return Config(base_dir=Path.cwd())
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"cannot read {path}: {err}") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    return _from_mapping(data, path)


def _from_mapping(data: dict[str, Any], path: Path) -> Config:
    known = {f.name: f for f in fields(Config) if f.name != "base_dir"}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, value in data.items():
        default = getattr(Config(), key)
        if isinstance(default, tuple):
            items = value if isinstance(value, list) else [value]
            value = tuple(str(v) for v in items if v is not None)
        elif isinstance(default, bool) and not isinstance(value, bool):
            raise ConfigError(f"{path}: {key} must be true or false")
        elif isinstance(default, int) and not isinstance(default, bool):
            if not isinstance(value, int) or value < 0:
                raise ConfigError(f"{path}: {key} must be a whole number")
        elif isinstance(default, dict) and not isinstance(value, dict):
            raise ConfigError(f"{path}: {key} must be a mapping")
        elif isinstance(default, str):
            value = "" if value is None else str(value)
        values[key] = value
    bad = {v for v in values.get("severity", {}).values()} - {"error", "warning", "info"}
    if bad:
        raise ConfigError(f"{path}: severity levels must be error, warning or info")
    unknown_codes = sorted(set(map(str, values.get("severity", {}))) - set(CODES))
    if unknown_codes:
        named = ", ".join(_with_guess(code, CODES) for code in unknown_codes)
        raise ConfigError(f"{path}: unknown diagnostic code(s) under severity: {named}")
    return Config(**values, base_dir=path.resolve().parent)


def _with_guess(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"{name} (did you mean {close[0]}?)" if close else name


def builtin_templates() -> Path:
    """Templates shipped in the wheel (mindmap/templates), or the checkout's templates/."""
    packaged = Path(mindmap.__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def template_dirs(user_dir: Path | None) -> list[Path]:
    """A user's templates folder first (overrides by name), then the built-in one."""
    builtin = builtin_templates()
    dirs = [builtin]
    if user_dir is not None and user_dir.is_dir() and user_dir.resolve() != builtin.resolve():
        dirs.insert(0, user_dir)
    return dirs
