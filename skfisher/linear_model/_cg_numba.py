"""Compiled products of sparse X with blocks of vectors, for conjugate gradients.

Imported only when numba is installed (``pip install 'skfisher[fast]'``); the
machine code is cached on disk (``cache=True``). :mod:`skfisher.linear_model._cg`
takes scipy's products without it.

scipy multiplies CSR X by a block of m vectors no faster than by each vector
in turn (``block_matvec``'s notes). Here each stored entry of X serves the m
vectors together: :func:`csr_matmat` forms row i of ``X V`` from the rows of
``V`` its non-zeros name, rows in parallel; :func:`csr_rmatmat` adds row i of
``R`` into the rows of ``Xᵀ R`` its non-zeros name, the rows of X split into
parts that the threads take, each part adding into its own (p, m)
accumulator, which the caller sums. Measured on the 10⁵ × 10⁵ X of
``benchmarks/bench_cg.py`` (5 · 10⁶ non-zeros, 2 threads), a product of the
information with 10 vectors takes 80 ms against 200 ms by scipy. The gather
and the scatter stay two loops: fused in one (row i's ``x_iᵀ V`` added back
at once) each row waits on its own loads, and the product took 32 ms a
vector against 20 ms.

The sums' order in :func:`csr_rmatmat`, and so their last digits, depend on
the number of parts (:func:`n_parts`).
"""

import numba
import numpy as np

# The parts' accumulators of one product together stay within this many bytes
# (or are a single one).
_ACCUMULATOR_BYTES = 64 * 2**20


@numba.njit(cache=True, parallel=True)
def csr_matmat(data, indices, indptr, V, out):
    """Write ``X V`` of CSR ``X`` into ``out`` (n, m); ``V`` is (p, m)."""
    n = indptr.shape[0] - 1
    m = V.shape[1]
    for i in numba.prange(n):
        for col in range(m):
            out[i, col] = 0.0
        for entry in range(indptr[i], indptr[i + 1]):
            value, row = data[entry], indices[entry]
            for col in range(m):
                out[i, col] += value * V[row, col]


@numba.njit(cache=True, parallel=True)
def csr_rmatmat(data, indices, indptr, R, out):
    """Add ``Xᵀ R`` of CSR ``X`` (``R`` is (n, m)) into ``out`` (parts, p, m), by parts of rows."""
    n = indptr.shape[0] - 1
    parts, _, m = out.shape
    for part in numba.prange(parts):
        acc = out[part]
        for i in range(part * n // parts, (part + 1) * n // parts):
            for entry in range(indptr[i], indptr[i + 1]):
                value, row = data[entry], indices[entry]
                for col in range(m):
                    acc[row, col] += value * R[i, col]


@numba.njit(cache=True, parallel=True)
def csr_weighted_squares(data, indices, indptr, c, out):
    """Add ``Σ_i c_i x_ij²`` of CSR ``X`` for each column j into ``out`` (parts, p)."""
    n = indptr.shape[0] - 1
    parts = out.shape[0]
    for part in numba.prange(parts):
        acc = out[part]
        for i in range(part * n // parts, (part + 1) * n // parts):
            for entry in range(indptr[i], indptr[i + 1]):
                value = data[entry]
                acc[indices[entry]] += c[i] * value * value


def n_parts(n_rows, size):
    """The number of parts: one per thread, at most one per 1,000 rows.

    ``size`` is the number of values of one accumulator: the parts'
    accumulators together stay within :data:`_ACCUMULATOR_BYTES` (or are a
    single one).
    """
    threads = numba.get_num_threads()
    by_memory = _ACCUMULATOR_BYTES // (8 * max(size, 1))
    return int(max(1, min(threads, n_rows // 1000, by_memory)))


def matmat(X, V):
    """``X V`` of CSR ``X`` for a (p, m) block ``V``, shape (n, m)."""
    out = np.empty((X.shape[0], V.shape[1]))
    csr_matmat(X.data, X.indices, X.indptr, np.ascontiguousarray(V, dtype=float), out)
    return out


def rmatmat(X, R):
    """``Xᵀ R`` of CSR ``X`` for an (n, m) block ``R``, shape (p, m)."""
    parts = n_parts(X.shape[0], X.shape[1] * R.shape[1])
    out = np.zeros((parts, X.shape[1], R.shape[1]))
    csr_rmatmat(X.data, X.indices, X.indptr, np.ascontiguousarray(R, dtype=float), out)
    return out.sum(axis=0)


def weighted_squares(X, c):
    """``Σ_i c_i x_ij²`` of CSR ``X`` for each column j, shape (p,)."""
    out = np.zeros((n_parts(X.shape[0], X.shape[1]), X.shape[1]))
    csr_weighted_squares(X.data, X.indices, X.indptr, np.ascontiguousarray(c, dtype=float), out)
    return out.sum(axis=0)
