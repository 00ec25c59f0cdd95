"""The readiness panel: the five plausible-mechanism elements at a glance on top, then the live
findings, worst first; activating a finding asks the window to show its field."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from dossier.fieldpath import FieldPath
from dossier.model import ContentModel
from dossier.readiness import Finding, Report

from .navigator import SEVERITIES, plural, severity_icon

STATE_STYLE = {"missing": ("#f4c7c3", "○"), "partial": ("#fde6a8", "◐"), "planned": ("#e3e8f0", "◔"),
               "nonclinical": ("#dcedc8", "◕"), "patients": ("#c8e6c9", "●")}


class ElementsStrip(QWidget):
    """One line per plausible-mechanism element: its state as a colour, a symbol and a word."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Plausible-mechanism elements")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(2)
        self.badges: list[QLabel] = []
        self._shown: list[tuple] = []

    def update_from(self, report: Report) -> None:
        while len(self.badges) < len(report.elements):
            badge = QLabel()
            badge.setTextFormat(Qt.TextFormat.RichText)
            self.layout_.addWidget(badge)
            self.badges.append(badge)
            self._shown.append(())
        for i, element in enumerate(report.elements):
            state = (element.title, element.state, len(element.missing), element.errors)
            if self._shown[i] == state:
                continue
            self._shown[i] = state
            colour, symbol = STATE_STYLE.get(element.state, ("#eeeeee", "?"))
            badge = self.badges[i]
            badge.setText(f"{symbol} {html.escape(element.title)} — <b>{html.escape(element.label)}</b>")
            badge.setStyleSheet(f"background:{colour}; border-radius:4px; padding:2px 4px")
            detail = []
            if element.missing:
                detail.append(f"{len(element.missing)} field(s) to fill")
            if element.errors:
                detail.append(plural(element.errors, "error"))
            badge.setToolTip(f"{element.title}: {element.label}" + (f" ({'; '.join(detail)})" if detail else ""))
            badge.setAccessibleName(f"{element.title}: {element.label}")


class ReadinessPanel(QWidget):
    finding_activated = Signal(object)  # Finding

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model: ContentModel | None = None
        self.elements = ElementsStrip()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.findings = QListWidget()
        self.findings.setAccessibleName("Readiness findings")
        self.findings.setAccessibleDescription("Press Enter on a finding to go to its field; Ctrl+3 comes back here")
        self.findings.setWordWrap(True)
        self.findings.setAlternatingRowColors(True)
        self.findings.itemActivated.connect(self._activated)
        self.findings.itemClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(QLabel("<b>Plausible mechanism</b>"))
        layout.addWidget(self.elements)
        heading = QLabel("<b>Findings</b>")
        heading.setBuddy(self.findings)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.findings, 1)
        self._shown: tuple[Finding, ...] | None = None

    def update_from(self, report: Report) -> None:
        self.elements.update_from(report)
        if report.findings == self._shown:
            return
        self._shown = report.findings
        counts = [plural(report.count(s), s if s != "info" else "note") for s in SEVERITIES if report.count(s)]
        self.summary.setText(", ".join(counts) if counts else "Nothing missing against the framework.")
        self.findings.setUpdatesEnabled(False)
        self.findings.clear()
        for finding in report.findings:
            item = QListWidgetItem(severity_icon(self, finding.severity), f"{self._label(finding)}: {finding.message}")
            item.setData(Qt.ItemDataRole.UserRole, finding)
            also = f"\nAlso read: {', '.join(finding.fields)}" if finding.fields else ""  # the numbers' other fields
            item.setToolTip(f"{finding.severity}: {finding.field}{also}\nSource: {finding.source}")
            self.findings.addItem(item)
        self.findings.setUpdatesEnabled(True)

    def _label(self, finding: Finding) -> str:
        where = FieldPath.match(finding.field)
        field = self.model.fields.get(where.field_path) if self.model and where else None
        if where is None or field is None:
            return finding.field
        row, part = where.row, where.part
        if row is not None and part:
            column = next((c.label for c in field.columns if c.id == part), part)
            return f"{field.label}, row {row + 1}, {column}"
        return field.label

    def item_for(self, field_path: str) -> QListWidgetItem | None:
        for i in range(self.findings.count()):
            if self.findings.item(i).data(Qt.ItemDataRole.UserRole).field == field_path:
                return self.findings.item(i)
        return None

    def _activated(self, item: QListWidgetItem) -> None:
        self.finding_activated.emit(item.data(Qt.ItemDataRole.UserRole))
