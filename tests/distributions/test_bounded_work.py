"""Fits whose work must stay bounded: large counts, heavy tails, moving supports."""

import time

import numpy as np
import pytest
from scipy import stats

from skfisher import MLEDistribution
from skfisher.distributions import NegativeBinomial
from skfisher.distributions._generic import _discrete_support_points


def _series_information_n(n, p):
    """``Σ_j P(X > j)/(n + j)²`` summed term by term (the definition)."""
    last = int(stats.nbinom.isf(1e-17, n, p)) + 2
    j = np.arange(last, dtype=float)
    return float(np.sum(stats.nbinom.sf(j, n, p) / (n + j) ** 2))


@pytest.mark.parametrize(
    ("n", "p"), [(2.5, 0.3), (0.01, 0.5), (50.0, 0.9), (1e4, 0.999), (3.0, 1e-3), (0.001, 0.01)]
)
def test_negative_binomial_information_equals_its_series(n, p):
    # Quadrature to 1e-13 against a sum of up to 10⁴ terms, each with rounding 1e-16.
    assert NegativeBinomial._information_n(n, p) == pytest.approx(
        _series_information_n(n, p), rel=1e-12
    )


def test_negative_binomial_with_counts_near_a_million_is_fast():
    """The reported case took 6 min 40 s: 10⁷ terms of nbinom.sf per iteration."""
    x = np.round(np.random.default_rng(0).gamma(2, 1, 50) * 1e6)
    start = time.perf_counter()
    model = MLEDistribution("negative_binomial").fit(x)
    assert time.perf_counter() - start < 5.0
    assert model.converged_ and model.n_iter_ < 10
    n, p = model.params_
    # The log-likelihood equals scipy's (whose log Γ differences round to 1e-9 here).
    assert model.loglik_ == pytest.approx(stats.nbinom.logpmf(x, n, p).sum(), rel=1e-10)
    info_n = NegativeBinomial._information_n(n, p) * x.size
    assert model.information_[0, 0] == pytest.approx(info_n, rel=1e-12)


def test_heavy_tailed_discrete_support_is_bounded_before_scipy():
    # scipy's zipf(2.5).isf(1e-15) allocates an ~1.3 GB array; the bound needs 21 sf calls.
    points = _discrete_support_points(stats.zipf(2.5))
    assert points[0] == 1 and points.size <= 2**20 + 1
    light = _discrete_support_points(stats.poisson(3.0))
    assert light[-1] >= stats.poisson(3.0).isf(1e-15) and light.size < 64


@pytest.mark.slow
def test_zipf_fit_needs_no_huge_array():
    x = stats.zipf(2.5).rvs(size=200, random_state=0).astype(float)
    model = MLEDistribution(stats.zipf).fit(x)
    assert model.converged_
    assert model.params_[0] == pytest.approx(2.5, abs=4 * model.standard_errors_[0])


@pytest.mark.parametrize("fixed", [None, {"b": 1.0}])
def test_support_closing_on_the_data_is_refused(fixed):
    """Was "did not converge after 0 iterations" with nan standard errors."""
    x = 5.0 + stats.expon.rvs(size=50, random_state=1) * 0.1
    with pytest.raises(ValueError, match="support of scipy.stats.truncexpon closes on the data"):
        MLEDistribution(stats.truncexpon, fixed=fixed).fit(x)


def test_data_outside_a_generic_support_named_in_their_units():
    x = 5.0 + stats.expon.rvs(size=50, random_state=1) * 0.1
    with pytest.raises(ValueError, match=r"requires X in \[0, .*the first being 5\.0"):
        MLEDistribution(stats.truncexpon, fixed={"loc": 0.0, "scale": 1.0}).fit(x)
