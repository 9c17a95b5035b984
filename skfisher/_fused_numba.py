"""The compiled kernel of :mod:`skfisher._fused`: one pass over ``X`` per θ.

Imported only when numba is installed (``pip install 'skfisher[fast]'``) and
the compiled path is chosen; every function is compiled on its first call and
the machine code is cached on disk (``cache=True``), so only a machine's first
fit pays the compilation (see ``benchmarks/bench_fused.py``).

The rows are taken in blocks small enough for the core's cache. A block is
copied, transposed when ``X`` is C-ordered and upcast to float64, into
``cols`` (k, block): each column of ``[1, X]`` restricted to the block is then
a contiguous vector, so every sum over the block's rows runs along a
contiguous vector, which LLVM vectorises. The rows are split into one part per
thread, each part with its own accumulators, summed by the caller.
"""

import math

import numba
import numpy as np

# Reassociation lets LLVM split a sum over the rows of a block into vector
# lanes (and contract forms FMAs); neither assumes finite values, so inf and
# nan still propagate as in numpy.
_SUMS = {"reassoc", "contract", "nsz"}

# A C-ordered block is transposed row by row below this many columns, column by
# column from it: with many columns, a row's values land in as many cache lines
# of ``cols`` at once (measured: 2.4x faster at 200 columns, 1.4x slower at 20).
_WIDE = 48


@numba.njit(cache=True, parallel=True)
def fused_pass(X, by_columns, intercept, theta, offset, y, w, w_emp, poisson, flags, block, out):
    """Accumulate the pass at ``θ`` into ``out``, one part per thread.

    ``X`` is (n, p) when ``by_columns`` is False, else ``Xᵀ`` (p, n), both
    C-ordered. ``flags`` holds (has offset, empirical Fisher, per-row outputs).
    ``out`` is ``(info, emp, score, totals, eta, mu, var)``: per part the
    information (parts, k, k), the empirical Fisher (the same, or (parts, 1, 1)
    when not asked), the score (parts, k) and ``(Σ w ℓ_i, rows outside the
    mean's domain)`` (parts, 2); the per-row arrays have n entries, or one
    when ``flags[2]`` is False.
    """
    info, emp, score, totals, eta_out, mu_out, var_out = out
    n = X.shape[1] if by_columns else X.shape[0]
    k = theta.shape[0]
    parts = info.shape[0]
    for part in numba.prange(parts):
        start, stop = part * n // parts, (part + 1) * n // parts
        cols = np.empty((k, block))
        scaled = np.empty((k, block))
        state = np.empty((6, block))  # η, μ, V(μ), w V(μ), w (y − μ), w_emp (y − μ)²
        for first in range(start, stop, block):
            m = min(block, stop - first)
            _load(X, by_columns, intercept, first, m, cols)
            _linear_predictor(cols, theta, offset, flags[0], first, m, state[0])
            ll, bad = _family_state(y, w, w_emp, poisson, first, m, state)
            totals[part, 0] += ll
            totals[part, 1] += bad
            if flags[2]:
                eta_out[first : first + m] = state[0, :m]
                mu_out[first : first + m] = state[1, :m]
                var_out[first : first + m] = state[2, :m]
            _scale(cols, state[3], m, scaled)
            _triangle(scaled, cols, m, info[part])
            _row_sums(state[4], cols, m, score[part])
            if flags[1]:
                _scale(cols, state[5], m, scaled)
                _triangle(scaled, cols, m, emp[part])


@numba.njit(cache=True)
def _load(X, by_columns, intercept, first, m, cols):
    """Copy rows ``first … first + m`` of ``[1, X]`` into ``cols[:, :m]`` as float64 columns."""
    offset = 1 if intercept else 0
    if intercept:
        cols[0, :m] = 1.0
    if by_columns:
        for j in range(X.shape[0]):
            for i in range(m):
                cols[j + offset, i] = X[j, first + i]
    elif X.shape[1] < _WIDE:
        for i in range(m):
            for j in range(X.shape[1]):
                cols[j + offset, i] = X[first + i, j]
    else:
        for j in range(X.shape[1]):
            for i in range(m):
                cols[j + offset, i] = X[first + i, j]


@numba.njit(cache=True)
def _linear_predictor(cols, theta, offset, has_offset, first, m, eta):
    """``η = [1, X] θ (+ offset)`` for the block, one column at a time."""
    if has_offset:
        eta[:m] = offset[first : first + m]
    else:
        eta[:m] = 0.0
    for j in range(theta.shape[0]):
        t = theta[j]
        for i in range(m):
            eta[i] += t * cols[j, i]


@numba.njit(cache=True)
def _family_state(y, w, w_emp, poisson, first, m, state):
    """Fill μ, V(μ) and the two residual weights; return ``Σ w ℓ_i`` and the rows outside.

    ``ℓ_i`` leaves out the constant ``log y!`` (Poisson) and the binomial
    coefficient of proportions, added once by the caller. The logistic's
    ``log(1 + e^η) = max(η, 0) + log1p(e^−|η|)`` is finite for every η; its
    ``log1p`` is formed from ``log`` (``log u − ((u − 1) − e)/u`` for
    ``u = 1 + e``, accurate to an ulp), which compiles to a faster call.
    """
    loglik = 0.0
    bad = 0
    for i in range(m):
        row = first + i
        eta = state[0, i]
        if poisson:
            mu = math.exp(eta)
            var = mu
            term = y[row] * eta - mu
            inside = mu > 0.0 and mu < math.inf
        else:
            e = math.exp(-abs(eta))
            u = 1.0 + e
            log1p = math.log(u) - ((u - 1.0) - e) / u
            mu, complement = (1.0 / u, e / u) if eta >= 0.0 else (e / u, 1.0 / u)
            var = mu * complement
            term = y[row] * eta - (max(eta, 0.0) + log1p)
            inside = mu >= 0.0 and mu <= 1.0
        if not inside:
            bad += 1
        residual = y[row] - mu
        loglik += w[row] * term
        state[1, i] = mu
        state[2, i] = var
        state[3, i] = w[row] * var
        state[4, i] = w[row] * residual
        state[5, i] = w_emp[row] * residual * residual
    return loglik, bad


@numba.njit(cache=True)
def _scale(cols, weights, m, scaled):
    for j in range(cols.shape[0]):
        for i in range(m):
            scaled[j, i] = cols[j, i] * weights[i]


@numba.njit(cache=True, fastmath=_SUMS)
def _row_sums(v, cols, m, out):
    """``out[b] += Σ_i v_i cols[b, i]``, four columns per sweep of ``v``."""
    k = cols.shape[0]
    b = 0
    while b + 4 <= k:
        s0 = s1 = s2 = s3 = 0.0
        for i in range(m):
            vi = v[i]
            s0 += vi * cols[b, i]
            s1 += vi * cols[b + 1, i]
            s2 += vi * cols[b + 2, i]
            s3 += vi * cols[b + 3, i]
        out[b] += s0
        out[b + 1] += s1
        out[b + 2] += s2
        out[b + 3] += s3
        b += 4
    for c in range(b, k):
        s = 0.0
        for i in range(m):
            s += v[i] * cols[c, i]
        out[c] += s


@numba.njit(cache=True, fastmath=_SUMS)
def _triangle(scaled, cols, m, acc):
    """``acc[a, b] += Σ_i scaled[a, i] cols[b, i]`` for ``b ≥ a``.

    Four rows of ``scaled`` against four of ``cols`` per sweep of the block:
    sixteen sums from eight loads. A tile on the diagonal also fills the six
    entries below it, which the caller ignores.
    """
    k = cols.shape[0]
    a = 0
    while a + 4 <= k:
        b = a
        while b + 4 <= k:
            _tile(scaled, cols, m, a, b, acc)
            b += 4
        for r in range(a, a + 4):
            _row_sums(scaled[r], cols[b:], m, acc[r, b:])
        a += 4
    for r in range(a, k):
        _row_sums(scaled[r], cols[r:], m, acc[r, r:])


@numba.njit(cache=True, fastmath=_SUMS)
def _tile(scaled, cols, m, a, b, acc):
    """``acc[a : a + 4, b : b + 4] += scaled[a : a + 4, :m] cols[b : b + 4, :m]ᵀ``."""
    s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = 0.0
    s20 = s21 = s22 = s23 = s30 = s31 = s32 = s33 = 0.0
    for i in range(m):
        x0, x1, x2, x3 = scaled[a, i], scaled[a + 1, i], scaled[a + 2, i], scaled[a + 3, i]
        c0, c1, c2, c3 = cols[b, i], cols[b + 1, i], cols[b + 2, i], cols[b + 3, i]
        s00 += x0 * c0
        s01 += x0 * c1
        s02 += x0 * c2
        s03 += x0 * c3
        s10 += x1 * c0
        s11 += x1 * c1
        s12 += x1 * c2
        s13 += x1 * c3
        s20 += x2 * c0
        s21 += x2 * c1
        s22 += x2 * c2
        s23 += x2 * c3
        s30 += x3 * c0
        s31 += x3 * c1
        s32 += x3 * c2
        s33 += x3 * c3
    _add4(acc[a], b, s00, s01, s02, s03)
    _add4(acc[a + 1], b, s10, s11, s12, s13)
    _add4(acc[a + 2], b, s20, s21, s22, s23)
    _add4(acc[a + 3], b, s30, s31, s32, s33)


@numba.njit(cache=True)
def _add4(row, b, s0, s1, s2, s3):
    row[b] += s0
    row[b + 1] += s1
    row[b + 2] += s2
    row[b + 3] += s3
