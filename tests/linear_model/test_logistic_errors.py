"""FisherLogisticRegression on bad and awkward input: errors, warnings and edge cases."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from skfisher import FisherLogisticRegression
from skfisher.exceptions import CollinearityWarning, PerfectSeparationWarning

COV_TYPES = ("fisher", "observed", "empirical", "sandwich")


def _fit_silently(model, X, y, sample_weight=None):
    """Fit with every warning raised as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return model.fit(X, y, sample_weight)


def _fit_recording(model, X, y, sample_weight=None):
    """Fit and return the model with the list of warnings it emitted."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y, sample_weight)
    return model, [w.message for w in caught]


# Bad input: one ValueError per validation path -----------------------------
def _with_value(X, row, col, value):
    X = X.astype(float)
    X[row, col] = value
    return X


BAD_X = {
    "nan": (lambda X: _with_value(X, 3, 1, np.nan), "Input X contains NaN"),
    "inf": (lambda X: _with_value(X, 0, 0, np.inf), "Input X contains infinity"),
    "minus_inf": (lambda X: _with_value(X, 0, 2, -np.inf), "Input X contains infinity"),
    "one_dimensional": (lambda X: X[:, 0], "Expected 2D array"),
    "empty": (lambda X: X[:0], "0 sample"),
    "no_features": (lambda X: X[:, :0], "0 feature"),
}


@pytest.mark.parametrize("case", sorted(BAD_X))
def test_bad_X(logistic_data, case):
    X, y = logistic_data
    transform, message = BAD_X[case]
    X_bad = transform(X)
    y_bad = y[: len(X_bad)]
    with pytest.raises(ValueError, match=message):
        FisherLogisticRegression().fit(X_bad, y_bad)


BAD_Y = {
    "nan": (lambda y: np.where(np.arange(len(y)) == 5, np.nan, y), "Input y contains NaN"),
    "one_class": (lambda y: np.ones_like(y), "contain only one class"),
    "one_class_string": (lambda y: np.full(len(y), "a"), "contain only one class"),
    "continuous": (lambda y: y + 0.5 * np.arange(len(y)) / len(y), "Unknown label type"),
    "two_columns": (lambda y: np.column_stack([y, y]), "y should be a 1d array"),
    "short": (lambda y: y[:-1], "inconsistent numbers of samples"),
}


@pytest.mark.parametrize("case", sorted(BAD_Y))
def test_bad_y(logistic_data, case):
    X, y = logistic_data
    transform, message = BAD_Y[case]
    with pytest.raises(ValueError, match=message):
        FisherLogisticRegression().fit(X, transform(y))


def test_three_classes_follow_the_multiclass_tag(logistic_data):
    # Until the multinomial model lands, more than two classes are rejected
    # with a message saying so; once it lands, the estimator's tag says so and
    # three classes are fitted. Either way the tag and the behaviour agree.
    X, _ = logistic_data
    y = np.arange(len(X)) % 3
    model = FisherLogisticRegression()
    if model.__sklearn_tags__().classifier_tags.multi_class:
        assert len(model.fit(X, y).classes_) == 3
    else:
        with pytest.raises(ValueError, match="Only binary classification is supported"):
            model.fit(X, y)


BAD_WEIGHTS = {
    "short": (lambda w: w[:-1], r"sample_weight.shape == \(199,\), expected \(200,\)"),
    "negative": (lambda w: np.where(np.arange(len(w)) == 2, -1.0, w), "non-negative"),
    "all_zero": (lambda w: np.zeros_like(w), "at least one non-zero"),
    "nan": (lambda w: np.where(np.arange(len(w)) == 2, np.nan, w), "sample_weight contains NaN"),
    "inf": (lambda w: np.where(np.arange(len(w)) == 2, np.inf, w), "contains infinity"),
    "two_dimensional": (lambda w: w[:, None], "Sample weights must be 1D"),
}


@pytest.mark.parametrize("case", sorted(BAD_WEIGHTS))
def test_bad_sample_weight(logistic_data, case):
    X, y = logistic_data
    transform, message = BAD_WEIGHTS[case]
    with pytest.raises(ValueError, match=message):
        FisherLogisticRegression().fit(X, y, sample_weight=transform(np.ones(len(y))))


BAD_PARAMS = {
    "cov_type": ["hc0", "Fisher", None],
    "alpha": [-1.0, np.nan, np.inf, "0.1"],
    "tol": [0.0, -1e-8, np.nan],
    "max_iter": [-1, 1.5],
    "fit_intercept": ["yes", 1.0],
    "warm_start": ["no"],
}


@pytest.mark.parametrize(
    "name, value", [(name, value) for name, values in BAD_PARAMS.items() for value in values]
)
def test_bad_constructor_argument(logistic_data, name, value):
    X, y = logistic_data
    with pytest.raises(ValueError, match=f"The '{name}' parameter of FisherLogisticRegression"):
        FisherLogisticRegression(**{name: value}).fit(X, y)


def test_predict_with_wrong_number_of_features(logistic_data):
    X, y = logistic_data
    model = FisherLogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but FisherLogisticRegression"):
        model.predict(X[:, :2])


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, np.nan])
def test_conf_int_and_summary_reject_bad_alpha(logistic_data, alpha):
    X, y = logistic_data
    model = FisherLogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=re.escape("alpha must be in (0, 1)")):
        model.conf_int(alpha)
    with pytest.raises(ValueError, match=re.escape("alpha must be in (0, 1)")):
        model.summary(alpha)


# Separation --------------------------------------------------------------
def _complete():
    x = np.arange(10.0)[:, None]
    return x, (x[:, 0] > 4.5).astype(int)


def _quasi_complete():
    # Separated except for two tied rows at x = 5, one of each class.
    x = np.r_[np.arange(10.0), 5.0, 5.0][:, None]
    return x, np.r_[(np.arange(10) > 5).astype(int), 0, 1]


@pytest.mark.parametrize("make", [_complete, _quasi_complete], ids=["complete", "quasi"])
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_separation_warns_and_reports_nan(make, cov_type):
    X, y = make()
    model, caught = _fit_recording(FisherLogisticRegression(cov_type=cov_type), X, y)
    assert [type(w) for w in caught] == [PerfectSeparationWarning]
    assert "alpha > 0" in str(caught[0])
    assert "['intercept', 'x0']" in str(caught[0])
    assert not model.converged_
    assert np.all(np.isnan(model.standard_errors_))
    assert np.all(np.isnan(model.conf_int()))


@pytest.fixture
def quasi_separated_dummy():
    """A dummy column that is 1 only on rows of class 1: its coefficient diverges."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=120)
    y = (rng.random(120) < expit(0.3 + x)).astype(int)
    dummy = np.zeros(120)
    dummy[:15] = 1.0
    y[:15] = 1
    return np.column_stack([x, dummy]), y


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_quasi_separation_names_only_the_diverging_parameter(quasi_separated_dummy, cov_type):
    X, y = quasi_separated_dummy
    model, caught = _fit_recording(FisherLogisticRegression(cov_type=cov_type), X, y)
    assert [type(w) for w in caught] == [PerfectSeparationWarning]
    assert "['x1']" in str(caught[0])
    assert not model.converged_
    assert np.isnan(model.standard_errors_[2])
    # The rows with the dummy drop out of the likelihood as its coefficient
    # diverges (their weight μ(1 − μ) is below 1e-15 where the fit stops), so
    # the other parameters are those of the fit without them, up to that size.
    reduced = _fit_silently(FisherLogisticRegression(cov_type=cov_type), X[15:, :1], y[15:])
    assert_allclose(model.params_[:2], reduced.params_, rtol=1e-6)
    assert_allclose(model.standard_errors_[:2], reduced.standard_errors_, rtol=1e-6)


def test_penalty_is_the_remedy_for_separation():
    X, y = _complete()
    model = _fit_silently(FisherLogisticRegression(alpha=0.1), X, y)
    assert model.converged_
    assert np.all(np.isfinite(model.standard_errors_))


# Collinearity -------------------------------------------------------------
@pytest.fixture(scope="module")
def collinear_base():
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    y = (rng.random(300) < expit(X.to_numpy() @ [1.0, -1.0, 0.5] - 0.2)).astype(int)
    return X, y


# Each case adds column "d"; "involved" are the parameters that are not
# identified; "reduced" is the model without "d", the same model as the
# collinear one when its column space is the same (not so for the constant:
# without the intercept it is identified).
COLLINEAR = {
    "sum": (lambda X: X["a"] + X["b"], ["a", "b", "d"]),
    "duplicate": (lambda X: X["b"], ["b", "d"]),
    "zero": (lambda X: 0.0 * X["a"], ["d"]),
    "scaled_copy": (lambda X: -3.0 * X["c"], ["c", "d"]),
    "constant": (lambda X: 0.0 * X["a"] + 2.0, ["intercept", "d"]),
}


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("case", sorted(COLLINEAR))
def test_collinear_columns(collinear_base, case, cov_type):
    X, y = collinear_base
    make, involved = COLLINEAR[case]
    X_collinear = X.assign(d=make(X))
    model, caught = _fit_recording(FisherLogisticRegression(cov_type=cov_type), X_collinear, y)
    assert [type(w) for w in caught] == [CollinearityWarning]
    assert re.search(re.escape(f"the parameters {involved} are not identified"), str(caught[0]))
    assert model.converged_
    names = model.param_names_.tolist()
    is_involved = np.isin(names, involved)
    assert np.all(np.isnan(model.standard_errors_[is_involved]))
    assert np.all(np.isfinite(model.standard_errors_[~is_involved]))
    if case == "constant":
        return
    reduced = _fit_silently(FisherLogisticRegression(cov_type=cov_type), X, y)
    kept = [names.index(name) for name in reduced.param_names_]
    identified = ~np.isin(reduced.param_names_, involved)
    # The same model: identical log-likelihood and predictions, and the
    # identified parameters with their standard errors, to rounding.
    assert_allclose(model.loglik_, reduced.loglik_, rtol=1e-10)
    assert_allclose(model.predict_proba(X_collinear), reduced.predict_proba(X), atol=1e-9)
    assert_allclose(
        model.params_[kept][identified], reduced.params_[identified], rtol=1e-8, atol=1e-10
    )
    assert_allclose(
        model.standard_errors_[kept][identified], reduced.standard_errors_[identified], rtol=1e-7
    )


# Numerical range -----------------------------------------------------------
def test_large_linear_predictor_without_overflow():
    # Three rows sit at |η| ≈ 40-45 on the side their class predicts: μ rounds
    # to 0 or 1 there, yet the data are not separated and the MLE exists.
    rng = np.random.default_rng(2)
    X = rng.normal(size=(400, 2))
    y = (rng.random(400) < expit(X @ [1.0, -1.0])).astype(int)
    X[:3, 0] = [45.0, 50.0, -45.0]
    y[:3] = [1, 1, 0]
    with np.errstate(all="raise"):
        model = _fit_silently(FisherLogisticRegression(), X, y)
    assert model.converged_
    assert np.max(np.abs(model.decision_function(X))) > 35
    reference = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0)
    assert_allclose(model.params_, reference.params, rtol=1e-6)
    assert_allclose(model.standard_errors_, reference.bse, rtol=1e-5)


def test_predictions_for_extreme_linear_predictor(logistic_data):
    X, y = logistic_data
    model = FisherLogisticRegression().fit(X, y)
    X_far = np.vstack([X[:5], 1e4 * X[:5], -1e6 * X[:5]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        proba = model.predict_proba(X_far)
        log_proba = model.predict_log_proba(X_far)
    assert np.all(np.isfinite(log_proba))
    assert np.all(log_proba <= 0)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    assert_allclose(np.exp(log_proba), proba, rtol=1e-12, atol=1e-300)
    # Far from the data the log-probability of the unlikely class is -|η|.
    eta = model.decision_function(X_far)
    far = np.abs(eta) > 50
    assert_allclose(np.min(log_proba[far], axis=1), -np.abs(eta[far]), rtol=1e-12)


# Labels, input types, fitting options ----------------------------------------
@pytest.mark.parametrize(
    "labels",
    [["no", "yes"], [False, True], [-1, 1], [3, 7], [0.0, 2.0], ["b", "a"]],
    ids=["str", "bool", "signed", "int", "float", "reversed_str"],
)
def test_any_two_labels(logistic_data, labels):
    X, y = logistic_data
    labels = np.asarray(labels)
    reference = FisherLogisticRegression().fit(X, y)
    model = FisherLogisticRegression().fit(X, labels[y])
    assert model.classes_.tolist() == sorted(labels.tolist())
    # classes_[1] is the event modelled; with reversed labels the signs flip.
    sign = 1.0 if model.classes_[1] == labels[1] else -1.0
    assert_allclose(model.params_, sign * reference.params_, rtol=1e-12)
    assert_allclose(model.standard_errors_, reference.standard_errors_, rtol=1e-10)
    assert model.predict(X).dtype == model.classes_.dtype
    assert_allclose(model.score(X, labels[y]), reference.score(X, y))
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    assert np.array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    assert model.coef_.shape == (1, X.shape[1])
    assert model.intercept_.shape == (1,)


def test_dataframe_names(logistic_data):
    X, y = logistic_data
    frame = pd.DataFrame(X, columns=["height", "weight", "age"])
    model = FisherLogisticRegression().fit(frame, pd.Series(y, name="outcome"))
    assert model.param_names_.tolist() == ["intercept", "height", "weight", "age"]
    assert model.feature_names_in_.tolist() == ["height", "weight", "age"]
    assert model.summary().to_frame().index.tolist() == model.param_names_.tolist()
    no_intercept = FisherLogisticRegression(fit_intercept=False).fit(frame, y)
    assert no_intercept.param_names_.tolist() == ["height", "weight", "age"]
    array_model = FisherLogisticRegression().fit(X, y)
    assert array_model.param_names_.tolist() == ["intercept", "x0", "x1", "x2"]
    assert not hasattr(array_model, "feature_names_in_")
    assert_allclose(model.params_, array_model.params_, rtol=1e-14)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_sparse_equals_dense(logistic_data, fmt, cov_type):
    X, y = logistic_data
    X = np.where(np.abs(X) < 0.5, 0.0, X)  # genuinely sparse
    dense = FisherLogisticRegression(cov_type=cov_type).fit(X, y)
    sparse = FisherLogisticRegression(cov_type=cov_type).fit(sp.csr_matrix(X).asformat(fmt), y)
    # Same arithmetic up to the order of summation.
    assert_allclose(sparse.params_, dense.params_, rtol=1e-10)
    assert_allclose(sparse.standard_errors_, dense.standard_errors_, rtol=1e-10)
    for name in ("information_", "observed_information_", "empirical_fisher_"):
        assert_allclose(getattr(sparse, name), getattr(dense, name), rtol=1e-10)
    assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-10)


def test_max_iter_reached_warns(logistic_data):
    X, y = logistic_data
    for max_iter in (0, 1):
        model, caught = _fit_recording(FisherLogisticRegression(max_iter=max_iter), X, y)
        assert [type(w) for w in caught] == [ConvergenceWarning]
        assert "did not converge" in str(caught[0])
        assert not model.converged_
        assert model.n_iter_ == max_iter


def test_warm_start_reuses_params(logistic_data):
    X, y = logistic_data
    model = FisherLogisticRegression(warm_start=True).fit(X, y)
    first = model.params_.copy()
    assert model.n_iter_ > 0
    model.fit(X, y)
    assert model.n_iter_ == 0
    assert model.converged_
    assert_allclose(model.params_, first, rtol=0)
    cold = FisherLogisticRegression(warm_start=False).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ > 0
    # A changed number of features starts afresh instead of failing.
    model.fit(X[:, :2], y)
    assert model.converged_ and model.params_.shape == (3,)
