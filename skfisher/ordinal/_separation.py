"""Separation in a cumulative-link model: when the maximum-likelihood estimate does not exist.

A row of class y enters the likelihood through ``F(γ_y) − F(γ_{y−1})`` with
``γ_j = c_j − xᵀβ``. Along a direction ``d = (δβ, δc)`` the likelihood rises
without bound, and the estimate does not exist, exactly when no row's
upper bound falls and no row's lower bound rises,

    δc_y − xᵢᵀδβ ≥ 0   (y ≤ K − 2),      δc_{y−1} − xᵢᵀδβ ≤ 0   (y ≥ 1),

with some inequality strict. These are the separation conditions of the
binary logit on the 2n − (n_0 + n_{K−1}) rows ``[−xᵢ, e_j]`` of the
cumulative events "Y ≤ c_j" next to each row's class (the conditions of
Albert & Anderson 1984 for these binary events, with β shared), so
:func:`~skfisher._validation.find_separation` (Konis's linear programme)
decides it. The ordering of the thresholds needs no constraint of its own:
each class has a row, whose two conditions give ``δc_{y−1} ≤ xᵢᵀδβ ≤ δc_y``.
A feature that orders the classes perfectly separates every row (complete
separation, every parameter diverges); one whose non-zero values all fall in
the top (or bottom) class separates those rows only (quasi-complete
separation, its coefficient diverges and the others are estimated from the
remaining rows).
"""

import numpy as np
import scipy.sparse as sp

from .._validation import find_separation
from .._warnings import warn
from ..exceptions import PerfectSeparationWarning

# The check runs when the fit did not converge or some row's own class has
# 1 − p within exp(-15) of 0, as the binary and multinomial checks do.
_SEPARATION_LOG_P = -15.0


def find_ordinal_separation(problem, theta, converged):
    """Return the :class:`~skfisher._validation.Separation` of the data, or None."""
    if converged and not problem.state(theta).extreme(_SEPARATION_LOG_P):
        return None
    rows, sign = _cumulative_rows(problem)
    return find_separation(rows, sign)


def _cumulative_rows(problem):
    """Return the rows ``[−x_i, e_j]`` of the bounds of each row's class and their signs."""
    X, y, K = problem.design.X, problem.y, problem.n_classes
    upper, lower = np.flatnonzero(y < K - 1), np.flatnonzero(y > 0)
    thresholds = np.concatenate([y[upper], y[lower] - 1])
    indicator = sp.csr_matrix(
        (np.ones(thresholds.size), (np.arange(thresholds.size), thresholds)),
        shape=(thresholds.size, K - 1),
    )
    features = X[np.concatenate([upper, lower])]
    if sp.issparse(X):
        rows = sp.hstack([-features, indicator], format="csr")
    else:
        rows = np.hstack([-np.asarray(features), indicator.toarray()])
    sign = np.concatenate([np.ones(upper.size), -np.ones(lower.size)])
    return rows, sign


def separating_features(problem, found):
    """Return the features that separate, and whether only their combination does.

    Under quasi-complete separation the direction found moves exactly the
    diverging parameters, so its features are the separating ones. Under
    complete separation every parameter diverges and the direction is
    generic; the features that order the classes on their own (one linear
    programme each, on that feature's column and the thresholds) are named
    instead, or, if none does, the features of the direction.
    """
    p = problem.n_features
    moving = np.flatnonzero(found.direction[:p])
    if not found.complete:
        return moving, moving.size > 1
    rows, sign = _cumulative_rows(problem)
    alone = [
        j
        for j in moving
        if _separates_completely(rows[:, np.r_[j, p : p + problem.n_classes - 1]], sign)
    ]
    return (np.array(alone), False) if alone else (moving, moving.size > 1)


def _separates_completely(rows, sign):
    found = find_separation(rows, sign)
    return found is not None and found.complete


def warn_ordinal_separation(problem, found, names):
    """Warn that the classes are separated, naming the features; return the diverging indices."""
    separating, combined = separating_features(problem, found)
    features = [names[j] for j in separating]
    diverging = [names[j] for j in found.diverging]
    if combined:
        who = f"a combination of the features {features}"
    else:
        who = f"{'each of the features' if len(features) > 1 else 'the feature'} {features}"
    if found.complete:
        what = f"{who} orders the classes perfectly (complete separation)"
    else:
        what = f"{who} predicts the class of some observations exactly (quasi-complete separation)"
    warn(
        f"Perfect separation: {what}, so the maximum likelihood estimate does not exist and "
        f"the parameters {diverging} diverge (or are identified only by those "
        "observations). The fit is reported with converged_=False and nan standard errors "
        "for them. Possible remedies: remove or coarsen the separating features, merge "
        "the classes they separate, or set alpha > 0 (an L2 penalty on the coefficients).",
        PerfectSeparationWarning,
    )
    return found.diverging


def separated_params(alpha, names, problem, result):
    """The driver's diagnose: warn under separation, return the parameters without a SE.

    None when the estimate exists, or for a penalised fit (``alpha > 0``),
    whose estimate always does.
    """
    if alpha != 0:
        return None
    found = find_ordinal_separation(problem, result.theta, result.converged)
    if found is None:
        return None
    return warn_ordinal_separation(problem, found, names)
