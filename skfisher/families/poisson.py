"""The Poisson family: counts (or rates with the exposure as weights)."""

import numpy as np
from scipy.special import gammaln, xlogy

from .._validation import Support
from ._base import GLMFamily

__all__ = ["Poisson"]


class Poisson(GLMFamily):
    """Poisson responses. ``V(μ) = μ``, φ = 1.

    ``y`` is a count; non-integer ``y ≥ 0`` are accepted, as scikit-learn's
    ``PoissonRegressor`` and statsmodels do (a rate ``y = count / exposure``
    with ``sample_weight = exposure`` gives the count model's estimates), and
    the log-likelihood then uses ``log Γ(y + 1)`` for ``log y!``.

    Links: ``"log"`` (canonical, default), ``"identity"``, ``"sqrt"``.
    """

    name = "poisson"
    support = Support(0.0, np.inf, low_inclusive=True)
    mean_domain = Support(0.0, np.inf)
    links = ("log", "identity", "sqrt")
    default_link = canonical_link = "log"
    # y log μ − μ with μ = η or η²: both concave for η > 0.
    concave_links = ("identity", "sqrt")
    has_dispersion = False

    def variance(self, mu):
        return mu

    def variance_deriv(self, mu):
        return np.ones_like(mu)

    def loglik_obs(self, y, mu, phi=1.0):
        return xlogy(y, mu) - mu - gammaln(y + 1.0)

    def loglik(self, y, eta, mu, link, sample_weight, phi=1.0):
        # With the log link, y log μ = y η: no logarithm per row. log y! is
        # the same at every iteration; a table of log k! makes it one lookup.
        kernel = y * eta - mu if link.name == "log" else xlogy(y, mu) - mu
        return float(sample_weight @ kernel) - float(sample_weight @ _log_factorial(y))

    def unit_deviance(self, y, mu):
        # Closed form: the difference of two log-likelihoods loses digits.
        return 2.0 * (xlogy(y, y / mu) - (y - mu))

    def start_mu(self, y, sample_weight):
        # R's poisson()$initialize: mustart <- y + 0.1.
        return y + 0.1


def _log_factorial(y):
    """``log Γ(y + 1)``; by table lookup when ``y`` holds small whole numbers."""
    top = float(y.max(initial=0.0))
    if top <= 1e6 and np.array_equal(y, np.floor(y)):
        table = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1.0, top + 1.0)))))
        return table[y.astype(np.intp)]
    return gammaln(y + 1.0)
