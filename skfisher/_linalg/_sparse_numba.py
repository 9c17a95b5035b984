"""The compiled weighted Gram product of a sparse X, ``Xᵀ diag(w) X`` as a dense array.

Imported only when numba is installed (``pip install 'skfisher[fast]'``); the
machine code is cached on disk (``cache=True``). Row i adds ``w_i x_i x_iᵀ``
for its stored entries only (``nnz_i (nnz_i + 1) / 2`` products into the
upper triangle), the rows split into parts that the threads take, each part
adding into its own (p, p) accumulator, which :func:`sparse_gram` sums. For
the 2·10⁵ × 2,000 X of 1% density of ``benchmarks/bench_fit.py`` the product
takes 0.22 s on 2 threads against tabmat's 0.28 s (and scipy's
sparse-times-sparse 0.9 s): the time is in the scattered additions to the
32 MB result. The sums' order, and so their last digits, depend on the
number of parts.
"""

import numba
import numpy as np

# The parts' accumulators together stay within this many bytes (or are a
# single one).
_ACCUMULATOR_BYTES = 256 * 2**20


@numba.njit(cache=True, parallel=True)
def _csr_gram(data, indices, indptr, w, first, out):
    """Add the upper triangle of ``[1, X]ᵀ diag(w) [1, X]`` of CSR X into ``out`` (parts, k, k).

    ``first`` is 1 with the intercept's column first, else 0.
    """
    n = indptr.shape[0] - 1
    parts = out.shape[0]
    for part in numba.prange(parts):
        acc = out[part]
        for i in range(part * n // parts, (part + 1) * n // parts):
            stop = indptr[i + 1]
            if first:
                acc[0, 0] += w[i]
            for entry in range(indptr[i], stop):
                column = indices[entry] + first
                weighted = w[i] * data[entry]
                if first:
                    acc[0, column] += weighted
                for second in range(entry, stop):
                    other = indices[second] + first
                    # Indices need not be sorted within a row.
                    if column <= other:
                        acc[column, other] += weighted * data[second]
                    else:
                        acc[other, column] += weighted * data[second]


@numba.njit(cache=True, parallel=True)
def _mirror(upper):
    """Copy the strict upper triangle of the square ``upper`` into its lower one."""
    p = upper.shape[0]
    for row in numba.prange(p):
        for column in range(row):
            upper[row, column] = upper[column, row]


def sparse_gram(X, w, intercept):
    """Return ``[1, X]ᵀ diag(w) [1, X]`` of CSR ``X`` (without the 1 unless ``intercept``).

    Weights of any sign; shape (k, k), k the columns of X plus the intercept's.
    """
    n, k = X.shape[0], X.shape[1] + int(intercept)
    parts = int(max(1, min(numba.get_num_threads(), n // 1000, _ACCUMULATOR_BYTES // (8 * k * k))))
    out = np.zeros((parts, k, k))
    w = np.ascontiguousarray(w, dtype=float)
    _csr_gram(X.data, X.indices, X.indptr, w, int(intercept), out)
    gram = out[0]
    for part in out[1:]:
        gram += part
    _mirror(gram)
    return gram
