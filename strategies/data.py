"""Strategies for data sets ``(x_j, y_j)``: distinct inputs, generic targets, realizable
targets ``y_j = f_{p*}(x_j)``, and generic (Monte-Carlo) arrays.

Two kinds of numbers appear.  *Dyadic* values (``k / 2^bits``, :mod:`.numbers`) are drawn by
Hypothesis: they shrink to small, readable counterexamples and deliberately hit edge cases
(zeros, repeats).  *Generic* values (:func:`generic_arrays`) are Gaussian draws from a seed
that Hypothesis chooses, rounded to ``bits`` binary places: they model "almost every" (a
measure-zero exceptional set is missed with probability one), which is what results such as
"rank Φ = d for a.e. p'" quantify over.  Both are exact binary rationals, so every precision
tier sees the same numbers.
"""

from __future__ import annotations

import zlib

import numpy as np
from hypothesis import strategies as st

from critlocus.core import float64 as f64
from critlocus.core.data import Dataset
from critlocus.core.errors import InvalidArgument
from critlocus.core.losses import squared_error
from critlocus.core.network import Network, Problem

from ._validation import check_integer, check_positive_real, check_range
from .numbers import dyadic_floats

__all__ = ["datasets", "generic_arrays", "realizable_datasets", "realizable_targets"]


def datasets(*, n_in: int, n_out: int, min_size: int = 1, max_size: int = 8, bound: float = 2.0,
             bits: int = 10, distinct_inputs: bool = True, targets: str = "dyadic"
             ) -> st.SearchStrategy[Dataset]:
    """Data sets of ``d ∈ [min_size, max_size]`` points with dyadic inputs.

    With ``distinct_inputs`` (the papers' standing assumption) the inputs ``x_j`` are
    pairwise distinct by construction.  ``targets="dyadic"`` draws targets like the inputs
    (shrinkable, edge cases included); ``targets="generic"`` draws them as
    :func:`generic_arrays` (no coincidences, with probability one).

    >>> data = datasets(n_in=2, n_out=1, min_size=3, max_size=3).example()
    >>> data.X.shape, data.has_distinct_inputs()
    ((3, 2), True)
    """
    check_integer("n_in", n_in, minimum=1)
    check_integer("n_out", n_out, minimum=1)
    check_integer("min_size", min_size, minimum=1)
    check_integer("max_size", max_size, minimum=1)
    check_range("min_size", min_size, "max_size", max_size)
    if targets not in ("dyadic", "generic"):
        raise InvalidArgument(f"targets={targets!r} must be 'dyadic' or 'generic'")
    entry = dyadic_floats(bound=bound, bits=bits)
    if not isinstance(distinct_inputs, bool):
        raise InvalidArgument(f"distinct_inputs={distinct_inputs!r} must be True or False")
    values = 2 * int(bound * 2**bits) + 1  # dyadic k/2^bits in [−bound, bound]
    if distinct_inputs and values**n_in < min_size:
        raise InvalidArgument(
            f"no data set satisfies these hypotheses: min_size={min_size} distinct inputs cannot be "
            f"drawn from the {values**n_in} points of the grid (n_in={n_in}, bound={bound!r}, "
            f"bits={bits}); raise bound or bits, or lower min_size")
    return _dataset(st.tuples(*([entry] * n_in)), st.tuples(*([entry] * n_out)), n_in=n_in, n_out=n_out,
                    min_size=min_size, max_size=max_size, distinct_inputs=distinct_inputs, targets=targets,
                    bound=bound)


@st.composite
def _dataset(draw, row_in, row_out, *, n_in: int, n_out: int, min_size: int, max_size: int,
             distinct_inputs: bool, targets: str, bound: float) -> Dataset:
    """One draw of :func:`datasets` (module level: strategies built per draw must not define a
    composite each time — Hypothesis parses a composite's source when it is defined)."""
    xs = draw(st.lists(row_in, min_size=min_size, max_size=max_size, unique=distinct_inputs))
    if targets == "generic":
        Y = draw(generic_arrays((len(xs), n_out), scale=bound / 2))
    else:
        Y = np.array(draw(st.lists(row_out, min_size=len(xs), max_size=len(xs))), dtype=float)
    return Dataset(np.array(xs, dtype=float).reshape(len(xs), n_in), Y.reshape(len(xs), n_out))


def generic_arrays(shape: tuple[int, ...], *, scale: float = 1.0, bits: int = 24,
                   salt: str | None = None) -> st.SearchStrategy[np.ndarray]:
    """Gaussian arrays ``scale · N(0, 1)`` from a Hypothesis-drawn seed, rounded to multiples
    of ``2^-bits`` (exact at every precision).  "Generic" in the measure-theoretic sense:
    use them where a result holds for almost every parameter.

    Draw several arrays of one instance with distinct ``salt`` strings (e.g. the block names):
    shrinking drives every seed to 0, and unsalted arrays would then all start with the same
    numbers — ``W_1 = b_1`` puts ``W_1 x + b_1`` exactly at 0 for ``x = −1``, which is not generic.

    >>> a = generic_arrays((2, 3), bits=8).example()
    >>> a.shape, bool(np.all(a * 256 == np.round(a * 256)))
    ((2, 3), True)
    """
    shape = tuple(shape)
    for n in shape:
        check_integer("shape entry", n, minimum=0)
    scale = check_positive_real("scale", scale)
    check_integer("bits", bits, minimum=1, maximum=40)

    stream = None if salt is None else zlib.crc32(str(salt).encode())

    def make(seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed if stream is None else [seed, stream])
        return np.ldexp(np.round(np.ldexp(scale * rng.standard_normal(shape), bits)), -bits)

    return st.integers(0, 2**32 - 1).map(make)


def realizable_targets(network: Network, theta: np.ndarray, X: np.ndarray) -> Dataset:
    """The data set ``(x_j, fl(f_{p*}(x_j)))``: targets the network reaches at ``p* = theta``
    (rounded once to float64; a point of M is then found near p* by Gauss–Newton, see
    :func:`critlocus.strategies.interpolating_point`)."""
    X = np.asarray(X, dtype=np.float64)
    probe = Problem(network, squared_error(),
                    Dataset(X, np.zeros((X.shape[0], network.architecture.n_out))))
    return Dataset(X, f64.outputs_f64(probe, np.asarray(theta, dtype=np.float64)))


def realizable_datasets(*, network: Network, theta: np.ndarray, min_size: int = 1, max_size: int = 8,
                        bound: float = 2.0, bits: int = 10) -> st.SearchStrategy[Dataset]:
    """Data sets with distinct dyadic inputs and realizable targets ``y_j = fl(f_{p*}(x_j))``.

    >>> from critlocus.core import Architecture, Network
    >>> net = Network(Architecture((1, 2, 1)), "tanh")
    >>> realizable_datasets(network=net, theta=np.zeros(7), max_size=3).example().Y.any()
    False
    """
    theta = np.asarray(theta, dtype=np.float64)
    if theta.shape != (network.architecture.n_params,):
        raise InvalidArgument(f"theta has shape {theta.shape}, the network needs "
                              f"({network.architecture.n_params},)")
    inputs = datasets(n_in=network.architecture.n_in, n_out=1, min_size=min_size, max_size=max_size,
                      bound=bound, bits=bits)
    return inputs.map(lambda data: realizable_targets(network, theta, data.X))
