"""setuptools' build (pyproject.toml says the rest), plus the templates compiled into the wheel, as pip
compiles the program's modules on install (dossier/render/precompiled.py; it needs jinja2 only)."""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithTemplates(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install runs the checkout's templates as they are
            return
        spec = importlib.util.spec_from_file_location("precompiled", ROOT / "dossier" / "render" / "precompiled.py")
        assert spec is not None and spec.loader is not None
        precompiled = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(precompiled)
        precompiled.write(ROOT / "templates", Path(self.build_lib) / "templates" / precompiled.FOLDER)


setup(cmdclass={"build_py": BuildPyWithTemplates})
