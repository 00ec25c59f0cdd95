"""The page of a repeated section: a tab per instance (a drug substance, an allele, an arm), named by the
instance's name field, with the instance's generated form below, and the buttons that add, rename, move
and remove instances. Every section sharing a repeat shows the same instances; each operation is one
undoable step of the session (Edit ▸ Undo), and removal asks first."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from dossier.errors import DossierError
from dossier.fieldpath import FieldPath
from dossier.model import Repeat, Section

from .form import SectionForm, SectionPage
from .session import DossierSession

MakeForm = Callable[[Section, dict[str, Any], "int | None"], SectionForm]


class RepeatPage(QWidget):
    """One repeated section: its instances as tabs, the current instance's form below."""

    def __init__(self, section: Section, session: DossierSession, make_form: MakeForm):
        super().__init__()
        assert session.dossier is not None and section.repeat is not None
        self.section, self.session, self.make_form = section, session, make_form
        self.repeat: Repeat = session.dossier.model.repeats[section.repeat]
        self.pages: list[SectionPage] = []
        self.tabs = QTabBar()
        self.tabs.setAccessibleName(f"{self.repeat.label} instances")
        self.tabs.setExpanding(False)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.stack = QStackedWidget()
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        label = self.repeat.label.lower()
        self.buttons = {key: QPushButton(text) for key, text in (
            ("add", f"&Add {label}…"), ("rename", "Re&name…"), ("left", "Move &left"),
            ("right", "Move ri&ght"), ("remove", "Remo&ve…"))}
        for key, slot in (("add", self.add), ("rename", self.rename), ("left", lambda: self.move_by(-1)),
                          ("right", lambda: self.move_by(1)), ("remove", self.remove)):
            self.buttons[key].clicked.connect(lambda _=False, slot=slot: slot())
        self.buttons["remove"].setToolTip(f"Remove this {label} and every value it holds (undoable)")
        # the tabs take a row of their own: beside five buttons they had a sixth of a 1280-px window and cut
        # every name ("CLN3-A"); a name longer than its share is elided and kept whole in the tab's tooltip
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.bar = QWidget()  # hidden while the repeat does not apply: its one instance reads as a plain section
        rows = QVBoxLayout(self.bar)
        rows.setContentsMargins(0, 0, 0, 0)
        named = QHBoxLayout()
        named.addWidget(QLabel(f"<b>{html.escape(self.repeat.label)}:</b>"))
        named.addWidget(self.tabs, 1)
        rows.addLayout(named)
        actions = QHBoxLayout()
        for button in self.buttons.values():
            actions.addWidget(button)
        actions.addStretch(1)
        rows.addLayout(actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.stack, 1)
        self.single = False
        self.rebuild()

    # What the window asks of a page (as of a SectionPage) -------------------------------------

    @property
    def form(self) -> SectionForm | None:
        """The form of the instance shown (None while there is none)."""
        i = self.tabs.currentIndex()
        return self.pages[i].form if 0 <= i < len(self.pages) else None

    @property
    def forms(self) -> list[SectionForm]:
        return [page.form for page in self.pages]

    def form_for(self, path: str) -> SectionForm | None:
        where = FieldPath.match(path)
        i = where.instance if where is not None else None
        return self.pages[i].form if i is not None and 0 <= i < len(self.pages) else None

    def show_field(self, path: str) -> SectionForm | None:
        """Show the instance a path names and scroll its field into view; the form it is in."""
        where = FieldPath.match(path)
        if where is None or where.instance is None or where.instance >= len(self.pages):
            return None
        self.tabs.setCurrentIndex(where.instance)
        return self.pages[where.instance].show_field(path)

    # Instances -------------------------------------------------------------------------------

    def names(self) -> list[str]:
        assert self.session.dossier is not None
        return self.session.dossier.instances(self.repeat.id)

    def rebuild(self, show: int | None = None) -> None:
        """Make the tabs and forms again from the dossier (after an instance was added, moved, removed)."""
        assert self.session.dossier is not None
        values = self.session.dossier.values()
        current = self.tabs.currentIndex() if show is None else show
        for page in self.pages:
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages = []
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        for i, name in enumerate(self.names()):
            self.tabs.setTabToolTip(self.tabs.addTab(name), name)
            page = SectionPage(self.make_form(self.section, values, i))
            self.pages.append(page)
            self.stack.addWidget(page)
        self.tabs.blockSignals(False)
        self.single = self.session.dossier.single_instance(self.repeat.id)
        self.bar.setVisible(not self.single)
        least = self.repeat.min
        need = f" At least {least} {'is' if least == 1 else 'are'} needed." if least else ""
        self.empty.setText(f"No {self.repeat.label.lower()} yet: add the first one with "
                           f"“Add {self.repeat.label.lower()}…”.{need}")
        if self.pages:
            self.tabs.setCurrentIndex(min(max(current, 0), len(self.pages) - 1))
        self._tab_changed(self.tabs.currentIndex())

    def follow_conditions(self) -> None:
        """Show the tabs again, or hide them, when a value decides anew whether the repeat applies (the
        regulatory path chosen): the instances it shows may change with it."""
        assert self.session.dossier is not None
        if self.single != self.session.dossier.single_instance(self.repeat.id):
            self.rebuild()

    def refresh_names(self) -> None:
        """Show renamed instances' new names (a name is an ordinary field: edited, undone, redone)."""
        for i, name in enumerate(self.names()[:self.tabs.count()]):
            self.tabs.setTabText(i, name)
            self.tabs.setTabToolTip(i, name)

    def _tab_changed(self, i: int) -> None:
        shown = 0 <= i < len(self.pages)
        self.stack.setCurrentWidget(self.pages[i] if shown else self.empty)
        count = len(self.pages)
        full = self.repeat.max is not None and count >= self.repeat.max
        self.buttons["add"].setEnabled(not full)
        self.buttons["add"].setToolTip(f"At most {self.repeat.max}" if full else "")
        for key, enabled in (("rename", shown), ("remove", shown), ("left", shown and i > 0),
                             ("right", shown and i < count - 1)):
            self.buttons[key].setEnabled(enabled)

    def add(self) -> None:
        label = self.repeat.label
        name, ok = QInputDialog.getText(self, f"Add {label.lower()}", f"Name of the new {label.lower()}:",
                                        text=f"{label} {len(self.pages) + 1}")
        if ok:
            self._run(f"Cannot add the {label.lower()}", self.session.add_instance, self.repeat.id, name.strip())

    def rename(self) -> None:
        i = self.tabs.currentIndex()
        if i < 0:
            return
        label = self.repeat.label.lower()
        name, ok = QInputDialog.getText(self, f"Rename {label}", f"New name of {self.tabs.tabText(i)}:",
                                        text=self.tabs.tabText(i))
        if ok and name.strip() != self.tabs.tabText(i):
            self._run(f"Cannot rename the {label}", self.session.rename_instance, self.repeat.id, i, name.strip())

    def move_by(self, step: int) -> None:
        i = self.tabs.currentIndex()
        if 0 <= i + step < len(self.pages):
            self._run("Cannot move it", self.session.move_instance, self.repeat.id, i, i + step)

    def remove(self) -> None:
        i = self.tabs.currentIndex()
        if i < 0:
            return
        assert self.session.dossier is not None
        model = self.session.dossier.model
        sections = ", ".join(model.section(path).title for path in self.repeat.sections)
        Button = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, f"Remove {self.tabs.tabText(i)}?",
            f"Remove the {self.repeat.label.lower()} “{self.tabs.tabText(i)}” and every value it holds in: "
            f"{sections}?\n\nEdit ▸ Undo brings it back.", Button.Yes | Button.No, Button.No)
        if answer == Button.Yes:
            self._run("Cannot remove it", self.session.remove_instance, self.repeat.id, i)

    def _run(self, title: str, operation, *args) -> None:
        try:
            operation(*args)
        except DossierError as exc:
            QMessageBox.warning(self, title, str(exc))
