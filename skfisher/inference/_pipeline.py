"""Intervals and marginal effects of an estimator at the end of a scikit-learn pipeline.

A :class:`~sklearn.pipeline.Pipeline` exposes the methods of its final step
that scikit-learn knows of (``predict``, ``predict_proba``, …), not skfisher's
``predict_interval``, ``predict_proba_interval`` or ``marginal_effects``. The
functions here take a fitted estimator, a fitted pipeline that ends in one (or
a fitted search such as :class:`~sklearn.model_selection.GridSearchCV`, through
its ``best_estimator_``), pass ``X`` through every step but the last, as the
pipeline's own ``predict`` does, and call the final estimator's method.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from .._containers import interval_container

__all__ = ["marginal_effects", "predict_interval", "predict_proba_interval"]

# The method to suggest when the final estimator lacks the one asked for.
_OTHER = {
    "predict_interval": "predict_proba_interval",
    "predict_proba_interval": "predict_interval",
}


def _final_step(estimator, X, method):
    """Return the final estimator, ``X`` through the steps before it, and their output names.

    Nested pipelines are followed to their innermost final step. The names are
    those of ``get_feature_names_out`` of the steps (None when a step cannot
    give them, or when there are no steps before the final estimator).
    """
    model = getattr(estimator, "best_estimator_", estimator)
    names, transformed = None, False
    while isinstance(model, Pipeline):
        if len(model) > 1:
            head = model[:-1]
            X, transformed = head.transform(X), True
            try:
                names = [str(name) for name in head.get_feature_names_out(names)]
            except (AttributeError, NotFittedError, TypeError, ValueError):
                # A step without output names: the table keeps the final
                # estimator's own names (x0, x1, …).
                names = None
        model = model[-1]
    if not hasattr(model, method):
        other = _OTHER.get(method)
        hint = f" (it has {other})" if other and hasattr(model, other) else ""
        raise TypeError(
            f"{method} needs a fitted skfisher estimator with a {method} method, or a "
            f"Pipeline or fitted search ending in one; the final estimator is "
            f"{type(model).__name__!r}, which has none{hint}."
        )
    return model, X, names if transformed else None


def _rows_of(X, result, model, transformed):
    """Return ``result`` (one row per row of ``X``) in the container of the user's ``X``."""
    if transformed is X:
        return result
    values = np.asarray(result, dtype=float)
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes) > 2:
        values = values.reshape(values.shape[0], len(classes), 2)
        return interval_container(X, values, classes)
    return interval_container(X, values.reshape(values.shape[0], 2))


def predict_interval(estimator, X, **kwargs):
    """Return confidence intervals for the predicted means of an estimator or pipeline.

    Parameters
    ----------
    estimator : estimator, Pipeline or fitted search
        A fitted skfisher regressor (``FisherGLMRegressor`` and the fixed-family
        regressors), a fitted :class:`~sklearn.pipeline.Pipeline` whose final
        step is one, or a fitted search whose ``best_estimator_`` is either.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The samples, as the pipeline's ``predict`` takes them: the steps
        before the final estimator transform them.
    **kwargs
        Passed to the final estimator's ``predict_interval`` (``alpha``,
        ``offset``).

    Returns
    -------
    intervals : ndarray of shape (n_samples, 2) or DataFrame
        The final estimator's ``predict_interval`` of the transformed ``X``, in
        the container of the ``X`` given here: for a pandas DataFrame, a
        DataFrame with its index and the columns ``["mean_ci_lower",
        "mean_ci_upper"]``; for a polars DataFrame, a polars DataFrame.

    Raises
    ------
    TypeError
        When the final estimator has no ``predict_interval`` (a classifier
        has :func:`predict_proba_interval`).

    See Also
    --------
    skfisher.FisherGLMRegressor.predict_interval : The method called.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skfisher import FisherPoissonRegressor
    >>> from skfisher.inference import predict_interval
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)) * [10.0, 1.0]
    >>> y = rng.poisson(np.exp(0.5 + X @ [0.03, -0.2]))
    >>> pipe = make_pipeline(StandardScaler(), FisherPoissonRegressor()).fit(X, y)
    >>> predict_interval(pipe, X[:2]).shape
    (2, 2)
    """
    model, transformed, _ = _final_step(estimator, X, "predict_interval")
    result = model.predict_interval(transformed, **kwargs)
    return _rows_of(X, result, model, transformed)


def predict_proba_interval(estimator, X, **kwargs):
    """Return confidence intervals for the class probabilities of a classifier or pipeline.

    Parameters
    ----------
    estimator : estimator, Pipeline or fitted search
        A fitted :class:`~skfisher.FisherLogisticRegression`, a fitted
        :class:`~sklearn.pipeline.Pipeline` whose final step is one, or a
        fitted search whose ``best_estimator_`` is either.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The samples, transformed by the steps before the final estimator.
    **kwargs
        Passed to the final estimator's ``predict_proba_interval``
        (``alpha``).

    Returns
    -------
    intervals : ndarray of shape (n_samples, 2) or (n_samples, n_classes, 2), or DataFrame
        The final estimator's ``predict_proba_interval`` of the transformed
        ``X``, in the container of the ``X`` given here (pandas: its index,
        with ``(class, end)`` columns for more than two classes; polars:
        ``"<class>:<end>"`` columns).

    Raises
    ------
    TypeError
        When the final estimator has no ``predict_proba_interval`` (a
        regressor has :func:`predict_interval`).

    See Also
    --------
    skfisher.FisherLogisticRegression.predict_proba_interval : The method called.
    """
    model, transformed, _ = _final_step(estimator, X, "predict_proba_interval")
    result = model.predict_proba_interval(transformed, **kwargs)
    return _rows_of(X, result, model, transformed)


def marginal_effects(estimator, X, kind="average", **kwargs):
    """Return the marginal effects of an estimator, or of a pipeline's final estimator.

    Parameters
    ----------
    estimator : estimator, Pipeline or fitted search
        A fitted skfisher GLM or logistic regression, a fitted
        :class:`~sklearn.pipeline.Pipeline` whose final step is one, or a
        fitted search whose ``best_estimator_`` is either.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The sample to average over (or whose mean row to use), as the
        pipeline takes it; the steps before the final estimator transform it.
    kind : {"average", "at_mean"}, default="average"
        Average of the effects over the rows, or the effect at the mean row
        (of the *transformed* rows).
    **kwargs
        Passed to the final estimator's ``marginal_effects`` (``dummy``,
        ``count``, ``alpha``, ``sample_weight``, ``offset``,
        ``feature_names``).

    Returns
    -------
    table : MarginalEffectsTable
        The effects with delta-method standard errors.

    Raises
    ------
    TypeError
        When the final estimator has no ``marginal_effects``.

    See Also
    --------
    skfisher.margins.MarginalEffectsMixin.marginal_effects : The method called.

    Notes
    -----
    Through a pipeline the effects are derivatives with respect to the
    *transformed* features, the final estimator's inputs, not the columns of
    ``X``: after a ``StandardScaler`` an effect is per training standard
    deviation of the feature, and each one-hot column of a ``OneHotEncoder``
    has its own effect (with ``dummy=True``, the change from 0 to 1 of that
    column with the other columns held fixed, a contrast with the dropped
    category when the encoder has ``drop="first"``). The rows of the table
    are named by the steps' ``get_feature_names_out`` (for example
    ``"num__age"``, ``"cat__region_north"``) unless the final estimator was
    fitted with feature names of its own or ``feature_names`` is given.
    """
    model, transformed, names = _final_step(estimator, X, "marginal_effects")
    if names is not None and not hasattr(model, "feature_names_in_"):
        kwargs.setdefault("feature_names", names)
    return model.marginal_effects(transformed, kind, **kwargs)
