"""Pictures of a fit's information: coefficients, confidence ellipses, information matrices.

matplotlib is optional and imported only when a function here is called
(``pip install 'skfisher[plot]'``). Every function takes a fitted skfisher
estimator and returns the matplotlib Axes it drew on.
"""

import numpy as np
from scipy import stats

from ._optional import check_matplotlib_support
from .inference import check_fisher_fitted

__all__ = [
    "confidence_ellipse",
    "plot_coefficients",
    "plot_confidence_ellipse",
    "plot_information",
]


def _axes(ax, caller):
    plt = check_matplotlib_support(caller)
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _check_alpha(alpha):
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1); got {alpha!r}.")


def _param_index(estimator, param, argument):
    names = [str(n) for n in estimator.param_names_]
    if isinstance(param, (int, np.integer)) and not isinstance(param, bool):
        if -len(names) <= param < len(names):
            return int(param) % len(names)
        raise ValueError(f"{argument}={param} is out of range for {len(names)} parameters.")
    if str(param) in names:
        return names.index(str(param))
    shown = names[:8] + (["..."] if len(names) > 8 else [])
    raise ValueError(f"{argument}={param!r} is not a parameter; the parameters are {shown}.")


def plot_coefficients(estimator, alpha=0.05, ax=None, *, include_intercept=True):
    """Plot the estimates with their Wald confidence intervals.

    Parameters
    ----------
    estimator : fitted skfisher estimator
        Its ``params_`` and ``standard_errors_`` (by its ``cov_type``) are drawn.
    alpha : float, default=0.05
        One minus the confidence level of the intervals.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    include_intercept : bool, default=True
        Whether to draw parameters named ``"intercept"`` (or ending in
        ``":intercept"``), whose scale often dwarfs the others.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skfisher import FisherLogisticRegression
    >>> from skfisher.datasets import load_anes96
    >>> from skfisher.plotting import plot_coefficients
    >>> X, y = load_anes96(return_X_y=True, as_frame=True)
    >>> ax = plot_coefficients(FisherLogisticRegression().fit(X, y))
    """
    check_fisher_fitted(estimator)
    _check_alpha(alpha)
    ax = _axes(ax, "plot_coefficients")
    names = [str(n) for n in estimator.param_names_]
    keep = [
        j
        for j, name in enumerate(names)
        if include_intercept or not (name == "intercept" or name.endswith(":intercept"))
    ]
    estimates = np.asarray(estimator.params_)[keep]
    half = stats.norm.ppf(1 - alpha / 2) * np.asarray(estimator.standard_errors_)[keep]
    positions = np.arange(len(keep))[::-1]
    ax.errorbar(estimates, positions, xerr=half, fmt="o", capsize=3, color="C0")
    ax.axvline(0.0, color="0.5", linewidth=0.8, linestyle="--")
    ax.set_yticks(positions)
    ax.set_yticklabels([names[j] for j in keep])
    level = f"{100 * (1 - alpha):g}%"
    ax.set_xlabel(f"estimate with {level} interval ({getattr(estimator, 'cov_type', '')})")
    ax.set_title(type(estimator).__name__)
    return ax


def confidence_ellipse(estimator, param_x, param_y, alpha=0.05, n_points=200):
    """Return the boundary of the joint Wald confidence region of two parameters.

    The region ``{θ : (θ − θ̂)ᵀ V⁻¹ (θ − θ̂) ≤ χ²₂(1 − α)}`` with ``V`` the 2 × 2
    block of ``covariance_``.

    Parameters
    ----------
    estimator : fitted skfisher estimator
    param_x, param_y : str or int
        Parameter names (from ``param_names_``) or positions.
    alpha : float, default=0.05
        One minus the confidence level.
    n_points : int, default=200
        Points on the boundary.

    Returns
    -------
    boundary : ndarray of shape (n_points, 2)
    """
    check_fisher_fitted(estimator)
    _check_alpha(alpha)
    i = _param_index(estimator, param_x, "param_x")
    j = _param_index(estimator, param_y, "param_y")
    if i == j:
        raise ValueError(f"param_x and param_y must differ; both are {param_x!r}.")
    covariance = np.asarray(estimator.covariance_)[np.ix_([i, j], [i, j])]
    finite = bool(np.all(np.isfinite(covariance)))
    values, vectors = np.linalg.eigh(covariance if finite else np.eye(2))
    if not finite or values[0] <= 0:
        raise ValueError(
            f"The covariance of {param_x!r} and {param_y!r} is not positive definite "
            "(nan or singular standard errors); no ellipse can be drawn."
        )
    radius = np.sqrt(stats.chi2.ppf(1 - alpha, 2))
    angle = np.linspace(0.0, 2.0 * np.pi, n_points)
    circle = np.column_stack([np.cos(angle), np.sin(angle)])
    centre = np.asarray(estimator.params_)[[i, j]]
    return centre + radius * (circle * np.sqrt(values)) @ vectors.T


def plot_confidence_ellipse(estimator, param_x, param_y, alpha=0.05, ax=None):
    """Plot the joint Wald confidence ellipse of two parameters from ``covariance_``.

    Parameters
    ----------
    estimator : fitted skfisher estimator
    param_x, param_y : str or int
        Parameter names (from ``param_names_``) or positions.
    alpha : float, default=0.05
        One minus the confidence level of the joint region.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    The ellipse is the region where the Wald statistic of ``(θ_x, θ_y) = (a, b)``
    is below the χ²₂ quantile (:func:`confidence_ellipse`); the dashed lines
    are the two marginal intervals at the same level, whose rectangle is not a
    joint region when the estimates are correlated.
    """
    boundary = confidence_ellipse(estimator, param_x, param_y, alpha)
    ax = _axes(ax, "plot_confidence_ellipse")
    i = _param_index(estimator, param_x, "param_x")
    j = _param_index(estimator, param_y, "param_y")
    names = [str(n) for n in estimator.param_names_]
    level = f"{100 * (1 - alpha):g}%"
    ax.plot(boundary[:, 0], boundary[:, 1], color="C0", label=f"joint {level} region")
    ax.plot(*np.asarray(estimator.params_)[[i, j]], "o", color="C0", label="estimate")
    half = stats.norm.ppf(1 - alpha / 2) * np.asarray(estimator.standard_errors_)[[i, j]]
    centre = np.asarray(estimator.params_)[[i, j]]
    for value in (centre[0] - half[0], centre[0] + half[0]):
        ax.axvline(value, color="0.6", linestyle="--", linewidth=0.8)
    for value in (centre[1] - half[1], centre[1] + half[1]):
        ax.axhline(value, color="0.6", linestyle="--", linewidth=0.8)
    ax.set_xlabel(names[i])
    ax.set_ylabel(names[j])
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_information(estimator, ax=None):
    """Heatmaps of the expected, observed and empirical Fisher information.

    The three matrices are scaled by the same factor ``1 / sqrt(I_ii I_jj)``
    (so the expected information has a unit diagonal) and drawn on one colour
    scale: under a correctly specified model they agree up to sampling noise
    (the information-matrix equality), and a pattern where the empirical
    Fisher departs from the others is the misspecification that
    :func:`~skfisher.inference.information_matrix_test` measures.

    Parameters
    ----------
    estimator : fitted skfisher estimator
    ax : sequence of 3 matplotlib Axes, default=None
        Where to draw; a new figure with three panels when None.

    Returns
    -------
    axes : ndarray of 3 matplotlib Axes
    """
    check_fisher_fitted(estimator)
    plt = check_matplotlib_support("plot_information")
    if ax is None:
        k = len(estimator.params_)
        size = min(4.0 + 0.25 * k, 8.0)
        _, ax = plt.subplots(1, 3, figsize=(3 * size, size), constrained_layout=True)
    axes = np.asarray(ax, dtype=object).ravel()
    if axes.size != 3:
        raise ValueError(f"ax must hold 3 Axes (one per matrix); got {axes.size}.")
    diagonal = np.abs(np.diag(estimator.information_))
    scale = np.sqrt(np.where(diagonal > 0, diagonal, 1.0))
    matrices = {
        "expected  I": estimator.information_,
        "observed  J": estimator.observed_information_,
        "empirical  F": estimator.empirical_fisher_,
    }
    scaled = {name: m / np.outer(scale, scale) for name, m in matrices.items()}
    limit = max(float(np.nanmax(np.abs(m))) for m in scaled.values()) or 1.0
    names = [str(n) for n in estimator.param_names_]
    image = None
    for axis, (title, matrix) in zip(axes, scaled.items(), strict=True):
        image = axis.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit)
        axis.set_title(title)
        axis.set_xticks(range(len(names)))
        axis.set_yticks(range(len(names)))
        axis.set_xticklabels(names, rotation=90, fontsize="small")
        axis.set_yticklabels(names, fontsize="small")
    axes[0].figure.colorbar(image, ax=list(axes), shrink=0.8, label="entry / sqrt(I_ii I_jj)")
    return axes
