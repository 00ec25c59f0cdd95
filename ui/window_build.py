"""The main window's part in a build (mixed into ui.main_window.MainWindow): the build dialog, the
progress bar and Cancel in the status bar, and the result or the reason it stopped. The build itself
runs in the DossierSession."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QProgressBar, QPushButton, QWidget

from dossier import standards
from dossier.errors import Cancelled
from dossier.standards import StandardsMissing

from .background import run_in_background
from .build_runner import BuildDialog, BuildResultDialog
from .crash import show_exception

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from .session import DossierSession


class WindowBuild:
    """Build actions of the main window; its session, status bar and widgets are the window's own."""

    session: DossierSession
    build_bar: QProgressBar
    last_build: tuple[Path, bool, bool] | None = None
    cancel_button: QPushButton

    if TYPE_CHECKING:
        def statusBar(self) -> QStatusBar: ...
        def commit_pending(self) -> None: ...

    def build_dialog(self, draft: bool) -> None:
        from dossier.packet import is_packet_path  # only when a build is asked for

        dossier = self.session.current()
        dialog = BuildDialog(draft, dossier.path, self, packet=is_packet_path(dossier.model, dossier.values()))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.start_build(Path(dialog.folder.text().strip()), draft, dialog.record.isChecked() and not draft)

    def start_build(self, app_dir: Path, draft: bool, mark_submitted: bool = False) -> None:
        """Build the next sequence off the GUI thread; the dossier is read-only until it ends."""
        self.commit_pending()
        self.last_build = (app_dir, draft, mark_submitted)  # run again once missing standard files are installed
        if not self.session.start_build(app_dir, draft, mark_submitted):
            return
        self.build_bar.setValue(0)
        self.build_bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)

    def cancel_build(self) -> None:
        if self.session.cancel_build():
            self.cancel_button.setEnabled(False)
            self.statusBar().showMessage("Cancelling the build…")

    def _build_progress(self, fraction: float, message: str) -> None:
        self.build_bar.setValue(int(fraction * 100))
        self.build_bar.setFormat(f"%p% {message}")

    def _build_ended(self) -> None:
        self.build_bar.hide()
        self.cancel_button.hide()

    def _build_done(self, result) -> None:
        self._build_ended()
        what = "Expanded-access packet" if result.kind == "packet" else "Draft" if result.draft else "Sequence"
        self.statusBar().showMessage(f"{what} {result.number} built in {result.path}", 10000)
        self.build_result = BuildResultDialog(result, self)
        self.build_result.open()

    def _build_failed(self, error: BaseException, details: str) -> None:
        self._build_ended()
        if isinstance(error, Cancelled):  # by its type: the user asked for it, nothing to report
            self.statusBar().showMessage("Build cancelled; nothing was written.", 10000)
        elif isinstance(error, StandardsMissing):
            self.offer_standards_install(error)
        else:
            show_exception(self, "Build stopped", error, kind="warning")

    def offer_standards_install(self, error: StandardsMissing) -> None:
        """The desktop user installs the official eCTD files here, from the folder they downloaded them
        to, and the build runs again: the command line is not theirs to know."""
        Button = QMessageBox.StandardButton
        window = cast(QWidget, self)
        answer = QMessageBox.question(
            window, "Install the eCTD standard files?",
            f"{str(error)[0].upper()}{str(error)[1:]}.\n\nInstall them now from the file or folder you "
            "downloaded them to? (Dossier Builder checks each file's checksum and keeps a copy for every "
            "later build.)", Button.Yes | Button.No, Button.Yes)
        if answer != Button.Yes:
            return
        folder = QFileDialog.getExistingDirectory(window, "Folder holding the eCTD standard files")
        if not folder:
            return
        self.statusBar().showMessage("Installing the eCTD standard files…")
        run_in_background(lambda report, cancel: standards.install(folder),
                          on_done=self._standards_installed,
                          on_error=lambda exc, details: show_exception(self, "Standard files not installed", exc,
                                                                       kind="warning"))

    def _standards_installed(self, names: list[str]) -> None:
        self.statusBar().showMessage(f"Installed {', '.join(names)}", 10000)
        missing = [name for name, state in standards.status().items() if state != "installed"]
        if missing:
            QMessageBox.warning(cast(QWidget, self), "Standard files still missing",
                                f"Still missing: {', '.join(missing)}. Install them from the folder holding them.")
        elif self.last_build is not None:
            self.start_build(*self.last_build)
