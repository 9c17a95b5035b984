"""Properties of every two-part count fit, on problems drawn by hypothesis.

At the fit the score is 0 (in standard errors); the three information
matrices are symmetric positive semi-definite; a weight of 2 is a repeated
row; rescaling a column rescales its coefficients and their standard errors
and leaves the rest. At the boundaries: counts without excess zeros make the
inflation vanish (``BoundaryWarning``), and the count part is then the plain
Poisson GLM's; underdispersed counts put the negative binomial's α at 0, and
the rest is the Poisson two-part model's.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import expit

from skfisher import FisherPoissonRegressor
from skfisher.counts import FisherHurdleRegressor, FisherZeroInflatedRegressor
from skfisher.exceptions import BoundaryWarning

from ._reference import simulate

# Each example fits a few models of 150–400 rows: ~25 examples per test keep
# the module near ten seconds.
PROPERTY_SETTINGS = settings(max_examples=12, deadline=None, derandomize=True)
KINDS = {"inflated": FisherZeroInflatedRegressor, "hurdle": FisherHurdleRegressor}
COV_TYPES = ("fisher", "observed", "empirical", "sandwich")


@st.composite
def count_problems(draw):
    """(kind, family, X, y): a two-part problem well inside the parameter space."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    family = draw(st.sampled_from(["poisson", "negative_binomial"]))
    X, y, _ = simulate(
        draw(st.integers(0, 2**31 - 1)),
        kind=kind,
        family=family,
        n=draw(st.integers(150, 400)),
        p=draw(st.integers(1, 3)),
        alpha=draw(st.sampled_from([0.3, 1.0])),
    )
    return kind, family, X, y


@PROPERTY_SETTINGS
@given(count_problems())
def test_the_fit_is_a_stationary_point(problem):
    kind, family, X, y = problem
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no boundary, no convergence warning
        model = KINDS[kind](family).fit(X, y)
    assert model.converged_ and model.n_iter_ >= 1
    step = np.linalg.solve(model.information_, model.score_)
    assert np.sqrt(model.score_ @ step) <= model.tol
    assert np.all(np.isfinite(model.standard_errors_))


@PROPERTY_SETTINGS
@given(count_problems())
def test_information_matrices_are_symmetric_positive_semi_definite(problem):
    model = KINDS[problem[0]](problem[1]).fit(*problem[2:])
    for matrix in (model.information_, model.observed_information_, model.empirical_fisher_):
        assert_allclose(matrix, matrix.T, rtol=1e-12, atol=1e-12 * np.abs(matrix).max())
        eigenvalues = np.linalg.eigvalsh(matrix)
        assert eigenvalues.min() >= -1e-10 * eigenvalues.max()
    for cov_type in COV_TYPES:
        assert np.all(np.diag(model.covariance(cov_type)) > 0)


@PROPERTY_SETTINGS
@given(count_problems(), st.integers(0, 2**31 - 1))
def test_a_weight_of_two_is_a_repeated_row(problem, seed):
    kind, family, X, y = problem
    weights = np.random.default_rng(seed).integers(0, 4, size=y.size)
    kept = weights > 0
    assume(np.any(y[kept] == 0) and np.sum(y[kept] > 1) > 5)
    weighted = KINDS[kind](family, tol=1e-10).fit(X, y, sample_weight=weights)
    repeated = KINDS[kind](family, tol=1e-10).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    se = repeated.standard_errors_
    assert np.max(np.abs(weighted.params_ - repeated.params_) / se) <= 1e-7
    assert_allclose(weighted.loglik_, repeated.loglik_, rtol=1e-11)
    assert weighted.nobs_ == repeated.nobs_ == weights.sum()
    for cov_type in COV_TYPES:
        assert_allclose(
            weighted.standard_errors(cov_type), repeated.standard_errors(cov_type), rtol=1e-6
        )


@PROPERTY_SETTINGS
@given(count_problems(), st.floats(-2.0, 2.0), st.data())
def test_rescaling_a_column_rescales_its_coefficients(problem, log_scale, data):
    kind, family, X, y = problem
    column = data.draw(st.integers(0, X.shape[1] - 1))
    factor = 10.0**log_scale
    model = KINDS[kind](family, tol=1e-10).fit(X, y)
    scaled_X = X.copy()
    scaled_X[:, column] *= factor
    scaled = KINDS[kind](family, tol=1e-10).fit(scaled_X, y)
    # The column's coefficient in the count part (1 + column) and in the zero part.
    p = X.shape[1] + 1
    unit = np.ones(model.params_.size)
    unit[[1 + column, p + 1 + column]] = 1.0 / factor
    se = model.standard_errors_
    assert np.max(np.abs(scaled.params_ - unit * model.params_) / se) <= 1e-6
    assert_allclose(scaled.loglik_, model.loglik_, rtol=1e-11)
    for cov_type in COV_TYPES:
        assert_allclose(
            scaled.standard_errors(cov_type), unit * model.standard_errors(cov_type), rtol=1e-6
        )


@st.composite
def poisson_counts(draw):
    """(X, y): Poisson counts of 150–400 rows, no structural zeros."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    n, p = draw(st.integers(150, 400)), draw(st.integers(1, 3))
    X = rng.normal(size=(n, p))
    y = rng.poisson(np.exp(0.3 + X @ rng.uniform(-0.4, 0.4, size=p))).astype(float)
    return X, y


def _excess_zero_score(X, y, alpha):
    """The inflation intercept's score at π → 0, per unit π: ``Σ (1{y=0}/f(0) − 1)``."""
    f0 = np.exp(-FisherPoissonRegressor(alpha=alpha, tol=1e-10).fit(X, y).predict(X))
    return float(np.sum((y == 0) / f0 - 1.0))


@PROPERTY_SETTINGS
@given(poisson_counts(), st.sampled_from([0.0, 0.5]))
def test_without_excess_zeros_the_inflation_vanishes(problem, alpha):
    """The count part is then the Poisson GLM's, penalised alike, numbers and all."""
    X, y = problem
    # Inflation of a constant: the boundary is the maximum exactly when the
    # intercept's score there is negative (fewer zeros than the Poisson fit's).
    assume(_excess_zero_score(X, y, alpha) < -1.0)
    with pytest.warns(BoundaryWarning, match="zero inflation vanished"):
        model = FisherZeroInflatedRegressor(inflation_features=[], alpha=alpha, tol=1e-10)
        model.fit(X, y)
    plain = FisherPoissonRegressor(alpha=alpha, tol=1e-10).fit(X, y)
    assert_allclose(model.intercept_, plain.intercept_, rtol=1e-7, atol=1e-9)
    assert_allclose(model.coef_, plain.coef_, rtol=1e-7, atol=1e-9)
    assert not model.converged_ and np.isnan(model.standard_errors_[-1])
    assert expit(model.inflation_intercept_) < 1e-9
    # Up to the structural zeros' share, below 1e-9 at every row.
    assert_allclose(model.loglik_, plain.loglik_, rtol=1e-8)
    p = X.shape[1] + 1
    for cov_type in COV_TYPES:
        assert_allclose(
            model.standard_errors(cov_type)[:p], plain.standard_errors(cov_type), rtol=1e-6
        )


@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.integers(0, 2**31 - 1), st.sampled_from(sorted(KINDS)))
def test_underdispersed_counts_put_alpha_at_zero(seed, kind):
    """Binomial counts (variance below the mean): the NB fit is the Poisson one."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, 2))
    counts = rng.binomial(6, expit(-1.0 + 0.5 * X[:, 0])).astype(float)
    if kind == "hurdle":
        counts = np.maximum(counts, 1.0 + (rng.random(300) < 0.5))
    y = np.where(rng.random(300) < expit(-0.5 + X[:, 1]), 0.0, counts)
    with pytest.warns(BoundaryWarning, match="alpha went to its boundary 0"):
        negbin = KINDS[kind]("negative_binomial", tol=1e-10).fit(X, y)
    poisson = KINDS[kind]("poisson", tol=1e-10).fit(X, y)
    assert not negbin.converged_ and poisson.converged_
    assert negbin.alpha_ < 1e-7 and np.isnan(negbin.standard_errors_[-1])
    se = poisson.standard_errors_
    assert np.max(np.abs(negbin.params_[:-1] - poisson.params_) / se) <= 1e-6
    assert_allclose(negbin.loglik_, poisson.loglik_, rtol=1e-7)
    assert_allclose(negbin.standard_errors_[:-1], se, rtol=1e-5)
