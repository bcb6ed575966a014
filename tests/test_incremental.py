"""Incremental builds are exact: after any sequence of edits, the site a long-lived Builder
keeps up to date (as `serve` does), and the one a new process builds from the persistent cache
(as a second `mindmap build` does), are byte-identical to a clean build of the same vault.

A hypothesis state machine makes random vaults and random edits: create, delete, rename,
edit text, add and remove links, embeds, tags, headings, block ids, drafts, templates.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

import mindmap.build
from mindmap.build import Builder
from mindmap.config import Config
from mindmap.search import SEARCH_DIR

NAMES = ["Alpha", "beta", "Gamma ray", "delta", "Épsilon", "alpha", "Zeta/Eta", "Zeta/Alpha"]
TAGS = ["idea", "idea/sub", "Idea", "todo", "méthode"]
WORDS = ["river", "lantern", "orbit", "prism"]


def read_tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def assert_same_site(actual: dict[str, bytes], expected: dict[str, bytes], what: str) -> None:
    assert sorted(actual) == sorted(expected), f"{what}: different files"
    for url in expected:
        want, got = expected[url], actual[url]
        if url == "graph.json":  # positions remember the last layout (README: graph.json)
            want, got = without_positions(want), without_positions(got)
        assert got == want, f"{what}: {url} differs from a clean build"


def without_positions(data: bytes) -> bytes:
    """graph.json with its layout's x and y left out, once checked to cover every node."""
    head, sep, layout = data.partition(b',"layout":')
    assert sep and layout.endswith(b"}}"), "graph.json ends with its layout"
    columns = json.loads(layout[:-1])
    count = len(json.loads(head + b"}")["nodes"]["id"])
    assert all(len(column) == count for column in columns.values()), "a position per node"
    kept = {k: columns[k] for k in ("community", "degree", "rank")}
    return head + b"," + json.dumps(kept).encode()


class Vault:
    """A vault on disk whose files get strictly increasing mtimes, like real saves."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.clock = 1_600_000_000

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.clock += 10
        os.utime(path, (self.clock, self.clock))

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")


class IncrementalSite(RuleBasedStateMachine):
    notes = Bundle("notes")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="mm-inc-"))
        self.vault = Vault(self.tmp / "vault")
        self.vault.root.mkdir()
        self.templates = self.tmp / "templates"
        self.config = Config(title="Inc", templates=str(self.templates), base_dir=self.tmp)
        self.live = Builder(self.vault.root, self.tmp / "live", self.config, jobs=1, keep=True)
        self.steps = 0

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- edits ---------------------------------------------------------------------------

    @rule(target=notes, name=st.sampled_from(NAMES), body=st.sampled_from(WORDS))
    def create(self, name: str, body: str) -> str:
        rel = f"{name}.md"
        self.vault.write(rel, f"# {name}\n\n- {body} [[{NAMES[len(name) % len(NAMES)]}]]\n")
        return rel

    @rule(rel=consumes(notes))
    def delete(self, rel: str) -> None:
        (self.vault.root / rel).unlink(missing_ok=True)

    @rule(rel=consumes(notes), new=st.sampled_from(NAMES))
    def rename(self, rel: str, new: str) -> None:
        source = self.vault.root / rel
        if source.exists() and not (self.vault.root / f"{new}.md").exists():
            (self.vault.root / f"{new}.md").parent.mkdir(parents=True, exist_ok=True)
            source.rename(self.vault.root / f"{new}.md")

    @rule(rel=notes, target_name=st.sampled_from(NAMES), form=st.integers(0, 5),
          depth=st.integers(0, 2))  # fmt: skip
    def add_link(self, rel: str, target_name: str, form: int, depth: int) -> None:
        forms = [
            "[[{}]]",
            "[[{}|shown]]",
            "[[{}#Section]]",
            "[[{}#^blk]]",
            "![[{}]]",
            "![[{}#^blk]]",
        ]
        link = forms[form].format(target_name)
        self._append(rel, "  " * depth + f"- see {link}\n")

    @rule(rel=notes)
    def remove_links(self, rel: str) -> None:
        if (self.vault.root / rel).exists():
            text = self.vault.read(rel)
            self.vault.write(rel, "\n".join(x for x in text.split("\n") if "[[" not in x) + "\n")

    @rule(rel=notes, tag=st.sampled_from(TAGS))
    def add_tag(self, rel: str, tag: str) -> None:
        self._append(rel, f"- tagged #{tag}\n")

    @rule(rel=notes, word=st.sampled_from(WORDS))
    def add_heading_and_block(self, rel: str, word: str) -> None:
        self._append(rel, f"\n## Section\n\n- {word} ^blk\n  - child {word}\n")

    @rule(rel=notes, word=st.sampled_from(WORDS))
    def edit_text(self, rel: str, word: str) -> None:
        if (self.vault.root / rel).exists():
            text = self.vault.read(rel)
            self.vault.write(rel, text.replace("river", word, 1) + f"{word}\n")

    @rule(rel=notes, draft=st.booleans(), title=st.sampled_from(["", "Retitled", "Alpha"]))
    def front_matter(self, rel: str, draft: bool, title: str) -> None:
        if (self.vault.root / rel).exists():
            body = self.vault.read(rel).split("---\n")[-1]
            head = f"draft: {str(draft).lower()}\n" + (f"title: {title}\n" if title else "")
            self.vault.write(rel, f"---\n{head}---\n{body}")

    @rule(rel=notes, content=st.sampled_from([b"\x89PNG one", b"\x89PNG two"]))
    def add_image(self, rel: str, content: bytes) -> None:
        (self.vault.root / "img.png").write_bytes(content)
        self.vault.clock += 10
        os.utime(self.vault.root / "img.png", (self.vault.clock, self.vault.clock))
        self._append(rel, "- picture ![[img.png|40]]\n")

    @rule()
    def remove_image(self) -> None:
        (self.vault.root / "img.png").unlink(missing_ok=True)

    @rule(marker=st.sampled_from(["A", "B"]))
    def change_template(self, marker: str) -> None:
        self.templates.mkdir(exist_ok=True)
        (self.templates / "404.html").write_text(f"<!doctype html><title>404 {marker}</title>\n")

    def _append(self, rel: str, text: str) -> None:
        if (self.vault.root / rel).exists():
            self.vault.write(rel, self.vault.read(rel) + text)

    # -- the property --------------------------------------------------------------------

    @invariant()
    def incremental_equals_clean(self) -> None:
        self.steps += 1
        clean_dir = self.tmp / f"clean-{self.steps}"
        Builder(self.vault.root, clean_dir, self.config, jobs=1, cache=False).build()
        expected = read_tree(clean_dir)
        self.live.build()
        if self.steps % 3 == 0:  # nobody asks for graph.json and serve never goes idle: the
            return  # next build drops it unmade (and checks everything again)
        idle = self.steps % 2 == 1
        if idle:  # serve went idle before anyone asked for the deferred graph.json
            self.live.settle()
        served = {
            u: d if isinstance(d, bytes) else d.read_bytes() for u, d in self.live.files.items()
        }
        on_disk = {u: d for u, d in expected.items() if u not in (".nojekyll", ".mindmap-site")}
        if not idle:  # the search index is made when serve is idle: the older one is served
            served = {u: d for u, d in served.items() if not u.startswith(SEARCH_DIR + "/")}
            on_disk = {u: d for u, d in on_disk.items() if not u.startswith(SEARCH_DIR + "/")}
        assert_same_site(served, on_disk, "live builder, served snapshot")
        self.live.settle()  # what serve does once idle: the files on disk catch up
        assert_same_site(read_tree(self.tmp / "live"), expected, "live builder, on disk")
        fresh = Builder(self.vault.root, self.tmp / "cached", self.config, jobs=1)
        fresh.build()  # a new process: the persistent cache
        assert_same_site(read_tree(self.tmp / "cached"), expected, "new builder from the cache")
        shutil.rmtree(clean_dir)


@pytest.fixture(autouse=True)
def trust_fresh_mtimes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The vault's fake mtimes are old, so the stat cache is trusted as for real saves."""
    monkeypatch.setattr(mindmap.build, "_RACY_SECONDS", 0.0)


IncrementalSite.TestCase.settings = settings(
    max_examples=int(os.environ.get("MM_STATE_EXAMPLES", "25")),
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_incremental_builds_equal_clean_builds = IncrementalSite.TestCase


def test_unchanged_rebuild_keeps_a_deferred_graph_json(tmp_path: Path) -> None:
    """A build that finds nothing changed must not drop the graph.json deferred by the
    build before it: the files on disk would never catch up (found by the state machine)."""
    vault, config = tmp_path / "v", Config()
    vault.mkdir()
    (vault / "Alpha.md").write_text("river\n")
    os.utime(vault / "Alpha.md", (1.6e9, 1.6e9))
    live = Builder(vault, tmp_path / "live", config, jobs=1, keep=True)
    live.build()
    live.settle()
    (vault / "Alpha.md").unlink()
    live.build()  # graph.json deferred; nobody asks for it
    live.build()  # nothing changed
    live.settle()
    Builder(vault, tmp_path / "clean", config, jobs=1, cache=False).build()
    live_graph = without_positions((tmp_path / "live" / "graph.json").read_bytes())
    assert live_graph == without_positions((tmp_path / "clean" / "graph.json").read_bytes())


def test_interrupted_settling_is_resumed(tmp_path: Path) -> None:
    """Serve gives up making graph.json when a save comes in; it is made later, whole."""
    vault, config = tmp_path / "v", Config()
    vault.mkdir()
    for n in range(600):  # more than one step of graph.json's making
        (vault / f"n{n}.md").write_text(f"- see [[n{(n + 1) % 600}]]\n")
    live = Builder(vault, tmp_path / "live", config, jobs=1, keep=True)
    live.build()
    (vault / "n1.md").write_text("- see [[n7]]\n")
    live.build()
    before = (tmp_path / "live" / "graph.json").read_bytes()
    live.settle(stop=lambda: True)  # a save came in: nothing is made or written
    assert (tmp_path / "live" / "graph.json").read_bytes() == before
    live.settle()
    Builder(vault, tmp_path / "clean", config, jobs=1, cache=False).build()
    live_graph = without_positions((tmp_path / "live" / "graph.json").read_bytes())
    clean = without_positions((tmp_path / "clean" / "graph.json").read_bytes())
    assert live_graph == clean != without_positions(before)


def _live_equals_clean(vault: Path, live: Builder, tmp: Path, name: str) -> None:
    live.build()
    live.settle()
    clean = tmp / f"clean-{name}"
    Builder(vault, clean, Config(), jobs=1, cache=False).build()
    assert_same_site(read_tree(tmp / "live"), read_tree(clean), f"live builder, {name}")


def test_missing_note_title_after_urls_change(tmp_path: Path) -> None:
    """The title of a missing note is how the first linking note wrote it; a plan that
    changed urls (a new tag) must still remember titles for the plan after it (review)."""
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "P.md").write_text("[[foo]]\n")
    live = Builder(vault, tmp_path / "live", Config(), jobs=1, keep=True)
    for n, text in enumerate(["[[Foo]]\n", "[[FOO]]\n", "[[Foo]] #newtag\n", "[[FOO]] #newtag\n"]):
        (vault / "A.md").write_text(text)
        os.utime(vault / "A.md", (1.6e9 + n * 10, 1.6e9 + n * 10))
        _live_equals_clean(vault, live, tmp_path, f"step{n}")


def test_a_new_ignored_note_is_an_input(tmp_path: Path) -> None:
    """Adding a note that is ignored turns links to it from missing into plain text: the
    build must not take it for "nothing changed" (review)."""
    vault, config = tmp_path / "v", Config(ignore=("drafts/",))
    (vault / "drafts").mkdir(parents=True)
    (vault / "A.md").write_text("see [[Secret]]\n")
    os.utime(vault / "A.md", (1.6e9, 1.6e9))
    Builder(vault, tmp_path / "out", config, jobs=1).build()
    (vault / "drafts" / "Secret.md").write_text("hidden\n")
    os.utime(vault / "drafts" / "Secret.md", (1.6e9, 1.6e9))
    Builder(vault, tmp_path / "out", config, jobs=1).build()
    Builder(vault, tmp_path / "clean", config, jobs=1, cache=False).build()
    assert_same_site(read_tree(tmp_path / "out"), read_tree(tmp_path / "clean"), "cached")
    assert b"internal missing" not in (tmp_path / "out" / "a.html").read_bytes()


@pytest.mark.parametrize("folder", ["tags", "search-index", "sub"])
def test_a_build_never_writes_or_deletes_through_a_link_in_the_output(
    tmp_path: Path, folder: str
) -> None:
    """A folder of the site replaced by a symbolic link to a folder elsewhere (by hand, or
    another tool): the next build deletes the link, writes a real folder, and leaves the
    other folder as it was (it wrote two pages into it before)."""
    vault, out, victim = tmp_path / "v", tmp_path / "out", tmp_path / "victim"
    (vault / "sub").mkdir(parents=True)
    (vault / "A.md").write_text("see [[B]] #t\n")
    (vault / "sub" / "B.md").write_text("b #t\n")
    for name in ("A.md", "sub/B.md"):
        os.utime(vault / name, (1.6e9, 1.6e9))
    Builder(vault, out, Config(), jobs=1).build()
    victim.mkdir()
    (victim / "precious.txt").write_text("mine")
    shutil.rmtree(out / folder)
    (out / folder).symlink_to(victim, target_is_directory=True)
    (vault / "A.md").write_text("see [[B]] #t, edited\n")  # pages to write, in every folder
    (vault / "sub" / "B.md").write_text("b #t, edited\n")
    for name in ("A.md", "sub/B.md"):
        os.utime(vault / name, (1.6e9 + 10, 1.6e9 + 10))
    Builder(vault, out, Config(), jobs=1).build()
    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]
    assert (victim / "precious.txt").read_text() == "mine"
    assert not (out / folder).is_symlink() and (out / folder).is_dir()
    Builder(vault, tmp_path / "clean", Config(), jobs=1, cache=False).build()
    assert_same_site(read_tree(out), read_tree(tmp_path / "clean"), "after the link")


def test_an_output_folder_with_a_name_of_250_bytes_builds_and_rebuilds(tmp_path: Path) -> None:
    """Its cache files (`<name>.notes.pickle`, their `.tmp-PID`) and the writer's temporary
    folder would be longer than a file system takes: their names are cut, with a hash."""
    vault, out = tmp_path / "v", tmp_path / ("o" * 250)
    vault.mkdir()
    (vault / "A.md").write_text("see [[B]]\n")
    (vault / "B.md").write_text("b\n")
    for name in ("A.md", "B.md"):
        os.utime(vault / name, (1.6e9, 1.6e9))
    Builder(vault, out, Config(), jobs=1).build()
    (vault / "B.md").write_text("b, edited\n")
    os.utime(vault / "B.md", (1.6e9 + 10, 1.6e9 + 10))
    result = Builder(vault, out, Config(), jobs=1).build()
    assert result.written and b"b, edited" in (out / "b.html").read_bytes()
    assert all(len(p.name.encode()) <= 255 for p in (tmp_path / ".mindmap-cache").iterdir())


def _parsed_by(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes each later build parses (not taken from the parse cache)."""
    parsed: list[str] = []
    parse = mindmap.build.parse_notes

    def noting(files: dict, *args: object, **kwargs: object) -> list:
        parsed.extend(sorted(files))
        return parse(files, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mindmap.build, "parse_notes", noting)
    return parsed


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_new_build_parses_only_the_notes_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """The parse cache holds each note pickled on its own, from the parser processes: the
    next build reads them back and parses the edited note alone."""
    vault, out = tmp_path / "v", tmp_path / "site"
    vault.mkdir()
    for i in range(70):  # enough to parse on two processes
        (vault / f"n{i}.md").write_text(f"# N{i}\n\n- see [[n{(i + 1) % 70}]]\n")
        os.utime(vault / f"n{i}.md", (1.6e9, 1.6e9))
    parsed = _parsed_by(monkeypatch)
    Builder(vault, out, Config(), jobs=jobs).build()
    (vault / "n3.md").write_text("# N3\n\n- now about [[n5]]\n")
    os.utime(vault / "n3.md", (1.6e9 + 10, 1.6e9 + 10))
    Builder(vault, out, Config(), jobs=jobs).build()
    assert len(parsed) == 71 and parsed[70:] == ["n3.md"]
    assert b"n3.html" in (out / "n5.html").read_bytes()  # its new backlink
    assert_same_site(read_tree(out), _clean_build(vault, tmp_path / "clean"), "after the edit")


def test_a_note_the_parse_cache_cannot_read_is_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, out = tmp_path / "v", tmp_path / "site"
    vault.mkdir()
    for name in ("a", "b"):
        (vault / f"{name}.md").write_text(f"{name} links [[a]]\n")
        os.utime(vault / f"{name}.md", (1.6e9, 1.6e9))
    Builder(vault, out, Config(), jobs=1).build()
    cached = mindmap.build.load_notes(out, repr(Config()))
    stat, _data = cached["b.md"]
    cached["b.md"] = (stat, b"not a pickle")
    mindmap.build.save_notes(out, repr(Config()), cached)
    (vault / "a.md").write_text("a, edited\n")
    os.utime(vault / "a.md", (1.6e9 + 10, 1.6e9 + 10))
    parsed = _parsed_by(monkeypatch)
    Builder(vault, out, Config(), jobs=1).build()
    assert parsed == ["a.md", "b.md"]
    assert_same_site(read_tree(out), _clean_build(vault, tmp_path / "clean"), "after")


def _clean_build(vault: Path, out: Path) -> dict[str, bytes]:
    Builder(vault, out, Config(), jobs=1, cache=False).build()
    return read_tree(out)


def test_a_parse_cache_cut_short_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parse cache is written note by note as they are parsed (cache.NotesWriter) and
    ends with a mark: a file cut short (a crash, a full disk) reads as no cache at all."""
    vault, out = tmp_path / "v", tmp_path / "site"
    vault.mkdir()
    for name in ("a", "b", "c"):
        (vault / f"{name}.md").write_text(f"{name} links [[a]]\n")
        os.utime(vault / f"{name}.md", (1.6e9, 1.6e9))
    Builder(vault, out, Config(), jobs=1).build()
    cache = tmp_path / ".mindmap-cache" / "site.notes.pickle"
    assert set(mindmap.build.load_notes(out, repr(Config()))) == {"a.md", "b.md", "c.md"}
    cache.write_bytes(cache.read_bytes()[:-40])
    assert mindmap.build.load_notes(out, repr(Config())) == {}
    (vault / "a.md").write_text("a, edited\n")
    os.utime(vault / "a.md", (1.6e9 + 10, 1.6e9 + 10))
    parsed = _parsed_by(monkeypatch)
    Builder(vault, out, Config(), jobs=1).build()
    assert parsed == ["a.md", "b.md", "c.md"]
    assert_same_site(read_tree(out), _clean_build(vault, tmp_path / "clean"), "after")
    assert set(mindmap.build.load_notes(out, repr(Config()))) == {"a.md", "b.md", "c.md"}


def test_a_build_clears_the_cache_files_killed_builds_left(tmp_path: Path) -> None:
    """A build killed while it writes the parse cache leaves its `.tmp-PID` file; the next
    build deletes those of processes that are gone, and no other file."""
    import subprocess
    import sys

    vault, out = tmp_path / "v", tmp_path / "site"
    vault.mkdir()
    (vault / "a.md").write_text("a\n")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    cache = tmp_path / ".mindmap-cache"
    cache.mkdir()
    left = [cache / f"site.notes.tmp-{gone.pid}", cache / f"site.state.tmp-{gone.pid}"]
    kept = [cache / f"site.notes.tmp-{os.getpid()}x", cache / f"site.notes.tmp-{os.getppid()}"]
    for path in left + kept:
        path.write_bytes(b"half a cache")
    Builder(vault, out, Config(), jobs=1).build()
    assert not any(p.exists() for p in left)
    assert all(p.exists() for p in kept)  # not a leftover's name, or a live process's
    assert (cache / "site.notes.pickle").exists()


def _vault_of_three(tmp_path: Path) -> Path:
    vault = tmp_path / "v"
    vault.mkdir()
    for name in ("a", "b", "c"):
        (vault / f"{name}.md").write_text(f"# {name}\n\n- {name} links [[a]] about rivers\n")
        os.utime(vault / f"{name}.md", (1.6e9, 1.6e9))
    return vault


def _cache_warnings(result: mindmap.build.BuildResult) -> list[str]:
    return [d.message for d in result.diagnostics if d.code == "cache-write"]


def test_a_cache_folder_that_cannot_be_made_is_a_warning_not_a_failed_build(
    tmp_path: Path,
) -> None:
    """`.mindmap-cache` is a file: no cache file can be written. Every build says so once
    (`cache-write`) and writes the whole site, the search index too, as a clean build."""
    vault, out = _vault_of_three(tmp_path), tmp_path / "site"
    (tmp_path / ".mindmap-cache").write_text("not a folder\n")
    for _ in range(2):
        result = Builder(vault, out, Config(), jobs=1).build()
        assert len(_cache_warnings(result)) == 1
        assert "the build cache was not written" in _cache_warnings(result)[0]
        assert not [d for d in result.diagnostics if d.code == "search-index"]
        assert_same_site(read_tree(out), _clean_build(vault, tmp_path / "clean"), "no cache")
        assert any(url.startswith(f"{SEARCH_DIR}/t-") for url in read_tree(out))
    assert (tmp_path / ".mindmap-cache").read_text() == "not a folder\n"


def test_a_full_disk_under_the_cache_is_a_warning_and_leaves_no_stale_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every cache file is written to a full disk (`/dev/full`: each write fails with
    ENOSPC). The build writes the site and warns; the state of the build before it, which
    describes an older site, is deleted, and what is left of each cache file is removed;
    the next build (the disk free again) is exact."""
    vault, out = _vault_of_three(tmp_path), tmp_path / "site"
    Builder(vault, out, Config(), jobs=1).build()
    cache = tmp_path / ".mindmap-cache"
    assert (cache / "site.state.pickle").exists()
    temporary = mindmap.cache._temporary

    def full(path: Path) -> Path:
        tmp = temporary(path)
        tmp.symlink_to("/dev/full")
        return tmp

    monkeypatch.setattr(mindmap.cache, "_temporary", full)
    (vault / "b.md").write_text("# b\n\n- b now links [[c]]\n")
    os.utime(vault / "b.md", (1.6e9 + 10, 1.6e9 + 10))
    result = Builder(vault, out, Config(), jobs=1).build()
    assert len(_cache_warnings(result)) == 1 and "No space left" in _cache_warnings(result)[0]
    assert b'href="b.html"' in (out / "c.html").read_bytes()  # the edit's new backlink
    assert not (cache / "site.state.pickle").exists()
    assert not [p for p in cache.iterdir() if ".tmp-" in p.name]
    monkeypatch.setattr(mindmap.cache, "_temporary", temporary)
    (vault / "c.md").write_text("# c\n\n- c alone\n")
    os.utime(vault / "c.md", (1.6e9 + 20, 1.6e9 + 20))
    result = Builder(vault, out, Config(), jobs=1).build()
    assert not _cache_warnings(result)
    assert_same_site(read_tree(out), _clean_build(vault, tmp_path / "clean"), "disk free again")


def test_a_new_build_ranks_related_notes_only_near_a_changed_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The related notes a build worked out are kept in the cache (`site.related.pickle`):
    a new build ranks again only the notes whose neighbourhood a changed link touches, and
    the site is still the one a clean build makes."""
    import mindmap.related

    vault, out = tmp_path / "v", tmp_path / "site"
    vault.mkdir()
    for i in range(40):  # a ring of notes, each linking to the next two
        links = f"[[n{(i + 1) % 40}]] [[n{(i + 2) % 40}]]"
        (vault / f"n{i}.md").write_text(f"# N{i}\n\n- see {links}\n")
        os.utime(vault / f"n{i}.md", (1.6e9, 1.6e9))
    Builder(vault, out, Config(), jobs=1).build()
    ranked: list[str] = []
    rank = mindmap.related.Related._rank

    def noting(self: mindmap.related.Related, note: str) -> tuple[str, ...]:
        ranked.append(note)
        return rank(self, note)

    monkeypatch.setattr(mindmap.related.Related, "_rank", noting)
    (vault / "n10.md").write_text("# N10\n\n- see [[n11]] [[n30]]\n")
    os.utime(vault / "n10.md", (1.6e9 + 10, 1.6e9 + 10))
    Builder(vault, out, Config(), jobs=1).build()
    assert "n10.md" in ranked and "n30.md" in ranked and len(ranked) < 20
    assert_same_site(read_tree(out), _clean_build(vault, tmp_path / "clean"), "after the edit")
    ranked.clear()
    Builder(vault, out, Config(), jobs=1, fresh=True).build()  # --clean: nothing is reused
    assert len(ranked) == 40
