"""Repeated sections in the desktop app: a tab per instance, named by its name field, with the instance's
own form; adding, renaming, moving and removing instances are undoable steps (removal asks first); an
edit goes to its own instance, conditions read their own instance, and a finding jumps to its instance."""

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from dossier.errors import DossierError
from dossier.service import Dossier
from tests.ui.test_conditions import pick, shown
from ui.form import SectionForm
from ui.instances import RepeatPage

SUBSTANCE = "cmc.substance"


@pytest.fixture
def app(window, repeats_model, tmp_path):
    """The window with a dossier of the repeats test model: one product, one drug substance."""
    path = tmp_path / "repeats.dossier"
    with Dossier.create(path, "Editor case", model=repeats_model) as dossier:
        dossier.set("product.overview.product_name", "Editor 1")
        dossier.add_instance("substances", "Editor mRNA")
        dossier.set("cmc.substance[0].kind", "mRNA")
        dossier.set("cmc.substance[0].sequence", "AUGGCC")
        dossier.set("nonclinical.potency[0].summary", "Edits 80% of alleles in patient cells")
    window.session.open(path, model=repeats_model)
    return window


def tabs(page: RepeatPage) -> list[str]:
    return [page.tabs.tabText(i) for i in range(page.tabs.count())]


def answer(monkeypatch, text):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (text, True))


def test_a_repeated_section_shows_its_instances_as_tabs_with_their_own_values(app):
    app.select_section(SUBSTANCE)
    page = app.pages[SUBSTANCE]
    assert isinstance(page, RepeatPage) and tabs(page) == ["Editor mRNA"]
    assert page.form.editors["cmc.substance.sequence"].current() == "AUGGCC"
    app.select_section("nonclinical.potency")  # a section sharing the repeat shows the same instances
    assert tabs(app.pages["nonclinical.potency"]) == ["Editor mRNA"]
    assert app.form.editors["nonclinical.potency.summary"].current().startswith("Edits 80%")


def test_add_edit_and_undo_an_instance(app, monkeypatch):
    app.select_section(SUBSTANCE)
    page = app.pages[SUBSTANCE]
    answer(monkeypatch, "Guide RNA")
    page.buttons["add"].click()
    assert app.dossier.instances("substances") == ["Editor mRNA", "Guide RNA"]
    assert tabs(page) == ["Editor mRNA", "Guide RNA"] and page.tabs.currentIndex() == 1
    page.form.editors["cmc.substance.sequence"].set_value("GUCA")
    page.form.edit_requested.emit("cmc.substance[1].sequence", "GUCA")  # what the editor sends on commit
    assert app.dossier.get("cmc.substance[1].sequence") == "GUCA"
    assert app.dossier.get("cmc.substance[0].sequence") == "AUGGCC"
    app.undo()  # the edit
    assert app.dossier.get("cmc.substance[1].sequence") is None
    app.undo()  # the adding
    assert app.dossier.instances("substances") == ["Editor mRNA"] and tabs(page) == ["Editor mRNA"]
    app.redo()
    assert tabs(page) == ["Editor mRNA", "Guide RNA"] and page.tabs.currentIndex() == 1
    app.select_section("nonclinical.potency")  # the other section of the repeat has the new instance too
    assert tabs(app.pages["nonclinical.potency"]) == ["Editor mRNA", "Guide RNA"]


def test_a_refused_name_is_told_and_changes_nothing(app, monkeypatch, dialogs):
    app.select_section(SUBSTANCE)
    page = app.pages[SUBSTANCE]
    answer(monkeypatch, "editor mrna")  # names are unique, whatever their case
    page.buttons["add"].click()
    assert dialogs.messages and dialogs.messages[-1][0] == "warning"
    assert "already names drug substance [0]" in dialogs.messages[-1][2]
    assert app.dossier.instances("substances") == ["Editor mRNA"] and not app.undo_stack.canUndo()


def test_rename_move_and_remove_with_undo(app, monkeypatch, dialogs):
    app.select_section("nonclinical.potency")  # a page of the repeat already made, redrawn by what follows
    app.select_section(SUBSTANCE)
    page = app.pages[SUBSTANCE]
    answer(monkeypatch, "Guide RNA")
    page.buttons["add"].click()
    app.session.edit("cmc.substance[1].kind", "Guide RNA")
    answer(monkeypatch, "sgRNA-7")
    page.buttons["rename"].click()
    assert tabs(page) == ["Editor mRNA", "sgRNA-7"]
    assert page.form.editors["cmc.substance.name"].current() == "sgRNA-7"
    page.buttons["left"].click()
    assert app.dossier.instances("substances") == ["sgRNA-7", "Editor mRNA"]
    assert tabs(page) == ["sgRNA-7", "Editor mRNA"] and page.tabs.currentIndex() == 0
    assert app.dossier.get("cmc.substance[0].kind") == "Guide RNA"  # the values moved with their instance
    assert app.dossier.get("nonclinical.potency[1].summary").startswith("Edits 80%")
    potency = app.pages["nonclinical.potency"]
    assert tabs(potency) == ["sgRNA-7", "Editor mRNA"]
    assert potency.forms[1].editors["nonclinical.potency.summary"].current().startswith("Edits 80%")
    before = app.dossier.values()
    dialogs.reply = QMessageBox.StandardButton.No
    page.buttons["remove"].click()  # asks first; No keeps it
    assert "Remove the drug substance “sgRNA-7”" in dialogs.messages[-1][2]
    assert app.dossier.values() == before
    dialogs.reply = QMessageBox.StandardButton.Yes
    page.buttons["remove"].click()
    assert app.dossier.instances("substances") == ["Editor mRNA"] and tabs(page) == ["Editor mRNA"]
    assert app.dossier.get("nonclinical.potency[0].summary").startswith("Edits 80%")
    app.undo()  # the removal: every value back where it was
    assert app.dossier.values() == before and tabs(page) == ["sgRNA-7", "Editor mRNA"]
    app.undo()  # the move
    assert app.dossier.instances("substances") == ["Editor mRNA", "sgRNA-7"]
    app.undo()  # the rename
    assert tabs(page) == ["Editor mRNA", "Guide RNA"]


def test_a_condition_reads_its_own_instance_live(app, qtbot, monkeypatch):
    app.select_section(SUBSTANCE)
    page = app.pages[SUBSTANCE]
    answer(monkeypatch, "Lipid blend")
    page.buttons["add"].click()
    lipid = page.form
    assert not shown(lipid, "cmc.substance.sequence")  # no kind yet: a sequence applies to mRNA and guides
    with qtbot.waitSignal(app.session.changed, timeout=2000):
        pick(qtbot, lipid.editors["cmc.substance.kind"].combo, "G")
    assert shown(lipid, "cmc.substance.sequence")
    with qtbot.waitSignal(app.session.changed, timeout=2000):
        pick(qtbot, lipid.editors["cmc.substance.kind"].combo, "L")
    assert app.dossier.get("cmc.substance[1].kind") == "Lipid"
    assert not shown(lipid, "cmc.substance.sequence")  # a lipid has no sequence
    page.tabs.setCurrentIndex(0)
    assert shown(page.form, "cmc.substance.sequence")  # the mRNA still has one


def test_a_finding_jumps_to_its_instance(app, monkeypatch):
    app.select_section(SUBSTANCE)
    answer(monkeypatch, "Guide RNA")
    app.pages[SUBSTANCE].buttons["add"].click()
    app.session.edit("cmc.substance[1].kind", "Guide RNA")
    app.refresh_readiness()
    missing = [f for f in app.session.report.findings if f.field == "cmc.substance[1].sequence"]
    assert missing, [f.field for f in app.session.report.findings]
    app.select_section("product.overview")
    app.go_to(missing[0])
    page = app.pages[SUBSTANCE]
    assert app.form_stack.currentWidget() is page and page.tabs.currentIndex() == 1
    app.pages[SUBSTANCE].tabs.setCurrentIndex(0)
    app.go_to("cmc.substance[1].sequence")
    assert page.tabs.currentIndex() == 1


def test_the_navigator_counts_every_instance(app, monkeypatch):
    app.select_section(SUBSTANCE)
    answer(monkeypatch, "Guide RNA")
    app.pages[SUBSTANCE].buttons["add"].click()
    app.refresh_readiness()
    item = app.navigator.items[SUBSTANCE]
    # name required in both, sequence required in the mRNA (kind mRNA) and filled; the guide has no kind yet
    assert item.text(app.navigator.DONE) == "3/3"


def test_a_form_names_its_instance_or_is_refused(qtbot, repeats_model):
    with pytest.raises(DossierError, match="say which"):
        SectionForm(repeats_model.section(SUBSTANCE), {}, model=repeats_model)
    with pytest.raises(DossierError, match="is not repeated"):
        SectionForm(repeats_model.section("product.overview"), {}, model=repeats_model, instance=0)
    form = SectionForm(repeats_model.section(SUBSTANCE), {"cmc.substance[2].name": "C"}, model=repeats_model,
                       instance=2)
    qtbot.addWidget(form)
    assert form.editors["cmc.substance.name"].current() == "C"


def test_emptying_an_instance_name_is_refused_in_the_form(app, dialogs):
    app.select_section(SUBSTANCE)
    app.session.edit("cmc.substance[0].name", "")
    assert app.dossier.instances("substances") == ["Editor mRNA"] and not app.undo_stack.canUndo()
    error = app.pages[SUBSTANCE].form.errors["cmc.substance.name"]
    assert "remove the instance" in error.text()
    app.dossier.add_instance("substances", "Guide RNA")
    app.session.edit("cmc.substance[1].name", "EDITOR mRNA")  # typed over a name: still unique
    assert app.dossier.instances("substances") == ["Editor mRNA", "Guide RNA"] and not app.undo_stack.canUndo()
