"""Fitting a GLM on dask collections with the one Fisher-scoring loop.

Each row block of ``X`` (with its ``y``, ``sample_weight`` and ``offset``) is
validated and turned into an in-memory problem on the worker that holds it;
:class:`~skfisher._dask.BlockSumProblem` sums them. ``X`` is never gathered.
``X`` may be a dask array or a dask DataFrame (its column names become
``feature_names_in_``), the vectors dask arrays or Series; unknown chunk sizes
are computed once (:func:`~skfisher._dask.as_row_array`).
"""

from functools import partial

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from .._dask import BlockSumProblem, _dask, as_row_array, row_blocks
from .._driver import Model
from .._linalg import Design
from .._validation import check_weights
from ._glm_model import glm_dispersion, likely_separation
from ._problem import GLMProblem


def _block_problem(X, y, sample_weight, offset, family, link, fit_intercept, transform_y):
    """Validate one row block and return its penalty-free problem (runs on a worker)."""
    X = check_array(X, dtype=np.float64, accept_sparse=["csr", "csc"], input_name="X")
    y = np.asarray(transform_y(y) if transform_y is not None else y, dtype=np.float64)
    _check_finite(y, "Input y")
    family.check_y(y)
    if sample_weight is None:
        sample_weight = np.ones(X.shape[0])
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    _check_finite(sample_weight, "sample_weight")
    # Not check_weights: one block may hold only rows of weight 0.
    if np.any(sample_weight < 0):
        raise ValueError(
            f"sample_weight must be non-negative; got {int((sample_weight < 0).sum())} "
            f"negative value(s), the smallest being {float(sample_weight.min())!r}."
        )
    if offset is not None:
        offset = np.asarray(offset, dtype=np.float64)
        _check_finite(offset, "offset")
    return GLMProblem(Design(X, fit_intercept), y, sample_weight, family, link, offset=offset)


def _check_finite(values, what):
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(
            f"{what} contains NaN or infinity: {int(bad.sum())} value(s) in a block of "
            f"{values.shape[0]} rows, the first being {values[bad][0].item()!r}. Remove or "
            "impute them before fitting."
        )


def _block_totals(problem):
    """Return ``(Σw, Σ w μ₀, Σ w offset, n_rows, rows of positive weight)`` of one block."""
    w = problem.w
    mu0 = problem.family.start_mu(problem.y, w)
    offset = 0.0 if problem.offset is None else float(w @ problem.offset)
    return float(w.sum()), float(w @ mu0), offset, problem.design.n_rows, np.count_nonzero(w)


def fit_blocks(estimator, X, y, sample_weight, offset, family, link, transform_y=None):
    """Build the summed problem of a dask fit and its starting values.

    Returns
    -------
    problem : BlockSumProblem
    theta0 : ndarray of shape (k,)
    nobs : float
        Σ sample_weight.
    """
    dask = _dask("fitting a dask array")
    _check_features(estimator, X)
    vectors = {"y": y, "sample_weight": sample_weight, "offset": offset}
    labels = ("y",) if transform_y is not None else ()
    blocks, per_vector = row_blocks(X, vectors, labels=labels)
    w_blocks, offset_blocks = per_vector["sample_weight"], per_vector["offset"]
    build = dask.delayed(_block_problem)
    problems = [
        build(
            xb,
            per_vector["y"][i],
            None if w_blocks is None else w_blocks[i],
            None if offset_blocks is None else offset_blocks[i],
            family,
            link,
            estimator.fit_intercept,
            transform_y,
        )
        for i, xb in enumerate(blocks)
    ]
    problems = list(dask.persist(*problems))
    totals = np.array(dask.compute(*[dask.delayed(_block_totals)(p) for p in problems]))
    nobs, weighted_mu0, weighted_offset, n_rows, positive = totals.sum(axis=0)
    if not nobs > 0:
        check_weights(np.zeros(1))
    k = estimator.n_features_in_ + estimator.fit_intercept
    penalty = np.full(k, estimator.alpha * nobs)
    theta0 = np.zeros(k)
    if estimator.fit_intercept:
        penalty[0] = 0.0
        theta0[0] = float(link.link(weighted_mu0 / nobs)) - weighted_offset / nobs
    previous = getattr(estimator, "params_", None)
    if estimator.warm_start and previous is not None and previous.shape == (k,):
        theta0 = previous.copy()
    problem = BlockSumProblem(
        problems,
        penalty,
        n_rows=int(n_rows),
        # As GLMProblem: the stop measured for weights that average at least 1.
        weight_scale=max(1.0, positive / nobs),
        has_dispersion=family.has_dispersion,
    )
    return problem, theta0, float(nobs)


def _check_features(estimator, X):
    """Set ``n_features_in_`` and, for a DataFrame, ``feature_names_in_``.

    scikit-learn's own check reads them from the empty pandas frame that
    describes a dask DataFrame (``_meta``), without computing anything; it
    removes the names of an earlier fit when ``X`` has none.
    """
    if X.ndim != 2:
        return  # row_blocks names the problem
    described = X._meta if hasattr(X, "to_dask_array") else X
    validate_data(estimator, described, skip_check_array=True)


def predict_blocks(X, theta, fit_intercept, offset=None):
    """Return the linear predictor of a dask ``X`` as a dask array, block by block.

    ``X`` may be a dask DataFrame and have unknown chunk sizes; they are
    computed only to align an ``offset`` with the rows.
    """
    X = as_row_array(X, "X", known_rows=offset is not None).rechunk({1: -1})

    def linear_predictor(block):
        return Design(np.asarray(block, dtype=np.float64), fit_intercept).matvec(theta)

    eta = X.map_blocks(linear_predictor, drop_axis=1, dtype=np.float64)
    if offset is None:
        return eta
    offset = as_row_array(offset, "offset")
    if offset.shape != (X.shape[0],):
        raise ValueError(
            f"offset has shape {offset.shape}; expected ({X.shape[0]},) to match the rows of X."
        )
    return eta + offset.rechunk((X.chunks[0],))


def check_dask_options(estimator, groups, *, estimate_alpha=False):
    """Refuse, by name and with the remedy, what a fit on dask arrays does not offer."""
    unsupported = {
        "an estimated negative-binomial alpha (fix it: NegativeBinomial(alpha=...))": (
            estimate_alpha
        ),
        "cov_type='cluster' (use cov_type='sandwich')": (
            groups is not None or estimator.cov_type == "cluster"
        ),
        f"bias_reduction={estimator.bias_reduction!r} (it needs the hat diagonal of all "
        "rows; set bias_reduction=None)": estimator.bias_reduction is not None,
    }
    named = [what for what, used in unsupported.items() if used]
    if named:
        raise ValueError(
            f"Fits on dask arrays do not support {'; '.join(named)}. Change these "
            "options, or compute the dask arrays (X.compute()) to fit in memory."
        )


def dask_model(estimator, X, y, sample_weight, offset, family, link, transform_y=None):
    """Return the :class:`~skfisher._driver.Model` of a fit on dask arrays.

    The same loop over a sum of per-block problems: each iteration costs one
    ``dask.compute`` that returns only the log-likelihood, score and
    information of every block. A dispersion family's loop runs at φ₀,
    Pearson's statistic at the start. The callers first refuse the options
    it does not offer (:func:`check_dask_options`).
    """
    problem, theta0, nobs = fit_blocks(
        estimator, X, y, sample_weight, offset, family, link, transform_y
    )
    if family.has_dispersion:
        pearson, total = problem.pearson_chi2(theta0)
        df = total - len(theta0)
        phi0 = pearson / df if df > 0 else np.nan
        problem.loop_phi = phi0 if np.isfinite(phi0) and phi0 > 0 else 1.0
    bounded = family.mean_is_probability and estimator.alpha == 0
    return Model(
        problem,
        estimator._param_names(),
        nobs,
        [(theta0, 0)],
        diagnose=partial(likely_separation, estimator, bounded),
        dispersion=partial(glm_dispersion, family, link),
        # Holding the problem would pin the persisted blocks in the
        # workers' memory for the estimator's lifetime.
        publish={"keep_problem": False},
    )
