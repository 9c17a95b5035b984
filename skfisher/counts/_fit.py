"""Starting values, the loop and the boundary diagnostics of the two-part count models.

The starts are the fits of the parts alone: the count model by itself (on
every row for the zero-inflated model; the zero-truncated count model of the
positive counts for the hurdle, which is already its count part's estimate),
then one loop over all parameters with the closed-form matrices of
:mod:`._mixture`: Newton's steps where the observed information is positive
definite, Fisher-scoring steps with the expected information elsewhere
(:mod:`skfisher._newton`; on the bundled RAND data the zero-inflated
negative binomial takes 51 scoring steps, 9 Newton's). No EM warm-up is
needed: the line search keeps every step uphill, and the starts are close.

Two boundaries: the zero-inflated model's structural zeros can vanish (every
``π_i → 0``, the counts then have no excess zeros and the inflation
coefficients run to −∞), and the negative binomial's α can run into 0 (no
overdispersion; the loop keeps α ≥ 1e-8, where its derivatives still have
their digits). At either, the line search cannot take a full step any more,
so the other parameters are refitted with those at the boundary held there:
the count model alone at a vanished inflation, the Poisson two-part model at
α = 0. Both are reported with a ``BoundaryWarning``, ``converged_=False`` and
nan standard errors for the parameters at the boundary, and the other
numbers are those of the model without them.

A zero part whose rows are separated (zeros and positive counts split by a
hyperplane in its columns) has no maximum either: its coefficients diverge,
and a ``PerfectSeparationWarning`` names them, as a logistic regression's.
"""

import numpy as np
from scipy.special import expit, logit

from .._newton import newton_loop
from .._scoring import fisher_scoring
from .._validation import find_separation, warn_separation
from .._warnings import warn
from ..exceptions import BoundaryWarning
from ._distributions import PoissonCounts
from ._problem import CountProblem

# Below this largest structural-zero probability the inflation has vanished:
# it changes the log-likelihood and the count part's estimates by less than
# about that much, relative.
VANISHED = 1e-9
# An α below this with a negative score has run into 0.
ALPHA_FLOOR = 1e-7
# A zero part's fitted probability this close to 0 or 1 (|ζ| ≥ 15) calls for
# the check of separation, as a logistic regression's does.
SEPARATION_MARGIN = 1.0 / (1.0 + np.exp(15.0))
# The negative binomial's starting α when the count model's own fit has none
# (α at 0), and where the loop resumes when α's score is positive at α = 0.
START_ALPHA = 0.05
# The zero-inflated model's start, the count model alone, is fitted to this
# tolerance only: the loop on every parameter takes it the rest of the way.
START_TOL = 1e-2


def count_fit(design, y, w, dist, offset, max_iter, tol, kind="plain"):
    """Fit the count model alone (``kind`` "plain" or "truncated").

    Returns θ = [β, α…] and the number of scoring steps taken.
    """
    mean = np.average(y, weights=w)
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(mean) - (0.0 if offset is None else np.average(offset, weights=w))
    poisson = CountProblem(design, None, y, w, PoissonCounts, kind, offset=offset)
    fitted = fisher_scoring(poisson, beta, max_iter=max_iter, tol=tol)
    if not dist.n_extra:
        return fitted.theta, fitted.n_iter
    mu = np.exp(design @ fitted.theta + (0.0 if offset is None else offset))
    moment = np.sum(w * (np.square(y - mu) - y)) / np.sum(w * np.square(mu))
    start = np.append(fitted.theta, np.clip(moment, START_ALPHA, 10.0))
    problem = CountProblem(design, None, y, w, dist, kind, offset=offset)
    negbin = fisher_scoring(problem, start, max_iter=max_iter, tol=tol)
    return negbin.theta, fitted.n_iter + negbin.n_iter


def inflated_start(count_theta, problem):
    """θ₀ of the zero-inflated model: the count fit, and the share of excess zeros."""
    dist, y, w = problem.dist, problem.y, problem.w
    n_count = problem.slices[0].stop
    eta, _, _ = problem.split(
        np.concatenate(
            [count_theta[:n_count], np.zeros(problem.designs[1].shape[1]), count_theta[n_count:]]
        )
    )
    L0 = dist(count_theta[n_count:]).zero(np.exp(eta))[0]
    f0 = np.average(np.exp(L0), weights=w)
    observed = np.average(y == 0, weights=w)
    share = np.clip((observed - f0) / (1.0 - f0), 0.01, 0.9)
    gamma = np.zeros(problem.designs[1].shape[1])
    gamma[0] = logit(share)
    return np.concatenate([count_theta[:n_count], gamma, count_theta[n_count:]])


def hurdle_start(count_theta, problem):
    """θ₀ of the hurdle model: the counts' fit, and the share of positive counts."""
    n_count = problem.slices[0].stop
    gamma = np.zeros(problem.designs[1].shape[1])
    gamma[0] = logit(np.clip(np.average(problem.y > 0, weights=problem.w), 1e-3, 1 - 1e-3))
    return np.concatenate([count_theta[:n_count], gamma, count_theta[n_count:]])


def vanished(problem, theta):
    """Whether the zero-inflated model's structural zeros have vanished at θ."""
    _, zeta, _ = problem.split(theta)
    return bool(np.max(expit(zeta)) < VANISHED)


def alpha_at_boundary(problem, theta, score):
    """Whether the negative binomial's α ran into 0: below the floor, its score negative."""
    return bool(problem.dist.n_extra and theta[-1] < ALPHA_FLOOR and score[-1] < 0)


def _boundaries(problem, result):
    """Return ``(α at 0, inflation vanished)`` at the loop's result."""
    alpha_out = alpha_at_boundary(problem, result.theta, result.score)
    return alpha_out, problem.kind == "inflated" and vanished(problem, result.theta)


def _boundary_refit(problem, theta, flags, max_iter, tol):
    """Refit the parameters not at a boundary, with those at one held there.

    At α = 0 the count part is Poisson; with the inflation vanished, the
    model is the count model alone. Returns the full θ and the steps taken.
    """
    alpha_out, inflation_out = flags
    blocks = [problem.slices[0]]
    if not inflation_out:
        blocks.append(problem.slices[1])
    if problem.dist.n_extra and not alpha_out:
        blocks.append(problem.slices[-1])
    free = np.concatenate([np.arange(problem.n_params)[block] for block in blocks])
    part = CountProblem(
        problem.designs[0],
        None if inflation_out else problem.designs[1],
        problem.y,
        problem.w,
        PoissonCounts if alpha_out else problem.dist,
        "plain" if inflation_out else problem.kind,
        offset=problem.offset,
        alpha=problem.alpha,
    )
    fitted = newton_loop(part, theta[free], max_iter, tol)[1]
    theta = theta.copy()
    theta[free] = fitted.theta
    return theta, fitted.n_iter


def scoring_loop(problem, theta0, max_iter, tol):
    """The driver's loop (:func:`~skfisher._newton.newton_loop`), then the boundaries.

    Where α runs into 0 or the inflation vanishes, the loop cannot take a
    full step any more (the line search keeps α positive, the inflation
    coefficients drift off); the other parameters are then refitted with
    those at the boundary held there (a refit can reveal the other boundary,
    hence the second round). Where α's score is positive at the Poisson
    refit, the maximum is inside after all, and the loop resumes from there.
    """
    result = newton_loop(problem, theta0, max_iter, tol)[1]
    n_iter, flags = result.n_iter, _boundaries(problem, result)
    for _ in range(2):
        if not any(flags):
            break
        theta, steps = _boundary_refit(problem, result.theta, flags, max_iter, tol)
        result = fisher_scoring(problem, theta, max_iter=0, tol=tol)
        n_iter += steps
        if flags[0] and result.score[-1] > 0:
            theta[-1] = START_ALPHA
            result = newton_loop(problem, theta, max_iter, tol)[1]
            n_iter += result.n_iter
        new = _boundaries(problem, result)
        if new == flags or not any(new):
            break
        flags = tuple(a or b for a, b in zip(flags, new, strict=True))
    result.n_iter = n_iter
    return problem, result


def separated_zero_part(problem, result, names):
    """Warn and return the zero part's diverging parameters if its rows are separated.

    The zero part is a logistic model in ζ: a hurdle's ζ raises the
    likelihood of a positive count and lowers that of a zero, a zero-inflated
    model's the other way round (a larger π, a likelier zero). Where a
    direction of γ moves every row its own way (Konis's linear programme,
    :func:`~skfisher._validation.find_separation`), the likelihood rises
    along it without end and the maximum does not exist. None if not.
    """
    if problem.alpha > 0:
        return None
    pi = expit(problem.split(result.theta)[1])
    if result.converged and np.min(np.minimum(pi, 1.0 - pi)) > SEPARATION_MARGIN:
        return None
    up = problem.y == 0 if problem.kind == "inflated" else problem.y > 0
    found = find_separation(problem.designs[1], np.where(up, 1.0, -1.0))
    if found is None:
        return None
    zero = problem.slices[1]
    direction = np.zeros(len(names))
    direction[zero] = found.direction
    remedy = "set alpha > 0 (an L2 penalty), or leave the separating features out of the zero part"
    diverging = warn_separation(direction, names, remedy=remedy)
    return np.arange(len(names))[zero] if found.complete else diverging


def diagnose(names, zero_names):
    """Return the driver's ``diagnose``: the boundary parameters, after warning."""

    def check(problem, result):
        separated = separated_zero_part(problem, result, names)
        dropped = [] if separated is None else list(separated)
        if separated is None and problem.kind == "inflated" and vanished(problem, result.theta):
            warn(
                "The zero inflation vanished: every fitted probability of a structural "
                f"zero is below {VANISHED:g} (the inflation coefficients run to -inf), so "
                "the counts have no excess zeros given the features. The count part is the "
                "plain count model's fit; the inflation parameters have nan standard "
                "errors and converged_=False. Fit the plain count model instead.",
                BoundaryWarning,
            )
            dropped.extend(names.index(name) for name in zero_names)
        if problem.dist.n_extra:
            alpha = result.theta[-1]
            if alpha_at_boundary(problem, result.theta, result.score):
                warn(
                    f"The negative binomial's alpha went to its boundary 0 (alpha={alpha:.3g}, "
                    "its score still negative): the counts are not overdispersed given the "
                    "model, and the maximum-likelihood estimate of alpha is 0. The other "
                    "parameters are those of family='poisson', which fits these data; alpha's "
                    "standard error is nan and converged_=False.",
                    BoundaryWarning,
                )
                dropped.append(len(names) - 1)
        return np.array(dropped, dtype=int) if dropped else None

    return check


def null_loglik(kind, y, w, dist, offset, max_iter=100, tol=1e-8):
    """Return ``ℓ₀`` of the model of this ``kind`` without features (the score's reference).

    The hurdle's is in closed form but for the count part: the observed
    share of zeros, and the truncated count distribution with a constant
    mean (and α) fitted to the positive counts. The zero-inflated model's is
    fitted, with a constant π and a constant mean (times the exposure): with
    an offset it is not the hurdle's, whose P(0) cannot follow the exposure.
    """
    positive = y > 0
    if not positive.any():
        return 0.0  # every count 0: P(0) = 1 in either model
    if kind == "inflated":
        ones = np.ones((y.size, 1))
        problem = CountProblem(ones, ones, y, w, dist, kind, offset=offset)
        start = inflated_start(count_fit(ones, y, w, dist, offset, max_iter, tol)[0], problem)
        return problem.loglik(scoring_loop(problem, start, max_iter, tol)[1].theta)
    total, zeros = w.sum(), w[~positive].sum()
    share = zeros / total
    value = 0.0
    if 0.0 < share < 1.0:
        value = zeros * np.log(share) + (total - zeros) * np.log1p(-share)
    ones = np.ones((int(positive.sum()), 1))
    part = None if offset is None else offset[positive]
    theta = count_fit(ones, y[positive], w[positive], dist, part, max_iter, tol, kind="truncated")[
        0
    ]
    problem = CountProblem(ones, None, y[positive], w[positive], dist, "truncated", offset=part)
    return value + problem.loglik(theta)
