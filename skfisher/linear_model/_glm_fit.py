"""The steps of ``BaseFisherGLM._fit_glm``: the family's problem, its start, the dispersion.

:func:`make_problem` chooses the scoring problem of the family (the base GLM,
the GLM with a dispersion, the negative binomial with α estimated) and its
starting values; :func:`estimate_dispersion` gives the Pearson φ̂ after the fit;
:func:`alpha_on_boundary` recognises a negative binomial α that runs into 0;
:func:`compiled_passes` tells whether the fit's passes run on numba's threads.
"""

import numpy as np

from .._fused import compiled_by_default
from .._linalg import RANK_RTOL, Design, compiled_gram
from .._scoring import fisher_scoring
from .._warnings import warn
from ..exceptions import BoundaryWarning, DispersionWarning
from ..families import NegativeBinomial, Poisson
from ..links import Log
from . import _problem
from ._glm_problems import ALPHA_FLOOR, DispersionGLMProblem, NegativeBinomialProblem
from ._glm_starts import second_start, starting_theta
from ._problem import GLMProblem

# What the estimators import from here (the starts are made in _glm_starts).
__all__ = [
    "alpha_on_boundary",
    "compiled_passes",
    "estimate_dispersion",
    "estimates_alpha",
    "make_problem",
    "null_means",
    "second_start",
]

# Smallest starting α of the negative binomial: a moment estimate near 0 would
# start the fit at the Poisson boundary, where the α score vanishes slowly.
_MIN_START_ALPHA = 0.05


def estimates_alpha(family):
    """Return whether the fit estimates the family's α (negative binomial, α None)."""
    return isinstance(family, NegativeBinomial) and family.alpha is None


def compiled_passes(X, y, family, link, fit_intercept):
    """Whether the GLM's passes over ``X`` run in compiled kernels on numba's threads.

    The fused pass's compiled engine (the problem's own test of whether it
    fuses, and numba chosen) or the compiled Gram product of a sparse X; the
    fit then runs BLAS on one thread (:mod:`skfisher._threads`).
    """
    if compiled_gram(X):
        return True
    if not (_problem.FUSED and isinstance(X, np.ndarray)):
        return False
    fuses = _problem.fusable(Design(X, fit_intercept), y, family, link)
    return fuses and compiled_by_default(X.size)


def make_problem(
    design,
    y,
    sample_weight,
    family,
    link,
    offset,
    *,
    penalty,
    previous,
    max_iter,
    var_weights=None,
):
    """Return the scoring problem of the family, its starting θ and the steps the start took.

    Parameters
    ----------
    design : Design
        The model matrix.
    y, sample_weight : ndarray of shape (n,)
        Response and frequency weights.
    family, link : GLMFamily, Link
        The model; a negative binomial with ``alpha=None`` estimates α.
    offset : ndarray of shape (n,) or None
        Added to the linear predictor.
    penalty : float
        The L2 penalty ``alpha`` of the estimator.
    previous : ndarray or None
        The previous fit's ``params_`` (warm start), used when its shape fits.
    max_iter : int
        The estimator's ``max_iter``; 0 skips the least-squares start.
    var_weights : ndarray of shape (n,) or None
        Prior weights (not with α estimated).

    Returns
    -------
    problem : ScoringProblem
    theta0 : ndarray
    steps : int
        Iterations the start counts for (1 for the least-squares step).
    """
    n_params = design.n_cols + estimates_alpha(family)
    warm = previous is not None and previous.shape == (n_params,)
    if estimates_alpha(family):
        problem = NegativeBinomialProblem(
            design, y, sample_weight, family, offset=offset, alpha=penalty
        )
        if warm:
            return problem, previous.copy(), 0
        return problem, *_negative_binomial_start(design, y, sample_weight, offset, penalty)
    kind = DispersionGLMProblem if family.has_dispersion else GLMProblem
    problem = kind(
        design,
        y,
        sample_weight,
        family,
        link,
        offset=offset,
        alpha=penalty,
        var_weights=var_weights,
    )
    if warm:
        theta0, steps = previous.copy(), 0
    else:
        theta0, steps = starting_theta(
            problem, family, link, y, problem.w, offset, least_squares=max_iter > 0
        )
    if family.has_dispersion:
        # φ₀ of the loop (see DispersionGLMProblem): Pearson's statistic at the start.
        df = sample_weight.sum() - design.n_cols
        phi0 = problem.pearson_chi2(theta0)[0] / df if df > 0 else np.nan
        problem.set_loop_dispersion(phi0 if np.isfinite(phi0) and phi0 > 0 else 1.0)
    return problem, theta0, steps


def null_means(y, sample_weight, family, link, offset):
    """Return the means of the intercept-only model (with ``offset``), shape (n,).

    Without an offset they are the weighted mean ``ȳ``; with one, the
    intercept solves ``Σ w (y − μ) μ' / V = 0`` by the one loop, from R's start.
    """
    if offset is None:
        return np.full_like(y, np.average(y, weights=sample_weight))
    design = Design(np.empty((y.shape[0], 0)), True)
    problem = GLMProblem(design, y, sample_weight, family, link, offset=offset)
    theta0, _ = starting_theta(problem, family, link, y, sample_weight, offset)
    result = fisher_scoring(problem, theta0, max_iter=100)
    with np.errstate(all="ignore"):
        return link.inverse(problem.linear_predictor(result.theta))


def _negative_binomial_start(design, y, sample_weight, offset, penalty=0.0):
    """Start α estimated: coefficients from a Poisson start, α by moments.

    As ``MASS::glm.nb``, the coefficients start where a Poisson fit starts;
    ``α₀ = Σ w [(y − μ)²/μ − 1]/μ / Σ w`` is the moment estimate at their means,
    ``E[(y − μ)²] = μ + α μ²``.

    Where that estimate is below ``_MIN_START_ALPHA`` the counts may not be
    overdispersed at all: the Poisson fit is run, and where the score in α at
    α = 0, ``½ Σ w [(y − μ)² − y]`` at its means (the score test of
    overdispersion; the negative binomial log-likelihood is the Poisson one
    plus ``α/2 [(y − μ)² − y]`` to first order), is not positive, α = 0 is a
    maximum and the fit starts there, at ``(β̂_Poisson, ALPHA_FLOOR)``: the
    coefficients are then the maximum at the floor. From an interior start the
    loop's steps, halved to keep α above the floor, stalled the coefficients
    short of it (22 standard errors in β), where statsmodels stops at an
    α of 6e-10 with a log-likelihood 0.12 below the Poisson one.
    """
    poisson, log = Poisson(), Log()
    problem = GLMProblem(design, y, sample_weight, poisson, log, offset=offset, alpha=penalty)
    beta, steps = starting_theta(problem, poisson, log, y, sample_weight, offset)
    mu = np.exp(problem.linear_predictor(beta))
    moment = np.average((np.square(y - mu) / mu - 1.0) / mu, weights=sample_weight)
    if moment >= _MIN_START_ALPHA:
        return np.append(beta, moment), steps
    start = np.append(beta, _MIN_START_ALPHA)
    result = fisher_scoring(problem, beta, max_iter=100)
    if not result.converged:
        return start, steps
    with np.errstate(all="ignore"):
        mu = np.exp(problem.linear_predictor(result.theta))
    score_at_zero = 0.5 * float(sample_weight @ (np.square(y - mu) - y))
    if not score_at_zero <= 0:
        return start, steps
    return np.append(result.theta, ALPHA_FLOOR), steps + result.n_iter


def _rank(factor, information, problem):
    """Return the rank of the model matrix's rows of positive weight (its size unless singular).

    The rank counts the residual degrees of freedom, as R's and statsmodels'
    do: that of the columns, not of the information matrix. Where one row's
    information weight outweighs the others' by 1e12 (a mean near a pole of
    the link), the information is singular to working precision although
    every column is identified; its eigenvalues gave a rank of 1 for two
    columns, and a φ̂ of χ²/(n − 1) instead of statsmodels' χ²/(n − 2). The
    Gram matrix of the model matrix's rows is scaled to a unit diagonal and
    its eigenvalues counted above ``RANK_RTOL``, the criterion of the loop's
    factorisation; a problem without a model matrix in memory (dask blocks)
    counts those of the information.
    """
    if not factor.singular:
        return information.shape[0]
    design = getattr(problem, "design", None)
    if design is not None:
        information = design.gram((problem.w > 0).astype(float))
    scale = np.sqrt(np.abs(np.diag(information)))
    scale[scale == 0] = 1.0
    values = np.linalg.eigvalsh(information / np.outer(scale, scale))
    return int(np.sum(values > RANK_RTOL * max(values[-1], 1.0)))


def estimate_dispersion(problem, result, family, link):
    """Return Pearson's ``φ̂ = χ² / (Σw − rank)`` and set it on the problem.

    The problem's log-likelihood is then evaluated at φ̂, except for the
    gaussian with the identity link, at ``σ̂² = RSS / Σw`` (statsmodels' ``llf``,
    the profile log-likelihood). Return nan, with a warning, when φ̂ is not
    defined (no residual degrees of freedom) or 0 (an exact fit, whose
    information is infinite).
    """
    rank = _rank(result.factor, result.information, problem)
    chi2, nobs = problem.pearson_chi2(result.theta)
    df = nobs - rank
    if not df > 0 or not chi2 > 0:
        reason = f"Σ sample_weight − rank = {df:g} ≤ 0" if not df > 0 else "the fit is exact"
        warn(
            f"The dispersion of the {family.name} family cannot be estimated: {reason} "
            f"(n_samples={problem.n_rows}, Σ sample_weight={nobs:g}, {rank} identified "
            "parameters). dispersion_, "
            "loglik_, the information matrices and the standard errors are nan. Provide "
            "more observations than parameters, or use a family without dispersion.",
            DispersionWarning,
        )
        return np.nan
    phi = chi2 / df
    loglik_phi = family.loglik_dispersion(phi, chi2, nobs, link)
    problem.set_dispersion(phi, loglik_phi)
    return phi


def alpha_on_boundary(result, names):
    """Warn and return ``(index of α,)`` when the estimate of α runs into 0, else ``()``."""
    alpha, score = result.theta[-1], result.score[-1]
    if result.converged or not (alpha < 1e3 * ALPHA_FLOOR and score < 0):
        return ()
    warn(
        f"The negative binomial's alpha went to its boundary 0 (alpha={alpha:.3g} after "
        f"{result.n_iter} iterations, its score still negative): given the features, the "
        "counts are not overdispersed and the maximum-likelihood estimate of alpha is 0. "
        "The fit is reported with converged_=False and a nan standard error for alpha. "
        "Use family='poisson'.",
        BoundaryWarning,
    )
    return (len(names) - 1,)
