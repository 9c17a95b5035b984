"""The Gaussian family: declarations against scipy, derivations for each link."""

import numpy as np
import pytest
from scipy import stats

from skfisher.families import Gaussian

from ._checks import (
    ContinuousExpectation,
    check_eta_derivatives,
    check_loglik_matches,
    check_start_inside_domain,
    check_unit_deviance,
    check_variance_deriv,
)

FAMILY = Gaussian()
Y = np.array([-2.0, 0.0, 0.5, 1.0, 3.0, 10.0])
MU = np.array([-1.0, 0.3, 0.5, 2.0, 2.5, 8.0])


@pytest.mark.parametrize("phi", [0.01, 1.0, 7.5])
def test_loglik_is_the_normal_log_density(phi):
    check_loglik_matches(FAMILY, Y, MU, phi, stats.norm.logpdf(Y, MU, np.sqrt(phi)))


def test_unit_deviance_is_the_squared_residual():
    check_unit_deviance(FAMILY, Y, MU)
    np.testing.assert_allclose(FAMILY.unit_deviance(Y, MU), (Y - MU) ** 2)


def test_variance_is_constant():
    np.testing.assert_array_equal(FAMILY.variance(MU), np.ones_like(MU))
    np.testing.assert_array_equal(FAMILY.variance_deriv(MU), np.zeros_like(MU))


def test_support_is_the_real_line():
    FAMILY.check_y(Y)
    check_start_inside_domain(FAMILY, Y)
    check_variance_deriv(FAMILY, np.abs(MU) + 1.0)


@pytest.mark.parametrize("link", Gaussian.links)
def test_eta_derivatives(link):
    mu0, phi = 2.0, 0.5
    sd = np.sqrt(phi)
    expectation = ContinuousExpectation(
        lambda v: stats.norm.logpdf(v, mu0, sd),
        mu0 - 12 * sd,
        mu0 + 12 * sd,
        sample_points=[-1.0, 0.5, 2.0, 3.5],
    )
    check_eta_derivatives(FAMILY, link, mu0, phi, expectation)
