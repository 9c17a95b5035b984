"""The binomial family: 0/1 responses, or proportions with the trials as weights."""

import numpy as np
from scipy.special import gammaln, xlogy

from .._validation import Support
from ..links import softplus
from ._base import GLMFamily

__all__ = ["Binomial"]


class Binomial(GLMFamily):
    """Binomial responses. ``V(μ) = μ (1 − μ)``, φ = 1.

    ``y`` is a 0/1 outcome or a proportion of successes; with proportions the
    ``sample_weight`` of a row is its number of trials ``m``, and the
    log-likelihood includes ``log C(m, m y)`` (it is 0 for 0/1 responses, so a
    weight of 2 is still a repeated row).
    """

    name = "binomial"
    support = Support(0.0, 1.0, low_inclusive=True, high_inclusive=True)
    # Closed: under the logit link μ rounds to exactly 0 or 1 once |η| > 37 while
    # the log-likelihood, computed from η, stays finite; a mean that is truly
    # impossible for a row (μ = 1 with y = 0) makes the log-likelihood -inf.
    mean_domain = Support(0.0, 1.0, low_inclusive=True, high_inclusive=True)
    links = ("logit", "probit", "cloglog", "log")
    default_link = canonical_link = "logit"
    # log F and log(1 − F) are concave for the logistic, normal, Gumbel and exp.
    concave_links = ("probit", "cloglog", "log")
    has_dispersion = False

    def variance(self, mu):
        return mu * (1.0 - mu)

    def variance_deriv(self, mu):
        return 1.0 - 2.0 * mu

    def loglik_obs(self, y, mu, phi=1.0):
        return xlogy(y, mu) + xlogy(1.0 - y, 1.0 - mu)

    def start_mu(self, y, sample_weight):
        # R's binomial()$initialize with m trials: (m y + 1/2) / (m + 1).
        return (sample_weight * y + 0.5) / (sample_weight + 1.0)

    def mean_and_variance(self, eta, link):
        # 1 − μ from the link itself: exact where μ rounds to 1.
        mu = link.inverse(eta)
        return mu, mu * link.inverse_complement(eta)

    def loglik(self, y, eta, mu, link, sample_weight, phi=1.0):
        # log μ and log(1 − μ) from η, finite for any |η| a float can hold.
        if link.name == "logit":
            # y log μ + (1 − y) log(1 − μ) = y η − log(1 + e^η): one pass.
            value = np.dot(sample_weight, y * eta) - np.dot(sample_weight, softplus(eta))
        else:
            log_mu = link.log_inverse(eta)
            log_mu_c = link.log_inverse_complement(eta)
            value = np.dot(
                sample_weight, _xlogy_values(y, log_mu) + _xlogy_values(1 - y, log_mu_c)
            )
        fractional = (y > 0) & (y < 1)
        if fractional.any():
            m = sample_weight[fractional]
            k = m * y[fractional]
            value += np.sum(gammaln(m + 1) - gammaln(k + 1) - gammaln(m - k + 1))
        return float(value)


def _xlogy_values(x, log_y):
    """``x log y`` given ``log y``, with ``0 log 0 = 0``."""
    return np.where(x == 0, 0.0, x * log_y)
