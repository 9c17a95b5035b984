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
    robust_score : ChiSquareTest or None
        Under ``cov_type="sandwich"`` or ``"cluster"``: ``U(0)ᵀ M(0)⁻¹ U(0)`` with
        the meat ``M(0)`` of the score residuals at β = 0 (R's robust score
        test, ``fit$rscore``); None otherwise.
    """

    likelihood_ratio: ChiSquareTest
    wald: ChiSquareTest
    score: ChiSquareTest
    robust_score: ChiSquareTest = None

    def __str__(self):
        lines = [
            f"Likelihood ratio test = {self.likelihood_ratio}",
            f"Wald test             = {self.wald}",
            f"Score (logrank) test  = {self.score}",
        ]
        if self.robust_score is not None:
            lines.append(f"Robust score test     = {self.robust_score}")
        return "\n".join(lines)


def score_statistics(problem, k, cov_type, groups=None):
    """The score test at β = 0, and its robust version (None unless ``cov_type`` is robust).

    ``U(0)ᵀ J(0)⁻¹ U(0)`` of the unpenalised partial likelihood, and R's robust
    score test ``U(0)ᵀ M(0)⁻¹ U(0)`` with the meat M of the score residuals at
    0 (each row, or each cluster, its own term).
    """
    zero = np.zeros(k)
    state = problem.state(zero)
    score, information = state.score(), state.information
    plain = float(score @ SymmetricFactor(information).solve(score))
    if cov_type == "sandwich":
        meat = problem.empirical_fisher(zero)
    elif cov_type == "cluster":
        meat = problem.cluster_fisher(zero, groups)
    else:
        return plain, None
    return plain, float(score @ SymmetricFactor(meat).solve(score))


def wald_statistic(params, covariance):
    """``β̂ᵀ V⁻¹ β̂`` over the parameters with a finite covariance."""
    finite = np.isfinite(np.diag(covariance))  # the dropped rows and columns are nan
    if not finite.any():
        return np.nan, 0
    keep = np.ix_(finite, finite)
    beta = params[finite]
    return float(beta @ SymmetricFactor(covariance[keep]).solve(beta)), int(finite.sum())
