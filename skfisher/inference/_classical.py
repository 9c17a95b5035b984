"""The Wald and likelihood-ratio tests between fitted estimators."""

import numpy as np
from scipy import stats

from .._linalg import SymmetricFactor
from ._checks import check_fisher_fitted, check_unpenalised, warn_unconverged
from ._hypotheses import linear_hypotheses, unit_rows, written_names
from ._nesting import check_nested_columns
from ._result import ChiSquareResult

__all__ = ["lr_test", "wald_test"]

_WALD_UNCONVERGED = {
    "iteration limit": "θ̂ and its covariance are those of the last iterate, and the "
    "statistic is centred on it.",
    "no maximum": "the diverging parameters have no covariance (a hypothesis on them is "
    "refused), and the others are estimated with them at their limit; prefer "
    "the likelihood-ratio test, or a Firth fit (bias_reduction='firth').",
}
_LR_UNCONVERGED = {
    "iteration limit": "its loglik_ is below the maximum, which biases the statistic.",
    "no maximum": "its loglik_ is the supremum approached as the diverging parameters "
    "grow, and the χ² reference is doubtful for a parameter whose estimate is "
    "infinite (Heinze & Schemper 2002); a Firth fit's lr_pvalues_ are the "
    "recommended test.",
}


def wald_test(estimator, R, q=None):
    """Wald test of the linear hypothesis ``R θ = q``.

    Parameters
    ----------
    estimator : fitted skfisher estimator
        Any estimator with the Fisher contract; its ``covariance_`` (chosen
        by its ``cov_type``) is used, so a robust fit gives a robust test.
    R : str, sequence of str or array-like of shape (m, k) or (k,)
        The restrictions. As text, equations over ``param_names_``:
        ``"x1 = x2"``, ``"x3 = 0"``, ``"2*x1 - x2 = 1"`` (``"x1 + x2"`` means
        ``= 0``); several equations, in a list or separated by commas, are
        tested jointly. A name that could be read as a number or an
        expression (a column named ``"1"`` or ``"2*x1"``) is written in
        backticks, as in pandas' ``query``: ``"x1 = `1`"`` tests ``x1`` against
        the parameter ``1``, ``"x1 = 1"`` against the number 1. Any name may be
        written in backticks. As a matrix, one row per restriction and one
        column per parameter, in the order of ``param_names_``.
    q : array-like of shape (m,), default=None
        The right-hand side for a matrix ``R`` (zeros by default). Must be
        None when ``R`` is text.

    Returns
    -------
    result : ChiSquareResult
        ``statistic``, ``df`` (the number of restrictions), ``pvalue`` and
        the restrictions in words (``hypotheses``).

    Raises
    ------
    ValueError
        For a hypothesis that cannot be read, a coefficient or right-hand
        side that is not finite in double precision (``1e400``), restrictions
        that are linearly dependent, or that involve parameters without a
        covariance.

    Warns
    -----
    ConvergenceWarning
        When the fit stopped at ``max_iter``: θ̂ is the last iterate.
    PerfectSeparationWarning
        When the fit has no maximum-likelihood estimate (separation).

    Notes
    -----
    ``W = (R θ̂ − q)ᵀ (R V Rᵀ)⁻¹ (R θ̂ − q)`` with ``V = covariance_``, referred
    to χ² with m degrees of freedom; statsmodels' ``wald_test(...,
    scalar=True, use_f=False)``. Each restriction is first divided by its
    largest coefficient, which leaves ``W`` unchanged.

    Examples
    --------
    >>> from skfisher import FisherLogisticRegression
    >>> from skfisher.datasets import load_anes96
    >>> from skfisher.inference import wald_test
    >>> X, y = load_anes96(return_X_y=True, as_frame=True)
    >>> model = FisherLogisticRegression().fit(X, y)
    >>> result = wald_test(model, "age = 0, educ = 0")
    >>> result.df
    2
    """
    check_fisher_fitted(estimator)
    names = list(estimator.param_names_)
    R, q, labels = linear_hypotheses(R, q, names)
    warn_unconverged(estimator, "Wald", _WALD_UNCONVERGED)
    statistic = _wald_statistic(estimator, *unit_rows(R, q), names)
    df = R.shape[0]
    return ChiSquareResult(
        "Wald",
        statistic,
        df,
        float(stats.chi2.sf(statistic, df)),
        labels,
        {"R": R, "q": q, "cov_type": getattr(estimator, "cov_type", None)},
    )


def _wald_statistic(estimator, R, q, names):
    """``(R θ̂ − q)ᵀ (R V Rᵀ)⁻¹ (R θ̂ − q)`` for restrictions scaled by :func:`unit_rows`.

    The statistic does not change when a restriction is multiplied by a
    number; scaled rows keep ``R V Rᵀ`` from overflowing (``1e200*x0 = 0``).
    """
    # Only the parameters involved enter: a separated fit's covariance is nan
    # in the rows of its diverging parameters, and 0 * nan is nan.
    involved = np.flatnonzero(np.any(R != 0, axis=0))
    R = R[:, involved]
    covariance = np.asarray(estimator.covariance_, dtype=float)[np.ix_(involved, involved)]
    with np.errstate(over="ignore", invalid="ignore"):
        difference = R @ np.asarray(estimator.params_, dtype=float)[involved] - q
        middle = R @ covariance @ R.T
    if not np.all(np.isfinite(middle)):
        undefined = involved[~np.all(np.isfinite(covariance), axis=1)]
        raise ValueError(
            f"The hypothesis involves parameters without a defined covariance "
            f"({[names[j] for j in undefined]}), e.g. after separation or collinearity; "
            "test other parameters or fix the model."
        )
    if not np.all(np.isfinite(difference)):
        raise ValueError(
            "R θ̂ − q is not finite: the estimates of the parameters involved are not "
            "finite. Test other parameters or fix the model."
        )
    factor = SymmetricFactor(middle)
    if factor.singular:
        raise ValueError(
            "The covariance of R θ̂ is singular: the restrictions are not identified by the "
            "fit (they involve collinear parameters, or are dependent given the "
            "covariance). Remove restrictions on collinear parameters."
        )
    return float(difference @ factor.solve(difference))


def _model_signature(estimator):
    """What two fits must share to be nested: the likelihood, up to the parameters.

    For GLMs the fitted family and link (a Tweedie power, a fixed
    negative-binomial α), so that ``FisherPoissonRegressor`` and
    ``FisherGLMRegressor(family="poisson")`` compare; otherwise the class and
    its constructor's ``family``. Classifiers must share their classes.
    """
    family, link = getattr(estimator, "family_", None), getattr(estimator, "link_", None)
    if family is not None and link is not None and hasattr(family, "name"):
        fixed_alpha = None
        if "alpha" not in [str(n) for n in estimator.param_names_]:
            fixed_alpha = getattr(family, "alpha", None)
        described = (family.name, link.name, getattr(family, "power", None), fixed_alpha)
    else:
        params = estimator.get_params() if hasattr(estimator, "get_params") else {}
        described = (type(estimator).__name__, str(params.get("family")), None, None)
    classes = tuple(np.asarray(getattr(estimator, "classes_", ())).tolist())
    return (*described, classes)


def lr_test(restricted, full):
    """Likelihood-ratio test of a restricted fit against a full fit that nests it.

    Parameters
    ----------
    restricted : fitted skfisher estimator
        The model under the null hypothesis: its parameters are a subset of
        the full model's (by ``param_names_``), the others being fixed at 0.
    full : fitted skfisher estimator
        The same model with the extra parameters, fitted on the same data.

    Returns
    -------
    result : ChiSquareResult
        ``statistic = 2 (ℓ_full − ℓ_restricted)``, ``df`` the number of extra
        parameters, ``pvalue`` from χ²(df).

    Raises
    ------
    ValueError
        When the models are not nested: the restricted names are not a proper
        subset of the full ones, a column of the restricted model is not a
        linear combination of the full model's columns, the rows, response,
        weights or offset differ, the estimators or their families differ, a
        fit is penalised, or the full model fits clearly worse than the
        restricted one.

    Warns
    -----
    ConvergenceWarning
        When a fit stopped at ``max_iter``: its ``loglik_`` is short of the
        maximum.
    PerfectSeparationWarning
        When a fit has no maximum-likelihood estimate (separation): its
        ``loglik_`` is the supremum, and the χ² reference is doubtful.

    Notes
    -----
    Nesting is checked on the model matrices, which fitted GLMs keep: every
    column of the restricted ``[1, X]`` must lie in the span of the full
    model's columns (relative residual below 1e-6), on the same response,
    weights and offset. Names alone cannot show it for fits on arrays, whose
    columns are named ``x0, x1, ...`` by position; the hypotheses are then
    named after the full model's columns that the restricted one lacks. For
    estimators that keep no model matrix (distributions; fits on dask arrays
    or restored from a pickle) nesting is checked by the parameter names and
    the sample size only, and the caller vouches for the rest. For
    families with an estimated dispersion the log-likelihoods are those of
    ``loglik_`` (each at its own dispersion), as statsmodels'
    ``compare_lr_test``.

    References
    ----------
    Heinze, G. and Schemper, M. (2002). A solution to the problem of
    separation in logistic regression. *Statistics in Medicine* 21,
    2409–2419.
    """
    check_fisher_fitted(restricted, "restricted")
    check_fisher_fitted(full, "full")
    check_unpenalised(restricted, "likelihood-ratio", "restricted")
    check_unpenalised(full, "likelihood-ratio", "full")
    if _model_signature(restricted) != _model_signature(full):
        raise ValueError(
            "restricted and full must be the same model with different parameters; got "
            f"{_model_signature(restricted)} and {_model_signature(full)} (family, link, "
            "power, fixed α, classes)."
        )
    names_r = [str(n) for n in restricted.param_names_]
    names_f = [str(n) for n in full.param_names_]
    extra = [n for n in names_f if n not in names_r]
    missing = [n for n in names_r if n not in names_f]
    if missing or not extra:
        raise ValueError(
            "restricted must be nested in full: its parameters must be a proper subset of "
            f"full's. Not in full: {missing}; extra in full: {extra}. Swap the arguments "
            "or fit the models on nested sets of features."
        )
    if not np.isclose(restricted.nobs_, full.nobs_, rtol=1e-12, atol=0):
        raise ValueError(
            f"restricted and full must be fitted on the same observations; got "
            f"nobs_={restricted.nobs_:g} and nobs_={full.nobs_:g}."
        )
    nested_extra = check_nested_columns(restricted, full)
    for which, model in (("restricted", restricted), ("full", full)):
        warn_unconverged(model, "likelihood-ratio", _LR_UNCONVERGED, which)
    statistic = 2.0 * (full.loglik_ - restricted.loglik_)
    # Both maxima carry the rounding error of a sum of n log-likelihood terms.
    slack = 1e-8 * (1.0 + abs(full.loglik_))
    if statistic < -slack:
        raise ValueError(
            f"The full model's log-likelihood ({full.loglik_:.10g}) is below the restricted "
            f"model's ({restricted.loglik_:.10g}): the models are not nested, or a fit did "
            "not reach its maximum."
        )
    statistic = max(statistic, 0.0)
    extra = extra if nested_extra is None else nested_extra
    df = len(extra)
    written = dict(zip(names_f, written_names(names_f), strict=True))
    return ChiSquareResult(
        "Likelihood-ratio",
        float(statistic),
        df,
        float(stats.chi2.sf(statistic, df)),
        tuple(f"{written[name]} = 0" for name in extra),
        {"loglik_restricted": restricted.loglik_, "loglik_full": full.loglik_},
    )
