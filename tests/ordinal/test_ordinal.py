"""FisherOrdinalRegression against statsmodels' OrderedModel and a direct scipy maximisation.

statsmodels fits the same cumulative-link model with the same sign convention
(see ``_reference.py`` for the mapping of its threshold increments to θ and of
its covariances by the delta method); scipy's BFGS on the log-likelihood
written from ``scipy.stats`` is a second, independent maximiser for the links
that statsmodels takes only as a distribution object.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import optimize
from statsmodels.datasets import anes96

from skfisher import FisherOrdinalRegression

from ._reference import (
    DISTRIBUTIONS,
    class_derivatives,
    increments_to_theta,
    loglik,
    statsmodels_reference,
    thresholds_jacobian,
)

LINKS = tuple(DISTRIBUTIONS)
COV_TYPES = ("fisher", "observed", "empirical", "sandwich", "cluster")

# Both fits solve the score equations to far below a standard error (ours to
# 1e-10 SE, statsmodels' Newton to a step of 1e-8): what is left is the
# rounding of statsmodels' numerical derivatives, about 1e-9 of an estimate.
PARAMS_RTOL = 1e-6
# An estimate near 0 has no relative precision: 1e-6 of its standard error.
PARAMS_SE_ATOL = 1e-6
# statsmodels' covariances invert its numerical Hessian (five-point steps of
# about 1e-4): good to about 2e-6 relative, measured on these data.
SE_RTOL = 1e-5
LOGLIK_RTOL = 1e-8
PROBA_ATOL = 1e-8


def _fit(X, y, link, cov_type="fisher", groups=None, **params):
    """Fit ours with every warning raised as an error: a clean fit is silent."""
    model = FisherOrdinalRegression(link, tol=1e-10, cov_type=cov_type, **params)
    clustered = {"groups": groups} if cov_type == "cluster" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return model.fit(X, y, **clustered)


def _fit_every_cov_type(X, y, link, groups):
    return {cov_type: _fit(X, y, link, cov_type, groups) for cov_type in COV_TYPES}


def _party_identification():
    """The 1996 ANES: party identification (7 points) on ideology, age, education, income."""
    data = anes96.load_pandas().data
    X = data[["selfLR", "age", "educ", "income", "TVnews"]]
    return X, data["PID"].astype(int).to_numpy(), data["educ"].to_numpy()


def _random_problem(seed, n=300, cuts=(-1.2, 0.0, 1.1)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 0.5, 2.0]
    latent = X @ [0.8, -0.6, 0.2] + rng.logistic(size=n)
    return X, np.digitize(latent, cuts), rng.integers(0, 20, size=n)


def assert_params_close(actual, expected, se):
    excess = np.abs(actual - expected) - PARAMS_RTOL * np.abs(expected) - PARAMS_SE_ATOL * se
    assert np.all(excess <= 0), f"estimates differ: {actual} vs {expected}"


def _check_against(ours_by_cov, reference):
    ours = ours_by_cov["fisher"]
    assert_params_close(ours.params_, reference.params, ours.standard_errors_)
    assert_allclose(ours.loglik_, reference.loglik, rtol=LOGLIK_RTOL)
    assert_allclose(ours.deviance_, -2 * reference.loglik, rtol=LOGLIK_RTOL)
    for cov_type, fitted in ours_by_cov.items():
        expected = np.sqrt(np.diag(reference.covariance[cov_type]))
        assert_allclose(fitted.standard_errors_, expected, rtol=SE_RTOL, err_msg=cov_type)


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_party_identification_matches_statsmodels(link):
    X, y, groups = _party_identification()
    reference = statsmodels_reference(X, y, link, groups=groups)
    ours = _fit_every_cov_type(X, y, link, groups)
    _check_against(ours, reference)
    assert_allclose(ours["fisher"].predict_proba(X), reference.proba, atol=PROBA_ATOL)
    assert ours["fisher"].param_names_.tolist()[-6:] == ["0|1", "1|2", "2|3", "3|4", "4|5", "5|6"]


@pytest.mark.parametrize("link", LINKS)
def test_random_problems_match_statsmodels(link):
    X, y, groups = _random_problem(seed=LINKS.index(link))
    reference = statsmodels_reference(X, y, link, groups=groups)
    ours = _fit_every_cov_type(X, y, link, groups)
    _check_against(ours, reference)
    assert_allclose(ours["fisher"].predict_proba(X), reference.proba, atol=PROBA_ATOL)
    cumulative = np.cumsum(reference.proba, axis=1)[:, :-1]
    assert_allclose(ours["fisher"].predict_cumulative_proba(X), cumulative, atol=PROBA_ATOL)


def _scipy_fit(X, y, link):
    """BFGS on the log-likelihood from scipy.stats in the increments, analytic gradient."""
    distribution = DISTRIBUTIONS[link]
    p, K = X.shape[1], y.max() + 1
    shares = np.cumsum(np.bincount(y))[:-1] / y.size
    start = np.r_[
        np.zeros(p), distribution.ppf(shares[0]), np.log(np.diff(distribution.ppf(shares)))
    ]

    def negative(phi):
        theta = increments_to_theta(phi, p)
        return -loglik(X, y, theta, distribution), -thresholds_jacobian(phi, p).T @ gradient(theta)

    def gradient(theta):
        proba, derivative = class_derivatives(X, theta, K, distribution)
        rows = np.arange(y.size)
        return np.sum(derivative[rows, y] / proba[rows, y][:, None], axis=0)

    result = optimize.minimize(negative, start, jac=True, method="BFGS", options={"gtol": 1e-9})
    theta = increments_to_theta(result.x, p)
    # J by central differences of the analytic gradient in θ (steps 1e-6: an
    # error of about 1e-10 relative, far below SE_RTOL).
    steps = 1e-6 * np.maximum(np.abs(theta), 1.0)
    hessian = np.column_stack(
        [
            (gradient(theta + h * e) - gradient(theta - h * e)) / (2 * h)
            for h, e in zip(steps, np.eye(theta.size), strict=True)
        ]
    )
    return theta, -0.5 * (hessian + hessian.T), -result.fun


@pytest.mark.parametrize("link", ["cloglog", "loglog", "cauchit"])
def test_links_without_a_name_in_statsmodels_match_a_direct_maximisation(link):
    X, y, _ = _random_problem(seed=10 + LINKS.index(link), n=250)
    theta, observed, maximum = _scipy_fit(X, y, link)
    ours = _fit(X, y, link, cov_type="observed")
    assert_params_close(ours.params_, theta, ours.standard_errors_)
    assert_allclose(ours.loglik_, maximum, rtol=LOGLIK_RTOL)
    assert_allclose(
        ours.observed_information_, observed, rtol=1e-6, atol=1e-6 * np.abs(observed).max()
    )
    assert_allclose(ours.standard_errors_, np.sqrt(np.diag(np.linalg.inv(observed))), rtol=SE_RTOL)


@pytest.mark.parametrize("link", LINKS)
def test_expected_information_is_the_dense_sum_over_classes(link):
    X, y, _ = _random_problem(seed=3, n=150)
    ours = _fit(X, y, link)
    from ._reference import expected_information

    weights = np.ones(y.size)
    expected = expected_information(X, ours.params_, 4, DISTRIBUTIONS[link], weights)
    assert_allclose(ours.information_, expected, rtol=1e-10, atol=1e-12 * np.abs(expected).max())
