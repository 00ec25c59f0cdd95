"""The arms of a master protocol in the desktop app: every section of an arm (its variant, classification,
mechanism and product design) shows the arms as tabs through the repeated-section page, an edit goes to
the arm whose tab is open, and an arm's finding jumps to its tab."""

import pytest

from dossier.cases import make_case
from ui.instances import RepeatPage

ARMS = ["Arm 1: c.1056+34C>A", "Arm 2: c.790+139G>A"]


@pytest.fixture
def platform(window, tmp_path):
    path = tmp_path / "platform.dossier"
    make_case("aso-platform", path)
    assert window.open_dossier(path)
    return window


def tabs(page: RepeatPage) -> list[str]:
    return [page.tabs.tabText(i) for i in range(page.tabs.count())]


def test_each_arm_section_shows_the_arms_as_tabs_with_their_own_values(platform):
    for section in ("genetic.variant", "genetic.classification", "genetic.mechanism", "nonclinical.design"):
        platform.select_section(section)
        page = platform.pages[section]
        assert isinstance(page, RepeatPage) and tabs(page) == ARMS, section
        assert page.buttons["add"].text() == "&Add arm…"
    page = platform.pages["nonclinical.design"]
    page.tabs.setCurrentIndex(1)
    assert page.form.editors["nonclinical.design.sequence"].current() == "5'-ACCCA GGACT TACCT GGAGG CA-3'"
    page.tabs.setCurrentIndex(0)
    assert page.form.editors["nonclinical.design.sequence"].current() == "5'-TCCCA GGAAC TTACC TGGTG AG-3'"


def test_an_edit_goes_to_the_open_arm_and_its_finding_jumps_back_to_it(platform):
    platform.select_section("nonclinical.design")
    page = platform.pages["nonclinical.design"]
    page.tabs.setCurrentIndex(1)
    page.form.edit_requested.emit("nonclinical.design[1].variant_position", "33")  # what the editor sends
    assert platform.dossier.get("nonclinical.design[1].variant_position") == {"value": 33}
    assert platform.dossier.get("nonclinical.design[0].variant_position") == {"value": 44}
    platform.refresh_readiness()
    [finding] = [f for f in platform.session.report.findings if f.check == "aso-pairs-with-target"]
    assert finding.field == "nonclinical.design[1].target_sequence" and finding.message.startswith(ARMS[1])
    page.tabs.setCurrentIndex(0)
    platform.select_section("genetic.gene")
    platform.go_to(finding)
    assert platform.form_stack.currentWidget() is page and page.tabs.currentIndex() == 1


def test_off_the_master_protocol_the_arm_sections_show_no_tabs(window, demo_file):
    """The aso demo (an individualized IND) has one arm: its sections read as before arms, without tabs,
    arm buttons or an arm name to fill in; choosing the master-protocol path brings the tabs."""
    assert window.open_dossier(demo_file)
    for section in ("genetic.variant", "genetic.classification", "genetic.mechanism", "nonclinical.design"):
        window.select_section(section)
        page = window.pages[section]
        assert isinstance(page, RepeatPage) and len(page.pages) == 1, section
        assert page.bar.isHidden() and page.stack.currentWidget() is page.pages[0], section
        assert page.form is not None and page.form.instance == 0
    window.select_section("genetic.variant")
    page = window.pages["genetic.variant"]
    assert page.form.editors["genetic.variant.hgvs"].isVisibleTo(page)
    assert not page.form.editors["genetic.variant.arm"].isVisibleTo(page)  # no arm name asked for
    window.session.edit("module1.application.path", "Master protocol")
    assert not page.bar.isHidden() and tabs(page) == ["Arm 1"] and page.buttons["add"].isEnabled()
    assert page.form.editors["genetic.variant.arm"].isVisibleTo(page)
    window.session.edit("module1.application.path", "Individualized IND")
    assert page.bar.isHidden() and len(page.pages) == 1


# Each arm's patient: the patient sections (phenotype and identifiers; weight, age and study identifier) show
# the arms as tabs, each with its own patient's values; on any other path one patient's, without tabs.
PATIENT_SECTIONS = ("genetic.patient", "clinical.patient")


def test_each_arm_has_its_own_patient_tab(platform):
    for section in PATIENT_SECTIONS:
        platform.select_section(section)
        page = platform.pages[section]
        assert isinstance(page, RepeatPage) and not page.bar.isHidden(), section
        assert tabs(page) == ARMS, section
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


def test_at_1280_by_720_every_arm_and_substance_tab_reads_its_whole_name(platform, qtbot):
    """The tab bar has a row of its own: beside the five buttons it cut 'CLN3-A' and 'Drug substa'."""
    from PySide6.QtWidgets import QLabel

    platform.resize(1280, 720)
    platform.show()
    qtbot.waitExposed(platform)
    for section in ("nonclinical.design", "cmc.substance"):
        platform.select_section(section)
        page = platform.pages[section]
        qtbot.waitUntil(lambda page=page: page.tabs.isVisible() and page.tabs.width() > 0)
        bar = page.tabs
        names = page.names()
        assert len(names) == 2 and tabs(page) == names, section
        for i, name in enumerate(names):
            assert bar.tabToolTip(i) == name
            shown = bar.tabRect(i)
            assert shown.right() <= bar.width(), (section, name)  # no tab pushed behind a scroll arrow
            assert shown.width() >= bar.fontMetrics().horizontalAdvance(name), (section, name)  # not elided
        [label] = [w for w in page.bar.findChildren(QLabel) if page.repeat.label in w.text()]
        assert label.width() >= label.sizeHint().width(), section
