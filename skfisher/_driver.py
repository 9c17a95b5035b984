"""The one fit driver: from a model's problem and its starts to the published result.

Every Fisher-scoring estimator (the GLMs in memory, sparse or on dask,
logistic regression binary or multinomial, Firth and FLIC, the
distributions, ``FisherMLE``) validates its data, builds its
:class:`~skfisher._scoring.ScoringProblem` and starting values, and hands
them, as a :class:`Model`, to :func:`drive`, which owns the rest, in this
order:

1. the loop from each start (the model may bring its own: a bias-reduced
   fit's, the distributions' over several columns, Newton's for a user's
   likelihood), keeping the best maximum;
2. the model's boundary diagnostics (separation, a parameter running into
   the edge of its domain), which name the parameters without a standard
   error and warn; otherwise the convergence report and the collinearity
   warning;
3. the dispersion φ̂ at which the matrices are reported;
4. the result (:class:`~skfisher._result.FisherResult`), published on the
   estimator by ``_set_fisher``.

The warnings are emitted through :func:`skfisher._warnings.warn`, which
attributes them to the user's call of ``fit`` wherever this runs from.

An estimator's ``verbose`` (read where it has one, 0 otherwise) at 1 or more
has the loop log each iteration to the ``"skfisher"`` logger
(:func:`~skfisher._scoring.numbered_iterations`); :func:`visible_log` makes
the records show where the user has not configured logging.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from numbers import Integral

from ._scoring import LOGGER, fisher_scoring, numbered_iterations, warn_not_converged
from ._validation import warn_collinear


def plain_loop(problem, theta0, max_iter, tol):
    """The loop of a model that brings none: :func:`~skfisher._scoring.fisher_scoring`."""
    return problem, fisher_scoring(problem, theta0, max_iter=max_iter, tol=tol)


@dataclass
class Model:
    """What a model adds to the loop, for :func:`drive`.

    Attributes
    ----------
    problem : ScoringProblem
        The log-likelihood to maximise.
    names : list of str
        The parameter names.
    nobs : float
        Σw, the number of observations.
    starts : list of (ndarray, int)
        Starting values, each with the iterations its construction counts
        for (1 for a least-squares step, as R's ``glm`` counts it). The loop
        runs from each in turn and keeps the higher maximum (on a tie, the
        first; a converged fit over one that did not).
    loop : callable, default fisher_scoring
        ``loop(problem, theta0, max_iter, tol) -> (problem, result)``: the
        problem returned is the one whose quantities are reported (a
        bias-reduced fit returns its penalised problem).
    diagnose : callable or None
        ``diagnose(problem, result) -> indices or None``: None when the fit
        is inside the parameter space; at its boundary (separation, a
        parameter at the edge of its domain) the parameters without a
        standard error, possibly none, after warning. A fit at the boundary
        is reported not converged, without the generic convergence warning.
    dispersion : callable or None
        ``dispersion(problem, result) -> (phi, loop_phi)``: the dispersion the
        matrices are reported at and the one the loop ran at (nan ``phi``:
        not estimable). By default both 1.
    report : callable, default warn_not_converged
        ``report(result, tol)`` warns about how the loop ended, inside the
        parameter space (by default, only when it did not converge).
    collinear : callable or None, default warn_collinear
        ``collinear(factor, names)`` warns about the parameters a singular
        information leaves unidentified (None: ``diagnose`` does).
    publish : dict
        Keyword arguments of ``_set_fisher`` (groups, scale, rows, …).
    """

    problem: object
    names: list
    nobs: float
    starts: list
    loop: object = plain_loop
    diagnose: object = None
    dispersion: object = None
    collinear: object = warn_collinear
    report: object = warn_not_converged
    publish: dict = field(default_factory=dict)


def check_verbose(verbose):
    """Return ``verbose`` as an int, or raise a ValueError that says what it may be."""
    if isinstance(verbose, Integral) and verbose >= 0:
        return int(verbose)
    raise ValueError(
        "verbose must be a non-negative integer (0: silent, 1: a log record per "
        f"Fisher-scoring iteration, 2: also dask's progress bars); got {verbose!r}."
    )


@contextmanager
def visible_log(verbose):
    """Let the INFO records of the ``"skfisher"`` logger show, at ``verbose >= 1``.

    Yields whether records are to be emitted at all (``verbose >= 1``).
    Logging the user configured is left as it is. Where nothing would show
    the records (the logger's own level unset under a root above INFO, or no
    handler anywhere), the logger gets the INFO level and a handler on
    stderr for the duration, as a scikit-learn estimator's ``verbose``
    shows its progress without any set-up.
    """
    if verbose < 1:
        yield False
        return
    level = LOGGER.level
    if level == logging.NOTSET and not LOGGER.isEnabledFor(logging.INFO):
        LOGGER.setLevel(logging.INFO)
    handler = None if LOGGER.hasHandlers() else logging.StreamHandler()
    if handler is not None:
        LOGGER.addHandler(handler)
    try:
        yield True
    finally:
        LOGGER.setLevel(level)
        if handler is not None:
            LOGGER.removeHandler(handler)


def drive(estimator, model):
    """Fit ``model`` for ``estimator``, publish the result, return ``(problem, result, φ̂)``."""
    verbose = check_verbose(getattr(estimator, "verbose", 0))
    problem = result = None
    for index, (theta0, steps) in enumerate(model.starts):  # the best maximum over the starts
        with visible_log(verbose) as logged, numbered_iterations(steps if logged else None):
            if logged and len(model.starts) > 1:
                LOGGER.info("Fisher scoring from start %d of %d", index + 1, len(model.starts))
            fitted, candidate = model.loop(
                model.problem, theta0, max(estimator.max_iter - steps, 0), estimator.tol
            )
        candidate.n_iter += steps
        if result is None or _better(candidate, result):
            problem, result = fitted, candidate
    dropped = model.diagnose(problem, result) if model.diagnose is not None else None
    if dropped is not None:
        result.converged = False
    else:
        model.report(result, estimator.tol)
        if model.collinear is not None:
            model.collinear(result.factor, model.names)
    phi, loop_phi = (1.0, 1.0) if model.dispersion is None else model.dispersion(problem, result)
    estimator._set_fisher(
        problem,
        result,
        model.names,
        nobs=model.nobs,
        nan_params=() if dropped is None else dropped,
        phi=phi,
        loop_phi=loop_phi,
        **model.publish,
    )
    return problem, result, phi


def _better(candidate, incumbent):
    """A higher objective beyond rounding, or converged where the incumbent is not."""
    slack = 1e-10 * (1.0 + abs(incumbent.objective))
    higher = candidate.objective > incumbent.objective + slack
    return higher or (candidate.converged and not incumbent.converged)
