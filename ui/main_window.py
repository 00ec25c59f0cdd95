"""The main window: the navigator of sections, the generated form of the selected section, the
readiness panel (the five elements on top, findings that jump to their field), every edit saved as
it is made through the undo stack, attachments (large ones stored in the background) and the build
with progress and Cancel."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QApplication, QLabel, QMainWindow, QMessageBox, QProgressBar, QPushButton, QSplitter,
                               QStackedWidget, QWidget)

from dossier.errors import DossierError, FieldError
from dossier.readiness import Finding, Report
from dossier.service import Dossier

from .background import run_in_background
from .build_runner import BuildDialog, BuildResultDialog, BuildRunner
from .editing import SetField
from .editors import FieldEditor
from .form import SectionForm, SectionPage, split_path
from .navigator import Navigator
from .pages import HistoryDialog, StartPage, add_recent
from .readiness_panel import ReadinessPanel

LARGE_ATTACHMENT = 4 * 1024 * 1024  # bytes; larger files are stored in the background


class MainWindow(QMainWindow):
    opened = Signal(str)                 # the path of the dossier now shown
    saved = Signal(str)                  # a field path, after its value was written
    readiness_updated = Signal(object)   # Report
    attached = Signal(str)               # the field or cell a file was attached to
    build_progress = Signal(float, str)
    build_finished = Signal(object)      # BuildResult
    build_failed = Signal(str)

    def __init__(self):
        super().__init__()
        self.dossier: Dossier | None = None
        self.report: Report | None = None
        self.pages: dict[str, SectionPage] = {}
        self.busy: str | None = None     # what runs in the background on the open dossier
        self.undo_stack = QUndoStack(self)
        self.builder = BuildRunner(self)
        self.builder.progress.connect(self._build_progress)
        self.builder.finished.connect(self._build_done)
        self.builder.failed.connect(self._build_failed)
        self.setWindowTitle("Dossier Builder")
        self.stack = QStackedWidget()
        self.start_page = StartPage(self)
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self._dossier_view())
        self.setCentralWidget(self.stack)
        self._status_bar()
        self._menus()
        self.readiness_timer = QTimer(self, singleShot=True, interval=150)
        self.readiness_timer.timeout.connect(self.refresh_readiness)

    # Layout ---------------------------------------------------------------------------------

    def _dossier_view(self) -> QWidget:
        self.navigator = Navigator()
        self.navigator.section_chosen.connect(self.select_section)
        self.form_stack = QStackedWidget()
        self.readiness = ReadinessPanel()
        self.readiness.finding_activated.connect(self.go_to)
        self.readiness.setMinimumWidth(260)
        self.readiness.setMaximumWidth(420)
        self.navigator.setMinimumWidth(220)
        self.form_stack.setMinimumWidth(380)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        for widget, stretch in ((self.navigator, 0), (self.form_stack, 1), (self.readiness, 0)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.indexOf(widget), stretch)
        splitter.setSizes([330, 610, 340])
        return splitter

    def _status_bar(self) -> None:
        self.save_state = QLabel("")
        self.build_bar = QProgressBar()
        self.build_bar.setRange(0, 100)
        self.build_bar.setMaximumWidth(240)
        self.build_bar.setAccessibleName("Build progress")
        self.cancel_button = QPushButton("Cancel build")
        self.cancel_button.clicked.connect(self.cancel_build)
        for widget in (self.build_bar, self.cancel_button):
            widget.hide()
            self.statusBar().addPermanentWidget(widget)
        self.statusBar().addPermanentWidget(self.save_state)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _=False: slot())
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setStatusTip(tip)
        return action

    def _menus(self) -> None:
        page = self.start_page
        self.file_actions = [self._action("&New dossier…", page.new_dossier, QKeySequence.New),
                             self._action("&Open…", page.open_dialog, QKeySequence.Open),
                             self._action("Open the &demo", page.open_demo),
                             self._action("&Close dossier", self.close_dossier, QKeySequence.Close)]
        self.menuBar().addMenu("&File").addActions(self.file_actions)
        self.undo_action = self._action("&Undo", self.undo, QKeySequence.Undo, "Undo the last saved edit")
        self.redo_action = self._action("&Redo", self.redo, QKeySequence.Redo, "Redo the edit just undone")
        self.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda text: self.undo_action.setText(f"&Undo {text}".strip()))
        self.undo_stack.redoTextChanged.connect(lambda text: self.redo_action.setText(f"&Redo {text}".strip()))
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.menuBar().addMenu("&Edit").addActions([self.undo_action, self.redo_action])
        view = self.menuBar().addMenu("&View")
        view.addAction(self._action("&Sections", lambda: self.navigator.setFocus(Qt.ShortcutFocusReason), "Ctrl+1"))
        view.addAction(self._action("&Form", self.focus_form, "Ctrl+2"))
        view.addAction(self._action("F&indings", lambda: self.readiness.findings.setFocus(Qt.ShortcutFocusReason), "Ctrl+3"))
        self.build_actions = [self._action("Build &draft…", lambda: self.build_dialog(True), "Ctrl+B",
                                           "Build a draft sequence for review"),
                              self._action("Build &sequence…", lambda: self.build_dialog(False), "Ctrl+Shift+B",
                                           "Build and validate the next eCTD sequence")]
        self.menuBar().addMenu("&Build").addActions(self.build_actions)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.addActions([self.undo_action, self.redo_action])
        toolbar.addSeparator()
        toolbar.addActions(self.build_actions)
        self._enable_dossier_actions(False)

    def _enable_dossier_actions(self, enabled: bool) -> None:
        for action in self.build_actions + self.file_actions[3:]:
            action.setEnabled(enabled)

    # Opening and closing ----------------------------------------------------------------------

    def open_dossier(self, path: str | Path) -> bool:
        """Open a dossier file; a file that cannot be used gives a dialog that says why."""
        try:
            dossier = Dossier.open(path)
        except (DossierError, OSError) as exc:
            QMessageBox.critical(self, "Cannot open the dossier", str(exc))
            return False
        self.load(dossier)
        add_recent(Path(path))
        return True

    def load(self, dossier: Dossier) -> None:
        self.close_dossier()
        self.dossier = dossier
        self.setWindowTitle(f"{dossier.title} — Dossier Builder")
        self.navigator.load(dossier.model)
        self.readiness.model = dossier.model
        self.stack.setCurrentIndex(1)
        self._enable_dossier_actions(True)
        self.save_state.setText("Every edit is saved as you make it")
        self.refresh_readiness()
        self.select_section(dossier.model.areas[0].sections[0].path)
        self.opened.emit(str(dossier.path))

    def close_dossier(self) -> None:
        if self.dossier is not None:
            self.commit_pending()
            for page in self.pages.values():
                for editor in page.form.editors.values():
                    editor.finish_waiting()
            if self.builder.running or self.busy:
                self.builder.cancel()
                QThreadPool.globalInstance().waitForDone(30000)
                QApplication.processEvents()  # deliver the results before the dossier goes
            self.dossier.close()
        self.dossier = None
        self.report = None
        self.undo_stack.clear()
        for page in self.pages.values():
            self.form_stack.removeWidget(page)
            page.deleteLater()
        self.pages = {}
        self.setWindowTitle("Dossier Builder")
        self.stack.setCurrentIndex(0)
        self._enable_dossier_actions(False)

    def closeEvent(self, event):
        QSettings().setValue("window/geometry", self.saveGeometry())
        self.close_dossier()
        super().closeEvent(event)

    # Sections and fields ----------------------------------------------------------------------

    @property
    def form(self) -> SectionForm | None:
        page = self.form_stack.currentWidget()
        return page.form if page is not None else None

    def select_section(self, section_path: str) -> SectionForm | None:
        if self.dossier is None:
            return None
        page = self.pages.get(section_path)
        if page is None:
            form = SectionForm(self.dossier.model.section(section_path), self.dossier.values())
            form.edit_requested.connect(self.on_edit)
            form.attach_requested.connect(self.attach)
            form.history_requested.connect(self.show_history)
            page = self.pages[section_path] = SectionPage(form)
            self.form_stack.addWidget(page)
        self.form_stack.setCurrentWidget(page)
        self.navigator.select(section_path)
        return page.form

    def focus_form(self) -> None:
        editor = self.form.first_editor() if self.form else None
        if editor is not None:
            editor.focus_part()

    def _editor(self, path: str):
        page = self.pages.get(path.rsplit(".", 1)[0])
        return page.form.editors.get(path) if page else None

    def commit_pending(self) -> None:
        """Save what is being typed in the focused field (before undo, a build, closing)."""
        focused = QApplication.focusWidget()
        while focused is not None and not isinstance(focused, FieldEditor):
            focused = focused.parentWidget()
        if focused is not None and self.dossier is not None:
            focused.commit()

    def on_edit(self, path: str, raw: Any) -> None:
        """Validate what the user entered and save it through the undo stack, or say why not (the
        user's text stays in the field to be corrected)."""
        editor = self._editor(path)
        if self.dossier is None or editor is None or self.busy:
            return
        page = self.pages[path.rsplit(".", 1)[0]]
        try:
            value = self.dossier.validate(path, raw)
        except FieldError as exc:
            page.form.show_error(path, exc.problem if exc.field.startswith(path) else str(exc))
            return
        page.form.show_error(path, "")
        old = self.dossier.get(path)
        if old != value:
            self.undo_stack.push(SetField(self, path, old, value, self.dossier.field(path).label))

    def write_value(self, path: str, value: Any, shown: bool) -> None:
        """Store a value (the undo commands call this); `shown` redraws its editor and brings it into view."""
        if value is None:
            self.dossier.clear(path)
        else:
            self.dossier.set(path, value)
        if shown:
            self.select_section(path.rsplit(".", 1)[0])
            self.form.set_value(path, value)
        label = self.dossier.field(path).label
        self.save_state.setText(f"Saved {label} at {time.strftime('%H:%M:%S')}")
        self.saved.emit(path)
        self.readiness_timer.start()

    def undo(self) -> None:
        self.commit_pending()  # what was just typed is the last edit, so Undo takes it back first
        self.undo_stack.undo()

    def redo(self) -> None:
        self.undo_stack.redo()

    def show_history(self, path: str) -> None:
        HistoryDialog(self.dossier.field(path).label, self.dossier.history(path), self).exec()

    # Attachments ------------------------------------------------------------------------------

    def attach(self, target: str, files: list[Path]) -> None:
        """Store files in the dossier and refer to them from a field or a table cell, as one undoable
        edit; files over LARGE_ATTACHMENT bytes are stored in the background."""
        if self.dossier is None or self.busy or not files:
            return
        path = split_path(target)[0]
        dossier, old = self.dossier, self.dossier.get(path)

        def store(report=None, cancel=None):
            for file in files:
                dossier.attach(target, file)
            return dossier.get(path)

        def done(new):
            self._set_busy(None)
            if new != old:
                self.undo_stack.push(SetField(self, path, old, new, dossier.field(path).label, stored=True))
            self.attached.emit(target)

        def failed(error, details):
            self._set_busy(None)
            if not isinstance(error, DossierError):
                raise error
            problem = error.problem if isinstance(error, FieldError) else str(error)
            self.select_section(path.rsplit(".", 1)[0])
            self.form.show_error(path, f"{Path(files[0]).name}: {problem}")
            if dossier.get(path) != old:  # some files of several went in before the failure
                done(dossier.get(path))

        if sum(Path(f).stat().st_size for f in files if Path(f).is_file()) < LARGE_ATTACHMENT:
            try:
                done(store())
            except Exception as exc:  # noqa: BLE001 - the same handling as in the background
                failed(exc, "")
            return
        self._set_busy(f"Storing {Path(files[0]).name}…")
        run_in_background(store, on_done=done, on_error=failed)

    def _set_busy(self, message: str | None) -> None:
        """While background work writes to the dossier, the dossier view waits (read-only)."""
        if message:
            self.commit_pending()
        self.busy = message
        self.stack.widget(1).setEnabled(message is None)
        self._enable_dossier_actions(message is None and self.dossier is not None)
        self.undo_action.setEnabled(message is None and self.undo_stack.canUndo())
        self.redo_action.setEnabled(message is None and self.undo_stack.canRedo())
        if message:
            self.statusBar().showMessage(message)
        else:
            self.statusBar().clearMessage()
            self.readiness_timer.start()

    # Readiness --------------------------------------------------------------------------------

    def refresh_readiness(self) -> None:
        """Run the readiness checks (well under a millisecond on the demo) and update only what changed."""
        if self.dossier is None or self.busy:
            return
        values = self.dossier.values()
        self.report = report = self.dossier.check()
        self.navigator.update_from(report, values)
        self.readiness.update_from(report)
        self.readiness_updated.emit(report)

    def go_to(self, finding: Finding | str) -> None:
        """Select the finding's section and put the cursor in its field (or table cell)."""
        path = finding.field if isinstance(finding, Finding) else finding
        field = split_path(path)[0]
        if self.dossier is None or field not in self.dossier.model.fields:
            return
        self.select_section(field.rsplit(".", 1)[0])
        self.pages[field.rsplit(".", 1)[0]].show_field(field)
        self.form.focus_field(path)

    # Build ------------------------------------------------------------------------------------

    def build_dialog(self, draft: bool) -> None:
        dialog = BuildDialog(draft, self)
        if dialog.exec() == BuildDialog.Accepted:
            self.start_build(Path(dialog.folder.text().strip()), draft, dialog.record.isChecked() and not draft)

    def start_build(self, app_dir: Path, draft: bool, mark_submitted: bool = False) -> None:
        """Build the next sequence off the GUI thread; the dossier is read-only until it ends."""
        if self.dossier is None or self.builder.running or self.busy:
            return
        self._set_busy("Building the draft…" if draft else "Building the sequence…")
        self.build_bar.setValue(0)
        self.build_bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.builder.start(self.dossier, app_dir, draft, mark_submitted)

    def cancel_build(self) -> None:
        if self.builder.running:
            self.cancel_button.setEnabled(False)
            self.statusBar().showMessage("Cancelling the build…")
            self.builder.cancel()

    def _build_progress(self, fraction: float, message: str) -> None:
        self.build_bar.setValue(int(fraction * 100))
        self.build_bar.setFormat(f"%p% {message}")
        self.build_progress.emit(fraction, message)

    def _build_ended(self) -> None:
        self.build_bar.hide()
        self.cancel_button.hide()
        self._set_busy(None)

    def _build_done(self, result) -> None:
        self._build_ended()
        self.statusBar().showMessage(f"Sequence {result.number} built in {result.path}", 10000)
        self.build_result = BuildResultDialog(result, self)
        self.build_finished.emit(result)
        self.build_result.open()

    def _build_failed(self, message: str) -> None:
        self._build_ended()
        self.build_failed.emit(message)
        if "cancelled" in message:
            self.statusBar().showMessage("Build cancelled; nothing was written.", 10000)
        else:
            QMessageBox.warning(self, "Build stopped", message)
