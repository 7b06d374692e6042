"""Arb's working precision as a context (python-flint keeps it in the global ``ctx``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flint import ctx

__all__ = ["workprec"]


@contextmanager
def workprec(bits: int) -> Iterator[int]:
    """Run the block with Arb's working precision set to ``bits`` (restored afterwards)."""
    old = ctx.prec
    ctx.prec = int(bits)
    try:
        yield int(bits)
    finally:
        ctx.prec = old
