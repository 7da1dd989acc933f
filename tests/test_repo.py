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
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "_docs", "_docs_preview", "_docs_exec", "_docs_screenshots", "_proc",
                                                              "runs", "*.egg-info", "__pycache__"))
    subprocess.run(["nbdev_export"], cwd=copy, check=True, capture_output=True)
    lib, exported = ROOT / "sparse_eigendecomp", copy / "sparse_eigendecomp"
    names = sorted(p.name for p in lib.glob("*.py"))
    assert names == sorted(p.name for p in exported.glob("*.py"))
    _, mismatch, errors = filecmp.cmpfiles(lib, exported, names, shallow=False)
    assert not mismatch and not errors, f"out of sync with nbs/: {mismatch + errors}; run nbdev_export"


def test_readme_matches_index_notebook():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "make_readme.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_docs_preview_builds(tmp_path):
    "The offline docs preview (tools/build_docs.py, stored outputs only) renders every sidebar page, self-contained."
    import re
    out = tmp_path / "site"
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py"), "--preview", "--no-exec", "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    notebooks = [p for p in (ROOT / "nbs").glob("*.ipynb")]
    assert len(pages) == len(notebooks), sorted(pages)
    for name in ["index.html", "divergence.html", "curvature.html", "analysis.html", "transformer.html", "cli.html"]:
        assert name in pages, name
    for name, page in pages.items():
        assert re.search(r"<h1>[^<]+</h1>", page), f"{name}: no title"
        assert all(f'href="{other}"' in page for other in pages), f"{name}: sidebar incomplete"
        # offline: no script, stylesheet or image from another host
        assert not re.search(r'<(script|img|link)[^>]+(src|href)="(https?:)?//', page), f"{name}: loads something remote"
        for src in re.findall(r'<img[^>]+src="([^"]+)"', page):
            assert src.startswith("data:") or (out / src).exists(), f"{name}: missing image {src}"
    assert pages["curvature.html"].count('<h3 id="feature_values"') == 1  # a show_doc entry
    assert (out / "mathjax" / "MathJax.js").exists()


def test_lint():
    "ruff (pyflakes' checks and the line limit of ruff.toml) finds nothing in the library, benchmarks, tools and tests."
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "sparse_eigendecomp", "bench", "tools", "tests",
                        "conftest.py"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-1000:]


def test_public_signatures_have_docments():
    "Every parameter of every public function and method of the library has a docment (a comment after it)."
    import importlib, inspect
    from fastcore.docments import docments
    missing = []
    for path in sorted((ROOT / "sparse_eigendecomp").glob("*.py")):
        if path.stem.startswith("_"): continue
        module = importlib.import_module(f"sparse_eigendecomp.{path.stem}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj):
                funcs = [(f"{name}.{k}", v) for k, v in vars(obj).items()
                         if inspect.isfunction(v) and (not k.startswith("_") or k == "__init__")]
            else: funcs = [(name, obj)] if inspect.isfunction(obj) else []
            for qualname, func in funcs:
                if func.__code__.co_filename.startswith("<"): continue  # generated (a dataclass's __init__): fields carry the notes
                notes = docments(func)
                params = [p for p in inspect.signature(func).parameters.values()
                          if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
                missing += [f"{path.stem}.{qualname}({p.name})" for p in params if not notes.get(p.name)]
    assert not missing, f"parameters without docments: {missing}"


def test_shipped_files_record_no_machine_path():
    "Results, models and data in the repository name files relative to it, never a path of the machine that made them."
    import re
    tracked = subprocess.run(["git", "ls-files", "nbs/results", "models", "data", "README.md"], cwd=ROOT, capture_output=True, text=True)
    paths = [ROOT / p for p in tracked.stdout.split()] if tracked.returncode == 0 else \
            [p for d in ("nbs/results", "models", "data") for p in (ROOT / d).rglob("*")]
    machine = re.compile(r"(?<![\w.])(/work/|/home/|/root/|/tmp/|/Users/|[A-Z]:\\\\)")
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in paths if p.is_file() and p.suffix in (".json", ".txt", ".csv", ".html", ".md")
             for m in [machine.search(p.read_text(encoding="utf-8", errors="replace"))] if m]
    assert not found, found
