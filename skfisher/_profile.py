"""Profile-likelihood confidence intervals and likelihood-ratio p-values, for every model.

Both hold one parameter fixed and refit the others with the same engine
(:func:`~skfisher._scoring.fisher_scoring`). For a GLM, holding ``β_j = b`` is
the model with the column ``x_j`` moved out of the design into the offset
``b x_j``; :class:`FixedProblem` does exactly that for any scoring problem
(GLM, negative binomial with α, multinomial, Firth, distributions) by
evaluating the full problem at ``θ`` with ``θ_j = b`` and keeping the score
and information of the free parameters.

**What a problem declares.** The engine uses the fitted problem that the
estimator keeps (``_fitted_problem``) and its declarations: ``objective_scale()``,
the factor turning differences of its objective into ones of the log-likelihood,
and ``profile_refusal``, why profile quantities are not defined for the fit (None:
they are); an estimator may name a ``profile_class`` of its own. The refits run on
a copy of the problem (:func:`refit_copy`).

**The statistic.** With ``ℓ̃(b)`` the maximum of the objective over the free
parameters at ``θ_j = b`` and ``ℓ̂`` the unrestricted maximum,

    LR(b) = 2 [ℓ̂ − ℓ̃(b)],      r(b) = sign(b − θ̂_j) √LR(b),

the signed root, which is close to linear in ``b``. The profile interval at
level ``1 − α`` is ``{b : LR(b) ≤ χ²₁(1 − α)}``; its ends solve
``r(b) = ±z_{1−α/2}`` and are found by :func:`scipy.optimize.brentq` on ``r``,
after bracketing by doubling steps of ``z · SE`` away from ``θ̂_j``. Each end is
located to ``1e-9`` standard errors, so LR there equals the χ² quantile to a
relative ``1e-8``; every refit stops at a Newton decrement of ``1e-10``.

The likelihood-ratio p-value of ``θ_j`` is ``P(χ²₁ > LR(0))``.

**Firth fits** profile the penalised log-likelihood ℓ* (the penalty is the
log-determinant of the full model's information with ``θ_j`` held fixed), as
R's ``logistf`` does for its default intervals and penalised LR tests.

**Families with a dispersion** (gaussian, gamma, inverse Gaussian, Tweedie)
hold φ at the Pearson estimate φ̂ of the full fit: ``LR(b) = [D̃(b) − D̂] / φ̂``
(D the deviance), referred to χ²₁, as R's ``confint.glm`` (MASS's ``profile.glm``)
and ``anova(..., test="Chisq")`` do. The negative binomial with α estimated
re-estimates α in every refit (a true profile).
"""

import copy

import numpy as np
import scipy.sparse as sp
from scipy import optimize, stats
from sklearn.utils.validation import check_is_fitted

from ._scoring import ScoringProblem, fisher_scoring
from ._warnings import warn
from .exceptions import ProfileWarning

# Stop of every refit, in standard errors of the step (Newton decrement).
_REFIT_TOL = 1e-10
_REFIT_MAX_ITER = 200
# brentq's absolute tolerance on an interval end, in standard errors of θ̂_j.
_ENDPOINT_XTOL = 1e-9
# Doublings of the bracketing step before an end is declared infinite.
_MAX_DOUBLINGS = 40


class FixedProblem(ScoringProblem):
    """A scoring problem with the parameters ``fixed`` held at ``values``.

    Parameters
    ----------
    problem : ScoringProblem
        The full problem.
    n_params : int
        The number k of its parameters.
    fixed : array-like of int
        Indices of the parameters held fixed.
    values : array-like of float
        Their values.

    Notes
    -----
    The free parameters ``θ_F`` are the rest, in order. The objective and its
    rounding are the full problem's at ``θ``, the score and information its
    free entries and block ``I_FF``: for a GLM, the problem of the design
    without the fixed columns and the offset ``X_fixed values``.
    """

    def __init__(self, problem, n_params, fixed, values):
        self.problem = problem
        self.fixed = np.atleast_1d(np.asarray(fixed, dtype=int))
        self.values = np.atleast_1d(np.asarray(values, dtype=float))
        self.free = np.setdiff1d(np.arange(n_params), self.fixed)

    def full(self, theta_free):
        """Return the full θ with the fixed values inserted, shape (k,)."""
        theta = np.empty(self.free.size + self.fixed.size)
        theta[self.free] = theta_free
        theta[self.fixed] = self.values
        return theta

    def objective(self, theta):
        return self.problem.objective(self.full(theta))

    def score_information(self, theta):
        score, information = self.problem.score_information(self.full(theta))
        return score[self.free], information[np.ix_(self.free, self.free)]

    def loglik(self, theta):
        return self.problem.loglik(self.full(theta))

    def objective_rounding(self, theta):
        return self.problem.objective_rounding(self.full(theta))


class LikelihoodProfile:
    """The profile of a fitted estimator's objective, one parameter at a time.

    Parameters
    ----------
    estimator : fitted estimator
        Its ``_fitted_problem`` (kept by ``_set_fisher``) is copied, so that the
        refits never touch the estimator, and the maximum is re-polished to the
        refits' tolerance from ``params_``.
    objective_scale : callable, default=None
        ``problem -> float``, used instead of the problem's own
        ``objective_scale()`` (for problems that do not declare one).
    """

    def __init__(self, estimator, objective_scale=None):
        problem = refit_copy(estimator._fitted_problem)
        self.problem = problem
        self.scale = (objective_scale or _objective_scale)(problem)
        result = fisher_scoring(
            problem, np.asarray(estimator.params_, float), max_iter=_REFIT_MAX_ITER, tol=_REFIT_TOL
        )
        self.theta = result.theta
        self.maximum = result.objective
        variances = np.diag(result.factor.inverse()) / self.scale
        self.standard_errors = np.sqrt(np.where(variances > 0, variances, np.nan))
        self.names = [str(name) for name in estimator.param_names_]
        self.unconverged = set()
        self.discontinuous = set()

    def statistic(self, j, value, start=None, restarts=False):
        """Return ``(LR, θ_free)`` with ``θ_j = value``; LR is None outside the domain.

        The refit starts from ``start`` (the previous point of the profile) or
        from ``θ̂``; with ``restarts`` it runs from both and keeps the higher
        maximum.
        """
        fixed = FixedProblem(self.problem, self.theta.size, [j], [value])
        default = self.theta[fixed.free]
        if start is None:
            starts = [default]
        else:
            starts = [start, default] if restarts else [start, None]
        best = None
        for theta0 in starts:
            if theta0 is None:
                # A warm start outside the domain falls back on θ̂.
                if best is not None:
                    break
                theta0 = default
            if not np.isfinite(fixed.objective(theta0)):
                continue
            result = fisher_scoring(fixed, theta0, max_iter=_REFIT_MAX_ITER, tol=_REFIT_TOL)
            if best is None or result.objective > best.objective:
                best = result
        if best is None:
            return None, None
        # A decrement below the objective's rounding promises no measurable gain (the
        # loop's own test when its line search stalls): the refit is done.
        if not (best.converged or best.decrement <= 1e-10 * (1.0 + abs(best.objective))):
            self.unconverged.add(self.names[j])
        statistic = 2.0 * self.scale * (self.maximum - best.objective)
        return max(statistic, 0.0), best.theta

    def interval(self, j, z):
        """Return the ends ``(lower, upper)`` where ``LR = z²`` around ``θ̂_j``."""
        if not np.isfinite(self.standard_errors[j]):
            return np.nan, np.nan
        return self._end(j, -1.0, z), self._end(j, 1.0, z)

    def _end(self, j, side, z):
        """Return the end of the interval on one side of ``θ̂_j``.

        A penalised (Firth) log-likelihood need not be concave: along the
        profile the restricted maximum can move from one local maximum to
        another, and warm starts can then follow the lower one, so that
        brentq lands on a jump of LR rather than on a root. A jump is
        detected by evaluating LR at the end found; the search is then
        repeated with every refit also started from θ̂.
        """
        end, jumped = self._search(j, side, z, restarts=False)
        if jumped:
            end, jumped = self._search(j, side, z, restarts=True)
            if jumped:
                self.discontinuous.add(self.names[j])
        return end

    def _search(self, j, side, z, restarts):
        """Return ``(θ̂_j + side d, jumped)`` with ``√LR = z``: bracketing, then brentq."""
        center, se = self.theta[j], self.standard_errors[j]
        warm = {"start": None}

        def excess(d):
            # √LR(θ̂_j + side d) − z: negative inside the interval, rising with d.
            statistic, theta_free = self.statistic(j, center + side * d, warm["start"], restarts)
            if statistic is None:
                return None
            warm["start"] = theta_free
            return np.sqrt(statistic) - z

        inside, outside, infeasible = 0.0, z * se, np.inf
        for _ in range(4 * _MAX_DOUBLINGS):
            value = excess(outside)
            if value is not None and value >= 0:
                break
            if value is None:
                # Outside the domain (the NB's α ≤ 0): the end is between the last inside and here.
                infeasible = outside
                growth = 2.0
            else:
                inside = outside
                # √LR is nearly linear in d: aim 10% beyond the linear guess.
                growth = min(2.0, max(1.05, 1.1 * z / max(value + z, 1e-12)))
            if infeasible - inside <= _ENDPOINT_XTOL * se:
                # LR stays below z² up to the boundary of the domain.
                return center + side * inside, False
            if inside > 2.0**_MAX_DOUBLINGS * z * se:
                return side * np.inf, False
            outside = min(
                growth * inside if inside else 2.0 * outside, 0.5 * (inside + infeasible)
            )
        else:
            return side * np.inf, False

        def bounded(d):
            value = excess(d)
            return np.inf if value is None else value

        if inside > 0 and bounded(inside) >= 0:
            # The end is at the last point inside to rounding (√LR linear, as
            # for the gaussian): re-evaluated, √LR − z there changed sign.
            d = inside
        else:
            try:
                d = optimize.brentq(bounded, inside, outside, xtol=_ENDPOINT_XTOL * se)
            except ValueError:
                # Refits short of their maximum (ProfileWarning, warm starts differ) can
                # move √LR − z across 0 at one point: then the last point outside is the end.
                self.unconverged.add(self.names[j])
                return center + side * outside, False
        value = excess(d)
        return center + side * d, value is None or abs(value) > 1e-6 * z

    def test_zero(self, j):
        """Return ``(LR(0), P(χ²₁ > LR(0)))`` for ``θ_j = 0``; nan when 0 is outside the domain."""
        if not np.isfinite(self.standard_errors[j]):
            return np.nan, np.nan
        statistic, _ = self.statistic(j, 0.0)
        if statistic is None:
            return np.nan, np.nan
        return statistic, float(stats.chi2.sf(statistic, 1))

    def warn_unconverged(self):
        """Warn for the parameters whose refits did not converge or whose profile jumps."""
        if self.discontinuous:
            warn(
                "The likelihood-ratio statistic jumps across the χ² quantile for the "
                f"parameters {sorted(self.discontinuous)}: their restricted fits have several "
                "local maxima, and the interval end reported is where the statistic jumps.",
                ProfileWarning,
            )
            self.discontinuous = set()
        if self.unconverged:
            warn(
                "Some refits with a parameter held fixed did not converge (parameters "
                f"{sorted(self.unconverged)}); their profile quantities may be inaccurate. "
                "The model may be separated or nearly so: consider bias_reduction='firth'.",
                ProfileWarning,
            )
            self.unconverged = set()


def profile_conf_int(estimator, alpha, *, objective_scale=None):
    """Return profile-likelihood intervals at level ``1 − alpha``, shape (k, 2).

    Cached per ``alpha`` until the estimator is refitted. ``objective_scale``
    as in :class:`LikelihoodProfile`.
    """
    cache = _cache(estimator)
    key = ("conf_int", float(alpha))
    if key not in cache:
        profile = _profile(estimator, objective_scale)
        z = float(stats.norm.ppf(1.0 - alpha / 2.0))
        cache[key] = np.array([profile.interval(j, z) for j in range(profile.theta.size)])
        profile.warn_unconverged()
    return cache[key].copy()


def lr_pvalues(estimator, *, objective_scale=None):
    """Return the likelihood-ratio p-value of ``θ_j = 0`` for every parameter, shape (k,)."""
    return lr_tests(estimator, objective_scale=objective_scale)[1]


def lr_tests(estimator, *, objective_scale=None):
    """Return the statistics ``LR_j = 2 [ℓ̂ − ℓ̃(θ_j = 0)]`` and their χ²₁ p-values, each (k,).

    One refit per parameter, cached until the estimator is refitted.
    """
    cache = _cache(estimator)
    if "lr_tests" not in cache:
        profile = _profile(estimator, objective_scale)
        tests = np.array([profile.test_zero(j) for j in range(profile.theta.size)])
        cache["lr_tests"] = tests.reshape(-1, 2).T
        profile.warn_unconverged()
    statistic, pvalues = cache["lr_tests"]
    return statistic.copy(), pvalues.copy()


def _cache(estimator):
    check_is_fitted(estimator, "params_")
    cache = getattr(estimator, "_likelihood_cache", None)
    if cache is None:
        cache = estimator._likelihood_cache = {}
    return cache


def _profile(estimator, objective_scale=None):
    """Return the estimator's (cached) :class:`LikelihoodProfile` after checking it applies."""
    cache = _cache(estimator)
    if "profile" not in cache:
        _check_profile(estimator)
        # A model whose refits need more (ordered thresholds) names its subclass.
        profile_class = getattr(estimator, "profile_class", None) or LikelihoodProfile
        cache["profile"] = profile_class(estimator, objective_scale)
    return cache["profile"]


def _check_profile(estimator):
    name = type(estimator).__name__
    if getattr(estimator, "_fitted_problem", None) is None:
        raise ValueError(
            f"Profile likelihoods are not available for this {name}: it does not hold "
            "the data of its fit (an estimator restored from a pickle, or fitted on dask "
            "arrays, keeps only the fitted quantities). Refit it, or use method='wald'."
        )
    alpha = getattr(estimator, "alpha", 0.0)
    if alpha != 0:
        raise ValueError(
            f"Profile-likelihood intervals and likelihood-ratio p-values need a likelihood; "
            f"the fit maximised an L2-penalised one (alpha={alpha!r}), whose ratio has no "
            "χ² reference. Refit with alpha=0 (or bias_reduction='firth'), or use "
            "method='wald'."
        )
    refusal = getattr(estimator._fitted_problem, "profile_refusal", None)
    if refusal is not None:
        raise ValueError(refusal)
    if not estimator.converged_:
        raise ValueError(
            f"Profile-likelihood quantities need a converged fit; this {name} fit did not "
            "converge (under separation the maximum likelihood estimate does not exist). "
            "Refit with bias_reduction='firth', a larger max_iter, or use method='wald'."
        )


def _objective_scale(problem):
    """Return the factor turning objective differences into log-likelihood differences.

    The problem's own ``objective_scale()`` where it declares one (a GLM whose
    loop runs at a fixed dispersion φ₀ with the objective ``−D/(2φ₀)``: at the
    reported φ̂ the log-likelihood difference is ``φ₀/φ̂`` times the objective
    difference); otherwise 1, the objective being the log-likelihood.
    """
    declared = getattr(problem, "objective_scale", None)
    return 1.0 if declared is None else float(declared())


def refit_copy(problem):
    """Return a copy of ``problem`` that shares its data but not its mutable state.

    A problem changes itself while it is evaluated: it caches the state of
    its last θ, and the objects it holds may change too (the negative
    binomial sets its family's α at every evaluation, an inner problem has its
    own cache). So the copy is one level deep in every object the problem
    holds, and recursive in the problems it holds; the data (arrays, sparse
    matrices) are shared, never copied.
    """
    clone = copy.copy(problem)
    for name, value in list(vars(clone).items()):
        if isinstance(value, ScoringProblem):
            setattr(clone, name, refit_copy(value))
        elif _holds_state(value):
            setattr(clone, name, copy.copy(value))
    return clone


def _holds_state(value):
    """Whether ``value`` is an object with attributes of its own, not data."""
    if isinstance(value, np.ndarray) or sp.issparse(value):
        return False
    return hasattr(value, "__dict__") and not isinstance(value, type)
