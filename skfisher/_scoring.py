"""The Fisher-scoring loop, and the one likelihood interface every model declares.

A model describes itself as a :class:`ScoringProblem`: the objective, score
and expected information at θ that the loop uses, and the quantities
reported at θ̂ (log-likelihood, observed information, empirical Fisher,
cluster sums). That class is the whole interface: the loop, the result and
its covariances (:mod:`skfisher._result`), the profile-likelihood engine
(:mod:`skfisher._profile`), Firth's penalty and the dask block sums use
nothing else, and a new model is one subclass.

:func:`fisher_scoring` iterates, from a start where the objective is finite,

1. the score U and information I at θ (``score_information``);
2. the step ``d = I⁻¹ U`` from one factorisation of I;
3. the stop, when the Newton decrement ``Uᵀ I⁻¹ U`` (in standard errors at
   the reported scale, ``decrement_scale``) is below ``tol²``, or is at the
   rounding floor of the score (``score_rounding``);
4. the line search, halving the step until the objective does not drop by
   more than its rounding (:mod:`skfisher._line_search`).

Stopping at step 3 means the factorisation of the last iteration is the one
at θ̂, so the result reuses it for ``I⁻¹`` instead of factorising again.

Within :func:`numbered_iterations` (which the fit driver opens for an
estimator's ``verbose >= 1``) the loop logs one INFO record per iteration to
the standard :mod:`logging` logger ``"skfisher"``: its number, the objective
and the length of the step from there in standard errors, the quantity of
the stop. Elsewhere it logs nothing.
"""

import logging
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._linalg import SymmetricFactor
from ._line_search import decrement_below, line_search, rounding_slack
from ._warnings import warn

LOGGER = logging.getLogger("skfisher")
# The numbering of the iterations being logged (None: the loop logs nothing).
# A context variable, so that the loops a model brings (Firth's, the
# distributions') log without an argument of their own.
_ITERATION_LOG = ContextVar("skfisher_iteration_log", default=None)


class ScoringProblem(ABC):
    """A log-likelihood that Fisher scoring can maximise: the declared model interface.

    Subclasses implement the two abstract methods, ``objective`` and
    ``score_information``, which the loop calls at every iteration, and,
    for a model whose fit is reported (every one but a loop's
    reparametrisation), ``loglik``, ``observed_information`` and
    ``empirical_fisher``, which the result evaluates once at θ̂. The other
    methods have defaults that a model
    overrides for what it adds (a dispersion, rounding bounds, clusters, a
    profile it cannot offer). All matrices are totals over the weighted
    sample, shape (k, k).

    Attributes
    ----------
    profile_refusal : str or None
        Why profile-likelihood intervals do not apply to this problem (None:
        they do).
    """

    profile_refusal = None

    @abstractmethod
    def objective(self, theta):
        """Return the function maximised: the (penalised) log-likelihood at θ.

        Returns ``-inf`` when θ lies outside the model's domain (for instance a
        mean that the family does not allow); the line search then backs off.
        """
        raise NotImplementedError

    @abstractmethod
    def score_information(self, theta):
        """Return the gradient of ``objective`` and its expected information at θ."""
        raise NotImplementedError

    def loglik(self, theta):
        """Return the log-likelihood at θ, without any penalty."""
        raise NotImplementedError(
            f"{type(self).__name__} is a problem of the loop only: it does not report "
            "its log-likelihood (a reported model implements loglik)."
        )

    def observed_information(self, theta):
        """Return the negative Hessian of ``objective`` at θ."""
        raise NotImplementedError(
            f"{type(self).__name__} is a problem of the loop only: it does not report "
            "its observed information (a reported model implements observed_information)."
        )

    def empirical_fisher(self, theta):
        """Return the sum of weighted outer products of per-sample scores at θ."""
        raise NotImplementedError(
            f"{type(self).__name__} is a problem of the loop only: it does not report "
            "its empirical Fisher (a reported model implements empirical_fisher)."
        )

    def score(self, theta):
        """Return the score at θ at the reported scale (the loop's, unless it differs)."""
        return self.score_information(theta)[0]

    def information(self, theta):
        """Return the expected information at θ at the reported scale."""
        return self.score_information(theta)[1]

    def objective_scale(self):
        """Return the factor turning differences of the objective into ones of ``loglik``.

        1 unless the loop's objective is scaled (a GLM's at its φ₀ instead of φ̂).
        """
        return 1.0

    def positive_rows(self):
        """Return the mask of the rows of positive weight, or None for all.

        The clusters of ``cov_type="cluster"`` are counted over these rows
        (a model that keeps rows of weight 0 says which they are).
        """
        return None

    def decrement_scale(self, theta):
        """Return the factor that puts the loop's Newton decrement on the reported scale.

        A problem whose loop runs at a fixed nuisance value (a GLM's dispersion
        φ₀) reports its matrices at another one (the φ̂ of the current θ); the
        score and the information both carry ``1/φ``, so the decrement in
        standard errors at φ̂ is the loop's decrement times ``φ₀ / φ̂``. The
        loop stops on that product, so that a stop means a step below ``tol``
        standard errors at the reported scale, wherever φ₀ started. 1 for a
        problem that reports at the scale it iterates on.
        """
        return 1.0

    def score_rounding(self, theta, directions):
        """Return a bound on ``‖Bᵀ δU‖`` for the rounding error δU of the loop's score, or None.

        ``B = directions`` has shape (k, m). Where the data determine θ̂ more
        finely than the score can be computed in floating point (an exact
        fit, say), the loop cannot bring the decrement below ``tol``; it then
        stops, converged, once the decrement ``‖Bᵀ U‖²`` with ``B Bᵀ = I⁻¹``
        is within this bound. The loop also asks it for the directions the
        factorisation of a numerically singular ``I`` drops: a score there
        beyond its rounding is a maximum not reached. None: no such bound
        (no floor; the dropped directions are not checked).
        """
        return None

    def objective_rounding(self, theta):
        """Return a bound on the rounding error of ``objective(θ)``, or None.

        The line search takes a step whose objective is within twice this of
        the current one (by default, within ``1e-12 (1 + |objective|)``): a
        likelihood summed from terms far larger than their total (counts of
        10⁶, say) rounds beyond that, and its steps would be refused.
        """
        return None

    def cluster_fisher(self, theta, groups):
        """Return the outer products of the per-cluster score sums at θ (optional).

        ``Σ_g u_g u_gᵀ`` with ``u_g = Σ_{i ∈ g} w_i s_i``, shape (k, k): the
        meat of the cluster-robust covariance. ``groups`` holds an integer
        cluster code per sample. A problem without it does not offer
        ``cov_type="cluster"``.
        """
        raise NotImplementedError


@dataclass
class ScoringResult:
    """What :func:`fisher_scoring` returns.

    Attributes
    ----------
    theta : ndarray of shape (k,)
        The maximiser found.
    objective : float
        The objective at ``theta``.
    score : ndarray of shape (k,)
        The gradient of the objective at ``theta``.
    information : ndarray of shape (k, k)
        The expected information at ``theta``.
    factor : SymmetricFactor
        The factorisation of ``information``, reused for the covariance.
    decrement : float
        The Newton decrement ``Uᵀ I⁻¹ U`` at ``theta``, on the reported scale
        (the loop's decrement times ``problem.decrement_scale(theta)``).
    n_iter : int
        The number of steps taken.
    converged : bool
        Whether the convergence criterion was met.
    """

    theta: np.ndarray
    objective: float
    score: np.ndarray
    information: np.ndarray
    factor: SymmetricFactor
    decrement: float
    n_iter: int
    converged: bool


def fisher_scoring(problem, theta0, *, max_iter=100, tol=1e-8, max_halvings=40):
    """Maximise ``problem.objective`` by Fisher scoring with step halving.

    Parameters
    ----------
    problem : ScoringProblem
        The model.
    theta0 : array-like of shape (k,)
        Starting values; the objective must be finite there.
    max_iter : int, default=100
        The maximum number of Fisher-scoring steps.
    tol : float, default=1e-8
        Stop when ``sqrt(Uᵀ I⁻¹ U) <= tol``.
    max_halvings : int, default=40
        The maximum number of halvings of one step.

    Returns
    -------
    result : ScoringResult
        Not converging is not an error here: the caller, which knows whether
        the data are separated, calls :func:`warn_not_converged`.

    Notes
    -----
    The step is ``d = I(θ)⁻¹ U(θ)``; for a canonical-link GLM ``I`` equals the
    negative Hessian and this is Newton's method (and IRLS). The criterion
    ``sqrt(Uᵀ I⁻¹ U) = ||d||_I`` is the length of the next step measured in the
    information metric, that is in standard errors: it does not depend on the
    units of the data or on the parameterisation (Boyd & Vandenberghe 2004,
    §9.5.1, call its square the Newton decrement). Half of it squared
    predicts the gain in log-likelihood still available.

    A step is accepted when the objective does not drop by more than its
    rounding error, so that the loop can finish at the optimum where changes
    in the objective are no longer measurable.
    """
    theta = np.array(theta0, dtype=float)
    objective = problem.objective(theta)
    if not np.isfinite(objective):
        raise ValueError(
            "The log-likelihood is not finite at the starting values; the data "
            "are outside the model's domain or the starting values are invalid."
        )
    n_iter = 0
    stalled = False
    while True:
        score, information = problem.score_information(theta)
        factor = SymmetricFactor(information)
        step = factor.solve(score)
        loop_decrement = max(float(score @ step), 0.0)
        decrement = loop_decrement * problem.decrement_scale(theta)
        log_iteration(n_iter, objective, decrement)
        # A score in the directions a singular information drops is a step
        # the loop cannot take: converged only where it is rounding.
        reachable = _dropped_is_rounding(problem, theta, factor, score)
        converged = decrement <= tol**2 and reachable
        if not converged and (stalled or n_iter >= max_iter):
            at_floor = _at_rounding_floor(problem, theta, factor, loop_decrement)
            converged = bool(at_floor) and reachable
            if at_floor and not reachable:
                break  # the steps left are rounding; the rest is out of reach
        if converged or n_iter >= max_iter:
            break
        # Stalled: a candidate must also have a smaller decrement.
        accept = partial(decrement_below, problem, loop_decrement) if stalled else None
        slack = rounding_slack(problem, theta, objective)
        accepted = line_search(problem, theta, objective, step, max_halvings, accept, slack)
        if accepted is None:
            # No point along the step keeps the objective: either θ is the
            # optimum to working precision, or the model cannot make progress
            # (reported as not converged). Where the problem bounds the
            # rounding of its score, that bound decides; otherwise the gain
            # the step promises (half the loop's decrement, in the
            # objective's units) below the objective's rounding error.
            at_floor = _at_rounding_floor(problem, theta, factor, loop_decrement)
            if at_floor is None:
                at_floor = loop_decrement <= 1e-10 * (1.0 + abs(objective))
            converged = at_floor and reachable
            break
        # A step whose gain is below the objective's rounding error is a sign
        # that θ is at the precision the data allow (checked at the next θ).
        stalled = accepted[1] - objective <= slack
        theta, objective = accepted
        n_iter += 1
    return ScoringResult(
        theta=theta,
        objective=objective,
        score=score,
        information=information,
        factor=factor,
        decrement=decrement,
        n_iter=n_iter,
        converged=converged,
    )


def warn_not_converged(result, tol):
    """Emit the ``ConvergenceWarning`` for a result that did not converge."""
    if result.converged:
        return
    warn(
        f"Fisher scoring did not converge after {result.n_iter} iterations: the last "
        f"step was {np.sqrt(result.decrement):.3g} standard errors long (tol={tol:g}). "
        "Increase max_iter, loosen tol, or check the model for separation or "
        "collinear features. Where the expected and observed information differ "
        "much (a non-canonical link, outliers) Fisher scoring converges linearly "
        "and needs more iterations.",
        ConvergenceWarning,
    )


@contextmanager
def numbered_iterations(first):
    """Within, :func:`fisher_scoring` logs its iterations numbered from ``first``.

    ``first`` is the number of iterations the start counts for (so that the
    last number logged is the fit's ``n_iter_``); None logs nothing. Each
    record also gives the seconds since the context was entered.
    """
    token = _ITERATION_LOG.set(None if first is None else (first, time.perf_counter()))
    try:
        yield
    finally:
        _ITERATION_LOG.reset(token)


def log_iteration(n_iter, objective, decrement):
    """Log one iteration of the loop where :func:`numbered_iterations` asks for it."""
    numbering = _ITERATION_LOG.get()
    if numbering is None:
        return
    first, started = numbering
    LOGGER.info(
        "Fisher scoring iteration %d: objective %.12g, step %.3g standard errors (%.2f s)",
        first + n_iter,
        objective,
        np.sqrt(decrement),
        time.perf_counter() - started,
    )


def _at_rounding_floor(problem, theta, factor, loop_decrement):
    """Return whether the loop's decrement is within that of the score's rounding bound.

    Twice the bound stands for the rounding of the score and of its
    comparison: a decrement below it is noise, not a step still to take.
    None when the problem offers no bound.
    """
    bound = problem.score_rounding(theta, factor.inverse_root())
    if bound is None or not np.isfinite(bound):
        return None
    return bool(np.sqrt(loop_decrement) <= 2.0 * bound)


def _dropped_is_rounding(problem, theta, factor, score):
    """Return whether the part of the score that ``factor`` drops is within its rounding.

    True when nothing is dropped (a full-rank information) or the problem
    offers no rounding bound.
    """
    directions = factor.null_directions()
    if not directions.shape[1]:
        return True
    bound = problem.score_rounding(theta, directions)
    if bound is None or not np.isfinite(bound):
        return True
    return float(np.linalg.norm(directions.T @ score)) <= 2.0 * bound
