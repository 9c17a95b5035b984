"""The inverse Gaussian family; re-exported by :mod:`skfisher.distributions.continuous`."""

import numpy as np
from scipy import stats

from .._validation import Support
from ..links import Log
from ._base import DistributionFamily, boundary_error

_LOG_2PI = np.log(2.0 * np.pi)


class InverseGaussian(DistributionFamily):
    """Inverse Gaussian ``scipy.stats.invgauss(mu, scale=scale)`` (``loc = 0``).

    In scipy's parameterisation the mean is ``mu·scale`` and the shape
    ``λ = scale``: ``log p = ½ log scale − ½ log 2πx³ − x/(2 mu² scale) + 1/mu − scale/(2x)``.
    Statistics ``Σw x``, ``Σw 1/x`` and ``Σw log x``; the MLE is closed form
    (mean ``x̄``, ``1/λ = mean(1/x) − 1/x̄``). Per-observation information
    ``[[1/mu³, 1/(mu² scale)], [1/(mu² scale), 1/(2 scale²) + 1/(mu scale²)]]``.
    """

    name = "inverse_gaussian"
    scale = "scale"
    param_names = ("mu", "scale")
    transforms = (Log(), Log())
    support = Support(0.0, np.inf)
    sufficient = True
    screens_support = True
    score_statistics = ("x", "inv")

    def statistics(self, x):
        return {"x": x, "inv": 1.0 / x, "log": np.log(x)}

    def start(self, sample, fixed):
        t = sample.statistics()
        mean = t.mean("x")
        shape = 1.0 / max(t.mean("inv") - 1.0 / mean, 1e-300)
        shape = fixed.get("scale", shape)
        return np.array([fixed.get("mu", mean / shape), shape])

    def check_sample(self, sample, free, fixed):
        if {"mu", "scale"} <= free and sample.is_constant():
            raise boundary_error(self, "scale", "all observations are equal, so it is infinite")

    def loglik(self, t, theta):
        mu, scale = theta
        return (
            0.5 * t.n * (np.log(scale) - _LOG_2PI)
            - 1.5 * t.sum("log")
            - t.sum("x") / (2.0 * mu**2 * scale)
            + t.n / mu
            - 0.5 * scale * t.sum("inv")
        )

    def score(self, t, theta):
        mu, scale = theta
        return [
            t.sum("x") / (mu**3 * scale) - t.n / mu**2,
            0.5 * t.n / scale + t.sum("x") / (2.0 * mu**2 * scale**2) - 0.5 * t.sum("inv"),
        ]

    def hessian(self, t, theta):
        mu, scale = theta
        cross = -t.sum("x") / (mu**3 * scale**2)
        return [
            [-3.0 * t.sum("x") / (mu**4 * scale) + 2.0 * t.n / mu**3, cross],
            [cross, -0.5 * t.n / scale**2 - t.sum("x") / (mu**2 * scale**3)],
        ]

    def score_matrix(self, theta):
        mu, scale = theta
        return np.array([[1.0 / (mu**3 * scale), 0.0], [0.5 / (mu * scale) ** 2, -0.5]])

    def information(self, theta):
        mu, scale = theta
        cross = 1.0 / (mu**2 * scale)
        return np.array([[1.0 / mu**3, cross], [cross, (0.5 + 1.0 / mu) / scale**2]])

    def to_scipy(self, theta):
        return stats.invgauss(theta[0], scale=theta[1])
