"""The Tweedie family: its exact density, moments and derivations."""

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import logsumexp

from skfisher.families import Tweedie, get_family

from ._checks import (
    ContinuousExpectation,
    check_eta_derivatives,
    check_loglik_matches,
    check_start_inside_domain,
    check_support,
    check_unit_deviance,
    check_variance_deriv,
)

Y = np.array([0.0, 0.05, 0.5, 1.0, 2.0, 4.0, 12.0])
MU = np.array([0.2, 0.4, 1.5, 2.0, 2.0, 5.0, 10.0])


def _compound_log_density(y, mu, phi, p, terms=400):
    """The compound Poisson–gamma log-density by its defining sum over N (y > 0)."""
    rate = mu ** (2 - p) / (phi * (2 - p))
    shape = (2 - p) / (p - 1)
    scale = phi * (p - 1) * mu ** (p - 1)
    n = np.arange(1, terms)
    log_terms = stats.poisson.logpmf(n, rate) + stats.gamma.logpdf(y, n * shape, scale=scale)
    return logsumexp(log_terms)


def _expectation(mu, phi, p, sample_points):
    family = Tweedie(p)
    mass_at_zero = np.exp(-(mu ** (2 - p)) / (phi * (2 - p)))
    return ContinuousExpectation(
        lambda v: family.loglik_obs(v, np.full_like(v, mu), phi),
        0.0,
        80.0,
        sample_points=sample_points,
        mass_at_zero=mass_at_zero,
    )


@pytest.mark.parametrize("p", [1.05, 1.2, 1.5, 1.9])
@pytest.mark.parametrize("phi", [0.3, 1.0, 3.0])
def test_loglik_is_the_compound_poisson_gamma_density(p, phi):
    family = Tweedie(p)
    positive = Y > 0
    reference = [
        _compound_log_density(y, m, phi, p) for y, m in zip(Y[positive], MU[positive], strict=True)
    ]
    check_loglik_matches(family, Y[positive], MU[positive], phi, reference)
    # At y = 0 the point mass P(N = 0) = exp(−λ).
    zero = family.loglik_obs(np.array([0.0]), np.array([MU[0]]), phi)
    assert_allclose(zero, -(MU[0] ** (2 - p)) / (phi * (2 - p)), rtol=1e-14)


@pytest.mark.parametrize("p", [1.5, 1.9])
def test_loglik_matches_statsmodels_where_its_series_is_accurate(p):
    # statsmodels evaluates W by scipy's log_wright_bessel, accurate to ~1e-12
    # for γ = (2−p)/(p−1) ≤ 1 but off by up to 5e-6 (p = 1.2) and 5e-4
    # (p = 1.05) in log W for larger γ; there the compound sum above is the
    # reference.
    reference = sm.families.Tweedie(var_power=p).loglike_obs(Y, MU, scale=0.7)
    check_loglik_matches(Tweedie(p), Y, MU, 0.7, reference)


@pytest.mark.parametrize("p", [1.2, 1.7])
def test_density_has_mean_mu_and_variance_phi_mu_to_the_p(p):
    mu, phi = 2.0, 0.8
    expectation = _expectation(mu, phi, p, [0.0, 1.0])
    # Adaptive quadrature of a smooth density: ~1e-10.
    assert_allclose(expectation(lambda v: v), mu, rtol=1e-8)
    assert_allclose(expectation(lambda v: (v - mu) ** 2), phi * mu**p, rtol=1e-8)
    family = Tweedie(p)
    assert_allclose(phi * family.variance(np.array([mu])), phi * mu**p)
    check_variance_deriv(family, MU)


def test_unit_deviance():
    check_unit_deviance(Tweedie(1.5), Y, MU)
    reference = sm.families.Tweedie(var_power=1.5).resid_dev(Y, MU) ** 2
    assert_allclose(Tweedie(1.5).unit_deviance(Y, MU), reference, rtol=1e-10)


def test_support_start_and_link():
    family = get_family("tweedie")
    assert family.power == 1.5
    check_support(family, Y, [-0.5])
    check_start_inside_domain(family, Y)
    with pytest.raises(ValueError, match=r"allowed links are \['log', 'identity'\]"):
        family.get_link("inverse")


def test_eta_derivatives():
    check_eta_derivatives(Tweedie(1.5), "log", 2.0, 0.8, _expectation(2.0, 0.8, 1.5, [0, 1, 3]))


@pytest.mark.parametrize("power", [0.5, 0.999, -1.0, np.nan, np.inf])
def test_power_without_a_distribution_is_an_error(power):
    with pytest.raises(ValueError, match="power parameter of Tweedie must be 0 .* or at least 1"):
        Tweedie(power)


def test_wide_series_by_quadrature_equals_the_direct_sum(monkeypatch):
    # A tiny φ puts the series' peak at j ≈ y^{2−p}/((2−p)φ), millions of terms;
    # beyond 4096 terms the sum is an integral over j by Gauss–Hermite.
    import skfisher.families.tweedie as module

    y = np.array([0.5, 2.0, 7.0])
    mu = np.array([0.6, 1.5, 6.0])
    for p in (1.05, 1.5, 1.9):
        direct = Tweedie(p).loglik_obs(y, mu, 2e-3)
        monkeypatch.setattr(module, "_MAX_TERMS", 10)
        quadrature = Tweedie(p).loglik_obs(y, mu, 2e-3)
        monkeypatch.setattr(module, "_MAX_TERMS", 4096)
        assert_allclose(quadrature, direct, rtol=1e-12)
    # And at φ = 1e-30 (an exact fit) it stays finite and cheap.
    assert np.all(np.isfinite(Tweedie(1.5).loglik_obs(y, mu, 1e-30)))
