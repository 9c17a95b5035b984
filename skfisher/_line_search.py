"""The line search of the Fisher-scoring loops, and what judges a step at the rounding floor.

:func:`line_search` halves a step until the objective does not drop by more
than its rounding (:func:`rounding_slack`: ``1e-12 (1 + |objective|)``, or twice
the bound the problem declares by ``objective_rounding``); once the objective's
changes no longer tell a better point from a worse one, the loop also asks that
the Newton decrement fall (:func:`decrement_below`), the score being computed
more finely than the objective.
"""

import numpy as np

from ._linalg import SymmetricFactor


def line_search(problem, theta, objective, step, max_halvings, accept=None, slack=None):
    """Return the first ``(θ + t d, objective)`` for t = 1, ½, ¼, … that does not decrease.

    With ``accept`` (given once the objective's changes are at its rounding
    error and no longer tell a better point from a worse one), a candidate
    must also pass ``accept(candidate)``: the score, computed more finely
    than the objective, then judges the step.
    """
    slack = rounding_slack(problem, theta, objective) if slack is None else slack
    t = 1.0
    for _ in range(max_halvings + 1):
        candidate = theta + t * step
        value = problem.objective(candidate)
        if np.isfinite(value) and value >= objective - slack:
            if accept is None or accept(candidate):
                return candidate, value
        t *= 0.5
    return None


def rounding_slack(problem, theta, objective):
    """The change of the objective at θ that is within its rounding."""
    bound = problem.objective_rounding(theta)
    slack = 1e-12 * (1.0 + abs(objective))
    return max(slack, 2.0 * bound) if bound is not None and np.isfinite(bound) else slack


def decrement_below(problem, decrement, theta):
    """Whether the loop's Newton decrement at θ is below ``decrement``."""
    return loop_decrement(problem, theta) < decrement


def loop_decrement(problem, theta):
    """Return the loop's Newton decrement ``Uᵀ I⁻¹ U`` at θ."""
    score, information = problem.score_information(theta)
    return max(float(score @ SymmetricFactor(information).solve(score)), 0.0)
