"""Sphinx configuration of the skfisher documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` (warnings are
errors). The API reference is generated from the ``__all__`` of each public
module, so every public name is documented as soon as it exists; the gallery
runs every script in ``examples/``.
"""

import inspect
import io
import os
import re
import sys
from contextlib import redirect_stdout
from importlib import import_module
from pathlib import Path

import skfisher

DOCS = Path(__file__).resolve().parent
GENERATED = DOCS / "generated"

project = "skfisher"
author = "The skfisher developers"
copyright = "The skfisher developers, BSD-3-Clause"  # noqa: A001 (Sphinx's name)
release = skfisher.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax 3 copied into _static: the formulas render offline, with no CDN.
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

# sg_execution_times.rst: left by builds that wrote the gallery's timings (below).
exclude_patterns = ["_build", "generated/*.txt", "**sg_execution_times.rst"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["skfisher.css"]
html_js_files = ["skfisher.js"]
html_theme = "pydata_sphinx_theme"
html_title = f"skfisher {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_show_sourcelink = False
# The contents of a class page list "fit()", not "FisherLogisticRegression.fit()".
toc_object_entries_show_parents = "hide"
html_copy_source = False

# Each class page lists the members of documented_members() (see the class template).
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
default_role = "literal"

sphinx_gallery_conf = {
    "examples_dirs": str(DOCS.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "matplotlib_animations": False,
    "default_thumb_file": None,
    "within_subsection_order": "FileNameSortKey",
    # The timings page loads its table script from a CDN: not in an offline build.
    "write_computation_times": False,
}

# The sections of the API reference, in the order of the user guide, and the public
# modules each documents.
API_SECTIONS = {
    "Estimators": ("skfisher",),
    "Survival analysis": ("skfisher.survival",),
    "Distributions": ("skfisher.distributions",),
    "Families and links": ("skfisher.families", "skfisher.links"),
    "Inference": ("skfisher.inference",),
    "Marginal effects and plotting": ("skfisher.margins", "skfisher.plotting"),
    "Datasets": ("skfisher.datasets",),
    "Warnings": ("skfisher.exceptions",),
}
PUBLIC_MODULES = [module for modules in API_SECTIONS.values() for module in modules]

# Members that are public in Python but are the machinery a fit calls: they take the
# fit's internal objects (a weighted sample, statistics views, the loop's η and μ)
# rather than data a user holds. A class inherits the set of each of its bases.
INTERNAL_MEMBERS = {
    "skfisher.families.GLMFamily": {
        "check_y", "eta_derivatives", "in_mean_domain", "loglik", "loglik_concave",
        "mean_and_variance", "moment_start_mu", "observed_weight", "start_mu",
    },
    "skfisher.families.NegativeBinomial": {
        "alpha_information_obs", "alpha_information_series", "alpha_observed_obs",
        "alpha_score_obs", "eta_alpha_observed_obs",
    },
    "skfisher.distributions.DistributionFamily": {
        "canonical", "check_fit", "check_sample", "hessian", "loglik", "score",
        "score_matrix", "start", "statistics", "total_empirical_fisher", "total_loglik",
        "total_observed_information", "total_score",
    },
}  # fmt: skip


def _documented_elsewhere(module_name, name, seen):
    """Whether ``module_name.name`` is an object already listed under an earlier module."""
    obj = getattr(import_module(module_name), name)
    if id(obj) in seen:
        return True
    seen[id(obj)] = obj  # keep a reference so that the id stays unique
    return False


def _public_names(module_name):
    """The documented names of a module: its ``__all__`` without dunders.

    A module without ``__all__`` documents the public functions and classes it
    defines itself.
    """
    try:
        module = import_module(module_name)
    except ImportError:
        return None
    if hasattr(module, "__all__"):
        return [name for name in module.__all__ if not name.startswith("__")]
    return [
        name
        for name, obj in vars(module).items()
        if not name.startswith("_") and getattr(obj, "__module__", None) == module_name
    ]


def api_entries():
    """The names to document, by module; an object exported twice is listed once, first.

    (``skfisher.MLEDistribution`` is also ``skfisher.distributions.MLEDistribution``.)
    """
    seen, entries = {}, {}
    for module_name in PUBLIC_MODULES:
        names = _public_names(module_name) or []
        names = [n for n in names if not _documented_elsewhere(module_name, n, seen)]
        if names:
            entries[module_name] = names
    return entries


def _origin_module(member):
    """The module that defines a class member (a function, property or descriptor)."""
    target = getattr(member, "fget", None) or getattr(member, "__func__", None) or member
    return getattr(target, "__module__", None) or ""


def _default_instance(cls):
    """An estimator built with its defaults, to ask which methods it has; else None.

    A method behind scikit-learn's ``available_if`` exists on the class but raises
    ``AttributeError`` on an instance where it does not apply (the regressors'
    ``predict_proba_interval``, the classifier's ``predict_interval``).
    """
    from sklearn.base import BaseEstimator

    if not issubclass(cls, BaseEstimator):
        return None
    try:
        return cls()
    except Exception:  # a class without defaults: ask the class itself
        return None


def documented_members(cls):
    """The methods and properties the page of ``cls`` documents.

    Public members that skfisher defines (not scikit-learn's ``set_*_request`` and
    ``get_params``, not ``with_traceback`` of the warnings), that an instance has,
    and that are not in :data:`INTERNAL_MEMBERS`. (numpydoc links an ``Attributes``
    entry that is a property to the property's own entry, so every property is listed.)
    """
    internal = set().union(*(INTERNAL_MEMBERS.get(_public_name(k), ()) for k in cls.__mro__))
    instance = _default_instance(cls)
    methods, attributes = [], []
    for name in sorted(dir(cls)):
        member = inspect.getattr_static(cls, name)
        if name.startswith("_") or name in internal:
            continue
        if not _origin_module(member).startswith("skfisher"):
            continue
        if isinstance(member, property):
            attributes.append(name)
        elif callable(getattr(cls, name)) and (instance is None or hasattr(instance, name)):
            methods.append(name)
    return {"methods": methods, "attributes": attributes}


def _public_name(cls):
    """``module.Class`` under the public module that exports ``cls``, if any."""
    for module_name in api_entries():
        if getattr(import_module(module_name), cls.__name__, None) is cls:
            return f"{module_name}.{cls.__name__}"
    return None


def class_members():
    """:func:`documented_members` of every documented class, by full name."""
    members = {}
    for module_name, names in api_entries().items():
        for name in names:
            obj = getattr(import_module(module_name), name)
            if inspect.isclass(obj):
                members[f"{module_name}.{name}"] = documented_members(obj)
    return members


def _module_summary(module_name):
    """The first paragraph of a module's docstring."""
    doc = inspect.getdoc(import_module(module_name)) or ""
    return doc.split("\n\n")[0]


def write_api_reference():
    """Write ``generated/api.rst``: one autosummary table per public module.

    Each object gets a page of its own (``:toctree:``); the tables are grouped in
    the sections of :data:`API_SECTIONS`.
    """
    lines = [
        ".. Generated by docs/conf.py from the public modules' __all__; do not edit.",
        "",
        ".. _api:",
        "",
        "API reference",
        "=============",
        "",
        "Every public name of skfisher, one page each, from its docstring.",
        "",
    ]
    entries = api_entries()
    for heading, modules in API_SECTIONS.items():
        modules = [module for module in modules if module in entries]
        if not modules:
            continue
        lines += [heading, "-" * len(heading), ""]
        for module_name in modules:
            if len(modules) > 1:
                title = f"``{module_name}``"
                lines += [title, "~" * len(title), ""]
            lines += [f".. module:: {module_name}", "", _module_summary(module_name), ""]
            lines += [".. autosummary::", "   :toctree: .", "   :nosignatures:", ""]
            lines += [f"   {name}" for name in entries[module_name]]
            lines.append("")
    documented = {f"{module}.{name}" for module, names in entries.items() for name in names}
    _write_if_changed(GENERATED / "api.rst", "\n".join(lines))
    # Stubs of names no longer public would be orphan pages: remove them.
    for stub in GENERATED.glob("skfisher*.rst"):
        if stub.stem not in documented:
            stub.unlink()


def write_cli_examples():
    """Run the command line and keep its output for the command-line page."""
    from skfisher.cli import main

    commands = {
        "bare": [],
        "poisson": ["fit", "--dataset", "randhie", "--cov-type", "sandwich"],
        "csv": ["fit", "--format", "csv", "--features", "selfLR,income"],
        "dist": ["dist"],
    }
    for name, arguments in commands.items():
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            status = main(arguments)
        if status != 0:
            raise RuntimeError(f"skfisher {' '.join(arguments)} exited with status {status}")
        _write_if_changed(GENERATED / f"cli_{name}.txt", buffer.getvalue())


def _write_if_changed(path, text):
    # Rewriting an unchanged file would make Sphinx rebuild every page that uses it.
    path.parent.mkdir(exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


# A numpydoc type such as "ndarray of shape (n_features_in_,)" is plain text, where
# a word ending in "_" is a link target in reStructuredText; escape that underscore.
_PARAMETER_LINE = re.compile(r"^(\s*[\w*][\w*, ]* : )(.+)$")
_TRAILING_UNDERSCORE = re.compile(r"(?<![\w`\\])([A-Za-z]\w*)_(?![\w`])")


def escape_type_underscores(app, what, name, obj, options, lines):
    """Escape the trailing underscores of names in the type of each parameter line."""
    for i, line in enumerate(lines):
        match = _PARAMETER_LINE.match(line)
        if match:
            lines[i] = match.group(1) + _TRAILING_UNDERSCORE.sub(r"\1\\_", match.group(2))


def setup(app):
    # Run before numpydoc (priority 500) turns the sections into reStructuredText.
    app.connect("autodoc-process-docstring", escape_type_underscores, priority=400)


os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(DOCS))
write_api_reference()
write_cli_examples()
autosummary_context = {"documented_members": class_members()}
