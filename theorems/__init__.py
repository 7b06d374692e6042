"""critlocus.theorems — the catalogue's claims as declarative specs, one package per paper.

- :mod:`critlocus.theorems.cooper` — Cooper, *The critical locus of overparameterized neural
  networks* (arXiv 2005.04210); spec ids ``cooper.*``, one module per section.
- :mod:`critlocus.theorems.tkb` — Trager–Kohn–Bruna, *Pure and Spurious Critical Points*
  (ICLR 2020); spec ids ``tkb.*``.

Spec ids are the catalogue ids.  :func:`spec_modules` lists every module that holds specs:
a new section module is picked up without registering it anywhere.
"""

from __future__ import annotations

import pkgutil

PAPERS = ("critlocus.theorems.cooper", "critlocus.theorems.tkb")


def spec_modules() -> tuple[str, ...]:
    """The modules of every paper package (sorted: §3 before §4, …), without importing them."""
    import importlib

    names: list[str] = []
    for package in PAPERS:
        pkg = importlib.import_module(package)
        names.extend(sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)
                            if not m.name.startswith("_")))
    return tuple(names)


MODULES = spec_modules()
