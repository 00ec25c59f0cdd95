"""The templates themselves: the one sandboxed, autoescaping Jinja2 environment (templates compiled when
the program was built, see dossier.render.precompiled, and those compiled here kept in the user's cache
folder), which templates a document's template imports, and their sources, which the documents'
content keys cover."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from functools import lru_cache
from pathlib import Path

import jinja2

from ..model import Document
from ..paths import templates_dir
from .precompiled import Shipped, compiler_tag, make_environment, referenced


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates in the user's cache folder, so a fresh `dossier render` does not compile
    them again (about a tenth of a second). Jinja keys an entry by the template's name and source;
    the file names add Jinja's version and our options, on which the compiled code also depends.
    A cache that cannot be read or written costs speed, never a render."""

    def __init__(self, folder: Path):
        super().__init__(str(folder), f"__jinja2_{compiler_tag()}_%s.cache")

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _compiled_templates() -> _CompiledTemplates:
    from .cache import user_cache_dir

    return _CompiledTemplates(user_cache_dir().with_name("templates"))  # beside the render cache


class _Loader(jinja2.FileSystemLoader):
    """The templates' files; a template compiled when the program was built (dossier.render.precompiled)
    is taken as it is when it was made from the same source."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.shipped = Shipped(folder)

    def load(self, environment, name, globals=None):
        source, filename, uptodate = self.get_source(environment, name)
        given = {} if globals is None else globals
        shipped = self.shipped.template(environment, name, source, filename, uptodate, given)
        return shipped if shipped is not None else super().load(environment, name, globals)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return make_environment(_Loader(templates_dir()), bytecode_cache=_compiled_templates())


def template_names(document: Document) -> list[str]:
    """The document's template and every template it imports or includes, transitively."""
    env, names, queue = environment(), [], [document.template]
    while queue:
        name = queue.pop(0)
        if name in names:
            continue
        names.append(name)
        queue += _references(name, _source(env, name))
    return names


@lru_cache(maxsize=256)
def _references(name: str, source: str) -> tuple[str, ...]:
    """The templates a template's source imports or includes. Parsing every template for them took
    most of the documents' keys' time (40 ms for the demo, in every `dossier render`), so what each
    source references is taken from the compiled templates shipped with the program, or else kept on
    disk beside the compiled templates, keyed by the source's hash (written by keep_references)."""
    shipped = _loader().shipped.references(name, source)
    if shipped is not None:
        return tuple(shipped)
    key = hashlib.sha256(source.encode("utf-8")).hexdigest()
    known = _known_references()
    _used.add(key)
    if key not in known:
        known[key] = referenced(environment(), source)
        _unsaved.add(key)
    return tuple(known[key])


def _loader() -> _Loader:
    loader = environment().loader
    assert isinstance(loader, _Loader), "environment() always sets its loader"
    return loader


_unsaved: set[str] = set()  # sources whose references are not yet on disk
_used: set[str] = set()  # sources asked about in this process
REFERENCES_KEPT = 1000  # sources remembered; past that, only those of the templates in use stay


def _references_file() -> Path:
    return Path(_compiled_templates().directory) / "references.json"


@lru_cache(maxsize=1)
def _known_references() -> dict[str, list[str]]:
    try:
        known = json.loads(_references_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    valid = isinstance(known, dict) and all(isinstance(v, list) and all(isinstance(n, str) for n in v)
                                            for v in known.values())
    return known if valid else {}


def keep_references() -> None:
    """Put the references found since the last call on disk (once for all the documents' keys, not
    once a template). Written whole and atomically; a cache that cannot be written costs speed,
    never a render."""
    if not _unsaved:
        return
    _unsaved.clear()
    known, path = _known_references(), _references_file()
    if len(known) > REFERENCES_KEPT:  # old versions of edited templates
        for key in set(known) - _used:
            del known[key]
    temp = path.with_name(f".references.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(known, sort_keys=True), encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)


def template_sources(document: Document) -> list[str]:
    """The text of every template file a document uses (its own and the shared macros)."""
    env = environment()
    return [_source(env, name) for name in template_names(document)]


def _source(env: jinja2.Environment, name: str) -> str:
    assert env.loader is not None, "environment() always sets its loader"
    return env.loader.get_source(env, name)[0]
