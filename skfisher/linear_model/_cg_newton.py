"""Fisher scoring without the information matrix: truncated Newton by conjugate gradients.

:func:`truncated_newton` takes the same Fisher-scoring step
``d = I(θ)⁻¹ U(θ)`` as the dense loop (:func:`~skfisher._scoring.fisher_scoring`),
but solves ``I d = U`` by preconditioned conjugate gradients on products
with ``I`` (:mod:`skfisher.linear_model._cg`), never forming it.

The solves are inexact (truncated Newton; Dembo, Eisenstat & Steihaug 1982):
step k stops conjugate gradients at the relative residual η_k, the forcing
term of Eisenstat & Walker (1996, choice 2), ``η_k = 0.9 (‖U_k‖ / ‖U_{k−1}‖)²``
(norms in the preconditioner's metric), safeguarded by ``0.9 η_{k−1}²`` while
that exceeds 0.1, at most ``sqrt(‖U_k‖ / ‖U_0‖)`` (Nocedal & Wright 2006,
§7.1, relative to the start) and within [:data:`FORCING_MIN`,
:data:`FORCING_MAX`]: loose while the score is large, tight as it shrinks, so
that the steps converge superlinearly without solving the early systems to a
precision they do not need. The second bound is for Fisher scoring with a
non-canonical link, whose exact steps converge only linearly: there the ratio
of successive scores stays near the rate, Eisenstat and Walker's term near
its cap, and steps of one or two conjugate-gradient iterations crawled (300
steps where the dense loop takes 60); ``sqrt(‖U_k‖ / ‖U_0‖)`` keeps shrinking
with the score.

The stop is the dense loop's: the step shorter than ``tol`` standard errors,
``sqrt(Uᵀ d) <= tol``, with ``d`` from conjugate gradients (see
:func:`truncated_newton` for how an inexact ``d`` is made to count).
"""

from dataclasses import dataclass

import numpy as np

from .._line_search import line_search
from .._scoring import log_iteration
from ._cg import SquaredDesign, WeightedGram, conjugate_gradients

# The forcing terms' range: the loosest relative residual of a step, and the
# tightest (a step more exact than 1e-6 buys nothing once the remaining error
# is below tol, and the stop is confirmed at this residual, see truncated_newton).
FORCING_MAX = 0.5
FORCING_MIN = 1e-6
_FORCING_GAMMA = 0.9
_FORCING_POWER = 2.0


@dataclass
class TruncatedNewtonResult:
    """What :func:`truncated_newton` returns (the fields the fit driver reads, and more).

    Attributes
    ----------
    theta : ndarray of shape (k,)
        The maximiser found.
    objective : float
        The objective at ``theta``.
    score : ndarray of shape (k,)
        Its gradient at ``theta`` (at the loop's dispersion).
    decrement : float
        ``Uᵀ d`` with ``d`` the conjugate-gradient solution of ``I d = U``
        at ``theta``: the Newton decrement on the reported scale (times
        ``problem.decrement_scale``), to the relative residual of that solve.
    n_iter : int
        The Newton steps taken.
    converged : bool
        Whether ``sqrt(decrement) <= tol``.
    cg_iterations : int
        The conjugate-gradient iterations of all the steps (each one product
        with the information).
    zero_columns : ndarray of int
        The parameters whose information is 0 at ``theta`` (a column that is
        0 in every row of positive weight, without a penalty): not identified.
    """

    theta: np.ndarray
    objective: float
    score: np.ndarray
    decrement: float
    n_iter: int
    converged: bool
    cg_iterations: int
    zero_columns: np.ndarray


def loop_system(problem, theta, squared):
    """Return the loop's score ``U`` and information operator at θ.

    The score and weights of
    :meth:`GLMProblem._loop_score_information`, at the loop's dispersion,
    without the Gram matrix.
    """
    score_eta, weight = problem._eta_derivatives(theta, problem.loop_phi)
    weight *= problem.w
    score_eta *= problem.w
    score = problem.design.rmatvec(score_eta) - problem.penalty * theta
    return score, WeightedGram(squared, weight, problem.penalty)


def truncated_newton(problem, theta0, *, max_iter=100, tol=1e-8, max_halvings=40):
    """Maximise a GLM problem's objective by Fisher scoring with conjugate-gradient steps.

    Parameters
    ----------
    problem : GLMProblem
        The model (a :class:`GLMProblem` or :class:`DispersionGLMProblem`).
    theta0 : array-like of shape (k,)
        Starting values; the objective must be finite there.
    max_iter : int, default=100
        The most Newton steps.
    tol : float, default=1e-8
        Stop when the step ``d`` is shorter than ``tol`` standard errors,
        ``sqrt(Uᵀ d) <= tol`` (the dense loop's criterion, with ``d`` from
        conjugate gradients).
    max_halvings : int, default=40
        The most halvings of one step.

    Returns
    -------
    result : TruncatedNewtonResult

    Notes
    -----
    Each iteration: the score and the information operator at θ; the step by
    conjugate gradients to the forcing term's residual; the stop; the line
    search on the objective, halving the step until the objective does not
    decrease (beyond its rounding error), as :func:`~skfisher._scoring.fisher_scoring`.

    The stop. Conjugate gradients from 0 give ``Uᵀ d ≤ Uᵀ I⁻¹ U``: the
    decrement is under-estimated, by at most ``η² κ`` relatively for a
    relative residual η and the condition number κ of the scaled
    information. A stop found with a looser residual than
    :data:`FORCING_MIN` is confirmed with a solve at that residual.

    Where the objective no longer changes measurably (its gain below its
    rounding error), a step is accepted only where it also shrinks the
    score's norm, as the dense loop lets the score judge there; where no
    halving does, θ is the maximiser to working precision, converged if the
    decrement is within the objective's rounding (half of it is the gain
    still available).
    """
    squared = SquaredDesign(problem.design)
    theta = np.array(theta0, dtype=float)
    objective = problem.objective(theta)
    if not np.isfinite(objective):
        raise ValueError(
            "The log-likelihood is not finite at the starting values; the data "
            "are outside the model's domain or the starting values are invalid."
        )
    forcing, first_norm, previous_norm, stalled = FORCING_MAX, None, None, False
    n_iter = cg_iterations = 0
    while True:
        score, gram = loop_system(problem, theta, squared)
        norm = gram.norm(score)
        if previous_norm is None:
            first_norm = norm
        else:
            forcing = next_forcing(forcing, _ratio(norm, previous_norm), _ratio(norm, first_norm))
        step, loop_decrement, spent = _newton_step(gram, score, forcing)
        cg_iterations += spent
        decrement = loop_decrement * problem.decrement_scale(theta)
        if decrement <= tol**2 and forcing > FORCING_MIN:
            step, loop_decrement, spent = _newton_step(gram, score, FORCING_MIN, step)
            cg_iterations += spent
            decrement = loop_decrement * problem.decrement_scale(theta)
        log_iteration(n_iter, objective, decrement)
        converged = decrement <= tol**2
        if converged or n_iter >= max_iter:
            break
        judge = _score_judge(problem, gram, norm) if stalled else None
        accepted = line_search(problem, theta, objective, step, max_halvings, judge)
        if accepted is None:
            converged = loop_decrement <= 1e-10 * (1.0 + abs(objective))
            break
        stalled = accepted[1] - objective <= 1e-12 * (1.0 + abs(objective))
        theta, objective = accepted
        previous_norm = norm
        n_iter += 1
    return TruncatedNewtonResult(
        theta=theta,
        objective=objective,
        score=score,
        decrement=decrement,
        n_iter=n_iter,
        converged=converged,
        cg_iterations=cg_iterations,
        zero_columns=np.flatnonzero(gram.diagonal <= 0),
    )


def next_forcing(previous, ratio, progress):
    """Return the forcing term after ``previous`` (see the module's docstring).

    ``ratio`` is ``‖U_k‖ / ‖U_{k−1}‖`` and ``progress`` ``‖U_k‖ / ‖U_0‖``.
    Eisenstat and Walker's safeguard keeps the term from dropping faster than
    the convergence it predicts (their §3).
    """
    forcing = _FORCING_GAMMA * ratio**_FORCING_POWER
    safeguard = _FORCING_GAMMA * previous**_FORCING_POWER
    if safeguard > 0.1:
        forcing = max(forcing, safeguard)
    forcing = min(forcing, np.sqrt(progress))
    return float(min(max(forcing, FORCING_MIN), FORCING_MAX))


def _ratio(norm, reference):
    """``norm / reference``, 0 for a zero reference (a start at the maximum)."""
    return norm / reference if reference > 0 else 0.0


def _newton_step(gram, score, rtol, x0=None):
    """Return the step ``d`` (I d = U to ``rtol``), the loop's decrement ``Uᵀ d`` and the work."""
    start = None if x0 is None else x0[:, None]
    # The step needs no check of its residual: the line search judges it.
    step, _, spent = conjugate_gradients(gram, score[:, None], rtol=rtol, x0=start, check=False)
    step = step[:, 0]
    return step, max(float(score @ step), 0.0), spent


def _score_judge(problem, gram, norm):
    """Return a test that a candidate θ has a score norm below ``norm`` (same metric)."""

    def smaller(candidate):
        score_eta, _ = problem._eta_derivatives(candidate, problem.loop_phi)
        score = problem.design.rmatvec(score_eta * problem.w) - problem.penalty * candidate
        return gram.norm(score) < norm

    return smaller
