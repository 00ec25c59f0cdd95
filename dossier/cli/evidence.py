"""The commands for shared evidence in standard form (docs/shared-evidence.md): natural-history data in,
GA4GH phenopackets out."""

from __future__ import annotations

from .common import EXIT_OK, FILE_ARG, JSON_ARG, add_command, print_json, printable


def cmd_import_natural_history(args) -> int:
    from ..natural_history import import_natural_history
    from ..service import Dossier

    with Dossier.open(args.file) as d:
        summary = import_natural_history(d, args.csv, append=args.append)
    if args.json:
        print_json({"imported": summary.imported, "patients": summary.patients, "age_unit": summary.age_unit,
                    "ages": [summary.age_low, summary.age_high],
                    "measures": [vars(s) for s in summary.measures]})
    else:
        for line in summary.lines():
            print(printable(line))
    return EXIT_OK


def cmd_export_phenopackets(args) -> int:
    from ..phenopacket_export import export_phenopackets
    from ..service import Dossier

    with Dossier.open(args.file, read_only=True) as d:
        written = export_phenopackets(d, args.dir)
    if args.json:
        print_json({"written": [str(p) for p in written]})
    else:
        for path in written:
            print(printable(f"Wrote {path}"))
    return EXIT_OK


def register(sub) -> None:
    add_command(sub, "export-phenopackets", cmd_export_phenopackets,
                "Export the patient as a de-identified GA4GH Phenopacket v2 (JSON).",
                FILE_ARG, (("dir",), {"help": "the folder to write into (made when missing)"}), JSON_ARG,
                description="Write one GA4GH Phenopacket v2 JSON file per patient into DIR (today a dossier holds "
                            "one patient): HPO phenotypes, the disease (OMIM/MONDO) with its onset, the variant(s) "
                            "as a genomic interpretation (HGVS, gene, allelic state, ACMG class) and the planned "
                            "treatment (product, route, starting dose). De-identified: no field marked as "
                            "protected health information is read, and the subject's id is a pseudonym derived "
                            "from the dossier's identity, the same on every export. Each file is checked by "
                            "reading it back with the phenopackets library and written atomically. A dossier "
                            "without a phenotype is refused (exit 2). See docs/shared-evidence.md.")
    add_command(sub, "import-natural-history", cmd_import_natural_history,
                "Import patient-level natural-history data (CSV) into the comparator's data.",
                FILE_ARG, (("csv",), {"help": "the CSV file: a header row naming id, age, age_unit, measure, value, "
                                              "unit; UTF-8 (BOM or not), comma or semicolon separated"}),
                (("--append",), {"action": "store_true",
                                 "help": "add to the cohort rows already there instead of replacing them"}),
                JSON_ARG,
                description="Read one measurement per line (id: the cohort member's pseudonymous id, never a name; "
                            "age with its age_unit, a time unit; measure: a measure of the comparator's measures "
                            "table, which gives the unit its values are kept in; value with its unit, converted to "
                            "that one). By default the external-control rows of the natural-history data are "
                            "REPLACED by the file's (the patient's own rows stay); --append adds to them. Each "
                            "imported measure's sample size and time span are set from the data. Any bad line: "
                            "every one is listed with its number and reason, nothing is imported, exit 2. "
                            "Prints the number of patients, measures and the spread (mean ± SD, median, range).")
