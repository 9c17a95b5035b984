"""The compiled kernel of :mod:`skfisher._fused`: one pass over ``X`` per θ.

Imported only when numba is installed (``pip install 'skfisher[fast]'``) and
the compiled path is chosen; every function is compiled on its first call and
the machine code is cached on disk (``cache=True``), so only a machine's first
fit pays the compilation (see ``benchmarks/bench_fused.py``).

The rows are taken in blocks small enough for the core's cache. A block is
copied, transposed when ``X`` is C-ordered and upcast to float64, into
``cols`` (k, block): each column of ``[1, X]`` restricted to the block is then
a contiguous vector, so every sum over the block's rows runs along a
contiguous vector, which LLVM vectorises. The rows are split into parts, as
many as the caller's accumulators, that the threads take in turn; the caller
adds the parts' sums.
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
# of ``cols`` at once (measured: 2x faster at 200 columns, 1.7x slower at 20).
_WIDE = 48


@numba.njit(cache=True, parallel=True)
def fused_pass(X, by_columns, theta, offset, y, w, w_emp, poisson, flags, block, out):
    """Accumulate the pass at ``θ`` into ``out``, one part of the rows per accumulator.

    ``X`` is (n, p) when ``by_columns`` is False, else ``Xᵀ`` (p, n), both
    C-ordered; θ has p + 1 entries when the model has an intercept. ``flags``
    holds (has offset, empirical Fisher, per-row outputs).
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
        # η, μ, V(μ), w V(μ), w (y − μ), w_emp (y − μ)², two rows for exp and
        # log, and w ℓ_i.
        state = np.empty((9, block))
        for first in range(start, stop, block):
            m = min(block, stop - first)
            _load(X, by_columns, theta, offset, flags[0], first, m, cols, state[0])
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


@numba.njit(cache=True, parallel=True)
def weighted_gram(X, by_columns, w, v, block, out):
    """Accumulate ``[1, X]ᵀ diag(w) [1, X]`` and ``[1, X]ᵀ v`` into ``out``, by parts.

    The products of :func:`fused_pass` for weights given per row (a weighted
    least-squares step); ``X`` and the parts as there, ``out`` is
    ``(gram, moment)`` of shapes (parts, k, k) and (parts, k), k the columns of
    the model matrix: one more than X's with an intercept.
    """
    gram, moment = out
    n = X.shape[1] if by_columns else X.shape[0]
    k = gram.shape[1]
    theta = np.zeros(k)  # η is formed and ignored: the loads are those of the pass
    parts = gram.shape[0]
    for part in numba.prange(parts):
        start, stop = part * n // parts, (part + 1) * n // parts
        cols = np.empty((k, block))
        scaled = np.empty((k, block))
        eta = np.empty(block)
        for first in range(start, stop, block):
            m = min(block, stop - first)
            _load(X, by_columns, theta, theta, False, first, m, cols, eta)
            _scale(cols, w[first : first + m], m, scaled)
            _triangle(scaled, cols, m, gram[part])
            _row_sums(v[first : first + m], cols, m, moment[part])


@numba.njit(cache=True)
def _load(X, by_columns, theta, offset, has_offset, first, m, cols, eta):
    """Copy rows ``first … first + m`` of ``[1, X]`` into ``cols[:, :m]``; form their η.

    θ has one entry more than X has columns when the model has an intercept.
    """
    start = theta.shape[0] - (X.shape[0] if by_columns else X.shape[1])
    intercept = theta[0] if start else 0.0
    for i in range(m):  # loops, not slices: a slice's arithmetic allocates
        eta[i] = offset[first + i] + intercept if has_offset else intercept
        if start:  # the intercept's column of ones
            cols[0, i] = 1.0
    if by_columns:
        _copy_columns(X.T, first, m, start, theta, cols, eta)
    elif X.shape[1] < _WIDE:
        _copy_rows(X, first, m, start, cols)
        _eta_by_columns(theta, cols, start, m, eta)
    else:
        _copy_columns(X, first, m, start, theta, cols, eta)


@numba.njit(cache=True)
def _copy_rows(X, first, m, start, cols):
    for i in range(m):
        for j in range(X.shape[1]):
            cols[j + start, i] = X[first + i, j]


@numba.njit(cache=True)
def _copy_columns(X, first, m, start, theta, cols, eta):
    """Copy ``X[first : first + m]`` one column at a time, adding its share of η.

    ``X`` here is (n, p) of either layout: each value is read once and used
    for η while it is in a register.
    """
    for j in range(X.shape[1]):
        column = cols[j + start]
        for i in range(m):
            column[i] = X[first + i, j]
        _axpy(theta[j + start], column, m, eta)


@numba.njit(cache=True)
def _eta_by_columns(theta, cols, start, m, eta):
    """``eta += Σ_j θ_j cols[j]`` for ``j ≥ start``, four columns per sweep of ``eta``.

    By columns, in vector lanes: a row's own sum would be one chain of
    dependent adds.
    """
    k = theta.shape[0]
    j = start
    while j + 4 <= k:
        t0, t1, t2, t3 = theta[j], theta[j + 1], theta[j + 2], theta[j + 3]
        for i in range(m):
            eta[i] += (
                t0 * cols[j, i] + t1 * cols[j + 1, i] + t2 * cols[j + 2, i] + t3 * cols[j + 3, i]
            )
        j += 4
    for c in range(j, k):
        _axpy(theta[c], cols[c], m, eta)


@numba.njit(cache=True)
def _axpy(t, column, m, out):
    for i in range(m):
        out[i] += t * column[i]


@numba.njit(cache=True)
def _family_state(y, w, w_emp, poisson, first, m, state):
    """Fill μ, V(μ) and the residual weights; return ``Σ w ℓ_i`` and the rows outside.

    ``ℓ_i`` leaves out the constant ``log y!`` (Poisson) and the binomial
    coefficient of proportions, added once by the caller. The calls to
    ``exp`` and ``log`` come first, in a loop of their own: the arithmetic
    after them then runs in vector lanes.
    """
    if poisson:
        for i in range(m):
            state[6, i] = math.exp(state[0, i])
        bad = _poisson_rows(y, w, w_emp, first, m, state)
    else:
        for i in range(m):
            e = math.exp(-abs(state[0, i]))
            state[6, i] = e
            state[7, i] = math.log(1.0 + e)
        bad = _logistic_rows(y, w, w_emp, first, m, state)
    return _sum(state[8], m), bad


@numba.njit(cache=True)
def _poisson_rows(y, w, w_emp, first, m, state):
    bad = 0
    for i in range(m):
        row, eta, mu = first + i, state[0, i], state[6, i]
        bad += 0 if mu > 0.0 and mu < math.inf else 1
        _store(y[row], w[row], w_emp[row], mu, mu, y[row] * eta - mu, i, state)
    return bad


@numba.njit(cache=True)
def _logistic_rows(y, w, w_emp, first, m, state):
    """The logistic's rows from ``e = exp(−|η|)`` and ``log(1 + e)``.

    ``log(1 + e^η) = max(η, 0) + log1p(e)`` is finite for every η, with
    ``log1p(e) = log u − ((u − 1) − e)/u`` for ``u = 1 + e`` (accurate to an
    ulp). μ and 1 − μ are ``1/u`` and ``e/u`` in the order of η's sign; V is
    their product either way.
    """
    bad = 0
    for i in range(m):
        row, eta, e = first + i, state[0, i], state[6, i]
        u = 1.0 + e
        inverse = 1.0 / u
        ratio = e * inverse
        mu = inverse if eta >= 0.0 else ratio
        softplus = max(eta, 0.0) + (state[7, i] - ((u - 1.0) - e) * inverse)
        bad += 0 if mu >= 0.0 and mu <= 1.0 else 1
        _store(y[row], w[row], w_emp[row], mu, inverse * ratio, y[row] * eta - softplus, i, state)
    return bad


@numba.njit(cache=True)
def _store(y, w, w_emp, mu, var, term, i, state):
    residual = y - mu
    state[1, i] = mu
    state[2, i] = var
    state[3, i] = w * var
    state[4, i] = w * residual
    state[5, i] = w_emp * residual * residual
    state[8, i] = w * term


@numba.njit(cache=True, fastmath=_SUMS)
def _sum(values, m):
    total = 0.0
    for i in range(m):
        total += values[i]
    return total


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
