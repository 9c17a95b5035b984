"""The count distributions of the two-part models, per row, in their own parameters.

A count part is Poisson or negative binomial (NB2, ``Var Y = μ + α μ²``) with
``μ = exp(η)``. Its parameters per row are ``u = (η,)`` or ``u = (η, α)``, and
each class here returns, for counts ``y`` at means ``μ``, the log-probability
``L = log f(y)``, its gradient ``g = ∂L/∂u`` (n, m), its negative Hessian
``H = −∂²L/∂u²`` (n, m, m) and the expected negative Hessian under ``f``
itself, ``E_f[H]`` (n, m, m). The two-part models (:mod:`._mixture`) combine
these with the probability of the zero part.

For the negative binomial the derivatives in α are those of
:class:`~skfisher.families.NegativeBinomial` (exact for integer counts at any
α), and ``E_f[H]`` is block diagonal: ``μ/(1 + αμ)`` in η and the series of
:meth:`~skfisher.families.NegativeBinomial.alpha_information_obs` in α.
"""

import numpy as np
from scipy.special import gammaln, xlogy

from ..families import NegativeBinomial

# log k! for the counts seen most, looked up instead of evaluated (gammaln is the
# dearest part of a Poisson log-probability).
_LOG_FACTORIALS = gammaln(np.arange(1025.0) + 1.0)


def log_factorial(y):
    """Return ``log y! = log Γ(y + 1)``, from a table where ``y`` holds small whole numbers."""
    if y.size and 0 <= y.min() and y.max() < _LOG_FACTORIALS.size:
        k = y.astype(np.intp)
        if np.all(k == y):
            return _LOG_FACTORIALS[k]
    return gammaln(y + 1.0)


class PoissonCounts:
    """Poisson counts: ``L = y η − μ − log y!``, ``u = (η,)``."""

    name = "poisson"
    n_extra = 0

    def __init__(self, extra=()):
        pass

    def at(self, y, mu):
        """Return ``(L, g, H)`` at counts ``y`` and means ``mu``."""
        logf = xlogy(y, mu) - mu - log_factorial(y)
        return logf, (y - mu)[:, None], mu[:, None, None].copy()

    def zero(self, mu):
        """Return ``(L, g, H)`` at ``y = 0``: ``L = −μ``."""
        return -mu, -mu[:, None], mu[:, None, None].copy()

    def log_zero(self, mu):
        """Return ``log f(0) = −μ``."""
        return -mu

    def expected(self, mu):
        """Return ``E_f[H]``: ``μ``."""
        return mu[:, None, None].copy()

    def draw_proba(self, mu, max_count):
        """Return ``f(0), …, f(max_count)`` per row, shape (n, max_count + 1)."""
        k = np.arange(max_count + 1, dtype=float)
        return np.exp(xlogy(k[None, :], mu[:, None]) - mu[:, None] - gammaln(k + 1.0)[None, :])


class NegativeBinomialCounts:
    """NB2 counts with α > 0: ``u = (η, α)``.

    Parameters
    ----------
    extra : sequence of one float
        ``(α,)``.
    """

    name = "negative_binomial"
    n_extra = 1

    def __init__(self, extra):
        self.alpha = float(extra[0])
        self.family = NegativeBinomial(alpha=self.alpha)

    def at(self, y, mu):
        """Return ``(L, g, H)`` at counts ``y`` and means ``mu``."""
        family, alpha = self.family, self.alpha
        one_amu = 1.0 + alpha * mu
        logf = family.loglik_obs(y, mu)
        g = np.column_stack([(y - mu) / one_amu, family.alpha_score_obs(y, mu)])
        H = np.empty((y.size, 2, 2))
        H[:, 0, 0] = mu * (1.0 + alpha * y) / np.square(one_amu)
        H[:, 0, 1] = H[:, 1, 0] = family.eta_alpha_observed_obs(y, mu)
        H[:, 1, 1] = family.alpha_observed_obs(y, mu)
        return logf, g, H

    def zero(self, mu):
        """Return ``(L, g, H)`` at ``y = 0``."""
        return self.at(np.zeros_like(mu), mu)

    def log_zero(self, mu):
        """Return ``log f(0) = −log(1 + αμ)/α``."""
        return -np.log1p(self.alpha * mu) / self.alpha

    def expected(self, mu):
        """Return ``E_f[H]``: ``diag(μ/(1 + αμ), I_α(μ))``."""
        E = np.zeros((mu.size, 2, 2))
        E[:, 0, 0] = mu / (1.0 + self.alpha * mu)
        E[:, 1, 1] = self.family.alpha_information_obs(mu)
        return E

    def draw_proba(self, mu, max_count):
        """Return ``f(0), …, f(max_count)`` per row, shape (n, max_count + 1)."""
        k = np.arange(max_count + 1, dtype=float)
        grid = np.broadcast_to(k[None, :], (mu.size, k.size))
        means = np.broadcast_to(mu[:, None], grid.shape)
        logf = self.family.loglik_obs(grid.ravel(), means.ravel()).reshape(grid.shape)
        return np.exp(logf)


COUNT_DISTRIBUTIONS = {"poisson": PoissonCounts, "negative_binomial": NegativeBinomialCounts}
