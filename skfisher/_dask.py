"""Fits on dask arrays: the same loop, one reduction of (ℓ, U, I) per iteration.

A GLM log-likelihood is a sum over rows, so it is a sum over row blocks. Each
block of a dask array becomes an ordinary in-memory :class:`ScoringProblem`
on a worker, never gathered, and :class:`BlockSumProblem` adds their
log-likelihoods, scores and information matrices on the client, in block
order. Every objective evaluation also returns the block's score and
information, so an iteration whose first step is accepted costs one
``dask.compute``, one pass over the blocks that moves only ``1 + k + k²``
numbers per block; the quantities reported at θ̂ are one pass more. The
blocks' problems may be persisted (kept on the workers) or, for data larger
than the workers' memory, built anew from the source at each pass (see
``persist_if_fits`` in :mod:`skfisher.linear_model._dask_fit`).

A dask DataFrame or Series is converted to a dask array (its numeric columns
to float64) and a dask array with unknown chunk sizes gets them computed, both
in one pass over the data, so that the blocks of ``X`` and of the per-row
vectors can be aligned row by row.

dask is optional: this module imports it only when a dask collection is fitted.
"""

import math
import sys

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


def _block_report(block, theta, phi, loglik_phi, with_score):
    """Return every quantity reported at θ̂ of one block, from one task."""
    block.phi = phi
    values = {
        "observed_information": block.observed_information(theta),
        "empirical_fisher": block.empirical_fisher(theta),
        "deviance": block.deviance(theta),
        "pearson_chi2": block.pearson_chi2(theta),
        "boundary_margin": (
            block.boundary_margin(theta) if block.family.mean_is_probability else None
        ),
    }
    if with_score:
        values["score"], values["information"] = block.score(theta), block.information(theta)
    block.phi = loglik_phi
    values["loglik"] = block.loglik(theta)
    return values


def distributed_client():
    """Return the ``distributed`` client that ``dask.compute`` uses, or None (a local one)."""
    owner = getattr(_dask("fitting a dask array").base.get_scheduler(), "__self__", None)
    distributed = sys.modules.get("distributed")
    if owner is None or distributed is None or not isinstance(owner, distributed.Client):
        return None
    return owner


def compute(tasks, verbose=0):
    """Compute ``tasks`` (a pass over the blocks), under dask's progress bar at ``verbose >= 2``.

    The bar is :class:`dask.diagnostics.ProgressBar` on the local schedulers
    and :func:`distributed.progress` on a client; both print to stdout.
    """
    dask = _dask("fitting a dask array")
    if verbose < 2:
        return dask.compute(*tasks)
    client = distributed_client()
    if client is None:
        from dask.diagnostics import ProgressBar

        with ProgressBar():
            return dask.compute(*tasks)
    from distributed import progress

    futures = client.compute(list(tasks))
    progress(futures)
    return tuple(client.gather(futures))


class BlockSumProblem(ScoringProblem):
    """A log-likelihood that is the sum of per-block problems held by dask.

    Parameters
    ----------
    blocks : list of dask.delayed.Delayed
        The per-block problems, each without penalty: persisted, or built
        from the source of the data at each evaluation.
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
    verbose : int, default=0
        At 2 or more, each evaluation (a pass over the blocks) shows dask's
        progress bar.

    Notes
    -----
    The quantities reported at θ̂ (``loglik``, ``observed_information``,
    ``empirical_fisher``, ``deviance``, ``boundary_margin``, and ``score`` and
    ``information`` at a φ̂ other than the loop's) come from one pass, kept
    for that θ and dispersion; Pearson's statistic at the loop's last θ comes
    from the loop's own pass.
    """

    def __init__(
        self,
        blocks,
        penalty,
        phi=1.0,
        n_rows=None,
        weight_scale=1.0,
        has_dispersion=False,
        verbose=0,
    ):
        self.blocks = blocks
        self.verbose = verbose
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
        self._report = (None, None)

    def _key(self, theta):
        # The loop's score and information depend on θ and on the loop's φ.
        return theta.tobytes(), self.loop_phi

    def _sum(self, method, theta, phi=None, *args):
        delayed = _dask("fitting a dask array").delayed
        tasks = [delayed(_evaluate)(b, method, theta, phi, *args) for b in self.blocks]
        return compute(tasks, self.verbose)

    def _reported(self, name, theta):
        """Return the blocks' values of one reported quantity at θ (one pass for all)."""
        key = (theta.tobytes(), self.phi, self.loglik_phi)
        if self._report[0] != key:
            delayed = _dask("fitting a dask array").delayed
            with_score = self.phi != self.loop_phi
            tasks = [
                delayed(_block_report)(b, theta, self.phi, self.loglik_phi, with_score)
                for b in self.blocks
            ]
            self._report = (key, compute(tasks, self.verbose))
        return [values[name] for values in self._report[1]]

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
        return float(sum(self._reported("loglik", theta)))

    def score(self, theta):
        if self.phi == self.loop_phi:
            return self.score_information(theta)[0]
        return sum(self._reported("score", theta)) - self.penalty * theta / self.phi

    def information(self, theta):
        if self.phi == self.loop_phi:
            return self.score_information(theta)[1]
        return sum(self._reported("information", theta)) + np.diag(self.penalty) / self.phi

    def observed_information(self, theta):
        matrix = sum(self._reported("observed_information", theta))
        return matrix + np.diag(self.penalty) / self.phi

    def empirical_fisher(self, theta):
        return sum(self._reported("empirical_fisher", theta))

    def set_dispersion(self, phi, loglik_phi):
        """Set the φ̂ of the matrices and the φ at which ``loglik`` is evaluated."""
        self.phi = float(phi)
        self.loglik_phi = float(loglik_phi)

    def deviance(self, theta):
        """Return the deviance over all blocks."""
        return float(sum(self._reported("deviance", theta)))

    def pearson_chi2(self, theta):
        """Return ``(Σ w (y − μ)² / V(μ), Σ w)`` over all blocks."""
        if self.has_dispersion and self._cached[0] == self._key(theta):
            return self._cached[3]  # from the loop's pass at θ (it needs no φ)
        parts = self._sum("pearson_chi2", theta)
        return sum(p[0] for p in parts), sum(p[1] for p in parts)

    def boundary_margin(self, theta):
        """Return the smallest ``min(μ, 1 − μ)`` over rows of positive weight of all blocks."""
        return min(self._reported("boundary_margin", theta))


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
    n_rows : int
        The number of rows of ``X``.
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
    return [blocks[i] for i in kept], per_vector, int(X.shape[0])
