"""Mutation testing of the checker: deliberately wrong variants of true specs, generated.

A checker that only ever says "holds" proves nothing.  :func:`mutants` transforms a true spec
into specs that are *false by construction* — each is a one-point change of the claim or of
the instances, with the mechanism that makes it false stated in its operator — and the
mutation suite asserts that critlocus refutes every one (verdict ``fails``, confirmed in high
precision).  The share refuted is the *kill rate*; it must be 100 %.

Operators (one change each):

- **off-by-one counts** — an exact count ``n`` (Hessian inertia, a predicted inertia formula,
  a matrix rank, ``rk W̄``, a Riemannian inertia) becomes ``n + 1`` or ``|n − 1|`` (never equal
  to ``n``); a bound ``≥ k`` becomes ``≤ k − 1`` and ``≤ k`` becomes ``≥ k + 1``.
- **wrong constants** — ``every positive eigenvalue equals c`` becomes ``c/2`` (the classic
  lost factor 2) and ``c + 1``; a predicted loss value ``L = v`` becomes ``v + 1``.
- **wrong classification** — a critical point claimed pure is claimed spurious, and vice versa.
- **wrong locus** — the output bias leaves the locus, ``b_ℓ = ȳ + 1/4`` instead of ``ȳ``, for
  claims that the point is critical at points built with ``W_ℓ = 0, b_ℓ = ȳ`` (then ``f ≡ b_ℓ``):
  ``∂L/∂b_ℓ = 2d(b_ℓ − ȳ) = d/2 ≠ 0`` (L2 loss).
- **dropped hypothesis "L2 loss"** — the loss becomes the LINEX loss ``Σ (e^r − 1 − r)`` at such
  points, for claims of criticality or of eigenvalue constants (and only when every part of the
  claim is evaluated generically for any loss): ``∂L/∂b_ℓ = Σ_j (e^{ȳ − y_j} − 1) > 0`` by
  Jensen unless all targets are equal, and the ``b_ℓ`` block of the Hessian is ``Σ_j e^{r_j}``,
  transcendental for dyadic residuals, never 2d.
- **dropped hypothesis "σ(0) = 0"** — σ becomes the sigmoid on Cooper's star/core loci, for claims of
  eigenvalue *values*: the last hidden activation is the constant ``c = σ(h_{ℓ−1}) ≠ 0``, so the
  ``(W_ℓ, b_ℓ)`` block of the Hessian is ``2d·[c; 1][c; 1]ᵀ ⊗ I`` with eigenvalue
  ``2d(1 + |c|²) ≠ 2d``.  (Not for gradient or inertia claims: Thm 3.1 holds for any σ, since
  ``∂L/∂W_ℓ = 2 Σ_j r_j cᵀ = 0``, and the rank stays n_ℓ — such mutants would be true.)

Claim operators act on the claim tree (``all_of`` parts one at a time; never inside
``applies_if``, whose mutants would be false only where its predicate holds), so any spec
built from these claim types gets mutants automatically; a new claim type gets them with
:func:`register_claim_mutator`.  Instance operators apply only where their mechanism holds,
judged on the spec's first explicit example or its first generated instance.

Run ``python -m critlocus.mutations`` for the kill table of the catalogue.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import mpmath
import torch
from hypothesis import HealthCheck, Phase, find, reject, settings

from critlocus.claims import all_of, at_least, at_most, hessian_inertia, positive_eigenvalues_equal
from critlocus.claims.base import Bound, Claim, _AllOf
from critlocus.claims.gradient import _Critical
from critlocus.claims.hessian import _Inertia, _PositiveEigenvaluesEqual
from critlocus.core.activations import get_activation
from critlocus.core.instance import Instance
from critlocus.core.losses import Loss
from critlocus.core.network import Network, Problem
from critlocus.core.points import Given, MeanTarget, PointRecipe, Zero

from .spec import Spec

__all__ = ["Mutant", "is_killed", "kill_table", "mutants", "register_claim_mutator"]

OFF_BY_ONE, WRONG_CONSTANT, WRONG_LOCUS, DROPPED_HYPOTHESIS, WRONG_CLASSIFICATION = (
    "off-by-one count", "wrong constant", "wrong locus", "dropped hypothesis", "wrong classification")


@dataclass(frozen=True)
class Mutant:
    """A false variant of ``original``: ``spec`` (expected ``fails``), made by ``operator``."""

    spec: Spec
    original: str
    operator: str
    kind: str
    change: str


# --- claim operators -------------------------------------------------------------------------

ClaimMutation = tuple[str, str, str, Claim]  # (operator, kind, change, mutated claim)
_CLAIM_MUTATORS: dict[type, Callable[[Claim], list[ClaimMutation]]] = {}


def register_claim_mutator(claim_type: type) -> Callable:
    """Decorator: ``fn(claim) -> [(operator, kind, change, mutated_claim), …]`` for a claim class.
    Each mutated claim must be false wherever ``claim`` is true."""
    def wrap(fn):
        _CLAIM_MUTATORS[claim_type] = fn
        return fn
    return wrap


def _shifted(expected, delta: int):
    """``n + 1`` (delta = 1) or ``|n − 1|`` (delta = −1) for an int or a callable count; a
    callable's bound result ``≤ k`` / ``≥ k`` is negated (``≥ k + 1`` / ``≤ k − 1``)."""
    def shift(n):
        if isinstance(n, Bound):
            if n.op == "<=":
                return at_least(n.value + 1)
            if n.op == ">=":
                return at_most(n.value - 1) if n.value >= 1 else n  # "≥ 0" has no false variant
            n = n.value
        n = int(n)
        return n + 1 if delta > 0 else abs(n - 1)

    if callable(expected) and not isinstance(expected, Bound):
        def mutated(instance):
            return shift(expected(instance))
        mutated.__doc__ = (f"({expected.__doc__ or 'n'}) + 1" if delta > 0
                           else f"|({expected.__doc__ or 'n'}) − 1|")
        return mutated
    return shift(expected)


def _count_mutations(expected) -> list[tuple[str, str, object]]:
    """Off-by-one variants of an expected count (int, bound or ``instance -> int``):
    ``(suffix, change, mutated)``; each is false wherever ``expected`` holds."""
    if expected is None:
        return []
    if isinstance(expected, Bound) and expected.op != "==":
        if expected.op == ">=" and expected.value >= 1:
            new = at_most(expected.value - 1)
        elif expected.op == "<=":
            new = at_least(expected.value + 1)
        else:
            return []
        return [("bound-negated", f"{new} instead of {expected}", new)]
    value = expected.value if isinstance(expected, Bound) else expected
    out = []
    for delta, name in ((1, "plus-1"), (-1, "minus-1")):
        if delta < 0 and isinstance(value, int) and value == 0:
            continue  # |0 − 1| = 1 is the plus-1 mutant again
        out.append((name, f"{'+' if delta > 0 else '−'} 1", _shifted(value, delta)))
    return out


@register_claim_mutator(_Inertia)
def _inertia_mutations(claim: _Inertia) -> list[ClaimMutation]:
    out: list[ClaimMutation] = []
    for key, expected in claim.expected.items():
        for suffix, change, new in _count_mutations(expected):
            out.append((f"{key}-{suffix}", OFF_BY_ONE, f"n_{key} {change}",
                        hessian_inertia(**{**claim.expected, key: new})))
    return out


@register_claim_mutator(_PositiveEigenvaluesEqual)
def _eigenvalue_mutations(claim: _PositiveEigenvaluesEqual) -> list[ClaimMutation]:
    value, text = claim.value, claim.text
    out: list[ClaimMutation] = []
    for name, fn, label in (("halved", lambda v: v / 2, f"({text})/2"),
                            ("plus-1", lambda v: v + 1, f"{text} + 1")):
        if callable(value):
            def mutated(instance, fn=fn):
                return fn(value(instance))
            mutated.__doc__ = label
            new = positive_eigenvalues_equal(mutated, text=label)
        else:
            new = positive_eigenvalues_equal(fn(value), text=label)
        out.append((f"eigenvalue-{name}", WRONG_CONSTANT, f"λ₊ = {label} instead of {text}", new))
    return out


def _register_optional() -> None:
    """Mutators for claim types of the paper packages, registered only if those modules have
    them (they evolve independently; a renamed class just loses its mutants, never the import)."""
    try:
        from critlocus.claims.rank import _MatrixRank, matrix_rank

        @register_claim_mutator(_MatrixRank)
        def _rank(claim):
            return [(f"rank-{sfx}", OFF_BY_ONE, f"rank {claim.name} {change}",
                     matrix_rank(claim.matrix, new, name=claim.name))
                    for sfx, change, new in _count_mutations(claim.expected)]
    except ImportError:
        pass
    try:
        from critlocus.claims import linear

        @register_claim_mutator(linear._ProductRank)
        def _product_rank(claim):
            return [(f"product-rank-{sfx}", OFF_BY_ONE, f"rk W̄ {change}", linear.product_rank(new))
                    for sfx, change, new in _count_mutations(claim.expected)]

        @register_claim_mutator(linear._RiemannianInertia)
        def _riemannian(claim):
            return [(f"riemannian-{key}-{sfx}", OFF_BY_ONE, f"Riemannian n_{key} {change}",
                     linear.riemannian_inertia(**{**claim.expected, key: new}, stratum=claim.stratum))
                    for key, exp in claim.expected.items() for sfx, change, new in _count_mutations(exp)]

        @register_claim_mutator(linear._Purity)
        def _purity(claim):
            flip = {"pure": "spurious", "spurious": "pure"}
            exp = claim.expected
            if callable(exp):
                def flipped(instance):
                    return flip.get(exp(instance), "pure")
                flipped.__doc__ = f"not ({exp.__doc__ or 'f(instance)'})"
            else:
                flipped = flip[exp]
            return [("purity-flipped", WRONG_CLASSIFICATION, "pure and spurious swapped",
                     linear.purity(flipped))]

        @register_claim_mutator(linear._LossValue)
        def _loss_value(claim):
            value = claim.value

            def plus_one(instance, precision):
                return value(instance, precision) + 1
            return [("loss-value-plus-1", WRONG_CONSTANT, f"L = {claim.text} + 1",
                     linear.loss_value(plus_one, text=f"{claim.text} + 1"))]
    except (ImportError, AttributeError):
        pass
    try:
        from critlocus.claims import loci

        @register_claim_mutator(loci._InertiaFormula)
        def _formula(claim):
            out = []
            for key, delta in (("positive", 1), ("negative", 1), ("zero", 1), ("zero", -1)):
                def counts(instance, precision, key=key, delta=delta, base=claim.counts):
                    pred = base(instance, precision)
                    v = getattr(pred, key)
                    return replace(pred, **{key: None if v is None else (v + 1 if delta > 0 else abs(v - 1))})
                sign = "+" if delta > 0 else "−"
                out.append((f"formula-{key}-{'plus' if delta > 0 else 'minus'}-1", OFF_BY_ONE,
                            f"predicted n_{key} {sign} 1", loci.hessian_inertia_formula(
                                counts, text=f"{claim.text} with n_{key} {sign} 1")))
            return out
    except (ImportError, AttributeError):
        pass


_register_optional()


def _claim_mutations(claim: Claim) -> Iterator[ClaimMutation]:
    """One-point mutations of a claim tree (each conjunct mutated alone)."""
    if isinstance(claim, _AllOf):
        for i, part in enumerate(claim.claims):
            for op, kind, change, new in _claim_mutations(part):
                parts = [*claim.claims[:i], new, *claim.claims[i + 1:]]
                yield op, kind, change, all_of(*parts)
        return
    fn = next((f for t, f in _CLAIM_MUTATORS.items() if isinstance(claim, t)), None)
    if fn is not None:
        yield from fn(claim)


def _leaves(claim: Claim) -> list[Claim]:
    return [leaf for c in claim.claims for leaf in _leaves(c)] if isinstance(claim, _AllOf) else [claim]


# --- instance operators ----------------------------------------------------------------------


def _with(instance: Instance, *, loss=None, activation=None, point=None, note: str) -> Instance:
    problem = instance.problem
    network = problem.network if activation is None else Network(problem.architecture, activation)
    new_problem = Problem(network, problem.loss if loss is None else loss, problem.data)
    return Instance(new_problem, point or instance.point, label=f"{instance.label} [{note}]",
                    info={**instance.info, "mutation": note}, seed=instance.seed)


def _output_bias(instance: Instance) -> str:
    return f"b_{instance.problem.architecture.depth}"


def _off_locus(instance: Instance) -> Instance:
    name = _output_bias(instance)
    if not isinstance(instance.point.rules.get(name), MeanTarget):
        reject()
    ybar = instance.problem.data.mean_target()
    rules = {**instance.point.rules, name: Given(ybar + 0.25, note="fl(ȳ) + 1/4 (off the locus)")}
    return _with(instance, point=PointRecipe(instance.point.architecture, rules), note="b_ℓ = ȳ + 1/4")


def linex_loss() -> Loss:
    """``Σ (e^r − 1 − r)`` (the LINEX loss): smooth and strictly convex like L2, but with
    ``φ'(r) = e^r − 1`` not odd, so ``Σ_j φ'(ȳ − y_j) > 0`` by Jensen whenever the targets are
    not all equal — the mean target stops being critical for *every* such data set (an odd
    ``φ'`` such as log-cosh's tanh cancels on symmetric residuals, e.g. always when d = 2)."""
    def jet(r):
        e = mpmath.exp(r)
        return e - 1 - r, e - 1, e

    # sup φ'' on the residuals of generated data (|r| ≤ 4): scales their rounding errors
    return Loss("linex", "Σ (e^r − 1 − r)", lambda r: torch.expm1(r) - r, jet,
                curvature_bound=math.exp(4.0))


def _linex(instance: Instance) -> Instance:
    return _with(instance, loss=linex_loss(), note="LINEX loss e^r − 1 − r")


def _sigmoid(instance: Instance) -> Instance:
    return _with(instance, activation=get_activation("sigmoid"), note="σ = sigmoid, σ(0) = 1/2")


def _on_star_locus(instance: Instance) -> bool:
    """``W_ℓ = 0`` and ``b_ℓ = ȳ`` by construction — then ``f ≡ b_ℓ`` and ``∂L/∂b_ℓ = Σ_j φ'(b_ℓ − y_j)``,
    the mechanism every instance operator relies on."""
    if not isinstance(instance, Instance):  # explicit functions, flows: no network point
        return False
    ell = instance.problem.architecture.depth
    rules = instance.point.rules
    return isinstance(rules.get(f"W_{ell}"), Zero) and isinstance(rules.get(f"b_{ell}"), MeanTarget)


@dataclass(frozen=True)
class _InstanceOperator:
    name: str
    kind: str
    change: str
    transform: Callable[[Instance], Instance]
    claims: tuple[type, ...]  # leaf claim types whose falsity the mechanism guarantees
    applies: Callable[[Instance], bool]
    generic_only: bool = False  # only when every leaf is evaluated the same way for any loss


_INSTANCE_OPERATORS = (
    _InstanceOperator("off-locus", WRONG_LOCUS, "b_ℓ = ȳ + 1/4 instead of ȳ", _off_locus, (_Critical,),
                      lambda i: _on_star_locus(i) and i.problem.loss.name == "squared_error"),
    _InstanceOperator("drop-l2-loss", DROPPED_HYPOTHESIS, "LINEX loss e^r − 1 − r instead of the L2 loss",
                      _linex, (_Critical, _PositiveEigenvaluesEqual),
                      lambda i: _on_star_locus(i) and i.problem.loss.name == "squared_error",
                      generic_only=True),
    _InstanceOperator("drop-sigma-zero", DROPPED_HYPOTHESIS, "σ = sigmoid (σ(0) = 1/2 ≠ 0)", _sigmoid,
                      (_PositiveEigenvaluesEqual,),
                      lambda i: (_on_star_locus(i) and i.info.get("locus") in ("star", "core")
                                 and i.problem.network.activation.zero_at_zero)),
)


@functools.lru_cache(maxsize=512)
def _sample(spec: Spec) -> Instance | None:
    """An instance of ``spec``: its first explicit example, else its first generated one
    (Hypothesis starts from the simplest; no shrinking)."""
    if spec.examples:
        return spec.examples[0]
    try:
        return find(spec.instances, lambda _: True,
                    settings=settings(database=None, max_examples=1, deadline=None, phases=[Phase.generate],
                                      suppress_health_check=list(HealthCheck)))
    except Exception:  # a strategy that cannot draw is the spec's own problem, reported elsewhere
        return None


# --- mutants ---------------------------------------------------------------------------------


def _variant(spec: Spec, op: str, kind: str, change: str, **fields) -> Mutant:
    mutated = replace(
        spec, id=f"{spec.id}.mutant.{op}", expected="fails", kind="false-variant",
        title=f"mutant of {spec.id}: {change}",
        statement=f"MUTANT ({kind}) of {spec.id}: {change}. Original: {spec.statement}",
        notes=f"generated by critlocus.mutations (operator {op!r}); false by construction",
        target=None, summarize=None, **fields)
    return Mutant(mutated, spec.id, op, kind, change)


def mutants(spec: Spec) -> list[Mutant]:
    """Every mutant of ``spec`` (a true spec: ``expected == "holds"``), in a fixed order."""
    if spec.expected != "holds":
        return []
    out = [_variant(spec, op, kind, change, claim=claim)
           for op, kind, change, claim in _claim_mutations(spec.claim)]
    leaf_types = {type(leaf) for leaf in _leaves(spec.claim)}
    generic = leaf_types <= {_Critical, _Inertia, _PositiveEigenvaluesEqual}
    operators = [o for o in _INSTANCE_OPERATORS
                 if leaf_types & set(o.claims) and (generic or not o.generic_only)]
    sample = _sample(spec) if operators else None
    for o in operators:
        if sample is None or not o.applies(sample):
            continue
        examples = tuple(o.transform(e) for e in spec.examples if o.applies(e))
        out.append(_variant(spec, o.name, o.kind, o.change, instances=spec.instances.map(o.transform),
                            examples=examples))
    return out


def is_killed(result) -> bool:
    """``fails`` with a counterexample refuted at high precision and confirmed one tier up (or
    at the top of the ladder) — never a float64-only or an errored verdict."""
    if result.verdict != "fails" or not result.counterexample:
        return False
    outcome = result.counterexample["outcome"]

    def leaves(o):
        return [x for p in o["parts"] for x in leaves(p)] if o.get("parts") else [o]

    failing = [leaf for leaf in leaves(outcome) if leaf["verdict"] == "fails"]
    return bool(failing) and all(
        leaf["tiers"][-1]["status"] == "false" and not leaf["tiers"][-1]["precision"].startswith("float")
        for leaf in failing)


def kill_table(specs, *, examples: int = 6, seed: int = 0, ladder=None) -> list[dict]:
    """Run every mutant of ``specs``; one row per mutant: original, operator, kind, verdict, killed."""
    from critlocus.core.precision import DEFAULT_LADDER

    from .runner import run_spec

    rows = []
    for spec in specs:
        for m in mutants(spec):
            r = run_spec(m.spec, examples=examples, seed=seed, shrink=False, ladder=ladder or DEFAULT_LADDER)
            rows.append({"original": m.original, "operator": m.operator, "kind": m.kind, "change": m.change,
                         "verdict": r.verdict, "killed": is_killed(r), "examples": r.examples,
                         "seconds": round(r.duration_s, 2), "error": (r.error or "").split("\n")[0]})
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m critlocus.mutations [--only PREFIX] [--examples N]``: the kill table."""
    import argparse

    from .registry import builtin_specs, select

    p = argparse.ArgumentParser(prog="python -m critlocus.mutations", description=main.__doc__)
    p.add_argument("--only", nargs="+", metavar="ID_OR_PREFIX")
    p.add_argument("--examples", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    items, _ = builtin_specs()
    rows = kill_table([s for _, s in select(items, args.only)], examples=args.examples, seed=args.seed)
    for r in rows:
        print(f"{'killed ' if r['killed'] else 'ALIVE  '} {r['original']:<18} {r['operator']:<24} "
              f"{r['verdict']:<8} {r['seconds']:>6.2f}s  {r['change']}")
    killed = sum(r["killed"] for r in rows)
    rate = 100.0 * killed / len(rows) if rows else math.nan
    print(f"kill rate: {killed}/{len(rows)} = {rate:.0f} %")
    return 0 if killed == len(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
