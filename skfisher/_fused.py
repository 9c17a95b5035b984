"""One pass over the model matrix per θ for the canonical GLMs without dispersion.

A Fisher-scoring iteration of the binomial GLM with the logit link or the
Poisson GLM with the log link needs, at θ, the linear predictor
``η = [1, X] θ + offset``, the mean ``μ``, the log-likelihood ``Σ w ℓ_i``, the
score ``[1, X]ᵀ w (y − μ)`` and the information ``[1, X]ᵀ diag(w V(μ)) [1, X]``
(φ = 1, and with the canonical link the observed information equals it).
:class:`FusedGLM` forms them all in one read of ``X``: the rows are taken in
blocks that stay in the CPU cache, and each block gives its part of every sum
before the next is read. In the same pass it can add the empirical Fisher
information ``[1, X]ᵀ diag(w v (y − μ)²) [1, X]``, so the last pass at θ̂ gives
both matrices.

Two engines compute the same numbers (to rounding):

``"numba"``
   A compiled kernel (``_fused_numba``, ``pip install 'skfisher[fast]'``),
   compiled on its first call and cached on disk; the threads share its parts.
``"numpy"``
   The same blocks with numpy and BLAS: ``η`` by a matrix-vector product per
   block and the information by a symmetric rank-k update (``dsyrk``) of the
   rows scaled by ``sqrt(w V(μ))``, as :meth:`skfisher._linalg.Design.gram`.

``engine="auto"`` takes numba when it is installed and ``X`` holds at least
10⁷ values. A process pays about half a second to import numba and load the
cached kernel (the first on a machine several seconds to compile it), which
a smaller ``X`` does not win back in a fit. The environment variable
``SKFISHER_FUSED_ENGINE`` (``"numpy"`` or ``"numba"``), read when a
:class:`FusedGLM` is made, overrides that choice: ``SKFISHER_FUSED_ENGINE=numpy``
runs the fallback on a machine that has numba.
"""

import importlib
import os
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import dsyrk
from scipy.special import expit, gammaln

FAMILIES = ("binomial", "poisson")
ENGINE_VARIABLE = "SKFISHER_FUSED_ENGINE"
_ENGINES = ("auto", "numba", "numpy")
# Below this many values of X, "auto" takes numpy: the compiled pass saves
# about 5 ns a value per evaluation (benchmarks/bench_fused.py), so a fit of
# ten evaluations wins back the half second of loading numba from here on.
_NUMBA_MIN_VALUES = 10**7

# Rows per block of the compiled kernel: the block's columns (and their scaled
# copy) stay in the core's cache; measured in benchmarks/bench_fused.py.
_KERNEL_ROWS = 256
# The compiled kernel splits the rows into this many parts (fewer for fewer
# blocks), each summed on its own and the parts added in order: the numbers do
# not depend on the number of threads.
_PARTS = 16
# The numpy engine pays a few calls per block: blocks of about 1 MiB of rows,
# as Design.gram.
_NUMPY_BYTES = 1 << 20


class FusedPass(NamedTuple):
    """What one pass at θ gives.

    ``loglik`` is ``-inf`` where skfisher's GLM problem gives it: a mean outside
    the family's domain (a Poisson ``μ`` of 0 or ``inf``) or a value that is not
    finite. The matrices are symmetric (k, k); the per-row arrays are None when
    the pass was asked for ``rows=False``.
    """

    loglik: float
    score: np.ndarray
    information: np.ndarray
    empirical_fisher: np.ndarray | None
    eta: np.ndarray | None
    mu: np.ndarray | None
    var: np.ndarray | None


class FusedGLM:
    """The binomial-logit or Poisson-log GLM, evaluated in one read of ``X`` per θ.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Dense float64 or float32 features, C- or F-ordered (other layouts are
        copied once). float32 stays float32 in memory; each block is upcast
        to float64 and every sum is in float64.
    y : ndarray of shape (n,)
        The response: 0/1 or proportions (binomial), counts (Poisson).
    weights : ndarray of shape (n,)
        Non-negative row weights ``w`` of the log-likelihood, the score and
        the information: the frequency weights times the variance weights,
        as ``GLMProblem.w``.
    family : {"binomial", "poisson"}
        With its canonical link (logit, log).
    fit_intercept : bool, default=True
        Whether a leading column of ones belongs to the model matrix; θ then
        has ``p + 1`` entries, the intercept first.
    offset : ndarray of shape (n,), default=None
        Added to the linear predictor.
    var_weights : ndarray of shape (n,), default=None
        Variance weights ``v``: the empirical Fisher weighs row i by
        ``w_i v_i (y_i − μ_i)²``, since row i's score is ``v_i`` times that of
        a frequency-weighted row (``GLMProblem.empirical_fisher``).
    engine : {"auto", "numba", "numpy"}, default="auto"
        ``"auto"``: numba for an X of at least 10⁷ values when numba is
        installed, else numpy (see the module's notes); ``"numba"`` raises
        ImportError without numba.
    block_rows : int, default=None
        Rows per block (by default 256 for numba, about 1 MiB for numpy).
    """

    def __init__(
        self,
        X,
        y,
        weights,
        family,
        *,
        fit_intercept=True,
        offset=None,
        var_weights=None,
        engine="auto",
        block_rows=None,
    ):
        self.X = _check_matrix(X)
        n, p = self.X.shape
        self.fit_intercept = bool(fit_intercept)
        self.n_cols = p + self.fit_intercept
        if self.n_cols == 0:
            raise ValueError("The model matrix has no column: X has 0 features and no intercept.")
        if family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}, got {family!r}.")
        self.family = family
        self.y = _check_rows(y, n, "y")
        self.weights = _check_rows(weights, n, "weights", non_negative=True)
        self.offset = None if offset is None else _check_rows(offset, n, "offset")
        self._emp_weights = self.weights
        if var_weights is not None:
            var_weights = _check_rows(var_weights, n, "var_weights", non_negative=True)
            self._emp_weights = self.weights * var_weights
        self.engine = _resolve_engine(engine, self.X.size)
        default = _KERNEL_ROWS if self.engine == "numba" else _NUMPY_BYTES // (8 * self.n_cols)
        self.block_rows = _check_block_rows(max(64, default) if block_rows is None else block_rows)
        self.loglik_constant = _loglik_constant(self.family, self.y, self.weights)

    def evaluate(self, theta, *, empirical=False, rows=True):
        """Return the :class:`FusedPass` at ``theta``.

        Parameters
        ----------
        theta : ndarray of shape (k,)
            ``[intercept, coef...]`` (or ``coef`` without intercept).
        empirical : bool, default=False
            Whether to add the empirical Fisher information in the same pass.
        rows : bool, default=True
            Whether to return ``η``, ``μ`` and ``V(μ)`` per row: three new
            arrays of length n written during the pass, about 5 ms per 10⁶
            rows (mostly the first touch of their memory). The loop needs
            only the sums.
        """
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.n_cols,):
            raise ValueError(f"theta must have shape ({self.n_cols},), got {theta.shape}.")
        theta = np.ascontiguousarray(theta)
        if self.engine == "numba":
            loglik, bad, score, info, emp, per_row = self._numba_pass(theta, empirical, rows)
        else:
            loglik, bad, score, info, emp, per_row = self._numpy_pass(theta, empirical, rows)
        loglik += self.loglik_constant
        if bad or not np.isfinite(loglik):
            loglik = -np.inf
        emp = _symmetric(emp) if empirical else None
        return FusedPass(float(loglik), score, _symmetric(info), emp, *per_row)

    def gram(self, w, v):
        """``([1, X]ᵀ diag(w) [1, X], [1, X]ᵀ v)`` for w ≥ 0 by the pass's blocks (a start)."""
        n, k = self.X.shape[0], self.n_cols
        w, v = _check_rows(w, n, "w", non_negative=True), _check_rows(v, n, "v")
        parts = max(1, min(_PARTS, -(-n // self.block_rows)))
        gram, moment = np.zeros((parts, k, k)), np.zeros((parts, k))
        if self.engine == "numba":
            kernel = importlib.import_module("skfisher._fused_numba").weighted_gram
            by_columns = not self.X.flags.c_contiguous  # then the kernel takes Xᵀ, C-ordered
            X = self.X.T if by_columns else self.X
            _parallel(kernel, X, by_columns, w, v, self.block_rows, (gram, moment))
        else:
            buffer = np.empty((min(self.block_rows, n), k))
            for first in range(0, n, self.block_rows):
                block = slice(first, min(first + self.block_rows, n))
                features = np.asarray(self.X[block], dtype=np.float64)
                gram[0] = self._rank_update(gram[0], features, np.sqrt(w[block]), buffer)
                if self.fit_intercept:
                    moment[0, 0] += v[block].sum()
                moment[0, int(self.fit_intercept) :] += v[block] @ features
        return _symmetric(gram.sum(axis=0)), moment.sum(axis=0)

    def _numba_pass(self, theta, empirical, rows):
        kernel = importlib.import_module("skfisher._fused_numba")
        n, k = self.X.shape[0], self.n_cols
        parts = max(1, min(_PARTS, -(-n // self.block_rows)))
        by_columns = not self.X.flags.c_contiguous
        per_row = tuple(np.empty(n if rows else 1) for _ in range(3))
        out = (
            np.zeros((parts, k, k)),
            np.zeros((parts, k, k) if empirical else (parts, 1, 1)),
            np.zeros((parts, k)),
            np.zeros((parts, 2)),
            *per_row,
        )
        has_offset = self.offset is not None
        _parallel(self._kernel_call, kernel, theta, out, by_columns, has_offset, empirical, rows)
        info, emp, score, totals = (part.sum(axis=0) for part in out[:4])
        return totals[0], totals[1], score, info, emp, per_row if rows else (None,) * 3

    def _kernel_call(self, kernel, theta, out, by_columns, has_offset, empirical, rows):
        kernel.fused_pass(
            self.X.T if by_columns else self.X,
            by_columns,
            theta,
            self.offset if has_offset else np.zeros(1),
            self.y,
            self.weights,
            self._emp_weights,
            self.family == "poisson",
            (has_offset, bool(empirical), bool(rows)),
            self.block_rows,
            out,
        )

    def _numpy_pass(self, theta, empirical, rows):
        n, k = self.X.shape[0], self.n_cols
        info = np.zeros((k, k))
        emp = np.zeros((k, k)) if empirical else None
        score, loglik, bad = np.zeros(k), 0.0, 0
        per_row = tuple(np.empty(n) for _ in range(3)) if rows else (None,) * 3
        buffer = np.empty((min(self.block_rows, n), k))
        # A mean of inf (Poisson η > 709) makes ℓ = −inf, as GLMProblem says, silently.
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n, self.block_rows):
                block = slice(start, min(start + self.block_rows, n))
                features = np.asarray(self.X[block], dtype=np.float64)
                eta = self._block_eta(features, theta, block)
                mu, var, term, outside = _mean_state(self.family, eta, self.y[block])
                w, residual = self.weights[block], self.y[block] - mu
                loglik += float(w @ term)
                bad += outside
                if rows:
                    for array, values in zip(per_row, (eta, mu, var), strict=True):
                        array[block] = values
                wr = w * residual
                if self.fit_intercept:
                    score[0] += wr.sum()
                score[int(self.fit_intercept) :] += wr @ features
                info = self._rank_update(info, features, np.sqrt(w * var), buffer)
                if empirical:
                    root = np.sqrt(self._emp_weights[block]) * np.abs(residual)
                    emp = self._rank_update(emp, features, root, buffer)
        return loglik, bad, score, info, emp, per_row

    def _block_eta(self, features, theta, block):
        # As Design.matvec: X coef, then the intercept, then the offset.
        start = int(self.fit_intercept)
        eta = features @ theta[start:]
        if self.fit_intercept:
            eta += theta[0]
        if self.offset is not None:
            eta += self.offset[block]
        return eta

    def _rank_update(self, out, features, root, buffer):
        """Add ``[1, X]ᵀ diag(root²) [1, X]`` of a block to the upper triangle of ``out``."""
        scaled = buffer[: features.shape[0]]
        start = int(self.fit_intercept)
        if start:
            scaled[:, 0] = root
        np.multiply(features, root[:, None], out=scaled[:, start:])
        # scaled is C-ordered (m, k), so scaled.T is F-ordered (k, m) and syrk
        # with trans=0 forms scaled.T @ scaled in place.
        return dsyrk(1.0, scaled.T, beta=1.0, c=out, trans=0, lower=0, overwrite_c=1)


def _mean_state(family, eta, y):
    """Return ``μ``, ``V(μ)``, ``ℓ_i`` without its constant, and the rows outside the domain."""
    if family == "poisson":
        mu = np.exp(eta)
        term = y * eta - mu
        return mu, mu, term, int(np.count_nonzero(~((mu > 0) & (mu < np.inf))))
    # log(1 + e^η) = max(η, 0) + log1p(e^−|η|): finite for every η.
    softplus = np.log1p(np.exp(-np.abs(eta))) + np.maximum(eta, 0.0)
    mu = expit(eta)
    return mu, mu * expit(-eta), y * eta - softplus, int(np.count_nonzero(np.isnan(mu)))


def _parallel(function, *args):
    # Threads take the parts one at a time: one slowed by another process does fewer.
    numba = importlib.import_module("numba")
    chunksize = numba.set_parallel_chunksize(1)
    try:
        function(*args)
    finally:
        numba.set_parallel_chunksize(chunksize)


def _symmetric(upper):
    return np.triu(upper) + np.triu(upper, 1).T


def _loglik_constant(family, y, weights):
    """The part of ``Σ w ℓ_i`` that does not depend on θ, as skfisher's families form it.

    Poisson: ``−Σ w log y!``, from a table of ``log k!`` for whole counts up
    to 10⁶ and ``gammaln`` otherwise (``families/poisson.py``). Binomial:
    ``Σ log C(m, m y)`` over the rows with a proportion ``0 < y < 1``, ``m``
    the weight (``families/binomial.py``); 0 for 0/1 responses.
    """
    if family == "poisson":
        top = float(y.max(initial=0.0))
        if top <= 1e6 and np.array_equal(y, np.floor(y)):
            table = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1.0, top + 1.0)))))
            return -float(weights @ table[y.astype(np.intp)])
        return -float(weights @ gammaln(y + 1.0))
    fractional = (y > 0) & (y < 1)
    if not fractional.any():
        return 0.0
    m = weights[fractional]
    successes = m * y[fractional]
    return float(np.sum(gammaln(m + 1) - gammaln(successes + 1) - gammaln(m - successes + 1)))


def fused_by_default(size):
    """Whether a GLM whose X holds ``size`` values takes the fused pass.

    Where the compiled kernel runs (:func:`compiled_by_default`), or where
    :data:`ENGINE_VARIABLE` names an engine. The numpy engine is no faster than
    the separate products (benchmarks/bench_fused.py), so "auto" keeps those
    below the threshold.
    """
    return os.environ.get(ENGINE_VARIABLE, "auto") != "auto" or compiled_by_default(size)


def compiled_by_default(size):
    """Whether ``engine="auto"`` runs the compiled kernel (numba's threads) for ``size`` values."""
    return _resolve_engine("auto", size) == "numba"


def _resolve_engine(engine, size):
    if engine not in _ENGINES:
        raise ValueError(f"engine must be one of {_ENGINES}, got {engine!r}.")
    if engine == "auto":
        chosen = os.environ.get(ENGINE_VARIABLE, "auto")
        if chosen not in _ENGINES:
            raise ValueError(f"{ENGINE_VARIABLE} must be one of {_ENGINES}, got {chosen!r}.")
        if chosen != "auto":
            return _resolve_engine(chosen, size)
        return "numba" if size >= _NUMBA_MIN_VALUES and _numba_imports() else "numpy"
    if engine == "numba" and not _numba_imports():
        raise ImportError(
            "The numba engine requires numba, which is not installed (or does not import "
            "with this numpy). Install it with: pip install 'skfisher[fast]'"
        )
    return engine


def _numba_imports():
    # An import, not a look-up: a numba built for another numpy raises ImportError.
    try:
        return importlib.import_module("numba") is not None
    except ImportError:
        return False


def _check_matrix(X):
    if sp.issparse(X):
        raise ValueError("X must be a dense array; a sparse X goes through Design.gram.")
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-dimensional, got {X.ndim} dimensions.")
    if X.dtype not in (np.float32, np.float64):
        raise ValueError(f"X must be float32 or float64, got {X.dtype}.")
    if X.flags.c_contiguous or X.flags.f_contiguous:
        return X
    return np.ascontiguousarray(X)


def _check_rows(values, n, name, non_negative=False):
    values = np.ascontiguousarray(values, dtype=np.float64)
    if values.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) as X's rows, got {values.shape}.")
    if non_negative and not np.all(values >= 0):
        raise ValueError(f"{name} must be non-negative.")
    return values


def _check_block_rows(block_rows):
    whole = not isinstance(block_rows, bool) and isinstance(block_rows, (int, np.integer))
    if not whole or block_rows < 1:
        raise ValueError(f"block_rows must be a positive integer, got {block_rows!r}.")
    return int(block_rows)
