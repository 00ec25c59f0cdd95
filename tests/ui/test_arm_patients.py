"""Each arm's patient in the desktop app: on the master-protocol path the patient sections (phenotype and
identifiers; weight and age for dosing) show the arms as tabs, each with its own patient's values; on any
other path they read as one patient's, without tabs."""

import pytest

from dossier.cases import make_case
from ui.instances import RepeatPage

ARMS = ["Arm 1: c.1056+34C>A", "Arm 2: c.790+139G>A"]
PATIENT_SECTIONS = ("genetic.patient", "clinical.patient")


@pytest.fixture
def platform(window, tmp_path):
    path = tmp_path / "platform.dossier"
    make_case("aso-platform", path)
    assert window.open_dossier(path)
    return window


def test_each_arm_has_its_own_patient_tab(platform):
    for section in PATIENT_SECTIONS:
        platform.select_section(section)
        page = platform.pages[section]
        assert isinstance(page, RepeatPage) and not page.bar.isHidden(), section
        assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ARMS, section
    page = platform.pages["clinical.patient"]
    weights = []
    for i in (0, 1):
        page.tabs.setCurrentIndex(i)
        weights.append(page.form.editors["clinical.patient.body_weight"].current())
    assert weights[0] != weights[1] and "21.5" in weights[1]
    page.form.edit_requested.emit("clinical.patient[1].age_at_first_dose", "6 years")  # goes to arm 2 only
    assert platform.dossier.get("clinical.patient[1].age_at_first_dose") == {"value": 6, "unit": "years"}
    assert platform.dossier.get("clinical.patient[0].age_at_first_dose") == {"value": 9, "unit": "years"}


def test_off_the_master_protocol_the_patient_sections_show_no_tabs(window, demo_file):
    assert window.open_dossier(demo_file)
    for section in PATIENT_SECTIONS:
        window.select_section(section)
        page = window.pages[section]
        assert isinstance(page, RepeatPage) and len(page.pages) == 1, section
        assert page.bar.isHidden() and page.form is not None and page.form.instance == 0, section
    page = window.pages["genetic.patient"]
    assert page.form.editors["genetic.patient.phenotype"].isVisibleTo(page)
