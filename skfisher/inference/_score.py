"""Rao's score test of added columns, from the restricted fit alone."""

import numpy as np
import scipy.sparse as sp
from scipy import stats
from sklearn.utils.validation import check_array, validate_data

from .._linalg import SymmetricFactor
from ._checks import check_fisher_fitted, check_unpenalised, refuse_unconverged
from ._hypotheses import written_names
from ._model import glm_problem, offers_glm_likelihood
from ._result import ChiSquareResult, ScreeningResult

_INFORMATION = ("expected", "observed")
_UNCONVERGED = {
    "iteration limit": "the statistic would count the restricted model's own non-zero "
    "score as evidence against H0",
    "no maximum": "the rows it predicts exactly carry no information, and the null "
    "model has no estimate to test from",
}


def _check_restricted(restricted):
    check_fisher_fitted(restricted, "restricted")
    if not offers_glm_likelihood(restricted):
        raise ValueError(
            "The score test adds columns to a generalised linear model; "
            f"{type(restricted).__name__} is not one."
        )
    check_unpenalised(restricted, "score", "restricted")
    # Rao's statistic Uᵀ A⁻¹ U takes the restricted parameters' score as zero;
    # at an unconverged fit it is not, and enters the statistic (_checks).
    refuse_unconverged(restricted, "score", _UNCONVERGED, "restricted")


def _extra_names(X_extra, m, prefix):
    columns = getattr(X_extra, "columns", None)
    if columns is not None and len(columns) == m:
        return [str(c) for c in columns]
    return [f"{prefix}{j}" for j in range(m)]


def _as_matrix(values):
    # check_array refuses an array without columns ("0 feature(s)") and non-finite values.
    return check_array(values, accept_sparse=["csr", "csc"], dtype=np.float64)


def _full_problem(restricted, X, X_extra, y, sample_weight, offset):
    """Return the problem of ``[X, X_extra]`` and the restricted θ̂ padded with zeros."""
    X = validate_data(restricted, X, accept_sparse=["csr", "csc"], dtype=np.float64, reset=False)
    if X_extra.shape[0] != X.shape[0]:
        raise ValueError(
            f"X_extra has {X_extra.shape[0]} rows but X has {X.shape[0]}; they must "
            "describe the same samples."
        )
    if sp.issparse(X) or sp.issparse(X_extra):
        combined = sp.hstack([sp.csr_matrix(X), sp.csr_matrix(X_extra)]).tocsr()
    else:
        combined = np.hstack([X, X_extra])
    problem = glm_problem(restricted, combined, y, sample_weight, offset)
    k_restricted = restricted.n_features_in_ + int(restricted.fit_intercept)
    theta = np.concatenate([restricted.params_[:k_restricted], np.zeros(X_extra.shape[1])])
    return problem, theta, k_restricted


def _pieces(problem, theta, information, robust):
    """Return U, the information A and the score covariance B (None unless robust)."""
    if information not in _INFORMATION:
        raise ValueError(f"information must be one of {_INFORMATION}; got {information!r}.")
    score = problem.score(theta)
    if information == "expected":
        matrix = problem.information(theta)
    else:
        matrix = problem.observed_information(theta)
    meat = problem.empirical_fisher(theta) if robust else None
    return score, matrix, meat


def _statistic(score, information, meat, extra):
    """``Uᵀ A⁻¹ U``, or Boos' robust ``ũᵀ (R A⁻¹ B A⁻¹ Rᵀ)⁻¹ ũ`` with ``ũ = R A⁻¹ U``.

    Returns nan when ``A`` (or the robust middle matrix) is singular.
    """
    factor = SymmetricFactor(information)
    if factor.singular:
        return np.nan
    step = factor.solve(score)
    if meat is None:
        return float(score @ step)
    rows = factor.solve(np.eye(len(score))[:, extra]).T
    middle = SymmetricFactor(rows @ meat @ rows.T)
    if middle.singular:
        return np.nan
    effective = step[extra]
    return float(effective @ middle.solve(effective))


def score_test(
    restricted,
    X_extra,
    y,
    *,
    X,
    sample_weight=None,
    offset=None,
    robust=False,
    information="expected",
):
    """Rao's score (Lagrange multiplier) test of adding columns to a fitted GLM.

    Tests ``H0: γ = 0`` in the model with linear predictor ``[1, X] β + X_extra γ``
    using only the restricted fit (``γ = 0``): nothing is refitted.

    Parameters
    ----------
    restricted : fitted GLM estimator
        ``FisherLogisticRegression`` (binary) or ``FisherGLMRegressor``,
        fitted on ``X`` without penalty (``alpha=0``).
    X_extra : {array-like, sparse matrix} of shape (n_samples, m)
        The candidate columns, tested jointly.
    y : array-like of shape (n_samples,)
        The response the restricted model was fitted on.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The features the restricted model was fitted on.
    sample_weight, offset : array-like of shape (n_samples,), default=None
        As passed to the restricted fit.
    robust : bool, default=False
        Use the robust (sandwich) form, valid when the model's variance
        function is wrong (e.g. overdispersion).
    information : {"expected", "observed"}, default="expected"
        The information ``A`` of the full model at the restricted estimate.
        statsmodels' GLM ``score_test`` uses the observed one by default;
        the two agree for canonical links.

    Returns
    -------
    result : ChiSquareResult
        ``statistic``, ``df = m`` and ``pvalue`` from χ²(m).

    Notes
    -----
    With ``θ̃ = (β̂_restricted, 0)``, ``U = U(θ̃)`` and ``A = I(θ̃)`` the score and
    information of the full model (at the restricted fit's dispersion),
    the statistic is ``S = Uᵀ A⁻¹ U`` (Rao 1948). Only the rows of ``U`` for
    ``γ`` are non-zero, so ``S = U_γᵀ (A⁻¹)_γγ U_γ``: the score of the new
    columns measured against their variance after adjusting for ``β``. Under
    ``H0``, ``S ~ χ²(m)`` asymptotically, as the Wald and likelihood-ratio
    statistics of the full fit. "Only the rows for ``γ``" holds at the
    restricted maximum: a restricted fit that did not converge
    (``converged_=False``, after ``max_iter`` or under separation) is refused
    with a ``ValueError``, as its own score would enter ``S``.

    The robust form (Boos 1992; Kent 1982) replaces the model's variance of
    the score by its empirical one: ``ũ = R A⁻¹ U`` with ``R`` selecting ``γ``
    and ``S_rob = ũᵀ (R A⁻¹ B A⁻¹ Rᵀ)⁻¹ ũ``, ``B = Σ w_i s_i s_iᵀ`` at ``θ̃``
    (uncentred, no degrees-of-freedom factor: the HC0 convention of
    ``cov_type="sandwich"``). statsmodels' ``score_test(cov_type="HC0")``
    centres the scores and scales by n/(n − 1), which differs in finite
    samples.

    For the negative binomial with α estimated, α is held at the restricted
    estimate; with the expected information this is exact, since α is
    orthogonal to the coefficients (Lawless 1987).

    Screening: because only the restricted fit is needed, testing many
    candidate features costs one pass over the data per candidate block
    instead of one fit per candidate; :func:`score_screen` gives every
    column's 1-df statistic.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher import FisherLogisticRegression
    >>> from skfisher.datasets import load_anes96
    >>> from skfisher.inference import score_test
    >>> X, y = load_anes96(return_X_y=True, as_frame=True)
    >>> kept = ["selfLR", "income"]
    >>> small = FisherLogisticRegression().fit(X[kept], y)
    >>> result = score_test(small, X[["age", "educ"]], y, X=X[kept])
    >>> result.df
    2
    """
    _check_restricted(restricted)
    X_extra_matrix = _as_matrix(X_extra)
    problem, theta, k = _full_problem(restricted, X, X_extra_matrix, y, sample_weight, offset)
    score, matrix, meat = _pieces(problem, theta, information, robust)
    m = X_extra_matrix.shape[1]
    extra = np.arange(k, k + m)
    statistic = _statistic(score, matrix, meat, extra)
    if not np.isfinite(statistic):
        raise ValueError(
            "The information of the full model is singular at the restricted estimate: "
            "a column of X_extra is constant or collinear with X (or with another "
            "extra column). Remove it."
        )
    names = _extra_names(X_extra, m, "x_extra")
    test = "Score (robust)" if robust else "Score"
    return ChiSquareResult(
        test,
        statistic,
        m,
        float(stats.chi2.sf(statistic, m)),
        tuple(f"{name} = 0" for name in written_names([*restricted.param_names_, *names])[-m:]),
        {"score": score[extra], "information": information, "robust": robust},
    )


def score_screen(
    restricted,
    X_candidates,
    y,
    *,
    X,
    sample_weight=None,
    offset=None,
    robust=False,
    information="expected",
    block_size=32,
):
    """One-degree-of-freedom score tests of many candidate columns, one at a time.

    For each column ``z_j`` of ``X_candidates`` this is :func:`score_test` of
    adding ``z_j`` alone to the restricted model. The candidates are processed
    in blocks: one evaluation of the score and information of ``[X, block]``
    at the restricted estimate gives every column's statistic in the block,
    so screening m candidates costs about ``m / block_size`` passes over the
    data and no fit at all, where fitting each candidate costs m fits of
    several passes each.

    Parameters
    ----------
    restricted : fitted GLM estimator
        As in :func:`score_test`.
    X_candidates : {array-like, sparse matrix} of shape (n_samples, m)
        The candidate columns; DataFrame column names name the results.
    y, X, sample_weight, offset, robust, information
        As in :func:`score_test`.
    block_size : int, default=32
        Candidates evaluated together.

    Returns
    -------
    result : ScreeningResult
        ``names``, ``statistic`` and ``pvalue`` per candidate (nan for a
        candidate that is constant or collinear with ``X``); ``to_frame()``
        gives them sorted by statistic.
    """
    _check_restricted(restricted)
    candidates = _as_matrix(X_candidates)
    if sp.issparse(candidates):
        candidates = candidates.tocsc()
    if not (isinstance(block_size, (int, np.integer)) and block_size >= 1):
        raise ValueError(f"block_size must be a positive integer; got {block_size!r}.")
    m = candidates.shape[1]
    statistic = np.full(m, np.nan)
    for start in range(0, m, block_size):
        block = candidates[:, start : start + block_size]
        problem, theta, k = _full_problem(restricted, X, block, y, sample_weight, offset)
        score, matrix, meat = _pieces(problem, theta, information, robust)
        for j in range(block.shape[1]):
            keep = np.r_[np.arange(k), k + j]
            sub_meat = None if meat is None else meat[np.ix_(keep, keep)]
            statistic[start + j] = _statistic(
                score[keep], matrix[np.ix_(keep, keep)], sub_meat, [k]
            )
    pvalue = stats.chi2.sf(statistic, 1)
    return ScreeningResult(
        np.asarray(_extra_names(X_candidates, m, "candidate"), dtype=object),
        statistic,
        pvalue,
        robust,
    )
