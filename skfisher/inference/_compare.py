"""Fit the equivalent statsmodels model and report how far apart the two fits are."""

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone, is_classifier

from .._optional import check_statsmodels_support
from ..families import GLMFamily

_FAMILIES = {
    "binomial": "Binomial",
    "poisson": "Poisson",
    "gaussian": "Gaussian",
    "gamma": "Gamma",
    "inverse_gaussian": "InverseGaussian",
    "negative_binomial": "NegativeBinomial",
    "tweedie": "Tweedie",
}
_LINKS = {
    "identity": "Identity",
    "log": "Log",
    "logit": "Logit",
    "probit": "Probit",
    "cloglog": "CLogLog",
    "inverse": "InversePower",
    "inverse_squared": "InverseSquared",
    "sqrt": "Sqrt",
}


@dataclass
class Comparison:
    """The largest relative differences between a skfisher fit and statsmodels'.

    Attributes
    ----------
    params, standard_errors, loglik : float
        ``max |ours − theirs| / |theirs|`` over the parameters (for the
        log-likelihood, the one relative difference).
    model : str
        The statsmodels model fitted, e.g. ``"GLM(Poisson, Log)"``.
    cov_type : str
        The skfisher ``cov_type`` compared, and how statsmodels computed it.
    result : statsmodels results
        The statsmodels fit.
    values : dict
        The compared arrays, ``{"params": (ours, theirs), ...}``.
    """

    params: float
    standard_errors: float
    loglik: float
    model: str
    cov_type: str
    result: object = field(repr=False)
    values: dict = field(repr=False)

    def __repr__(self):
        return (
            f"<Comparison with statsmodels {self.model}, cov_type={self.cov_type!r}: "
            f"params {self.params:.2e}, standard errors {self.standard_errors:.2e}, "
            f"log-likelihood {self.loglik:.2e} (largest relative differences)>"
        )

    def agrees(self, params_rtol=1e-6, se_rtol=1e-5, loglik_rtol=1e-8):
        """Whether all three differences are within the given tolerances."""
        return bool(
            self.params <= params_rtol
            and self.standard_errors <= se_rtol
            and self.loglik <= loglik_rtol
        )


def _relative(ours, theirs):
    ours, theirs = np.atleast_1d(ours).astype(float), np.atleast_1d(theirs).astype(float)
    if ours.shape != theirs.shape:
        raise ValueError(f"Cannot compare shapes {ours.shape} and {theirs.shape}.")
    both_nan = np.isnan(ours) & np.isnan(theirs)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.abs(ours - theirs) / np.where(theirs != 0, np.abs(theirs), 1.0)
    relative = np.where(both_nan, 0.0, relative)
    return float(np.max(relative)) if relative.size else 0.0


def _exog(estimator, X):
    import scipy.sparse as sp

    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    if getattr(estimator, "fit_intercept", True):
        X = np.column_stack([np.ones(X.shape[0]), X])
    return X


def _statsmodels_model(sm, estimator, exog, y, sample_weight, offset):
    """Return the statsmodels model equivalent to ``estimator`` and its description."""
    name = type(estimator).__name__
    family = getattr(estimator, "family_", None)
    if not isinstance(family, GLMFamily) or family.name not in _FAMILIES:
        raise ValueError(f"compare_with_statsmodels has no statsmodels equivalent of {name}.")
    if is_classifier(estimator):
        if offset is not None:
            raise ValueError(f"{name} takes no offset.")
        return _logit_model(sm, estimator, exog, y, sample_weight)
    family, link = estimator.family_, estimator.link_
    link_obj = getattr(sm.families.links, _LINKS[link.name])()
    y = np.asarray(y, dtype=float)
    if family.name == "negative_binomial" and len(estimator.params_) > exog.shape[1]:
        if sample_weight is not None:
            raise ValueError(
                "statsmodels' NegativeBinomial (α estimated) takes no weights; compare "
                "without sample_weight."
            )
        return sm.NegativeBinomial(y, exog, offset=offset), "NegativeBinomial(nb2)"
    kwargs = {"link": link_obj}
    if family.name == "negative_binomial":
        kwargs["alpha"] = family.alpha
    if family.name == "tweedie":
        kwargs.update(var_power=family.power, eql=False)
    sm_family = getattr(sm.families, _FAMILIES[family.name])(**kwargs)
    model = sm.GLM(y, exog, family=sm_family, freq_weights=sample_weight, offset=offset)
    return model, f"GLM({_FAMILIES[family.name]}, {_LINKS[link.name]})"


def _logit_model(sm, estimator, exog, y, sample_weight):
    """Return statsmodels' ``MNLogit``, ``Logit`` or, with weights, ``GLM(Binomial)``."""
    if len(estimator.classes_) > 2:
        if sample_weight is not None:
            raise ValueError(
                "statsmodels' MNLogit takes no weights; compare the multinomial fit "
                "without sample_weight."
            )
        codes = np.searchsorted(estimator.classes_, np.asarray(y))
        return sm.MNLogit(codes, exog), "MNLogit"
    y01 = (np.asarray(y) == estimator.classes_[1]).astype(float)
    if sample_weight is None:
        return sm.Logit(y01, exog), "Logit"
    family = sm.families.Binomial()
    return sm.GLM(y01, exog, family=family, freq_weights=sample_weight), "GLM(Binomial)"


def _fit_statsmodels(sm, model, cov_type, groups):
    """Fit ``model`` and return (result, standard errors by ``cov_type``, how)."""
    is_glm = isinstance(model, sm.GLM)

    def fit(**kwargs):
        if is_glm:
            return model.fit(tol=1e-13, maxiter=200, **kwargs)
        return model.fit(method="newton", tol=1e-12, maxiter=200, disp=0, **kwargs)

    result = fit()
    if cov_type == "fisher":
        # GLM: the inverse expected information (IRLS); Logit and MNLogit: the
        # Hessian, equal to it. NegativeBinomial offers only the observed
        # Hessian, which differs from the expected information in α.
        how = (
            "default"
            if is_glm or not isinstance(model, sm.NegativeBinomial)
            else ("observed Hessian: statsmodels has no expected information here")
        )
        return result, np.asarray(result.bse).ravel(order="F"), how
    if cov_type == "sandwich":
        return result, np.asarray(fit(cov_type="HC0").bse).ravel(order="F"), "HC0"
    if cov_type == "cluster":
        robust = fit(cov_type="cluster", cov_kwds={"groups": groups})
        return result, np.asarray(robust.bse).ravel(order="F"), "cluster"
    scale = {"scale": result.scale} if is_glm else {}
    if cov_type == "observed":
        extra = {"observed": True} if is_glm else {}
        covariance = np.linalg.inv(-model.hessian(result.params, **extra, **scale))
        how = "inverse negative Hessian"
    else:
        scores = model.score_obs(result.params, **scale)
        weights = getattr(model, "freq_weights", None)
        weights = np.ones(scores.shape[0]) if weights is None else np.asarray(weights)
        # GLM.score_obs carries the frequency weight once; F needs it once too.
        covariance = np.linalg.inv(scores.T @ (scores / weights[:, None]))
        how = "inverse outer product of score_obs"
    return result, np.sqrt(np.diag(covariance)), how


def compare_with_statsmodels(estimator, X, y, **fit_params):
    """Fit the statsmodels model equivalent to ``estimator`` and compare the two fits.

    Parameters
    ----------
    estimator : skfisher estimator
        ``FisherLogisticRegression`` (``Logit``, ``MNLogit``, or ``GLM(Binomial)``
        with weights) or ``FisherGLMRegressor`` (``GLM`` with the family and link,
        ``freq_weights`` and ``offset``; ``NegativeBinomial`` when α is
        estimated). An unfitted estimator is fitted (a clone) on ``X, y``; a
        fitted one is taken as fitted on them.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    **fit_params
        ``sample_weight``, ``offset`` and ``groups`` (for ``cov_type="cluster"``),
        passed to both fits.

    Returns
    -------
    comparison : Comparison
        The largest relative differences of the parameters, of the standard
        errors (of the estimator's ``cov_type``: ``fisher`` ↔ statsmodels'
        default, ``sandwich`` ↔ ``HC0``, ``cluster`` ↔ ``cluster``, ``observed``
        and ``empirical`` from statsmodels' Hessian and per-row scores) and of
        the log-likelihood, with the statsmodels result.

    Raises
    ------
    ImportError
        When statsmodels is not installed.
    ValueError
        When statsmodels has no equivalent model (e.g. ``MLEDistribution``) or
        no equivalent of an argument (weights for ``MNLogit``).

    Examples
    --------
    >>> from skfisher import FisherLogisticRegression
    >>> from skfisher.datasets import load_anes96
    >>> from skfisher.inference import compare_with_statsmodels
    >>> X, y = load_anes96(return_X_y=True, as_frame=True)
    >>> comparison = compare_with_statsmodels(FisherLogisticRegression(), X, y)
    >>> comparison.agrees()
    True
    """
    sm = check_statsmodels_support("compare_with_statsmodels")
    unknown = set(fit_params) - {"sample_weight", "offset", "groups"}
    if unknown:
        raise ValueError(
            f"compare_with_statsmodels passes sample_weight, offset and groups; got {unknown}."
        )
    if not hasattr(estimator, "params_"):
        estimator = clone(estimator).fit(X, y, **fit_params)
    sample_weight = fit_params.get("sample_weight")
    sample_weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    offset = fit_params.get("offset")
    offset = None if offset is None else np.asarray(offset, dtype=float)
    groups = fit_params.get("groups")
    cov_type = getattr(estimator, "cov_type", "fisher")
    if cov_type == "cluster":
        groups = np.unique(np.asarray(groups), return_inverse=True)[1].ravel()
    exog = _exog(estimator, X)
    with warnings.catch_warnings():
        # statsmodels warns about links it deems outside a family's domain
        # (Poisson with sqrt); skfisher allows them, so the comparison does.
        warnings.filterwarnings("ignore", message=".*does not respect the domain")
        model, description = _statsmodels_model(sm, estimator, exog, y, sample_weight, offset)
    result, theirs_se, how = _fit_statsmodels(sm, model, cov_type, groups)
    theirs = np.asarray(result.params).ravel(order="F")
    values = {
        "params": (np.asarray(estimator.params_), theirs),
        "standard_errors": (np.asarray(estimator.standard_errors_), theirs_se),
        "loglik": (estimator.loglik_, float(result.llf)),
    }
    return Comparison(
        params=_relative(*values["params"]),
        standard_errors=_relative(*values["standard_errors"]),
        loglik=_relative(*values["loglik"]),
        model=description,
        cov_type=f"{cov_type} ({how})",
        result=result,
        values=values,
    )
