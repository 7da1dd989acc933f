"""Build the documentation site.

Where Quarto is installed this runs `nbdev_docs` (the real site, into `_docs/`). Quarto cannot be installed on
machines without network access to its binary, so otherwise it builds an offline static preview of the same pages
into `_docs_preview/`:

1. the page list and order of nbdev's sidebar (`nbdev_sidebar`), titles and descriptions from nbdev's frontmatter;
2. every notebook executed (with the test suite's skip rules, `tools/notebook_rules.py`), so pages show real tables,
   figures and highlighted tokens;
3. nbdev's own docs processors (`FilterDefaults`: `show_doc` entries, hidden and exported cells, directives, links);
4. rendered to HTML with nbconvert, inside one page template with the sidebar navigation; MathJax is served from
   the `jupyter-server-mathjax` package, so pages need no network (no CDN, no external script).

Usage: python tools/build_docs.py [--out _docs_preview] [--no-exec] [--preview]
"""
import argparse, contextlib, html, io, os, re, shutil, sys, time, warnings
from pathlib import Path
import yaml

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
sys.path.insert(0, str(ROOT / "tools"))
from notebook_rules import skip_cell, skip_flags
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def page_list():
    "Notebooks in the order of nbdev's sidebar."
    from nbdev.quarto import nbdev_sidebar
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf): nbdev_sidebar.__wrapped__(path=NBS, printit=True, force=True)
    contents = yaml.safe_load(buf.getvalue())["website"]["sidebar"]["contents"]
    flat = []
    def walk(items):
        for it in items:
            if isinstance(it, str): flat.append(it)
            elif isinstance(it, dict): walk(it.get("contents", []))
    walk(contents)
    return [p for p in flat if p.endswith(".ipynb")]


def execute(nb, path):
    "Run a notebook's cells in order in its folder (as nbdev_test does), keeping the outputs."
    from execnb.shell import CaptureShell
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        shell = CaptureShell(path=path.parent)
        flags = skip_flags()  # the test suite's rule: no nbdev_export(), no `#| eval: false`, no `#| slow` cells
        shell.run_all(nb, exc_stop=True, preproc=lambda cell: cell.cell_type != "code" or skip_cell(cell.source, flags))
    finally: os.chdir(cwd)


def process(path, run):
    "Executed (optionally) and nbdev-processed notebook as an nbformat node, with its frontmatter."
    import nbformat
    from execnb.nbio import read_nb, nb2str
    from nbdev.processors import FilterDefaults
    nb = read_nb(path)
    if run: execute(nb, path)
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            FilterDefaults()(nb)
    finally: os.chdir(cwd)
    node = nbformat.reads(nb2str(nb), as_version=4)
    front = {}
    if node.cells and node.cells[0].cell_type == "raw" and node.cells[0].source.startswith("---"):
        front = yaml.safe_load(node.cells[0].source.strip().strip("-")) or {}
        node.cells = node.cells[1:]
    cells = []
    for cell in node.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("<!-- WARNING"): continue
        if cell.cell_type == "code":
            directives = dict(re.findall(r"^#\|\s*([\w-]+):\s*(.*)$", cell.source, re.M))
            cell.source = re.sub(r"^#\|.*\n?", "", cell.source, flags=re.M).strip()
            tags = set(cell.metadata.get("tags", []))
            if directives.get("echo") == "false" or not cell.source: tags.add("remove_input")
            cell.metadata["tags"] = sorted(tags)
            for out in cell.get("outputs", []):  # static pages cannot run widgets: keep their HTML fallback
                if WIDGET_MIME in out.get("data", {}) and len(out["data"]) > 1: del out["data"][WIDGET_MIME]
        cells.append(cell)
    node.cells = cells
    return node, front


CSS = """
body{margin:0;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;line-height:1.5}
nav.sidebar{position:fixed;top:0;left:0;bottom:0;width:230px;overflow:auto;background:#f4f6f8;border-right:1px solid #ddd;padding:16px}
nav.sidebar a{display:block;color:#1a5fb4;text-decoration:none;padding:3px 6px;border-radius:4px}
nav.sidebar a.active{background:#1a5fb4;color:#fff}
nav.sidebar .site{font-weight:700;font-size:1.1em;margin-bottom:10px;display:block;color:#222}
main{margin-left:262px;max-width:980px;padding:8px 28px 60px}
header.page h1{margin-bottom:4px} header.page p.description{color:#555;font-size:1.1em;margin-top:0}
pre{background:#f6f8fa;padding:10px;border-radius:4px;overflow:auto;font-size:13px}
table{border-collapse:collapse;margin:8px 0} td,th{border:1px solid #ddd;padding:4px 8px;font-size:14px}
img{max-width:100%} .prompt{display:none}
.input_area pre{border-left:3px solid #1a5fb4} .output_area pre{background:#fff;border:1px solid #eee}
.cell{margin:10px 0}
code{background:#f3f3f3;padding:1px 3px;border-radius:3px}
.anchor-link{visibility:hidden;font-size:.6em;margin-left:4px;text-decoration:none} h2:hover .anchor-link,h3:hover .anchor-link{visibility:visible}
/* MathJax's MathML styles name web fonts that the offline MathJax package lacks: use the browser's math fonts */
math [mathvariant], math[mathvariant] {font-family: math, "STIX Two Math", "Cambria Math", serif !important}
"""

MATHJAX = """<script type="text/x-mathjax-config">MathJax.Hub.Config({tex2jax:{inlineMath:[['$','$'],['\\\\(','\\\\)']],
displayMath:[['$$','$$'],['\\\\[','\\\\]']],processEscapes:true},messageStyle:"none",
// browsers render MathML natively: no web fonts to fetch
MMLorHTML:{prefer:{MSIE:"MML",Firefox:"MML",Chrome:"MML",Opera:"MML",Safari:"MML",other:"MML"}},menuSettings:{renderer:"NativeMML"},
"HTML-CSS":{availableFonts:[],preferredFont:null,webFont:"STIX-Web",imageFont:null}});</script>
<script src="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"></script>"""


def render(pages, out, run):
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    from pygments.formatters import HtmlFormatter
    from nbdev.config import get_config
    cfg = get_config()
    site = f"{cfg.doc_host}{cfg.doc_baseurl}".rstrip("/") + "/"
    c = Config()
    c.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, template_name="basic")
    rendered, timings = [], {}
    for name in pages:
        t0 = time.perf_counter()
        node, front = process(NBS / name, run)
        body, _ = exporter.from_notebook_node(node)
        body = body.replace(site, "")  # nbdev links to the published site: keep them inside the preview
        # show_doc's source links carry Quarto (pandoc) attributes: apply them here
        body = re.sub(r'(<a [^>]*)>source</a>\{target="_blank" style="([^"]*)"\}', r'\1 target="_blank" style="\2">source</a>', body)
        target = front.get("output-file") or Path(name).with_suffix(".html").name
        rendered.append((name, target, front.get("title", Path(name).stem), front.get("description", ""), body))
        timings[name] = time.perf_counter() - t0
        print(f"  {name} -> {target} ({timings[name]:.1f}s)", flush=True)
    style = CSS + HtmlFormatter().get_style_defs(".highlight")
    for name, target, title, description, body in rendered:
        nav = "".join(f'<a href="{t}" class="{"active" if t == target else ""}">{html.escape(str(ti))}</a>'
                      for _, t, ti, _, _ in rendered)
        page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f'<title>{html.escape(str(title))} – {cfg.title}</title><link rel="icon" href="data:,">'
                f'<style>{style}</style>{MATHJAX}</head><body><nav class="sidebar"><a class="site" href="index.html">{cfg.title}</a>{nav}</nav>'
                f'<main><header class="page"><h1>{html.escape(str(title))}</h1><p class="description">{html.escape(str(description))}</p>'
                f'</header>{body}</main></body></html>')
        (out / target).write_text(page, encoding="utf-8")
    return rendered, timings


def copy_assets(out):
    import jupyter_server_mathjax
    for folder in ("images", "results"):
        if (NBS / folder).exists(): shutil.copytree(NBS / folder, out / folder, dirs_exist_ok=True)
    shutil.copytree(Path(jupyter_server_mathjax.__file__).parent / "static", out / "mathjax", dirs_exist_ok=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "_docs_preview"))
    ap.add_argument("--no-exec", action="store_true", help="render stored outputs only (faster; pages lack results)")
    ap.add_argument("--preview", action="store_true", help="build the offline preview even where quarto is installed")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if shutil.which("quarto") and not args.preview:
        # nbdev_docs renders stored outputs: execute copies of the notebooks first, then let nbdev and Quarto do the rest
        import subprocess
        from execnb.nbio import read_nb, write_nb
        exec_dir = ROOT / "_docs_exec"  # same depth as nbs/, so relative paths in the notebooks still resolve
        shutil.rmtree(exec_dir, ignore_errors=True)
        shutil.copytree(NBS, exec_dir)
        if not args.no_exec:
            for name in page_list():
                nb = read_nb(exec_dir / name)
                execute(nb, exec_dir / name)
                write_nb(nb, exec_dir / name)
        subprocess.run(["nbdev_docs", "--path", str(exec_dir)], cwd=ROOT, check=True)
        print(f"built the Quarto site into _docs/ in {time.perf_counter() - t0:.0f}s")
        return
    out = Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
    pages = page_list()
    print(f"quarto not found: building the offline preview of {len(pages)} pages into {out}")
    copy_assets(tmp)
    rendered, _ = render(pages, tmp, not args.no_exec)
    shutil.rmtree(out, ignore_errors=True); tmp.rename(out)  # replace the old preview only once the new one is complete
    print(f"docs_pages={len(rendered)} seconds={time.perf_counter() - t0:.0f} out={out}")


if __name__ == "__main__":
    main()
