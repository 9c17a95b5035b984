"""When an accelerated-failure-time likelihood has no maximum: two linear programmes.

The log-density g of each error law tends to −∞ in both tails and the
log-survival h rises to 0 as ``z → −∞``, so the log-likelihood grows without
bound in exactly two ways:

* **Diverging coefficients** (at a fixed σ): a direction d of β with
  ``x̃ᵀd = 0`` at every event and ``x̃ᵀd ≥ 0`` at every censored time, positive at
  some, moves the censored times' predictions up, the events' not at all (a
  binary feature whose rows are all censored, say). The programme maximises
  ``Σ_censored x̃ᵀd`` under ``|d_j| ≤ 1`` on columns scaled to a unit maximum;
  a positive optimum is such a direction, and its non-zero entries are the
  coefficients that diverge.
* **A vanishing scale**: a β with ``x̃ᵀβ = log t`` at every event and
  ``x̃ᵀβ ≥ log t`` at every censored time (one event, or no more events than
  coefficients) fits the events exactly; as σ → 0 each event's ``−log σ``
  grows and the censored terms tend to 0. The programme is its feasibility.

Both run only when the loop did not converge or its estimate looks like a
limit (a σ or a coefficient span beyond the thresholds below), and not for a
penalised fit's coefficients, whose estimate exists.
"""

import numpy as np
from scipy.optimize import linprog

from .._linalg import SymmetricFactor
from .._warnings import warn
from ..exceptions import BoundaryWarning, PerfectSeparationWarning

# The programmes run when the loop did not converge, when σ̂ falls below this
# share of the spread of log t, or when a coefficient times its feature's range
# exceeds _CHECK_SPAN scales σ̂ (where a censored row's log S is below 1e-15 for
# the normal law and 3e-4 for the logistic: a diverging coefficient is past it
# before the loop stops).
_SCALE_SHARE = 1e-6
_CHECK_SPAN = 8.0


def diverging_direction(problem):
    """Return the direction of diverging coefficients (in the features' units), or None."""
    rows = problem.design.dense_rows(0, problem.design.n_rows)
    event = problem.event
    # d must vanish on the events' rows: none but 0 where they have full rank.
    if event.all() or not SymmetricFactor(rows[event].T @ rows[event]).deficient.size:
        return None
    scale = np.abs(rows).max(axis=0)
    scale[scale == 0] = 1.0
    rows = rows / scale
    censored = rows[~event]
    constant = ~np.any(rows != 0, axis=0)
    bounds = [(0.0, 0.0) if c else (-1.0, 1.0) for c in constant]
    found = linprog(
        -censored.sum(axis=0) / censored.shape[0],
        A_ub=-censored,
        b_ub=np.zeros(censored.shape[0]),
        A_eq=rows[event] if event.any() else None,
        b_eq=np.zeros(int(event.sum())) if event.any() else None,
        bounds=bounds,
        method="highs",
    )
    if found.status != 0 or -found.fun <= 1e-9:
        return None
    d = found.x
    d[np.abs(d) <= 1e-7 * np.abs(d).max()] = 0.0
    return d / scale


def events_fit_exactly(problem):
    """Whether some β fits the events exactly with the censored times at or below it."""
    rows = problem.design.dense_rows(0, problem.design.n_rows)
    event, log_time = problem.event, problem.log_time
    # Only where least squares fits the events exactly.
    coef = np.linalg.lstsq(rows[event], log_time[event], rcond=None)[0]
    residual = log_time[event] - rows[event] @ coef
    if np.abs(residual).max() > 1e-9 * max(np.abs(log_time[event]).max(), 1.0):
        return False
    found = linprog(
        np.zeros(rows.shape[1]),
        A_ub=-rows[~event] if (~event).any() else None,
        b_ub=-log_time[~event] if (~event).any() else None,
        A_eq=rows[event],
        b_eq=log_time[event],
        bounds=[(None, None)] * rows.shape[1],
        method="highs",
    )
    return found.status == 0


def _suspect(problem, result):
    if not result.converged:
        return True
    theta, p = result.theta, problem.n_cols
    sigma = 1.0 if problem.fixed_scale else float(np.exp(theta[p]))
    if sigma < _SCALE_SHARE * max(np.ptp(problem.log_time), 1e-300):
        return True
    span = np.abs(theta[:p]) * _ranges(problem) / sigma
    return bool(np.any(span > _CHECK_SPAN))


def _ranges(problem):
    X = problem.design.X
    ranges = np.ptp(X, axis=0) if X.shape[0] else np.zeros(X.shape[1])
    return np.r_[[0.0] * int(problem.design.fit_intercept), ranges]


def degenerate_params(names, problem, result):
    """The driver's diagnose: warn where no maximum exists, return the parameters without SEs.

    None when the estimate exists.
    """
    if not _suspect(problem, result):
        return None
    if not problem.fixed_scale and events_fit_exactly(problem):
        warn(
            "The scale tends to 0: the events' log times lie on a hyperplane of the "
            "features (there are no more events than coefficients, or they fit exactly) "
            "with every censored time at or below it, so the likelihood grows without "
            "bound as sigma -> 0 and the maximum likelihood estimate does not exist. "
            "The fit is reported with converged_=False and nan standard errors. "
            "Possible remedies: fewer features, more events, or "
            "distribution='exponential' (sigma = 1).",
            BoundaryWarning,
        )
        return np.arange(problem.n_params)
    if problem.penalty.any():
        return None
    direction = diverging_direction(problem)
    if direction is None:
        return None
    diverging = np.flatnonzero(direction)
    named = ", ".join(f"{names[j]} → {'+inf' if direction[j] > 0 else '-inf'}" for j in diverging)
    warn(
        f"Monotone likelihood: the likelihood keeps increasing as the coefficients "
        f"{[names[j] for j in diverging]} diverge ({named}): along that direction the "
        "events' predicted times do not move and the censored ones only grow (a feature "
        "whose rows beyond some value are all censored), so the maximum likelihood "
        "estimate does not exist. The fit is reported with converged_=False and nan "
        "standard errors for them. Possible remedies: remove or coarsen these features, "
        "or set alpha > 0 (an L2 penalty on the coefficients).",
        PerfectSeparationWarning,
    )
    return diverging
