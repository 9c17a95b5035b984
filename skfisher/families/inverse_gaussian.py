"""The inverse Gaussian family: positive, right-skewed responses."""

import numpy as np

from .._validation import Support
from ._base import GLMFamily

__all__ = ["InverseGaussian"]


class InverseGaussian(GLMFamily):
    """Inverse Gaussian responses. ``V(μ) = μ³``, dispersion ``φ = 1 / λ``.

    Links: ``"inverse_squared"`` (``1/μ²``, canonical, default), ``"log"``,
    ``"inverse"``, ``"identity"``. The natural parameter is ``θ = −1/(2μ²)``,
    only proportional to the link, so ``canonical_link`` is None and the
    general formulas of :class:`GLMFamily` apply.
    """

    name = "inverse_gaussian"
    support = Support(0.0, np.inf)
    mean_domain = Support(0.0, np.inf)
    links = ("inverse_squared", "log", "inverse", "identity")
    default_link = "inverse_squared"
    canonical_link = None
    # −y/(2μ²) + 1/μ: concave in η = 1/μ² and 1/μ, not in log μ (μ > 2y) or μ.
    concave_links = ("inverse_squared", "inverse")
    has_dispersion = True

    def variance(self, mu):
        return mu**3

    def variance_deriv(self, mu):
        return 3.0 * np.square(mu)

    def loglik_obs(self, y, mu, phi=1.0):
        return -0.5 * (
            np.square(y - mu) / (phi * y * np.square(mu)) + np.log(2 * np.pi * phi * y**3)
        )

    def unit_deviance(self, y, mu):
        return np.square(y - mu) / (y * np.square(mu))

    def start_mu(self, y, sample_weight):
        # R's inverse.gaussian()$initialize: mustart <- y.
        return np.asarray(y, dtype=float).copy()
