"""Rao's score test of parallel lines (proportional odds) after a cumulative-link fit.

The cumulative-link model gives every threshold the same slopes β. The
general model lets each threshold have its own, ``γ_ij = θ_j − x_iᵀβ_j``
(the "non-proportional" or "partial proportional odds" model of Peterson &
Harrell 1990, Applied Statistics 39); the proportional model is its
restriction ``β_0 = … = β_{K−2}``. Rao's score statistic needs only the
restricted fit: with U and I the score and the expected information of the
general model at the restricted estimate,

    S = Uᵀ I⁻¹ U ~ χ²_{p(K−2)},

and for one feature, whose slopes alone are set free, the same with U and I
of that smaller general model, ``χ²_{K−2}``. In the general model each row's
cumulative predictors have the Jacobian ``M_i = ∂γ_i/∂φ`` with ``−x_iᵀ`` in
the block of threshold j and ``e_j`` among the thresholds, so ``U = Σ w_i M_iᵀ
g_i`` and ``I = Σ w_i M_iᵀ E_i M_i`` from the same per-row score g and
tridiagonal expected information E (in γ) as the fit's. A smaller model's U
and I are ``Aᵀ U`` and ``Aᵀ I A`` for the matrix A that repeats its common
slopes across the thresholds. The expected information is the one of Rao's
test; at the restricted estimate the general model need not be a valid
model elsewhere (its cumulative probabilities may cross), only its
derivatives there are used.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy import stats

from .._linalg import SymmetricFactor


@dataclass(frozen=True)
class ParallelLinesTest:
    """Score tests of parallel lines, per feature and for all features at once.

    Attributes
    ----------
    names : list of str
        The features, then ``"all features"``.
    statistic : ndarray of shape (n_features + 1,)
        Rao's score statistics.
    df : ndarray of shape (n_features + 1,)
        Their degrees of freedom, ``K − 2`` and ``p (K − 2)``.
    pvalue : ndarray of shape (n_features + 1,)
        ``P(χ²_df > statistic)``.
    """

    names: list
    statistic: np.ndarray
    df: np.ndarray
    pvalue: np.ndarray

    def to_frame(self):
        """Return the tests as a pandas DataFrame indexed by ``names``."""
        import pandas as pd

        return pd.DataFrame(
            {"statistic": self.statistic, "df": self.df, "P>chi2": self.pvalue},
            index=pd.Index(self.names, name="slopes free"),
        )

    def __str__(self):
        width = max(len(name) for name in self.names) + 2
        lines = [f"{'slopes free':<{width}}{'score chi2':>12}{'df':>6}{'P>chi2':>12}"]
        for name, statistic, df, pvalue in zip(
            self.names, self.statistic, self.df, self.pvalue, strict=True
        ):
            lines.append(f"{name:<{width}}{statistic:>12.4f}{df:>6d}{pvalue:>12.4g}")
        return "\n".join(lines)


def parallel_lines_test(problem, theta, feature_names):
    """Return the :class:`ParallelLinesTest` of the fitted ``problem`` at its estimate θ."""
    state = problem.state(theta)
    X = problem.design.X
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    n_cuts = problem.n_classes - 1
    jacobian = _general_jacobian(X, n_cuts)
    weighted = problem.w[:, None, None] * jacobian
    score = np.einsum("nja,nj->a", weighted, state.score)
    information = np.einsum("nja,njb->ab", weighted, _band_times(*state.expected_band(), jacobian))
    information = 0.5 * (information + information.T)
    p = X.shape[1]
    free_sets = [[m] for m in range(p)] + [list(range(p))]
    statistic = np.array(
        [_statistic(score, information, _free_slopes(p, n_cuts, free)) for free in free_sets]
    )
    df = np.array([len(free) * (n_cuts - 1) for free in free_sets])
    return ParallelLinesTest(
        [*map(str, feature_names), "all features"], statistic, df, stats.chi2.sf(statistic, df)
    )


def _general_jacobian(X, n_cuts):
    """``∂γ_i/∂φ`` for ``φ = [β_0, …, β_{K−2}, θ]``, shape (n, K − 1, p (K − 1) + K − 1)."""
    n, p = X.shape
    jacobian = np.zeros((n, n_cuts, p * n_cuts + n_cuts))
    for j in range(n_cuts):
        jacobian[:, j, j * p : (j + 1) * p] = -X
        jacobian[:, j, p * n_cuts + j] = 1.0
    return jacobian


def _band_times(diagonal, off, matrices):
    """``E_i M_i`` for the tridiagonal ``E_i`` of band ``(diagonal, off)``, row by row."""
    out = diagonal[:, :, None] * matrices
    out[:, :-1] += off[:, :, None] * matrices[:, 1:]
    out[:, 1:] += off[:, :, None] * matrices[:, :-1]
    return out


def _free_slopes(p, n_cuts, free):
    """The map A from a model with the slopes of ``free`` per threshold to the general one."""
    columns = []
    for m in range(p):
        cuts = range(n_cuts) if m in free else [None]
        for j in cuts:
            column = np.zeros(p * n_cuts + n_cuts)
            column[[k * p + m for k in (range(n_cuts) if j is None else [j])]] = 1.0
            columns.append(column)
    thresholds = np.zeros((p * n_cuts + n_cuts, n_cuts))
    thresholds[p * n_cuts :] = np.eye(n_cuts)
    return np.column_stack([*columns, thresholds])


def _statistic(score, information, A):
    """``(Aᵀ U)ᵀ (Aᵀ I A)⁻¹ (Aᵀ U)``."""
    reduced = A.T @ score
    return float(reduced @ SymmetricFactor(A.T @ information @ A).solve(reduced))
