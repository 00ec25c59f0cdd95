"""Backbone writing: the heading tree read from the official DTDs, index.xml and us-regional.xml
valid against them (offline), study tagging files."""

import pytest
from lxml import etree

from dossier import standards
from dossier.ectd.backbone import index_xml
from dossier.ectd.headings import ich_tree, regional_tree
from dossier.ectd.leaf import Leaf, Module1, Plan, leaf_id
from dossier.ectd.regional import check_admin, regional_xml
from dossier.ectd.stf import stf_references, stf_xml
from dossier.errors import DossierError

MD5 = "0123456789abcdef0123456789abcdef"


def module1(**changes):
    m1 = Module1(duns="123456789", company="Example Hospital", description="Initial IND",
                 contacts=[{"name": "Ada Example", "type": "fdaact1", "phones": [("+1 555 0100", "fdatnt1")],
                            "emails": ["ada@example.org"]}],
                 application_number="123456", application_type="fdaat4", submission_type="fdast1",
                 submission_sub_type="fdasst1", submission_id="0001")
    for key, value in changes.items():
        setattr(m1, key, value)
    return m1


def parse(data: bytes, folder):
    return etree.fromstring(data, standards.xml_parser(folder)).getroottree()


def test_headings_come_from_the_dtd(installed):
    ich = ich_tree(installed)
    assert ich.resolve("m2-5") == "m2-5-clinical-overview"
    assert ich.resolve("m2-3") == "m2-3-quality-overall-summary"
    assert ich.resolve("m5-3-5-2").startswith("m5-3-5-2-study-reports-of-uncontrolled")
    assert ich["m3-2-s-drug-substance"].required_keys == ("manufacturer", "substance")
    assert ich["m5-3-5-reports-of-efficacy-and-safety-studies"].required_keys == ("indication",)
    assert not ich["m3-2-s-drug-substance"].lowest and ich[ich.resolve("m3-2-s-4-4")].lowest
    assert regional_tree(installed).chain("m1-14-4-1-investigational-brochure")[-3:] == [
        "m1-14-labeling", "m1-14-4-investigational-drug-labeling", "m1-14-4-1-investigational-brochure"]
    with pytest.raises(DossierError, match="not a heading"):
        ich.resolve("m2-9")


def plan_with_every_kind(ich, regional):
    leaves = [
        Leaf("m2/25-clin-over/clinical-overview.pdf", ich.resolve("m2-5"), "Clinical overview", "document", "co", "k",
             md5=MD5),
        Leaf("m3/32-body-data/32s-drug-sub/x-y/32s44-batch-analys/coa.pdf", ich.resolve("m3-2-s-4-4"), "CoA",
             "attachment", "coa.pdf", MD5, md5=MD5),
        Leaf("m5/53-clin-stud-rep/535-rep-effic-safety-stud/cln7/5352-stud-rep-uncontr/old.pdf",
             ich.resolve("m5-3-5-2"), "Old report", "attachment", "", "", operation="delete", modified_seq="0001"),
        Leaf("m1/us/12-cover-letters/cover-letter.pdf", "m1-2-cover-letters", "Cover letter", "document", "cl", "k",
             md5=MD5),
        Leaf("m1/us/11-forms/form-1571.pdf", "form", "Form FDA 1571", "attachment", "f.pdf", MD5, md5=MD5),
        Leaf("m1/us/1121-pre-ind/minutes.pdf", "m1-12-1-pre-ind-correspondence", "Pre-IND minutes", "attachment",
             "m.pdf", MD5, md5=MD5, operation="replace", modified_seq="0001"),
    ]
    keyed = {"m3-2-s-drug-substance": {"substance": "atipeksen", "manufacturer": "Oligo Inc"},
             "m5-3-5-reports-of-efficacy-and-safety-studies": {"indication": "CLN7 disease"},
             "form": {"form-type": "fdaft1"}}
    return Plan("0002", leaves, module1(submission_sub_type="fdasst4"), keyed=keyed)


def test_backbones_valid_against_official_dtds(installed):
    ich, regional = ich_tree(installed), regional_tree(installed)
    plan = plan_with_every_kind(ich, regional)
    index = parse(index_xml(plan, ich, MD5), installed)
    us = parse(regional_xml(plan, regional), installed)
    for tree, name in ((index, "ich-ectd-3-2.dtd"), (us, "us-regional-v3-3.dtd")):
        dtd = standards.dtd(name, installed)
        assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    assert index.docinfo.system_url == "util/dtd/ich-ectd-3-2.dtd"
    assert us.docinfo.system_url == "https://www.accessdata.fda.gov/static/eCTD/us-regional-v3-3.dtd"
    root = index.getroot()
    assert root.tag == "{http://www.ich.org/ectd}ectd" and root.get("dtd-version") == "3.2"
    assert root.nsmap["xlink"] == "http://www.w3c.org/1999/xlink"
    delete = root.find(".//leaf[@operation='delete']")
    assert delete.get("checksum") == "" and delete.get("{http://www.w3c.org/1999/xlink}href") is None
    assert delete.get("modified-file").startswith("../0001/index.xml#")
    replace = us.getroot().find(".//leaf[@operation='replace']")
    assert replace.get("modified-file").startswith("../../../0001/m1/us/us-regional.xml#")
    assert replace.get("{http://www.w3c.org/1999/xlink}href") == "1121-pre-ind/minutes.pdf"
    form = us.getroot().find("admin/application-set/application/submission-information/form")
    assert form.get("form-type") == "fdaft1" and form.find("leaf/title").text == "Form FDA 1571"
    assert check_admin(us.getroot(), "0002") == []


def test_missing_keyed_value_is_refused(installed):
    ich, regional = ich_tree(installed), regional_tree(installed)
    plan = plan_with_every_kind(ich, regional)
    del plan.keyed["m3-2-s-drug-substance"]
    with pytest.raises(DossierError, match="needs its 'manufacturer' value"):
        index_xml(plan, ich, MD5)


def test_admin_codes_checked(installed):
    plan = plan_with_every_kind(ich_tree(installed), regional_tree(installed))
    plan.module1 = module1(duns="12345", application_number="12345", submission_sub_type="fdasst1",
                           contacts=[{"name": "Ada", "type": "boss", "phones": [("1", "fdatnt9")], "emails": ["a@b"]}])
    root = parse(regional_xml(plan, regional_tree(installed)), installed).getroot()
    messages = " | ".join(m for _, m in check_admin(root, "0002"))
    for expected in ("9-digit DUNS", "not 6 digits", "has type 'boss'", "fdatnt9",
                     "sequence 0002 is marked as the original"):
        assert expected in messages


def test_leaf_ids_are_stable_xml_names():
    a = leaf_id("m2-5-clinical-overview", "m2/25-clin-over/2020-overview.pdf")
    assert a == leaf_id("m2-5-clinical-overview", "m2/25-clin-over/2020-overview.pdf")
    assert a[0].isalpha() and a != leaf_id("m2-5-clinical-overview", "m2/25-clin-over/other.pdf")
    assert leaf_id("h", "p", deletion=True) != leaf_id("h", "p")


def test_study_tagging_file_points_at_its_leaves():
    data = stf_xml("m4/42-stud-rep/421-pharmacol/4211-prim-pd/study-1/stf-study-1.xml", "STUDY-1", "Splice rescue",
                   [(None, "lf-a", "Report", "pre-clinical-study-report"),
                    ("0001", "lf-b", "Amendment", "study-report")])
    study, hrefs = stf_references(data)
    assert study == "STUDY-1"
    assert hrefs == ["../../../../../index.xml#lf-a", "../../../../../../0001/index.xml#lf-b"]
    assert b'<!DOCTYPE ectd:study SYSTEM "../../../../../util/dtd/ich-stf-v2-2.dtd">' in data


def test_own_leaves_come_before_subheadings(installed):
    """The DTD says (leaf*, m3-2-p-1?, …): a document at 3.2.P sits before the 3.2.P.5.4 batch analyses."""
    ich, regional = ich_tree(installed), regional_tree(installed)
    plan = plan_with_every_kind(ich, regional)
    plan.leaves += [Leaf("m3/32-body-data/32p-drug-prod/p/32p54-batch-analys/coa.pdf", ich.resolve("m3-2-p-5-4"),
                         "CoA", "attachment", "c", MD5, md5=MD5),
                    Leaf("m3/32-body-data/32p-drug-prod/p/drug-product.pdf", "m3-2-p-drug-product", "Drug product",
                         "document", "dp", "k", md5=MD5)]
    index = parse(index_xml(plan, ich, MD5), installed)
    assert standards.dtd("ich-ectd-3-2.dtd", installed).validate(index)
    assert [child.tag for child in index.getroot().find(".//m3-2-p-drug-product")] == [
        "leaf", "m3-2-p-5-control-of-drug-product"]
