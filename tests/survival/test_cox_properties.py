"""Properties of every Cox fit, on problems drawn by hypothesis.

At the fit the score is 0 (in standard errors); the information and the
empirical Fisher are symmetric positive semi-definite; a weight of 2 is a
repeated row (under Efron's ties too); rescaling a column rescales its
coefficient and standard error inversely and leaves the rest; and the
analytic score and Hessian are the derivatives of the log partial likelihood,
with fractional weights too.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from skfisher.survival import FisherCoxRegressor

PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)


@st.composite
def cox_problems(draw):
    """(X, y, strata, ties): moderate effects, censoring, ties from rounded times."""
    seed = draw(st.integers(0, 2**31 - 1))
    n = draw(st.integers(40, 200))
    p = draw(st.integers(1, 3))
    ties = draw(st.sampled_from(["efron", "breslow"]))
    rounding = draw(st.sampled_from([0.0, 0.05, 0.3]))
    n_strata = draw(st.integers(1, 3))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, size=p)
    beta = rng.uniform(-1.0, 1.0, size=p) / np.std(X, axis=0)
    time = rng.exponential(np.exp(-X @ beta))
    censor = rng.exponential(2.0 * np.median(time), size=n)
    observed = np.minimum(time, censor)
    if rounding:
        observed = np.ceil(observed / (rounding * np.median(observed)))
    y = np.column_stack([observed, (time <= censor).astype(float)])
    y[0, 1] = 1.0
    return X, y, rng.integers(0, n_strata, n), ties


@PROPERTY_SETTINGS
@given(cox_problems())
def test_the_fit_is_a_stationary_point_with_psd_matrices(problem):
    X, y, strata, ties = problem
    model = FisherCoxRegressor(ties).fit(X, y, strata=strata)
    assert model.converged_
    step = np.linalg.solve(model.information_, model.score_)
    assert np.sqrt(model.score_ @ step) <= model.tol
    for matrix in (model.information_, model.empirical_fisher_):
        assert_allclose(matrix, matrix.T, rtol=0, atol=0)
        assert np.linalg.eigvalsh(matrix).min() >= -1e-10 * np.abs(matrix).max()
    assert_allclose(model.score_residuals().sum(axis=0), model.score_, atol=1e-9)


@PROPERTY_SETTINGS
@given(cox_problems(), st.integers(0, 2**31 - 1))
def test_a_weight_of_two_is_a_repeated_row(problem, seed):
    X, y, strata, ties = problem
    rng = np.random.default_rng(seed)
    weights = rng.integers(1, 3, y.shape[0])
    rows = np.repeat(np.arange(y.shape[0]), weights)
    weighted = FisherCoxRegressor(ties).fit(X, y, sample_weight=weights, strata=strata)
    repeated = FisherCoxRegressor(ties).fit(X[rows], y[rows], strata=strata[rows])
    assert_allclose(weighted.params_, repeated.params_, rtol=1e-7, atol=1e-10)
    assert_allclose(weighted.standard_errors_, repeated.standard_errors_, rtol=1e-6)
    assert_allclose(weighted.loglik_, repeated.loglik_, rtol=1e-10)
    assert_allclose(weighted.empirical_fisher_, repeated.empirical_fisher_, rtol=1e-6, atol=1e-9)


@PROPERTY_SETTINGS
@given(cox_problems(), st.sampled_from([1e-3, 0.5, 7.0, 1e3]))
def test_rescaling_a_column_rescales_its_coefficient_and_error(problem, factor):
    X, y, strata, ties = problem
    model = FisherCoxRegressor(ties, cov_type="sandwich").fit(X, y, strata=strata)
    scaled = X.copy()
    scaled[:, 0] *= factor
    other = FisherCoxRegressor(ties, cov_type="sandwich").fit(scaled, y, strata=strata)
    expected = model.params_.copy()
    expected[0] /= factor
    assert_allclose(other.params_, expected, rtol=1e-6, atol=1e-10)
    errors = model.standard_errors_.copy()
    errors[0] /= factor
    assert_allclose(other.standard_errors_, errors, rtol=1e-5)
    assert_allclose(other.loglik_, model.loglik_, rtol=1e-10)


@PROPERTY_SETTINGS
@given(cox_problems(), st.integers(0, 2**31 - 1))
def test_score_and_hessian_are_the_derivatives_of_the_partial_likelihood(problem, seed):
    X, y, strata, ties = problem
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.2, 3.0, y.shape[0])  # fractional: Efron's last terms too
    problem = FisherCoxRegressor(ties).fit(X, y, sample_weight=weights)._fitted_problem
    beta = rng.normal(scale=0.3, size=X.shape[1]) / np.std(X, axis=0)
    h = 1e-5 * np.maximum(1.0, np.abs(beta))
    score, hessian = [], []
    for j in range(beta.size):
        step = np.zeros(beta.size)
        step[j] = h[j]
        up, down = beta + step, beta - step
        score.append((problem.loglik(up) - problem.loglik(down)) / (2 * h[j]))
        hessian.append((problem.score(up) - problem.score(down)) / (2 * h[j]))
    assert_allclose(problem.score(beta), score, rtol=1e-5, atol=1e-6)
    assert_allclose(problem.observed_information(beta), -np.array(hessian), rtol=1e-5, atol=1e-6)
