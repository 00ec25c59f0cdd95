"""Editors for the genetic vocabularies: an HGVS variant checked live by the HGVS parser and the
product's own rules, and HPO phenotype terms with a completer once the ontology has loaded in the
background."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QBoxLayout, QCompleter, QLabel

from dossier import genetics
from dossier.errors import DossierError, FieldError
from dossier.model import Field

from ..background import run_in_background
from .basic import TextEditor

OK_COLOUR, BAD_COLOUR = "#1b7f3b", "#b00020"


class HgvsEditor(TextEditor):
    """An HGVS variant, checked by the HGVS parser a moment after the user stops typing."""

    DEBOUNCE_MS = 300

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.line.setPlaceholderText("e.g. NM_000391.4:c.1266+5G>A")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        self.status.setAccessibleName(f"{field.label}: check")
        self.box.setDirection(QBoxLayout.Direction.TopToBottom)
        self.box.addWidget(self.status)
        self.timer = QTimer(self, singleShot=True, interval=self.DEBOUNCE_MS)
        self.timer.timeout.connect(self.check_now)
        self.line.textEdited.connect(lambda _: self.timer.start())

    def check_now(self) -> None:
        self.timer.stop()
        text = self.line.text().strip()
        self.status.setVisible(bool(text))
        if not text:
            self.status.clear()
            return
        try:
            normal = genetics.parse_hgvs(text, self.field.label)
        except FieldError as exc:
            self.status.setText(f"<span style='color:{BAD_COLOUR}'>✗ {html.escape(exc.problem)}</span>")
        except DossierError as exc:  # the parser is not installed
            self.status.setText(str(exc))
        else:
            same = "" if normal == text else f" (written {normal})"
            self.status.setText(f"<span style='color:{OK_COLOUR}'>✓ valid HGVS{same}</span>")


    def show_problem(self, message: str) -> bool:
        """A refused variant is said once, on the check's own line (it said the same under the help too)."""
        if not message:
            return False  # the line keeps its check of what is typed
        self.timer.stop()
        self.status.setText(f"<span style='color:{BAD_COLOUR}'>✗ {html.escape(message)}</span>")
        self.status.show()
        return True


class Ontology(QObject):
    """The HPO ontology, loaded once in the background (about 0.6 s) for every HPO field."""

    loaded = Signal()

    def __init__(self):
        super().__init__(QApplication.instance())
        self.task = None

    def is_loaded(self) -> bool:
        return genetics.hpo_loaded()

    def ensure_loading(self) -> None:
        if self.is_loaded() or self.task is not None:
            return
        self.task = run_in_background(lambda report, cancel: genetics.load_hpo(),
                                      on_done=lambda _: self.loaded.emit(),
                                      on_error=self._failed)

    def _failed(self, error: BaseException, details: str) -> None:
        self.task = None  # the next HPO field tries again; typed ids are checked on saving
        raise error


_ontology: Ontology | None = None


def ontology() -> Ontology:
    global _ontology
    if _ontology is None:
        _ontology = Ontology()
    return _ontology


_ID = re.compile(r"^\s*HP[:_]\d{7}\s*$", re.IGNORECASE)


class HpoEditor(TextEditor):
    """HPO terms as ids separated by commas. Typing ids works at once; typing a name offers matching
    terms once the ontology has loaded. Saving waits for the ontology (it gives each id its label)."""

    SUGGESTIONS = 15

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.line.setPlaceholderText("HP:0001250, HP:0000505 … or type a name, e.g. seizure")
        self.names = QLabel()
        self.names.setWordWrap(True)
        self.names.hide()
        self.names.setAccessibleName(f"{field.label}: term names")
        self.box.setDirection(QBoxLayout.Direction.TopToBottom)
        self.box.addWidget(self.names)
        self.suggestions = QStringListModel(self)
        self.completer = QCompleter(self.suggestions, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setWidget(self.line)
        self.completer.activated.connect(self.choose)
        self.line.textEdited.connect(self.suggest)
        self.waiting = False
        ontology().ensure_loading()

    def _hide_popup(self) -> None:
        popup = self.completer.popup()
        if popup is not None:
            popup.hide()

    def last_word(self) -> str:
        return self.line.text().rsplit(",", 1)[-1].strip()

    def suggest(self, _text: str = "") -> list[str]:
        """Offer terms whose name contains what is typed after the last comma (none before loading)."""
        word = self.last_word()
        if len(word) < 3 or _ID.match(word) or not ontology().is_loaded():
            self._hide_popup()
            return []
        found = genetics.hpo_search(word, limit=200)
        found = [t for t in found if not t["label"].startswith("obsolete")]
        lowered = word.casefold()
        found.sort(key=lambda t: (not t["label"].casefold().startswith(lowered), len(t["label"])))
        offers = [f"{t['id']} {t['label']}" for t in found[: self.SUGGESTIONS]]
        self.suggestions.setStringList(offers)
        if offers:
            self.completer.complete()
        else:
            self._hide_popup()
        return offers

    def choose(self, offer: str) -> None:
        """Put the chosen term's id in place of the name being typed."""
        kept = [part.strip() for part in self.line.text().split(",")[:-1] if part.strip()]
        self.line.setText(", ".join(kept + [offer.split(" ", 1)[0]]) + ", ")
        self.line.setFocus(Qt.FocusReason.OtherFocusReason)

    def current(self):
        return self.line.text().strip().rstrip(",").strip()

    def commit(self) -> None:
        """Saving checks each id against the ontology: wait for it rather than stall the window."""
        if self._loading:
            return
        if not ontology().is_loaded() and self.current():
            if not self.waiting:
                self.waiting = True
                self._say("Checking the terms once the ontology has loaded…")
                ontology().loaded.connect(self._loaded, Qt.ConnectionType.SingleShotConnection)
                ontology().ensure_loading()
            return
        super().commit()

    def finish_waiting(self) -> None:
        if self.waiting:
            genetics.load_hpo()  # joins the background load (about 0.6 s at most)
            self._loaded()

    def _loaded(self) -> None:
        if not self.waiting:
            return  # saved already by finish_waiting
        self.waiting = False
        self._say("")
        super().commit()

    def _show(self, value):
        self.line.setText(", ".join(t["id"] for t in value or []))
        self._say("; ".join(t["label"] for t in value or []))

    def _say(self, text: str) -> None:
        self.names.setText(text)
        self.names.setVisible(bool(text))
