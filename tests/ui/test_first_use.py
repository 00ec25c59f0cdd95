"""What a first-time user saw on screen and should not have: a finding that named its field twice,
a refused variant explained twice, element states cut at the panel's edge, long values shown from
their end, table headers cut on both sides, a padlock drawn as a box, and a save time left over from
the dossier just closed."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from dossier.service import Dossier

from .test_editing import editor


def open_new(window, tmp_path):
    Dossier.create(tmp_path / "new.dossier", "New").close()
    assert window.open_dossier(tmp_path / "new.dossier")


def test_a_finding_names_its_field_once(window, tmp_path):
    open_new(window, tmp_path)
    lines = [window.readiness.findings.item(i).text() for i in range(window.readiness.findings.count())]
    assert "Sponsor is required; fill it in." in lines
    assert not [line for line in lines if line.startswith("Sponsor: Sponsor")]
    assert all(line.count("Rare disease (fewer than 200,000 in the US)") <= 1 for line in lines)


def test_a_refused_variant_is_explained_once(window, tmp_path, qtbot):
    open_new(window, tmp_path)
    hgvs = editor(window, "genetic.variant.hgvs")
    hgvs.line.setText("CLN3:c.1056+34C>A")
    hgvs.check_now()
    hgvs.line.editingFinished.emit()
    shown = [label.text() for label in window.form.findChildren(QLabel)
             if label.isVisibleTo(window.form) and "looks like a gene symbol" in label.text()]
    assert len(shown) == 1 and "✗" in shown[0]
    hgvs.line.setText("NM_001042432.2:c.1056+34C>A")
    hgvs.line.editingFinished.emit()
    hgvs.check_now()
    assert "valid HGVS" in hgvs.status.text() and window.form.errors["genetic.variant.hgvs"].isHidden()


def test_element_states_wrap_in_a_narrow_panel(demo):
    badges = demo.readiness.elements.badges
    assert badges and all(badge.wordWrap() for badge in badges)
    demo.readiness.resize(300, demo.readiness.height())
    label = next(b for b in badges if "supported by nonclinical" in b.text())
    assert label.heightForWidth(250) > label.fontMetrics().height() * 1.5  # two lines, not one cut line


def test_a_long_value_shows_its_beginning(demo):
    line = editor(demo, "nonclinical.pharmacology.te_biomarker").line
    assert len(line.text()) > 60 and line.cursorPosition() == 0


def test_a_narrow_table_column_header_ends_in_an_ellipsis_and_tells_it_all(demo):
    table = editor(demo, "clinical.dosing.escalation")
    header = table.view.horizontalHeader()
    assert header.textElideMode() == Qt.TextElideMode.ElideRight
    dose = next(i for i, c in enumerate(table.field.columns) if c.units)
    tip = table.model.headerData(dose, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Units: " + ", ".join(table.field.columns[dose].units) in tip


def test_protected_health_information_is_marked_in_words(demo):
    form = demo.select_section("genetic.patient")
    texts = [label.text() for label in form.findChildren(QLabel)]
    assert any("(PHI)" in text for text in texts) and not any("🔒" in text for text in texts)


def test_closing_forgets_the_last_save_time(demo, qtbot):
    line = editor(demo, "genetic.gene.symbol").line
    line.setText("CLN3X")
    line.editingFinished.emit()
    assert demo.save_state.text().startswith("Saved")
    demo.close_dossier()
    assert demo.save_state.text() == ""


def test_a_cut_section_title_is_whole_in_its_tooltip(demo):
    item = demo.navigator.items["module1.forms"]
    assert item.toolTip(0).startswith(item.text(0))


def test_tab_goes_from_the_sections_to_the_form_before_the_findings(demo):
    """The findings list was made before any form page, so Tab from the sections skipped the form."""
    def focusable(widget):
        return widget.isVisible() and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus

    demo.select_section("genetic.gene")
    order, widget = [], demo.navigator.nextInFocusChain()
    while widget is not demo.navigator and len(order) < 500:
        if focusable(widget):
            order.append(widget)
        widget = widget.nextInFocusChain()
    in_form = [i for i, w in enumerate(order) if demo.form.isAncestorOf(w)]
    in_panel = [i for i, w in enumerate(order) if demo.readiness.isAncestorOf(w)]
    assert in_form[0] == 0 and in_form == list(range(len(in_form)))  # the form first, all of it
    assert order.index(demo.readiness.findings) in in_panel and min(in_panel) > max(in_form)


def test_a_two_arm_dossier_fits_a_laptop_screen(window, tmp_path, qtbot):
    """On 1280×720 the two-arm case's measures made the readiness panel, and so the window, 925 pixels
    tall: the status bar and the findings were below the screen's edge."""
    from dossier.cases import make_case

    make_case("aso-platform", tmp_path / "platform.dossier")
    assert window.open_dossier(tmp_path / "platform.dossier")
    window.resize(1280, 720)
    window.select_section("clinical.dosing")
    qtbot.waitUntil(lambda: window.readiness.elements.measures[0].isVisibleTo(window), timeout=5000)
    assert window.minimumSizeHint().height() <= 720 and window.height() == 720
    findings = window.readiness.findings
    assert findings.isVisible() and findings.height() >= 100  # the list keeps room of its own


def test_the_start_page_opens_any_built_in_case(window, qtbot):
    """Only the first case (an ASO) opened from the app; the base editor, expanded access and the master
    protocols were on the command line only."""
    from dossier.cases import builtin_cases

    page = window.start_page
    names = [page.case.itemText(i) for i in range(page.case.count())]
    assert names == [case.name for case in builtin_cases()]
    page.case.setCurrentIndex(names.index("base-editor"))
    assert "base editor" in page.case_summary.text().lower()
    with qtbot.waitSignal(window.session.opened, timeout=30000):
        qtbot.mouseClick(page.buttons[2], Qt.MouseButton.LeftButton)
    assert window.dossier.path.name.startswith("base-editor-")
    assert len(window.dossier.instances("substances")) == 3  # editor mRNA, guide RNA, lipid


def test_no_empty_recent_list_on_the_first_start(window):
    page = window.start_page
    page.hide()
    page.show()
    assert page.recent.isVisible() == bool(page.recent.count()) == page.recent_heading.isVisible()


def test_a_new_dossier_on_an_existing_file_is_refused_before_the_title_is_asked(window, tmp_path, monkeypatch,
                                                                                dialogs):
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    existing = tmp_path / "patient-a.dossier"
    Dossier.create(existing, "Patient A").close()
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(existing), "")))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: asked.append(a) or ("T", True)))
    window.start_page.new_dossier()
    assert asked == [] and window.dossier is None
    assert dialogs.messages[-1][0] == "warning" and "already exists. Open it" in dialogs.messages[-1][2]
    with Dossier.open(existing, read_only=True) as d:
        assert d.title == "Patient A"


def test_an_attached_file_can_be_saved_back_out(demo, tmp_path, monkeypatch):
    """A file once attached could not be read back from the app (only `dossier export` gave it out)."""
    from PySide6.QtWidgets import QFileDialog

    attachments = editor(demo, "module1.letters.letters_of_authorization")
    name = attachments.list.item(0).text()
    target = tmp_path / "copy.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    attachments.list.setCurrentRow(0)
    save = next(b for b in attachments.findChildren(QPushButton) if b.text() == "Save a copy…")
    save.click()
    assert target.read_bytes() == b"".join(demo.dossier.read_attachment(name))
    assert target.read_bytes().startswith(b"%PDF") and "Saved a copy" in demo.statusBar().currentMessage()


def test_a_wide_window_shows_every_section_title_whole(window, demo_file, qtbot):
    window.resize(1900, 1000)
    qtbot.waitUntil(lambda: window.width() == 1900, timeout=2000)
    assert window.open_dossier(demo_file)
    nav = window.navigator
    assert nav.columnWidth(0) >= nav.sizeHintForColumn(0)  # no title cut short
    assert window.form_stack.width() >= 600


def test_a_new_dossier_opens_on_what_decides_the_rest(window, tmp_path, demo_file):
    """A new dossier opened on the sponsor's address, while the regulatory path and the drug class decide
    which fields, documents and checks apply; the model's conditions say which field decides the most."""
    from collections import Counter

    open_new(window, tmp_path)
    model = window.dossier.model
    decided = Counter(p for inputs in model.conditions.inputs.values() for p in inputs)
    top = model.fields[decided.most_common(1)[0][0]]
    assert window.form.section.path == top.path.rsplit(".", 1)[0]
    assert window.statusBar().currentMessage().startswith(f"Start with {top.label}: it decides")
    window.close_dossier()
    assert window.open_dossier(demo_file)  # a dossier with values opens where it always did
    assert window.form.section.path == model.areas[0].sections[0].path


def test_the_findings_get_the_room_the_elements_do_not_need(window, tmp_path, qtbot):
    open_new(window, tmp_path)  # five element lines, no measures yet, 89 findings
    panel = window.readiness
    top = panel.elements_area.widget()
    qtbot.waitUntil(lambda: panel.splitter.sizes()[0] == top.heightForWidth(top.width()) + 2, timeout=3000)
    top, bottom = panel.splitter.sizes()
    assert bottom > 2 * top  # the 89 findings get the room
