"""Building from the desktop app against the real build: progress by signals, the result and its
findings, cancel leaving nothing behind, and the dossier usable again afterwards."""

import pytest

from dossier.errors import Cancelled, DossierError


def test_build_reports_progress_and_result(demo, qtbot, tmp_path, installed):
    steps = []
    demo.session.build_progress.connect(lambda fraction, message: steps.append((fraction, message)))
    with qtbot.waitSignal(demo.session.build_finished, timeout=120000) as finished:
        demo.start_build(tmp_path / "app", draft=True)
        assert not demo.stack.widget(1).isEnabled() and demo.cancel_button.isVisible()
    result = finished.args[0]
    assert result.number == "0001" and result.draft
    assert (tmp_path / "app" / "0001" / "index.xml").is_file()
    assert not [f for f in result.findings if f.severity == "high"]
    fractions = [f for f, _ in steps]
    assert len(steps) > 3 and fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert all(message for _, message in steps)
    dialog = demo.build_result
    assert dialog.isVisible() and "0001" in dialog.windowTitle()
    assert dialog.table.rowCount() == len(result.findings)
    assert demo.stack.widget(1).isEnabled() and not demo.cancel_button.isVisible()
    assert demo.dossier.get("genetic.gene.symbol") == "CLN3"  # the dossier is open and usable
    dialog.close()


def test_cancel_a_build(demo, qtbot, tmp_path, installed, dialogs):
    with qtbot.waitSignal(demo.session.build_failed, timeout=120000) as failed:
        demo.start_build(tmp_path / "app", draft=True)
        qtbot.mouseClick(demo.cancel_button, qtbot_left())
    assert isinstance(failed.args[0], Cancelled)
    assert not (tmp_path / "app" / "0001").exists()
    assert not dialogs.messages  # cancelling is not an error to report
    assert "cancelled" in demo.statusBar().currentMessage()
    assert demo.stack.widget(1).isEnabled()


def test_a_build_that_is_refused_says_why(demo, qtbot, tmp_path, installed, dialogs):
    editor = demo.select_section("genetic.gene").editors["genetic.gene.symbol"]
    editor.line.setText("")
    editor.line.editingFinished.emit()
    with qtbot.waitSignal(demo.session.build_failed, timeout=120000) as failed:
        demo.start_build(tmp_path / "app", draft=False)
    assert failed.args[0] and dialogs.messages[-1][0] == "warning"
    assert not (tmp_path / "app" / "0001").exists()


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.LeftButton


@pytest.mark.parametrize("error, reported", [
    (Cancelled("Stopped at the user's request"), False),        # no "cancel" in it: still a cancellation
    (DossierError("2 leaves were cancelled by FDA; renumber them"), True),  # "cancelled" in it: still a failure
])
def test_a_cancelled_build_is_known_by_its_type_not_its_words(demo, qtbot, tmp_path, monkeypatch, dialogs,
                                                             error, reported):
    import dossier.build

    def build_sequence(dossier, app_dir, draft, mark_submitted, progress, cancel):
        progress(0.5, "half way")
        raise error

    monkeypatch.setattr(dossier.build, "build_sequence", build_sequence)
    with qtbot.waitSignal(demo.session.build_failed, timeout=10000) as failed:
        demo.start_build(tmp_path / "app", draft=True)
    assert failed.args[0] is error
    assert bool(dialogs.messages) is reported
    if reported:
        assert dialogs.messages[-1][0] == "warning" and str(error) in dialogs.messages[-1][2]
    else:
        assert demo.statusBar().currentMessage() == "Build cancelled; nothing was written."
    assert demo.stack.widget(1).isEnabled() and not demo.cancel_button.isVisible()


def test_the_app_builds_the_expanded_access_packet(window, qtbot, tmp_path):
    """The app's build calls the same core: on the Form 3926 path it writes the packet and says so."""
    from dossier.cases import make_case

    assert window.open_dossier(make_case("aso-expanded-access", tmp_path / "ea.dossier"))
    with qtbot.waitSignal(window.session.build_finished, timeout=120000) as finished:
        window.start_build(tmp_path / "app", draft=False)
    result = finished.args[0]
    assert result.kind == "packet" and (result.path / "expanded-access-packet.pdf").is_file()
    assert not (tmp_path / "app" / "0001").exists()
    dialog = window.build_result
    assert dialog.windowTitle() == f"Expanded-access packet {result.path.name} built"
    assert "Expanded-access packet" in window.statusBar().currentMessage()
    dialog.close()
