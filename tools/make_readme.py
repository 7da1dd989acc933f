"""Render README.md from nbs/index.ipynb without Quarto (nbdev_readme needs it; it cannot be installed here).

Usage: python tools/make_readme.py [--check]
--check exits 1 if README.md is out of date instead of writing it.
"""
import re
import sys
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parent.parent
HEADER = "<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n"


def _visible(cell):
    "Drop cells nbdev hides from docs (`#| hide`) and the notebook's own export cell."
    first = cell.source.lstrip().splitlines()[:3]
    return not any(l.strip().replace(" ", "") in ("#|hide", "#|include:false") for l in first)


def render() -> str:
    nb = nbformat.read(ROOT / "nbs" / "index.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if _visible(c)]
    nb.metadata["language_info"] = {"name": "python"}  # fenced code blocks marked as Python
    # nbdev turns the first "# Title" + "> summary" into front matter; markdown keeps them as they are.
    body, _ = MarkdownExporter().from_notebook_node(nb)
    body = re.sub(r"\]\((images/[^)]+)\)", r"](nbs/\1)", body)  # images live in nbs/, the README at the root
    return HEADER + body.strip() + "\n"


if __name__ == "__main__":
    text, readme = render(), ROOT / "README.md"
    if "--check" in sys.argv:
        ok = readme.exists() and readme.read_text(encoding="utf-8") == text
        print("README.md is in sync with nbs/index.ipynb" if ok else "README.md is out of date: run python tools/make_readme.py")
        sys.exit(0 if ok else 1)
    readme.write_text(text, encoding="utf-8")
    print(f"wrote {readme}")
