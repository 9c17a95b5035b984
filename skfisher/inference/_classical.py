"""The Wald and likelihood-ratio tests between fitted estimators."""

import warnings

import numpy as np
import scipy.linalg
from scipy import stats
from sklearn.utils.validation import check_is_fitted

from ._hypotheses import linear_hypotheses
from ._result import ChiSquareResult

_CONTRACT = ("params_", "param_names_", "covariance_", "loglik_", "nobs_")


def check_fisher_fitted(estimator, argument="estimator"):
    """Raise unless ``estimator`` is a fitted estimator with the Fisher contract."""
    if not hasattr(estimator, "fit"):
        raise ValueError(
            f"{argument} must be a fitted skfisher estimator; got {type(estimator).__name__}."
        )
    check_is_fitted(estimator, "params_")
    if not all(hasattr(estimator, name) for name in _CONTRACT):
        lacking = [name for name in _CONTRACT if not hasattr(estimator, name)]
        raise ValueError(
            f"{argument} must be a fitted skfisher estimator (with {', '.join(_CONTRACT)}); "
            f"{type(estimator).__name__} lacks {', '.join(lacking)}."
        )


def _check_unpenalised(estimator, test, argument="estimator"):
    params = estimator.get_params() if hasattr(estimator, "get_params") else {}
    alpha = params.get("alpha", 0.0)
    if isinstance(alpha, (int, float)) and alpha > 0:
        raise ValueError(
            f"The {test} test needs the maximum-likelihood fit, but {argument} was fitted "
            f"with an L2 penalty (alpha={alpha!r}); the statistic of a penalised fit is "
            "not χ²-distributed. Refit with alpha=0."
        )
    if params.get("bias_reduction") is not None:
        raise ValueError(
            f"The {test} test needs the maximum-likelihood fit, but {argument} was fitted "
            f"with bias_reduction={params['bias_reduction']!r} (a penalised likelihood). "
            "Refit with bias_reduction=None; for Firth fits, lr_pvalues_ gives the "
            "penalised likelihood-ratio test of each parameter."
        )


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
        tested jointly. As a matrix, one row per restriction and one column
        per parameter, in the order of ``param_names_``.
    q : array-like of shape (m,), default=None
        The right-hand side for a matrix ``R`` (zeros by default). Must be
        None when ``R`` is text.

    Returns
    -------
    result : ChiSquareResult
        ``statistic``, ``df`` (the number of restrictions), ``pvalue`` and
        the restrictions in words (``hypotheses``).

    Notes
    -----
    ``W = (R θ̂ − q)ᵀ (R V Rᵀ)⁻¹ (R θ̂ − q)`` with ``V = covariance_``, referred
    to χ² with m degrees of freedom; statsmodels' ``wald_test(...,
    scalar=True, use_f=False)``.

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
    difference = R @ estimator.params_ - q
    middle = R @ estimator.covariance_ @ R.T
    if not np.all(np.isfinite(middle)):
        involved = [names[j] for j in np.flatnonzero(np.any(R != 0, axis=0))]
        undefined = [
            n
            for n, se in zip(names, estimator.standard_errors_, strict=True)
            if not np.isfinite(se)
        ]
        raise ValueError(
            f"The hypothesis involves parameters without a defined covariance "
            f"({sorted(set(involved) & set(undefined))}), e.g. after separation or "
            "collinearity; test other parameters or fix the model."
        )
    try:
        statistic = float(difference @ scipy.linalg.solve(middle, difference, assume_a="pos"))
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError) as exc:
        raise ValueError(
            "The covariance of R θ̂ is singular: the restrictions are not identified "
            "by the fit. Remove restrictions on collinear parameters."
        ) from exc
    df = R.shape[0]
    return ChiSquareResult(
        "Wald",
        statistic,
        df,
        float(stats.chi2.sf(statistic, df)),
        labels,
        {"R": R, "q": q, "cov_type": getattr(estimator, "cov_type", None)},
    )


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
        subset of the full ones, the numbers of observations (``nobs_``)
        differ, the estimators or their families differ, a fit is penalised,
        or the full model fits clearly worse than the restricted one.

    Notes
    -----
    Nesting is checked by the parameter names and the sample size only; the
    caller vouches that both were fitted on the same rows and response. For
    families with an estimated dispersion the log-likelihoods are those of
    ``loglik_`` (each at its own dispersion), as statsmodels'
    ``compare_lr_test``.
    """
    check_fisher_fitted(restricted, "restricted")
    check_fisher_fitted(full, "full")
    _check_unpenalised(restricted, "likelihood-ratio", "restricted")
    _check_unpenalised(full, "likelihood-ratio", "full")
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
    for which, model in (("restricted", restricted), ("full", full)):
        if not getattr(model, "converged_", True):
            warnings.warn(
                f"The {which} fit did not converge; the likelihood-ratio test is unreliable.",
                UserWarning,
                stacklevel=2,
            )
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
    df = len(extra)
    return ChiSquareResult(
        "Likelihood-ratio",
        float(statistic),
        df,
        float(stats.chi2.sf(statistic, df)),
        tuple(f"{name} = 0" for name in extra),
        {"loglik_restricted": restricted.loglik_, "loglik_full": full.loglik_},
    )
