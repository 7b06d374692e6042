"""critlocus.core — numerics only; knows no paper.

Networks and their parameter layout, activations and losses, float64 evaluation through
``torch.func``, exact high-precision evaluation in mpmath, spectral decisions with
evidence, three-valued verdicts and the precision ladder, batch evaluation.
"""

from .activations import (
    Activation,
    activation_names,
    activations_with,
    get_activation,
    register_activation,
)
from .architecture import Architecture, Block, ParameterLayout
from .batch import BatchResult, evaluate_batch
from .data import Dataset
from .decisions import ZeroDecision, decide_zero, zero_threshold
from .errors import CritlocusError, InvalidArgument, PrecisionError, SpecError
from .evaluation import PointEvaluation
from .highprec import MPLandscape
from .instance import Instance
from .linear import (
    FunctionalLoss,
    LinearNetwork,
    frobenius_distance,
    quadratic_regression,
    weighted_frobenius,
)
from .losses import Loss, get_loss, log_cosh, pseudo_huber, squared_error, weighted_squared_error
from .network import Network, Problem
from .points import BlockRule, Derived, Given, MeanTarget, PointRecipe, Zero
from .precision import DEFAULT_LADDER, FLOAT64, Precision, mp_precision, parse_ladder
from .rank import ExactMatrix, MatrixSource, RankDecision, decide_rank
from .spectrum import (
    ExactSymmetricMatrix,
    HessianSource,
    SpectrumDecision,
    classify_spectrum,
    decide_inertia,
    inertia_dense_mp,
    inertia_float64,
    inertia_range_sketch,
)
from .verdict import Outcome, TierResult, Verdict, combine_outcomes, escalate

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
