"""The Tweedie family with power 1 < p < 2: compound Poisson–gamma responses."""

import numpy as np
from scipy.special import log_wright_bessel

from .._validation import Support
from ._base import GLMFamily


class Tweedie(GLMFamily):
    """Tweedie responses with ``V(μ) = μ^p``, ``1 < p < 2``, and a dispersion φ.

    The response is a sum of a Poisson number of gamma variables: exactly 0 with
    positive probability, continuous and positive otherwise (claim amounts,
    rainfall).

    Parameters
    ----------
    power : float, default=1.5
        The variance power ``p``, strictly between 1 (Poisson) and 2 (gamma).

    Notes
    -----
    The only link is ``"log"``. ``loglik_`` of a fit with this family is the
    exact log-likelihood, not a quasi-likelihood: the log-density of the
    compound Poisson–gamma distribution at the Pearson ``φ̂``, with
    ``θ = μ^{1−p}/(1−p)`` and ``κ = μ^{2−p}/(2−p)``,

    ``log f(y) = (y θ − κ)/φ + log W(γ, 0, x) − log y`` for ``y > 0``, and
    ``−κ/φ`` for ``y = 0``,

    where ``γ = (2−p)/(p−1)``, ``x = y^γ / ((2−p) φ ((p−1) φ)^γ)`` and
    ``W(a, b, x) = Σ_k x^k / (k! Γ(a k + b))`` is Wright's generalised Bessel
    function (the series over the number of gamma summands; Dunn & Smyth 2005,
    "Series evaluation of Tweedie exponential dispersion model densities",
    Statist. Comput. 15), evaluated by :func:`scipy.special.log_wright_bessel`.
    This is statsmodels' ``Tweedie(eql=False).loglike_obs``. The fit itself
    only needs the deviance, which is in closed form.
    """

    name = "tweedie"
    support = Support(0.0, np.inf, low_inclusive=True)
    mean_domain = Support(0.0, np.inf)
    links = ("log",)
    default_link = "log"
    canonical_link = None
    has_dispersion = True

    def __init__(self, power=1.5):
        if not (np.isfinite(power) and 1.0 < power < 2.0):
            raise ValueError(
                "The power parameter of Tweedie must be strictly between 1 (Poisson) "
                f"and 2 (gamma); got {power!r}. Use the poisson or gamma family for "
                "those ends."
            )
        self.power = float(power)

    def variance(self, mu):
        return np.power(mu, self.power)

    def variance_deriv(self, mu):
        return self.power * np.power(mu, self.power - 1.0)

    def loglik_obs(self, y, mu, phi=1.0):
        p = self.power
        y = np.asarray(y, dtype=float)
        theta = np.power(mu, 1.0 - p) / (1.0 - p)
        kappa = np.power(mu, 2.0 - p) / (2.0 - p)
        value = (y * theta - kappa) / phi
        positive = y > 0
        if np.any(positive):
            gamma = (2.0 - p) / (p - 1.0)
            yp = y[positive]
            phi_p = np.broadcast_to(phi, y.shape)[positive]
            log_x = (
                gamma * np.log(yp) - np.log((2.0 - p) * phi_p) - gamma * np.log((p - 1.0) * phi_p)
            )
            value = np.array(value, dtype=float)
            value[positive] += log_wright_bessel(gamma, 0.0, np.exp(log_x)) - np.log(yp)
        return value

    def unit_deviance(self, y, mu):
        p = self.power
        return 2.0 * (
            np.power(y, 2.0 - p) / ((1.0 - p) * (2.0 - p))
            - y * np.power(mu, 1.0 - p) / (1.0 - p)
            + np.power(mu, 2.0 - p) / (2.0 - p)
        )

    def start_mu(self, y, sample_weight):
        # R's tweedie()$initialize (statmod): mustart <- y + 0.1 * (y == 0).
        return y + 0.1 * (y == 0)

    def __repr__(self):
        return f"Tweedie(power={self.power!r})"
