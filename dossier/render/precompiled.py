"""Templates compiled when the program is built, so that a first `dossier render` compiles none.

Jinja compiling the shipped templates took about 0.13 s of CPU in a first render, and parsing them for
the templates they import (the documents' keys need it) 0.04 s more. The wheel's build (setup.py),
the bundle's (build_app.spec) and bench/bench_render.py (a checkout run as the wheel runs) write every
template as the Python module Jinja makes of it into templates/_compiled/, with an index of each
source's hash and the templates it imports; pip compiles those modules to bytecode on install, as it
does the program's own. At run time a compiled template is used only when it was made from the same
source, by the same Jinja, with the same options: an edited template is compiled as before.

This file imports nothing of the program (only jinja2 and markupsafe), so a build can load it alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
from pathlib import Path

import jinja2
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

OPTIONS = dict(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
FOLDER = "_compiled"  # inside the templates folder
INDEX = "index.json"

_PMID = re.compile(r"(?i)^pmid:?\s*(\d{1,9})$")
_DOI = re.compile(r"(?i)^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/\S+)$")
_URL = re.compile(r"(?i)^https?://[^\s<>\"]+$")


def reference_link(identifier: str) -> Markup:
    """A PMID, DOI or web address as a link to it; anything else as plain text."""
    text = str(identifier or "").strip()
    if match := _PMID.match(text):
        url = f"https://pubmed.ncbi.nlm.nih.gov/{match[1]}/"
    elif match := _DOI.match(text):
        url = f"https://doi.org/{match[1]}"
    elif _URL.match(text):
        url = text
    else:
        return escape(text)
    return Markup('<a href="{}">{}</a>').format(url, text)


def make_environment(loader: jinja2.BaseLoader, bytecode_cache=None) -> ImmutableSandboxedEnvironment:
    """The one kind of environment templates run in (sandboxed, autoescaping), as the program uses it."""
    env = ImmutableSandboxedEnvironment(loader=loader, bytecode_cache=bytecode_cache, **OPTIONS)
    env.filters["reference_link"] = reference_link
    return env


def compiler_tag() -> str:
    """What compiled code depends on besides the source: Jinja's version and our options."""
    return hashlib.sha256(f"{jinja2.__version__} {sorted(OPTIONS.items())!r}".encode()).hexdigest()[:12]


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def referenced(env: jinja2.Environment, source: str) -> list[str]:
    """The templates a template's source imports or includes (by name)."""
    return [name for name in meta.find_referenced_templates(env.parse(source)) if name]


def write(templates: Path, target: Path | None = None) -> int:
    """Compile every template (*.j2) of `templates` into `target` (templates/_compiled by default),
    replacing what was there; returns how many."""
    env = make_environment(jinja2.FileSystemLoader(str(templates)))
    target = target or templates / FOLDER
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    index = {}
    for name in env.list_templates(extensions=["j2"]):
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        module = "t_" + hashlib.sha1(name.encode("utf-8")).hexdigest()
        code = env.compile(source, name, filename, raw=True, defer_init=True)
        (target / f"{module}.py").write_text(code, encoding="utf-8")
        index[name] = {"source": source_hash(source), "module": module, "references": referenced(env, source)}
    (target / INDEX).write_text(json.dumps({"compiler": compiler_tag(), "templates": index}, indent=1,
                                           sort_keys=True), encoding="utf-8")
    return len(index)


class Shipped:
    """The compiled templates of one templates folder. Any trouble reading them (none shipped, a
    damaged file, another Jinja) makes them absent: they can only spare the compiling."""

    def __init__(self, templates: Path):
        self.folder = templates / FOLDER
        self._index: dict | None = None

    def _entries(self) -> dict:
        if self._index is None:
            try:
                index = json.loads((self.folder / INDEX).read_text(encoding="utf-8"))
                valid = index["compiler"] == compiler_tag() and isinstance(index["templates"], dict)
                self._index = index["templates"] if valid else {}
            except (OSError, ValueError, KeyError, TypeError):
                self._index = {}
        return self._index

    def _entry(self, name: str, source: str) -> dict | None:
        entry = self._entries().get(name)
        return entry if isinstance(entry, dict) and entry.get("source") == source_hash(source) else None

    def template(self, env: jinja2.Environment, name: str, source: str, filename: str | None, uptodate,
                 globals: dict) -> jinja2.Template | None:
        """The compiled template of `name`, if one was made from this very source."""
        entry = self._entry(name, source)
        if entry is None:
            return None
        path = self.folder / f"{entry['module']}.py"
        try:
            spec = importlib.util.spec_from_file_location(f"_dossier_templates.{entry['module']}", path)
            if spec is None or spec.loader is None:
                return None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)  # from its bytecode, where pip or a first load wrote it
            template = env.template_class.from_module_dict(env, module.__dict__, globals)
        except (OSError, SyntaxError, ImportError, KeyError):
            return None
        template.filename, template._uptodate = filename, uptodate  # errors name the .j2 file, as before
        return template

    def references(self, name: str, source: str) -> list[str] | None:
        entry = self._entry(name, source)
        refs = entry.get("references") if entry else None
        return refs if isinstance(refs, list) and all(isinstance(r, str) for r in refs) else None
