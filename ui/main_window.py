"""The main window: navigator of sections, the generated form, the readiness panel with the five
plausible-mechanism elements, undo/redo of every edit, and the build with progress and cancel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (QApplication, QFileDialog, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QMessageBox, QProgressDialog, QScrollArea, QSplitter, QStackedWidget, QStyle,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from dossier.errors import DossierError, FieldError
from dossier.readiness import Finding, Report
from dossier.service import Dossier

from .background import run_in_background
from .form import SectionForm
from .pages import HistoryDialog, StartPage, add_recent

STATE_COLOURS = {"missing": "#f4c7c3", "partial": "#fde6a8", "supported": "#c8e6c9"}
ICONS = {"error": QStyle.SP_MessageBoxCritical, "warning": QStyle.SP_MessageBoxWarning,
         "info": QStyle.SP_MessageBoxInformation, None: QStyle.SP_DialogApplyButton}


class SetField(QUndoCommand):
    """One saved edit; undo writes the old value back (itself a saved, audited edit)."""

    def __init__(self, window: "MainWindow", path: str, old: Any, new: Any, label: str):
        super().__init__(f"Edit {label}")
        self.window, self.path, self.old, self.new = window, path, old, new

    def redo(self):
        self.window.apply_value(self.path, self.new)

    def undo(self):
        self.window.apply_value(self.path, self.old)


class MainWindow(QMainWindow):
    saved = Signal(str)
    readiness_updated = Signal(object)
    build_progress = Signal(float, str)
    build_finished = Signal(object)
    build_failed = Signal(str)

    def __init__(self):
        super().__init__()
        self.dossier: Dossier | None = None
        self.form: SectionForm | None = None
        self.report: Report | None = None
        self.build_task = None
        self.interactive = True  # False: report results by signals only (tests, tools)
        self.undo_stack = QUndoStack(self)
        self.setWindowTitle("Dossier Builder")
        self.stack = QStackedWidget()
        self.start_page = StartPage(self)
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self._dossier_view())
        self.setCentralWidget(self.stack)
        self._menus()
        self.readiness_timer = QTimer(self, singleShot=True, interval=150)
        self.readiness_timer.timeout.connect(self.refresh_readiness)

    # Layout ---------------------------------------------------------------------------------

    def _dossier_view(self) -> QWidget:
        self.navigator = QTreeWidget()
        self.navigator.setHeaderHidden(True)
        self.navigator.setAccessibleName("Sections")
        self.navigator.currentItemChanged.connect(lambda item, _: item and item.data(0, Qt.UserRole)
                                                  and self.select_section(item.data(0, Qt.UserRole)))
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.elements = QWidget()
        QVBoxLayout(self.elements).setContentsMargins(0, 0, 0, 0)
        self.findings = QListWidget()
        self.findings.setAccessibleName("Readiness findings")
        self.findings.setWordWrap(True)
        self.findings.itemActivated.connect(self._finding_clicked)
        self.findings.itemClicked.connect(self._finding_clicked)
        right = QWidget()
        right.setMinimumWidth(260)
        right.setMaximumWidth(380)
        column = QVBoxLayout(right)
        column.addWidget(QLabel("<b>Plausible mechanism</b>"))
        column.addWidget(self.elements)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        column.addWidget(self.summary)
        column.addWidget(self.findings, 1)
        splitter = QSplitter()
        for widget, stretch in ((self.navigator, 0), (self.scroll, 1), (right, 0)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.indexOf(widget), stretch)
        self.navigator.setMinimumWidth(200)
        splitter.setSizes([260, 660, 340])
        return splitter

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        for text, shortcut, slot in (("&New dossier…", QKeySequence.New, self.start_page.new_dossier),
                                     ("&Open…", QKeySequence.Open, self.start_page.open_dialog),
                                     ("Open the &demo", None, self.start_page.open_demo),
                                     ("&Close", QKeySequence.Close, self.close_dossier)):
            action = file_menu.addAction(text, slot)
            if shortcut:
                action.setShortcut(shortcut)
        edit = self.menuBar().addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.Redo)
        edit.addActions([undo, redo])
        view = self.menuBar().addMenu("&View")
        for text, key, target in (("Sections", "Ctrl+1", lambda: self.navigator),
                                  ("Form", "Ctrl+2", lambda: self.scroll),
                                  ("Findings", "Ctrl+3", lambda: self.findings)):
            view.addAction(text, lambda t=target: t().setFocus(Qt.ShortcutFocusReason)).setShortcut(key)
        build = self.menuBar().addMenu("&Build")
        self.build_actions = [build.addAction("Build &draft…", lambda: self._build_dialog(True)),
                              build.addAction("Build &sequence…", lambda: self._build_dialog(False))]
        for action in self.build_actions:
            action.setEnabled(False)

    # Opening --------------------------------------------------------------------------------

    def open_dossier(self, path: str | Path) -> bool:
        """Open a dossier file; a file that cannot be used gives a dialog that says why."""
        try:
            dossier = Dossier.open(path)
        except DossierError as exc:
            QMessageBox.critical(self, "Cannot open the dossier", str(exc))
            return False
        self.load(dossier)
        add_recent(Path(path))
        return True

    def load(self, dossier: Dossier) -> None:
        self.close_dossier()
        self.dossier = dossier
        self.setWindowTitle(f"{dossier.title} — Dossier Builder")
        self.navigator.clear()
        for area in dossier.model.areas:
            top = QTreeWidgetItem([area.title])
            top.setFlags(top.flags() & ~Qt.ItemIsSelectable)
            for section in area.sections:
                item = QTreeWidgetItem([section.title])
                item.setData(0, Qt.UserRole, section.path)
                top.addChild(item)
            self.navigator.addTopLevelItem(top)
        self.navigator.expandAll()
        self.stack.setCurrentIndex(1)
        for action in self.build_actions:
            action.setEnabled(True)
        self.refresh_readiness()
        self.navigator.setCurrentItem(self.navigator.topLevelItem(0).child(0))

    def close_dossier(self) -> None:
        if self.dossier is not None:
            focused = QApplication.focusWidget()
            if focused is not None:
                focused.clearFocus()  # finishes (and so saves) an edit in progress before closing
            self.dossier.close()
        self.dossier = None
        self.undo_stack.clear()
        self.stack.setCurrentIndex(0)

    def closeEvent(self, event):
        if self.build_task is not None:
            self.build_task.cancel()
        self.close_dossier()
        super().closeEvent(event)

    # Editing --------------------------------------------------------------------------------

    def select_section(self, section_path: str) -> None:
        if self.dossier is None or (self.form and self.form.section.path == section_path):
            return
        section = self.dossier.model.section(section_path)
        self.form = SectionForm(section, self.dossier.values())
        self.form.edit_requested.connect(self.on_edit)
        self.form.attach_requested.connect(self.attach)
        self.form.history_requested.connect(self.show_history)
        self.scroll.setWidget(self.form)
        for i in range(self.navigator.topLevelItemCount()):
            top = self.navigator.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, Qt.UserRole) == section_path:
                    self.navigator.setCurrentItem(top.child(j))

    def on_edit(self, path: str, raw: Any) -> None:
        """Validate what the user entered; save it through the undo stack, or show why not."""
        if self.dossier is None or self.form is None or path not in self.form.editors:
            return
        try:
            value = self.dossier.validate(path, raw)
        except FieldError as exc:
            self.form.show_error(path, str(exc.problem))
            return
        self.form.show_error(path, "")
        old = self.dossier.get(path)
        if old != value:
            self.undo_stack.push(SetField(self, path, old, value, self.dossier.field(path).label))

    def apply_value(self, path: str, value: Any) -> None:
        self.dossier.store.set(path, value)
        if self.form and path in self.form.editors:
            editor = self.form.editors[path]
            if not editor.focus_widget().hasFocus():
                editor.set_value(value)
        self.saved.emit(path)
        self.readiness_timer.start()

    def attach(self, path: str, files: list[Path]) -> None:
        for file in files:
            try:
                self.dossier.attach(path, file)
            except DossierError as exc:
                self.form.show_error(path, str(exc))
                return
        self.form.set_value(path, self.dossier.get(path))
        self.saved.emit(path)
        self.readiness_timer.start()

    def show_history(self, path: str) -> None:
        HistoryDialog(self.dossier.field(path).label, self.dossier.history(path), self).exec()

    # Readiness ------------------------------------------------------------------------------

    def refresh_readiness(self) -> None:
        if self.dossier is None:
            return
        self.report = report = self.dossier.check()
        self._update_elements(report)
        self._update_navigator(report)
        self.findings.clear()
        labels = self.dossier.model.fields
        for finding in report.findings:
            base = re.sub(r"\[\d+\]\..*$", "", finding.field)
            label = labels[base].label if base in labels else finding.field
            item = QListWidgetItem(self.style().standardIcon(ICONS[finding.severity]), f"{label}: {finding.message}")
            item.setData(Qt.UserRole, finding)
            item.setToolTip(f"{finding.field}\n{finding.source}")
            self.findings.addItem(item)
        self.summary.setText(f"{report.count('error')} error(s), {report.count('warning')} warning(s)"
                             + ("" if report.findings else " — nothing missing against the framework"))
        self.readiness_updated.emit(report)

    def _update_elements(self, report: Report) -> None:
        layout = self.elements.layout()
        while layout.count():
            layout.takeAt(0).widget().deleteLater()
        for element in report.elements:
            badge = QLabel(f"{element.title} — <b>{element.state}</b>")
            badge.setStyleSheet(f"background:{STATE_COLOURS[element.state]}; border-radius:4px; padding:3px; font-size:9pt")
            badge.setToolTip(f"{element.title}: {element.state}")
            badge.setAccessibleName(f"{element.title}: {element.state}")
            layout.addWidget(badge)

    def _update_navigator(self, report: Report) -> None:
        values = self.dossier.values()
        for i in range(self.navigator.topLevelItemCount()):
            top = self.navigator.topLevelItem(i)
            for j in range(top.childCount()):
                item = top.child(j)
                section = self.dossier.model.section(item.data(0, Qt.UserRole))
                found = report.for_section(section.path)
                worst = found[0].severity if found else None
                filled = sum(1 for f in section.fields if f.path in values)
                count = f" · {len(found)}" if found else ""
                item.setText(0, f"{section.title}  ({filled}/{len(section.fields)}{count})")
                item.setIcon(0, self.style().standardIcon(ICONS[worst]))
                item.setToolTip(0, f"{filled} of {len(section.fields)} fields filled; {len(found)} finding(s)")

    def _finding_clicked(self, item: QListWidgetItem) -> None:
        self.go_to(item.data(Qt.UserRole))

    def go_to(self, finding: Finding) -> None:
        """Select the finding's section and put the cursor in its field."""
        path = re.sub(r"\[\d+\]\..*$", "", finding.field)
        if path not in self.dossier.model.fields:
            return
        self.select_section(path.rsplit(".", 1)[0])
        self.form.focus_field(path)
        self.scroll.ensureWidgetVisible(self.form.editors[path])

    # Build ----------------------------------------------------------------------------------

    def _build_dialog(self, draft: bool) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Application folder for the submission")
        if folder:
            self.start_build(Path(folder), draft)

    def start_build(self, app_dir: Path, draft: bool) -> None:
        """Build the next sequence off the GUI thread, with progress and Cancel; editing waits meanwhile."""
        from dossier.build import build_sequence

        dossier = self.dossier
        self.stack.widget(1).setEnabled(False)
        progress = QProgressDialog("Building…", "Cancel", 0, 100, self)
        progress.setWindowModality(Qt.WindowModal)
        progress.setMinimumDuration(0)

        def finish(result=None, error=None):
            progress.close()
            self.build_task = None
            self.stack.widget(1).setEnabled(True)
            self.refresh_readiness()
            if error is not None:
                self.build_failed.emit(error)
                if self.interactive:
                    QMessageBox.warning(self, "Build stopped", error)
            else:
                self.build_finished.emit(result)
                self._report_build(result)

        shown = [0.0]

        def on_progress(fraction: float, message: str):
            fraction = shown[0] = max(shown[0], fraction)  # parallel steps may report out of order
            self.build_progress.emit(fraction, message)
            progress.setLabelText(message)
            progress.setValue(int(fraction * 100))  # a modal dialog processes events here: emit first

        self.build_task = run_in_background(
            lambda report, cancel: build_sequence(dossier, app_dir, draft=draft, progress=report, cancel=cancel),
            on_done=lambda result: finish(result),
            on_error=lambda exc, tb: finish(error=str(exc) if isinstance(exc, DossierError) else f"{exc}\n\n{tb}"),
            on_progress=on_progress)
        progress.canceled.connect(self.build_task.cancel)

    def cancel_build(self) -> None:
        if self.build_task is not None:
            self.build_task.cancel()

    def _report_build(self, result) -> None:
        if not self.interactive:
            return
        serious = [f for f in result.findings if f.severity in ("high", "medium")]
        box = QMessageBox(self)
        box.setWindowTitle("Sequence built")
        box.setText(f"Sequence {result.number} written to {result.path}.\n"
                    f"{len(serious)} high/medium and {len(result.findings) - len(serious)} low finding(s).")
        box.setDetailedText("\n".join(f"{f.severity.upper()} {f.file}: {f.message}" for f in result.findings))
        open_button = box.addButton("Open folder", QMessageBox.ActionRole)
        box.addButton(QMessageBox.Close)
        box.exec()
        if box.clickedButton() is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path)))
