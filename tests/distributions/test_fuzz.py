"""Fuzzing every analytic family: loglik_ is scipy's at params_, converged_ means converged."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

from skfisher import MLEDistribution
from skfisher.distributions import FAMILIES
from skfisher.distributions._registry import resolve_family


def _log_uniform(low, high):
    return st.floats(np.log10(low), np.log10(high)).map(lambda e: 10.0**e)


# θ in param_names order, over wide ranges (extremes included).
PARAMS = {
    "normal": st.tuples(st.floats(-1e6, 1e6), _log_uniform(1e-8, 1e8)),
    "lognormal": st.tuples(_log_uniform(1e-3, 5.0), _log_uniform(1e-8, 1e8)),
    "exponential": st.tuples(_log_uniform(1e-8, 1e8)),
    "gamma": st.tuples(_log_uniform(1e-2, 1e4), _log_uniform(1e-8, 1e8)),
    "weibull": st.tuples(_log_uniform(0.2, 50.0), _log_uniform(1e-8, 1e8)),
    "beta": st.tuples(_log_uniform(0.05, 1e3), _log_uniform(0.05, 1e3)),
    "logistic": st.tuples(st.floats(-1e6, 1e6), _log_uniform(1e-8, 1e8)),
    "student_t": st.tuples(st.floats(-1e3, 1e3), _log_uniform(1e-8, 1e8), _log_uniform(0.5, 1e8)),
    "inverse_gaussian": st.tuples(_log_uniform(1e-2, 1e2), _log_uniform(1e-8, 1e8)),
    "von_mises": st.tuples(st.floats(-3.0, 3.0), _log_uniform(0.05, 1e3)),
    "poisson": st.tuples(_log_uniform(0.05, 1e9)),
    "negative_binomial": st.tuples(_log_uniform(0.05, 1e3), st.floats(1e-6, 0.95)),
    "geometric": st.tuples(st.floats(1e-6, 0.95)),
    "bernoulli": st.tuples(st.floats(0.02, 0.98)),
    "binomial": st.tuples(st.floats(0.02, 0.98)),
}
CONSTANTS = {"binomial": {"n": 1000}}


def _fit_or_skip(name, theta, seed):
    family, _ = resolve_family(name, dict(CONSTANTS.get(name, {})))
    x = family.to_scipy(np.array(theta)).rvs(size=60, random_state=seed).astype(float)
    model = MLEDistribution(name, fixed=CONSTANTS.get(name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Boundary and convergence warnings are allowed here
            warnings.simplefilter("error", RuntimeWarning)
            model.fit(x)
    except ValueError as error:
        # Data whose MLE is on the boundary (underdispersed counts, all ones)
        # or beyond float64's range are refused by design.
        # Draws that round onto the edge of the support (a beta draw of 1.0)
        # are refused as data outside it.
        message = str(error)
        assume(not any(s in message for s in ("boundary", "float64", "requires X in")))
        raise
    return model, x


@pytest.mark.parametrize("name", sorted(FAMILIES))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**31 - 1))
def test_loglik_is_scipys_and_converged_means_converged(name, data, seed):
    theta = data.draw(PARAMS[name])
    model, x = _fit_or_skip(name, theta, seed)
    full = model._column_params[0]
    frozen = model.family_.to_scipy(full)
    reference = (frozen.logpmf(x) if model.family_.discrete else frozen.logpdf(x)).sum()
    # A pmf's terms x log μ − μ − log x! cancel: each rounds to eps times their
    # size, ~1e-8 per count near 10⁷ in scipy's sum as in ours.
    size = float(np.sum(gammaln(x + 1.0))) if model.family_.discrete else 0.0
    assert model.loglik_ == pytest.approx(reference, rel=1e-10, abs=1e-10 + 1e-14 * size)
    if model.converged_:
        U, info = model.score_, model.information_
        keep = np.isfinite(model.standard_errors_)
        step = np.linalg.solve(info[np.ix_(keep, keep)], U[keep])
        # tol standard errors, or the step to a neighbouring float64 θ where the
        # data fix θ more finely than that (|loc| ≫ scale), as documented.
        spacing = 2.0 * np.spacing(np.abs(model.params_[keep]))
        floor = spacing @ info[np.ix_(keep, keep)] @ spacing
        assert U[keep] @ step <= max(model.tol**2, floor) * (1.0 + 1e-6)
