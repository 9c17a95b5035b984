"""The negative binomial family (NB2): overdispersed counts."""

import warnings

import numpy as np
from numpy.polynomial import Chebyshev
from scipy import integrate, stats
from scipy.special import betaln, digamma, gammaln, polygamma, xlogy

from .._validation import Support
from .._warnings import warn
from ..exceptions import CovarianceWarning
from ._base import GLMFamily

__all__ = ["NegativeBinomial"]

# Tail probability below which the series of the expected information in α is
# cut: the neglected terms are below this times the largest term.
_SERIES_TAIL = 1e-17
# Rows × terms evaluated at once by the series (about 8 MiB of float64).
_SERIES_BLOCK = 1 << 20
# Above this many rows the expected information in α is interpolated in μ.
_INTERPOLATE_ABOVE = 512
# Rows whose series would need more terms use the integral form.
_MAX_SERIES_TERMS = 1 << 16
# The integral form's error estimate beyond which the information is reported
# inaccurate (a tenth of the standard errors' cross-checks).
_INTEGRAL_RTOL = 1e-7


class NegativeBinomial(GLMFamily):
    """Negative binomial (NB2) responses. ``V(μ) = μ + α μ²``, φ = 1.

    Parameters
    ----------
    alpha : float or None, default=1.0
        The overdispersion ``α > 0`` (``Var Y = μ + α μ²``), held fixed. None
        means α is estimated with the regression coefficients; this is what
        ``FisherGLMRegressor(family="negative_binomial")`` does, and the fitted
        estimator's ``family_`` then carries the estimate.

    Notes
    -----
    The only link is ``"log"``; the canonical link ``log(αμ / (1 + αμ))`` is not
    offered, so the observed and expected information differ. With
    ``r = 1/α`` the log-likelihood of one row is

    ``log Γ(y + r) − log Γ(r) − log Γ(y + 1) + r log(r / (r + μ)) + y log(μ / (r + μ))``

    (statsmodels ``NegativeBinomial`` with ``loglike_method="nb2"``, R's
    ``MASS::glm.nb`` with ``θ = 1/α``). The methods ``alpha_*`` give the
    per-row derivatives in α used when α is estimated (Lawless 1987,
    "Negative binomial and mixed Poisson regression", Can. J. Statist. 15).
    """

    name = "negative_binomial"
    support = Support(0.0, np.inf, low_inclusive=True)
    mean_domain = Support(0.0, np.inf)
    links = ("log",)
    default_link = "log"
    canonical_link = None
    # y η − (y + 1/α) log(1 + α e^η): concave in η.
    concave_links = ("log",)
    has_dispersion = False

    def __init__(self, alpha=1.0):
        if alpha is not None and not (np.isfinite(alpha) and alpha > 0):
            raise ValueError(
                "The alpha parameter of NegativeBinomial must be a positive float "
                f"(or None to estimate it); got {alpha!r}."
            )
        self.alpha = alpha

    def _alpha(self):
        if self.alpha is None:
            raise ValueError(
                "NegativeBinomial(alpha=None) has no fixed alpha: it is estimated by "
                "FisherGLMRegressor(family='negative_binomial'). Pass a positive alpha."
            )
        return self.alpha

    def variance(self, mu):
        return mu + self._alpha() * np.square(mu)

    def variance_deriv(self, mu):
        return 1.0 + 2.0 * self._alpha() * mu

    def loglik_obs(self, y, mu, phi=1.0):
        alpha = self._alpha()
        log_rising, _, _ = _rising_sums(y, alpha)
        # log Γ(y + r) − log Γ(r) + y log α + y log μ − (y + r) log(1 + αμ) − log y!,
        # with the y log α of the first and third terms cancelled exactly.
        return (
            log_rising + xlogy(y, mu) - (y + 1.0 / alpha) * np.log1p(alpha * mu) - gammaln(y + 1.0)
        )

    def loglik_magnitude_obs(self, y, mu):
        """Return a bound on the sum of the magnitudes of :meth:`loglik_obs`'s terms per row.

        ``ε`` times it bounds a row's rounding: at large counts each term (about
        ``y log y``) is far larger than the row's log-likelihood. By elementary
        functions alone, a fraction of the cost of the terms themselves:
        ``Σ_{j<y} log(1 + αj) ≤ y log(1 + αy)`` and ``log y! ≤ y log(1 + y)``.
        """
        alpha = self._alpha()
        return (
            y * (np.log1p(alpha * y) + np.log1p(y))
            + np.abs(xlogy(y, mu))
            + (y + 1.0 / alpha) * np.abs(np.log1p(alpha * mu))
        )

    def unit_deviance(self, y, mu):
        alpha = self._alpha()
        # log((1 + αy)/(1 + αμ)) as log1p of a small number when α is small.
        log_ratio = np.log1p(alpha * (y - mu) / (1.0 + alpha * mu))
        return 2.0 * (xlogy(y, y / mu) - (y + 1.0 / alpha) * log_ratio)

    def start_mu(self, y, sample_weight):
        # R's negative.binomial()$initialize: mustart <- y + (y == 0) / 6.
        return y + (y == 0) / 6.0

    # Derivatives in α, for α estimated (log link) --------------------------------
    def alpha_score_obs(self, y, mu):
        """Return ``∂ℓ/∂α``: ``r² [log(1 + αμ) − ψ(y + r) + ψ(r)] + r (y − μ)/(1 + αμ)``."""
        alpha = self._alpha()
        r = 1.0 / alpha
        _, digamma_diff, _ = _rising_sums(y, alpha)
        return r * r * (np.log1p(alpha * mu) - digamma_diff) + r * (y - mu) / (1.0 + alpha * mu)

    def alpha_observed_obs(self, y, mu):
        """Return ``−∂²ℓ/∂α²`` per row."""
        alpha = self._alpha()
        r = 1.0 / alpha
        one_amu = 1.0 + alpha * mu
        _, digamma_diff, trigamma_diff = _rising_sums(y, alpha)
        a_term = np.log1p(alpha * mu) - digamma_diff
        return (
            2.0 * r**3 * a_term
            - r * r * mu / one_amu
            + r**4 * trigamma_diff
            + r * r * (y - mu) / one_amu
            + r * (y - mu) * mu / np.square(one_amu)
        )

    def eta_alpha_observed_obs(self, y, mu):
        """Return ``−∂²ℓ/∂η∂α`` per row (log link): ``(y − μ) μ / (1 + αμ)²``."""
        return (y - mu) * mu / np.square(1.0 + self._alpha() * mu)

    def alpha_information_obs(self, mu):
        """Return the expected information in α per row, ``E[(∂ℓ/∂α)²]``.

        The series of :meth:`alpha_information_series` for up to 512 rows.
        Beyond, the information depends on the row only through μ, smoothly, so
        ``I(μ) (1 + αμ)² / μ²`` (bounded: 1/2 as μ → 0, a constant as μ → ∞)
        is interpolated in ``log μ`` by a Chebyshev polynomial whose degree
        doubles (16 … 256) until its last coefficients are below ``1e-12`` of
        the largest: about 30–60 series instead of one per row, and an
        interpolation error of about ``1e-13`` relative.
        """
        mu = np.asarray(mu, dtype=float)
        if mu.size <= _INTERPOLATE_ABOVE:
            return self.alpha_information_series(mu)
        alpha = self._alpha()
        log_mu = np.log(mu)
        centre = 0.5 * (log_mu.min() + log_mu.max())
        half = max(0.5 * (log_mu.max() - log_mu.min()), 0.5)

        def ratio(u):
            m = np.exp(u)
            return self.alpha_information_series(m) * np.square((1.0 + alpha * m) / m)

        for degree in (16, 32, 64, 128, 256):
            fit = Chebyshev.interpolate(ratio, degree, domain=[centre - half, centre + half])
            if np.max(np.abs(fit.coef[-4:])) <= 1e-12 * np.max(np.abs(fit.coef)):
                break
        return fit(log_mu) * np.square(mu / (1.0 + alpha * mu))

    def alpha_information_series(self, mu):
        """Return the expected information in α per row by its series.

        ``r⁴ Σ_{j≥0} P(Y > j) / (r + j)² − r² μ / (1 + αμ)`` (Lawless 1987,
        eq. 2.6). Since ``Σ_j P(Y > j) = μ`` the two parts combine, term by
        term and without cancellation between large numbers, into

        ``r Σ_{j≥0} P(Y > j) (μ − 2j − αj²) / ((1 + αj)² (1 + αμ))``,

        summed with the negative binomial probabilities up to the point where
        the upper tail is below ``1e-17``; a row whose counts spread over more
        than 65536 values takes an integral form instead, whose cost does not
        grow with μ. The expected information between α and the coefficients
        is 0 (Lawless 1987), so the expected information matrix is block
        diagonal.
        """
        alpha = self._alpha()
        mu = np.asarray(mu, dtype=float)
        prob = 1.0 / (1.0 + alpha * mu)
        # A row of μ beyond the series' longest takes the integral without its
        # quantile, which lies above μ (the tail beyond μ holds far more than
        # 1e-17 for any α below 10¹⁵) and which scipy's search can take minutes
        # to find at μ ≳ 10¹²⁰.
        last = np.full_like(mu, np.inf)
        moderate = mu <= _MAX_SERIES_TERMS
        last[moderate] = stats.nbinom.isf(_SERIES_TAIL, 1.0 / alpha, prob[moderate])
        # Where the quantile is not available, fifty standard deviations.
        fallback = mu + 50.0 * np.sqrt(mu + alpha * np.square(mu)) + 50.0
        last = np.where(np.isfinite(last), last, fallback)
        information = np.empty_like(mu)
        long = last > _MAX_SERIES_TERMS
        if long.any():
            information[long] = _alpha_information_integral(mu[long], alpha)
        if not long.all():
            short = ~long
            information[short] = _alpha_information_sum(
                mu[short], alpha, last[short].astype(np.int64) + 1
            )
        return information

    def __repr__(self):
        return f"NegativeBinomial(alpha={self.alpha!r})"


def _alpha_information_sum(mu, alpha, last):
    """The series of :meth:`NegativeBinomial.alpha_information_series`, up to ``last``."""
    r = 1.0 / alpha
    prob = 1.0 / (1.0 + alpha * mu)
    grid = np.arange(last.max() + 1, dtype=float)
    # log P(Y = j) = Σ_{i<j} log(1 + αi) − log j! − r log(1 + αμ) + j log(μ/(1 + αμ)),
    # the log Γ ratio as a running sum: exact for small α, where a difference
    # of log Γ at r = 1/α would lose the digits the cancellation below needs.
    log_coef = _rising_sums(grid, alpha)[0] - gammaln(grid + 1.0)
    shape_j = (-2.0 * grid - alpha * np.square(grid)) / np.square(1.0 + alpha * grid)
    inv_j = 1.0 / np.square(1.0 + alpha * grid)
    total = np.empty_like(mu)
    # Rows sorted by series length, in blocks of bounded rows × terms.
    order = np.argsort(last, kind="stable")
    sorted_last = last[order]
    start = 0
    while start < order.size:
        stop = min(order.size, start + max(1, _SERIES_BLOCK // int(sorted_last[start] + 1)))
        while stop - start > 1 and (stop - start) * (sorted_last[stop - 1] + 1) > _SERIES_BLOCK:
            stop = start + (stop - start) // 2
        rows = order[start:stop]
        width = int(sorted_last[stop - 1]) + 1
        log_mean = np.log(mu[rows] * prob[rows])
        pmf = np.exp(
            log_coef[None, :width]
            - r * np.log1p(alpha * mu[rows])[:, None]
            + grid[None, :width] * log_mean[:, None]
        )
        # P(Y > j) for j < width − 1, summed from the small end of the tail.
        survival = np.cumsum(pmf[:, :0:-1], axis=1)[:, ::-1]
        terms = mu[rows, None] * inv_j[None, : width - 1] + shape_j[None, : width - 1]
        total[rows] = np.sum(survival * terms, axis=1) * prob[rows]
        start = stop
    return r * total


def _alpha_information_integral(mu, alpha):
    """Return ``E[(∂ℓ/∂α)²]`` per row from an integral over t, for very large ``αμ``.

    With ``ψ'(z) = ∫₀^∞ t e^{−zt} / (1 − e^{−t}) dt`` and the negative
    binomial's ``E[e^{−tY}] = (1 + αμ (1 − e^{−t}))^{−r}``,
    ``E[ψ'(r) − ψ'(Y + r)] = ∫₀^∞ t e^{−rt} [1 − (1 + αμ(1 − e^{−t}))^{−r}] / (1 − e^{−t}) dt``
    and the information is ``r⁴`` times it minus ``r² μ/(1 + αμ)``; there is no
    cancellation between the two when ``αμ`` is large, the only case used.
    """
    r = 1.0 / alpha
    out = np.empty_like(mu)
    worst = 0.0
    for i, m in enumerate(mu):

        def integrand(t, m=m):
            one_minus = -np.expm1(-t)
            tail = -np.expm1(-r * np.log1p(alpha * m * one_minus))
            return t * np.exp(-r * t) * tail / one_minus if t > 0 else alpha * m * r

        with warnings.catch_warnings():
            # quad warns where rounding keeps it from 1e-11; its own error
            # estimate (about 1e-9 relative where it warns, at μ near 10⁵)
            # is checked below instead.
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            value, error = integrate.quad(
                integrand, 0.0, np.inf, epsabs=0.0, epsrel=1e-11, limit=200
            )
        worst = max(worst, error / abs(value)) if value != 0 else np.inf
        out[i] = r**4 * value - r * r * m / (1.0 + alpha * m)
    if worst > _INTEGRAL_RTOL:
        warn(
            f"The expected information in the negative binomial's alpha is accurate only to "
            f"{worst:.1g} (relative) at its largest means; cov_type='observed' does not need it.",
            CovarianceWarning,
        )
    return out


# Counts up to this size use exact running sums over j < y; beyond it (and for
# non-integer y) the special functions.
_MAX_TABLE = 1 << 20
# Counts up to this size keep the running sums without weighing the special
# functions against them (10⁶ rows of large counts: 70 ms with the special
# functions, 11 ms for the sums alone).
_FEW_TERMS = 64


def _rising_sums(y, alpha):
    """Return three sums over ``j < y`` that the negative binomial needs, per row.

    ``Σ log(1 + αj)`` (``= log Γ(y + r) − log Γ(r) + y log α``),
    ``Σ α/(1 + αj)`` (``= ψ(y + r) − ψ(r)``) and ``Σ α²/(1 + αj)²``
    (``= ψ'(r) − ψ'(y + r)``), with ``r = 1/α``. For integer counts they are
    running sums over ``j``, exact for any α, where the differences of log Γ
    and ψ at ``r = 1/α`` lose every digit once α is small. A running sum to
    ``y`` gathers up to ``y`` roundings of its value, though: where the
    differences of the special functions round less (large counts at a
    moderate α, whose log-likelihood the running sum made noisy by 10⁻⁷ at
    counts near 10⁴), a row takes those instead.
    """
    y = np.asarray(y, dtype=float)
    integer = np.all(y == np.floor(y)) and (y.size == 0 or y.max() <= _MAX_TABLE)
    if integer:
        j = alpha * np.arange(int(y.max()) if y.size else 0)
        index = y.astype(np.int64)
        tables = (np.log1p(j), alpha / (1.0 + j), np.square(alpha / (1.0 + j)))
        running = [np.concatenate(([0.0], np.cumsum(t)))[index] for t in tables]
        # Up to _FEW_TERMS terms a running sum rounds less than 10⁻¹² of the
        # row's log-likelihood; only longer rows weigh the special functions.
        # (The sum of squares keeps its running sum: it rounds to about y ulps,
        # 10⁻¹¹ at the longest table, and ψ' costs 15 times log Γ.)
        long = np.flatnonzero(y > _FEW_TERMS)
        if long.size:
            special = _special_differences(y[long], alpha)
            for sums, (value, bound) in zip(running[:2], special, strict=True):
                finer = y[long] * np.abs(sums[long]) > bound
                sums[long[finer]] = value[finer]
        return tuple(running)
    (log_rising, _), (digamma_diff, _) = _special_differences(y, alpha)
    r = 1.0 / alpha
    return log_rising, digamma_diff, polygamma(1, r) - polygamma(1, y + r)


def _special_differences(y, alpha):
    """The first two sums of :func:`_rising_sums` by log Γ and ψ, each with its rounding bound.

    The bound is the sum of the magnitudes that the difference cancels (in
    units of the rounding of one value), to weigh against a running sum's
    ``y`` times its value.
    """
    r = 1.0 / alpha
    y_r = y + r
    positive = y > 0
    safe_y = np.where(positive, y, 1.0)
    # log Γ(y + r) − log Γ(r) as log Γ(y) − log B(y, r), which scipy forms
    # without the cancellation of the two log Γ at large r.
    log_gamma, log_beta, y_log_alpha = gammaln(safe_y), betaln(safe_y, r), y * np.log(alpha)
    log_rising = np.where(positive, log_gamma - log_beta + y_log_alpha, 0.0)
    bound = np.abs(log_gamma) + np.abs(log_beta) + np.abs(y_log_alpha)
    psi, psi_r = digamma(y_r), digamma(r)
    return ((log_rising, bound), (psi - psi_r, np.abs(psi) + abs(psi_r)))
