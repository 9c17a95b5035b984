"""Starting values, the loop and the boundary diagnostics of the two-part count models.

The starts are the fits of the parts alone: the count model by itself (on
every row for the zero-inflated model, on the positive counts for the
hurdle), then one loop over all parameters with the closed-form matrices of
:mod:`._mixture`: Newton's steps where the observed information is positive
definite, Fisher-scoring steps with the expected information elsewhere
(:mod:`skfisher._newton`; on the bundled RAND data the zero-inflated
negative binomial takes 51 scoring steps, 9 Newton's). No EM warm-up is
needed: the line search keeps every step uphill, and the starts are close.

Two boundaries: the zero-inflated model's structural zeros can vanish (every
``π_i → 0``, the counts then have no excess zeros and the inflation
coefficients run to −∞), and the negative binomial's α can run into 0 (no
overdispersion). Both are reported with a ``BoundaryWarning``,
``converged_=False`` and nan standard errors for the parameters at the
boundary; at a vanishing inflation the count part is refitted alone, so that
its numbers are those of the plain count model.
"""

import numpy as np
from scipy.special import expit, logit

from .._newton import newton_loop
from .._scoring import fisher_scoring
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


def count_fit(design, y, w, dist, offset, max_iter, tol, kind="plain"):
    """Fit the count model alone (``kind`` "plain" or "truncated"); return θ = [β, α…]."""
    mean = np.average(y, weights=w)
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(mean) - (0.0 if offset is None else np.average(offset, weights=w))
    poisson = CountProblem(design, None, y, w, PoissonCounts, kind, offset=offset)
    theta = fisher_scoring(poisson, beta, max_iter=max_iter, tol=tol).theta
    if not dist.n_extra:
        return theta
    mu = np.exp(design @ theta + (0.0 if offset is None else offset))
    moment = np.sum(w * (np.square(y - mu) - y)) / np.sum(w * np.square(mu))
    start = np.append(theta, np.clip(moment, 0.05, 10.0))
    problem = CountProblem(design, None, y, w, dist, kind, offset=offset)
    return fisher_scoring(problem, start, max_iter=max_iter, tol=tol).theta


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


def scoring_loop(problem, theta0, max_iter, tol):
    """The driver's loop (:func:`~skfisher._newton.newton_loop`); at a vanished inflation,
    the count part refitted alone."""
    result = newton_loop(problem, theta0, max_iter, tol)[1]
    if problem.kind != "inflated" or not vanished(problem, result.theta):
        return problem, result
    count = problem.slices[0]
    extra = slice(problem.n_params - problem.dist.n_extra, problem.n_params)
    plain = CountProblem(
        problem.designs[0],
        None,
        problem.y,
        problem.w,
        problem.dist,
        "plain",
        offset=problem.offset,
    )
    start = np.concatenate([result.theta[count], result.theta[extra]])
    fitted = fisher_scoring(plain, start, max_iter=max_iter, tol=tol).theta
    theta = result.theta.copy()
    theta[count], theta[extra] = fitted[: count.stop], fitted[count.stop :]
    final = fisher_scoring(problem, theta, max_iter=0, tol=tol)
    final.n_iter = result.n_iter
    return problem, final


def diagnose(names, zero_names):
    """Return the driver's ``diagnose``: the boundary parameters, after warning."""

    def check(problem, result):
        dropped = []
        if problem.kind == "inflated" and vanished(problem, result.theta):
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
            alpha, score = result.theta[-1], result.score[-1]
            if alpha < ALPHA_FLOOR and score < 0 and not result.converged:
                warn(
                    f"The negative binomial's alpha went to its boundary 0 (alpha={alpha:.3g}, "
                    "its score still negative): the counts are not overdispersed given the "
                    "model, and the maximum-likelihood estimate of alpha is 0. Its standard "
                    "error is nan and converged_=False. Use family='poisson'.",
                    BoundaryWarning,
                )
                dropped.append(len(names) - 1)
        return np.array(dropped, dtype=int) if dropped else None

    return check


def null_loglik(y, w, dist, offset, max_iter=100, tol=1e-8):
    """Return ``ℓ₀`` of the model without features: a share of zeros, a truncated count part.

    The score's reference (:meth:`CountRegressorBase.score`): the observed
    share of zeros, and the truncated count distribution with a constant
    mean (and α) fitted to the positive counts.
    """
    total, zeros = w.sum(), w[y == 0].sum()
    share = zeros / total
    value = 0.0
    if 0.0 < share < 1.0:
        value = zeros * np.log(share) + (total - zeros) * np.log1p(-share)
    positive = y > 0
    if not positive.any():
        return value
    ones = np.ones((int(positive.sum()), 1))
    part = None if offset is None else offset[positive]
    theta = count_fit(ones, y[positive], w[positive], dist, part, max_iter, tol, kind="truncated")
    problem = CountProblem(ones, None, y[positive], w[positive], dist, "truncated", offset=part)
    return value + problem.loglik(theta)
