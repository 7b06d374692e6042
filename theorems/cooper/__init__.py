"""Cooper, *The critical locus of overparameterized neural networks* (arXiv 2005.04210).

One module per section of the paper, one spec per result; spec ids are the catalogue ids
(``cooper.*``).  Notation (§2): depth ℓ, widths ``n_0 … n_ℓ``, N parameters, d data points,
L2 loss ``L(p) = Σ_j ||f_p(x_j) − y_j||²`` (no 1/d).

- :mod:`.s3_loci` — §3: star and core loci, Theorems 3.1 and 3.2.
"""

PAPER = "Cooper 2020"
