"""What a GLM fit adds to the driver: its boundary diagnostics and its dispersion.

The ``diagnose`` of a GLM's :class:`~skfisher._driver.Model` is a
:class:`GLMBoundary` (in memory) or :func:`likely_separation` (on dask
arrays): None when the estimate is inside the parameter space, otherwise the
parameters that have no standard error — under separation, or an estimated
negative-binomial α running into 0 — after a warning that names them and the
remedy. Its ``dispersion`` is :func:`glm_dispersion`.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._validation import find_separation, warn_likely_separation, warn_separation
from ._firth import firth_available
from ._glm_fit import alpha_on_boundary, estimate_dispersion

# A fitted probability this close to 0 or 1 (that of the logit at |η| = 15,
# about 3e-7) is suspiciously close to the boundary and the separation check
# runs; on the mean, not on η, so that the cloglog's 1 − μ = exp(−e^η), which
# reaches it at η ≈ 2.7, is checked like the logit.
SEPARATION_MARGIN = 1.0 / (1.0 + np.exp(15.0))


def glm_dispersion(family, link, problem, result):
    """``(φ̂, φ₀)``: Pearson's dispersion and the one the loop ran at (1 without one)."""
    if not family.has_dispersion:
        return 1.0, 1.0
    return estimate_dispersion(problem, result, family, link), problem.loop_phi


def separation_remedy(estimator):
    """The remedies a separation warning names for ``estimator``."""
    remedy = "set alpha > 0 (an L2 penalty), or remove the separating features"
    if firth_available(estimator):
        return f"set bias_reduction='firth' (finite estimates under separation), {remedy}"
    return remedy


@dataclass
class GLMBoundary:
    """The boundary diagnostics of one in-memory GLM fit (called as ``diagnose``)."""

    estimator: object
    estimate_alpha: bool
    family: object
    design: object
    y: np.ndarray
    sample_weight: np.ndarray
    names: list

    def __call__(self, problem, result):
        estimator, dropped = self.estimator, ()
        if self.estimate_alpha:
            dropped = alpha_on_boundary(result, self.names)
        elif (
            self.family.mean_is_probability
            and estimator.alpha == 0
            and estimator.bias_reduction is None
        ):
            dropped = self._separated(problem, result)
        return dropped if len(dropped) else None

    def _separated(self, problem, result):
        """Return the parameters that diverge under separation (empty if none)."""
        if result.converged and problem.boundary_margin(result.theta) > SEPARATION_MARGIN:
            return ()
        design = self.design
        matrix = design.X
        if design.fit_intercept:
            ones = np.ones((design.n_rows, 1))
            matrix = (
                sp.hstack([ones, matrix]) if sp.issparse(matrix) else np.hstack([ones, matrix])
            )
        y = self.y
        sign = np.where(y >= 1, 1.0, np.where(y <= 0, -1.0, 0.0))
        found = find_separation(matrix, sign, free=self.sample_weight > 0)
        if found is None:
            return ()
        remedy = separation_remedy(self.estimator)
        diverging = warn_separation(found.direction, self.names, remedy=remedy)
        if found.complete:
            # Complete separation: every fitted probability tends to 0 or 1,
            # the information vanishes and no parameter has a standard error.
            return np.arange(len(self.names))
        return diverging


def likely_separation(estimator, bounded, problem, result):
    """On dask arrays: warn that separation is likely when a mean reaches the boundary.

    The separation programme needs all rows at once; a fitted mean within
    e^-15 of the boundary of a binomial family gives a warning that says
    separation is likely and how to confirm it.
    """
    if bounded and problem.boundary_margin(result.theta) <= SEPARATION_MARGIN:
        warn_likely_separation(estimator._param_names(), remedy=separation_remedy(estimator))
        return ()
    return None
