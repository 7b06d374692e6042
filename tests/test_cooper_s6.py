"""Cooper §6 specs: the growth tables and plots carry measured values beside the formulas."""

import pytest

from critlocus import run_spec
from critlocus.theorems.cooper import s6_growth as s6


def test_formulas_match_the_catalogue_closed_forms():
    for ell in (3, 4, 5):
        for w in (2, 7, 32):
            assert s6.n_params_formula(ell, w, 1) == (ell - 2) * w * w + (1 + ell) * w + 1
            assert s6.dim_star_formula(ell, w, 2, 2) == (ell - 3) * w * w + (2 + ell - 2) * w
            # with i = 1 allowed, dim S_1 = (ℓ−2)w² wins once w > n_0 + ℓ − 2
            if w > 2 + ell - 2:
                assert s6.dim_star_formula(ell, w, 2, 1) == (ell - 2) * w * w
    assert s6.dim_core_formula(3, 4, 1, 2) is None  # no 2-subset of {2..ℓ−1} when ℓ = 3
    assert s6.dim_core_formula(3, 4, 1, 1) == 0  # S_{1,2} is the centre point


@pytest.mark.spec
def test_prop_6_1_table_has_every_grid_point_measured_equal_formula():
    result = run_spec(s6.PROP_6_1, examples=1, seed=0)
    assert result.verdict == "holds"
    summary = result.evidence["summary"]
    rows = summary["tables"][0]["rows"]
    assert {(r[0], r[1]) for r in rows} == {(ell, w) for ell in s6.DEPTHS for w in s6.WIDTHS}
    for row in rows:
        for cell in row[3:8]:  # dim M (N − rank J at a global minimum), dim S, dim C
            measured, formula = cell.split(" / ")
            assert measured == formula
    assert len(summary["series"]) == len(s6.DEPTHS) + 1  # one per depth, plus the codimensions
    assert all(len(s["x"]) == len(s6.WIDTHS) for s in summary["series"])
    codim = summary["series"][-1]["lines"]
    for ell in s6.DEPTHS:  # codim S is quadratic in w with i = 1 excluded, linear with i = 1 allowed
        # N − dim S = (w + 1)² under 2..ℓ−1; N − dim S_1 = (n_0 + ℓ)w + 1 when i = 1 is allowed
        assert codim[f"ℓ={ell}: codim S (2..ℓ−1)"] == [(w + 1) ** 2 for w in s6.WIDTHS]
        assert codim[f"ℓ={ell}: codim S (1..ℓ−1)"] == [min((w + 1) ** 2, (1 + ell) * w + 1)
                                                        for w in s6.WIDTHS]


@pytest.mark.spec
def test_prop_6_2_zero_counts_are_measured_at_high_precision():
    result = run_spec(s6.PROP_6_2, examples=1, seed=0)
    assert result.verdict == "holds"
    rows = result.evidence["summary"]["tables"][0]["rows"]
    # a core point and a global minimum per grid point, and a star point up to STAR_MAX_WIDTH
    stars = sum(w <= s6.STAR_MAX_WIDTH for w in s6.WIDTHS)
    assert len(rows) == len(s6.DEPTHS) * (2 * len(s6.WIDTHS) + stars)
    for _ell, w, locus, N, d, n0, predicted, n_pos, n_neg, lam, _nd, bound, decided_at in rows:
        assert n0 == predicted
        assert decided_at.startswith("mpmath")
        if locus == "core":
            assert (n0, n_pos, n_neg, lam) == (N - 1, 1, 0, 2 * d)
        elif locus == "M":
            assert (n0, n_pos, n_neg) == (N - d, d, 0)
        else:  # a saddle: ρ = rank G · rank D = 1 · w on this generic family
            assert (n_pos, n_neg) == (1 + w, w) and n0 == N - 1 - 2 * w >= bound
    assert len(result.evidence["summary"]["series"]) == len(s6.DEPTHS)
