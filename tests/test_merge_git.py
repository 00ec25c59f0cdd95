"""The git route of docs/collaboration.md, for real: an exported folder in a git repository, two branches
editing it through import / set / export, and `git merge` through `dossier merge-file` as the driver."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.service import Dossier
from dossier.textform import export_dossier, import_dossier
from tests.helpers.pdfs import pdf_bytes

DOCS = Path(__file__).parents[1] / "docs" / "collaboration.md"
SYMBOL = "genetic.gene.symbol"
LETTERS = "module1.letters.letters_of_authorization"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture
def repo(tmp_path, demo_master):
    """A repository holding the demo's text form in case/, with the driver set up as the docs say."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Tester")
    git(repo, "config", "user.email", "tester@example.org")
    docs = DOCS.read_text(encoding="utf-8")
    (repo / ".gitattributes").write_text(re.search(r"```gitattributes\n(.*?)```", docs, re.S)[1], encoding="utf-8")
    driver = re.search(r'git config merge\.dossier\.driver "(.*?)"', docs)[1]
    assert driver.startswith("dossier merge-file ")
    # The docs' command, run by this interpreter (the test environment's `dossier` may not be on PATH).
    git(repo, "config", "merge.dossier.driver", driver.replace("dossier ", f"{sys.executable} -m dossier ", 1))
    with Dossier.open(demo_master, read_only=True) as d:
        export_dossier(d, repo / "case")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The demo")
    return repo


def work_on(repo: Path, branch: str, values: dict, attach: str | None = None) -> Path:
    """On a new branch from main: import the folder, edit, export it back, commit; returns a copy of the
    folder as committed."""
    git(repo, "checkout", "-q", "-b", branch, "main")
    file = repo.parent / f"{branch}.dossier"
    import_dossier(repo / "case", file)
    with Dossier.open(file) as d:
        d.set_many(values)
        if attach:
            pdf = repo.parent / attach
            pdf.write_bytes(pdf_bytes(f"Letter of {branch}"))
            d.attach(LETTERS, pdf)
        export_dossier(d, repo / "case", replace=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"Work of {branch}")
    copy = repo.parent / f"{branch}-folder"
    shutil.copytree(repo / "case", copy)
    return copy


def test_a_git_merge_through_the_driver_gives_what_dossier_merge_gives(repo, cli):
    base = repo.parent / "base-folder"
    shutil.copytree(repo / "case", base)
    before = json.loads((base / "sections" / "module1.letters.json").read_text())["fields"].get(
        "letters_of_authorization", [])  # the demo's own letter(s)
    theirs = work_on(repo, "theirs", {"clinical.endpoints.endpoints[2].timing": "Weekly",
                                      "clinical.design.objectives": "Theirs"}, attach="theirs-letter.pdf")
    ours = work_on(repo, "ours", {SYMBOL: "CLN3B", "clinical.endpoints.endpoints[0].instrument": "Scale v2"},
                   attach="ours-letter.pdf")

    merged = git(repo, "merge", "-q", "--no-edit", "theirs", check=False)

    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert cli("merge", base, ours, theirs, "--out", repo.parent / "merged").code == 0
    assert tree(repo / "case") == tree(repo.parent / "merged")
    endpoints = json.loads((repo / "case" / "sections" / "clinical.endpoints.json").read_text())["fields"]["endpoints"]
    assert endpoints[0]["instrument"] == "Scale v2" and endpoints[2]["timing"] == "Weekly"
    letters = json.loads((repo / "case" / "sections" / "module1.letters.json").read_text())["fields"]
    assert letters["letters_of_authorization"] == [*before, "ours-letter.pdf", "theirs-letter.pdf"]
    assert import_dossier(repo / "case", repo.parent / "imported.dossier").is_file()  # a folder that imports


def test_a_conflicting_git_merge_stops_with_the_conflict_listed(repo):
    work_on(repo, "theirs", {SYMBOL: "CLN3-THEIRS"})
    work_on(repo, "ours", {SYMBOL: "CLN3-OURS", "clinical.design.objectives": "Ours"})

    merged = git(repo, "merge", "--no-edit", "theirs", check=False)

    assert merged.returncode == 1
    output = merged.stdout + merged.stderr
    assert f"CONFLICT {SYMBOL}: changed differently on both sides" in output
    assert "base:   'CLN3'" in output and "ours:   'CLN3-OURS'" in output and "theirs: 'CLN3-THEIRS'" in output
    assert "case/sections/genetic.gene.json" in git(repo, "diff", "--name-only", "--diff-filter=U").stdout
    kept = json.loads((repo / "case" / "sections" / "genetic.gene.json").read_text())  # no conflict markers
    assert kept["fields"]["symbol"] == "CLN3-OURS"


def test_an_edit_changes_only_its_own_lines_of_the_text_form(tmp_path, demo_file):
    """What keeps git merges and reviews small: exporting again after one edit changes that value's line
    and adds the history's line, nothing else."""
    with Dossier.open(demo_file) as d:
        export_dossier(d, tmp_path / "before")
        was = d.get("clinical.endpoints.endpoints")[1]["timing"]
        d.set_many({"clinical.endpoints.endpoints[1].timing": "Every second visit"})
        export_dossier(d, tmp_path / "after")
    before, after = tree(tmp_path / "before"), tree(tmp_path / "after")

    changed = sorted(name for name in after if before.get(name) != after[name])

    assert changed == ["history.jsonl", "sections/clinical.endpoints.json"]
    old, new = (x["sections/clinical.endpoints.json"].decode().splitlines() for x in (before, after))
    # a cell that another column follows ends in a comma, on both sides
    assert [(a.rstrip(","), b.rstrip(",")) for a, b in zip(old, new, strict=True) if a != b] == [
        (f'        "timing": {json.dumps(was, ensure_ascii=False)}', '        "timing": "Every second visit"')]
    assert after["history.jsonl"].startswith(before["history.jsonl"])
    assert after["history.jsonl"].count(b"\n") == before["history.jsonl"].count(b"\n") + 1
