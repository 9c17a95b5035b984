"""The censored terms of a log-likelihood: ``log P(lo < X ≤ hi)`` and its derivatives.

Every censored observation is an interval ``(lo, hi]``: a left-censored value
``x`` is ``(−∞, x]``, a right-censored one ``(x, ∞)``. Its term is
``log P = log(F(hi) − F(lo))``, evaluated as the difference of whichever pair,
``F`` or ``S = 1 − F``, has the smaller larger member (``S(lo) − S(hi)`` in the
upper tail), in logs, so that a term deep in either tail keeps its digits.

Two kinds of evaluator:

* :class:`LocationScaleTerms`, for the families that are location-scale in
  ``y = x`` (normal, logistic) or in ``y = log x`` (log-normal, Weibull,
  exponential): ``z = (y − μ)/σ`` with a standard ``F₀``, and the score and
  the Hessian of ``log P`` in closed form, carried from ``(μ, σ)`` to the
  family's parameters by the chain rule;
* :class:`NumericalTerms`, for the other continuous families (gamma, beta,
  inverse Gaussian, Student's t) and any ``scipy.stats`` distribution: ``log P``
  from scipy's ``logcdf`` and ``logsf``, the score by five-point (Richardson)
  central differences in each parameter (relative step 1e-4), and the Hessian
  by fourth-order differences of ``Σ w log P`` (relative step 2e-3).
"""

import numpy as np
from scipy.special import betainc, betaincc, gammainc, gammaincc, log_ndtr

from ..links import Identity
from ._generic import ScipyFamily

_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)
_LOG_HALF = np.log(0.5)


def log1mexp(u):
    """``log(1 − e^u)`` for ``u ≤ 0`` without cancellation (``−inf`` at 0, 0 at ``−inf``)."""
    u = np.asarray(u, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(u > _LOG_HALF, np.log(-np.expm1(u)), np.log1p(-np.exp(u)))


def log_interval(log_f_lo, log_f_hi, log_s_lo, log_s_hi):
    """``log(F(hi) − F(lo))`` from the logs of ``F`` and ``S`` at both ends.

    The upper-tail form ``S(lo) − S(hi)`` is used where ``S(lo) < F(hi)``:
    the absolute rounding of a difference is that of its larger member.
    """
    with np.errstate(all="ignore"):
        upper = log_s_lo < log_f_hi
        d_lower = np.where(np.isneginf(log_f_lo), -np.inf, log_f_lo - log_f_hi)
        d_upper = np.where(np.isneginf(log_s_hi), -np.inf, log_s_hi - log_s_lo)
        lower_form = log_f_hi + log1mexp(np.minimum(d_lower, 0.0))
        upper_form = log_s_lo + log1mexp(np.minimum(d_upper, 0.0))
        return np.where(upper, upper_form, lower_form)


# --- The standard distributions F₀ of the location-scale families ------------------------


def _normal(z):
    """``(log F₀, log S₀, log f₀, (log f₀)')`` of the standard normal."""
    return log_ndtr(z), log_ndtr(-z), -0.5 * z**2 - _HALF_LOG_2PI, -z


def _logistic(z):
    """The same four of the standard logistic."""
    a = np.abs(z)
    return (
        -np.logaddexp(0.0, -z),
        -np.logaddexp(0.0, z),
        -a - 2.0 * np.log1p(np.exp(-a)),
        -np.tanh(0.5 * z),
    )


def _minimum_gumbel(z):
    """The same four of ``log E``, ``E`` standard exponential: ``S₀ = exp(−e^z)``."""
    e = np.exp(z)
    # log(1 − exp(−t)) = log t − t/2 + O(t²) where t = e^z underflows.
    log_f = np.where(z < -20.0, z - 0.5 * e, log1mexp(-e))
    return log_f, -e, z - e, 1.0 - e


def _identity_map(theta):
    """``(μ, σ)`` = (loc, scale)."""
    return theta[0], theta[1], np.eye(2), np.zeros((2, 2, 2))


def _lognormal_map(theta):
    """``(μ, σ)`` = (log scale, s) for θ = (s, scale)."""
    s, scale = theta
    A = np.array([[0.0, 1.0 / scale], [1.0, 0.0]])
    B = np.zeros((2, 2, 2))
    B[0, 1, 1] = -1.0 / scale**2
    return np.log(scale), s, A, B


def _weibull_map(theta):
    """``(μ, σ)`` = (log scale, 1/shape) for θ = (shape, scale)."""
    shape, scale = theta
    A = np.array([[0.0, 1.0 / scale], [-1.0 / shape**2, 0.0]])
    B = np.zeros((2, 2, 2))
    B[0, 1, 1] = -1.0 / scale**2
    B[1, 0, 0] = 2.0 / shape**3
    return np.log(scale), 1.0 / shape, A, B


def _exponential_map(theta):
    """``(μ, σ)`` = (log scale, 1) for θ = (scale,)."""
    (scale,) = theta
    B = np.zeros((2, 1, 1))
    B[0, 0, 0] = -1.0 / scale**2
    return np.log(scale), 1.0, np.array([[1.0 / scale], [0.0]]), B


# family name -> (standard distribution, whether y = log x, the map θ -> (μ, σ))
_LOCATION_SCALE = {
    "normal": (_normal, False, _identity_map),
    "logistic": (_logistic, False, _identity_map),
    "lognormal": (_normal, True, _lognormal_map),
    "weibull": (_minimum_gumbel, True, _weibull_map),
    "exponential": (_minimum_gumbel, True, _exponential_map),
}


class LocationScaleTerms:
    """Censored terms of a (log-)location-scale family, with analytic derivatives.

    With ``z_e = (y_e − μ)/σ`` at the ends ``e`` of ``(lo, hi]``, ``dz/dμ = −1/σ``
    and ``dz/dσ = −z/σ``; with ``r_e = f₀(z_e)/P`` and ``ψ = (log f₀)'``,

        ∂ log P/∂μ = −(r_hi − r_lo)/σ,   ∂ log P/∂σ = −(r_hi z_hi − r_lo z_lo)/σ,

    and ``∇² log P = ∇²P/P − ∇log P ∇log Pᵀ``, where ``σ² ∇²P/P`` has the
    entries ``Σ± r (ψ, ψz + 1, ψz² + 2z)`` (μμ, μσ, σσ; + at hi, − at lo).
    """

    analytic = True

    def __init__(self, family):
        self.standard, self.log_data, self.parameter_map = _LOCATION_SCALE[family.name]
        self._cache = (None, None, None, None)

    def _z(self, x, mu, sigma):
        if self.log_data:
            with np.errstate(divide="ignore"):
                x = np.log(np.maximum(x, 0.0))
        return (x - mu) / sigma

    def _ends(self, lo, hi, theta):
        # The last evaluation is kept, with the arrays it was made on (so they stay alive).
        key = np.asarray(theta, dtype=float).tobytes()
        if self._cache[0] is lo and self._cache[1] is hi and self._cache[2] == key:
            return self._cache[3]
        mu, sigma, A, B = self.parameter_map(np.asarray(theta, dtype=float))
        with np.errstate(all="ignore"):
            z_lo, z_hi = self._z(lo, mu, sigma), self._z(hi, mu, sigma)
            f_lo, s_lo, d_lo, psi_lo = self.standard(z_lo)
            f_hi, s_hi, d_hi, psi_hi = self.standard(z_hi)
            log_p = log_interval(f_lo, f_hi, s_lo, s_hi)
            ends = []
            for z, d, psi in ((z_lo, d_lo, psi_lo), (z_hi, d_hi, psi_hi)):
                # An end where f₀(z)/P is 0 (infinite z, or a density that underflows)
                # contributes nothing: its z and ψ are set to 0 so that no 0·∞ is formed.
                r = np.where(np.isfinite(z), np.exp(d - log_p), 0.0)
                r = np.where(np.isfinite(r), r, 0.0)
                live = r > 0.0
                ends.append((np.where(live, z, 0.0), r, np.where(live, psi, 0.0)))
        value = (log_p, sigma, A, B, ends)
        self._cache = (lo, hi, key, value)
        return value

    def log_prob(self, lo, hi, theta):
        """``log P(lo < X ≤ hi)`` per observation, shape (n,)."""
        return self._ends(lo, hi, theta)[0]

    def _eta_scores(self, lo, hi, theta):
        _, sigma, _, _, ((z0, r0, _), (z1, r1, _)) = self._ends(lo, hi, theta)
        return np.column_stack([-(r1 - r0) / sigma, -(r1 * z1 - r0 * z0) / sigma])

    def scores(self, lo, hi, theta, free):
        """The per-observation scores ``∇ log P`` in the ``free`` parameters, shape (n, m)."""
        A = self._ends(lo, hi, theta)[2]
        return (self._eta_scores(lo, hi, theta) @ A)[:, free]

    def hessian(self, lo, hi, w, theta, free):
        """``Σ w ∇² log P`` in the ``free`` parameters, shape (m, m)."""
        _, sigma, A, B, ((z0, r0, p0), (z1, r1, p1)) = self._ends(lo, hi, theta)
        g = self._eta_scores(lo, hi, theta)

        def signed(values_hi, values_lo):
            return float(w @ (r1 * values_hi - r0 * values_lo)) / sigma**2

        second = np.array(
            [
                [signed(p1, p0), signed(p1 * z1 + 1.0, p0 * z0 + 1.0)],
                [0.0, signed(p1 * z1**2 + 2.0 * z1, p0 * z0**2 + 2.0 * z0)],
            ]
        )
        second[1, 0] = second[0, 1]
        eta_hessian = second - np.einsum("i,ij,ik->jk", w, g, g)
        total = A.T @ eta_hessian @ A + np.einsum("m,mjk->jk", w @ g, B)
        return total[np.ix_(free, free)]


def _gamma_cdf_sf(x, theta):
    """``log F`` and ``log S`` of ``gamma(shape, scale=scale)`` (scipy.special: no wrapper)."""
    y = np.maximum(x, 0.0) / theta[1]
    return np.log(gammainc(theta[0], y)), np.log(gammaincc(theta[0], y))


def _beta_cdf_sf(x, theta):
    """``log F`` and ``log S`` of ``beta(a, b)``."""
    y = np.clip(x, 0.0, 1.0)
    return np.log(betainc(theta[0], theta[1], y)), np.log(betaincc(theta[0], theta[1], y))


_SPECIAL = {"gamma": _gamma_cdf_sf, "beta": _beta_cdf_sf}


class NumericalTerms:
    """Censored terms of any continuous family from scipy's ``logcdf`` and ``logsf``.

    The score is a five-point central difference of ``log P`` in each free
    parameter with a step of 1e-4 of its natural size (its value for a
    positive parameter, the distance to the nearer end of its domain for a
    bounded one, the scale for a location, ``max(|θ|, 1)`` for an unbounded
    shape): relative error about 1e-10.
    """

    analytic = False

    def __init__(self, family):
        self.family = family

    def _log_cdf_sf(self, x, theta):
        family = self.family
        if not isinstance(family, ScipyFamily) and family.name in _SPECIAL:
            return _SPECIAL[family.name](x, theta)
        if isinstance(family, ScipyFamily):
            shapes, kwargs = family._args(theta)
            dist = family.dist
            return dist.logcdf(x, *shapes, **kwargs), dist.logsf(x, *shapes, **kwargs)
        frozen = family.to_scipy(theta)
        return frozen.logcdf(x), frozen.logsf(x)

    def log_prob(self, lo, hi, theta):
        """``log P(lo < X ≤ hi)`` per observation, shape (n,).

        ``log F(hi)`` alone for a left-censored value, ``log S(lo)`` alone for
        a right-censored one: scipy is asked only for what each term needs.
        """
        left, right = np.isneginf(lo), np.isposinf(hi)
        both = ~(left | right)
        out = np.empty(len(lo))
        with np.errstate(all="ignore"):
            if left.any():
                out[left] = self._log_cdf_sf(hi[left], theta)[0]
            if right.any():
                out[right] = self._log_cdf_sf(lo[right], theta)[1]
            if both.any():
                n = int(both.sum())
                log_f, log_s = self._log_cdf_sf(np.concatenate([lo[both], hi[both]]), theta)
                log_f, log_s = np.asarray(log_f, dtype=float), np.asarray(log_s, dtype=float)
                out[both] = log_interval(log_f[:n], log_f[n:], log_s[:n], log_s[n:])
        return out

    def steps(self, theta, free, relative=1e-4):
        """The difference step of each free parameter at θ."""
        family = self.family
        steps = []
        for j in free:
            g, value = family.transforms[j], theta[j]
            if isinstance(g, Identity):
                name = family.param_names[j]
                if name == family.location and family.scale is not None:
                    size = theta[family.param_names.index(family.scale)]
                else:
                    size = max(abs(value), 1.0)
            else:
                size = min(value - g.low, getattr(g, "high", np.inf) - value)
            steps.append(relative * size)
        return np.array(steps)

    def scores(self, lo, hi, theta, free):
        """The per-observation scores ``∇ log P`` in the ``free`` parameters, shape (n, m)."""
        theta = np.asarray(theta, dtype=float)
        columns = []
        for j, h in zip(free, self.steps(theta, free), strict=True):
            unit = np.zeros_like(theta)
            unit[j] = 1.0
            values = [self.log_prob(lo, hi, theta + t * unit) for t in (h, -h, 2 * h, -2 * h)]
            columns.append((8.0 * (values[0] - values[1]) - (values[2] - values[3])) / (12.0 * h))
        return np.column_stack(columns) if columns else np.empty((len(lo), 0))

    def hessian(self, lo, hi, w, theta, free):
        """``Σ w ∇² log P`` in the ``free`` parameters by fourth-order differences, (m, m).

        With steps ``h`` of 2e-3 of each parameter's natural size: the
        five-point second difference on the diagonal, and off it the
        four-point cross difference extrapolated from ``h`` and ``2h``
        (Richardson), both with truncation error ``O(h⁴)``; about 1e-9 relative.
        """
        theta = np.asarray(theta, dtype=float)
        steps = self.steps(theta, free, relative=2e-3)
        m = len(free)
        units = np.zeros((m, theta.size))
        units[np.arange(m), free] = steps

        def total(*moves):
            point = theta + sum(c * units[j] for j, c in moves)
            return float(w @ self.log_prob(lo, hi, point))

        centre = total()
        out = np.empty((m, m))
        for i in range(m):
            near, far = total((i, 1.0)) + total((i, -1.0)), total((i, 2.0)) + total((i, -2.0))
            out[i, i] = (16.0 * near - far - 30.0 * centre) / (12.0 * steps[i] ** 2)
            for j in range(i):
                cross = [
                    total((i, t), (j, t))
                    - total((i, t), (j, -t))
                    - total((i, -t), (j, t))
                    + total((i, -t), (j, -t))
                    for t in (1.0, 2.0)
                ]
                d1, d2 = cross[0] / 4.0, cross[1] / 16.0
                out[i, j] = out[j, i] = (4.0 * d1 - d2) / (3.0 * steps[i] * steps[j])
        return out


def terms_for(family):
    """The evaluator of the censored terms of ``family``: analytic where it has one."""
    if not isinstance(family, ScipyFamily) and family.name in _LOCATION_SCALE:
        return LocationScaleTerms(family)
    return NumericalTerms(family)
