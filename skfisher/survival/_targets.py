"""The survival target: times and event indicators, from scikit-survival's array or two columns.

scikit-survival's ``Surv.from_arrays(event, time)`` makes a structured array
with a boolean field (the event) and a float field (the time); the names are
free, so the fields are told apart by their dtypes. A plain array of shape
(n, 2) is read as the columns ``[time, event]``. Nothing here imports
scikit-survival.
"""

import numpy as np

_SHOWN = 5


def _positions(mask):
    where = np.flatnonzero(mask)
    shown = ", ".join(str(int(i)) for i in where[:_SHOWN])
    return f"{where.size} row(s) (at {shown}{' …' if where.size > _SHOWN else ''})"


def _structured(y):
    """Return ``(time, event)`` from the fields of a structured array."""
    names = y.dtype.names
    flags = [name for name in names if y.dtype[name].kind == "b"]
    others = [name for name in names if y.dtype[name].kind in "iuf"]
    if len(names) != 2 or len(flags) != 1 or len(others) != 1:
        fields = ", ".join(f"{name} ({y.dtype[name]})" for name in names)
        raise ValueError(
            "y must be a structured array with one boolean field (the event) and one "
            f"numeric field (the time), as sksurv.util.Surv.from_arrays makes; got the "
            f"fields {fields}."
        )
    return np.asarray(y[others[0]], dtype=float), np.asarray(y[flags[0]], dtype=float)


def survival_target(y):
    """Return ``(time, event)`` as float arrays of shape (n,), checked.

    Parameters
    ----------
    y : structured array or array-like of shape (n, 2)
        A structured array with a boolean event field and a numeric time field,
        or the columns ``[time, event]`` with events coded 0/1 (or booleans).

    Returns
    -------
    time : ndarray of shape (n,)
        Finite, non-negative.
    event : ndarray of shape (n,)
        1.0 for an event, 0.0 for a censored time.
    """
    if y is None:
        raise ValueError(
            "y is required: a structured array (event, time) as sksurv.util.Surv makes, "
            "or an array of shape (n, 2) with the columns [time, event]."
        )
    array = np.asarray(y)
    if array.dtype.names is not None:
        if array.ndim != 1:
            raise ValueError(f"A structured y must be 1-dimensional; got shape {array.shape}.")
        time, event = _structured(array)
    else:
        if array.ndim != 2 or array.shape[1] != 2:
            raise ValueError(
                "y must be a structured array (event, time) as sksurv.util.Surv makes, or "
                f"an array of shape (n, 2) with the columns [time, event]; got shape "
                f"{array.shape}."
            )
        try:
            array = array.astype(float)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"y must hold numbers (time) and 0/1 (event); got dtype {array.dtype}."
            ) from exc
        time, event = array[:, 0].copy(), array[:, 1].copy()
    _check(time, event)
    return time, event


def _check(time, event):
    bad = ~np.isfinite(time)
    if bad.any():
        raise ValueError(f"The survival times must be finite; {_positions(bad)} are not.")
    if np.any(time < 0):
        raise ValueError(
            f"The survival times must be non-negative; {_positions(time < 0)} are negative."
        )
    coded = (event == 0) | (event == 1)
    if not coded.all():
        raise ValueError(
            "The event indicator must be 0 (censored) or 1 (event), or boolean; "
            f"{_positions(~coded)} are neither, e.g. {event[~coded][0]!r}."
        )


def check_events(event, weights):
    """Raise ``ValueError`` when no row of positive weight has an event."""
    if not np.any((event == 1) & (weights > 0)):
        raise ValueError(
            "y has no events (every time is censored, or every event has weight 0): "
            "the partial likelihood is constant and the coefficients are not identified."
        )


def strata_codes(strata, n_rows, what="strata"):
    """Return integer stratum codes of shape (n,) (all 0 for None)."""
    if strata is None:
        return np.zeros(n_rows, dtype=np.intp)
    values = np.asarray(strata)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()
    if values.ndim != 1 or values.shape[0] != n_rows:
        raise ValueError(
            f"{what} must have one label per row of X ({n_rows}); got shape {values.shape}."
        )
    missing = np.array([v is None or (isinstance(v, float) and v != v) for v in values])
    if missing.any():
        raise ValueError(f"{what} has missing labels (None or NaN) in {_positions(missing)}.")
    try:
        return np.unique(values, return_inverse=True)[1].ravel().astype(np.intp)
    except TypeError as exc:
        raise ValueError(
            f"{what} must hold labels of one comparable type (all numbers or all strings)."
        ) from exc
