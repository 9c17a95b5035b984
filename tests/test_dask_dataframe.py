"""Fits on dask DataFrames and on dask arrays with unknown chunk sizes equal the in-memory fits."""

import numpy as np
import pandas as pd
import pytest

from skfisher import FisherGLMRegressor, FisherLogisticRegression

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

FEATURES = ["age", "dose", "smoker"]


def _frame(n=1200, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(50, 10, n),
            "dose": rng.uniform(0, 2, n),
            "smoker": rng.random(n) < 0.3,  # bool: a number to the fit
            "log_exposure": np.log(rng.uniform(0.5, 3, n)),
            "w": rng.integers(0, 4, n).astype(float),
        }
    )
    eta = -2 + 0.02 * frame["age"] + 0.3 * frame["dose"] + 0.4 * frame["smoker"]
    frame["y"] = rng.poisson(np.exp(eta + frame["log_exposure"])).astype(float)
    frame["event"] = frame["y"] > 1  # bool labels
    return frame


def _assert_same_fit(dask_fit, numpy_fit):
    # Different starting values (intercept-only on dask) reach the same optimum
    # to tol=1e-8 standard errors: ~1e-9 relative differences, measured.
    np.testing.assert_allclose(dask_fit.params_, numpy_fit.params_, rtol=1e-7)
    np.testing.assert_allclose(dask_fit.standard_errors_, numpy_fit.standard_errors_, rtol=1e-7)
    np.testing.assert_allclose(dask_fit.loglik_, numpy_fit.loglik_, rtol=1e-10)


@pytest.fixture(scope="module")
def client():
    """One cluster for the module, in this process: its comms are in-process, no sockets."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


# dask's parquet reader calls a pandas method that pandas 3.1 deprecates.
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index")
def test_parquet_dask_dataframe_on_local_cluster_equals_pandas_fit(client, tmp_path):
    pytest.importorskip("pyarrow")
    frame = _frame()
    # Three files of unequal lengths: three partitions whose rows dask learns.
    for i, (start, stop) in enumerate([(0, 500), (500, 650), (650, len(frame))]):
        frame.iloc[start:stop].to_parquet(tmp_path / f"part{i}.parquet", index=False)
    stored = dd.read_parquet(tmp_path)
    assert stored.npartitions == 3
    numpy_fit = FisherGLMRegressor("poisson").fit(
        frame[FEATURES], frame["y"], sample_weight=frame["w"], offset=frame["log_exposure"]
    )
    dask_fit = FisherGLMRegressor("poisson").fit(
        stored[FEATURES], stored["y"], sample_weight=stored["w"], offset=stored["log_exposure"]
    )
    _assert_same_fit(dask_fit, numpy_fit)
    assert dask_fit.param_names_.tolist() == ["intercept", *FEATURES]
    assert dask_fit.feature_names_in_.tolist() == FEATURES
    prediction = dask_fit.predict(stored[FEATURES], offset=stored["log_exposure"])
    assert isinstance(prediction, da.Array)
    np.testing.assert_allclose(
        prediction.compute(),
        numpy_fit.predict(frame[FEATURES], offset=frame["log_exposure"]),
        rtol=1e-7,
    )


def test_from_pandas_logistic_with_label_series(client):
    frame = _frame(seed=1)
    stored = dd.from_pandas(frame, npartitions=4)
    numpy_fit = FisherLogisticRegression().fit(frame[FEATURES], frame["event"])
    dask_fit = FisherLogisticRegression().fit(stored[FEATURES], stored["event"])
    _assert_same_fit(dask_fit, numpy_fit)
    assert dask_fit.classes_.tolist() == [False, True]
    assert dask_fit.param_names_.tolist() == ["intercept", *FEATURES]
    labels = dask_fit.predict(stored[FEATURES]).compute()
    assert (labels == numpy_fit.predict(frame[FEATURES])).all()


def test_dask_array_fit_after_dataframe_fit_forgets_the_column_names():
    frame = _frame(n=300)
    stored = dd.from_pandas(frame, npartitions=2)
    with dask.config.set(scheduler="sync"):
        model = FisherGLMRegressor().fit(stored[FEATURES], stored["y"])
        assert model.feature_names_in_.tolist() == FEATURES
        model.fit(da.from_array(frame[FEATURES].to_numpy(float), chunks=100), stored["y"])
    assert not hasattr(model, "feature_names_in_")
    assert model.param_names_.tolist() == ["intercept", "x0", "x1", "x2"]


def test_non_numeric_columns_are_refused_by_name():
    frame = _frame(n=200)
    frame["region"] = pd.Categorical(np.where(frame["age"] > 50, "north", "south"))
    frame["code"] = frame["age"].round().astype(int).astype(str)
    stored = dd.from_pandas(frame, npartitions=2)
    match = "X .*non-numeric columns: 'region' \\(category\\), 'code' .*astype\\(float\\)"
    with pytest.raises(ValueError, match=match):
        FisherGLMRegressor().fit(stored[["age", "region", "code"]], stored["y"])
    with pytest.raises(ValueError, match="^y \\(a dask Series\\) has the non-numeric dtype"):
        FisherGLMRegressor().fit(stored[FEATURES], stored["code"])
    with pytest.raises(ValueError, match="^sample_weight \\(a dask Series\\) has the non-num"):
        FisherGLMRegressor().fit(stored[FEATURES], stored["y"], sample_weight=stored["code"])


def test_missing_values_of_nullable_columns_are_reported():
    frame = _frame(n=200)
    frame["visits"] = pd.array(np.where(np.arange(200) == 7, None, 1), dtype="Int64")
    stored = dd.from_pandas(frame, npartitions=2)
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ValueError, match="Input X contains NaN"):
            FisherGLMRegressor().fit(stored[["age", "visits"]], stored["y"])


def test_unknown_chunk_sizes_of_dataframe_values():
    # Regression: "A per-row array has shape (nan,); expected (nan,)".
    frame = _frame(n=900, seed=2)
    stored = dd.from_pandas(frame, npartitions=3)
    X, y = stored[FEATURES].values, stored["y"].values
    assert np.isnan(X.shape[0]) and np.isnan(y.shape[0])
    numpy_fit = FisherGLMRegressor().fit(frame[FEATURES].to_numpy(float), frame["y"])
    with dask.config.set(scheduler="sync"):
        dask_fit = FisherGLMRegressor().fit(X, y)
        prediction = dask_fit.predict(X).compute()
    _assert_same_fit(dask_fit, numpy_fit)
    assert np.isnan(X.shape[0])  # the caller's array is left as it was
    np.testing.assert_allclose(
        prediction, numpy_fit.predict(frame[FEATURES].to_numpy(float)), rtol=1e-7
    )


def test_unknown_chunk_sizes_of_a_boolean_filter():
    frame = _frame(n=900, seed=3)
    X = frame[FEATURES].to_numpy(float)
    y, offset = frame["y"].to_numpy(), frame["log_exposure"].to_numpy()
    # Rows 0-299 are all dropped: the first block of the filtered array is empty.
    keep = (frame["dose"].to_numpy() > 0.5) & (np.arange(900) >= 300)
    Xd, yd = da.from_array(X, chunks=(300, 3)), da.from_array(y, chunks=300)
    keep_d = da.from_array(keep, chunks=300)
    offset_d = da.from_array(offset, chunks=450)[keep_d]
    assert np.isnan(Xd[keep_d].shape[0])
    numpy_fit = FisherGLMRegressor().fit(X[keep], y[keep], offset=offset[keep])
    with dask.config.set(scheduler="sync"):
        dask_fit = FisherGLMRegressor().fit(Xd[keep_d], yd[keep_d], offset=offset_d)
        prediction = dask_fit.predict(Xd[keep_d], offset=offset_d).compute()
    _assert_same_fit(dask_fit, numpy_fit)
    np.testing.assert_allclose(
        prediction, numpy_fit.predict(X[keep], offset=offset[keep]), rtol=1e-7
    )


def test_all_rows_filtered_out_is_a_value_error():
    X = da.ones((20, 2), chunks=10)
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ValueError, match="X has 0 rows"):
            FisherGLMRegressor().fit(X[X[:, 0] > 1], da.ones(20, chunks=10)[X[:, 0] > 1])
