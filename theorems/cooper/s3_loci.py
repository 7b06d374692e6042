"""Cooper, *The critical locus of overparameterized neural networks* (arXiv 2005.04210).

One spec per result; the id is the catalogue id.  Notation (§2): depth ℓ, widths
``n_0 … n_ℓ``, N parameters, d data points, L2 loss ``L(p) = Σ_j ||f_p(x_j) − y_j||²`` (no
1/d), σ smooth with σ(0) = 0.  Star and core loci are built by
:func:`critlocus.strategies.star_locus_point`.
"""

from __future__ import annotations

from critlocus import Source, Spec, claims, strategies
from critlocus.core.instance import Instance

from . import PAPER

_HYPOTHESES = (
    "fully connected network of depth ℓ ≥ 3, any widths, any number of outputs n_ℓ",
    "σ smooth (C^∞) with σ(0) = 0",
    "L2 loss L(p) = Σ_j ||f_p(x_j) − y_j||² (no 1/d)",
    "any data with distinct inputs",
)


def n_outputs(instance: Instance) -> int:
    """n_ℓ"""
    return instance.n_out


def n_zero_at_core(instance: Instance) -> int:
    """N − n_ℓ"""
    return instance.n_params - instance.n_out


def two_d(instance: Instance) -> float:
    """2d"""
    return 2.0 * instance.n_data


THM_3_1 = Spec(
    id="cooper.thm3.1",
    title="Star points are critical",
    source=Source(PAPER, "Theorem 3.1", "§3.1.1", ("SRC", "REC", "VER")),
    statement="Every point of the star locus S = ∪_i S_i is a critical point of L.",
    formula="p ∈ S_I = {W_i = 0 (i ∈ I), b_{min I} = … = b_{ℓ−1} = 0, W_ℓ = 0, b_ℓ = ȳ}  ⇒  ∇L(p) = 0",
    hypotheses=_HYPOTHESES,
    instances=strategies.star_locus_instances(min_depth=3, max_depth=6, max_width=12, max_outputs=3),
    claim=claims.is_critical(),
    expected="holds",
    kind="theorem",
    notes=("Index range read as 1 ≤ i ≤ ℓ−1 (UNC: the paper may exclude i = 1; both readings "
           "share the theorem).  W_ℓ = 0 kills every derivative outside the last layer, "
           "∂f/∂W_ℓ = σ(h_{ℓ−1}) = σ(0) = 0, and ∂L/∂b_ℓ = 2Σ_j(ȳ − y_j) = 0."),
)

THM_3_2 = Spec(
    id="cooper.thm3.2",
    title="Core points are degenerate critical points with Hess L = 2d·Id on b_ℓ",
    source=Source(PAPER, "Theorem 3.2", "§3.1.1", ("SRC", "REC", "VER")),
    statement=("Every point of the core locus C = ∪_{|I|=2} S_I is a degenerate critical point: "
               "Hess L(p) is 2d·Id on the b_ℓ block and 0 elsewhere, so it has n_ℓ positive "
               "eigenvalues, all equal to 2d, and N − n_ℓ zero eigenvalues."),
    formula="p ∈ C  ⇒  ∇L(p) = 0,  inertia Hess L(p) = (n_ℓ, 0, N − n_ℓ),  λ₊ = 2d",
    hypotheses=_HYPOTHESES,
    instances=strategies.core_locus_instances(min_depth=3, max_depth=6, max_width=12, max_outputs=3),
    claim=claims.all_of(
        claims.is_critical(),
        claims.hessian_inertia(positive=n_outputs, negative=0, zero=n_zero_at_core),
        claims.positive_eigenvalues_equal(two_d, text="2d"),
    ),
    expected="holds",
    kind="theorem",
    notes=("Vector-output form (REC+VER): n_ℓ eigenvalues 2d.  The paper states the scalar case "
           "(one positive eigenvalue); with n_ℓ > 1 the literal 'exactly one' reading fails "
           "(roadmap: cooper.thm3.2.literal).  Cores are k-cores with |I| ≥ 2."),
)
