"""Repository-level checks: the exported library and README agree with the notebooks."""
import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_library_matches_notebooks(tmp_path):
    "nbdev_export on a copy of the repo must not change sparse_eigendecomp/ (no hand edits, nothing unexported)."
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "_docs", "_proc", "runs", "*.egg-info", "__pycache__"))
    subprocess.run(["nbdev_export"], cwd=copy, check=True, capture_output=True)
    lib, exported = ROOT / "sparse_eigendecomp", copy / "sparse_eigendecomp"
    names = sorted(p.name for p in lib.glob("*.py"))
    assert names == sorted(p.name for p in exported.glob("*.py"))
    _, mismatch, errors = filecmp.cmpfiles(lib, exported, names, shallow=False)
    assert not mismatch and not errors, f"out of sync with nbs/: {mismatch + errors}; run nbdev_export"


def test_readme_matches_index_notebook():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "make_readme.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
