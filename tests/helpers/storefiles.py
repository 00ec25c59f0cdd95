"""What the store tests share: a fresh dossier file (the `store` fixture), a raw query, a child process
running code against the checkout, and the bytes of a real PNG and the start of a real PDF."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dossier.store import Store

ROOT = str(Path(__file__).resolve().parents[2])
# A real 1x1 PNG and the start of a real PDF.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d0a9650000000049454e44ae426082")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"


@pytest.fixture
def store(tmp_path):
    with Store.create(tmp_path / "s.dossier", "Case") as s:
        yield s


def sql(store: Store, query: str) -> list[tuple]:
    return store._query(query)


def run_child(code: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, **kwargs)
