"""The multinomial logit (K > 2 classes) of ``FisherLogisticRegression``, through the one loop."""

from functools import partial

import numpy as np
from sklearn.utils.validation import _check_sample_weight

from .._driver import Model, drive
from .._linalg import Design, extreme_column_scale
from .._validation import check_weights
from ._base import column_scale_factors
from ._multinomial import (
    MultinomialProblem,
    separation_contrasts,
    start_theta,
    warn_multinomial_separation,
)


def fit_multinomial(estimator, X, y, sample_weight, groups=None):
    """Fit the multinomial logit on validated ``X, y`` and fill in the estimator's contract.

    As for the binary fit, a plain fit runs on columns rescaled by powers
    of two when their magnitude is extreme (``extreme_column_scale``), so
    that the Gram products neither overflow nor underflow. Sets
    ``coef_`` and ``intercept_`` with one row per class, the reference's 0.
    """
    groups = estimator._check_groups(groups, X.shape[0])
    sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
    check_weights(sample_weight)
    previous = getattr(estimator, "params_", None) if estimator.warm_start else None
    column_scale = None
    if estimator.alpha == 0 and previous is None:
        # The penalty and a warm start are in the units of X.
        X, column_scale = extreme_column_scale(X)
    design = Design(X, estimator.fit_intercept)
    n_classes = len(estimator.classes_)
    problem = MultinomialProblem(
        design,
        np.searchsorted(estimator.classes_, y),
        n_classes,
        sample_weight,
        alpha=estimator.alpha,
    )
    if previous is not None and previous.shape == (problem.n_params,):
        theta0 = previous.copy()
    else:
        theta0 = start_theta(problem)
    features = estimator._param_names()
    names = [f"{label}:{name}" for label in estimator.classes_[1:] for name in features]
    model = Model(
        problem,
        names,
        sample_weight.sum(),
        [(theta0, 0)],
        diagnose=partial(_separated_params, estimator, names),
        publish={
            "groups": groups,
            "n_rows": X.shape[0],
            "scale": column_scale_factors(column_scale, estimator.fit_intercept, n_classes - 1),
        },
    )
    drive(estimator, model)
    _set_class_coef(estimator, design.n_cols)


def _set_class_coef(estimator, n_cols):
    """Set ``coef_`` (n_classes, n_features) and ``intercept_`` (n_classes,) from ``params_``."""
    n_classes = len(estimator.classes_)
    blocks = estimator.params_.reshape(n_classes - 1, n_cols)
    estimator.coef_ = np.zeros((n_classes, estimator.n_features_in_))
    estimator.coef_[1:] = blocks[:, int(estimator.fit_intercept) :]
    estimator.intercept_ = np.zeros(n_classes)
    if estimator.fit_intercept:
        estimator.intercept_[1:] = blocks[:, 0]


def _separated_params(estimator, names, problem, result):
    """Warn for separated classes; return the parameters without a standard error.

    None when no class is separated.
    """
    if estimator.alpha != 0:
        return None
    separated, pairs, complete = separation_contrasts(problem, result.theta, result.converged)
    if len(separated):
        warn_multinomial_separation(
            separated, pairs, names, estimator.classes_, remedy=estimator._separation_remedy
        )
    if complete:
        # Every fitted probability tends to 0 or 1, the information
        # vanishes and no parameter has a standard error.
        return np.arange(len(names))
    return separated if len(separated) else None
