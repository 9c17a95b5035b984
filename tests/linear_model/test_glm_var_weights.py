"""Prior (variance) weights: equal to statsmodels' var_weights (R's glm(weights=))."""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from skfisher import FisherGLMRegressor
from skfisher.families import Tweedie

LINKS = sm.families.links
COV_TYPES = ["fisher", "observed", "empirical", "sandwich"]


def severity_data(seed=0, n=300):
    """Average claim severities over v claims: gamma with shape 2v."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    v = rng.integers(1, 20, n).astype(float)
    mu = np.exp(1 + X @ [0.3, -0.2])
    return X, rng.gamma(2 * v, mu / (2 * v)), v, mu


def reference(X, y, v, family, cov_type):
    model = sm.GLM(y, sm.add_constant(X), family=family, var_weights=v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(tol=1e-13, cov_type="HC0" if cov_type == "sandwich" else "nonrobust")
    if cov_type == "observed":
        hessian = model.hessian(fit.params, scale=fit.scale, observed=True)
        bse = np.sqrt(np.diag(np.linalg.inv(-hessian)))
    elif cov_type == "empirical":
        scores = model.score_obs(fit.params, scale=fit.scale)
        bse = np.sqrt(np.diag(np.linalg.inv(scores.T @ scores)))
    else:
        bse = fit.bse
    return fit, bse


CASES = {
    "gamma-log": ("gamma", "log", lambda: sm.families.Gamma(LINKS.Log())),
    "tweedie-1.5": (Tweedie(power=1.5), "log", lambda: sm.families.Tweedie(var_power=1.5)),
    "gaussian-identity": ("gaussian", "identity", lambda: sm.families.Gaussian()),
    "poisson-log": ("poisson", "log", lambda: sm.families.Poisson()),
}


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("case", CASES)
def test_matches_statsmodels_var_weights(case, cov_type):
    family, link, sm_family = CASES[case]
    X, y, v, mu = severity_data()
    if case == "poisson-log":
        y = np.random.default_rng(1).poisson(mu).astype(float)
    elif case == "tweedie-1.5":
        y = np.random.default_rng(1).poisson(mu * v) / v
    elif case == "gaussian-identity":
        y = np.log(y)
    model = FisherGLMRegressor(family=family, link=link, cov_type=cov_type)
    model.fit(X, y, var_weights=v)
    if case == "tweedie-1.5":
        sm_family = lambda: sm.families.Tweedie(var_power=1.5, eql=False)  # noqa: E731
    fit, bse = reference(X, y, v, sm_family(), cov_type)
    np.testing.assert_allclose(model.params_, fit.params, rtol=1e-9)
    np.testing.assert_allclose(model.standard_errors_, bse, rtol=1e-8)
    np.testing.assert_allclose(model.dispersion_, fit.scale, rtol=1e-10)
    np.testing.assert_allclose(model.loglik_, fit.llf, rtol=1e-10)
    np.testing.assert_allclose(model.deviance_, fit.deviance, rtol=1e-10)
    assert model.nobs_ == len(y)


def test_prior_weights_are_not_frequency_weights():
    # A gamma severity weighted by claim counts: as frequency weights the
    # counts would be observations (φ̂ over Σv − k) and the SEs too small.
    X, y, v, _ = severity_data()
    prior = FisherGLMRegressor(family="gamma", link="log").fit(X, y, var_weights=v)
    frequency = FisherGLMRegressor(family="gamma", link="log").fit(X, y, sample_weight=v)
    np.testing.assert_allclose(prior.params_, frequency.params_, rtol=1e-9)
    assert prior.nobs_ == len(y) and frequency.nobs_ == v.sum()
    assert not np.allclose(prior.standard_errors_, frequency.standard_errors_, rtol=1e-2)


def test_unit_prior_weights_change_nothing():
    X, y, _, _ = severity_data()
    plain = FisherGLMRegressor(family="gamma", link="log").fit(X, y)
    unit = FisherGLMRegressor(family="gamma", link="log").fit(X, y, var_weights=np.ones(len(y)))
    np.testing.assert_allclose(unit.params_, plain.params_, rtol=1e-12)
    np.testing.assert_allclose(unit.standard_errors_, plain.standard_errors_, rtol=1e-12)
    np.testing.assert_allclose(unit.loglik_, plain.loglik_, rtol=1e-12)


@pytest.mark.parametrize(
    "family, weights, match",
    [
        ("binomial", None, "binomial family"),
        ("negative_binomial", None, "estimated negative-binomial alpha"),
        ("gamma", -1.0, "var_weights must be non-negative"),
        ("gamma", np.nan, "var_weights contains NaN"),
    ],
)
def test_var_weights_iv(family, weights, match):
    X, y, v, _ = severity_data(n=50)
    if family == "binomial":
        y = (y > np.median(y)).astype(float)
    if family == "negative_binomial":
        y = np.round(y)
    if weights is not None:
        v = v.copy()
        v[3] = weights
    with pytest.raises(ValueError, match=match):
        FisherGLMRegressor(family=family).fit(X, y, var_weights=v)
