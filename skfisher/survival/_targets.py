"""The survival target: times and event indicators, from scikit-survival's array or columns.

scikit-survival's ``Surv.from_arrays(event, time)`` makes a structured array
with a boolean field (the event) and a float field (the time); the names are
free, so the fields are told apart by their dtypes. A plain array of shape
(n, 2) is read as the columns ``[time, event]``. Nothing here imports
scikit-survival.

Cox regression also takes counting-process data, each row at risk over an
interval (start, stop] (R's ``Surv(start, stop, event)``): an array of shape
(n, 3) with the columns ``[start, stop, event]``, or a structured array with
one boolean field and two numeric fields, read in field order as
(start, stop) (:func:`counting_target`).
"""

import numpy as np

_SHOWN = 5


def _positions(mask):
    where = np.flatnonzero(mask)
    shown = ", ".join(str(int(i)) for i in where[:_SHOWN])
    return f"{where.size} row(s) (at {shown}{' …' if where.size > _SHOWN else ''})"


_FORMS = (
    "a structured array (event, time) as sksurv.util.Surv makes, or an array of shape "
    "(n, 2) with the columns [time, event]"
)
_COUNTING_FORMS = (
    "a structured array (event, time) as sksurv.util.Surv makes or (event, start, stop), "
    "or an array of shape (n, 2) with the columns [time, event] or of shape (n, 3) with "
    "the columns [start, stop, event]"
)

# How counting-process y is read, told when its intervals are refused.
_READ_COLUMNS = (
    "y of shape (n, 3) is read as the columns [start, stop, event] (R's "
    "Surv(start, stop, event)); y of shape (n, 2), as [time, event]."
)
_READ_STRUCTURED = (
    "A structured y with one boolean field (the event) and two numeric fields is read "
    "as (event, start, stop), the numeric fields in their order; with one boolean field "
    "(the event) and one numeric field (the time), as (event, time)."
)


def _structured(y, counting):
    """Return ``(start, time, event)`` from the fields of a structured array (start None)."""
    names = y.dtype.names
    flags = [name for name in names if y.dtype[name].kind == "b"]
    others = [name for name in names if y.dtype[name].kind in "iuf"]
    numeric = (1, 2) if counting else (1,)
    if len(flags) != 1 or len(others) not in numeric or len(names) != 1 + len(others):
        fields = ", ".join(f"{name} ({y.dtype[name]})" for name in names)
        counted = " or two (start and stop, in this order)" if counting else ""
        raise ValueError(
            "y must be a structured array with one boolean field (the event) and one "
            f"numeric field (the time){counted}, as sksurv.util.Surv.from_arrays makes; "
            f"got the fields {fields}."
        )
    columns = [np.asarray(y[name], dtype=float) for name in others]
    start = columns[0] if len(columns) == 2 else None
    return start, columns[-1], np.asarray(y[flags[0]], dtype=float)


def _target(y, counting):
    """Return ``(start, time, event)``, start None unless y has a start (``counting``)."""
    forms = _COUNTING_FORMS if counting else _FORMS
    if y is None:
        raise ValueError(f"y is required: {forms}.")
    array = np.asarray(y)
    structured = array.dtype.names is not None
    if structured:
        if array.ndim != 1:
            raise ValueError(f"A structured y must be 1-dimensional; got shape {array.shape}.")
        start, time, event = _structured(array, counting)
    else:
        widths = (2, 3) if counting else (2,)
        if array.ndim != 2 or array.shape[1] not in widths:
            raise ValueError(f"y must be {forms}; got shape {array.shape}.")
        try:
            array = array.astype(float)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"y must hold numbers (time) and 0/1 (event); got dtype {array.dtype}."
            ) from exc
        start = array[:, 0].copy() if array.shape[1] == 3 else None
        time, event = array[:, -2].copy(), array[:, -1].copy()
    if start is None:
        _check(time, event)
    else:
        _check_intervals(start, time, event, _READ_STRUCTURED if structured else _READ_COLUMNS)
    return start, time, event


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
    return _target(y, counting=False)[1:]


def counting_target(y):
    """Return ``(start, stop, event)``: :func:`survival_target` or counting-process data.

    Parameters
    ----------
    y : structured array or array-like of shape (n, 2) or (n, 3)
        As :func:`survival_target`'s, or the columns ``[start, stop, event]``
        (R's ``Surv(start, stop, event)``), or a structured array with a
        boolean event field and two numeric fields, start and stop in this
        order: each row is at risk over (start, stop], and its event, if any,
        is at stop.

    Returns
    -------
    start : ndarray of shape (n,) or None
        None for ``(time, event)`` data; otherwise finite, each below its stop
        (of any sign, as R's).
    stop : ndarray of shape (n,)
        The times; finite, and non-negative without a start.
    event : ndarray of shape (n,)
        1.0 for an event, 0.0 for a censored time.
    """
    return _target(y, counting=True)


def _check_events_coded(event):
    coded = (event == 0) | (event == 1)
    if not coded.all():
        raise ValueError(
            "The event indicator must be 0 (censored) or 1 (event), or boolean; "
            f"{_positions(~coded)} are neither, e.g. {event[~coded][0]!r}."
        )


def _check(time, event):
    bad = ~np.isfinite(time)
    if bad.any():
        raise ValueError(f"The survival times must be finite; {_positions(bad)} are not.")
    if np.any(time < 0):
        raise ValueError(
            f"The survival times must be non-negative; {_positions(time < 0)} are negative."
        )
    _check_events_coded(event)


def _check_intervals(start, stop, event, read_as):
    """Check counting-process data; ``read_as`` says how y was read, for the messages."""
    for name, values in (("start", start), ("stop", stop)):
        bad = ~np.isfinite(values)
        if bad.any():
            raise ValueError(f"The {name} times must be finite; {_positions(bad)} are not.")
    empty = ~(start < stop)
    if empty.any():
        first = np.flatnonzero(empty)[0]
        raise ValueError(
            "Each row is at risk over (start, stop]: its start must be below its stop; "
            f"{_positions(empty)} are not, e.g. start {start[first]:g} and stop "
            f"{stop[first]:g} at row {first}. {read_as}"
        )
    _check_events_coded(event)


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


def check_strata_kept(codes, keep, labels):
    """Refuse a stratum whose rows all have weight 0: it has no baseline hazard."""
    empty = np.setdiff1d(np.unique(codes), np.unique(codes[keep]))
    if empty.size:
        label = labels[empty[0]].item()
        raise ValueError(
            f"Every row of the stratum {label!r} has sample_weight 0: that stratum has no "
            "baseline hazard to estimate. Leave its rows out, or give them weight."
        )
