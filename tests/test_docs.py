"""The README documents every setting, diagnostic code and command option."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from mindmap.cli import main
from mindmap.config import Config
from mindmap.diagnostics import CODES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [f.name for f in fields(Config) if f.name != "base_dir"])
def test_every_setting_is_documented(name: str) -> None:
    assert re.search(rf"^\| `{name}` \|", README, re.M), f"mindmap.yml key {name!r} not in README"


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_diagnostic_code_is_documented(code: str) -> None:
    assert re.search(rf"^\| `{code}` \|", README, re.M), f"diagnostic {code!r} not in README"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_and_option_is_documented(command: str) -> None:
    assert f"mindmap {command}" in README
    for param in main.commands[command].params:
        for opt in param.opts:
            if opt.startswith("-"):
                assert f"`{opt}" in README or f"{opt}`" in README or f" {opt}" in README, opt


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (ROOT / "templates" / "static").iterdir() if p.is_file())
)
def test_every_static_file_is_documented(name: str) -> None:
    assert f"`static/{name}`" in README, f"static/{name} is not in README's output files"
