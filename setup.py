"""setuptools' build (pyproject.toml says the rest), plus the templates compiled, the content model and
the fonts parsed into the wheel, as pip compiles the program's modules on install, so a first command
compiles and parses nothing (dossier/render/precompiled.py needs jinja2 only, dossier/model_cache.py
PyYAML, dossier/render/fontcache.py reportlab)."""

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _standalone(name: str):
    """A module of dossier/render that imports nothing of the program, loaded alone."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "dossier" / "render" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithTemplates(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install runs the checkout's templates as they are
            return
        precompiled = _standalone("precompiled")
        precompiled.write(ROOT / "templates", Path(self.build_lib) / "templates" / precompiled.FOLDER)
        fontcache = _standalone("fontcache")
        fontcache.ship(ROOT / "resources" / "fonts", Path(self.build_lib) / "resources" / "fonts" / fontcache.SHIPPED)
        sys.path.insert(0, str(ROOT))
        from dossier.model_cache import SHIPPED, ship_model

        ship_model(ROOT / "resources", Path(self.build_lib) / "resources" / SHIPPED)


setup(cmdclass={"build_py": BuildPyWithTemplates})
