"""Per-row log-likelihoods of the zero-inflated and hurdle models and their derivatives.

Each row has the predictors ``u = (η, ζ, α)`` (α for the negative binomial
only): ``η = log μ`` of the count part, ``ζ`` the logit of the zero part's
probability ``π = expit(ζ)``. With the count distribution ``f`` and
``L(y) = log f(y)`` (:mod:`._distributions`):

* **zero-inflated** (``π`` the probability of a structural zero):
  ``P(0) = π + (1 − π) f(0)`` and ``P(y) = (1 − π) f(y)`` for ``y > 0``;
* **hurdle** (``π = P(Y > 0)``, the sign of R's ``pscl::hurdle``):
  ``P(0) = 1 − π`` and ``P(y) = π f(y) / (1 − f(0))`` for ``y > 0``.

The functions return ``(ℓ, g, H, E)`` per row: the log-likelihood, its
gradient in ``u`` (n, m), its negative Hessian (n, m, m) and the expected
negative Hessian under the model (n, m, m; None unless ``expected``), all in
closed form given those of
``f``. For a zero at ``y = 0`` of the zero-inflated model, ``ℓ = log(e^A + e^B)``
with ``A = log π`` and ``B = log(1 − π) + L(0)``, so that with the posterior
shares ``q = e^{A−ℓ}``, ``r = e^{B−ℓ}``:

    g = q ∇A + r ∇B,    H = q (−∇²A) + r (−∇²B) − q r (∇A − ∇B)(∇A − ∇B)ᵀ.

The expectation over ``y`` needs ``E_f[H_f]`` only, since ``H`` is, for the
positive counts, ``H_f(y)`` plus terms free of ``y``:

* zero-inflated: ``E = π(1 − π) e_ζ e_ζᵀ + (1 − π) E_f[H_f] − (π (1 − π) f(0) / P(0)) v vᵀ``
  with ``v = e_ζ − ∇L(0)``;
* hurdle: ``E = π(1 − π) e_ζ e_ζᵀ + π (E_f[H_f] / (1 − f(0)) − ρ (1 + ρ) ∇L(0) ∇L(0)ᵀ)``
  with ``ρ = f(0) / (1 − f(0))``, the truncation ``−log(1 − f(0))`` adding
  ``ρ ∇L(0)`` to the gradient and ``ρ H_f(0) − ρ (1 + ρ) ∇L(0) ∇L(0)ᵀ`` to ``H``.
"""

import numpy as np
from scipy.special import expit, log_expit

ETA, ZETA = 0, 1


def count_slots(dist):
    """Return the positions of the count part's parameters ``(η, α…)`` in ``u``."""
    return np.array([ETA, *range(2, 2 + dist.n_extra)])


def _embed(values, slots, m):
    """Put count-part arrays (n, c) or (n, c, c) at ``slots`` of m predictors."""
    if values.ndim == 2:
        out = np.zeros((values.shape[0], m))
        out[:, slots] = values
        return out
    out = np.zeros((values.shape[0], m, m))
    out[:, slots[:, None], slots[None, :]] = values
    return out


def _outer(v):
    return v[:, :, None] * v[:, None, :]


def _logit_part(zeta, m):
    """``π``, and ``π(1 − π) e_ζ e_ζᵀ`` over m predictors."""
    pi = expit(zeta)
    logistic = np.zeros((zeta.size, m, m))
    logistic[:, ZETA, ZETA] = pi * (1.0 - pi)
    return pi, logistic


def inflated_rows(dist, y, mu, zeta, expected=True):
    """``(ℓ, g, H, E)`` per row of the zero-inflated model (module docstring).

    Written out in the count part's slots ``c`` and ``ζ``, with ``q + r = 1``:
    at a zero ``g_c = r ∇L(0)``, ``g_ζ = q − π``, ``H_cc = r H_f(0) − q r ∇L(0)∇L(0)ᵀ``,
    ``H_cζ = q r ∇L(0)``, ``H_ζζ = π(1 − π) − q r``; at a positive count
    ``g = (∇L(y), −π)`` and ``H = diag(H_f(y), π(1 − π))``. Each entry is one
    ``np.where`` over the rows.
    """
    slots, m = count_slots(dist), 2 + dist.n_extra
    pi = expit(zeta)
    logistic = pi * (1.0 - pi)
    logf, g_f, H_f = dist.at(y, mu)
    L0, g0, H0 = dist.zero(mu)
    # log(1 − π) = log π − ζ: one log-expit instead of two (exact but for a rounding
    # of |ζ| ulp, far below the terms it is added to).
    log_pi = log_expit(zeta)
    log_rest = log_pi - zeta
    zero = y == 0
    # log P(0), and the posterior shares of a zero: structural q, from the count part r.
    log_p0 = np.logaddexp(log_pi, log_rest + L0)
    loglik = np.where(zero, log_p0, log_rest + logf)
    q = np.exp(log_pi - log_p0)
    r = 1.0 - q
    qr = np.where(zero, q * r, 0.0)
    g = np.empty((y.size, m))
    g[:, slots] = np.where(zero[:, None], r[:, None] * g0, g_f)
    g[:, ZETA] = np.where(zero, q, 0.0) - pi
    H_zero = r[:, None, None] * H0 - _outer(np.sqrt(qr)[:, None] * g0)
    H = _blocks(
        np.where(zero[:, None, None], H_zero, H_f),
        qr[:, None] * g0,
        logistic - qr,
        slots,
    )
    if not expected:
        return loglik, g, H, None
    share = logistic * np.exp(L0 - log_p0)
    E = _blocks(
        (1.0 - pi)[:, None, None] * dist.expected(mu) - _outer(np.sqrt(share)[:, None] * g0),
        share[:, None] * g0,
        logistic - share,
        slots,
    )
    return loglik, g, H, E


def _blocks(count, cross, zeta, slots):
    """The (n, m, m) matrices with the count block, its column against ζ and the ζζ entry."""
    n, c = cross.shape
    out = np.empty((n, c + 1, c + 1))
    out[:, slots[:, None], slots[None, :]] = count
    out[:, slots, ZETA] = cross
    out[:, ZETA, slots] = cross
    out[:, ZETA, ZETA] = zeta
    return out


def truncated_rows(dist, y, mu, zeta=None, expected=True):
    """``(ℓ, g, H, E)`` per row of the count model truncated at 0, over ``u = (η, α…)``.

    For positive counts only; ``E`` is the expectation under the truncated
    distribution.
    """
    logf, g_f, H_f = dist.at(y, mu)
    L0, g0, H0 = dist.zero(mu)
    # At μ = 0 (η below −745) 1 − f(0) is 0 and the row's values are not finite
    # (ℓ nan, so the objective is −inf and the line search backs off); for μ > 0
    # every term below is finite.
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        # log(1 − f(0)) and ρ = f(0)/(1 − f(0)) without cancellation for small μ.
        log_rest0 = np.log(-np.expm1(L0))
        rho = np.exp(L0 - log_rest0)
        # ρ (1 + ρ) ∇L(0) ∇L(0)ᵀ as the outer product of s ∇L(0), s = √(ρ(1 + ρ)):
        # as μ → 0, ρ ≈ 1/μ and ∇L(0) ≈ −μ, so s ∇L(0) stays of order 1 where
        # ρ(1 + ρ) overflows (μ below 1e-154).
        s = rho * np.sqrt(1.0 + 1.0 / np.maximum(rho, np.finfo(float).tiny))
        curvature = _outer(s[:, None] * g0)
        loglik = logf - log_rest0
        g = g_f + rho[:, None] * g0
        H = H_f + rho[:, None, None] * H0 - curvature
    if not expected:
        return loglik, g, H, None
    E = dist.expected(mu) / (-np.expm1(L0))[:, None, None] - curvature
    return loglik, g, H, E


def hurdle_rows(dist, y, mu, zeta, expected=True):
    """``(ℓ, g, H, E)`` per row of the hurdle model (module docstring)."""
    slots, m = count_slots(dist), 2 + dist.n_extra
    pi, logistic = _logit_part(zeta, m)
    positive = y > 0
    loglik = log_expit(-zeta)
    g = np.zeros((y.size, m))
    H = logistic.copy()
    counts = truncated_rows(dist, y[positive], mu[positive], expected=False)
    loglik[positive] = log_expit(zeta[positive]) + counts[0]
    g[np.ix_(positive, slots)] = counts[1]
    H[positive] += _embed(counts[2], slots, m)
    g[:, ZETA] = positive - pi
    if not expected:
        return loglik, g, H, None
    truncated = truncated_rows(dist, np.ones_like(mu), mu)[3]
    E = logistic + pi[:, None, None] * _embed(truncated, slots, m)
    return loglik, g, H, E


def count_rows(dist, y, mu, zeta=None, expected=True):
    """``(ℓ, g, H, E)`` per row of the count model alone, over ``u = (η, α…)``."""
    logf, g, H = dist.at(y, mu)
    return logf, g, H, dist.expected(mu) if expected else None
