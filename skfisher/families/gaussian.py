"""The Gaussian (normal) family."""

import numpy as np

from .._validation import Support
from ._base import GLMFamily

__all__ = ["Gaussian"]


class Gaussian(GLMFamily):
    """Normal responses. ``V(μ) = 1``, dispersion ``φ = σ²``.

    Links: ``"identity"`` (canonical, default), ``"log"``, ``"inverse"``.
    With the log or inverse link the response must be positive (non-zero) where
    the starting means are formed, as R's ``gaussian()`` requires.
    """

    name = "gaussian"
    support = Support(-np.inf, np.inf)
    mean_domain = Support(-np.inf, np.inf)
    links = ("identity", "log", "inverse")
    default_link = canonical_link = "identity"
    has_dispersion = True

    def loglik_dispersion(self, phi, chi2, nobs, link):
        """``σ̂² = RSS / Σw`` with the identity link (statsmodels' ``llf``, the profile ℓ)."""
        return chi2 / nobs if link.is_canonical(self) else phi

    def variance(self, mu):
        return np.ones_like(mu)

    def variance_deriv(self, mu):
        return np.zeros_like(mu)

    def loglik_obs(self, y, mu, phi=1.0):
        return -0.5 * (np.square(y - mu) / phi + np.log(2.0 * np.pi * phi))

    def unit_deviance(self, y, mu):
        return np.square(y - mu)

    def start_mu(self, y, sample_weight):
        # R's gaussian()$initialize: mustart <- y.
        return np.asarray(y, dtype=float).copy()
