"""What FisherSurvivalRegressor predicts: medians, quantiles and their intervals, curves, C.

The median of each distribution in closed form, ``exp(η + σ w_½)`` with
``w_½ = log log 2`` for the extreme-value law and 0 for the normal and the
logistic; the survival function at a quantile is one minus its probability;
the quantile intervals are the delta method's, checked against a Jacobian by
finite differences of the quantile in the parameters (and for coverage on
simulated data); the curves as callables and on the grid agree; ``score`` is
Harrell's C of the predicted times, as scikit-survival's.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from skfisher._numdiff import richardson_jacobian
from skfisher.survival import FisherSurvivalRegressor
from skfisher.survival._aft_predict import AFTCurve

DISTRIBUTIONS = ["weibull", "exponential", "lognormal", "loglogistic"]
W_HALF = {"weibull": np.log(np.log(2.0)), "exponential": np.log(np.log(2.0))}
QUANTILE = {
    "weibull": lambda q: np.log(-np.log(1 - q)),
    "exponential": lambda q: np.log(-np.log(1 - q)),
    "lognormal": stats.norm.ppf,
    "loglogistic": lambda q: np.log(q / (1 - q)),
}


def _simulate(distribution, n=250, seed=0, beta=(0.5, -0.4), sigma=0.7):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(beta)))
    sigma = 1.0 if distribution == "exponential" else sigma
    w = {
        "weibull": np.log(rng.exponential(size=n)),
        "exponential": np.log(rng.exponential(size=n)),
        "lognormal": rng.normal(size=n),
        "loglogistic": rng.logistic(size=n),
    }[distribution]
    time = np.exp(1.0 + X @ np.asarray(beta) + sigma * w)
    censor = rng.uniform(1.0, 10.0, n)
    return X, np.column_stack([np.minimum(time, censor), (time <= censor).astype(float)])


@pytest.fixture(params=DISTRIBUTIONS)
def fitted(request):
    X, y = _simulate(request.param)
    return request.param, X, y, FisherSurvivalRegressor(request.param).fit(X, y)


def test_the_median_in_closed_form_and_the_survival_there_is_one_half(fitted):
    distribution, X, _, model = fitted
    eta = model.intercept_ + X @ model.coef_
    median = np.exp(eta + model.scale_ * W_HALF.get(distribution, 0.0))
    assert_allclose(model.predict(X), median, rtol=1e-13)
    assert_allclose(model.predict_quantile(X), median, rtol=1e-13)
    curves = model.predict_survival_function(X[:20])
    assert_allclose(
        [curve(m) for curve, m in zip(curves, median[:20], strict=True)], 0.5, rtol=1e-12
    )
    hazards = model.predict_cumulative_hazard_function(X[:20])
    assert_allclose(
        [h(m) for h, m in zip(hazards, median[:20], strict=True)], np.log(2.0), rtol=1e-12
    )


def test_quantiles_are_where_the_survival_falls_to_one_minus_q(fitted):
    distribution, X, _, model = fitted
    q = np.array([0.05, 0.3, 0.75, 0.99])
    quantiles = model.predict_quantile(X[:10], q)
    assert quantiles.shape == (10, 4)
    eta = model.intercept_ + X[:10] @ model.coef_
    closed = np.exp(eta[:, None] + model.scale_ * QUANTILE[distribution](q))
    assert_allclose(quantiles, closed, rtol=1e-12)
    for curve, row in zip(model.predict_survival_function(X[:10]), quantiles, strict=True):
        assert_allclose(curve(row), 1 - q, rtol=1e-10)
    assert np.all(np.diff(quantiles, axis=1) > 0)


def test_curves_on_the_grid_are_the_callables_there(fitted):
    _, X, y, model = fitted
    grid = model.unique_times_
    assert_allclose(grid, np.unique(y[y[:, 1] == 1, 0]))
    values = model.predict_survival_function(X[:7], return_array=True)
    hazards = model.predict_cumulative_hazard_function(X[:7], return_array=True)
    curves = model.predict_survival_function(X[:7])
    assert values.shape == (7, grid.size)
    assert all(isinstance(curve, AFTCurve) for curve in curves)
    for curve, row in zip(curves, values, strict=True):
        assert_allclose(curve.x, grid)
        assert_allclose(curve.y, row, rtol=1e-14)
        assert_allclose(curve(grid), row, rtol=1e-14)
        assert curve(0.0) == 1.0 and curve.domain == (0.0, grid[-1])
    assert_allclose(hazards, -np.log(values), rtol=1e-10)
    assert np.all(np.diff(values, axis=1) <= 0) and np.all((values > 0) & (values < 1))
    assert "AFTCurve(distribution=" in repr(curves[0])


def test_quantile_intervals_are_the_delta_method_with_a_finite_difference_jacobian(fitted):
    distribution, X, _, model = fitted
    q = np.array([0.1, 0.5, 0.9])
    rows = X[:6]

    def log_quantiles(theta):
        p = 1 + rows.shape[1]
        sigma = 1.0 if distribution == "exponential" else np.exp(theta[p])
        return (theta[0] + rows @ theta[1:p])[:, None] + sigma * QUANTILE[distribution](q)

    jacobian = richardson_jacobian(
        lambda t: log_quantiles(t).ravel(), model.params_, np.full(model.params_.size, 1e-4)
    )
    variance = np.einsum("ij,jk,ik->i", jacobian, model.covariance_, jacobian).reshape(6, 3)
    quantile, lower, upper, std_err = model.predict_quantile_interval(rows, q, alpha=0.1)
    assert_allclose(std_err, np.sqrt(variance), rtol=1e-8)
    assert_allclose(np.log(quantile), log_quantiles(model.params_), rtol=1e-12)
    z = stats.norm.ppf(0.95)
    assert_allclose(lower, quantile * np.exp(-z * std_err), rtol=1e-12)
    assert_allclose(upper, quantile * np.exp(z * std_err), rtol=1e-12)
    single = model.predict_quantile_interval(rows, 0.5, alpha=0.1)
    for value, column in zip(single, (quantile, lower, upper, std_err), strict=True):
        assert value.shape == (6,)
        assert_allclose(value, column[:, 1], rtol=1e-14)


@pytest.mark.slow
@pytest.mark.parametrize("distribution", ["weibull", "lognormal"])
def test_quantile_intervals_cover_the_true_quantile(distribution):
    rows = np.array([[0.0, 0.0], [1.0, -1.0]])
    true_beta, sigma = np.array([0.5, -0.4]), 0.7
    truth = np.exp(1.0 + rows @ true_beta + sigma * QUANTILE[distribution](0.25))
    covered = np.zeros(2)
    replications = 300
    for seed in range(replications):
        X, y = _simulate(distribution, n=150, seed=1000 + seed, beta=true_beta, sigma=sigma)
        model = FisherSurvivalRegressor(distribution).fit(X, y)
        _, lower, upper, _ = model.predict_quantile_interval(rows, 0.25, alpha=0.1)
        covered += (lower <= truth) & (truth <= upper)
    # 90% intervals: 300 replications put 0.9 within ±0.052 (three binomial SEs).
    assert np.all(np.abs(covered / replications - 0.9) < 0.052)


def test_score_is_harrells_c_of_the_predicted_times(fitted):
    _, X, y, model = fitted
    sksurv = pytest.importorskip("sksurv.metrics")
    median = model.predict(X)
    expected = sksurv.concordance_index_censored(y[:, 1] == 1, y[:, 0], -np.log(median))[0]
    assert_allclose(model.score(X, y), expected, rtol=1e-12)
    assert 0.6 < model.score(X, y) < 0.9
    weights = np.arange(X.shape[0]) % 3
    rows = np.repeat(np.arange(X.shape[0]), weights)
    assert_allclose(model.score(X, y, weights), model.score(X[rows], y[rows]), rtol=1e-12)


def test_the_exponential_curve_is_the_exponential_law():
    X, y = _simulate("exponential")
    model = FisherSurvivalRegressor("exponential").fit(X, y)
    assert "log_scale" not in model.param_names_ and model.scale_ == 1.0
    t = np.array([0.1, 1.0, 5.0])
    rate = np.exp(-(model.intercept_ + X[:3] @ model.coef_))
    curves = model.predict_survival_function(X[:3])
    assert_allclose([c(t) for c in curves], np.exp(-rate[:, None] * t), rtol=1e-12)
