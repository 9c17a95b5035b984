"""Vuong's test of two non-nested models, from the log-likelihood of each observation."""

from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from scipy import stats
from sklearn.utils import column_or_1d
from sklearn.utils.validation import _num_samples

from .._validation import check_weights
from ._checks import check_unpenalised, warn_unconverged
from ._loglik_rows import check_fitted, check_likelihood, describe, loglik_rows

__all__ = ["VuongResult", "vuong_test"]

CORRECTIONS = ("Raw", "AIC-corrected", "BIC-corrected")

_UNCONVERGED = {
    "iteration limit": "its per-observation log-likelihoods are those of the last iterate, "
    "short of the maximum, which biases the statistic.",
    "no maximum": "its per-observation log-likelihoods are those at the last iterate, with "
    "the diverging parameters not at their limit.",
}

# Relative agreement asked of Σ w_i ℓ_i with a model's own loglik_: both are
# sums of the same n terms, so they differ by rounding only.
_LOGLIK_RTOL = 1e-8


@dataclass(frozen=True)
class VuongResult:
    """The outcome of :func:`vuong_test`: three z statistics, raw and corrected.

    Each entry of the tuples is for one row of ``corrections``: the raw
    statistic, and those with the AIC and the BIC corrections for the number
    of parameters.

    Attributes
    ----------
    statistic : tuple of 3 float
        The z statistics, asymptotically N(0, 1) when the two models are
        equally close to the truth; positive values favour ``model_a``.
    pvalue : tuple of 3 float
        One-sided p-values ``P(Z > |z|)``, in the direction of ``preferred``.
    preferred : tuple of 3 str
        ``"model_a"`` when z > 0, ``"model_b"`` when z < 0 (``"neither"`` at 0):
        the model the statistic points to, significant when ``pvalue`` is small.
    n_params : tuple of 2 int
        ``(k_a, k_b)``, the numbers of parameters the corrections use.
    nobs : float
        ``n = Σ sample_weight``.
    models : tuple of 2 str
        The models, by class (and family).
    details : dict
        ``loglik_a`` and ``loglik_b`` (the totals ``Σ w ℓ``), ``mean`` and ``sd``
        (of the differences ``m_i``, the sd with the divisor ``n − 1``).
    """

    statistic: tuple
    pvalue: tuple
    preferred: tuple
    n_params: tuple
    nobs: float
    models: tuple = ("model_a", "model_b")
    details: dict = field(default_factory=dict, repr=False, compare=False)

    corrections = CORRECTIONS

    def __repr__(self):
        z, aic, bic = self.statistic
        return (
            f"<Vuong test: z = {z:.6g} (AIC-corrected {aic:.6g}, BIC-corrected {bic:.6g}), "
            f"{self.preferred[0]} preferred, p-value = {self.pvalue[0]:.4g}>"
        )

    def __str__(self):
        lines = [
            "Vuong non-nested test (z is asymptotically N(0, 1) when the models are equally",
            "close to the truth; z > 0 favours model_a)",
            f"model_a: {self.models[0]}, {self.n_params[0]} parameters",
            f"model_b: {self.models[1]}, {self.n_params[1]} parameters",
            f"n = {self.nobs:g}",
            f"{'':<15}{'z':>12}  {'preferred':<10}{'p-value':>12}",
        ]
        for name, z, p, which in zip(
            self.corrections, self.statistic, self.pvalue, self.preferred, strict=True
        ):
            lines.append(f"{name:<15}{z:>12.6g}  {which:<10}{p:>12.4g}")
        return "\n".join(lines)

    def to_frame(self):
        """Return the three statistics as a DataFrame (index ``corrections``)."""
        from .._optional import check_pandas_support

        pd = check_pandas_support("VuongResult.to_frame")
        return pd.DataFrame(
            {"statistic": self.statistic, "preferred": self.preferred, "pvalue": self.pvalue},
            index=pd.Index(self.corrections, name="correction"),
        )


def vuong_test(model_a, model_b, X, y, *, sample_weight=None, offset=None, n_params=None):
    """Vuong's test of two non-nested models fitted to the same observations.

    Parameters
    ----------
    model_a, model_b : fitted estimators
        Count models fitted to ``(X, y)``: GLMs of the poisson or
        negative_binomial family (:class:`~skfisher.FisherPoissonRegressor`,
        :class:`~skfisher.FisherGLMRegressor`), or any fitted estimator with
        ``params_`` and a method ``_loglik_rows(X, y, offset=None)`` that
        returns the unweighted log-likelihood of each row (the zero-inflated
        and hurdle count regressors).
    X : {array-like, sparse matrix} of shape (n_samples, n_features), or a tuple
        The features of both models; a tuple ``(X_a, X_b)`` gives each model
        its own (models on different columns).
    y : array-like of shape (n_samples,)
        The counts both models were fitted to.
    sample_weight : array-like of shape (n_samples,), default=None
        The frequency weights of the fits (a weight of 2 counts a row twice).
    offset : array-like of shape (n_samples,), or a tuple, default=None
        The offset of both fits, or ``(offset_a, offset_b)``.
    n_params : tuple of 2 int, default=None
        ``(k_a, k_b)`` for the corrections; by default ``len(params_)`` of each
        model, which counts the negative binomial's α as AIC does.

    Returns
    -------
    result : VuongResult
        The raw, AIC-corrected and BIC-corrected statistics, their one-sided
        p-values and the model each favours; ``str(result)`` is a table.

    Raises
    ------
    ValueError
        When a model is not fitted (``NotFittedError``), is penalised, has no
        likelihood (a quasi family, ``loglik_`` nan) or no log-likelihood per
        observation (a family other than poisson and negative_binomial);
        when ``X``, ``y``, ``sample_weight`` and ``offset`` have different
        numbers of rows; when the data are not those of a fit (their total
        weight differs from ``nobs_``, or their log-likelihood from
        ``loglik_``); or when the two models give every observation the same
        log-likelihood.

    Warns
    -----
    ConvergenceWarning, PerfectSeparationWarning
        When a fit did not converge.

    See Also
    --------
    overdispersion_test : Poisson against the negative binomial that nests it.

    Notes
    -----
    With ``ℓ_a,i`` and ``ℓ_b,i`` the log-likelihoods of observation i under
    the two fits and ``m_i = ℓ_a,i − ℓ_b,i``, weights ``w_i`` and
    ``n = Σ w_i``, ``m̄ = Σ w_i m_i / n`` and
    ``s² = Σ w_i (m_i − m̄)² / (n − 1)``, the statistics are

    ``z = √n (m̄ − c) / s``, with ``c = 0`` (raw), ``c = (k_a − k_b) / n``
    (AIC) and ``c = (k_a − k_b) log(n) / (2n)`` (BIC),

    asymptotically N(0, 1) when the models are equally close, in
    Kullback–Leibler divergence, to the distribution of the data (Vuong
    1989). Weights are frequency weights: a weight of 2 gives the statistics
    of the data with that row repeated. These are the numbers of R's
    ``pscl::vuong`` (pscl 1.5.5), with two differences. pscl counts the
    parameters as ``length(coef(m))``, which leaves out the negative
    binomial's θ = 1/α, so its corrections of a Poisson against a negative
    binomial model are 0 (``n_params`` reproduces them). pscl computes the
    probabilities first and drops the rows where they underflow to 0; here
    the log-likelihoods are computed directly.

    The test is for non-nested models (such as a zero-inflated model and the
    plain count model, whose boundary the zero-inflated model reaches only as
    its inflation coefficients diverge). For strictly nested models the
    likelihood-ratio test applies; when the fits coincide, every ``m_i`` is 0
    and the statistic is undefined.

    References
    ----------
    Vuong, Q. H. (1989). Likelihood ratio tests for model selection and
    non-nested hypotheses. *Econometrica* 57, 307–333.

    Examples
    --------
    >>> from skfisher import FisherGLMRegressor, FisherPoissonRegressor
    >>> from skfisher.datasets import load_randhie
    >>> from skfisher.inference import vuong_test
    >>> X, y = load_randhie(return_X_y=True, as_frame=True)
    >>> poisson = FisherPoissonRegressor().fit(X, y)
    >>> negbin = FisherGLMRegressor(family="negative_binomial").fit(X, y)
    >>> result = vuong_test(poisson, negbin, X, y)
    >>> round(result.statistic[0], 3), result.preferred[0]
    (-28.08, 'model_b')
    """
    models = (model_a, model_b)
    arguments = ("model_a", "model_b")
    for model, argument in zip(models, arguments, strict=True):
        check_fitted(model, argument)
        check_unpenalised(model, "Vuong", argument)
        check_likelihood(model, argument)
        warn_unconverged(model, "Vuong", _UNCONVERGED, argument)
    X_pair, offset_pair = _pair(X, "X"), _pair(offset, "offset")
    y, w = _rows(X_pair, y, sample_weight, offset_pair)
    rows = []
    for model, argument, X_m, offset_m in zip(models, arguments, X_pair, offset_pair, strict=True):
        ell = loglik_rows(model, X_m, y, offset_m, argument)
        _check_fitted_data(model, argument, ell, w)
        rows.append(ell)
    k = _n_params(models, n_params)
    return _result(rows[0] - rows[1], w, k, models, rows)


def _pair(value, what):
    """``(value_a, value_b)`` from a tuple of two, or the same value twice."""
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(
                f"{what} as a tuple must be ({what}_a, {what}_b), one for each model; got a "
                f"tuple of {len(value)}."
            )
        return value
    return value, value


def _rows(X_pair, y, sample_weight, offset_pair):
    """Return y and the weights as float vectors, after checking every row count agrees."""
    y = column_or_1d(np.asarray(y, dtype=float), warn=False)
    n = y.shape[0]
    counts = {"y": n}
    for label, value in (("X_a", X_pair[0]), ("X_b", X_pair[1])):
        counts[label] = _num_samples(value)
    for label, value in (("offset_a", offset_pair[0]), ("offset_b", offset_pair[1])):
        if value is not None:
            counts[label] = np.asarray(value).reshape(-1).shape[0]
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    counts["sample_weight"] = w.reshape(-1).shape[0]
    if len(set(counts.values())) > 1:
        shown = ", ".join(f"{label} {count}" for label, count in counts.items())
        raise ValueError(
            f"X, y, sample_weight and offset must have one entry per observation; got {shown}."
        )
    w = w.reshape(-1)
    check_weights(w)
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity.")
    return y, w


def _check_fitted_data(model, argument, ell, w):
    """Raise unless ``(X, y, w, offset)`` are the data ``model`` was fitted to."""
    nobs = getattr(model, "nobs_", None)
    total = float(w.sum())
    if nobs is not None and not np.isclose(nobs, total, rtol=1e-9, atol=0.0):
        raise ValueError(
            f"{argument} was fitted to nobs_ = {nobs:g} observations, but the rows given "
            f"weigh Σ sample_weight = {total:g}. Pass the data and the sample_weight of the "
            "fits: the test compares the models on the observations they were fitted to."
        )
    loglik = getattr(model, "loglik_", None)
    given = float(w @ ell)
    if loglik is not None and abs(given - loglik) > _LOGLIK_RTOL * (1.0 + abs(loglik)):
        raise ValueError(
            f"On the rows given, {argument} has the log-likelihood {given:.10g}, but its fit "
            f"reported loglik_ = {loglik:.10g}: these are not the data (X, y, sample_weight, "
            "offset) it was fitted to, or its fit used weights the test cannot see "
            "(var_weights). Pass the data of the fits."
        )


def _n_params(models, n_params):
    if n_params is None:
        return tuple(len(model.params_) for model in models)
    if (
        not isinstance(n_params, (tuple, list))
        or len(n_params) != 2
        or not all(isinstance(k, Integral) and not isinstance(k, bool) for k in n_params)
        or min(n_params) < 0
    ):
        raise ValueError(
            f"n_params must be a pair of non-negative integers (k_a, k_b); got {n_params!r}."
        )
    return tuple(int(k) for k in n_params)


def _result(m, w, k, models, rows):
    """The three statistics of the differences ``m`` with weights ``w``."""
    n = float(w.sum())
    if n <= 1:
        raise ValueError(f"The test needs Σ sample_weight > 1; got {n:g}.")
    mean = float(w @ m) / n
    sd = float(np.sqrt(w @ np.square(m - mean) / (n - 1)))
    scale = max(1.0, float(np.max(np.abs(rows[0]))))
    if not sd > 1e-13 * scale:
        raise ValueError(
            "The two models give every observation the same log-likelihood (the differences "
            f"have sd {sd:.3g}): they are the same fitted model, and Vuong's statistic is "
            "undefined. Compare different models."
        )
    difference = k[0] - k[1]
    corrections = np.array([0.0, difference / n, difference * np.log(n) / (2.0 * n)])
    z = np.sqrt(n) * (mean - corrections) / sd
    preferred = tuple(
        "model_a" if value > 0 else "model_b" if value < 0 else "neither" for value in z
    )
    return VuongResult(
        statistic=tuple(float(v) for v in z),
        pvalue=tuple(float(v) for v in stats.norm.sf(np.abs(z))),
        preferred=preferred,
        n_params=k,
        nobs=n,
        models=tuple(describe(model) for model in models),
        details={
            "loglik_a": float(w @ rows[0]),
            "loglik_b": float(w @ rows[1]),
            "mean": mean,
            "sd": sd,
        },
    )
