"""Typed errors whose messages a user can act on; the CLI and the UI show them as they are."""

import errno


class DossierError(Exception):
    """Something the user can fix: the message says what is wrong and how to fix it."""


class Cancelled(DossierError):
    """The user stopped a long operation (render, build); nothing was written at its final path.
    Recognise it by type, never by its message."""


class NotReadyError(DossierError):
    """A final render or build was asked for while readiness errors remain; `findings` holds them
    and `errors` lists them as "field: message"."""

    def __init__(self, findings: list, doing: str = "build"):
        self.findings = list(findings)
        self.errors = [f"{f.field}: {f.message.rstrip('.')}" for f in self.findings]  # joined by '; ', not '.;'
        shown = "; ".join(self.errors[:5]) + (f"; and {len(self.errors) - 5} more" if len(self.errors) > 5 else "")
        super().__init__(f"a final {doing} needs a dossier without readiness errors; {len(self.errors)} remain "
                         f"({shown}). Fix them (`dossier check FILE` shows where), or make a draft (--draft)")


class ModelError(DossierError):
    """The content model file is malformed (names the file, the place and the reason)."""


class FieldError(DossierError):
    """A value does not fit its field."""

    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class UnknownFieldError(FieldError):
    """A field path that the content model does not define."""


class DossierFileError(DossierError):
    """A dossier file cannot be used as it is."""


class NotADossierError(DossierFileError):
    """The file is not a dossier (not SQLite, or SQLite of some other program)."""


class DamagedFileError(DossierFileError):
    """The dossier file failed its integrity check."""


class NewerVersionError(DossierFileError):
    """The file was written by a newer version of Dossier Builder."""


class ReadOnlyFileError(DossierFileError):
    """The dossier (or its folder) cannot be written: a read-only disk, share or permissions. It can still be read."""


class DiskFullError(DossierFileError):
    """The disk ran out of space part way through a change; the change was undone and nothing was lost."""


class FileInUseError(DossierFileError):
    """Another program (or another window) has the dossier open for writing."""


class ImportFormatError(DossierError):
    """A text-form folder that cannot be imported."""


class BadLinesError(ImportFormatError):
    """Lines of an imported file that cannot be taken, each `(line number, reason)`; nothing was imported."""

    def __init__(self, source: str, lines: list[tuple[int, str]]):
        self.lines = list(lines)
        listed = "\n".join(f"  line {n}: {reason}" for n, reason in self.lines)
        super().__init__(f"{source}: {len(self.lines)} bad line(s), so nothing was imported; fix them and "
                         f"import again:\n{listed}")


class OutputError(DossierError):
    """A file or folder could not be written (read-only place, no permission, full disk)."""


def output_error(exc: OSError, where: object = None) -> OutputError:
    """The user's words for an OSError met while writing output (a render, build or export folder)."""
    where = where or exc.filename or "the output folder"
    if exc.errno == errno.ENOSPC:
        return OutputError(f"the disk is full while writing {where}; nothing was put in place: free some space and "
                           "try again")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return OutputError(f"cannot write {where}: {exc.strerror or exc}; choose a folder you can write to "
                           "(nothing was put in place)")
    return OutputError(f"cannot write {where}: {exc.strerror or exc}")


class RefusedValuesError(DossierError):
    """Some of many values set together were refused, so none was stored; `errors` holds every one
    (FieldError, with its path) for the caller to list."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        shown = "; ".join(str(e) for e in self.errors[:5]) + (f"; and {len(self.errors) - 5} more"
                                                               if len(self.errors) > 5 else "")
        super().__init__(f"{len(self.errors)} value(s) refused, so nothing was saved: {shown}")
