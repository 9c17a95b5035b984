"""Standard errors of chosen coefficients of a wide GLM: columns of the covariance, not the matrix.

Column j of the covariance is ``Σ e_j``: for ``cov_type="fisher"`` the
solution of ``I x = e_j``, which conjugate gradients find with products by
``I`` alone (:mod:`skfisher.linear_model._cg`). The other covariances of the
dense path are as cheap, each product one pass over X:

=============  =========================  ==========================
cov_type       column j                   solves
=============  =========================  ==========================
``fisher``     ``I⁻¹ e_j``                one with ``I``
``observed``   ``J⁻¹ e_j``                one with ``J``
``empirical``  ``F⁻¹ e_j``                one with ``F``
``sandwich``   ``J⁻¹ F J⁻¹ e_j``          two with ``J``, a product by ``F``
=============  =========================  ==========================

with the matrices of :class:`~skfisher.linear_model._problem.GLMProblem` at the
reported dispersion φ̂: ``I = Xᵀ diag(w μ'²/(φ̂V)) X + p``, ``J`` with the
observed weights (``J = I`` for a canonical link) ``+ p``, and
``F = Xᵀ diag(w s²) X`` (``s`` the score in η; no penalty), ``p`` the L2
penalty of the coefficients.

A solve of ``A x = e_j`` stops at the relative residual :data:`SE_RTOL` =
1e-8 in the norm of the Jacobi preconditioner, ``‖D^{-1/2}(A x − e_j)‖ ≤
1e-8 ‖D^{-1/2} e_j‖`` with ``D = diag(A)``. The variance ``e_jᵀ x`` of a
conjugate-gradient solution from 0 is below ``e_jᵀ A⁻¹ e_j`` by
``‖x − A⁻¹e_j‖²_A ≤ rtol² κ e_jᵀ A⁻¹ e_j`` (the error is quadratic in the
residual; κ the condition number of the scaled matrix): relatively within
``1e-16 κ``, the rounding error of the dense path's inverse. The sandwich's
second solve, whose solution enters its variance linearly, stops at
:data:`SANDWICH_RTOL` = 1e-10. The coefficients are solved for in blocks of
:data:`_BLOCK`, each block's solves sharing every pass over X (a sparse X by
the compiled kernels of :mod:`~skfisher.linear_model._cg_numba` where numba
is installed).
"""

import numpy as np

from .._warnings import warn
from ..exceptions import CovarianceWarning
from ._cg import SquaredDesign, WeightedGram, conjugate_gradients

SE_RTOL = 1e-8
SANDWICH_RTOL = 1e-10

# The covariances available without the matrices ("cluster" needs the G × k
# per-cluster score sums, which may be as large as X).
CG_COV_TYPES = ("fisher", "observed", "empirical", "sandwich")

# Right-hand sides solved together: the block's products hold n × _BLOCK values.
_BLOCK = 32


def reported_operator(problem, theta, which, squared):
    """Return ``I``, ``J`` or ``F`` (``which``) at θ and the reported φ̂ as a :class:`WeightedGram`.

    ``which`` is ``"information"``, ``"observed"`` or ``"empirical"``.
    """
    canonical = problem.link.name == problem.family.canonical_link
    if which == "information" or (which == "observed" and canonical):
        _, weight = problem._eta_derivatives(theta, problem.phi)
        return WeightedGram(squared, weight * problem.w, problem.penalty)
    if which == "observed":
        eta, mu, var = problem._state(theta)
        weight = problem.family.observed_weight(problem.y, eta, mu, var, problem.link, problem.phi)
        return WeightedGram(squared, weight * problem.w, problem.penalty)
    score_eta, _ = problem._eta_derivatives(theta, problem.phi)
    weight = np.square(score_eta) * problem.w
    if problem.var_weights is not None:
        weight *= problem.var_weights  # row i's score is v_i s_i
    return WeightedGram(squared, weight)


def covariance_columns(problem, theta, indices, cov_type):
    """Return the columns ``Σ[:, indices]`` of the covariance by ``cov_type`` and their residuals.

    Parameters
    ----------
    problem : GLMProblem
        The fitted problem, its dispersion set to the reported φ̂.
    theta : ndarray of shape (k,)
        The estimate (in the units of the fit).
    indices : ndarray of int, shape (m,)
        The parameters.
    cov_type : {"fisher", "observed", "empirical", "sandwich"}
        The covariance.

    Returns
    -------
    columns : ndarray of shape (k, m)
        ``Σ e_j`` for each j of ``indices``; nan for a parameter whose
        diagonal entry of the matrix solved with is 0 (not identified).
    residuals : ndarray of shape (m,)
        The largest relative residual of the solves of each column.
    """
    squared = SquaredDesign(problem.design)
    bread_kind = {"fisher": "information", "empirical": "empirical"}.get(cov_type, "observed")
    bread = reported_operator(problem, theta, bread_kind, squared)
    meat = (
        reported_operator(problem, theta, "empirical", squared) if cov_type == "sandwich" else None
    )
    indices = np.asarray(indices, dtype=int)
    k = problem.design.n_cols
    columns = np.full((k, indices.size), np.nan)
    residuals = np.zeros(indices.size)
    for start in range(0, indices.size, _BLOCK):
        block = np.arange(start, min(start + _BLOCK, indices.size))
        identified = block[bread.diagonal[indices[block]] > 0]
        residuals[np.setdiff1d(block, identified)] = np.inf
        if not identified.size:
            continue
        unit = np.zeros((k, identified.size))
        unit[indices[identified], np.arange(identified.size)] = 1.0
        solution, residual, _ = conjugate_gradients(bread, unit, rtol=SE_RTOL)
        if meat is not None:
            meat_solution = meat.matmat(solution)
            solution, second, _ = conjugate_gradients(bread, meat_solution, rtol=SANDWICH_RTOL)
            # On the scale of SE_RTOL, the tolerance drop_unsolved checks.
            residual = np.maximum(residual, second * (SE_RTOL / SANDWICH_RTOL))
        columns[:, identified] = solution
        residuals[identified] = residual
    return columns, residuals


def drop_unsolved(columns, residuals, names):
    """Set to nan the columns whose solves did not reach :data:`SE_RTOL`, warning by name."""
    unsolved = np.flatnonzero(~(residuals <= SE_RTOL))
    if not unsolved.size:
        return columns
    columns = columns.copy()
    columns[:, unsolved] = np.nan
    listed = [str(names[j]) for j in unsolved[:5]] + (["…"] if unsolved.size > 5 else [])
    worst = float(np.max(residuals[unsolved]))
    if np.isinf(worst):
        reached = "have no information (a zero diagonal entry of the matrix)"
    else:
        reached = f"stopped at a relative residual of {worst:.2g}, above {SE_RTOL:g}"
    warn(
        f"The conjugate-gradient solves for the standard errors of {listed} {reached}: the "
        "matrix is singular or nearly so in their direction (a column without information, "
        "collinear features, separation, or an observed information that is not positive "
        "definite). Their standard errors are nan. Set alpha > 0, remove collinear features, "
        "or use cov_type='fisher'.",
        CovarianceWarning,
    )
    return columns
