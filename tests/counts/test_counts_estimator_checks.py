"""scikit-learn's estimator checks for the two-part count regressors, and their count versions.

A zero-inflated or hurdle model needs counts with zeros and positive counts
(and, for a hurdle, a positive count above 1). Some of scikit-learn's checks
fit it to something else: a continuous target (``make_regression``, scaled),
``y = [1, 2] * 10`` without zeros, binary targets, or 30 features on 11
distinct rows; each refusal is a ``ValueError`` that says why, and those
checks are expected to fail on that refusal alone. The ``test_*`` below redo
what each of them tests on count data. ``check_regressors_no_decision_function``
also asks a regressor not to have ``predict_proba``; these regressors predict
the probabilities of the counts by design.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from skfisher.counts import FisherHurdleRegressor, FisherZeroInflatedRegressor

from ._reference import simulate

ESTIMATORS = [
    FisherZeroInflatedRegressor(),
    FisherZeroInflatedRegressor("negative_binomial", inflation_features=[0], cov_type="sandwich"),
    FisherHurdleRegressor(),
    FisherHurdleRegressor("negative_binomial", zero_features=[], alpha=0.1),
]

# Why a check fails, and the error it fails with: the refusal of its data.
_CONTINUOUS = (
    "fits a continuous target, which is not a count (test_* below use counts)",
    ValueError,
    r"y must hold counts \(non-negative integers\); y\[0\] = \S+ is not",
)
_NO_ZEROS = (
    "fits counts without a zero, which a two-part model refuses (test_* below add zeros)",
    ValueError,
    "y has no zeros, so a (zero-inflated|hurdle) model has nothing to model in its zero part",
)
_BINARY = (
    "fits binary counts, whose zero-truncated part has no maximum (test_* below use more)",
    ValueError,
    "Every positive count in y is 1",
)
_UNIDENTIFIED = (
    "fits 30 features to 11 distinct rows: the zero part is separated and the maximum "
    "likelihood estimate does not exist (test_* below use an identified problem)",
    AssertionError,
    "fitting with `sample_weight` is not equivalent to fitting with removed or repeated",
)
_HAS_PROBA = (
    "fits a continuous target; also, a count model predicts the probabilities of the "
    "counts (predict_proba) by design",
    *_CONTINUOUS[1:],
)
# sklearn replaces the refusal of these with its own message.
_SERIES = (_NO_ZEROS[0], ValueError, "raises error if 'sample_weight' parameter is of type pandas")
_ONE_FEATURE = (_NO_ZEROS[0], AssertionError, "Got y has no zeros")
COMMON_FAILURES = {
    "check_fit_check_is_fitted": _CONTINUOUS,
    "check_fit_idempotent": _CONTINUOUS,
    "check_n_features_in": _CONTINUOUS,
    "check_n_features_in_after_fitting": _CONTINUOUS,
    "check_regressor_data_not_an_array": _CONTINUOUS,
    "check_regressors_train": _CONTINUOUS,
    "check_regressors_no_decision_function": _HAS_PROBA,
    "check_estimators_dtypes": _NO_ZEROS,
    "check_fit2d_1feature": _ONE_FEATURE,
    "check_sample_weights_not_an_array": _NO_ZEROS,
    "check_sample_weights_not_overwritten": _NO_ZEROS,
    "check_sample_weights_pandas_series": _SERIES,
    "check_sample_weights_shape": _NO_ZEROS,
    "check_sample_weight_equivalence_on_dense_data": _UNIDENTIFIED,
}
HURDLE_FAILURES = {
    "check_estimators_nan_inf": _BINARY,
    "check_estimators_pickle": _BINARY,
    "check_pipeline_consistency": _BINARY,
}


def expected_failures(estimator):
    """The checks that fit what is not a two-part count problem, for this estimator."""
    failures = dict(COMMON_FAILURES)
    if estimator.alpha > 0:  # a penalty makes the estimates exist
        del failures["check_sample_weight_equivalence_on_dense_data"]
    if isinstance(estimator, FisherHurdleRegressor):
        failures.update(HURDLE_FAILURES)
    return failures


def _check_name(check):
    check = getattr(check, "func", check)
    return getattr(check, "__name__", str(check))


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    """Every check passes but those that fit no two-part count problem, which fail on that.

    Rather than ``expected_failed_checks`` (an xfail, which also passes a check
    that unexpectedly passes, and renders each traceback through the 5,000
    lines of sklearn's checks: 25 s here), each expected failure is asserted
    with the error its data must give.
    """
    expected = expected_failures(estimator).get(_check_name(check))
    if expected is None:
        check(estimator)
        return
    _, error, message = expected
    with pytest.raises(error, match=message):
        check(estimator)


@pytest.fixture(params=ESTIMATORS, ids=repr)
def estimator(request):
    return clone(request.param)


def _counts(seed=0, n=300, p=3, kind=None, estimator=None):
    if kind is None:
        kind = "hurdle" if isinstance(estimator, FisherHurdleRegressor) else "inflated"
    X, y, _ = simulate(seed, kind=kind, family="negative_binomial", n=n, p=p, alpha=0.5)
    return X, y


METHODS = ("predict", "predict_zero_proba", "predict_proba")


def test_fitted_state_and_the_number_of_features(estimator):
    """check_fit_check_is_fitted, check_n_features_in, check_n_features_in_after_fitting."""
    X, y = _counts(estimator=estimator)
    assert not hasattr(estimator, "n_features_in_")
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)
    fitted = estimator.fit(X, y)
    check_is_fitted(fitted)
    assert fitted.n_features_in_ == 3
    message = f"X has 1 features, but {type(estimator).__name__} is expecting 3 features"
    for method in METHODS:
        with pytest.raises(ValueError, match=message):
            getattr(fitted, method)(X[:, [1]])
    with pytest.raises(ValueError, match=message):
        fitted.score(X[:, [1]], y)


def test_a_refit_gives_the_same_predictions(estimator):
    """check_fit_idempotent, on counts."""
    X, y = _counts(estimator=estimator)
    train, test = np.arange(240), np.arange(240, 300)
    fitted = estimator.fit(X[train], y[train])
    first = {method: getattr(fitted, method)(X[test]) for method in METHODS}
    fitted.fit(X[train], y[train])
    for method, values in first.items():
        assert_allclose(getattr(fitted, method)(X[test]), values, rtol=1e-14, atol=0)


def test_data_that_are_not_arrays_give_the_same_fit(estimator):
    """check_regressor_data_not_an_array and check_regressors_train's lists."""
    X, y = _counts(estimator=estimator)
    reference = clone(estimator).fit(X, y)
    frame = pd.DataFrame(X)
    for X_given, y_given in ((X.tolist(), y.tolist()), (frame, pd.Series(y))):
        fitted = clone(estimator).fit(X_given, y_given)
        assert_allclose(fitted.params_, reference.params_, rtol=1e-12)
        assert_allclose(fitted.predict(X_given), reference.predict(X), rtol=1e-12)


def test_a_model_of_strong_effects_scores_well(estimator):
    """check_regressors_train: malformed input, shapes, and a D² that sees the effects.

    McFadden's D² of counts stays below an R² (0.81 for the Poisson models
    here, 0.23–0.26 for the negative binomial ones, whose constant model
    already has the overdispersion), so the check's bar of 0.5 becomes 0.2.
    """
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 2))
    mu = np.exp(1.0 + 1.2 * X[:, 0] - 1.2 * X[:, 1])
    counts = rng.negative_binomial(4.0, 4.0 / (4.0 + mu)) + 1.0  # NB2, α = 1/4
    # The zero part on x0 where the estimator's has x0, constant otherwise.
    columns = getattr(estimator, "zero_features", getattr(estimator, "inflation_features", None))
    slope = 0.0 if columns is not None and 0 not in columns else 2.0
    y = np.where(rng.random(400) < 1 / (1 + np.exp(1.5 + slope * X[:, 0])), 0.0, counts)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clone(estimator).fit(X, y[:-1])
    fitted = clone(estimator).set_params(alpha=0.01).fit(X, y)
    assert fitted.predict(X).shape == y.shape
    assert fitted.score(X, y) > 0.2


def test_regressor_methods(estimator):
    """check_regressors_no_decision_function: no classifier methods but the counts' proba."""
    X, y = _counts(estimator=estimator)
    fitted = estimator.fit(X, y)
    for name in ("decision_function", "predict_log_proba", "classes_"):
        assert not hasattr(fitted, name)
    proba = fitted.predict_proba(X, max_count=int(y.max()) + 100)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32])
def test_every_numeric_dtype_is_fitted_as_float64(estimator, dtype):
    """check_estimators_dtypes, on counts with zeros."""
    X, y = _counts(estimator=estimator)
    X = (10 * X).astype(dtype)
    reference = clone(estimator).fit(X.astype(np.float64), y)
    fitted = estimator.fit(X, y.astype(np.int64))
    assert_allclose(fitted.params_, reference.params_, rtol=1e-10)
    for method in METHODS:
        assert getattr(fitted, method)(X).dtype == np.float64


def test_one_feature_is_enough(estimator):
    """check_fit2d_1feature, with zeros."""
    X, y = _counts(p=1, estimator=estimator)
    fitted = estimator.fit(X, y)
    assert fitted.coef_.shape == (1,)


def test_sample_weights_as_lists_series_and_arrays_agree(estimator):
    """check_sample_weights_not_an_array, _pandas_series, _shape and _not_overwritten."""
    X, y = _counts(estimator=estimator)
    weights = np.arange(y.size) % 3 + 1.0
    kept = weights.copy()
    as_array = clone(estimator).fit(X, y, sample_weight=weights)
    assert_array_equal(weights, kept)
    for given in (weights.tolist(), pd.Series(weights)):
        fitted = clone(estimator).fit(pd.DataFrame(X), pd.Series(y), sample_weight=given)
        assert_allclose(fitted.params_, as_array.params_, rtol=1e-12)
    for wrong in (weights[:-1], weights[:, None] * [1, 1]):
        with pytest.raises(ValueError, match="sample_weight|Sample weights"):
            clone(estimator).fit(X, y, sample_weight=wrong)


def test_weights_are_removed_or_repeated_rows(estimator):
    """check_sample_weight_equivalence_on_dense_data, on an identified problem."""
    X, y = _counts(n=150, estimator=estimator)
    weights = np.random.default_rng(42).integers(0, 5, size=y.size)
    repeated = (
        clone(estimator)
        .set_params(tol=1e-10)
        .fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    )
    order = np.random.default_rng(0).permutation(y.size)
    weighted = clone(estimator).set_params(tol=1e-10)
    weighted.fit(X[order], y[order], sample_weight=weights[order])
    for method in METHODS:
        assert_allclose(getattr(weighted, method)(X), getattr(repeated, method)(X), rtol=1e-7)


def test_a_pickled_estimator_predicts_the_same(estimator):
    """check_estimators_pickle, on counts."""
    X, y = _counts(estimator=estimator)
    fitted = estimator.fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    for method in METHODS:
        assert_array_equal(getattr(restored, method)(X), getattr(fitted, method)(X))
    assert_array_equal(restored.standard_errors_, fitted.standard_errors_)
    assert restored.score(X, y) == fitted.score(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_refused_in_fit_and_predict(estimator, bad):
    """check_estimators_nan_inf, on counts."""
    X, y = _counts(estimator=estimator)
    broken = X.copy()
    broken[5, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        clone(estimator).fit(broken, y)
    fitted = estimator.fit(X, y)
    for method in METHODS:
        with pytest.raises(ValueError, match="NaN|infinity"):
            getattr(fitted, method)(broken)


def test_a_pipeline_scores_as_the_estimator(estimator):
    """check_pipeline_consistency, on counts; a scaler before the model."""
    X, y = _counts(estimator=estimator)
    fitted = clone(estimator).fit(X, y)
    pipeline = make_pipeline(clone(estimator)).fit(X, y)
    assert_allclose(pipeline.score(X, y), fitted.score(X, y), rtol=1e-14)
    scaled = make_pipeline(StandardScaler(), clone(estimator)).fit(X, y)
    direct = clone(estimator).fit(StandardScaler().fit_transform(X), y)
    assert_allclose(scaled.predict(X), direct.predict(StandardScaler().fit_transform(X)))
    if estimator.alpha == 0:  # unpenalised: the scale of X does not matter
        assert_allclose(scaled.predict(X), fitted.predict(X), rtol=1e-6)


def test_grid_search_and_cross_validation_use_the_d2_score():
    """D² against each model's own constant fit: it ranks the models of one family."""
    X, y = _counts(seed=5, n=400, kind="inflated")
    folds = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(
        FisherZeroInflatedRegressor("negative_binomial"),
        {"inflation_features": [None, [0], []], "alpha": [0.0, 0.3]},
        cv=folds,
    ).fit(X, y)
    assert search.best_params_ == {"alpha": 0.0, "inflation_features": None}
    assert search.best_estimator_.converged_
    best = FisherZeroInflatedRegressor("negative_binomial", **search.best_params_)
    scores = cross_val_score(best, X, y, cv=folds)
    assert_allclose(scores.mean(), search.best_score_, rtol=1e-12)
    by_hand = [
        clone(best).fit(X[train], y[train]).score(X[test], y[test])
        for train, test in folds.split(X)
    ]
    assert_allclose(scores, by_hand, rtol=1e-12)
    hurdle = cross_val_score(FisherHurdleRegressor("negative_binomial"), X, y, cv=folds)
    assert np.all(np.isfinite(hurdle)) and np.all((0 < hurdle) & (hurdle < 1))


def test_n_iter_counts_the_steps_of_the_fit(estimator):
    """check_non_transformer_estimators_n_iter where the start is already the estimate.

    A hurdle with a constant zero part starts at its maximum (the truncated
    count fit and the share of positive counts): its n_iter_ is that fit's.
    """
    X, y = _counts(estimator=estimator)
    fitted = clone(estimator).set_params(alpha=0.0).fit(X, y)
    assert 1 <= fitted.n_iter_ <= fitted.max_iter
    assert fitted.converged_
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert clone(estimator).set_params(max_iter=0).fit(X, y).n_iter_ == 0
    assert any(
        issubclass(w.category, ConvergenceWarning) and "after 0 iterations" in str(w.message)
        for w in caught
    )
