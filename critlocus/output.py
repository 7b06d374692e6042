"""Where a run's output goes: unique run ids, run directories and atomic file writes.

Layout (one directory per run, never overwritten)::

    reports/
      <run-id>/            results.json, report.md, report.html
      latest -> <run-id>   a symbolic link, replaced atomically at the end of each run

A run id is ``<command>-<UTC date>-<UTC time>-<4 hex digits>``, e.g.
``verify-20250101-120000-3fa2``; the directory is created with an exclusive ``mkdir``, so two
runs started in the same second (or in the same process) never share one.

Writes are atomic: the text goes to a temporary file in the destination's directory, is
flushed to disk and then renamed over the destination (``os.replace``), so a reader sees
either the old file or the complete new one, never a truncated file.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from critlocus.core.errors import CritlocusError

__all__ = ["LATEST", "atomic_write_bytes", "atomic_write_text", "new_run_dir", "new_run_id",
           "point_latest"]

LATEST = "latest"
_RUN_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def new_run_id(command: str = "run", *, now: datetime | None = None) -> str:
    """``<command>-YYYYMMDD-HHMMSS-xxxx`` (UTC; ``xxxx`` random hex, so ids sort by time and
    runs started in the same second still differ)."""
    if not command or not set(command) <= _RUN_NAME_CHARS:
        raise CritlocusError(f"run name {command!r} must be letters, digits, '-', '_' or '.'")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"{command}-{stamp}-{secrets.token_hex(2)}"


def new_run_dir(reports_dir: str | os.PathLike, command: str = "run") -> tuple[str, Path]:
    """Create a fresh, empty ``reports_dir/<run-id>/`` and return ``(run_id, path)``.

    The directory is made with an exclusive ``mkdir``: on the (rare) clash of two random
    suffixes a new id is drawn, so the directory always belongs to this run alone.
    """
    root = Path(reports_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CritlocusError(f"cannot create the reports directory {str(root)!r}: {exc}") from exc
    for _ in range(64):
        run_id = new_run_id(command)
        path = root / run_id
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise CritlocusError(f"cannot create the run directory {str(path)!r}: {exc}") from exc
        return run_id, path
    raise CritlocusError(f"could not find a free run id under {str(root)!r}")


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same directory, fsync,
    ``os.replace``).  Parent directories are created."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def point_latest(reports_dir: str | os.PathLike, run_dir: str | os.PathLike) -> Path:
    """Make ``reports_dir/latest`` point at ``run_dir`` (a relative symbolic link, swapped in
    atomically with ``os.replace``).  Where symbolic links are unavailable, ``latest`` is a
    text file holding the run directory's name."""
    root = Path(reports_dir)
    link = root / LATEST
    target = os.path.relpath(Path(run_dir).resolve(), root.resolve())
    tmp = root / f".{LATEST}.{secrets.token_hex(4)}"
    try:
        os.symlink(target, tmp, target_is_directory=True)
    except (OSError, NotImplementedError):
        return atomic_write_text(link, target + "\n")
    try:
        if link.is_dir() and not link.is_symlink():
            raise CritlocusError(f"{str(link)!r} is a directory, not the 'latest' link; remove it")
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return link
