"""Global minima, interpolating points and slices ``π⁻¹(p')``, built constructively.

Notation (:mod:`critlocus.core.slices`): ``p = (p', W_ℓ, b_ℓ)``, features Φ(p') (the last
hidden layer on the d inputs), augmented features ``Φ̃ = [Φ; 1ᵀ]`` (``Φ̃ = Φ`` without an
output bias), last layer ``W̃ = [W_ℓ b_ℓ]``; on a slice ``L = ||W̃Φ̃ − Yᵀ||_F²``.

Points are constructions rebuilt at every precision (:mod:`critlocus.core.points`):

- :func:`global_minimum_point` — hidden layers given exactly, last layer the minimum-norm
  interpolating ``W̃ = Yᵀ Φ̃⁺`` computed from Φ̃ *at each precision*: where ``rank Φ̃ = d`` this
  point has ``L = 0`` exactly at that precision (Cooper Lemma 5.8, [Coo18]);
- :func:`slice_minimum_point` — the same least-squares last layer on a slice of any rank;
- :func:`interpolating_point` — a point of ``M = L⁻¹(0)`` for any over-parameterized
  architecture: Gauss–Newton projection from a start p* at each precision
  (:mod:`critlocus.core.interpolation`), for realizable targets ``y = f_{p*}(x)``.

Instance strategies: :func:`global_minimum_instances`, :func:`interpolating_instances`,
:func:`slice_instances` (slices with prescribed rank deficiencies of Φ and Φ̃) and
:func:`generic_point_instances`; closed-form critical points (star, generalised and
dead-last-hidden loci) in a given regime: :func:`locus_critical_instances`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus.core.activations import Activation
from critlocus.core.architecture import Architecture
from critlocus.core.errors import InvalidArgument
from critlocus.core.instance import Instance
from critlocus.core.interpolation import project_to_interpolation_float64, project_to_interpolation_mp
from critlocus.core.losses import Loss, squared_error
from critlocus.core.network import Network, Problem
from critlocus.core.points import Derived, Given, MeanTarget, PointRecipe, Zero
from critlocus.core.slices import augment, features_float64, features_mp, least_squares_last_layer

from ._validation import check_integer, check_range
from .architectures import activations as activation_strategy
from .architectures import regime_architectures
from .data import datasets, generic_arrays, realizable_targets

__all__ = [
    "DEPENDENCE_MECHANISMS",
    "LOCI",
    "NONPOLYNOMIAL",
    "ODD_ACTIVATIONS",
    "generic_point_instances",
    "global_minimum_instances",
    "global_minimum_point",
    "interpolating_instances",
    "interpolating_point",
    "locus_critical_instances",
    "slice_instances",
    "slice_minimum_point",
]

#: analytic, non-polynomial activations: for these, features of distinct inputs are generically
#: independent (Cooper Thm 5.10 / [LDS18]); polynomial σ (identity, cubic) cap rank Φ.
NONPOLYNOMIAL = ("tanh", "arctan", "sigmoid", "silu")
#: odd activations, σ(−x) = −σ(x): a negated hidden unit gives φ_i = −φ_j exactly.
ODD_ACTIVATIONS = ("tanh", "arctan", "cubic", "identity")
#: how :func:`slice_instances` makes last-hidden-layer features dependent
DEPENDENCE_MECHANISMS = ("duplicate", "negated", "zero", "constant")


class _PerPrecision:
    """A full parameter vector computed once per precision tier (float64 or mpmath ``prec``)
    and split into :class:`Derived` block rules that all read the same computation."""

    def __init__(self, float64_fn: Callable[[], np.ndarray], mp_fn: Callable[[], list]):
        self._float64_fn = float64_fn
        self._mp_fn = mp_fn
        self._cache: dict = {}

    def float64(self) -> np.ndarray:
        if "f64" not in self._cache:
            self._cache["f64"] = np.asarray(self._float64_fn(), dtype=np.float64)
        return self._cache["f64"]

    def mp(self) -> list:
        key = mpmath.mp.prec
        if key not in self._cache:
            self._cache[key] = list(self._mp_fn())
        return self._cache[key]

    def rule(self, architecture: Architecture, name: str, description: str) -> Derived:
        block = architecture.layout.block(name)
        return Derived(lambda shape, data: self.float64()[block.slice].reshape(shape),
                       lambda shape, data: self.mp()[block.slice], description=description)


def _last_layer_names(arch: Architecture) -> list[str]:
    ell = arch.depth
    return [f"W_{ell}"] + ([f"b_{ell}"] if arch.bias[-1] else [])


def _check_hidden(arch: Architecture, hidden: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    if arch.depth < 2:
        raise InvalidArgument(f"a slice needs a hidden layer (depth ℓ ≥ 2), got {arch}")
    want = [b.name for b in arch.layout.blocks if b.name not in _last_layer_names(arch)]
    missing = sorted(set(want) - set(hidden))
    extra = sorted(set(hidden) - set(want))
    if missing or extra:
        raise InvalidArgument(f"hidden blocks must be exactly {want}: missing {missing}, unexpected {extra}")
    out = {}
    for name in want:
        arr = np.asarray(hidden[name], dtype=np.float64)
        if arr.shape != arch.layout.block(name).shape:
            raise InvalidArgument(f"block {name} must have shape {arch.layout.block(name).shape}, "
                                  f"got {arr.shape}")
        out[name] = arr
    return out


def slice_minimum_point(problem: Problem, hidden: Mapping[str, np.ndarray], *, rank: int,
                        description: str | None = None) -> PointRecipe:
    """The point ``(p', W̃*)`` of the slice over ``p' = hidden`` with ``W̃* = Yᵀ Φ̃⁺``, Φ̃⁺ the
    pseudo-inverse truncated at ``rank`` (the rank of Φ̃, known from the construction),
    recomputed at every precision: a minimiser of L on the slice.
    """
    arch = problem.architecture
    hidden = _check_hidden(arch, hidden)
    m = arch.widths[-2] + int(arch.bias[-1])
    check_integer("rank", rank, minimum=0, maximum=min(m, problem.data.size))
    bias = bool(arch.bias[-1])
    idx_last = [arch.layout.block(n) for n in _last_layer_names(arch)]

    def assemble(W_tilde, base):
        vec = list(base)
        n_hid = arch.widths[-2]
        Wb = idx_last[0]
        for o in range(arch.n_out):
            for i in range(n_hid):
                vec[Wb.offset + o * n_hid + i] = W_tilde[o][i]
            if bias:
                vec[idx_last[1].offset + o] = W_tilde[o][n_hid]
        return vec

    def base_float64():
        blocks = {**hidden, **{b.name: np.zeros(b.shape) for b in idx_last}}
        return arch.layout.flatten(blocks)

    def f64():
        base = base_float64()
        Pt = augment(features_float64(problem, base), bias=bias)
        W = least_squares_last_layer(Pt, problem.data.Y, rank)
        return np.array(assemble([list(r) for r in W], base), dtype=np.float64)

    def mp():
        base = [mpmath.mpf(float(v)) for v in base_float64()]
        Pt = augment(features_mp(problem, base), bias=bias)
        return assemble(least_squares_last_layer(Pt, problem.data.Y, rank), base)

    shared = _PerPrecision(f64, mp)
    text = description or f"minimum-norm least-squares last layer W̃ = Yᵀ Φ̃⁺ (rank {rank})"
    rules = {name: Given(values, note="hidden layer p'") for name, values in hidden.items()}
    rules.update({b.name: shared.rule(arch, b.name, text) for b in idx_last})
    return PointRecipe(arch, rules)


def global_minimum_point(problem: Problem, hidden: Mapping[str, np.ndarray]) -> PointRecipe:
    """A global minimum (``L = 0``): hidden layers ``hidden``, last layer the minimum-norm
    interpolating ``W̃ = Yᵀ Φ̃⁺`` rebuilt at every precision.  Needs ``rank Φ̃(p') = d``, which
    holds for almost every p' when the last hidden layer (plus its bias row) has at least d
    rows and σ is analytic and non-polynomial (Cooper Thm 5.10); the claims decide it.
    """
    arch = problem.architecture
    d = problem.data.size
    m = arch.widths[-2] + int(arch.bias[-1])
    if m < d:
        raise InvalidArgument(f"Φ̃ has {m} rows < d = {d}: the last layer cannot interpolate; "
                              "use interpolating_point for narrow networks")
    return slice_minimum_point(problem, hidden, rank=d,
                               description="minimum-norm interpolating last layer W̃ = Yᵀ Φ̃⁺ (rank Φ̃ = d)")


def interpolating_point(problem: Problem, start: np.ndarray) -> PointRecipe:
    """A point of ``M = L⁻¹(0)`` near ``start`` (e.g. the p* of realizable targets):
    minimum-norm Gauss–Newton onto M, run at every precision from the same exact start."""
    arch = problem.architecture
    start = np.asarray(start, dtype=np.float64)
    if start.shape != (arch.n_params,):
        raise InvalidArgument(f"start has shape {start.shape}, expected ({arch.n_params},)")
    shared = _PerPrecision(lambda: np.array(project_to_interpolation_float64(problem, start).params),
                           lambda: project_to_interpolation_mp(problem, start).params)
    text = "Gauss–Newton projection onto M = {f_p(X) = Y} from p*"
    return PointRecipe(arch, {b.name: shared.rule(arch, b.name, text) for b in arch.layout.blocks})


def _activations(acts, default: Sequence[str]):
    return acts if acts is not None else activation_strategy(*default)


def _hidden_blocks(arch: Architecture) -> list:
    last = set(_last_layer_names(arch))
    return [b for b in arch.layout.blocks if b.name not in last]


def global_minimum_instances(*, min_data: int = 1, max_data: int = 5, min_depth: int = 2,
                             max_depth: int = 3, max_inputs: int = 3, min_outputs: int = 1,
                             max_outputs: int = 2, wide: str = "last", min_excess: int = 0,
                             max_width: int | None = None, max_params: int | None = None,
                             input_bits: int = 4,
                             activations: st.SearchStrategy[Activation] | None = None,
                             output_bias: bool = True, loss: Loss | None = None
                             ) -> st.SearchStrategy[Instance]:
    """Global minima ``(network, L2 loss, data, p ∈ M)`` of networks whose last hidden width
    is ≥ d (every hidden width with ``wide="all"``), d drawn first.

    Hidden layers are generic (:func:`~critlocus.strategies.data.generic_arrays`), data have
    distinct dyadic inputs on the grid ``2^-input_bits`` (closer inputs make Φ̃ so
    ill-conditioned that the interpolating last layer is huge and its rounding dominates the
    residual) and dyadic targets, σ is analytic and non-polynomial by default; the point is
    :func:`global_minimum_point`.

    >>> inst = global_minimum_instances(max_data=3).example()
    >>> inst.info["point_kind"]
    'global minimum'
    """
    check_integer("min_data", min_data, minimum=1)
    check_integer("max_data", max_data, minimum=1)
    check_range("min_data", min_data, "max_data", max_data)
    check_integer("input_bits", input_bits, minimum=0, maximum=20)
    acts = _activations(activations, NONPOLYNOMIAL)
    loss = squared_error() if loss is None else loss
    regime_architectures(n_data=max_data, regime="very_wide", wide=wide, min_depth=min_depth,
                         max_depth=max_depth, max_inputs=max_inputs, min_outputs=min_outputs,
                         max_outputs=max_outputs, min_excess=min_excess, max_width=max_width,
                         output_bias=output_bias, max_params=max_params)  # validates up front

    @st.composite
    def build(draw):
        d = draw(st.integers(min_data, max_data))
        arch = draw(regime_architectures(n_data=d, regime="very_wide", wide=wide, min_depth=min_depth,
                                         max_depth=max_depth, max_inputs=max_inputs,
                                         min_outputs=min_outputs, max_outputs=max_outputs,
                                         min_excess=min_excess, max_width=max_width,
                                         output_bias=output_bias, max_params=max_params))
        data = draw(datasets(n_in=arch.n_in, n_out=arch.n_out, min_size=d, max_size=d, bits=input_bits))
        problem = Problem(Network(arch, draw(acts)), loss, data)
        hidden = {b.name: draw(generic_arrays(b.shape, salt=b.name)) for b in _hidden_blocks(arch)}
        point = global_minimum_point(problem, hidden)
        info = {"point_kind": "global minimum", "construction": "W̃ = Yᵀ Φ̃⁺ on generic p'",
                "d": d, "augmented_rank": d}
        return Instance(problem, point, label="p ∈ M (min-norm interpolating last layer)", info=info)

    return build()


def interpolating_instances(*, regime: str = "mild", min_data: int = 2, max_data: int = 5,
                            min_depth: int = 2, max_depth: int = 3, max_inputs: int = 2,
                            min_outputs: int = 1, max_outputs: int = 2, max_width: int | None = None,
                            input_bits: int = 4,
                            activations: st.SearchStrategy[Activation] | None = None
                            ) -> st.SearchStrategy[Instance]:
    """Points of ``M = L⁻¹(0)`` for realizable targets ``y_j = fl(f_{p*}(x_j))``, in any
    over-parameterized ``regime`` (``"mild"``, ``"very_wide"``, ``"extremely_wide"``): p* is
    generic, the inputs distinct and dyadic on the grid ``2^-input_bits`` (inputs closer than
    that make J so ill-conditioned that the nearest point of M lies outside Newton's basin),
    and the point is :func:`interpolating_point` (Gauss–Newton from p* at every precision).
    ``N > d·n_ℓ`` by construction, and every hidden width is raised to at least ``n_ℓ``: a
    narrower layer is a bottleneck through which ``p ↦ f_p(X)`` has rank < d·n_ℓ everywhere,
    so realizable targets would not be generic data ([Coo18]'s hypothesis; for generic data
    M is then empty).

    >>> inst = interpolating_instances(max_data=3).example()
    >>> inst.n_params > inst.n_data * inst.n_out
    True
    """
    if regime == "under":
        raise InvalidArgument("regime='under': M is generically empty when N ≤ d·n_ℓ")
    check_integer("min_data", min_data, minimum=2 if regime == "mild" else 1)
    check_integer("input_bits", input_bits, minimum=0, maximum=20)
    check_integer("max_data", max_data, minimum=1)
    check_range("min_data", min_data, "max_data", max_data)
    acts = _activations(activations, NONPOLYNOMIAL)
    regime_architectures(n_data=max_data, regime=regime, min_depth=min_depth, max_depth=max_depth,
                         max_inputs=max_inputs, min_outputs=min_outputs, max_outputs=max_outputs,
                         max_width=max_width)

    @st.composite
    def build(draw):
        d = draw(st.integers(min_data, max_data))
        arch = draw(regime_architectures(n_data=d, regime=regime, min_depth=min_depth, max_depth=max_depth,
                                         max_inputs=max_inputs, min_outputs=min_outputs,
                                         max_outputs=max_outputs, max_width=max_width))
        if min(arch.widths[1:-1]) < arch.n_out:  # no bottleneck narrower than the output
            widths = (arch.n_in, *(max(w, arch.n_out) for w in arch.widths[1:-1]), arch.n_out)
            arch = Architecture(widths, bias=arch.bias)
        network = Network(arch, draw(acts))
        p_star = draw(generic_arrays((arch.n_params,)))
        X = draw(datasets(n_in=arch.n_in, n_out=1, min_size=d, max_size=d, bits=input_bits)).X
        problem = Problem(network, squared_error(), realizable_targets(network, p_star, X))
        info = {"point_kind": "interpolating", "construction": "Gauss–Newton onto M from p*",
                "regime": regime, "d": d}
        return Instance(problem, interpolating_point(problem, p_star),
                        label="p ∈ M (realizable targets, projected from p*)", info=info)

    return build()


def slice_instances(*, min_data: int = 1, max_data: int = 5, min_depth: int = 2, max_depth: int = 3,
                    max_inputs: int = 2, min_outputs: int = 1, max_outputs: int = 2,
                    min_last_width: int = 1, max_last_width: int = 6, max_width: int = 4,
                    mechanisms: Sequence[str] = DEPENDENCE_MECHANISMS, max_dependent: int = 3,
                    point: str = "random", output_bias: bool | None = True,
                    activations: st.SearchStrategy[Activation] | None = None
                    ) -> st.SearchStrategy[Instance]:
    """Points of slices ``π⁻¹(p')`` whose features have prescribed dependencies.

    p' is generic except that up to ``max_dependent`` units of the last hidden layer are made
    dependent by an exact ``mechanism``: ``"duplicate"`` (row i of ``[W_{ℓ−1} b_{ℓ−1}]`` copies
    row j: φ_i = φ_j), ``"negated"`` (row i = −row j, odd σ only: φ_i = −φ_j), ``"zero"`` (row
    i = 0: φ_i = σ(0)·1) and ``"constant"`` (``W`` row 0, bias c: φ_i = σ(c)·1, which puts 1ᵀ
    in the row space of Φ, so ``rank Φ̃ = rank Φ``).  ``info`` records the expected generic
    ranks ``feature_rank`` = rank Φ and ``augmented_rank`` = rank Φ̃ (``min(free + [constant
    row], d)`` and ``min(free + [bias or constant row], d)``).  ``point="random"`` puts a
    generic last layer on the slice, ``"minimum"`` the least-squares one
    (:func:`slice_minimum_point`).  ``output_bias=None`` draws it.

    >>> inst = slice_instances(max_data=3).example()
    >>> inst.info["augmented_rank"] >= inst.info["feature_rank"]
    True
    """
    check_integer("min_data", min_data, minimum=1)
    check_integer("max_data", max_data, minimum=1)
    check_range("min_data", min_data, "max_data", max_data)
    check_integer("min_last_width", min_last_width, minimum=1)
    check_integer("max_last_width", max_last_width, minimum=1)
    check_range("min_last_width", min_last_width, "max_last_width", max_last_width)
    check_integer("max_dependent", max_dependent, minimum=0)
    mechanisms = tuple(mechanisms)
    bad = [m for m in mechanisms if m not in DEPENDENCE_MECHANISMS]
    if bad:
        raise InvalidArgument(f"mechanisms {bad} unknown; choose from {DEPENDENCE_MECHANISMS}")
    if point not in ("random", "minimum"):
        raise InvalidArgument(f"point={point!r} must be 'random' or 'minimum'")
    if output_bias is not None and not isinstance(output_bias, bool):
        raise InvalidArgument(f"output_bias={output_bias!r} must be True, False or None")
    acts = _activations(activations, NONPOLYNOMIAL)

    @st.composite
    def build(draw):
        d = draw(st.integers(min_data, max_data))
        depth = draw(st.integers(min_depth, max_depth))
        n_in = draw(st.integers(1, max_inputs))
        n_out = draw(st.integers(min_outputs, max_outputs))
        hidden_w = [draw(st.integers(1, max_width)) for _ in range(depth - 2)]
        last = draw(st.integers(min_last_width, max_last_width))
        bias_out = draw(st.booleans()) if output_bias is None else output_bias
        arch = Architecture((n_in, *hidden_w, last, n_out), bias=(True,) * (depth - 1) + (bias_out,))
        act = draw(acts)
        data = draw(datasets(n_in=n_in, n_out=n_out, min_size=d, max_size=d))
        problem = Problem(Network(arch, act), squared_error(), data)
        hidden = {b.name: draw(generic_arrays(b.shape, salt=b.name)) for b in _hidden_blocks(arch)}
        # dependent units of the last hidden layer (layer ℓ−1): exact relations between rows
        W, b = hidden[f"W_{depth - 1}"], hidden[f"b_{depth - 1}"]
        allowed = [m for m in mechanisms if m != "negated" or act.name in ODD_ACTIVATIONS]
        n_dep = draw(st.integers(0, min(max_dependent, last - 1))) if allowed and last > 1 else 0
        relations = []
        free = list(range(last - n_dep))  # units n_free+1 … last are made dependent on these
        constant_row = False
        for i in range(last - n_dep, last):
            mech = draw(st.sampled_from(allowed))
            if mech in ("duplicate", "negated"):
                j = draw(st.sampled_from(free))
                sign = 1.0 if mech == "duplicate" else -1.0
                W[i], b[i] = sign * W[j], sign * b[j]
                relations.append(f"φ_{i + 1} = {'' if sign > 0 else '−'}φ_{j + 1}")
            elif mech == "zero":
                W[i], b[i] = 0.0, 0.0
                constant_row |= not act.zero_at_zero
                relations.append(f"φ_{i + 1} = σ(0)·1" + (" = 0" if act.zero_at_zero else ""))
            else:
                W[i] = 0.0
                b[i] = draw(st.sampled_from([0.5, 1.0, -0.75]))
                constant_row = True
                relations.append(f"φ_{i + 1} = σ({b[i]})·1")
        n_free = len(free)
        k = min(n_free + int(constant_row), d)
        k_tilde = min(n_free + int(constant_row or bias_out), d)
        if point == "minimum":
            recipe = slice_minimum_point(problem, hidden, rank=k_tilde)
        else:
            rules = {name: Given(v, note="hidden layer p'") for name, v in hidden.items()}
            for name in _last_layer_names(arch):
                rules[name] = Given(draw(generic_arrays(arch.layout.block(name).shape, salt=name)),
                                     note="last layer")
            recipe = PointRecipe(arch, rules)
        info = {"point_kind": f"slice point ({point})", "relations": relations, "d": d,
                "free_units": n_free, "feature_rank": k, "augmented_rank": k_tilde,
                "output_bias": bias_out}
        label = f"p in the slice over p' ({', '.join(relations) or 'generic features'})"
        return Instance(problem, recipe, label=label, info=info)

    return build()


def generic_point_instances(*, regime: str = "very_wide", min_data: int = 1, max_data: int = 5,
                            min_depth: int = 2, max_depth: int = 3, max_inputs: int = 2,
                            min_outputs: int = 1, max_outputs: int = 2, wide: str = "last",
                            min_excess: int = 0, max_width: int | None = None,
                            activations: st.SearchStrategy[Activation] | None = None
                            ) -> st.SearchStrategy[Instance]:
    """Generic points p (every block generic) of networks in ``regime``, with distinct dyadic
    inputs and dyadic targets: the Monte-Carlo draws "for almost every p" statements need.

    >>> inst = generic_point_instances(max_data=3).example()
    >>> inst.info["point_kind"]
    'generic'
    """
    check_integer("min_data", min_data, minimum=1)
    check_integer("max_data", max_data, minimum=1)
    check_range("min_data", min_data, "max_data", max_data)
    acts = _activations(activations, NONPOLYNOMIAL)
    regime_architectures(n_data=max(max_data, 2), regime=regime, wide=wide, min_depth=min_depth,
                         max_depth=max_depth, max_inputs=max_inputs, min_outputs=min_outputs,
                         max_outputs=max_outputs, min_excess=min_excess, max_width=max_width)

    @st.composite
    def build(draw):
        d = draw(st.integers(min_data, max_data))
        arch = draw(regime_architectures(n_data=d, regime=regime, wide=wide, min_depth=min_depth,
                                         max_depth=max_depth, max_inputs=max_inputs,
                                         min_outputs=min_outputs, max_outputs=max_outputs,
                                         min_excess=min_excess, max_width=max_width))
        data = draw(datasets(n_in=arch.n_in, n_out=arch.n_out, min_size=d, max_size=d))
        problem = Problem(Network(arch, draw(acts)), squared_error(), data)
        rules = {b.name: Given(draw(generic_arrays(b.shape, salt=b.name)), note="generic")
                 for b in arch.layout.blocks}
        info = {"point_kind": "generic", "regime": regime, "d": d}
        return Instance(problem, PointRecipe(arch, rules), label="generic p", info=info)

    return build()


def _generic_grid_data(arch: Architecture, size: int, seed: int, *, bits: int, bound: float = 1.5):
    """``size`` points with inputs and targets uniform on the grid ``2^-bits`` in [−bound, bound]
    from ``seed``; inputs pairwise distinct."""
    from critlocus.core.data import Dataset

    rng = np.random.default_rng(seed)
    top = int(bound * 2**bits)

    def grid(shape):
        return rng.integers(-top, top + 1, shape) / 2**bits

    X = grid((size, arch.n_in))
    while len({row.tobytes() for row in X}) < size:
        X = grid((size, arch.n_in))
    return Dataset(X, grid((size, arch.n_out)))


#: closed-form critical points :func:`locus_critical_instances` builds
LOCI = ("star", "generalised", "dead_last_hidden")


def locus_critical_instances(*, regime: str = "very_wide", wide: str = "last", min_excess: int = 0,
                             min_data: int = 1,
                             max_data: int = 4, min_depth: int = 2, max_depth: int = 3,
                             max_inputs: int = 3, min_outputs: int = 1, max_outputs: int = 3,
                             max_width: int | None = None, max_params: int | None = None,
                             loci: Sequence[str] = LOCI, output_bias: bool = True, data: str = "dyadic",
                             activations: st.SearchStrategy[Activation] | None = None
                             ) -> st.SearchStrategy[Instance]:
    """Critical points known in closed form, in networks of a given ``regime`` (d drawn first):

    - ``"star"`` — ``S_I`` (Cooper Thm 3.1, :func:`~critlocus.strategies.star_locus_point`):
      ``W_i = 0`` (i ∈ I), the biases from ``min I`` to ℓ−1 zero, ``W_ℓ = 0``, ``b_ℓ = ȳ``;
    - ``"generalised"`` — ``S_I^gen``: the same without the bias equations;
    - ``"dead_last_hidden"`` — ``W_{ℓ−1} = 0``, ``b_{ℓ−1} = 0``, ``W_ℓ = 0`` (so Φ = σ(0)·1ᵀ = 0
      and ∂L/∂W̃ = 2Σ_j r_j φ̃_jᵀ, ∂L/∂p' = 0), with ``b_ℓ = ȳ`` when there is an output bias and
      none otherwise — the only one of the three for a bias-free last layer.

    Free blocks are dyadic (Hypothesis-drawn, so counterexamples shrink to readable numbers);
    ``data="dyadic"`` draws the data the same way (inputs distinct), ``data="generic"`` draws
    them on the grid 2^-6 from a seed (no coincidences such as collinear inputs or equal
    targets, with probability one; the seed shrinks, the values stay generic); σ smooth with
    σ(0) = 0.  Many of these points are saddles (mixed second
    derivatives between W_ℓ and the zeroed layer); which ones is decided by the claims.

    >>> inst = locus_critical_instances(max_data=3).example()
    >>> inst.info["point_kind"] in ("star", "generalised", "dead_last_hidden")
    True
    """
    from .loci import generalised_locus_point, star_locus_point
    from .numbers import dyadic_arrays

    check_integer("min_data", min_data, minimum=1)
    check_integer("max_data", max_data, minimum=1)
    check_range("min_data", min_data, "max_data", max_data)
    if data not in ("dyadic", "generic"):
        raise InvalidArgument(f"data={data!r} must be 'dyadic' or 'generic'")
    loci = tuple(loci)
    bad = [k for k in loci if k not in LOCI]
    if bad or not loci:
        raise InvalidArgument(f"loci={loci!r}: choose a nonempty subset of {LOCI}")
    if not output_bias and loci != ("dead_last_hidden",):
        raise InvalidArgument("loci: without an output bias only 'dead_last_hidden' is a critical locus "
                              f"(star and generalised loci put b_ℓ = ȳ), got {loci!r}")
    regime_architectures(n_data=max_data, regime=regime, wide=wide, min_depth=min_depth,
                         max_depth=max_depth, max_inputs=max_inputs, min_outputs=min_outputs,
                         max_outputs=max_outputs, max_width=max_width, max_params=max_params,
                         output_bias=output_bias, min_excess=min_excess)
    acts = activations if activations is not None else activation_strategy(smooth=True, zero_at_zero=True)

    @st.composite
    def build(draw):
        d = draw(st.integers(min_data, max_data))
        arch = draw(regime_architectures(n_data=d, regime=regime, wide=wide, min_depth=min_depth,
                                         max_depth=max_depth, max_inputs=max_inputs,
                                         min_outputs=min_outputs, max_outputs=max_outputs,
                                         max_width=max_width, max_params=max_params,
                                         output_bias=output_bias, min_excess=min_excess))
        act = draw(acts)
        if data == "generic":
            dataset = _generic_grid_data(arch, d, draw(st.integers(0, 2**32 - 1)), bits=6)
        else:
            dataset = draw(datasets(n_in=arch.n_in, n_out=arch.n_out, min_size=d, max_size=d, bits=4))
        problem = Problem(Network(arch, act), squared_error(), dataset)
        kind = draw(st.sampled_from(loci))
        ell = arch.depth
        if kind == "dead_last_hidden":
            fixed = {f"W_{ell - 1}", f"b_{ell - 1}", f"W_{ell}"} | ({f"b_{ell}"} if output_bias else set())
            idx = [ell - 1]
        else:
            size = draw(st.integers(1, ell - 1))
            idx = sorted(draw(st.lists(st.integers(1, ell - 1), min_size=size, max_size=size, unique=True)))
            fixed = {f"W_{i}" for i in idx} | {f"W_{ell}", f"b_{ell}"}
            if kind == "star":
                fixed |= {f"b_{k}" for k in range(idx[0], ell)}
        free = {b.name: draw(dyadic_arrays(b.shape, bound=1.5, bits=4))
                for b in arch.layout.blocks if b.name not in fixed}
        if kind == "star":
            point = star_locus_point(arch, idx, free)
        elif kind == "generalised":
            point = generalised_locus_point(arch, idx, free)
        else:
            rules = {name: Given(v, note="free") for name, v in free.items()}
            rules.update({f"W_{ell - 1}": Zero(), f"b_{ell - 1}": Zero(), f"W_{ell}": Zero()})
            if output_bias:
                rules[f"b_{ell}"] = MeanTarget()
            point = PointRecipe(arch, rules)
        label = {"star": "p ∈ S_{" + ",".join(map(str, idx)) + "}",
                 "generalised": "p ∈ S_{" + ",".join(map(str, idx)) + "}^gen",
                 "dead_last_hidden": f"p with W_{ell - 1} = 0, b_{ell - 1} = 0, W_{ell} = 0"}[kind]
        info = {"point_kind": kind, "index_set": idx, "d": d, "regime": regime}
        return Instance(problem, point, label=label, info=info)

    return build()
