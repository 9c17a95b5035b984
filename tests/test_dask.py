"""Fits on dask arrays equal the in-memory fits (threaded and distributed schedulers)."""

import warnings

import numpy as np
import pytest

from skfisher import FisherLogisticRegression

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

COV_TYPES = ["fisher", "observed", "empirical", "sandwich"]


def _logistic_data(n=6000, k=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k)) * rng.uniform(0.5, 3.0, k)
    eta = X @ rng.normal(0, 0.4, k) - 0.3
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-eta)), "yes", "no")
    w = rng.integers(0, 4, n).astype(float)
    return X, y, w


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_threaded_dask_fit_equals_numpy_fit(cov_type):
    X, y, w = _logistic_data()
    numpy_fit = FisherLogisticRegression(cov_type=cov_type).fit(X, y, sample_weight=w)
    Xd = da.from_array(X, chunks=(1000, 2))  # column chunks are merged by the fit
    yd, wd = da.from_array(y, chunks=1500), da.from_array(w, chunks=700)
    with dask.config.set(scheduler="threads"):
        dask_fit = FisherLogisticRegression(cov_type=cov_type).fit(Xd, yd, sample_weight=wd)
    # Sums over blocks instead of chunks of rows: only the order of additions differs.
    np.testing.assert_allclose(dask_fit.params_, numpy_fit.params_, rtol=1e-8)
    np.testing.assert_allclose(dask_fit.standard_errors_, numpy_fit.standard_errors_, rtol=1e-8)
    np.testing.assert_allclose(dask_fit.loglik_, numpy_fit.loglik_, rtol=1e-12)
    for name in ("information_", "observed_information_", "empirical_fisher_"):
        np.testing.assert_allclose(getattr(dask_fit, name), getattr(numpy_fit, name), rtol=1e-9)
    assert dask_fit.classes_.tolist() == ["no", "yes"]
    assert dask_fit.n_iter_ == numpy_fit.n_iter_


def test_dask_predictions_are_lazy_and_equal():
    X, y, _ = _logistic_data(n=3000)
    model = FisherLogisticRegression().fit(X, y)
    Xd = da.from_array(X, chunks=(700, 4))
    proba = model.predict_proba(Xd)
    labels = model.predict(Xd)
    assert isinstance(proba, da.Array) and isinstance(labels, da.Array)
    np.testing.assert_allclose(proba.compute(), model.predict_proba(X), rtol=1e-14)
    assert (labels.compute() == model.predict(X)).all()


def test_dask_bad_input_is_a_value_error():
    X, y, _ = _logistic_data(n=1000)
    Xd = da.from_array(X, chunks=(250, 4))
    with pytest.raises(ValueError, match="expected \\(1000,\\)"):
        FisherLogisticRegression().fit(Xd, da.from_array(y[:-1], chunks=250))
    bad = X.copy()
    bad[7, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FisherLogisticRegression().fit(da.from_array(bad, chunks=(250, 4)), y)
    with pytest.raises(ValueError, match="two classes"):
        FisherLogisticRegression().fit(Xd, np.arange(1000) % 3)
    model = FisherLogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="fitted with 4 features"):
        model.predict(da.from_array(X[:, :3], chunks=(250, 3)))


@pytest.mark.slow
def test_distributed_local_cluster_fit_equals_numpy_fit():
    distributed = pytest.importorskip("distributed")
    X, y, w = _logistic_data(n=20000, k=5, seed=3)
    numpy_fit = FisherLogisticRegression(cov_type="sandwich").fit(X, y, sample_weight=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cluster's own start-up chatter
        with (
            distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                death_timeout=60,
            ) as cluster,
            distributed.Client(cluster, timeout=60),
        ):
            Xd = da.from_array(X, chunks=(5000, 5)).persist()
            yd = da.from_array(y, chunks=5000).persist()
            wd = da.from_array(w, chunks=5000).persist()
            dask_fit = FisherLogisticRegression(cov_type="sandwich").fit(Xd, yd, sample_weight=wd)
    np.testing.assert_allclose(dask_fit.params_, numpy_fit.params_, rtol=1e-8)
    np.testing.assert_allclose(dask_fit.standard_errors_, numpy_fit.standard_errors_, rtol=1e-8)
