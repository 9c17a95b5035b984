"""Look at the built documentation in a real browser: screenshots and a layout check.

Usage, after building the HTML (``python -m sphinx -W -b html docs docs/_build/html``)::

    python docs/screenshot.py docs/_build/html --out /tmp/shots

It needs Debian's Chromium (``apt-get install chromium``). For each page of
:data:`PAGES` it writes ``<out>/<page>.png`` at 1280 × 900 (``--width``,
``--height``), then loads the page again with a small script that reports, once
MathJax and the theme have run, every title, signature, navigation entry and
previous/next link whose text reaches past the box that holds it (the theme
clips such text), and how many formulas MathJax typeset. It prints one line per
page and exits with status 1 when any text is clipped.
``tests/test_docs.py`` runs the same check on the documentation it builds.
"""

import argparse
import html as html_module
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# The pages to look at: the longest API titles and a page of formulas.
PAGES = (
    "user_guide/information.html",
    "generated/api.html",
    "generated/skfisher.FisherLogisticRegression.html",
    "generated/skfisher.distributions.DistributionFamily.html",
    "generated/skfisher.exceptions.PerfectSeparationWarning.html",
)

# Each selector is checked against the nearest ancestor matching its container:
# an element whose right edge passes the container's is cut off by the theme.
CHECKS = {
    ".bd-article h1": ".bd-article",
    ".bd-article dt.sig": ".bd-article",
    ".bd-sidenav a": ".bd-sidebar-primary",
    ".bd-toc nav a": ".bd-sidebar-secondary",
    ".prev-next-area .prev-next-title": ".prev-next-area a",
}

# Runs in the page after its scripts; writes the findings into a <pre> that
# ``--dump-dom`` prints. MathJax typesets into <mjx-container> elements.
_PROBE = """
<script>
window.addEventListener("load", () => setTimeout(() => {
  const checks = %s, clipped = [];
  for (const [selector, container] of Object.entries(checks)) {
    for (const element of document.querySelectorAll(selector)) {
      const box = element.closest(container);
      if (!box || element.offsetParent === null) continue;
      const right = element.getBoundingClientRect().right;
      const limit = Math.min(box.getBoundingClientRect().right, window.innerWidth);
      if (right > limit + 1 || element.scrollWidth > element.clientWidth + 1) {
        clipped.push(selector + ": " + element.textContent.trim());
      }
    }
  }
  const report = document.createElement("pre");
  report.id = "layout-report";
  report.textContent = JSON.stringify({
    clipped: clipped,
    formulas: document.querySelectorAll("mjx-container").length,
    raw_formulas: document.querySelectorAll("span.math, div.math").length,
  });
  document.body.appendChild(report);
}, 1500));
</script>
"""


def find_chromium():
    """The path of Chromium, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run_chromium(chromium, width, height, *arguments):
    # --no-sandbox: the browser runs as root in a container; --virtual-time-budget
    # lets the page's scripts (MathJax) finish before the capture, without waiting.
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += [f"--window-size={width},{height}", "--virtual-time-budget=10000", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def screenshot(chromium, page, png, width=1280, height=900):
    """Write a PNG of ``page`` (a path to an HTML file) as the browser shows it."""
    _run_chromium(chromium, width, height, f"--screenshot={png}", Path(page).as_uri())
    return Path(png)


def check_layout(chromium, page, width=1280, height=900):
    """What the browser reports about ``page``: clipped text and typeset formulas.

    Returns a dict with ``clipped`` (the texts cut off, by selector of
    :data:`CHECKS`), ``formulas`` (MathJax's typeset formulas) and
    ``raw_formulas`` (the formulas of the page, typeset or not).
    """
    page = Path(page)
    html = page.read_text(encoding="utf-8")
    probe = _PROBE % json.dumps(CHECKS)
    # The copy sits beside the page, so that its relative links still resolve.
    with tempfile.NamedTemporaryFile(
        "w", suffix=".html", dir=page.parent, encoding="utf-8", delete=False
    ) as copy:
        copy.write(html.replace("</body>", probe + "</body>"))
    try:
        dom = _run_chromium(chromium, width, height, "--dump-dom", Path(copy.name).as_uri())
    finally:
        Path(copy.name).unlink()
    found = re.search(r'<pre id="layout-report">(.*?)</pre>', dom.stdout, re.DOTALL)
    if found is None:
        raise RuntimeError(f"the layout probe did not run on {page}: {dom.stderr[-2000:]}")
    return json.loads(html_module.unescape(found.group(1)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("html", type=Path, help="the built HTML, e.g. docs/_build/html")
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="PNG folder")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        parser.error("chromium is not installed: apt-get install chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    failed = False
    for name in PAGES:
        page = args.html / name
        png = args.out / (name.replace("/", "_").removesuffix(".html") + ".png")
        screenshot(chromium, page, png, args.width, args.height)
        report = check_layout(chromium, page, args.width, args.height)
        failed |= bool(report["clipped"])
        print(f"{png}: {report['formulas']} formulas, clipped: {report['clipped'] or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
