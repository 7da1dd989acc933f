"""Checks that need an accelerator: skipped (and reported as skipped) where there is none."""
import subprocess, sys
from pathlib import Path
import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_device_check_on_cuda():
    "bench/device_check.py on the GPU: dense-Hessian checks of the kernel, CPU parity, a short token experiment."
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "device_check.py"), "--device", "cuda"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip().splitlines()[-1].startswith("device_ok=true"), r.stdout[-3000:]
