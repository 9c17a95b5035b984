"""Linear algebra shared by every estimator.

``Design`` is the model matrix ``[1, X]`` of a GLM, never formed: it offers the
three products the Fisher-scoring loop needs (``X θ``, ``Xᵀ v`` and the weighted
Gram matrix ``Xᵀ diag(w) X``) over row chunks, for dense and sparse ``X``, in
float64 or float32 (whose rows are cast to float64 a chunk at a time).

``SymmetricFactor`` (``_factor.py``) factorises a symmetric positive
semi-definite matrix (an information matrix) once, solves with it, inverts it,
and reports the columns that make it singular instead of raising ``LinAlgError``.
"""

import importlib
from functools import cache

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import dsyrk

from ._factor import RANK_RTOL, SymmetricFactor

__all__ = [
    "DESIGN_DTYPES",
    "RANK_RTOL",
    "Design",
    "SymmetricFactor",
    "compiled_gram",
    "extreme_column_scale",
]

# A chunk of rows of about this many bytes stays in the CPU cache while the
# Gram product of the chunk is formed; measured in benchmarks/bench_gram.py.
_CHUNK_BYTES = 1 << 20

# The Gram product of a sparse X by the compiled kernel of ``_sparse_numba``
# where numba is installed and X stores at least COMPILED_MIN_NNZ values
# (below, importing numba and loading the kernel, about half a second, would
# outweigh its gain); False takes tabmat's or scipy's (tests compare them).
COMPILED = True
COMPILED_MIN_NNZ = 10**6

# The dtypes of X that Design takes as they are; a validation with
# ``dtype=DESIGN_DTYPES`` keeps them and converts any other to float64.
DESIGN_DTYPES = (np.float64, np.float32)


# Columns whose largest magnitude lies outside this range are rescaled for the
# fit: their squares, summed over 10⁹ rows, stay far from underflow and overflow.
_COLUMN_RANGE = (1e-30, 1e30)


def extreme_column_scale(X):
    """Return ``(X D, d)`` with power-of-two factors ``d`` for extreme columns, else ``(X, None)``.

    A column of magnitude 1e-200 squares to 0 and one of 1e160 to inf in the
    Gram product, so the information of their coefficients is lost. Scaled by
    ``d_j = 2^-round(log2 max|x_j|)`` — exact in binary floating point — the
    fit on ``X D`` gives ``θ' = D⁻¹ θ``, whose matrices map back by ``D``. Only
    a matrix with such a column is copied.
    """
    magnitude = _largest_magnitudes(X)
    low, high = _COLUMN_RANGE
    extreme = (magnitude > 0) & ((magnitude < low) | (magnitude > high))
    if not extreme.any():
        return X, None
    scale = np.ones(X.shape[1])
    scale[extreme] = np.exp2(-np.round(np.log2(magnitude[extreme])))
    if sp.issparse(X):
        return (X @ sp.diags(scale)).tocsr(), scale
    return X * scale, scale


def _largest_magnitudes(X):
    """Return ``max_i |x_ij|`` of each column, in float64.

    Dense rows are taken a chunk at a time: ``abs(X)`` whole would be a copy
    of X, the largest allocation of a fit.
    """
    if sp.issparse(X):
        return abs(X).max(axis=0).toarray().ravel().astype(float)
    n_rows, n_features = X.shape
    if X.flags.c_contiguous and n_features:
        return _largest_magnitudes_by_rows(X)
    chunk_rows = max(1, _CHUNK_BYTES // (X.itemsize * max(n_features, 1)))
    buffer = np.empty((min(chunk_rows, n_rows), n_features), dtype=X.dtype)
    largest = np.zeros(n_features, dtype=X.dtype)
    for start in range(0, n_rows, chunk_rows):
        rows = X[start : start + chunk_rows]
        chunk = np.abs(rows, out=buffer[: rows.shape[0]])
        np.maximum(largest, chunk.max(axis=0), out=largest)
    return largest.astype(float)


def _largest_magnitudes_by_rows(X, rows_per_line=64):
    """:func:`_largest_magnitudes` of C-ordered ``X``, ``rows_per_line`` rows per reduced line.

    A chunk of m rows is reduced as (m / r, r k): numpy's maximum over the first
    axis then runs along lines of r k values instead of k (3 × faster at k = 20).
    """
    n_rows, n_features = X.shape
    width = rows_per_line * n_features
    lines = max(1, min(_CHUNK_BYTES // (X.itemsize * width), n_rows // rows_per_line))
    buffer = np.empty(lines * width, dtype=X.dtype)
    largest = np.zeros(n_features, dtype=X.dtype)
    flat = X.reshape(-1)  # a view: X is C-ordered
    whole = (n_rows // rows_per_line) * width
    for start in range(0, whole, lines * width):
        values = flat[start : min(start + lines * width, whole)]
        chunk = np.abs(values, out=buffer[: values.size]).reshape(-1, width)
        np.maximum(
            largest, chunk.max(axis=0).reshape(rows_per_line, n_features).max(axis=0), out=largest
        )
    if whole < flat.size:
        np.maximum(largest, np.abs(X[n_rows - n_rows % rows_per_line :]).max(axis=0), out=largest)
    return largest.astype(float)


class Design:
    """The model matrix ``[1, X]`` (or ``X``) as an operator.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Float64 or float32 data; a sparse matrix is used as CSR. Float32 data
        are not copied: each product reads a chunk of rows at a time into
        float64, so every sum is formed in float64 and the results are those
        of ``X.astype(np.float64)``.
    fit_intercept : bool
        Whether a leading column of ones belongs to the model matrix.
    chunk_rows : int, default=None
        Rows per chunk in the Gram product; by default a chunk of about 1 MiB.
        A chunk of sparse rows holds about ``chunk_rows * n_cols`` entries.
    use_tabmat : bool, default=True
        Whether the Gram product of sparse ``X`` may use tabmat's kernel when
        tabmat is installed (False: scipy's product). A choice of this design
        only, so that designs in other threads are not affected.
    """

    def __init__(self, X, fit_intercept, chunk_rows=None, use_tabmat=True):
        self.sparse = sp.issparse(X)
        self.X = X.tocsr() if self.sparse else X
        # A product of float32 X with a float64 vector casts X to float64
        # first: all of X at once, unless the product is taken by chunks.
        self.upcast = self.X.dtype != np.float64
        # None: not yet converted; False: not used (switched off, or not installed).
        self._tabmat = None if use_tabmat else False
        self.fit_intercept = bool(fit_intercept)
        self.n_rows, self.n_features = X.shape
        self.n_cols = self.n_features + self.fit_intercept
        if chunk_rows is None:
            chunk_rows = max(64, _CHUNK_BYTES // (8 * max(self.n_cols, 1)))
        self.chunk_rows = int(chunk_rows)

    def _split(self, theta):
        if self.fit_intercept:
            return theta[0], theta[1:]
        return 0.0, theta

    def row_chunks(self):
        """Yield ``(start, stop, rows)``: X's rows from ``start`` to ``stop``, chunk by chunk.

        ``rows`` is a view of dense X (``chunk_rows`` rows) or a CSR matrix on
        views of sparse X's arrays (about ``chunk_rows * n_cols`` stored
        entries, at least one row), in X's dtype: a product with a float64
        operand is formed in float64 on a copy of the chunk only.
        """
        if not self.sparse:
            for start in range(0, self.n_rows, self.chunk_rows):
                stop = min(start + self.chunk_rows, self.n_rows)
                yield start, stop, self.X[start:stop]
            return
        X = self.X
        indptr, entries = X.indptr, self.chunk_rows * max(self.n_cols, 1)
        start = 0
        while start < self.n_rows:
            # The last row bound within `entries` stored values of `start`'s.
            stop = int(np.searchsorted(indptr, indptr[start] + entries, side="right")) - 1
            stop = min(max(stop, start + 1), self.n_rows)
            first, last = indptr[start], indptr[stop]
            # On views of X's values and indices: X[start:stop] copies them,
            # which doubled the time of a chunked product.
            arrays = (X.data[first:last], X.indices[first:last], indptr[start : stop + 1] - first)
            yield start, stop, sp.csr_matrix(arrays, shape=(stop - start, self.n_features))
            start = stop

    def matvec(self, theta):
        """Return the linear predictor ``[1, X] θ``, shape (n_rows,)."""
        intercept, coef = self._split(theta)
        if self.upcast:
            eta = np.empty(self.n_rows)
            for start, stop, rows in self.row_chunks():
                eta[start:stop] = rows @ coef
        else:
            eta = np.asarray(self.X @ coef, dtype=float)
        if self.fit_intercept:
            eta += intercept  # a fresh array: no second vector of length n
        return eta

    def rmatvec(self, v):
        """Return ``[1, X]ᵀ v``, shape (n_cols,)."""
        if self.upcast:
            out = np.zeros(self.n_features)
            for start, stop, rows in self.row_chunks():
                out += rows.T @ v[start:stop]
        else:
            out = np.asarray(self.X.T @ v, dtype=float).ravel()
        return np.concatenate(([v.sum()], out)) if self.fit_intercept else out

    def dense_rows(self, start, stop):
        """Return the rows ``x̃_i`` of ``[1, X]`` from ``start`` to ``stop`` as a float64 array."""
        rows = self.X[start:stop]
        offset = int(self.fit_intercept)
        out = np.empty((rows.shape[0], self.n_cols))
        out[:, :offset] = 1.0
        out[:, offset:] = rows.toarray() if self.sparse else rows
        return out

    def abs_products(self, theta, v):
        """Return ``|[1, X]| |θ|`` (n_rows,) and ``|[1, X]|ᵀ |v|`` (n_cols,).

        The magnitudes that bound the rounding error of ``matvec`` and
        ``rmatvec``; the rows are taken a chunk at a time, so no n × k
        temporary is formed.
        """
        intercept, coef = self._split(np.abs(theta))
        v = np.abs(v)
        eta = np.empty(self.n_rows)
        total = np.zeros(self.n_features)
        for start, stop, rows in self.row_chunks():
            magnitude = abs(rows)
            eta[start:stop] = magnitude @ coef
            total += v[start:stop] @ magnitude
        if self.fit_intercept:
            return eta + intercept, np.concatenate(([v.sum()], total))
        return eta, total

    def row_norms(self, directions):
        """Return ``‖x̃_iᵀ B‖`` for every row ``x̃_i`` of ``[1, X]``, shape (n_rows,).

        ``B = directions`` has shape (n_cols, m); the rows are taken a chunk
        at a time, so the n × m product is never formed whole.
        """
        intercept = directions[0] if self.fit_intercept else 0.0
        coef = directions[int(self.fit_intercept) :]
        out = np.empty(self.n_rows)
        for start, stop, rows in self.row_chunks():
            product = np.asarray(rows @ coef) + intercept
            out[start:stop] = np.sqrt(np.sum(product**2, axis=1))
        return out

    def rounding_bound(self, errors, v, directions):
        """Return a bound on ``‖Bᵀ δ‖`` for the rounding error δ of ``[1, X]ᵀ v``.

        Each ``v_i`` carries an error up to ``errors_i``, which moves the
        product along the row ``x̃_i``: ``Σ_i errors_i ‖Bᵀ x̃_i‖``. The sum
        itself rounds entry by entry, by about ``√n ε |[1, X]|ᵀ |v|``, an error
        in no row's direction: ``‖ |B|ᵀ c ‖``. ``B = directions``, (n_cols, m).
        """
        _, magnitudes = self.abs_products(np.zeros(self.n_cols), v)
        summation = np.sqrt(self.n_rows) * np.finfo(float).eps * magnitudes
        along_rows = float(errors @ self.row_norms(directions))
        return along_rows + float(np.linalg.norm(np.abs(directions).T @ summation))

    def gram(self, w, v=None):
        """Return ``[1, X]ᵀ diag(w) [1, X]``, shape (n_cols, n_cols).

        With ``v``, return ``(gram, [1, X]ᵀ v)``: the score comes from the same
        pass over the rows, while each chunk is still in cache.

        Non-negative ``w`` (expected information, empirical Fisher) uses a
        symmetric rank-k update on ``sqrt(w) X``, half the work of a general
        product; ``w`` of either sign (observed information) uses ``gemm``.
        Float32 rows become float64 in the chunk's buffer, as they are weighted.
        """
        if self.sparse:
            out = self._gram_sparse(w)
            return out if v is None else (out, self.rmatvec(v))
        k, offset = self.n_cols, int(self.fit_intercept)
        nonneg = bool(np.all(w >= 0))
        out = np.zeros((k, k))
        xtv = np.zeros(self.n_features) if v is not None else None
        buffer = np.empty((min(self.chunk_rows, self.n_rows), k))
        for start, stop, rows in self.row_chunks():
            # The weights' roots a chunk at a time: no vector of length n.
            root = np.sqrt(w[start:stop]) if nonneg else w[start:stop]
            block = buffer[: stop - start]
            if offset:
                block[:, 0] = root
            np.multiply(rows, root[:, None], out=block[:, offset:])
            if nonneg:
                # block is C-ordered (m, k), so block.T is Fortran-ordered (k, m)
                # and syrk with trans=0 forms block.T @ block in place.
                out = dsyrk(1.0, block.T, beta=1.0, c=out, trans=0, lower=0, overwrite_c=1)
            elif offset:
                # Fill the intercept's row and column both: the symmetrisation
                # below averages them.
                column = block.sum(axis=0)
                out[:, 0] += column
                out[0, 1:] += column[1:]
                out[1:, 1:] += block[:, 1:].T @ rows
            else:
                out += block.T @ rows
            if v is not None:
                xtv += v[start:stop] @ rows
        out = np.triu(out) + np.triu(out, 1).T if nonneg else 0.5 * (out + out.T)
        if v is None:
            return out
        return out, (np.concatenate(([v.sum()], xtv)) if offset else xtv)

    def _gram_sparse(self, w):
        """``[1, X]ᵀ diag(w) [1, X]`` of sparse ``X`` as a dense array.

        With numba installed (``pip install 'skfisher[fast]'``) and at least
        :data:`COMPILED_MIN_NNZ` stored values, the compiled kernel of
        ``_sparse_numba`` forms it from X's own arrays (float32 values read as
        float64), the intercept's row and column included; else
        :meth:`_sandwich` forms ``Xᵀ diag(w) X``.
        """
        if compiled_gram(self.X):
            return _sparse_kernel().sparse_gram(self.X, w, self.fit_intercept)  # exactly symmetric
        inner = self._sandwich(w)
        inner = 0.5 * (inner + inner.T)
        if not self.fit_intercept:
            return inner
        out = np.empty((self.n_cols, self.n_cols))
        out[0] = out[:, 0] = self.rmatvec(w)
        out[1:, 1:] = inner
        return out

    def _sandwich(self, w):
        """``Xᵀ diag(w) X`` of sparse ``X`` as a dense array.

        With tabmat installed (``pip install 'skfisher[sparse]'``) its sparse
        sandwich kernel forms the dense result directly, about twice as fast
        as scipy's sparse-times-sparse product, which builds a sparse matrix
        that is nearly full (benchmarks/bench_fit.py, case sparse-logistic).
        Both sum in float64: tabmat's kernel in the dtype of its matrix, which
        is its own float64 copy of float32 ``X``; scipy's product casts X's
        stored values to float64 for the product.
        """
        if self._tabmat is None:
            self._tabmat = _tabmat_matrix(self.X)
        if self._tabmat is not False:
            return self._tabmat.sandwich(np.ascontiguousarray(w, dtype=np.float64))
        X = self.X
        product = X.T @ X.multiply(w[:, None]).tocsr()
        return product.toarray() if sp.issparse(product) else np.asarray(product)


def compiled_gram(X):
    """Whether the Gram products of ``X`` run in the compiled sparse kernel, on numba's threads."""
    if not (COMPILED and sp.issparse(X) and X.nnz >= COMPILED_MIN_NNZ):
        return False
    return _sparse_kernel() is not None


@cache
def _sparse_kernel():
    try:
        return importlib.import_module("skfisher._linalg._sparse_numba")
    except ImportError:
        return None


def _tabmat_matrix(X):
    try:
        import tabmat
    except ImportError:
        return False
    return tabmat.SparseMatrix(X.tocsc().astype(np.float64, copy=False))
