import pytest

from dossier.fieldtypes import coerce
from dossier.readiness import check_dossier


def values(model, **raw):
    return {path.replace("__", "."): coerce(model.field(path.replace("__", ".")), v) for path, v in raw.items()}


def ids(report, severity=None):
    return {f.check for f in report.findings if severity in (None, f.severity)}


COMPLETE = dict(
    genetic__variant__gene="CLN3", genetic__variant__hgvs="NM_001042432.2:c.1056+34C>A",
    genetic__variant__acmg_class="Likely pathogenic",
    product__design__sequence="5'-ACG TUA-3'", product__cmc__sequence="acgtta",
    product__design__target="CLN3 intron 11 cryptic exon",
    product__design__studies=[{"name": "S1", "patient_derived": True, "report": "r.pdf"}],
    product__design__parenteral="yes", product__design__sterility="Sterile filtration",
    product__cmc__stability="12 months", product__cmc__duration="6 months",
)


def test_complete_dossier_has_no_findings_and_elements_only_as_strong_as_their_evidence(mini_model):
    report = check_dossier(mini_model, values(mini_model, **COMPLETE), ["r.pdf"])
    assert report.findings == ()
    # the abnormality's element declares no evidence: filled in, it is a claim (planned), not "supported"
    assert {e.id: e.state for e in report.elements} == {"abnormality": "planned", "target_engagement": "nonclinical"}
    assert [e.label for e in report.elements] == ["planned", "supported by nonclinical evidence"]


def test_empty_dossier_reports_required_fields_and_missing_elements(mini_model):
    report = check_dossier(mini_model, {}, [])
    assert {"required:genetic.variant.gene", "required:genetic.variant.hgvs", "te-study"} <= ids(report, "error")
    assert {e.state for e in report.elements} == {"missing"}
    assert report.findings[0].severity == "error"
    gene = next(f for f in report.findings if f.field == "genetic.variant.gene")
    assert gene.source == "ACMG" and "Gene symbol is required" in gene.message


def test_conditional_requirement_follows_its_condition(mini_model):
    raw = dict(COMPLETE, genetic__variant__acmg_class="VUS")
    report = check_dossier(mini_model, values(mini_model, **raw), ["r.pdf"])
    finding = next(f for f in report.findings if f.check == "vus-justified")
    assert finding.field == "genetic.variant.vus_justification" and finding.element == "abnormality"
    assert {e.id: e.state for e in report.elements}["abnormality"] == "partial"
    raw["genetic__variant__vus_justification"] = "Functional RNA evidence"
    assert "vus-justified" not in ids(check_dossier(mini_model, values(mini_model, **raw), ["r.pdf"]))


def test_cross_field_consistency(mini_model):
    raw = dict(COMPLETE, product__cmc__sequence="ACGTTT", product__design__target="intron 11 of CLN5x",
               product__cmc__stability="3 months", product__design__parenteral="yes", product__design__sterility="")
    report = check_dossier(mini_model, values(mini_model, **{k: v for k, v in raw.items() if v}), ["r.pdf"])
    assert {"same-sequence", "sterile"} <= ids(report, "error")
    assert {"gene-in-target", "stability"} <= ids(report, "warning")


def test_rows_and_each_row(mini_model):
    raw = dict(COMPLETE, product__design__studies=[{"name": "S1", "patient_derived": False}])
    report = check_dossier(mini_model, values(mini_model, **raw), [])
    assert "te-study" in ids(report, "error")
    row = next(f for f in report.findings if f.check == "study-report")
    assert row.field == "product.design.studies[0].report"


def test_dangling_attachment_is_an_error(mini_model):
    report = check_dossier(mini_model, values(mini_model, **COMPLETE), [])
    assert "attachment-missing" in ids(report, "error")


def test_compare_converts_units_of_one_dimension(mini_model):
    """Stability 6 months against a duration in weeks or years: converted (months are 1/12 year)."""
    v = values(mini_model, **COMPLETE)
    v["product.cmc.stability"] = {"value": 6, "unit": "months"}

    def stability(duration):
        report = check_dossier(mini_model, {**v, "product.cmc.duration": duration}, ["r.pdf"])
        return [f for f in report.findings if f.check == "stability"]

    assert stability({"value": 26, "unit": "weeks"}) == []  # 26 weeks = 182 days < 182.6 days
    assert stability({"value": 27, "unit": "weeks"})
    assert stability({"value": 0.5, "unit": "years"}) == []  # exactly equal: >= holds
    assert stability({"value": 1, "unit": "years"})


def test_compare_of_other_dimensions_says_so(mini_model):
    v = values(mini_model, **COMPLETE)
    v["product.cmc.duration"] = {"value": 1, "unit": "mg"}  # a value the door would refuse, from an edited file
    finding = next(f for f in check_dossier(mini_model, v, ["r.pdf"]).findings if f.check == "stability")
    assert "cannot compare months with mg" in finding.message


def test_any_filled_reaches_into_table_columns(mini_model, mini_raw):
    import copy
    from pathlib import Path

    from dossier.model_reader import parse_model

    raw = copy.deepcopy(mini_raw)
    raw["checks"].append({"id": "some-report", "kind": "any_filled", "severity": "warning",
                          "fields": ["product.design.studies.report"], "message": "Attach a report"})
    model = parse_model(raw, Path("m.yaml"))
    without = dict(COMPLETE, product__design__studies=[{"name": "S1", "patient_derived": True}])
    assert "some-report" in ids(check_dossier(model, values(model, **without), []))
    assert "some-report" not in ids(check_dossier(model, values(model, **COMPLETE), ["r.pdf"]))


def test_readiness_gate_blocks_on_errors_only(mini_model):
    from dossier.errors import NotReadyError

    warned = check_dossier(mini_model, values(mini_model, **dict(COMPLETE, product__design__target="exon 4")),
                           ["r.pdf"])
    assert ids(warned) == {"gene-in-target"} and warned.blocking == [] and not warned.has_errors
    warned.require_ready()
    report = check_dossier(mini_model, {}, [])
    assert report.blocking and all(f.severity == "error" for f in report.blocking)
    with pytest.raises(NotReadyError, match="a final render needs a dossier without readiness errors") as caught:
        report.require_ready("render")
    assert caught.value.findings == report.blocking
