"""Statements known to be false: the framework must refute each with its own search.

Each is a near-miss of a true result of Cooper §3, so a checker that only ever says
"holds" — or one that decides exact zeros in float64 — would get them wrong.
"""

from hypothesis import strategies as st

from critlocus import Source, Spec, claims, strategies

SOURCE = Source("critlocus test suite", "false variant", tags=("must-fail",))


def _output_bias_nudged(pair):
    instance, ulps = pair
    return strategies.with_block_offset_ulps(instance, f"b_{instance.problem.architecture.depth}", ulps)


CORE_NO_POSITIVE = Spec(
    id="false.core-no-positive-eigenvalue",
    source=SOURCE,
    statement="Core points have no positive Hessian eigenvalue.",
    formula="p ∈ C  ⇒  n₊(Hess L(p)) = 0   (false: n₊ = n_ℓ, each 2d)",
    instances=strategies.core_locus_instances(max_depth=5, max_width=6),
    claim=claims.hessian_inertia(positive=0),
    expected="fails",
    kind="false-variant",
)

STAR_NONDEGENERATE = Spec(
    id="false.star-nondegenerate",
    source=SOURCE,
    statement="Star points are nondegenerate critical points.",
    formula="p ∈ S  ⇒  det Hess L(p) ≠ 0   (false: S is positive-dimensional and critical)",
    instances=strategies.star_locus_instances(max_depth=5, max_width=6),
    claim=claims.is_nondegenerate(),
    expected="fails",
    kind="false-variant",
)

ULP_SHIFTED_CRITICAL = Spec(
    id="false.ulp-shifted-critical",
    source=SOURCE,
    statement=("A star point whose output bias is fl(ȳ) moved a few units in the last place is "
               "still critical."),
    formula="b_ℓ = fl(ȳ) + k·ulp, 1 ≤ k ≤ 4  ⇒  ∇L(p) = 0   (false: ∂L/∂b_ℓ = 2d(b_ℓ − ȳ) ≠ 0)",
    instances=st.tuples(strategies.star_locus_instances(max_depth=5, max_width=6),
                        st.integers(1, 4)).map(_output_bias_nudged),
    claim=claims.is_critical(),
    expected="fails",
    kind="false-variant",
    notes="The gradient is ~1e-16, below float64's noise floor: only the escalation decides it.",
)
