"""Exact numbers: dyadic rationals ``k / 2^bits`` that are exact at every precision tier.

Floats of this form are exact binary rationals, so float64 and mpmath see the same data
and free parameters; they shrink toward 0 and toward coarse grids (small k), which makes
shrunk counterexamples readable.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ._validation import check_integer, check_positive_real

__all__ = ["dyadic_arrays", "dyadic_floats"]


def dyadic_floats(*, bound: float = 2.0, bits: int = 10) -> st.SearchStrategy[float]:
    """Floats ``k / 2**bits`` with ``|k / 2**bits| ≤ bound``.

    >>> v = dyadic_floats(bound=1.0, bits=4).example()
    >>> abs(v) <= 1.0 and (v * 16).is_integer()
    True
    """
    bound = check_positive_real("bound", bound)
    bits = check_integer("bits", bits, minimum=0, maximum=40)
    top = int(bound * 2**bits)
    scale = 2.0**-bits
    return st.integers(-top, top).map(lambda k: k * scale)


def dyadic_arrays(shape: tuple[int, ...], *, bound: float = 2.0, bits: int = 10
                  ) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of the given shape with :func:`dyadic_floats` entries."""
    return hnp.arrays(np.float64, shape, elements=dyadic_floats(bound=bound, bits=bits))
