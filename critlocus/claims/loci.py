"""Claims about loci given by coordinate equations, and inertia predicted by a formula.

- :func:`locus_construction` — a locus point satisfies its defining equations exactly (at the
  precision it is rebuilt at), lies in every locus its index set refines (nesting), the locus
  is an affine subspace through the centre point, and its dimension agrees three ways: the
  exact formula, the count of free coordinates of the construction, and ``N − rank J`` for the
  Jacobian J of the defining equations (autodiff, rank decided with evidence).
- :func:`hessian_inertia_formula` — the Hessian inertia equals counts that are themselves
  decided at the same precision (e.g. from ranks of auxiliary matrices);
  :func:`low_rank_inertia` — the inertia of a large, low-rank Hessian by a range sketch.
- :func:`layer_values` — the forward pass ``(h_k(x_j), a_k(x_j))`` at any precision.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import mpmath
import numpy as np
import torch

from critlocus.core.architecture import Architecture
from critlocus.core.decisions import ZeroDecision, decide_zero
from critlocus.core.errors import SpecError
from critlocus.core.instance import Instance
from critlocus.core.network import Problem
from critlocus.core.precision import FLOAT64 as _FLOAT64
from critlocus.core.precision import Precision
from critlocus.core.rank import RankDecision, rank_float64
from critlocus.core.spectrum import SpectrumDecision, inertia_range_sketch
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from .base import Bound, Claim
from .taylor import point_at, tier_status

__all__ = ["FormulaCounts", "hessian_inertia_formula", "jacobian_rank", "layer_values",
           "locus_construction", "locus_dimension_formula", "low_rank_inertia"]

Equations = Callable[[Architecture, Sequence[int]], dict[str, str]]


# --- forward values at any precision ----------------------------------------------------------


def layer_values(problem: Problem, params: Sequence, precision: Precision) -> list[dict]:
    """For each data point, ``{"h": {k: h_k}, "a": {k: a_k}, "ds": {k: σ'(h_k)}}`` (``a_0 = x``)
    computed at ``precision`` (mpmath at its digits; float64 through the same formulas)."""
    arch = problem.architecture
    layout = arch.layout
    act = problem.network.activation
    dps = max(precision.dps, 15)
    out = []
    with mpmath.workdps(dps):
        vals = [v if isinstance(v, mpmath.mpf) else mpmath.mpf(float(v)) for v in params]
        for x in problem.data.X:
            a = {0: [mpmath.mpf(float(t)) for t in x]}
            h, ds = {}, {}
            for k in range(1, arch.depth + 1):
                W = layout.block(f"W_{k}")
                rows, cols = W.shape
                flat = vals[W.slice]
                hk = [mpmath.fdot(flat[r * cols:(r + 1) * cols], a[k - 1]) for r in range(rows)]
                if f"b_{k}" in layout:
                    hk = [p + q for p, q in zip(hk, vals[layout.block(f"b_{k}").slice])]
                h[k] = hk
                if k < arch.depth:
                    jet = [act.mp_jet(t) for t in hk]
                    a[k] = [j[0] for j in jet]
                    ds[k] = [j[1] for j in jet]
            if precision.is_float64:
                def f(d):
                    return {k: [float(t) for t in v] for k, v in d.items()}
                h, a, ds = f(h), f(a), f(ds)
            out.append({"h": h, "a": a, "ds": ds})
    return out


# --- loci given by coordinate equations -----------------------------------------------------


def locus_dimension_formula(architecture: Architecture, index_set: Sequence[int], *,
                            generalised: bool = False) -> int:
    """``dim S_I = N − Σ_{i∈I} n_i n_{i−1} − Σ_{k=min I}^{ℓ−1} n_k − n_ℓ n_{ℓ−1} − n_ℓ`` (Cooper §3.1.1;
    the bias sum counts only layers that have a bias and is dropped for ``S_I^gen``)."""
    n, ell, bias = architecture.widths, architecture.depth, architecture.bias
    idx = sorted(set(index_set))
    dim = architecture.n_params - sum(n[i] * n[i - 1] for i in idx) - n[ell] * n[ell - 1] - n[ell]
    if not generalised:
        dim -= sum(n[k] for k in range(idx[0], ell) if bias[k - 1])
    return dim


def _equation_function(architecture: Architecture, eqs: dict[str, str]):
    layout = architecture.layout
    slices = [layout.block(name).slice for name in eqs]

    def E(theta):
        return torch.cat([theta[s] for s in slices]) if slices else theta[:0]
    return E


def jacobian_rank(architecture: Architecture, eqs: dict[str, str]) -> tuple[int, dict]:
    """``rank J`` for the Jacobian J = ∂E/∂θ of the equations ``θ_block − rhs = 0`` (autodiff).

    J's entries are exact small integers; a J whose rows are signed unit vectors (coordinate
    equations) has rank equal to its number of distinct pivot columns — exact; any other J is
    decided by :func:`critlocus.core.rank.rank_float64` (exact integer input, so float64 SVD is
    backward stable to u·‖J‖ and the 0/1 gap is decided).
    """
    E = _equation_function(architecture, eqs)
    theta = torch.zeros(architecture.n_params, dtype=torch.float64)
    J = torch.func.jacrev(E)(theta).numpy() if eqs else np.zeros((0, architecture.n_params))
    nz = J != 0
    if J.size and np.all(nz.sum(axis=1) == 1) and np.all(np.abs(J[nz]) == 1):
        cols = np.nonzero(nz)[1]
        return len(set(cols.tolist())), {"method": "signed unit rows: distinct pivot columns",
                                         "equations": J.shape[0]}
    dec: RankDecision = rank_float64(J, _FLOAT64)
    return dec.rank, {"method": "float64 SVD", "equations": J.shape[0], **dec.to_dict()}


def _free_count(architecture: Architecture, eqs: dict[str, str]) -> int:
    return sum(b.size for b in architecture.layout.blocks if b.name not in eqs)


@dataclass
class _Check:
    name: str
    ok: bool
    detail: dict = field(default_factory=dict)


class _LocusConstruction(Claim):
    def __init__(self, equations: Equations, generalised: bool):
        self.equations, self.generalised = equations, generalised

    def describe(self) -> str:
        return ("the locus construction: defining equations hold exactly, nesting, affine through the "
                "centre, dimension = formula = free coordinates = N − rank J")

    def _exact_checks(self, instance: Instance) -> list[_Check]:
        arch = instance.problem.architecture
        idx = sorted(instance.info["index_set"])
        eqs = self.equations(arch, idx)
        checks = []
        formula = locus_dimension_formula(arch, idx, generalised=self.generalised)
        free = _free_count(arch, eqs)
        free_recipe = sum(arch.layout.block(n).size for n, r in instance.point.rules.items()
                          if r.label == "given")
        rank, how = jacobian_rank(arch, eqs)
        checks.append(_Check("dimension", formula == free == free_recipe == arch.n_params - rank,
                             {"formula": formula, "free_coordinates": free_recipe,
                              "N - rank J": arch.n_params - rank, "rank J": rank, **how}))
        # positivity under both readings of the index range: S needs ℓ ≥ 3, C needs ℓ ≥ 4
        ell = arch.depth
        readings = {}
        for lo in (1, 2):
            hidden = range(lo, ell)
            dims = {k: [locus_dimension_formula(arch, J, generalised=self.generalised)
                        for J in itertools.combinations(hidden, k)] for k in (1, 2)}
            dim_s = max(dims[1], default=None)
            dim_c = max(dims[2], default=None)
            readings[f"{lo}..ℓ−1"] = {"dim S": dim_s, "dim C": dim_c}
            if not self.generalised:
                ok = ((dim_s is not None and dim_s > 0) == (ell >= 3)
                      and (dim_c is not None and dim_c > 0) == (ell >= 4))
                checks.append(_Check(f"positive dimension iff depth (reading {lo}..ℓ−1)", ok,
                                     readings[f"{lo}..ℓ−1"]))
        checks[0].detail["readings"] = readings
        return checks

    def tier(self, instance, precision):
        arch = instance.problem.architecture
        data = instance.problem.data
        idx = sorted(instance.info["index_set"])
        ev_obj = instance.evaluation()
        exact = ev_obj._memo("locus-exact-checks", lambda: self._exact_checks(instance))
        layout = arch.layout
        point = point_at(instance, precision)
        dps = max(precision.dps, 15)
        with mpmath.workdps(dps):
            if precision.is_float64:
                ybar = [float(v) for v in data.mean_target()]
                p = [float(v) for v in point]
            else:
                ybar = data.mean_target_mp()
                p = list(point)
            centre = [0] * layout.size
            if f"b_{arch.depth}" in layout:
                s = layout.block(f"b_{arch.depth}").slice
                centre[s] = ybar
            scale = float(np.abs(data.Y).max()) + max(abs(float(y)) for y in ybar)
            n = data.size + 1

            def residual(vec, eqs) -> ZeroDecision:
                worst = 0
                for name, rhs in eqs.items():
                    blk = layout.block(name)
                    target = ybar if rhs == "ȳ" else [0] * blk.size
                    worst = max([worst, *(abs(vec[blk.offset + t] - target[t]) for t in range(blk.size))])
                return decide_zero(worst, precision, n=n, scale=scale, quantity="max |E(p)|")

            decisions = {"E_I(p)": residual(p, self.equations(arch, idx)),
                         "E_I(centre)": residual(centre, self.equations(arch, idx)),
                         "E_I(2p − centre)": residual([2 * a - c for a, c in zip(p, centre)],
                                                      self.equations(arch, idx)),
                         "E_I((p + centre)/2)": residual([(a + c) / 2 for a, c in zip(p, centre)],
                                                         self.equations(arch, idx))}
            for r in range(1, len(idx)):
                for J in itertools.combinations(idx, r):
                    decisions[f"E_{{{','.join(map(str, J))}}}(p) (nesting)"] = residual(
                        p, self.equations(arch, list(J)))
        status = tier_status(list(decisions.values()), extra_false=not all(c.ok for c in exact))
        ev = {"exact_checks": [{"check": c.name, "ok": c.ok, **c.detail} for c in exact],
              "equations": {k: d.to_dict() for k, d in decisions.items()},
              "margin": min(d.margin for d in decisions.values())}
        bad = [c.name for c in exact if not c.ok] + [k for k, d in decisions.items() if d.status != "zero"]
        summary = ("all construction checks pass" if not bad else f"failing or undecided: {', '.join(bad)}")
        summary += f"; dim = {exact[0].detail['formula']}"
        return TierResult(precision.label, status, exact=True, summary=summary, evidence=ev)


def locus_construction(*, equations: Equations | None = None, generalised: bool = False) -> Claim:
    """The instance's point lies on the locus ``S_I`` (``instance.info["index_set"]``) as its
    construction says — see the module docstring.  ``equations(architecture, I)`` gives the
    defining equations (block → ``"0"`` or ``"ȳ"``; default
    :func:`critlocus.strategies.defining_equations`)."""
    if equations is None:
        from critlocus.strategies.loci import defining_equations

        def equations(arch, idx):
            return defining_equations(arch, idx, generalised=generalised)
    if not callable(equations):
        raise SpecError("equations must be callable (architecture, index_set) -> {block: '0' | 'ȳ'}")
    return _LocusConstruction(equations, generalised)


# --- inertia predicted by a formula decided at the same precision ----------------------------


@dataclass
class FormulaCounts:
    """Predicted inertia ``(positive, negative, zero)`` at one precision; ``decided`` is false when
    an ingredient (e.g. a rank) fell in its ambiguity band; ``evidence`` says how it was found."""

    positive: int | None
    negative: int | None
    zero: int | None
    decided: bool = True
    evidence: dict = field(default_factory=dict)


def low_rank_inertia(instance: Instance, precision: Precision, *, dense_limit: int = 400,
                     rank_hint: int = 1, values: bool = False) -> SpectrumDecision | None:
    """Hessian inertia for large N by a range sketch of exact Hessian-vector products
    (:func:`critlocus.core.spectrum.inertia_range_sketch`, Halko–Martinsson–Tropp): ``O(k·d·N)``
    for rank ``< k`` instead of a dense ``O(N³)`` decision.  Up to ``dense_limit`` parameters the
    instance's standard decision (:meth:`PointEvaluation.inertia`, or with ``values=True``
    :meth:`PointEvaluation.spectrum`, whose eigenvalue values are accurate at ``precision``) is
    returned; above it, float64 returns ``None`` (zero counts rest on exact zeros: decided at high
    precision only) and mpmath tiers sketch ``Hess L`` at the rebuilt point (Ritz values accurate
    at ``precision``; ``None`` if the sketch saturates).
    """
    ev = instance.evaluation()
    if instance.n_params <= dense_limit:
        return ev.spectrum(precision) if values else ev.inertia(precision)
    if precision.is_float64:
        return None

    def compute():
        land = ev.landscape_mp(precision)
        with mpmath.workdps(precision.dps):
            return inertia_range_sketch(land.hvp, instance.n_params, precision, scale=ev.hessian_scale(),
                                        rank_hint=rank_hint, seed=instance.seed)
    return ev._memo(("low-rank-inertia", precision.label), compute)


class _InertiaFormula(Claim):
    def __init__(self, counts: Callable[[Instance, Precision], FormulaCounts], text: str,
                 spectrum: Callable[[Instance, Precision], SpectrumDecision | None] | None):
        self.counts, self.text, self.spectrum = counts, text, spectrum

    def describe(self) -> str:
        return f"Hessian inertia (n₊, n₋, n₀) = {self.text}"

    def tier(self, instance, precision):
        pred = self.counts(instance, precision)
        if not isinstance(pred, FormulaCounts):
            raise SpecError(f"inertia formula returned {type(pred).__name__}, expected FormulaCounts")
        dec = (self.spectrum(instance, precision) if self.spectrum is not None
               else instance.evaluation().inertia(precision))
        ev = {"predicted": {"positive": pred.positive, "negative": pred.negative, "zero": pred.zero,
                            "decided": pred.decided, **pred.evidence}}
        if dec is None:
            return TierResult(precision.label, UNDECIDED, True,
                              f"no spectrum decision at {precision.label} (large N: high precision only)", ev)
        ev["spectrum"] = dec.to_dict()
        ev["margin"] = (dec.gap_ratio / precision.band_factor) if dec.gap_ratio else math.inf
        if not pred.decided:
            return TierResult(precision.label, UNDECIDED, True, "formula ingredients undecided", ev)
        a = dec.n_ambiguous
        ranges = {"positive": (dec.n_pos, dec.n_pos + a), "negative": (dec.n_neg, dec.n_neg + a),
                  "zero": (dec.n_zero, dec.n_zero + a)}
        statuses = [Bound("==", getattr(pred, k)).decide(*ranges[k]) for k in ranges
                    if getattr(pred, k) is not None]
        if FALSE in statuses:
            status = FALSE
        elif all(s == TRUE for s in statuses) and dec.decided:
            status = TRUE
        else:
            status = UNDECIDED
        want = (pred.positive, pred.negative, pred.zero)
        return TierResult(precision.label, status, exact=dec.n_zero > 0,
                          summary=f"inertia {dec.inertia}" + (f" + {a} ambiguous" if a else "")
                          + f", predicted {want} ({dec.method})", evidence=ev)


def hessian_inertia_formula(counts: Callable[[Instance, Precision], FormulaCounts], *, text: str,
                            spectrum: Callable[[Instance, Precision], SpectrumDecision | None] | None = None
                            ) -> Claim:
    """The Hessian inertia equals ``counts(instance, precision)`` — a :class:`FormulaCounts` whose
    ingredients are decided at the same precision (e.g. ``ρ = rank G · rank D``); undecided
    ingredients escalate like an undecided spectrum.  ``text`` states the formula in reports.
    ``spectrum(instance, precision)`` replaces the default decision
    (:meth:`PointEvaluation.inertia`), e.g. :func:`low_rank_inertia` for large N."""
    if not callable(counts):
        raise SpecError("counts must be callable (instance, precision) -> FormulaCounts")
    if spectrum is not None and not callable(spectrum):
        raise SpecError("spectrum must be callable (instance, precision) -> SpectrumDecision | None")
    return _InertiaFormula(counts, text, spectrum)
