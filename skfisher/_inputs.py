"""Checks of X and y that come before scikit-learn's conversion to arrays.

``validate_data`` meets a datetime column, a ``None`` in y or a pandas ``NA``
in a string target with a ``DTypePromotionError`` or ``TypeError`` from deep
inside numpy or pandas. These checks name the column or the target and the
remedy first, as a ``ValueError``.
"""

import numpy as np

_SHOWN = 5


def check_columns_numeric(X):
    """Raise ``ValueError`` naming the columns of a data frame that are not numeric.

    Booleans and numbers pass; a pandas or polars column of datetimes,
    durations, strings or categories does not.
    """
    dtypes = getattr(X, "dtypes", None)
    columns = getattr(X, "columns", None)
    if dtypes is None or columns is None or np.ndim(dtypes) == 0:
        _check_array_kind(X)
        return
    bad = [
        f"{name!s} ({dtype})"
        for name, dtype in zip(columns, list(dtypes), strict=True)
        if not _is_numeric(dtype)
    ]
    if bad:
        raise ValueError(
            f"X has columns that are not numeric: {', '.join(bad[:_SHOWN])}"
            f"{' …' if len(bad) > _SHOWN else ''}. Convert them to numbers first: for "
            "example a date as days since a reference date, and categories or strings "
            "one-hot encoded (sklearn.preprocessing.OneHotEncoder in a ColumnTransformer)."
        )


def check_target_present(y):
    """Raise ``ValueError`` naming the positions where y is missing (None, NA or NaN).

    ``y=None`` itself is left to scikit-learn's own message.
    """
    if y is None:
        return
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        pd = None
    if pd is not None and isinstance(y, pd.DataFrame | pd.Series):
        missing = np.asarray(y.isna()).reshape(len(y), -1).any(axis=1)
    else:
        values = np.asarray(y, dtype=object) if _has_object(y) else None
        if values is None:
            return
        missing = np.array([_is_missing(value) for value in values.ravel()])
    positions = np.flatnonzero(missing)
    if positions.size:
        shown = ", ".join(str(int(i)) for i in positions[:_SHOWN])
        raise ValueError(
            f"y is missing at {positions.size} of {len(missing)} rows (positions [{shown}"
            f"{', …' if positions.size > _SHOWN else ''}]): None, NA or NaN. Drop those rows "
            "(or impute y) before fitting."
        )


def _is_numeric(dtype):
    """Whether a numpy, pandas (nullable included) or polars dtype may hold numbers."""
    try:
        # Object columns are left to scikit-learn, which converts numbers held
        # as objects and names the first value that is not one.
        return np.dtype(dtype).kind in "biufO"
    except TypeError:
        pass
    is_numeric = getattr(dtype, "is_numeric", None)  # polars
    if callable(is_numeric):
        return bool(is_numeric()) or str(dtype) == "Boolean"
    try:
        from pandas.api.types import is_bool_dtype, is_numeric_dtype
    except ImportError:  # pragma: no cover - pandas is optional
        return False
    return bool(is_numeric_dtype(dtype) or is_bool_dtype(dtype))


def _check_array_kind(X):
    kind = getattr(getattr(X, "dtype", None), "kind", None)
    if kind in ("M", "m"):
        raise ValueError(
            "X holds datetimes or durations; convert them to numbers first (for example "
            "days since a reference date)."
        )


def _has_object(y):
    dtype = getattr(y, "dtype", None)
    return dtype is None or getattr(dtype, "kind", None) == "O"


def _is_missing(value):
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, and pandas' NA raises below
    except TypeError:
        return True
