"""The template environment (render.py): a dict's keys are read as Jinja reads them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from mindmap.render import make_environment


def _render(source: str, **context: object) -> str:
    return make_environment(None).from_string(source).render(context)


def test_a_dict_key_reads_as_an_attribute() -> None:
    assert _render("{{ note.title }}|{{ note['title'] }}", note={"title": "A <b>"}) == (
        "A &lt;b&gt;|A &lt;b&gt;"
    )


def test_a_name_that_is_a_dict_method_is_still_the_method_as_in_jinja() -> None:
    row = {"items": "the key", "title": "t"}
    assert _render("{{ row.items is callable }}|{{ row['items'] }}", row=row) == "True|the key"
    assert _render("{% for k, v in row.items() %}{{ k }}{% endfor %}", row=row) == "itemstitle"


def test_objects_and_dict_subclasses_read_as_in_jinja() -> None:
    class Row(dict[str, str]):
        title = "attribute"

    assert _render("{{ o.title }}", o=SimpleNamespace(title="object")) == "object"
    assert _render("{{ r.title }}", r=Row(title="key")) == "attribute"  # attribute first


def test_a_missing_key_is_still_an_error() -> None:
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'nope'"):
        _render("{{ note.nope }}", note={"title": "x"})


def test_a_compiled_template_that_cannot_be_cached_is_still_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja's cache of compiled templates on a full disk: the template renders, the file
    is given up (the next run compiles it again), and nothing half written is left."""
    import errno

    import jinja2.bccache

    def full(self: jinja2.bccache.Bucket, f: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(jinja2.bccache.Bucket, "write_bytecode", full)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text("{{ x }}!")
    env = make_environment(tmp_path / "templates", tmp_path / "jinja")
    assert env.get_template("t.html").render(x="<b>") == "&lt;b&gt;!"
    assert list((tmp_path / "jinja").iterdir()) == []
