"""The session without a window: it owns the dossier, its undo stack and readiness, and tells every
listener what each operation did."""

import pytest

from dossier.service import Dossier
from ui.session import DossierSession


@pytest.fixture
def session(qtbot, demo_file):
    session = DossierSession()
    session.open(demo_file)
    yield session
    session.close()


def test_an_edit_is_saved_announced_undone_and_checked(session, qtbot):
    changes, problems = [], []
    session.changed.connect(changes.append)
    session.problem.connect(lambda path, message: problems.append((path, message)))
    session.edit("genetic.gene.symbol", "SCN2A")
    assert session.dossier.get("genetic.gene.symbol") == "SCN2A"
    assert [(c.field, c.value, c.shown) for c in changes] == [("genetic.gene.symbol", "SCN2A", False)]
    with qtbot.waitSignal(session.readiness_updated, timeout=2000) as updated:
        session.undo()
    assert changes[-1].value == "CLN3" and changes[-1].shown  # undo redraws the field
    report, values = updated.args
    assert values["genetic.gene.symbol"] == "CLN3" and report is session.report
    session.edit("genetic.variant[0].hgvs", "not a variant")
    assert problems[-1][0] == "genetic.variant[0].hgvs" and problems[-1][1]
    assert session.dossier.get("genetic.variant[0].hgvs") != "not a variant" and len(changes) == 2


def test_closing_lets_the_file_go_and_forgets_the_undo_history(session, qtbot, demo_file):
    session.edit("genetic.gene.symbol", "SCN2A")
    with qtbot.waitSignal(session.closed, timeout=1000):
        session.close()
    assert session.dossier is None and session.undo_stack.count() == 0
    with Dossier.open(demo_file) as again:
        assert again.get("genetic.gene.symbol") == "SCN2A"
