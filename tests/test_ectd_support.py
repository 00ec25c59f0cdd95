"""Moved to tests/helpers/ (ectd, models, pdfs); these names stay importable from here only until the
branches written against this module have landed, then this file goes."""

from tests.helpers.ectd import SHARED, FakeRenderer, fake_renderer, installed, needs_standards, new_dossier  # noqa: F401
from tests.helpers.models import ECTD_MODEL, VALUES  # noqa: F401
from tests.helpers.models import ectd_content_model as ectd_model  # noqa: F401
from tests.helpers.pdfs import make_pdf  # noqa: F401
