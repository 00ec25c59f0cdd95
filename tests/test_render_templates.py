"""Templates: they use exactly the fields declared for their document (protected health information
never), and values read naturally inside their sentences."""

import re

import pytest
from jinja2 import nodes

from dossier.errors import DossierError
from dossier.fieldpath import model_path
from dossier.model import default_model
from dossier.render import RenderInput, precompiled, render_document, templateenv, templating
from dossier.render.tree import parse, plain_text
from tests.helpers.documents import docx_text

MODEL = default_model()
PATH = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$|^derived\.[a-z][a-z0-9_]*$")


def referenced_paths(template_name: str) -> set[str]:
    """The fields a template names, and the tables of the figures it draws (their role names them)."""
    env = templateenv.environment()
    tree = env.parse(env.loader.get_source(env, template_name)[0])
    paths = {n.value for n in tree.find_all(nodes.Const) if isinstance(n.value, str) and PATH.match(n.value)}
    figures = [call.args[0].value for call in tree.find_all(nodes.Call)
               if isinstance(call.node, nodes.Getattr) and call.node.attr == "figure"]
    return paths | {MODEL.roles.figures[kind].table for kind in figures}


def test_every_document_has_its_template():
    for document in MODEL.documents:
        assert (templateenv.templates_dir() / document.template).is_file(), document.template


def test_no_template_references_a_field_not_declared_for_it():
    for document in MODEL.documents:
        allowed = templating.allowed_fields(MODEL, document)
        for name in templateenv.template_names(document):
            paths = referenced_paths(name)
            unknown = sorted(p for p in paths if p not in MODEL.fields and p not in MODEL.derived)
            assert not unknown, f"{name} names fields the model does not have: {unknown}"
            undeclared = sorted(p for p in paths - allowed)
            assert not undeclared, (f"{name} (document {document.id}) uses fields that do not list "
                                    f"'{document.id}' in their documents: {undeclared}")


def test_every_field_declared_for_a_document_appears_in_it():
    """The other direction: a field that lists a document is never silently left out of it."""
    for document in MODEL.documents:
        used = set().union(*(referenced_paths(name) for name in templateenv.template_names(document)))
        declared = {p for p, f in MODEL.fields.items() if document.id in f.documents and not f.phi}
        assert not declared - used, f"{document.template} leaves out {sorted(declared - used)}"


def test_rendering_the_demo_asks_only_for_given_fields(demo_input):
    for document in MODEL.documents:
        _, fields = templating.render_markup(MODEL, document, demo_input.values)
        assert not fields.not_given, f"{document.id}: {sorted(fields.not_given)}"


def test_a_field_not_given_renders_its_placeholder(demo_input):
    document = MODEL.document("form-3674")
    fields = templating.Fields(MODEL, document, demo_input.values)
    assert "clinical.safety.stopping_rules" in demo_input.values  # filled, but not declared for the form
    tree = parse(f"<p>{fields.v('clinical.safety.stopping_rules')}</p>", "t")
    assert plain_text(tree)[1] == "[Not yet provided: Stopping rules]"
    assert fields.not_given == {"clinical.safety.stopping_rules"} and not fields.has("clinical.safety.stopping_rules")
    with pytest.raises(DossierError, match="no such field"):
        fields.v("clinical.safety.stoping_rules")  # a typo is an error, not a placeholder


def test_phi_is_never_given_even_when_a_template_asks(demo_input):
    stored = [p for p, v in demo_input.values.items() if v and MODEL.fields.get(model_path(p)) is not None
              and MODEL.fields[model_path(p)].phi]  # the patient's, in the one arm's instance
    phi = [model_path(p) for p in stored]
    assert phi
    for document in MODEL.documents:
        assert not set(phi) & templating.allowed_fields(MODEL, document)
    fields = templating.Fields(MODEL, MODEL.document("genetic-rationale"), demo_input.values)  # rendered per arm
    text = plain_text(parse(f"<p>{fields.v(phi[0])}</p>", "t"))[1]
    assert text.startswith("[Withheld:") and str(demo_input.values[stored[0]]) not in text


def test_templates_include_their_macros_in_the_key_sources():
    document = MODEL.document("clinical-protocol")
    assert templateenv.template_names(document) == ["clinical_protocol.j2", "_macros.j2"]



@pytest.mark.parametrize("drug_class, route, expected", [
    ("Antisense oligonucleotide", "Intrathecal bolus", "is an antisense oligonucleotide for"),
    ("siRNA", "Intravenous", "is a siRNA for"),
    ("Base editor", "Subcutaneous", "is a base editor for"),
])
def test_choices_read_as_words_inside_sentences(demo_input, tmp_path, drug_class, route, expected):
    values = dict(demo_input.values, **{"module1.product.drug_class": drug_class, "module1.product.route": route})
    inp = RenderInput(demo_input.title, values)
    brochure = docx_text(render_document(inp, "investigators-brochure", tmp_path, formats=("docx",))["docx"])
    assert expected in brochure
    intro = docx_text(render_document(inp, "intro-statement", tmp_path, formats=("docx",))["docx"])
    assert f"is given by the {route.lower()} route" in intro
    assert f"is an investigational {drug_class[0].lower() if drug_class[1].islower() else drug_class[0]}" in intro
    missing = RenderInput(demo_input.title, {k: v for k, v in values.items() if k != "module1.product.route"})
    intro = docx_text(render_document(missing, "intro-statement", tmp_path, formats=("docx",), draft=True)["docx"])
    assert "given by the [Not yet provided: Route of administration] route" in intro


def test_compiled_templates_are_kept_and_follow_their_source(tmp_path):
    """A fresh process takes compiled templates from the cache folder; an edited template is compiled
    anew; a cache folder that cannot be written costs nothing but the compiling."""
    from jinja2 import FileSystemLoader
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.j2").write_text("<p>{{ 6 * 7 }}</p>")

    def fresh_environment(folder):
        cache = templateenv._CompiledTemplates(folder)
        return ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(tmp_path / "templates")),
                                            bytecode_cache=cache, **precompiled.OPTIONS)

    assert fresh_environment(tmp_path / "cache").get_template("t.j2").render() == "<p>42</p>"
    assert len(list((tmp_path / "cache").glob("__jinja2_*.cache"))) == 1
    cached = fresh_environment(tmp_path / "cache")
    cached.compile = lambda *a, **k: pytest.fail("compiled again although the cache holds it")
    assert cached.get_template("t.j2").render() == "<p>42</p>"
    (tmp_path / "templates" / "t.j2").write_text("<p>{{ 6 * 8 }}</p>")
    assert fresh_environment(tmp_path / "cache").get_template("t.j2").render() == "<p>48</p>"
    (tmp_path / "not-a-folder").write_text("")
    assert fresh_environment(tmp_path / "not-a-folder").get_template("t.j2").render() == "<p>48</p>"
