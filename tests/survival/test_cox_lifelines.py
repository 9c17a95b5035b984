"""FisherCoxRegressor against lifelines' CoxPHFitter (Efron's ties), where lifelines is installed.

lifelines' baseline is Breslow's without Efron's correction for ties, so the
curves are compared on data without tied times; its weights under tied events
take the mean weight of the tied rows (as R's), which without ties is
Breslow's ``w log S0``: the weighted fit is compared with ``ties="breslow"``.
Its score residuals do not handle tied times (its own comment says so: each
row's risk set is the rows after it), so its robust and cluster covariances
are compared on distinct times; with ties they are R's
(tests/survival/test_cox_r.py).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skfisher.survival import FisherCoxRegressor

from ._data import simulate

lifelines = pytest.importorskip("lifelines")
pd = pytest.importorskip("pandas")
from lifelines.utils import concordance_index  # noqa: E402

# lifelines 0.30 calls pandas' mean and std with positional arguments.
pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")

COLUMNS = ["a", "b", "c"]


def _frame(X, y, **extra):
    frame = pd.DataFrame(X, columns=COLUMNS)
    frame["T"], frame["E"] = y[:, 0], y[:, 1]
    for name, values in extra.items():
        frame[name] = values
    return frame


def _lifelines(frame, **fit):
    options = {"precision": 1e-12, "max_steps": 200}
    return lifelines.CoxPHFitter().fit(frame, "T", "E", fit_options=options, **fit)


@pytest.mark.parametrize("tied", [False, True], ids=["distinct", "tied"])
def test_estimates_errors_loglik_and_concordance_equal_coxphfitter(tied):
    X, y, _ = simulate(n=400, seed=4, tied=tied)
    ref = _lifelines(_frame(X, y))
    frame = pd.DataFrame(X, columns=COLUMNS)
    ours = FisherCoxRegressor().fit(frame, y)
    assert_allclose(ours.coef_, ref.params_[COLUMNS], rtol=1e-6)
    assert_allclose(ours.standard_errors_, ref.standard_errors_[COLUMNS], rtol=1e-5)
    assert_allclose(ours.loglik_, ref.log_likelihood_, rtol=1e-8)
    expected = concordance_index(y[:, 0], -ours.predict(frame), y[:, 1])
    assert_allclose(ours.score(frame, y), expected, rtol=1e-10)
    assert list(ours.param_names_) == COLUMNS


def test_robust_and_cluster_errors_equal_coxphfitter_on_distinct_times():
    X, y, _ = simulate(n=400, seed=5)
    groups = np.arange(y.shape[0]) % 37
    robust = _lifelines(_frame(X, y), robust=True)
    ours = FisherCoxRegressor(cov_type="sandwich").fit(X, y)
    assert_allclose(ours.standard_errors_, robust.standard_errors_[COLUMNS], rtol=1e-5)
    clustered = _lifelines(_frame(X, y, g=groups), cluster_col="g")
    ours = FisherCoxRegressor(cov_type="cluster").fit(X, y, groups=groups)
    assert_allclose(ours.standard_errors_, clustered.standard_errors_[COLUMNS], rtol=1e-5)


def test_strata_equal_coxphfitter():
    X, y, codes = simulate(n=400, seed=6, tied=True, strata=3)
    ref = _lifelines(_frame(X, y, s=codes), strata=["s"])
    ours = FisherCoxRegressor().fit(X, y, strata=codes)
    assert_allclose(ours.coef_, ref.params_[COLUMNS], rtol=1e-6)
    assert_allclose(ours.standard_errors_, ref.standard_errors_[COLUMNS], rtol=1e-5)
    assert_allclose(ours.loglik_, ref.log_likelihood_, rtol=1e-8)


def test_survival_functions_at_the_event_times_equal_coxphfitter():
    X, y, _ = simulate(n=300, seed=7)
    ref = _lifelines(_frame(X, y))
    ours = FisherCoxRegressor().fit(X, y)
    new = np.random.default_rng(7).normal(size=(5, 3))
    expected = ref.predict_survival_function(pd.DataFrame(new, columns=COLUMNS))
    times = np.sort(y[y[:, 1] == 1, 0])
    expected = expected.loc[times].to_numpy().T
    curves = ours.predict_survival_function(new)
    assert_allclose([f(times) for f in curves], expected, rtol=1e-6)
    grid = ours.predict_survival_function(new, return_array=True)
    assert_allclose(grid, expected, rtol=1e-6)
    assert_allclose(ours.unique_times_, times)


def test_weights_without_ties_equal_coxphfitter_weights_under_breslow():
    X, y, _ = simulate(n=300, seed=8)
    weights = np.random.default_rng(8).integers(1, 4, y.shape[0]).astype(float)
    ref = _lifelines(_frame(X, y, w=weights), weights_col="w")
    ours = FisherCoxRegressor("breslow").fit(X, y, sample_weight=weights)
    assert_allclose(ours.coef_, ref.params_[COLUMNS], rtol=1e-6)
    assert_allclose(ours.standard_errors_, ref.standard_errors_[COLUMNS], rtol=1e-5)
    assert_allclose(ours.loglik_, ref.log_likelihood_, rtol=1e-8)
