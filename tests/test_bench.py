"""``critlocus bench --quick`` runs and writes its record (timings are shown, never asserted)."""

import json

from critlocus.bench import build_case
from critlocus.cli import main


def test_bench_quick_runs_and_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--quiet", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert {r["point"] for r in doc["rows"]} == {"core", "star"}
    for row in doc["rows"]:
        for key in ("float64_verdict", "high_precision_verdict", "torch_func_hessian_eigvalsh",
                    "autograd_hessian_eigvalsh", "mpmath_dense_eigsy"):
            assert row[key]["median_s"] is not None and row[key]["median_s"] > 0
        assert set(row["ratios"]) >= {"float64_verdict / torch.func.hessian+eigvalsh"}
        assert row["high_precision_verdict"]["result"]["decided"]
    assert doc["threads"] == 1
    assert doc["search_one_hidden_layer_star"]["instances"] == 3
    assert "float64 verdict" in capsys.readouterr().out


def test_bench_points_have_the_advertised_sizes_and_ranks():
    core, star = build_case("core", 200), build_case("star", 200)
    assert core.widths == (5, 9, 9, 5) and abs(core.n_params - 200) < 15
    assert star.widths == (5, 18, 5) and star.n_params == 203
