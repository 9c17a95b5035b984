"""Fitting a GLM on dask arrays with the one Fisher-scoring loop.

Each row block of ``X`` (with its ``y``, ``sample_weight`` and ``offset``) is
validated and turned into an in-memory problem on the worker that holds it;
:class:`~skfisher._dask.BlockSumProblem` sums them. ``X`` is never gathered.
"""

import numpy as np
from sklearn.utils.validation import check_array

from .._dask import BlockSumProblem, _dask, row_blocks
from .._linalg import Design
from .._validation import check_weights
from ._problem import GLMProblem


def _block_problem(X, y, sample_weight, offset, family, link, fit_intercept, transform_y):
    """Validate one row block and return its penalty-free problem (runs on a worker)."""
    X = check_array(X, dtype=np.float64, accept_sparse=["csr", "csc"])
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
    """Return ``(Σw, Σ w μ₀, Σ w offset, n_rows)`` of one block."""
    w = problem.w
    mu0 = problem.family.start_mu(problem.y, w)
    offset = 0.0 if problem.offset is None else float(w @ problem.offset)
    return float(w.sum()), float(w @ mu0), offset, problem.design.n_rows


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
    blocks, (y_blocks, w_blocks, offset_blocks) = row_blocks(X, y, sample_weight, offset)
    build = dask.delayed(_block_problem)
    problems = [
        build(
            xb,
            y_blocks[i],
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
    nobs, weighted_mu0, weighted_offset, n_rows = totals.sum(axis=0)
    if not nobs > 0:
        check_weights(np.zeros(1))
    estimator.n_features_in_ = X.shape[1]
    k = X.shape[1] + estimator.fit_intercept
    penalty = np.full(k, estimator.alpha * nobs)
    theta0 = np.zeros(k)
    if estimator.fit_intercept:
        penalty[0] = 0.0
        theta0[0] = float(link.link(weighted_mu0 / nobs)) - weighted_offset / nobs
    previous = getattr(estimator, "params_", None)
    if estimator.warm_start and previous is not None and previous.shape == (k,):
        theta0 = previous.copy()
    return BlockSumProblem(problems, penalty, n_rows=int(n_rows)), theta0, float(nobs)


def predict_blocks(X, theta, fit_intercept, offset=None):
    """Return the linear predictor of a dask ``X`` as a dask array, block by block."""
    da = _dask("predicting on a dask array").array
    X = X.rechunk({1: -1})

    def linear_predictor(block):
        return Design(np.asarray(block, dtype=np.float64), fit_intercept).matvec(theta)

    eta = X.map_blocks(linear_predictor, drop_axis=1, dtype=np.float64)
    if offset is not None:
        eta = eta + da.asarray(offset).rechunk((X.chunks[0],))
    return eta
