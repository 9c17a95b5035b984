"""The Poisson family: declarations against scipy, derivations for each link."""

import numpy as np
import pytest
from scipy import stats

from skfisher.families import Poisson

from ._checks import (
    DiscreteExpectation,
    check_eta_derivatives,
    check_loglik_matches,
    check_start_inside_domain,
    check_support,
    check_unit_deviance,
    check_variance_deriv,
)

FAMILY = Poisson()
Y = np.array([0.0, 1.0, 2.0, 3.0, 7.0, 15.0])
MU = np.array([0.3, 1.2, 2.5, 3.0, 6.0, 20.0])


def test_loglik_is_the_poisson_log_pmf():
    check_loglik_matches(FAMILY, Y, MU, 1.0, stats.poisson.logpmf(Y, MU))


def test_unit_deviance():
    check_unit_deviance(FAMILY, Y, MU)


def test_variance_is_the_mean():
    np.testing.assert_allclose(FAMILY.variance(MU), stats.poisson.var(MU))
    check_variance_deriv(FAMILY, MU)


def test_support_rejects_negative_counts():
    check_support(FAMILY, Y, [-1.0, -0.5])
    # Non-integer responses are accepted (rates with exposure weights).
    FAMILY.check_y(np.array([0.5, 2.25]))


def test_start_inside_domain():
    check_start_inside_domain(FAMILY, Y)


@pytest.mark.parametrize("link", Poisson.links)
def test_eta_derivatives(link):
    mu0 = 2.5
    expectation = DiscreteExpectation(lambda k: stats.poisson.logpmf(k, mu0), 60)
    check_eta_derivatives(FAMILY, link, mu0, 1.0, expectation)


def test_undefined_link_lists_the_allowed_links():
    with pytest.raises(
        ValueError, match=r"'logit' is not defined for the poisson.*'log', 'identity', 'sqrt'"
    ):
        FAMILY.get_link("logit")
