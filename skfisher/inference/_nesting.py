"""Whether a restricted fit is nested in a full one: by its columns, not only their names.

Parameter names identify columns only when the fits were given named columns
(a DataFrame). Fits on arrays name their columns ``x0, x1, ...`` by position,
so ``X[:, [0]]`` and ``X[:, [3]]`` both call theirs ``x0``; the names then say
nothing about nesting. The model matrices do: the restricted model is nested
in the full one when every column of its ``[1, X]`` is a linear combination
of the full model's columns, on the same rows, response, weights and offset.

A fitted GLM keeps the problem it fitted (``_fitted_problem``, for its
profile-likelihood refits), hence its model matrix. Where a fit does not (a
fit on dask arrays, or one restored from a pickle) a per-column fingerprint
recorded at fit time (``column_fingerprint_``, one row per column of
``[1, X]``), if the estimator has one, shows whether each restricted column is
one of the full model's; without either, only the names are checked.
"""

import numpy as np

# Relative residual of a restricted column, after projection on the full
# model's columns, above which it is not in their span. The QR factor is
# accurate to about eps * cond(model matrix); a column of a different
# variable leaves a residual of order 1.
_SPAN_RTOL = 1e-6
_CHUNK_ROWS = 4096


def _fitted_design(estimator):
    problem = getattr(estimator, "_fitted_problem", None)
    design = getattr(problem, "design", None)
    if design is None or not all(hasattr(design, a) for a in ("X", "fit_intercept", "n_cols")):
        return None, None
    return problem, design


def _response(problem):
    for name in ("y", "y_index"):
        value = getattr(problem, name, None)
        if value is not None:
            return np.asarray(value)
    return None


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-12, atol=0.0, equal_nan=True)


def _check_same_rows(problem_r, problem_f):
    """Raise unless both problems have the same response, weights and offset."""
    what = {
        "response": (_response(problem_r), _response(problem_f)),
        "sample weights": (getattr(problem_r, "w", None), getattr(problem_f, "w", None)),
        "offset": (getattr(problem_r, "offset", None), getattr(problem_f, "offset", None)),
    }
    differ = [name for name, (a, b) in what.items() if not _same(a, b)]
    if differ:
        raise ValueError(
            f"restricted and full must be fitted on the same rows, but they differ in their "
            f"{' and '.join(differ)}. Fit both models on the same y, sample_weight and "
            "offset."
        )


def _joint_r(design_f, design_r):
    """The R factor of ``[[1, X_full], [1, X_restricted]]``, by QR a chunk of rows at a time."""
    k = design_f.n_cols + design_r.n_cols
    r = np.zeros((0, k))
    n_rows = design_f.X.shape[0]
    for start in range(0, n_rows, _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, n_rows)
        block = np.hstack([design_f.dense_rows(start, stop), design_r.dense_rows(start, stop)])
        r = np.linalg.qr(np.vstack([r, block]), mode="r")
    return r


def _column_names(estimator, design):
    """The names of the columns of ``[1, X]``: ``intercept`` and the feature names."""
    n_features = design.n_cols - int(design.fit_intercept)
    features = getattr(estimator, "feature_names_in_", None)
    if features is None or len(features) != n_features:
        features = [f"x{j}" for j in range(n_features)]
    return ["intercept"] * int(design.fit_intercept) + [str(f) for f in features]


def _single_equation(estimator, design):
    """Whether the parameters are the columns' coefficients (and perhaps one more, α)."""
    return len(estimator.param_names_) in (design.n_cols, design.n_cols + 1)


def _check_spans(restricted, full, design_r, design_f):
    """Raise unless the restricted columns lie in the span of the full ones.

    Returns the full model's column names that no restricted column repeats
    (the parameters the test sets to zero), or None when they cannot be told.
    """
    k_f = design_f.n_cols
    r = _joint_r(design_f, design_r)
    norms = np.linalg.norm(r, axis=0)
    norms[norms == 0] = 1.0
    residual = np.linalg.norm(r[k_f:, k_f:], axis=0) / norms[k_f:]
    outside = np.flatnonzero(residual > _SPAN_RTOL)
    if outside.size:
        shown = [_column_names(restricted, design_r)[j] for j in outside]
        raise ValueError(
            "restricted must be nested in full, but its columns "
            f"{shown} are not linear combinations of full's columns (relative residuals "
            f"{', '.join(f'{v:.2g}' for v in residual[outside])}): the models are fitted "
            "on different features, whatever their names (fits on arrays name columns "
            "x0, x1, ... by position). Fit the restricted model on a subset of the full "
            "model's columns."
        )
    if not (_single_equation(restricted, design_r) and _single_equation(full, design_f)):
        return None
    cosine = np.abs(r[:, :k_f].T @ r[:, k_f:]) / np.outer(norms[:k_f], norms[k_f:])
    repeated = np.any(cosine > 1 - 1e-10, axis=1)
    if k_f - repeated.sum() != design_f.n_cols - design_r.n_cols:
        return None
    names_f = [str(n) for n in full.param_names_[:k_f]]
    return [name for name, kept in zip(names_f, repeated, strict=True) if not kept]


def _check_fingerprints(restricted, full):
    """Raise unless every restricted column's fingerprint is one of the full model's."""
    mine = getattr(restricted, "column_fingerprint_", None)
    theirs = getattr(full, "column_fingerprint_", None)
    if mine is None or theirs is None:
        return
    mine, theirs = np.atleast_2d(mine), np.atleast_2d(theirs)
    close = np.isclose(mine[:, None, :], theirs[None, :, :], rtol=1e-9, atol=0.0)
    unmatched = np.flatnonzero(~np.any(np.all(close, axis=2), axis=1))
    if unmatched.size:
        raise ValueError(
            "restricted must be nested in full, but its columns "
            f"{unmatched.tolist()} (of [1, X]) are not columns of full's model matrix, "
            "judged by their recorded fingerprints. Fit the restricted model on a subset "
            "of the full model's columns."
        )


def check_nested_columns(restricted, full):
    """Raise unless ``restricted``'s model matrix is nested in ``full``'s.

    Returns the names of the full model's parameters that the restriction
    sets to zero when the model matrices show them, else None (then the names
    are compared, by the caller).
    """
    problem_r, design_r = _fitted_design(restricted)
    problem_f, design_f = _fitted_design(full)
    if design_r is None or design_f is None:
        _check_fingerprints(restricted, full)
        return None
    if design_r.X.shape[0] != design_f.X.shape[0]:
        raise ValueError(
            f"restricted and full must be fitted on the same rows; they have "
            f"{design_r.X.shape[0]} and {design_f.X.shape[0]} rows of positive weight."
        )
    _check_same_rows(problem_r, problem_f)
    extra = _check_spans(restricted, full, design_r, design_f)
    if extra is None:
        return None
    names_r = [str(n) for n in restricted.param_names_[design_r.n_cols :]]
    others = [str(n) for n in full.param_names_[design_f.n_cols :] if str(n) not in names_r]
    return extra + others
