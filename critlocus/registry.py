"""Finding specs: the built-in catalogue (``critlocus.theorems``) and spec files on disk.

A spec file is any ``.py`` file; every :class:`~critlocus.spec.Spec` bound at module level
(or listed in a module-level ``SPECS``) is collected, in definition order.  A file that
fails to import is reported as an error for that file only; a malformed ``Spec(...)`` in it
(bad ``expected``, a claim that is not a Claim, …) is kept as an invalid spec and reported
as that spec's ``error`` while the file's other specs run (a file with no valid spec at
all is a load error naming each problem).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from critlocus.core.errors import SpecError

from .spec import Spec, collecting_invalid_specs

__all__ = [
    "LoadError",
    "SpecRef",
    "builtin_specs",
    "load_spec_file",
    "resolve",
    "select",
    "specs_in_module",
]


@dataclass(frozen=True)
class SpecRef:
    """A picklable handle on a spec: ``origin`` is ``"module"`` or ``"file"``."""

    origin: str
    location: str
    id: str


@dataclass(frozen=True)
class LoadError:
    """A module or file that could not be loaded, and why."""

    location: str
    message: str


def specs_in_module(module: ModuleType) -> list[Spec]:
    found: list[Spec] = []
    seen: set[int] = set()
    values = list(vars(module).values())
    extra = vars(module).get("SPECS", ())
    for value in [*values, *(extra if isinstance(extra, (list, tuple)) else ())]:
        if isinstance(value, Spec) and id(value) not in seen:
            seen.add(id(value))
            found.append(value)
    return found


def _check_unique(specs: list[Spec], where: str) -> None:
    ids = [s.id for s in specs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise SpecError(f"duplicate spec ids {dup} in {where}")


def builtin_specs() -> tuple[list[tuple[SpecRef, Spec]], list[LoadError]]:
    """Every spec of the catalogue modules, with errors for modules that fail to import."""
    from critlocus.theorems import MODULES

    out: list[tuple[SpecRef, Spec]] = []
    errors: list[LoadError] = []
    for name in MODULES:
        try:
            with collecting_invalid_specs():
                module = importlib.import_module(name)
            specs = specs_in_module(module)
            _check_unique(specs, name)
        except Exception as exc:
            errors.append(LoadError(name, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}"))
            continue
        out.extend((SpecRef("module", name, s.id), s) for s in specs)
    return out, errors


def load_spec_file(path: str | Path) -> list[Spec]:
    """Import a spec file and return its specs (raises :class:`SpecError` naming the file)."""
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise SpecError(f"spec file {str(path)!r} does not exist")
    if p.suffix != ".py":
        raise SpecError(f"spec file {str(path)!r} must be a Python file ending in .py")
    digest = hashlib.sha1(str(p).encode()).hexdigest()[:12]
    mod_name = f"critlocus_specfile_{p.stem}_{digest}"
    if mod_name in sys.modules:
        module = sys.modules[mod_name]
    else:
        spec = importlib.util.spec_from_file_location(mod_name, p)
        if spec is None or spec.loader is None:
            raise SpecError(f"cannot import spec file {str(p)!r}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        try:
            with collecting_invalid_specs():  # one malformed Spec(...) never hides the others
                spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[mod_name]
            tb = traceback.format_exc(limit=-3)
            raise SpecError(f"spec file {str(p)!r} failed to import: {type(exc).__name__}: {exc}\n{tb}") \
                from exc
    specs = specs_in_module(module)
    if not specs:
        raise SpecError(f"no Spec objects found in {str(p)!r}; define one at module level "
                        "(e.g. SPEC = critlocus.Spec(...))")
    if all(s.invalid for s in specs):  # nothing runnable: the file's error, not its specs'
        problems = "; ".join(s.invalid for s in specs)
        raise SpecError(f"spec file {str(p)!r} has no valid spec: {problems}")
    _check_unique(specs, str(p))
    return specs


def select(items: list[tuple[SpecRef, Spec]], only: list[str] | None) -> list[tuple[SpecRef, Spec]]:
    """Specs whose id equals, or starts with, one of ``only`` (all when ``only`` is empty)."""
    if not only:
        return items
    chosen: list[tuple[SpecRef, Spec]] = []
    for pattern in only:
        exact = [it for it in items if it[1].id == pattern]
        matches = exact or [it for it in items if it[1].id.startswith(pattern)]
        if not matches:
            known = ", ".join(s.id for _, s in items)
            raise SpecError(f"no spec matches {pattern!r}; known ids: {known}")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


def resolve(ref: SpecRef) -> Spec:
    """Load the spec a :class:`SpecRef` points to (used by worker processes)."""
    if ref.origin == "module":
        specs = specs_in_module(importlib.import_module(ref.location))
    elif ref.origin == "file":
        specs = load_spec_file(ref.location)
    else:
        raise SpecError(f"unknown spec origin {ref.origin!r}")
    for s in specs:
        if s.id == ref.id:
            return s
    raise SpecError(f"spec {ref.id!r} not found in {ref.location}")
