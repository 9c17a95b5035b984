"""The checks of a count model's data: counts, the zero part's columns, offsets."""

import numpy as np


def check_counts(y):
    """Raise ``ValueError`` naming the first entry of ``y`` that is not a count."""
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise ValueError(
            f"y must hold counts (non-negative integers); got values of dtype {y.dtype}, "
            f"such as {str(y.ravel()[0])!r}."
        )
    bad = ~(np.isfinite(y) & (y >= 0) & (y == np.floor(y)))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"y must hold counts (non-negative integers); y[{first}] = {float(y[first]):g} is not."
        )


def check_zeros(y, sample_weight, kind, plain):
    """Refuse counts without zeros or without positive counts, and a hurdle's binary counts."""
    counted = y[sample_weight > 0]
    if not np.any(counted == 0):
        raise ValueError(
            f"y has no zeros, so a {kind} model has nothing to model in its zero part; "
            f"fit the plain count model instead ({plain})."
        )
    if not np.any(counted > 0):
        raise ValueError(
            "y has no positive counts: the count part cannot be estimated. Every count is 0."
        )
    if kind == "hurdle" and np.all(counted <= 1):
        # P(1 | Y > 0) = f(1) / (1 − f(0)) rises to 1 as μ → 0: no maximum.
        raise ValueError(
            "Every positive count in y is 1, so the hurdle's zero-truncated count part has "
            "no maximum-likelihood estimate (its mean runs to 0). The counts are binary: "
            "fit a logistic regression of y > 0 instead (FisherLogisticRegression)."
        )


def check_vector(values, n_rows, what):
    """Return ``values`` as a finite float vector of one entry per row (None stays None)."""
    if values is None:
        return None
    values = np.asarray(values, dtype=float).ravel()
    if values.shape[0] != n_rows:
        raise ValueError(f"{what} has {values.shape[0]} entries but X has {n_rows} rows.")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what} contains NaN or infinity.")
    return values


def zero_part_columns(features, names, parameter):
    """Return the column indices of the zero part.

    Parameters
    ----------
    features : None or sequence of int or str
        None: every column; a list of indices or of column names; ``[]``: a
        constant only.
    names : sequence of str
        The columns of X (``feature_names_in_``, or ``x0, x1, …``).
    parameter : str
        The estimator's parameter, for the messages.
    """
    n = len(names)
    if features is None:
        return np.arange(n)
    if isinstance(features, str):
        raise ValueError(f"{parameter} must be a list of columns, not the string {features!r}.")
    chosen = list(features)
    indices = []
    for item in chosen:
        if isinstance(item, (str, np.str_)):
            if item not in names:
                raise ValueError(
                    f"{parameter} names the column {item!r}, which is not in X; the columns "
                    f"are {list(names)}."
                )
            indices.append(list(names).index(item))
        elif isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not -n <= item < n:
                raise ValueError(
                    f"{parameter} has the column index {item}, but X has {n} columns."
                )
            indices.append(int(item) % n)
        else:
            raise ValueError(f"{parameter} must hold column indices or names; got {item!r}.")
    if len(set(indices)) != len(indices):
        raise ValueError(f"{parameter} lists a column twice: {chosen}.")
    return np.array(indices, dtype=np.intp)
