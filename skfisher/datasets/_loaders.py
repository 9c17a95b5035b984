"""Loaders for the bundled datasets, in the style of ``sklearn.datasets``."""

import csv
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

from .._optional import check_pandas_support


def _read_csv(name):
    with resources.files(__package__).joinpath("data", name).open(newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], np.array(rows[1:], dtype=float)


def load_anes96(*, return_X_y=False, as_frame=False):
    """Load the 1996 American National Election Study vote data (binary response).

    944 respondents of the 1996 American National Election Study; the target
    ``vote`` is 1 for a vote for Dole and 0 for Clinton. The features are the
    respondent's self-placement on a liberal–conservative scale (``selfLR``,
    1–7), ``age`` (years), ``educ`` (education, 1–7), ``income`` (household
    income bracket, 1–24) and ``TVnews`` (days a week watching TV news).
    Public domain; see ``skfisher/datasets/README.md``.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.
    as_frame : bool, default=False
        Return pandas objects (requires pandas).

    Returns
    -------
    data : Bunch or tuple
        ``data`` (n, 5), ``target`` (n,), ``feature_names``, ``frame`` (when
        ``as_frame``) and ``DESCR``; or ``(X, y)``.
    """
    header, values = _read_csv("anes96.csv")
    feature_names = ["selfLR", "age", "educ", "income", "TVnews"]
    X = values[:, [header.index(name) for name in feature_names]]
    y = values[:, header.index("vote")].astype(int)
    frame = None
    if as_frame:
        pd = check_pandas_support("load_anes96(as_frame=True)")
        frame = pd.DataFrame(X, columns=feature_names)
        frame["vote"] = y
        X, y = frame[feature_names], frame["vote"]
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=feature_names,
        target_names=["Clinton", "Dole"],
        DESCR=load_anes96.__doc__,
    )
