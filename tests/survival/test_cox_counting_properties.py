"""Properties of Cox fits on counting-process data, on problems drawn by hypothesis.

A row split at interior times into pieces (start, stop] with the same
covariates, the event on the last, is the same row: the fit of the pieces has
the coefficients, standard errors, log partial likelihood, baseline,
concordance and proportional-hazards test of the unsplit rows, and its
covariance by subject (``cov_type="cluster"``) is their sandwich. The score and
Hessian of counting-process data (starts tied with event times, fractional
weights) are the derivatives of the log partial likelihood; the concordance
is a brute-force count of R's comparable pairs; and the monotone likelihood
of counting-process data is found where the risk sets, not the stops alone,
make the events the most extreme.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from skfisher.exceptions import PerfectSeparationWarning
from skfisher.survival import FisherCoxRegressor
from skfisher.survival._concordance import pair_counts
from skfisher.survival._monotone import monotone_direction
from skfisher.survival._problem import CoxProblem

from .test_cox_counting import split

PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)


@st.composite
def plain_problems(draw):
    """``(X, y, strata, weights, ties)``: [time, event] data, ties from rounded times."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    n, p = draw(st.integers(25, 120)), draw(st.integers(1, 3))
    X = rng.normal(size=(n, p))
    time = rng.exponential(np.exp(-X @ rng.uniform(-0.7, 0.7, p)))
    if draw(st.booleans()):
        time = np.ceil(time / (0.2 * np.median(time)))
    event = (rng.uniform(size=n) < 0.7).astype(float)
    event[0] = 1.0
    strata = rng.integers(0, draw(st.integers(1, 2)), n)
    weights = rng.integers(1, 4, n).astype(float) if draw(st.booleans()) else None
    return (
        X,
        np.column_stack([time, event]),
        strata,
        weights,
        draw(st.sampled_from(["efron", "breslow"])),
    )


def _fit(model, *args, **kwargs):
    """Fit, or None when the likelihood is monotone on a small draw."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            return model.fit(*args, **kwargs)
        except PerfectSeparationWarning:
            return None


@PROPERTY_SETTINGS
@given(plain_problems(), st.integers(0, 2**31 - 1))
def test_rows_split_into_pieces_are_the_rows_unsplit(problem, seed):
    X, y, strata, weights, ties = problem
    # Each row its own cluster: J⁻¹ Σ (w s)(w s)ᵀ J⁻¹, R's robust variance.
    model = FisherCoxRegressor(ties, cov_type="cluster")
    whole = _fit(model, X, y, weights, strata, groups=np.arange(y.shape[0]))
    assume(whole is not None and whole.converged_)
    pieces, rows = split(y, seed, times=y[y[:, 1] == 1, 0])
    w = None if weights is None else weights[rows]
    parts = FisherCoxRegressor(ties, cov_type="cluster").fit(
        X[rows], pieces, sample_weight=w, strata=strata[rows], groups=rows
    )
    naive = np.sqrt(np.diag(np.linalg.inv(whole.information_)))
    assert np.all(np.abs(parts.coef_ - whole.coef_) <= 1e-6 * naive)
    assert_allclose(np.sqrt(np.diag(np.linalg.inv(parts.information_))), naive, rtol=1e-6)
    assert_allclose(parts.standard_errors_, whole.standard_errors_, rtol=1e-6)
    assert_allclose(parts.loglik_, whole.loglik_, rtol=1e-10)
    assert_allclose(parts.null_loglik_, whole.null_loglik_, rtol=1e-12)
    assert_allclose(parts.concordance_, whole.concordance_, rtol=1e-12)
    assert_allclose(parts.unique_times_, whole.unique_times_, rtol=0)
    assert_allclose(
        parts.baseline_cumulative_hazard_, whole.baseline_cumulative_hazard_, rtol=1e-6
    )
    for transform in ("km", "identity"):
        got = parts.proportional_hazards_test(transform).global_test.statistic
        expected = whole.proportional_hazards_test(transform).global_test.statistic
        assert_allclose(got, expected, rtol=1e-5, atol=1e-8)


@st.composite
def counting_problems(draw):
    """``(X, y, weights, ties)``: integer starts and stops, so that starts tie with events."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    n, p = draw(st.integers(20, 80)), draw(st.integers(1, 3))
    X = rng.normal(size=(n, p))
    start = rng.integers(-3, 6, n).astype(float)
    stop = start + rng.integers(1, 8, n)
    event = (rng.uniform(size=n) < 0.6).astype(float)
    event[0] = 1.0
    weights = rng.uniform(0.2, 3.0, n)  # fractional: Efron's last terms too
    return (
        X,
        np.column_stack([start, stop, event]),
        weights,
        draw(st.sampled_from(["efron", "breslow"])),
    )


@PROPERTY_SETTINGS
@given(counting_problems(), st.integers(0, 2**31 - 1))
def test_score_and_hessian_are_the_derivatives_of_the_partial_likelihood(problem, seed):
    X, y, weights, ties = problem
    strata = np.zeros(y.shape[0], dtype=np.intp)
    problem = CoxProblem(X, y[:, 1], y[:, 2], weights, strata, ties, start=y[:, 0])
    rng = np.random.default_rng(seed)
    beta = rng.normal(scale=0.3, size=X.shape[1])
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
    residuals = problem.residuals(beta)
    assert_allclose(weights @ residuals, problem.score(beta), rtol=1e-9, atol=1e-10)


def brute_force(start, stop, event, score, weights, strata, tol=1e-8):
    """R's pairs: event i at t against each j of its stratum with start_j < t and a later
    stop, or censored at t."""
    concordant = discordant = tied = 0.0
    for i in np.flatnonzero(event == 1):
        t = stop[i]
        later = (stop > t) | ((stop == t) & (event == 0))
        for j in np.flatnonzero(later & (start < t) & (strata == strata[i])):
            pair = weights[i] * weights[j]
            if abs(score[i] - score[j]) <= tol:
                tied += pair
            elif score[i] > score[j]:
                concordant += pair
            else:
                discordant += pair
    return concordant, discordant, tied


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(1, 70), st.integers(0, 2**31 - 1), st.sampled_from([1, 3]), st.booleans())
def test_counting_pair_counts_are_the_brute_force_counts(n, seed, n_strata, weighted):
    rng = np.random.default_rng(seed)
    start = rng.integers(-2, max(2, n // 4), n).astype(float)
    stop = start + rng.integers(1, max(2, n // 3), n)
    event = (rng.uniform(size=n) < 0.6).astype(float)
    score = np.round(rng.normal(size=n), 1)  # many ties in risk
    weights = rng.uniform(0.5, 3.0, n) if weighted else np.ones(n)
    strata = rng.integers(0, n_strata, n)
    expected = brute_force(start, stop, event, score, weights, strata)
    got = pair_counts(stop, event, score, weights, strata, start=start)
    assert_allclose(got, expected, atol=1e-9)


def _separated(monotone):
    """Rows whose events all have x = 1 and the others 0, but for three rows of x = 2 at risk
    after every event time only (start 5): monotone on (start, stop], not on the stops."""
    rng = np.random.default_rng(11)
    n = 40
    stop = rng.integers(1, 6, n).astype(float)
    event = (rng.uniform(size=n) < 0.5).astype(float)
    event[0] = 1.0
    x = np.where(event == 1, 1.0, 0.0)
    start = np.zeros(n)
    late = np.array([[5.0 if monotone else 0.0, 9.0, 0.0, 2.0]] * 3)
    y = np.column_stack(
        [np.r_[start, late[:, 0]], np.r_[stop, late[:, 1]], np.r_[event, late[:, 2]]]
    )
    X = np.column_stack([np.r_[x, late[:, 3]], rng.normal(size=n + 3)])
    return X, y


def test_monotone_likelihood_is_read_off_the_counting_risk_sets():
    X, y = _separated(monotone=True)
    with pytest.warns(PerfectSeparationWarning, match=r"\['x0'\] diverge \(x0 → \+inf\)"):
        model = FisherCoxRegressor().fit(X, y)
    assert np.isnan(model.standard_errors_[0]) and not model.converged_
    direction = monotone_direction(model._fitted_problem)
    # Each event's x d is the largest among the rows at risk at its time.
    eta = X @ direction
    for i in np.flatnonzero(y[:, 2] == 1):
        at_risk = (y[:, 0] < y[i, 1]) & (y[i, 1] <= y[:, 1])
        assert eta[i] >= eta[at_risk].max() - 1e-9
    X, y = _separated(monotone=False)  # the rows of x = 2 at risk from 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        model = FisherCoxRegressor().fit(X, y)
    assert model.converged_ and monotone_direction(model._fitted_problem) is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_monotone_likelihood_of_split_rows_is_that_of_the_rows(seed):
    rng = np.random.default_rng(seed)
    n = 60
    time = rng.permutation(n) + 1.0
    event = (rng.uniform(size=n) < 0.7).astype(float)
    X = np.column_stack([-time, rng.normal(size=n)])  # the earlier event, the larger x0
    y = np.column_stack([time, event])
    with pytest.warns(PerfectSeparationWarning) as whole:
        FisherCoxRegressor().fit(X, y)
    pieces, rows = split(y, seed, times=time[event == 1])
    with pytest.warns(PerfectSeparationWarning) as parts:
        FisherCoxRegressor().fit(X[rows], pieces)
    assert str(parts[0].message) == str(whole[0].message)
