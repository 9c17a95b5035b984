"""The gamma family: positive continuous responses with constant coefficient of variation."""

import numpy as np
from scipy.special import gammaln

from .._validation import Support
from ._base import GLMFamily

__all__ = ["Gamma"]


class Gamma(GLMFamily):
    """Gamma responses. ``V(μ) = μ²``; the dispersion ``φ`` is ``1 / shape``.

    Links: ``"inverse"`` (canonical, default, as in R and statsmodels),
    ``"log"``, ``"identity"``. The natural parameter is ``θ = −1/μ``, only
    proportional to the inverse link, so ``canonical_link`` is None and the
    general formulas of :class:`GLMFamily` apply (they are exact here too: the
    observed and expected information coincide for the inverse link).
    """

    name = "gamma"
    support = Support(0.0, np.inf)
    mean_domain = Support(0.0, np.inf)
    links = ("inverse", "log", "identity")
    default_link = "inverse"
    canonical_link = None
    # −y/μ − log μ: concave in η = 1/μ and in η = log μ, not in η = μ (η > 2y).
    concave_links = ("inverse", "log")
    has_dispersion = True

    def variance(self, mu):
        return np.square(mu)

    def variance_deriv(self, mu):
        return 2.0 * mu

    def loglik_obs(self, y, mu, phi=1.0):
        # Gamma density with shape 1/φ and scale φ μ.
        shape = 1.0 / phi
        ratio = y / mu
        return shape * np.log(shape * ratio) - shape * ratio - gammaln(shape) - np.log(y)

    def unit_deviance(self, y, mu):
        ratio = y / mu
        return 2.0 * (ratio - 1.0 - np.log(ratio))

    def start_mu(self, y, sample_weight):
        # R's Gamma()$initialize: mustart <- y.
        return np.asarray(y, dtype=float).copy()
