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
positive definite (:mod:`skfisher.ordinal._fit`): far from θ̂, where the
profile's tests and interval ends lie, the expected information can be half
the observed one in some direction, and Fisher scoring's steps then
overshoot and bounce at a rate near 1 (a cloglog refit with a threshold 10
standard errors out was 0.02 standard errors from its maximum after 200
steps; Newton's converged in 6). Everything else is the core engine's.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._profile import LikelihoodProfile
from ._fit import NewtonSteps


class ThresholdProfile(LikelihoodProfile):
    """The core profile of a fitted ``FisherOrdinalRegression``, with ordered refit starts."""

    def __init__(self, estimator):
        super().__init__(estimator)
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


class ThresholdProfileMixin:
    """``conf_int``, ``lr_pvalues_`` and ``summary`` through :class:`ThresholdProfile`.

    Each puts this model's profile where the core engine
    (:mod:`skfisher._profile`) keeps the profile of a fit, the estimator's
    ``_likelihood_cache["profile"]`` (emptied by every fit), before the core
    method runs, so that caching, warnings and refusals stay the engine's.
    To be placed before :class:`~skfisher._contract.FisherMixin`.
    """

    def conf_int(self, alpha=0.05, method="wald"):
        """Return confidence intervals: Wald (default) or profile likelihood.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the confidence level.
        method : {"wald", "profile"}, default="wald"
            ``"wald"``: ``params_ ± z standard_errors_``. ``"profile"``: the
            values whose likelihood-ratio statistic against the fit is below
            the χ²₁ quantile, each end found by root-finding on refits with
            the parameter held fixed (:mod:`skfisher._profile`); the refits
            for a threshold start from ordered thresholds.

        Returns
        -------
        intervals : ndarray of shape (n_params, 2)
            Lower and upper bounds, rows in the order of ``param_names_``.
        """
        if method == "profile":
            self._use_threshold_profile()
        return super().conf_int(alpha, method)

    @property
    def lr_pvalues_(self):
        """Likelihood-ratio p-values of ``θ_j = 0``, shape (n_params,), one refit each."""
        self._use_threshold_profile()
        return super().lr_pvalues_

    def summary(self, alpha=0.05, ci="wald"):
        """Return the coefficient table with standard errors, tests and intervals.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the confidence level of the intervals.
        ci : {"wald", "profile"}, default="wald"
            Wald tests and intervals, or likelihood-ratio tests and profile
            intervals (see :meth:`conf_int`).

        Returns
        -------
        table : SummaryTable
            Prints like statsmodels' summary; ``table.to_frame()`` gives a
            pandas DataFrame.
        """
        if ci == "profile":
            self._use_threshold_profile()
        return super().summary(alpha, ci)

    def _use_threshold_profile(self):
        """Give the core profile engine the profile whose threshold refits start ordered.

        Where the engine would refuse (no data kept, a penalty, a fit that did
        not converge), nothing is set and its message stands.
        """
        check_is_fitted(self, "params_")
        if getattr(self, "_fitted_problem", None) is None or self.alpha != 0:
            return
        if not self.converged_:
            return
        cache = self.__dict__.setdefault("_likelihood_cache", {})
        if "profile" not in cache:
            cache["profile"] = ThresholdProfile(self)
