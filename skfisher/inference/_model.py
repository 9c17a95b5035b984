"""The fitted GLM as the score and information-matrix tests see it.

The tests evaluate a fitted GLM's log-likelihood on data: the score test on
the design widened by the candidate columns, the information-matrix test on
the rows of the fit. The estimator gives that log-likelihood as a scoring
problem (its ``scoring_problem(X, y, sample_weight, offset)``), which checks
the data as ``fit`` does and returns the score and the three information
matrices at any θ. What the tests need besides is here, read from the
estimator's fitted attributes (``family_``, ``link_``, ``dispersion_``,
``fit_intercept``) and from the problem, in one place.
"""

import numpy as np
from sklearn.utils.validation import validate_data

from .._linalg import Design


def offers_glm_likelihood(estimator):
    """Whether ``estimator`` gives its log-likelihood on new data (a fitted GLM does)."""
    return _problem_method(estimator) is not None


def _problem_method(estimator):
    method = getattr(estimator, "scoring_problem", None)
    return method if callable(method) else None


def glm_problem(estimator, X, y, sample_weight=None, offset=None):
    """Return the estimator's log-likelihood on ``(X, y)`` as a scoring problem."""
    return _problem_method(estimator)(X, y, sample_weight, offset)


class FittedGLM:
    """A fitted GLM on the rows ``(X, y)``: what the information-matrix test reads.

    Parameters
    ----------
    estimator : fitted GLM estimator
        Its ``family_``, ``link_`` and ``dispersion_`` (1 when absent) are the
        model.
    X, y, sample_weight, offset
        The data of the fit, checked by the estimator's scoring problem.

    Attributes
    ----------
    design : Design
        ``[1, X]`` (or ``X``) of the estimator.
    y, w : ndarray of shape (n_samples,)
        The response as the family sees it (0/1 for a classifier) and the
        weights of the log-likelihood.
    family, link : GLMFamily, Link
        The fitted family and link.
    phi : float
        The fitted dispersion.
    """

    def __init__(self, estimator, X, y, sample_weight=None, offset=None):
        X = validate_data(
            estimator, X, accept_sparse=["csr", "csc"], dtype=np.float64, reset=False
        )
        self._problem = glm_problem(estimator, X, y, sample_weight, offset)
        self.design = Design(X, estimator.fit_intercept)
        self.family, self.link = estimator.family_, estimator.link_
        self.phi = float(getattr(estimator, "dispersion_", 1.0))
        self.y, self.w = self._problem.y, self._problem.w

    def linear_predictor(self, theta):
        """Return ``η = [1, X] θ + offset``, shape (n_samples,)."""
        return self._problem.linear_predictor(theta)
