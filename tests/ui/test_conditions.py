"""Conditions in the form: a field or column whose `when:` turns false is hidden as soon as the
deciding value is changed by the user, its value kept, and shown again when the condition holds."""

from pathlib import Path

import yaml
from PySide6.QtWidgets import QApplication

from dossier.model_reader import parse_model
from tests.helpers.models import CONDITIONS_MODEL as MODEL
from ui.form import SectionForm


def pick(qtbot, combo, letter):
    """Choose an entry of a drop-down by typing its first letter, as a user would. The combo box
    searches what was typed within the keyboard interval ("N" then "Y" would be "NY"), so the
    interval passes first."""
    combo.window().activateWindow()
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=2000)
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    qtbot.keyClick(combo, letter)
    qtbot.waitUntil(lambda: combo.currentText().startswith(letter), timeout=2000)


def shown(form, path):
    return all(not w.isHidden() for w in form.rows[path])


def test_a_condition_flips_live_in_the_demo_and_the_value_stays(demo, qtbot):
    sterility = "cmc.product.sterility"
    kept = demo.dossier.get(sterility)
    demo.select_section("cmc.product")
    form = demo.form
    assert shown(form, sterility) and shown(form, "cmc.product.endotoxin")
    with qtbot.waitSignal(demo.session.changed, timeout=2000):
        pick(qtbot, form.editors["cmc.product.parenteral"].combo, "N")
    assert demo.dossier.get("cmc.product.parenteral") is False
    assert not shown(form, sterility) and not shown(form, "cmc.product.endotoxin")
    assert form.editors[sterility].isHidden() and demo.dossier.get(sterility) == kept
    assert shown(form, "cmc.product.process")  # what has no condition stays
    demo.refresh_readiness()
    assert "sterility" not in [f.check for f in demo.session.report.findings]
    with qtbot.waitSignal(demo.session.changed, timeout=2000):
        pick(qtbot, form.editors["cmc.product.parenteral"].combo, "Y")
    assert shown(form, sterility) and form.editors[sterility].current() == kept
    demo.undo()  # undo of the flip hides it again
    assert not shown(form, sterility)


def test_a_form_opened_while_a_condition_is_false_starts_hidden(demo, qtbot):
    demo.session.edit("genetic.classification[0].acmg_class", "Variant of uncertain significance")
    demo.select_section("genetic.classification")
    assert shown(demo.form, "genetic.classification.vus_justification")  # the arm's form, by model paths
    pick(qtbot, demo.form.editors["genetic.classification.acmg_class"].combo, "P")
    assert demo.dossier.get("genetic.classification[0].acmg_class") == "Pathogenic"
    assert not shown(demo.form, "genetic.classification.vus_justification")
    path = demo.dossier.path
    demo.close_dossier()
    assert demo.open_dossier(path)
    demo.select_section("genetic.classification")
    assert not shown(demo.form, "genetic.classification.vus_justification")
    assert "genetic.classification.vus_justification" in demo.form.hidden


def test_a_table_column_follows_its_condition(qtbot):
    model = parse_model(yaml.safe_load(MODEL), Path("conditions.yaml"))
    values = {"product.design.parenteral": True,
              "product.design.batches": [{"lot": "L1", "endotoxin": "< 0.2 EU/kg"}]}
    form = SectionForm(model.section("product.design"), values, model=model)
    qtbot.addWidget(form)
    form.show()

    def save(path, raw):  # what the session does: store the value, then tell the form
        values[path] = {"Yes": True, "No": False}.get(raw, raw)
        form.refresh_conditions(path, values.get)

    form.edit_requested.connect(save)
    table = form.editors["product.design.batches"]
    assert not table.view.isColumnHidden(1) and shown(form, "product.design.sterility")
    assert not shown(form, "product.design.oral_note")
    pick(qtbot, form.editors["product.design.parenteral"].combo, "N")
    assert table.view.isColumnHidden(1) and not shown(form, "product.design.sterility")
    assert shown(form, "product.design.oral_note")
    assert table.current() == [{"lot": "L1", "endotoxin": "< 0.2 EU/kg"}]  # the hidden cells are kept
    pick(qtbot, form.editors["product.design.parenteral"].combo, "Y")
    assert not table.view.isColumnHidden(1) and shown(form, "product.design.sterility")


def test_help_follows_the_kind_of_drug_substance_live(demo, qtbot):
    """Help written for the modality (help_for) changes as soon as the deciding value does."""
    demo.select_section("cmc.substance")
    form = demo.form
    help_label = form.help_labels["cmc.substance.synthesis"]
    assert "Solid-phase" in help_label.text()
    with qtbot.waitSignal(demo.session.changed, timeout=2000):
        pick(qtbot, form.editors["cmc.substance.kind"].combo, "E")
    assert demo.dossier.get("cmc.substance[0].kind") == "Editor mRNA"
    assert "transcription" in help_label.text() and "gene therapy" in help_label.text()
    assert not shown(form, "cmc.substance.molecular_formula") and shown(form, "cmc.substance.mrna_features")
    demo.undo()
    assert "Solid-phase" in help_label.text()
