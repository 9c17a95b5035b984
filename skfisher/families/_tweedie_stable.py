"""The Tweedie log-density for p > 2: an exponentially tilted positive stable law.

For ``p > 2`` the Tweedie density is ``f(y) = a(y, φ) exp[(y θ − κ)/φ]``
(``θ = μ^{1−p}/(1−p)``, ``κ = μ^{2−p}/(2−p)``), and ``a(·, φ)`` is the density of
``c S``, ``S`` the positive stable law of index ``α = (p − 2)/(p − 1)`` with
``E e^{−tS} = e^{−t^α}`` and ``c = (p − 1) φ ((p − 2) φ)^{−1/α}``: the Laplace
transform of ``a`` is ``exp(κ(−tφ)/φ)`` (Jørgensen 1997, §4.2). The density ``g``
of ``S`` at ``x = y / c`` is evaluated in one of three ways.

**Large x** (``z = x^{−α} ≤ 1/2``): the series of Dunn & Smyth (2005, §4; Feller
1971, XVII.6)

    g(x) = (1/(π x)) Σ_{k≥1} (−1)^{k+1} Γ(αk + 1)/k! sin(kπα) z^k,

whose terms fall at least as fast as ``2^{−k}`` times their first: 64 terms
leave under 1e-18 and the sum loses at most a digit to cancellation. (For
smaller x the series alternates with terms far above its sum, and cancels
catastrophically: Dunn & Smyth's reason for Fourier inversion.)

**Otherwise**, Zolotarev's integral (Zolotarev 1986, Thm 2.2.3; Kanter 1975),

    g(x) = (p − 2)/π · x^{−(p−1)} ∫_0^π A(u) e^{−s A(u)} du,    s = x^{−(p−2)},

    A(u) = sin(αu)^{p−2} sin((1 − α)u) / sin(u)^{p−1},

whose integrand is positive: there is nothing to cancel. ``A`` rises from
``A(0) = α^{p−2}/(p − 1)`` to ∞ at π. In ``D = log A − log A(0)``, evaluated
without cancellation (a power series near 0, ``sin u = sin(π − u)`` and its
like near π), the log-integrand is ``D − β e^{D − D*}`` up to a constant, with
its maximum ``D* = max(0, −log(s A(0)))`` and ``β = max(1, s A(0))``. The
panels end where ``D`` is ``D*`` plus offsets (``D`` inverted by interpolation
in a table over ``logit(u/π)``): steps widening below the peak down to
``u = 0`` (a panel whose integrand is ``e^{−d}`` of the peak needs only a
relative accuracy of ``e^{d}`` ε), and above it until the integrand is
``e^{−45}`` of its maximum; each panel is summed by 12-point Gauss–Legendre.

**Tiny x** (``β c₂² > 10^{17} (c₂² + |c₄|)``, ``D ≈ c₂u² + c₄u⁴``): the peak
at ``u = 0`` is ``(β c₂)^{−1/2}`` wide and Laplace's method,
``∫ ≈ A(0) e^{−β} ½ √(π/(β c₂))``, is exact to a relative ``(c₂² + |c₄|)/(β c₂²)``,
below 1e-17. Where ``β`` exceeds the largest double the log-density is ``−∞``.
"""

import numpy as np
from scipy.special import bernoulli, expit, gammaln, logsumexp

__all__ = ["log_tweedie_stable_a"]

_SERIES_TERMS = 64
_SERIES_Z = 0.5
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(12)
_LOG_WEIGHTS = np.log(_WEIGHTS)
# Offsets of the panel ends above the peak, in D: e^t − 1 − t reaches 45 at
# t ≈ 3.9 (for a peak at u = 0 the drops are larger still).
_ABOVE = np.array([0.75, 1.5, 2.25, 3.0, 4.25])
# Below the peak the log-integrand falls about linearly in D; the steps widen
# where the panel's share of the integral leaves room for the rule's error.
# (Halving every step, or 20 nodes, moves no log-density by 1e-14.)
_BELOW = -np.array(
    [0.0, 0.75, 1.5, 2.25, 3.0, 4.0, 5.5, 7.5, 10.0, 13.0, 17.0, 22.0, 28.0, 36.0, 46.0, 61.0]
)
# log sin(v)/v = −Σ b_n v^{2n} for |v| < π; 12 terms leave (0.5/π)^26 beyond 0.5.
_N = np.arange(1, 13)
_LOG_SINC = np.abs(bernoulli(24)[2::2]) * 4.0**_N / (2 * _N * np.exp(gammaln(2 * _N + 1.0)))
_SMALL_U = 0.5
# The table of D over q = logit(u/π) used to place the panel ends.
_TABLE_Q = np.linspace(-46.0, 46.0, 4601)
_LAPLACE = 1e17
# Rows evaluated at once by the integral (their nodes: about 40 MiB of float64).
_BLOCK = 2048


def log_tweedie_stable_a(y, phi, p):
    """Return ``log a(y, φ)`` of the Tweedie density for ``p > 2`` and ``y > 0``, per row."""
    alpha = (p - 2.0) / (p - 1.0)
    log_c = np.log((p - 1.0) * phi) - np.log((p - 2.0) * phi) / alpha
    log_x = np.log(y) - log_c
    out = np.empty(np.broadcast(log_x, p).shape)
    log_x = np.broadcast_to(log_x, out.shape)
    series = -alpha * log_x <= np.log(_SERIES_Z)
    if series.any():
        out[series] = _log_series(log_x[series], alpha)
    if (~series).any():
        out[~series] = _log_integral(log_x[~series], alpha, p)
    return out - np.broadcast_to(log_c, out.shape)


def _log_series(log_x, alpha):
    """``log g(x)`` by the convergent series in ``z = x^{−α} ≤ 1/2``."""
    k = np.arange(1.0, _SERIES_TERMS + 1.0)
    # Relative to the first term: (−1)^{k+1} Γ(αk+1) sin(kπα) / (k! Γ(α+1) sin(πα)) z^{k−1}.
    log_ratio = gammaln(alpha * k + 1.0) - gammaln(k + 1.0) - gammaln(alpha + 1.0)
    sine = np.sin(k * np.pi * alpha) / np.sin(np.pi * alpha) * (-1.0) ** (k + 1.0)
    log_z = -alpha * log_x
    terms = sine * np.exp(log_ratio + (k - 1.0) * log_z[:, None])
    first = np.log(np.sin(np.pi * alpha)) + gammaln(alpha + 1.0) + log_z
    return -np.log(np.pi) - log_x + first + np.log(np.sum(terms, axis=1))


def _series_coefficients(p):
    """``c_n`` of ``D(u) = Σ c_n u^{2n}`` for ``u < 1/2``, free of cancellation near p = 2."""
    e, n = p - 2.0, _N.astype(float)
    # (p − 2) α^{2n} + (1 − α)^{2n} − (p − 1), with 1 − α = 1/(1 + e) and α = e/(1 + e).
    bracket = e * (e / (1.0 + e)) ** (2 * n) + np.expm1(-2 * n * np.log1p(e)) - e
    return -_LOG_SINC * bracket


def _log_a_rise(u, delta, alpha, p, coefficients):
    """``D(u) = log A(u) − log A(0)``, with ``delta = π − u`` accurate near π."""
    out = np.empty(u.shape)
    small = u < _SMALL_U
    out[small] = np.polynomial.polynomial.polyval(np.square(u[small]), np.r_[0.0, coefficients])
    u, delta = u[~small], delta[~small]
    far = u > np.pi / 2
    # Near π: sin(αu) = sin(δ + (1 − α)u), sin((1 − α)u) = sin(δ + αu), sin u = sin δ.
    sin_a = np.sin(np.where(far, delta + (1.0 - alpha) * u, alpha * u))
    sin_b = np.sin(np.where(far, delta + alpha * u, (1.0 - alpha) * u))
    sin_u = np.sin(np.where(far, delta, u))
    # Each logarithm is of sin v / v, small: D is their difference without cancellation.
    out[~small] = (
        (p - 2.0) * np.log(sin_a / (alpha * u))
        + np.log(sin_b / ((1.0 - alpha) * u))
        - (p - 1.0) * np.log(sin_u / u)
    )
    return out


def _table(alpha, p, coefficients):
    """``(log D, q)`` on the grid of ``q = logit(u/π)``, increasing, for interpolation."""
    u, delta = np.pi * expit(_TABLE_Q), np.pi * expit(-_TABLE_Q)
    rise = _log_a_rise(u, delta, alpha, p, coefficients)
    keep = rise > 0
    log_rise = np.log(rise[keep])
    # Rounding may leave a step that does not rise; the interpolation needs order.
    increasing = np.concatenate([[True], np.diff(np.maximum.accumulate(log_rise)) > 0])
    return log_rise[increasing], _TABLE_Q[keep][increasing]


def _log_integral(log_x, alpha, p):
    """``log g(x)`` by Zolotarev's integral (Laplace's method where it is exact)."""
    coefficients = _series_coefficients(p)
    c2, c4 = coefficients[0], coefficients[1]
    a0 = (p - 2.0) * np.log(alpha) - np.log(p - 1.0)
    log_beta = -(p - 2.0) * log_x + a0  # log(s A(0))
    out = np.empty_like(log_x)
    laplace = log_beta > np.log(_LAPLACE * (c2**2 + abs(c4)) / c2**2)
    if laplace.any():
        with np.errstate(over="ignore"):
            beta = np.exp(log_beta[laplace])
        out[laplace] = a0 - beta + 0.5 * (np.log(np.pi / (4.0 * c2)) - log_beta[laplace])
    rows = np.flatnonzero(~laplace)
    if rows.size:
        table = _table(alpha, p, coefficients)
        # Blocks of rows of alike depth, so a deep peak does not widen every row's ladder.
        rows = rows[np.argsort(-log_beta[rows], kind="stable")]
        for start in range(0, rows.size, _BLOCK):
            block = rows[start : start + _BLOCK]
            out[block] = _log_panels(log_beta[block], alpha, p, coefficients, table, a0)
    return np.log(p - 2.0) - np.log(np.pi) - (p - 1.0) * log_x + out


def _panel_ends(log_beta, alpha, p, table):
    """``(u, π − u, D*, β)``: the panel ends of each row, sorted, and its peak."""
    peak = np.maximum(-log_beta, 0.0)  # D*
    beta = np.exp(np.maximum(log_beta, 0.0))
    # Above the peak: where β(e^t − 1) − t reaches the drop of e^t − 1 − t at _ABOVE
    # (t = _ABOVE for β = 1), by its contracting fixed point.
    drops = np.expm1(_ABOVE) - _ABOVE
    above = np.broadcast_to(_ABOVE, (peak.size, _ABOVE.size))
    for _ in range(60):
        above = np.log1p((drops + above) / beta[:, None])
    below = _BELOW[: np.searchsorted(-_BELOW, float(np.max(peak)), side="right") + 1]
    levels = peak[:, None] + np.concatenate(
        [np.broadcast_to(below[::-1], (peak.size, below.size)), above], axis=1
    )
    floor = levels <= 0.0
    q = np.interp(np.log(np.where(floor, 1.0, levels)), *table)
    u = np.where(floor, 0.0, np.pi * expit(q))
    delta = np.where(floor, np.pi, np.pi * expit(-q))
    # And where π − u halves, down to the top end: A has its pole at π and, for a
    # small α, a zero just beyond it at π/(1 − α); panels [d, 2d] in π − u keep both
    # as far from a panel as it is wide.
    top = delta[:, -1:]
    halvings = int(np.clip(np.ceil(np.log2(np.pi / 2 / top.min())) + 1, 1, 60))
    fixed = np.maximum(np.pi / 2 * 0.5 ** np.arange(halvings), top)
    u = np.column_stack([np.zeros(peak.size), u, np.pi - fixed])
    delta = np.column_stack([np.full(peak.size, np.pi), delta, fixed])
    order = np.argsort(u, axis=1, kind="stable")
    return np.take_along_axis(u, order, 1), np.take_along_axis(delta, order, 1), peak, beta


def _log_panels(log_beta, alpha, p, coefficients, table, a0):
    """``log ∫_0^π A e^{−sA} du`` by Gauss–Legendre on the panels of each row."""
    u, delta, peak, beta = _panel_ends(log_beta, alpha, p, table)
    half = 0.5 * np.diff(u, axis=1)[..., None]
    # Nodes in u below π/2 and in π − u above it, where sin u is sin(π − u).
    near_pi = (u[:, :-1] >= np.pi / 2)[..., None]
    nodes_u = 0.5 * (u[:, 1:] + u[:, :-1])[..., None] + half * _NODES
    nodes_d = 0.5 * (delta[:, 1:] + delta[:, :-1])[..., None] - half * _NODES
    nodes_u = np.where(near_pi, np.pi - nodes_d, nodes_u)
    nodes_d = np.where(near_pi, nodes_d, np.pi - nodes_u)
    t = _log_a_rise(nodes_u, nodes_d, alpha, p, coefficients) - peak[:, None, None]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        # log(A e^{−sA}) = log A(0) + D* − β + t − β (e^t − 1), t = D − D*.
        log_f = t - beta[:, None, None] * np.expm1(t)
        log_f = np.where(half > 0, log_f + np.log(half) + _LOG_WEIGHTS, -np.inf)
    total = logsumexp(log_f.reshape(peak.size, -1), axis=1)
    return a0 + peak - beta + total
