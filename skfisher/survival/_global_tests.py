"""The tests of all coefficients that R's ``summary(coxph)`` prints under the table."""

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._linalg import SymmetricFactor


@dataclass(frozen=True)
class ChiSquareTest:
    """A χ² test: its statistic, degrees of freedom and p-value."""

    statistic: float
    df: int
    pvalue: float

    @classmethod
    def of(cls, statistic, df):
        statistic = float(statistic)
        return cls(statistic, int(df), float(stats.chi2.sf(statistic, df)))

    def __str__(self):
        return f"{self.statistic:.6g} on {self.df} df, p={self.pvalue:.4g}"


@dataclass(frozen=True)
class GlobalTests:
    """The likelihood-ratio, Wald and score (log-rank) tests of β = 0.

    Attributes
    ----------
    likelihood_ratio : ChiSquareTest
        ``2 [ℓ(β̂) − ℓ(0)]``.
    wald : ChiSquareTest
        ``β̂ᵀ V⁻¹ β̂`` with V the fit's ``covariance_`` (robust for a robust
        fit, as R's ``wald.test``).
    score : ChiSquareTest
        ``U(0)ᵀ J(0)⁻¹ U(0)``: with one binary feature, the log-rank test.
    """

    likelihood_ratio: ChiSquareTest
    wald: ChiSquareTest
    score: ChiSquareTest

    def __str__(self):
        return "\n".join(
            [
                f"Likelihood ratio test = {self.likelihood_ratio}",
                f"Wald test             = {self.wald}",
                f"Score (logrank) test  = {self.score}",
            ]
        )


def score_statistic(problem, k):
    """``U(0)ᵀ J(0)⁻¹ U(0)`` of the unpenalised partial likelihood."""
    zero = np.zeros(k)
    state = problem.state(zero)
    score, information = state.score(), state.information()
    return float(score @ SymmetricFactor(information).solve(score))


def wald_statistic(params, covariance):
    """``β̂ᵀ V⁻¹ β̂`` over the parameters with a finite covariance."""
    finite = np.all(np.isfinite(covariance), axis=1)
    if not finite.any():
        return np.nan, 0
    keep = np.ix_(finite, finite)
    beta = params[finite]
    return float(beta @ SymmetricFactor(covariance[keep]).solve(beta)), int(finite.sum())
