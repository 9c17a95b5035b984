"""The driver's :class:`~skfisher._driver.Model` of a ``solver="cg"`` fit.

The dense GLM model (``BaseFisherGLM._glm_model``) with what needs no k × k
matrix in place of what does: the loop is
:func:`~skfisher.linear_model._cg_newton.truncated_newton`; the separation
check the warning of a fitted probability at 0 or 1 (the exact check is a
linear programme on the whole design); the collinearity warning names the
parameters without information, which conjugate gradients leave at their
start (other collinearity they do not find); and the dispersion's degrees of
freedom count those parameters out of the rank.
"""

from dataclasses import replace
from functools import partial

import numpy as np

from .._scoring import warn_not_converged
from .._warnings import warn
from ..exceptions import CollinearityWarning, DispersionWarning, PerfectSeparationWarning
from ._cg_newton import truncated_newton
from ._glm_model import SEPARATION_MARGIN


def cg_model(model, family, alpha):
    """Return the model of a ``"cg"`` fit from the dense ``model`` (its problem and start)."""
    bounded = family.mean_is_probability and alpha == 0
    return replace(
        model,
        loop=cg_loop,
        diagnose=likely_separation if bounded else None,
        dispersion=partial(cg_dispersion, family),
        collinear=None,
        report=partial(cg_report, names=model.names),
    )


def likely_separation(problem, result):
    """Warn that separation is likely where a fitted probability reached 0 or 1 (else None)."""
    if problem.boundary_margin(result.theta) > SEPARATION_MARGIN:
        return None
    warn(
        "Fitted probabilities numerically 0 or 1 occurred (|η| ≥ 15): the data are "
        "probably separated and some coefficients diverge. The fit is reported with "
        "converged_=False. solver='newton' finds the separating direction; possible "
        "remedies: set alpha > 0 (an L2 penalty), or remove the separating features.",
        PerfectSeparationWarning,
    )
    return ()


def cg_loop(problem, theta0, max_iter, tol):
    """The driver's loop of a ``"cg"`` fit."""
    return problem, truncated_newton(problem, theta0, max_iter=max_iter, tol=tol)


def cg_report(result, tol, names):
    """Warn when the loop did not converge, and about parameters without information."""
    warn_not_converged(result, tol)
    if result.zero_columns.size:
        listed = [names[j] for j in result.zero_columns[:5]]
        more = result.zero_columns.size - len(listed)
        warn(
            f"{result.zero_columns.size} parameter(s) have no information: {listed}"
            f"{f' and {more} more' if more > 0 else ''} (a column of X that is zero in every "
            "row of positive weight). They stay at 0 and are not identified; their standard "
            "errors are nan. Possible remedies are removing those features or setting "
            "alpha > 0.",
            CollinearityWarning,
        )


def cg_dispersion(family, problem, result):
    """``(φ̂, φ₀)``: Pearson's ``χ² / (Σw − rank)`` and the loop's φ₀ (1 without a dispersion).

    The rank is the number of parameters less those without information:
    conjugate gradients do not find other collinearity.
    """
    if not family.has_dispersion:
        return 1.0, 1.0
    chi2, nobs = problem.pearson_chi2(result.theta)
    rank = problem.design.n_cols - result.zero_columns.size
    df = nobs - rank
    if not df > 0 or not chi2 > 0:
        reason = f"Σ sample_weight − rank = {df:g} ≤ 0" if not df > 0 else "the fit is exact"
        warn(
            f"The dispersion of the {family.name} family cannot be estimated: {reason}. "
            "dispersion_, loglik_ and the standard errors are nan. Provide more "
            "observations than parameters, or use a family without dispersion.",
            DispersionWarning,
        )
        return np.nan, problem.loop_phi
    phi = chi2 / df
    problem.set_dispersion(phi, family.loglik_dispersion(phi, chi2, nobs, problem.link))
    return phi, problem.loop_phi
