"""Lazy imports of optional dependencies, with a message that says how to get them."""

import importlib


def _import_optional(module, caller, extra):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires {module}, which is not installed. "
            f"Install it with: pip install 'skfisher[{extra}]'"
        ) from exc


def check_pandas_support(caller):
    """Return the pandas module, or raise an ImportError naming ``caller``."""
    return _import_optional("pandas", caller, "pandas")


def check_matplotlib_support(caller):
    """Return ``matplotlib.pyplot``, or raise an ImportError naming ``caller``."""
    _import_optional("matplotlib", caller, "plot")
    return importlib.import_module("matplotlib.pyplot")


def check_statsmodels_support(caller):
    """Return ``statsmodels.api``, or raise an ImportError naming ``caller``."""
    try:
        return importlib.import_module("statsmodels.api")
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires statsmodels, which is not installed. "
            "Install it with: pip install statsmodels"
        ) from exc
