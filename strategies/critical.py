"""Critical points that are not constructed loci: found by search, polished in high precision.

Each draw picks an architecture, an activation and data, then runs a multistart search
(:func:`critlocus.core.critical.find_critical_points`) *constructively* — several starts per
draw, never rejecting the draw — and keeps the first candidate of the requested kind whose
high-precision polish decides ``∇L = 0``.  The point is a
:class:`~critlocus.core.points.PolishedCriticalPoint`: every precision tier rebuilds it by
polishing the same float64 start.

If no candidate of the requested kind is found, the instance is still produced, with
``info["inconclusive"]`` saying why: every claim then answers ``inconclusive`` for it
(:meth:`critlocus.claims.Claim.check`) instead of judging a point that is not what the
spec assumes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus.core.activations import Activation, get_activation
from critlocus.core.architecture import Architecture
from critlocus.core.critical import (
    CriticalCandidate,
    embedding_starts,
    find_critical_points,
    rayleigh_quotient,
    zero_output_starts,
)
from critlocus.core.data import Dataset
from critlocus.core.decisions import NONZERO, decide_zero
from critlocus.core.errors import InvalidArgument
from critlocus.core.instance import Instance
from critlocus.core.losses import Loss, squared_error
from critlocus.core.network import Network, Problem
from critlocus.core.points import PolishedCriticalPoint
from critlocus.core.precision import FLOAT64, mp_precision

from ._validation import check_integer
from .architectures import activations as activation_strategy
from .architectures import architectures as architecture_strategy

__all__ = ["CRITICAL_KINDS", "START_FAMILIES", "critical_point_instances", "generic_dataset"]

CRITICAL_KINDS = ("any", "saddle", "local_min", "not_global_min")
START_FAMILIES = ("random", "embedding", "zero-output")
DEFAULT_FAMILIES = {"any": ("random",), "local_min": ("random",),
                    "saddle": ("random", "embedding", "zero-output"),
                    "not_global_min": ("random", "embedding", "zero-output")}


def critical_point_instances(
        *, architectures: st.SearchStrategy[Architecture] | None = None,
        activations: st.SearchStrategy[Activation] | Activation | str | None = None,
        datasets: Callable[[Architecture], st.SearchStrategy[Dataset]] | None = None,
        loss: Loss | None = None, kind: str = "any", starts: int = 8, max_iterations: int = 40,
        polish_digits: int = 60, global_min_loss: float | None = None,
        min_data: int | None = None, max_data: int = 4,
        start_families: Sequence[str] | None = None) -> st.SearchStrategy[Instance]:
    """Instances ``(network, loss, data, p)`` with ``p`` a critical point found by search.

    - ``architectures``: a strategy (default: one hidden layer — or two — of width ≤ 8, up to 3
      inputs and 2 outputs, biases everywhere: the Cooper setting); for deep linear networks
      pass e.g. ``st.just(Architecture((3, 3, 3), bias=(False, False)))`` and
      ``activations="identity"``.
    - ``activations``: a strategy, an :class:`Activation` or a registered name (default: the
      smooth ones with ``σ(0) = 0``).
    - ``datasets``: ``architecture -> strategy of Dataset`` (default: ``d ∈ [min_data,
      max_data]`` generic data, :func:`generic_dataset`; ``min_data`` defaults to 1, and to 2
      for saddles and non-global points — with one data point and an output bias every
      critical point interpolates).
    - ``loss``: default the L2 loss.
    - ``kind``: ``"any"``; ``"saddle"`` (float64 inertia has n₋ > 0 *and* a Rayleigh quotient
      decided negative at ``polish_digits``); ``"local_min"`` (L-BFGS, then Newton-MR; no float64
      eigenvalue below −τ — the second-order necessary condition);
      ``"not_global_min"`` (loss decided above the global minimum: ``global_min_loss`` when
      given, e.g. 0 for interpolating networks, else the least loss the same search found).
    - ``starts``: multistart runs per draw, shared among ``start_families``: ``"random"``
      (:func:`~critlocus.core.critical.random_starts`), ``"embedding"`` (minima of narrower
      networks embedded by neuron duplication, :func:`~critlocus.core.critical.embedding_starts`)
      and ``"zero-output"`` (``W_ℓ = 0, b_ℓ = ȳ`` with random hidden weights: the search then
      tends to critical points with ``W_ℓ = 0`` and hidden features orthogonal to the centred
      targets, :func:`~critlocus.core.critical.zero_output_starts`); candidates of earlier
      families are preferred.  Default: random only for ``"any"`` and ``"local_min"``, all three
      (random first) for saddles and non-global points.  ``info["critical_point"]["start_family"]``
      says which one a point came from, so a spec can tell generic points from structured ones.
    - ``max_iterations``: Newton-MR iterations per run; ``polish_digits``: the precision at
      which the polish must decide ``∇L = 0``.

    ``info`` records how the point was found: ``critical_point`` (seed, start index, solver,
    iterations, float64 gradient norm, polished residual and its threshold, loss, float64
    inertia, kind) and ``found``; if nothing of the requested kind was found, ``found`` is
    ``False`` and ``inconclusive`` gives the reason.

    >>> inst = critical_point_instances(starts=4).example()
    >>> inst.info["locus"]
    'critical point (search)'
    """
    if kind not in CRITICAL_KINDS:
        raise InvalidArgument(f"kind={kind!r} must be one of {CRITICAL_KINDS}")
    check_integer("starts", starts, minimum=1, maximum=1000)
    check_integer("max_iterations", max_iterations, minimum=1)
    check_integer("polish_digits", polish_digits, minimum=20)
    if min_data is None:
        min_data = 2 if kind in ("saddle", "not_global_min") else 1
    check_integer("min_data", min_data, minimum=1)
    check_integer("max_data", max_data, minimum=min_data)
    if start_families is None:
        families = None
    else:
        if isinstance(start_families, str):
            start_families = (start_families,)
        families = tuple(start_families)
        bad = [f for f in families if f not in START_FAMILIES]
        if not families or bad or len(set(families)) != len(families):
            raise InvalidArgument(f"start_families={start_families!r} must be distinct names from "
                                  f"{START_FAMILIES}")
    if global_min_loss is not None and (isinstance(global_min_loss, bool) or not isinstance(
            global_min_loss, (int, float)) or not math.isfinite(global_min_loss) or global_min_loss < 0):
        raise InvalidArgument(f"global_min_loss={global_min_loss!r} must be a finite number ≥ 0 or None")
    if architectures is None:
        architectures = architecture_strategy(min_depth=2, max_depth=3, max_width=8, max_inputs=3,
                                              max_outputs=2)
    elif not isinstance(architectures, st.SearchStrategy):
        raise InvalidArgument(f"architectures={architectures!r} must be a Hypothesis strategy")
    if activations is None:
        activations = activation_strategy(smooth=True, zero_at_zero=True)
    elif isinstance(activations, (str, Activation)):
        activations = st.just(get_activation(activations))
    elif not isinstance(activations, st.SearchStrategy):
        raise InvalidArgument(f"activations={activations!r} must be a strategy, an Activation or a name")
    if datasets is not None and not callable(datasets):
        raise InvalidArgument(f"datasets={datasets!r} must be a callable architecture -> strategy")
    if loss is not None and not isinstance(loss, Loss):
        raise InvalidArgument(f"loss={loss!r} must be a critlocus Loss")
    loss = squared_error() if loss is None else loss
    precision = mp_precision(polish_digits)

    def data_for(arch: Architecture) -> st.SearchStrategy[Dataset]:
        if datasets is None:
            return st.builds(generic_dataset, st.just(arch), st.integers(min_data, max_data),
                             st.integers(0, 2**32 - 1))
        strategy = datasets(arch)
        if not isinstance(strategy, st.SearchStrategy):
            raise InvalidArgument(f"datasets({arch}) returned {strategy!r}, not a Hypothesis strategy")
        return strategy

    @st.composite
    def build(draw):
        arch = draw(architectures)
        act = draw(activations)
        data = draw(data_for(arch))
        seed = draw(st.integers(0, 2**32 - 1))
        problem = Problem(Network(arch, act), loss, data)
        return _search_instance(problem, kind=kind, starts=starts, seed=seed, max_iterations=max_iterations,
                                precision=precision, global_min_loss=global_min_loss, families=families)

    return build()


def generic_dataset(architecture: Architecture, size: int, seed: int, *, bound: float = 2.0,
                    bits: int = 8) -> Dataset:
    """``size`` data points with generic (seeded, full-grid) dyadic inputs and targets in
    ``[−bound, bound]`` on the grid ``2^−bits``; inputs pairwise distinct.

    Shrinking a drawn seed keeps data generic; shrinking the values themselves would drive
    them to 0, where the landscape degenerates (e.g. ``Y = 0`` gives a deep linear network no
    saddles at all) and the search rightly finds nothing of the requested kind.
    """
    rng = np.random.default_rng(seed)
    top = int(bound * 2**bits)

    def grid(shape):
        return rng.integers(-top, top + 1, shape) / 2**bits

    X = grid((size, architecture.n_in))
    while len({row.tobytes() for row in X}) < size:
        X = grid((size, architecture.n_in))
    return Dataset(X, grid((size, architecture.n_out)))


def _search_instance(problem: Problem, *, kind: str, starts: int, seed: int, max_iterations: int,
                     precision, global_min_loss: float | None,
                     families: tuple[str, ...] | None = None) -> Instance:
    """Run the search on one problem and wrap the first usable candidate as an instance
    (candidates of earlier families first, then by float64 gradient norm)."""
    families = DEFAULT_FAMILIES[kind] if families is None else families
    runs: list[tuple[str, CriticalCandidate]] = []
    k = len(families)
    shares = [starts // k + (1 if i < starts % k else 0) for i in range(k)]
    for family, count in zip(families, shares):
        if count < 1:
            continue
        # minima come from L-BFGS; every other critical point from Newton-MR
        method = "minimize" if kind == "local_min" or (kind == "not_global_min" and family == "random") \
            else "newton-mr"
        notes: list[dict] = []
        X0: int | np.ndarray = count
        if family == "embedding":
            X0, notes = embedding_starts(problem, count, seed=seed)
        elif family == "zero-output":
            X0 = zero_output_starts(problem, count, seed=seed)
        if not isinstance(X0, int) and not len(X0):
            continue  # e.g. no hidden layer wide enough to embed into
        # falling back to minimisation from gradient-flat regions helps "any", not saddles
        for c in find_critical_points(problem, starts=X0, seed=seed, method=method,
                                      max_iterations=max_iterations, keep_unconverged=True,
                                      fallback=kind != "saddle"):
            c.start_family = notes[c.start_index] if notes else {"family": family}
            runs.append((family, c))
    rank = {f: i for i, f in enumerate(families)}
    usable = [c for _, c in sorted(runs, key=lambda fc: (rank[fc[0]], fc[1].gradient.value))
              if c.gradient.status != NONZERO]
    best_loss = min((c.loss for c in usable), default=math.inf)
    reference = global_min_loss if global_min_loss is not None else best_loss
    rejected: dict[str, int] = {}
    for cand in usable:
        why = _kind_mismatch(problem, cand, kind, reference)
        if why:
            rejected[why] = rejected.get(why, 0) + 1
            continue
        point = PolishedCriticalPoint.from_start(problem, cand.theta,
                                                 found_by={**cand.to_dict(), "seed": seed})
        polished = point.polish(precision.dps)
        if not polished.converged:
            rejected["polish failed"] = rejected.get("polish failed", 0) + 1
            continue
        info = _info(cand, polished, kind, seed)
        label = f"critical point ({cand.kind}, L = {cand.loss:.4g})"
        instance = Instance(problem, point, label=label, info=info, seed=seed % 2**31)
        if kind == "saddle":
            curvature = _negative_curvature(instance, polished, precision)
            info["critical_point"]["negative_curvature"] = curvature.to_dict()
            if not curvature.details["negative"]:
                why = "no negative curvature decided at high precision"
                rejected[why] = rejected.get(why, 0) + 1
                continue
        if kind == "not_global_min":
            with mpmath.workdps(precision.dps):
                loss_mp = instance.evaluation().landscape_mp(precision).loss()
            gap = _loss_gap(problem, cand.theta, loss_mp, reference, precision)
            info["critical_point"]["loss_gap"] = gap.to_dict()
            if gap.status != NONZERO or loss_mp <= reference:
                why = "loss not decided above the global minimum at high precision"
                rejected[why] = rejected.get(why, 0) + 1
                continue
        return instance
    # nothing usable: produce the instance anyway, flagged, at the run with the least gradient
    fallback = min((c for _, c in runs), key=lambda c: c.gradient.value, default=None)
    start = fallback.theta if fallback is not None else np.zeros(problem.n_params)
    point = PolishedCriticalPoint.from_start(problem, start, found_by={"seed": seed})
    reason = (f"no critical point of kind {kind!r} found from {starts} starts (seed {seed}): "
              f"{len(runs)} runs, {len(usable)} with a float64 gradient not decided nonzero"
              + (f"; rejected: {rejected}" if rejected else ""))
    info = {"locus": "critical point (search)", "found": False, "inconclusive": reason,
            "critical_point": {"kind": kind, "seed": seed}}
    return Instance(problem, point, label=f"no {kind} critical point found", info=info, seed=seed % 2**31)


def _kind_mismatch(problem: Problem, cand: CriticalCandidate, kind: str, reference: float) -> str:
    if kind == "saddle" and cand.kind != "saddle":
        return "not a saddle in float64"
    if kind == "local_min" and cand.kind != "local_min":
        return "not a float64 local minimum"
    if kind == "not_global_min":
        if not math.isfinite(reference):
            return "no reference minimum"
        if _loss_gap(problem, cand.theta, cand.loss, reference, FLOAT64).status != NONZERO \
                or cand.loss <= reference:
            return "loss not decided above the global minimum"
    return ""


def _loss_gap(problem: Problem, theta: np.ndarray, loss, reference: float, precision):
    """``L − L_min`` decided against τ = κ·(d·n_ℓ)·u·S_L with ``S_L = (c/2)·Σ_j (‖f_j‖ + ‖y_j‖)²``
    (c = sup φ''): the size of the residuals' rounding, squared up — a loss below it is
    indistinguishable from an interpolating point's rounding noise."""
    from critlocus.core.float64 import outputs_f64

    F = outputs_f64(problem, theta)
    Y = problem.data.Y
    scale = 0.5 * problem.loss.curvature_bound * float(np.sum((np.abs(F) + np.abs(Y)) ** 2))
    return decide_zero(mpmath.mpf(loss) - mpmath.mpf(reference), precision, n=Y.size, scale=scale,
                       quantity="loss above the global minimum", reference=reference)


def _negative_curvature(instance: Instance, polished, precision):
    """The Rayleigh quotient along the float64 eigenvector of the least eigenvalue, at the point
    polished at ``precision``, decided with the instance's own Hessian scale."""
    ev = instance.evaluation()
    _, V = np.linalg.eigh(ev.hessian_f64())
    with mpmath.workdps(precision.dps):
        return rayleigh_quotient(instance.problem, polished.theta, V[:, 0], precision,
                                 hessian_scale=ev.hessian_scale())


def _info(cand: CriticalCandidate, polished, kind: str, seed: int) -> dict:
    return {
        "locus": "critical point (search)",
        "found": True,
        "critical_point": {
            "kind": kind,
            "found_kind": cand.kind,
            "seed": seed,
            "start_index": cand.start_index,
            "start_family": getattr(cand, "start_family", {"family": "random"}),
            "start": cand.start.tolist(),
            "solver": cand.method,
            "iterations": cand.iterations,
            "float64_gradient_norm": cand.gradient.value,
            "loss": cand.loss,
            "float64_inertia": {"positive": cand.inertia.n_pos, "negative": cand.inertia.n_neg,
                                "zero": cand.inertia.n_zero, "ambiguous": cand.inertia.n_ambiguous},
            "polish": polished.to_dict(),
            "polished_residual": polished.residual,
            "polish_precision": polished.precision,
        },
    }
