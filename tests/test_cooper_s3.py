"""Cooper §3 specs beyond "holds": the literal Theorem 3.2 is refuted with a shrunk counterexample,
near-miss variants of the new claims are refuted by their own search (the checks can fail), and the
escape-order claim tells generic from non-generic instances exactly."""

import numpy as np
import pytest

from critlocus import Source, Spec, claims, run_spec, strategies
from critlocus.claims import FormulaCounts
from critlocus.core import Dataset, Instance, Problem
from critlocus.core.precision import DEFAULT_LADDER
from critlocus.core.verdict import Verdict
from critlocus.theorems.cooper import s3_loci, s3_saddles

SOURCE = Source("critlocus test suite", "near-miss of a Cooper §3 claim", tags=("must-fail",))


def _assert_refuted_and_confirmed(result):
    assert result.verdict == "fails", result.error or result.counts
    cx = result.counterexample
    leaves = [p for p in [cx["outcome"], *cx["outcome"].get("parts", [])] if p["verdict"] == "fails"]
    tiers = leaves[-1]["tiers"]
    if tiers[-1]["precision"] == "certified":  # a certificate refutes at once (Spec(certify=True))
        assert tiers[-1]["status"] == "false" and "certificate" in tiers[-1]["evidence"]
        return cx["instance"]
    assert [t["precision"] for t in tiers[-2:]] == ["mpmath-30", "mpmath-60"]
    assert [t["status"] for t in tiers[-2:]] == ["false", "false"]
    return cx["instance"]


@pytest.mark.spec
def test_literal_theorem_3_2_is_refuted_by_search_and_shrunk():
    result = run_spec(s3_loci.THM_3_2_LITERAL, seed=0)
    inst = _assert_refuted_and_confirmed(result)
    # shrunk to the smallest network with two outputs, one data point
    assert inst["architecture"]["widths"] == [1, 1, 1, 2]
    assert inst["data"]["d"] == 1
    assert result.counterexample["outcome"]["tiers"][-1]["evidence"]["inertia"]["positive"] == 2
    assert result.shrink_evaluations > 0


def _moved_last_layer(inst):
    return strategies.with_block_offset(inst, f"W_{inst.problem.architecture.depth}", 2.0**-3)


LEMMA_OFF_LOCUS = Spec(
    id="false.lem3.3-with-nonzero-last-layer",
    source=SOURCE,
    statement="Lemma 3.3 without its hypothesis: W_ℓ moved off 0 by 1/8.",
    instances=strategies.with_random_direction(
        strategies.star_locus_instances(max_depth=4, max_width=3, max_data=3, generic=True)
        .map(_moved_last_layer), support="all-but-last-weight"),
    claim=claims.output_derivatives_vanish(order=2, mixed=False),
    expected="fails", kind="false-variant",
)

WRONG_ESCAPE_ORDER = Spec(
    id="false.core-escape-order-one-too-high",
    source=SOURCE,
    statement="Points of S_I first move L at order |I| + 2 (one too many).",
    instances=s3_saddles.COR_CORE_HIGHER_ORDER_SADDLE.instances,
    claim=claims.leading_taylor_order(lambda inst: len(inst.info["index_set"]) + 2),
    expected="fails", kind="false-variant",
)


def _rho_as_sum(instance, precision):
    true = s3_saddles.star_inertia_counts(instance, precision)
    rho = true.evidence["rank G"] + true.evidence["rank D"]
    n_out, N = instance.n_out, instance.n_params
    return FormulaCounts(n_out + rho, rho, N - n_out - 2 * rho, true.decided, true.evidence)


STAR_RHO_SUM = Spec(
    id="false.star-inertia-rho-as-sum",
    source=SOURCE,
    statement="Star inertia with ρ = rank G + rank D instead of the product.",
    instances=strategies.star_locus_instances(max_depth=4, max_width=3, max_data=3, max_index_set_size=1,
                                              generic=True),
    claim=claims.hessian_inertia_formula(_rho_as_sum, text="ρ = rank G + rank D"),
    expected="fails", kind="false-variant",
)

ZERO_OUTPUT_BIAS = Spec(
    id="false.star-locus-with-zero-output-bias",
    source=SOURCE,
    statement="The star locus has b_ℓ = 0 (instead of ȳ).",
    instances=strategies.star_locus_instances(max_depth=4, max_width=3, max_data=3),
    claim=claims.locus_construction(equations=lambda arch, idx: {
        **strategies.defining_equations(arch, idx), f"b_{arch.depth}": "0"}),
    expected="fails", kind="false-variant",
)

GENERALISED_CORE_AT_2D = Spec(
    id="false.generalised-core-eigenvalue-2d",
    source=SOURCE,
    statement="On generalised cores the positive eigenvalues are 2d (forgetting the 1 + ||c||² factor).",
    instances=strategies.generalised_locus_instances(min_depth=3, max_depth=4, max_width=3, max_data=3,
                                                     min_index_set_size=2),
    claim=claims.positive_eigenvalues_equal(lambda inst: 2.0 * inst.n_data, text="2d"),
    expected="fails", kind="false-variant",
)


@pytest.mark.spec
@pytest.mark.parametrize("spec", [LEMMA_OFF_LOCUS, WRONG_ESCAPE_ORDER, STAR_RHO_SUM, ZERO_OUTPUT_BIAS,
                                  GENERALISED_CORE_AT_2D],
                         ids=lambda s: s.id)
def test_near_miss_is_refuted_with_confirmed_counterexample(spec):
    inst = _assert_refuted_and_confirmed(run_spec(spec, examples=30, seed=1))
    assert inst["architecture"]["depth"] <= 4


def _escape_instance(Y, seed=4):
    """A fixed point of S_{1,2} (widths 1-2-2-2-1, tanh) with the given targets and a random
    direction moving W_1, W_2 and W_4 (the escape directions)."""
    base = strategies.equal_width_core_instance(2, 4, n_data=len(Y), index_set=[1, 2], seed=seed)
    data = Dataset(base.problem.data.X, np.array(Y, dtype=float).reshape(-1, 1))
    problem = Problem(base.problem.network, base.problem.loss, data)
    layout = problem.architecture.layout
    v = np.zeros(layout.size)
    rng = np.random.default_rng(seed)
    for name in ("W_1", "W_2", "W_4"):
        v[layout.block(name).slice] = rng.standard_normal(layout.block(name).size)
    return Instance(problem, base.point, label=base.label, info={**base.info, "direction": v.tolist()})


def test_escape_order_is_exactly_k_plus_1_iff_the_closed_form_is_nonzero():
    claim = s3_saddles.COR_CORE_HIGHER_ORDER_SADDLE.claim
    for Y, generic in (([0.5, -0.25, 0.75], True), ([0.5, 0.5, 0.5], False)):
        out = claim.check(_escape_instance(Y), DEFAULT_LADDER)
        assert out.verdict == Verdict.HOLDS, out.reason
        ev = out.deciding_tier.evidence
        assert ev["generic"] is generic
        assert ev["order"] == 3
        if generic:
            assert ev["leading_order_found"] == 3 and ev["sign_change"]
        else:  # constant targets: G = 0, so L is flat to order 3 along every escape direction
            assert ev["leading_order_found"] is None


@pytest.mark.parametrize("widths,n_data,printed", [((2, 3, 4, 3, 1), 5, (4, 3, 37)),
                                                   ((3, 3, 3, 3, 2), 5, (8, 6, 30))])
def test_star_inertia_matches_the_catalogue_examples(widths, n_data, printed):
    """The catalogue's worked examples of cooper.cor.star-inertia (generic star points, d = 5):
    the inertia decided at 30 digits is the printed one, and so is the formula
    (n_ℓ + ρ, ρ, N − n_ℓ − 2ρ) of the spec."""
    from critlocus.core import Architecture, Network, squared_error
    from critlocus.core.activations import get_activation
    from critlocus.core.precision import mp_precision
    from critlocus.strategies.critical import generic_dataset

    arch = Architecture(widths)
    rng = np.random.default_rng(7)
    free = {b.name: np.ldexp(np.round(np.ldexp(rng.standard_normal(b.shape), 8)), -8)
            for b in arch.layout.blocks if b.name not in ("W_2", "b_2", "b_3", "W_4", "b_4")}
    point = strategies.star_locus_point(arch, [2], free)
    inst = Instance(Problem(Network(arch, get_activation("tanh")), squared_error(),
                            generic_dataset(arch, n_data, 11)), point, info={"index_set": [2]})
    dec = inst.evaluation().inertia(mp_precision(30))
    assert dec.decided and dec.inertia == printed
    counts = s3_saddles.star_inertia_counts(inst, mp_precision(30))
    assert (counts.positive, counts.negative, counts.zero) == printed
