"""How the main window lays itself out for the user (mixed into ui.main_window.MainWindow): a new dossier
opens on what decides the rest, the navigator is as wide as its titles where there is room, and Tab goes
sections → form → readiness."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

if TYPE_CHECKING:
    from .navigator import Navigator
    from .readiness_panel import ReadinessPanel


class WindowLayout:
    """Layout decisions of the main window; its splitter, navigator and readiness panel are the window's own."""

    splitter: QSplitter
    navigator: Navigator
    readiness: ReadinessPanel

    @staticmethod
    def _deciding_field(dossier):
        """In a dossier with nothing filled, the field whose value decides the most parts (the model's
        `when:` conditions); None once anything is filled."""
        if dossier.values():
            return None
        decided = Counter(path for inputs in dossier.model.conditions.inputs.values() for path in inputs)
        path = next((p for p, _ in decided.most_common() if p in dossier.model.fields), None)
        return dossier.model.fields[path] if path else None

    def _widen_navigator(self) -> None:
        """Section titles whole where the window has room (the form keeps 600 pixels): at 330 pixels even a
        1920-pixel window cut 'Forms FDA 1571, 1572, 3674' and five others."""
        sizes = self.splitter.sizes()
        nav = self.navigator
        counts = sum(max(nav.sizeHintForColumn(c), nav.header().sectionSizeHint(c)) for c in (nav.DONE, nav.FOUND))
        wanted = nav.sizeHintForColumn(nav.SECTION) + counts + nav.verticalScrollBar().sizeHint().width() \
            + 2 * nav.frameWidth() + 8
        extra = min(wanted - sizes[0], sizes[1] - 600)
        if extra > 0:
            self.splitter.setSizes([sizes[0] + extra, sizes[1] - extra, sizes[2]])

    def _readiness_after(self, page: QWidget) -> None:
        """Tab goes sections → form → readiness: a page made after the readiness lists came after them in
        the focus chain, so Tab from the sections jumped over the form to the measures and findings."""
        last: QWidget | None = None
        after = page.nextInFocusChain()
        while after is not None and page.isAncestorOf(after):
            if after.focusPolicy() != Qt.FocusPolicy.NoFocus:  # setTabOrder ignores a widget without focus
                last = after
            after = after.nextInFocusChain()
        for widget in self.readiness.focus_order():
            if last is not None:
                QWidget.setTabOrder(last, widget)
            last = widget
