"""FisherCoxRegressor on counting-process data against lifelines' CoxTimeVaryingFitter.

lifelines (Efron's ties, rows at risk over (start, stop]) is optional: these
tests run where it is installed.
"""

import pytest
from numpy.testing import assert_allclose

from skfisher.survival import FisherCoxRegressor

from .test_cox_counting import counting_data

lifelines = pytest.importorskip("lifelines")
pd = pytest.importorskip("pandas")


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("tied", [False, True], ids=["distinct", "tied"])
def test_counting_process_fit_is_lifelines_time_varying_fit(seed, tied):
    X, y, subject, _ = counting_data(seed=seed, tied=tied)
    frame = pd.DataFrame(X, columns=["x1", "x2", "x3"])
    frame["id"], frame["start"], frame["stop"], frame["event"] = subject, *y.T
    reference = lifelines.CoxTimeVaryingFitter().fit(
        frame, id_col="id", start_col="start", stop_col="stop", event_col="event"
    )
    ours = FisherCoxRegressor().fit(X, y)
    assert_allclose(ours.coef_, reference.params_.to_numpy(), rtol=1e-6)
    assert_allclose(ours.standard_errors_, reference.standard_errors_.to_numpy(), rtol=1e-5)
    assert_allclose(ours.loglik_, reference.log_likelihood_, rtol=1e-8)
