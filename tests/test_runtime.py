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
