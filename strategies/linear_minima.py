"""Strategies for the local minima of smooth convex losses on linear networks, found by search.

:func:`convex_problems` draws a smooth convex functional loss (quadratic, weighted quadratic,
pseudo-Huber, log-cosh, regression); :func:`local_minimum_instances` runs a seeded multistart
descent on it (:func:`critlocus.core.linear_search.multistart_minima`) and makes the worst (or
best) minimum found the instance's point, polished at every precision.  Used by the claims
"no bad minima" (and their refutation) and by the specs about local minima.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from critlocus.core.errors import InvalidArgument
from critlocus.core.instance import Instance
from critlocus.core.linear import frobenius_problem, is_filling
from critlocus.core.network import Problem

from .linear import _dyadic, generic_matrices, low_rank_factors, regression_data

__all__ = ["CONVEX_FAMILIES", "convex_problems", "local_minimum_instances", "search_instance"]

CONVEX_FAMILIES = ("quadratic", "weighted", "pseudo_huber", "log_cosh", "regression")


def convex_problems(widths: Sequence[int], *, families: Sequence[str] = CONVEX_FAMILIES,
                    target_rank: int | None = None, generic: bool = True, bits: int = 4
                    ) -> st.SearchStrategy[tuple[Problem, dict]]:
    """A smooth convex functional loss on ``R^{d_h×d_0}`` as a linear-network problem, with its
    parameters in the paper's terms:

    - ``quadratic``: ``||W − Q||²``;  ``weighted``: ``Σ_ab Λ_ab (W_ab − Q_ab)²`` with dyadic
      ``Λ_ab ∈ [2^{-bits}, 2]``;  ``pseudo_huber`` / ``log_cosh``: ``Σ_ab φ(W_ab − Q_ab)``;
      ``regression``: ``||WX − Y||²`` with ``XXᵀ ≻ 0``.

    ``generic=True``: Q has distinct nonzero singular values (:func:`generic_matrices`), or is an
    exact product ``AB`` of rank ``target_rank ≥ 1`` — so every minimum of ℓ is nondegenerate
    (``Q = 0`` would make the minima of L higher-order degenerate).  ``generic=False``: Q is any
    dyadic matrix in ``[−2, 2]`` (free for a search to shrink)."""
    from critlocus.core.linear import regression_problem, weighted_frobenius_problem
    from critlocus.core.losses import log_cosh, pseudo_huber

    for f in families:
        if f not in CONVEX_FAMILIES:
            raise InvalidArgument(f"unknown convex family {f!r}; known: {CONVEX_FAMILIES}")
    d0, dh = widths[0], widths[-1]

    @st.composite
    def build(draw):
        family = draw(st.sampled_from(list(families)))
        if family == "regression":
            X, Y = draw(regression_data(d0, dh))
            return regression_problem(widths, X, Y), {"family": family, "X": X.tolist(), "Y": Y.tolist()}
        if target_rank is not None:
            A, B = draw(low_rank_factors(dh, d0, max(target_rank, 1)))
            Q = A @ B
        elif generic:
            Q = draw(generic_matrices(dh, d0)) / 2
        else:
            Q = np.array([[draw(_dyadic(2.0, bits)) for _ in range(d0)] for _ in range(dh)])
        info = {"family": family, "Q": Q.tolist()}
        if family == "quadratic":
            return frobenius_problem(widths, Q), info
        if family == "weighted":
            top = 2 * 2**bits
            Lam = np.array([[draw(st.integers(1, top)) / 2**bits for _ in range(d0)] for _ in range(dh)])
            info["Lambda"] = Lam.tolist()
            return weighted_frobenius_problem(widths, Lam, Q), info
        if family == "pseudo_huber":
            delta = draw(st.sampled_from([1.0, 0.5, 2.0]))
            info["delta"] = delta
            return frobenius_problem(widths, Q, pseudo_huber(delta)), info
        return frobenius_problem(widths, Q, log_cosh()), info

    return build()


def _fmt(M) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{x:g}" for x in row) + "]" for row in M) + "]"


def _in_papers_terms(params: dict) -> str:
    """``; Λ = …, Q = …`` (the loss's parameters as the paper writes them)."""
    parts = []
    if "Lambda" in params:
        parts.append(f"Λ = {_fmt(params['Lambda'])}")
    if "Q" in params:
        parts.append(f"Q = {_fmt(params['Q'])}")
    if "delta" in params:
        parts.append(f"δ = {params['delta']:g}")
    return ("; " + ", ".join(parts)) if parts else ""


def search_instance(problem: Problem, params: dict | None = None, *, starts: int = 8,
                    choose: str = "worst") -> Instance | None:
    """The instance of :func:`local_minimum_instances` for one given problem (``None`` when no
    descent converged): e.g. a regression example stated by hand."""
    from critlocus.core.linear_search import multistart_minima, problem_seed
    from critlocus.core.points import PolishedCriticalPoint

    params = dict(params or {})
    w = problem.architecture.widths
    found = multistart_minima(problem, starts=starts, seed=problem_seed(problem))
    if not found:
        return None
    pick = found[-1] if choose == "worst" else found[0]
    how = {"method": "multistart L-BFGS-B descent (balanced on the fibre)", "starts": starts,
           "seed": problem_seed(problem)}
    point = PolishedCriticalPoint.from_start(problem, pick.theta, found_by={**how, "chosen": choose})
    best = point if pick is found[0] else PolishedCriticalPoint.from_start(
        problem, found[0].theta, found_by={**how, "chosen": "best"})
    info = {**params, "widths": list(w), "r": min(w), "filling": is_filling(w),
            "minima_found": [{"loss": m.loss, "hits": m.hits} for m in found],
            "n_minima_found": len(found), "chosen": choose, "starts": starts,
            "loss_float64": pick.loss, "best_loss_float64": found[0].loss,
            "gap_float64": pick.loss - found[0].loss,
            "best_point_float64": found[0].theta.tolist()}
    label = (f"{choose} of {len(found)} local minima found by descent"
             + (f" ({params['family']} loss)" if "family" in params else "") + _in_papers_terms(params))
    inst = Instance(problem, point, label=label, info=info)
    inst.__dict__["best_point"] = best
    return inst


def local_minimum_instances(*, widths: st.SearchStrategy[tuple[int, ...]],
                            families: Sequence[str] = CONVEX_FAMILIES, starts: int = 8,
                            choose: str | st.SearchStrategy = "worst",
                            target_rank: int | st.SearchStrategy | None = None, generic: bool = True
                            ) -> st.SearchStrategy[Instance]:
    """A convex-loss landscape and one of the local minima that multistart descent finds on it
    (:func:`critlocus.core.linear_search.multistart_minima`, seeded by the problem): the one with
    the largest loss (``choose="worst"``) or the smallest (``"best"``), as a
    :class:`~critlocus.core.points.PolishedCriticalPoint` (polished at every precision).

    ``info`` carries every minimum found (float64 losses, hits), the best loss and the gap
    ``L(worst) − L(best)``; ``instance.best_point`` is the best minimum's recipe (the search's
    global-minimum candidate)."""
    if not isinstance(choose, st.SearchStrategy) and choose not in ("worst", "best"):
        raise InvalidArgument(f"choose={choose!r} must be 'worst' or 'best'")
    ranks = target_rank if isinstance(target_rank, st.SearchStrategy) else st.just(target_rank)
    chooser = choose if isinstance(choose, st.SearchStrategy) else st.just(choose)

    @st.composite
    def build(draw):
        w = draw(widths)
        k = draw(ranks)
        k = None if k is None else min(k, min(w))
        problem, params = draw(convex_problems(w, families=families, target_rank=k, generic=generic))
        inst = search_instance(problem, params, starts=starts, choose=draw(chooser))
        if inst is None:
            from hypothesis import reject

            reject()
        return inst

    return build()
