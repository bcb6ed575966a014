"""graph.json's own process during an incremental build (pipeline.GraphJob): the pages
rendered meanwhile still go to the render workers, its errors reach the build, and a build
that gives it up leaves no process behind.

A process that runs threads does not fork (vault.worker_count), and other tests leave a
server thread running in pytest's process: the builds that must fork run in a new one."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from pathlib import Path

from mindmap import pipeline
from mindmap.build import Builder
from mindmap.config import Config
from sitetools import read_site, write_files

VAULT = {
    f"n{i:03}.md": f"# N{i:03}\n\n- about w{i}\n  - see [[n{(i * 7) % 240:03}]]\n"
    for i in range(240)
}


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
    """Every page is rendered again, by the worker processes (not by the build's own
    process, which a pool for graph.json used to keep from forking), and the site is the one
    a clean build makes."""
    _in_a_new_process(_template_change, tmp_path)
    rows = [line.split() for line in (tmp_path / "pids").read_text().splitlines()]
    parent = (tmp_path / "parent").read_text()
    page_pids = {pid for pid, lo, hi in rows if int(hi) > 0}
    graph_pids = {pid for pid, lo, hi in rows if lo == "-1" and hi == "0"}
    assert len(page_pids) == 2 and parent not in page_pids
    assert len(graph_pids) == 1 and not graph_pids & page_pids
    assert sum(int(hi) - max(int(lo), 0) for _pid, lo, hi in rows) >= 240
    built, expected = read_site(tmp_path / "site"), read_site(tmp_path / "clean")
    built.pop("graph.json")  # positions kept from the last build, by design
    expected.pop("graph.json")
    assert built == expected


def _template_change(tmp_path: Path) -> None:
    notes = write_files(tmp_path / "notes", VAULT)
    out = tmp_path / "site"
    config = Config(templates=str(_template_dir(tmp_path, "")), search=False)
    Builder(notes, out, config, jobs=2).build()
    _template_dir(tmp_path, "{# changed #}\n")
    (notes / "n001.md").write_text("# N001\n\n- now about [[n002]]\n", encoding="utf-8")
    os.environ["MM_TEST_PIDS"] = str(tmp_path / "pids")
    (tmp_path / "parent").write_text(str(os.getpid()))
    pipeline._render_range = _noting_pid
    Builder(notes, out, config, jobs=2).build()
    pipeline._render_range = _RENDER_RANGE
    Builder(notes, tmp_path / "clean", config, jobs=2, cache=False).build()


def _in_a_new_process(run: Callable[[Path], None], tmp_path: Path) -> None:
    process = multiprocessing.get_context("spawn").Process(target=run, args=(tmp_path,))
    process.start()
    process.join(120)
    assert process.exitcode == 0, f"{run.__name__} failed in its process (see its output)"


_RENDER_RANGE = pipeline._render_range


def _noting_pid(bounds: tuple[int, int]) -> pipeline.Rendered:
    """`_render_range`, noting which process ran which range (forked workers inherit it)."""
    with open(os.environ["MM_TEST_PIDS"], "a") as f:
        f.write(f"{os.getpid()} {bounds[0]} {bounds[1]}\n")
    return _RENDER_RANGE(bounds)


def _failing_graph(bounds: tuple[int, int]) -> pipeline.Rendered:
    raise ValueError("no graph today")


def test_an_error_in_graph_json_s_process_reaches_the_build(tmp_path: Path) -> None:
    _in_a_new_process(_failing_job, tmp_path)


def _failing_job(tmp_path: Path) -> None:
    notes = write_files(tmp_path / "notes", VAULT)
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
    _in_a_new_process(_give_up, tmp_path)


def _give_up(tmp_path: Path) -> None:
    assert threading.active_count() == 1
    notes = write_files(tmp_path / "notes", VAULT)
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
    _in_a_new_process(_twice_and_killed, tmp_path)


def _twice_and_killed(tmp_path: Path) -> None:
    plan = _plan(write_files(tmp_path / "notes", VAULT))
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
