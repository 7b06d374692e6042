"""TKB — the quadratic loss: Eckart–Young on the rank strata, the landscape of ``||WX − Y||²`` on a
linear network, the spurious point θ = 0, and the toy example ``(ab − 1)²``.

Notation (catalogue §0): ``μ_d(θ) = W̄ = W_h ⋯ W_1``, ``r = min_i d_i``, ``m = min(d_0, d_h)``,
``Q = Σ σ_i u_i v_iᵀ`` with ``σ_1 > … > σ_m > 0`` and ``Q_I = Σ_{i∈I} σ_i u_i v_iᵀ``.  For
regression data the change of variables ``W ↦ WR`` (``XXᵀ = RRᵀ``) reduces ℓ to
``||WR − Q'||² + const`` with ``Q' = Y Xᵀ R⁻ᵀ``; TKB write ``Q = Y Xᵀ (XXᵀ)^{-1/2}``, which differs
from Q' by an orthogonal factor (same σ_i, same critical points).
"""

from __future__ import annotations

from collections import Counter
from math import comb

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus import Source, Spec, claims
from critlocus.core.instance import Instance
from critlocus.core.linear import ConstructedPoint, bias_free_architecture, frobenius_problem
from critlocus.core.precision import Precision
from critlocus.core.verdict import TierResult
from critlocus.strategies.linear import (
    eckart_young_direction,
    eckart_young_instances,
    linear_widths,
    morse_index_formula,
    reduced_target,
    zero_point,
)
from critlocus.strategies.linear_minima import local_minimum_instances

from . import PAPER

L = claims.linear


def _sigma(instance: Instance) -> list:
    """σ_1 > … > σ_m of Q' at the working precision."""
    return reduced_target(instance.problem.data)["sigma"]


def eckart_young_value(instance: Instance, precision: Precision):
    """||Y||² − Σ_{i∈I} σ_i²"""
    Y = instance.problem.data.Y
    s = _sigma(instance)
    total = mpmath.fsum(mpmath.mpf(float(v)) ** 2 for v in Y.reshape(-1))
    return total - mpmath.fsum(s[i - 1] ** 2 for i in instance.info["index_set"])


def eckart_young_eigenvalues(instance: Instance, precision: Precision) -> list:
    """{2(1 ± σ_j/σ_i) : i ∈ I, j ∉ I, j ≤ m} ∪ {2, …}"""
    d0, dh = instance.problem.architecture.n_in, instance.problem.architecture.n_out
    m = min(d0, dh)
    idx = instance.info["index_set"]
    e = len(idx)
    s = _sigma(instance)
    vals = []
    for i in idx:
        for j in range(1, m + 1):
            if j not in idx:
                q = s[j - 1] / s[i - 1]
                vals += [2 * (1 + q), 2 * (1 - q)]
    vals += [mpmath.mpf(2)] * (e * e + e * (d0 + dh - 2 * m))
    return vals


def stratum_index(instance: Instance) -> int:
    """#{(i, j) : i ∈ I, j ∉ I, j ≤ m, σ_j > σ_i}"""
    return instance.info["morse_index_on_stratum"]


def _predicted_label(instance: Instance) -> str:
    """pure iff |I| = r"""
    return "pure" if instance.info["e"] == instance.info["r"] else "spurious"


def _descent_directions(instance: Instance):
    info = instance.info
    widths = instance.problem.architecture.widths
    m = info["m"]
    js = [j for j in range(1, m + 1) if j not in info["index_set"]]
    gauge = [np.array(g, dtype=float) for g in info["gauge"]]
    data = instance.problem.data
    return [lambda j=j, s=s: eckart_young_direction(data, widths, info["index_set"], j, gauge, sign=s)
            for j in js[:1] for s in (1, -1)]


# -- counting the critical points found by root-finding ----------------------------------------------


#: every (d_0, d_h, r) of the count family: m = min(d_0, d_h) ∈ {2, 3} and every bottleneck r ≤ m, so
#: every stratum (m, e), e ≤ m, is searched (each is also one explicit example of the spec)
COUNT_SHAPES = tuple((d0, dh, r) for d0 in (2, 3) for dh in (2, 3) for r in range(1, min(d0, dh) + 1))


def _count_instance(d0: int, dh: int, r: int, Q: np.ndarray) -> Instance:
    """d = (d_0, r, d_h) with ℓ = ||W − Q||²; its critical points are searched when the claim first
    asks for them (:func:`_root_instances`), so building the instance is cheap."""
    problem = frobenius_problem((d0, r, dh), Q)
    return Instance(problem, zero_point((d0, r, dh)),
                    label=f"all critical points found on d = ({d0}, {r}, {dh})",
                    info={"family": "count", "m": min(d0, dh), "r": r, "index_set": [], "e": 0})


def _seeded_generic_matrix(m: int, n: int, seed: int) -> np.ndarray:
    """The construction of :func:`critlocus.strategies.linear.generic_matrices` from a seed: singular
    values ``≈ s_1 > … > s_k`` with gaps ≥ 1, a dyadic perturbation of norm ≤ 1/4 (Weyl keeps them
    distinct and nonzero), signed permutations."""
    rng = np.random.default_rng(seed)
    k = min(m, n)
    s = np.cumsum(rng.integers(4, 16, k) / 4)[::-1]
    D = np.zeros((m, n))
    D[range(k), range(k)] = s
    top = int(2**6 / (4 * np.sqrt(k * n)))
    N = np.zeros((m, n))
    N[:k] = rng.integers(-top, top + 1, (k, n)) / 2**6
    signs_r, signs_c = rng.choice([-1.0, 1.0], m), rng.choice([-1.0, 1.0], n)
    return (D + N)[np.ix_(rng.permutation(m), rng.permutation(n))] * signs_r[:, None] * signs_c[None, :]


#: one explicit example per shape (seeded generic Q), checked before the generated ones
COUNT_EXAMPLES = tuple(_count_instance(d0, dh, r, _seeded_generic_matrix(dh, d0, 100 * d0 + 10 * dh + r))
                       for d0, dh, r in COUNT_SHAPES)


def _count_instances():
    """Generated count instances: a shape of :data:`COUNT_SHAPES` and a generic Q."""
    from critlocus.strategies.linear import generic_matrices

    return st.sampled_from(COUNT_SHAPES).flatmap(
        lambda shape: generic_matrices(shape[1], shape[0]).map(lambda Q: _count_instance(*shape, Q)))


def _truncation(instance: Instance, index_set) -> mpmath.matrix:
    t = reduced_target(instance.problem.data)
    U, s, Vt = t["U"], t["sigma"], t["Vt"]
    out = mpmath.matrix(U.rows, Vt.cols)
    for i in index_set:
        for a in range(U.rows):
            for b in range(Vt.cols):
                out[a, b] += s[i - 1] * U[a, i - 1] * Vt[i - 1, b]
    return out


def _root_instances(instance: Instance) -> list:
    """The critical points that Levenberg–Marquardt root-finding on ∇L finds from 24 seeded starts
    (:func:`critlocus.core.linear_search.multistart_critical_points`, every index, every stratum),
    each as an instance whose point is polished at every precision (cached; the float64 roots are
    recorded in ``info["roots"]``)."""
    from critlocus.core.linear_search import multistart_critical_points, problem_seed
    from critlocus.core.points import PolishedCriticalPoint

    cached = instance.__dict__.get("_roots")
    if cached is None:
        if "roots" not in instance.info:
            problem = instance.problem
            instance.info["roots"] = [t.tolist() for t in multistart_critical_points(
                problem, starts=24, seed=problem_seed(problem))]
        cached = [Instance(instance.problem, PolishedCriticalPoint.from_start(instance.problem, np.array(t)),
                           label="root") for t in instance.info["roots"]]
        instance.__dict__["_roots"] = cached
    return cached


def _every_critical_point_is_a_truncation(instance: Instance, precision) -> TierResult:
    """Every critical point found is μ(θ) = Q_I for one I (|I| = e = rk μ(θ)); at e = r its index is
    #{(i, j): i ∈ I, j ∉ I, j < i}."""
    from itertools import combinations

    from critlocus.core.decisions import decide_zero
    from critlocus.core.verdict import FALSE, TRUE, UNDECIDED

    m, r = instance.info["m"], instance.info["r"]
    rows, undecided, wrong = [], False, []
    for root in _root_instances(instance):
        ev = root.evaluation()
        g = ev.gradient_decision(precision)
        view = L.functional_view(root)
        rdec = view.rank_decision(precision)
        if g.status != "zero" or not rdec.decided:
            undecided = True
            continue
        e = rdec.rank
        with mpmath.workdps(precision.dps):
            P = view.product(precision)
            dists = {ix: mpmath.mnorm(P - _truncation(root, ix), "f")
                     for ix in combinations(range(1, m + 1), e)}
        decs = {ix: decide_zero(d, precision, n=view.n_terms, scale=view.gradient_scale(),
                                quantity="||W̄ − Q_I||") for ix, d in dists.items()}
        match = [ix for ix, d in decs.items() if d.status == "zero"]
        if any(d.status == "ambiguous" for d in decs.values()):
            undecided = True
            continue
        if len(match) != 1:
            wrong.append({"e": e, "matches": match})
            continue
        ix = match[0]
        row = {"e": e, "I": list(ix), "loss": float(ev.loss(precision))}
        if e == r:
            H = ev.inertia(precision)
            row["index"] = H.n_neg
            row["predicted_index"] = morse_index_formula(ix, m)
            if not H.decided:
                undecided = True
            elif H.n_neg != row["predicted_index"]:
                wrong.append(row)
        rows.append(row)
    distinct = {e: sorted({tuple(row["I"]) for row in rows if row["e"] == e}) for e in range(r + 1)}
    ev_out = {"critical_points": rows, "m": m, "r": r, "not_truncations_or_wrong_index": wrong,
              "distinct_per_stratum": {str(e): [list(ix) for ix in v] for e, v in distinct.items()}}
    if wrong:
        return TierResult(precision.label, FALSE, True,
                          f"{len(wrong)} critical point(s) contradict Eckart–Young", ev_out)
    if undecided:
        return TierResult(precision.label, UNDECIDED, True, "some root undecided", ev_out)
    return TierResult(precision.label, TRUE, True,
                      "distinct Q_I found per stratum "
                      + ", ".join(f"e={e}: {len(distinct[e])}/{comb(m, e)}" for e in range(r + 1)), ev_out)


def count_summary(checked) -> dict:
    """Found vs predicted C(m, e) critical points per stratum, and indices at e = r."""
    found: Counter = Counter()
    predicted: Counter = Counter()
    idx_ok: Counter = Counter()
    idx_all: Counter = Counter()
    searched: Counter = Counter()
    for inst, outcome in checked:
        if inst.info.get("family") != "count":
            continue
        leaves = [leaf for leaf in outcome.leaves() if leaf.deciding_tier is not None
                  and "critical_points" in leaf.deciding_tier.evidence]
        if not leaves:
            continue
        evd = leaves[0].deciding_tier.evidence
        m, r = evd["m"], evd["r"]
        for e in range(r + 1):
            predicted[(m, e)] += comb(m, e)
            searched[(m, e)] += 1
            found[(m, e)] += len(evd.get("distinct_per_stratum", {}).get(str(e), []))
        for row in evd["critical_points"]:
            if "index" in row:
                idx_all[(m, row["e"])] += 1
                idx_ok[(m, row["e"])] += row["index"] == row["predicted_index"]
    rows = [[m, e, searched[(m, e)], found[(m, e)], predicted[(m, e)],
             f"{idx_ok[(m, e)]}/{idx_all[(m, e)]}" if idx_all[(m, e)] else "—"]
            for (m, e) in sorted(predicted)]
    missing = sorted({(m, e) for m in (2, 3) for e in range(m + 1)} - set(predicted))
    notes = [f"strata never searched: {missing}" if missing else
             "every stratum (m, e) with m ∈ {2, 3}, e ≤ m was searched (one explicit example per shape "
             "(d_0, r, d_h), then generated ones)"]
    return {"tables": [{"title": ("critical points of ||W − Q||² on the rank strata: distinct Q_I found by "
                                  "root-finding vs C(m, e)"),
                        "columns": ["m", "e", "instances searched", "distinct Q_I found (summed)",
                                    "predicted C(m, e) (summed)", "index = formula (e = r)"],
                        "rows": rows}], "notes": notes}


EY_INSTANCES = eckart_young_instances(min_depth=2, max_depth=2, max_dim=4, ranks="all", regression=False,
                                      gauge=True, spare=False, min_rank=1)

ECKART_YOUNG = Spec(
    id="tkb.thm.eckart-young",
    title="Eckart–Young on the rank strata: critical points Q_I, values, Morse indices, Hessian spectra",
    source=Source(PAPER, "Eckart–Young (classical), as used by TKB", "§ quadratic loss", ("REC", "VER")),
    statement=("For ℓ_Q(P) = ||P − Q||² with Q of distinct nonzero singular values, the truncations Q_I "
               "(|I| = e) are critical points of ℓ_Q on the rank stratum M_e°, with values "
               "||Q||² − Σ_{i∈I} σ_i², Morse index #{(i, j): i ∈ I, j ∉ I, σ_j > σ_i}, Riemannian "
               "Hessian eigenvalues 2(1 ± σ_j/σ_i) (i ∈ I, j ∉ I, j ≤ m) and 2 on the remaining "
               "directions: all nondegenerate; Q_{1..e} is the unique local minimum."),
    formula=("Π_{T M_e°} ∇ℓ_Q(Q_I) = 0;  ℓ_Q(Q_I) = ||Q||² − Σ_{i∈I} σ_i²;  "
             "spec Hess_{M_e°} ℓ_Q(Q_I) = {2(1 ± σ_j/σ_i)} ∪ {2}"),
    hypotheses=("Q ∈ R^{d_h×d_0} with distinct nonzero singular values (built so)",
                "Q_I realised as μ_d(θ) on a network d = (d_0, d_1, d_h) with d_1 ≥ |I|, at a gauged "
                "point of its fibre"),
    instances=st.one_of(EY_INSTANCES, _count_instances()),
    examples=COUNT_EXAMPLES,
    claim=claims.all_of(
        L.applies_if(lambda i: i.info.get("family") != "count", claims.all_of(
            claims.is_critical(),
            L.stratum_critical(),
            L.loss_value(eckart_young_value, text="||Q||² − Σ_{i∈I} σ_i²"),
            L.riemannian_inertia(negative=stratum_index, zero=0),
            L.riemannian_spectrum(eckart_young_eigenvalues, text="{2(1 ± σ_j/σ_i)} ∪ {2}"),
        ), text="a constructed Q_I"),
        L.applies_if(lambda i: i.info.get("family") == "count",
                     claims.custom("every critical point found is a Q_I, with the predicted index",
                                   _every_critical_point_is_a_truncation),
                     text="root-finding from random starts"),
    ),
    summarize=lambda checked: count_summary(checked),
    expected="holds",
    kind="theorem",
    examples_scale=0.3,
    notes=("Two kinds of instances.  Constructed: Q_I realised on d = (d_0, d_1, d_h), decided on "
           "W̄ = μ_d(θ) rebuilt at each precision (SVD of the data's Q at that precision).  Found: "
           "Levenberg–Marquardt root-finding on ∇L for d = (d_0, r, d_h) from 24 seeded starts finds "
           "critical points of every index on every stratum e ≤ r; each is polished, its rank decided, "
           "matched to exactly one Q_I (||W̄ − Q_I|| decided zero) and, at e = r, its Morse index "
           "compared with the formula.  The report tabulates the distinct Q_I found vs C(m, e) per stratum; "
           "every shape (d_0, r, d_h) with d_0, d_h ∈ {2, 3} is an explicit example (seeded generic Q), so "
           "every stratum (m, e), e ≤ m ≤ 3, is searched.  examples_scale = 0.3: a count instance runs 30 "
           "root-finding starts and decides every root found (up to 8 critical points) at 30 digits."),
)


QL_INSTANCES = eckart_young_instances(min_depth=2, max_depth=4, max_dim=4, filling=False, ranks="all",
                                      regression=st.booleans(), gauge=True, spare=True)

def eckart_young_global(instance: Instance, precision: Precision):
    """(||Y||² − Σ_{i≤r} σ_i², its scale): the global minimum of ||WX − Y||² on M_r."""
    Y = instance.problem.data.Y
    r = min(instance.problem.architecture.widths)
    s = _sigma(instance)
    total = mpmath.fsum(mpmath.mpf(float(v)) ** 2 for v in Y.reshape(-1))
    return total - mpmath.fsum(v ** 2 for v in s[:r]), 2.0 * (1.0 + float(total))


#: The same search as tkb.claim.nonfilling-convex-no-bad-minima, with the quadratic losses.
_QL_SEARCH = local_minimum_instances(
    widths=linear_widths(min_depth=2, max_depth=3, min_dim=1, max_dim=3, filling=False),
    families=("quadratic", "regression"), starts=8)

QUADRATIC_LANDSCAPE = Spec(
    id="tkb.thm.quadratic-landscape",
    title="The quadratic loss on a non-filling linear network: critical points, purity, types",
    source=Source(PAPER, "main theorem on the quadratic loss", "§ quadratic loss", ("SRC", "REC", "VER")),
    statement=("For ℓ(W) = ||WX − Y||² with XXᵀ ≻ 0 on a non-filling network, the critical points θ "
               "with μ(θ)R = Q'_I (|I| = e ≤ r) satisfy: θ is pure iff |I| = r; for |I| = r its "
               "Morse index is #{(i, j): i ∈ I, j ∉ I, σ_j > σ_i} (so it is a local minimum iff "
               "I = {1..r}, and then global); for |I| < r it is not a local minimum (a saddle, possibly "
               "non-strict when h ≥ 3); L(θ) = ||Y||² − Σ_{i∈I} σ_i².  No bad local minima."),
    formula=("∇L(θ) = 0;  pure ⇔ |I| = r;  |I| = r ⇒ n₋(Hess L) = #{(i,j): i∈I, j∉I, j<i};  "
             "|I| < r ⇒ ∃Δ: L(θ + tΔ) < L(θ) for small t"),
    hypotheses=("d non-filling, h = 2…4", "XXᵀ ≻ 0 (X = R·O built so), Q' generic",
                "θ any gauged point of the fibre, with free blocks on the spare coordinates"),
    instances=st.one_of(QL_INSTANCES, _QL_SEARCH),
    claim=claims.all_of(
        L.applies_if(lambda i: i.info.get("family") == "eckart_young", claims.all_of(
            claims.is_critical(),
            L.purity(_predicted_label),
            L.loss_value(eckart_young_value, text="||Y||² − Σ_{i∈I} σ_i²"),
            L.applies_if(lambda i: i.info["e"] == i.info["r"],
                         claims.hessian_inertia(negative=stratum_index), text="|I| = r"),
            L.applies_if(lambda i: i.info["e"] < i.info["r"],
                         L.descends(_descent_directions, text="the spare line θ + tΔ (Δ ∝ u_j v_jᵀ, j ∉ I)"),
                         text="|I| < r"),
        ), text="a constructed critical point"),
        L.applies_if(lambda i: i.info.get("family") != "eckart_young",
                     L.no_bad_minimum(eckart_young_global, text="||Y||² − Σ_{i≤r} σ_i² (Eckart–Young)"),
                     text="the worst local minimum found by descent"),
    ),
    expected="holds",
    kind="theorem",
    examples_scale=0.3,
    notes=("Two kinds of instances.  Constructed critical points: local minimality at |I| = r is the "
           "index formula (n₋ = 0 iff I = {1..r}); for |I| < r the certificate is the exact polynomial "
           "L(θ + tΔ) − L(θ), whose lowest-order coefficient is decided nonzero with odd order or "
           "negative sign.  Searched minima: the must-fail claim's search (multistart descent, worst "
           "minimum, polished) with quadratic losses; its loss must equal the Eckart–Young global "
           "value — 'no bad minima' under the same search budget.  examples_scale = 0.3: half the draws run "
           "the must-fail claim's search (multistart descent, polish at 30 and 60 digits, certificate)."),
)


def _zero_instances():
    @st.composite
    def build(draw):
        from critlocus.strategies.linear import generic_matrices, linear_widths

        widths = draw(linear_widths(min_depth=2, max_depth=4, max_dim=4))
        Q = draw(generic_matrices(widths[-1], widths[0]))
        problem = frobenius_problem(widths, Q)
        m = min(widths[0], widths[-1])
        return Instance(problem, zero_point(widths), label="θ = 0",
                        info={"h": len(widths) - 1, "d1": widths[1], "m": m, "index_set": [], "e": 0,
                              "r": min(widths), "gauge": []})

    return build()


def _zero_h2_positive(instance: Instance) -> int:
    """d_1·m"""
    return instance.info["d1"] * instance.info["m"] if instance.info["h"] == 2 else 0


def zero_h2_spectrum(instance: Instance, precision: Precision) -> list:
    """{±2σ_i(Q)}, each d_1 times"""
    s = _sigma(instance)
    return [sign * 2 * v for v in s for sign in (1, -1)] * instance.info["d1"]


def _zero_directions(instance: Instance):
    widths = instance.problem.architecture.widths
    data = instance.problem.data
    return [lambda s=s: eckart_young_direction(data, widths, [], 1, [], sign=s) for s in (1, -1)]


ZERO_SPURIOUS = Spec(
    id="tkb.ex.zero-spurious",
    certify=True,
    title="θ = 0 is a spurious critical point: a strict saddle for h = 2, Hess = 0 for h ≥ 3",
    source=Source(PAPER, "example: θ = 0", "§ pure and spurious", ("REC", "VER")),
    statement=("For h ≥ 2, θ = 0 is critical for every ℓ, and spurious when ∇ℓ(0) ≠ 0.  For "
               "ℓ = ||· − Q||² and h = 2 it is a strict saddle whose nonzero Hessian eigenvalues are "
               "±2σ_i(Q), each d_1 times; for h ≥ 3 its Hessian vanishes and L decreases at order h."),
    formula=("∇L(0) = 0;  spurious;  h = 2: spec Hess L(0) = {±2σ_i(Q)}^{×d_1} ∪ {0};  h ≥ 3: "
             "Hess L(0) = 0 and L(tΔ) − L(0) = −2σ_1 t^h + …"),
    hypotheses=("any widths with h = 2…4", "ℓ = ||W − Q||², Q with distinct nonzero singular values"),
    instances=_zero_instances(),
    claim=claims.all_of(
        claims.is_critical(),
        L.purity("spurious"),
        L.applies_if(lambda i: i.info["h"] == 2,
                     claims.all_of(claims.hessian_inertia(positive=_zero_h2_positive,
                                                          negative=_zero_h2_positive),
                                   L.hessian_spectrum(zero_h2_spectrum, text="{±2σ_i(Q)}^{×d_1}")),
                     text="h = 2"),
        L.applies_if(lambda i: i.info["h"] >= 3, claims.hessian_inertia(zero=lambda i: i.n_params),
                     text="h ≥ 3"),
        L.descends(_zero_directions, text="θ = tΔ with Δ̄ ∝ u_1 v_1ᵀ"),
    ),
    expected="holds",
    kind="example",
)


def _toy_instances():
    @st.composite
    def build(draw):
        q = draw(st.sampled_from([1.0, -1.0, 0.5, 2.0, -3.0, 1.5, 0.75]))
        at_zero = draw(st.booleans())
        widths = (1, 1, 1)
        problem = frobenius_problem(widths, [[q]])
        if at_zero:
            return Instance(problem, zero_point(widths), label="(a, b) = (0, 0)",
                            info={"q": q, "on_hyperbola": False})
        a = draw(st.sampled_from([1.0, -1.0, 0.5, 2.0, -0.25, 3.0, 0.75, -1.5]))

        def build_factors(data, a=a):
            qq = mpmath.mpf(float(data.Y[0, 0]))
            return [mpmath.matrix([[a]]), mpmath.matrix([[qq / a]])]

        point = ConstructedPoint(bias_free_architecture(widths), build_factors,
                                 description="a given, b = q/a (on the hyperbola ab = q)",
                                 payload={"construction": "hyperbola", "a": a})
        return Instance(problem, point.recipe(), label=f"(a, b) = ({a}, q/{a})",
                        info={"q": q, "on_hyperbola": True})

    return build()


TOY_AB = Spec(
    id="tkb.ex.toy-ab",
    title="Toy example L(a, b) = (ab − q)²: spurious saddle at 0, pure minima on the hyperbola",
    source=Source(PAPER, "toy example μ(a, b) = ab", "§ introduction", ("REC",)),
    statement=("For μ(a, b) = ab and ℓ(w) = (w − q)² (q ≠ 0; the paper's q = 1), (0, 0) is a spurious "
               "critical point, a strict saddle with Hessian eigenvalues ±2|q|; the hyperbola ab = q "
               "consists of pure global minima (Hessian inertia (1, 0, 1))."),
    formula=("(0,0): ∇L = 0, spurious, spec Hess = {2|q|, −2|q|};  ab = q: ∇L = 0, pure, L = 0, "
             "inertia (1,0,1)"),
    hypotheses=("d = (1, 1, 1)", "q a nonzero dyadic number"),
    instances=_toy_instances(),
    claim=claims.all_of(
        claims.is_critical(),
        L.purity(lambda i: "pure" if i.info["on_hyperbola"] else "spurious"),
        L.applies_if(lambda i: not i.info["on_hyperbola"],
                     claims.all_of(claims.hessian_inertia(positive=1, negative=1, zero=0),
                                   claims.positive_eigenvalues_equal(lambda i: 2 * abs(i.info["q"]),
                                                                     text="2|q|")),
                     text="(a, b) = (0, 0)"),
        L.applies_if(lambda i: i.info["on_hyperbola"],
                     claims.all_of(claims.hessian_inertia(positive=1, negative=0, zero=1),
                                   L.loss_value(lambda i, p: 0, text="0")),
                     text="ab = q"),
    ),
    expected="holds",
    kind="example",
)

