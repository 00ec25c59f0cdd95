"""Starting the app: the start page, opening files (good, bad, recent, the demo), unexpected errors,
keyboard access, and a screenshot of the main window on the demo."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from dossier.service import Dossier

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_open_main_window_on_a_file_without_an_event_loop(qtbot, demo_file):
    from ui.app import open_main_window

    window = open_main_window(demo_file)
    qtbot.addWidget(window)
    assert window.isVisible() and window.dossier is not None
    assert window.windowTitle().startswith(window.dossier.title)
    assert window.width() <= 1280 and window.height() <= 800
    window.close_dossier()


def test_main_prints_help():
    from ui.app import main

    assert main(["--help"]) == 0


def test_start_page_offers_new_open_demo_and_recent(window, qtbot, demo_file):
    assert window.stack.currentWidget() is window.start_page
    assert [b.text() for b in window.start_page.buttons] == ["&New dossier…", "&Open…", "Open the &demo"]
    window.open_dossier(demo_file)
    window.close_dossier()
    window.start_page.hide()
    window.start_page.show()
    assert window.start_page.recent.item(0).text() == str(demo_file.resolve())
    window.start_page.recent.itemActivated.emit(window.start_page.recent.item(0))
    assert window.dossier is not None and window.dossier.path == demo_file


def test_open_the_demo_imports_it_in_the_background(window, qtbot):
    with qtbot.waitSignal(window.session.opened, timeout=20000):
        qtbot.mouseClick(window.start_page.buttons[2], Qt.LeftButton)
        assert not window.start_page.buttons[0].isEnabled()  # the window stays live meanwhile
    assert window.dossier.get("genetic.gene.symbol") == "CLN3"
    assert window.readiness.summary.text().startswith("Nothing missing")


def test_bad_files_give_a_dialog_that_says_so(window, tmp_path, demo_file, dialogs):
    junk = tmp_path / "junk.dossier"
    junk.write_bytes(os.urandom(4096))
    assert window.open_dossier(junk) is False
    newer = tmp_path / "newer.dossier"
    Dossier.create(newer, "x").close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert window.open_dossier(newer) is False
    with Dossier.open(demo_file):
        assert window.open_dossier(demo_file) is False
    assert window.open_dossier(tmp_path / "missing.dossier") is False
    kinds = [kind for kind, _, _ in dialogs.messages]
    texts = dialogs.texts()
    assert kinds == ["critical"] * 4
    assert "not a Dossier Builder file" in texts[0]
    assert "newer" in texts[1]
    assert "open in another" in texts[2]
    assert "does not exist" in texts[3]
    assert window.dossier is None and window.stack.currentWidget() is window.start_page


def test_an_unexpected_error_is_logged_and_shown_and_the_app_keeps_running(demo, qtbot, dialogs):
    from ui import crash

    def broken():
        raise RuntimeError("boom in a slot")

    demo.undo_stack.indexChanged.connect(broken)
    editor = demo.select_section("genetic.gene").editors["genetic.gene.hgnc_id"]
    editor.line.setText("HGNC:1")
    editor.line.editingFinished.emit()  # the save happens; a slot after it fails
    assert "boom in a slot" in dialogs.messages[-1][2] and "Traceback" in dialogs.messages[-1][2]
    assert "boom in a slot" in crash.log_file().read_text()
    assert demo.dossier.get("genetic.gene.hgnc_id") == "HGNC:1"
    demo.undo_stack.indexChanged.disconnect(broken)
    demo.undo()
    assert demo.dossier.get("genetic.gene.hgnc_id") == "HGNC:2074"
    assert sys.excepthook.__class__.__name__ == "CrashHandler"


def test_every_form_is_keyboard_reachable_and_named(demo, qtbot):
    demo.activateWindow()
    qtbot.waitUntil(demo.isActiveWindow, timeout=2000)
    for section in demo.dossier.model.sections():
        form = demo.select_section(section.path)
        for path, editor in form.editors.items():
            widget = editor.focus_widget()
            label = demo.dossier.field(path).label  # a composite editor names its part: "Sponsor: name"
            assert widget.accessibleName() in (label, f"{label}: name"), path
            assert widget.focusPolicy() & Qt.TabFocus, path
    form = demo.select_section("genetic.gene")
    first, second = list(form.editors.values())[:2]
    first.focus_widget().setFocus()
    qtbot.waitUntil(first.focus_widget().hasFocus, timeout=2000)
    qtbot.keyClick(first.focus_widget(), Qt.Key_Tab)  # to the field's History button
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
    assert QApplication.focusWidget() is second.focus_widget()


def test_shortcuts_reach_the_navigator_the_form_and_the_findings(demo, qtbot):
    demo.activateWindow()
    qtbot.waitUntil(demo.isActiveWindow, timeout=2000)
    for keys, expected in (("Ctrl+1", demo.navigator), ("Ctrl+3", demo.readiness.findings)):
        action = next(a for a in demo.findChildren(type(demo.undo_action)) if a.shortcut().toString() == keys)
        action.trigger()
        assert QApplication.focusWidget() is expected
    next(a for a in demo.findChildren(type(demo.undo_action)) if a.shortcut().toString() == "Ctrl+2").trigger()
    assert isinstance(QApplication.focusWidget(), QWidget) and demo.form.isAncestorOf(QApplication.focusWidget())


def test_main_window_screenshot(demo, qtbot):
    demo.resize(1280, 800)
    form = demo.select_section("genetic.variant")
    hgvs = form.editors["genetic.variant.hgvs"]
    hgvs.check_now()
    qtbot.waitExposed(demo)
    qtbot.wait(200)  # widgets added to a visible layout are shown by a queued event
    ARTIFACTS.mkdir(exist_ok=True)
    assert demo.grab().save(str(ARTIFACTS / "main-window.png"))
    assert (ARTIFACTS / "main-window.png").stat().st_size > 10000


def test_the_command_line_reads_a_dossier_the_app_has_open_but_cannot_write_it(demo, qtbot, tmp_path):
    path = demo.dossier.path
    editor = demo.select_section("genetic.gene").editors["genetic.gene.hgnc_id"]
    editor.line.setText("HGNC:1")
    editor.line.editingFinished.emit()  # saved by the app, which keeps the file open

    def dossier(*args):
        return subprocess.run([sys.executable, "-m", "dossier", *map(str, args)], capture_output=True, text=True,
                              timeout=120, env={**os.environ, "DOSSIER_USER": "cli"})

    got = dossier("get", path, "genetic.gene.hgnc_id")
    assert (got.returncode, got.stdout.strip()) == (0, "HGNC:1"), got.stderr
    check = dossier("check", path, "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["summary"]["error"] == 0, check.stderr
    exported = dossier("export", path, tmp_path / "out")
    assert exported.returncode == 0 and (tmp_path / "out").is_dir(), exported.stderr
    refused = dossier("set", path, "genetic.gene.hgnc_id", "HGNC:3")
    assert refused.returncode == 2 and "open in another Dossier Builder window or program" in refused.stderr
    editor.line.setText("HGNC:4")
    editor.line.editingFinished.emit()  # the app still writes after all that
    assert demo.dossier.get("genetic.gene.hgnc_id") == "HGNC:4"
    assert dossier("get", path, "genetic.gene.hgnc_id").stdout.strip() == "HGNC:4"


def test_file_quit_closes_the_dossier_and_the_window(demo, qtbot):
    path = demo.dossier.path
    quit_action = next(a for a in demo.menuBar().actions()[0].menu().actions() if a.text() == "&Quit")
    assert quit_action.shortcut().toString() == "Ctrl+Q"
    quit_action.trigger()
    assert not demo.isVisible() and demo.dossier is None
    with Dossier.open(path) as again:  # the file was let go
        assert again.get("genetic.gene.symbol") == "CLN3"


def test_every_form_fits_its_pane_at_the_default_size_with_its_history_buttons_in_view(demo, qtbot):
    from PySide6.QtWidgets import QToolButton

    from ui.app import DEFAULT_SIZE
    from ui.instances import RepeatPage

    demo.resize(*DEFAULT_SIZE)
    qtbot.waitExposed(demo)
    for section in demo.dossier.model.sections():
        demo.select_section(section.path)
        page = demo.form_stack.currentWidget()
        if isinstance(page, RepeatPage):  # a repeated section (the drug substance): its instance's form
            page = page.stack.currentWidget()
        qtbot.waitUntil(lambda page=page: page.widget().width() <= page.viewport().width(), timeout=2000)
        assert not page.horizontalScrollBar().isVisible(), section.path
        # a field whose condition is false is hidden with its button (the Form 3926 summary in the demo)
        buttons = page.widget().findChildren(QToolButton)
        for button in (b for b in buttons if b.text() == "History" and not b.isHidden()):
            right = button.mapTo(page.viewport(), button.rect().topRight()).x()
            assert 0 < right <= page.viewport().width(), (section.path, button.accessibleName())


def test_the_window_opens_a_dossier_without_loading_what_only_builds_render_or_attach_need(demo_file):
    # The start-time target (bench/bench_ui.py) depends on it: each of these costs tens of milliseconds.
    heavy = {"reportlab", "docx", "lxml", "pikepdf", "jinja2", "sqlite_utils", "mutalyzer_hgvs_parser", "pronto"}
    child = subprocess.run([sys.executable, "-c", f"""
import sys
from ui.app import open_main_window
window = open_main_window({str(demo_file)!r})
assert window.form is not None
print(" ".join(sorted({{name.split(".")[0] for name in sys.modules}})))
window.close_dossier()
"""], capture_output=True, text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert child.returncode == 0, child.stderr
    loaded = set(child.stdout.split())
    assert "PySide6" in loaded and not loaded & heavy, loaded & heavy


def test_opening_a_file_of_an_earlier_release_says_it_was_upgraded_and_where_the_backup_is(window, tmp_path,
                                                                                        monkeypatch):
    import dossier.service
    from tests.helpers.release1 import copy_of_release1
    from tests.test_upgrade import upgrading_model

    model = upgrading_model()
    monkeypatch.setattr(dossier.service, "default_model", lambda: model)
    path = copy_of_release1(tmp_path)
    assert window.open_dossier(path)
    assert "demo.before-upgrade-2.dossier" in window.statusBar().currentMessage()
    assert window.dossier.instances("alleles") == ["Allele 1", "Allele 2"]
    assert (tmp_path / "demo.before-upgrade-2.dossier").exists()
