"""Cooper's open questions (stated in §3.2, §5.3 and §6), explored as conjectures.

A conjecture's ``holds`` means "no counterexample in the instances searched" — never a proof;
the report states how many were searched and what bound the sample gives.

- ``cooper.open`` — question 2, *is the core locus C an attracting critical locus?*  Gradient
  flow from small random perturbations of core points of small networks; the conjecture is that
  no start converges to C.  A start is certified never to converge to C once its loss falls
  below ``L_C = Σ_j ||y_j − ȳ||²`` (L is nonincreasing along the flow and equals L_C on C).
"""

from __future__ import annotations

from critlocus import Source, Spec, claims, strategies
from critlocus.core.flow import clopper_pearson

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
           "reported."),
)
