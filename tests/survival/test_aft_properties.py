"""Properties of every accelerated-failure-time fit, on problems drawn by hypothesis.

At the fit the score is 0 (in standard errors); the information, the
observed information and the empirical Fisher are symmetric positive
semi-definite; a weight of 2 is a repeated row; rescaling a column rescales
its coefficient and standard error inversely and leaves the rest; shifting
log t by c shifts the intercept by c and the log-likelihood by the events'
Jacobian; and without censoring the information is the expected one.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from skfisher.survival import FisherSurvivalRegressor

PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
DISTRIBUTIONS = ["weibull", "exponential", "lognormal", "loglogistic"]


@st.composite
def aft_problems(draw, censoring=True):
    """(X, y, distribution): moderate effects, the scale and the censoring drawn."""
    seed = draw(st.integers(0, 2**31 - 1))
    n = draw(st.integers(40, 200))
    p = draw(st.integers(1, 3))
    distribution = draw(st.sampled_from(DISTRIBUTIONS))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, size=p)
    beta = rng.uniform(-1.0, 1.0, size=p) / np.std(X, axis=0)
    sigma = 1.0 if distribution == "exponential" else rng.uniform(0.3, 1.5)
    w = {
        "weibull": np.log(rng.exponential(size=n)),
        "exponential": np.log(rng.exponential(size=n)),
        "lognormal": rng.normal(size=n),
        "loglogistic": rng.logistic(size=n),
    }[distribution]
    time = np.exp(rng.uniform(-2, 2) + X @ beta + sigma * w)
    if not censoring:
        return X, np.column_stack([time, np.ones(n)]), distribution
    censor = rng.exponential(draw(st.sampled_from([1.0, 3.0])) * np.median(time), size=n)
    y = np.column_stack([np.minimum(time, censor), (time <= censor).astype(float)])
    y[: p + 3, 1] = 1.0  # enough events for the coefficients
    return X, y, distribution


def _psd(matrix):
    assert_allclose(matrix, matrix.T, rtol=0, atol=0)
    assert np.linalg.eigvalsh(matrix).min() >= -1e-10 * np.abs(matrix).max()


@PROPERTY_SETTINGS
@given(aft_problems())
def test_the_fit_is_a_stationary_point_with_psd_matrices(problem):
    X, y, distribution = problem
    model = FisherSurvivalRegressor(distribution).fit(X, y)
    assert model.converged_
    step = np.linalg.solve(model.observed_information_, model.score_)
    assert np.sqrt(model.score_ @ step) <= model.tol
    for matrix in (model.information_, model.observed_information_, model.empirical_fisher_):
        _psd(matrix)
    assert_allclose(model.score_residuals().sum(axis=0), model.score_, atol=1e-9)


@PROPERTY_SETTINGS
@given(aft_problems(), st.integers(0, 2**31 - 1))
def test_a_weight_of_two_is_a_repeated_row(problem, seed):
    X, y, distribution = problem
    weights = np.random.default_rng(seed).integers(1, 3, y.shape[0]).astype(float)
    rows = np.repeat(np.arange(y.shape[0]), weights.astype(int))
    weighted = FisherSurvivalRegressor(distribution, cov_type="sandwich").fit(
        X, y, sample_weight=weights
    )
    repeated = FisherSurvivalRegressor(distribution, cov_type="sandwich").fit(X[rows], y[rows])
    assert_allclose(weighted.params_, repeated.params_, rtol=1e-7, atol=1e-9)
    assert_allclose(weighted.standard_errors_, repeated.standard_errors_, rtol=1e-6)
    assert_allclose(weighted.loglik_, repeated.loglik_, rtol=1e-10)
    assert_allclose(weighted.information_, repeated.information_, rtol=1e-6, atol=1e-9)


@PROPERTY_SETTINGS
@given(aft_problems(), st.floats(-6, 6), st.integers(0, 2))
def test_rescaling_a_column_rescales_its_coefficient_and_error(problem, power, column):
    X, y, distribution = problem
    column = column % X.shape[1]
    factor = 10.0**power
    scaled = X.copy()
    scaled[:, column] *= factor
    base = FisherSurvivalRegressor(distribution).fit(X, y)
    other = FisherSurvivalRegressor(distribution).fit(scaled, y)
    ratio = np.ones(base.params_.size)
    ratio[1 + column] = 1.0 / factor
    assert_allclose(other.params_, base.params_ * ratio, rtol=1e-6, atol=1e-9)
    assert_allclose(other.standard_errors_, base.standard_errors_ * ratio, rtol=1e-6)
    assert_allclose(other.loglik_, base.loglik_, rtol=1e-10)


@PROPERTY_SETTINGS
@given(aft_problems(), st.floats(-5, 5))
def test_multiplying_the_times_shifts_the_intercept(problem, shift):
    X, y, distribution = problem
    base = FisherSurvivalRegressor(distribution).fit(X, y)
    moved = y.copy()
    moved[:, 0] *= np.exp(shift)
    other = FisherSurvivalRegressor(distribution).fit(X, moved)
    expected = base.params_.copy()
    expected[0] += shift
    assert_allclose(other.params_, expected, rtol=1e-6, atol=1e-8)
    assert_allclose(other.standard_errors_, base.standard_errors_, rtol=1e-6)
    assert_allclose(other.loglik_, base.loglik_ - shift * y[:, 1].sum(), rtol=1e-9, atol=1e-9)


@PROPERTY_SETTINGS
@given(aft_problems(censoring=False))
def test_without_censoring_the_information_is_the_expected_one(problem):
    X, y, distribution = problem
    model = FisherSurvivalRegressor(distribution).fit(X, y)
    a, b, c = {
        "weibull": (1.0, 1.0 - np.euler_gamma, np.pi**2 / 6 + (1.0 - np.euler_gamma) ** 2),
        "exponential": (1.0, 0.0, 0.0),
        "lognormal": (1.0, 0.0, 2.0),
        "loglogistic": (1.0 / 3.0, 0.0, (np.pi**2 + 3.0) / 9.0),
    }[distribution]
    design = np.column_stack([np.ones(X.shape[0]), X])
    sigma = model.scale_
    expected = np.zeros((model.params_.size,) * 2)
    p = design.shape[1]
    expected[:p, :p] = a / sigma**2 * design.T @ design
    if distribution != "exponential":
        expected[:p, p] = expected[p, :p] = b / sigma * design.sum(axis=0)
        expected[p, p] = c * X.shape[0]
    assert_allclose(model.information_, expected, rtol=1e-12, atol=1e-12)
    # The observed information has the same expectation: at the maximum they
    # agree to sampling error.
    ratio = np.diag(model.observed_information_) / np.diag(expected)
    assert np.all(np.abs(ratio - 1) < 0.8)
