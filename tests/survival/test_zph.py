"""FisherCoxRegressor.proportional_hazards_test against R's cox.zph (tests/reference/zph_r.json).

The fits of tests/reference/make_zph_reference.R, on the data it simulated (300
rows, 213 events at 25 distinct times, x1's effect changing sign at t = 4, x3
constant in stratum 2), with Efron's and Breslow's ties, with and without
strata, and with integer weights against R's test of the rows repeated: the
per-covariate and global statistics and p-values, the scaled Schoenfeld
residuals, their times, transformed times and strata, and R's ``var``, for
the transforms km, rank, identity and log.
"""

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError

from skfisher.exceptions import PerfectSeparationWarning
from skfisher.survival import FisherCoxRegressor

from ._data import simulate

PATH = Path(__file__).resolve().parents[1] / "reference" / "zph_r.json"
with open(PATH, encoding="utf-8") as handle:
    REFERENCE = json.load(handle)
DATA = {name: np.asarray(values, dtype=float) for name, values in REFERENCE["data"].items()}
X = np.column_stack([DATA["x1"], DATA["x2"], DATA["x3"]])
Y = np.column_stack([DATA["time"], DATA["event"]])
TRANSFORMS = ["km", "rank", "identity", "log"]
FITS = ["efron", "efron_strata", "breslow", "breslow_strata"]
EXPANDED = ["efron_expanded_strata", "breslow_expanded_strata"]


def _fit(name):
    strata = DATA["stratum"] if "strata" in name else None
    weights = DATA["weight"] if "expanded" in name or "weights" in name else None
    model = FisherCoxRegressor(name.split("_")[0])
    return model.fit(X, Y, sample_weight=weights, strata=strata)


def _r(name, transform):
    """R's table (rows x1, x2, x3, GLOBAL; columns chisq, df, p), residuals and the rest."""
    R = REFERENCE[name]
    out = {key: np.asarray(R[key], dtype=float) for key in ("time", "strata", "rows")}
    out["table"] = np.reshape(np.asarray(R[f"{transform}_table"], dtype=float), (-1, 3))
    out["x"] = np.asarray(R[f"{transform}_x"], dtype=float)
    out["residuals"] = np.reshape(np.asarray(R["scaled_residuals"], dtype=float), (-1, 3))
    out["var"] = np.reshape(R["var"], (3, 3))
    return out


def _assert_tests_equal(test, table):
    assert_allclose(test.statistic, table[:3, 0], rtol=1e-6)
    assert_allclose(test.pvalue, table[:3, 2], rtol=1e-6)
    assert_array_equal(test.df, table[:3, 1])
    assert_allclose(test.global_test.statistic, table[3, 0], rtol=1e-6)
    assert_allclose(test.global_test.pvalue, table[3, 2], rtol=1e-6)
    assert test.global_test.df == table[3, 1] == 3


def test_the_reference_records_its_versions_and_has_many_ties():
    assert REFERENCE["R"].startswith("R version 4.2.2")
    assert REFERENCE["survival"] == "3.5.3"
    events = DATA["time"][DATA["event"] == 1]
    assert np.unique(events).size < events.size / 5
    # x3 is constant in stratum 2, so R leaves its scaled residuals there out.
    assert np.ptp(DATA["x3"][DATA["stratum"] == 2]) == 0


@pytest.mark.parametrize("name", FITS + EXPANDED + ["breslow_weights"])
def test_the_fits_are_r_fits(name):
    model = _fit(name)
    assert_allclose(model.coef_, REFERENCE[name]["coefficients"], rtol=1e-6)
    assert_allclose(model.loglik_, REFERENCE[name]["loglik"][1], rtol=1e-8)


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("name", FITS)
def test_statistics_and_pvalues_equal_cox_zph(name, transform):
    test = _fit(name).proportional_hazards_test(transform)
    _assert_tests_equal(test, _r(name, transform)["table"])
    assert test.transform == transform


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("name", FITS)
def test_scaled_residuals_equal_cox_zph(name, transform):
    R = _r(name, transform)
    test = _fit(name).proportional_hazards_test(transform)
    assert_array_equal(test.rows, R["rows"])
    assert_array_equal(test.time, R["time"])
    assert_allclose(test.transformed_time, R["x"], rtol=1e-6)
    # nan exactly where R gives NA: x3 in stratum 2 of the stratified fits.
    assert_array_equal(np.isnan(test.scaled_residuals), np.isnan(R["residuals"]))
    assert np.isnan(R["residuals"]).any() == ("strata" in name)
    assert_allclose(test.scaled_residuals, R["residuals"], rtol=1e-6)
    assert_allclose(test.variance, R["var"], rtol=1e-6)
    if "strata" in name:
        assert_array_equal(test.strata, R["strata"])
    else:
        assert test.strata is None


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("name", EXPANDED)
def test_weights_are_cox_zph_of_the_rows_repeated(name, transform):
    R = _r(name, transform)
    test = _fit(name).proportional_hazards_test(transform)
    _assert_tests_equal(test, R["table"])
    # R has a residual for each copy of a row; the copies are adjacent and equal.
    first = np.r_[True, R["rows"][1:] != R["rows"][:-1]]
    assert_array_equal(test.rows, R["rows"][first])
    assert_allclose(test.transformed_time, R["x"][first], rtol=1e-6)
    assert_allclose(test.scaled_residuals, R["residuals"][first], rtol=1e-6)
    assert_allclose(test.variance, R["var"], rtol=1e-6)


@pytest.mark.parametrize("transform", ["identity", "log"])
def test_weights_give_r_weighted_test_when_g_ignores_the_rows(transform):
    # R's cox.zph of a weighted fit takes g from the unweighted rows; with
    # g(t) = t or log t there is nothing to weigh, and the tests agree.
    test = _fit("breslow_weights").proportional_hazards_test(transform)
    _assert_tests_equal(test, _r("breslow_weights", transform)["table"])


def test_km_weights_the_rows_where_r_does_not():
    R = _r("breslow_weights", "km")
    test = _fit("breslow_weights").proportional_hazards_test("km")
    # R's Kaplan-Meier ignores the weights; the rows repeated are weighted.
    assert np.max(np.abs(test.statistic / R["table"][:3, 0] - 1)) > 0.01
    assert np.max(np.abs(test.transformed_time - R["x"])) > 0.01


@pytest.mark.parametrize("name", FITS + EXPANDED)
def test_the_test_rejects_on_the_covariate_whose_effect_changes(name):
    for transform in TRANSFORMS:
        test = _fit(name).proportional_hazards_test(transform)
        assert test.pvalue[0] < 1e-6 and test.global_test.pvalue < 1e-6
        assert test.pvalue[1] > 0.01 and test.pvalue[2] > 0.01


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_proportional_hazards_are_not_rejected(ties):
    X_ph, y_ph, strata = simulate(n=400, seed=3, tied=True, strata=2)
    test = FisherCoxRegressor(ties).fit(X_ph, y_ph, strata=strata).proportional_hazards_test()
    assert np.all(test.pvalue > 0.05) and test.global_test.pvalue > 0.05


def test_rows_of_weight_zero_are_left_out_and_rows_index_the_data():
    extra = np.r_[np.ones(X.shape[0]), np.zeros(5)]
    X_more, Y_more = np.vstack([X, X[:5] + 3.0]), np.vstack([Y, Y[:5]])
    padded = FisherCoxRegressor().fit(X_more[::-1], Y_more[::-1], sample_weight=extra[::-1])
    test = padded.proportional_hazards_test()
    reference = _fit("efron").proportional_hazards_test()
    assert_allclose(test.statistic, reference.statistic, rtol=1e-10)
    # The rows reversed: row i of the data is row n + 4 − i of what was fitted.
    assert_array_equal(np.sort(X_more.shape[0] - 1 - test.rows), np.sort(reference.rows))
    assert_array_equal(Y_more[::-1][test.rows, 1], 1.0)


def test_the_result_reads_as_r_table():
    test = _fit("efron").proportional_hazards_test()
    frame = test.to_frame()
    assert list(frame.index) == ["x0", "x1", "x2", "GLOBAL"]
    assert_allclose(frame["chisq"], _r("efron", "km")["table"][:, 0], rtol=1e-6)
    assert test.test("x0").statistic == test.statistic[0] == test.test(0).statistic
    assert test.test(-1).pvalue == test.pvalue[2]
    text = str(test)
    assert "transform='km'" in text and "GLOBAL" in text and "71.430" in text
    assert repr(test).startswith("<Proportional-hazards test (km): global chi2(3) = 72.41")
    for bad in ["z", 3]:
        with pytest.raises(ValueError, match="covariate"):
            test.test(bad)


def test_feature_names_name_the_tests():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["age", "dose", "sex"])
    test = FisherCoxRegressor().fit(frame, Y).proportional_hazards_test("rank")
    assert list(test.names) == ["age", "dose", "sex"]
    assert test.test("dose").pvalue == test.pvalue[1]


def test_unfitted_bad_transform_and_unpickled_are_refused():
    with pytest.raises(NotFittedError):
        FisherCoxRegressor().proportional_hazards_test()
    model = _fit("efron")
    for bad in ["KM", "sqrt", None]:
        with pytest.raises(ValueError, match="transform must be one of"):
            model.proportional_hazards_test(bad)
    with pytest.raises(ValueError, match="training data"):
        pickle.loads(pickle.dumps(model)).proportional_hazards_test()


def test_penalised_and_unconverged_fits_are_refused():
    with pytest.raises(ValueError, match="alpha > 0"):
        FisherCoxRegressor(alpha=0.1).fit(X, Y).proportional_hazards_test()
    # A feature above every other in its risk sets: the estimate does not exist.
    monotone = np.column_stack([X[:, :2], -DATA["time"]])
    with pytest.warns(PerfectSeparationWarning):
        model = FisherCoxRegressor().fit(monotone, Y)
    with pytest.raises(ValueError, match="did not converge"):
        model.proportional_hazards_test()


def test_log_needs_positive_event_times_and_one_event_time_has_no_test():
    y = Y.copy()
    y[np.flatnonzero(y[:, 1] == 1)[0], 0] = 0.0
    model = FisherCoxRegressor().fit(X, y)
    with pytest.raises(ValueError, match="positive event times"):
        model.proportional_hazards_test("log")
    assert np.isfinite(model.proportional_hazards_test("km").statistic).all()
    single = np.column_stack([np.where(Y[:, 1] == 1, 2.0, 3.0), Y[:, 1]])
    with pytest.raises(ValueError, match="not defined"):
        FisherCoxRegressor().fit(X, single).proportional_hazards_test("identity")


@pytest.mark.parametrize("shift", [50.0, 1e6])
def test_shifting_a_covariate_changes_nothing(shift):
    # 50 ranges: the fit centres its sums on the fly; 10^6: in a copy of X.
    reference = _fit("efron_strata").proportional_hazards_test()
    shifted = X.copy()
    shifted[:, 0] += shift * np.ptp(X[:, 0])
    model = FisherCoxRegressor().fit(shifted, Y, strata=DATA["stratum"])
    test = model.proportional_hazards_test()
    assert_allclose(test.statistic, reference.statistic, rtol=1e-8)
    assert_allclose(test.global_test.statistic, reference.global_test.statistic, rtol=1e-8)
    assert_allclose(test.scaled_residuals, reference.scaled_residuals, rtol=1e-7)
