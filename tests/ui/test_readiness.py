"""The navigator and the readiness panel: completeness and findings per section, the five elements,
and findings that take the cursor to their field."""

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from .test_editing import editor


def click_finding(window, qtbot, field_path):
    panel = window.readiness
    item = panel.item_for(field_path)
    assert item is not None, [panel.findings.item(i).data(Qt.UserRole).field for i in range(panel.findings.count())]
    panel.findings.scrollToItem(item)
    qtbot.mouseClick(panel.findings.viewport(), Qt.LeftButton, pos=panel.findings.visualItemRect(item).center())


def test_clicking_a_finding_focuses_its_field(window, qtbot, tmp_path):
    from dossier.service import Dossier

    Dossier.create(tmp_path / "empty.dossier", "Empty").close()
    window.open_dossier(tmp_path / "empty.dossier")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    click_finding(window, qtbot, "clinical.safety.monitoring")
    assert window.form.section.path == "clinical.safety"
    assert window.navigator.currentItem().data(0, Qt.UserRole) == "clinical.safety"
    target = window.form.editors["clinical.safety.monitoring"].focus_widget()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target, timeout=2000)


def test_a_finding_on_a_table_cell_focuses_that_cell(window, demo_file, qtbot):
    from dossier.service import Dossier

    with Dossier.open(demo_file) as d:  # the confirmatory milestones belong to a marketing application
        d.set("module1.application.path", "Marketing application (BLA or NDA)")
    assert window.open_dossier(demo_file)
    demo = window
    demo.activateWindow()
    qtbot.waitUntil(demo.isActiveWindow, timeout=2000)
    field = "confirmatory.evidence.milestones"
    table = editor(demo, field)
    table.model.setData(table.model.index(1, 1), "")  # clear row 2's target date: an error finding
    qtbot.waitSignal(demo.session.readiness_updated, timeout=2000).wait()
    demo.select_section("genetic.gene")
    click_finding(demo, qtbot, f"{field}[1].target_date")
    assert demo.form.section.path == "confirmatory.evidence"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table.view, timeout=2000)
    assert (table.view.currentIndex().row(), table.view.currentIndex().column()) == (1, 1)


def test_a_genome_editor_finding_takes_the_cursor_to_the_variant_position(window, demo_file, qtbot):
    from dossier.service import Dossier
    from tests.test_checks_editor import BASE_EDITOR, D

    with Dossier.open(demo_file) as d:  # a base editor whose declared window misses the variant
        d.set_many({**BASE_EDITOR, D + "window_start": "7", D + "window_end": "8"})
    assert window.open_dossier(demo_file)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    item = window.readiness.item_for(D + "variant_position")
    assert item is not None and "protospacer position 6" in item.text()
    assert "Also read: nonclinical.design[0].guide_rna" in item.toolTip()
    click_finding(window, qtbot, D + "variant_position")
    assert window.form.section.path == "nonclinical.design"
    target = window.form.editors["nonclinical.design.variant_position"].focus_widget()  # the arm's form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target, timeout=2000)


def test_navigator_shows_required_fields_filled_and_worst_finding(window, qtbot, tmp_path):
    from dossier.service import Dossier

    Dossier.create(tmp_path / "empty.dossier", "Empty").close()
    window.open_dossier(tmp_path / "empty.dossier")
    item = window.navigator.items["genetic.gene"]
    required = [f for f in window.dossier.model.section("genetic.gene").fields if f.required]
    assert item.text(1) == f"0/{len(required)}"
    assert int(item.text(2)) >= len(required)
    symbol = editor(window, "genetic.gene.symbol")
    symbol.line.setText("CLN3")
    with qtbot.waitSignal(window.session.readiness_updated, timeout=2000):
        symbol.line.editingFinished.emit()  # readiness follows each save, a moment later
    assert item.text(1) == f"1/{len(required)}"
    assert "error" in item.toolTip(2)


def test_the_five_elements_are_shown_on_top(demo, window):
    badges = demo.readiness.elements.badges
    assert len(badges) == 5
    # an IND before dosing: evidence from patient-derived cells, a plan for the clinical course
    assert [b.accessibleName().split(": ")[1] for b in badges] == [
        "demonstrated in patients", "supported by nonclinical evidence", "demonstrated in patients",
        "supported by nonclinical evidence", "planned"]
    assert demo.readiness.summary.text().startswith("Nothing missing")


def test_the_margins_show_under_their_element_or_part_and_take_the_cursor_to_their_field(demo, qtbot):
    """The panel shows what the checks computed, as the core words it, and a click goes to the field."""
    report = demo.session.report
    (margin,) = [m for m in report.measures if m.check == "dose-margin"]
    item = demo.readiness.measure_item("Safety margin")
    assert item is not None and item.text() == margin.brief == "Safety margin 12.4× (needs ≥ 10×)"
    assert margin.text in item.toolTip() and margin.source in item.toolTip()
    shown = item.listWidget()
    title, _ = demo.readiness.elements.other_lists[margin.group]
    assert shown.isVisible() and title.text() == margin.group_title  # under its dossier part: no element claims it
    binding = demo.readiness.measure_item("Binding site to the variant").listWidget()
    strip = demo.readiness.elements
    assert binding is strip.measures[[e.id for e in report.elements].index("targets_cause")]  # under its element
    assert QApplication.activeWindow() is demo  # no list of measures was ever shown as a window of its own
    demo.grab().save(str(Path(os.environ.get("PANEL_SHOT", "/dev/null"))), "PNG")
    demo.activateWindow()
    qtbot.waitUntil(demo.isActiveWindow, timeout=2000)
    shown.scrollToItem(item)
    qtbot.mouseClick(shown.viewport(), Qt.LeftButton, pos=shown.visualItemRect(item).center())
    assert demo.form.section.path == "clinical.dosing"
    target = demo.form.editors["clinical.dosing.maximum_dose"].focus_widget()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target, timeout=2000)


def test_a_fifty_fold_maximum_dose_turns_the_margin_not_ok_in_the_panel(demo, qtbot):
    with qtbot.waitSignal(demo.session.readiness_updated, timeout=2000):
        demo.session.dossier.set("clinical.dosing.maximum_dose", "2100 mg")
        demo.refresh_readiness()
    item = demo.readiness.measure_item("Safety margin")
    assert item.text() == "Safety margin 0.248× (needs ≥ 10×)" and item.toolTip().startswith("Not within its limit")


def test_a_part_whose_checks_cannot_run_leaves_the_panel_and_comes_back_in_its_place(demo, qtbot):
    strip, dossier = demo.readiness.elements, demo.session.dossier
    period = dossier.get("clinical.dosing.dosing_duration")

    def shown_parts():
        titles = [strip.others.itemAt(i).widget() for i in range(strip.others.count())]
        return [t.text() for t in titles if isinstance(t, QLabel) and t.isVisibleTo(strip)]

    before = shown_parts()
    assert "Nonclinical and NAM data" in before
    for value in ("", f"{period['value']} {period['unit']}"):
        with qtbot.waitSignal(demo.session.readiness_updated, timeout=2000):
            dossier.set("clinical.dosing.dosing_duration", value)  # empty: the duration cannot be measured
            demo.refresh_readiness()
        if not value:
            assert shown_parts() == [t for t in before if t != "Nonclinical and NAM data"]
            assert demo.readiness.measure_item("Longest toxicology study") is None
    assert shown_parts() == before


def test_the_genetics_and_editor_measures_show_under_their_elements(window, tmp_path, demo):
    """The lab report's answer, the strand's pairing and the carriers in the demo; the base-editor case's
    spacer, PAM, window and bystanders: each line is the core's brief, under its element or dossier part."""
    from dossier.cases import make_case

    report, strip = demo.session.report, demo.readiness.elements
    elements = [e.id for e in report.elements]
    named = demo.readiness.measure_item("Lab report names NM_001042432.2:c.1056+34C>A")
    assert named is not None and named.text() == "Lab report names NM_001042432.2:c.1056+34C>A: yes"
    assert named.listWidget() is strip.measures[elements.index("abnormality")]
    paired = demo.readiness.measure_item("Bases paired with the target")
    assert paired.text() == "Bases paired with the target 22 nt (needs ≥ 22 nt)"
    carriers = demo.readiness.measure_item("Other known carriers")
    assert carriers.text() == "Other known carriers 0 (needs ≤ 5)" and "Within its limit" in carriers.toolTip()
    assert window.open_dossier(make_case("base-editor", tmp_path / "editor.dossier"))
    editor_lines = {label: window.readiness.measure_item(label) for label in (
        "Spacer bases matching the target", "SpCas9 PAM after the spacer", "Variant's protospacer position",
        "Bystanders in the window not listed")}
    assert {label: item.text() for label, item in editor_lines.items()} == {
        "Spacer bases matching the target": "Spacer bases matching the target 20 nt (needs ≥ 20 nt)",
        "SpCas9 PAM after the spacer": "SpCas9 PAM after the spacer: yes",
        "Variant's protospacer position": "Variant's protospacer position 6 (needs 4–8)",
        "Bystanders in the window not listed": "Bystanders in the window not listed 0 (needs = 0)"}
    targets = window.readiness.elements.measures[elements.index("targets_cause")]
    assert all(item.listWidget() is targets for item in editor_lines.values())


def test_measures_of_several_arms_are_headed_by_their_arm_in_the_panel(window, tmp_path):
    """Two arms measure the same things: each arm's lines sit under a heading naming it, so no two lines
    under the same heading read alike and the narrow panel never cuts the arm's name off."""
    from dossier.cases import make_case

    make_case("aso-platform", tmp_path / "platform.dossier")
    assert window.open_dossier(tmp_path / "platform.dossier")
    strip = window.readiness.elements
    binding = strip.measures[[e.id for e in window.session.report.elements].index("targets_cause")]
    rows = [binding.item(i) for i in range(binding.count())]
    lines, heading, seen = [], "", set()
    for row in rows:
        measure = row.data(Qt.UserRole)
        if measure is None:
            heading = row.text()
            continue
        assert measure.instance == heading and row.text() == measure.headline
        assert (heading, row.text()) not in seen
        seen.add((heading, row.text()))
        lines.append((heading, row.text()))
    assert [h for h, text in lines if text.startswith("Binding site to the variant")] == \
        ["Arm 1: c.1056+34C>A", "Arm 2: c.790+139G>A"]
    head = next(row for row in rows if row.data(Qt.UserRole) is None)
    assert not head.flags() & Qt.ItemIsSelectable
