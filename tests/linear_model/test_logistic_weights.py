"""sample_weight are frequency weights: a weight of m is m repeated rows."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from skfisher import FisherLogisticRegression

COV_TYPES = ("fisher", "observed", "empirical", "sandwich")
MATRICES = ("information_", "observed_information_", "empirical_fisher_")

# Both fits converge to machine precision; what is left is the order of
# summation over rows, a few ulps times the number of rows.
RTOL = 1e-9


def _fit(X, y, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return FisherLogisticRegression(tol=1e-10, **params).fit(X, y, sample_weight)


def assert_same_fit(left, right):
    """The two fits agree in every quantity of the Fisher contract."""
    assert_allclose(left.params_, right.params_, rtol=RTOL, atol=1e-12)
    assert_allclose(left.loglik_, right.loglik_, rtol=RTOL)
    assert left.nobs_ == right.nobs_
    for name in MATRICES:
        assert_allclose(getattr(left, name), getattr(right, name), rtol=RTOL, err_msg=name)
    assert_allclose(left.covariance_, right.covariance_, rtol=1e-8)
    assert_allclose(left.standard_errors_, right.standard_errors_, rtol=1e-8)


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_integer_weights_equal_repeated_rows(logistic_data, cov_type, fit_intercept):
    X, y = logistic_data
    weight = np.random.default_rng(1).integers(1, 5, len(y))
    repeats = np.repeat(np.arange(len(y)), weight)
    params = {"cov_type": cov_type, "fit_intercept": fit_intercept}
    weighted = _fit(X, y, weight.astype(float), **params)
    repeated = _fit(X[repeats], y[repeats], **params)
    assert_same_fit(weighted, repeated)
    assert weighted.nobs_ == weight.sum()


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_zero_weight_equals_dropping_the_row(logistic_data, cov_type):
    X, y = logistic_data
    X = X.copy()
    weight = np.ones(len(y))
    weight[:20] = 0.0
    # Rows that would separate the classes or dominate the fit if they counted.
    X[:10, 0] = 1e3 * (2 * y[:10] - 1)
    X[10:20, 1] = 1e6
    dropped = _fit(X[20:], y[20:], cov_type=cov_type)
    zeroed = _fit(X, y, weight, cov_type=cov_type)
    assert_same_fit(zeroed, dropped)


def test_unit_weights_equal_no_weights(logistic_data):
    X, y = logistic_data
    assert_same_fit(_fit(X, y, np.ones(len(y))), _fit(X, y))


def test_scaling_all_weights_scales_the_matrices(logistic_data):
    X, y = logistic_data
    weight = np.random.default_rng(2).uniform(0.5, 2.0, len(y))
    base = _fit(X, y, weight)
    scaled = _fit(X, y, 2.5 * weight)
    assert_allclose(scaled.params_, base.params_, rtol=RTOL)
    assert_allclose(scaled.loglik_, 2.5 * base.loglik_, rtol=RTOL)
    for name in MATRICES:
        assert_allclose(getattr(scaled, name), 2.5 * getattr(base, name), rtol=RTOL)
    assert_allclose(scaled.standard_errors_, base.standard_errors_ / np.sqrt(2.5), rtol=1e-8)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_sparse_weighted_equals_dense_weighted(logistic_data, cov_type):
    X, y = logistic_data
    weight = np.random.default_rng(3).integers(0, 4, len(y)).astype(float)
    dense = _fit(X, y, weight, cov_type=cov_type)
    sparse = _fit(sp.csr_matrix(X), y, weight, cov_type=cov_type)
    assert_same_fit(sparse, dense)
