"""Jupyter check (not a test): the `FeatureExplorer` widget in a real JupyterLab, driven by a headless browser.

It writes a notebook that displays a `FeatureExplorer` over planted values (feature 0 is largest on the 'd' of
"a dog ran", feature 1 on the 't' of "the cat sat"), starts JupyterLab on it (loopback only, no token), opens it
in headless Chromium with Playwright, runs the cell (Shift+Enter), and checks that

1. the widget renders (a feature dropdown and the highlighted examples of feature 0, 'd' on top);
2. choosing feature 1 in the dropdown changes the examples to feature 1's ('t' on top);
3. the browser console shows no error from the widget.

It prints the seconds to the first render and to the update, saves a screenshot to `_docs_screenshots/`, and ends
with `jupyter_ok=true|false`. Needs `pip install -e ".[docs]"` (Playwright and JupyterLab) and Debian's
`chromium` (`apt-get install chromium`). Usage: python tools/check_jupyter.py [--chromium /usr/bin/chromium]
"""
import argparse, json, os, socket, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
NOTEBOOK_CODE = '''import torch
from sparse_eigendecomp.views import FeatureExplorer

class CharTokenizer:  # ids are characters
    def decode(self, ids): return "".join(chr(i) for i in ids)

ids = torch.tensor([[ord(c) for c in "the cat sat"], [ord(c) for c in "a dog ran!!"]])
values = torch.zeros(2, 11, 2)
values[1, 2, 0], values[0, 4, 0], values[0, 0, 1], values[1, 3, 1] = 5.0, 3.0, 4.0, 1.0
FeatureExplorer(values, ids, CharTokenizer(), descriptions={"0": "planted on d", "1": "planted on t"}, n=2)'''


KERNEL = "sparse-eigendecomp-check"


def write_kernelspec(folder: Path) -> Path:
    "A kernel that runs this interpreter (the one with the package), whatever `python3` is on PATH; returns a JUPYTER_PATH."
    spec = folder / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                  "display_name": KERNEL, "language": "python"}))
    return folder / "jupyter"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_notebook(folder: Path) -> Path:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "explorer", "metadata": {}, "outputs": [],
                     "source": NOTEBOOK_CODE}],
          "metadata": {"kernelspec": {"display_name": KERNEL, "language": "python", "name": KERNEL}},
          "nbformat": 4, "nbformat_minor": 5}
    path = folder / "explorer.ipynb"
    path.write_text(json.dumps(nb))
    return path


def start_lab(folder: Path, port: int, jupyter_path: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--ServerApp.root_dir={folder}",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.token=", "--ServerApp.password=",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None"]
    env = {**os.environ, "JUPYTER_PATH": os.pathsep.join(filter(None, [str(jupyter_path), os.environ.get("JUPYTER_PATH")]))}
    lab = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1): return lab
        except OSError: time.sleep(0.5)
    lab.kill()
    raise SystemExit("JupyterLab did not start within 60 s")


def check(base: str, chromium: str, shots: Path) -> dict:
    from playwright.sync_api import sync_playwright, TimeoutError as PlaywrightTimeout
    result, errors = {}, []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "widget" in m.text.lower() else None)
        page.goto(base + "lab/tree/explorer.ipynb", timeout=120_000)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
        t0 = time.time()
        # Run the one cell with Shift+Enter: menu labels change between JupyterLab versions ("Run All Cells" did
        # nothing in 4.6.6), the shortcut has not.
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Escape")        # command mode: Shift+Enter runs the selected cell
        page.keyboard.press("Shift+Enter")
        try: select = page.wait_for_selector(".widget-dropdown select", timeout=120_000)
        except PlaywrightTimeout:
            shots.mkdir(exist_ok=True)
            page.screenshot(path=str(shots / "jupyter_explorer.png"), full_page=True)
            browser.close()
            return dict(failed=f"the widget did not render within 120 s (kernel {sys.executable}; see the screenshot)")
        page.wait_for_selector(".jupyter-widgets:has-text('Feature 0')", timeout=60_000)
        result["render_s"] = time.time() - t0
        result["feature0_top"] = page.locator(".jupyter-widgets code").first.inner_text()  # the top example's token
        t1 = time.time()
        select.select_option(value=None, label="1: planted on t")
        page.wait_for_selector(".jupyter-widgets:has-text('Feature 1')", timeout=60_000)
        result["update_s"] = time.time() - t1
        result["feature1_top"] = page.locator(".jupyter-widgets code").first.inner_text()
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / "jupyter_explorer.png"), full_page=True)
        browser.close()
    result["console_errors"] = errors
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    try: import playwright  # noqa: F401
    except ImportError: raise SystemExit('the Jupyter check needs Playwright: pip install -e ".[docs]", and Chromium: apt-get install chromium')
    with tempfile.TemporaryDirectory() as tmp:
        folder, port = Path(tmp), free_port()
        write_notebook(folder)
        lab = start_lab(folder, port, write_kernelspec(folder))
        try: result = check(f"http://127.0.0.1:{port}/", args.chromium, ROOT / "_docs_screenshots")
        finally:
            lab.terminate()
            try: lab.wait(timeout=20)
            except subprocess.TimeoutExpired: lab.kill()
    if "failed" in result:
        print(result["failed"]); print("jupyter_ok=false")
        return 1
    ok = result["feature0_top"] == "'d'" and result["feature1_top"] == "'t'" and not result["console_errors"]
    print(f"widget rendered in {result['render_s']:.1f}s (top of feature 0: {result['feature0_top']!r}); feature 1 chosen: "
          f"view updated in {result['update_s']:.2f}s (top: {result['feature1_top']!r}); console errors: {result['console_errors']}")
    print(f"screenshot: {ROOT / '_docs_screenshots' / 'jupyter_explorer.png'}")
    print(f"jupyter_ok={str(ok).lower()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
