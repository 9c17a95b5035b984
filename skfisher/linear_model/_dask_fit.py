"""Fitting a GLM on dask collections with the one Fisher-scoring loop.

Each row block of ``X`` (with its ``y``, ``sample_weight`` and ``offset``) is
validated and turned into an in-memory problem on a worker;
:class:`~skfisher._dask.BlockSumProblem` sums them. ``X`` is never gathered.
``X`` may be a dask array or a dask DataFrame (its column names become
``feature_names_in_``), the vectors dask arrays or Series; unknown chunk sizes
are computed once (:func:`~skfisher._dask.as_row_array`).

Where the blocks' problems live is decided by :func:`persist_if_fits`. They
are persisted (built once and kept in the workers' memory) when they take
at most half of the memory free where dask computes: the workers' memory
limits less what their processes hold, on a ``distributed`` client; this
machine's available memory on the local schedulers. Otherwise nothing is
persisted: every pass builds each block's problem from the source of the
data (reading its parquet partition again, say), evaluates it and lets it
go, so that a worker holds a few blocks at a time and data larger than the
cluster's memory are fitted out of core, at the cost of reading them once
per pass. ``dask.config.set({"skfisher.persist": False})`` (or ``True``)
makes the choice instead of the default ``"auto"``.

Persisted, the blocks are read once (after a pass that counts their rows
where these are unknown, as a DataFrame's). Streamed, they are read once
for their totals, once per evaluation of the objective (one per iteration
whose first step is accepted) and once for the quantities reported at θ̂,
and a worker holds about two blocks per thread at a time (a block being a
partition as float64 and a few vectors of its length): partitions of some
tens of MB and a memory limit some hundreds of MB above the worker's own
footprint keep the fit below ``distributed``'s thresholds.
"""

from functools import partial

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from .._dask import (
    BlockSumProblem,
    _dask,
    as_row_array,
    compute,
    distributed_client,
    row_blocks,
)
from .._driver import Model, check_verbose, visible_log
from .._linalg import Design
from .._scoring import LOGGER
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
    """Return ``(Σw, Σ w μ₀, Σ w offset, rows of positive weight)`` of one block."""
    w = problem.w
    mu0 = problem.family.start_mu(problem.y, w)
    offset = 0.0 if problem.offset is None else float(w @ problem.offset)
    return float(w.sum()), float(w @ mu0), offset, np.count_nonzero(w)


# The per-row float64 values a persisted block problem holds besides its row
# of X: y, the weights, the offset and the cached η, μ and V(μ) of the last θ.
_ROW_VECTORS = 6
# The share of the free memory the persisted problems may take: the rest is
# for each pass's temporaries, below distributed's spilling (at 60 % and 70 %).
_PERSIST_SHARE = 0.5


def free_memory():
    """Return the bytes free where ``dask.compute`` runs, or None when that is unknown.

    On a ``distributed`` client, the sum over the workers of their memory
    limit less what their process holds (None if a worker has no limit); on
    the local schedulers, this machine's available memory (psutil's).
    """
    client = distributed_client()
    if client is None:
        try:
            import psutil
        except ImportError:
            return None
        return float(psutil.virtual_memory().available)
    workers = client.scheduler_info(n_workers=-1)["workers"].values()
    held = [(info.get("memory_limit") or 0, info["metrics"]["memory"]) for info in workers]
    if not held or not all(limit > 0 for limit, _ in held):
        return None
    return float(sum(max(limit - used, 0) for limit, used in held))


def persist_if_fits(problems, n_rows, n_features, verbose=0):
    """Persist the blocks' problems where they fit in memory (see the module's notes).

    Parameters
    ----------
    problems : list of dask.delayed.Delayed
        The blocks' problems, built from the source of the data.
    n_rows, n_features : int
        The shape of ``X``, for the memory the persisted problems would take.
    verbose : int, default=0
        At 1 or more, log the choice and the sizes it compared.

    Returns
    -------
    problems : list of dask.delayed.Delayed
        Persisted, or as given (each pass then builds them anew).
    """
    dask = _dask("fitting a dask array")
    setting = dask.config.get("skfisher.persist", "auto")
    needed = 8.0 * n_rows * (n_features + _ROW_VECTORS)
    if isinstance(setting, bool):
        persist, compared = setting, f"skfisher.persist={setting}"
    elif isinstance(setting, str) and setting == "auto":
        free = free_memory()
        persist = free is None or needed <= _PERSIST_SHARE * free
        compared = "free memory unknown" if free is None else f"{free / 2**20:.0f} MiB free"
    else:
        raise ValueError(
            "The dask configuration 'skfisher.persist' must be 'auto', True or False; got "
            f"{setting!r}. Set it with dask.config.set({{'skfisher.persist': 'auto'}})."
        )
    with visible_log(verbose) as logged:
        if logged:
            LOGGER.info(
                "dask fit of %d rows in %d blocks: their problems (about %.0f MiB; %s) are %s",
                n_rows,
                len(problems),
                needed / 2**20,
                compared,
                "persisted" if persist else "built from the source at each pass",
            )
    return list(dask.persist(*problems)) if persist else problems


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
    verbose = check_verbose(getattr(estimator, "verbose", 0))
    _check_features(estimator, X)
    vectors = {"y": y, "sample_weight": sample_weight, "offset": offset}
    labels = ("y",) if transform_y is not None else ()
    blocks, per_vector, n_rows = row_blocks(X, vectors, labels=labels)
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
    problems = persist_if_fits(problems, n_rows, estimator.n_features_in_, verbose)
    totals = np.array(compute([dask.delayed(_block_totals)(p) for p in problems], verbose))
    nobs, weighted_mu0, weighted_offset, positive = totals.sum(axis=0)
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
        n_rows=n_rows,
        # As GLMProblem: the stop measured for weights that average at least 1.
        weight_scale=max(1.0, positive / nobs),
        has_dispersion=family.has_dispersion,
        verbose=verbose,
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
        # Holding the problem would pin persisted blocks in the workers'
        # memory for the estimator's lifetime.
        publish={"keep_problem": False},
    )
