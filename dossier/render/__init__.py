"""Documents: every submission document in Word and PDF from one template each.

A template (Jinja2, sandboxed) produces one document tree; a DOCX writer and a PDF writer render
that same tree, so both formats hold the same content (dossier.render.document). Every rendering
of a dossier's documents — `dossier render`, the build, the desktop app — goes through one engine
(dossier.render.engine), with the render cache (dossier.render.cache) as its option.

    inp = snapshot(dossier)
    render_document(inp, "cover-letter", Path("out"))   # out/cover-letter.docx, out/cover-letter.pdf
    render_all(dossier, Path("out"), cache=user_cache_dir())   # every document; unchanged ones from the cache
"""

from ..errors import NotReadyError
from .cache import RenderCache, user_cache_dir
from .document import (
                       FORMATS,
                       RENDERER_VERSION,
                       RenderInput,
                       build_tree,
                       check_formats,
                       document_key,
                       header_text,
                       render_document,
                       snapshot,
)
from .engine import RenderJob, default_workers, render_all

__all__ = ["FORMATS", "RENDERER_VERSION", "NotReadyError", "RenderCache", "RenderInput", "RenderJob", "build_tree",
           "check_formats", "default_workers", "document_key", "header_text", "render_all", "render_document",
           "snapshot", "user_cache_dir"]
