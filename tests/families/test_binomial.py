"""The binomial family: derivations for each of its links."""

import numpy as np
import pytest
from scipy import stats

from skfisher.families import Binomial

from ._checks import DiscreteExpectation, check_eta_derivatives

FAMILY = Binomial()


class _Bernoulli(DiscreteExpectation):
    def __init__(self, p):
        super().__init__(lambda k: stats.bernoulli.logpmf(k, p), 1)
        self.sample_points = np.array([0.0, 1.0])


@pytest.mark.parametrize("link", Binomial.links)
def test_eta_derivatives(link):
    mu0 = 0.3
    check_eta_derivatives(FAMILY, link, mu0, 1.0, _Bernoulli(mu0))


def test_support_rejects_values_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"The binomial family requires y in \[0, 1\].*1\.5"):
        FAMILY.check_y(np.array([0.0, 1.5]))
