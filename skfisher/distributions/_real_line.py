"""Continuous families on the real line and the circle: normal, logistic, Student's t, von Mises.

Re-exported by :mod:`skfisher.distributions.continuous`.
"""

import numpy as np
from scipy import stats
from scipy.special import i0e, i1e

from ..links import Identity, Log
from ._base import DistributionFamily, boundary_error
from ._special import (
    log1m_plus,
    log1p_ratio,
    t_df_information,
    t_log_normaliser,
    t_log_normaliser_deriv,
)

_LOG_2PI = np.log(2.0 * np.pi)


class Normal(DistributionFamily):
    """Normal distribution ``scipy.stats.norm(loc, scale)``.

    ``log p = −(x − loc)²/(2 scale²) − log scale − ½ log 2π``. The MLE is closed
    form (mean and root mean square deviation, divisor Σw); the per-observation
    information is ``diag(1/scale², 2/scale²)``.
    """

    name = "normal"
    location = "loc"
    scale = "scale"
    param_names = ("loc", "scale")
    transforms = (Identity(), Log())
    sufficient = True

    def _ss(self, t, loc):
        # Σw (x − loc)² from the centred sum of squares: no cancellation when
        # |loc| is large compared with the spread.
        return t.css("x") + t.n * (t.mean("x") - loc) ** 2

    def start(self, sample, fixed):
        t = sample.statistics()
        loc = fixed.get("loc", t.mean("x"))
        return np.array([loc, np.sqrt(self._ss(t, loc) / t.n)])

    def check_sample(self, sample, free, fixed):
        if "scale" in free and sample.is_constant() and fixed.get("loc", sample.low) == sample.low:
            raise boundary_error(self, "scale", "all observations are equal, so it is 0")

    def loglik(self, t, theta):
        loc, scale = theta
        return -0.5 * self._ss(t, loc) / scale**2 - t.n * (np.log(scale) + 0.5 * _LOG_2PI)

    def score(self, t, theta):
        loc, scale = theta
        return [t.n * (t.mean("x") - loc) / scale**2, self._ss(t, loc) / scale**3 - t.n / scale]

    def hessian(self, t, theta):
        loc, scale = theta
        cross = -2.0 * t.n * (t.mean("x") - loc) / scale**3
        return [
            [-t.n / scale**2, cross],
            [cross, -3.0 * self._ss(t, loc) / scale**4 + t.n / scale**2],
        ]

    def information(self, theta):
        scale = theta[1]
        return np.diag([1.0, 2.0]) / scale**2

    def to_scipy(self, theta):
        return stats.norm(loc=theta[0], scale=theta[1])


def _robust_location_scale(sample):
    """Median and normalised median absolute deviation (sd when the MAD is 0)."""
    x = sample.x
    loc = float(np.median(x))
    scale = 1.4826 * float(np.median(np.abs(x - loc)))
    if scale <= 0:
        scale = np.sqrt(sample.moments()[1])
    return loc, scale


class Logistic(DistributionFamily):
    """Logistic ``scipy.stats.logistic(loc, scale)``.

    With ``z = (x − loc)/scale``, ``log p = −log scale − z − 2 log(1 + e^{−z})``;
    the score is ``(tanh(z/2), z tanh(z/2) − 1)/scale`` and the per-observation
    information ``diag(1/3, (π² + 3)/9)/scale²``. Each iteration makes one pass
    over the data.
    """

    name = "logistic"
    location = "loc"
    scale = "scale"
    param_names = ("loc", "scale")
    transforms = (Identity(), Log())

    def start(self, sample, fixed):
        loc, scale = _robust_location_scale(sample)
        # The logistic sd is scale·π/√3; the MAD of a logistic is scale·log 3.
        return np.array([fixed.get("loc", loc), fixed.get("scale", scale / 1.4826 / np.log(3))])

    def check_sample(self, sample, free, fixed):
        if "scale" in free and sample.is_constant() and fixed.get("loc", sample.low) == sample.low:
            raise boundary_error(self, "scale", "all observations are equal, so it is 0")

    def _z(self, t, theta):
        z = (t["x"] - theta[0]) / theta[1]
        return z, np.tanh(0.5 * z)

    def loglik(self, t, theta):
        z = (t["x"] - theta[0]) / theta[1]
        # Symmetric in z, written with |z| so that exp never overflows.
        return -np.log(theta[1]) - np.abs(z) - 2.0 * np.log1p(np.exp(-np.abs(z)))

    def score(self, t, theta):
        z, th = self._z(t, theta)
        return [th / theta[1], (z * th - 1.0) / theta[1]]

    def hessian(self, t, theta):
        z, th = self._z(t, theta)
        half_sech2 = 0.5 * (1.0 - th**2)
        s2 = theta[1] ** 2
        cross = -(th + z * half_sech2) / s2
        return [
            [-half_sech2 / s2, cross],
            [cross, (1.0 - 2.0 * z * th - z**2 * half_sech2) / s2],
        ]

    def information(self, theta):
        return np.diag([1.0 / 3.0, (np.pi**2 + 3.0) / 9.0]) / theta[1] ** 2

    def to_scipy(self, theta):
        return stats.logistic(loc=theta[0], scale=theta[1])


class StudentT(DistributionFamily):
    """Student's t ``scipy.stats.t(df, loc, scale)``; ``params_`` are ``(loc, scale, df)``.

    Per-observation information (Lange, Little & Taylor 1989, JASA 84, 881):
    ``I_loc = (df+1)/((df+3) scale²)``, ``I_scale = 2 df/((df+3) scale²)``,
    ``I_scale,df = −2/((df+1)(df+3) scale)``,
    ``I_df = ¼[ψ'(df/2) − ψ'((df+1)/2)] − (df+5)/(2 df (df+1)(df+3))``; the
    others are 0. The differences of log Γ, ψ and ψ' in ``df`` are evaluated
    by their asymptotic series beyond ``df = 20`` (see ``_special``), so the
    log-density keeps full precision as ``df → ∞``. The observed information
    is by Richardson differences of the analytic score.

    As ``df → ∞`` the t tends to the normal, ``log p = log φ(z) − log scale +
    (z⁴ − 2z² − 1)/(4 df) + O(df⁻²)``: the profile log-likelihood's slope in
    ``1/df`` at the normal fit is ``¼ Σw (z⁴ − 2z² − 1)``, ``n/4`` times the
    sample excess kurtosis. When it is not positive (tails no heavier than
    the normal's) the MLE of ``df`` is at the boundary ``df = ∞``: the fit is
    the normal one, ``df`` is reported as ``inf`` with a ``nan`` standard
    error, and a ``BoundaryWarning`` names the limit.
    """

    name = "student_t"
    _ss = Normal._ss  # the normal's formulas serve the limit df = ∞
    location = "loc"
    scale = "scale"
    param_names = ("loc", "scale", "df")
    transforms = (Identity(), Log(), Log())

    def _normal_fit(self, sample, fixed):
        """``(loc, scale, Σw z⁴/Σw)`` of the normal fit (the t at ``df = ∞``)."""
        x, w = sample.x, sample.weights
        loc = fixed.get("loc", float(np.average(x, weights=w)))
        scale = fixed.get("scale", float(np.sqrt(np.average((x - loc) ** 2, weights=w))))
        z2 = ((x - loc) / scale) ** 2
        return loc, scale, z2

    def start(self, sample, fixed):
        if fixed.get("df") == np.inf:
            return np.append(Normal.start(self, sample, fixed), np.inf)
        loc, scale = _robust_location_scale(sample)
        _, _, z2 = self._normal_fit(sample, fixed)
        # Method of moments in df: the t's excess kurtosis is 6/(df − 4).
        excess = float(np.average(z2**2, weights=sample.weights)) - 3.0
        df = max(5.0, 4.0 + 6.0 / excess) if excess > 0 else 5.0
        return np.array([fixed.get("loc", loc), fixed.get("scale", scale), fixed.get("df", df)])

    def check_sample(self, sample, free, fixed):
        if "scale" in free and sample.is_constant() and fixed.get("loc", sample.low) == sample.low:
            raise boundary_error(self, "scale", "all observations are equal, so it is 0")

    def limit(self, sample, free, fixed):
        if "df" not in free:
            return None
        _, _, z2 = self._normal_fit(sample, fixed)
        slope = 0.25 * float(np.average(z2**2 - 2.0 * z2 - 1.0, weights=sample.weights))
        if slope > 0:
            return None
        message = (
            "The maximum-likelihood estimate of the Student-t df is infinite: the data "
            f"have no tails heavier than the normal's (the log-likelihood's slope in 1/df "
            f"at the normal fit is {slope * sample.n:.3g} ≤ 0), so the fit is its limit, the "
            "normal distribution; df is reported as inf with a nan standard error. Use the "
            "normal family, or hold df fixed with fixed={'df': ...}."
        )
        return {"df": np.inf}, message

    def _terms(self, t, theta):
        loc, scale, df = theta
        z = (t["x"] - loc) / scale
        tau = 1.0 / df
        a2 = (z * np.sqrt(tau)) ** 2  # z²/df: 0 at df = ∞ for any finite z, not ∞·0
        return z, tau, a2

    @staticmethod
    def _log1p_a2(z, tau, a2):
        """``log(1 + z²/df)``, also where ``z²/df`` overflows (``|z| ≳ 1e154·√df``)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.isinf(a2), 2.0 * np.log(np.abs(z)) + np.log(tau), np.log1p(a2))

    def loglik(self, t, theta):
        if theta[2] == np.inf:  # the limit, evaluated exactly as the normal family does
            return Normal.loglik(self, t, theta[:2])
        z, tau, a2 = self._terms(t, theta)
        # (df + 1)/2 · log(1 + z²/df), finite at df = ∞ (½ z²) and for z² ≫ df.
        kernel = np.where(
            a2 <= 1.0,
            0.5 * (1.0 + tau) * z * z * log1p_ratio(a2),
            0.5 * (theta[2] + 1.0) * self._log1p_a2(z, tau, a2),
        )
        return t_log_normaliser(theta[2]) - np.log(theta[1]) - kernel

    def score(self, t, theta):
        z, tau, a2 = self._terms(t, theta)
        scale, df = theta[1], theta[2]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # (df + 1) z/(df + z²), (df + 1) z²/(df + z²) and v = z²/(df + z²); where
            # z² > df from r = df/z², finite (0) also where z² overflows.
            far, r = a2 > 1.0, 1.0 / a2
            wz = np.where(far, (1.0 + tau) / (tau * z * (1.0 + r)), (1.0 + tau) * z / (1.0 + a2))
            wz2 = np.where(far, (1.0 + tau) / (tau * (1.0 + r)), (1.0 + tau) * z * z / (1.0 + a2))
            v = np.where(far, 1.0 / (1.0 + r), a2 / (1.0 + a2))
            # ∂/∂df: the normaliser's derivative − ½[−log(1 − v) − v] + v/(2 df), each
            # term O(1/df²) as df → ∞ and computed without cancellation.
            # −log(1 − v) = log(1 + z²/df) exactly: far in the tail v rounds to 1.
            log1m = np.where(v < 0.1, log1m_plus(v), self._log1p_a2(z, tau, a2) - v)
        d_df = t_log_normaliser_deriv(df) - 0.5 * log1m + 0.5 * v * tau
        return [wz / scale, (wz2 - 1.0) / scale, d_df]

    def information(self, theta):
        _, scale, df = theta
        tau = 1.0 / df
        info = np.zeros((3, 3))
        info[0, 0] = (1.0 + tau) / ((1.0 + 3.0 * tau) * scale**2)
        info[1, 1] = 2.0 / ((1.0 + 3.0 * tau) * scale**2)
        info[1, 2] = info[2, 1] = -2.0 * tau**2 / ((1.0 + tau) * (1.0 + 3.0 * tau) * scale)
        info[2, 2] = t_df_information(df)
        return info

    def to_scipy(self, theta):
        return stats.t(theta[2], loc=theta[0], scale=theta[1])


class VonMises(DistributionFamily):
    """Von Mises ``scipy.stats.vonmises(kappa, loc)`` for angles in radians.

    ``log p = kappa cos(x − loc) − log(2π I₀(kappa))``; the data may be any real
    angles (taken modulo 2π) and ``loc`` is reported in (−π, π]. Statistics
    ``Σw cos x`` and ``Σw sin x``; with ``A = I₁/I₀`` the per-observation
    information is ``diag(kappa A(kappa), 1 − A/kappa − A²)``.
    """

    name = "von_mises"
    param_names = ("loc", "kappa")
    transforms = (Identity(), Log())
    sufficient = True
    score_statistics = ("cos", "sin")

    def statistics(self, x):
        return {"cos": np.cos(x), "sin": np.sin(x)}

    @staticmethod
    def _ratio(kappa):
        a = i1e(kappa) / i0e(kappa)
        return a, 1.0 - a / kappa - a**2

    def _resultants(self, t, loc):
        c, s = np.cos(loc), np.sin(loc)
        # Σ cos(x − loc) and Σ sin(x − loc).
        return c * t.sum("cos") + s * t.sum("sin"), c * t.sum("sin") - s * t.sum("cos")

    def start(self, sample, fixed):
        t = sample.statistics()
        loc = fixed.get("loc", np.arctan2(t.sum("sin"), t.sum("cos")))
        r = np.clip(self._resultants(t, loc)[0] / t.n, 1e-8, 1 - 1e-8)
        # Best & Fisher (1981) approximation to the inverse of A.
        if r < 0.53:
            kappa = 2 * r + r**3 + 5 * r**5 / 6
        elif r < 0.85:
            kappa = -0.4 + 1.39 * r + 0.43 / (1 - r)
        else:
            kappa = 1 / (r**3 - 4 * r**2 + 3 * r)
        return np.array([loc, fixed.get("kappa", kappa)])

    def check_sample(self, sample, free, fixed):
        if "kappa" not in free:
            return
        t = sample.statistics()
        r = np.hypot(t.sum("cos"), t.sum("sin")) / t.n
        if r >= 1.0 - 1e-12:
            raise boundary_error(self, "kappa", "all angles are equal, so it is infinite")
        if r <= 1e-12:
            raise boundary_error(self, "kappa", "the mean resultant length is 0, so it is 0")

    def canonical(self, theta):
        theta = np.array(theta, dtype=float)
        theta[0] = np.pi - np.mod(np.pi - theta[0], 2.0 * np.pi)
        return theta

    def loglik(self, t, theta):
        loc, kappa = theta
        cos_sum = self._resultants(t, loc)[0]
        return kappa * cos_sum - t.n * (_LOG_2PI + np.log(i0e(kappa)) + kappa)

    def score(self, t, theta):
        loc, kappa = theta
        cos_sum, sin_sum = self._resultants(t, loc)
        return [kappa * sin_sum, cos_sum - t.n * self._ratio(kappa)[0]]

    def hessian(self, t, theta):
        loc, kappa = theta
        cos_sum, sin_sum = self._resultants(t, loc)
        return [[-kappa * cos_sum, sin_sum], [sin_sum, -t.n * self._ratio(kappa)[1]]]

    def score_matrix(self, theta):
        loc, kappa = theta
        c, s = np.cos(loc), np.sin(loc)
        return np.array([[-kappa * s, kappa * c], [c, s]])

    def information(self, theta):
        a, da = self._ratio(theta[1])
        return np.diag([theta[1] * a, da])

    def to_scipy(self, theta):
        return stats.vonmises(theta[1], loc=theta[0])
