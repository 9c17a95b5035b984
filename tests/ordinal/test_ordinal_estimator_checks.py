"""scikit-learn's estimator checks for FisherOrdinalRegression, and their three-class versions.

Sixteen of scikit-learn's checks fit two classes (``make_blobs`` with the third
class removed, or ``y = [1, 2] * 10``) before they test anything else. An
ordinal model refuses them by design (two classes are the logistic
regression, ``FisherLogisticRegression``), so those checks are expected to fail
on that refusal alone, and ``test_*`` below repeat what each of them tests on
three ordered classes. ``check_classifiers_train`` also asks a multiclass
``decision_function`` for one column per class; here it is the one latent
score ``xᵀβ`` shared by all classes, tested for what it means instead.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from skfisher import FisherOrdinalRegression

ESTIMATORS = [
    FisherOrdinalRegression(),
    FisherOrdinalRegression("probit", cov_type="sandwich"),
    FisherOrdinalRegression("cauchit", alpha=1.0, warm_start=True),
]

_TWO_CLASSES = "fits two classes, which an ordinal model refuses (the test_* below use three)"
TWO_CLASS_CHECKS = {
    name: _TWO_CLASSES
    for name in (
        "check_classifier_data_not_an_array",
        "check_classifiers_classes",
        "check_classifiers_train",
        "check_decision_proba_consistency",
        "check_estimators_dtypes",
        "check_estimators_nan_inf",
        "check_estimators_pickle",
        "check_fit2d_1feature",
        "check_fit_check_is_fitted",
        "check_fit_idempotent",
        "check_n_features_in",
        "check_pipeline_consistency",
        "check_sample_weights_not_an_array",
        "check_sample_weights_not_overwritten",
        "check_sample_weights_pandas_series",
        "check_sample_weights_shape",
    )
}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda _: TWO_CLASS_CHECKS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _three_classes(seed=0, n=90, p=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = np.digitize(X @ np.linspace(1.0, -0.5, p) + rng.logistic(size=n), [-0.5, 0.8])
    return X, y


@pytest.fixture(params=ESTIMATORS, ids=repr)
def estimator(request):
    return clone(request.param)


def test_a_pickled_estimator_predicts_the_same(estimator):
    X, y = _three_classes()
    fitted = estimator.fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    for method in ("predict", "predict_proba", "decision_function", "predict_cumulative_proba"):
        assert_array_equal(getattr(restored, method)(X), getattr(fitted, method)(X))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_refused_in_fit_and_predict(estimator, bad):
    X, y = _three_classes()
    broken = X.copy()
    broken[5, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        clone(estimator).fit(broken, y)
    fitted = estimator.fit(X, y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted.predict(broken)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32])
def test_every_numeric_dtype_of_x_is_fitted_as_float64(estimator, dtype):
    X, y = _three_classes()
    X = (10 * X).astype(dtype)
    reference = clone(estimator).fit(X.astype(np.float64), y)
    fitted = estimator.fit(X, y)
    assert_allclose(fitted.params_, reference.params_, rtol=1e-12)
    assert fitted.predict_proba(X).dtype == np.float64


def test_sample_weights_as_lists_series_and_arrays_agree(estimator):
    X, y = _three_classes()
    weights = np.arange(y.size) % 3 + 1.0
    kept = weights.copy()
    as_array = clone(estimator).fit(X, y, sample_weight=weights)
    assert_array_equal(weights, kept)  # not overwritten
    for given in (weights.tolist(), pd.Series(weights)):
        assert_allclose(clone(estimator).fit(X, y, sample_weight=given).params_, as_array.params_)
    for wrong in (weights[:-1], weights[:, None] * [1, 1]):
        with pytest.raises(ValueError, match="sample_weight|Sample weights"):
            clone(estimator).fit(X, y, sample_weight=wrong)


def test_data_that_are_not_arrays_give_the_same_fit(estimator):
    X, y = _three_classes()
    reference = clone(estimator).fit(X, y)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    for X_given, y_given in ((X.tolist(), y.tolist()), (frame, pd.Series(y))):
        assert_allclose(clone(estimator).fit(X_given, y_given).params_, reference.params_)


def test_a_refit_and_a_pipeline_give_the_same_predictions(estimator):
    X, y = _three_classes()
    once = clone(estimator).fit(X, y).predict_proba(X)
    fitted = clone(estimator).fit(X, y)
    assert_array_equal(
        fitted.fit(X, y).predict_proba(X), once
    ) if not estimator.warm_start else None
    scaled = StandardScaler().fit_transform(X)
    pipeline = make_pipeline(StandardScaler(), clone(estimator)).fit(X, y)
    assert_allclose(
        pipeline.predict_proba(X), clone(estimator).fit(scaled, y).predict_proba(scaled)
    )


def test_fitted_state_and_the_number_of_features(estimator):
    X, y = _three_classes()
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)
    fitted = estimator.fit(X, y)
    check_is_fitted(fitted)
    assert fitted.n_features_in_ == 3
    with pytest.raises(ValueError, match="3 features"):
        fitted.predict(X[:, :2])
    one = clone(estimator).fit(X[:, :1], y)
    assert one.coef_.shape == (1,) and one.n_features_in_ == 1


def test_string_classes_are_predicted_as_strings(estimator):
    X, y = _three_classes()
    labels = np.array(["1 low", "2 mid", "3 high"])[y]
    fitted = estimator.fit(X, labels)
    assert fitted.classes_.tolist() == ["1 low", "2 mid", "3 high"]
    assert set(fitted.predict(X)) <= set(fitted.classes_)
    assert fitted.param_names_.tolist()[-2:] == ["1 low|2 mid", "2 mid|3 high"]


def test_decision_function_orders_the_classes_as_predict_proba_does(estimator):
    X, y = _three_classes(n=200)
    fitted = estimator.fit(X, y)
    eta = fitted.decision_function(X)
    assert eta.shape == (200,)
    assert_allclose(eta, X @ fitted.coef_)
    order = np.argsort(eta)
    # Every P(y > class j) rises with xᵀβ: the latent score orders them all.
    above = 1.0 - fitted.predict_cumulative_proba(X)[order]
    assert np.all(np.diff(above, axis=0) >= 0)
    proba = fitted.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(fitted.predict(X), fitted.classes_[np.argmax(proba, axis=1)])
    assert fitted.score(X, y) > 0.4  # three classes of about equal size: chance is 1/3
