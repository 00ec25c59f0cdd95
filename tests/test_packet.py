"""The single-patient expanded-access packet (dossier.packet): `dossier build` on the Form FDA 3926 path
writes Form 3926 first, the documents and attachments that apply as PDFs, one combined PDF bookmarked
per part and SHA-256 checksums, all or nothing; the IND path still builds eCTD sequences."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
import pytest

from dossier.build import build_sequence
from dossier.cases import make_case
from dossier.conditions import Applicability
from dossier.errors import DossierError
from dossier.render.tree import PLACEHOLDER
from dossier.service import Dossier
from tests.helpers.documents import pdf_text
from tests.helpers.ectd import install_standards

PLACEHOLDER_TEXT = PLACEHOLDER.split("{")[0].strip("[ ")


def _case(tmp_path: Path, name: str = "aso-expanded-access") -> Path:
    return make_case(name, tmp_path / f"{name}.dossier")


@pytest.fixture(scope="module")
def packet(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("packet")
    with Dossier.open(_case(tmp)) as d:
        report = d.check()
        result = build_sequence(d, tmp / "app", workers=1)
        center = Applicability(d.model, d.values()).center()
    return report, result, center


def _parts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("[0-9][0-9]-*.pdf"))


def test_check_says_what_build_writes_and_warns_of_nothing(packet):
    report, _, _ = packet
    finding = next(f for f in report.findings if f.check == "expanded-access-sequence")
    assert finding.severity == "info" and "expanded-access packet, not an eCTD sequence" in finding.message
    assert not report.blocking and not [f for f in report.findings if f.severity == "warning"]


def test_the_packet_has_form_3926_first_and_no_form_1571(packet):
    _, result, _ = packet
    assert result.kind == "packet" and not result.recorded and result.ok
    assert result.path.name.startswith("expanded-access-") and not (result.path.parent / "0001").exists()
    parts = _parts(result.path)
    assert parts[0].name == "01-form-3926-information.pdf"
    assert "Treatment plan" in pdf_text(parts[0])
    names = [p.name for p in parts]
    assert not [n for n in names if "1571" in n or "1572" in n or "protocol" in n]
    assert "29-loa-dmf-045678.pdf" in names  # the manufacturer's letter of authorization goes with the form
    texts = {p.name: pdf_text(p) for p in parts}
    assert not [n for n, t in texts.items() if "Form FDA 1571" in t.split("\n", 3)[0]]
    assert [n for n, t in texts.items() if PLACEHOLDER_TEXT in t] == []
    assert result.counts == {"documents": 28, "attachments": 4}


def test_the_combined_pdf_holds_every_part_in_order_with_one_bookmark_each(packet):
    _, result, _ = packet
    parts = _parts(result.path)
    sizes = []
    for part in parts:
        with pikepdf.open(part) as pdf:
            sizes.append(len(pdf.pages))
    with pikepdf.open(result.path / "expanded-access-packet.pdf") as combined:
        assert len(combined.pages) == sum(sizes)
        with combined.open_outline() as outline:
            marks = list(outline.root)
        assert len(marks) == len(parts)
        assert marks[0].title == "Form FDA 3926 information sheet"
        starts = [combined.pages.index(m.destination[0]) if isinstance(m.destination, pikepdf.Array)
                  else m.destination for m in marks]
        assert starts == [sum(sizes[:i]) for i in range(len(parts))]


def test_the_checksums_cover_every_file_and_verify(packet):
    _, result, _ = packet
    lines = (result.path / "SHA256SUMS.txt").read_text(encoding="utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    on_disk = {p.name for p in result.path.iterdir()} - {"SHA256SUMS.txt"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((result.path / name).read_bytes()).hexdigest() == digest


def test_the_readme_says_where_to_send_it_from_the_model_and_cites_fda(packet):
    _, result, center = packet
    text = (result.path / "README.txt").read_text(encoding="utf-8")
    assert center.abbreviation == "CDER" and all(line in text for line in center.address)
    assert "Individual Patient Expanded Access Applications: Form FDA 3926" in text
    assert "letter of authorization" in text and "not an eCTD sequence" in text
    assert "01-form-3926-information.pdf" in text


def test_marking_a_packet_submitted_is_refused_and_writes_nothing(tmp_path):
    with Dossier.open(_case(tmp_path)) as d:
        with pytest.raises(DossierError, match="not an eCTD sequence, so it cannot be recorded"):
            build_sequence(d, tmp_path / "app", mark_submitted=True, workers=1)
        assert d.sequences() == []
    assert not list(tmp_path.glob("app/expanded-access-*"))


def test_a_failure_part_way_leaves_no_half_packet_and_a_second_build_does_not_overwrite(tmp_path, monkeypatch):
    import dossier.packet

    app = tmp_path / "app"
    with Dossier.open(_case(tmp_path)) as d:
        def fail(folder):
            raise OSError(28, "No space left on device")
        with monkeypatch.context() as m:
            m.setattr(dossier.packet, "write_checksums", fail)
            with pytest.raises(OSError):
                build_sequence(d, app, workers=1)
        assert [p.name for p in app.iterdir() if p.name != ".cache"] == []
        first = build_sequence(d, app, workers=1)
        second = build_sequence(d, app, workers=1)
    assert second.path == first.path.with_name(first.path.name + "-2")
    assert (first.path / "SHA256SUMS.txt").is_file() and (second.path / "SHA256SUMS.txt").is_file()


@pytest.mark.slow
def test_the_ind_path_still_builds_an_ectd_sequence(tmp_path, monkeypatch):
    install_standards(monkeypatch, tmp_path / "standards")
    with Dossier.open(_case(tmp_path, "aso")) as d:
        result = build_sequence(d, tmp_path / "app", draft=True, workers=1)
    assert result.kind == "sequence" and result.path.name == "0001"
    assert (result.path / "index.xml").is_file() and not list((tmp_path / "app").glob("expanded-access-*"))
