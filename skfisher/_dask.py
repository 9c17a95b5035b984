"""Fits on dask arrays: the same loop, one reduction of (ℓ, U, I) per iteration.

A GLM log-likelihood is a sum over rows, so it is a sum over row blocks. Each
block of a dask array becomes an ordinary in-memory :class:`ScoringProblem`
(built and kept on the worker that holds the block, never gathered), and
:class:`BlockSumProblem` adds their log-likelihoods, scores and information
matrices. Every objective evaluation also returns the block's score and
information, so an iteration whose first step is accepted costs one
``dask.compute`` that moves only ``1 + k + k²`` numbers per block.

A dask DataFrame or Series is converted to a dask array (its numeric columns
to float64) and a dask array with unknown chunk sizes gets them computed, both
in one pass over the data, so that the blocks of ``X`` and of the per-row
vectors can be aligned row by row.

dask is optional: this module imports it only when a dask collection is fitted.
"""

import math

import numpy as np

from ._optional import _import_optional
from ._scoring import ScoringProblem


def is_dask_collection(value):
    """Return whether ``value`` is a dask collection, without importing dask."""
    return type(value).__module__.split(".")[0] == "dask" and hasattr(value, "__dask_graph__")


def _dask(caller):
    return _import_optional("dask", caller, "dask")


def _evaluate(block, method, theta, phi, *args):
    """Run one method of one block's problem (inside a dask task)."""
    if phi is not None:
        block.phi = phi
    if method in ("objective_score_information", "objective_score_information_pearson"):
        value = block.objective(theta)
        if not np.isfinite(value):
            return value, None, None, None
        score, information = block.score_information(theta)
        pearson = block.pearson_chi2(theta) if method.endswith("pearson") else None
        return value, score, information, pearson
    return getattr(block, method)(theta, *args)


class BlockSumProblem(ScoringProblem):
    """A log-likelihood that is the sum of per-block problems held by dask.

    Parameters
    ----------
    blocks : list of dask.delayed.Delayed
        Persisted per-block problems, each without penalty.
    penalty : ndarray of shape (k,)
        The diagonal of the L2 penalty of the whole sample (added once).
    phi : float, default=1.0
        The dispersion at which the matrices are reported.
    n_rows : int, optional
        The number of rows over all blocks.
    weight_scale : float, default=1.0
        ``max(1, n₊ / Σw)`` over all blocks (n₊ the rows of positive weight):
        the loop's stop is measured for weights that average at least 1, as
        in memory.
    has_dispersion : bool, default=False
        Whether the family has a dispersion, estimated by Pearson's statistic.
    """

    def __init__(
        self, blocks, penalty, phi=1.0, n_rows=None, weight_scale=1.0, has_dispersion=False
    ):
        self.blocks = blocks
        self.n_rows = n_rows
        self.penalty = penalty
        self.phi = phi
        self.loglik_phi = phi
        self.weight_scale = weight_scale
        self.has_dispersion = has_dispersion
        # The loop runs at a fixed φ₀ for the families with a dispersion, so
        # that its steps and objective are those of one likelihood; its stop is
        # put on the scale of the φ̂ of the current θ (decrement_scale).
        self.loop_phi = 1.0
        self._cached = (None, None, None, None)

    def _key(self, theta):
        # The loop's score and information depend on θ and on the loop's φ.
        return theta.tobytes(), self.loop_phi

    def _sum(self, method, theta, phi=None, *args):
        dask = _dask("fitting a dask array")
        tasks = [dask.delayed(_evaluate)(b, method, theta, phi, *args) for b in self.blocks]
        return dask.compute(*tasks)

    def objective(self, theta):
        # Pearson's statistic rides along in the same tasks: the loop's stop
        # needs it at every θ whose score it measures, at no extra compute.
        method = "objective_score_information" + ("_pearson" if self.has_dispersion else "")
        parts = self._sum(method, theta, 1.0)
        value = float(sum(p[0] for p in parts))
        if not np.isfinite(value):
            return -np.inf
        # At φ = 1 the blocks' ℓ, U and I are those at φ₀ times φ₀ (up to a
        # constant in ℓ), as the penalty is; divide all by φ₀.
        scale = 1.0 / self.loop_phi
        score = scale * (sum(p[1] for p in parts) - self.penalty * theta)
        information = scale * (sum(p[2] for p in parts) + np.diag(self.penalty))
        pearson = None
        if self.has_dispersion:
            pearson = (sum(p[3][0] for p in parts), sum(p[3][1] for p in parts))
        self._cached = (self._key(theta), score, information, pearson)
        return scale * (value - 0.5 * float(self.penalty @ np.square(theta)))

    def score_information(self, theta):
        if self._cached[0] != self._key(theta):
            self.objective(theta)
        return self._cached[1].copy(), self._cached[2].copy()

    def decrement_scale(self, theta):
        """Return the factor that puts the loop's decrement on the reported scale.

        ``weight_scale`` for the families without a dispersion; with one, also
        ``φ₀ / φ̂(θ)`` with φ̂(θ) Pearson's ``χ² / (Σw − k)`` at θ: the score and
        the information both carry 1/φ, so this is the decrement at the
        dispersion the fit would report at θ (as ``DispersionGLMProblem``).
        """
        if not self.has_dispersion:
            return self.weight_scale
        if self._cached[0] != self._key(theta):
            self.objective(theta)
        chi2, total = self._cached[3]
        df = total - len(self.penalty)
        if not (df > 0 and np.isfinite(chi2)):
            return 1.0  # no φ̂ to report: the fit warns and reports nan matrices
        if chi2 <= 0.0:
            return np.inf  # an exact fit: any remaining score is infinitely many SEs
        return self.weight_scale * self.loop_phi * df / chi2

    def score_rounding(self, theta, directions):
        """Return a bound on ``‖Bᵀ δU‖`` for the rounding error δU of the loop's score.

        The sum of the blocks' bounds (each at φ = 1, as their scores), at φ₀
        as the loop's score; asked for only when the loop stalls.
        """
        return float(sum(self._sum("score_rounding", theta, 1.0, directions))) / self.loop_phi

    def loglik(self, theta):
        return float(sum(self._sum("loglik", theta, self.loglik_phi)))

    def score(self, theta):
        return sum(self._sum("score", theta, self.phi)) - self.penalty * theta / self.phi

    def information(self, theta):
        return sum(self._sum("information", theta, self.phi)) + np.diag(self.penalty) / self.phi

    def observed_information(self, theta):
        matrix = sum(self._sum("observed_information", theta, self.phi))
        return matrix + np.diag(self.penalty) / self.phi

    def empirical_fisher(self, theta):
        return sum(self._sum("empirical_fisher", theta, self.phi))

    def set_dispersion(self, phi, loglik_phi):
        """Set the φ̂ of the matrices and the φ at which ``loglik`` is evaluated."""
        self.phi = float(phi)
        self.loglik_phi = float(loglik_phi)

    def deviance(self, theta):
        """Return the deviance over all blocks."""
        return float(sum(self._sum("deviance", theta)))

    def pearson_chi2(self, theta):
        """Return ``(Σ w (y − μ)² / V(μ), Σ w)`` over all blocks."""
        parts = self._sum("pearson_chi2", theta)
        return sum(p[0] for p in parts), sum(p[1] for p in parts)

    def boundary_margin(self, theta):
        """Return the smallest ``min(μ, 1 − μ)`` over rows of positive weight of all blocks."""
        return min(self._sum("boundary_margin", theta))


def _is_dask_frame(value):
    """Return whether ``value`` is a dask DataFrame or Series."""
    return is_dask_collection(value) and hasattr(value, "to_dask_array")


def _frame_to_array(frame, what, numeric):
    """Return a dask DataFrame or Series as a dask array (rows per block unknown).

    Numeric columns (bool and pandas' nullable dtypes included; a missing value
    becomes nan, which the block checks report) are converted to float64.
    Non-numeric columns are refused when ``numeric``; otherwise (class labels)
    they become numpy objects, as dask arrays hold no pandas extension dtype.
    """
    from pandas.api.types import is_numeric_dtype

    dtypes = frame.dtypes.items() if frame.ndim == 2 else [(frame.name, frame.dtype)]
    bad = {str(name): str(dtype) for name, dtype in dtypes if not is_numeric_dtype(dtype)}
    if bad and numeric:
        listed = ", ".join(f"{name!r} ({dtype})" for name, dtype in bad.items())
        held = (
            f"non-numeric columns: {listed}"
            if frame.ndim == 2
            else f"the non-numeric dtype {frame.dtype}"
        )
        raise ValueError(
            f"{what} (a dask {type(frame).__name__}) has {held}; the fit needs numbers. "
            "One-hot encode categories (dask.dataframe.get_dummies after .categorize()), "
            "convert numbers stored as text with .astype(float), or drop the columns."
        )
    # Not to_dask_array(lengths=True): it counts the rows of the partitions of
    # the frame optimised anew, which for a column subset of read_parquet can
    # fuse partitions and then no longer match the array's blocks
    # (dask/dask#12411). The array's own blocks are counted instead.
    return frame.astype(object if bad else np.float64).to_dask_array()


def as_row_array(value, what, *, numeric=True, known_rows=True):
    """Return ``value`` (dask DataFrame, Series or array, or in memory) as a dask array.

    Parameters
    ----------
    value : dask collection or array-like
        ``X`` or a per-row vector.
    what : str
        Its argument name, for the error messages.
    numeric : bool, default=True
        Refuse the non-numeric columns of a DataFrame or Series.
    known_rows : bool, default=True
        Compute the rows of each block when they are unknown (always for a
        DataFrame or Series; for a dask array from ``DataFrame.values`` or a
        boolean filter): one pass over ``value`` with ``compute_chunk_sizes()``,
        on a copy so that the caller's array is left as it was.
    """
    da = _import_optional("dask.array", "fitting a dask array", "dask")
    if _is_dask_frame(value):
        value = _frame_to_array(value, what, numeric)
    else:
        value = da.asarray(value)
    if known_rows and value.ndim and math.isnan(value.shape[0]):
        value = value.copy()
        value.compute_chunk_sizes()
    return value


def row_blocks(X, vectors, *, labels=()):
    """Return the non-empty row blocks of ``X`` and of the per-row vectors, aligned.

    Parameters
    ----------
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Rechunked to one block of columns.
    vectors : dict of str to array-like or None
        The per-row vectors by argument name (numpy, pandas or dask); each is
        rechunked to ``X``'s row chunks.
    labels : tuple of str
        The names of the vectors that may hold non-numbers (class labels).

    Returns
    -------
    blocks : list of dask.delayed.Delayed
        The row blocks of ``X`` that have rows (a boolean filter can leave
        empty ones).
    per_vector : dict of str to list of dask.delayed.Delayed or None
        The matching blocks of each vector.
    """
    X = as_row_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-dimensional; got a dask array of shape {X.shape}.")
    X = X.rechunk({1: -1})
    rows = X.chunks[0]
    kept = [i for i, n in enumerate(rows) if n > 0]
    if not kept:
        raise ValueError(f"X has 0 rows (shape {X.shape}); a fit needs at least one.")
    per_vector = {}
    for name, vector in vectors.items():
        if vector is None:
            per_vector[name] = None
            continue
        vector = as_row_array(vector, name, numeric=name not in labels)
        if vector.ndim != 1 or vector.shape[0] != X.shape[0]:
            raise ValueError(
                f"{name} has shape {vector.shape}; expected ({X.shape[0]},) to match the "
                "rows of X."
            )
        delayed = vector.rechunk((rows,)).to_delayed().ravel()
        per_vector[name] = [delayed[i] for i in kept]
    blocks = X.to_delayed().ravel()
    return [blocks[i] for i in kept], per_vector
