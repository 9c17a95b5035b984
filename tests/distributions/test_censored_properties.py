"""Properties of censored fits on hypothesis' samples (derandomized: CI runs the same ones).

On samples with every kind of censoring, drawn over each family's parameters
and censoring schemes: the score is zero to tol standard errors where the
fit says it converged, the information is the observed one, symmetric and
positive definite, the empirical Fisher positive semi-definite, ``loglik_`` is
the censored log-likelihood (computed from scipy) and no nearby point is
higher, and integer weights are repeated observations.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from skfisher import MLEDistribution

from .test_censored import FAMILIES, reference_loglik

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)
THETA = {
    "normal": st.tuples(st.floats(-100.0, 100.0), st.floats(0.01, 100.0)),
    "logistic": st.tuples(st.floats(-100.0, 100.0), st.floats(0.01, 100.0)),
    "lognormal": st.tuples(st.floats(0.1, 3.0), st.floats(0.01, 100.0)),
    "weibull": st.tuples(st.floats(0.3, 10.0), st.floats(0.01, 100.0)),
    "exponential": st.tuples(st.floats(0.01, 100.0)),
    "gamma": st.tuples(st.floats(0.3, 20.0), st.floats(0.01, 100.0)),
}
# Messages of samples refused by design (no maximum, or one on the boundary).
REFUSED = ("Every observation", "every censored observation allows", "allows the values")


@st.composite
def censored_samples(draw, name):
    """A sample from the family with detection limits, censoring times and bins."""
    make = FAMILIES[name][0]
    frozen = make(draw(THETA[name]))
    seed = draw(st.integers(0, 2**31 - 1))
    n = draw(st.integers(12, 80))
    rng = np.random.default_rng(seed)
    x = frozen.rvs(n, random_state=rng)
    limit = frozen.ppf(draw(st.floats(0.0, 0.4)))
    cap = frozen.ppf(draw(st.floats(0.6, 1.0)))
    kind = rng.choice(
        4, size=n, p=draw(st.sampled_from([(0.7, 0.1, 0.1, 0.1), (0.4, 0.2, 0.2, 0.2)]))
    )
    exact = x[(kind == 0) & (x > limit) & (x < cap)]
    left = np.full(np.sum((kind == 0) & (x <= limit)), limit)
    right = np.r_[np.full(np.sum((kind == 0) & (x >= cap)), cap), x[kind == 2] * rng.uniform()]
    width = frozen.std() * draw(st.floats(0.1, 2.0))
    low = np.floor(x[kind == 3] / width) * width
    interval = np.clip(np.column_stack([low, low + width]), *frozen.support())
    right = right[right > frozen.support()[0]]
    data = stats.CensoredData(exact, left=left, right=right, interval=interval)
    weights = rng.integers(1, 4, size=len(data)).astype(float)
    return make, data, weights


def _fit(name, data, weights=None):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            return MLEDistribution(name).fit(data, sample_weight=weights)
    except ValueError as error:
        assume(not any(message in str(error) for message in REFUSED))
        raise


@pytest.mark.parametrize("name", sorted(THETA))
@SETTINGS
@given(data=st.data())
def test_censored_fit_properties(name, data):
    make, sample, _ = data.draw(censored_samples(name))
    # Without censoring the fit is the uncensored one, with the expected information.
    assume(len(sample) >= 5 and sample.num_censored() > 0)
    model = _fit(name, sample)
    info = model.information_
    np.testing.assert_array_equal(info, model.observed_information_)
    np.testing.assert_array_equal(info, info.T)
    empirical = model.empirical_fisher_
    assert np.linalg.eigvalsh(empirical).min() >= -1e-10 * np.abs(empirical).max()
    assert model.loglik_ == pytest.approx(reference_loglik(make(model.params_), sample), rel=1e-10)
    assume(model.converged_)
    assert np.linalg.eigvalsh(info).min() > 0
    U = model.score_
    spacing = 2.0 * np.spacing(np.abs(model.params_))
    floor = spacing @ info @ spacing
    assert U @ np.linalg.solve(info, U) <= max(model.tol**2, floor) * (1.0 + 1e-6)
    # A local maximum: no point a tenth of a standard error away is higher.
    for j, se in enumerate(model.standard_errors_):
        for sign in (-1.0, 1.0):
            nearby = model.params_.copy()
            nearby[j] += sign * 0.1 * se
            with np.errstate(all="ignore"):
                value = reference_loglik(make(nearby), sample)
            assert not value > model.loglik_ + 1e-10 * abs(model.loglik_)


@pytest.mark.parametrize("name", ["weibull", "normal", "gamma"])
@settings(max_examples=8, deadline=None, derandomize=True)
@given(data=st.data())
def test_weights_are_repeated_observations(name, data):
    _, sample, weights = data.draw(censored_samples(name))
    assume(len(sample) >= 5)
    groups = [sample._uncensored, sample._left, sample._right, sample._interval]
    counts = np.split(weights.astype(int), np.cumsum([len(g) for g in groups])[:-1])
    repeated = stats.CensoredData(
        np.repeat(groups[0], counts[0]),
        left=np.repeat(groups[1], counts[1]),
        right=np.repeat(groups[2], counts[2]),
        interval=np.repeat(groups[3], counts[3], axis=0),
    )
    weighted = _fit(name, sample, weights)
    expanded = _fit(name, repeated)
    assume(weighted.converged_ and expanded.converged_)
    np.testing.assert_allclose(weighted.params_, expanded.params_, rtol=1e-7)
    np.testing.assert_allclose(weighted.standard_errors_, expanded.standard_errors_, rtol=1e-6)
    assert weighted.loglik_ == pytest.approx(expanded.loglik_, rel=1e-10)
