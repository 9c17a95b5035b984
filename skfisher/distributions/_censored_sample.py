"""A ``scipy.stats.CensoredData`` sample read, checked and prepared for a family.

The observations are taken in the order of CensoredData's own arrays:
uncensored, left-censored, right-censored, interval-censored (the order in
which ``sample_weight`` is matched to them). Each censored observation
becomes an interval ``(lo, hi]``: ``(−∞, x]`` when left-censored, ``(x, ∞)``
when right-censored.

What is refused, with a ``ValueError``: NaN or infinite values, an interval
whose lower end exceeds its upper one, a value outside the family's
support, a left-censored value at the lower end of the support (or a
right-censored one at its upper end: probability 0), a sample with no
uncensored and no informative observation, and samples whose likelihood has
no maximum (see :func:`check_identified`). A censored observation that every
distribution of the family satisfies (right-censored at 0 for a positive
family) carries no information and is dropped; it still counts in ``nobs_``.
"""

import numpy as np
from sklearn.utils.validation import _check_sample_weight

from .._validation import check_weights

_KINDS = ("uncensored", "left-censored", "right-censored", "interval-censored")

# The families that can put all their mass near any point of their support
# once these parameters are free (σ → 0, shape → ∞): a point every
# observation allows is then a supremum of the likelihood that no
# distribution attains.
CONCENTRATING = {
    "normal": {"loc", "scale"},
    "logistic": {"loc", "scale"},
    "lognormal": {"s", "scale"},
    "weibull": {"shape", "scale"},
    "gamma": {"shape", "scale"},
    "beta": {"a", "b"},
    "inverse_gaussian": {"mu", "scale"},
    "student_t": {"loc", "scale"},
}


class CensoredSample:
    """The checked observations of one censored sample, in one footing.

    Attributes
    ----------
    exact : ndarray of shape (n_exact,)
        The uncensored values.
    exact_weights : ndarray of shape (n_exact,) or None
        Their frequency weights (None: all ones).
    lo, hi : ndarray of shape (n_censored,)
        The informative censored observations as intervals ``(lo, hi]``.
    weights : ndarray of shape (n_censored,)
        Their frequency weights.
    n : float
        Σw over every observation, the uninformative ones included.
    """

    def __init__(self, exact, exact_weights, lo, hi, weights, n):
        self.exact, self.exact_weights = exact, exact_weights
        self.lo, self.hi, self.weights = lo, hi, weights
        self.n = float(n)
        self.n_exact = float(len(exact) if exact_weights is None else exact_weights.sum())
        self.size = len(exact) + len(lo)
        finite = np.concatenate([exact, lo[np.isfinite(lo)], hi[np.isfinite(hi)]])
        self.low, self.high = float(finite.min()), float(finite.max())

    def pseudo_values(self):
        """Values standing for the observations, for starting values: x, or an end or midpoint."""
        middle = np.where(
            np.isinf(self.lo),
            self.hi,
            np.where(np.isinf(self.hi), self.lo, 0.5 * (self.lo + self.hi)),
        )
        values = np.concatenate([self.exact, middle])
        ones = np.ones(len(self.exact)) if self.exact_weights is None else self.exact_weights
        return values, np.concatenate([ones, self.weights])

    def moved(self, scale, shift):
        """The same sample on the footing ``x' = x/scale − shift``."""
        return CensoredSample(
            self.exact / scale - shift,
            self.exact_weights,
            self.lo / scale - shift,
            self.hi / scale - shift,
            self.weights,
            self.n,
        )


def censored_arrays(data):
    """The four arrays of a CensoredData, checked: ``[x, left, right, (a, b) rows]``."""
    arrays = [
        np.asarray(getattr(data, f"_{name}"), dtype=float)
        for name in ("uncensored", "left", "right")
    ]
    interval = np.asarray(data._interval, dtype=float).reshape(-1, 2)
    for kind, values in zip(_KINDS, [*arrays, interval], strict=True):
        if np.isnan(values).any():
            raise ValueError(
                f"The CensoredData holds {int(np.isnan(values).sum())} NaN among its {kind} "
                "values; MLEDistribution needs numbers. Remove or impute them."
            )
        if np.isinf(values).any():
            raise ValueError(
                f"The CensoredData holds an infinite {kind} value; an open end is written as a "
                "left- or right-censored observation (CensoredData(left=..., right=...))."
            )
    reversed_rows = interval[:, 0] > interval[:, 1]
    if reversed_rows.any():
        a, b = (float(v) for v in interval[reversed_rows][0])
        raise ValueError(
            f"The CensoredData has {int(reversed_rows.sum())} interval(s) whose lower end exceeds "
            f"the upper one, the first being [{a!r}, {b!r}]; an interval is [low, high] with "
            "low <= high."
        )
    return [*arrays, interval]


def _weights(sample_weight, sizes):
    """The weights of each of the four groups (None: unweighted)."""
    if sample_weight is None:
        return [None] * 4
    total = int(sum(sizes))
    weights = _check_sample_weight(sample_weight, np.empty((total, 1)), dtype=np.float64)
    check_weights(weights)
    return np.split(weights, np.cumsum(sizes)[:-1])


def _outside(family, kind, values, inside, allowed):
    bad = ~inside
    if bad.any():
        raise ValueError(
            f"The {family.name} family requires {kind} values in {allowed}; got "
            f"{int(bad.sum())} value(s) outside it, the first being {values[bad][0].item()!r}."
        )


def _check_support(family, x, left, right, interval):
    """Raise for values outside the support; return the masks of the uninformative ones."""
    support = family.support
    low, high = support.low, support.high
    _outside(family, "uncensored", x, support.contains(x), str(support))
    closed = f"[{low:g}, {high:g}]"
    _outside(family, "left-censored", left, (left > low) & (left <= high), f"({low:g}, {high:g}]")
    _outside(
        family, "right-censored", right, (right >= low) & (right < high), f"[{low:g}, {high:g})"
    )
    ends = interval.ravel()
    _outside(family, "interval-censored end", ends, (ends >= low) & (ends <= high), closed)
    return left >= high, right <= low, (interval[:, 0] <= low) & (interval[:, 1] >= high)


def read_censored(data, sample_weight, family):
    """Check a CensoredData sample against a continuous family and prepare it.

    Returns
    -------
    sample : CensoredSample
        In the data's units, the uninformative observations left out.
    """
    x, left, right, interval = censored_arrays(data)
    sizes = [len(x), len(left), len(right), len(interval)]
    if sum(sizes) == 0:
        raise ValueError("The CensoredData is empty; MLEDistribution needs observations.")
    groups = _weights(sample_weight, sizes)
    n = float(sum(sizes) if sample_weight is None else sum(w.sum() for w in groups))
    # An interval of length 0 is an exact observation (as CensoredData reads it).
    point = interval[:, 0] == interval[:, 1]
    x = np.concatenate([x, interval[point, 0]])
    if sample_weight is not None:
        groups = [
            np.concatenate([groups[0], groups[3][point]]),
            groups[1],
            groups[2],
            groups[3][~point],
        ]
    interval = interval[~point]
    values = [x, left, right, interval]
    if sample_weight is not None:
        keep = [w > 0 for w in groups]
        values = [v[k] for v, k in zip(values, keep, strict=True)]
        groups = [w[k] for w, k in zip(groups, keep, strict=True)]
    x, left, right, interval = values
    useless = _check_support(family, x, left, right, interval)
    lo = np.concatenate([np.full(len(left), -np.inf), right, interval[:, 0]])
    hi = np.concatenate([left, np.full(len(right), np.inf), interval[:, 1]])
    informative = ~np.concatenate(useless)
    weights = np.ones(len(lo)) if sample_weight is None else np.concatenate(groups[1:])
    if not len(x) and not informative.any():
        raise ValueError(
            f"The CensoredData has no uncensored and no informative observation for the "
            f"{family.name} family: every censored one holds under every distribution of the "
            "family (such as right-censoring at the lower end of the support)."
        )
    return CensoredSample(x, groups[0], lo[informative], hi[informative], weights[informative], n)


def check_identified(family, sample, free_names):
    """Raise ``ValueError`` where the censored likelihood has no maximum.

    * fewer informative observations than free parameters;
    * no uncensored observation and every censored one right-censored (or
      every one left-censored): the likelihood rises towards 1 as the
      distribution moves beyond every censoring value;
    * for a family that can concentrate its mass (both parameters free,
      see ``CONCENTRATING``): no uncensored observation and a point that
      every censored one allows, or uncensored values all equal to one
      value that every censored observation allows.
    """
    m = len(free_names)
    if sample.size < m:
        raise ValueError(
            f"MLEDistribution needs at least {m} informative observations to estimate the "
            f"{m} free parameters {sorted(free_names)} of the {family.name} family; got "
            f"{sample.size}."
        )
    low = family.support.low
    lo, hi = sample.lo, sample.hi
    if not len(sample.exact):
        for side, ends in (("right", np.isposinf(hi)), ("left", lo <= low)):
            if ends.all():
                raise ValueError(
                    f"Every observation is {side}-censored: the {family.name} likelihood rises "
                    "towards 1 as the distribution moves beyond every censoring value, so it "
                    "has no maximum and the parameters no estimate. Uncensored or "
                    "otherwise-censored observations are needed."
                )
    concentrating = CONCENTRATING.get(family.name)
    if concentrating is None or not concentrating <= set(free_names) or not len(lo):
        return
    if not len(sample.exact):
        start, end = float(lo.max()), float(hi.min())
        if start < end:
            raise ValueError(
                f"Every censored observation allows the values in ({start:g}, {end:g}], and "
                f"none is uncensored: the {family.name} likelihood tends to 1 as the "
                "distribution concentrates there, a supremum that no distribution of the "
                "family attains, so there is no estimate."
            )
        return
    x0 = sample.exact[0]
    if np.all(sample.exact == x0) and np.all((lo <= x0) & (x0 <= hi)):
        raise ValueError(
            f"All uncensored values equal {x0:g}, which every censored observation allows: "
            f"the {family.name} likelihood grows without bound as the distribution "
            "concentrates at that value (the maximum-likelihood estimate lies on the "
            "boundary of the parameter space). Hold a parameter with fixed={...}."
        )
