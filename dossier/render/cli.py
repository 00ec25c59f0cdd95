"""`dossier render`: write every document of a dossier in Word and PDF."""

from __future__ import annotations

from pathlib import Path


def cmd_render(args) -> int:
    from ..service import Dossier
    from . import render_all, snapshot

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    with Dossier.open(args.file) as dossier:
        inp = snapshot(dossier)
    results = render_all(inp, Path(args.out), formats=formats, draft=args.draft,
                         progress=lambda done, total, doc: print(f"[{done}/{total}] {doc}"))
    count = sum(len(files) for files in results.values())
    print(f"Wrote {count} file(s) to {args.out}" + (" (draft)" if args.draft else ""))
    return 0


def register(sub) -> None:
    from ..cli import EPILOG

    p = sub.add_parser("render", help="Write every document in Word and PDF.", epilog=EPILOG,
                       description="Write every document of the dossier in Word (.docx) and PDF.")
    p.add_argument("file", help="the dossier file")
    p.add_argument("--out", required=True, help="the folder to write the documents to")
    p.add_argument("--format", default="docx,pdf", help="docx, pdf or both (default docx,pdf)")
    p.add_argument("--draft", action="store_true", help="mark every page DRAFT; allowed with readiness errors")
    p.set_defaults(func=cmd_render)
