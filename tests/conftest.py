"""Shared fixtures: a small content model covering every field type, and dossier files in tmp_path."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DOSSIER_USER", "tester")

from dossier.model import ContentModel  # noqa: E402
from dossier.model_reader import parse_model  # noqa: E402

MINI_MODEL = """
version: 1
areas:
  - id: genetic
    title: Genetic rationale
    sections:
      - id: variant
        title: Variant
        fields:
          - {id: gene, label: Gene symbol, type: text, required: true, source: "ACMG"}
          - {id: hgvs, label: Variant (HGVS), type: hgvs, required: true, documents: [summary]}
          - {id: notes, label: Notes, type: longtext}
          - {id: acmg_class, label: ACMG class, type: choice, choices: [Pathogenic, Likely pathogenic, VUS]}
          - {id: vus_justification, label: VUS justification, type: longtext}
          - {id: codes, label: Evidence codes, type: multichoice, choices: [PVS1, PS3, PM2]}
          - {id: detected, label: Date detected, type: date}
          - {id: phenotype, label: Phenotype, type: hpo}
          - {id: patient_name, label: Patient name, type: text, phi: true}
  - id: product
    title: Product
    sections:
      - id: design
        title: Design
        fields:
          - {id: sequence, label: Sequence, type: text}
          - {id: target, label: Target region, type: text}
          - {id: dose, label: Starting dose, type: number, units: [mg, mL], min: 0}
          - {id: length, label: Length, type: number, integer: true, units: [nt]}
          - {id: parenteral, label: Parenteral, type: yesno}
          - {id: sponsor, label: Sponsor, type: person}
          - {id: sterility, label: Sterility assurance, type: text}
          - {id: report, label: Reports, type: attachment}
          - id: studies
            label: Studies
            type: table
            columns:
              - {id: name, label: Study, type: text, required: true}
              - {id: system, label: System, type: choice, choices: [patient fibroblasts, animal]}
              - {id: patient_derived, label: Patient-derived, type: yesno}
              - {id: dose, label: Dose, type: number, units: [nM]}
              - {id: report, label: Report, type: attachment}
      - id: cmc
        title: CMC
        fields:
          - {id: sequence, label: Drug substance sequence, type: text}
          - {id: stability, label: Stability, type: number, units: [months]}
          - {id: duration, label: Dosing duration, type: number, units: [months]}
elements:
  - {id: abnormality, title: Specific abnormality identified, fields: [genetic.variant.hgvs, genetic.variant.acmg_class]}
  - {id: target_engagement, title: Target engagement confirmed, fields: [product.design.studies]}
documents:
  - id: summary
    title: Summary
    template: summary.j2
    ectd: {heading: m2-5, folder: m2/25-clin-over, file: summary.pdf}
checks:
  - {id: vus-justified, kind: required, severity: error, fields: [genetic.variant.vus_justification],
     when: {field: genetic.variant.acmg_class, equals: VUS}, message: Justify the VUS, source: ACMG, element: abnormality}
  - {id: same-sequence, kind: equal, severity: error, fields: [product.design.sequence, product.cmc.sequence],
     normalize: sequence, message: Sequences differ}
  - {id: gene-in-target, kind: contains, severity: warning, field: genetic.variant.gene, in: product.design.target,
     message: Target does not name the gene}
  - {id: te-study, kind: rows, severity: error, field: product.design.studies, where: {patient_derived: [true]},
     message: Need a patient-derived study, element: target_engagement}
  - {id: study-report, kind: each_row, severity: warning, field: product.design.studies, has: [report], message: Attach the report}
  - {id: sterile, kind: required, severity: error, fields: [product.design.sterility],
     when: {field: product.design.parenteral, equals: true}, message: Sterility needed}
  - {id: stability, kind: compare, severity: warning, left: product.cmc.stability, op: ">=", right: product.cmc.duration,
     message: Stability too short}
"""


@pytest.fixture(autouse=True)
def render_cache_dir(tmp_path_factory, monkeypatch):
    """`dossier render` keeps its render cache in the user's cache folder; each test has its own."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(folder))
    return folder / "render"


@pytest.fixture(scope="session")
def mini_model() -> ContentModel:
    return parse_model(yaml.safe_load(MINI_MODEL), Path("mini.yaml"))


@pytest.fixture
def mini_raw() -> dict:
    return yaml.safe_load(MINI_MODEL)


class CliResult(NamedTuple):
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `dossier ARGS` in this process as a user would type it: returns exit code, stdout, stderr."""
    from dossier.cli import main

    def run(*args, stdin: str | None = None) -> CliResult:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # --help, --version and usage errors exit from argparse
            code = exc.code
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
