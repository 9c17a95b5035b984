"""Properties of every ordinal fit, on problems drawn by hypothesis.

At the fit the score is 0 (in standard errors) and the thresholds increase;
a weight of 2 is a repeated row; the three information matrices are
symmetric positive semi-definite; and with two classes the cumulative logit
is the logistic regression with the intercept −θ.
"""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from skfisher import FisherLogisticRegression, FisherOrdinalRegression
from skfisher._linalg import Design
from skfisher._scoring import fisher_scoring
from skfisher.links import Logit
from skfisher.ordinal._problem import CumulativeLinkProblem, start_theta

LINKS = ("logit", "probit", "cloglog", "loglog", "cauchit")
NOISE = {
    "logit": stats.logistic,
    "probit": stats.norm,
    "cloglog": stats.gumbel_l,
    "loglog": stats.gumbel_r,
    "cauchit": stats.cauchy,
}
PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)


@st.composite
def ordinal_problems(draw, min_classes=3):
    """(X, y, link): moderate effects, classes cut at quantiles of the latent variable."""
    seed = draw(st.integers(0, 2**31 - 1))
    n = draw(st.integers(60, 200))
    p = draw(st.integers(1, 3))
    K = draw(st.integers(min_classes, 5))
    link = draw(st.sampled_from(LINKS))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, size=p)
    beta = rng.uniform(-1.0, 1.0, size=p) / np.std(X, axis=0)
    latent = X @ beta + NOISE[link].rvs(size=n, random_state=rng)
    cuts = np.quantile(latent, np.linspace(0, 1, K + 1)[1:-1])
    return X, np.searchsorted(cuts, latent), link


@PROPERTY_SETTINGS
@given(ordinal_problems())
def test_the_fit_is_a_stationary_point_with_increasing_thresholds(problem):
    X, y, link = problem
    model = FisherOrdinalRegression(link).fit(X, y)
    assert model.converged_
    assert np.all(np.diff(model.thresholds_) > 0)
    step = np.linalg.solve(model.information_, model.score_)
    assert np.sqrt(model.score_ @ step) <= model.tol
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert_allclose(
        np.cumsum(proba, axis=1)[:, :-1], model.predict_cumulative_proba(X), atol=1e-12
    )


@PROPERTY_SETTINGS
@given(ordinal_problems(), st.integers(0, 2**31 - 1))
def test_a_weight_of_two_is_a_repeated_row(problem, seed):
    X, y, link = problem
    weights = np.random.default_rng(seed).integers(0, 4, size=y.size)
    assume(np.all(np.bincount(y, weights=weights, minlength=y.max() + 1) > 0))
    weighted = FisherOrdinalRegression(link, tol=1e-10).fit(X, y, sample_weight=weights)
    repeated = FisherOrdinalRegression(link, tol=1e-10).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    assert_allclose(weighted.params_, repeated.params_, rtol=1e-8, atol=1e-10)
    assert_allclose(weighted.loglik_, repeated.loglik_, rtol=1e-10)
    assert weighted.nobs_ == repeated.nobs_
    for cov_type in ("fisher", "observed", "empirical", "sandwich"):
        assert_allclose(
            weighted.standard_errors(cov_type), repeated.standard_errors(cov_type), rtol=1e-7
        )


def _assert_symmetric_psd(matrix):
    assert_allclose(matrix, matrix.T, rtol=0, atol=1e-12 * np.abs(matrix).max())
    scale = np.sqrt(np.diag(matrix))
    eigenvalues = np.linalg.eigvalsh(matrix / np.outer(scale, scale))
    assert eigenvalues.min() > -1e-10


@PROPERTY_SETTINGS
@given(ordinal_problems())
def test_the_information_matrices_are_symmetric_positive_semi_definite(problem):
    X, y, link = problem
    model = FisherOrdinalRegression(link).fit(X, y)
    for name in ("information_", "observed_information_", "empirical_fisher_"):
        _assert_symmetric_psd(getattr(model, name))
    # E[J] = I: at the fit they are close, not equal (except by accident).
    assert not np.allclose(model.information_, model.observed_information_, rtol=1e-8)


def _two_class_fit(X, y):
    """The cumulative logit with K = 2, fitted by the problem class and the loop."""
    weights = np.ones(y.size)
    problem = CumulativeLinkProblem(Design(X, fit_intercept=False), y, 2, weights, Logit())
    result = fisher_scoring(problem, start_theta(problem), tol=1e-12)
    assert result.converged
    return problem, result.theta


@PROPERTY_SETTINGS
@given(ordinal_problems(min_classes=2).filter(lambda problem: problem[1].max() == 1))
def test_two_classes_are_the_logistic_regression_with_the_intercept_minus_theta(problem):
    X, y, _ = problem
    ordinal, theta = _two_class_fit(X, y)
    # P(y = 1) = 1 − F(θ − xᵀβ) = expit(xᵀβ − θ): intercept −θ, the same slopes.
    logistic = FisherLogisticRegression(tol=1e-12).fit(X, y)
    sign = np.r_[np.ones(X.shape[1]), -1.0]
    assert_allclose(sign * theta, np.r_[logistic.coef_.ravel(), logistic.intercept_], rtol=1e-8)
    assert_allclose(ordinal.loglik(theta), logistic.loglik_, rtol=1e-12)
    order = np.r_[np.arange(1, X.shape[1] + 1), 0]  # [β, θ] against [intercept, coef]
    flip = np.outer(sign, sign)
    for ours, theirs in (
        (ordinal.information(theta), logistic.information_),
        (ordinal.observed_information(theta), logistic.observed_information_),
        (ordinal.empirical_fisher(theta), logistic.empirical_fisher_),
    ):
        expected = flip * theirs[np.ix_(order, order)]
        assert_allclose(ours, expected, rtol=1e-8, atol=1e-10 * np.abs(expected).max())
    errors = np.sqrt(np.diag(np.linalg.inv(ordinal.information(theta))))
    assert_allclose(errors, logistic.standard_errors_[order], rtol=1e-8)
