"""Text forms of older dossiers import through the upgrades: release 1's folder (format 1) with every
value, attachment and history entry, and format 2, which lists a repeated section's instances and
imports again byte-stable; a folder of a newer model, or instances that do not fit, are refused."""

from __future__ import annotations

import json
import shutil

import pytest

from dossier.errors import ImportFormatError
from dossier.service import Dossier
from dossier.textform import export_dossier, import_dossier
from dossier.upgrade import VERSION_KEY
from tests.helpers.release1 import (
    RELEASE1,
    SECOND,
    SHIPPED,
    TEXT_FORM,
    UPGRADED,
    backups,
    contents,
    copy_of_release1,
    upgrading_model,
)
from tests.test_textform import tree

# The text form of release 1 (format 1) -----------------------------------------------------------

def _without_ids(audit: list[tuple]) -> list[tuple]:
    return [row[1:] for row in audit]


def test_release1_text_form_imports_every_value(tmp_path):
    folder = shutil.copytree(TEXT_FORM, tmp_path / "text-form")
    import_dossier(folder, tmp_path / "imported.dossier")
    after = contents(tmp_path / "imported.dossier")
    assert after.values == SHIPPED  # byte for byte as release 1 stored them, its drug substance under [0]
    assert after.attachments == RELEASE1.attachments and after.blobs == RELEASE1.attachments
    assert _without_ids(after.audit[:len(RELEASE1.audit)]) == _without_ids(RELEASE1.audit)
    assert after.meta["title"] == RELEASE1.meta["title"]


def test_release1_text_form_imports_through_the_upgrade(tmp_path):
    folder = shutil.copytree(TEXT_FORM, tmp_path / "text-form")
    import_dossier(folder, tmp_path / "imported.dossier", model=upgrading_model())
    after = contents(tmp_path / "imported.dossier")
    assert after.values == UPGRADED
    assert after.attachments == RELEASE1.attachments and after.blobs == RELEASE1.attachments
    assert _without_ids(after.audit[:len(RELEASE1.audit)]) == _without_ids(RELEASE1.audit)
    assert after.audit[-1][3] == "upgrade" and '"backup":null' in after.audit[-1][5]
    assert after.settings[VERSION_KEY] == "2"
    with Dossier.open(tmp_path / "imported.dossier", model=upgrading_model()) as d:  # already upgraded
        assert not d.notes and d.get("genetic.allele[1].hgvs") == SECOND
    assert backups(tmp_path) == []


def test_text_form_of_a_newer_model_is_refused(tmp_path):
    folder = shutil.copytree(TEXT_FORM, tmp_path / "text-form")
    meta = json.loads((folder / "dossier.json").read_text(encoding="utf-8"))
    (folder / "dossier.json").write_text(json.dumps({**meta, "format_version": 2, "model_version": 3}))
    with pytest.raises(ImportFormatError, match="content model version 3, newer than this program's"):
        import_dossier(folder, tmp_path / "imported.dossier", model=upgrading_model())
    assert not (tmp_path / "imported.dossier").exists()


# Text form format 2 ---------------------------------------------------------------------------------

def test_format_2_lists_the_instances_of_a_repeated_section_and_imports_again(tmp_path):
    model = upgrading_model()
    with Dossier.open(copy_of_release1(tmp_path), model=model) as d:
        d.add_instance("substances", "Guide RNA")
        export_dossier(d, tmp_path / "one")
        before = d.values()
    one = tmp_path / "one"
    assert json.loads((one / "dossier.json").read_text(encoding="utf-8"))["model_version"] == 2
    substances = json.loads((one / "sections" / "cmc.substance.json").read_text(encoding="utf-8"))
    assert substances["section"] == "cmc.substance" and "fields" not in substances
    first, second = substances["instances"]
    order = [f.id for f in model.section("cmc.substance").fields]
    assert list(first) == [i for i in order if i in first] and first["name"] == "CLN3-ASO-01 sodium"
    assert second == {"name": "Guide RNA"}
    alleles = json.loads((one / "sections" / "genetic.allele.json").read_text(encoding="utf-8"))
    assert alleles["instances"][1] == {"label": "Allele 2", "hgvs": SECOND}
    import_dossier(one, tmp_path / "again.dossier", model=model)
    with Dossier.open(tmp_path / "again.dossier", model=model) as d:
        assert d.values() == before and not d.notes
        export_dossier(d, tmp_path / "two")
    assert tree(one) == tree(tmp_path / "two")  # byte-stable, so a diff shows only what changed


@pytest.mark.parametrize("file, body, reason", [
    ("cmc.substance.json", {"section": "cmc.substance", "fields": {"name": "X"}},
     r"cmc\.substance\.json: expected \{\"section\": \"cmc\.substance\", \"instances\": .* \(the section repeats"),
    ("genetic.gene.json", {"section": "genetic.gene", "instances": [{"symbol": "CLN3"}]},
     r"genetic\.gene\.json: expected \{\"section\": \"genetic\.gene\", \"fields\": .* \(the section does not "),
    ("genetic.allele.json", {"section": "genetic.allele", "instances": [{"Label": "A"}]},
     r"'Label' is not a field id"),
])
def test_format_2_refuses_instances_that_do_not_fit_the_model(tmp_path, file, body, reason):
    model = upgrading_model()
    with Dossier.open(copy_of_release1(tmp_path), model=model) as d:
        export_dossier(d, tmp_path / "one")
    (tmp_path / "one" / "sections" / file).write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(ImportFormatError, match=reason):
        import_dossier(tmp_path / "one", tmp_path / "again.dossier", model=model)
    assert not (tmp_path / "again.dossier").exists()
