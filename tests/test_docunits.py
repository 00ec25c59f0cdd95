"""Documents rendered per instance (`per: <repeat>`): one unit per drug substance, each given its own
instance's values, named after it, and placed in the sequence under its own keyed 3.2.S heading; an
amendment sends only the instance that changed; the loader refuses a document given repeated fields
without rendering it per instance."""

from pathlib import Path

import pytest
import yaml

from dossier.build import build_sequence
from dossier.docunits import split_unit, unit_stem, unit_title, unit_values, units
from dossier.ectd.readback import parse_backbone
from dossier.errors import ModelError
from dossier.model_reader import parse_model
from dossier.render.templating import given_values
from dossier.service import Dossier
from tests.helpers.ectd import new_dossier
from tests.helpers.models import ECTD_MODEL, REPEATS_MODEL, VALUES


def per_substance_raw() -> dict:
    """The eCTD test model with its drug substance repeated and its 3.2.S document rendered per instance."""
    raw = yaml.safe_load(ECTD_MODEL)
    raw["repeats"] = [{"id": "substances", "label": "Drug substance", "name": "cmc.substance.name", "min": 1}]
    section = next(s for a in raw["areas"] for s in a["sections"] if a["id"] == "cmc" and s["id"] == "substance")
    section["repeat"] = "substances"
    next(d for d in raw["documents"] if d["id"] == "drug-substance")["per"] = "substances"
    return raw


@pytest.fixture(scope="module")
def model():
    return parse_model(per_substance_raw(), Path("per-substance.yaml"))


SUBSTANCES = {"cmc.substance[0].name": "Editor mRNA", "cmc.substance[0].manufacturer": "RNA Works Inc",
              "cmc.substance[1].name": "Guide RNA", "cmc.substance[1].manufacturer": "Oligo Manufacturing Inc"}


def values() -> dict:
    plain = {p: v for p, v in VALUES.items() if not p.startswith("cmc.substance.")}
    return {**plain, **SUBSTANCES}


def test_one_unit_per_instance_with_its_own_values_title_and_file(model):
    vals = values()
    found = units(model, vals)
    assert [u for u in found if split_unit(u)[0] == "drug-substance"] == ["drug-substance@0", "drug-substance@1"]
    assert "cover-letter" in found
    assert unit_values(model, "drug-substance@1", vals)["cmc.substance.name"] == "Guide RNA"
    assert unit_title(model, "drug-substance@1", vals) == "Drug substance general information — Guide RNA"
    assert unit_stem(model, "drug-substance@0", vals) == "nomenclature-editor-mrna"
    assert unit_stem(model, "cover-letter", vals) == "cover-letter"
    document = model.document("drug-substance@1")
    assert given_values(model, document, unit_values(model, "drug-substance@1", vals)) == \
        {"cmc.substance.name": "Guide RNA", "cmc.substance.manufacturer": "Oligo Manufacturing Inc",
         "module1.application.ind_number": "123456", "module1.product.product_name": "atipeksen",
         "module1.sponsor.sponsor": VALUES["module1.sponsor.sponsor"]}


def test_each_instance_has_its_own_keyed_heading_and_an_amendment_sends_only_the_one_changed(
        model, tmp_path, installed, fake_renderer):
    with new_dossier(tmp_path / "case.dossier", tmp_path, values=values(), model=model) as dossier:
        result = build_sequence(dossier, tmp_path / "app", mark_submitted=True, workers=1)
        assert [f for f in result.findings if f.severity in ("high", "medium")] == []
        index = (result.path / "index.xml").read_bytes().decode()
        assert index.count("<m3-2-s-drug-substance ") == 2
        assert '<m3-2-s-drug-substance manufacturer="RNA Works Inc" substance="Editor mRNA">' in index
        assert '<m3-2-s-drug-substance manufacturer="Oligo Manufacturing Inc" substance="Guide RNA">' in index
        hrefs = sorted(leaf.href for leaf in parse_backbone(result.path, "index.xml", installed).leaves
                       if leaf.href.startswith("m3/32-body-data/32s"))
        assert hrefs == ["m3/32-body-data/32s-drug-sub/editor-mrna-rna-works-inc/32s1-gen-info/nomenclature.pdf",
                         "m3/32-body-data/32s-drug-sub/guide-rna-oligo-manufacturing-inc/32s1-gen-info/nomenclature.pdf"]
        titles = {leaf.title for leaf in parse_backbone(result.path, "index.xml", installed).leaves}
        assert {"Drug substance general information — Editor mRNA",
                "Drug substance general information — Guide RNA"} <= titles

        dossier.set("cmc.substance[1].name", "sgRNA-7")  # renamed: its heading, folder and file are new
        dossier.set("module1.submission.submission_subtype", "Amendment")
        fake_renderer.calls.clear()
        second = build_sequence(dossier, tmp_path / "app", mark_submitted=True, workers=1)
        assert [f for f in second.findings if f.severity in ("high", "medium")] == []
        assert [c for c in fake_renderer.calls if c.startswith("drug-substance")] == ["drug-substance@1"]
        leaves = [leaf for leaf in parse_backbone(second.path, "index.xml", installed).leaves
                  if leaf.heading == "m3-2-s-1-1-nomenclature"]
        assert sorted((leaf.operation, leaf.href) for leaf in leaves if leaf.operation == "new") == [
            ("new", "m3/32-body-data/32s-drug-sub/sgrna-7-oligo-manufacturing-inc/32s1-gen-info/nomenclature.pdf")]
        deleted = [leaf for leaf in leaves if leaf.operation == "delete"]
        assert len(deleted) == 1 and deleted[0].modified_file.startswith("../0001/index.xml#")
        first_ids = {leaf.id: leaf.href for leaf in parse_backbone(result.path, "index.xml", installed).leaves}
        assert first_ids[deleted[0].modified_file.rpartition("#")[2]].startswith(
            "m3/32-body-data/32s-drug-sub/guide-rna-oligo-manufacturing-inc/")


def test_a_document_given_repeated_fields_is_rendered_per_instance_or_reads_each_instance():
    raw = per_substance_raw()  # rendered once, it is given each instance's values (its template uses f.each)
    del next(d for d in raw["documents"] if d["id"] == "drug-substance")["per"]
    assert parse_model(raw, Path("m.yaml")).document("drug-substance").per is None
    raw = per_substance_raw()
    raw["repeats"].append({"id": "batches", "label": "Batch", "name": "cmc.batches.batch_name"})
    batches = next(s for a in raw["areas"] for s in a["sections"] if a["id"] == "cmc" and s["id"] == "batches")
    batches["repeat"] = "batches"
    batches["fields"].append({"id": "batch_name", "label": "Batch", "type": "text", "documents": ["drug-substance"]})
    with pytest.raises(ModelError, match=r"field cmc.batches.batch_name: feeds document drug-substance, rendered "
                                         r"per instance of 'substances', but has one value per batch"):
        parse_model(raw, Path("m.yaml"))
    raw = per_substance_raw()
    next(d for d in raw["documents"] if d["id"] == "drug-substance")["per"] = "alleles"
    with pytest.raises(ModelError, match=r"document drug-substance.per: names no repeat 'alleles' "
                                         r"\(repeats: substances\)"):
        parse_model(raw, Path("m.yaml"))
    raw = yaml.safe_load(REPEATS_MODEL)  # a condition of a per-instance document may read its own instance
    raw["documents"][0]["per"] = "substances"
    raw["documents"][0]["when"] = {"field": "cmc.substance.kind", "in": ["mRNA", "Guide RNA"]}
    model = parse_model(raw, Path("r.yaml"))
    vals = {"cmc.substance[0].name": "A", "cmc.substance[0].kind": "Lipid",
            "cmc.substance[1].name": "B", "cmc.substance[1].kind": "mRNA"}
    assert units(model, vals) == ["substance@1"]


def test_a_dossier_of_the_model_opens_with_its_instances(model, tmp_path):
    with Dossier.create(tmp_path / "d.dossier", "t", model=model) as dossier:
        dossier.set_many(SUBSTANCES)
        assert dossier.instances("substances") == ["Editor mRNA", "Guide RNA"]
