"""White's information-matrix test for generalised linear models.

Under a correctly specified model the information-matrix equality holds: the
expected outer product of the per-row scores equals the expected information,
``E[s sᵀ] = E[−∇² log p]``. The test measures, at the fit, the distance between
the empirical Fisher ``F = Σ w s sᵀ`` and the information (expected ``I`` or
observed ``J``), over the distinct entries of the k × k matrices.

Each entry of ``F − I`` is a sum over rows of a quadratic in the residual
times a product of two columns; the per-row quantities and the variance of
their sum, from the first four cumulants of ``y``, are in ``_im_statistics``.
"""

import numpy as np
from scipy import stats

from ._checks import check_fisher_fitted, check_unpenalised, refuse_unconverged
from ._im_statistics import (
    RANK_RTOL,
    chunks,
    model_variance_statistic,
    opg_statistic,
    pairs,
    row_quantities,
)
from ._model import FittedGLM, offers_glm_likelihood
from ._result import ChiSquareResult

_INFORMATION = ("expected", "observed")
_VARIANCE = ("model", "opg")
_UNCONVERGED = {
    "iteration limit": "away from the maximum the score is not zero, and the statistic "
    "measures the distance from the maximum rather than the information-matrix equality",
    "no maximum": "the scores and information of the rows it predicts exactly vanish, "
    "so the statistic is near 0 (p-value near 1) whatever the model",
}


def _checked_problem(estimator, X, y, sample_weight, offset, information, variance):
    """Check the arguments of :func:`information_matrix_test`; return the fitted GLM's rows."""
    check_fisher_fitted(estimator)
    if not offers_glm_likelihood(estimator):
        raise ValueError(
            "The information-matrix test is implemented for generalised linear models; "
            f"{type(estimator).__name__} is not one."
        )
    check_unpenalised(estimator, "information-matrix")
    refuse_unconverged(estimator, "information-matrix", _UNCONVERGED)
    if information not in _INFORMATION:
        raise ValueError(f"information must be one of {_INFORMATION}; got {information!r}.")
    if variance not in _VARIANCE:
        raise ValueError(f"variance must be one of {_VARIANCE}; got {variance!r}.")
    problem = FittedGLM(estimator, X, y, sample_weight, offset)
    k = problem.design.n_cols
    if len(estimator.params_) != k:
        extra = [str(n) for n in estimator.param_names_[k:]]
        raise ValueError(
            f"The information-matrix test covers the coefficients of the linear predictor; "
            f"the model also estimates {extra}. Fix them (e.g. "
            "family=NegativeBinomial(alpha=...)) to test the model with them held."
        )
    # A mean in [0, 1] is a probability: its rows must be Bernoulli trials.
    domain = problem.family.mean_domain
    fractional = (problem.y > 0) & (problem.y < 1)
    if (domain.low, domain.high) == (0.0, 1.0) and fractional.any():
        raise ValueError(
            "The information-matrix test needs 0/1 responses with frequency weights; y "
            f"has {int(fractional.sum())} proportion(s) strictly between 0 and 1."
        )
    return problem


def _indicator_rank(problem):
    """The rank of the indicators ``vech(x̃ x̃ᵀ)`` over the rows of positive weight."""
    k = problem.design.n_cols
    jj, ll = pairs(k)
    gram = np.zeros((len(jj), len(jj)))
    for rows, x in chunks(problem):
        z = (x[:, jj] * x[:, ll])[problem.w[rows] > 0]
        gram += z.T @ z
    scale = np.sqrt(np.diag(gram))
    scale[scale == 0] = 1.0
    values = np.linalg.eigvalsh(gram / np.outer(scale, scale))
    return int(np.sum(values > RANK_RTOL * max(values[-1], np.finfo(float).tiny)))


def _check_enough_rows(problem, q):
    """Refuse when the rows cannot determine the variance of the ``q`` indicators.

    After the k coefficients (and φ) are estimated, n rows leave
    ``n − k − [φ]`` degrees of freedom. With fewer than the number of
    independent indicators, the variance of the differences is singular:
    rounding makes it invertible, and the statistic is then huge (statsmodels'
    ``scotland`` gamma model, n = 32 and k = 8: χ² = 2e8).
    """
    k = problem.design.n_cols
    n = int(np.count_nonzero(problem.w > 0))
    free = n - k - int(bool(problem.family.has_dispersion))
    rank = _indicator_rank(problem)
    if free < rank:
        estimated = f"{k} coefficients" + (" and φ" if problem.family.has_dispersion else "")
        raise ValueError(
            f"The information-matrix test has too few rows: its {q} indicators (the products "
            f"of pairs of the k = {k} columns of [1, X]; {rank} of them independent on "
            f"these rows) need more degrees of freedom than the n = {n} rows leave after the "
            f"{estimated} are estimated ({free}). The variance of the indicators is then "
            "singular and the statistic meaningless. Test a model with fewer columns "
            "(k columns give k(k + 1)/2 indicators), or use more rows (about "
            f"{q + n - free} for this model)."
        )


def information_matrix_test(
    estimator,
    X,
    y,
    *,
    sample_weight=None,
    offset=None,
    information="expected",
    variance="model",
):
    """White's information-matrix test of a fitted generalised linear model.

    A significant statistic says that the empirical Fisher (the outer product
    of the per-row scores) and the information differ by more than sampling
    noise: the model is misspecified (for example overdispersed counts fitted
    as Poisson, or a wrong variance function), and its model-based standard
    errors are not to be trusted (prefer ``cov_type="sandwich"``).

    Parameters
    ----------
    estimator : fitted GLM estimator
        ``FisherLogisticRegression`` (binary) or ``FisherGLMRegressor`` (its
        dispersion, if any, counts as estimated), fitted without penalty.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data it was fitted on.
    y : array-like of shape (n_samples,)
        The response it was fitted on.
    sample_weight : array-like of shape (n_samples,), default=None
        The frequency weights of the fit (a weight of 2 is a repeated row).
    offset : array-like of shape (n_samples,), default=None
        The offset of the fit.
    information : {"expected", "observed"}, default="expected"
        The matrix compared with the empirical Fisher: ``I`` (a test of the
        variance function) or the Hessian ``J`` (White's original choice).
        They coincide for canonical links.
    variance : {"model", "opg"}, default="model"
        How the variance of the differences is estimated. ``"model"``: from
        the cumulants the fitted model implies (the efficient form, close to
        its nominal size in samples of a few hundred). ``"opg"``: Chesher's
        (1983) and Lancaster's (1984) outer-product form, ``n R²`` from
        regressing a column of ones on the per-row scores and indicators;
        it needs no model moments but over-rejects badly in small samples
        (Orme 1990).

    Returns
    -------
    result : ChiSquareResult
        ``statistic``, ``df`` (the number of non-redundant entries of the
        k × k matrices, at most k(k + 1)/2) and ``pvalue`` from χ²(df);
        ``details["differences"]`` holds the entries of ``F − I`` (or
        ``F − J``) tested and ``details["indicators"]`` their column pairs.

    Raises
    ------
    ValueError
        For a fit that is not a maximum-likelihood fit: penalised, or with
        ``converged_=False`` (stopped at ``max_iter``, where the score is not
        zero; or separated, where the rows predicted exactly carry no score
        and no information and the statistic is near 0 whatever the model).
        For too few rows to determine the variance of the indicators (Notes),
        other models than GLMs, or estimated parameters besides the
        coefficients.

    Notes
    -----
    With ``D = Σ w_i d_i`` the distinct entries of ``F − I`` at the fit (see the
    module notes for ``d_i``), the statistic is ``T = Dᵀ V⁻ D`` (White 1982,
    Theorem 4.1), with ``V`` the asymptotic variance of ``D`` after the
    estimation of θ (and of φ, for the families with a dispersion) is taken
    into account:

        ``ψ_i = d_i − C I⁻¹ s_i (+ terms of φ̂)``, ``V = Σ w_i E[ψ_i ψ_iᵀ]``,

    where ``C = Σ w_i E[d_i s_iᵀ] = −E[∂D/∂θ]`` by the generalised information
    equality. Each ``ψ_i`` is ``c₁ r + c₂ (r² − κ₂)``, so
    ``E[ψψᵀ] = κ₂ c₁c₁ᵀ + κ₃ (c₁c₂ᵀ + c₂c₁ᵀ) + (κ₄ + 2κ₂²) c₂c₂ᵀ``, with the
    cumulants of the fitted model (module notes). ``V⁻`` is a pseudo-inverse:
    indicators that repeat others (``x² = x`` for a dummy) are dropped from
    ``df``. The cost is O(n k⁴) for k columns of ``[1, X]``, in chunks of rows.

    Size: in simulations with n = 300 rows and k = 3 (300 replicates, the
    model form) the rejection rate at 5 % was 5–7 % for binomial (logit,
    probit), Poisson (log, sqrt, identity), Gaussian (identity) and gamma
    (log, inverse) models; 11–15 % for the Gaussian with log link and 17–78 %
    (observed, expected) for the inverse Gaussian with log link, whose heavy
    tails make the fourth cumulant at the fit noisy. These approach 5 % as n
    grows (7.5 % and 11.5 % at n = 3000). The OPG form rejected 22 % of
    correctly specified logistic and Poisson models at n = 300.

    Rows: with ``q'`` independent indicators (at most ``k(k + 1)/2``), the test
    needs ``n ≥ q' + k`` rows of positive weight (``q' + k + 1`` when φ is
    estimated). The n rows leave ``n − k`` (``− 1``) degrees of freedom once θ
    (and φ) are estimated; with fewer than ``q'`` the variance ``V`` is
    singular, rounding makes it invertible and the statistic is huge
    (statsmodels' ``scotland`` gamma model, n = 32 and k = 8: χ² = 2e8). Such
    fits are refused. Above the bound the model form is conservative in
    small samples: for a gamma model (log link) with k = 8 normal columns it
    rejected 0.5–1 % at n = 45–60, 4 % at n = 120 and 7 % at n = 240–480
    (200 replicates each); with k = 3, 1 % at n = 60 and 4.5 % at n = 120.

    The weights must be frequency weights: binomial proportions with the
    trials as weights are refused, as their rows are not Bernoulli trials.

    References
    ----------
    White, H. (1982). Maximum likelihood estimation of misspecified models.
    *Econometrica* 50, 1–25. Chesher, A. (1983). The information matrix test:
    simplified calculation via a score test interpretation. *Economics
    Letters* 13, 45–48. Lancaster, T. (1984). The covariance matrix of the
    information matrix test. *Econometrica* 52, 1051–1053. Orme, C. (1990).
    The small-sample performance of the information-matrix test. *Journal of
    Econometrics* 46, 309–331.

    Examples
    --------
    >>> from skfisher import FisherLogisticRegression
    >>> from skfisher.datasets import load_anes96
    >>> from skfisher.inference import information_matrix_test
    >>> X, y = load_anes96(return_X_y=True, as_frame=True)
    >>> X = X[["selfLR", "age"]]
    >>> model = FisherLogisticRegression().fit(X, y)
    >>> information_matrix_test(model, X, y).df
    6
    """
    problem = _checked_problem(estimator, X, y, sample_weight, offset, information, variance)
    k = problem.design.n_cols
    q = k * (k + 1) // 2
    _check_enough_rows(problem, q)
    theta = np.asarray(estimator.params_, dtype=float)
    quantities = row_quantities(problem, theta, information)
    rows_of = lambda rows: {key: value[rows] for key, value in quantities.items()}  # noqa: E731
    if variance == "model":
        statistic, df, differences = model_variance_statistic(problem, theta, q, rows_of)
    else:
        statistic, df, differences = opg_statistic(problem, theta, q, rows_of)
    names = [str(n) for n in estimator.param_names_]
    jj, ll = pairs(k)
    indicators = [f"{names[j]}*{names[m]}" for j, m in zip(jj, ll, strict=True)]
    return ChiSquareResult(
        "Information-matrix",
        statistic,
        df,
        float(stats.chi2.sf(statistic, df)) if df > 0 else np.nan,
        (f"F = {'I' if information == 'expected' else 'J'} (information-matrix equality)",),
        {
            "indicators": indicators,
            "differences": differences,
            "information": information,
            "variance": variance,
        },
    )
