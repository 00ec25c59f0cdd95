"""The readiness panel: the five plausible-mechanism elements at a glance on top, each with what the
checks measured for it (a margin, a limit: dossier.measures), then the measures of the other checks by
dossier part, then the live findings, worst first; activating a finding or a measure asks the window
to show its field. The panel only shows what the core computed; it does no arithmetic."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dossier.fieldpath import FieldPath
from dossier.measures import Measure, MeasureGroup
from dossier.model import ContentModel
from dossier.readiness import Finding, Report

from .navigator import SEVERITIES, plural, severity_icon

STATE_STYLE = {"missing": ("#f4c7c3", "○"), "partial": ("#fde6a8", "◐"), "planned": ("#e3e8f0", "◔"),
               "nonclinical": ("#dcedc8", "◕"), "patients": ("#c8e6c9", "●")}


class MeasureList(QListWidget):
    """What the checks measured for one element (or dossier part): one line each, its value and limit,
    a tick or the finding's severity icon; the whole arithmetic and its source in the tooltip."""
    measure_activated = Signal(object)  # Measure

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        for policy in (self.setHorizontalScrollBarPolicy, self.setVerticalScrollBarPolicy):
            policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self._shown: MeasureGroup | None = None
        self.hide()

    def show_group(self, group: MeasureGroup | None) -> None:
        if group == self._shown:
            return
        self._shown = group
        self.clear()
        self.setVisible(bool(group and group.measures))
        if not group:
            return
        self.setAccessibleName(f"Measures: {group.title}")
        for instance, measures in by_instance(group.measures):
            if instance:  # a narrow line would cut the instance's name off the end: it heads its lines instead
                head = QListWidgetItem(instance)
                head.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = head.font()
                font.setBold(True)
                head.setFont(font)
                head.setToolTip(instance)
                self.addItem(head)
            for m in measures:
                self._add(m)
        # as tall as its lines: the lists sit between the elements, never scrolling on their own
        self.setFixedHeight(sum(self.sizeHintForRow(i) for i in range(self.count())) + 2 * self.frameWidth())

    def _add(self, m: Measure) -> None:
        item = QListWidgetItem(severity_icon(self, None if m.ok else m.severity), m.headline)
        item.setData(Qt.ItemDataRole.UserRole, m)
        also = f"\nAlso read: {', '.join(m.fields)}" if m.fields else ""
        item.setToolTip(f"{'Within' if m.ok else 'Not within'} its limit: {m.text}{also}\nSource: {m.source}")
        self.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        if item.data(Qt.ItemDataRole.UserRole) is not None:  # an instance's heading leads nowhere
            self.measure_activated.emit(item.data(Qt.ItemDataRole.UserRole))


def by_instance(measures: tuple[Measure, ...]) -> list[tuple[str, list[Measure]]]:
    """The measures by the instance they measured, in the order instances first appear; the dossier-wide
    ones (no instance) first."""
    runs: dict[str, list[Measure]] = {"": []}
    for m in measures:
        runs.setdefault(m.instance, []).append(m)
    return [(instance, ms) for instance, ms in runs.items() if ms]


class ElementsStrip(QWidget):
    """One line per plausible-mechanism element: its state as a colour, a symbol and a word, and under
    it what the checks measured for it; then the measures of checks that support no element, under the
    dossier part (area) of their field."""
    measure_activated = Signal(object)  # Measure

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Plausible-mechanism elements")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(2)
        self.badges: list[QLabel] = []
        self.measures: list[MeasureList] = []  # one under each badge
        self.others = QVBoxLayout()  # a title and a list per dossier part
        self.others.setSpacing(2)
        self.layout_.addLayout(self.others)
        self.other_lists: dict[str, tuple[QLabel, MeasureList]] = {}
        self._order: list[str] = []
        self._shown: list[tuple] = []

    def _measure_list(self) -> MeasureList:
        shown = MeasureList(self)
        shown.measure_activated.connect(self.measure_activated)
        return shown

    def update_from(self, report: Report) -> None:
        while len(self.badges) < len(report.elements):
            badge = QLabel()
            badge.setTextFormat(Qt.TextFormat.RichText)
            badge.setWordWrap(True)  # "… — supported by nonclinical evidence" was cut at the panel's edge
            at = self.layout_.indexOf(self.others)
            self.layout_.insertWidget(at, badge)
            self.badges.append(badge)
            self.measures.append(self._measure_list())
            self.layout_.insertWidget(at + 1, self.measures[-1])
            self._shown.append(())
        groups = {g.id: g for g in report.measure_groups}
        for i, element in enumerate(report.elements):
            self.measures[i].show_group(groups.pop(element.id, None))
        self._show_others(groups)
        self._show_badges(report)

    def _show_others(self, groups: dict[str, MeasureGroup]) -> None:
        """A title and a list per dossier part, in the report's order (a part seen later moves into place)."""
        for group in groups.values():
            if group.id not in self.other_lists:  # into the layout at once: a widget shown without a parent is a window
                title = QLabel()
                title.setTextFormat(Qt.TextFormat.PlainText)
                self.other_lists[group.id] = (title, self._measure_list())
                for widget in self.other_lists[group.id]:
                    self.others.addWidget(widget)
            title, shown = self.other_lists[group.id]
            title.setText(group.title)
            title.show()
            shown.show_group(group)
        order = [*groups, *(g for g in self.other_lists if g not in groups)]
        if order != self._order:
            self._order = order
            for title, shown in (self.other_lists[g] for g in order):
                for widget in (title, shown):
                    self.others.removeWidget(widget)
                    self.others.addWidget(widget)
        for gone in self.other_lists.keys() - groups.keys():
            title, shown = self.other_lists[gone]
            title.hide()
            shown.show_group(None)

    def _show_badges(self, report: Report) -> None:
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
    measure_activated = Signal(object)  # Measure

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model: ContentModel | None = None
        self.elements = ElementsStrip()
        self.elements.measure_activated.connect(self.measure_activated)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.findings = QListWidget()
        self.findings.setAccessibleName("Readiness findings")
        self.findings.setAccessibleDescription("Press Enter on a finding to go to its field; Ctrl+3 comes back here")
        self.findings.setWordWrap(True)
        self.findings.setAlternatingRowColors(True)
        self.findings.itemActivated.connect(self._activated)
        self.findings.itemClicked.connect(self._activated)
        # The elements and their measures scroll, and a splitter shares the height with the findings: on a
        # laptop (1280×720) a two-arm dossier's measures made the window taller than the screen.
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel("<b>Plausible mechanism</b>"))
        top_layout.addWidget(self.elements)
        top_layout.addStretch(1)
        self.elements_area = QScrollArea()
        self.elements_area.setWidgetResizable(True)
        self.elements_area.setFrameShape(QFrame.Shape.NoFrame)
        self.elements_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.elements_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.elements_area.setWidget(top)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>Findings</b>")
        heading.setBuddy(self.findings)
        bottom_layout.addWidget(heading)
        bottom_layout.addWidget(self.summary)
        bottom_layout.addWidget(self.findings, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.elements_area)
        self.splitter.addWidget(bottom)
        self.splitter.setSizes([600, 400])  # proportions: the splitter scales them to its height
        self._top_height = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        self._shown: tuple[Finding, ...] | None = None

    def update_from(self, report: Report) -> None:
        self.elements.update_from(report)
        QTimer.singleShot(0, self._fit_elements)  # once the lines just added are shown and have a height
        if report.findings == self._shown:
            return
        self._shown = report.findings
        counts = [plural(report.count(s), s if s != "info" else "note") for s in SEVERITIES if report.count(s)]
        self.summary.setText(", ".join(counts) if counts else "Nothing missing against the framework.")
        self.findings.setUpdatesEnabled(False)
        self.findings.clear()
        for finding in report.findings:
            item = QListWidgetItem(severity_icon(self, finding.severity), self.line(finding))
            item.setData(Qt.ItemDataRole.UserRole, finding)
            also = f"\nAlso read: {', '.join(finding.fields)}" if finding.fields else ""  # the numbers' other fields
            item.setToolTip(f"{finding.severity}: {finding.field}{also}\nSource: {finding.source}")
            self.findings.addItem(item)
        self.findings.setUpdatesEnabled(True)

    def _fit_elements(self) -> None:
        """The elements' part as tall as what it shows, up to 60%: five lines and no measures left half the
        panel empty above 89 findings. Only when that height changes, so a height the user chose stays."""
        top = self.elements_area.widget()
        width = self.elements_area.viewport().width()
        fits = top.heightForWidth(width) if top.hasHeightForWidth() else -1  # wrapped lines at the panel's width
        wanted = (fits if fits > 0 else top.sizeHint().height()) + 2
        total = sum(self.splitter.sizes())
        if wanted == self._top_height or total <= 0:
            return
        self._top_height = wanted
        top = min(wanted, int(total * 0.6))
        self.splitter.setSizes([top, total - top])

    def line(self, finding: Finding) -> str:
        """A finding as the list shows it: where, then what; "Sponsor: Sponsor is required" says it once."""
        label = self._label(finding)
        return finding.message if label in finding.message else f"{label}: {finding.message}"

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

    def focus_order(self) -> list[QWidget]:
        """The panel's widgets that take the focus, top to bottom."""
        lists = [*self.elements.measures, *(shown for _, shown in self.elements.other_lists.values())]
        return [*lists, self.findings]

    def measure_item(self, label: str) -> QListWidgetItem | None:
        """The line of the measure labelled `label`, under whichever element or part it is shown."""
        lists = [*self.elements.measures, *(shown for _, shown in self.elements.other_lists.values())]
        return next((shown.item(i) for shown in lists for i in range(shown.count())
                     if getattr(shown.item(i).data(Qt.ItemDataRole.UserRole), "label", None) == label), None)

    def item_for(self, field_path: str) -> QListWidgetItem | None:
        for i in range(self.findings.count()):
            if self.findings.item(i).data(Qt.ItemDataRole.UserRole).field == field_path:
                return self.findings.item(i)
        return None

    def _activated(self, item: QListWidgetItem) -> None:
        self.finding_activated.emit(item.data(Qt.ItemDataRole.UserRole))
