"""Docs check (not a test): build the site (Quarto where installed, else the offline preview) and open every page in
headless Chromium.

For each page of the sidebar: it loads over HTTP from a local server, has its title, every image has loaded (no
broken figures), library pages carry `show_doc` entries, math is typeset, and the browser console shows no error and
no failed request (the pages must work offline). Saves screenshots of the index, curvature, analysis, TMS and
transformer pages (top, and the first highlighted tokens or figure) to `_docs_screenshots/`.

Browser: Playwright (PyPI `playwright`) driving Debian's Chromium (`apt-get install chromium`; Playwright's own browser
download needs network). Usage: python tools/check_docs.py [--no-build] [--no-exec] [--chromium /usr/bin/chromium]
"""
import argparse, functools, http.server, re, subprocess, sys, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ("index", "curvature", "analysis", "tms", "transformer")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def serve(folder):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def library_pages():
    "Output pages of notebooks that export a module: these must show `show_doc` entries."
    import nbformat
    pages = set()
    for nb in (ROOT / "nbs").glob("*.ipynb"):
        src = "\n".join(c.source for c in nbformat.read(nb, 4).cells if c.cell_type == "code")
        m = re.search(r"^#\|\s*default_exp\s+(\w+)", src, re.M)
        if m and re.search(r"^#\|\s*export\b", src, re.M): pages.add(re.sub(r"^\d+_", "", nb.stem) + ".html")
    return pages


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-exec", action="store_true", help="build without executing notebooks")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if not args.no_build:
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py"), "--preview"] + (["--no-exec"] if args.no_exec else []),
                       check=True)
    build_s = time.perf_counter() - t0
    site = ROOT / "_docs_preview"
    pages = sorted(p.name for p in site.glob("*.html"))
    if not pages: sys.exit(f"no pages in {site}")
    libs = library_pages()
    shots = ROOT / "_docs_screenshots"
    shots.mkdir(exist_ok=True)
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try: from playwright.sync_api import sync_playwright
    except ImportError: raise SystemExit('the docs check needs Playwright: pip install -e ".[docs]", and Chromium: apt-get install chromium')
    failures, passed = [], 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=FLAGS)
        for name in pages:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors = []
            page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
            page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
            response = page.goto(base + name, wait_until="networkidle")
            page.wait_for_timeout(300)
            problems = list(errors)
            if response is None or not response.ok: problems.append(f"page did not load ({response and response.status})")
            h1 = page.locator("header.page h1").inner_text() if page.locator("header.page h1").count() else ""
            if not h1 or h1 not in page.title(): problems.append(f"title missing (h1 {h1!r}, <title> {page.title()!r})")
            broken = page.eval_on_selector_all("img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))")
            if broken: problems.append(f"broken images: {broken}")
            n_img = page.locator("img").count()
            n_doc = page.locator("h3 + div.highlight").count()  # show_doc: a heading, then the signature
            if name in libs and n_doc == 0: problems.append("no show_doc entries")
            n_math = page.locator(".MathJax, .MathJax_Display, .MathJax_Preview").count()
            stem = Path(name).stem
            if stem in SHOTS:
                page.screenshot(path=str(shots / f"{stem}.png"), full_page=False)
                # and the page's first result further down: a highlighted-token block, else a figure
                for selector, suffix in (("h4:has-text('Feature 2 (density')", "tokens"),  # the saved report's feature 2
                                         ("div[style*='monospace']", "tokens"), (".output_area img", "figure")):
                    if page.locator(selector).count():
                        page.locator(selector).first.scroll_into_view_if_needed()
                        page.screenshot(path=str(shots / f"{stem}_{suffix}.png"))
                        break
            status = "ok" if not problems else "FAIL"
            print(f"{status:4s} {name:22s} title={h1!r} images={n_img} show_doc={n_doc} math={n_math}"
                  + "".join(f"\n     {p}" for p in problems))
            if problems: failures.append(name)
            else: passed += 1
            page.close()
        browser.close()
    server.shutdown()
    print(f"screenshots in {shots}: {', '.join(sorted(p.name for p in shots.glob('*.png')))}")
    print(f"build {build_s:.0f}s, check {time.perf_counter() - t0 - build_s:.0f}s")
    print(f"{passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
