"""Products with a GLM's information matrices without forming them, and conjugate gradients.

For a wide GLM (k from 10⁴ to 10⁶ columns, hashed text features say) the
k × k information does not fit in memory. Conjugate gradients solve
``I x = b`` with products alone,

    ``I v = [1, X]ᵀ (c ⊙ ([1, X] v)) + p ⊙ v``

(``c`` the information weights of the rows, ``p`` the L2 penalty
``α Σw`` on the coefficients, as :class:`~skfisher.linear_model._problem.GLMProblem`
adds it to the diagonal), preconditioned by the diagonal of ``I``,
``Σ_i c_i x̃_ij² + p_j``, which is one product with the squared entries of X
(:class:`SquaredDesign`). Nothing of size n × k or k × k is formed: memory
O(nnz(X) + k) (and n × m for a block of m right-hand sides).

Residuals are measured in the norm of the preconditioner, ``‖r‖_{D⁻¹}`` with
``D = diag(I)``: the residual of the system scaled to a unit diagonal, which
does not depend on the units of the columns.

:func:`conjugate_gradients` is this module's own loop rather than
``scipy.sparse.linalg.cg``: it stops on that scaled residual, it solves a
block of right-hand sides in step (the standard errors of several
coefficients; a dense X multiplies the block in one BLAS product), it checks
the true residual at the end, which the recursion drifts from, and it does
not need scipy 1.12's ``rtol``. The truncated-Newton loop that uses it is
:mod:`skfisher.linear_model._cg_newton`.
"""

import importlib
from functools import cache

import numpy as np
import scipy.sparse as sp

# Products with a sparse X by the compiled kernels of
# :mod:`skfisher.linear_model._cg_numba` where numba is installed and X stores
# at least COMPILED_MIN_NNZ values (below, importing numba and loading the
# kernels, about half a second, would outweigh their gain); False takes
# scipy's products (tests compare the two).
COMPILED = True
COMPILED_MIN_NNZ = 10**6

# The most conjugate-gradient iterations of one solve: a solve that has not
# reached its residual by then (a nearly singular information) is returned
# as it is, with its residual.
_MAX_CG_ITER = 5_000


def block_matvec(design, V):
    """Return ``[1, X] V`` for a block ``V`` of shape (k, m), shape (n, m).

    :meth:`Design.matvec` for m vectors. scipy's product of a CSR matrix with
    a block is no faster than one product per column (59 ms against 77 ms
    for 10 columns of a 10⁵ × 10⁵ X with 50 non-zeros a row): a sparse X
    takes a block of two or more by the compiled kernel where numba is
    installed (27 ms there, :mod:`~skfisher.linear_model._cg_numba`), else
    one column at a time, as it takes a single vector (scipy's product is as
    fast as the kernel's). A dense X takes the block in one BLAS product per
    chunk of rows (a chunk of another dtype is cast, not the whole X).
    """
    kernels = compiled_kernels(design) if V.shape[1] > 1 else None
    if kernels is not None:
        out = kernels.matmat(design.X, V[int(design.fit_intercept) :])
        if design.fit_intercept:
            out += V[0]
        return out
    if design.sparse:
        return np.column_stack([design.matvec(V[:, j]) for j in range(V.shape[1])])
    offset = int(design.fit_intercept)
    out = np.empty((design.n_rows, V.shape[1]))
    for start in range(0, design.n_rows, design.chunk_rows):
        rows = design.X[start : start + design.chunk_rows]
        out[start : start + rows.shape[0]] = rows @ V[offset:]
    if offset:
        out += V[0]
    return out


def block_rmatvec(design, R):
    """Return ``[1, X]ᵀ R`` for a block ``R`` of shape (n, m), shape (k, m).

    :meth:`Design.rmatvec` for m vectors, as :func:`block_matvec` (the
    kernel 40 ms against 95 ms for the 10 columns).
    """
    kernels = compiled_kernels(design) if R.shape[1] > 1 else None
    if kernels is not None:
        out = kernels.rmatmat(design.X, R)
        return np.vstack([R.sum(axis=0), out]) if design.fit_intercept else out
    if design.sparse:
        return np.column_stack([design.rmatvec(R[:, j]) for j in range(R.shape[1])])
    out = np.zeros((design.n_features, R.shape[1]))
    for start in range(0, design.n_rows, design.chunk_rows):
        rows = design.X[start : start + design.chunk_rows]
        out += rows.T @ R[start : start + rows.shape[0]]
    return np.vstack([R.sum(axis=0), out]) if design.fit_intercept else out


@cache
def _kernels():
    try:
        return importlib.import_module("skfisher.linear_model._cg_numba")
    except ImportError:
        return None


def compiled_kernels(design):
    """The compiled module for the products with sparse ``design``, or None (see COMPILED)."""
    if not (COMPILED and design.sparse and design.X.nnz >= COMPILED_MIN_NNZ):
        return None
    return _kernels()


class SquaredDesign:
    """The products ``Σ_i c_i x̃_ij²`` of a design, the diagonals of its weighted Gram matrices.

    The compiled kernel squares a sparse X's entries as it reads them; without
    it a sparse X keeps its squared entries once (nnz values, sharing X's
    indices). The rows of a dense X are squared a chunk at a time, so that no
    n × k copy is formed.
    """

    def __init__(self, design):
        self.design = design
        X = design.X
        self._squares = None
        self._kernels = compiled_kernels(design)
        if design.sparse and self._kernels is None:
            data = np.square(X.data, dtype=float)
            self._squares = sp.csr_matrix((data, X.indices, X.indptr), shape=X.shape)

    def rmatvec(self, c):
        """Return ``Σ_i c_i x̃_ij²`` for every column j of ``[1, X]``, shape (k,)."""
        design = self.design
        if self._kernels is not None:
            total = self._kernels.weighted_squares(design.X, c)
        elif self._squares is not None:
            total = np.asarray(self._squares.T @ c, dtype=float).ravel()
        else:
            total = np.zeros(design.n_features)
            for start in range(0, design.n_rows, design.chunk_rows):
                rows = np.asarray(design.X[start : start + design.chunk_rows], dtype=float)
                total += c[start : start + rows.shape[0]] @ np.square(rows)
        return np.concatenate(([c.sum()], total)) if design.fit_intercept else total


class WeightedGram:
    """The operator ``v ↦ [1, X]ᵀ diag(c) [1, X] v + p ⊙ v``, never formed, and its diagonal.

    Parameters
    ----------
    squared : SquaredDesign
        The design and its squared entries.
    weights : ndarray of shape (n,)
        The row weights ``c``.
    penalty : ndarray of shape (k,) or None
        Added to the diagonal (the L2 penalty of the coefficients).
    """

    def __init__(self, squared, weights, penalty=None):
        self.design = squared.design
        self.weights = np.ascontiguousarray(weights, dtype=float)
        self.penalty = np.zeros(self.design.n_cols) if penalty is None else penalty
        self.diagonal = squared.rmatvec(self.weights) + self.penalty

    def matmat(self, V):
        """Return the product with ``V`` of shape (k, m), shape (k, m)."""
        eta = block_matvec(self.design, V)
        eta *= self.weights[:, None]
        return block_rmatvec(self.design, eta) + self.penalty[:, None] * V

    def inverse_diagonal(self):
        """``1 / diag``, with 0 where the diagonal is 0 (a column no row informs)."""
        out = np.zeros_like(self.diagonal)
        positive = self.diagonal > 0
        out[positive] = 1.0 / self.diagonal[positive]
        return out

    def norm(self, v):
        """Return ``‖v‖_{D⁻¹}``, the norm of the residuals and scores."""
        return float(np.sqrt(v @ (self.inverse_diagonal() * v)))


def conjugate_gradients(gram, B, *, rtol, x0=None, max_iter=_MAX_CG_ITER, check=True):
    """Solve ``A X = B`` column by column by Jacobi-preconditioned conjugate gradients.

    Parameters
    ----------
    gram : WeightedGram
        The symmetric positive (semi-)definite operator ``A`` and its diagonal.
    B : ndarray of shape (k, m)
        The right-hand sides.
    rtol : float
        Each column stops at ``‖b − A x‖_{D⁻¹} <= rtol ‖b‖_{D⁻¹}``.
    x0 : ndarray of shape (k, m), default=None
        The start (0 by default).
    max_iter : int
        The most iterations (products of the block with ``A``).
    check : bool, default=True
        Whether to recompute the residuals from ``b − A x`` at the end (one
        product more) and restart the columns they leave above ``rtol``;
        without it ``residuals`` are the recursion's.

    Returns
    -------
    X : ndarray of shape (k, m)
    residuals : ndarray of shape (m,)
        The relative residuals ``‖b − A x‖_{D⁻¹} / ‖b‖_{D⁻¹}``, recomputed
        from ``b − A x`` (0 where ``b`` is 0).
    iterations : int

    Notes
    -----
    The columns run in step, each with its own step lengths, and leave the
    block once converged. A
    column where the curvature ``pᵀ A p`` is not positive (an indefinite
    operator, or a direction the operator does not see) stops there. The
    recursion's residual drifts from the true one by rounding; at the end the
    true residual is computed, and the columns it leaves above ``rtol`` are
    restarted from their solution once.
    """
    inverse = gram.inverse_diagonal()[:, None]
    X = np.zeros_like(B) if x0 is None else np.array(x0, dtype=float)
    scale = np.sqrt(_column_dots(B, inverse * B))
    iterations = 0
    for _ in range(2):  # the second pass restarts from the true residual
        R = B - gram.matmat(X) if x0 is not None or iterations else B.copy()
        spent, recursion = _cg_iterations(gram, X, R, inverse, rtol * scale, max_iter - iterations)
        iterations += spent
        if not check:
            residuals = np.divide(recursion, scale, out=np.zeros_like(scale), where=scale > 0)
            break
        residuals = _relative_residuals(gram, B, X, inverse, scale)
        if np.all(residuals <= rtol) or iterations >= max_iter:
            break
    return X, residuals, iterations


def _cg_iterations(gram, X, R, inverse, targets, max_iter):
    """Run the preconditioned recursion on ``X`` (updated in place) from residuals ``R``.

    Returns the iterations and each column's last residual norm of the
    recursion, ``‖r‖_{D⁻¹}``. The columns still running are kept together,
    so that each iteration works on contiguous (k, m) blocks; a column leaves
    when it reaches its target (or meets a curvature that is not positive).
    """
    Z = inverse * R
    rho = _column_dots(R, Z)
    norms = np.sqrt(np.maximum(rho, 0.0))
    running = norms > targets
    columns = np.flatnonzero(running)
    x, r, p, rho = X[:, running], R[:, running], Z[:, running], rho[running]
    iterations = 0
    while columns.size and iterations < max_iter:
        q = gram.matmat(p)
        curvature = _column_dots(p, q)
        usable = curvature > 0
        step = np.where(usable, rho / np.where(usable, curvature, 1.0), 0.0)
        x += step * p
        r -= step * q
        z = inverse * r
        rho_next = _column_dots(r, z)
        p *= rho_next / np.where(rho > 0, rho, 1.0)
        p += z
        rho = rho_next
        iterations += 1
        norms[columns] = np.sqrt(np.maximum(rho, 0.0))
        going = usable & (norms[columns] > targets[columns])
        if not going.all():
            X[:, columns[~going]] = x[:, ~going]
            columns, x, r, p, rho = (
                columns[going],
                x[:, going],
                r[:, going],
                p[:, going],
                rho[going],
            )
    X[:, columns] = x
    return iterations, norms


def _column_dots(A, B):
    """``Σ_i A_ij B_ij`` for each column j."""
    return np.einsum("ij,ij->j", A, B)


def _relative_residuals(gram, B, X, inverse, scale):
    """``‖b − A x‖_{D⁻¹} / ‖b‖_{D⁻¹}`` per column (0 where ``b`` is 0)."""
    R = B - gram.matmat(X)
    norms = np.sqrt(_column_dots(R, inverse * R))
    return np.divide(norms, scale, out=np.zeros_like(norms), where=scale > 0)
