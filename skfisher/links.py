"""Link functions ``η = g(μ)`` for generalised linear models.

A link declares its function, its inverse and the first two derivatives of the
inverse, ``μ' = dμ/dη`` and ``μ'' = d²μ/dη²``; everything a family needs is
built from these. The base class gives correct defaults; subclasses override
them only where a closed form is faster or more accurate (``expit``,
``ndtr``, ``log_ndtr`` from :mod:`scipy.special`).
"""

import numpy as np
from scipy import special

__all__ = [
    "Link",
    "Identity",
    "Log",
    "Logit",
    "Probit",
    "CLogLog",
    "Inverse",
    "InverseSquared",
    "Sqrt",
    "get_link",
    "softplus",
]


def softplus(x):
    """Return ``log(1 + eˣ)`` without overflow (3× faster than ``np.logaddexp(0, x)``)."""
    # In place: two temporaries of the size of x, not five.
    out = np.abs(np.asarray(x, dtype=float))
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(x, 0.0)
    return out


class Link:
    """Base class of links.

    Subclasses set ``name`` and implement ``link``, ``inverse``,
    ``inverse_deriv`` and ``inverse_deriv2``. ``inverse_complement`` (``1 − μ``)
    and the logarithms of ``μ`` and ``1 − μ`` have correct defaults; the
    binomial links override them to avoid cancellation when ``|η|`` is large.
    """

    name = None

    def link(self, mu):
        """Return ``η = g(μ)``."""
        raise NotImplementedError

    def inverse(self, eta):
        """Return ``μ = g⁻¹(η)``."""
        raise NotImplementedError

    def inverse_deriv(self, eta):
        """Return ``μ' = dμ/dη``."""
        raise NotImplementedError

    def inverse_deriv2(self, eta):
        """Return ``d²μ/dη²``."""
        raise NotImplementedError

    def inverse_complement(self, eta):
        """Return ``1 − μ``."""
        return 1.0 - self.inverse(eta)

    def log_inverse(self, eta):
        """Return ``log μ``."""
        return np.log(self.inverse(eta))

    def log_inverse_complement(self, eta):
        """Return ``log(1 − μ)``."""
        return np.log(self.inverse_complement(eta))

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))


class Identity(Link):
    """``η = μ``."""

    name = "identity"

    def link(self, mu):
        return np.asarray(mu, dtype=float)

    def inverse(self, eta):
        return eta + 0.0  # a float copy; a dask array stays lazy

    def inverse_deriv(self, eta):
        return np.ones_like(eta, dtype=float)

    def inverse_deriv2(self, eta):
        return np.zeros_like(eta, dtype=float)


class Log(Link):
    """``η = log μ``."""

    name = "log"

    def link(self, mu):
        return np.log(mu)

    def inverse(self, eta):
        return np.exp(eta)

    def inverse_deriv(self, eta):
        return np.exp(eta)

    def inverse_deriv2(self, eta):
        return np.exp(eta)

    def inverse_complement(self, eta):
        return -np.expm1(eta)

    def log_inverse(self, eta):
        return np.asarray(eta, dtype=float)

    def log_inverse_complement(self, eta):
        return np.log(-np.expm1(eta))


class Logit(Link):
    """``η = log(μ / (1 − μ))``, the canonical link of the binomial."""

    name = "logit"

    def link(self, mu):
        return special.logit(mu)

    def inverse(self, eta):
        return special.expit(eta)

    def inverse_deriv(self, eta):
        return special.expit(eta) * special.expit(-eta)

    def inverse_deriv2(self, eta):
        mu = special.expit(eta)
        mu_c = special.expit(-eta)
        return mu * mu_c * (mu_c - mu)

    def inverse_complement(self, eta):
        return special.expit(-eta)

    def log_inverse(self, eta):
        return -softplus(-np.asarray(eta, dtype=float))

    def log_inverse_complement(self, eta):
        return -softplus(eta)


class Probit(Link):
    """``η = Φ⁻¹(μ)``, the standard normal quantile."""

    name = "probit"

    def link(self, mu):
        return special.ndtri(mu)

    def inverse(self, eta):
        return special.ndtr(eta)

    def inverse_deriv(self, eta):
        return np.exp(-0.5 * np.square(eta)) / np.sqrt(2 * np.pi)

    def inverse_deriv2(self, eta):
        return -eta * self.inverse_deriv(eta)

    def inverse_complement(self, eta):
        return special.ndtr(-np.asarray(eta))

    def log_inverse(self, eta):
        return special.log_ndtr(eta)

    def log_inverse_complement(self, eta):
        return special.log_ndtr(-np.asarray(eta))


class CLogLog(Link):
    """``η = log(−log(1 − μ))``, the complementary log-log link.

    ``e^η`` overflows beyond η ≈ 709, where μ is 1 and its derivatives 0 to
    working precision: the overflow gives exactly those limits, unwarned.
    """

    name = "cloglog"

    def link(self, mu):
        return np.log(-np.log1p(-np.asarray(mu, dtype=float)))

    def inverse(self, eta):
        return -np.expm1(-_exp(eta))

    def inverse_deriv(self, eta):
        return np.exp(eta - _exp(eta))

    def inverse_deriv2(self, eta):
        rate = _exp(eta)
        density = np.exp(eta - rate)
        # 0 · (1 − inf) where e^η overflowed: the limit is 0.
        return np.where(density > 0, density * (1.0 - np.minimum(rate, 1e300)), 0.0)

    def inverse_complement(self, eta):
        return np.exp(-_exp(eta))

    def log_inverse(self, eta):
        # log(1 − e^−x) with x = e^η; below x = 1e-10 it is η − x/2 to rounding
        # (and e^η may underflow to 0 there).
        rate = _exp(eta)
        small = rate < 1e-10
        return np.where(small, eta - 0.5 * rate, np.log(-np.expm1(-np.maximum(rate, 1e-10))))

    def log_inverse_complement(self, eta):
        return -_exp(eta)


def _exp(eta):
    """``e^η``, inf without a warning where it overflows."""
    with np.errstate(over="ignore"):
        return np.exp(eta)


class Inverse(Link):
    """``η = 1 / μ``, the canonical link of the gamma family."""

    name = "inverse"

    def link(self, mu):
        return 1.0 / np.asarray(mu, dtype=float)

    def inverse(self, eta):
        return 1.0 / eta

    def inverse_deriv(self, eta):
        return -1.0 / np.square(eta)

    def inverse_deriv2(self, eta):
        return 2.0 / np.power(eta, 3)


class InverseSquared(Link):
    """``η = 1 / μ²``, the canonical link of the inverse Gaussian family."""

    name = "inverse_squared"

    def link(self, mu):
        return 1.0 / np.square(mu)

    def inverse(self, eta):
        return 1.0 / np.sqrt(eta)

    def inverse_deriv(self, eta):
        return -0.5 * np.power(eta, -1.5)

    def inverse_deriv2(self, eta):
        return 0.75 * np.power(eta, -2.5)


class Sqrt(Link):
    """``η = √μ``."""

    name = "sqrt"

    def link(self, mu):
        return np.sqrt(mu)

    def inverse(self, eta):
        return np.square(eta)

    def inverse_deriv(self, eta):
        return 2.0 * np.asarray(eta, dtype=float)

    def inverse_deriv2(self, eta):
        return np.full_like(eta, 2.0, dtype=float)


_LINKS = {
    cls.name: cls for cls in (Identity, Log, Logit, Probit, CLogLog, Inverse, InverseSquared, Sqrt)
}


def get_link(link):
    """Return a :class:`Link` instance from its name or an instance.

    Raises
    ------
    ValueError
        When the name is unknown; the message lists the known names.
    """
    if isinstance(link, Link):
        return link
    if isinstance(link, str) and link in _LINKS:
        return _LINKS[link]()
    raise ValueError(f"Unknown link {link!r}; the known links are {sorted(_LINKS)}.")
