"""Link functions ``η = g(μ)`` for generalised linear models.

A link declares its function, its inverse and the first two derivatives of the
inverse, ``μ' = dμ/dη`` and ``μ'' = d²μ/dη²``; everything a family needs is
built from these. Subclasses override the base class's defaults only where a
closed form is faster or more accurate (:mod:`scipy.special`).

The same classes are the scales the distributions iterate on: a parameter θ
is fitted as the unconstrained ``φ = g(θ)`` (``to_natural``,
``to_unconstrained``, ``derivative``). :class:`Identity`, :class:`Log` and
:class:`Logit` say which θ they reach (``contains``; ``str`` in words) and the
last two take bounds: ``θ = low + e^φ``, ``θ = low + (high − low) expit(φ)``.
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

    Subclasses implement ``link``, ``inverse``, ``inverse_deriv`` and
    ``inverse_deriv2``; the binomial links override the defaults of ``1 − μ``
    and of the logarithms of ``μ`` and ``1 − μ`` where ``|η|`` is large.

    Attributes
    ----------
    name : str
        The link's name in ``FisherGLMRegressor(link=...)``.
    pole_at_zero : bool
        Whether ``g⁻¹`` has a pole (or the edge of its domain) at η = 0: an
        interval for η across 0 maps to an unbounded one for μ (``inverse``).
    turns_at_zero : bool
        Whether ``g⁻¹`` turns at η = 0 (``sqrt``: μ = η²): an interval for η
        across 0 maps to one whose lower end is ``g⁻¹(0)``.
    """

    name = None
    pole_at_zero = False
    turns_at_zero = False

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

    def is_canonical(self, family):
        """Return whether this is ``family``'s canonical link: ``θ = η`` exactly, ``μ' = V``."""
        return family.canonical_link == self.name

    def admits_firth(self, family):
        """Return whether Firth's bias reduction is implemented for ``family`` with this link.

        Its modified score ``U* = Xᵀ (w (y − μ) + h ⊙ ½ V'(μ))`` holds for the
        canonical link of a family with φ = 1 (binomial-logit, Poisson-log).
        """
        return self.is_canonical(family) and not family.has_dispersion

    # A parameter's scale (the distributions): θ = g⁻¹(φ) with φ unconstrained.
    def to_natural(self, phi):
        """Return the parameter ``θ = g⁻¹(φ)`` of its unconstrained value ``φ``."""
        return self.inverse(phi)

    def to_unconstrained(self, theta):
        """Return ``φ = g(θ)``."""
        return self.link(theta)

    def derivative(self, phi):
        """Return ``dθ/dφ = g⁻¹'(φ)``, the chain rule's factor."""
        return self.inverse_deriv(phi)

    def _bounds(self):  # the constants that differ from their defaults
        return {}

    def __repr__(self):
        bounds = ", ".join(f"{name}={value:g}" for name, value in self._bounds().items())
        return f"{type(self).__name__}({bounds})"

    def __eq__(self, other):
        return type(self) is type(other) and self._bounds() == other._bounds()

    def __hash__(self):
        return hash((type(self), tuple(self._bounds().items())))


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

    def contains(self, theta):
        """Return whether ``θ`` is reached: every finite number."""
        return np.isfinite(theta)

    def __str__(self):
        return "any real number"


class Log(Link):
    """``η = log(μ − low)``; ``low = 0`` (the default) is the log link of the GLMs.

    Parameters
    ----------
    low : float, default=0.0
        The lower bound of ``μ = low + e^η``.
    """

    name = "log"

    def __init__(self, low=0.0):
        self.low = low

    def _bounds(self):
        return {"low": self.low} if self.low else {}

    def link(self, mu):
        return np.log(mu - self.low) if self.low else np.log(mu)

    def inverse(self, eta):
        return self.low + np.exp(eta) if self.low else np.exp(eta)

    def inverse_deriv(self, eta):
        return np.exp(eta)

    inverse_deriv2 = inverse_deriv

    def inverse_complement(self, eta):
        return super().inverse_complement(eta) if self.low else -np.expm1(eta)

    def log_inverse(self, eta):
        return super().log_inverse(eta) if self.low else np.asarray(eta, dtype=float)

    def log_inverse_complement(self, eta):
        return super().log_inverse_complement(eta) if self.low else np.log(-np.expm1(eta))

    def contains(self, theta):
        """Return whether ``θ`` is reached: a finite number above ``low``."""
        return np.isfinite(theta) & (theta > self.low)

    def __str__(self):
        return f"a number > {self.low:g}"


class Logit(Link):
    """``η = logit((μ − low) / (high − low))``; on (0, 1), the canonical link of the binomial.

    Parameters
    ----------
    low, high : float, default=0.0, 1.0
        The bounds of ``μ = low + (high − low) expit(η)``.
    """

    name = "logit"

    def __init__(self, low=0.0, high=1.0):
        self.low, self.high = low, high
        self._unit = (low, high) == (0.0, 1.0)  # the binomial's link: the closed forms

    def _bounds(self):
        return {} if self._unit else {"low": self.low, "high": self.high}

    def link(self, mu):
        return special.logit(mu if self._unit else (mu - self.low) / (self.high - self.low))

    def inverse(self, eta):
        mu = special.expit(eta)
        return mu if self._unit else self.low + (self.high - self.low) * mu

    def inverse_deriv(self, eta):
        e = np.exp(-np.abs(eta))  # expit(η) expit(−η) = e / (1 + e)²: one exp, exact in the tails
        return (self.high - self.low) * (e / np.square(1.0 + e))

    def inverse_deriv2(self, eta):
        mu, mu_c = special.expit(eta), special.expit(-eta)
        return (self.high - self.low) * mu * mu_c * (mu_c - mu)

    def inverse_complement(self, eta):
        return special.expit(-eta) if self._unit else super().inverse_complement(eta)

    def log_inverse(self, eta):
        return -softplus(-np.asarray(eta, dtype=float)) if self._unit else super().log_inverse(eta)

    def log_inverse_complement(self, eta):
        return -softplus(eta) if self._unit else super().log_inverse_complement(eta)

    def contains(self, theta):
        """Return whether ``θ`` is reached: a number in ``(low, high)``."""
        return (theta > self.low) & (theta < self.high)

    def __str__(self):
        return f"a number in ({self.low:g}, {self.high:g})"


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
    pole_at_zero = True

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
    pole_at_zero = True

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
    turns_at_zero = True

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
LINK_NAMES = tuple(_LINKS)  # the names get_link knows


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
