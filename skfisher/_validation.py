"""Input checks shared by every estimator: supports, weights, rank and separation."""

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

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
    warnings.warn(
        f"The information matrix is singular: the parameters {involved} are not "
        "identified (collinear columns of X, or a column that is constant or zero "
        "where its weight is positive). Their standard errors are nan. Possible "
        "remedies are removing collinear features or setting alpha > 0.",
        CollinearityWarning,
        stacklevel=3,
    )


def separating_direction(design_matrix, sign, *, free=None):
    """Return a direction that separates the data, or ``None``.

    Solves the linear programme of Konis (2007, "Linear programming algorithms
    for detecting separated data in binary logistic regression models", DPhil
    thesis, Oxford): find β with ``sign_i x_iᵀβ >= 0`` for every row and the
    largest ``Σ sign_i x_iᵀβ``, within the box ``|β_j| <= 1`` after scaling the
    columns to unit maximum. A positive optimum means that moving θ along β
    never lowers the likelihood and raises it without bound: the maximum
    likelihood estimate does not exist (complete or quasi-complete separation).

    Parameters
    ----------
    design_matrix : ndarray or sparse matrix of shape (n, k)
        The model matrix, with the intercept column if any; a sparse matrix
        stays sparse in the linear programme.
    sign : ndarray of shape (n,)
        ``+1`` for rows whose likelihood grows with ``x_iᵀβ`` (y = 1), ``-1`` for
        those that grow as it falls (y = 0), ``0`` for rows that bind both ways
        (0 < y < 1).
    free : ndarray of shape (n,), optional
        Rows that take part (positive weight); default all.

    Returns
    -------
    direction : ndarray of shape (k,) or None
        The separating direction in the original column scale, or ``None``.
    """
    A = sp.csr_matrix(design_matrix) if sp.issparse(design_matrix) else np.asarray(design_matrix)
    if free is not None:
        A, sign = A[free], sign[free]
    scale = np.asarray(abs(A).max(axis=0).toarray() if sp.issparse(A) else np.abs(A).max(axis=0))
    scale = scale.ravel().astype(float)
    scale[scale == 0] = 1.0
    A = A @ sp.diags(1.0 / scale) if sp.issparse(A) else A / scale
    one_sided = sign != 0
    signed = (
        sp.diags(sign[one_sided]) @ A[one_sided]
        if sp.issparse(A)
        else (A[one_sided] * sign[one_sided, None])
    )
    two_sided = A[~one_sided]
    objective = -np.asarray(signed.sum(axis=0)).ravel()
    n_eq = two_sided.shape[0]
    result = linprog(
        objective,
        A_ub=-signed,
        b_ub=np.zeros(signed.shape[0]),
        A_eq=two_sided if n_eq else None,
        b_eq=np.zeros(n_eq) if n_eq else None,
        bounds=[(-1.0, 1.0)] * A.shape[1],
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
    return _sparsest_direction(signed, two_sided, beta) / scale


def _sparsest_direction(signed, two_sided, beta):
    """Return the separating direction of least L1 norm, or ``beta`` if that fails.

    The first programme fills the box, so its direction can involve columns
    that do not separate anything; minimising ``||β||₁`` subject to the same
    signs and ``Σ sign_i x_iᵀβ >= 1`` keeps only the columns that do, which
    are the parameters that diverge.
    """
    k = signed.shape[1]
    stack = sp.hstack if sp.issparse(signed) else np.hstack
    split = stack([-signed, signed])  # β = β⁺ − β⁻, both non-negative
    total = np.asarray(signed.sum(axis=0)).ravel()
    A_ub = (
        sp.vstack([split, sp.csr_matrix(np.concatenate([-total, total]))])
        if sp.issparse(signed)
        else np.vstack([split, np.concatenate([-total, total])])
    )
    n_eq = two_sided.shape[0]
    result = linprog(
        np.ones(2 * k),
        A_ub=A_ub,
        b_ub=np.concatenate([np.zeros(signed.shape[0]), [-1.0]]),
        A_eq=stack([two_sided, -two_sided]) if n_eq else None,
        b_eq=np.zeros(n_eq) if n_eq else None,
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:
        return beta
    sparse_beta = result.x[:k] - result.x[k:]
    sparse_beta[np.abs(sparse_beta) < 1e-9 * np.abs(sparse_beta).max()] = 0.0
    return sparse_beta


def warn_separation(direction, names, *, remedy):
    """Warn that the data are separated along ``direction``."""
    involved = [
        names[j] for j in np.flatnonzero(np.abs(direction) > 1e-8 * np.abs(direction).max())
    ]
    warnings.warn(
        "Perfect or quasi-complete separation: a combination of the parameters "
        f"{involved} predicts the response of some observations exactly, so the "
        "maximum likelihood estimate does not exist (those parameters diverge). "
        f"The fit is reported with converged_=False and nan standard errors for them. "
        f"Possible remedies: {remedy}.",
        PerfectSeparationWarning,
        stacklevel=3,
    )
    return np.flatnonzero(np.abs(direction) > 1e-8 * np.abs(direction).max())


def warn_likely_separation(names, *, remedy):
    """Warn that fitted probabilities reached 0 or 1 where the exact check cannot run."""
    warnings.warn(
        "Fitted probabilities numerically 0 or 1 occurred (|η| ≥ 15): the data are "
        f"probably separated and some of the parameters {list(names)} diverge. The fit "
        "is reported with converged_=False. To confirm, fit a sample that fits in memory; "
        f"possible remedies: {remedy}.",
        PerfectSeparationWarning,
        stacklevel=3,
    )
