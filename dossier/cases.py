"""The built-in cases `dossier demo FILE --case NAME` makes, declared in resources/cases.yaml.

A case is either a text-form folder (`folder:`, what `dossier export` writes) or another case with
some values changed (`base:` and `values:`, a values file in the `dossier set --from` format), so that
a variant of a case (another path, another modality) stays in step with the case it is made from;
such a case may attach files of its own (`attach:`, field path → file), once its values are set.
The first case listed is the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import DossierError
from .model import ContentModel, default_model
from .paths import resources_dir
from .tempdirs import dossier_aside

_KEYS = {"name", "summary", "folder", "base", "values", "title", "attach"}


@dataclass(frozen=True)
class Case:
    name: str
    summary: str                 # one line: modality, path, review centre
    folder: Path | None = None   # a text-form folder
    base: str | None = None      # or the case this one changes
    values: Path | None = None   # … and the values file that changes it
    title: str | None = None     # the dossier's title (a folder case takes its own from dossier.json)
    attach: tuple[tuple[str, Path], ...] = ()  # (attachment field or cell, file) attached after the values


def cases_file() -> Path:
    return resources_dir() / "cases.yaml"


def _case(entry: object, where: str, root: Path) -> Case:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry.get("summary"):
        raise DossierError(f"{where}: each case needs a name and a summary")
    unknown = set(entry) - _KEYS
    if unknown:
        raise DossierError(f"{where}: unknown keys {', '.join(sorted(unknown))}; a case has {', '.join(sorted(_KEYS))}")
    if bool(entry.get("folder")) == bool(entry.get("base")):
        raise DossierError(f"{where} ({entry['name']}): give either folder: or base: with values:")
    if entry.get("base") and not entry.get("values"):
        raise DossierError(f"{where} ({entry['name']}): a case made from another needs values:")
    attach = entry.get("attach", {})
    if attach and (not isinstance(attach, dict) or not entry.get("base") or
                   not all(isinstance(k, str) and isinstance(v, str) for k, v in attach.items())):
        raise DossierError(f"{where} ({entry['name']}): attach: is a mapping of field path to file, for a case "
                           "made from another (a folder case holds its attachments)")
    return Case(name=entry["name"], summary=str(entry["summary"]),
                folder=root / entry["folder"] if entry.get("folder") else None,
                base=entry.get("base"), values=root / entry["values"] if entry.get("values") else None,
                title=entry.get("title"), attach=tuple((k, root / v) for k, v in attach.items()))


def builtin_cases(path: Path | None = None) -> list[Case]:
    """Every built-in case, the default first; a malformed cases file is refused with the place and the reason."""
    path = path or cases_file()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DossierError(f"{path.name}: expected `cases:` with at least one case")
    found = [_case(entry, f"{path.name}: cases[{i}]", path.parent) for i, entry in enumerate(entries)]
    names = [c.name for c in found]
    for case in found:
        if names.count(case.name) > 1:
            raise DossierError(f"{path.name}: the case name '{case.name}' is used twice")
        if case.base and (case.base not in names or names.index(case.base) >= names.index(case.name)):
            raise DossierError(f"{path.name}: case '{case.name}' is made from '{case.base}', which must be listed "
                               "before it")
    return found


def find_case(name: str | None, cases: list[Case] | None = None) -> Case:
    """The case called `name` (the default when None); an unknown name is refused with the names there are."""
    cases = cases or builtin_cases()
    if name is None:
        return cases[0]
    for case in cases:
        if case.name == name:
            return case
    raise DossierError(f"there is no built-in case '{name}'; the cases are {', '.join(c.name for c in cases)} "
                       "(`dossier demo --list` describes them)")


def make_case(name: str | None, target: str | Path, model: ContentModel | None = None,
              cases: list[Case] | None = None) -> Path:
    """Make a new dossier file holding the case `name` (the default when None); all of it or nothing."""
    from .textform import import_dossier

    cases = cases or builtin_cases()
    case, target, model = find_case(name, cases), Path(target), model or default_model()
    if target.exists():
        raise DossierError(f"{target} already exists; choose a new file name")
    chain = _chain(case, cases)
    if len(chain) == 1:
        assert case.folder is not None
        return import_dossier(case.folder, target, model=model)
    with dossier_aside(target, "making") as temp_name:
        import_dossier(chain[0].folder, temp_name, model=model)  # type: ignore[arg-type]
        _apply(chain[1:], Path(temp_name), model)
    return target


def _chain(case: Case, cases: list[Case]) -> list[Case]:
    """The folder case at the root, then each case made from the one before, ending with `case`."""
    chain = [case]
    while chain[0].base:
        chain.insert(0, find_case(chain[0].base, cases))
    return chain


def _apply(changes: list[Case], path: Path, model: ContentModel) -> None:
    from .service import Dossier
    from .valuesfile import read_model_values

    with Dossier.open(path, model=model) as dossier:
        for case in changes:
            assert case.values is not None
            read = read_model_values(case.values, model)
            if read.problems:
                raise DossierError("; ".join(f"{read.place(p.line)}: {p.path}: {p.message}" for p in read.problems))
            dossier.set_many(read.values, who=f"built-in case {case.name}")
            for target, source in case.attach:
                dossier.attach(target, source, who=f"built-in case {case.name}")
            if case.title:
                dossier.store.set_title(case.title)
