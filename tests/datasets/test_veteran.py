"""The bundled veteran lung cancer data: the loader's coding, its target, and R's Cox fit.

The raw file is R's ``survival::veteran`` as ``write.csv`` writes it; the loader's
0/1 columns are checked against its text, its rows against scikit-survival's copy,
and the Cox fit against ``coxph`` (``tests/reference/make_veteran_reference.R``).
"""

import csv
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skfisher import datasets
from skfisher.datasets import load_veteran
from skfisher.survival import FisherCoxRegressor

FEATURES = ["trt", "smallcell", "adeno", "large", "karno", "diagtime", "age", "prior"]
REFERENCE = json.loads(
    (Path(__file__).parents[1] / "reference" / "veteran_r.json").read_text(encoding="utf-8")
)


def _raw_columns():
    path = resources.files(datasets).joinpath("data", "veteran.csv")
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    return {name: [row[j] for row in rows[1:]] for j, name in enumerate(rows[0])}


def test_bunch_shape_names_and_target_dtype():
    bunch = load_veteran()
    assert bunch.data.shape == (137, 8) and bunch.data.dtype == np.float64
    assert bunch.feature_names == FEATURES
    assert bunch.target.dtype == np.dtype([("event", bool), ("time", float)])
    assert bunch.target.shape == (137,)
    assert bunch.target_names == ["event", "time"]
    assert bunch.frame is None and bunch.filename == "veteran.csv"
    assert "Public domain" in bunch.DESCR
    assert int(bunch.target["event"].sum()) == 128  # 9 censored
    assert np.all(bunch.target["time"] > 0)


def test_coding_matches_the_raw_file():
    raw = _raw_columns()
    bunch = load_veteran()
    column = dict(zip(FEATURES, bunch.data.T, strict=True))
    assert sorted(set(raw["trt"])) == ["1", "2"] and sorted(set(raw["prior"])) == ["0", "10"]
    assert_array_equal(column["trt"], [float(value == "2") for value in raw["trt"]])
    assert_array_equal(column["prior"], [float(value == "10") for value in raw["prior"]])
    for level in ("smallcell", "adeno", "large"):
        assert_array_equal(column[level], [float(value == level) for value in raw["celltype"]])
    squamous = np.array([value == "squamous" for value in raw["celltype"]])
    indicators = column["smallcell"] + column["adeno"] + column["large"]
    assert_array_equal(indicators, (~squamous).astype(float))  # squamous is the reference
    for name in ("karno", "diagtime", "age"):
        assert_array_equal(column[name], np.array(raw[name], dtype=float))
    assert_array_equal(bunch.target["time"], np.array(raw["time"], dtype=float))
    assert_array_equal(bunch.target["event"], np.array(raw["status"]) == "1")


def test_rows_are_those_of_scikit_survival():
    sksurv_datasets = pytest.importorskip("sksurv.datasets")
    X_ref, y_ref = sksurv_datasets.load_veterans_lung_cancer()
    X, y = load_veteran(return_X_y=True)
    assert_array_equal(X[:, 0], (X_ref["Treatment"] == "test").to_numpy(dtype=float))
    assert_array_equal(X[:, 4], X_ref["Karnofsky_score"].to_numpy())
    assert_array_equal(X[:, 5], X_ref["Months_from_Diagnosis"].to_numpy())
    assert_array_equal(X[:, 6], X_ref["Age_in_years"].to_numpy())
    assert_array_equal(X[:, 7], (X_ref["Prior_therapy"] == "yes").to_numpy(dtype=float))
    assert_array_equal(X[:, 2], (X_ref["Celltype"] == "adeno").to_numpy(dtype=float))
    assert_array_equal(y["event"], y_ref["Status"])
    assert_array_equal(y["time"], y_ref["Survival_in_days"])


def test_as_frame_and_return_X_y():
    bunch = load_veteran()
    X, y = load_veteran(return_X_y=True)
    assert_array_equal(X, bunch.data)
    assert_array_equal(y, bunch.target)
    framed = load_veteran(as_frame=True)
    assert isinstance(framed.data, pd.DataFrame)
    assert list(framed.data.columns) == FEATURES
    assert_array_equal(framed.data.to_numpy(), bunch.data)
    assert list(framed.frame.columns) == [*FEATURES, "time", "event"]
    assert framed.frame["event"].dtype == bool
    assert_array_equal(framed.frame["time"].to_numpy(), bunch.target["time"])
    assert_array_equal(framed.target, bunch.target)  # still the structured array
    X_frame, y_frame = load_veteran(return_X_y=True, as_frame=True)
    assert isinstance(X_frame, pd.DataFrame) and isinstance(y_frame, np.ndarray)
    assert y_frame.dtype.names == ("event", "time")


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_fit_equals_coxph(ties):
    # coxph(Surv(time, status) ~ trt + celltype + karno + diagtime + age + prior)
    expected = REFERENCE[ties]
    X, y = load_veteran(return_X_y=True)
    model = FisherCoxRegressor(ties=ties).fit(X, y)
    assert_allclose(model.coef_, expected["coefficients"], rtol=1e-6)
    assert_allclose(model.standard_errors_, expected["standard_errors"], rtol=1e-5)
    assert_allclose([model.null_loglik_, model.loglik_], expected["loglik"], rtol=1e-10)
    assert model.n_events_ == expected["n_events"]


def test_frame_fit_names_the_coefficients():
    bunch = load_veteran(as_frame=True)
    model = FisherCoxRegressor().fit(bunch.data, bunch.target)
    assert model.param_names_.tolist() == FEATURES
    assert_allclose(model.coef_, REFERENCE["efron"]["coefficients"], rtol=1e-6)
