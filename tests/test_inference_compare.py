"""compare_with_statsmodels: the equivalent statsmodels fit for every model it maps."""

import importlib

import numpy as np
import pytest
from scipy.special import expit

from skfisher import FisherGLMRegressor, FisherLogisticRegression
from skfisher.datasets import load_anes96
from skfisher.families import NegativeBinomial
from skfisher.inference import Comparison, compare_with_statsmodels

# The tolerances of the project: params 1e-6, standard errors 1e-5,
# log-likelihood 1e-8; both fits converge far beyond them.
COV_TYPES = ["fisher", "observed", "empirical", "sandwich", "cluster"]


def _counts(seed=0, n=300):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    mu = np.exp(0.5 + X @ [0.3, -0.2])
    return X, mu, rng


def _groups(n, seed=1):
    return np.random.default_rng(seed).integers(0, 25, size=n)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_logistic_against_logit(cov_type):
    X, y = load_anes96(return_X_y=True, as_frame=True)
    extra = {"groups": X["income"].to_numpy()} if cov_type == "cluster" else {}
    comparison = compare_with_statsmodels(
        FisherLogisticRegression(cov_type=cov_type), X, y, **extra
    )
    assert isinstance(comparison, Comparison)
    assert comparison.model == "Logit"
    assert comparison.agrees(), comparison
    assert cov_type in repr(comparison)


def test_weighted_logistic_uses_glm_and_a_fitted_estimator_is_reused():
    X, y = load_anes96(return_X_y=True, as_frame=True)
    weight = np.random.default_rng(0).integers(1, 4, size=len(y)).astype(float)
    model = FisherLogisticRegression(cov_type="sandwich").fit(X, y, sample_weight=weight)
    comparison = compare_with_statsmodels(model, X, y, sample_weight=weight)
    assert comparison.model == "GLM(Binomial)"
    assert comparison.agrees(), comparison
    np.testing.assert_array_equal(comparison.values["params"][0], model.params_)


@pytest.mark.parametrize("cov_type", ["fisher", "sandwich"])
def test_multinomial_against_mnlogit(cov_type):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 2))
    logits = np.column_stack([np.zeros(400), X @ [0.8, -0.3], X @ [-0.4, 0.6] + 0.2])
    y = np.array([rng.choice(3, p=p) for p in np.exp(logits) / np.exp(logits).sum(1)[:, None]])
    comparison = compare_with_statsmodels(FisherLogisticRegression(cov_type=cov_type), X, y)
    assert comparison.model == "MNLogit"
    assert comparison.agrees(), comparison


GLM_CASES = [
    ("poisson", "log"),
    ("poisson", "sqrt"),
    ("gamma", "log"),
    ("gaussian", "identity"),
    ("inverse_gaussian", "log"),
    ("binomial", "probit"),
]


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize(("family", "link"), GLM_CASES)
def test_glm_families_against_glm(family, link, cov_type):
    X, mu, rng = _counts()
    y = {
        "poisson": rng.poisson(mu).astype(float),
        "gamma": rng.gamma(3.0, mu / 3.0),
        "gaussian": mu + rng.normal(size=300),
        "inverse_gaussian": rng.wald(mu, 5.0),
        "binomial": (rng.random(300) < expit(X @ [0.5, -0.5])).astype(float),
    }[family]
    weight = rng.integers(1, 3, size=300).astype(float)
    fit_params = {"sample_weight": weight, "offset": np.full(300, 0.1)}
    if cov_type == "cluster":
        fit_params = {"groups": _groups(300)}
    estimator = FisherGLMRegressor(family=family, link=link, cov_type=cov_type, tol=1e-10)
    comparison = compare_with_statsmodels(estimator, X, y, **fit_params)
    assert comparison.model.startswith("GLM(")
    assert comparison.agrees(), comparison


def test_negative_binomial():
    X, mu, rng = _counts(2)
    y = rng.poisson(rng.gamma(2.0, mu / 2.0)).astype(float)
    fixed = compare_with_statsmodels(
        FisherGLMRegressor(family=NegativeBinomial(alpha=0.5), tol=1e-10), X, y
    )
    assert fixed.model == "GLM(NegativeBinomial, Log)" and fixed.agrees(), fixed
    estimated = compare_with_statsmodels(
        FisherGLMRegressor(family="negative_binomial", cov_type="observed", tol=1e-10), X, y
    )
    assert estimated.model == "NegativeBinomial(nb2)" and estimated.agrees(), estimated
    # statsmodels has no expected information for it: the comparison says so
    # and shows the difference between I and J in α.
    default = compare_with_statsmodels(
        FisherGLMRegressor(family="negative_binomial", tol=1e-10), X, y
    )
    assert "no expected information" in default.cov_type


def test_compare_errors(monkeypatch):
    X, mu, rng = _counts()
    y = rng.poisson(mu).astype(float)
    with pytest.raises(ValueError, match="passes sample_weight, offset and groups"):
        compare_with_statsmodels(FisherGLMRegressor(), X, y, weights=np.ones(300))
    three = rng.integers(0, 3, size=300)
    with pytest.raises(ValueError, match="MNLogit takes no weights"):
        compare_with_statsmodels(FisherLogisticRegression(), X, three, sample_weight=np.ones(300))
    distributions = pytest.importorskip("skfisher.distributions")
    if hasattr(distributions, "MLEDistribution"):
        fitted = distributions.MLEDistribution("normal").fit(y)
        with pytest.raises(ValueError, match="no statsmodels equivalent"):
            compare_with_statsmodels(fitted, y.reshape(-1, 1), y)
    real = importlib.import_module

    def refuse(name, *args):
        if name.startswith("statsmodels"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", refuse)
    with pytest.raises(ImportError, match="pip install statsmodels"):
        compare_with_statsmodels(FisherGLMRegressor(), X, y)
