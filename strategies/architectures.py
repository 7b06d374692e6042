"""Strategies for architectures (by depth, widths, outputs, or by parameterization regime)
and activations (by property or by name).

Regimes (Cooper §2.1) compare the parameter count ``N = Σ_k n_k(n_{k−1} + [b_k])`` and the
hidden widths with the number of data points ``d`` and the number of output constraints
``d·n_ℓ``:

- ``"under"`` — under-parameterized: ``N ≤ d·n_ℓ``;
- ``"mild"`` — mildly over-parameterized: ``N > d·n_ℓ`` with every hidden width ``< d``;
- ``"very_wide"`` — every hidden width ≥ d (``wide="all"``), or only the last one
  (``wide="last"``); with ``min_excess=1`` the paper's strict ``n > d``;
- ``"extremely_wide"`` — every hidden width ≥ d².

Every regime strategy takes ``d`` (``n_data``) as given — a spec draws d first — and builds
the widths so that the regime's inequalities hold by construction (never by filtering).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from critlocus.core.activations import Activation, activations_with, get_activation
from critlocus.core.architecture import Architecture
from critlocus.core.errors import InvalidArgument

from ._validation import check_integer, check_range

__all__ = ["REGIMES", "activations", "architectures", "regime_architectures", "regime_of"]

REGIMES = ("under", "mild", "very_wide", "extremely_wide")


def architectures(*, min_depth: int = 3, max_depth: int = 6, min_width: int = 1, max_width: int = 12,
                  min_inputs: int = 1, max_inputs: int = 4, min_outputs: int = 1, max_outputs: int = 3,
                  bias: bool = True) -> st.SearchStrategy[Architecture]:
    """Fully connected architectures ``(n_0, n_1, …, n_ℓ)`` with ``min_depth ≤ ℓ ≤ max_depth``.

    Hidden widths lie in ``[min_width, max_width]``, ``n_0`` in ``[min_inputs, max_inputs]`` and
    ``n_ℓ`` in ``[min_outputs, max_outputs]``; ``bias`` gives every layer a bias.  Shrinks toward
    shallow, narrow networks.

    >>> arch = architectures(min_depth=3, max_depth=3, max_width=4).example()
    >>> arch.depth
    3
    """
    check_integer("min_depth", min_depth, minimum=1)
    check_integer("max_depth", max_depth, minimum=1)
    check_range("min_depth", min_depth, "max_depth", max_depth)
    for name, lo, hi in (("width", min_width, max_width), ("inputs", min_inputs, max_inputs),
                         ("outputs", min_outputs, max_outputs)):
        check_integer(f"min_{name}", lo, minimum=1)
        check_integer(f"max_{name}", hi, minimum=1)
        check_range(f"min_{name}", lo, f"max_{name}", hi)
    if not isinstance(bias, bool):
        raise InvalidArgument(f"bias={bias!r} must be True or False")

    @st.composite
    def build(draw):
        depth = draw(st.integers(min_depth, max_depth))
        n_in = draw(st.integers(min_inputs, max_inputs))
        hidden = draw(st.lists(st.integers(min_width, max_width), min_size=depth - 1,
                               max_size=depth - 1))
        n_out = draw(st.integers(min_outputs, max_outputs))
        return Architecture((n_in, *hidden, n_out), bias=(bias,) * depth)

    return build()


def _n_params(widths: list[int], bias: tuple[bool, ...]) -> int:
    return sum(widths[k] * (widths[k - 1] + int(bias[k - 1])) for k in range(1, len(widths)))


def _cap_params(widths: list[int], max_params: int, *, low: int, wide: str, min_depth: int,
                min_inputs: int, min_outputs: int, bias_for) -> list[int]:
    """Shrink ``widths`` until N ≤ max_params (see :func:`regime_architectures`)."""
    widths = list(widths)

    def n(w):
        return _n_params(w, bias_for(len(w) - 1))

    while n(widths) > max_params:
        depth = len(widths) - 1
        floor = {k: (low if (wide == "all" or k == depth - 1) else 1) for k in range(1, depth)}
        shrinkable = [k for k in range(1, depth) if widths[k] > floor[k]]
        if shrinkable:
            k = max(shrinkable, key=lambda i: (widths[i] - floor[i], i))
            widths[k] -= 1
        elif depth > min_depth:
            del widths[1]  # drop the first hidden layer; the last (wide) one stays
        elif widths[0] > min_inputs:
            widths[0] -= 1
        elif widths[-1] > min_outputs:
            widths[-1] -= 1
        else:
            break
    return widths


def regime_of(architecture: Architecture, n_data: int) -> str:
    """The regime an architecture falls in for ``d = n_data`` data points (the most
    specific one: extremely wide before very wide before mild).

    >>> regime_of(Architecture((1, 5, 1)), 3), regime_of(Architecture((1, 2, 1)), 3)
    ('very_wide', 'mild')
    """
    check_integer("n_data", n_data, minimum=1)
    hidden = architecture.widths[1:-1]
    if architecture.n_params <= n_data * architecture.n_out:
        return "under"
    if hidden and min(hidden) >= n_data * n_data:
        return "extremely_wide"
    if hidden and min(hidden) >= n_data:
        return "very_wide"
    if hidden and hidden[-1] >= n_data:
        return "very_wide (last layer)"
    return "mild"


@dataclass(frozen=True)
class _RegimeConfig:
    """The validated arguments of :func:`regime_architectures`."""

    regime: str
    d: int
    low: int
    min_depth: int
    max_depth: int
    min_inputs: int
    max_inputs: int
    min_outputs: int
    max_outputs: int
    max_width: int
    wide: str
    max_params: int | None
    hidden_bias: bool
    output_bias: bool
    feasible_under: tuple

    def bias_for(self, depth: int) -> tuple[bool, ...]:
        return (self.hidden_bias,) * (depth - 1) + (self.output_bias,)


@st.composite
def _regime_build(draw, c: _RegimeConfig) -> Architecture:
    """One draw of :func:`regime_architectures` (module level: a composite defined per call
    makes Hypothesis parse its source each time, and these strategies are built per draw)."""
    depth = draw(st.integers(c.min_depth, c.max_depth))
    n_in = draw(st.integers(c.min_inputs, c.max_inputs))
    n_out = draw(st.integers(c.min_outputs, c.max_outputs))
    bias = c.bias_for(depth)
    if c.regime in ("very_wide", "extremely_wide"):
        hidden = []
        for k in range(1, depth):
            is_wide = c.wide == "all" or k == depth - 1
            hidden.append(draw(st.integers(c.low, c.max_width) if is_wide else st.integers(1, c.max_width)))
        widths = [n_in, *hidden, n_out]
        if c.max_params is not None:
            widths = _cap_params(widths, c.max_params, low=c.low, wide=c.wide, min_depth=c.min_depth,
                                 min_inputs=c.min_inputs, min_outputs=c.min_outputs, bias_for=c.bias_for)
        return Architecture(tuple(widths), bias=c.bias_for(len(widths) - 1))
    if c.regime == "mild":
        top = min(c.max_width, c.d - 1)
        hidden = draw(st.lists(st.integers(1, top), min_size=depth - 1, max_size=depth - 1))
        widths = [n_in, *hidden, n_out]
        while _n_params(widths, bias) <= c.d * n_out:
            k = 1 + min(range(depth - 1), key=lambda i: (widths[1 + i], i))
            if widths[k] >= top:
                break
            widths[k] += 1
        if _n_params(widths, bias) <= c.d * n_out:  # hidden widths capped below d: add depth
            while _n_params(widths, bias) <= c.d * n_out:
                widths.insert(-1, top)
                bias = c.bias_for(len(widths) - 1)
        return Architecture(tuple(widths), bias=bias)
    # under-parameterized: N ≤ d·n_ℓ, from a feasible (ℓ, n_0, n_ℓ) (regime_architectures)
    depth, n_in, n_out = draw(st.sampled_from(c.feasible_under))
    bias = c.bias_for(depth)
    widths = [n_in] + [1] * (depth - 1) + [n_out]
    budget = c.d * n_out
    for k in range(1, depth):
        best = widths[k]
        while best < c.max_width:
            trial = list(widths)
            trial[k] = best + 1
            if _n_params(trial, bias) > budget:
                break
            best += 1
        widths[k] = draw(st.integers(1, best))
    return Architecture(tuple(widths), bias=bias)


def regime_architectures(*, n_data: int, regime: str, min_depth: int = 2, max_depth: int = 4,
                         min_inputs: int = 1, max_inputs: int = 3, min_outputs: int = 1,
                         max_outputs: int = 3, max_width: int | None = None, wide: str = "all",
                         min_excess: int = 0, output_bias: bool = True, hidden_bias: bool = True,
                         max_params: int | None = None) -> st.SearchStrategy[Architecture]:
    """Architectures in ``regime`` (see the module docstring) for ``d = n_data`` data points.

    Depth ℓ ∈ [min_depth, max_depth] (ℓ = 2 is one hidden layer), ``n_0`` and ``n_ℓ`` in their
    ranges.  Wide regimes draw every wide width in ``[d + min_excess, max_width]`` (default
    upper bound ``d + min_excess + 3``, resp. ``d² + 2`` for extremely wide); ``wide="last"``
    makes only the last hidden layer wide, the others in ``[1, max_width]``.  ``"mild"`` draws
    hidden widths in ``[1, d − 1]`` and then widens the narrowest layers, one unit at a time,
    until ``N > d·n_ℓ`` (adding a hidden layer of width d − 1 in the rare case that is not
    enough); ``"under"`` draws ``(ℓ, n_0, n_ℓ)`` among those whose width-1 network has
    ``N ≤ d·n_ℓ`` and each hidden width up to the largest that keeps ``N ≤ d·n_ℓ``.

    ``max_params`` (wide regimes) caps N — exact high-precision spectra cost O(N³) — by
    narrowing the widest layers toward their lower bound, then dropping hidden layers (never
    the last), then lowering ``n_0`` and ``n_ℓ``; the smallest network of the ranges must fit.

    >>> arch = regime_architectures(n_data=3, regime="very_wide", max_depth=3).example()
    >>> min(arch.widths[1:-1]) >= 3
    True
    """
    check_integer("n_data", n_data, minimum=1)
    if regime not in REGIMES:
        raise InvalidArgument(f"regime={regime!r} must be one of {REGIMES}")
    check_integer("min_depth", min_depth, minimum=2)
    check_integer("max_depth", max_depth, minimum=2)
    check_range("min_depth", min_depth, "max_depth", max_depth)
    for name, lo, hi in (("inputs", min_inputs, max_inputs), ("outputs", min_outputs, max_outputs)):
        check_integer(f"min_{name}", lo, minimum=1)
        check_integer(f"max_{name}", hi, minimum=1)
        check_range(f"min_{name}", lo, f"max_{name}", hi)
    check_integer("min_excess", min_excess, minimum=0)
    if max_params is not None:
        check_integer("max_params", max_params, minimum=1)
        if regime not in ("very_wide", "extremely_wide"):
            raise InvalidArgument(f"max_params applies to the wide regimes, not regime={regime!r}")
    if wide not in ("all", "last"):
        raise InvalidArgument(f"wide={wide!r} must be 'all' or 'last'")
    for name, v in (("output_bias", output_bias), ("hidden_bias", hidden_bias)):
        if not isinstance(v, bool):
            raise InvalidArgument(f"{name}={v!r} must be True or False")
    d = n_data
    if regime == "mild" and d < 2:
        raise InvalidArgument(f"n_data={d!r}: the mild regime needs d ≥ 2 (hidden widths < d)")
    low = {"very_wide": d + min_excess, "extremely_wide": d * d + min_excess}.get(regime, 1)
    if max_width is None:
        max_width = {"very_wide": low + 3, "extremely_wide": low + 2, "mild": max(d - 1, 1)}.get(regime, 6)
    check_integer("max_width", max_width, minimum=1)
    if regime in ("very_wide", "extremely_wide") and max_width < low:
        raise InvalidArgument(f"max_width={max_width!r} is below the {regime} lower bound {low} "
                              f"(d = {d}, min_excess = {min_excess})")
    if max_params is not None:
        smallest = [min_inputs] + [1] * (min_depth - 2) + [low, min_outputs]
        if wide == "all":
            smallest = [min_inputs] + [low] * (min_depth - 1) + [min_outputs]
        need = _n_params(smallest, (hidden_bias,) * (min_depth - 1) + (output_bias,))
        if need > max_params:
            raise InvalidArgument(f"max_params={max_params!r}: the smallest {regime} network for d = {d} "
                                  f"(widths {tuple(smallest)}) has N = {need}")

    def bias_for(depth: int) -> tuple[bool, ...]:
        return (hidden_bias,) * (depth - 1) + (output_bias,)

    feasible_under = []
    if regime == "under":
        feasible_under = [(ell, n0, no) for ell in range(min_depth, max_depth + 1)
                          for n0 in range(min_inputs, max_inputs + 1)
                          for no in range(min_outputs, max_outputs + 1)
                          if _n_params([n0] + [1] * (ell - 1) + [no], bias_for(ell)) <= d * no]
        if not feasible_under:
            raise InvalidArgument(f"n_data={d!r}: no architecture in these depth/input/output ranges "
                                  "is under-parameterized (N ≤ d·n_ℓ even at hidden width 1)")

    return _regime_build(_RegimeConfig(
        regime=regime, d=d, low=low, min_depth=min_depth, max_depth=max_depth, min_inputs=min_inputs,
        max_inputs=max_inputs, min_outputs=min_outputs, max_outputs=max_outputs, max_width=max_width,
        wide=wide, max_params=max_params, hidden_bias=hidden_bias, output_bias=output_bias,
        feasible_under=tuple(feasible_under)))


def activations(*names: str | Activation, **properties: bool) -> st.SearchStrategy[Activation]:
    """Registered activations with the given properties, e.g. ``smooth=True, zero_at_zero=True``;
    with ``names``, those activations, each required to have the properties.

    Properties: ``smooth``, ``analytic``, ``zero_at_zero``, ``strictly_increasing``, ``bounded``.

    ``activations("tanh", "relu", smooth=True)`` raises :class:`InvalidArgument`: "activation
    'relu' lacks smooth=True, which this strategy requires; …".
    """
    choices = activations_with(**properties)
    if names:
        chosen = [get_activation(n) for n in names]
        for act in chosen:
            lacking = {k: v for k, v in properties.items() if getattr(act, k) != v}
            if lacking:
                want = ", ".join(f"{k}={v}" for k, v in lacking.items())
                raise InvalidArgument(
                    f"activation {act.name!r} lacks {want}, which this strategy requires; activations "
                    f"with {properties}: {', '.join(a.name for a in choices) or 'none'}")
        return st.sampled_from(chosen)
    if not choices:
        raise InvalidArgument(f"no registered activation has the properties {properties}; registered: "
                              + "; ".join(f"{a.name} {a.properties()}" for a in activations_with()))
    return st.sampled_from(choices)
