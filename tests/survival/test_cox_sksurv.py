"""FisherCoxRegressor against scikit-survival, where it is installed.

Its structured target, ``concordance_index_censored`` (Harrell's C, ties in
risk ½), ``CoxPHSurvivalAnalysis`` (both ties; its baseline is Breslow's without
Efron's correction, so the curves are compared on distinct times) and its
step functions.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skfisher.survival import FisherCoxRegressor

from ._data import simulate

sksurv = pytest.importorskip("sksurv")
from sksurv.linear_model import CoxPHSurvivalAnalysis  # noqa: E402
from sksurv.metrics import concordance_index_censored  # noqa: E402
from sksurv.util import Surv  # noqa: E402


def _target(y):
    return Surv.from_arrays(event=y[:, 1] == 1, time=y[:, 0])


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_coefficients_predictions_and_concordance_equal_sksurv(ties):
    X, y, _ = simulate(n=300, seed=9, tied=True)
    target = _target(y)
    ref = CoxPHSurvivalAnalysis(ties=ties, tol=1e-12, n_iter=200).fit(X, target)
    ours = FisherCoxRegressor(ties).fit(X, target)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6, atol=1e-9)
    expected = concordance_index_censored(target["event"], target["time"], ours.predict(X))
    assert_allclose(ours.score(X, target), expected[0], rtol=1e-10)
    assert_allclose(ours.score(X, target), ref.score(X, target), rtol=1e-6)
    # The same fit from the columns [time, event].
    assert_allclose(FisherCoxRegressor(ties).fit(X, y).coef_, ours.coef_, rtol=1e-12)


def test_field_names_do_not_matter_only_their_dtypes():
    X, y, _ = simulate(n=150, seed=10)
    renamed = Surv.from_arrays(event=y[:, 1] == 1, time=y[:, 0], name_event="d", name_time="t")
    reordered = np.empty(y.shape[0], dtype=[("t", "<f8"), ("d", "?")])
    reordered["t"], reordered["d"] = y[:, 0], y[:, 1] == 1
    expected = FisherCoxRegressor().fit(X, _target(y)).coef_
    for target in (renamed, reordered):
        assert_allclose(FisherCoxRegressor().fit(X, target).coef_, expected, rtol=1e-12)


def test_survival_and_cumulative_hazard_functions_equal_sksurv():
    X, y, _ = simulate(n=250, seed=11)
    target = _target(y)
    ref = CoxPHSurvivalAnalysis(ties="breslow", tol=1e-12, n_iter=200).fit(X, target)
    ours = FisherCoxRegressor().fit(X, target)
    new = np.random.default_rng(11).normal(size=(4, 3))
    times = np.sort(y[y[:, 1] == 1, 0])
    for method in ("predict_survival_function", "predict_cumulative_hazard_function"):
        expected = getattr(ref, method)(new)
        curves = getattr(ours, method)(new)
        for f, g in zip(curves, expected, strict=True):
            assert_allclose(f(times), g(times), rtol=1e-6)
            assert_allclose(f.x, times)
    zero = ref.cum_baseline_hazard_(times)
    assert_allclose(ours.baseline_cumulative_hazard_[:, 0], zero, rtol=1e-6)
    grid = ours.predict_survival_function(new, return_array=True)
    assert_allclose(grid, [g(times) for g in ref.predict_survival_function(new)], rtol=1e-6)
