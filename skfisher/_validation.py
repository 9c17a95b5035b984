"""Input checks shared by every estimator: supports, weights, rank and separation."""

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.optimize import linprog

from ._linalg import RANK_RTOL
from ._warnings import warn
from .exceptions import CollinearityWarning, PerfectSeparationWarning


@dataclass(frozen=True)
class Support:
    """An interval of allowed values, as data (``sklearn._loss.link.Interval``).

    Parameters
    ----------
    low, high : float
        The end points.
    low_inclusive, high_inclusive : bool
        Whether the end points are allowed.
    integer : bool
        Whether only whole numbers are allowed.
    """

    low: float
    high: float
    low_inclusive: bool = False
    high_inclusive: bool = False
    integer: bool = False

    def contains(self, values):
        """Return a boolean mask of the values inside the support."""
        values = np.asarray(values, dtype=float)
        lo = values >= self.low if self.low_inclusive else values > self.low
        hi = values <= self.high if self.high_inclusive else values < self.high
        ok = lo & hi
        if self.integer:
            ok &= values == np.floor(values)
        return ok

    def __str__(self):
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        kind = "integers in " if self.integer else ""
        return f"{kind}{left}{self.low:g}, {self.high:g}{right}"


def check_support(values, support, *, what, owner):
    """Raise ``ValueError`` unless every value lies in ``support``.

    Parameters
    ----------
    values : array-like
        The values to check.
    support : Support
        The allowed interval.
    what : str
        What the values are, for the message (e.g. ``"y"``).
    owner : str
        Who requires the support, for the message (e.g. ``"the Poisson family"``).
    """
    values = np.asarray(values, dtype=float)
    bad = ~support.contains(values)
    if bad.any():
        first = values[bad][0].item()
        raise ValueError(
            f"{owner} requires {what} in {support}; got {int(bad.sum())} value(s) "
            f"outside it, the first being {first!r}."
        )


def check_weights(sample_weight):
    """Raise ``ValueError`` for negative or all-zero frequency weights."""
    if np.any(sample_weight < 0):
        raise ValueError(
            f"sample_weight must be non-negative; got {int((sample_weight < 0).sum())} "
            f"negative value(s), the smallest being {float(sample_weight.min())!r}."
        )
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight must have at least one positive entry; all are 0.")


def warn_collinear(factor, names):
    """Warn about the columns that make the information matrix singular."""
    if factor.deficient.size == 0:
        return
    involved = [names[j] for j in factor.deficient]
    warn(
        f"The information matrix is singular: the parameters {involved} are not "
        "identified (collinear columns of X, or a column that is constant or zero "
        "where its weight is positive). Their standard errors are nan. Possible "
        "remedies are removing collinear features or setting alpha > 0.",
        CollinearityWarning,
    )


def separating_direction(design_matrix, sign, *, free=None):
    """Return a direction that separates the data, or ``None``.

    The direction of :func:`find_separation` (see there), in the original
    column scale: it keeps every row on its side, moves every row that any
    separating direction moves, and its non-zero entries are exactly the
    parameters that diverge.
    """
    found = find_separation(design_matrix, sign, free=free)
    return None if found is None else found.direction


@dataclass(frozen=True)
class Separation:
    """What :func:`find_separation` found.

    Attributes
    ----------
    direction : ndarray of shape (k,)
        A separating direction, zero outside ``diverging``.
    separated : ndarray of bool, shape (n,)
        The rows that the direction moves (their fitted probabilities tend to
        0 or 1); False for the rows that are not free.
    diverging : ndarray of int
        The parameters not identified once the separated rows are predicted
        exactly: those whose estimates diverge, intercept included.
    complete : bool
        Whether every free row is separated (complete separation).
    """

    direction: np.ndarray
    separated: np.ndarray
    diverging: np.ndarray
    complete: bool


def find_separation(design_matrix, sign, *, free=None):
    """Return the separation of the data (a :class:`Separation`), or ``None``.

    Solves the linear programme of Konis (2007, "Linear programming algorithms
    for detecting separated data in binary logistic regression models", DPhil
    thesis, Oxford): find β with ``sign_i x_iᵀβ >= 0`` for every row and the
    largest ``Σ sign_i x_iᵀβ``, within the box ``|β_j| <= 1`` after scaling the
    columns to unit maximum. A positive optimum means that moving θ along β
    never lowers the likelihood and raises it without bound: the maximum
    likelihood estimate does not exist (complete or quasi-complete separation).

    One direction may move only some of the rows that can be moved. If β
    moves the set S and β' keeps the other rows on their side, ``c β + β'``
    for a large c separates too, so the programme is repeated on the rows
    not yet moved until none moves: the union S is the set of rows that some
    separating direction moves, and every separating direction leaves the
    other rows R at ``x_iᵀβ = 0``. As θ runs off along such a direction, the
    rows of S drop out of the likelihood (their weights μ(1 − μ) vanish) and
    only the rows of R inform θ: a parameter keeps a finite limit and a
    standard error exactly when it is identified by R, i.e. when ``e_j`` lies
    in the row space of ``X_R``. The others are those with a non-zero entry in
    some vector of the null space of ``X_R``; near a direction whose margins
    on S are positive, every null vector can be added without losing the
    separation, so the direction returned is one such direction plus a
    generic null vector, and its support is that set. Under complete
    separation R is empty and every parameter diverges, the intercept too.

    Parameters
    ----------
    design_matrix : ndarray or sparse matrix of shape (n, k)
        The model matrix, with the intercept column if any; a sparse matrix
        stays sparse in the linear programmes.
    sign : ndarray of shape (n,)
        ``+1`` for rows whose likelihood grows with ``x_iᵀβ`` (y = 1), ``-1`` for
        those that grow as it falls (y = 0), ``0`` for rows that bind both ways
        (0 < y < 1).
    free : ndarray of shape (n,), optional
        Rows that take part (positive weight); default all.

    Returns
    -------
    separation : Separation or None
        ``None`` when the data are not separated.
    """
    A = sp.csr_matrix(design_matrix) if sp.issparse(design_matrix) else np.asarray(design_matrix)
    sign = np.asarray(sign, dtype=float)
    rows = np.arange(A.shape[0]) if free is None else np.flatnonzero(free)
    A, sign = A[rows], sign[rows]
    scale = np.asarray(abs(A).max(axis=0).toarray() if sp.issparse(A) else np.abs(A).max(axis=0))
    scale = scale.ravel().astype(float)
    scale[scale == 0] = 1.0
    A = A @ sp.diags(1.0 / scale) if sp.issparse(A) else A / scale
    one_sided = np.flatnonzero(sign != 0)
    signed = _scale_rows(A[one_sided], sign[one_sided])
    two_sided = A[sign == 0]
    moved = np.zeros(one_sided.size, dtype=bool)
    while not moved.all():
        beta = _konis_direction(signed[~moved], two_sided)
        if beta is None:
            break
        margins = signed[~moved] @ beta
        # The rows this direction moves, relative to the one it moves most
        # (the direction's own scale is arbitrary).
        moved[np.flatnonzero(~moved)[margins > 1e-6 * margins.max()]] = True
    if not moved.any():
        return None
    remaining = _stack([signed[~moved], two_sided])
    direction = _spanning_direction(signed[moved], remaining)
    if direction is None:
        # The programme failed to rounding: the first direction still separates.
        direction = _konis_direction(signed, two_sided)
    null = _null_space(remaining, A.shape[1])
    diverging = np.linalg.norm(null, axis=1) > 1e-6
    direction = _fill_support(direction, null, signed[moved])
    direction[~diverging] = 0.0
    separated = np.zeros(design_matrix.shape[0], dtype=bool)
    separated[rows[one_sided[moved]]] = True
    complete = bool(moved.all() and two_sided.shape[0] == 0)
    return Separation(direction / scale, separated, np.flatnonzero(diverging), complete)


def _scale_rows(matrix, factor):
    """Return ``diag(factor) @ matrix``, sparse or dense."""
    if sp.issparse(matrix):
        return sp.csr_matrix(sp.diags(factor) @ matrix)
    return matrix * factor[:, None]


def _stack(blocks):
    return sp.vstack(blocks, format="csr") if sp.issparse(blocks[0]) else np.vstack(blocks)


def _konis_direction(signed, two_sided):
    """Return β in the box with ``signed β >= 0``, ``two_sided β = 0`` and Σ signed β > 0.

    ``None`` when the optimum is 0 (no row can be moved) or the solver fails.
    """
    n_eq = two_sided.shape[0]
    result = linprog(
        -np.asarray(signed.sum(axis=0)).ravel(),
        A_ub=-signed,
        b_ub=np.zeros(signed.shape[0]),
        A_eq=two_sided if n_eq else None,
        b_eq=np.zeros(n_eq) if n_eq else None,
        bounds=[(-1.0, 1.0)] * signed.shape[1],
        method="highs",
    )
    if result.status != 0:
        return None
    beta = result.x
    margins = signed @ beta
    # Verify the solver's answer with its own tolerance removed: the direction
    # must keep every row on its side and move at least one row clearly.
    if margins.size == 0 or margins.min() < -1e-9 or margins.max() < 1e-6:
        return None
    if n_eq and np.max(np.abs(two_sided @ beta)) > 1e-9:
        return None
    return beta


def _spanning_direction(separated, remaining):
    """Return the β of least L1 norm with ``separated β >= 1`` and ``remaining β = 0``.

    Every separated row is moved (a margin of at least 1 in the scaled
    columns) and every other row stays where it is. ``None`` if the solver fails.
    """
    k = separated.shape[1]
    stack = sp.hstack if sp.issparse(separated) else np.hstack
    n_eq = remaining.shape[0]
    result = linprog(
        np.ones(2 * k),  # β = β⁺ − β⁻, both non-negative
        A_ub=stack([-separated, separated]),
        b_ub=-np.ones(separated.shape[0]),
        A_eq=stack([remaining, -remaining]) if n_eq else None,
        b_eq=np.zeros(n_eq) if n_eq else None,
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:
        return None
    return result.x[:k] - result.x[k:]


def _null_space(remaining, k):
    """Return an orthonormal basis of the null space of ``remaining``, shape (k, m)."""
    if remaining.shape[0] == 0:
        return np.eye(k)
    gram = remaining.T @ remaining
    gram = gram.toarray() if sp.issparse(gram) else np.asarray(gram)
    values, vectors = scipy.linalg.eigh(gram)
    # The columns are scaled to unit maximum, so the Gram matrix is well
    # scaled; its eigenvalues are squared singular values, compared as the
    # information's rank is (RANK_RTOL).
    return vectors[:, values <= RANK_RTOL * max(values[-1], np.finfo(float).tiny)]


def _fill_support(direction, null, separated):
    """Add a generic null vector to ``direction``, keeping its separated margins positive.

    The fixed pseudo-random combination of the null basis has a non-zero entry
    wherever some null vector has one, except on a set of measure zero; it is
    scaled to at most half the smallest margin and to the size of the direction.
    """
    if null.shape[1] == 0:
        return direction
    vector = null @ np.random.default_rng(0).standard_normal(null.shape[1])
    margins = np.abs(separated @ vector)
    room = 0.5 * np.min(separated @ direction) / max(margins.max(), np.finfo(float).tiny)
    step = min(room, np.abs(direction).max() / max(np.abs(vector).max(), np.finfo(float).tiny))
    return direction + step * vector


def warn_separation(direction, names, *, remedy):
    """Warn that the data are separated along ``direction``; return the diverging parameters.

    They are the non-zero entries of the direction of :func:`find_separation`.
    """
    diverging = np.flatnonzero(direction)
    warn(
        "Perfect or quasi-complete separation: a combination of the parameters predicts "
        "the response of some observations exactly, so the maximum likelihood estimate "
        f"does not exist and the parameters {[names[j] for j in diverging]} diverge (or "
        "are identified only by those observations). The fit is reported with "
        "converged_=False and nan standard errors for them. "
        f"Possible remedies: {remedy}.",
        PerfectSeparationWarning,
    )
    return diverging


def warn_likely_separation(names, *, remedy):
    """Warn that fitted probabilities reached 0 or 1 where the exact check cannot run."""
    warn(
        "Fitted probabilities numerically 0 or 1 occurred (|η| ≥ 15): the data are "
        f"probably separated and some of the parameters {list(names)} diverge. The fit "
        "is reported with converged_=False. To confirm, fit a sample that fits in memory; "
        f"possible remedies: {remedy}.",
        PerfectSeparationWarning,
    )
