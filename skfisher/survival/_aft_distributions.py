"""The error distributions of an accelerated-failure-time model: ``log T = xᵀβ + σ W``.

Each is the law of the standard error term W on the log-time scale, named,
as R's ``survreg``, by the law of T that it makes:

=================  ===================================  ===========================
``distribution``   W                                    T
=================  ===================================  ===========================
``"weibull"``      minimum extreme value,               Weibull, shape 1/σ
                   ``S(w) = exp(−eʷ)``
``"exponential"``  the same, σ = 1 fixed                exponential
``"lognormal"``    standard normal                      log-normal
``"loglogistic"``  standard logistic, ``S = 1/(1+eʷ)``  log-logistic, shape 1/σ
=================  ===================================  ===========================

For the standardised residual ``z = (log t − xᵀβ)/σ`` each gives the log-density
``g(z) = log f(z)`` of an event and the log-survival ``h(z) = log S(z)`` of a
censored time with their first two derivatives, written to stay finite in
the tails (``log_ndtr`` and ``erfcx`` for the normal, ``logaddexp`` for the
logistic). ``information`` holds the three constants of the expected
information of one uncensored time in ``(η, log σ)``,

    a = E[g′(W)²],   b = E[W g′(W)²],   c = E[(1 + W g′(W))²],

so that ``I = [[a/σ², b/σ], [b/σ, c]]`` per row: ``(1, 1 − γ, π²/6 + (1 − γ)²)``
for the extreme-value law, ``(1, 0, 2)`` for the normal and
``(1/3, 0, (π² + 3)/9)`` for the logistic.
"""

from dataclasses import dataclass

import numpy as np
from scipy import special

_EULER = float(np.euler_gamma)
_LOG_ROOT_2PI = 0.5 * np.log(2.0 * np.pi)


@dataclass(frozen=True)
class ErrorDistribution:
    """The standard error term W of one distribution, and what the fit needs of it.

    Attributes
    ----------
    name : str
        The ``distribution`` of the estimator (R's ``dist``).
    fixed_scale : bool
        Whether σ is fixed at 1 (the exponential: no ``log_scale`` parameter).
    information : (float, float, float)
        ``(a, b, c)`` of the module docstring.
    mean, std : float
        The mean and standard deviation of W (the starting values).
    """

    name: str
    fixed_scale: bool
    information: tuple
    mean: float
    std: float

    def derivatives(self, z, event):
        """Return ``m, m′, m″`` per row: ``g`` for the events, ``h`` for the censored rows.

        ``event`` is a boolean array; a row outside the distribution's range
        of floating point (``exp(z)`` overflowing) gives an infinite or nan
        ``m``, which the problem reports as an objective of ``−inf``.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            return _DERIVATIVES[self.name](z, event)

    def survival(self, z):
        """Return ``S(z) = P(W > z)``."""
        with np.errstate(over="ignore"):
            if self.name in ("weibull", "exponential"):
                return np.exp(-np.exp(z))
            if self.name == "lognormal":
                return special.ndtr(-z)
            return special.expit(-z)

    def log_survival(self, z):
        """Return ``log S(z)`` (the negative cumulative hazard)."""
        with np.errstate(over="ignore"):
            if self.name in ("weibull", "exponential"):
                return -np.exp(z)
            if self.name == "lognormal":
                return special.log_ndtr(-z)
            return -np.logaddexp(0.0, z)

    def quantile(self, q):
        """Return ``w_q`` with ``P(W ≤ w_q) = q``, for q in (0, 1)."""
        q = np.asarray(q, dtype=float)
        if self.name in ("weibull", "exponential"):
            return np.log(-np.log1p(-q))
        if self.name == "lognormal":
            return special.ndtri(q)
        return special.logit(q)


def _extreme_value(z, event):
    ez = np.exp(z)
    return np.where(event, z, 0.0) - ez, np.where(event, 1.0, 0.0) - ez, -ez


def _normal(z, event):
    m, m1, m2 = np.empty_like(z), np.empty_like(z), np.empty_like(z)
    ze, zc = z[event], z[~event]
    m[event], m1[event], m2[event] = -0.5 * ze * ze - _LOG_ROOT_2PI, -ze, -1.0
    # The inverse Mills ratio φ(z)/Φ(−z) through the scaled complementary
    # error function, exact in both tails.
    mills = np.sqrt(2.0 / np.pi) / special.erfcx(zc / np.sqrt(2.0))
    m[~event], m1[~event], m2[~event] = special.log_ndtr(-zc), -mills, -mills * (mills - zc)
    return m, m1, m2


def _logistic(z, event):
    F = special.expit(z)
    density = F * special.expit(-z)
    softplus = np.logaddexp(0.0, z)
    m = np.where(event, z - 2.0 * softplus, -softplus)
    m1 = np.where(event, special.expit(-z) - F, -F)
    m2 = np.where(event, -2.0 * density, -density)
    return m, m1, m2


_DERIVATIVES = {
    "weibull": _extreme_value,
    "exponential": _extreme_value,
    "lognormal": _normal,
    "loglogistic": _logistic,
}

_EXTREME_INFORMATION = (1.0, 1.0 - _EULER, np.pi**2 / 6.0 + (1.0 - _EULER) ** 2)

DISTRIBUTIONS = {
    "weibull": ErrorDistribution(
        "weibull", False, _EXTREME_INFORMATION, -_EULER, np.pi / np.sqrt(6.0)
    ),
    "exponential": ErrorDistribution(
        "exponential", True, _EXTREME_INFORMATION, -_EULER, np.pi / np.sqrt(6.0)
    ),
    "lognormal": ErrorDistribution("lognormal", False, (1.0, 0.0, 2.0), 0.0, 1.0),
    "loglogistic": ErrorDistribution(
        "loglogistic", False, (1.0 / 3.0, 0.0, (np.pi**2 + 3.0) / 9.0), 0.0, np.pi / np.sqrt(3.0)
    ),
}


def error_distribution(name):
    """Return the :class:`ErrorDistribution` called ``name``, or raise ``ValueError``."""
    try:
        return DISTRIBUTIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"distribution must be one of {sorted(DISTRIBUTIONS)}; got {name!r}."
        ) from None
