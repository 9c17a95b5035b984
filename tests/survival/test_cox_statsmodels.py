"""FisherCoxRegressor against statsmodels' PHReg: Breslow and Efron ties, strata, clusters.

statsmodels' ``PHReg`` has no weights (they are checked as repeated rows), and
its score residuals are Breslow's whatever the ties, so its robust covariance
(``fit(groups=...)``) is compared under Breslow's ties; under Efron's the
robust covariance is R's (tests/survival/test_cox_r.py).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from statsmodels.duration.hazard_regression import PHReg

from skfisher.survival import FisherCoxRegressor

from ._data import simulate

TIES = ["efron", "breslow"]
CASES = [
    pytest.param({"tied": False}, id="distinct"),
    pytest.param({"tied": True}, id="tied"),
    pytest.param({"tied": True, "strata": 3}, id="tied-strata"),
]


def _statsmodels(X, y, ties, strata=None, groups=None):
    model = PHReg(y[:, 0], X, status=y[:, 1], ties=ties, strata=strata)
    return model, model.fit(groups=groups, tol=1e-12)


@pytest.mark.parametrize("ties", TIES)
@pytest.mark.parametrize("case", CASES)
def test_estimates_errors_loglik_and_matrices_equal_phreg(ties, case):
    X, y, codes = simulate(n=400, seed=1, **case)
    strata = codes if "strata" in case else None
    model, ref = _statsmodels(X, y, ties, strata)
    ours = FisherCoxRegressor(ties).fit(X, y, strata=strata)
    assert_allclose(ours.coef_, ref.params, rtol=1e-6)
    assert_allclose(ours.standard_errors_, ref.bse, rtol=1e-5)
    assert_allclose(ours.loglik_, ref.llf, rtol=1e-8)
    assert_allclose(ours.observed_information_, -model.hessian(ref.params), rtol=1e-6)
    assert_allclose(ours.information_, ours.observed_information_, rtol=0)
    assert_allclose(ours.score_, model.score(ours.coef_), atol=1e-8)


@pytest.mark.parametrize("case", CASES)
def test_sandwich_and_cluster_equal_phreg_robust_under_breslow(case):
    X, y, codes = simulate(n=400, seed=2, **case)
    strata = codes if "strata" in case else None
    groups = np.arange(y.shape[0]) // 7
    model, ref = _statsmodels(X, y, "breslow", strata, groups=groups)
    clustered = FisherCoxRegressor("breslow", cov_type="cluster").fit(
        X, y, strata=strata, groups=groups
    )
    assert_allclose(clustered.standard_errors_, ref.bse, rtol=1e-5)
    _, each = _statsmodels(X, y, "breslow", strata, groups=np.arange(y.shape[0]))
    sandwich = FisherCoxRegressor("breslow", cov_type="sandwich").fit(X, y, strata=strata)
    assert_allclose(sandwich.standard_errors_, each.bse, rtol=1e-5)
    assert_allclose(sandwich.score_residuals(), model.score_residuals(ref.params), atol=1e-8)


@pytest.mark.parametrize("ties", TIES)
def test_frequency_weights_equal_phreg_on_the_repeated_rows(ties):
    X, y, codes = simulate(n=200, seed=3, tied=True, strata=2)
    weights = np.random.default_rng(3).integers(1, 4, y.shape[0])
    rows = np.repeat(np.arange(y.shape[0]), weights)
    _, ref = _statsmodels(X[rows], y[rows], ties, codes[rows])
    ours = FisherCoxRegressor(ties).fit(X, y, sample_weight=weights, strata=codes)
    assert_allclose(ours.coef_, ref.params, rtol=1e-6)
    assert_allclose(ours.standard_errors_, ref.bse, rtol=1e-5)
    assert_allclose(ours.loglik_, ref.llf, rtol=1e-8)
    assert ours.nobs_ == rows.size


def test_the_breslow_baseline_is_phreg_s_just_before_each_event_time():
    # statsmodels reports at each event time the cumulative hazard before its jump.
    X, y, _ = simulate(n=300, seed=18, tied=True)
    model, ref = _statsmodels(X, y, "breslow")
    times, cumhaz, survival = model.baseline_cumulative_hazard(ref.params)[0]
    ours = FisherCoxRegressor("breslow").fit(X, y)
    zero = np.zeros((1, 3))
    before = np.nextafter(times, -np.inf)
    assert_allclose(ours.predict_cumulative_hazard_function(zero)[0](before), cumhaz, rtol=1e-6)
    assert_allclose(ours.predict_survival_function(zero)[0](before), survival, rtol=1e-6)
    assert_allclose(ours.unique_times_, times)
