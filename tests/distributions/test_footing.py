"""Fits on a scale-free footing: data × 10^k fit as the data do, or say why they cannot."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.exceptions import ConvergenceWarning

from skfisher import MLEDistribution
from skfisher.exceptions import BoundaryWarning

# Location-scale and scale families, with a sample each; index of (loc, scale) in params_.
SCALED = {
    "normal": (stats.norm(1.0, 2.0), (0, 1)),
    "logistic": (stats.logistic(1.0, 2.0), (0, 1)),
    "student_t": (stats.t(4.0, 1.0, 2.0), (0, 1)),
    "lognormal": (stats.lognorm(0.6, scale=2.0), (None, 1)),
    "exponential": (stats.expon(scale=2.0), (None, 0)),
    "gamma": (stats.gamma(2.5, scale=2.0), (None, 1)),
    "weibull": (stats.weibull_min(1.7, scale=2.0), (None, 1)),
    "inverse_gaussian": (stats.invgauss(0.5, scale=2.0), (None, 1)),
}


def _fit(name, x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning, no ConvergenceWarning
        warnings.simplefilter("ignore", BoundaryWarning)  # a t sample may have light tails
        return MLEDistribution(name).fit(x)


@settings(max_examples=15, deadline=None)
@given(name=st.sampled_from(sorted(SCALED)), k=st.integers(-140, 140), seed=st.integers(0, 99))
def test_rescaling_the_data_rescales_location_scale_and_standard_errors(name, k, seed):
    dist, (loc, scale) = SCALED[name]
    x = dist.rvs(size=60, random_state=seed)
    base, scaled = _fit(name, x), _fit(name, x * 10.0**k)
    factor = np.ones(base.params_.size)
    factor[[j for j in (loc, scale) if j is not None]] = 10.0**k
    # Both fits stop within tol = 1e-8 standard errors of the same MLE, and
    # x·10^k rounds: the estimates agree to about 1e-9 of a standard error.
    np.testing.assert_allclose(
        scaled.params_, base.params_ * factor, rtol=1e-10, atol=0, err_msg=name
    )
    finite = np.isfinite(scaled.standard_errors_)  # df = inf has none
    np.testing.assert_array_less(
        np.abs(scaled.params_[finite] - (base.params_ * factor)[finite]),
        1e-7 * scaled.standard_errors_[finite],
    )
    np.testing.assert_allclose(scaled.standard_errors_, base.standard_errors_ * factor, rtol=1e-7)
    # A density's log-likelihood moves by −n log 10^k.
    assert scaled.loglik_ == pytest.approx(base.loglik_ - x.size * k * np.log(10.0), rel=1e-10)


def test_normal_at_1e150_is_its_closed_form():
    x = np.random.default_rng(0).normal(size=100)
    model = _fit("normal", x * 1e150)
    assert model.converged_
    np.testing.assert_allclose(model.params_, [x.mean() * 1e150, x.std() * 1e150], rtol=1e-13)


@pytest.mark.parametrize(
    ("name", "factor"),
    [("exponential", 1e300), ("gamma", 1e-200), ("weibull", 1e200), ("student_t", 1e-200)],
)
def test_beyond_float64_range_the_error_names_the_magnitude(name, factor):
    # I ~ n/scale² and the covariance ~ scale²/n cannot both be float64 numbers.
    dist = SCALED[name][0]
    x = dist.rvs(size=100, random_state=1) * factor
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"spread of about .*e[+-]\d+.*fit X / "):
            MLEDistribution(name).fit(x)


@pytest.mark.parametrize(
    ("name", "factor"),
    [("exponential", 1e140), ("gamma", 1e-140), ("weibull", 1e120), ("student_t", 1e-120)],
)
def test_large_and_small_magnitudes_within_range_fit(name, factor):
    dist = SCALED[name][0]
    x = dist.rvs(size=100, random_state=1)
    base, scaled = _fit(name, x), _fit(name, x * factor)
    np.testing.assert_allclose(
        scaled.standard_errors_[-1 if name != "student_t" else 1],
        base.standard_errors_[-1 if name != "student_t" else 1] * factor,
        rtol=1e-7,
    )


@pytest.mark.parametrize("name", ["gamma", "weibull", "student_t", "logistic", "lognormal"])
def test_rounded_ties_fit_without_warnings(name):
    x = SCALED[name][0].rvs(size=300, random_state=2)
    x = np.round(x, 1)
    if name in ("gamma", "weibull", "lognormal"):
        x = x + 0.1  # keep the rounded data positive
    model = _fit(name, x)
    assert model.converged_ and np.all(np.isfinite(model.standard_errors_))


def test_not_converged_is_still_reported():
    x = stats.weibull_min(1.7, scale=3.0).rvs(size=200, random_state=17) * 1e100
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model = MLEDistribution("weibull", max_iter=1).fit(x)
    assert not model.converged_


@pytest.mark.parametrize("name", ["normal", "student_t", "gamma", "weibull"])
def test_a_long_column_takes_its_spread_from_a_subsample(name):
    """Beyond 2¹⁴ values the spread is a strided subsample's; the map back stays exact."""
    from skfisher.distributions._footing import _SPREAD_SAMPLE, standardise

    dist, (loc, scale) = SCALED[name]
    x = dist.rvs(size=3 * _SPREAD_SAMPLE + 5, random_state=4)
    base, scaled = _fit(name, x), _fit(name, x * 2.0**100)  # a power of two: x scales exactly
    factor = np.ones(base.params_.size)
    factor[[j for j in (loc, scale) if j is not None]] = 2.0**100
    np.testing.assert_allclose(scaled.params_, base.params_ * factor, rtol=1e-10, atol=0)
    np.testing.assert_allclose(scaled.standard_errors_, base.standard_errors_ * factor, rtol=1e-7)
    # The power of two is near the whole column's spread, not only the subsample's.
    footing = standardise(base.family_, {}, x * 2.0**100, None)[2]
    centre = np.median(x) if loc is not None else 0.0
    spread = np.median(np.abs(x - centre)) * 2.0**100
    assert spread / 4 <= footing.scale <= spread


def test_a_long_tied_column_falls_back_to_its_range():
    """Most values equal: the subsample's spread is 0, the largest deviation is used."""
    x = np.where(np.arange(40_000) % 5 < 3, 1.0, np.random.default_rng(5).normal(1.0, 2.0, 40_000))
    model = _fit("normal", x * 1e50)
    assert model.converged_
    np.testing.assert_allclose(model.params_, [x.mean() * 1e50, x.std() * 1e50], rtol=1e-10)
