"""The inverse Gaussian family: declarations against scipy, derivations for each link."""

import numpy as np
import pytest
from scipy import stats

from skfisher.families import InverseGaussian

from ._checks import (
    ContinuousExpectation,
    check_eta_derivatives,
    check_loglik_matches,
    check_start_inside_domain,
    check_support,
    check_unit_deviance,
    check_variance_deriv,
)

FAMILY = InverseGaussian()
Y = np.array([0.05, 0.5, 1.0, 2.0, 4.0, 30.0])
MU = np.array([0.2, 0.4, 1.5, 2.0, 5.0, 20.0])


def _scipy(mu, phi):
    # scipy's invgauss(m, scale=s) has mean m s and shape λ = s; here λ = 1/φ.
    return stats.invgauss(mu * phi, scale=1 / phi)


@pytest.mark.parametrize("phi", [0.05, 0.3, 2.0])
def test_loglik_is_the_inverse_gaussian_log_density(phi):
    check_loglik_matches(FAMILY, Y, MU, phi, _scipy(MU, phi).logpdf(Y))


def test_unit_deviance():
    check_unit_deviance(FAMILY, Y, MU)


def test_variance_is_mean_cubed_times_phi():
    phi = 0.3
    np.testing.assert_allclose(phi * FAMILY.variance(MU), _scipy(MU, phi).var(), rtol=1e-12)
    check_variance_deriv(FAMILY, MU)


def test_support_rejects_non_positive_responses():
    check_support(FAMILY, Y, [0.0, -1.0])
    check_start_inside_domain(FAMILY, Y)


@pytest.mark.parametrize("link", InverseGaussian.links)
def test_eta_derivatives(link):
    mu0, phi = 1.5, 0.3
    expectation = ContinuousExpectation(
        _scipy(mu0, phi).logpdf, 0.0, 200.0, sample_points=[0.3, 1.0, 1.5, 4.0]
    )
    check_eta_derivatives(FAMILY, link, mu0, phi, expectation)
