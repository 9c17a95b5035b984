"""What scikit-learn's estimator checks test, redone on survival data, for every survival model.

A survival model's target is a time and an event per row (a structured array,
or the columns ``[time, event]``); scikit-learn's checks fit a 1-D regression
or class target, which the models refuse by design ("y must be a structured
array … or an array of shape (n, 2)"). The checks that fit such a target before
they test anything are expected to fail on that refusal alone
(:data:`ONE_D_TARGET_CHECKS`, strictly: one that starts to pass fails the
suite), and :class:`SurvivalChecks` repeats what each of them tests on survival
data. A test module subclasses it with its data ``X, Y``, its ``methods`` (the
predictions to compare) and an ``estimator`` fixture.
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
from sklearn.utils.validation import check_is_fitted

from ._data import structured

_ONE_D = (
    "fits a 1-D target, which a survival model refuses (SurvivalChecks redoes it on survival data)"
)
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


class SurvivalChecks:
    """The survival versions of the checks that fit a 1-D target."""

    X = Y = None
    # Fitted attributes beside params_ and loglik_ that weights must give as repeated rows.
    WEIGHTED_AS_REPEATED = ()
    structured = staticmethod(structured)  # Y as scikit-survival's structured array

    @staticmethod
    def methods(model, X):
        """The predictions compared across fits: risk scores and the curves on the grid."""
        out = {"predict": model.predict(X)}
        out["survival"] = model.predict_survival_function(X, return_array=True)
        out["hazard"] = model.predict_cumulative_hazard_function(X, return_array=True)
        return out

    def test_fit_and_score_take_y_and_fit_returns_self(self, estimator):
        for method in ("fit", "score"):
            assert list(inspect.signature(getattr(estimator, method)).parameters)[:2] == ["X", "y"]
        assert estimator.fit(self.X, self.Y) is estimator

    def test_fit_leaves_the_parameters_and_adds_only_fitted_attributes(self, estimator):
        before = estimator.get_params()
        estimator.fit(self.X, self.Y)
        assert estimator.get_params() == before
        public = [name for name in vars(estimator) if not name.startswith("_")]
        assert all(name.endswith("_") or name in before for name in public)

    def test_predictions_leave_the_estimator_unchanged(self, estimator):
        estimator.fit(self.X, self.Y)
        state = {name: value for name, value in vars(estimator).items()}
        self.methods(estimator, self.X)
        estimator.score(self.X, self.Y)
        assert vars(estimator).keys() == state.keys()
        assert all(vars(estimator)[name] is value for name, value in state.items())

    @pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32, object])
    def test_every_numeric_dtype_of_x_is_fitted_as_float64(self, estimator, dtype):
        integral = np.round(10 * self.X)
        reference = clone(estimator).fit(integral, self.Y)
        fitted = estimator.fit(integral.astype(dtype), self.Y)
        assert_allclose(fitted.params_, reference.params_, rtol=1e-12)
        assert fitted.predict(integral.astype(dtype)).dtype == np.float64

    def test_strings_in_x_are_refused(self, estimator):
        with pytest.raises((ValueError, TypeError)):
            estimator.fit(np.full(self.X.shape, "a", dtype=object), self.Y)

    @pytest.mark.parametrize("bad", [np.nan, np.inf])
    def test_nan_and_inf_are_refused_in_fit_and_predict(self, estimator, bad):
        broken = self.X.copy()
        broken[5, 1] = bad
        with pytest.raises(ValueError, match="NaN|infinity"):
            clone(estimator).fit(broken, self.Y)
        fitted = estimator.fit(self.X, self.Y)
        for method in (
            "predict",
            "predict_survival_function",
            "predict_cumulative_hazard_function",
        ):
            with pytest.raises(ValueError, match="NaN|infinity"):
                getattr(fitted, method)(broken)

    def test_a_pickled_estimator_predicts_the_same(self, estimator):
        fitted = estimator.fit(self.X, self.Y)
        restored = pickle.loads(pickle.dumps(fitted))
        for name, value in self.methods(fitted, self.X).items():
            assert_array_equal(self.methods(restored, self.X)[name], value)
        assert_array_equal(restored.covariance("sandwich"), fitted.covariance("sandwich"))

    def test_memory_order_and_read_only_data_give_the_same_fit(self, estimator):
        reference = clone(estimator).fit(self.X, self.Y).params_
        read_only_X, read_only_Y = self.X.copy(), self.Y.copy()
        read_only_X.setflags(write=False)
        read_only_Y.setflags(write=False)
        for data, target in (
            (np.asfortranarray(self.X), np.asfortranarray(self.Y)),
            (read_only_X, read_only_Y),
        ):
            assert_allclose(clone(estimator).fit(data, target).params_, reference, rtol=1e-12)

    def test_a_1d_x_is_refused_in_predict(self, estimator):
        fitted = estimator.fit(self.X, self.Y)
        with pytest.raises(ValueError, match="2D array"):
            fitted.predict(self.X[:, 0])

    def test_fitted_state_and_the_number_of_features(self, estimator):
        with pytest.raises(NotFittedError):
            check_is_fitted(estimator)
        with pytest.raises(NotFittedError):
            estimator.predict(self.X)
        fitted = estimator.fit(self.X, self.Y)
        check_is_fitted(fitted)
        assert fitted.n_features_in_ == 3
        with pytest.raises(ValueError, match="3 features"):
            fitted.predict_survival_function(self.X[:, :2])

    def test_a_refit_and_a_pipeline_give_the_same_predictions(self, estimator):
        once = self.methods(clone(estimator).fit(self.X, self.Y), self.X)
        fitted = clone(estimator).fit(self.X, self.Y)
        again = self.methods(fitted.fit(self.X, self.Y), self.X)
        pipeline = make_pipeline(FunctionTransformer(), clone(estimator)).fit(self.X, self.Y)
        for name, value in once.items():
            assert_array_equal(again[name], value)
        assert_allclose(pipeline.predict(self.X), once["predict"], rtol=1e-12)
        assert_allclose(
            pipeline.score(self.X, self.Y),
            clone(estimator).fit(self.X, self.Y).score(self.X, self.Y),
            rtol=1e-12,
        )

    def test_predictions_do_not_depend_on_the_order_or_the_batch(self, estimator):
        fitted = estimator.fit(self.X, self.Y)
        whole = self.methods(fitted, self.X)
        order = np.random.default_rng(0).permutation(self.X.shape[0])
        for name, value in self.methods(fitted, self.X[order]).items():
            assert_allclose(value, whole[name][order], rtol=1e-12)
        halves = [self.methods(fitted, part) for part in np.array_split(self.X, 2)]
        for name, value in whole.items():
            assert_allclose(np.concatenate([h[name] for h in halves]), value, rtol=1e-12)

    def test_negative_features_are_fitted(self, estimator):
        assert np.isfinite(estimator.fit(-np.abs(self.X), self.Y).params_).all()

    def test_sample_weights_as_lists_series_and_arrays_agree(self, estimator):
        pd = pytest.importorskip("pandas")
        weights = np.arange(self.Y.shape[0]) % 3 + 1.0
        kept = weights.copy()
        as_array = clone(estimator).fit(self.X, self.Y, sample_weight=weights)
        assert_array_equal(weights, kept)  # not overwritten
        for given in (weights.tolist(), pd.Series(weights)):
            fitted = clone(estimator).fit(self.X, self.Y, sample_weight=given)
            assert_allclose(fitted.params_, as_array.params_, rtol=1e-12)
        for wrong in (weights[:-1], weights[:, None] * [1, 1]):
            with pytest.raises(ValueError, match="sample_weight|Sample weights"):
                clone(estimator).fit(self.X, self.Y, sample_weight=wrong)
        with pytest.raises(ValueError, match="at least one (positive|non-zero)"):
            clone(estimator).fit(self.X, self.Y, sample_weight=np.zeros(self.Y.shape[0]))

    def test_integer_weights_equal_repeated_rows_and_the_structured_target(self, estimator):
        X, Y = self.X, self.Y
        weights = np.random.default_rng(1).integers(0, 4, Y.shape[0])
        rows = np.repeat(np.arange(Y.shape[0]), weights)
        weighted = clone(estimator).fit(X, self.structured(Y), sample_weight=weights)
        repeated = clone(estimator).fit(X[rows], Y[rows])
        assert_allclose(weighted.params_, repeated.params_, rtol=1e-9)
        assert_allclose(weighted.loglik_, repeated.loglik_, rtol=1e-10)
        for name in self.WEIGHTED_AS_REPEATED:
            assert_allclose(getattr(weighted, name), getattr(repeated, name), rtol=1e-8)
        assert_allclose(
            weighted.score(X, Y, weights), repeated.score(X[rows], Y[rows]), rtol=1e-12
        )
        for name, value in self.methods(repeated, X).items():
            assert_allclose(self.methods(weighted, X)[name], value, rtol=1e-8)
