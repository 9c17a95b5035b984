"""The starting values of a GLM fit: R's start, and the further starts of a non-concave one.

:func:`starting_theta` is R's ``glm`` start (one least-squares step from the
family's starting means, else the intercept-only start); :func:`second_start`
chooses, where the log-likelihood is not concave in η, the best of the
further starts that the fit compares with R's.
"""

import numpy as np

from .._linalg import SymmetricFactor
from .._scoring import fisher_scoring

# The loop's steps for each further start of a non-concave likelihood (the
# fit from the best start then runs to max_iter), and the least-squares steps
# of the IRLS path among them.
_TRIAL_ITER = 100
_IRLS_STEPS = 50


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
    problem : GLMProblem
        The model; its ``design``, ``gram`` and ``objective`` are used.
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
        del eta0
        if offset is not None:
            working -= offset
        weight = np.square(dmu, out=dmu)
        weight *= sample_weight
        weight /= family.variance(mu0)
        del mu0, dmu
    candidates = []
    if least_squares and np.all(np.isfinite(working)) and np.all(np.isfinite(weight)):
        gram, moment = problem.gram(weight, np.multiply(working, weight, out=working))
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
    if family.loglik_concave(link):
        return None  # also the negative binomial, α fixed or estimated (its log link)
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
    rows = np.multiply(design.X, root[:, None])  # float64, from float32 X too
    if design.fit_intercept:
        rows = np.column_stack([root, rows])
    return np.linalg.lstsq(rows, working * root, rcond=None)[0]
