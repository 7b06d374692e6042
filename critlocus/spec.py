"""The declarative spec format: one claim of one paper (or one conjecture), stated once.

A :class:`Spec` says *what* is claimed — id, source, statement in words and as a formula,
hypotheses, the strategy generating instances, the claim and the expected outcome — and
nothing about *how* it is checked; the runner (:mod:`critlocus.runner`) and the claims'
numerics (:mod:`critlocus.claims`, :mod:`critlocus.core`) do that.

A spec file is any ``.py`` file defining :class:`Spec` objects at module level::

    from critlocus import Spec, Source, claims, strategies

    SPEC = Spec(
        id="mine.core-no-positive",
        source=Source("conjecture"),
        statement="Core points have no positive Hessian eigenvalue.",
        formula="p ∈ C  ⇒  n₊(Hess L(p)) = 0",
        hypotheses=("σ smooth, σ(0) = 0", "L2 loss"),
        instances=strategies.core_locus_instances(max_depth=5, max_width=6),
        claim=claims.hessian_inertia(positive=0),
    )
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from critlocus.core.errors import SpecError
from critlocus.core.instance import Instance, LandscapeInstance
from critlocus.core.verdict import Outcome

from .claims import Claim

__all__ = ["EXPECTED", "KINDS", "Source", "Spec", "collecting_invalid_specs"]

KINDS = ("theorem", "corollary", "lemma", "proposition", "example", "definition", "conjecture",
         "literal", "false-variant")
EXPECTED = ("holds", "fails")
# the en dash is allowed for catalogue ranges such as "cooper.defs5.1–5.6"
_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-–]*$")
_HERE = os.path.abspath(__file__)
_COLLECTING: contextvars.ContextVar[bool] = contextvars.ContextVar("critlocus_collecting", default=False)


@contextlib.contextmanager
def collecting_invalid_specs() -> Iterator[None]:
    """While loading a spec file or catalogue module: a malformed :class:`Spec` does not
    raise but is kept with its error in :attr:`Spec.invalid`, so one bad spec is reported as
    ``error`` and the file's other specs still run."""
    token = _COLLECTING.set(True)
    try:
        yield
    finally:
        _COLLECTING.reset(token)


def _caller() -> dict:
    """Where the Spec(...) call is: the first frame outside this module and dataclasses."""
    frame = sys._getframe(2)
    while frame is not None and (frame.f_code.co_filename in (_HERE, "<string>")
                                 or frame.f_code.co_filename.endswith("dataclasses.py")):
        frame = frame.f_back
    if frame is None:
        return {}
    module = frame.f_globals.get("__name__", "")
    where = {"line": frame.f_lineno}
    if module.startswith("critlocus.") or module == "critlocus":
        where["module"] = module
    else:
        where["file"] = os.path.abspath(frame.f_code.co_filename)
    return where


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: ``paper`` (e.g. ``"Cooper 2020"``), ``result`` (e.g.
    ``"Theorem 3.2"``), ``section`` and the catalogue's provenance ``tags`` (SRC, REC, VER, UNC)."""

    paper: str
    result: str = ""
    section: str = ""
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.paper, str) or not self.paper.strip():
            raise SpecError(f"Source paper must be a non-empty string (e.g. 'Cooper 2020'), "
                            f"got {self.paper!r}")
        for name in ("result", "section"):
            if not isinstance(getattr(self, name), str):
                raise SpecError(f"Source {name} must be a string, got {getattr(self, name)!r}")
        tags = (self.tags,) if isinstance(self.tags, str) else self.tags
        try:
            tags = tuple(tags)
        except TypeError:
            raise SpecError(f"Source tags must be a sequence of strings, got {self.tags!r}") from None
        if not all(isinstance(t, str) for t in tags):
            raise SpecError(f"Source tags must be strings, got {self.tags!r}")
        object.__setattr__(self, "tags", tags)

    def __str__(self) -> str:
        parts = [self.paper, self.result, self.section]
        return ", ".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {"paper": self.paper, "result": self.result, "section": self.section,
                "tags": list(self.tags)}


@dataclass(frozen=True, eq=False)
class Spec:
    """One checkable claim.

    - ``id``: the catalogue id (``"cooper.thm3.2"``); letters, digits, ``._-``.
    - ``source``: a :class:`Source` (or a string, taken as the paper).
    - ``statement`` / ``formula``: the claim in words and in symbols.
    - ``hypotheses``: the assumptions, in words (the strategy enforces them).
    - ``instances``: a Hypothesis strategy of :class:`~critlocus.core.instance.Instance`, or
      one concrete instance or a list of them (e.g. from :func:`critlocus.concrete_instance`;
      drawn with ``sampled_from``).  It may be omitted when ``examples`` are given: then
      exactly those instances are checked.
    - ``claim``: a :class:`~critlocus.claims.Claim` checked on every instance.
    - ``expected``: ``"holds"`` for a theorem or conjecture, ``"fails"`` for a statement known
      to be false (the framework must refute it).
    - ``kind``: one of :data:`KINDS`; by default ``"theorem"`` for the catalogue
      (``critlocus.theorems``) and ``"conjecture"`` for a spec defined anywhere else.
    - ``notes``: readings, uncertainties, corrections.
    - ``target``: optional ``(instance, outcome) -> float`` passed to ``hypothesis.target`` to
      steer the search (e.g. toward small spectral gaps).
    - ``examples``: concrete instances always checked first (Hypothesis's explicit phase), e.g.
      a regression example or the points of a grid; the search still runs after them.
    - ``examples_scale``: this spec checks ``max(1, round(examples_scale × requested))``
      generated instances (``< 1`` for specs whose instances are expensive, e.g. a multistart
      critical-point search per instance); the report states the number checked.
    - ``summarize``: optional ``[(instance, outcome), …] -> dict`` called once after the search
      with every instance checked (not the shrink phase's); it returns what the report shows
      beside the verdict: ``{"tables": [{"title", "columns", "rows"}], "series": [{"title",
      "x_label", "y_label", "x", "lines": {label: values}, "log_y"}], "notes": [str]}`` (every
      key optional; JSON-able values).  Used for measured-vs-predicted tables and growth plots.
    - ``certify``: the claim is an exact count (an inertia, a rank, a number of zero
      eigenvalues): when python-flint is installed the ladder gains the ``certified`` tier right
      after float64 for this spec (as ``--certify`` does for a whole run), and the report shows
      which checks were proved; without python-flint the ladder is unchanged.
    """

    id: str
    source: Source | str
    statement: str
    instances: SearchStrategy[Instance] | Instance | Sequence[Instance] | None = None
    claim: Claim | None = None
    formula: str = ""
    hypotheses: tuple[str, ...] = ()
    expected: str = "holds"
    kind: str | None = None
    title: str = ""
    notes: str = ""
    target: Callable[[Instance, Outcome], float] | None = field(default=None, repr=False)
    examples: Sequence[Instance] = ()
    examples_scale: float = 1.0
    summarize: Callable[[Sequence[tuple[Instance, Outcome]]], dict] | None = field(default=None, repr=False)
    certify: bool = False
    #: why this spec is malformed (only while loading a file; see collecting_invalid_specs)
    invalid: str | None = field(default=None, init=False, repr=False)
    #: where the spec is defined: {"module" or "file", "line"}
    defined_in: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        where = _caller()
        object.__setattr__(self, "defined_in", where)
        if self.kind is None:
            object.__setattr__(self, "kind", "theorem" if "module" in where else "conjecture")
        try:
            self._validate()
        except SpecError as exc:
            if not _COLLECTING.get():
                raise
            object.__setattr__(self, "invalid", str(exc))
            if not isinstance(self.id, str) or not _ID.match(self.id):
                object.__setattr__(self, "id", f"invalid-spec-line-{where.get('line', 0)}")
            if not isinstance(self.source, Source):
                object.__setattr__(self, "source", Source(str(self.source)))
            if not isinstance(self.statement, str):
                object.__setattr__(self, "statement", repr(self.statement))
            if self.expected not in EXPECTED:
                object.__setattr__(self, "expected", "holds")
            if self.kind not in KINDS:
                object.__setattr__(self, "kind", "conjecture")

    def _validate(self) -> None:
        where = f"spec {self.id!r}"
        if not isinstance(self.id, str) or not _ID.match(self.id):
            raise SpecError(f"spec id {self.id!r} must be a non-empty string of letters, digits, '._-–'")
        if isinstance(self.source, str):
            object.__setattr__(self, "source", Source(self.source))
        elif not isinstance(self.source, Source):
            raise SpecError(f"{where}: source must be a Source or a string, got {self.source!r}")
        if not isinstance(self.statement, str) or not self.statement.strip():
            raise SpecError(f"{where}: statement must be a non-empty string")
        if isinstance(self.examples, LandscapeInstance):
            object.__setattr__(self, "examples", (self.examples,))
        object.__setattr__(self, "examples_only", False)
        if self.instances is None and self.examples:
            try:
                object.__setattr__(self, "instances", st.sampled_from(tuple(self.examples)))
                object.__setattr__(self, "examples_only", True)
            except TypeError:
                pass  # reported below, with the examples' own message
        elif isinstance(self.instances, LandscapeInstance):
            object.__setattr__(self, "instances", st.sampled_from((self.instances,)))
        elif (isinstance(self.instances, (list, tuple)) and self.instances
              and all(isinstance(i, LandscapeInstance) for i in self.instances)):
            object.__setattr__(self, "instances", st.sampled_from(tuple(self.instances)))
        if not isinstance(self.instances, SearchStrategy):
            raise SpecError(f"{where}: instances must be a Hypothesis strategy of Instance objects "
                            "(or concrete instances, e.g. critlocus.concrete_instance(...)), "
                            f"got {type(self.instances).__name__}")
        if _is_empty(self.instances):
            raise SpecError(f"{where}: no instance can satisfy its hypotheses: the instances strategy "
                            f"{self.instances!r} is empty (it can never generate a value)")
        for name in ("formula", "title", "notes"):
            if not isinstance(getattr(self, name), str):
                raise SpecError(f"{where}: {name} must be a string, got {getattr(self, name)!r}")
        if not isinstance(self.claim, Claim):
            raise SpecError(f"{where}: claim must be a critlocus.claims.Claim, got "
                            f"{type(self.claim).__name__}; build one with critlocus.claims")
        if self.expected not in EXPECTED:
            raise SpecError(f"{where}: expected must be one of {EXPECTED}, got {self.expected!r}")
        if self.kind not in KINDS:
            raise SpecError(f"{where}: kind must be one of {KINDS}, got {self.kind!r}")
        if isinstance(self.hypotheses, str):
            object.__setattr__(self, "hypotheses", (self.hypotheses,))
        try:
            hypotheses = tuple(self.hypotheses)
        except TypeError:
            raise SpecError(f"{where}: hypotheses must be a sequence of strings, got {self.hypotheses!r}") \
                from None
        if not all(isinstance(h, str) for h in hypotheses):
            raise SpecError(f"{where}: hypotheses must be strings (the assumptions in words), "
                            f"got {self.hypotheses!r}")
        object.__setattr__(self, "hypotheses", hypotheses)
        if self.target is not None and not callable(self.target):
            raise SpecError(f"{where}: target must be callable (instance, outcome) -> float")
        try:
            examples = tuple(self.examples)
        except TypeError:
            raise SpecError(f"{where}: examples must be a sequence of Instance objects, "
                            f"got {type(self.examples).__name__}") from None
        for ex in examples:
            if not isinstance(ex, LandscapeInstance):
                raise SpecError(f"{where}: examples must be Instance objects, got {type(ex).__name__}")
        object.__setattr__(self, "examples", examples)
        scale = self.examples_scale
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 10:
            raise SpecError(f"{where}: examples_scale must be a number in (0, 10], got {scale!r}")
        if self.summarize is not None and not callable(self.summarize):
            raise SpecError(f"{where}: summarize must be callable [(instance, outcome), ...] -> dict")
        if not isinstance(self.certify, bool):
            raise SpecError(f"{where}: certify must be True or False, got {self.certify!r}")

    def example_count(self, requested: int) -> int:
        """How many generated instances this spec checks when ``requested`` are asked for
        (none beyond its ``examples`` when it was given no ``instances``)."""
        if getattr(self, "examples_only", False):
            return 0
        return max(1, round(requested * self.examples_scale))

    def describe(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "source": self.source.to_dict(),
            "statement": self.statement,
            "formula": self.formula,
            "hypotheses": list(self.hypotheses),
            "claim": self.claim.describe() if isinstance(self.claim, Claim) else repr(self.claim),
            "expected": self.expected,
            "notes": self.notes,
            "explicit_examples": len(self.examples) if isinstance(self.examples, tuple) else 0,
            "examples_scale": self.examples_scale,
            "certify": self.certify,
            "defined_in": dict(self.defined_in),
        }


def _is_empty(strategy: SearchStrategy) -> bool:
    """Hypothesis knows some strategies can never draw (``nothing()``, ``sampled_from([])``)."""
    try:
        return bool(strategy.is_empty)
    except Exception:  # computing emptiness must never break a spec; the run reports it then
        return False
