"""The navigator: the areas of the dossier and their sections, each with how many of its required
fields are filled and its worst finding (icon and count). Updated in place after every save."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHeaderView, QStyle, QTreeWidget, QTreeWidgetItem

from dossier.conditions import Applicability
from dossier.fieldpath import section_of
from dossier.model import SEVERITIES, ContentModel, Section
from dossier.readiness import Report
from dossier.repeats import instance_key, instance_view, instances

_PIXMAP = QStyle.StandardPixmap
_STANDARD = {"error": _PIXMAP.SP_MessageBoxCritical, "warning": _PIXMAP.SP_MessageBoxWarning,
             "info": _PIXMAP.SP_MessageBoxInformation, None: _PIXMAP.SP_DialogApplyButton}
_icons: dict[Any, QIcon] = {}


def severity_icon(widget, severity: str | None) -> QIcon:
    """The icon of a finding's severity (None: nothing found), made once."""
    if severity not in _icons:
        _icons[severity] = widget.style().standardIcon(_STANDARD[severity])
    return _icons[severity]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class Navigator(QTreeWidget):
    section_chosen = Signal(str)  # section path

    SECTION, DONE, FOUND = range(3)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels(["Section", "Required", "Findings"])
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(self.SECTION, QHeaderView.Stretch)
        for column in (self.DONE, self.FOUND):
            self.header().setSectionResizeMode(column, QHeaderView.ResizeToContents)
        self.setAccessibleName("Sections")
        self.setAccessibleDescription("The dossier's areas and sections; Ctrl+1 comes back here")
        self.setUniformRowHeights(True)
        self.content_model: ContentModel | None = None
        self.items: dict[str, QTreeWidgetItem] = {}
        self.sections: dict[str, Section] = {}
        self._areas: list[tuple[QTreeWidgetItem, tuple[Section, ...]]] = []
        self._shown: dict[int, tuple] = {}
        self.currentItemChanged.connect(self._current_changed)

    def load(self, model: ContentModel) -> None:
        self.clear()
        self.items, self.sections, self._areas, self._shown = {}, {}, [], {}
        self.content_model = model
        for area in model.areas:
            top = QTreeWidgetItem([area.title, "", ""])
            top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for section in area.sections:
                item = QTreeWidgetItem([section.title, "", ""])
                item.setData(0, Qt.ItemDataRole.UserRole, section.path)
                item.setToolTip(0, f"{section.title}: {section.help}" if section.help else section.title)  # cut titles
                top.addChild(item)
                self.items[section.path] = item
                self.sections[section.path] = section
            self._areas.append((top, area.sections))
            self.addTopLevelItem(top)
        self.expandAll()

    def select(self, section_path: str) -> None:
        item = self.items.get(section_path)
        if item is not None and self.currentItem() is not item:
            self.setCurrentItem(item)

    def _current_changed(self, item, _previous) -> None:
        path = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if path:
            self.section_chosen.emit(path)

    def update_from(self, report: Report, values: dict[str, Any]) -> None:
        """Show each section's required fields filled and worst finding (only what changed is redrawn);
        a section or area whose condition is false is hidden, a field whose condition is false not counted."""
        if self.content_model is None:
            return
        ap = Applicability(self.content_model, values)
        by_section: dict[str, list] = {}
        for finding in report.findings:
            by_section.setdefault(section_of(finding.field), []).append(finding)
        for top, sections in self._areas:
            done = required = 0
            area_found: list = []
            for section in sections:
                self.items[section.path].setHidden(not ap.section(section.path))
                have, need, filled, total = self._counts(section, values, ap)
                found = by_section.get(section.path, [])
                self._show(self.items[section.path], have, need, found, filled, total)
                done, required, area_found = done + have, required + need, area_found + found
            top.setHidden(not any(ap.section(s.path) for s in sections))
            self._show(top, done, required, area_found, None, None)

    def _counts(self, section: Section, values: dict[str, Any], ap: Applicability) -> tuple[int, int, int, int]:
        """(required fields filled, required, fields filled, fields) of a section that applies; a repeated
        section's counted over its instances, each with its own conditions."""
        assert self.content_model is not None
        model = self.content_model
        views: list[tuple[Applicability, Callable[[str], str]]]
        if section.repeat is None:
            views = [(ap, str)]
        else:
            views = [(Applicability(model, instance_view(model, values, section.repeat, i)),
                      functools.partial(instance_key, i=i))
                     for i in range(len(instances(model, values, section.repeat)))]
        have = need = filled = total = 0
        for view, key in views:
            fields = [f for f in section.fields if view.field(f.path)]
            need += sum(1 for f in fields if f.required)
            have += sum(1 for f in fields if f.required and key(f.path) in values)
            filled += sum(1 for f in fields if key(f.path) in values)
            total += len(fields)
        return have, need, filled, total

    def _show(self, item: QTreeWidgetItem, have: int, need: int, found: list, filled, total) -> None:
        worst = min((SEVERITIES.index(f.severity) for f in found), default=None)
        severity = SEVERITIES[worst] if worst is not None else None
        state = (have, need, len(found), severity, filled)
        if self._shown.get(id(item)) == state:
            return
        self._shown[id(item)] = state
        item.setText(self.DONE, f"{have}/{need}" if need else "–")
        item.setText(self.FOUND, str(len(found)) if found else "")
        item.setIcon(self.FOUND, severity_icon(self, severity))
        counts = ", ".join(plural(sum(1 for f in found if f.severity == s), s) for s in SEVERITIES
                           if any(f.severity == s for f in found)) or "no findings"
        extra = f" ({filled} of {total} fields filled in all)" if total is not None else ""
        tip = f"{have} of {need} required fields filled{extra}; {counts}"
        for column in (self.DONE, self.FOUND):
            item.setToolTip(column, tip)
