"""critlocus.core — numerics only; knows no paper.

Networks and their parameter layout, activations and losses, float64 evaluation through
``torch.func``, exact high-precision evaluation in mpmath, spectral decisions with
evidence, three-valued verdicts and the precision ladder, batch evaluation.

Every name below loads on first use (PEP 562), with its module: ``import critlocus.core`` (and
so ``import critlocus.core.errors``) does not import torch, scipy or mpmath.
"""

from __future__ import annotations

_LAZY = {
    "Activation": "activations",
    "activation_names": "activations",
    "activations_with": "activations",
    "get_activation": "activations",
    "register_activation": "activations",
    "Architecture": "architecture",
    "Block": "architecture",
    "ParameterLayout": "architecture",
    "BatchResult": "batch",
    "evaluate_batch": "batch",
    "Dataset": "data",
    "ZeroDecision": "decisions",
    "decide_zero": "decisions",
    "zero_threshold": "decisions",
    "CritlocusError": "errors",
    "InvalidArgument": "errors",
    "PrecisionError": "errors",
    "SpecError": "errors",
    "PointEvaluation": "evaluation",
    "MPLandscape": "highprec",
    "Instance": "instance",
    "FunctionalLoss": "linear",
    "LinearNetwork": "linear",
    "frobenius_distance": "linear",
    "quadratic_regression": "linear",
    "weighted_frobenius": "linear",
    "Loss": "losses",
    "get_loss": "losses",
    "log_cosh": "losses",
    "pseudo_huber": "losses",
    "squared_error": "losses",
    "weighted_squared_error": "losses",
    "Network": "network",
    "Problem": "network",
    "BlockRule": "points",
    "Derived": "points",
    "Given": "points",
    "MeanTarget": "points",
    "PointRecipe": "points",
    "Zero": "points",
    "DEFAULT_LADDER": "precision",
    "FLOAT64": "precision",
    "Precision": "precision",
    "mp_precision": "precision",
    "parse_ladder": "precision",
    "ExactMatrix": "rank",
    "MatrixSource": "rank",
    "RankDecision": "rank",
    "decide_rank": "rank",
    "ExactSymmetricMatrix": "spectrum",
    "HessianSource": "spectrum",
    "SpectrumDecision": "spectrum",
    "classify_spectrum": "spectrum",
    "decide_inertia": "spectrum",
    "inertia_dense_mp": "spectrum",
    "inertia_float64": "spectrum",
    "inertia_range_sketch": "spectrum",
    "Outcome": "verdict",
    "TierResult": "verdict",
    "Verdict": "verdict",
    "combine_outcomes": "verdict",
    "escalate": "verdict",
}

__all__ = [
    "DEFAULT_LADDER",
    "FLOAT64",
    "Activation",
    "Architecture",
    "BatchResult",
    "Block",
    "BlockRule",
    "CritlocusError",
    "Dataset",
    "Derived",
    "ExactMatrix",
    "ExactSymmetricMatrix",
    "FunctionalLoss",
    "Given",
    "HessianSource",
    "Instance",
    "InvalidArgument",
    "LinearNetwork",
    "Loss",
    "MPLandscape",
    "MatrixSource",
    "MeanTarget",
    "Network",
    "Outcome",
    "ParameterLayout",
    "PointEvaluation",
    "PointRecipe",
    "Precision",
    "PrecisionError",
    "Problem",
    "RankDecision",
    "SpecError",
    "SpectrumDecision",
    "TierResult",
    "Verdict",
    "Zero",
    "ZeroDecision",
    "activation_names",
    "activations_with",
    "classify_spectrum",
    "combine_outcomes",
    "decide_inertia",
    "decide_rank",
    "decide_zero",
    "escalate",
    "evaluate_batch",
    "frobenius_distance",
    "get_activation",
    "get_loss",
    "inertia_dense_mp",
    "inertia_float64",
    "inertia_range_sketch",
    "log_cosh",
    "mp_precision",
    "parse_ladder",
    "pseudo_huber",
    "quadratic_regression",
    "register_activation",
    "squared_error",
    "weighted_frobenius",
    "weighted_squared_error",
    "zero_threshold",
]


def __getattr__(name: str):
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    import importlib.util

    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")  # a submodule, as an attribute
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
