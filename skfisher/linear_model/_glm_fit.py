"""The steps of ``BaseFisherGLM._fit_glm``: the family's problem, its start, the dispersion.

:func:`make_problem` chooses the scoring problem of the family (the base GLM,
the GLM with a dispersion, the negative binomial with α estimated) and its
starting values; :func:`estimate_dispersion` gives the Pearson φ̂ after the fit;
:func:`alpha_on_boundary` recognises a negative binomial α that runs into 0.
"""

import numpy as np

from .._linalg import RANK_RTOL, Design, SymmetricFactor
from .._scoring import fisher_scoring
from .._warnings import warn
from ..exceptions import BoundaryWarning, DispersionWarning
from ..families import NegativeBinomial, Poisson
from ..links import Log
from ._glm_problems import ALPHA_FLOOR, DispersionGLMProblem, NegativeBinomialProblem
from ._problem import GLMProblem

# The loop's steps for each further start of a non-concave likelihood (the
# fit from the best start then runs to max_iter), and the least-squares steps
# of the IRLS path among them.
_TRIAL_ITER = 100
_IRLS_STEPS = 50
# Smallest starting α of the negative binomial: a moment estimate near 0 would
# start the fit at the Poisson boundary, where the α score vanishes slowly.
_MIN_START_ALPHA = 0.05


def estimates_alpha(family):
    """Return whether the fit estimates the family's α (negative binomial, α None)."""
    return isinstance(family, NegativeBinomial) and family.alpha is None


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


def starting_theta(
    problem, family, link, y, sample_weight, offset, *, least_squares=True, mu0=None
):
    """Return starting coefficients at which ``problem.objective`` is finite.

    The first candidate is R's ``glm`` start: from the means ``μ₀`` of
    ``family.start_mu`` (R's ``mustart``), one iteratively-reweighted
    least-squares step, the weighted least-squares fit of the working response
    ``z = η₀ + (y − μ₀) / μ'(η₀)`` on ``[1, X]`` with weights ``w μ'² / V(μ₀)``.
    It starts a non-canonical link near the answer, where an intercept-only
    start can be far. When its means leave the family's domain (a negative
    mean of Poisson-identity, say), the intercept-only start ``g(mean μ₀)``
    is used, whose mean is inside the domain by construction.

    Parameters
    ----------
    problem : ScoringProblem
        The model; only its ``design`` and ``objective`` are used.
    family, link : GLMFamily, Link
        The family and link of the fit.
    y, sample_weight, offset : ndarray of shape (n,) (offset may be None)
        The data.
    least_squares : bool, default=True
        Whether to try the least-squares step first.
    mu0 : ndarray of shape (n,), default=None
        The starting means; by default ``family.start_mu`` (R's).

    Returns
    -------
    theta : ndarray of shape (n_cols,)
    steps : int
        1 when ``theta`` is the least-squares step (it is the first iteration
        of iteratively reweighted least squares, and R's ``glm`` counts it so),
        0 for the intercept-only start.

    Raises
    ------
    ValueError
        When neither start is inside the domain.
    """
    design = problem.design
    # In-place updates keep about four vectors of length n alive at once.
    with np.errstate(all="ignore"):
        mu0 = family.start_mu(y, sample_weight) if mu0 is None else mu0
        mean_mu0 = np.average(mu0, weights=sample_weight)
        eta0 = link.link(mu0)
        dmu = link.inverse_deriv(eta0)
        working = np.subtract(y, mu0)
        working /= dmu
        working += eta0
        if offset is not None:
            working -= offset
        weight = np.square(dmu)
        weight *= sample_weight
        weight /= family.variance(mu0)
        del mu0, eta0, dmu
    candidates = []
    if least_squares and np.all(np.isfinite(working)) and np.all(np.isfinite(weight)):
        gram, moment = design.gram(weight, np.multiply(working, weight, out=working))
        candidates.append((SymmetricFactor(gram).solve(moment), 1))
    del working, weight
    intercept_only = np.zeros(design.n_cols)
    if design.fit_intercept:
        with np.errstate(all="ignore"):
            intercept_only[0] = link.link(mean_mu0)
        if offset is not None:
            intercept_only[0] -= np.average(offset, weights=sample_weight)
    candidates.append((intercept_only, 0))
    for theta, steps in candidates:
        if np.all(np.isfinite(theta)) and np.isfinite(problem.objective(theta)):
            return theta, steps
    remedy = "Check the response and offset"
    if link.name != family.default_link:
        remedy += f", or use the {family.default_link!r} link"
    raise ValueError(
        f"No valid starting values for the {family.name} family with the {link.name} "
        "link: the means implied by the data (and offset) lie outside the family's "
        f"domain {family.mean_domain}. {remedy}."
    )


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


def second_start(problem, family, link, y, offset):
    """Return the best further start for a log-likelihood that is not concave, else None.

    Where ``log p`` is not concave in η (gamma with the identity link, the
    inverse Gaussian with the log link, a Gaussian with the log or inverse
    link, …), the likelihood may have several maxima, or a ridge towards
    μ → ∞ that a poor first step runs onto. Besides R's start the fit then
    tries

    - statsmodels' start: one least-squares step at the means ``(y + ȳ) / 2``;
    - the intercept-only start ``g(ȳ)``, whose means are all equal: an
      outlier that draws R's and statsmodels' first steps onto a worse
      maximum does not draw it;
    - statsmodels' path: iteratively reweighted least squares from R's means,
      each step solved by QR (:func:`_irls_path`). Where one row's
      information outweighs the others' by 1e12 or more (a mean near a pole
      of the inverse link), the information matrix of the scoring loop is
      singular to working precision and its steps stall; least squares on
      the weighted rows loses half as many digits and goes on.

    Each is run by the loop, at most :data:`_TRIAL_ITER` steps, and the start
    of the highest objective (the first on a tie) is returned, for the
    estimator to fit from and compare with R's.
    """
    if family.loglik_concave(link) or estimates_alpha(family):
        return None
    best, best_objective = None, None
    for theta in _further_starts(problem, family, link, y, offset):
        try:
            objective = fisher_scoring(problem, theta, max_iter=_TRIAL_ITER).objective
        except ValueError:
            continue  # not finite at this start
        if best is None or objective > best_objective + 1e-10 * (1.0 + abs(best_objective)):
            best, best_objective = theta, objective
    return best


def _further_starts(problem, family, link, y, offset):
    """Yield the starts of :func:`second_start` that are inside the domain."""
    w = problem.w
    try:
        mu0 = family.moment_start_mu(y, w)
        yield starting_theta(problem, family, link, y, w, offset, mu0=mu0)[0]
    except ValueError:
        pass
    if problem.design.fit_intercept:
        intercept_only = np.zeros(problem.design.n_cols)
        with np.errstate(all="ignore"):
            intercept_only[0] = link.link(np.average(y, weights=w))
        if offset is not None:
            intercept_only[0] -= np.average(offset, weights=w)
        if np.isfinite(problem.objective(intercept_only)):
            yield intercept_only
    path = _irls_path(problem, family, link, y, offset)
    if path is not None:
        yield path


def _irls_path(problem, family, link, y, offset):
    """Return the best point of up to :data:`_IRLS_STEPS` least-squares IRLS steps, or None.

    From R's means, each step is the weighted least-squares fit of the
    working response (see :func:`starting_theta`) by QR of the weighted rows
    ``√w [1, X]``, with no step halving (statsmodels' ``GLM.fit``); the path
    stops where the objective leaves the domain or stops rising. Dense
    designs only: the weighted copy of X is an n × k array.
    """
    design = problem.design
    if design.sparse:
        return None
    w = problem.w
    mu = family.start_mu(y, w)
    best, best_objective = None, None
    for _ in range(_IRLS_STEPS):
        theta = _least_squares_step(design, family, link, y, w, offset, mu)
        objective = problem.objective(theta) if np.all(np.isfinite(theta)) else -np.inf
        rising = best is None or objective > best_objective + 1e-13 * (1 + abs(best_objective))
        if not (np.isfinite(objective) and rising):
            break
        best, best_objective = theta, objective
        with np.errstate(all="ignore"):
            mu = link.inverse(problem.linear_predictor(theta))
    return best


def _least_squares_step(design, family, link, y, w, offset, mu):
    """Return one IRLS step from the means ``mu``, solved by QR (nan when not defined)."""
    with np.errstate(all="ignore"):
        eta = link.link(mu)
        dmu = link.inverse_deriv(eta)
        working = eta + (y - mu) / dmu - (0.0 if offset is None else offset)
        root = np.sqrt(w * np.square(dmu) / family.variance(mu))
    if not (np.all(np.isfinite(working)) and np.all(np.isfinite(root))):
        return np.full(design.n_cols, np.nan)
    rows = np.asarray(design.X, dtype=float) * root[:, None]
    if design.fit_intercept:
        rows = np.column_stack([root, rows])
    return np.linalg.lstsq(rows, working * root, rcond=None)[0]


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
    loglik_phi = chi2 / nobs if family.name == "gaussian" and link.name == "identity" else phi
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
