"""critlocus.theorems — the catalogue's claims as declarative specs, one module per paper.

- :mod:`critlocus.theorems.cooper` — Cooper, *The critical locus of overparameterized neural
  networks* (arXiv 2005.04210); spec ids ``cooper.*``.

Spec ids are the catalogue ids of ``claims.md``.
"""

MODULES = ("critlocus.theorems.cooper",)
