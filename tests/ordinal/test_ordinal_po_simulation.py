"""The score test of proportional odds against the likelihood-ratio test, its size and power.

The larger model (a slope per threshold, ``P(Y ≤ j | x) = F(θ_j − xᵀβ_j)``) is
fitted here by brute force (BFGS on its log-likelihood, from the restricted
fit), so that the likelihood-ratio statistic is an independent check of the
score statistic, which needs only the restricted fit. The simulations draw
n = 500 rows: under proportional odds the test rejects at 5% about 5% of the
time, and against slopes that change across thresholds nearly always.
"""

import numpy as np
from numpy.testing import assert_allclose
from scipy import optimize, stats

from skfisher import FisherOrdinalRegression

CUTS = np.array([-1.0, 0.0, 1.2])


def _draw(rng, n, slopes):
    """Classes 0..3 from cumulative logits with one slope row per threshold."""
    X = rng.uniform(-1.0, 1.0, size=(n, slopes.shape[1]))
    cumulative = stats.logistic.cdf(CUTS - X @ slopes.T)
    return X, (rng.random(n)[:, None] > cumulative).sum(axis=1)


def _free_slopes_loglik(phi, X, y):
    """The log-likelihood of the model with a slope per threshold (−inf where it crosses)."""
    k, p = CUTS.size, X.shape[1]
    slopes, thresholds = phi[: k * p].reshape(k, p), phi[k * p :]
    cdf = stats.logistic.cdf(thresholds[None, :] - X @ slopes.T)
    cdf = np.column_stack([np.zeros(len(y)), cdf, np.ones(len(y))])
    p_y = cdf[np.arange(len(y)), y + 1] - cdf[np.arange(len(y)), y]
    return np.sum(np.log(p_y)) if np.all(p_y > 0) else -np.inf


def _likelihood_ratio(model, X, y):
    start = np.concatenate([np.tile(model.coef_, CUTS.size), model.thresholds_])

    def negative(phi):
        value = _free_slopes_loglik(phi, X, y)
        return -value if np.isfinite(value) else 1e300

    fit = optimize.minimize(negative, start, method="BFGS", options={"gtol": 1e-9})
    return 2.0 * (-fit.fun - model.loglik_)


def test_the_score_statistic_is_close_to_the_likelihood_ratio():
    rng = np.random.default_rng(7)
    slopes = np.array([[0.6, 0.4], [0.9, 0.4], [1.2, 0.4]])  # feature 0 not proportional
    X, y = _draw(rng, 500, slopes)
    model = FisherOrdinalRegression().fit(X, y)
    score = model.proportional_odds_test().statistic[-1]
    likelihood_ratio = _likelihood_ratio(model, X, y)
    assert likelihood_ratio > 0
    assert_allclose(score, likelihood_ratio, rtol=0.15)


def test_the_size_at_five_percent_is_between_three_and_eight_percent():
    rng = np.random.default_rng(11)
    slopes = np.tile([0.8, -0.5], (CUTS.size, 1))  # proportional odds hold
    rejections = [
        FisherOrdinalRegression().fit(*_draw(rng, 500, slopes)).proportional_odds_test().pvalue[-1]
        < 0.05
        for _ in range(400)
    ]
    assert 0.03 <= np.mean(rejections) <= 0.08


def test_the_power_against_changing_slopes_is_above_ninety_percent():
    rng = np.random.default_rng(13)
    slopes = np.array([[0.3, -0.5], [1.0, -0.5], [1.7, -0.5]])
    rejections = [
        FisherOrdinalRegression().fit(*_draw(rng, 500, slopes)).proportional_odds_test().pvalue[-1]
        < 0.05
        for _ in range(100)
    ]
    assert np.mean(rejections) > 0.9
