"""Shared fixtures for the site-level tests: tiny vaults on disk, built with the real pipeline.

* `make_vault(files)` writes `{relpath: text or bytes}` into a fresh folder and returns it.
* `build_vault(files, config_dict=None)` writes the vault, builds it with
  `mindmap.build.build_site` and returns `(BuildResult, site_dir)`.
* `read_site(site_dir)` maps every output file (posix relpath) to its bytes.
* `--update-golden` makes `tests/golden` rewrite its expected output instead of comparing.
* `SHARED` is `../shared` next to the repository; `needs_shared` skips a test when the real
  corpora are not there (a fresh clone elsewhere must still pass its own tests).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from mindmap.build import BuildResult, build_site
from mindmap.config import Config, load_config

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = SHARED / "corpora"
needs_shared = pytest.mark.skipif(
    not CORPORA.is_dir(), reason=f"real corpora not found at {CORPORA} (../shared is absent)"
)

Files = dict[str, str | bytes]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*/expected from the current build instead of comparing",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a long test (a big real corpus); run in CI")


def write_files(root: Path, files: Files) -> Path:
    """Write `{relpath: text or bytes}` under `root` (text as UTF-8, byte for byte)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def config_from(data: dict | None, where: Path) -> Config:
    """A Config read the way the CLI reads `mindmap.yml` (so lists become tuples, etc.)."""
    if data is None:
        return Config(base_dir=where)
    where.mkdir(parents=True, exist_ok=True)
    path = where / "mindmap.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_config(path)


def read_site(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by posix path relative to the site root."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()
    }


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Contents and mtimes of every file and folder under `root` (to prove nothing changed)."""
    out: dict[str, tuple[bytes, int]] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = (p.read_bytes() if p.is_file() else b"<dir>", p.stat().st_mtime_ns)
    return out


@pytest.fixture
def make_vault(tmp_path: Path) -> Callable[..., Path]:
    """`make_vault(files, name="notes")` → the vault folder under tmp_path."""
    counter = itertools.count(1)

    def make(files: Files, name: str | None = None) -> Path:
        n = next(counter)
        folder = tmp_path / (name or ("notes" if n == 1 else f"notes-{n}"))
        return write_files(folder, files)

    return make


@pytest.fixture
def build_vault(
    tmp_path: Path, make_vault: Callable[..., Path]
) -> Callable[..., tuple[BuildResult, Path]]:
    """`build_vault(files_or_folder, config_dict=None, out=None, jobs=1)` → (result, site)."""
    counter = itertools.count(1)

    def build(
        files: Files | Path,
        config_dict: dict | None = None,
        out: Path | None = None,
        jobs: int = 1,
    ) -> tuple[BuildResult, Path]:
        n = next(counter)
        notes = files if isinstance(files, Path) else make_vault(files)
        config = config_from(config_dict, tmp_path / f"config-{n}")
        site = out or tmp_path / ("site" if n == 1 else f"site-{n}")
        result = build_site(notes, site, config, None, jobs)
        return result, site

    return build


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
