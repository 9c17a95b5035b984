"""The Tweedie family with power 1 < p < 2: compound Poisson–gamma responses."""

import numpy as np
from scipy.special import digamma, gammaln, logsumexp, polygamma

from .._validation import Support
from ._base import GLMFamily

__all__ = ["Tweedie"]


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
    ``W(γ, 0, x) = Σ_{j≥1} x^j / (j! Γ(γ j))`` is Wright's generalised Bessel
    function (the series over the number ``j`` of gamma summands; Dunn & Smyth
    2005, "Series evaluation of Tweedie exponential dispersion model
    densities", Statist. Comput. 15). The series is summed in log space over
    the terms within ``e⁻⁴⁰`` of its largest, near ``j = y^{2−p}/((2−p)φ)``.
    This is the density of statsmodels' ``Tweedie(eql=False).loglike_obs``,
    which evaluates ``W`` by :func:`scipy.special.log_wright_bessel`; that
    function loses up to 5e-4 in ``log W`` for ``p`` near 1 (γ ≥ 4), the
    direct sum does not. The fit itself only needs the deviance, which is in
    closed form.
    """

    name = "tweedie"
    support = Support(0.0, np.inf, low_inclusive=True)
    mean_domain = Support(0.0, np.inf)
    links = ("log",)
    default_link = "log"
    canonical_link = None
    has_dispersion = True
    # y μ^(1−p)/(1−p) − μ^(2−p)/(2−p) in η = log μ: concave for 1 ≤ p ≤ 2.
    concave_links = ("log",)

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
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = np.power(mu, 1.0 - p) / (1.0 - p)
            # y θ is 0 at y = 0, also where μ = 0 (the saturated log-likelihood).
            y_theta = np.where(y > 0, y * theta, 0.0)
        kappa = np.power(mu, 2.0 - p) / (2.0 - p)
        value = (y_theta - kappa) / phi
        positive = y > 0
        if np.any(positive):
            gamma = (2.0 - p) / (p - 1.0)
            yp = y[positive]
            phi_p = np.broadcast_to(phi, y.shape)[positive]
            log_x = (
                gamma * np.log(yp) - np.log((2.0 - p) * phi_p) - gamma * np.log((p - 1.0) * phi_p)
            )
            value = np.array(value, dtype=float)
            mode = np.power(yp, 2.0 - p) / ((2.0 - p) * phi_p)
            value[positive] += _log_wright_series(log_x, gamma, mode) - np.log(yp)
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
