"""Strategies for data sets ``(x_j, y_j)``."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from critlocus.core.data import Dataset
from critlocus.core.errors import InvalidArgument

from ._validation import check_integer, check_range
from .numbers import dyadic_floats

__all__ = ["datasets"]


def datasets(*, n_in: int, n_out: int, min_size: int = 1, max_size: int = 8, bound: float = 2.0,
             bits: int = 10, distinct_inputs: bool = True) -> st.SearchStrategy[Dataset]:
    """Data sets of ``d ∈ [min_size, max_size]`` points with dyadic inputs and targets.

    With ``distinct_inputs`` (the papers' standing assumption) the inputs ``x_j`` are
    pairwise distinct by construction.

    >>> data = datasets(n_in=2, n_out=1, min_size=3, max_size=3).example()
    >>> data.X.shape, data.has_distinct_inputs()
    ((3, 2), True)
    """
    check_integer("n_in", n_in, minimum=1)
    check_integer("n_out", n_out, minimum=1)
    check_integer("min_size", min_size, minimum=1)
    check_integer("max_size", max_size, minimum=1)
    check_range("min_size", min_size, "max_size", max_size)
    entry = dyadic_floats(bound=bound, bits=bits)
    if not isinstance(distinct_inputs, bool):
        raise InvalidArgument(f"distinct_inputs={distinct_inputs!r} must be True or False")
    values = 2 * int(bound * 2**bits) + 1  # dyadic k/2^bits in [−bound, bound]
    if distinct_inputs and values**n_in < min_size:
        raise InvalidArgument(
            f"no data set satisfies these hypotheses: min_size={min_size} distinct inputs cannot be "
            f"drawn from the {values**n_in} points of the grid (n_in={n_in}, bound={bound!r}, "
            f"bits={bits}); raise bound or bits, or lower min_size")
    row_in = st.tuples(*([entry] * n_in))
    row_out = st.tuples(*([entry] * n_out))

    @st.composite
    def build(draw):
        xs = draw(st.lists(row_in, min_size=min_size, max_size=max_size,
                           unique=distinct_inputs))
        ys = draw(st.lists(row_out, min_size=len(xs), max_size=len(xs)))
        return Dataset(np.array(xs, dtype=float).reshape(len(xs), n_in),
                       np.array(ys, dtype=float).reshape(len(xs), n_out))

    return build()
