"""Checks every GLM family must pass, written once and called by each family's module.

A family declares its log-likelihood, variance function and support; the base
class derives the per-row score, expected and observed information in η. These
checks verify the declarations against scipy's distributions and the
derivations against numerical differentiation and expectations taken by
summation or quadrature.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from skfisher.links import get_link


def central_difference(f, x, h):
    """Fourth-order central difference of a scalar function."""
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


def check_loglik_matches(family, y, mu, phi, reference):
    """``loglik_obs`` equals an independent log-density (scipy's)."""
    # Both sides are sums of a few log Γ and log terms: agreement to rounding.
    assert_allclose(family.loglik_obs(y, mu, phi), reference, rtol=1e-10, atol=1e-12)


def check_unit_deviance(family, y, mu):
    """``d(y, μ) = 2 [ℓ(y; y) − ℓ(y; μ)]`` at φ = 1, ≥ 0, and 0 at μ = y."""
    expected = 2.0 * (family.loglik_obs(y, y) - family.loglik_obs(y, mu))
    # The closed forms avoid the difference of two log-likelihoods, which loses
    # about |ℓ| ε; 1e-9 absolute covers it for |ℓ| up to 1e5.
    assert_allclose(family.unit_deviance(y, mu), expected, rtol=1e-9, atol=1e-9)
    assert np.all(family.unit_deviance(y, mu) >= 0)
    positive = y > 0
    assert_allclose(family.unit_deviance(y[positive], y[positive]), 0.0, atol=1e-12)


def check_variance_deriv(family, mu):
    """``V'(μ)`` is the derivative of ``V(μ)``."""
    numeric = np.array([central_difference(family.variance, m, 1e-4 * m) for m in mu])
    # Fourth-order difference with a relative step of 1e-4: error ~1e-16 / 1e-4.
    assert_allclose(family.variance_deriv(mu), numeric, rtol=1e-9)


def check_support(family, valid, invalid):
    """``check_y`` accepts the support and names the family and the bad value."""
    family.check_y(valid)
    for value in invalid:
        y = np.append(valid, value)
        with pytest.raises(ValueError, match=rf"The {family.name} family requires y in .*{value}"):
            family.check_y(y)


def check_start_inside_domain(family, y):
    """R's ``mustart`` lies inside the mean's domain for every valid response."""
    mu0 = family.start_mu(y, np.ones_like(y))
    assert family.in_mean_domain(mu0)


def check_eta_derivatives(family, link_name, mu0, phi, expectation):
    """Score, observed and expected information in η for one link at one mean.

    ``expectation(f)`` returns ``E[f(Y)]`` under the family at ``(mu0, phi)``.
    The score is the numerical derivative of ``loglik_obs`` in η; the observed
    weight its negative second derivative; the expected weight both
    ``E[score²]`` and ``E[observed]`` (the information-matrix equality).
    """
    link = family.get_link(link_name)
    assert link == get_link(link_name)
    eta0 = float(link.link(mu0))

    def at(y):
        eta = np.full_like(y, eta0)
        mu = link.inverse(eta)
        var = family.variance(mu)
        score, expected = family.eta_derivatives(y, eta, mu, var, link, phi)
        observed = family.observed_weight(y, eta, mu, var, link, phi)
        return score, expected, observed

    def loglik_eta(eta, y):
        return family.loglik_obs(y, link.inverse(np.full_like(y, eta)), phi)

    y = expectation.sample_points
    score, expected, observed = at(y)
    h = 1e-3 * max(abs(eta0), 1.0)
    numeric_score = central_difference(lambda e: loglik_eta(e, y), eta0, h)
    numeric_observed = -central_difference(
        lambda e: central_difference(lambda f: loglik_eta(f, y), e, h), eta0, h
    )
    # Fourth-order differences: the score to ~1e-9, the nested second derivative
    # to ~1e-6 (rounding ε/h² dominates).
    scale = 1.0 + np.max(np.abs(numeric_score)) + np.max(np.abs(numeric_observed))
    assert_allclose(score, numeric_score, rtol=1e-7, atol=1e-9 * scale)
    assert_allclose(observed, numeric_observed, rtol=1e-5, atol=1e-6 * scale)
    # Expectations by summation or adaptive quadrature, accurate to ~1e-10.
    expected_weight = expected[0]
    assert_allclose(expectation(lambda v: at(v)[0] ** 2), expected_weight, rtol=1e-7)
    assert_allclose(expectation(lambda v: at(v)[2]), expected_weight, rtol=1e-7)
    assert_allclose(expectation(lambda v: at(v)[0]), 0.0, atol=1e-8 * np.sqrt(expected_weight))


class DiscreteExpectation:
    """``E[f(Y)]`` by summing a probability mass function over 0, 1, …, top."""

    def __init__(self, logpmf, top):
        self.support = np.arange(top + 1, dtype=float)
        self.pmf = np.exp(logpmf(self.support))
        assert abs(self.pmf.sum() - 1.0) < 1e-13
        self.sample_points = np.array([0.0, 1.0, 2.0, 5.0, 9.0])

    def __call__(self, f):
        return float(self.pmf @ f(self.support))


class ContinuousExpectation:
    """``E[f(Y)]`` by adaptive quadrature of a density (plus a point mass at 0)."""

    def __init__(self, logpdf, low, high, sample_points, mass_at_zero=0.0):
        self.logpdf = logpdf
        self.low, self.high = low, high
        self.mass_at_zero = mass_at_zero
        self.sample_points = np.asarray(sample_points, dtype=float)
        total = self(lambda v: np.ones_like(v))
        assert abs(total - 1.0) < 1e-9

    def __call__(self, f):
        def integrand(v):
            v = np.array([v])
            return float(f(v)[0] * np.exp(self.logpdf(v))[0])

        value, _ = integrate.quad(integrand, self.low, self.high, limit=400, epsabs=1e-13)
        if self.mass_at_zero:
            value += self.mass_at_zero * float(f(np.array([0.0]))[0])
        return value
