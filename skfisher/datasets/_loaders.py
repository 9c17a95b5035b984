"""Loaders for the bundled datasets, in the style of ``sklearn.datasets``."""

import numpy as np
from sklearn.utils import Bunch

from .._optional import check_pandas_support
from ._bundled import DATASETS, MODES, PARTIES, bundled_columns


def _load(name, *, return_X_y, as_frame, target_dtype=float, target_names=None, descr=""):
    spec = DATASETS[name]
    columns = bundled_columns(name)
    feature_names = list(spec["features"])
    target_name = spec["target"]
    X = np.column_stack([columns[column] for column in feature_names])
    y = columns[target_name].astype(target_dtype)
    frame = None
    if as_frame:
        pd = check_pandas_support(f"load_{name}(as_frame=True)")
        frame = pd.DataFrame(X, columns=feature_names)
        if spec["response"] == "ordinal":  # the codes 0, 1, ... of target_names, in order
            y = pd.Categorical.from_codes(y, categories=target_names, ordered=True)
        frame[target_name] = y
        X, y = frame[feature_names], frame[target_name]
    if return_X_y:
        return X, y
    bunch = Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=feature_names,
        target_name=target_name,
        DESCR=descr,
        filename=spec["file"],
    )
    if target_names is not None:
        bunch.target_names = target_names
    return bunch


_PARAMETERS = """
    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.
    as_frame : bool, default=False
        Return pandas objects: ``X`` a DataFrame with the feature names as
        columns, ``y`` a Series (requires pandas).
"""


def load_anes96(*, return_X_y=False, as_frame=False):
    """Load the 1996 American National Election Study vote data (binary response).

    944 respondents of the 1996 American National Election Study; the target
    ``vote`` is 1 for a vote for Dole and 0 for Clinton. The features are the
    respondent's self-placement on a liberal–conservative scale (``selfLR``,
    1–7), ``age`` (years), ``educ`` (education, 1–7), ``income`` (household
    income bracket, 1–24) and ``TVnews`` (days a week watching TV news).
    Public domain; see ``skfisher/datasets/README.md``.
    {parameters}
    Returns
    -------
    data : Bunch or tuple
        ``data`` (944, 5), ``target`` (944,) of 0/1 integers, ``feature_names``,
        ``target_name`` (``"vote"``), ``target_names`` (``["Clinton", "Dole"]``),
        ``frame`` (when ``as_frame``), ``DESCR`` and ``filename``; or ``(X, y)``.

    Examples
    --------
    >>> from skfisher.datasets import load_anes96
    >>> X, y = load_anes96(return_X_y=True)
    >>> X.shape, int(y.sum())
    ((944, 5), 393)
    """
    return _load(
        "anes96",
        return_X_y=return_X_y,
        as_frame=as_frame,
        target_dtype=int,
        target_names=["Clinton", "Dole"],
        descr=load_anes96.__doc__,
    )


def load_partyid(*, return_X_y=False, as_frame=False):
    """Load the 1996 American National Election Study party identification (ordinal response).

    The 944 respondents of :func:`load_anes96`, with their party identification
    as the target ``PID``: seven ordered classes from strong Democrat to strong
    Republican (codes 0–6: strong Democrat 200 respondents, weak Democrat 180,
    independent leaning Democrat 108, independent 37, independent leaning
    Republican 94, weak Republican 150, strong Republican 175). The features are
    the respondent's self-placement on a liberal–conservative scale
    (``selfLR``, 1 = extremely liberal … 7 = extremely conservative), ``age``
    (years), ``educ`` (education, 1–7) and ``income`` (household income
    bracket, 1–24). The same file as :func:`load_anes96`. Public domain; see
    ``skfisher/datasets/README.md``.
    {parameters}
    Returns
    -------
    data : Bunch or tuple
        ``data`` (944, 4), ``target`` (944,) of the codes 0–6 (with
        ``as_frame``: an ordered pandas Categorical of ``target_names``),
        ``feature_names``, ``target_name`` (``"PID"``), ``target_names`` (the
        seven classes in order, ``"strong Dem"`` … ``"strong Rep"``), ``frame``
        (when ``as_frame``), ``DESCR`` and ``filename``; or ``(X, y)``.

    Examples
    --------
    >>> from skfisher import FisherOrdinalRegression
    >>> from skfisher.datasets import load_partyid
    >>> X, y = load_partyid(return_X_y=True, as_frame=True)
    >>> y.cat.categories[[0, -1]].tolist(), bool(y.cat.ordered)
    (['strong Dem', 'strong Rep'], True)
    >>> model = FisherOrdinalRegression().fit(X, y)
    >>> model.param_names_[[0, 4]].tolist()
    ['selfLR', 'strong Dem|weak Dem']
    >>> round(float(model.coef_[0]), 3), round(float(model.standard_errors_[0]), 4)
    (1.028, 0.0523)
    """
    return _load(
        "partyid",
        return_X_y=return_X_y,
        as_frame=as_frame,
        target_dtype=int,
        target_names=list(PARTIES),
        descr=load_partyid.__doc__,
    )


def load_randhie(*, return_X_y=False, as_frame=False):
    """Load the RAND Health Insurance Experiment doctor-visit data (count response).

    20,190 person-years of the RAND Health Insurance Experiment (1974–1982), the
    subset analysed by Cameron and Trivedi (2005, ch. 20). The target ``mdvis``
    is the number of outpatient visits to a medical doctor in the year, a count
    (0–77, mean 2.86, variance 20.3: overdispersed relative to the Poisson). The
    features are ``lncoins`` (log(coinsurance rate + 1), coinsurance 0–100 %),
    ``idp`` (1 for an individual-deductible plan), ``lpi`` (log of the annual
    participation-incentive payment, at least 1), ``fmde`` (a function of the
    maximum out-of-pocket expenditure; 0 when ``idp`` is 1), ``physlm`` (physical
    limitation), ``disea`` (number of chronic diseases) and the self-rated
    health indicators ``hlthg`` (good), ``hlthf`` (fair) and ``hlthp`` (poor),
    with excellent health the omitted level. Public domain; see
    ``skfisher/datasets/README.md``.
    {parameters}
    Returns
    -------
    data : Bunch or tuple
        ``data`` (20190, 9), ``target`` (20190,), ``feature_names``,
        ``target_name`` (``"mdvis"``), ``frame`` (when ``as_frame``), ``DESCR``
        and ``filename``; or ``(X, y)``.

    Notes
    -----
    The file stores each distinct row once with the number of person-years
    that share it; the loader repeats each row that many times, so the data
    are those of statsmodels' ``randhie`` dataset (the rows grouped, not in
    their original order).

    Examples
    --------
    >>> from skfisher.datasets import load_randhie
    >>> X, y = load_randhie(return_X_y=True)
    >>> X.shape, round(float(y.mean()), 3)
    ((20190, 9), 2.86)
    """
    return _load("randhie", return_X_y=return_X_y, as_frame=as_frame, descr=load_randhie.__doc__)


def load_engel(*, return_X_y=False, as_frame=False):
    """Load Engel's 1857 food-expenditure data (positive continuous response).

    Annual household income and food expenditure, both in Belgian francs, of
    235 working-class Belgian households, studied by Ernst Engel (1857) and
    used by Koenker and Bassett (1982). The target ``foodexp`` is positive and
    its spread grows with its mean (a Gamma-like variance); the single
    feature is ``income``. Public domain; see ``skfisher/datasets/README.md``.
    {parameters}
    Returns
    -------
    data : Bunch or tuple
        ``data`` (235, 1), ``target`` (235,), ``feature_names``, ``target_name``
        (``"foodexp"``), ``frame`` (when ``as_frame``), ``DESCR`` and
        ``filename``; or ``(X, y)``.

    Examples
    --------
    >>> from skfisher.datasets import load_engel
    >>> X, y = load_engel(return_X_y=True)
    >>> X.shape, bool(y.min() > 0)
    ((235, 1), True)
    """
    return _load("engel", return_X_y=return_X_y, as_frame=as_frame, descr=load_engel.__doc__)


def load_modechoice(*, return_X_y=False, as_frame=False):
    """Load the 1987 Australian travel-mode choice data (multiclass response).

    210 non-business intercity trips between Sydney, Canberra and Melbourne,
    each by one of four modes (Greene and Hensher, 1997; Greene, *Econometric
    Analysis*, table F18-2). The target ``mode`` is the mode chosen: ``"air"``
    (58 trips), ``"train"`` (63), ``"bus"`` (30) or ``"car"`` (59); the sample is
    choice-based, with the less popular modes over-sampled. The features are
    ``hinc`` (household income, $1000s), ``psize`` (travelling party size),
    the generalised cost of each mode ``gc_air``, ``gc_train``, ``gc_bus``,
    ``gc_car`` (in-vehicle cost plus the valued travel time, dollars) and the
    terminal waiting time ``ttme_air``, ``ttme_train``, ``ttme_bus`` (minutes;
    0 for the car). The file has one row per traveller and mode, as
    statsmodels' ``modechoice``; the loader returns one row per traveller.
    Public domain; see ``skfisher/datasets/README.md``.
    {parameters}
    Returns
    -------
    data : Bunch or tuple
        ``data`` (210, 9), ``target`` (210,) of mode names, ``feature_names``,
        ``target_name`` (``"mode"``), ``target_names`` (the four modes),
        ``frame`` (when ``as_frame``), ``DESCR`` and ``filename``; or ``(X, y)``.

    Examples
    --------
    >>> from skfisher import FisherLogisticRegression
    >>> from skfisher.datasets import load_modechoice
    >>> X, y = load_modechoice(return_X_y=True)
    >>> model = FisherLogisticRegression().fit(X, y)
    >>> model.classes_.tolist(), model.params_.shape
    (['air', 'bus', 'car', 'train'], (30,))
    """
    return _load(
        "modechoice",
        return_X_y=return_X_y,
        as_frame=as_frame,
        target_dtype=object,
        target_names=list(MODES.values()),
        descr=load_modechoice.__doc__,
    )


def load_veteran(*, return_X_y=False, as_frame=False):
    """Load the Veterans' Administration lung cancer trial (survival response).

    137 men with advanced inoperable lung cancer, randomised to a standard or a
    test chemotherapy (Prentice, 1973; Kalbfleisch and Prentice, *The
    Statistical Analysis of Failure Time Data*, Appendix I; R's
    ``survival::veteran``). The target is the survival time in days with
    whether it ended in death (128 deaths, 9 censored). The features are
    ``trt`` (1 for the test chemotherapy, 0 for the standard), the tumour's
    cell type as the indicators ``smallcell``, ``adeno`` and ``large``
    (squamous is the reference level), ``karno`` (Karnofsky performance
    score, 10–99: 100 is good), ``diagtime`` (months from diagnosis to
    randomisation), ``age`` (years) and ``prior`` (1 for prior therapy).
    Public domain; see ``skfisher/datasets/README.md``.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.
    as_frame : bool, default=False
        Return ``X`` as a pandas DataFrame with the feature names as columns
        (requires pandas); ``y`` stays the structured array.

    Returns
    -------
    data : Bunch or tuple
        ``data`` (137, 8), ``target`` (137,) a structured array with the fields
        ``event`` (bool) and ``time`` (float, days), as
        ``sksurv.util.Surv.from_arrays`` makes it, ``feature_names``,
        ``target_names`` (``["event", "time"]``), ``frame`` (when
        ``as_frame``: the features, ``time`` and ``event``), ``DESCR`` and
        ``filename``; or ``(X, y)``.

    Examples
    --------
    >>> from skfisher.datasets import load_veteran
    >>> from skfisher.survival import FisherCoxRegressor
    >>> X, y = load_veteran(return_X_y=True)
    >>> X.shape, int(y["event"].sum()), y.dtype.names
    ((137, 8), 128, ('event', 'time'))
    >>> model = FisherCoxRegressor().fit(X, y)
    >>> round(float(model.coef_[4]), 4), round(float(model.standard_errors_[4]), 5)
    (-0.0328, 0.00551)
    """
    spec = DATASETS["veteran"]
    columns = bundled_columns("veteran")
    feature_names = list(spec["features"])
    X = np.column_stack([columns[name] for name in feature_names])
    y = np.empty(X.shape[0], dtype=[("event", bool), ("time", float)])
    y["event"] = columns[spec["event"]] == 1
    y["time"] = columns[spec["target"]]
    frame = None
    if as_frame:
        pd = check_pandas_support("load_veteran(as_frame=True)")
        frame = pd.DataFrame(X, columns=feature_names)
        frame["time"], frame["event"] = y["time"], y["event"]
        X = frame[feature_names]
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=feature_names,
        target_names=list(y.dtype.names),
        DESCR=load_veteran.__doc__,
        filename=spec["file"],
    )


for _loader in (load_anes96, load_partyid, load_randhie, load_engel, load_modechoice):
    _loader.__doc__ = _loader.__doc__.replace("    {parameters}\n", _PARAMETERS)
