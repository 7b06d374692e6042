"""Fully connected architectures and their named parameter layout.

Conventions (Cooper §2): depth ℓ is the number of affine maps; widths ``(n_0, …, n_ℓ)``;
layer k has ``W_k ∈ R^{n_k × n_{k−1}}`` and (optionally) ``b_k ∈ R^{n_k}``.  The parameter
vector is the concatenation ``W_1, b_1, W_2, b_2, …, W_ℓ, b_ℓ`` with ``W_k`` in row-major
order, so ``N = Σ_k n_k (n_{k−1} + [b_k present])``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .errors import InvalidArgument

__all__ = ["Architecture", "Block", "ParameterLayout"]


def _positive_ints(name: str, values: Sequence[int], *, minimum_length: int) -> tuple[int, ...]:
    try:
        out = tuple(values)
    except TypeError:
        raise InvalidArgument(f"{name} must be a sequence of positive integers, got {values!r}") from None
    if len(out) < minimum_length:
        raise InvalidArgument(f"{name} needs at least {minimum_length} entries, got {values!r}")
    for v in out:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidArgument(f"{name} must contain positive integers, got {v!r} in {values!r}")
    return tuple(int(v) for v in out)


@dataclass(frozen=True)
class Block:
    """One named parameter block: ``W_k`` (shape ``(n_k, n_{k−1})``) or ``b_k`` (``(n_k,)``)."""

    name: str
    kind: str  # "W" or "b"
    layer: int
    shape: tuple[int, ...]
    offset: int

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def slice(self) -> slice:
        return slice(self.offset, self.offset + self.size)


class ParameterLayout:
    """The map between named blocks and one flat float vector of length ``N``."""

    def __init__(self, blocks: Sequence[Block]):
        self.blocks: tuple[Block, ...] = tuple(blocks)
        self._by_name = {b.name: b for b in self.blocks}
        self.size: int = sum(b.size for b in self.blocks)

    def __len__(self) -> int:
        return self.size

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def block(self, name: str) -> Block:
        try:
            return self._by_name[name]
        except KeyError:
            raise InvalidArgument(
                f"no parameter block {name!r}; blocks are {', '.join(self._by_name)}"
            ) from None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.blocks)

    def coordinate_names(self) -> list[str]:
        """``["W_1[0,0]", "W_1[0,1]", …, "b_ℓ[0]"]`` in flat order."""
        names: list[str] = []
        for b in self.blocks:
            for idx in np.ndindex(*b.shape):
                names.append(f"{b.name}[{','.join(map(str, idx))}]")
        return names

    def flatten(self, blocks: Mapping[str, np.ndarray]) -> np.ndarray:
        """Concatenate named blocks into one float64 vector (every block required)."""
        missing = [b.name for b in self.blocks if b.name not in blocks]
        extra = sorted(set(blocks) - set(self._by_name))
        if missing or extra:
            raise InvalidArgument(f"blocks mismatch: missing {missing}, unexpected {extra}")
        out = np.empty(self.size, dtype=np.float64)
        for b in self.blocks:
            try:
                arr = np.asarray(blocks[b.name], dtype=np.float64)
            except (TypeError, ValueError):
                raise InvalidArgument(f"block {b.name} must hold real numbers, "
                                      f"got {blocks[b.name]!r}") from None
            if arr.shape != b.shape:
                raise InvalidArgument(f"block {b.name} must have shape {b.shape}, got {arr.shape}")
            out[b.slice] = arr.reshape(-1)
        return out

    def unflatten(self, vector: Sequence[float] | np.ndarray) -> dict[str, np.ndarray]:
        """Split a flat float64 vector into named blocks (copies)."""
        try:
            vec = np.asarray(vector, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidArgument(f"parameter vector must hold real numbers, got {vector!r}") from None
        if vec.shape != (self.size,):
            raise InvalidArgument(f"parameter vector must have shape ({self.size},), got {vec.shape}")
        return {b.name: vec[b.slice].reshape(b.shape).copy() for b in self.blocks}

    def split_list(self, values: Sequence) -> dict[str, list]:
        """Split a flat list (e.g. of mpmath numbers) into named row-major lists."""
        if len(values) != self.size:
            raise InvalidArgument(f"expected {self.size} values, got {len(values)}")
        return {b.name: list(values[b.slice]) for b in self.blocks}


@dataclass(frozen=True)
class Architecture:
    """A fully connected feedforward architecture.

    ``widths = (n_0, …, n_ℓ)``; ``bias[k−1]`` says whether layer k has a bias ``b_k``
    (default: every layer).  The activation is not part of the architecture (see
    :class:`critlocus.core.network.Network`).

    >>> Architecture((2, 3, 1)).n_params
    13
    """

    widths: tuple[int, ...]
    bias: tuple[bool, ...] | None = None

    def __post_init__(self) -> None:
        widths = _positive_ints("widths", self.widths, minimum_length=2)
        object.__setattr__(self, "widths", widths)
        depth = len(widths) - 1
        bias = (True,) * depth if self.bias is None else tuple(self.bias)
        if len(bias) != depth or not all(isinstance(b, (bool, np.bool_)) for b in bias):
            raise InvalidArgument(
                f"bias must be {depth} booleans (one per layer) for widths {widths}, got {self.bias!r}"
            )
        object.__setattr__(self, "bias", tuple(bool(b) for b in bias))

    @property
    def depth(self) -> int:
        """ℓ, the number of affine maps (ℓ − 1 hidden layers)."""
        return len(self.widths) - 1

    @property
    def n_in(self) -> int:
        return self.widths[0]

    @property
    def n_out(self) -> int:
        """n_ℓ."""
        return self.widths[-1]

    @cached_property
    def layout(self) -> ParameterLayout:
        blocks: list[Block] = []
        offset = 0
        for k in range(1, self.depth + 1):
            shape = (self.widths[k], self.widths[k - 1])
            blocks.append(Block(f"W_{k}", "W", k, shape, offset))
            offset += shape[0] * shape[1]
            if self.bias[k - 1]:
                blocks.append(Block(f"b_{k}", "b", k, (self.widths[k],), offset))
                offset += self.widths[k]
        return ParameterLayout(blocks)

    @property
    def n_params(self) -> int:
        """N = Σ_k n_k (n_{k−1} + [bias])."""
        return self.layout.size

    def to_dict(self) -> dict:
        return {"widths": list(self.widths), "bias": list(self.bias), "depth": self.depth,
                "n_params": self.n_params}

    @classmethod
    def from_dict(cls, record: Mapping) -> Architecture:
        """Rebuild from :meth:`to_dict` (``depth`` and ``n_params`` are checked, not needed)."""
        if not isinstance(record, Mapping) or "widths" not in record:
            raise InvalidArgument(f"an architecture record needs 'widths', got {record!r}")
        bias = record.get("bias")
        arch = cls(tuple(record["widths"]), None if bias is None else tuple(bias))
        for key in ("depth", "n_params"):
            if key in record and record[key] != getattr(arch, key):
                raise InvalidArgument(f"architecture record says {key}={record[key]!r} but widths "
                                      f"{list(arch.widths)} give {getattr(arch, key)}")
        return arch

    def __str__(self) -> str:
        nobias = [k + 1 for k, b in enumerate(self.bias) if not b]
        suffix = f", no bias in layers {nobias}" if nobias else ""
        return f"widths {'-'.join(map(str, self.widths))} (ℓ={self.depth}, N={self.n_params}{suffix})"
