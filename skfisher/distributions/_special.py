"""Special-function combinations that lose their digits when written naively.

Student's t needs ``log Γ((ν+1)/2) − log Γ(ν/2)`` and the matching differences
of the digamma and trigamma functions. For large ``ν`` the two terms of each
difference agree in almost every digit: at ``ν = 10⁷`` the log-gamma
difference of two numbers near 7.6·10⁷ keeps about seven digits, and the
trigamma difference in the information about ``ν`` keeps none. Beyond
``ν = 20`` they are evaluated instead from the generalised Stirling series
(DLMF 5.11.8, with ``h = ½`` and ``h = 0``; ``B_n(½) = (2^{1−n} − 1) B_n``)

    log Γ(x + ½) − log Γ(x) − ½ log x = Σ_k c_k x^{1−2k},
    c_k = (2^{1−2k} − 2) B_{2k} / (2k (2k − 1)),

summed to nine terms (the first one left out is below 10⁻¹⁶ of the first
at ``x = 10``), and from its first and second derivatives.
"""

import numpy as np
from scipy.special import bernoulli, digamma, gammaln, zeta

# Above this ν the series, below it the special functions (full precision on both sides).
SERIES_FROM_DF = 20.0
_K = np.arange(1, 10, dtype=float)
_C = (2.0 ** (1.0 - 2.0 * _K) - 2.0) * bernoulli(18)[2::2] / (2.0 * _K * (2.0 * _K - 1.0))
_LOG_2PI = np.log(2.0 * np.pi)


def _series(x, coefficients, powers):
    """``Σ_k coefficients_k x^{powers_k}`` for an array ``x`` (``x = ∞`` gives 0)."""
    x = np.asarray(x, dtype=float)[..., None]
    with np.errstate(divide="ignore"):
        return np.sum(coefficients * x**powers, axis=-1)


def t_log_normaliser(df):
    """``log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ)``, the log-density of t at 0; −½ log 2π at ∞."""
    df = np.asarray(df, dtype=float)
    with np.errstate(all="ignore"):
        direct = gammaln(0.5 * (df + 1.0)) - gammaln(0.5 * df) - 0.5 * np.log(df * np.pi)
        series = _series(0.5 * df, _C, 1.0 - 2.0 * _K) - 0.5 * _LOG_2PI
    return np.where(df > SERIES_FROM_DF, series, direct)


def t_log_normaliser_deriv(df):
    """The derivative in ``ν`` of :func:`t_log_normaliser`; 0 at ∞."""
    df = np.asarray(df, dtype=float)
    with np.errstate(all="ignore"):
        direct = 0.5 * (digamma(0.5 * (df + 1.0)) - digamma(0.5 * df)) - 0.5 / df
        series = 0.5 * _series(0.5 * df, _C * (1.0 - 2.0 * _K), -2.0 * _K)
    return np.where(df > SERIES_FROM_DF, series, direct)


def t_df_information(df):
    """The expected information about ``ν`` of one Student-t observation; 0 at ∞.

    ``¼[ψ'(ν/2) − ψ'((ν+1)/2)] − (ν+5)/(2ν(ν+1)(ν+3))`` (Lange, Little & Taylor
    1989), about ``7/(2ν⁴)`` for large ν. With ``τ = 1/ν`` and the series, the
    two terms combine into ``τ⁴(7 + 3τ)/(2(1 + τ)(1 + 3τ))`` minus a quarter of
    the second derivative of the series beyond its first term, a sum without
    cancellation.
    """
    df = np.asarray(df, dtype=float)
    with np.errstate(all="ignore"):
        direct = 0.25 * (zeta(2.0, 0.5 * df) - zeta(2.0, 0.5 * (df + 1.0))) - (df + 5.0) / (
            2.0 * df * (df + 1.0) * (df + 3.0)
        )
        tau = 1.0 / df
        leading = tau**4 * (7.0 + 3.0 * tau) / (2.0 * (1.0 + tau) * (1.0 + 3.0 * tau))
        k = _K[1:]
        rest = _series(0.5 * df, _C[1:] * (2.0 * k - 1.0) * 2.0 * k, -2.0 * k - 1.0)
        series = leading - 0.25 * rest
    return np.where(df > SERIES_FROM_DF, series, direct)


_F_TERMS = 1.0 / np.arange(2.0, 18.0)


def log1m_plus(v):
    """``−log(1 − v) − v = Σ_{k≥2} v^k / k`` for ``v`` in [0, 1), accurate as ``v → 0``."""
    v = np.asarray(v, dtype=float)
    with np.errstate(all="ignore"):
        direct = -np.log1p(-v) - v
    # Sixteen terms of the series: the first neglected is below v^18/18 < 1e-19 for v < 0.1.
    series = np.zeros_like(v)
    for c in _F_TERMS[::-1]:
        series = series * v + c
    return np.where(v < 0.1, v * v * series, direct)


def log1p_ratio(u):
    """``log(1 + u) / u`` for ``u ≥ 0``, 1 at ``u = 0``."""
    u = np.asarray(u, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(u > 0, np.log1p(u) / u, 1.0)


# Stirling's series for log Γ(w) − [(w − ½) log w − w + ½ log 2π]: eight terms,
# the first left out below 1e-17 of log Γ's own rounding for w ≥ 10.
_STIRLING = bernoulli(16)[2::2] / (2.0 * _K[:8] * (2.0 * _K[:8] - 1.0))


def _stirling_correction(w):
    return _series(w, _STIRLING, 1.0 - 2.0 * _K[:8])


def log_gamma_ratio(z, h):
    """``log Γ(z + h) − log Γ(z)`` without the rounding of two large log Γ values.

    For ``z, z + h ≥ 10``, Stirling's formula on both gives
    ``(z − ½) log1p(h/z) + h log(z + h) − h`` plus the difference of the two
    series, whose rounding is about ``eps·|h| log(z + h)`` rather than
    ``eps·z log z``: at ``z = 10⁶`` and ``h ≈ 1`` the difference of ``gammaln``
    values varies by 2e-9 from one ``h`` to the next, which is more than the
    log-likelihood gains in the last steps of a fit. Elsewhere the values
    are small and ``gammaln`` is used.
    """
    z, h = np.broadcast_arrays(np.asarray(z, dtype=float), np.asarray(h, dtype=float))
    w = z + h
    large = (z >= 10.0) & (w >= 10.0)
    with np.errstate(all="ignore"):
        zs, ws, hs = np.where(large, z, 10.0), np.where(large, w, 10.0), np.where(large, h, 0.0)
        stirling = (
            (zs - 0.5) * np.log1p(hs / zs)
            + hs * np.log(ws)
            - hs
            + (_stirling_correction(ws) - _stirling_correction(zs))
        )
        direct = gammaln(w) - gammaln(z)
    return np.where(large, stirling, direct)


# The asymptotic series of ψ(w) − log w + 1/(2w): −Σ_k B_2k / (2k w^{2k}), eight terms.
_DIGAMMA = -bernoulli(16)[2::2] / (2.0 * _K[:8])


def digamma_difference(z, h):
    """``ψ(z + h) − ψ(z)`` without the rounding of two digamma values near ``log z``.

    For ``z, z + h ≥ 10`` the asymptotic series on both gives
    ``log1p(h/z) + h/(2z(z + h))`` plus the difference of the two series, whose
    rounding is about ``eps·h/z`` rather than ``eps·log z``: at ``z = 10⁹`` and
    ``h = 6`` the difference of ``digamma`` values is 6e-9 with an error of
    5e-15, while the negative binomial's score in ``n`` it enters is of that
    size. Elsewhere ``digamma`` is used.
    """
    z, h = np.broadcast_arrays(np.asarray(z, dtype=float), np.asarray(h, dtype=float))
    w = z + h
    large = (z >= 10.0) & (w >= 10.0)
    with np.errstate(all="ignore"):
        zs, ws, hs = np.where(large, z, 10.0), np.where(large, w, 10.0), np.where(large, h, 0.0)
        powers = -2.0 * _K[:8]
        series = _series(ws, _DIGAMMA, powers) - _series(zs, _DIGAMMA, powers)
        asymptotic = np.log1p(hs / zs) + hs / (2.0 * zs * ws) + series
        direct = digamma(w) - digamma(z)
    return np.where(large, asymptotic, direct)
