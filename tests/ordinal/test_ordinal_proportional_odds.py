"""The score test of parallel lines (proportional odds) against a dense reference.

The reference writes the class probabilities of the model with free slopes
from ``scipy.stats`` and differentiates them numerically (five-point stencil):
``U = Σ_i ∂p_iy/∂φ / p_iy`` and ``I = Σ_i Σ_k ∂p_ik ∂p_ikᵀ / p_ik`` at the
restricted estimate, for each set of free slopes. The test is then checked
for its size under proportional odds and its power against slopes that
change from threshold to threshold.
"""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from skfisher import FisherOrdinalRegression

from ._reference import DISTRIBUTIONS


def _proportional(seed, n=300, beta=(0.8, -0.5)):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, len(beta)))
    return X, np.digitize(X @ beta + rng.logistic(size=n), [-0.8, 0.2, 1.1])


def _non_proportional(seed, n=600):
    """Feature 0's slope rises from 0.5 to 2.5 across the three thresholds; feature 1's is 0.8."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    slopes = np.array([[0.5, 0.8], [1.5, 0.8], [2.5, 0.8]])
    cumulative = stats.logistic.cdf(np.array([-1.5, 0.0, 1.5]) - X @ slopes.T)
    u = rng.random(n)[:, None]
    return X, (u > cumulative).sum(axis=1)


def _class_proba(phi, X, free, n_cuts, distribution):
    """``p_ik`` of the model whose features in ``free`` have a slope per threshold."""
    p = X.shape[1]
    slopes = np.empty((n_cuts, p))
    position = 0
    for m in range(p):
        width = n_cuts if m in free else 1
        slopes[:, m] = phi[position : position + width]
        position += width
    gamma = phi[position:][None, :] - X @ slopes.T
    cdf = np.column_stack([np.zeros(len(X)), distribution.cdf(gamma), np.ones(len(X))])
    return np.diff(cdf, axis=1)


def _restricted_point(model, free, n_cuts):
    coef = [np.repeat(b, n_cuts if m in free else 1) for m, b in enumerate(model.coef_)]
    return np.concatenate([*coef, model.thresholds_])


def _reference_statistic(model, X, y, free):
    n_cuts = len(model.classes_) - 1
    distribution = DISTRIBUTIONS[model.link]
    phi = _restricted_point(model, free, n_cuts)
    h = 1e-3
    derivatives = []
    for e in np.eye(phi.size):
        values = [
            _class_proba(phi + t * h * e, X, free, n_cuts, distribution) for t in (-2, -1, 1, 2)
        ]
        derivatives.append((values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h))
    derivative = np.stack(derivatives, axis=-1)  # (n, K, k)
    proba = _class_proba(phi, X, free, n_cuts, distribution)
    rows = np.arange(y.size)
    score = np.sum(derivative[rows, y] / proba[rows, y][:, None], axis=0)
    information = np.einsum("ika,ikb->ab", derivative / proba[:, :, None], derivative)
    return score @ np.linalg.solve(information, score)


@pytest.mark.parametrize("link", ["logit", "probit", "cloglog"])
def test_the_statistics_are_the_dense_score_tests(link):
    X, y = _non_proportional(seed=1, n=300)
    X = np.column_stack([X, np.random.default_rng(2).normal(size=y.size)])
    model = FisherOrdinalRegression(link, tol=1e-10).fit(X, y)
    test = model.proportional_odds_test()
    assert test.names == ["x0", "x1", "x2", "all features"]
    assert test.df.tolist() == [2, 2, 2, 6]
    expected = [_reference_statistic(model, X, y, free) for free in ([0], [1], [2], [0, 1, 2])]
    assert_allclose(test.statistic, expected, rtol=1e-6)
    assert_allclose(test.pvalue, stats.chi2.sf(expected, test.df), rtol=1e-5)


def test_slopes_that_change_across_thresholds_are_found():
    X, y = _non_proportional(seed=3)
    test = FisherOrdinalRegression().fit(X, y).proportional_odds_test()
    assert test.pvalue[0] < 1e-6  # feature 0's slopes differ
    assert test.pvalue[1] > 0.01  # feature 1's do not
    assert test.pvalue[2] < 1e-5
    frame = test.to_frame()
    assert frame.index.tolist() == ["x0", "x1", "all features"]
    assert "all features" in str(test)


def test_under_proportional_odds_the_p_values_are_uniform():
    pvalues = [
        FisherOrdinalRegression().fit(*_proportional(seed)).proportional_odds_test().pvalue[-1]
        for seed in range(100)
    ]
    assert stats.kstest(pvalues, "uniform").pvalue > 0.01


def test_the_test_needs_the_data_and_the_maximum_likelihood_estimate():
    X, y = _proportional(0)
    restored = pickle.loads(pickle.dumps(FisherOrdinalRegression().fit(X, y)))
    with pytest.raises(ValueError, match="needs the training data"):
        restored.proportional_odds_test()
    with pytest.raises(ValueError, match="is penalised"):
        FisherOrdinalRegression(alpha=0.1).fit(X, y).proportional_odds_test()
