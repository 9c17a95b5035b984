"""The documentation: it builds with warnings as errors, and every gallery example runs.

The build is the documented command, ``python -m sphinx -W -b html docs <out>``,
which runs every script of ``examples/`` through sphinx-gallery; a failing example
or a docstring that Sphinx cannot parse fails it. The quick tests check what the
README promises about the documentation.
"""

import importlib.util
import os
import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
BUILD_REQUIREMENTS = ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme", "matplotlib")


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
    assert "\\mathbb{E}" in guide  # the formulas are there, rendered by MathJax


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_gallery_example_ran_and_drew(built_html, example):
    page = built_html / "auto_examples" / f"{example.stem}.html"
    assert page.exists(), f"{example.name} has no gallery page"
    figure = built_html / "_images" / f"sphx_glr_{example.stem}_001.png"
    assert figure.exists() and figure.stat().st_size > 5_000, f"{example.name} drew no figure"


def _api_entries():
    sys.path.insert(0, str(DOCS))
    try:
        return import_module("conf").api_entries()
    finally:
        sys.path.remove(str(DOCS))


@pytest.mark.slow
def test_api_reference_lists_every_public_name(built_html):
    api = (built_html / "generated" / "api.html").read_text(encoding="utf-8")
    for module, names in _api_entries().items():
        for name in names:
            assert (built_html / "generated" / f"{module}.{name}.html").exists(), name
            assert f"{module}.{name}.html" in api, name


# Public modules that are not part of the Python API.
NOT_API = {"skfisher.cli"}


def test_every_public_module_is_in_the_api_reference():
    sys.path.insert(0, str(DOCS))
    try:
        documented = set(import_module("conf").PUBLIC_MODULES)
    finally:
        sys.path.remove(str(DOCS))
    package = ROOT / "skfisher"
    modules = {f"skfisher.{path.stem}" for path in package.glob("[!_]*.py")}
    modules |= {f"skfisher.{path.parent.name}" for path in package.glob("[!_]*/__init__.py")}
    missing = modules - documented - NOT_API - {"skfisher.linear_model"}  # re-exported
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
