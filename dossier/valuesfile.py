"""Read a values file for `dossier set FILE --from VALUES.yaml|.json`: field paths → values as written,
each with the line it was written on, so that every refusal can say where to look.

The file is one mapping. Keys are field paths (`area.section.field: …`), or parts of one with the
rest nested below (`area: {section: {field: …}}`), or one table cell (`….studies[0].readout: …`,
also `….studies[0]: {readout: …}` for several cells of one row). A table is a list of row mappings. An
empty value clears the field. A repeated section's fields name their instance (`area.section[1].name:
…`, also `area.section[1]: {name: …}`), or the section is a list of instances, each a mapping of its
fields (`area: {section: [{name: Editor mRNA, …}, {name: Guide RNA, …}]}`).

YAML scalars are kept as the text that was written (only an empty value or `null` means nothing): the
field's type reads them (`coerce`), so `1.10` stays `1.10` in a text field and `yes` is not turned into
true behind the user's back. A JSON file is read by `json` (its types are explicit) and composed by
the YAML parser too, for the line of each value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.representer import SafeRepresenter

from .errors import DossierError
from .fieldpath import FieldPath, section_instance

if TYPE_CHECKING:
    from .model import ContentModel

_NULL = "tag:yaml.org,2002:null"
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_MAX_DEPTH = 40  # far beyond any field (a table row's number mapping is 5 deep); stops a nesting bomb
_MAX_NODES = 500_000  # aliases may repeat one subtree many times over; a real file is a few thousand
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file itself (not with a value for its field): where and what."""
    line: int | None
    path: str
    message: str


@dataclass
class ValuesFile:
    """The values of one file, path → value as written, and the line of every path and sub-path in it."""
    path: Path
    values: dict[str, Any] = dc_field(default_factory=dict)
    problems: list[Problem] = dc_field(default_factory=list)
    lines: dict[str, int | None] = dc_field(default_factory=dict)

    def line_of(self, where: str) -> int | None:
        """The line of a value, a cell or a part of one (`t[2].dose`, `p.email`); else of the first part
        given of it (a row given cell by cell); else of what holds it."""
        while where:
            if where in self.lines:
                return self.lines[where]
            inside = [line for path, line in self.lines.items()
                      if line is not None and path.startswith((where + ".", where + "["))]
            if inside:
                return min(inside)
            cut = max(where.rfind("."), where.rfind("["))
            where = where[:cut] if cut > 0 else ""
        return None

    def place(self, line: int | None) -> str:
        """`VALUES.yaml:12` (or the bare file name when the line is not known)."""
        return f"{self.path.name}:{line}" if line else self.path.name


class _Walk:
    """Turns composed YAML nodes into plain values, noting the line of every path on the way."""

    def __init__(self, out: ValuesFile, from_json: bool):
        self.out, self.from_json, self.nodes = out, from_json, 0

    def value(self, node: yaml.Node, path: str, data: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if depth > _MAX_DEPTH or self.nodes > _MAX_NODES:
            raise _TooBig(node)
        self.out.lines.setdefault(path, _line(node))
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = self.key(key_node, path)
                if key is None:
                    continue
                sub = f"{path}.{key}"
                self.out.lines[sub] = _line(key_node)
                result[key] = self.value(value_node, sub, self.part(data, key), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, f"{path}[{i}]", self.part(data, i), depth + 1)
                    for i, item in enumerate(node.value)]
        if self.from_json:
            return data
        return None if node.tag == _NULL else node.value

    def part(self, data: Any, key: str | int) -> Any:
        if not self.from_json:
            return None
        try:
            return data[key]
        except (KeyError, IndexError, TypeError):
            raise _Mismatch from None

    def key(self, node: yaml.Node, path: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.value.strip():
            return node.value.strip()
        self.out.problems.append(Problem(_line(node), path, "a key must be a field path or name, written as text"))
        return None


class _TooBig(Exception):
    """A value nested deeper, or larger, than any field's: `node` is where the walk stopped."""

    def __init__(self, node: yaml.Node):
        self.node = node


class _Mismatch(Exception):
    """The YAML parser read a JSON file otherwise than `json` did (only in odd escapes): lines are left out."""


def read_model_values(path: str | Path, model: ContentModel) -> ValuesFile:
    """read_values with what the content model has: its fields, tables and repeated sections."""
    return read_values(path, model.fields, [p for p, f in model.fields.items() if f.type == "table"],
                       [s.path for s in model.sections() if s.repeat])


def read_values(path: str | Path, field_paths: Iterable[str], table_paths: Iterable[str] = (),
                repeated_sections: Iterable[str] = ()) -> ValuesFile:
    """Read a values file into path → value as written (field paths, and `table[i].column` cells).

    `field_paths` are the content model's fields; `table_paths` those that are tables (so that
    `table[i]: {column: …}` is taken apart into its cells); `repeated_sections` the sections that repeat
    (so that `section[i]: {field: …}` and a list of instances are taken apart into their fields). Problems
    with the file itself (malformed YAML or JSON, a path given twice, a key that is not text) are collected
    in `problems`; whether a path is a field and whether a value fits it is for the dossier to say
    (Dossier.set_many).
    Raises DossierError only when the file cannot be read at all.
    """
    path = Path(path)
    out = ValuesFile(path)
    text = _read_text(path)
    from_json = path.suffix.lower() == ".json"
    data = None
    if from_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            out.problems.append(Problem(exc.lineno, "", f"not valid JSON: {exc.msg} (column {exc.colno})"))
            return out
    model = _Known(set(field_paths), set(table_paths), set(repeated_sections))
    root = _compose(text, out, from_json)
    try:
        _flatten(out, root, model, from_json, data)
    except _Mismatch:
        root = None
    if root is None and from_json:
        # Valid JSON that the YAML parser reads otherwise (a key over 1024 characters, an odd escape): the
        # values as json read them, without lines.
        out = ValuesFile(path)
        _flatten(out, SafeRepresenter(sort_keys=False).represent_data(data), model, True, data)
        out.lines.clear()
    if not out.values and not out.problems:
        out.problems.append(Problem(None, "", "the file holds no values; write one `field.path: value` a line"))
    return out


@dataclass(frozen=True)
class _Known:
    """What the content model has: field paths, the tables among them, the sections that repeat."""
    fields: set[str]
    tables: set[str]
    repeated: set[str]


def _flatten(out: ValuesFile, root: yaml.Node | None, model: _Known, from_json: bool, data: Any) -> None:
    if root is None:
        return
    if not isinstance(root, yaml.MappingNode):
        out.problems.append(Problem(_line(root), "", "the file must be a mapping of field paths to values, e.g. "
                                                     "`area.section.field: value` (`dossier fields FILE` lists them)"))
        return
    _Flatten(out, model, from_json).mapping(root, "", data)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DossierError(f"{path} does not exist; give the YAML or JSON file that holds the values") from None
    except OSError as exc:
        raise DossierError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DossierError(f"{path.name}:{line}: the file is not UTF-8 text; save it as UTF-8") from None


def _compose(text: str, out: ValuesFile, from_json: bool) -> yaml.Node | None:
    # Valid JSON holds tabs only between tokens (a tab inside a string is escaped), where YAML refuses them;
    # and YAML refuses the escapes of a character beyond U+FFFF (a surrogate pair): the values come from
    # `json`, so each such pair is composed as one stand-in character.
    source = _SURROGATE_PAIR.sub(r"\1\\ufffd", text.replace("\t", " ")) if from_json else text
    try:
        return yaml.compose(source, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        if from_json:
            return None  # read by json already; composed again without lines by the caller
        mark = exc.problem_mark or exc.context_mark
        out.problems.append(Problem(mark.line + 1 if mark else None, "", f"not valid YAML: {_yaml_reason(exc)}"))
    except yaml.YAMLError as exc:
        out.problems.append(Problem(None, "", f"not valid YAML: {exc}"))
    except RecursionError:
        out.problems.append(Problem(None, "", "the file is nested too deeply to be a values file"))
    return None


def _yaml_reason(exc: yaml.MarkedYAMLError) -> str:
    context = exc.context or ""
    if context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        context += f" (from line {exc.context_mark.line + 1})"
    return ": ".join(p for p in (context, exc.problem) if p) or str(exc)


def _line(node: yaml.Node) -> int | None:
    return node.start_mark.line + 1 if node.start_mark else None


class _Flatten:
    """Walks the top mapping: a key that is a field or a cell ends a path; a key that starts field paths
    and holds a mapping goes on into it; anything else is given to the dossier as it is (it will say
    that no such field exists, naming the fields nearby)."""

    def __init__(self, out: ValuesFile, model: _Known, from_json: bool):
        self.out, self.fields, self.tables, self.repeated = out, model.fields, model.tables, model.repeated
        self.prefixes = {p[:i] for p in self.fields for i, c in enumerate(p) if c == "."}
        self.walk = _Walk(out, from_json)

    def mapping(self, node: yaml.MappingNode, prefix: str, data: Any) -> None:
        for key_node, value_node in node.value:
            key = self.walk.key(key_node, prefix or "(top)")
            if key is None:
                continue
            path = f"{prefix}.{key}" if prefix else key
            try:
                self.entry(path, key_node, value_node, self.walk.part(data, key))
            except _TooBig as exc:
                self.out.problems.append(Problem(_line(exc.node), path, "nested too deeply or too large (aliases "
                                                                        "repeating a part many times?)"))

    def entry(self, path: str, key_node: yaml.Node, node: yaml.Node, data: Any) -> None:
        cell = FieldPath.match(path)
        row = cell is not None and cell.row is not None and cell.field_path in self.tables and not cell.part
        if path in self.repeated and isinstance(node, yaml.SequenceNode):
            self.instances(path, node, data)
            return
        if isinstance(node, yaml.MappingNode) and (row or self.is_instance(path) or
                                                   (path not in self.fields and path in self.prefixes)):
            self.out.lines.setdefault(path, _line(key_node))
            self.mapping(node, path, data)  # a section's fields, or a row's cells (each as table[i].column)
        elif path in self.prefixes and path not in self.fields:
            example = min(f for f in self.fields if f.startswith(path + "."))
            self.out.problems.append(Problem(_line(key_node), path, "this is a part of the content model, not a "
                                             f"field: give its fields, e.g. {example}: …, or nested below it"))
        else:
            self.put(path, _line(key_node), self.walk.value(node, path, data))

    def is_instance(self, path: str) -> bool:
        """Whether `path` is one instance of a repeated section (`area.section[1]`)."""
        found = section_instance(path)
        return found is not None and found[0] in self.repeated

    def instances(self, path: str, node: yaml.SequenceNode, data: Any) -> None:
        """A repeated section given as a list of its instances, each a mapping of its fields."""
        for i, item in enumerate(node.value):
            sub = f"{path}[{i}]"
            self.out.lines.setdefault(sub, _line(item))
            if not isinstance(item, yaml.MappingNode):
                self.out.problems.append(Problem(_line(item), sub, "an instance is a mapping of its fields, e.g. "
                                                                   f"- {{{self.first_field(path)}: …}}"))
                continue
            self.mapping(item, sub, self.walk.part(data, i))

    def first_field(self, section: str) -> str:
        return min(f for f in self.fields if f.startswith(section + ".")).rpartition(".")[2]

    def put(self, path: str, line: int | None, value: Any) -> None:
        if path in self.out.values:
            first = self.out.lines.get(path)
            self.out.problems.append(Problem(line, path, f"given twice (also on line {first}); keep one"))
            return
        self.out.values[path] = value
        self.out.lines[path] = line
