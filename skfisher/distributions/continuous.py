"""Continuous families with analytic score and expected information.

This module declares the families of positive data and of the unit interval;
those of the real line and the circle (normal, logistic, Student's t, von
Mises) live in ``_real_line`` and the inverse Gaussian in
``_inverse_gaussian``; all are re-exported here.

Each family is a declaration (see :mod:`skfisher.distributions._base`): the
log-likelihood and score written once on a statistics view, the expected
information of one observation, an analytic Hessian where it is short, and
starting values. Parameters follow ``scipy.stats``; fixed ``loc = 0`` (and
``scale = 1`` for the beta) is part of the family, not a parameter.
"""

import numpy as np
from scipy import stats
from scipy.special import digamma, gammaln, zeta

from .._validation import Support
from ..links import Log
from ._base import DistributionFamily, boundary_error
from ._inverse_gaussian import InverseGaussian  # re-exported: all continuous families
from ._real_line import Logistic, Normal, StudentT, VonMises
from ._special import log_gamma_ratio

_LOG_2PI = np.log(2.0 * np.pi)
_EULER = np.euler_gamma
_POSITIVE = Support(0.0, np.inf)


def _trigamma(a):
    # ψ'(a) = ζ(2, a), the Hurwitz zeta function: a ufunc, without the Python
    # wrapper of polygamma (which costs more than a whole gamma iteration).
    return zeta(2.0, a)


class LogNormal(DistributionFamily):
    """Log-normal ``scipy.stats.lognorm(s, scale=scale)`` (``loc = 0``).

    ``log X ~ N(log scale, s²)``: ``s`` is the standard deviation and
    ``scale = exp(μ)`` the median. The per-observation information is
    ``diag(2/s², 1/(s² scale²))``.
    """

    name = "lognormal"
    scale = "scale"
    param_names = ("s", "scale")
    transforms = (Log(), Log())
    support = _POSITIVE
    sufficient = True
    screens_support = True

    def statistics(self, x):
        return {"log": np.log(x)}

    def _ss(self, t, scale):
        return t.css("log") + t.n * (t.mean("log") - np.log(scale)) ** 2

    def start(self, sample, fixed):
        t = sample.statistics()
        scale = fixed.get("scale", np.exp(t.mean("log")))
        return np.array([np.sqrt(self._ss(t, scale) / t.n), scale])

    def check_sample(self, sample, free, fixed):
        if "s" in free and sample.is_constant() and "scale" in free:
            raise boundary_error(self, "s", "all observations are equal, so it is 0")

    def loglik(self, t, theta):
        s, scale = theta
        return -t.sum("log") - t.n * (np.log(s) + 0.5 * _LOG_2PI) - 0.5 * self._ss(t, scale) / s**2

    def score(self, t, theta):
        s, scale = theta
        d = t.mean("log") - np.log(scale)
        return [self._ss(t, scale) / s**3 - t.n / s, t.n * d / (s**2 * scale)]

    def hessian(self, t, theta):
        s, scale = theta
        d = t.mean("log") - np.log(scale)
        cross = -2.0 * t.n * d / (s**3 * scale)
        return [
            [-3.0 * self._ss(t, scale) / s**4 + t.n / s**2, cross],
            [cross, -t.n * (1.0 + d) / (s * scale) ** 2],
        ]

    def information(self, theta):
        s, scale = theta
        return np.diag([2.0 / s**2, 1.0 / (s * scale) ** 2])

    def to_scipy(self, theta):
        return stats.lognorm(theta[0], scale=theta[1])


class Exponential(DistributionFamily):
    """Exponential ``scipy.stats.expon(scale=scale)`` (``loc = 0``), mean ``scale``.

    The MLE is the mean; the per-observation information is ``1/scale²``.
    """

    name = "exponential"
    scale = "scale"
    param_names = ("scale",)
    transforms = (Log(),)
    support = Support(0.0, np.inf, low_inclusive=True)
    sufficient = True
    score_statistics = ("x",)

    def start(self, sample, fixed):
        return np.array([sample.statistics().mean("x")])

    def check_sample(self, sample, free, fixed):
        if sample.high == 0:
            raise boundary_error(self, "scale", "all observations are 0, so it is 0")

    def loglik(self, t, theta):
        (scale,) = theta
        return -t.n * np.log(scale) - t.sum("x") / scale

    def score(self, t, theta):
        (scale,) = theta
        return [t.sum("x") / scale**2 - t.n / scale]

    def hessian(self, t, theta):
        (scale,) = theta
        return [[-2.0 * t.sum("x") / scale**3 + t.n / scale**2]]

    def score_matrix(self, theta):
        return [[1.0 / theta[0] ** 2]]

    def information(self, theta):
        return np.array([[1.0 / theta[0] ** 2]])

    def to_scipy(self, theta):
        return stats.expon(scale=theta[0])


class Gamma(DistributionFamily):
    """Gamma ``scipy.stats.gamma(shape, scale=scale)`` (``loc = 0``), mean ``shape·scale``.

    The statistics ``Σw x`` and ``Σw log x`` are summed once; each iteration
    costs O(1). Per-observation information
    ``[[ψ'(shape), 1/scale], [1/scale, shape/scale²]]`` (ψ' the trigamma
    function). Starting values from Minka's (2002) approximation to the shape.
    """

    name = "gamma"
    scale = "scale"
    param_names = ("shape", "scale")
    transforms = (Log(), Log())
    support = _POSITIVE
    sufficient = True
    screens_support = True
    score_statistics = ("log", "x")

    def statistics(self, x):
        return {"x": x, "log": np.log(x)}

    def start(self, sample, fixed):
        t = sample.statistics()
        mean = t.mean("x")
        if "scale" in fixed:
            return np.array([mean / fixed["scale"], fixed["scale"]])
        if "shape" in fixed:
            return np.array([fixed["shape"], mean / fixed["shape"]])
        s = max(np.log(mean) - t.mean("log"), 1e-300)
        shape = (3.0 - s + np.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)
        return np.array([shape, mean / shape])

    def check_sample(self, sample, free, fixed):
        t = sample.statistics()
        # log x̄ − mean(log x) ≥ 0 vanishes only for constant data; look at the
        # extremes (a pass over the data) only when it is that small.
        near_constant = np.log(t.mean("x")) - t.mean("log") < 1e-10
        if {"shape", "scale"} <= free and near_constant and sample.is_constant():
            raise boundary_error(self, "shape", "all observations are equal, so it is infinite")

    def loglik(self, t, theta):
        a, scale = theta
        return (
            (a - 1.0) * t.sum("log") - t.sum("x") / scale - t.n * (gammaln(a) + a * np.log(scale))
        )

    def score(self, t, theta):
        a, scale = theta
        return [
            t.sum("log") - t.n * (np.log(scale) + digamma(a)),
            t.sum("x") / scale**2 - t.n * a / scale,
        ]

    def hessian(self, t, theta):
        a, scale = theta
        return [
            [-t.n * _trigamma(a), -t.n / scale],
            [-t.n / scale, -2.0 * t.sum("x") / scale**3 + t.n * a / scale**2],
        ]

    def score_matrix(self, theta):
        return np.diag([1.0, 1.0 / theta[1] ** 2])

    def information(self, theta):
        a, scale = theta
        return np.array([[_trigamma(a), 1.0 / scale], [1.0 / scale, a / scale**2]])

    def to_scipy(self, theta):
        return stats.gamma(theta[0], scale=theta[1])


class Weibull(DistributionFamily):
    """Weibull ``scipy.stats.weibull_min(shape, scale=scale)`` (``loc = 0``).

    With ``z = x/scale``, ``log p = log shape − log scale + (shape − 1) log z − z^shape``.
    Per-observation information (γ Euler's constant)
    ``[[(π²/6 + (1 − γ)²)/shape², −(1 − γ)/scale], [−(1 − γ)/scale, shape²/scale²]]``.
    The log-likelihood is not linear in any fixed statistic: each iteration
    makes one pass over the data (one ``exp``), with ``log x`` computed once.
    """

    name = "weibull"
    scale = "scale"
    param_names = ("shape", "scale")
    transforms = (Log(), Log())
    support = _POSITIVE

    def statistics(self, x):
        return {"log": np.log(x)}

    def start(self, sample, fixed):
        # log X is Gumbel-distributed: sd π/(shape √6), mean log scale − γ/shape.
        logs = sample.statistics().values["log"]
        mean = np.average(logs, weights=sample.weights)
        sd = np.sqrt(np.average((logs - mean) ** 2, weights=sample.weights))
        shape = fixed.get("shape", np.pi / (np.sqrt(6.0) * max(sd, 1e-300)))
        zc = np.exp(shape * (logs - logs.max()))
        scale = np.exp(logs.max() + np.log(np.average(zc, weights=sample.weights)) / shape)
        return np.array([shape, fixed.get("scale", scale)])

    def check_sample(self, sample, free, fixed):
        if "shape" in free and sample.is_constant():
            raise boundary_error(self, "shape", "all observations are equal, so it is infinite")

    def _terms(self, t, theta):
        shape, scale = theta
        lz = t["log"] - np.log(scale)
        return shape, scale, lz, np.exp(shape * lz)

    def loglik(self, t, theta):
        shape, scale, lz, zc = self._terms(t, theta)
        return np.log(shape) - np.log(scale) + (shape - 1.0) * lz - zc

    def score(self, t, theta):
        shape, scale, lz, zc = self._terms(t, theta)
        return [1.0 / shape + lz - zc * lz, shape / scale * (zc - 1.0)]

    def hessian(self, t, theta):
        shape, scale, lz, zc = self._terms(t, theta)
        cross = (zc - 1.0) / scale + shape / scale * zc * lz
        return [
            [-1.0 / shape**2 - zc * lz**2, cross],
            [cross, -shape / scale**2 * (zc - 1.0) - (shape / scale) ** 2 * zc],
        ]

    def information(self, theta):
        shape, scale = theta
        cross = -(1.0 - _EULER) / scale
        return np.array(
            [
                [(np.pi**2 / 6.0 + (1.0 - _EULER) ** 2) / shape**2, cross],
                [cross, (shape / scale) ** 2],
            ]
        )

    def to_scipy(self, theta):
        return stats.weibull_min(theta[0], scale=theta[1])


def _log_beta(a, b):
    """``log B(a, b) = log Γ(min) − [log Γ(a + b) − log Γ(max)]``, the ratio by Stirling's series.

    ``scipy.special.betaln`` loses up to nine digits when one argument is large
    and the other small (1.2e-9 relative at ``a = 10⁶``, ``b = 0.1``).
    """
    small, large = min(a, b), max(a, b)
    return gammaln(small) - log_gamma_ratio(large, small)


class Beta(DistributionFamily):
    """Beta ``scipy.stats.beta(a, b)`` on (0, 1) (``loc = 0``, ``scale = 1``).

    Statistics ``Σw log x`` and ``Σw log(1 − x)``; the observed information
    equals the expected one, ``[[ψ'(a) − ψ'(a+b), −ψ'(a+b)], [−ψ'(a+b), ψ'(b) − ψ'(a+b)]]``.
    Starting values by the method of moments.
    """

    name = "beta"
    param_names = ("a", "b")
    transforms = (Log(), Log())
    support = Support(0.0, 1.0)
    sufficient = True
    screens_support = True
    score_statistics = ("log", "log1m")

    def statistics(self, x):
        return {"log": np.log(x), "log1m": np.log1p(-x)}

    def start(self, sample, fixed):
        mean, var = sample.moments()
        common = mean * (1.0 - mean) / var - 1.0 if var > 0 else 2.0
        if not np.isfinite(common) or common <= 0:
            common = 2.0
        return np.array([fixed.get("a", mean * common), fixed.get("b", (1 - mean) * common)])

    def check_sample(self, sample, free, fixed):
        if {"a", "b"} <= free and sample.is_constant():
            raise boundary_error(
                self, "a and b", "all observations are equal, so they are infinite"
            )

    def loglik(self, t, theta):
        a, b = theta
        return (a - 1.0) * t.sum("log") + (b - 1.0) * t.sum("log1m") - t.n * _log_beta(a, b)

    def score(self, t, theta):
        a, b = theta
        both = digamma(a + b)
        return [
            t.sum("log") - t.n * (digamma(a) - both),
            t.sum("log1m") - t.n * (digamma(b) - both),
        ]

    def hessian(self, t, theta):
        return (-t.n * self.information(theta)).tolist()

    def score_matrix(self, theta):
        return np.eye(2)

    def information(self, theta):
        a, b = theta
        both = _trigamma(a + b)
        return np.array([[_trigamma(a) - both, -both], [-both, _trigamma(b) - both]])

    def to_scipy(self, theta):
        return stats.beta(theta[0], theta[1])


__all__ = [
    "Beta",
    "Exponential",
    "Gamma",
    "InverseGaussian",
    "LogNormal",
    "Logistic",
    "Normal",
    "StudentT",
    "VonMises",
    "Weibull",
]
