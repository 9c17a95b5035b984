"""FisherSurvivalRegressor against a censored likelihood written out with scipy.stats.

The log-likelihood of each distribution is written here from scipy's own
densities and survival functions of T (``weibull_min``, ``expon``, ``lognorm``,
``fisk``), independently of the package's error laws, and maximised by
``scipy.optimize.minimize``; its derivatives are taken by finite differences.
On random problems (censoring, weights, a few features) the package's fit is
that maximum, its score and observed information are those derivatives at
random parameters, and its log-likelihood is that value.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import optimize, stats

from skfisher._numdiff import richardson_jacobian
from skfisher.survival import FisherSurvivalRegressor

DISTRIBUTIONS = ["weibull", "exponential", "lognormal", "loglogistic"]


def _law(distribution, location, sigma):
    """The scipy distribution of T with ``log T = location + σ W``."""
    scale = np.exp(location)
    if distribution == "weibull":
        return stats.weibull_min(1.0 / sigma, scale=scale)
    if distribution == "exponential":
        return stats.expon(scale=scale)
    if distribution == "lognormal":
        return stats.lognorm(sigma, scale=scale)
    return stats.fisk(1.0 / sigma, scale=scale)


def scipy_loglik(theta, X, time, event, weights, distribution):
    """Σ w [δ log f(t) + (1 − δ) log S(t)] on the time scale, θ = (β₀, β, log σ)."""
    p = X.shape[1] + 1
    location = theta[0] + X @ theta[1:p]
    sigma = 1.0 if distribution == "exponential" else np.exp(theta[p])
    law = _law(distribution, location, sigma)
    terms = np.where(event == 1, law.logpdf(time), law.logsf(time))
    return float(weights @ terms)


def _problem(seed, distribution):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(60, 200)), int(rng.integers(1, 4))
    X = rng.normal(size=(n, k)) * rng.uniform(0.5, 2.0, size=k)
    beta = rng.uniform(-0.5, 0.5, size=k)
    sigma = 1.0 if distribution == "exponential" else rng.uniform(0.4, 1.5)
    w = {
        "weibull": np.log(rng.exponential(size=n)),
        "exponential": np.log(rng.exponential(size=n)),
        "lognormal": rng.normal(size=n),
        "loglogistic": rng.logistic(size=n),
    }[distribution]
    time = np.exp(0.5 + X @ beta + sigma * w)
    censor = rng.exponential(2.0 * np.median(time), size=n)
    event = (time <= censor).astype(float)
    weights = rng.integers(1, 4, size=n).astype(float)
    return X, np.minimum(time, censor), event, weights


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
@pytest.mark.parametrize("seed", range(4))
def test_the_fit_is_the_maximum_of_the_scipy_likelihood(distribution, seed):
    X, time, event, weights = _problem(seed, distribution)
    y = np.column_stack([time, event])
    model = FisherSurvivalRegressor(distribution).fit(X, y, sample_weight=weights)
    assert model.converged_

    def negative(theta):
        return -scipy_loglik(theta, X, time, event, weights, distribution)

    start = np.zeros(model.params_.size)
    start[0] = np.log(time.mean())
    with np.errstate(all="ignore"):  # scipy's logsf of far candidates
        found = optimize.minimize(negative, start, method="BFGS", options={"gtol": 1e-9})
        found = optimize.minimize(
            negative,
            found.x,
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20000},
        )
    # The optimiser's own precision, in standard errors.
    assert np.all(np.abs(found.x - model.params_) <= 1e-5 * model.standard_errors_)
    assert model.loglik_ >= -found.fun - 1e-9 * abs(found.fun)
    assert_allclose(model.loglik_, -found.fun, rtol=1e-11)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
@pytest.mark.parametrize("seed", range(3))
def test_loglik_score_and_hessian_are_those_of_the_scipy_likelihood(distribution, seed):
    X, time, event, weights = _problem(100 + seed, distribution)
    y = np.column_stack([time, event])
    model = FisherSurvivalRegressor(distribution).fit(X, y, sample_weight=weights)
    problem = model._fitted_problem
    rng = np.random.default_rng(seed)
    theta = model.params_ + 0.3 * rng.normal(size=model.params_.size) * model.standard_errors_

    def loglik(t):
        return scipy_loglik(t, X, time, event, weights, distribution)

    steps = np.full(theta.size, 1e-3)
    score = richardson_jacobian(lambda t: [loglik(t)], theta, steps)[0]
    hessian = richardson_jacobian(problem.score, theta, steps)
    assert_allclose(problem.loglik(theta), loglik(theta), rtol=1e-12)
    assert_allclose(problem.score(theta), score, rtol=1e-7, atol=1e-7 * np.abs(score).max())
    observed = problem.observed_information(theta)
    assert_allclose(-hessian, observed, rtol=1e-7, atol=1e-8 * np.abs(observed).max())
    # The second derivatives of the scipy likelihood itself, by differences of differences.
    numeric = richardson_jacobian(
        lambda t: richardson_jacobian(lambda s: [loglik(s)], t, steps)[0], theta, steps
    )
    assert_allclose(-numeric, observed, rtol=1e-4, atol=1e-5 * np.abs(observed).max())
