"""Hypothesis strategies of the family audit: parameters over each family's range, and points.

``WIDE`` reaches the extremes (scales 1e-8 to 1e8, shapes 1e-3 to 1e8, df to
1e15, counts to 1e9); ``MODERATE`` stays where quadrature of the information
is reliable. Both give ``(constants, θ in param_names order)``.
"""

import warnings

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st


def _log_uniform(low, high):
    """Log-uniform on [low, high], with the end points themselves drawn often."""
    inside = st.floats(np.log10(low), np.log10(high)).map(lambda e: 10.0**e)
    return st.one_of(st.sampled_from([float(low), float(high)]), inside)


def _probability(closest):
    """p in (0, 1), as close as ``closest`` to either end."""
    return _log_uniform(closest, 1.0 / closest).map(lambda odds: odds / (1.0 + odds))


def located(scale):
    """(loc, scale) with ``loc`` 0 or up to 1e9 scales from 0.

    Beyond 1e9 scales float64 data resolve the distribution more coarsely than
    2e-7 of a scale (the ulp of loc), and a numerical derivative in loc of
    scipy's density means nothing.
    """
    offset = st.tuples(
        st.one_of(st.just(0.0), _log_uniform(1e-3, 1e9)), st.sampled_from([-1.0, 1.0])
    )
    return scale.flatmap(lambda s: st.tuples(offset.map(lambda o: o[0] * o[1] * s), st.just(s)))


SCALE = _log_uniform(1e-8, 1e8)
NO_CONSTANTS = st.just({})
# (constants, θ in param_names order) over each family's whole range.
WIDE = {
    "normal": st.tuples(NO_CONSTANTS, located(SCALE)),
    "lognormal": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(1e-4, 30.0), SCALE)),
    "exponential": st.tuples(NO_CONSTANTS, st.tuples(SCALE)),
    "gamma": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(1e-3, 1e8), SCALE)),
    "weibull": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(1e-2, 1e3), SCALE)),
    "beta": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(1e-3, 1e6), _log_uniform(1e-3, 1e6))),
    "logistic": st.tuples(NO_CONSTANTS, located(SCALE)),
    "student_t": st.tuples(
        NO_CONSTANTS,
        st.tuples(located(SCALE), _log_uniform(0.05, 1e15)).map(lambda t: (*t[0], t[1])),
    ),
    "inverse_gaussian": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(1e-3, 1e4), SCALE)),
    "von_mises": st.tuples(
        NO_CONSTANTS, st.tuples(st.floats(-np.pi, np.pi), _log_uniform(1e-3, 1e6))
    ),
    "poisson": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(1e-3, 1e9))),
    "negative_binomial": st.tuples(
        NO_CONSTANTS, st.tuples(_log_uniform(1e-3, 1e9), _probability(1e-9))
    ),
    "geometric": st.tuples(NO_CONSTANTS, st.tuples(_probability(1e-9))),
    "bernoulli": st.tuples(NO_CONSTANTS, st.tuples(_probability(1e-9))),
    "binomial": st.tuples(
        _log_uniform(1.0, 1e9).map(lambda n: {"n": round(n)}), st.tuples(_probability(1e-9))
    ),
}

# One point per draw: a tail probability 10^−e in the lower or upper tail of a
# continuous family (from the median to 1e-300), mean + k sd for a discrete one.
POINTS = st.lists(
    st.tuples(st.floats(0.3, 300.0), st.booleans(), st.floats(-10.0, 60.0)),
    min_size=1,
    max_size=6,
)


def _quantile(frozen, u, upper):
    """The point with tail probability ``u``; nan where scipy cannot find it."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return float(frozen.isf(u) if upper else frozen.ppf(u))
        except OverflowError:  # boost's invgauss quantile far in the tail
            return np.nan


def sample_points(family, theta, draws):
    """The distinct points of the support that ``draws`` (from ``POINTS``) name at θ."""
    frozen = family.to_scipy(theta)
    support = family.get_support(theta)
    if family.discrete:
        k = np.array([d[2] for d in draws])
        x = np.clip(np.round(frozen.mean() + k * frozen.std()), support.low, support.high)
    else:
        x = np.array([_quantile(frozen, 10.0**-e, upper) for e, upper, _ in draws])
    # Quantiles that round onto the edge of an open support (a beta draw of 1.0,
    # a gamma draw of 0.0) or beyond float64 are not points of the family.
    # Subnormal ones (|x| < 2.2e-308) are left out too: scipy divides them by
    # the scale, and a subnormal quotient keeps only some of its digits.
    inside = (
        np.isfinite(x) & support.contains(x) & ~((x != 0) & (np.abs(x) < np.finfo(float).tiny))
    )
    x = np.unique(x[inside])
    assume(x.size > 0)
    return x


# (constants, θ) where quadrature of s sᵀ p is reliable to 1e-10.
MODERATE = {
    "normal": st.tuples(NO_CONSTANTS, st.tuples(st.floats(-5.0, 5.0), _log_uniform(0.1, 10.0))),
    "lognormal": st.tuples(
        NO_CONSTANTS, st.tuples(_log_uniform(0.1, 3.0), _log_uniform(0.1, 10.0))
    ),
    "exponential": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(0.1, 10.0))),
    "gamma": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(0.5, 50.0), _log_uniform(0.1, 10.0))),
    "weibull": st.tuples(
        NO_CONSTANTS, st.tuples(_log_uniform(0.5, 20.0), _log_uniform(0.1, 10.0))
    ),
    # b ≥ 1.5: for a smaller b the mass within float64's resolution of x = 1
    # (1 − x < 1e-16, where log(1 − x) cannot be evaluated) exceeds 1e-20.
    "beta": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(0.5, 50.0), _log_uniform(1.5, 50.0))),
    "logistic": st.tuples(NO_CONSTANTS, st.tuples(st.floats(-5.0, 5.0), _log_uniform(0.1, 10.0))),
    "student_t": st.tuples(
        NO_CONSTANTS,
        st.tuples(st.floats(-5.0, 5.0), _log_uniform(0.1, 10.0), _log_uniform(1.0, 200.0)),
    ),
    "inverse_gaussian": st.tuples(
        NO_CONSTANTS, st.tuples(_log_uniform(0.1, 10.0), _log_uniform(0.1, 10.0))
    ),
    "von_mises": st.tuples(
        NO_CONSTANTS, st.tuples(st.floats(-3.0, 3.0), _log_uniform(0.05, 50.0))
    ),
    "poisson": st.tuples(NO_CONSTANTS, st.tuples(_log_uniform(0.05, 500.0))),
    "negative_binomial": st.tuples(
        NO_CONSTANTS, st.tuples(_log_uniform(0.1, 100.0), st.floats(0.05, 0.95))
    ),
    "geometric": st.tuples(NO_CONSTANTS, st.tuples(st.floats(0.05, 0.95))),
    "bernoulli": st.tuples(NO_CONSTANTS, st.tuples(st.floats(0.02, 0.98))),
    "binomial": st.tuples(
        st.integers(1, 500).map(lambda n: {"n": n}), st.tuples(st.floats(0.02, 0.98))
    ),
}
