"""The Arb fast tier never contradicts the mpmath path it replaces.

At an mpmath precision p, :class:`~critlocus.core.evaluation.PointEvaluation` first asks the
Arb enclosure at p + 32 bits (:func:`critlocus.core.certify.high_precision_gradient`,
:func:`~critlocus.core.certify.high_precision_inertia`) and falls back to mpmath where it
returns ``None``.  On generated instances across losses, activations and point kinds:

- when the Arb tier answers, its answer is decided (never "ambiguous", never NaN) and agrees
  with the mpmath path's wherever that one decides;
- so the ladder's decision (Arb first, then mpmath) is never less decided than mpmath's alone.

The regression that motivated it: ``arb ** 2`` is NaN on a ball containing 0 (python-flint),
so the pseudo-Huber jet gave NaN gradients at global minima of linear networks (residual
``W − Q`` enclosing 0), reported as an "ambiguous" gradient where mpmath decided zero.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("flint")

from flint import arb, arb_mat

from critlocus import strategies as S
from critlocus.core import certify
from critlocus.core.certify.context import workprec
from critlocus.core.certify.jets import loss_jet
from critlocus.core.evaluation import PointEvaluation
from critlocus.core.linear import frobenius_problem
from critlocus.core.losses import log_cosh, pseudo_huber
from critlocus.core.precision import mp_precision
from critlocus.strategies.linear import linear_widths
from critlocus.strategies.linear_minima import local_minimum_instances, search_instance

P30, P60 = mp_precision(30), mp_precision(60)
SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
INERTIA_LIMIT = 40  # mpmath's dense inertia is cheap up to here


def assert_tiers_agree(instance, precisions=(P30, P60)) -> None:
    """The property of the module docstring, at each precision."""
    if instance.info.get("inconclusive"):  # an honest flag from the strategy: nothing to compare
        return
    ev = instance.evaluation()
    for p in precisions:
        fast = certify.high_precision_gradient(ev, p)
        slow = ev.mpmath_gradient_decision(p)
        if fast is not None:
            assert fast.status in ("zero", "nonzero"), fast.to_dict()
            assert math.isfinite(fast.value) and math.isfinite(fast.threshold), fast.to_dict()
            if slow.status != "ambiguous":
                assert fast.status == slow.status, (p.label, fast.to_dict(), slow.to_dict())
        ladder = ev.gradient_decision(p)
        if slow.status != "ambiguous":
            assert ladder.status == slow.status, (p.label, ladder.to_dict(), slow.to_dict())
        if ev.n_params > INERTIA_LIMIT:
            continue
        fast_i = certify.high_precision_inertia(ev, p)
        slow_i = ev.mpmath_inertia(p)
        if fast_i is not None:
            assert fast_i.n_ambiguous == 0 and sum(fast_i.inertia) == ev.n_params
            if slow_i.n_ambiguous == 0:
                assert fast_i.inertia == slow_i.inertia, (p.label, fast_i.to_dict(), slow_i.to_dict())
            else:  # mpmath left some undecided: Arb may decide them, never undo mpmath's counts
                assert all(a >= b for a, b in zip(fast_i.inertia, slow_i.inertia, strict=True))
        ladder_i = ev.inertia(p)
        if slow_i.n_ambiguous == 0:
            assert ladder_i.inertia == slow_i.inertia and ladder_i.n_ambiguous == 0


# -- the reported regression ---------------------------------------------------------------

def test_pseudo_huber_jet_is_finite_on_a_ball_containing_zero():
    with workprec(133):
        r = arb(0, 1e-30)  # a residual that encloses 0, as at a global minimum
        assert not (r ** 2).is_finite()  # the python-flint behaviour the jet must avoid
        for loss in (pseudo_huber(0.5), pseudo_huber(2.0), log_cosh()):
            value, d1, d2 = loss_jet(loss)(r)
            assert value.is_finite() and d1.is_finite() and d2.is_finite(), loss.name
            assert d1.contains(0) and d2 > 0


def test_polished_pseudo_huber_minimum_is_decided_zero_by_both_tiers():
    """widths 2-2-1, δ = 0.5, X = I, Q = [[0.5, 2⁻⁶]]: the instance of the report."""
    Q = [[0.5, 0.015625]]
    inst = search_instance(frobenius_problem((2, 2, 1), np.array(Q), pseudo_huber(0.5)), {"Q": Q}, starts=4)
    ev = inst.evaluation()
    fast = certify.high_precision_gradient(ev, P30)
    assert fast is not None and fast.status == "zero" and math.isfinite(fast.value), fast.to_dict()
    assert ev.mpmath_gradient_decision(P30).status == "zero"
    assert_tiers_agree(inst)


def test_a_nan_enclosure_falls_back_to_mpmath(monkeypatch):
    """Whatever makes a ball NaN (a jet undefined on its ball), the fast tier reports nothing
    and the ladder's decision is mpmath's."""
    from critlocus.core.certify import landscape

    Q = [[0.5, 0.25]]
    inst = search_instance(frobenius_problem((2, 2, 1), np.array(Q), pseudo_huber(1.0)), {"Q": Q}, starts=4)
    real = landscape.loss_jet

    def nan_jet(loss):
        jet = real(loss)
        return lambda r: tuple(x * arb("nan") for x in jet(r))

    monkeypatch.setattr(landscape, "loss_jet", nan_jet)
    ev = PointEvaluation(inst.problem, inst.point)
    assert certify.high_precision_gradient(ev, P30) is None
    assert certify.high_precision_inertia(ev, P30) is None
    assert ev.gradient_decision(P30).status == "zero"
    assert ev.gradient_decision(P30).details.get("method", "").startswith("Arb") is False
    assert ev.inertia(P30).inertia == ev.mpmath_inertia(P30).inertia


def test_certify_inertia_refuses_a_nan_diagonal():
    """A diagonal enclosure with a NaN entry proves nothing (it used to reach the diagonal
    shortcut before the finiteness check)."""
    from critlocus.core.certify import certify_inertia

    with workprec(128):
        H = arb_mat([[arb(1), arb(0)], [arb(0), arb("nan")]])
    cert = certify_inertia(H)
    assert cert.n_uncertain == 2 and cert.n_pos == 0 and "not finite" in cert.method


# -- generated instances ---------------------------------------------------------------------

@SETTINGS
@given(local_minimum_instances(widths=linear_widths(min_depth=2, max_depth=3, max_dim=3),
                               families=("pseudo_huber", "log_cosh", "weighted"), starts=4,
                               choose=st.sampled_from(["worst", "best"])))
def test_tiers_agree_at_minima_of_convex_losses_on_linear_networks(instance):
    assert_tiers_agree(instance)


_SMALL = S.architectures(min_depth=2, max_depth=3, max_width=3, max_inputs=2, max_outputs=2)


@SETTINGS
@given(S.critical_point_instances(kind="saddle", starts=4, architectures=_SMALL,
                                  activations=S.activations("tanh", "sigmoid", "arctan", "silu", "cubic")))
def test_tiers_agree_at_saddles_found_by_search(instance):
    assert_tiers_agree(instance, (P30,))


@SETTINGS
@given(st.sampled_from([pseudo_huber(0.5), log_cosh()]).flatmap(
    lambda loss: S.critical_point_instances(kind="local_min", starts=4, loss=loss, architectures=_SMALL)))
def test_tiers_agree_at_critical_points_of_smooth_convex_losses(instance):
    assert_tiers_agree(instance, (P30,))


@SETTINGS
@given(st.sampled_from([None, pseudo_huber(1.0), log_cosh()]).flatmap(
    lambda loss: S.star_locus_instances(max_depth=4, max_width=3, max_data=4, loss=loss)))
def test_tiers_agree_at_star_points_critical_or_not(instance):
    # with a non-quadratic loss a star point is generally not critical: both tiers must say nonzero
    assert_tiers_agree(instance)


@SETTINGS
@given(S.global_minimum_instances())
def test_tiers_agree_at_global_minima(instance):
    assert_tiers_agree(instance)


def test_a_ball_around_an_exact_zero_gradient_is_never_called_nonzero():
    """Regression: at a critical point of a linear network whose gradient scale is 0 (τ = 0:
    W_2 = 0 and W_1 in the kernel of the targets), the Arb tier's gradient ball contains 0 —
    the polished point is enclosed with a normwise radius — and it reported the upper bound
    √|ball| as a *lower* bound: 'nonzero' where the exact gradient is 0."""
    from critlocus.core import Architecture, Dataset, Network, Problem, get_activation, squared_error
    from critlocus.core.instance import Instance
    from critlocus.core.points import PolishedCriticalPoint
    from critlocus.core.precision import mp_precision

    problem = Problem(Network(Architecture((3, 1, 2), bias=(False, False)), get_activation("identity")),
                      squared_error(), Dataset(np.eye(3), np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])))
    start = np.array([0.0, 0.0, -42.28727974926352, 0.0, 0.0])  # W_1 = −42.3·e_3ᵀ, W_2 = 0
    inst = Instance(problem, PolishedCriticalPoint.from_start(problem, start), label="root")
    ev = inst.evaluation()
    p = mp_precision(30)
    assert ev.gradient_scale() == 0.0
    assert ev.mpmath_gradient_decision(p).status == "zero"
    assert ev.gradient_decision(p).status == "zero"
