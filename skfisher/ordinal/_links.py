"""The distribution functions ``F`` of the cumulative-link models: links of :mod:`skfisher.links`.

A cumulative-link model writes ``P(Y ≤ c_j | x) = F(θ_j − xᵀβ)``: ``F`` is the
inverse of a link (``link.inverse``), its density the derivative of the
inverse (``link.inverse_deriv``) and the density's slope its second
derivative (``link.inverse_deriv2``). The logit, probit and complementary
log-log links come from :mod:`skfisher.links`; the two below are the other
links of R's ``ordinal::clm`` and ``MASS::polr``.
"""

import numpy as np

from ..links import CLogLog, Link, Logit, Probit


class LogLog(Link):
    """``η = −log(−log μ)``: ``F(t) = exp(−e⁻ᵗ)``, the Gumbel (maximum) distribution.

    The reflection ``F(t) = 1 − G(−t)`` of the complementary log-log link
    ``G``, whose accurate tails it borrows.
    """

    name = "loglog"
    _reflected = CLogLog()

    def link(self, mu):
        return -self._reflected.link(1.0 - np.asarray(mu, dtype=float))

    def inverse(self, eta):
        return self._reflected.inverse_complement(-np.asarray(eta, dtype=float))

    def inverse_deriv(self, eta):
        return self._reflected.inverse_deriv(-np.asarray(eta, dtype=float))

    def inverse_deriv2(self, eta):
        return -self._reflected.inverse_deriv2(-np.asarray(eta, dtype=float))

    def inverse_complement(self, eta):
        return self._reflected.inverse(-np.asarray(eta, dtype=float))

    def log_inverse(self, eta):
        return self._reflected.log_inverse_complement(-np.asarray(eta, dtype=float))

    def log_inverse_complement(self, eta):
        return self._reflected.log_inverse(-np.asarray(eta, dtype=float))


class Cauchit(Link):
    """``η = tan(π (μ − ½))``: ``F(t) = ½ + arctan(t)/π``, the standard Cauchy distribution.

    Both tails are taken as ``arctan(1/|t|)/π`` (``arctan2``), exact to
    rounding where ``F`` or ``1 − F`` is small.
    """

    name = "cauchit"

    def link(self, mu):
        return np.tan(np.pi * (np.asarray(mu, dtype=float) - 0.5))

    def inverse(self, eta):
        return np.arctan2(1.0, -np.asarray(eta, dtype=float)) / np.pi

    def inverse_deriv(self, eta):
        return 1.0 / (np.pi * (1.0 + np.square(eta)))

    def inverse_deriv2(self, eta):
        eta = np.asarray(eta, dtype=float)
        return -2.0 * eta / (np.pi * np.square(1.0 + np.square(eta)))

    def inverse_complement(self, eta):
        return np.arctan2(1.0, np.asarray(eta, dtype=float)) / np.pi


CUMULATIVE_LINKS = {cls.name: cls for cls in (Logit, Probit, CLogLog, LogLog, Cauchit)}


def cumulative_link(name):
    """Return the link whose inverse is ``F`` for ``FisherOrdinalRegression(link=name)``."""
    if name not in CUMULATIVE_LINKS:
        raise ValueError(
            f"Unknown link {name!r} for an ordinal model; the known links are "
            f"{sorted(CUMULATIVE_LINKS)}."
        )
    return CUMULATIVE_LINKS[name]()
