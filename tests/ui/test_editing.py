"""Filling the generated forms as a user would: every field type, saving as edits are made, invalid
input kept and explained, undo and redo, history, attachments by drag and drop."""

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox, QPushButton, QToolButton

from dossier.fieldpath import model_path, section_of
from dossier.service import Dossier
from tests.helpers.pdfs import make_pdf


def editor(window, path):
    """The editor of a field (in a repeated section, the current instance's form shows it by its model path)."""
    window.select_section(section_of(path))
    return window.form.editors[model_path(path)]


def type_into(qtbot, widget, text, finish=Qt.Key_Return):
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2000)
    qtbot.keyClicks(widget, text)
    if finish is not None:
        qtbot.keyClick(widget, finish)


def drop(widget, *files):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    event = QDropEvent(QPoint(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    widget.dropEvent(event)
    return event


def test_create_a_dossier_and_fill_one_field_of_every_type(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "new case"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("UI case", True))
    qtbot.mouseClick(window.start_page.buttons[0], Qt.LeftButton)  # New dossier…
    assert window.dossier is not None and window.dossier.path.name == "new case.dossier"
    assert window.windowTitle().startswith("UI case")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)

    type_into(qtbot, editor(window, "genetic.gene.symbol").line, "CLN3")

    window.select_section("genetic.variant")  # the variant is its arm's: add the first (named as getText says)
    window.pages["genetic.variant"].buttons["add"].click()
    hgvs = editor(window, "genetic.variant[0].hgvs")
    type_into(qtbot, hgvs.line, "NM_001042432.2:c.1056+34C>A", finish=None)
    qtbot.waitUntil(lambda: "valid HGVS" in hgvs.status.text(), timeout=3000)  # the debounced live check
    qtbot.keyClick(hgvs.line, Qt.Key_Return)

    longtext = editor(window, "genetic.variant[0].confirmation")
    type_into(qtbot, longtext.text, "Sanger", finish=Qt.Key_Tab)  # Tab leaves a long text: the edit is done

    type_into(qtbot, editor(window, "genetic.variant[0].detection_date").line, "2026-01-20")

    choice = editor(window, "genetic.classification[0].acmg_class")
    type_into(qtbot, choice.combo, "Likely", finish=None)  # keyboard search in the list of choices

    multi = editor(window, "genetic.classification[0].evidence_codes")
    multi.list.setFocus()
    multi.list.setCurrentRow(3)
    qtbot.keyClick(multi.list, Qt.Key_Space)

    hpo = editor(window, "genetic.patient.phenotype")

    type_into(qtbot, hpo.line, "HP:0001250")
    qtbot.waitUntil(lambda: not hpo.waiting, timeout=15000)  # saved once the ontology has loaded
    window.activateWindow()  # offscreen, no window may be active once the deferred save has run
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    type_into(qtbot, editor(window, "genetic.mechanism[0].amenability_assessor").parts["name"], "Dr. Raman")
    type_into(qtbot, editor(window, "nonclinical.design[0].length").number, "22")
    type_into(qtbot, editor(window, "cmc.product.parenteral").combo, "Y", finish=None)

    table = editor(window, "clinical.endpoints.schedule")
    qtbot.mouseClick(next(b for b in table.findChildren(QPushButton) if b.text() == "Add row"),
                     Qt.LeftButton)
    table.view.setCurrentIndex(table.model.index(0, 0))
    table.view.edit(table.model.index(0, 0))
    cell = QApplication.focusWidget()
    qtbot.keyClicks(cell, "Screening")
    qtbot.keyClick(cell, Qt.Key_Return)
    table.paste("Visit\tTiming\tAssessments\nMonth 6\tDay 180\tHamburg score\n")  # a copied header is skipped

    attachment = editor(window, "module1.letters.letters_of_authorization")
    with qtbot.waitSignal(window.session.attached, timeout=5000):
        drop(attachment, make_pdf(tmp_path / "Letter of Authorization.pdf"))

    d = window.dossier
    assert d.get("genetic.gene.symbol") == "CLN3"
    assert d.get("genetic.variant[0].hgvs") == "NM_001042432.2:c.1056+34C>A"
    assert d.get("genetic.variant[0].confirmation") == "Sanger"
    assert d.get("genetic.variant[0].detection_date") == "2026-01-20"
    assert d.get("genetic.classification[0].acmg_class") == "Likely pathogenic"
    assert d.get("genetic.classification[0].evidence_codes") == [multi.list.item(3).text()]
    assert d.get("genetic.patient.phenotype") == [{"id": "HP:0001250", "label": "Seizure"}]
    assert d.get("genetic.mechanism[0].amenability_assessor") == {"name": "Dr. Raman"}
    assert d.get("nonclinical.design[0].length") == {"value": 22, "unit": "nt"}
    assert d.get("cmc.product.parenteral") is True
    assert d.get("clinical.endpoints.schedule") == [
        {"visit": "Screening"}, {"visit": "Month 6", "timing": "Day 180", "assessments": "Hamburg score"}]
    assert d.get("module1.letters.letters_of_authorization") == ["letter-of-authorization.pdf"]
    assert attachment.current() == ["letter-of-authorization.pdf"]
    assert d.history("genetic.gene.symbol")[-1].new == "CLN3"
    assert d.history("genetic.gene.symbol")[-1].who == "tester"
    # Nothing to save: closing and reopening shows the same values.
    window.close_dossier()
    with Dossier.open(target.with_suffix(".dossier")) as again:
        assert again.get("cmc.product.parenteral") is True


def test_invalid_input_is_explained_kept_and_not_saved(demo, qtbot):
    hgvs = editor(demo, "genetic.variant[0].hgvs")
    hgvs.line.setText("not a variant")
    hgvs.line.editingFinished.emit()
    error = demo.form.errors["genetic.variant.hgvs"]
    assert "not a valid HGVS variant" in hgvs.status.text() and not hgvs.status.isHidden()
    assert error.isHidden() and not error.text()  # said once, on the editor's own check line, not twice
    assert demo.dossier.get("genetic.variant[0].hgvs") == "NM_001042432.2:c.1056+34C>A"
    assert hgvs.line.text() == "not a variant"  # the user's text stays, to be corrected
    assert demo.undo_stack.count() == 0
    number = editor(demo, "nonclinical.design[0].length")
    number.number.setText("21.5")
    number.number.editingFinished.emit()
    assert "whole number" in demo.form.errors["nonclinical.design.length"].text()
    number.number.setText("21")
    number.number.editingFinished.emit()
    assert demo.form.errors["nonclinical.design.length"].isHidden()
    assert demo.dossier.get("nonclinical.design[0].length") == {"value": 21, "unit": "nt"}


def test_undo_and_redo_through_the_edit_menu(demo, qtbot):
    text = editor(demo, "genetic.gene.hgnc_id")
    text.line.setText("HGNC:9999")
    text.line.editingFinished.emit()
    assert demo.dossier.get("genetic.gene.hgnc_id") == "HGNC:9999"
    assert demo.undo_action.isEnabled() and "HGNC ID" in demo.undo_action.text()
    demo.select_section("clinical.dosing")  # undo brings the field back into view
    demo.undo_action.trigger()
    assert demo.dossier.get("genetic.gene.hgnc_id") == "HGNC:2074"
    assert demo.form.section.path == "genetic.gene" and text.line.text() == "HGNC:2074"
    demo.redo_action.trigger()
    assert demo.dossier.get("genetic.gene.hgnc_id") == "HGNC:9999" and text.line.text() == "HGNC:9999"
    assert [e.new for e in demo.dossier.history("genetic.gene.hgnc_id")][-3:] == ["HGNC:9999", "HGNC:2074", "HGNC:9999"]
    edit_menu = next(a.menu() for a in demo.menuBar().actions() if a.text() == "&Edit")
    assert demo.undo_action in edit_menu.actions() and demo.undo_action.shortcut().matches(
        demo.undo_action.shortcut()) and not demo.undo_action.shortcut().isEmpty()


def test_undo_takes_back_what_was_just_typed(demo, qtbot):
    demo.activateWindow()
    qtbot.waitUntil(demo.isActiveWindow, timeout=2000)
    text = editor(demo, "genetic.gene.hgnc_id")
    type_into(qtbot, text.line, "0", finish=None)  # typed, not yet finished
    demo.undo()
    assert demo.dossier.get("genetic.gene.hgnc_id") == "HGNC:2074" and text.line.text() == "HGNC:2074"
    demo.redo()
    assert demo.dossier.get("genetic.gene.hgnc_id") == "HGNC:20740"


def test_table_rows_can_be_removed_and_reordered(demo, qtbot):
    table = editor(demo, "clinical.endpoints.schedule")
    before = demo.dossier.get("clinical.endpoints.schedule")
    assert len(before) >= 2
    table.view.setCurrentIndex(table.model.index(1, 0))
    table.move_row(-1)
    assert demo.dossier.get("clinical.endpoints.schedule")[:2] == [before[1], before[0]]
    table.view.setCurrentIndex(table.model.index(0, 0))
    table.remove_row()
    assert demo.dossier.get("clinical.endpoints.schedule") == [before[0]] + before[2:]
    demo.undo()
    demo.undo()
    assert demo.dossier.get("clinical.endpoints.schedule") == before
    assert table.model.value()[0]["visit"] == before[0]["visit"]


def test_a_row_missing_a_required_cell_is_explained_not_saved(demo, qtbot):
    table = editor(demo, "clinical.endpoints.schedule")
    before = demo.dossier.get("clinical.endpoints.schedule")
    table.paste("\tDay 365\tMRI")
    assert "required in every row" in demo.form.errors["clinical.endpoints.schedule"].text()
    assert demo.dossier.get("clinical.endpoints.schedule") == before
    assert table.model.rowCount() == len(before) + 1  # still on screen, to be completed
    table.model.setData(table.model.index(len(before), 0), "Year 1")
    assert demo.dossier.get("clinical.endpoints.schedule")[-1] == {"visit": "Year 1", "timing": "Day 365",
                                                                    "assessments": "MRI"}


def test_history_of_a_field_is_one_click_away(demo, qtbot, dialogs):
    text = editor(demo, "genetic.gene.hgnc_id")
    text.line.setText("HGNC:1")
    text.line.editingFinished.emit()
    button = next(b for b in demo.form.findChildren(QToolButton) if b.accessibleName() == "History of HGNC ID")
    qtbot.mouseClick(button, Qt.LeftButton)
    history = dialogs.ran[-1]
    assert history.windowTitle() == "History of HGNC ID"
    assert history.table.rowCount() == 2
    assert history.table.item(0, 2).text() == "'HGNC:2074' -> 'HGNC:1'"


def test_history_shows_a_table_edit_as_row_changes(demo, qtbot, dialogs):
    path = "clinical.endpoints.schedule"
    rows = demo.dossier.get(path)
    demo.session.edit(path, rows[:-1] + [dict(rows[-1], timing="Day 400")])
    demo.show_history(path)
    change = dialogs.ran[-1].table.item(0, 2).text()
    assert change == f"row {len(rows)} timing: '{rows[-1]['timing']}' -> 'Day 400'"


def test_attaching_by_drop_is_one_undoable_edit(demo, qtbot, tmp_path):
    field = "module1.letters.letters_of_authorization"
    attachment = editor(demo, field)
    before = demo.dossier.get(field) or []
    with qtbot.waitSignal(demo.session.attached, timeout=5000):
        event = drop(attachment, make_pdf(tmp_path / "Extra letter.pdf"))
    assert event.isAccepted()
    assert demo.dossier.get(field) == before + ["extra-letter.pdf"]
    demo.undo()
    assert demo.dossier.get(field) == (before or None) and attachment.current() == before
    demo.redo()
    assert attachment.current() == before + ["extra-letter.pdf"]


def test_a_large_attachment_is_stored_in_the_background(demo, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr("ui.session.LARGE_ATTACHMENT", 0)
    field = "module1.letters.letters_of_authorization"
    attachment = editor(demo, field)
    with qtbot.waitSignal(demo.session.attached, timeout=10000):
        drop(attachment, make_pdf(tmp_path / "big.pdf", pages=50))
        assert demo.busy and not demo.stack.widget(1).isEnabled()  # read-only while it is stored
    assert "big.pdf" in demo.dossier.get(field)
    assert demo.busy is None and demo.stack.widget(1).isEnabled()


def test_a_file_fda_would_refuse_is_explained(demo, qtbot, tmp_path):
    field = "module1.letters.letters_of_authorization"
    attachment = editor(demo, field)
    before = demo.dossier.get(field)
    (tmp_path / "notes.pdf").write_text("not a pdf at all")
    drop(attachment, tmp_path / "notes.pdf")
    assert "notes.pdf" in demo.form.errors[field].text()
    assert demo.dossier.get(field) == before


def test_a_file_dropped_on_a_table_row_goes_in_its_attachment_cell(demo, qtbot, tmp_path):
    field = "nonclinical.pharmacology.studies"
    table = editor(demo, field)
    rows = demo.dossier.get(field)
    with qtbot.waitSignal(demo.session.attached, timeout=5000):
        table.attach_to_row(0, [make_pdf(tmp_path / "New report.pdf")])
    assert demo.dossier.get(field)[0]["report"] == "new-report.pdf"
    assert len(demo.dossier.get(field)) == len(rows)
    demo.undo()
    assert demo.dossier.get(field) == rows


def test_an_editor_without_its_value_methods_is_refused_when_defined():
    from ui.editors.base import FieldEditor

    with pytest.raises(TypeError, match="must define current and _show"):
        type("Incomplete", (FieldEditor,), {})


def test_a_term_waiting_for_the_ontology_is_saved_when_the_dossier_closes(demo, qtbot, monkeypatch):
    from dossier import genetics
    from ui.editors import genetics as hpo_editors

    monkeypatch.setattr(hpo_editors.genetics, "hpo_loaded", lambda: False)  # as if still loading
    path = demo.dossier.path
    hpo = editor(demo, "genetic.patient.phenotype")
    hpo.line.setText("HP:0001250")
    hpo.commit()
    assert hpo.waiting and demo.dossier.get("genetic.patient.phenotype") != [{"id": "HP:0001250", "label": "Seizure"}]
    demo.close_dossier()
    monkeypatch.undo()
    with Dossier.open(path) as d:
        assert d.get("genetic.patient.phenotype") == [genetics.hpo_term("HP:0001250")]


def test_a_weight_based_dose_and_an_onset_in_days(demo, qtbot):
    """The issue's first user: 0.1 mg/kg and "2 days" were refused; typed or picked, both are saved."""
    dose = editor(demo, "clinical.dosing.starting_dose")
    assert [dose.unit.itemText(i) for i in range(dose.unit.count())] == ["mg", "µg", "mg/kg", "µg/kg", "vg", "vg/kg"]
    dose.number.clear()
    type_into(qtbot, dose.number, "0.1 mg/kg")
    assert demo.dossier.get("clinical.dosing.starting_dose") == {"value": 0.1, "unit": "mg/kg"}
    onset = editor(demo, "genetic.patient.onset_age")
    onset.number.setText("2")
    onset.unit.setCurrentText("days")
    onset.unit.activated.emit(onset.unit.currentIndex())
    assert demo.dossier.get("genetic.patient.onset_age") == {"value": 2, "unit": "days"}
    dose.number.setText("5 mL")
    dose.number.editingFinished.emit()
    assert "units that fit: mg, µg (mass); mg/kg, µg/kg (mass per body weight)" in \
        demo.form.errors["clinical.dosing.starting_dose"].text()
    assert demo.dossier.get("clinical.dosing.starting_dose") == {"value": 0.1, "unit": "mg/kg"}


@pytest.mark.parametrize("purge", [True, False])
def test_emptying_a_phi_field_offers_to_purge_its_history(demo, qtbot, dialogs, purge):
    path = "genetic.patient.record_number"
    dialogs.reply = QMessageBox.Yes if purge else QMessageBox.No
    text = editor(demo, path)
    for typed in ("MRN-0042", ""):  # typed, then emptied, as a user would
        text.line.setText(typed)
        text.line.editingFinished.emit()
    kind, _title, message = dialogs.messages[-1]
    assert kind == "question" and "Medical record number" in message and "cannot be undone" in message
    history = demo.session.dossier.history(path)
    held = [e for e in history if "MRN-0042" in (str(e.old), str(e.new))]
    assert demo.session.dossier.get(path) is None
    if purge:
        assert held == [] and not demo.session.undo_stack.canUndo()
        assert b"MRN-0042" not in Path(demo.session.dossier.store.path).read_bytes()
    else:
        assert held and demo.session.undo_stack.canUndo()
