"""`dossier render FILE --out DIR [--format docx,pdf] [--draft]`: write every document of a dossier."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import EXIT_FINDINGS, EXIT_OK, FILE_ARG, add_command


def cmd_render(args) -> int:
    from ..render import NotReadyError, RenderJob, default_workers, snapshot, user_cache_dir
    from ..service import Dossier

    formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    with Dossier.open(args.file, read_only=True) as dossier:
        inp = snapshot(dossier)
    try:
        job = RenderJob(inp, draft=args.draft, formats=formats, out_dir=Path(args.out),
                        cache=None if args.no_cache else user_cache_dir(), workers=args.jobs or default_workers())
        job.start()
        results = job.finish(progress=lambda done, total, doc: print(f"[{done}/{total}] {doc}", flush=True))
    except NotReadyError as exc:
        print(f"error: a final render needs a dossier without readiness errors; {len(exc.errors)} remain:",
              file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        print("Fix them (`dossier check FILE` shows where), or render a draft with --draft.", file=sys.stderr)
        return EXIT_FINDINGS
    count = sum(len(files) for files in results.values())
    print(f"Wrote {count} file(s) for {len(results)} document(s) to {args.out}" + (" (draft)" if args.draft else "")
          + f": {job.rendered} rendered, {job.reused} taken from the render cache")
    return EXIT_OK


def register(sub) -> None:
    add_command(sub, "render", cmd_render, "Write every document in Word and PDF.", FILE_ARG,
                (("--out",), {"required": True, "help": "the folder to write the documents to (made if missing)"}),
                (("--format",), {"default": "docx,pdf", "help": "docx, pdf or docx,pdf (default)"}),
                (("--draft",), {"action": "store_true",
                                "help": "mark every page DRAFT; allowed with readiness errors"}),
                (("--jobs",), {"type": int, "default": 0, "metavar": "N",
                               "help": "render in up to N processes where that pays (default: one per CPU)"}),
                (("--no-cache",), {"action": "store_true",
                                   "help": "render every document again instead of taking unchanged ones from the "
                                           "render cache (in the user's cache folder, or $DOSSIER_CACHE_DIR)"}),
                description="Write every document of the dossier in Word (.docx) and PDF, named as in the "
                            "submission. A final render refuses while readiness errors remain.")
