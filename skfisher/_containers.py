"""Per-row results in the container of the input: a pandas or polars DataFrame, else an array.

``predict_interval`` and ``predict_proba_interval`` give one row per row of
``X``. For DataFrame input they return a DataFrame of the same library, as
scikit-learn's ``set_output`` does for transformers: pandas keeps ``X``'s
index, polars (which has no index) keeps the row order. The containers are
made by scikit-learn's own ``set_output`` adapters, so pandas and polars follow
the same rules as a scikit-learn transformer's output.
"""

# scikit-learn's registry of DataFrame adapters (pandas and polars since 1.4,
# the same interface through 1.9); it is private, hence this one import site.
from sklearn.utils._set_output import ADAPTERS_MANAGER

INTERVAL_COLUMNS = ["mean_ci_lower", "mean_ci_upper"]


def dataframe_adapter(X):
    """Return scikit-learn's ``set_output`` adapter for ``X``'s DataFrame library, or None.

    Parameters
    ----------
    X : object
        The input of a prediction method.

    Returns
    -------
    adapter : object or None
        An adapter with ``create_container`` and ``container_lib`` (``"pandas"``
        or ``"polars"``) when ``X`` is a DataFrame of that library, else None.
    """
    library = type(X).__module__.split(".")[0]
    adapter = ADAPTERS_MANAGER.adapters.get(library)
    if adapter is not None and adapter.is_supported_container(X):
        return adapter
    return None


def interval_container(X, intervals, classes=None):
    """Return ``intervals`` in the container of ``X``.

    Parameters
    ----------
    X : array-like, sparse matrix or DataFrame
        The samples the intervals are for, one row each.
    intervals : ndarray of shape (n_samples, 2) or (n_samples, n_classes, 2)
        Lower and upper ends, per class for a multinomial model.
    classes : array-like of shape (n_classes,), default=None
        The class labels when ``intervals`` has one pair of ends per class.

    Returns
    -------
    intervals : ndarray or DataFrame
        ``intervals`` itself unless ``X`` is a pandas or polars DataFrame. Then a
        DataFrame of that library with the columns ``["mean_ci_lower",
        "mean_ci_upper"]``; per class, pandas has the columns ``(class,
        "mean_ci_lower")``, ``(class, "mean_ci_upper")`` (a MultiIndex) and
        polars, whose column names are strings, ``"<class>:mean_ci_lower"``,
        ``"<class>:mean_ci_upper"``.
    """
    adapter = dataframe_adapter(X)
    if adapter is None:
        return intervals
    if classes is None:
        columns = INTERVAL_COLUMNS
    elif adapter.container_lib == "pandas":
        import pandas as pd  # installed: X is one of its DataFrames

        columns = pd.MultiIndex.from_product([list(classes), INTERVAL_COLUMNS])
    else:
        columns = [f"{label}:{end}" for label in classes for end in INTERVAL_COLUMNS]
    flat = intervals.reshape(intervals.shape[0], -1)
    return adapter.create_container(flat, X, columns, inplace=False)
