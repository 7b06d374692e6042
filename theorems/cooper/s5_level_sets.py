"""Cooper §5.3: critical points that are not global minima — Prop 5.13, Lemma 5.14,
Theorem 5.15, Corollary 5.16, Theorem 5.17, Corollaries 5.18 and 5.19, the literal reading of
Lemma 5.14 and the saddle versions of 5.16/5.18 (open question 6 of ``cooper.open``).

Notation: ``k = rank Φ(p')``, ``k̃ = rank Φ̃`` (Φ̃ = [Φ; 1ᵀ] with an output bias, else Φ),
``m = rows(Φ̃) = n_{ℓ−1} + [b_ℓ]``, ``Q_{p'}`` the slice's quadratic form (rank ``n_ℓ·k̃``),
``K = ker Q`` (dimension ``n_ℓ(m − k̃)``).  Critical points come from closed-form loci
(star, generalised and dead-last-hidden points, :func:`critlocus.strategies.locus_critical_instances`)
and global minima (:mod:`critlocus.strategies.minima`), every one rebuilt at each precision.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import strategies as st

from critlocus import Source, Spec, claims, strategies
from critlocus.core.architecture import Architecture
from critlocus.core.instance import Instance
from critlocus.core.precision import mp_precision
from critlocus.core.verdict import Outcome
from critlocus.strategies.critical import critical_point_instances, generic_dataset
from critlocus.views import plural

from . import PAPER

__all__ = ["COR_5_16", "COR_5_16_SADDLES", "COR_5_18", "COR_5_18_SADDLES", "COR_5_19", "LEM_5_14",
           "LEM_5_14_LITERAL", "PROP_5_13", "THM_5_15", "THM_5_17"]


# -- bounds (instance, decided ranks) -> int ---------------------------------------------------

def _m(instance: Instance) -> int:
    arch = instance.problem.architecture
    return arch.widths[-2] + int(arch.bias[-1])


def paper_bound_k(instance: Instance, ranks) -> int:
    """n_ℓ(n_{ℓ−1} − k)"""
    return max(instance.n_out * (instance.problem.architecture.widths[-2] - ranks.k), 0)


def exact_kernel_dim(instance: Instance, ranks) -> int:
    """n_ℓ(m − rank Φ̃)"""
    return instance.n_out * (_m(instance) - ranks.k_tilde)


def paper_bound_d(instance: Instance, ranks) -> int:
    """n_ℓ(n_{ℓ−1} − d)"""
    return max(instance.n_out * (instance.problem.architecture.widths[-2] - instance.n_data), 0)


def exact_bound_d(instance: Instance, ranks) -> int:
    """n_ℓ(m − d)"""
    return max(instance.n_out * (_m(instance) - instance.n_data), 0)


def literal_bound(instance: Instance, ranks) -> int:
    """k·n_ℓ"""
    return ranks.k * instance.n_out


_MP30 = mp_precision(30)

# -- summaries: what was checked, found and decided ---------------------------------------------

def _leaf_evidence(outcome: Outcome, key: str):
    for leaf in outcome.leaves():
        tier = leaf.deciding_tier
        if tier is not None and key in tier.evidence:
            return tier.evidence[key]
    return None


def _gradient_norm(outcome: Outcome):
    for leaf in outcome.leaves():
        if leaf.check.startswith("critical point") and leaf.deciding_tier is not None:
            ev = leaf.deciding_tier.evidence
            return ev.get("value"), ev.get("precision")
    return None, None


def _deciding_precision(outcome: Outcome) -> str:
    """The highest rung of the ladder any part of the claim needed (float64 < certified <
    mpmath-30 < mpmath-60)."""
    def rung(label: str) -> int:
        fixed = {"float64": 0, "certified": 1}
        return fixed[label] if label in fixed else 2 + int(label.rsplit("-", 1)[-1])

    labels = [leaf.precision for leaf in outcome.leaves() if leaf.precision]
    return max(labels, key=rung, default="none")


def _critical_summary(checked, *, title: str) -> dict:
    rows: dict = {}
    for inst, outcome in checked:
        kind = inst.info.get("point_kind")
        if kind is None:
            cp = inst.info.get("critical_point", {})
            kind = f"root finding: {cp.get('found_kind', 'nothing of the kind found: inconclusive')}"
            if inst.info.get("found"):
                kind += {"zero": ", L = 0", "nonzero": ", L > 0"}.get(
                    claims.loss_decision(inst, _MP30).status, ", L ≈ 0?")
            if "fresh_problem" in inst.info:
                kind += " (on a fresh problem)"
            elif "fresh_data" in inst.info:
                kind += " (on fresh data)"
            elif "retried" in inst.info:
                kind += " (on a retry)"
        r = rows.setdefault(kind, {"n": 0, "saddles": 0, "vacuous": 0, "grad": None, "grad_at": set(),
                                   "prec": Counter(), "surplus": None})
        r["n"] += 1
        g, at = _gradient_norm(outcome)
        if g is not None:
            r["grad"] = g if r["grad"] is None else max(r["grad"], g)
            r["grad_at"].add(at)
        r["prec"][_deciding_precision(outcome)] += 1
        if _leaf_evidence(outcome, "certified_saddle"):
            r["saddles"] += 1
        if _leaf_evidence(outcome, "vacuous"):
            r["vacuous"] += 1
        s = _leaf_evidence(outcome, "surplus")
        if s is not None and not _leaf_evidence(outcome, "vacuous"):
            r["surplus"] = s if r["surplus"] is None else min(r["surplus"], s)
    non_global = sum(v["n"] for k, v in rows.items() if k.startswith("root finding: local_min, L > 0"))
    searched = sum(v["n"] for k, v in rows.items() if k.startswith("root finding"))
    unfound = sum(v["n"] for k, v in rows.items() if k.startswith("root finding: nothing"))
    replaced = sum(v["n"] for k, v in rows.items() if "root finding found none" in k)
    found = searched - unfound
    notes = [f"{plural(found, 'critical point')} found by root finding (each polished until ∇L = 0 "
             f"was decided at 60 digits, then ∇L = 0 decided again by the claim at the precision shown), "
             f"{plural(non_global, 'local minimum', 'local minima')} with L > 0 decided (non-global) among "
             f"them; {plural(unfound + replaced, 'root-finding draw')} found nothing of the requested kind "
             f"even on a retry: {plural(unfound, 'inconclusive instance')}, {replaced} replaced by the "
             "closed-form critical point of the same problem (requests for any critical point)"]
    # the saddle columns only where the claim asserts its bound at certified saddles (the conjectures);
    # elsewhere "saddle" in a row's name is root finding's float64 classification
    saddle_claim = any(v["saddles"] or v["vacuous"] for v in rows.values())
    columns = ["critical points", "checked", "largest ‖∇L‖ at the deciding precision", "decided at"]
    if saddle_claim:
        columns += ["certified saddles (n₋>0, n₊>0)", "vacuous (not a certified saddle)",
                    "smallest zero-eigenvalue surplus over the bound"]
    table_rows = []
    for k, v in sorted(rows.items()):
        grad = "—" if v["grad"] is None else f"{v['grad']:.1e} ({', '.join(sorted(v['grad_at']))})"
        row = [k, v["n"], grad, ", ".join(f"{p}: {n}" for p, n in sorted(v["prec"].items()))]
        if saddle_claim:
            row += [v["saddles"], v["vacuous"], v["surplus"]]
        table_rows.append(row)
    return {"notes": notes, "tables": [{"title": title, "columns": columns, "rows": table_rows}]}


def _surplus_target(instance: Instance, outcome: Outcome) -> float:
    """Steer toward certified saddles with the fewest zero eigenvalues over the bound."""
    if _leaf_evidence(outcome, "vacuous") or not _leaf_evidence(outcome, "certified_saddle"):
        return -float(instance.n_params)
    s = _leaf_evidence(outcome, "surplus")
    return -float(s) if s is not None else -float(instance.n_params)


# -- strategies -----------------------------------------------------------------------------

#: smooth σ with σ(0) = 0, by name (the search space does not move when a module registers more)
_SMOOTH_ZERO = strategies.activations("tanh", "arctan", "silu", "cubic", "identity")


def _loci(regime: str, **kw):
    kw.setdefault("activations", _SMOOTH_ZERO)
    if regime != "mild":  # N ≤ 40: exact dense spectra at 30/60 digits (mild networks are small)
        kw.setdefault("max_params", 40)
    else:
        kw.setdefault("max_params", None)
    return strategies.locus_critical_instances(regime=regime, **kw)


def _without_output_bias(arch: Architecture) -> Architecture:
    return Architecture(arch.widths, bias=(*arch.bias[:-1], False))


def _root_found(kind: str, *, regime: str = "any", excess: int = 0, output_bias: bool = True,
                max_width: int = 5, max_outputs: int = 2, max_data: int = 4, retry_starts: int = 6,
                fresh_data: int = 2, fresh_problems: int = 2):
    """Critical points found by multistart root finding on ∇L (Newton-MR / L-BFGS in float64,
    :mod:`critlocus.core.critical`) and polished at every precision until ∇L = 0 is decided.

    ``regime="very_wide"`` draws d ≤ n_{ℓ−1} − excess after the architecture (so the last hidden
    width is ≥ d + excess by construction); data are generic (seeded grid).  Every draw is kept:
    when the 3 starts find nothing of the requested kind (a few per cent of draws; most draws for
    saddles of very wide networks, whose critical points are mostly global minima), the search is
    run again on the same problem from ``retry_starts`` fresh starts; if that finds nothing either,
    the same network is tried on up to ``fresh_data`` fresh generic datasets (some problems have no
    point of the kind within reach: x + x³ on a narrow network has its infimum at infinity for most
    data), then on up to ``fresh_problems`` freshly drawn problems (network, activation and data:
    some networks have no such point within reach on any data, e.g. x + x³ on widths 1-1-1), and
    a draw that still has nothing is an ``inconclusive`` instance with every reason (never
    skipped, never judged on a point of the wrong kind).  ``info["retried"]`` records the earlier
    attempts, ``info["fresh_data"]`` and ``info["fresh_problem"]`` how many were replaced."""
    # with an output bias and one data point every critical point is a global minimum (∂f/∂b_ℓ = I
    # forces r = 0), so saddles and non-global points need d ≥ 2: a very wide network must then
    # have n_{ℓ−1} ≥ 2 + excess
    low = 2 if kind in ("saddle", "not_global_min") else 1
    archs = strategies.architectures(min_depth=2, max_depth=3,
                                     min_width=(low if regime == "very_wide" else 1) + excess,
                                     max_width=max(max_width, low + excess), max_inputs=2,
                                     max_outputs=max_outputs)
    if not output_bias:
        archs = archs.map(_without_output_bias)

    def data(arch: Architecture):
        top = max_data if regime == "any" else max(min(max_data, arch.widths[-2] - excess), 1)
        return st.builds(generic_dataset, st.just(arch), st.integers(min(low, top), top),
                         st.integers(0, 2**32 - 1))

    def search(arch: Architecture, activation, datasets, starts: int):
        return critical_point_instances(architectures=st.just(arch), activations=activation,
                                        datasets=datasets, kind=kind, starts=starts, max_iterations=40)

    def fresh(previous: Instance, left: int, problems_left: int):
        """``previous`` found nothing even on a retry: the same network on fresh data, then a
        freshly drawn problem."""
        if previous.info.get("found", True) or kind == "any":
            return st.just(previous)
        if left == 0:
            if problems_left == 0:
                return st.just(previous)

            def new_problem(inst: Instance) -> Instance:
                inst.info["fresh_problem"] = inst.info.get("fresh_problem", 0) + 1  # one per layer
                why = f"problem {inst.info['fresh_problem']}"
                inst.info["retried"] = {**previous.info.get("retried", {}), **inst.info.get("retried", {}),
                                        why: previous.info["inconclusive"]}
                return inst

            return base.flatmap(lambda inst: again(inst, problems_left - 1)).map(new_problem)
        arch, activation = previous.problem.architecture, previous.problem.network.activation

        def record(inst: Instance) -> Instance:
            inst.info["fresh_data"] = previous.info.get("fresh_data", 0) + 1
            inst.info["retried"] = {**previous.info.get("retried", {}),
                                    f"dataset {inst.info['fresh_data']}": previous.info["inconclusive"]}
            return inst

        return search(arch, activation, data, retry_starts).map(record).flatmap(
            lambda inst: fresh(inst, left - 1, problems_left))

    def again(first: Instance, problems_left: int = fresh_problems):
        if first.info.get("found", True):
            return st.just(first)
        problem = first.problem
        retry = search(problem.architecture, problem.network.activation, lambda arch: st.just(problem.data),
                       retry_starts)
        return retry.map(lambda inst: _after_retry(inst, first, kind)).flatmap(
            lambda inst: fresh(inst, fresh_data, problems_left))

    base = critical_point_instances(architectures=archs, datasets=data, kind=kind, starts=3,
                                    max_iterations=40)
    return base.flatmap(again)


def _after_retry(inst: Instance, first: Instance, kind: str) -> Instance:
    """Record the first attempt; if the retry found nothing either, a request for *any* critical
    point falls back to the closed-form one of the same problem (below), and the other kinds stay
    ``inconclusive`` with both reasons."""
    inst.info["retried"] = {"first_attempt": first.info.get("inconclusive")}
    if inst.info.get("inconclusive"):
        why = f"{inst.info['inconclusive']} (after a first attempt: {first.info['inconclusive']})"
        if kind == "any":
            return _dead_last_hidden(inst.problem, why)
        inst.info["inconclusive"] = why
    return inst


def _dead_last_hidden(problem, why: str) -> Instance:
    """The closed-form critical point ``W_{ℓ−1} = 0, b_{ℓ−1} = 0, W_ℓ = 0`` (``b_ℓ = ȳ`` with an
    output bias) of ``problem``, σ(0) = 0 (:func:`critlocus.strategies.locus_critical_instances`),
    free blocks generic from a seed fixed by the problem — a critical point of any architecture,
    used when root finding found none (``why``)."""
    import numpy as np

    from critlocus.core.points import Given, MeanTarget, PointRecipe, Zero

    arch = problem.architecture
    ell = arch.depth
    rng = np.random.default_rng([ell, arch.n_params, problem.data.size])
    rules = {b.name: Given(np.ldexp(np.round(np.ldexp(rng.standard_normal(b.shape), 4)), -4), note="free")
             for b in arch.layout.blocks}
    rules.update({f"W_{ell - 1}": Zero(), f"b_{ell - 1}": Zero(), f"W_{ell}": Zero()})
    if arch.bias[-1]:
        rules[f"b_{ell}"] = MeanTarget()
    else:
        rules.pop(f"b_{ell}", None)
    return Instance(problem, PointRecipe(arch, rules),
                    label=f"p with W_{ell - 1} = 0, b_{ell - 1} = 0, W_{ell} = 0 (root finding found none)",
                    info={"point_kind": "dead_last_hidden (closed form: root finding found none)",
                          "root_finding": why})


def _mix(cheap, expensive, *, every: int):
    """``expensive`` on one draw in ``every`` (root finding costs ~0.5–3 s a draw, a closed-form
    point ~0.1 s), ``cheap`` otherwise; shrinking moves toward ``cheap``."""
    return st.integers(0, every - 1).flatmap(lambda k: expensive if k == every - 1 else cheap)


# -- the specs ------------------------------------------------------------------------------

_SMOOTH = ("σ smooth with σ(0) = 0", "L2 loss", "distinct inputs")

LEM_5_14 = Spec(
    id="cooper.lem5.14",
    title="rank Q_p' = n_ℓ·rank Φ̃ with rank Φ̃ ∈ {k, k+1} (corrected Lemma 5.14)",
    source=Source(PAPER, "Lemma 5.14", "§5.3", ("SRC", "REC", "VER")),
    statement=("On a slice with rank Φ(p') = k, the positive semidefinite quadratic form Q_{p'} of L "
               "has rank exactly n_ℓ·rank Φ̃, where rank Φ̃ ∈ {k, k+1} (so rank Q ≤ n_ℓ(k+1)); one "
               "data point gives rank n_ℓ."),
    formula="rank Q_{p'} = n_ℓ · rank Φ̃(p'),  rank Φ̃ − rank Φ ∈ {0, 1}",
    hypotheses=("fully connected network, depth ℓ ≥ 2, with or without an output bias", *_SMOOTH),
    instances=strategies.slice_instances(max_data=5, max_depth=3, max_outputs=2, max_last_width=5,
                                         output_bias=None),
    claim=claims.slice_form_rank(),
    expected="holds",
    kind="lemma",
    notes=("Q is the exact slice Hessian block ½∂²L/∂W̃² (R-operator), not the Gram formula; the three "
           "ranks are decided at the same precision.  Slices have exactly dependent features "
           "(duplicated, negated, dead, constant units), so both rank Φ̃ = k (1ᵀ in the row space of Φ) "
           "and rank Φ̃ = k + 1 occur.  The paper's stripped bound is read as n_ℓ(k+1) (UNC); the "
           "literal k·n_ℓ is cooper.lem5.14.literal."),
)

LEM_5_14_LITERAL = Spec(
    id="cooper.lem5.14.literal",
    title="Literal Lemma 5.14: rank Q_p' ≤ k·n_ℓ (false)",
    source=Source(PAPER, "Lemma 5.14 (literal reading)", "§5.3", ("SRC", "UNC")),
    statement="On a slice with rank Φ(p') = k, rank Q_{p'} ≤ k·n_ℓ.",
    formula="rank Q_{p'} ≤ k · n_ℓ",
    hypotheses=("fully connected network, depth ℓ ≥ 2, output bias", *_SMOOTH),
    instances=strategies.slice_instances(max_data=5, max_depth=3, max_outputs=2, max_last_width=5,
                                         output_bias=True),
    claim=claims.slice_form_rank(bound=literal_bound, text="k·n_ℓ"),
    expected="fails",
    kind="literal",
    notes=("Refuted whenever rank Φ̃ = k + 1, i.e. 1ᵀ is not in the row space of Φ (the bias row adds a "
           "direction): e.g. one hidden unit and two inputs, k = 1 but rank Q = 2·n_ℓ.  The search "
           "finds it on generated slices and shrinks it; the corrected statement is cooper.lem5.14."),
)

THM_5_15 = Spec(
    id="cooper.thm5.15",
    certify=True,
    title="The level set of a critical point contains p + K, dim K = n_ℓ(m − rank Φ̃) ≥ n_ℓ(n_{ℓ−1} − k)",
    source=Source(PAPER, "Theorem 5.15", "§5.3", ("SRC", "REC")),
    statement=("For any critical point p, the level set {L = L(p)} contains the affine subspace p + K, "
               "K = ker Q_{π(p)} in the last-layer coordinates, of dimension n_ℓ(n_{ℓ−1} + 1 − rank Φ̃) "
               "≥ n_ℓ(n_{ℓ−1} − k)."),
    formula="∇L(p) = 0  ⇒  L(p + v) = L(p) ∀ v ∈ K,  dim K = n_ℓ(m − rank Φ̃) ≥ n_ℓ(n_{ℓ−1} − k)",
    hypotheses=("fully connected network, depth ℓ ≥ 2, any widths", *_SMOOTH),
    instances=_mix(st.one_of(_loci("very_wide", wide="last"), _loci("mild", min_data=2),
                             strategies.global_minimum_instances(max_data=3, max_depth=2, max_outputs=2)),
                   _root_found("any"), every=6),
    claim=claims.all_of(claims.is_critical(),
                        claims.constant_on_slice_kernel(min_dimension=paper_bound_k,
                                                        text="n_ℓ(n_{ℓ−1} − k)"),
                        claims.hessian_kernel_from_slice()),
    expected="holds",
    kind="theorem",
    summarize=lambda checked: _critical_summary(checked, title="Critical points checked (Theorem 5.15)"),
    notes=("K's basis is computed at each precision from Φ̃ rebuilt there; L(p + tv) − L(p) is decided "
           "zero for every basis vector (t = 1) and a random combination (t = −2.5).  The residuals "
           "are unchanged on p + K, so the identity holds at every point of the slice; the theorem's "
           "content is that p + K lies in p's level set, a critical point's.  Also checked at every "
           "instance (saddles included): the exact kernel statement Hess·v = (2Σ_j J̃_jᵀṼᵀr_j, 0) for "
           "v ∈ K, hence n₀(Hess) ≥ dim K − rank M (M the p'-block of Hess on K)."),
)

THM_5_17 = Spec(
    id="cooper.thm5.17",
    title="Very wide: the level set of a critical point contains an affine space of dim ≥ n_ℓ(n_{ℓ−1} − d)",
    source=Source(PAPER, "Theorem 5.17", "§5.3", ("SRC", "REC")),
    statement=("For a very wide network (n_{ℓ−1} > d), the level set of every critical point contains "
               "an affine subspace of dimension ≥ n_ℓ(n_{ℓ−1} − d); exactly, ≥ n_ℓ(n_{ℓ−1} + 1 − d) with "
               "an output bias."),
    formula="n_{ℓ−1} > d, ∇L(p) = 0  ⇒  p + K ⊆ {L = L(p)},  dim K ≥ n_ℓ(m − d) ≥ n_ℓ(n_{ℓ−1} − d)",
    hypotheses=("last hidden width n_{ℓ−1} > d", *_SMOOTH),
    instances=_mix(st.one_of(_loci("very_wide", wide="last", min_excess=1),
                             strategies.global_minimum_instances(max_data=3, max_depth=2, max_outputs=2,
                                                                 min_excess=1)),
                   _root_found("any", regime="very_wide", excess=1), every=6),
    claim=claims.all_of(claims.is_critical(),
                        claims.constant_on_slice_kernel(min_dimension=exact_bound_d, text="n_ℓ(m − d)")),
    expected="holds",
    kind="theorem",
    summarize=lambda checked: _critical_summary(checked, title="Critical points checked (Theorem 5.17)"),
    notes=("The exact bound n_ℓ(m − d), m = n_{ℓ−1} + [b_ℓ], is asserted; it implies the paper's "
           "n_ℓ(n_{ℓ−1} − d), which §6 reads as positive once w > d."),
)

COR_5_16 = Spec(
    id="cooper.cor5.16",
    certify=True,
    title="At local minima Hess L has ≥ n_ℓ(n_{ℓ−1} − k) zero eigenvalues; K ⊆ ker Hess",
    source=Source(PAPER, "Corollary 5.16", "§5.3", ("SRC", "REC")),
    statement=("At a local minimum (or maximum) p, Hess L(p) vanishes on K = ker Q_{π(p)}, so it has at "
               "least dim K = n_ℓ(m − rank Φ̃) ≥ n_ℓ(n_{ℓ−1} − k) zero eigenvalues."),
    formula="p local min/max  ⇒  K ⊆ ker Hess L(p),  n₀ ≥ n_ℓ(m − rank Φ̃) ≥ n_ℓ(n_{ℓ−1} − k)",
    hypotheses=("fully connected network, depth ℓ ≥ 2", "p a local minimum or maximum", *_SMOOTH),
    instances=_mix(st.one_of(
        strategies.global_minimum_instances(max_data=3, max_depth=2, max_outputs=2),
        strategies.interpolating_instances(regime="mild", max_data=3, max_depth=2, max_outputs=2)),
        _root_found("local_min"), every=5),
    claim=claims.all_of(
        claims.is_critical(),
        claims.slice_zero_eigenvalues(paper_bound_k, text="n_ℓ(n_{ℓ−1} − k)"),
        claims.slice_zero_eigenvalues(exact_kernel_dim, text="dim K = n_ℓ(m − rank Φ̃)"),
        claims.hessian_vanishes_on_slice_kernel(),
        claims.hessian_kernel_from_slice()),
    expected="holds",
    kind="corollary",
    summarize=lambda checked: _critical_summary(checked, title="Local minima checked (Cor 5.16)"),
    notes=("Proved only at extrema: Hess is semidefinite there and vanishes as a form on K, so "
           "K ⊆ ker Hess (checked: ‖Hess·v‖ = 0 for a basis of K).  The paper's proof (coordinates "
           "spanning K give 'a block of zeros') does not cover saddles: f = xy vanishes on the x-axis "
           "with a nondegenerate Hessian.  The exact statement valid at every critical point, "
           "Hess·v = (2Σ_j J̃_jᵀṼᵀr_j, 0) for v ∈ K, so n₀ ≥ dim K − rank M, is checked too (and, at "
           "saddles, in cooper.thm5.15).  Saddles: cooper.cor5.16.saddles.  With an output bias L has "
           "no local maxima (∂²L/∂b_ℓ² = 2d·Id), so the maxima half is vacuous.  GAP: the minima checked "
           "are global minima (constructed, or found by L-BFGS; the table says how many have L > 0 — none "
           "in the default run).  Non-global local minima with rank-deficient features, where the bound is "
           "not vacuous, are not constructed; the search reaches them only by chance."),
)

COR_5_18 = Spec(
    id="cooper.cor5.18",
    certify=True,
    title="Very wide, at local minima: Hess L has ≥ n_ℓ(n_{ℓ−1} − d) zero eigenvalues",
    source=Source(PAPER, "Corollary 5.18", "§5.3", ("SRC", "REC")),
    statement=("For a very wide network, at every local minimum (or maximum) Hess L has at least "
               "n_ℓ(n_{ℓ−1} − d) zero eigenvalues (exactly: K ⊆ ker Hess, dim K ≥ n_ℓ(m − d))."),
    formula="n_{ℓ−1} > d, p local min/max  ⇒  n₀(Hess L(p)) ≥ n_ℓ(m − d) ≥ n_ℓ(n_{ℓ−1} − d)",
    hypotheses=("last hidden width n_{ℓ−1} > d", "p a local minimum or maximum", *_SMOOTH),
    instances=_mix(strategies.global_minimum_instances(max_data=3, max_depth=3, max_outputs=2,
                                                       min_excess=1, max_params=30),
                   _root_found("local_min", regime="very_wide", excess=1), every=5),
    claim=claims.all_of(claims.is_critical(),
                        claims.slice_zero_eigenvalues(exact_bound_d, text="n_ℓ(m − d)"),
                        claims.hessian_vanishes_on_slice_kernel()),
    expected="holds",
    kind="corollary",
    summarize=lambda checked: _critical_summary(checked, title="Local minima checked (Cor 5.18)"),
    notes=("Rigorous at extrema (as 5.16, with rank Φ̃ ≤ d).  The abstract's 'every critical point of a "
           "very wide network is degenerate' at saddles is cooper.cor5.18.saddles."),
)

_SADDLE_NOTES = (
    "Search: saddles found by multistart root finding on ∇L (Newton-MR from random and embedded "
    "starts, polished at 30 and 60 digits until ∇L = 0 is decided; one draw in 8, ~2.5 s each) and "
    "closed-form critical points (star S_I, generalised S_I^gen and dead-last-hidden loci, Cooper "
    "Thm 3.1; ~0.1 s each) in every architecture the hypotheses allow — depth ℓ = 2 and 3, 1–3 "
    "inputs, 1–3 outputs, mild and very wide regimes; the bound is asserted at certified saddles (a "
    "decided negative and a decided positive eigenvalue: not an extremum), and the search is steered "
    "(target=) toward the smallest surplus n₀ − bound.  A conjecture search gets 4–5× the default "
    "budget (examples_scale; most draws are cheap closed-form points): with 2× the 5.18 search met its "
    "counterexample in 5 of 12 seeds, since the violations need n_0, n_ℓ ≥ 2, d ≥ 3 and n_1 ≥ 7.  ")

COR_5_16_SADDLES = Spec(
    id="cooper.cor5.16.saddles",
    title="Conjecture: the zero-eigenvalue bound n_ℓ(n_{ℓ−1} − k) at saddles",
    source=Source(PAPER, "Corollary 5.16 at saddles (cooper.open, question 6)", "§5.3", ("REC", "UNC")),
    statement=("At every critical point that is not an extremum, Hess L has at least n_ℓ(n_{ℓ−1} − k) "
               "zero eigenvalues, k = rank Φ(π(p)) (the paper states 5.16 for every critical point)."),
    formula="∇L(p) = 0, p a saddle  ⇒  n₀(Hess L(p)) ≥ n_ℓ(n_{ℓ−1} − k)",
    hypotheses=("fully connected network, depth ℓ ≥ 2, any widths", *_SMOOTH),
    instances=_mix(st.one_of(_loci("mild", min_data=2, max_data=4, max_inputs=3, max_outputs=3,
                                   data="generic"),
                             _loci("very_wide", wide="last", max_inputs=3, max_outputs=3, max_data=4,
                                   max_params=24, data="generic")),
                   _root_found("saddle", max_outputs=3), every=8),
    examples_scale=4.0,
    claim=claims.all_of(claims.is_critical(),
                        claims.slice_zero_eigenvalues(paper_bound_k, text="n_ℓ(n_{ℓ−1} − k)",
                                                      only_saddles=True)),
    expected="holds",
    kind="conjecture",
    target=_surplus_target,
    summarize=lambda checked: _critical_summary(checked, title="Critical points searched (5.16 at saddles)"),
    notes=(_SADDLE_NOTES + "FINDING: the statement does not survive.  At the star point S_1 of a "
           "one-hidden-layer network (W_1 = 0, b_1 = 0, W_2 = 0, b_2 = ȳ) Φ = 0, so k = 0 and the bound "
           "is n_ℓ·n_1; but Hess has, per hidden unit, the block [[0, R], [Rᵀ, 0]] with "
           "R = 2σ'(0)Σ_j (ȳ − y_j)x_jᵀ, hence n₀ = n_1(n_0 + 1 + n_ℓ − 2 rank R) < n_ℓ·n_1 as soon as "
           "rank R > (n_0 + 1)/2 — e.g. n_0 = n_ℓ = 2, d = 3.  The point is a saddle (±singular values "
           "of R), confirmed at 30 and 60 digits and shrunk (the conjecture's verdict is `fails`: "
           "a finding); "
           "the rigorous statements at extrema are cooper.cor5.16 and the kernel inclusion "
           "ker Hess ⊇ {v ∈ K : Σ_j J_jᵀVᵀr_j = 0}."),
)

COR_5_18_SADDLES = Spec(
    id="cooper.cor5.18.saddles",
    title="Conjecture: very wide networks have ≥ n_ℓ(n_{ℓ−1} − d) zero eigenvalues at every saddle",
    source=Source(PAPER, "Corollary 5.18 at saddles (abstract; cooper.open, question 6)", "§5.3",
                  ("REC", "UNC")),
    statement=("For a very wide network, at every critical point that is not an extremum Hess L has at "
               "least n_ℓ(n_{ℓ−1} − d) zero eigenvalues (the quantitative form of the abstract's 'every "
               "critical point of a very wide network is degenerate')."),
    formula="n_{ℓ−1} > d, ∇L(p) = 0, p a saddle  ⇒  n₀(Hess L(p)) ≥ n_ℓ(n_{ℓ−1} − d)",
    hypotheses=("last hidden width n_{ℓ−1} > d", *_SMOOTH),
    instances=_mix(_loci("very_wide", wide="last", min_excess=1, min_data=2, max_data=4, max_inputs=3,
                         max_outputs=3, max_width=12, max_params=60, data="generic"),
                   _root_found("saddle", regime="very_wide", excess=1, max_width=7, max_outputs=3),
                   every=8),
    examples_scale=5.0,
    claim=claims.all_of(claims.is_critical(),
                        claims.slice_zero_eigenvalues(paper_bound_d, text="n_ℓ(n_{ℓ−1} − d)",
                                                      only_saddles=True)),
    expected="holds",
    kind="conjecture",
    target=_surplus_target,
    summarize=lambda checked: _critical_summary(checked, title="Critical points searched (5.18 at saddles)"),
    notes=(_SADDLE_NOTES + "FINDING: the bound does not survive at saddles.  The star point S_1 of a "
           "one-hidden-layer network with n_0 = n_ℓ = 2 inputs/outputs, d = 3 and width n_1 = 7 > d has "
           "n₀ = n_1(n_0 + 1 + n_ℓ − 2·rank R) = 7 < n_ℓ(n_1 − d) = 8 (rank R = 2).  Degeneracy itself "
           "(n₀ ≥ 1) is not refuted by it: every point found is degenerate (see the table)."),
)

PROP_5_13 = Spec(
    id="cooper.prop5.13",
    title="No isolated non-global local minima (last hidden width > d); no local maxima with an output bias",
    source=Source(PAPER, "Proposition 5.13", "§5.3", ("SRC",)),
    statement=("For a network whose last hidden width exceeds d, L has no isolated local minima that are "
               "not global (the paper: and the same for local maxima).  With an output bias "
               "∂²L/∂b_ℓ² = 2d·Id ≻ 0, so L has no local maxima at all."),
    formula=("n_{ℓ−1} > d, p local min  ⇒  p + K ⊆ {L = L(p)} ∩ crit(L), dim K ≥ n_ℓ(m − d) > 0;  "
             "∂²L/∂b_ℓ² = 2d·Id"),
    hypotheses=("last hidden width n_{ℓ−1} > d", *_SMOOTH),
    instances=_mix(strategies.global_minimum_instances(max_data=3, max_depth=3, max_outputs=2,
                                                       min_excess=1, max_params=30),
                   _root_found("local_min", regime="very_wide", excess=1), every=3),
    claim=claims.all_of(claims.is_critical(), claims.output_bias_curvature(),
                        claims.constant_on_slice_kernel(min_dimension=exact_bound_d, text="n_ℓ(m − d)"),
                        claims.hessian_vanishes_on_slice_kernel()),
    expected="holds",
    kind="proposition",
    summarize=lambda checked: _critical_summary(checked, title="Local minima checked (Prop 5.13)"),
    notes=("At a local minimum p, the points p + v (v ∈ K) have the same value, so they are local minima "
           "too (Hess·v = 0 checked, i.e. ∇L vanishes along p + K): p is not isolated.  The maxima "
           "statement is VACUOUS with an output bias: ∂²L/∂b_ℓ² = 2d·Id is decided at every instance, "
           "so no point is a local maximum.  GAP: with the last hidden width > d a non-global local "
           "minimum needs rank Φ < d, a null set of p' (Theorem 5.10), and the search finds none (the "
           "table: every minimum checked has L = 0).  The mechanism — p + K in p's level set, critical, "
           "dim K ≥ n_ℓ(m − d) > 0 — is therefore exercised at global minima."),
)

COR_5_19 = Spec(
    id="cooper.cor5.19",
    title="At a local maximum rank Q = 0 (Φ̃ = 0): L is constant on the whole slice",
    source=Source(PAPER, "Corollary 5.19", "§5.3", ("SRC", "REC")),
    statement=("At a local maximum p, rank Q_{π(p)} = 0, so the level set of p contains the whole slice, "
               "an affine space of dimension n_ℓ(n_{ℓ−1} + 1).  With an output bias there are no local "
               "maxima (vacuous); for a bias-free last layer rank Q = 0 ⇔ Φ = 0."),
    formula="p local max  ⇒  rank Q_{π(p)} = 0 ⇔ Φ̃ = 0  ⇒  π⁻¹(π(p)) ⊆ {L = L(p)}",
    hypotheses=("fully connected network, depth ℓ ≥ 2, with or without an output bias", *_SMOOTH),
    instances=st.one_of(
        _loci("very_wide", wide="last", output_bias=False, loci=("dead_last_hidden",)),
        _loci("mild", min_data=2, output_bias=False, loci=("dead_last_hidden",)),
        _loci("very_wide", wide="last"),
        _mix(_loci("very_wide", wide="last", output_bias=False, loci=("dead_last_hidden",)),
             _root_found("any", output_bias=False), every=2)),
    claim=claims.all_of(claims.is_critical(), claims.not_a_local_maximum(), claims.output_bias_curvature()),
    expected="holds",
    kind="corollary",
    summarize=lambda checked: _critical_summary(checked, title="Critical points checked (Cor 5.19)"),
    notes=("Checked as its contrapositive certificate at critical points: rank Q > 0 ⇒ "
           "L(p + v) − L(p) = Q(v) > 0 for a last-layer direction v (decided nonzero), so p is not a local "
           "maximum; rank Q = 0 ⇔ Φ̃ = 0 ⇒ L constant on the slice (decided).  VACUOUS with an output "
           "bias (∂²L/∂b_ℓ² = 2d·Id decided); meaningful for a bias-free last layer, where the "
           "Φ = 0 points (dead last hidden layer) are the only candidates."),
)
