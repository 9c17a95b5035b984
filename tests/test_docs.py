"""The documentation: it builds with warnings as errors, and every gallery example runs.

The build is the documented command, ``python -m sphinx -W -b html docs <out>``,
which runs every script of ``examples/`` through sphinx-gallery; a failing example
or a docstring that Sphinx cannot parse fails it. The slow tests then read the
built pages: nothing loaded from the network (the formulas render offline), one
API page per object documenting only members that exist, and, where Chromium is
installed, no text clipped at 1280 px (``docs/screenshot.py``). The quick tests
check what the README promises about the documentation.
"""

import importlib.util
import inspect
import os
import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from sklearn.base import BaseEstimator

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
BUILD_REQUIREMENTS = (
    "sphinx",
    "numpydoc",
    "sphinx_gallery",
    "pydata_sphinx_theme",
    "matplotlib",
    "sphinx-mathjax-offline",
)


def _missing_build_requirements():
    return [name for name in BUILD_REQUIREMENTS if importlib.util.find_spec(name) is None]


@pytest.fixture(scope="module")
def built_html(tmp_path_factory):
    missing = _missing_build_requirements()
    if missing:
        pytest.skip(
            f"building the documentation needs {', '.join(missing)} "
            "(pip install '.[docs]', also part of '.[test]')"
        )
    out = tmp_path_factory.mktemp("docs")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html"]
    command += ["-d", str(out / "doctrees"), str(DOCS), str(out / "html")]
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, env=env
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-8000:]
    return out / "html"


@pytest.mark.slow
def test_docs_build_without_warnings(built_html):
    assert (built_html / "index.html").exists()
    guide = (built_html / "user_guide" / "information.html").read_text(encoding="utf-8")
    for topic in ("Cramér–Rao", "sandwich", "empirical Fisher", "observed information"):
        assert topic in guide
    assert "\\mathbb{E}" in guide  # the formulas are there, for MathJax to render


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_gallery_example_ran_and_drew(built_html, example):
    page = built_html / "auto_examples" / f"{example.stem}.html"
    assert page.exists(), f"{example.name} has no gallery page"
    figure = built_html / "_images" / f"sphx_glr_{example.stem}_001.png"
    assert figure.exists() and figure.stat().st_size > 5_000, f"{example.name} drew no figure"


def _conf():
    """docs/conf.py as a module (importing it writes the generated API stubs)."""
    sys.path.insert(0, str(DOCS))
    try:
        return import_module("conf")
    finally:
        sys.path.remove(str(DOCS))


def _api_entries():
    return _conf().api_entries()


@pytest.mark.slow
def test_api_reference_lists_every_public_name(built_html):
    api = (built_html / "generated" / "api.html").read_text(encoding="utf-8")
    for module, names in _api_entries().items():
        for name in names:
            assert (built_html / "generated" / f"{module}.{name}.html").exists(), name
            assert f"{module}.{name}.html" in api, name


# <script src="https://..."> or "//host/...": a page that needs the network.
_EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"'](?:https?:)?//", re.IGNORECASE)
_EXTERNAL_STYLESHEET = re.compile(
    r"<link\b(?=[^>]*\brel=[\"']stylesheet)[^>]*\bhref=[\"'](?:https?:)?//", re.IGNORECASE
)


@pytest.mark.slow
def test_no_page_loads_a_script_or_stylesheet_from_the_network(built_html):
    pages = sorted(built_html.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not _EXTERNAL_SCRIPT.search(html), f"{page.name} loads a script from the network"
        assert not _EXTERNAL_STYLESHEET.search(html), f"{page.name} loads a stylesheet"
    # The formulas are typeset by the MathJax copied into the build.
    guide = (built_html / "user_guide" / "information.html").read_text(encoding="utf-8")
    mathjax = re.search(r'<script[^>]*src="\.\./(_static/mathjax/[^"?]+)', guide)
    assert mathjax, "the page of formulas loads no MathJax"
    assert (built_html / mathjax.group(1)).stat().st_size > 100_000


def _documented_objects(built_html):
    """(page, kind, id) of every object description in the generated API pages."""
    pattern = re.compile(r'<dl class="py (\w+)">\s*<dt class="sig sig-object py" id="([^"]+)"')
    return [
        (page.name, kind, target)
        for page in sorted((built_html / "generated").glob("skfisher*.html"))
        for kind, target in pattern.findall(page.read_text(encoding="utf-8"))
    ]


def _resolve(dotted):
    """The object at a dotted path: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(dotted)


def _as_used(cls):
    """What a user calls methods on: an estimator built with its defaults, else the class.

    A method behind scikit-learn's ``available_if`` is an attribute of the class
    even where an instance raises ``AttributeError`` for it.
    """
    return cls() if issubclass(cls, BaseEstimator) else cls


@pytest.mark.slow
def test_every_documented_method_exists_on_its_class(built_html):
    members = [(page, kind, target) for page, kind, target in _documented_objects(built_html)]
    members = [m for m in members if m[1] in ("method", "property")]
    assert len(members) > 30
    for page, kind, target in members:
        owner, name = target.rsplit(".", 1)
        cls = _resolve(owner)
        assert inspect.isclass(cls), target
        assert hasattr(_as_used(cls), name) or kind == "property", f"{page}: {target}"
        if kind == "property":
            assert isinstance(inspect.getattr_static(cls, name), property), target


# Public by name only: the machinery a fit calls, and what Python's exceptions and
# scikit-learn's bases add to every class.
NOT_DOCUMENTED = {
    "eta_derivatives", "observed_weight", "total_empirical_fisher", "total_score",
    "add_note", "with_traceback", "get_params", "set_params", "set_fit_request",
    "get_metadata_routing", "__init__",
}  # fmt: skip


@pytest.mark.slow
def test_api_pages_document_each_object_once_and_no_internals(built_html):
    api = (built_html / "generated" / "api.html").read_text(encoding="utf-8")
    assert len(api) < 200_000, "the API index inlines the objects' documentation"
    assert '<dl class="py class">' not in api
    sections = re.findall(r"<h2>(.+?)<a class=\"headerlink\"", api)
    assert sections == list(_conf().API_SECTIONS)
    objects = _documented_objects(built_html)
    targets = [target for _, _, target in objects]
    assert len(targets) == len(set(targets)), "an object is documented twice"
    classes = {target.rsplit(".", 1)[-1] for _, kind, target in objects if kind == "class"}
    assert "MLEDistribution" in classes
    assert sum(t.endswith(".MLEDistribution") for t in targets) == 1
    documented = {target.rsplit(".", 1)[-1] for target in targets}
    assert not documented & NOT_DOCUMENTED


def test_class_pages_leave_out_unavailable_and_internal_members():
    members = _conf().class_members()
    logistic = members["skfisher.FisherLogisticRegression"]["methods"]
    assert "predict_proba_interval" in logistic and "predict_interval" not in logistic
    for name in ("FisherGLMRegressor", "FisherPoissonRegressor", "FisherGammaRegressor"):
        methods = members[f"skfisher.{name}"]["methods"]
        assert "predict_interval" in methods and "predict_proba_interval" not in methods
    assert "variance" in members["skfisher.families.GLMFamily"]["methods"]
    assert "logpdf" in members["skfisher.distributions.Normal"]["methods"]
    assert "aic_" in members["skfisher.MLEDistribution"]["attributes"]
    for cls, listed in members.items():
        names = set(listed["methods"]) | set(listed["attributes"])
        assert not names & NOT_DOCUMENTED, cls
        assert not any(name.startswith("_") for name in names), cls
        assert not any(name.startswith("alpha_") for name in names), cls
    assert members["skfisher.exceptions.PerfectSeparationWarning"] == {
        "methods": [],
        "attributes": [],
    }


def _screenshot_module():
    spec = importlib.util.spec_from_file_location("screenshot", DOCS / "screenshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_pages_fit_at_1280_px_and_typeset_their_formulas(built_html, tmp_path):
    screenshot = _screenshot_module()
    chromium = screenshot.find_chromium()
    if chromium is None:
        pytest.skip("the browser check needs Chromium (apt-get install chromium)")
    pages = (
        "generated/skfisher.FisherLogisticRegression.html",
        "generated/skfisher.exceptions.PerfectSeparationWarning.html",
        "user_guide/information.html",
    )
    for name in pages:
        report = screenshot.check_layout(chromium, built_html / name)
        assert report["clipped"] == [], f"{name}: text cut off at 1280 px"
    assert report["raw_formulas"] > 20
    assert report["formulas"] == report["raw_formulas"], "MathJax did not typeset offline"
    png = screenshot.screenshot(chromium, built_html / pages[0], tmp_path / "class.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


# Public modules that are not part of the Python API.
NOT_API = {"skfisher.cli"}


def test_every_public_module_is_in_the_api_reference():
    documented = set(_conf().PUBLIC_MODULES)
    package = ROOT / "skfisher"
    modules = {f"skfisher.{path.stem}" for path in package.glob("[!_]*.py")}
    modules |= {f"skfisher.{path.parent.name}" for path in package.glob("[!_]*/__init__.py")}
    # The estimators' packages, re-exported by skfisher.
    reexported = {"skfisher.linear_model", "skfisher.ordinal", "skfisher.counts"}
    missing = modules - documented - NOT_API - reexported
    assert not missing, f"add {sorted(missing)} to PUBLIC_MODULES in docs/conf.py"


def test_every_example_is_a_gallery_script():
    assert len(EXAMPLES) >= 6
    for example in EXAMPLES:
        source = example.read_text(encoding="utf-8")
        title = re.match(r'"""\n(.+)\n(=+)\n', source)
        assert title and len(title.group(2)) >= len(title.group(1)), example.name
        assert "plt.show()" in source, f"{example.name} must end with a figure"


def test_readme_links_the_docs_and_shows_a_gallery_picture():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python -m sphinx -W -b html docs docs/_build/html" in readme
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme)
    assert pictures, "the README shows no picture"
    for picture in pictures:
        path = ROOT / picture
        assert path.exists(), picture
        assert path.stat().st_size <= 100_000, f"{picture} is over 100 KB"
