"""The gamma family: declarations against scipy, derivations for each link."""

import numpy as np
import pytest
from scipy import stats

from skfisher.families import Gamma

from ._checks import (
    ContinuousExpectation,
    check_eta_derivatives,
    check_loglik_matches,
    check_start_inside_domain,
    check_support,
    check_unit_deviance,
    check_variance_deriv,
)

FAMILY = Gamma()
Y = np.array([0.05, 0.5, 1.0, 2.0, 4.0, 30.0])
MU = np.array([0.2, 0.4, 1.5, 2.0, 5.0, 20.0])


@pytest.mark.parametrize("phi", [0.05, 0.4, 3.0])
def test_loglik_is_the_gamma_log_density(phi):
    reference = stats.gamma.logpdf(Y, a=1 / phi, scale=phi * MU)
    check_loglik_matches(FAMILY, Y, MU, phi, reference)


def test_unit_deviance():
    check_unit_deviance(FAMILY, Y, MU)


def test_variance_is_mean_squared_times_phi():
    phi = 0.4
    np.testing.assert_allclose(
        phi * FAMILY.variance(MU), stats.gamma.var(a=1 / phi, scale=phi * MU), rtol=1e-12
    )
    check_variance_deriv(FAMILY, MU)


def test_support_rejects_non_positive_responses():
    check_support(FAMILY, Y, [0.0, -2.0])
    check_start_inside_domain(FAMILY, Y)


def test_inverse_is_not_taken_as_canonical():
    # θ = −1/μ is only proportional to the inverse link: the shortcuts of the
    # canonical link (score r/φ) would have the wrong sign.
    assert Gamma.canonical_link is None
    assert Gamma.default_link == "inverse"


@pytest.mark.parametrize("link", Gamma.links)
def test_eta_derivatives(link):
    mu0, phi = 2.0, 0.4
    expectation = ContinuousExpectation(
        lambda v: stats.gamma.logpdf(v, a=1 / phi, scale=phi * mu0),
        0.0,
        60.0,
        sample_points=[0.3, 1.0, 2.0, 6.0],
    )
    check_eta_derivatives(FAMILY, link, mu0, phi, expectation)
