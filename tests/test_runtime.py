"""One BLAS/torch thread per process, set before numpy and torch load."""

import os
import subprocess
import sys

CODE = "import os, critlocus, torch; print(os.environ['OPENBLAS_NUM_THREADS'], torch.get_num_threads())"


def _run(extra: dict[str, str]) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_THREADS")}
    env.update(extra)
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env, check=True)
    return out.stdout.split()


def test_importing_critlocus_limits_threads_before_numpy_loads():
    assert _run({}) == ["1", "1"]


def test_critlocus_threads_override():
    assert _run({"CRITLOCUS_THREADS": "2"}) == ["2", "2"]


def _threads_after(code: str, extra: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_THREADS")}
    env.update(extra)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True).stdout.strip()


def test_torch_is_limited_when_imported_after_critlocus_even_if_omp_says_otherwise():
    """``import critlocus`` does not load torch; the first ``import torch`` (anywhere) gets one
    thread, whatever OMP_NUM_THREADS the caller had set."""
    code = ("import sys, critlocus; assert 'torch' not in sys.modules; "
            "import torch; print(torch.get_num_threads())")
    assert _threads_after(code, {"OMP_NUM_THREADS": "2"}) == "1"
    assert _threads_after(code, {"OMP_NUM_THREADS": "2", "CRITLOCUS_THREADS": "2"}) == "2"


def test_torch_loaded_before_critlocus_is_limited_at_once():
    code = "import torch; import critlocus; print(torch.get_num_threads())"
    assert _threads_after(code, {"OMP_NUM_THREADS": "2"}) == "1"


def test_torch_imported_through_a_numerics_module_is_limited():
    code = "import critlocus.core.network, torch; print(torch.get_num_threads())"
    assert _threads_after(code, {"OMP_NUM_THREADS": "2"}) == "1"


def test_importing_critlocus_loads_no_numerics_until_a_name_is_used():
    code = ("import sys, critlocus; heavy = ('torch', 'hypothesis', 'scipy', 'mpmath', 'numpy'); "
            "print([m for m in heavy if m in sys.modules]); from critlocus import Spec, claims, strategies; "
            "print(Spec.__name__, 'torch' in sys.modules)")
    first, second = _threads_after(code, {}).splitlines()
    assert first == "[]" and second == "Spec True"
