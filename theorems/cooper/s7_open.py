"""Cooper's open questions (stated in §3.2, §5.3 and §6), explored as conjectures.

A conjecture's ``holds`` means "no counterexample in the instances searched" — never a proof;
the report states how many were searched and what bound the sample gives.

- ``cooper.open`` — question 2, *is the core locus C an attracting critical locus?*  Gradient
  flow from small random perturbations of core points of small networks; the conjecture is that
  no start converges to C.  A start is certified never to converge to C once its loss falls
  below ``L_C = Σ_j ||y_j − ȳ||²`` (L is nonincreasing along the flow and equals L_C on C).
- ``cooper.open.5-global-minima-before-width-d`` — question 5, *is M = L⁻¹(0) nonempty long before
  the last hidden width reaches d?*  Interpolating points are searched (Gauss–Newton onto M) for
  networks whose hidden widths all stay below d, and polished in high precision.
"""

from __future__ import annotations

import weakref

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus import Source, Spec, claims, strategies
from critlocus.core.architecture import Architecture
from critlocus.core.data import Dataset
from critlocus.core.decisions import decide_zero
from critlocus.core.flow import clopper_pearson
from critlocus.core.instance import Instance
from critlocus.core.interpolation import (
    output_jacobian_mp,
    project_to_interpolation_float64,
    project_to_interpolation_mp,
)
from critlocus.core.losses import squared_error
from critlocus.core.network import Network, Problem
from critlocus.core.points import Given, PointRecipe
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult
from critlocus.strategies.data import generic_arrays

from . import PAPER


def basin_summary(checked) -> dict:
    """Pooled over the searched instances: starts, how they ended, and the 95 % bound."""
    rows = []
    total = conv = undecided = 0
    for inst, _ in checked:
        b = inst.basin()
        total += b.n
        conv += b.converged
        undecided += b.undecided + b.failed
        lo, hi = b.interval
        rows.append([inst.landscape, inst.info.get("N"), inst.info.get("epsilon"), b.n, b.converged,
                     b.escaped, b.undecided, f"[{lo:.3f}, {hi:.3f}]"])
    lo, hi = clopper_pearson(conv, total) if total else (0.0, 1.0)
    _, hi_cons = clopper_pearson(conv + undecided, total) if total else (0.0, 1.0)
    note = (f"{conv} of {total} sampled starts near C converged to C ({undecided} undecided); 95 % "
            f"Clopper–Pearson upper bound on the fraction of such starts that converge: {hi_cons:.3f}.")
    if conv == 0 and undecided == 0:
        note = (f"No start converged to C in {total} samples over {len(checked)} networks; 95 % upper bound "
                f"on the converging fraction: {hi:.3f}.  This is evidence, not a proof that C is not "
                "attracting.")
    return {"notes": [note],
            "tables": [{"title": "Gradient flow from starts near the core locus (per instance)",
                        "columns": ["network", "N", "ε", "starts", "converged to C", "escaped (L < L_C)",
                                    "undecided", "basin fraction (95 %)"], "rows": rows}]}


#: Where the catalogue's other open questions (cooper.open 1–6) are explored or answered.
_OTHER_QUESTIONS = (
    "The catalogue lists six open questions under cooper.open; this spec searches question 2.  "
    "(1) Isolated saddles in very wide networks: not searched as such (the saddle searches of "
    "cooper.cor5.16.saddles / cor5.18.saddles report every saddle they find, not whether it is "
    "isolated).  (3) Escaping degenerate critical points: cooper.cor.core-higher-order-saddle certifies "
    "that the first descent on C_k appears at order k + 1.  (4) The dimension of the critical locus: "
    "cooper.prop6.1 measures dim M, dim S and dim C (the whole locus stays unknown).  (5) M nonempty "
    "before the last hidden width reaches d: cooper.open.5-global-minima-before-width-d.  (6) Do Cor 5.16 "
    "and 5.18 hold at saddles?  NO, as stated: cooper.cor5.16.saddles and cooper.cor5.18.saddles refute "
    "both zero-eigenvalue bounds by their own search (confirmed at 30 and 60 digits, shrunk): at the star "
    "point S_1 of widths 2-1-2, d = 3, Hess has inertia (4, 2, 1), one zero eigenvalue against the bound "
    "n_ℓ(n_{ℓ−1} − k) = 2; at widths 2-7-2, d = 3 (very wide), inertia (16, 14, 7) against "
    "n_ℓ(n_{ℓ−1} − d) = 8.  The weaker 'every critical point of a very wide network is degenerate' is not "
    "refuted: every point those searches found is degenerate (their tables)."
)


OPEN_2_CORE_ATTRACTING = Spec(
    id="cooper.open",
    title="Open question 2: is the core locus an attracting critical locus? (conjecture: no)",
    source=Source(PAPER, "open question, §3.2 (\"we do not know at present of a proof that the core locus "
                  "is not an attracting critical locus\")", "§3.2, §6", ("SRC",)),
    statement=("Conjecture (exploration): gradient flow from small random perturbations of core points "
               "does not converge to the core locus C — no sampled start converges to C."),
    formula="x₀ = p + ε·U(−1, 1)^N, p ∈ C:  φ_t(x₀) ↛ C   (certified by L(φ_t(x₀)) < L_C)",
    hypotheses=("fully connected, depth ℓ ∈ {3, 4}, hidden widths ≤ 3, one output",
                "σ smooth, strictly increasing, σ(0) = 0 (tanh, arctan, x + x³, identity)",
                "L2 loss; 2–4 data points with inputs on a grid of spacing 1/2 and targets not all equal"),
    instances=strategies.core_locus_flows(
        min_depth=3, max_depth=4, max_width=3, max_data=4, n_starts=8,
        activations=strategies.activations(smooth=True, zero_at_zero=True, strictly_increasing=True)),
    claim=claims.not_attracting(),
    expected="holds",
    kind="conjecture",
    examples_scale=0.1,
    summarize=basin_summary,
    notes=("Open in the paper; a 'holds' is a sample statement with a Clopper–Pearson bound, never a "
           "proof.  examples_scale = 0.1: each instance integrates 8 network trajectories with a stiff "
           "solver (10 instances, 80 flows at the default 100 examples).  A start that converged to C "
           "would be a finding (the conjecture fails) and is re-integrated at rtol = u^¾ before it is "
           "reported.  " + _OTHER_QUESTIONS),
)


# -- open question 5: is M nonempty long before the last hidden width reaches d? -------------------

_SEARCHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_STARTS = 24


def _search_float64(instance):
    """Gauss–Newton projections onto M = L⁻¹(0) from up to 24 starts (the instance's point, then
    Gaussian starts of scales 1, 2, 1/2 from its seed); the first that reaches the float64
    rounding level wins."""
    if instance not in _SEARCHES:
        problem = instance.problem
        rng = np.random.default_rng(instance.seed)
        starts = [instance.evaluation().theta] + [rng.normal(0.0, (1.0, 2.0, 0.5)[k % 3], problem.n_params)
                                                   for k in range(_STARTS - 1)]
        found, tried, last = None, 0, None
        for s in starts:
            tried += 1
            last = project_to_interpolation_float64(problem, s, max_iter=60)
            if last.converged:
                found = last
                break
        _SEARCHES[instance] = (found, tried, last)
    return _SEARCHES[instance]


def _interpolation_tier(instance, precision):
    found, tried, last = _search_float64(instance)
    if found is None:
        return TierResult(precision.label, UNDECIDED, True,
                          f"no interpolating point found from {tried} starts (last residual "
                          f"{last.residual_norms[-1]:.2e})", {"starts": tried, "margin": 1.0})
    m = instance.problem.data.size * instance.n_out
    if precision.is_float64:
        return TierResult(precision.label, TRUE, True,
                          f"float64 Gauss–Newton reached ‖r‖ = {found.residual_norms[-1]:.2e} "
                          f"(start {tried} of {_STARTS}); an exact zero needs high precision",
                          {"residual_norms": found.residual_norms, "margin": 1.0})
    with mpmath.workdps(precision.dps):
        res = project_to_interpolation_mp(instance.problem, [mpmath.mpf(float(v)) for v in found.params])
        J = output_jacobian_mp(instance.problem, res.params)
        gram = J * J.T
        eig = mpmath.eigsy(gram, eigvals_only=True)
        smin = mpmath.sqrt(max(min(eig[i] for i in range(m)), 0))
        norm = mpmath.sqrt(sum(eig[i] for i in range(m)))
    rank = decide_zero(smin, precision, n=instance.n_params, scale=float(norm), quantity="σ_min(J)")
    ok = res.converged and rank.status == "nonzero"
    status = TRUE if ok else (UNDECIDED if rank.status != "zero" else FALSE)
    return TierResult(precision.label, status, True,
                      f"Gauss–Newton at {precision.dps} digits: ‖r‖ = {res.residual_norms[-1]:.2e} "
                      f"(converged: {res.converged}); σ_min(J) = {float(smin):.3e} ({rank.status}), "
                      f"rank J = {m if rank.status == 'nonzero' else '< ' + str(m)}",
                      {"residual_norms": res.residual_norms, "sigma_min": float(smin),
                       "rank": rank.to_dict(), "N": instance.n_params, "d": instance.problem.data.size,
                       "margin": rank.margin})


def _mild_instances():
    @st.composite
    def build(draw):
        d = draw(st.integers(4, 7))
        depth = draw(st.integers(2, 3))
        n0 = draw(st.integers(1, 2))
        hidden = [draw(st.integers(2, d - 1)) for _ in range(depth - 1)]
        # every hidden width stays below d; widen the first hidden layers until N ≥ 2d
        while Architecture((n0, *hidden, 1)).n_params < 2 * d:
            i = min(range(len(hidden)), key=lambda k: hidden[k])
            if hidden[i] >= d - 1:
                break
            hidden[i] += 1
        arch = Architecture((n0, *hidden, 1))
        # generic data (Gaussian, distinct inputs almost surely): clustered or all-zero targets make
        # J ill-conditioned and are not what "generic data" means
        data = Dataset(draw(generic_arrays((d, n0), scale=1.0, bits=16, salt="X")),
                       draw(generic_arrays((d, 1), scale=1.0, bits=16, salt="Y")))
        act = draw(strategies.activations(analytic=True, strictly_increasing=True, bounded=True))
        problem = Problem(Network(arch, act), squared_error(), data)
        theta = draw(generic_arrays((arch.n_params,), scale=1.0, bits=16))
        blocks = arch.layout.unflatten(theta)
        recipe = PointRecipe(arch, {b.name: Given(blocks[b.name]) for b in arch.layout.blocks})
        return Instance(problem, recipe, label=f"start of a search for M in {arch}, d = {d}",
                        info={"N/d": arch.n_params / d, "last hidden width": hidden[-1]},
                        seed=draw(st.integers(0, 2**16)))
    return build()


def interpolation_summary(checked) -> dict:
    rows = [[str(inst.problem.architecture), inst.problem.data.size,
             round(inst.n_params / inst.problem.data.size, 2), inst.problem.architecture.widths[-2],
             out.verdict.value] for inst, out in checked]
    found = sum(1 for r in rows if r[-1] == "holds")
    return {"notes": [f"M = L⁻¹(0) was found nonempty (a zero of the residuals at high precision with J of "
                      f"full rank) for {found} of {len(rows)} mildly overparameterized networks, every "
                      "hidden width < d."],
            "tables": [{"title": "Interpolating points before the width reaches d",
                        "columns": ["architecture", "d", "N/d", "last hidden width", "verdict"],
                        "rows": rows}]}


OPEN_5_M_NONEMPTY = Spec(
    id="cooper.open.5-global-minima-before-width-d",
    title="Open question 5: is M = L⁻¹(0) nonempty long before the last hidden width reaches d?",
    source=Source(PAPER, "expectation in §4.1 (\"we expect that M is nonempty long before the width of "
                  "the last hidden layer reaches d\")", "§4.1", ("SRC",)),
    statement=("Conjecture (exploration): mildly overparameterized networks — every hidden width < d, "
               "N ≥ 2d — interpolate generic data: the set of global minima M = L⁻¹(0) is nonempty."),
    formula="2 ≤ n_k < d (0 < k < ℓ),  N ≥ 2d,  generic (X, Y)  ⇒  ∃ p: f_p(x_j) = y_j ∀ j",
    hypotheses=("depth 2–3, one output, 4–7 generic data points (Gaussian inputs and targets)",
                "σ analytic, strictly increasing, bounded (tanh, arctan)"),
    instances=_mild_instances(),
    claim=claims.custom("an interpolating point exists (Gauss–Newton onto M, polished in high precision)",
                        _interpolation_tier),
    expected="holds",
    kind="conjecture",
    examples_scale=0.1,
    summarize=interpolation_summary,
    notes=("A point of M is exhibited, not proved: float64 Gauss–Newton (minimum-norm steps) from up to "
           "24 starts, then the same projection at 30 (and 60) digits must reach the rounding level with J "
           "of full rank d (σ_min(J) decided nonzero) — quadratic convergence to a regular zero.  A failed "
           "search is inconclusive, never a refutation.  With N barely above d (and width-1 bottlenecks, "
           "where f is monotone in a scalar input) M can be empty, hence N ≥ 2d and widths ≥ 2.  "
           "examples_scale = 0.1."),
)
