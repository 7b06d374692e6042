"""Checks made before any computation: can this run write its outputs?

A run may take hours; a report it cannot write must be refused in the first second, not
after the computation.  Each check *tries* the operation (creating and removing a probe
file), so it also catches what permission bits do not show: a read-only file system, a
full disk's directory, running as root on a read-only mount.

Decisions (documented in ``docs/errors.md``):

- ``--reports-dir DIR`` is created when missing (with its parents) once the run writes its
  report: it is the run's output folder.  It must be a directory in which files can be
  created, or creatable in its nearest existing ancestor.
- ``--json PATH`` / ``--markdown PATH`` name files: their directory must already exist —
  critlocus never creates folders for them (a typo such as ``/nonexistent/x.json`` is an
  error, not a new ``/nonexistent``).  An existing file there is replaced atomically at the
  end of the run; a directory at that path is an error.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from critlocus.core.errors import CritlocusError

__all__ = ["OutputPathError", "check_output_file", "check_reports_dir"]


class OutputPathError(CritlocusError):
    """An output path cannot be written (the message names it and says why)."""


def _probe(directory: Path, option: str) -> None:
    """Create and remove a file in ``directory``; raise :class:`OutputPathError` if that fails."""
    try:
        fd, name = tempfile.mkstemp(prefix=".critlocus-probe-", dir=directory)
    except OSError as exc:
        raise OutputPathError(f"{option} {str(directory)!r} is not writable: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(name)


def check_reports_dir(path: str | os.PathLike, *, option: str = "--reports-dir") -> Path:
    """Make sure ``path`` is a writable directory or can be created as one (it is created
    when the run writes its report, so a run refused for another reason leaves nothing)."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise OutputPathError(f"{option} {str(p)!r} is a file, not a directory")
    if p.exists():
        _probe(p, option)
        return p
    ancestor = next((a for a in p.absolute().parents if a.exists()), None)
    if ancestor is None or not ancestor.is_dir():
        raise OutputPathError(f"{option} {str(p)!r} cannot be created" + _blocking_file_hint(p.absolute()))
    try:  # the folders it needs can be made there
        os.rmdir(tempfile.mkdtemp(prefix=".critlocus-probe-", dir=ancestor))
    except OSError as exc:
        raise OutputPathError(f"{option} {str(p)!r} cannot be created in {str(ancestor)!r}: "
                              f"{exc.strerror or exc}") from None
    return p


def check_output_file(path: str | os.PathLike, *, option: str) -> Path:
    """Make sure a file can be written at ``path`` (its directory must exist already)."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise OutputPathError(f"{option} {str(p)!r} is a directory; give a file name")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise OutputPathError(f"{option} {str(p)!r}: directory {str(parent)!r} does not exist "
                              "(critlocus does not create folders for output files; create it first)"
                              + _blocking_file_hint(parent))
    if not parent.is_dir():
        raise OutputPathError(f"{option} {str(p)!r}: {str(parent)!r} is a file, not a directory")
    _probe(parent, option)
    return p


def _blocking_file_hint(p: Path) -> str:
    """``"; '/a/b' is a file"`` when an ancestor of ``p`` is a regular file."""
    for ancestor in p.parents:
        if ancestor.exists():
            return "" if ancestor.is_dir() else f"; {str(ancestor)!r} is a file, not a directory"
    return ""
