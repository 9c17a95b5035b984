"""The Tweedie family: power variance functions ``V(μ) = μ^p``, p = 0 or p ≥ 1."""

import numpy as np
from scipy.special import digamma, gammaln, logsumexp, polygamma, xlogy

from .._validation import Support
from ._base import GLMFamily
from ._tweedie_stable import log_tweedie_stable_a

__all__ = ["Tweedie"]


class Tweedie(GLMFamily):
    """Tweedie responses with ``V(μ) = μ^p`` and a dispersion φ, for ``p = 0`` or ``p ≥ 1``.

    The exponential-dispersion models with a power variance function
    (Jørgensen 1987): ``p = 0`` the normal, ``p = 1`` Poisson-type variance
    with a dispersion, ``1 < p < 2`` compound Poisson–gamma sums (exactly 0
    with positive probability, otherwise continuous and positive: claim
    amounts, rainfall), ``p = 2`` the gamma, ``p = 3`` the inverse Gaussian,
    and other ``p > 2`` positive stable laws. No distribution has
    ``0 < p < 1`` (nor, for ``p < 0``, the positive means fitted here).

    Parameters
    ----------
    power : float, default=1.5
        The variance power ``p``: 0, or 1 and above.

    Notes
    -----
    **Support.** ``y`` on the real line for ``p = 0``, ``y ≥ 0`` for
    ``1 ≤ p < 2``, ``y > 0`` for ``p ≥ 2``. Links ``"log"`` (default) and
    ``"identity"`` (statmod's ``tweedie(var.power=p, link.power=0)`` and
    ``link.power=1``; statsmodels' ``Tweedie(var_power=p, link=...)``). The
    unit deviance is ``2 [y^{2−p}/((1−p)(2−p)) − y μ^{1−p}/(1−p) + μ^{2−p}/(2−p)]``,
    and at ``p = 0, 1, 2`` its limits: the squared error and the Poisson and
    gamma deviances. The fit only needs it; φ̂ is Pearson's, as for every
    family with a dispersion.

    **The log-likelihood** (``loglik_`` of a fit, at φ̂) is the exact density:

    - ``p = 0``: the normal's, at ``σ̂² = RSS/Σw`` with the identity link, as
      the gaussian family;
    - ``1 < p < 2``: ``(y θ − κ)/φ + log W(γ, 0, x) − log y`` for ``y > 0``
      and ``−κ/φ`` at 0, with ``θ = μ^{1−p}/(1−p)``, ``κ = μ^{2−p}/(2−p)``,
      ``γ = (2−p)/(p−1)``, ``x = y^γ / ((2−p) φ ((p−1) φ)^γ)`` and
      ``W(γ, 0, x) = Σ_{j≥1} x^j / (j! Γ(γ j))`` Wright's generalised Bessel
      function, the series over the number ``j`` of gamma summands (Dunn &
      Smyth 2005, "Series evaluation of Tweedie exponential dispersion model
      densities", Statist. Comput. 15), summed in log space over the terms
      within ``e⁻⁴⁰`` of its largest (statsmodels' ``Tweedie(eql=False)``
      evaluates ``W`` by :func:`scipy.special.log_wright_bessel`, which loses
      up to 5e-4 in ``log W`` for ``p`` near 1);
    - ``p = 2`` and ``p = 3``: the gamma and inverse Gaussian densities;
    - other ``p > 2``: ``(y θ − κ)/φ + log a(y, φ)``, ``a`` the density of a
      scaled positive stable law of index ``(p − 2)/(p − 1)``, by Dunn &
      Smyth's series where it converges without cancellation and by
      Zolotarev's integral elsewhere and Laplace's method where ``y`` is far
      below the mode (``skfisher.families._tweedie_stable``), to about 1e-13
      of the size of ``(y θ − κ)/φ``, the term it nearly cancels (so about
      1e-13 relative for moderate φ, and 1e-13/φ absolute for small φ);
    - ``p = 1``: nan. With ``φ ≠ 1`` the model is ``y = φ N``, ``N`` Poisson
      with mean ``μ/φ``, whose probabilities sit on the multiples of φ: at a
      φ̂ estimated from data ``y/φ̂`` is not a whole number and the
      probability of the data is 0. R's ``tweedie::ldtweedie`` takes that
      mass function, statsmodels the Poisson log-likelihood divided by φ,
      which is not a density; the two disagree and neither is a
      log-likelihood at φ̂.
    """

    name = "tweedie"
    links = ("log", "identity")
    default_link = "log"
    has_dispersion = True

    def __init__(self, power=1.5):
        if not (np.isfinite(power) and (power == 0 or power >= 1)):
            raise ValueError(
                "The power parameter of Tweedie must be 0 (normal) or at least 1 (1: "
                "Poisson variance, 1 < p < 2: compound Poisson-gamma, 2: gamma, 3: "
                f"inverse Gaussian); got {power!r}. No distribution has a variance "
                "function mu^p with 0 < p < 1, nor with p < 0 for positive means."
            )
        self.power = p = float(power)
        if p == 0:
            self.support = self.mean_domain = Support(-np.inf, np.inf)
        else:
            self.support = Support(0.0, np.inf, low_inclusive=p < 2)
            self.mean_domain = Support(0.0, np.inf)
        # θ = η exactly (μ' = V): μ at p = 0, log μ at p = 1.
        self.canonical_link = {0.0: "identity", 1.0: "log"}.get(p)
        # y θ − κ in η: concave in η = μ for p = 0 and 1, in η = log μ for 1 ≤ p ≤ 2.
        self.concave_links = tuple(
            name for name, concave in (("identity", p <= 1), ("log", 1 <= p <= 2)) if concave
        )

    def variance(self, mu):
        if self.power == 0:
            return np.ones_like(mu)
        return np.power(mu, self.power)

    def variance_deriv(self, mu):
        if self.power in (0.0, 1.0):
            return np.full_like(mu, self.power)
        return self.power * np.power(mu, self.power - 1.0)

    def loglik_obs(self, y, mu, phi=1.0):
        p = self.power
        y = np.asarray(y, dtype=float)
        if p == 0:
            return -0.5 * (np.square(y - mu) / phi + np.log(2.0 * np.pi * phi))
        if p == 1:
            return np.full(np.broadcast(y, mu).shape, np.nan)
        if p == 2:
            shape, ratio = 1.0 / phi, y / mu
            return shape * np.log(shape * ratio) - shape * ratio - gammaln(shape) - np.log(y)
        if p == 3:
            return -0.5 * (
                np.square(y - mu) / (phi * y * np.square(mu)) + np.log(2 * np.pi * phi * y**3)
            )
        return self._series_loglik_obs(y, mu, phi)

    def _series_loglik_obs(self, y, mu, phi):
        """``(y θ − κ)/φ + log a(y, φ)`` by the series (1 < p < 2) or the stable law (p > 2)."""
        p = self.power
        # y θ − κ = −μ^{1−p} [y/(p − 1) + μ/(2 − p)], in logarithms: μ^{1−p} alone
        # overflows for small μ and large p where the product need not.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            bracket = y / (p - 1.0) + mu / (2.0 - p)
            scale = np.exp((1.0 - p) * np.log(mu) + np.log(np.abs(bracket)))
            # 0 where the bracket is: at y = μ = 0 (the saturated log-likelihood) too.
            value = np.array(np.where(bracket == 0, 0.0, -np.sign(bracket) * scale) / phi)
        positive = y > 0
        if not np.any(positive):
            return value
        yp = y[positive]
        phi_p = np.broadcast_to(phi, y.shape)[positive]
        if p > 2:
            with np.errstate(invalid="ignore"):
                value[positive] += log_tweedie_stable_a(yp, phi_p, p)
            # ∞ − ∞ where μ^{1−p} is beyond the doubles: no density there is finite in them.
            return np.where(np.isnan(value), -np.inf, value)
        gamma = (2.0 - p) / (p - 1.0)
        log_x = gamma * np.log(yp) - np.log((2.0 - p) * phi_p) - gamma * np.log((p - 1.0) * phi_p)
        mode = np.power(yp, 2.0 - p) / ((2.0 - p) * phi_p)
        value[positive] += _log_wright_series(log_x, gamma, mode) - np.log(yp)
        return value

    def loglik_dispersion(self, phi, chi2, nobs, link):
        """``σ̂² = RSS / Σw`` for ``p = 0`` with the identity link (the gaussian's), else φ̂."""
        return chi2 / nobs if self.power == 0 and link.name == "identity" else phi

    def unit_deviance(self, y, mu):
        p = self.power
        if p == 0:
            return np.square(y - mu)
        if p == 1:
            return 2.0 * (xlogy(y, y / mu) - (y - mu))
        if p == 2:
            ratio = y / mu
            return 2.0 * (ratio - 1.0 - np.log(ratio))
        return 2.0 * (
            np.power(y, 2.0 - p) / ((1.0 - p) * (2.0 - p))
            - y * np.power(mu, 1.0 - p) / (1.0 - p)
            + np.power(mu, 2.0 - p) / (2.0 - p)
        )

    def start_mu(self, y, sample_weight):
        # R's statmod::tweedie()$initialize: mustart <- y + 0.1 * (y == 0) (y at p = 0,
        # where 0 is an ordinary value, as R's gaussian()).
        y = np.asarray(y, dtype=float)
        return y.copy() if self.power == 0 else y + 0.1 * (y == 0)

    def __repr__(self):
        return f"Tweedie(power={self.power!r})"


# Rows × terms evaluated at once by the series (about 8 MiB of float64).
_SERIES_BLOCK = 1 << 20
# Terms below the largest by more than this (in log) are left out: e⁻⁴⁰ ≈ 4e-18.
_LOG_CUT = 40.0
# Beyond this many terms the sum is taken as an integral over j (see below).
_MAX_TERMS = 4096
_HERMITE_NODES, _HERMITE_WEIGHTS = np.polynomial.hermite.hermgauss(40)


def _log_wright_series(log_x, gamma, mode):
    """Return ``log Σ_{j≥1} x^j / (j! Γ(γ j))`` per row.

    The log of the terms, ``f(j) = j log x − log j! − log Γ(γ j)``, is concave
    in ``j`` with its maximum near ``mode`` and curvature about ``−(1 + γ)/j``,
    so the terms within ``e⁻⁴⁰`` of the largest lie within
    ``sqrt(2·40·j/(1 + γ))`` of it; the window is twice as wide, and checked.
    A window of more than 4096 terms (a tiny φ) has a peak more than 300 terms
    wide, and the sum equals the integral of ``e^{f(j)}`` over j up to
    ``exp(−2π² σ²)`` (Euler–Maclaurin), which 40-point Gauss–Hermite
    quadrature about the peak evaluates to rounding.
    """
    centre = np.maximum(np.rint(mode), 1.0)
    half = np.ceil(2.0 * np.sqrt(2.0 * _LOG_CUT * centre / (1.0 + gamma))) + 10.0
    first = np.maximum(centre - half, 1.0)
    width = (centre + half - first + 1).astype(np.int64)
    out = np.empty_like(log_x)
    wide = width > _MAX_TERMS
    if wide.any():
        out[wide] = _log_wright_integral(log_x[wide], gamma, mode[wide])
    rows_left = np.flatnonzero(~wide)
    order = rows_left[np.argsort(width[rows_left], kind="stable")]
    sorted_width = width[order]
    start = 0
    while start < order.size:
        stop = min(order.size, start + max(1, _SERIES_BLOCK // int(sorted_width[start])))
        while stop - start > 1 and (stop - start) * sorted_width[stop - 1] > _SERIES_BLOCK:
            stop = start + (stop - start) // 2
        rows = order[start:stop]
        j = first[rows, None] + np.arange(int(sorted_width[stop - 1]))[None, :]
        log_terms = j * log_x[rows, None] - gammaln(j + 1.0) - gammaln(gamma * j)
        out[rows] = logsumexp(log_terms, axis=1)
        ends = np.maximum(log_terms[:, -1], np.where(first[rows] > 1, log_terms[:, 0], -np.inf))
        if np.any(ends > out[rows] - _LOG_CUT):
            raise RuntimeError("The Tweedie series window is too narrow; please report this.")
        start = stop
    return out


def _log_wright_integral(log_x, gamma, mode):
    """``log ∫ e^{f(j)} dj`` by Gauss–Hermite about the maximum of ``f`` (wide peaks)."""
    j = np.maximum(mode, 1.0)
    for _ in range(50):
        # Newton on f'(j) = log x − ψ(j + 1) − γ ψ(γ j), with f'' < 0.
        slope = log_x - digamma(j + 1.0) - gamma * digamma(gamma * j)
        curvature = -polygamma(1, j + 1.0) - gamma**2 * polygamma(1, gamma * j)
        j = np.maximum(j - slope / curvature, 0.5 * j)
        if np.all(np.abs(slope / curvature) < 1e-10 * j):
            break
    curvature = -polygamma(1, j + 1.0) - gamma**2 * polygamma(1, gamma * j)
    sigma = 1.0 / np.sqrt(-curvature)
    nodes = j[:, None] + np.sqrt(2.0) * sigma[:, None] * _HERMITE_NODES[None, :]

    def f(v):
        return v * log_x[:, None] - gammaln(v + 1.0) - gammaln(gamma * v)

    peak = f(j[:, None])
    # ∫ e^f = √2 σ Σ w_k e^{t_k²} e^{f(node_k)}: the Gaussian weight divided out.
    log_terms = f(nodes) - peak + _HERMITE_NODES[None, :] ** 2
    total = logsumexp(log_terms, b=_HERMITE_WEIGHTS[None, :], axis=1)
    return peak[:, 0] + total + np.log(np.sqrt(2.0) * sigma)
