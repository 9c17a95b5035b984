"""The fit of MLEDistribution: the loop on the scale-free footing, then the reported result.

Fisher scoring runs on the standardised data (see ``_footing``) in the
unconstrained parameters. Its stopping rule is then checked where it matters,
at the reported parameters: ``converged`` means ``sqrt(Uᵀ I⁻¹ U) ≤ tol`` there
(or below the step to a neighbouring float64 θ, where that is longer).
When the loop stopped because no step along its direction changed the
log-likelihood measurably (its gain was below the objective's rounding), the
score is still accurate, so up to three plain Fisher steps, judged by the
decrement rather than by the objective, finish the fit.
"""

import numpy as np

from .._linalg import SymmetricFactor
from .._scoring import fisher_scoring, warn_not_converged
from .._warnings import warn
from ..exceptions import BoundaryWarning
from ._footing import reported_result
from ._problem import StackedProblem, UnconstrainedProblem

_POLISH_STEPS = 3


def fit_reported(problems, reported, max_iter, tol):
    """Run the loop over the columns' problems; return the result in the reported parameters.

    Parameters
    ----------
    problems : list of DistributionProblem
        One per column, on the scale-free footing.
    reported : list of ReportedProblem
        The same problems in the reported parameters.
    max_iter : int
        Maximum number of Fisher-scoring steps.
    tol : float
        The stopping rule, in standard errors.

    Returns
    -------
    result : ScoringResult
        At the reported parameters; each ``reported`` problem remembers its
        column's loop parameters (``inner``).
    """
    loop = problems[0] if len(problems) == 1 else StackedProblem(problems)
    unconstrained = UnconstrainedProblem(loop)
    theta0 = np.concatenate([p.template[p.free] for p in problems])
    phi = unconstrained.to_unconstrained(theta0)
    if phi.size:
        loop_result = fisher_scoring(unconstrained, phi, max_iter=max_iter, tol=tol)
        phi, n_iter, claimed = loop_result.theta, loop_result.n_iter, loop_result.converged
    else:  # every free parameter is at a limit of the family
        n_iter, claimed = 0, True
    stacked = reported[0] if len(reported) == 1 else StackedProblem(reported)
    cuts = np.cumsum([len(p.free) for p in problems])[:-1]

    def at(phi):
        parts = (
            np.split(unconstrained.to_natural(phi), cuts) if phi.size else [phi] * len(reported)
        )
        return np.concatenate([r.reported(part) for r, part in zip(reported, parts, strict=True)])

    best = (reported_result(stacked, reported, at(phi), n_iter, False), phi)
    for _ in range(_POLISH_STEPS if claimed else 0):
        if best[0].decrement <= _threshold(best[0], tol):
            break
        score, information = unconstrained.score_information(best[1])
        candidate = best[1] + SymmetricFactor(information).solve(score)
        if not np.isfinite(unconstrained.objective(candidate)):
            break
        result = reported_result(stacked, reported, at(candidate), best[0].n_iter + 1, False)
        if not result.decrement < best[0].decrement:
            break
        best = (result, candidate)
    result, phi = best
    at(phi)  # each column remembers the loop parameters of the result kept
    result.converged = bool(claimed and result.decrement <= _threshold(result, tol))
    return result


def _threshold(result, tol):
    """``tol²``, or the decrement of the reported θ's float64 spacing if that is larger.

    When the data fix θ more finely than float64 holds it (a location 10⁹
    scales from 0, whose spacing is 10⁻⁷ of a standard error), no float64 θ
    has a step below ``tol``: the step to the nearest representable neighbour,
    ``δθᵀ I δθ`` with ``δθ`` twice the spacing (for the rounding of the
    score too), is then the criterion.
    """
    spacing = 2.0 * np.spacing(np.abs(np.where(np.isfinite(result.theta), result.theta, 0.0)))
    with np.errstate(all="ignore"):
        rounding = float(spacing @ result.information @ spacing)
    return max(tol**2, rounding if np.isfinite(rounding) else 0.0)


def column_params(family, reported):
    """A column's parameters in the family's own terms, from its footing."""
    footing = reported.footing
    return family.canonical(footing.factor * reported.problem.full(reported.inner) + footing.shift)


def fit_columns(family, free, reported, problems, theta0, max_iter, tol):
    """The loop of a distribution fit: every column at once, reported in natural terms.

    Returns the problem the matrices come from (the column's, or the stack
    of the columns') and the result at θ̂ in the reported parameters.
    """
    result = fit_reported(problems, reported, max_iter, tol)
    if not result.converged:
        for r in reported:
            family.check_unconverged(r.problem.sample, r.problem.full(r.inner))
    result.theta = np.concatenate([column_params(family, r)[free] for r in reported])
    natural = reported[0] if len(reported) == 1 else StackedProblem(reported)
    return natural, result


def report_limits(reported, result, tol):
    """Warn for an estimate at a limit of the family, else the generic non-convergence.

    An estimate at a limit (Student-t df = ∞) explains itself better than the
    generic ConvergenceWarning does.
    """
    messages = [r.footing.message for r in reported if r.footing.message]
    status = "" if result.converged else " Fisher scoring did not converge (converged_=False)."
    for message in messages:
        warn(message + status, BoundaryWarning)
    if not messages:
        warn_not_converged(result, tol)
