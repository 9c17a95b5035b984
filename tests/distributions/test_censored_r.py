"""Censored fits against R's fitdistrplus::fitdistcens (tests/reference/censored_r.json).

The reference was computed once by tests/reference/make_censored_reference.R
(fitdistrplus's salinity and smokedfish data, and samples simulated there with
every kind of censoring). fitdistcens maximises by Nelder-Mead (a BFGS for the
one-parameter exponential), so its estimates are good to about 1e-7 (3e-6 for
the exponential) and its log-likelihood to about 1e-10 below the maximum; its
standard errors come from optim's finite-difference Hessian (about 1e-3). The
inverse of numDeriv's Hessian at its estimate is the tighter covariance check.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from skfisher import MLEDistribution

REFERENCE = json.loads(
    (Path(__file__).resolve().parents[1] / "reference" / "censored_r.json").read_text()
)
FITS = REFERENCE["fits"]
FAMILY = {
    "lnorm": "lognormal",
    "logis": "logistic",
    "weibull": "weibull",
    "gamma": "gamma",
    "norm": "normal",
    "exp": "exponential",
}


def _to_r(distr, params):
    """R's parameters at ours, and the Jacobian of the map (for the delta method)."""
    if distr == "lnorm":  # (s, scale) -> (meanlog, sdlog)
        s, scale = params
        return np.array([np.log(scale), s]), np.array([[0.0, 1.0 / scale], [1.0, 0.0]])
    if distr == "gamma":  # (shape, scale) -> (shape, rate)
        shape, scale = params
        return np.array([shape, 1.0 / scale]), np.diag([1.0, -1.0 / scale**2])
    if distr == "exp":  # (scale,) -> (rate,)
        (scale,) = params
        return np.array([1.0 / scale]), np.array([[-1.0 / scale**2]])
    return np.asarray(params, dtype=float), np.eye(len(params))


def _censored_data(fit):
    """fitdistcens' left/right columns (NA an open end, left == right exact) as CensoredData."""
    low = np.array([-np.inf if v is None else v for v in fit["left"]], dtype=float)
    high = np.array([np.inf if v is None else v for v in fit["right"]], dtype=float)
    return stats.CensoredData.interval_censored(low, high)


def test_reference_records_its_versions():
    assert REFERENCE["R"].startswith("R version")
    assert REFERENCE["fitdistrplus"] and REFERENCE["numDeriv"]
    kinds = set()
    for fit in FITS.values():
        data = _censored_data(fit)
        kinds |= {k for k, v in zip("ulri", map(len, _groups(data)), strict=True) if v}
    assert kinds == set("ulri")  # every kind of censoring is exercised


def _groups(data):
    return data._uncensored, data._left, data._right, data._interval


@pytest.mark.parametrize("name", sorted(FITS))
def test_matches_fitdistcens(name):
    fit = FITS[name]
    distr = fit["distr"]
    data = _censored_data(fit)
    model = MLEDistribution(FAMILY[distr]).fit(data)
    assert model.converged_
    ours, jacobian = _to_r(distr, model.params_)
    theirs = np.array(list(fit["estimate"].values()))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5 if distr == "exp" else 2e-7)
    # R's loglik is the censored one at its estimate; ours is as high, to R's optimiser's slack.
    assert fit["loglik"] == fit["loglik_check"]
    assert model.loglik_ >= fit["loglik"] - 1e-11 * abs(fit["loglik"])
    assert model.loglik_ == pytest.approx(fit["loglik"], rel=1e-9 if distr == "exp" else 1e-11)
    covariance = jacobian @ model.covariance_ @ jacobian.T
    k = len(theirs)
    numderiv = np.array(fit["covariance_numderiv"], dtype=float).reshape(k, k)
    np.testing.assert_allclose(covariance, numderiv, rtol=2e-5 if distr == "exp" else 1e-6)
    sd = np.array(list(fit["sd"].values()))
    np.testing.assert_allclose(np.sqrt(np.diag(covariance)), sd, rtol=1e-3)
