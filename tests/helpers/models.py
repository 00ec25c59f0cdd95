"""The test content models: MINI_MODEL has every field type and every kind of check; ECTD_MODEL has
Module 1, CMC, studies and literature placed in the eCTD tree (its VALUES fill Module 1). Each is
parsed once per test session; a ContentModel is immutable, so tests share it."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from dossier.model import ContentModel
from dossier.model_reader import parse_model

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
          - {id: dose, label: Starting dose, type: number, units: [mg, mL], dimension: [mass, volume], min: 0}
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
  - {id: abnormality, title: Specific abnormality identified,
     fields: [genetic.variant.hgvs, genetic.variant.acmg_class]}
  - {id: target_engagement, title: Target engagement confirmed, fields: [product.design.target],
     nonclinical: {fields: [product.design.studies], checks: [te-study]}}
documents:
  - id: summary
    title: Summary
    template: summary.j2
    ectd: {heading: m2-5, folder: m2/25-clin-over, file: summary.pdf}
checks:
  - {id: vus-justified, kind: required, severity: error, fields: [genetic.variant.vus_justification],
     when: {field: genetic.variant.acmg_class, equals: VUS}, message: Justify the VUS, source: ACMG,
     element: abnormality}
  - {id: same-sequence, kind: equal, severity: error, fields: [product.design.sequence, product.cmc.sequence],
     normalize: sequence, message: Sequences differ}
  - {id: gene-in-target, kind: contains, severity: warning, field: genetic.variant.gene, in: product.design.target,
     message: Target does not name the gene}
  - {id: te-study, kind: rows, severity: error, field: product.design.studies, where: {patient_derived: [true]},
     message: Need a patient-derived study, element: target_engagement}
  - {id: study-report, kind: each_row, severity: warning, field: product.design.studies, has: [report],
     message: Attach the report}
  - {id: sterile, kind: required, severity: error, fields: [product.design.sterility],
     when: {field: product.design.parenteral, equals: true}, message: Sterility needed}
  - {id: stability, kind: compare, severity: warning, left: product.cmc.stability, op: ">=",
     right: product.cmc.duration, message: Stability too short}
"""

ECTD_MODEL = """
version: 1
areas:
  - id: module1
    title: Module 1
    sections:
      - id: sponsor
        title: Sponsor
        fields:
          - {id: sponsor, label: Sponsor, type: person, documents: [cover-letter, form-1571]}
          - {id: duns, label: DUNS, type: text}
          - id: contacts
            label: Contacts
            type: table
            columns:
              - {id: role, label: Role, type: choice, choices: [Regulatory, Technical, US agent]}
              - {id: name, label: Name, type: text}
              - {id: phone, label: Phone, type: text}
              - {id: email, label: Email, type: text}
      - id: application
        title: Application
        fields:
          - {id: ind_number, label: IND number, type: text, documents: [cover-letter, form-1571]}
      - id: product
        title: Product
        fields:
          - {id: product_name, label: Product, type: text, documents: [cover-letter, clinical-overview]}
          - {id: indication, label: Indication, type: text, documents: [clinical-overview, clinical-protocol]}
      - id: submission
        title: Submission
        fields:
          - {id: submission_subtype, label: Sub-type, type: choice, choices: [Original, Amendment, Resubmission]}
          - {id: reason, label: Reason, type: longtext, documents: [cover-letter]}
  - id: cmc
    title: CMC
    sections:
      - id: substance
        title: Drug substance
        fields:
          - {id: name, label: Substance, type: text, documents: [drug-substance]}
          - {id: manufacturer, label: Manufacturer, type: text, documents: [drug-substance]}
      - id: product
        title: Drug product
        fields:
          - {id: name, label: Product, type: text}
          - {id: manufacturer, label: Manufacturer, type: text}
      - id: batches
        title: Batches
        fields:
          - id: batches
            label: Batches
            type: table
            columns:
              - {id: batch, label: Batch, type: text}
              - {id: coa, label: CoA, type: attachment}
  - id: nonclinical
    title: Nonclinical
    sections:
      - id: pharmacology
        title: Pharmacology
        fields:
          - id: studies
            label: Studies
            type: table
            documents: [nonclinical-overview]
            columns:
              - {id: study, label: Study, type: text}
              - {id: system, label: System, type: text}
              - {id: purpose, label: Purpose, type: choice, choices: [Target engagement, Safety]}
              - {id: report, label: Report, type: attachment}
  - id: genetic
    title: Genetics
    sections:
      - id: literature
        title: Literature
        fields:
          - id: references
            label: References
            type: table
            columns:
              - {id: citation, label: Citation, type: text}
              - {id: file, label: File, type: attachment}
elements:
  - {id: abnormality, title: Abnormality, fields: [module1.product.product_name]}
documents:
  - {id: cover-letter, title: Cover letter, template: x.j2,
     ectd: {heading: m1-2-cover-letters, folder: m1/us/12-cover-letters, file: cover-letter.pdf}}
  - {id: form-1571, title: Form FDA 1571 information sheet, template: x.j2,
     ectd: {heading: m1-1-forms, folder: m1/us/11-forms, file: form-1571-information.pdf}}
  - {id: form-1572, title: Form FDA 1572 information sheet, template: x.j2,
     ectd: {heading: m1-1-forms, folder: m1/us/11-forms, file: form-1572-information.pdf}}
  - {id: clinical-overview, title: Clinical overview, template: x.j2,
     ectd: {heading: m2-5, folder: m2/25-clin-over, file: clinical-overview.pdf}}
  - {id: nonclinical-overview, title: Nonclinical overview, template: x.j2,
     ectd: {heading: m2-4, folder: m2/24-nonclin-over, file: nonclinical-overview.pdf}}
  - {id: drug-substance, title: Drug substance general information, template: x.j2,
     ectd: {heading: m3-2-s-1-1, folder: m3/32-body-data/32s-drug-sub/32s1-gen-info, file: nomenclature.pdf}}
  - {id: clinical-protocol, title: Clinical protocol, template: x.j2,
     ectd: {heading: m5-3-5-2, folder: m5/53-clin-stud-rep/535-rep-effic-safety-stud/5352-stud-rep-uncontr,
            file: protocol.pdf}}
roles:
  header: {sponsor: module1.sponsor.sponsor, product: module1.product.product_name,
           ind_number: module1.application.ind_number}
  module1:
    sponsor: module1.sponsor.sponsor
    duns: module1.sponsor.duns
    contacts: module1.sponsor.contacts
    ind_number: module1.application.ind_number
    submission_sub_type: module1.submission.submission_subtype
    reason: module1.submission.reason
  keyed_headings:
    "*":
      substance: [cmc.substance.name, module1.product.product_name]
      manufacturer: [cmc.substance.manufacturer, cmc.product.manufacturer]
      product-name: [cmc.product.name, module1.product.product_name]
      indication: module1.product.indication
    m3-2-p: {manufacturer: [cmc.product.manufacturer, cmc.substance.manufacturer]}
  attachments:
    nonclinical.pharmacology.studies.report:
      heading: m4-2-1-1
      folder: m4/42-stud-rep/421-pharmacol/4211-prim-pd
      title: "Study report, {study}"
      study: study
      heading_by:
        column: purpose
        rules: [{when: Safety, heading: m4-2-1-3, folder: m4/42-stud-rep/421-pharmacol/4213-safety-pharmacol}]
      categories: {species: system}
    cmc.batches.batches.coa:
      {heading: m3-2-p-5-4, folder: m3/32-body-data/32p-drug-prod/32p5-contr-drug-prod/32p54-batch-analys,
       title: "Certificate of analysis, batch {batch}"}
    genetic.literature.references.file: {heading: m5-4, folder: m5/54-lit-ref, title: "{citation}"}
  codes:
    module1.submission.submission_subtype: {Original: fdasst1, Amendment: fdasst4}
    module1.sponsor.contacts.role: {Regulatory: fdaact1, Technical: fdaact2, US agent: fdaact3}
"""

# Conditions (`when:`) on fields, a column, a section, a document and a check (tests/test_conditions.py).
CONDITIONS_MODEL = """
version: 1
areas:
  - id: product
    title: Product
    sections:
      - id: design
        title: Design
        fields:
          - {id: parenteral, label: Parenteral, type: yesno, required: true}
          - {id: route, label: Route, type: choice, choices: [Intrathecal, Intravenous, Oral]}
          - {id: sterility, label: Sterility assurance, type: longtext, required: true,
             when: {field: product.design.parenteral, equals: true}}
          - {id: device, label: Delivery device, type: text, required: true,
             when: {all: [{field: product.design.parenteral, equals: true},
                          {field: product.design.route, in: [intrathecal]}]}}
          - {id: oral_note, label: Oral note, type: text,
             when: {not: {field: product.design.parenteral, equals: true}}}
          - {id: sterility_note, label: Note on sterility, type: text,
             when: {field: product.design.sterility, filled: true}}
          - id: batches
            label: Batches
            type: table
            columns:
              - {id: lot, label: Lot, type: text, required: true}
              - {id: endotoxin, label: Endotoxin, type: text,
                 when: {field: product.design.parenteral, equals: true}}
      - id: catheter
        title: Catheter
        when: {any: [{field: product.design.route, equals: Intrathecal},
                     {field: product.design.route, equals: Intravenous}]}
        fields:
          - {id: model, label: Catheter model, type: text, required: true}
elements:
  - {id: product, title: Product described, fields: [product.design.parenteral, product.design.sterility]}
documents:
  - {id: sterility-report, title: Sterility report, template: x.j2,
     when: {field: product.design.parenteral, equals: true},
     ectd: {heading: m3-2-p-3-5, folder: m3/32-body-data/32p-drug-prod/32p3-manuf, file: sterility.pdf}}
checks:
  - {id: oral-route, kind: required, severity: warning, fields: [product.design.route], message: Name the oral route,
     when: {all: [{not: {field: product.design.parenteral, equals: true}},
                  {field: product.design.route, filled: false}]}}
"""

# A repeat shared by two sections in two areas (tests/test_repeats.py): each drug substance has its CMC
# section and its nonclinical section; a condition, a check and an element read repeated fields.
REPEATS_MODEL = """
version: 1
repeats:
  - {id: substances, label: Drug substance, name: cmc.substance.name, min: 1, max: 4}
areas:
  - id: product
    title: Product
    sections:
      - id: overview
        title: Overview
        fields:
          - {id: product_name, label: Product name, type: text, required: true}
          - {id: editor, label: Genome editor, type: yesno}
  - id: cmc
    title: CMC
    sections:
      - id: substance
        title: Drug substance
        repeat: substances
        fields:
          - {id: name, label: Name, type: text, required: true}
          - {id: kind, label: Kind, type: choice, choices: [mRNA, Guide RNA, Lipid]}
          - {id: sequence, label: Sequence, type: text, required: true,
             when: {field: cmc.substance.kind, in: [mRNA, Guide RNA]}}
          - {id: guide_design, label: Guide design, type: longtext,
             when: {all: [{field: product.overview.editor, equals: true},
                          {field: cmc.substance.kind, equals: Guide RNA}]}}
          - {id: report, label: Report, type: attachment}
          - id: batches
            label: Batches
            type: table
            columns:
              - {id: lot, label: Lot, type: text, required: true}
              - {id: coa, label: CoA, type: attachment}
  - id: nonclinical
    title: Nonclinical
    sections:
      - id: potency
        title: Potency per substance
        repeat: substances
        fields:
          - {id: summary, label: Summary, type: longtext}
          - {id: ec50, label: EC50, type: number, units: [nM]}
          - {id: limit, label: EC50 limit, type: number, units: [nM]}
elements:
  - {id: characterised, title: Substances characterised, fields: [cmc.substance.kind, nonclinical.potency.summary]}
  - {id: named, title: Product named, fields: [product.overview.product_name]}
documents:
  - {id: substance, title: Drug substance, template: x.j2,
     ectd: {heading: m3-2-s-1-1, folder: m3/32-body-data/32s-drug-sub/32s1-gen-info, file: substance.pdf}}
checks:
  - {id: potency-limit, kind: compare, severity: error, left: nonclinical.potency.ec50, op: "<=",
     right: nonclinical.potency.limit, message: EC50 above its limit}
  - {id: guide-designed, kind: required, severity: warning, fields: [cmc.substance.guide_design],
     when: {field: cmc.substance.kind, equals: Guide RNA}, message: Describe the guide design}
"""

VALUES = {
    "module1.sponsor.sponsor": {"organisation": "Example Children's Hospital", "name": "Dr. Ada Example"},
    "module1.sponsor.duns": "123456789",
    "module1.sponsor.contacts": [{"role": "Regulatory", "name": "Dr. Ada Example", "phone": "+1 555 0100",
                                  "email": "ada@example.org"}],
    "module1.application.ind_number": "123456",
    "module1.product.product_name": "atipeksen",
    "module1.product.indication": "CLN7 Batten disease",
    "module1.submission.reason": "Initial IND for one patient",
    "cmc.substance.name": "atipeksen sodium",
    "cmc.substance.manufacturer": "Oligo Manufacturing Inc",
    "cmc.product.name": "atipeksen injection",
}


@functools.cache
def mini_content_model() -> ContentModel:
    return parse_model(yaml.safe_load(MINI_MODEL), Path("mini.yaml"))


@functools.cache
def ectd_content_model() -> ContentModel:
    return parse_model(yaml.safe_load(ECTD_MODEL), Path("ectd-test.yaml"))


@functools.cache
def repeats_content_model() -> ContentModel:
    return parse_model(yaml.safe_load(REPEATS_MODEL), Path("repeats.yaml"))


@pytest.fixture(scope="session")
def repeats_model() -> ContentModel:
    return repeats_content_model()


@pytest.fixture
def repeats_raw() -> dict:
    """REPEATS_MODEL as parsed YAML, for tests that break it."""
    return yaml.safe_load(REPEATS_MODEL)


@pytest.fixture(scope="session")
def mini_model() -> ContentModel:
    return mini_content_model()


@pytest.fixture
def mini_raw() -> dict:
    """MINI_MODEL as parsed YAML, for tests that break it."""
    return yaml.safe_load(MINI_MODEL)


@pytest.fixture(scope="session")
def ectd_model() -> ContentModel:
    return ectd_content_model()
