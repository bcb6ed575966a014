"""Shared fixtures for the site-level tests: tiny vaults on disk, built with the real pipeline.

* `make_vault(files)` writes `{relpath: text or bytes}` into a fresh folder and returns it.
* `build_vault(files, config_dict=None)` writes the vault, builds it with
  `mindmap.build.build_site` and returns `(BuildResult, site_dir)`.
* Helpers (read_site, snapshot, parse_html, ...) live in `sitetools.py`, importable by name.
* `--update-golden` makes `tests/golden` rewrite its expected output instead of comparing.
* `SHARED` is `../shared` next to the repository; `needs_shared` skips a test when the real
  corpora are not there (a fresh clone elsewhere must still pass its own tests).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from mindmap.build import BuildResult, build_site
from sitetools import config_from, write_files

# CI runs the property tests with a fixed seed (`.ci/run` sets HYPOTHESIS_PROFILE=ci): a
# red CI stops everything landing, so it must not hang on what one random run happens to
# find. A developer's run explores anew each time (and replays what failed, .hypothesis/).
settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

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
