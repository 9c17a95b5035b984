"""The choices of a GLM's ``solver``: ``"auto"``'s rule, and the coefficients ``se_for`` names."""

import os
from numbers import Integral

import numpy as np

SOLVERS = ("newton", "cg", "auto")

# solver="auto": "cg" above this many parameters, or where the dense fit's
# k × k float64 arrays (_DENSE_COPIES of them at its peak, measured with
# tracemalloc for a sparse logistic fit with k = 1500: the
# information, its scaled copy and factor, the observed information, the
# empirical Fisher, the covariance and its symmetrised copy) would take more
# than AUTO_MEMORY_SHARE of the machine's memory.
AUTO_MAX_PARAMS = 5_000
AUTO_MEMORY_SHARE = 0.25
_DENSE_COPIES = 9


def choose_solver(solver, n_params):
    """Return ``"newton"`` or ``"cg"``: ``solver`` itself, or the choice of ``"auto"``."""
    if solver != "auto":
        return solver
    if n_params > AUTO_MAX_PARAMS:
        return "cg"
    memory = _physical_memory()
    dense_bytes = _DENSE_COPIES * 8 * n_params**2
    if memory is not None and dense_bytes > AUTO_MEMORY_SHARE * memory:
        return "cg"
    return "newton"


def _physical_memory():
    """The machine's memory in bytes, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def se_indices(se_for, names, n_features, fit_intercept):
    """Return the indices into ``params_`` of the coefficients ``se_for`` names (None: none).

    An integer is a column of X (the coefficient ``coef_[j]``); a string a
    name of ``param_names_`` (``"intercept"``, a DataFrame's column name, or
    ``"x<j>"``). Repeated entries count once, in their first place.
    """
    if se_for is None:
        return None
    items = [se_for] if isinstance(se_for, (str, Integral)) else list(se_for)
    # The positions of the names asked for only: a dict of every name would
    # hold k entries.
    wanted = {item for item in items if isinstance(item, str)}
    position = {str(name): j for j, name in enumerate(names) if str(name) in wanted}
    indices = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, (str, Integral)):
            raise ValueError(
                "se_for must hold column indices of X (integers) or parameter names "
                f"(strings); got {item!r} of type {type(item).__name__}."
            )
        if isinstance(item, str):
            if item not in position:
                shown = ", ".join(repr(str(name)) for name in names[:5])
                raise ValueError(
                    f"se_for names {item!r}, which is not a parameter of this model; the "
                    f"parameters are {shown}{', …' if len(names) > 5 else ''} "
                    "(param_names_). Pass a name of param_names_ or a column index of X."
                )
            indices.append(position[item])
        elif not 0 <= item < n_features:
            raise ValueError(
                f"se_for has the column index {item}; X has {n_features} columns, indices "
                f"0 to {n_features - 1}."
            )
        else:
            indices.append(int(item) + int(fit_intercept))
    if not indices:
        return None
    _, first = np.unique(indices, return_index=True)
    return np.asarray(indices, dtype=int)[np.sort(first)]
