"""graph.json's own process during an incremental build (pipeline.GraphJob): the pages
rendered meanwhile are still rendered on every core, its errors reach the build, and a build
that gives it up leaves no process behind; and the processes that render pages with the
build's own (pipeline._share).

A process that runs threads does not fork (vault.worker_count), and other tests leave a
server thread running in pytest's process: the builds that must fork run in a new one
(`sitetools.in_a_new_process`)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from mindmap import pipeline
from mindmap.build import Builder
from mindmap.config import Config
from sitetools import (
    MANY_NOTES,
    in_a_new_process,
    note_render_processes,
    read_site,
    render_processes,
    stop_noting_render_processes,
    write_files,
)


def _template_dir(tmp_path: Path, extra: str) -> Path:
    """A templates folder overriding note.html with the built-in one plus `extra`."""
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    builtin = Path(pipeline.__file__).resolve().parents[2] / "templates" / "note.html"
    (folder / "note.html").write_text(builtin.read_text(encoding="utf-8") + extra)
    return folder


def test_after_a_template_change_the_workers_render_while_graph_json_is_made(
    tmp_path: Path,
) -> None:
    """Every page is rendered again, by two processes, the build's own and a helper it
    forks (not by the build's own alone, as when a pool for graph.json kept it from
    forking), and the site is the one a clean build makes."""
    in_a_new_process(_template_change, tmp_path)
    seen = render_processes(tmp_path)
    assert len(seen.pages) == 2 and seen.parent in seen.pages
    assert len(seen.graph) == 1 and not seen.graph & seen.pages
    assert seen.pages_rendered >= 240
    built, expected = read_site(tmp_path / "site"), read_site(tmp_path / "clean")
    built.pop("graph.json")  # positions kept from the last build, by design
    expected.pop("graph.json")
    assert built == expected


def _template_change(tmp_path: Path) -> None:
    notes = write_files(tmp_path / "notes", MANY_NOTES)
    out = tmp_path / "site"
    config = Config(templates=str(_template_dir(tmp_path, "")), search=False)
    Builder(notes, out, config, jobs=2).build()
    _template_dir(tmp_path, "{# changed #}\n")
    (notes / "n001.md").write_text("# N001\n\n- now about [[n002]]\n", encoding="utf-8")
    note_render_processes(tmp_path)
    Builder(notes, out, config, jobs=2).build()
    stop_noting_render_processes()
    Builder(notes, tmp_path / "clean", config, jobs=2, cache=False).build()


def _failing_graph(bounds: tuple[int, int]) -> pipeline.Rendered:
    raise ValueError("no graph today")


def test_an_error_in_graph_json_s_process_reaches_the_build(tmp_path: Path) -> None:
    in_a_new_process(_failing_job, tmp_path)


def _failing_job(tmp_path: Path) -> None:
    notes = write_files(tmp_path / "notes", MANY_NOTES)
    plan = _plan(notes)
    pipeline._render_range = _failing_graph
    job = pipeline.GraphJob(plan, 2)
    assert job._pid is not None  # made in its own process
    try:
        job.result()
    except ValueError as err:
        assert str(err) == "no graph today"
    else:
        raise AssertionError("the error did not reach the build")


def test_a_graph_job_given_up_leaves_no_process(tmp_path: Path) -> None:
    in_a_new_process(_give_up, tmp_path)


def _give_up(tmp_path: Path) -> None:
    assert threading.active_count() == 1
    notes = write_files(tmp_path / "notes", MANY_NOTES)
    job = pipeline.GraphJob(_plan(notes), 2)
    pid = job._pid
    assert pid is not None
    assert threading.active_count() == 1  # a bare fork: no pool's threads here
    job.discard()
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass  # killed and reaped
    else:
        raise AssertionError("graph.json's process is still there")
    job.discard()  # twice is harmless


def _plan(notes: Path) -> pipeline.SitePlan:
    from mindmap.vault import parse_notes, scan

    found = scan(notes, ())
    parsed = parse_notes(found.notes, False, 1)
    plan, _diags = pipeline.plan_site(parsed, found.assets, Config(), found.hidden)
    return plan


def test_a_result_asked_twice_and_a_killed_process(tmp_path: Path) -> None:
    in_a_new_process(_twice_and_killed, tmp_path)


def _twice_and_killed(tmp_path: Path) -> None:
    plan = _plan(write_files(tmp_path / "notes", MANY_NOTES))
    job = pipeline.GraphJob(plan, 2)
    first = job.result()
    assert job.result() is first  # asked again: the same answer
    job.discard()  # nothing left to end
    killed = pipeline.GraphJob(plan, 2)
    assert killed._pid is not None
    os.kill(killed._pid, 9)
    try:
        killed.result()
    except RuntimeError as err:
        assert "failed (wait status" in str(err)
    else:
        raise AssertionError("a killed process gave a result")


def test_workers_end_at_sigterm_even_under_serve_s_handler(tmp_path: Path) -> None:
    """`serve` turns SIGTERM into KeyboardInterrupt; the parse and render workers it forks
    take SIGTERM's default action back (vault.start_worker), so a pool's `terminate` always
    ends them, whatever they are blocked on."""
    in_a_new_process(_build_under_serve_s_handler, tmp_path)
    seen = (tmp_path / "workers").read_text().split()
    # 2 parse workers, and 1 render helper (the build's own process renders too)
    assert sorted(set(seen)) == ["default"] and len(seen) == 3


def _build_under_serve_s_handler(tmp_path: Path) -> None:
    import signal

    from mindmap import serve, vault

    start = vault.start_worker

    def noting() -> None:
        start()
        kind = "default" if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL else "handled"
        with (tmp_path / "workers").open("a") as f:
            f.write(kind + "\n")

    vault.start_worker = pipeline.start_worker = noting
    signal.signal(signal.SIGTERM, serve._interrupt)
    notes = write_files(tmp_path / "notes", MANY_NOTES)
    Builder(notes, tmp_path / "site", Config(search=False), jobs=2).build()


def test_parsing_in_process_leaves_the_process_s_signals_and_collector(tmp_path: Path) -> None:
    """Only a pool's workers take SIGTERM's default back and pause their collector: a process
    that parses a few notes itself (serve in a child process, as here) keeps both."""
    in_a_new_process(_parse_in_process, tmp_path)


def _parse_in_process(tmp_path: Path) -> None:
    import gc
    import signal

    from mindmap import serve
    from mindmap.vault import parse_notes, scan

    signal.signal(signal.SIGTERM, serve._interrupt)
    notes = write_files(tmp_path / "notes", {"a.md": "see [[b]]\n", "b.md": "b\n"})
    parsed = parse_notes(scan(notes, ()).notes, False, 1)
    assert [n.path for n in parsed] == ["a.md", "b.md"]
    assert signal.getsignal(signal.SIGTERM) is serve._interrupt
    assert gc.isenabled()


def test_a_render_helper_s_error_reaches_the_build_and_no_process_is_left(
    tmp_path: Path,
) -> None:
    """A cold build renders in its own process and in a helper it forks (pipeline._share):
    an error in the helper is raised by the build, with the helper's traceback, and a
    helper that dies is reported; either way, no process is left behind and the previous
    site is kept."""
    in_a_new_process(_helper_fails, tmp_path)


_PARENT = 0


def _failing_in_a_helper(bounds: tuple[int, int]) -> pipeline.Rendered:
    if os.getpid() != _PARENT:
        raise ValueError("no pages from helpers today")
    return _RENDER(bounds)


def _dying_in_a_helper(bounds: tuple[int, int]) -> pipeline.Rendered:
    if os.getpid() != _PARENT:
        os._exit(3)
    return _RENDER(bounds)


_RENDER = pipeline._render_range


def _helper_fails(tmp_path: Path) -> None:
    global _PARENT
    _PARENT = os.getpid()
    notes = write_files(tmp_path / "notes", MANY_NOTES)
    out = tmp_path / "site"
    Builder(notes, out, Config(search=False), jobs=2).build()
    before = read_site(out)
    for broken, expected in (
        (_failing_in_a_helper, "no pages from helpers today"),
        (_dying_in_a_helper, "a process rendering pages failed (wait status"),
    ):
        pipeline._render_range = broken
        try:
            Builder(notes, out, Config(search=False), jobs=2, fresh=True).build()
        except (ValueError, RuntimeError) as err:
            assert expected in str(err)
            if isinstance(err, ValueError):
                assert "in a process rendering pages" in "\n".join(err.__notes__)
        else:
            raise AssertionError("the helper's failure did not reach the build")
        finally:
            pipeline._render_range = _RENDER
        _assert_no_child_left()
        assert read_site(out) == before


def test_a_result_that_cannot_be_taken_ends_the_helper_instead_of_waiting_for_it(
    tmp_path: Path,
) -> None:
    """This process fails to take a helper's result (a disk full while writing its pages):
    the error is raised at once, though the helper is still sending; no process is left."""
    in_a_new_process(_collect_fails, tmp_path)


def _collect_fails(tmp_path: Path) -> None:
    import errno
    import signal

    signal.alarm(30)  # a hang fails the test (its process dies) instead of blocking it
    import time

    big = pipeline.Rendered(files={"page.html": b"x" * 200_000})  # more than a pipe holds

    def slow(bounds: tuple[int, int]) -> pipeline.Rendered:
        time.sleep(0.02)  # so that the helper takes many ranges
        return big

    pipeline._collected = slow

    def collect(chunk: pipeline.Rendered) -> None:
        if threading.current_thread() is not threading.main_thread():  # a helper's result
            raise OSError(errno.ENOSPC, "No space left on device")

    try:
        pipeline._share([(n, n + 1) for n in range(40)], 1, collect, lambda: None)
    except OSError as err:
        assert err.errno == errno.ENOSPC
    else:
        raise AssertionError("the error did not reach the build")
    _assert_no_child_left()


def _assert_no_child_left() -> None:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        pass  # no child left
    else:
        raise AssertionError("a helper is still there")
