"""The main window: the navigator of sections, the generated form of the selected section, the
readiness panel (the five elements on top, findings that jump to their field), and the build with
progress and Cancel. It only shows: the open dossier, its edits, undo, attachments, readiness and
the build belong to the DossierSession, whose signals the window turns into what the user sees."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from dossier.fieldpath import base_path, section_of
from dossier.measures import Measure
from dossier.readiness import Finding

from .crash import show_exception
from .editors import FieldEditor
from .form import SectionForm, SectionPage
from .instances import RepeatPage
from .navigator import Navigator
from .pages import HistoryDialog, StartPage, add_recent
from .readiness_panel import ReadinessPanel
from .session import Change, DossierSession
from .window_build import WindowBuild
from .window_layout import WindowLayout


class MainWindow(WindowBuild, WindowLayout, QMainWindow):
    def __init__(self):
        super().__init__()
        self.session = DossierSession(self)
        self.pages: dict[str, SectionPage | RepeatPage] = {}
        self.setWindowTitle("Dossier Builder")
        self.stack = QStackedWidget()
        self.start_page = StartPage()
        self.start_page.open_requested.connect(self.open_dossier)
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self._dossier_view())
        self.setCentralWidget(self.stack)
        self._status_bar()
        self._menus()
        self._follow(self.session)

    def _follow(self, session: DossierSession) -> None:
        session.opened.connect(self._show_dossier)
        session.closed.connect(self._show_start)
        session.changed.connect(self._show_change)
        session.changed.connect(self._apply_conditions)
        session.instances_changed.connect(self._show_instances)
        session.problem.connect(self._show_problem)
        session.phi_cleared.connect(self._offer_purge)
        session.busy_changed.connect(self._show_busy)
        session.readiness_updated.connect(self._show_readiness)
        session.build_progress.connect(self._build_progress)
        session.build_finished.connect(self._build_done)
        session.build_failed.connect(self._build_failed)

    @property
    def dossier(self):
        return self.session.dossier

    @property
    def busy(self) -> str | None:
        return self.session.busy

    @property
    def undo_stack(self):
        return self.session.undo_stack

    # Layout ---------------------------------------------------------------------------------

    def _dossier_view(self) -> QWidget:
        self.navigator = Navigator()
        self.navigator.section_chosen.connect(self.select_section)
        self.form_stack = QStackedWidget()
        self.readiness = ReadinessPanel()
        self.readiness.finding_activated.connect(self.go_to)
        self.readiness.measure_activated.connect(self.go_to)
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
        self.splitter = splitter
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
        page, session = self.start_page, self.session
        self.file_actions = [self._action("&New dossier…", page.new_dossier, QKeySequence.StandardKey.New),
                             self._action("&Open…", page.open_dialog, QKeySequence.StandardKey.Open),
                             self._action("Open the &demo", page.open_demo),
                             self._action("&Close dossier", self.close_dossier, QKeySequence.StandardKey.Close)]
        # Ctrl+Q everywhere: QKeySequence.Quit is empty on Windows, where users still expect it.
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q", "Close the dossier and quit")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions(self.file_actions)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.undo_action = self._action("&Undo", self.undo, QKeySequence.StandardKey.Undo, "Undo the last saved edit")
        self.redo_action = self._action("&Redo", self.redo, QKeySequence.StandardKey.Redo, "Redo the edit just undone")
        session.undo_stack.canUndoChanged.connect(lambda _: self._enable_undo())
        session.undo_stack.canRedoChanged.connect(lambda _: self._enable_undo())
        session.undo_stack.undoTextChanged.connect(lambda text: self.undo_action.setText(f"&Undo {text}".strip()))
        session.undo_stack.redoTextChanged.connect(lambda text: self.redo_action.setText(f"&Redo {text}".strip()))
        self._enable_undo()
        self.menuBar().addMenu("&Edit").addActions([self.undo_action, self.redo_action])
        view = self.menuBar().addMenu("&View")
        by_shortcut = Qt.FocusReason.ShortcutFocusReason
        view.addAction(self._action("&Sections", lambda: self.navigator.setFocus(by_shortcut), "Ctrl+1"))
        view.addAction(self._action("&Form", self.focus_form, "Ctrl+2"))
        view.addAction(self._action("F&indings", lambda: self.readiness.findings.setFocus(by_shortcut), "Ctrl+3"))
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
        self._enable_dossier_actions()

    def _enable_dossier_actions(self) -> None:
        enabled = self.session.dossier is not None and not self.session.busy
        for action in self.build_actions + self.file_actions[3:]:
            action.setEnabled(enabled)

    def _enable_undo(self) -> None:
        idle = not self.session.busy
        self.undo_action.setEnabled(idle and self.session.undo_stack.canUndo())
        self.redo_action.setEnabled(idle and self.session.undo_stack.canRedo())

    # Opening and closing ----------------------------------------------------------------------

    def open_dossier(self, path: str | Path) -> bool:
        """Open a dossier file; a file that cannot be used gives a dialog that says why."""
        self._finish_edits()
        try:
            dossier = self.session.open(path)
        except Exception as exc:
            show_exception(self, "Cannot open the dossier", exc)
            return False
        if dossier.notes:  # an upgrade and where its backup went, objects another program had added
            self.statusBar().showMessage(" ".join(dossier.notes), 60000)
        add_recent(Path(path))
        return True

    def _show_dossier(self, dossier) -> None:
        self._clear_pages()
        self.setWindowTitle(f"{dossier.title} — Dossier Builder")
        self.navigator.load(dossier.model)
        self.readiness.model = dossier.model
        self.stack.setCurrentIndex(1)
        self._widen_navigator()
        self._enable_dossier_actions()
        self.save_state.setText("Every edit is saved as you make it")
        first = self._deciding_field(dossier)
        self.select_section(section_of(first.path) if first else dossier.model.areas[0].sections[0].path)
        if first is not None:  # a new dossier: what decides the rest comes first (it opened on the sponsor)
            self.statusBar().showMessage(f"Start with {first.label}: it decides which fields, documents and "
                                         "checks apply.", 60000)
            self.pages[section_of(first.path)].show_field(first.path)

    def close_dossier(self) -> None:
        self._finish_edits()
        self.session.close()

    def _finish_edits(self) -> None:
        """Save what is typed or waiting (an HPO term before the ontology loaded) before the file goes."""
        if self.session.dossier is None:
            return
        self.commit_pending()
        for page in self.pages.values():
            for form in page.forms:
                for editor in form.editors.values():
                    editor.finish_waiting()

    def _show_start(self) -> None:
        self._clear_pages()
        self.setWindowTitle("Dossier Builder")
        self.save_state.setText("")  # "Saved … at 20:25" spoke of the dossier just closed
        self.stack.setCurrentIndex(0)
        self._enable_dossier_actions()

    def _clear_pages(self) -> None:
        for page in self.pages.values():
            self.form_stack.removeWidget(page)
            page.deleteLater()
        self.pages = {}

    def closeEvent(self, event):
        QSettings().setValue("window/geometry", self.saveGeometry())
        self.close_dossier()
        super().closeEvent(event)

    # Sections and fields ----------------------------------------------------------------------

    @property
    def form(self) -> SectionForm | None:
        page = self.form_stack.currentWidget()
        return page.form if isinstance(page, (SectionPage, RepeatPage)) else None

    def select_section(self, section_path: str) -> SectionForm | None:
        dossier = self.session.dossier
        if dossier is None:
            return None
        page = self.pages.get(section_path)
        if page is None:
            section = dossier.model.section(section_path)
            page = RepeatPage(section, self.session, self._make_form) if section.repeat else \
                SectionPage(self._make_form(section, dossier.values(), None))
            self.pages[section_path] = page
            self.form_stack.addWidget(page)
            self._readiness_after(page)
        self.form_stack.setCurrentWidget(page)
        self.navigator.select(section_path)
        return page.form

    def _make_form(self, section, values: dict, instance: int | None) -> SectionForm:
        """The form of a section (of one instance of a repeated section), wired to the session."""
        form = SectionForm(section, values, model=self.session.current().model, instance=instance)
        form.edit_requested.connect(self.session.edit)
        form.attach_requested.connect(self.session.attach)
        form.history_requested.connect(self.show_history)
        form.copy_requested.connect(self.save_attachment_copy)
        return form

    def _show_instances(self, repeat_id: str, show: int) -> None:
        """Instances were added, moved or removed (or that was undone): redraw the repeat's pages and
        show its instance `show`."""
        repeat = self.session.current().model.repeats[repeat_id]
        for path in repeat.sections:
            page = self.pages.get(path)
            if isinstance(page, RepeatPage):
                page.rebuild(show)
        if not any(self.form_stack.currentWidget() is self.pages.get(path) for path in repeat.sections):
            self.select_section(repeat.sections[0])

    def focus_form(self) -> None:
        editor = self.form.first_editor() if self.form else None
        if editor is not None:
            editor.focus_part()

    def commit_pending(self) -> None:
        """Save what is being typed in the focused field (before undo, a build, closing)."""
        focused = QApplication.focusWidget()
        while focused is not None and not isinstance(focused, FieldEditor):
            focused = focused.parentWidget()
        if focused is not None and self.session.dossier is not None:
            focused.commit()

    def _show_change(self, change: Change) -> None:
        if change.shown:
            self.select_section(section_of(change.field))
            form = self.pages[section_of(change.field)].show_field(change.field)
            if form is not None:
                form.set_value(change.field, change.value)
        repeat = self.session.dossier.model.repeat_of(change.field) if self.session.dossier else None
        if repeat is not None and base_path(change.field) == repeat.name:  # an instance renamed
            for page in (self.pages.get(path) for path in repeat.sections):
                if isinstance(page, RepeatPage):
                    page.refresh_names()
        self.save_state.setText(f"Saved {change.label} at {time.strftime('%H:%M:%S')}")

    def _apply_conditions(self, change: Change) -> None:
        """Show or hide, in every open form, what the changed value decides (its `when:` conditions),
        as soon as it is saved."""
        dossier = self.session.current()
        for page in self.pages.values():
            if isinstance(page, RepeatPage):
                page.follow_conditions()
            for form in page.forms:
                form.refresh_conditions(change.field, dossier.get)

    def _offer_purge(self, path: str, label: str) -> None:
        """A user who empties a PHI field usually wants it gone: the history would still show it."""
        Button = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, "Remove it from the history too?",
            f"{label} holds protected health information, and its earlier values are still in this dossier's "
            "history. Remove them from the history and from the file as well?\n\nThis cannot be undone, and "
            "the undo history is cleared.", Button.Yes | Button.No, Button.No)
        if answer == Button.Yes:
            self.session.purge_history(path)
            self.statusBar().showMessage(f"{label}: earlier values removed from the history", 10000)

    def _show_problem(self, path: str, message: str) -> None:
        section = section_of(path)
        if message:
            self.select_section(section)
            self.pages[section].show_field(path)
        form = self.pages[section].form_for(path) if section in self.pages else None
        if form is not None:
            form.show_error(path, message)

    def undo(self) -> None:
        self.commit_pending()  # what was just typed is the last edit, so Undo takes it back first
        self.session.undo()

    def redo(self) -> None:
        self.session.redo()

    def save_attachment_copy(self, name: str) -> None:
        """Write a stored file where the user chooses (checked against its checksums as it is read)."""
        target, _ = QFileDialog.getSaveFileName(self, f"Save a copy of {name}", name, "PDF files (*.pdf)")
        if not target:
            return
        try:
            self.session.current().copy_attachment_to(name, target)
        except Exception as exc:
            show_exception(self, "Cannot save the copy", exc)
            return
        self.statusBar().showMessage(f"Saved a copy of {name} as {target}", 10000)

    def show_history(self, path: str) -> None:
        HistoryDialog(self.session.current().field(path), self.session.history(path), self).exec()

    def _show_busy(self, message: str) -> None:
        """While background work writes to the dossier, the dossier view waits (read-only)."""
        if message:
            self.commit_pending()
        self.stack.widget(1).setEnabled(not message)
        self._enable_dossier_actions()
        self._enable_undo()
        if message:
            self.statusBar().showMessage(message)
        else:
            self.statusBar().clearMessage()

    # Readiness --------------------------------------------------------------------------------

    def refresh_readiness(self) -> None:
        self.session.refresh_readiness()

    def _show_readiness(self, report, values) -> None:
        self.navigator.update_from(report, values)
        self.readiness.update_from(report)

    def go_to(self, finding: Finding | Measure | str) -> None:
        """Select the section of a finding, or of a measure, and put the cursor in its field (or table cell)."""
        path = finding if isinstance(finding, str) else finding.field
        field = base_path(path)
        if self.session.dossier is None or field not in self.session.dossier.model.fields:
            return
        self.select_section(section_of(field))
        form = self.pages[section_of(field)].show_field(path)
        if form is not None:
            form.focus_field(path)
