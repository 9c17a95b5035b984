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
    # In memory the first step is R's weighted least-squares start; on dask the
    # start is intercept-only: at most one step apart.
    assert abs(dask_fit.n_iter_ - numpy_fit.n_iter_) <= 1


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


def _glm_data(family, n=4000, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    eta = 0.3 + X @ np.array([0.2, -0.3, 0.1])
    mu = np.exp(eta)
    y = {
        "poisson": lambda: rng.poisson(mu).astype(float),
        "gamma": lambda: rng.gamma(2.0, mu / 2.0),
        "gaussian": lambda: mu + rng.normal(0, 0.5, n),
        "inverse_gaussian": lambda: rng.wald(mu, 4.0),
        "tweedie": lambda: rng.poisson(mu) * rng.gamma(2.0, 0.5, n),
        "negative_binomial": lambda: rng.negative_binomial(2.0, 2.0 / (2.0 + mu)).astype(float),
        "binomial": lambda: (rng.random(n) < mu / (1 + mu)).astype(float),
    }[family]()
    return X, y, rng.integers(1, 4, n).astype(float), rng.normal(0, 0.1, n)


GLM_CASES = [
    ("poisson", "log", None),
    ("gamma", "log", None),
    ("gaussian", "identity", None),
    ("inverse_gaussian", "log", None),
    ("tweedie", "log", 1.5),
    ("negative_binomial", "log", 1.0),
    ("binomial", "probit", None),
]


@pytest.mark.parametrize(("family", "link", "constant"), GLM_CASES)
@pytest.mark.parametrize("cov_type", ["fisher", "sandwich"])
def test_threaded_dask_glm_equals_numpy_glm(family, link, constant, cov_type):
    from skfisher import FisherGLMRegressor
    from skfisher.families import NegativeBinomial, Tweedie

    X, y, w, offset = _glm_data(family)
    spec = {"tweedie": Tweedie, "negative_binomial": NegativeBinomial}
    fam = spec[family](constant) if family in spec else family
    kwargs = {"family": fam, "link": link, "cov_type": cov_type}
    numpy_fit = FisherGLMRegressor(**kwargs).fit(X, y, sample_weight=w, offset=offset)
    chunks = {"chunks": 900}
    with dask.config.set(scheduler="threads"):
        dask_fit = FisherGLMRegressor(**kwargs).fit(
            da.from_array(X, chunks=(900, 3)),
            da.from_array(y, **chunks),
            sample_weight=da.from_array(w, **chunks),
            offset=da.from_array(offset, **chunks),
        )
    # Different starting values (intercept-only on dask) converge to the same
    # optimum; tol=1e-8 standard errors leaves ~1e-8 relative differences.
    np.testing.assert_allclose(dask_fit.params_, numpy_fit.params_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dask_fit.standard_errors_, numpy_fit.standard_errors_, rtol=1e-7)
    np.testing.assert_allclose(dask_fit.loglik_, numpy_fit.loglik_, rtol=1e-10)
    np.testing.assert_allclose(dask_fit.dispersion_, numpy_fit.dispersion_, rtol=1e-8)
    np.testing.assert_allclose(dask_fit.deviance_, numpy_fit.deviance_, rtol=1e-8)
    prediction = dask_fit.predict(da.from_array(X, chunks=(900, 3)))
    assert isinstance(prediction, da.Array)
    np.testing.assert_allclose(prediction.compute(), numpy_fit.predict(X), rtol=1e-7)


def test_dask_glm_refuses_what_it_does_not_offer():
    from skfisher import FisherGLMRegressor

    X, y, _, _ = _glm_data("negative_binomial", n=500)
    Xd, yd = da.from_array(X, chunks=(100, 3)), da.from_array(y, chunks=100)
    with pytest.raises(ValueError, match="estimated negative-binomial alpha"):
        FisherGLMRegressor(family="negative_binomial").fit(Xd, yd)
    with pytest.raises(ValueError, match="cov_type='cluster'"):
        FisherGLMRegressor(cov_type="cluster").fit(Xd, yd, groups=np.arange(500) % 7)
    with pytest.raises(ValueError, match="poisson family requires y in"):
        FisherGLMRegressor().fit(Xd, -yd)
    negative = np.where(np.arange(500) == 3, -2.0, 1.0)
    with pytest.raises(ValueError, match="1 negative value\\(s\\), the smallest being -2.0"):
        FisherGLMRegressor().fit(Xd, yd, sample_weight=negative)
    offset = np.where(np.arange(500) == 3, np.inf, 0.0)
    with pytest.raises(ValueError, match="offset contains NaN or infinity: 1 value\\(s\\)"):
        FisherGLMRegressor().fit(Xd, yd, offset=offset)
    with pytest.raises(ValueError, match="bias_reduction='firth' .*set bias_reduction=None"):
        FisherGLMRegressor(bias_reduction="firth").fit(Xd, yd)


def test_dask_logistic_refuses_what_it_does_not_offer():
    X, y, _ = _logistic_data(n=400)
    Xd, yd = da.from_array(X, chunks=(100, 4)), da.from_array(y, chunks=100)
    with pytest.raises(ValueError, match="cov_type='cluster' \\(use cov_type='sandwich'\\)"):
        FisherLogisticRegression(cov_type="cluster").fit(Xd, yd, groups=np.arange(400) % 7)
    with pytest.raises(ValueError, match="bias_reduction='flic'"):
        FisherLogisticRegression(bias_reduction="flic").fit(Xd, yd)


def test_dask_dispersion_without_residual_degrees_of_freedom_warns_and_gives_nan():
    # The same Pearson estimate as in memory: φ̂ = χ² / (Σw − rank).
    from skfisher import FisherGLMRegressor

    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([1.0, 2.0, 4.0])
    with dask.config.set(scheduler="threads"):
        with pytest.warns(UserWarning, match="gamma family cannot be estimated.*n_samples=3"):
            model = FisherGLMRegressor("gamma", "log").fit(
                da.from_array(X, chunks=(2, 2)), da.from_array(y, chunks=2)
            )
    assert np.isnan(model.dispersion_)
    assert np.all(np.isnan(model.standard_errors_))
    assert np.all(np.isfinite(model.params_))


def test_dask_stop_does_not_depend_on_the_scale_of_the_weights():
    # Regression: weights of 1e-4 shrank the decrement by 1e-4 and the loop
    # stopped at 5e-8 to 2.6e-7 standard errors of unit weights (measured),
    # above tol=1e-8; the stop is measured for weights averaging at least 1.
    from skfisher import FisherGLMRegressor

    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3))
    y = rng.poisson(np.exp(0.5 + X @ [0.4, -0.3, 0.2])).astype(float)
    w = np.full(400, 1e-4)
    numpy_fit = FisherGLMRegressor().fit(X, y, sample_weight=w)
    with dask.config.set(scheduler="sync"):
        dask_fit = FisherGLMRegressor().fit(
            da.from_array(X, chunks=(100, 3)),
            da.from_array(y, chunks=100),
            sample_weight=da.from_array(w, chunks=100),
        )
    score, information = dask_fit.score_, dask_fit.information_
    unit_weights_decrement = np.sqrt(score @ np.linalg.solve(information, score) / 1e-4)
    assert unit_weights_decrement <= dask_fit.tol
    # Both fits stop within 1e-8 standard errors of the optimum: 1e-10 relative.
    np.testing.assert_allclose(dask_fit.params_, numpy_fit.params_, rtol=1e-10)
