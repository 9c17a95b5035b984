"""scikit-learn's estimator checks for FisherSurvivalRegressor, and their survival versions.

An accelerated-failure-time model's target is a time and an event per row (a
structured array, or the columns ``[time, event]``), as a Cox model's;
scikit-learn's checks fit a 1-D regression or class target, which the model
refuses by design ("y must be a structured array … or an array of shape (n,
2)"). The checks that fit such a target before they test anything are expected
to fail on that refusal alone (strictly: one that starts to pass fails the
suite), and the ``test_*`` below repeat what each of them tests on survival
data. The other checks run as they are.
"""

import inspect
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from skfisher.exceptions import BoundaryWarning
from skfisher.survival import FisherSurvivalRegressor

ESTIMATORS = [
    FisherSurvivalRegressor(),
    FisherSurvivalRegressor("lognormal", cov_type="sandwich"),
    FisherSurvivalRegressor("loglogistic", cov_type="observed"),
    FisherSurvivalRegressor("exponential", fit_intercept=False, alpha=0.5, cov_type="empirical"),
]

_ONE_D = "fits a 1-D target, which a survival model refuses (the test_* below use survival data)"
ONE_D_TARGET_CHECKS = {
    name: _ONE_D
    for name in (
        "check_all_zero_sample_weights_error",
        "check_dict_unchanged",
        "check_dont_overwrite_parameters",
        "check_dtype_object",
        "check_estimators_dtypes",
        "check_estimators_fit_returns_self",
        "check_estimators_nan_inf",
        "check_estimators_overwrite_params",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_fit2d_1feature",
        "check_fit2d_1sample",
        "check_fit2d_predict1d",
        "check_fit_check_is_fitted",
        "check_fit_idempotent",
        "check_fit_score_takes_y",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_n_features_in",
        "check_n_features_in_after_fitting",
        "check_pipeline_consistency",
        "check_positive_only_tag_during_fit",
        "check_readonly_memmap_input",
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weights_list",
        "check_sample_weights_not_an_array",
        "check_sample_weights_not_overwritten",
        "check_sample_weights_pandas_series",
        "check_sample_weights_shape",
    )
}


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda _: ONE_D_TARGET_CHECKS, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _simulate(n=120, seed=13):
    """Weibull times on three features, about a third censored, rounded so that some tie."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    time = np.exp(0.8 + X @ [0.5, -0.4, 0.2] + 0.7 * np.log(rng.exponential(size=n)))
    censor = rng.uniform(0.5, 6.0, n)
    observed = np.round(np.minimum(time, censor), 2) + 0.01
    return X, np.column_stack([observed, (time <= censor).astype(float)])


def structured(y):
    """The structured array that ``sksurv.util.Surv.from_arrays`` makes from ``[time, event]``."""
    out = np.empty(y.shape[0], dtype=[("event", "?"), ("time", "<f8")])
    out["event"], out["time"] = y[:, 1] == 1, y[:, 0]
    return out


X, Y = _simulate()


@pytest.fixture(params=ESTIMATORS, ids=repr)
def estimator(request):
    return clone(request.param)


def _methods(model, X):
    out = {"predict": model.predict(X)}
    out["survival"] = model.predict_survival_function(X, return_array=True)
    out["hazard"] = model.predict_cumulative_hazard_function(X, return_array=True)
    out["quantiles"] = model.predict_quantile_interval(X, [0.25, 0.5])[1]
    return out


def test_fit_and_score_take_y_and_fit_returns_self(estimator):
    for method in ("fit", "score"):
        assert list(inspect.signature(getattr(estimator, method)).parameters)[:2] == ["X", "y"]
    assert estimator.fit(X, Y) is estimator


def test_fit_leaves_the_parameters_and_adds_only_fitted_attributes(estimator):
    before = estimator.get_params()
    estimator.fit(X, Y)
    assert estimator.get_params() == before
    public = [name for name in vars(estimator) if not name.startswith("_")]
    assert all(name.endswith("_") or name in before for name in public)


def test_predictions_leave_the_estimator_unchanged(estimator):
    estimator.fit(X, Y)
    state = {name: value for name, value in vars(estimator).items()}
    _methods(estimator, X)
    estimator.score(X, Y)
    assert vars(estimator).keys() == state.keys()
    assert all(vars(estimator)[name] is value for name, value in state.items())


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32, object])
def test_every_numeric_dtype_of_x_is_fitted_as_float64(estimator, dtype):
    integral = np.round(10 * X)
    reference = clone(estimator).fit(integral, Y)
    fitted = estimator.fit(integral.astype(dtype), Y)
    assert_allclose(fitted.params_, reference.params_, rtol=1e-12)
    assert fitted.predict(integral.astype(dtype)).dtype == np.float64


def test_strings_in_x_are_refused(estimator):
    with pytest.raises((ValueError, TypeError)):
        estimator.fit(np.full(X.shape, "a", dtype=object), Y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_refused_in_fit_and_predict(estimator, bad):
    broken = X.copy()
    broken[5, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        clone(estimator).fit(broken, Y)
    fitted = estimator.fit(X, Y)
    for method in ("predict", "predict_survival_function", "predict_cumulative_hazard_function"):
        with pytest.raises(ValueError, match="NaN|infinity"):
            getattr(fitted, method)(broken)


def test_a_pickled_estimator_predicts_the_same(estimator):
    fitted = estimator.fit(X, Y)
    restored = pickle.loads(pickle.dumps(fitted))
    for name, value in _methods(fitted, X).items():
        assert_array_equal(_methods(restored, X)[name], value)
    assert_array_equal(restored.covariance("sandwich"), fitted.covariance("sandwich"))


def test_memory_order_and_read_only_data_give_the_same_fit(estimator):
    reference = clone(estimator).fit(X, Y).params_
    read_only_X, read_only_Y = X.copy(), Y.copy()
    read_only_X.setflags(write=False)
    read_only_Y.setflags(write=False)
    for data, target in ((np.asfortranarray(X), np.asfortranarray(Y)), (read_only_X, read_only_Y)):
        assert_allclose(clone(estimator).fit(data, target).params_, reference, rtol=1e-12)


def test_one_feature_and_one_sample(estimator):
    one = estimator.fit(X[:, :1], Y)
    assert one.coef_.shape == (1,) and one.n_features_in_ == 1
    # One row: its event fits exactly and σ → 0, without an estimate; the
    # exponential (σ = 1) with a penalty and no intercept has one.
    if estimator.distribution == "exponential":
        single = clone(estimator).fit(X[:1], np.array([[1.0, 1.0]]))
        assert np.all(np.isfinite(single.standard_errors("fisher")))
        assert_allclose(single.loglik_, -np.exp(-X[0] @ single.coef_), rtol=1e-12)
    else:
        with pytest.warns(BoundaryWarning, match="scale tends to 0"):
            single = clone(estimator).fit(X[:1], np.array([[1.0, 1.0]]))
        assert np.all(np.isnan(single.standard_errors_)) and not single.converged_


def test_a_1d_x_is_refused_in_predict(estimator):
    fitted = estimator.fit(X, Y)
    with pytest.raises(ValueError, match="2D array"):
        fitted.predict(X[:, 0])


def test_fitted_state_and_the_number_of_features(estimator):
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)
    with pytest.raises(NotFittedError):
        estimator.predict(X)
    fitted = estimator.fit(X, Y)
    check_is_fitted(fitted)
    assert fitted.n_features_in_ == 3
    with pytest.raises(ValueError, match="3 features"):
        fitted.predict_survival_function(X[:, :2])


def test_a_refit_and_a_pipeline_give_the_same_predictions(estimator):
    once = _methods(clone(estimator).fit(X, Y), X)
    fitted = clone(estimator).fit(X, Y)
    again = _methods(fitted.fit(X, Y), X)
    pipeline = make_pipeline(FunctionTransformer(), clone(estimator)).fit(X, Y)
    for name, value in once.items():
        assert_array_equal(again[name], value)
    assert_allclose(pipeline.predict(X), once["predict"], rtol=1e-12)
    assert_allclose(pipeline.score(X, Y), clone(estimator).fit(X, Y).score(X, Y), rtol=1e-12)


def test_predictions_do_not_depend_on_the_order_or_the_batch(estimator):
    fitted = estimator.fit(X, Y)
    whole = _methods(fitted, X)
    order = np.random.default_rng(0).permutation(X.shape[0])
    for name, value in _methods(fitted, X[order]).items():
        assert_allclose(value, whole[name][order], rtol=1e-12)
    halves = [_methods(fitted, part) for part in np.array_split(X, 2)]
    for name, value in whole.items():
        assert_allclose(np.concatenate([h[name] for h in halves]), value, rtol=1e-12)


def test_negative_features_are_fitted(estimator):
    assert np.isfinite(estimator.fit(-np.abs(X), Y).params_).all()


def test_sample_weights_as_lists_series_and_arrays_agree(estimator):
    pd = pytest.importorskip("pandas")
    weights = np.arange(Y.shape[0]) % 3 + 1.0
    kept = weights.copy()
    as_array = clone(estimator).fit(X, Y, sample_weight=weights)
    assert_array_equal(weights, kept)  # not overwritten
    for given in (weights.tolist(), pd.Series(weights)):
        fitted = clone(estimator).fit(X, Y, sample_weight=given)
        assert_allclose(fitted.params_, as_array.params_, rtol=1e-12)
    for wrong in (weights[:-1], weights[:, None] * [1, 1]):
        with pytest.raises(ValueError, match="sample_weight|Sample weights"):
            clone(estimator).fit(X, Y, sample_weight=wrong)
    with pytest.raises(ValueError, match="at least one (positive|non-zero)"):
        clone(estimator).fit(X, Y, sample_weight=np.zeros(Y.shape[0]))


def test_integer_weights_equal_repeated_rows_and_the_structured_target(estimator):
    weights = np.random.default_rng(1).integers(0, 4, Y.shape[0])
    rows = np.repeat(np.arange(Y.shape[0]), weights)
    weighted = clone(estimator).fit(X, structured(Y), sample_weight=weights)
    repeated = clone(estimator).fit(X[rows], Y[rows])
    assert_allclose(weighted.params_, repeated.params_, rtol=1e-9)
    assert_allclose(weighted.loglik_, repeated.loglik_, rtol=1e-10)
    assert_allclose(weighted.standard_errors_, repeated.standard_errors_, rtol=1e-8)
    assert_allclose(weighted.score(X, Y, weights), repeated.score(X[rows], Y[rows]), rtol=1e-12)
    for name, value in _methods(repeated, X).items():
        assert_allclose(_methods(weighted, X)[name], value, rtol=1e-8)
