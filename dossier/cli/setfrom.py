"""`dossier set FILE --from VALUES.yaml|.json`: many values in one transaction. Every refusal is listed
with its line in the values file, and when there is any, nothing is written (exit 2)."""

from __future__ import annotations

import sys

from .common import EXIT_OK, EXIT_USAGE


def set_from(file: str, values_path: str) -> int:
    from ..errors import RefusedValuesError
    from ..model import default_model
    from ..service import Dossier
    from ..valuesfile import read_model_values

    # read before the dossier is opened (with the model Dossier.open uses): a bad file touches nothing
    values = read_model_values(values_path, default_model())
    refusals = [(p.line, p.path, p.message) for p in values.problems]
    if refusals and not values.values:
        return _refuse(file, values, refusals)
    with Dossier.open(file) as d:
        try:
            if refusals:  # the file itself has problems: the values are still checked, to list them all at once
                d.validate_many(values.values)
                return _refuse(file, values, refusals)
            changed = d.set_many(values.values)
        except RefusedValuesError as exc:
            return _refuse(file, values, refusals + [(values.line_of(e.field), e.field, e.problem) for e in exc.errors])
    for path in changed:
        print(f"{path}: saved")
    print(f"{len(values.values)} value(s) from {values.path.name}: {len(changed)} field(s) changed, "
          "in one transaction")
    return EXIT_OK


def _refuse(file: str, values, refusals: list[tuple[int | None, str, str]]) -> int:
    refusals.sort(key=lambda r: (r[0] is None, r[0] or 0))
    for line, path, message in refusals:
        print(f"{values.place(line)}: {f'{path}: ' if path else ''}{message}", file=sys.stderr)
    print(f"error: {len(refusals)} problem(s) in {values.path.name}; nothing was written to {file}. Fix them and "
          "run the command again.", file=sys.stderr)
    return EXIT_USAGE
