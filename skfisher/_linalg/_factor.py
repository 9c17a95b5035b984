"""``SymmetricFactor``: one factorisation of an information matrix, and what it gives."""

import numpy as np
import scipy.linalg

# Relative size, in a matrix scaled to unit diagonal, below which a pivot (the
# part of a column not explained by the columns before it) counts as zero.
# A pair of columns with correlation 1 - 5e-13 is flagged; their estimates
# would carry fewer than four significant digits.
RANK_RTOL = 1e-12


class SymmetricFactor:
    """Factorisation of a symmetric positive semi-definite matrix.

    The matrix is scaled to unit diagonal, ``A = D S D``, and ``S`` is factorised
    by Cholesky. When a pivot of the factor is below ``RANK_RTOL`` (a column that
    is, to working precision, a combination of others) or Cholesky fails, the
    eigendecomposition of ``S`` is used instead and its null space is kept aside:
    ``solve`` then gives the minimum-norm solution (as a pseudo-inverse) and
    ``deficient`` lists the columns that take part in the null space. An
    indefinite matrix (an observed information away from a maximum) is
    inverted on its non-null eigenvalues and flagged by ``negative``.

    Parameters
    ----------
    A : ndarray of shape (k, k)
        Symmetric matrix.
    """

    def __init__(self, A):
        A = np.asarray(A, dtype=float)
        self._matrix = A
        self.k = A.shape[0]
        diag = np.diag(A).copy()
        if not np.all(np.isfinite(A)):
            raise ValueError("The matrix to factorise has non-finite entries.")
        scale = np.sqrt(np.where(diag > 0, diag, 1.0))
        self._scale = scale
        S = A / scale[:, None] / scale[None, :]
        zero_cols = diag <= 0
        self._chol = None
        self.deficient = np.flatnonzero(zero_cols)
        self.negative = False
        if not zero_cols.any():
            try:
                chol = scipy.linalg.cholesky(S, lower=False, check_finite=False)
            except np.linalg.LinAlgError:
                chol = None
            if chol is not None and np.min(np.diag(chol)) ** 2 > RANK_RTOL:
                self._chol = chol
                return
        self._eigen(S)

    def _eigen(self, S):
        values, vectors = scipy.linalg.eigh(S, check_finite=False)
        top = max(values[-1], 1.0) if self.k else 1.0
        self.negative = bool(values[0] < -RANK_RTOL * top * 1e3)
        keep = np.abs(values) > RANK_RTOL * top
        null = vectors[:, ~keep]
        # A column takes part in the null space when it carries a visible
        # share of some null vector.
        involved = np.any(np.abs(null) > 1e-6, axis=1) if null.size else np.zeros(self.k, bool)
        self.deficient = np.flatnonzero(involved)
        self._values = values[keep]
        self._vectors = vectors[:, keep]
        self._null = null

    @property
    def singular(self):
        """True when the matrix is numerically singular."""
        return self._chol is None

    @property
    def logdet(self):
        """``log det A``; for a singular ``A`` the log pseudo-determinant.

        The pseudo-determinant is the product of the eigenvalues of ``A``
        itself (not of its unit-diagonal scaling) above ``RANK_RTOL`` times the
        largest: for ``A = Cᵀ A₀ C`` with a fixed ``C`` of full row rank (an
        information with redundant columns), it is ``det A₀`` times a
        constant, so it differs from the log-determinant of the identified
        model by a constant. ``-inf`` when no eigenvalue is kept.
        """
        if self._chol is not None:
            return float(2.0 * np.sum(np.log(np.diag(self._chol)) + np.log(self._scale)))
        values = scipy.linalg.eigvalsh(self._matrix, check_finite=False)
        keep = values > RANK_RTOL * max(values[-1], 0.0) if self.k else values > 0
        return float(np.sum(np.log(values[keep]))) if keep.any() else -np.inf

    def solve(self, b):
        """Solve ``A x = b`` (minimum-norm solution when ``A`` is singular)."""
        b = np.asarray(b, dtype=float)
        bs = (b.T / self._scale).T
        if self._chol is not None:
            xs = scipy.linalg.cho_solve((self._chol, False), bs, check_finite=False)
        else:
            xs = self._vectors @ ((self._vectors.T @ bs).T / self._values).T
        return (xs.T / self._scale).T

    def inverse(self):
        """Return ``A⁻¹``, with ``nan`` in the rows and columns of ``deficient``."""
        if self._chol is not None:
            # LAPACK's inverse from the factor: a third of the time of
            # solving with the identity (0.06 s against 0.19 s at k = 2,001).
            inv, info = scipy.linalg.lapack.dpotri(self._chol, lower=0)
            if info == 0:
                inv = np.triu(inv)
                inv += np.triu(inv, 1).T
                inv /= np.outer(self._scale, self._scale)  # exactly symmetric
                return self._blank_deficient(inv)
        inv = self.solve(np.eye(self.k))
        return self._blank_deficient(0.5 * (inv + inv.T))

    def _blank_deficient(self, inv):
        if self.deficient.size:
            inv[self.deficient, :] = np.nan
            inv[:, self.deficient] = np.nan
        return inv

    def inverse_root(self):
        """Return ``B`` (k, r) with ``B Bᵀ`` the inverse that :meth:`solve` applies.

        ``‖Bᵀ b‖²`` is ``bᵀ A⁻¹ b`` (the pseudo-inverse when singular) without
        forming the inverse, whose products would lose the cancellations.
        """
        if self._chol is not None:
            # LAPACK's triangular inverse: scipy's solve_triangular of the identity
            # takes milliseconds even for k = 2 (its threading).
            inverse, info = scipy.linalg.lapack.dtrtri(self._chol, lower=0)
            if info == 0:
                return np.triu(inverse) / self._scale[:, None]
            root = scipy.linalg.solve_triangular(self._chol, np.eye(self.k), check_finite=False)
        else:
            root = self._vectors / np.sqrt(np.abs(self._values))
        return root / self._scale[:, None]

    def null_directions(self):
        """Return ``B`` (k, m) with ``‖Bᵀ b‖`` the part of ``b`` that :meth:`solve` drops.

        ``solve`` works on the unit-diagonal ``S = D⁻¹ A D⁻¹`` and drops the
        eigenvectors ``N`` of ``S`` with eigenvalues below ``RANK_RTOL``; the
        part of ``b`` in those directions is ``Nᵀ D⁻¹ b``, so ``B = D⁻¹ N``
        (m = 0 columns when nothing was dropped).
        """
        if self._chol is not None:
            return np.zeros((self.k, 0))
        return self._null / self._scale[:, None]
