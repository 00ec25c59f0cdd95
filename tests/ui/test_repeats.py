"""Until the desktop app shows repeated sections, building a form for one is refused with a message
saying so, rather than showing empty fields whose edits would go nowhere."""

import pytest

from dossier.errors import DossierError
from ui.form import SectionForm


def test_a_form_for_a_repeated_section_is_refused(qtbot, repeats_model):
    with pytest.raises(DossierError, match="the desktop form for repeated sections is not built yet"):
        SectionForm(repeats_model.section("cmc.substance"), {"cmc.substance[0].name": "A"}, model=repeats_model)
    form = SectionForm(repeats_model.section("product.overview"), {}, model=repeats_model)
    qtbot.addWidget(form)
    assert set(form.editors) == {"product.overview.product_name", "product.overview.editor"}
