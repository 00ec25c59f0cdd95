"""Templates compiled when the program is built (dossier.render.precompiled): a fresh process takes
them instead of compiling, renders exactly what the templates compiled here render, and never takes
one made from another source or by another Jinja."""

import json
import shutil

import pytest

from dossier.model import default_model
from dossier.render import build_tree, document_key, precompiled, templateenv, templating

MODEL = default_model()


def _environment(folder, cache=None):
    return precompiled.make_environment(templateenv._Loader(folder), bytecode_cache=cache)


def _never_compiled(env):
    env.compile = lambda *a, **k: pytest.fail("compiled although a compiled template was shipped")
    return env


@pytest.fixture
def templates(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "_m.j2").write_text("{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}")
    (folder / "t.j2").write_text('{% import "_m.j2" as m %}<p>{{ m.twice(6 * 7) }} {{ "<b>" }}</p>')
    return folder


def test_a_shipped_template_is_taken_as_it_is(templates):
    assert precompiled.write(templates) == 2
    env = _never_compiled(_environment(templates))
    assert env.get_template("t.j2").render() == "<p>4242 &lt;b&gt;</p>"  # autoescaped, as compiled here
    assert env.get_template("t.j2").filename == str(templates / "t.j2")  # errors name the template file
    assert templateenv._Loader(templates).shipped.references("t.j2", (templates / "t.j2").read_text()) == ["_m.j2"]


def test_an_edited_template_is_compiled_instead(templates):
    precompiled.write(templates)
    (templates / "t.j2").write_text("<p>{{ 6 * 8 }}</p>")
    assert _environment(templates).get_template("t.j2").render() == "<p>48</p>"
    assert templateenv._Loader(templates).shipped.references("t.j2", "<p>{{ 6 * 8 }}</p>") is None


@pytest.mark.parametrize("damage", ["other Jinja", "broken module", "broken index", "no index"])
def test_compiled_templates_that_cannot_be_trusted_are_not_used(templates, damage):
    precompiled.write(templates)
    folder = templates / precompiled.FOLDER
    index = json.loads((folder / precompiled.INDEX).read_text())
    if damage == "other Jinja":
        index["compiler"] = "another"
        (folder / precompiled.INDEX).write_text(json.dumps(index))
    elif damage == "broken module":
        (folder / f"{index['templates']['t.j2']['module']}.py").write_text("def root(:\n")
    elif damage == "broken index":
        (folder / precompiled.INDEX).write_text("{not json")
    else:
        (folder / precompiled.INDEX).unlink()
    assert _environment(templates).get_template("t.j2").render() == "<p>4242 &lt;b&gt;</p>"


@pytest.fixture
def shipped_templates(tmp_path, monkeypatch):
    """The program's templates with their compiled modules, as an installed wheel holds them."""
    folder = tmp_path / "templates"
    shutil.copytree(templateenv.templates_dir(), folder, ignore=shutil.ignore_patterns(precompiled.FOLDER))
    monkeypatch.setattr(templateenv, "templates_dir", lambda: folder)
    monkeypatch.setattr(templating, "templates_dir", lambda: folder)
    templateenv.environment.cache_clear()
    templateenv._references.cache_clear()
    yield folder
    templateenv.environment.cache_clear()
    templateenv._references.cache_clear()


def test_every_document_renders_the_same_from_shipped_templates(shipped_templates, demo_input, monkeypatch):
    compiled_here = {d.id: build_tree(demo_input, d.id, MODEL) for d in MODEL.documents}
    keys = {d.id: document_key(demo_input, d.id, False, MODEL) for d in MODEL.documents}
    precompiled.write(shipped_templates)
    templateenv.environment.cache_clear()
    templateenv._references.cache_clear()
    _never_compiled(templateenv.environment())
    monkeypatch.setattr(precompiled.meta, "find_referenced_templates",
                        lambda *_: pytest.fail("parsed although the shipped index says what it imports"))
    assert {d.id: build_tree(demo_input, d.id, MODEL) for d in MODEL.documents} == compiled_here
    assert {d.id: document_key(demo_input, d.id, False, MODEL) for d in MODEL.documents} == keys
