"""setuptools' build (pyproject.toml says the rest), plus the templates compiled and the content model
parsed into the wheel, as pip compiles the program's modules on install, so a first command compiles
and parses nothing (dossier/render/precompiled.py needs jinja2 only, dossier/model_cache.py PyYAML)."""

import importlib.util
import sys
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
        sys.path.insert(0, str(ROOT))
        from dossier.model_cache import SHIPPED, ship_model

        ship_model(ROOT / "resources", Path(self.build_lib) / "resources" / SHIPPED)


setup(cmdclass={"build_py": BuildPyWithTemplates})
