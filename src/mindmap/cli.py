"""The `mindmap` command. Thin: parse options, load the config, call one function."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mindmap import __version__
from mindmap.config import Config, ConfigError, load_config
from mindmap.diagnostics import PER_CODE, Diagnostic, Severity, count, summarise

NOTES = click.argument("notes_dir", default="notes", type=click.Path(path_type=Path))
CONFIG = click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Settings file (default: ./mindmap.yml when it exists).",
)
STRICT = click.option("--strict", is_flag=True, help="Exit 1 when there are warnings.")
QUIET = click.option("-q", "--quiet", is_flag=True, help="Print only diagnostics and errors.")
ALL = click.option(
    "--all",
    "show_all",
    is_flag=True,
    help=f"Print every diagnostic (by default the first {PER_CODE} of each code, then a count).",
)
JOBS = click.option(
    "-j", "--jobs", type=int, default=0, help="Parser processes (default: all cores)."
)


def out_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`-o/--out`, shared by build and serve."""
    path = click.Path(path_type=Path)
    return click.option(
        "-o", "--out", "out_dir", default="site", type=path, show_default=True, help=help_text
    )


# The last build's Builder, kept to the process's end: freed when `build` returns, its
# objects took 20 ms at 1,000 notes to free one by one, which `run`'s exit skips.
_KEPT: list[object] = []


@click.group()
@click.version_option(__version__, prog_name="mindmap")
def main() -> None:
    """Turn an Obsidian-style vault of notes into a static site with backlinks."""


def run() -> None:
    """The `mindmap` command: click's `main`, then an exit that skips the interpreter's
    teardown (freeing a build's heap object by object takes a third of a second at 1,000
    notes, longer than an incremental build's own work). Output is flushed first; every
    child process has been waited for by then."""
    try:
        main()
        code = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:
            print(done.code, file=sys.stderr)
            code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@main.command()
@NOTES
@out_option("Output folder (replaced on every build).")
@CONFIG
@STRICT
@QUIET
@ALL
@JOBS
@click.option(
    "--clean",
    is_flag=True,
    help="Ignore the build cache: parse and render everything (then write the cache anew).",
)
def build(
    notes_dir: Path,
    out_dir: Path,
    config_path: Path | None,
    strict: bool,
    quiet: bool,
    show_all: bool,
    jobs: int,
    clean: bool,
) -> None:
    """Build the site from NOTES_DIR (default: notes/) into --out (default: site/)."""
    from mindmap.build import Builder

    # The collector stays paused to the end: a build pauses it (build.py), and the first
    # pass after it walked every object the build made, only for the process to exit (0.09
    # of an incremental build's 0.7 s at 1,000 notes). `run` ends without freeing them.
    gc.disable()
    config = _settings(config_path, notes_dir)
    progress = None if quiet else _progress
    builder = Builder(notes_dir, out_dir, config, jobs, fresh=clean, progress=progress)
    _KEPT[:] = [builder]
    try:
        result = builder.build()
    except OSError as err:  # the output cannot be written (a disk full): no traceback
        raise click.ClickException(
            f"the build stopped: {err}\n  hint: a first build (or --clean) leaves the last "
            "site as it was; any other build's next run writes what is missing"
        ) from None
    _report(
        result.diagnostics,
        str(notes_dir),
        strict,
        quiet,
        f"built {result.notes} notes into {result.pages} pages ({result.files} files) in "
        f"{out_dir}/ in {result.seconds:.2f}s",
        show_all,
    )


@main.command()
@NOTES
@CONFIG
@STRICT
@ALL
@JOBS
def check(
    notes_dir: Path, config_path: Path | None, strict: bool, show_all: bool, jobs: int
) -> None:
    """Run the whole build without writing anything; print the diagnostics."""
    from mindmap.build import MemorySink, make_site

    if not notes_dir.is_dir():
        raise ConfigError(f"notes folder not found: {notes_dir}")
    result = make_site(notes_dir, _settings(config_path, notes_dir), MemorySink(), None, jobs)
    done = f"checked {result.notes} notes in {result.seconds:.2f}s"
    _report(result.diagnostics, str(notes_dir), strict, False, done, show_all)


@main.command()
@NOTES
@out_option("Output folder (kept up to date with the notes).")
@CONFIG
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0: every network interface).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option(
    "--poll", is_flag=True, help="Poll for changes (network drives, containers, some VMs)."
)
def serve(
    notes_dir: Path,
    out_dir: Path,
    config_path: Path | None,
    port: int,
    host: str,
    open_browser: bool,
    poll: bool,
) -> None:
    """Build, serve the site, and rebuild and reload the browser on every change."""
    from mindmap.serve import serve as run

    _settings(config_path, notes_dir)  # its note, if any: serve reads the settings itself
    run(notes_dir, out_dir, config_path, host, port, open_browser, poll)


def _settings(path: Path | None, notes_dir: Path) -> Config:
    """The settings (`load_config`). Without -c and without ./mindmap.yml, defaults are used:
    if a mindmap.yml sits in or beside the notes folder, say so (a build run from another
    folder would otherwise lose its site title and settings without a word)."""
    if path is None and not Path("mindmap.yml").exists():
        for near in (notes_dir / "mindmap.yml", notes_dir.parent / "mindmap.yml"):
            if near.is_file():
                click.echo(
                    f"note: no ./mindmap.yml here, so default settings are used; "
                    f"{near} exists: pass -c {near} to use it",
                    err=True,
                )
                break
    return load_config(path)


def _progress(message: str) -> None:
    click.echo(f"  {message}", err=True)


def _report(
    diags: list[Diagnostic],
    notes_dir: str,
    strict: bool,
    quiet: bool,
    done: str,
    show_all: bool = False,
) -> None:
    for line in summarise(diags, notes_dir, 0 if show_all else PER_CODE):
        click.echo(line, err=True)
    errors, warnings = count(diags, Severity.ERROR), count(diags, Severity.WARNING)
    if not quiet:
        click.echo(f"{done}: {errors} errors, {warnings} warnings", err=True)
    if errors or (strict and warnings):
        sys.exit(1)
