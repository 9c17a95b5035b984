"""The fit of a :class:`~skfisher._likelihood._problem.LikelihoodProblem`: loop, polish, checks."""

import numpy as np
import scipy.linalg
from sklearn.exceptions import ConvergenceWarning

from .._linalg import SymmetricFactor
from .._scoring import fisher_scoring
from .._warnings import warn
from ..exceptions import CollinearityWarning
from ._problem import format_params

# Relative accuracy of a numerical observed information (at unit diagonal): its
# eigenvalues within this of 0 are zero to working precision.
_CURVATURE_NOISE = 1e-7


def maximise(problem, theta0, max_iter, tol):
    """Run the loop with steps set at θ₀, then polish with steps set at θ̂.

    The second run starts at the first's θ̂ and usually takes no step; it
    makes the reported score and information those of the steps at θ̂.
    """
    problem.calibrate(theta0)
    result = fisher_scoring(problem, theta0, max_iter=max_iter, tol=tol)
    problem.calibrate(result.theta)
    if problem.newton or problem.score_fn is None:
        first = result.n_iter
        result = fisher_scoring(problem, result.theta, max_iter=max_iter - first, tol=tol)
        result.n_iter += first
    return result


def check_maximum(problem, result, names):
    """Report ``J`` as the information of a Newton fit; warn where θ̂ is not a maximum.

    ``J`` is a numerical derivative, good to about ``_CURVATURE_NOISE`` of its
    largest eigenvalue (at unit diagonal): an eigenvalue below minus that is a
    direction in which ℓ rises (not a maximum), one within it a direction in
    which ℓ is flat to working precision (parameters not identified). Returns
    False when θ̂ is not a maximum (``converged`` is then False), so that the
    generic convergence warning is not added.
    """
    theta = result.theta
    observed = problem.observed_information(theta)
    if problem.newton:
        # The loop's last information is F where J is not positive definite.
        result.information, result.factor = observed, SymmetricFactor(observed)
    values, vectors = _scaled_eigen(observed)
    if values[0] < -_CURVATURE_NOISE:
        result.converged = False
        warn(
            f"The observed information is not positive definite at params_="
            f"{format_params(theta)}: the point is not a maximum of the log-likelihood (a "
            "saddle point, or a region where it rises along some direction). The fit is "
            "reported with converged_=False. Try other starting values, or check loglik_obs.",
            ConvergenceWarning,
        )
        return False
    flat = vectors[:, values <= _CURVATURE_NOISE]
    involved = np.union1d(
        np.flatnonzero(np.any(np.abs(flat) > 0.1, axis=1)), result.factor.deficient
    )
    if involved.size:
        warn(
            f"The information matrix is singular: the parameters "
            f"{[names[j] for j in involved]} are not identified by the data (the "
            "log-likelihood is flat along a combination of them). Their standard errors are "
            "nan or meaningless. Possible remedies are fixing or removing one of them, or "
            "more data.",
            CollinearityWarning,
        )
    return True


def _scaled_eigen(matrix):
    """Eigenvalues (relative to the largest) and eigenvectors of ``matrix`` at unit diagonal."""
    diag = np.abs(np.diag(matrix))
    root = np.sqrt(np.where(diag > 0, diag, 1.0))
    values, vectors = scipy.linalg.eigh(matrix / np.outer(root, root))
    return values / max(values[-1], np.finfo(float).tiny), vectors


def newton_or_scoring(problem, theta0, max_iter, tol):
    """The loop of :func:`maximise`: Newton's, or Fisher scoring with a given information."""
    return problem, maximise(problem, theta0, max_iter, tol)


def not_a_maximum(problem, result):
    """None at a maximum (after naming what is not identified); () where θ̂ is not one."""
    return None if check_maximum(problem, result, problem.names) else ()
