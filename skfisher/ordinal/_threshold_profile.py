"""Profile likelihoods of a cumulative-link model, with the thresholds kept in order.

The core engine (:class:`~skfisher._profile.LikelihoodProfile`) holds one
parameter at a value b and refits the others from the previous point of the
profile or from θ̂. For a threshold that start can be outside the domain:
with ``c_j = b`` beyond a neighbour's value the thresholds no longer increase,
the objective there is ``−inf`` and the engine would take b for the edge of
the parameter's domain (an interval cut at the neighbour's estimate), while
the restricted maximum exists and has the neighbour beyond b. Here such a
start is moved into the domain first: each threshold on the far side of b
keeps at least its distance to ``c_j`` at θ̂,

    c_l ← max(c_l, b + ĉ_l − ĉ_j)   (l > j),      c_l ← min(c_l, b + ĉ_l − ĉ_j)   (l < j),

which orders them, and the refit runs from there (on a concave objective for
the links with log-concave densities, all but the cauchit: Pratt 1981,
"Concavity of the log likelihood", JASA 76).

The refits take the fit's steps, Newton's where the observed information is
positive definite (:mod:`skfisher._newton`): far from θ̂, where the
profile's tests and interval ends lie, the expected information can be half
the observed one in some direction, and Fisher scoring's steps then
overshoot and bounce at a rate near 1 (a cloglog refit with a threshold 10
standard errors out was 0.02 standard errors from its maximum after 200
steps; Newton's converged in 6). Everything else is the core engine's.
"""

import numpy as np

from .._newton import NewtonSteps
from .._profile import LikelihoodProfile


class ThresholdProfile(LikelihoodProfile):
    """The core profile of a fitted ``FisherOrdinalRegression``, with ordered refit starts.

    The estimator names it as its ``profile_class``; the core engine builds it.
    """

    def __init__(self, estimator, objective_scale=None):
        super().__init__(estimator, objective_scale)
        self.n_features = self.problem.n_features
        self.problem = NewtonSteps(self.problem)

    def statistic(self, j, value, start=None, restarts=False):
        """Return ``(LR, θ_free)`` with ``θ_j = value``, from a start with ordered thresholds."""
        if j >= self.n_features:
            start = self._ordered_start(j, value, start)
        return super().statistic(j, value, start, restarts)

    def _ordered_start(self, j, value, start):
        """The free parameters of ``start`` (or θ̂) with the thresholds ordered around ``value``."""
        theta = self.theta.copy()
        free = np.delete(np.arange(theta.size), j)
        if start is not None:
            theta[free] = start
        theta[j] = value
        if self.problem.ordered(theta):
            return theta[free]
        fitted = self.theta[self.n_features :]
        cuts = theta[self.n_features :]
        anchor = j - self.n_features
        spread = value + fitted - fitted[anchor]
        cuts[anchor + 1 :] = np.maximum(cuts[anchor + 1 :], spread[anchor + 1 :])
        cuts[:anchor] = np.minimum(cuts[:anchor], spread[:anchor])
        return theta[free]
