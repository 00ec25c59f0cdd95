"""`dossier export-phenopackets`: the demo's patient as a GA4GH Phenopacket v2 that the phenopackets library
reads back, with its HPO terms and variants and none of the dossier's protected health information."""

from __future__ import annotations

import json

from google.protobuf.json_format import Parse
from phenopackets import Phenopacket

from dossier.service import Dossier

pytest_plugins = ["tests.helpers.cli", "tests.helpers.demo"]

ROLES = ("genetic.patient.phenotype", "genetic.variant[0].hgvs", "genetic.variant[0].second_allele")


def phi_values(d: Dossier) -> list[str]:
    """Every filled value of a field the model marks phi, as text (a date as written)."""
    found = []
    for path, field in d.model.fields.items():
        if field.phi and d.get(path):
            value = d.get(path)
            found += [str(v) for v in (value.values() if isinstance(value, dict) else [value])]
    return found


def test_the_demo_exports_a_phenopacket_the_library_reads_with_no_phi(tmp_path, cli, demo_file):
    result = cli("export-phenopackets", demo_file, tmp_path / "out")
    assert result.code == 0, result.err
    files = sorted((tmp_path / "out").iterdir())
    assert len(files) == 1 and files[0].suffix == ".json"
    text = files[0].read_text(encoding="utf-8")
    packet = Parse(text, Phenopacket())
    with Dossier.open(demo_file, read_only=True) as d:
        hpo, first, second = (d.get(p) for p in ROLES)  # the variant of the dossier's one arm
        secrets = phi_values(d)
    assert [f.type.id for f in packet.phenotypic_features] == [t["id"] for t in hpo]
    interpretations = packet.interpretations[0].diagnosis.genomic_interpretations
    expressions = [gi.variant_interpretation.variation_descriptor.expressions[0] for gi in interpretations]
    assert [(e.syntax, e.value) for e in expressions] == [("hgvs.c", first), ("hgvs.c", second)]
    assert interpretations[0].variant_interpretation.variation_descriptor.allelic_state.id.startswith("GENO:")
    assert packet.diseases[0].term.id.startswith(("OMIM:", "MONDO:"))
    assert packet.medical_actions[0].treatment.route_of_administration.id.startswith("NCIT:")
    assert len(secrets) >= 3  # the demo holds a name, a date of birth, a record number …
    for secret in secrets:
        assert secret.casefold() not in text.casefold(), secret
    assert packet.subject.id.startswith("subject-") and packet.subject.id in files[0].name


def test_the_subject_id_is_the_same_on_every_export(tmp_path, cli, demo_file):
    assert cli("export-phenopackets", demo_file, tmp_path / "a").code == 0
    assert cli("export-phenopackets", demo_file, tmp_path / "b").code == 0
    ids = {json.loads(next(p.iterdir()).read_text())["subject"]["id"] for p in (tmp_path / "a", tmp_path / "b")}
    assert len(ids) == 1


def test_a_dossier_without_a_phenotype_is_refused_and_nothing_written(tmp_path, cli, fresh):
    result = cli("export-phenopackets", fresh, tmp_path / "out")
    assert result.code == 2
    assert "has no phenotype" in result.err and "Phenotype (HPO terms)" in result.err
    assert not (tmp_path / "out").exists()


def test_a_failed_write_leaves_no_half_written_file(tmp_path, cli, demo_file):
    assert cli("export-phenopackets", demo_file, tmp_path / "out").code == 0
    target = next((tmp_path / "out").iterdir())
    target.unlink()
    target.mkdir()  # a folder where the file goes: the rename fails
    (target / "keep").write_text("x")
    result = cli("export-phenopackets", demo_file, tmp_path / "out")
    assert result.code == 2 and result.err.startswith("error:")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [target.name]  # no temporary file left
