"""The likelihood-ratio test of the Poisson against the negative binomial, α = 0 on the edge."""

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..families import NegativeBinomial, Poisson
from ._checks import (
    NO_MAXIMUM,
    check_fisher_fitted,
    check_unpenalised,
    fit_status,
    warn_unconverged,
)
from ._nesting import check_nested_columns
from ._result import ChiSquareResult

__all__ = ["MixtureChiSquareResult", "overdispersion_test"]

_TEST = "overdispersion"
_UNCONVERGED = {
    "iteration limit": "its loglik_ is below the maximum, which biases the statistic.",
    "no maximum": "its loglik_ is the supremum approached as the diverging parameters grow, "
    "and the reference distribution is doubtful.",
}


@dataclass(frozen=True, repr=False)
class MixtureChiSquareResult(ChiSquareResult):
    """A likelihood-ratio test whose reference distribution is ``½ χ²₀ + ½ χ²_df``.

    The attributes are those of :class:`ChiSquareResult`; ``pvalue`` is
    ``½ P(χ²_df ≥ statistic)`` for a positive statistic and 1 at 0 (the
    point mass at 0 of ``χ²₀``, half the probability under the null).
    """

    def __repr__(self):
        return (
            f"<{self.test} test: LR = {self.statistic:.6g} against ½chi2(0) + "
            f"½chi2({self.df}), p-value = {self.pvalue:.4g}>"
        )

    def __str__(self):
        lines = [f"{self.test} test"]
        lines += [f"Null hypothesis: {h}" for h in self.hypotheses[:1]]
        lines.append(
            f"LR = {self.statistic:.6g} against ½chi2(0) + ½chi2({self.df})    "
            f"p-value = {self.pvalue:.4g}"
        )
        critical = self.details.get("critical_value_5pct")
        if critical is not None:
            lines.append(f"Critical value at the 5% level: {critical:.6g}")
        return "\n".join(lines)


def overdispersion_test(poisson_model, nb_model):
    """Likelihood-ratio test of a Poisson model against the negative binomial that nests it.

    The negative binomial NB2 (``Var Y = μ + α μ²``) is the Poisson at α = 0,
    the edge of its parameter space ``α ≥ 0``; the likelihood-ratio statistic
    is then referred to ``½ χ²₀ + ½ χ²₁``, as R's ``pscl::odTest``.

    Parameters
    ----------
    poisson_model : fitted estimator
        A Poisson GLM with the log link (:class:`~skfisher.FisherPoissonRegressor`
        or ``FisherGLMRegressor(family="poisson")``).
    nb_model : fitted estimator
        ``FisherGLMRegressor(family="negative_binomial")`` (α estimated) fitted
        to the same rows, with the same features, weights and offset.

    Returns
    -------
    result : MixtureChiSquareResult
        ``statistic = 2 (ℓ_NB − ℓ_P)``, ``df = 1``, ``pvalue``
        ``= ½ P(χ²₁ ≥ statistic)`` (1 when the statistic is 0); ``details``
        holds both log-likelihoods, α̂ and the critical value at 5 %.

    Raises
    ------
    ValueError
        When a model is not fitted, is penalised, is not of the family named
        (a fixed α is not tested), or the two are not nested: other features,
        rows, response, weights or offset; or when the negative binomial fits
        clearly worse than the Poisson (a fit short of its maximum).

    Warns
    -----
    ConvergenceWarning, PerfectSeparationWarning
        When a fit did not converge, except the negative binomial's α running
        into 0, which is the null hypothesis itself (the statistic is then 0).

    See Also
    --------
    lr_test : The likelihood-ratio test of nested models of one family.
    vuong_test : Vuong's test of non-nested models.

    Notes
    -----
    Under the null hypothesis α = 0 the estimate α̂ is 0 with probability ½
    (and the statistic then 0), and otherwise the statistic is χ²₁: the null
    distribution is the mixture ``½ χ²₀ + ½ χ²₁`` (Self and Liang 1987;
    Lawless 1987), and the χ²₁ p-value would be twice too large. The critical
    value at level a is the χ²₁ quantile ``1 − 2a`` (2.706 at 5 %). R's
    ``pscl::odTest`` reports ``pchisq(LR, 1, lower.tail=FALSE) / 2``, also 0.5
    at LR ≤ 0; here a statistic of 0 has p-value 1, ``P(LR ≥ 0)``. A
    statistic slightly negative by rounding (the fit at the boundary) is
    reported as 0.

    References
    ----------
    Lawless, J. F. (1987). Negative binomial and mixed Poisson regression.
    *Canadian Journal of Statistics* 15, 209–225.

    Self, S. G. and Liang, K.-Y. (1987). Asymptotic properties of maximum
    likelihood estimators and likelihood ratio tests under nonstandard
    conditions. *Journal of the American Statistical Association* 82, 605–610.

    Examples
    --------
    >>> from skfisher import FisherGLMRegressor, FisherPoissonRegressor
    >>> from skfisher.datasets import load_randhie
    >>> from skfisher.inference import overdispersion_test
    >>> X, y = load_randhie(return_X_y=True, as_frame=True)
    >>> poisson = FisherPoissonRegressor().fit(X, y)
    >>> negbin = FisherGLMRegressor(family="negative_binomial").fit(X, y)
    >>> result = overdispersion_test(poisson, negbin)
    >>> round(result.statistic, 1), result.pvalue
    (38071.9, 0.0)
    """
    for model, argument in ((poisson_model, "poisson_model"), (nb_model, "nb_model")):
        check_fisher_fitted(model, argument)
        check_unpenalised(model, _TEST, argument)
    _check_families(poisson_model, nb_model)
    _check_nested(poisson_model, nb_model)
    warn_unconverged(poisson_model, _TEST, _UNCONVERGED, "poisson_model")
    if not _alpha_at_boundary(nb_model):
        warn_unconverged(nb_model, _TEST, _UNCONVERGED, "nb_model")
    loglik_p, loglik_nb = float(poisson_model.loglik_), float(nb_model.loglik_)
    statistic = 2.0 * (loglik_nb - loglik_p)
    # Both maxima carry the rounding error of a sum of n log-likelihood terms.
    if statistic < -1e-8 * (1.0 + abs(loglik_nb)):
        raise ValueError(
            f"The negative binomial's log-likelihood ({loglik_nb:.10g}) is below the "
            f"Poisson's ({loglik_p:.10g}), which it contains: a fit did not reach its "
            "maximum. Refit with a larger max_iter."
        )
    statistic = max(statistic, 0.0)
    pvalue = 0.5 * float(stats.chi2.sf(statistic, 1)) if statistic > 0 else 1.0
    return MixtureChiSquareResult(
        "Overdispersion (likelihood-ratio)",
        float(statistic),
        1,
        pvalue,
        ("alpha = 0 (Poisson), against alpha > 0 (negative binomial)",),
        {
            "loglik_poisson": loglik_p,
            "loglik_negbin": loglik_nb,
            "alpha": float(nb_model.family_.alpha),
            "critical_value_5pct": float(stats.chi2.isf(0.1, 1)),
            "reference": "½chi2(0) + ½chi2(1)",
        },
    )


def _family_and_link(model):
    family, link = getattr(model, "family_", None), getattr(model, "link_", None)
    return family, getattr(link, "name", None)


def _check_families(poisson_model, nb_model):
    family, link = _family_and_link(poisson_model)
    if not isinstance(family, Poisson) or link != "log":
        raise ValueError(
            "poisson_model must be a Poisson GLM with the log link (FisherPoissonRegressor); "
            f"got {type(poisson_model).__name__} with family_={family!r}, link {link!r}."
        )
    family, link = _family_and_link(nb_model)
    names = [str(n) for n in nb_model.param_names_]
    if not isinstance(family, NegativeBinomial) or "alpha" not in names:
        raise ValueError(
            "nb_model must be a negative binomial GLM with α estimated "
            "(FisherGLMRegressor(family='negative_binomial')); got "
            f"{type(nb_model).__name__} with family_={family!r} and parameters {names}. A "
            "fixed α is not a parameter to test."
        )


def _check_nested(poisson_model, nb_model):
    """Raise unless the negative binomial is the Poisson model plus α."""
    names_p = [str(n) for n in poisson_model.param_names_]
    names_nb = [str(n) for n in nb_model.param_names_]
    if names_nb != [*names_p, "alpha"]:
        raise ValueError(
            "nb_model must have the features of poisson_model and α: its parameters must be "
            f"{[*names_p, 'alpha']}; got {names_nb}. Fit both models to the same X."
        )
    if not np.isclose(poisson_model.nobs_, nb_model.nobs_, rtol=1e-12, atol=0.0):
        raise ValueError(
            "poisson_model and nb_model must be fitted to the same observations; got "
            f"nobs_={poisson_model.nobs_:g} and nobs_={nb_model.nobs_:g}."
        )
    try:
        extra = check_nested_columns(poisson_model, nb_model)
    except ValueError as error:
        raise ValueError(
            f"poisson_model (restricted) is not nested in nb_model (full): {error}"
        ) from None
    if extra is not None and extra != ["alpha"]:
        raise ValueError(
            "nb_model must have the features of poisson_model, but its model matrix has "
            f"other columns ({[n for n in extra if n != 'alpha']} are not poisson_model's). "
            "Fit both models to the same X."
        )


def _alpha_at_boundary(nb_model):
    """Whether the fit stopped because α ran into 0, the null hypothesis itself."""
    if fit_status(nb_model) != NO_MAXIMUM:
        return False
    names = [str(n) for n in nb_model.param_names_]
    undefined = ~np.isfinite(np.asarray(nb_model.standard_errors_, dtype=float))
    return [n for n, bad in zip(names, undefined, strict=True) if bad] == ["alpha"]
