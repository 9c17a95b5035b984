"""Reference fits of cumulative-link models: statsmodels' OrderedModel and dense formulas.

statsmodels' ``OrderedModel`` (``statsmodels.miscmodels.ordinal_model``) fits the
same model with the same sign convention, ``P(y ≤ j) = F(θ_j − xᵀβ)``, in the
parameters ``φ = [β, θ_0, log(θ_1 − θ_0), …]``, with numerical derivatives of
its log-likelihood. Its BFGS fit is polished by Newton's method to a step of
1e-8 (its numerical derivatives do not resolve smaller steps). Its
covariances map to θ by the delta method, ``Σ_θ = G Σ_φ Gᵀ`` with
``G = ∂θ/∂φ``, exact at the maximum for the covariances built from the
Hessian and the scores (``cov_params()`` is ``J⁻¹``, ``HC0`` the sandwich,
``cluster`` the cluster-robust one with statsmodels' correction). It has no
expected information: :func:`expected_information` evaluates
``Σ_i Σ_k (∂p_ik/∂θ)(∂p_ik/∂θ)ᵀ / p_ik`` densely from scipy's distributions.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.sm_exceptions import ConvergenceWarning

# F of each link as a scipy distribution (statsmodels takes "logit" and
# "probit" by name and any other continuous distribution as an object).
DISTRIBUTIONS = {
    "logit": stats.logistic,
    "probit": stats.norm,
    "cloglog": stats.gumbel_l,  # 1 − exp(−eᵗ)
    "loglog": stats.gumbel_r,  # exp(−e⁻ᵗ)
    "cauchit": stats.cauchy,
}
_BY_NAME = {"logit": "logit", "probit": "probit"}


@dataclass
class Reference:
    """What the reference fit found, on the θ scale."""

    params: np.ndarray
    loglik: float
    proba: np.ndarray
    covariance: dict = field(default_factory=dict)


def thresholds_jacobian(phi, n_features):
    """Return ``G = ∂θ/∂φ`` for statsmodels' threshold increments."""
    k = phi.size
    G = np.eye(k)
    for j in range(n_features + 1, k):
        G[j, n_features] = 1.0
        G[j, n_features + 1 : j + 1] = np.exp(phi[n_features + 1 : j + 1])
    return G


def statsmodels_reference(X, y, link, groups=None):
    """Fit ``OrderedModel`` tightly; return θ̂, ℓ̂, the probabilities and the covariances."""
    X = np.asarray(X, dtype=float)
    model = OrderedModel(np.asarray(y), X, distr=_BY_NAME.get(link, DISTRIBUTIONS[link]))
    with warnings.catch_warnings():
        # BFGS stops on a loss of precision short of gtol: Newton's polish decides.
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = model.fit(method="bfgs", disp=0, maxiter=5000, gtol=1e-8).params
    options = {"method": "newton", "disp": 0, "maxiter": 100, "tol": 1e-8}
    result = model.fit(start_params=start, **options)
    assert result.mle_retvals["converged"]
    phi = np.asarray(result.params, dtype=float)
    p = X.shape[1]
    G = thresholds_jacobian(phi, p)
    theta = np.r_[phi[:p], model.transform_threshold_params(phi)[1:-1]]
    covariance = {"observed": G @ result.cov_params() @ G.T}
    robust = model.fit(start_params=phi, cov_type="HC0", **options)
    covariance["sandwich"] = G @ robust.cov_params() @ G.T
    scores = model.score_obs(phi)
    covariance["empirical"] = G @ np.linalg.inv(scores.T @ scores) @ G.T
    if groups is not None:
        clustered = model.fit(
            start_params=phi, cov_type="cluster", cov_kwds={"groups": groups}, **options
        )
        covariance["cluster"] = G @ clustered.cov_params() @ G.T
    information = expected_information(X, theta, y.max() + 1, DISTRIBUTIONS[link])
    covariance["fisher"] = np.linalg.inv(information)
    proba = np.asarray(model.predict(phi))
    return Reference(theta, float(result.llf), proba, covariance)


def class_derivatives(X, theta, n_classes, distribution):
    """Return ``p_ik`` (n, K) and ``∂p_ik/∂θ`` (n, K, k) from scipy's cdf and pdf."""
    n, p = X.shape
    beta, cuts = theta[:p], theta[p:]
    gamma = cuts[None, :] - (X @ beta)[:, None]
    cdf = np.column_stack([np.zeros(n), distribution.cdf(gamma), np.ones(n)])
    pdf = np.column_stack([np.zeros(n), distribution.pdf(gamma), np.zeros(n)])
    proba = np.diff(cdf, axis=1)
    derivative = np.zeros((n, n_classes, theta.size))
    derivative[:, :, :p] = -(pdf[:, 1:] - pdf[:, :-1])[:, :, None] * X[:, None, :]
    for k in range(n_classes):
        if k < n_classes - 1:
            derivative[:, k, p + k] = pdf[:, k + 1]
        if k > 0:
            derivative[:, k, p + k - 1] = -pdf[:, k]
    return proba, derivative


def expected_information(X, theta, n_classes, distribution, weights=None):
    """``Σ_i w_i Σ_k (∂p_ik/∂θ)(∂p_ik/∂θ)ᵀ / p_ik``, dense."""
    proba, derivative = class_derivatives(X, theta, n_classes, distribution)
    w = np.ones(X.shape[0]) if weights is None else weights
    return np.einsum("i,ika,ikb->ab", w, derivative / proba[:, :, None], derivative)


def loglik(X, y, theta, distribution):
    """The log-likelihood from scipy's cdf (−inf outside the ordered thresholds)."""
    p = X.shape[1]
    cuts = theta[p:]
    if np.any(np.diff(cuts) <= 0):
        return -np.inf
    proba, _ = class_derivatives(X, theta, cuts.size + 1, distribution)
    with np.errstate(divide="ignore"):  # a probability of 0: the optimiser backs off
        return float(np.sum(np.log(proba[np.arange(y.size), y])))


def increments_to_theta(phi, n_features):
    """θ from ``[β, θ_0, log increments]``: every value is a valid parameter."""
    cuts = np.cumsum(np.r_[phi[n_features], np.exp(phi[n_features + 1 :])])
    return np.r_[phi[:n_features], cuts]
