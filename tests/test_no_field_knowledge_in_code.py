"""Code knows field types, never particular fields: no Python file under dossier/ or ui/ spells a field
path (or a section path) of the shipped content model, or compares a value with one of its choice labels.
What code needs of particular fields is a role in the model (`roles:`). Templates may name fields."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dossier.fieldpath import FieldPath
from dossier.model import ContentModel, load_model

ROOT = Path(__file__).resolve().parents[1]


def _section_paths(model: ContentModel) -> set[str]:
    return {s.path for s in model.sections()}


def _choice_labels(model: ContentModel) -> set[str]:
    labels = set()
    for f in model.fields.values():
        labels |= set(f.choices)
        for column in f.columns:
            labels |= set(column.choices)
    return labels


def _spells_a_path(text: str, areas: set[str], sections: set[str]) -> bool:
    """A whole path (`genetic.variant.hgvs`, `t[0].c`), a section path, or the start of one in an
    f-string (`f"module1.sponsor.{x}"`), whose first part is an area of the model."""
    text = text.rstrip(".")
    path = FieldPath.match(text)
    return (path is not None and path.area in areas) or text in sections


_IN_TEXT = re.compile(r"\b([a-z0-9_]+)\.([a-z0-9_]+)\b(?:\[\d*\])?(?:\.[a-z0-9_]+)?")


def _paths_in_text(text: str, sections: set[str]) -> list[str]:
    """Field or section paths of the model written inside a longer text (a docstring's example, a message)."""
    return [m.group(0) for m in _IN_TEXT.finditer(text) if f"{m.group(1)}.{m.group(2)}" in sections]


def _compared_strings(tree: ast.AST):
    """String constants a value is compared with: `x == "A"`, `x in ("A", "B")`, `x in {"A": …}`."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for operand in [node.left, *node.comparators]:
            items = operand.elts if isinstance(operand, (ast.Tuple, ast.List, ast.Set)) else \
                operand.keys if isinstance(operand, ast.Dict) else [operand]
            for item in items:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    yield item


def field_knowledge(source: str, filename: str, model: ContentModel) -> list[str]:
    """`file:line: what` for every field path and compared choice label a Python source spells."""
    tree = ast.parse(source, filename)
    areas, sections, labels = {a.id for a in model.areas}, _section_paths(model), _choice_labels(model)
    found = [f"{filename}:{node.lineno}: field path {node.value!r}" for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and _spells_a_path(node.value, areas, sections)]
    found += [f"{filename}:{node.lineno}: field path {path!r} in a text" for node in ast.walk(tree)
              if isinstance(node, ast.Constant) and isinstance(node.value, str)
              and not _spells_a_path(node.value, areas, sections)
              for path in _paths_in_text(node.value, sections)]
    found += [f"{filename}:{node.lineno}: choice label {node.value!r} compared" for node in _compared_strings(tree)
              if node.value in labels]
    return sorted(set(found))


@pytest.fixture(scope="module")
def shipped() -> ContentModel:
    return load_model()


def test_no_python_file_spells_a_field_path_or_compares_a_choice(shipped):
    files = sorted(p for folder in ("dossier", "ui") for p in (ROOT / folder).rglob("*.py"))
    assert len(files) > 50  # the scan really reads the packages
    found = [hit for p in files
             for hit in field_knowledge(p.read_text(encoding="utf-8"), str(p.relative_to(ROOT)), shipped)]
    assert found == [], ("declare these as roles in the content model (docs/content-model-format.md):\n"
                         + "\n".join(found))


def test_the_scan_catches_paths_and_compared_choices(shipped, tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        'HEADER = ("module1.sponsor.sponsor",)\n'
        'def ind(values):\n'
        '    return values.get("module1.application.ind_number")\n'
        'CELL = "cmc.batches.batches[0].coa"\n'
        'def section(x):\n'
        '    return f"clinical.natural_history.{x}"\n'
        'def strong(group):\n'
        '    return group == "Patient" or group in ("External control",)\n'
        '"""Reads `genetic.variant[0].hgvs` of the first arm."""\n'
        '"""One instance (`cmc.substance[1]`) of a section (`genetic.variant`)."""\n'
        'NOT_A_PATH = ("dossier.json", "a.b.c", "x.pdf", "Patient")  # no area of the model; not compared\n',
        encoding="utf-8")
    found = field_knowledge(planted.read_text(encoding="utf-8"), "planted.py", shipped)
    assert found == [  # sorted as text: line 10 before line 1
        "planted.py:10: field path 'cmc.substance[1]' in a text",
        "planted.py:10: field path 'genetic.variant' in a text",
        "planted.py:1: field path 'module1.sponsor.sponsor'",
        "planted.py:3: field path 'module1.application.ind_number'",
        "planted.py:4: field path 'cmc.batches.batches[0].coa'",
        "planted.py:6: field path 'clinical.natural_history.'",
        "planted.py:8: choice label 'External control' compared",
        "planted.py:8: choice label 'Patient' compared",
        "planted.py:9: field path 'genetic.variant[0].hgvs' in a text",
    ]
