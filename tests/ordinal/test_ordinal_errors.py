"""Bad input to FisherOrdinalRegression, one test per validation path, and separation."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError

from skfisher import FisherOrdinalRegression
from skfisher.exceptions import PerfectSeparationWarning


def _data(seed=0, n=150):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.digitize(X @ [1.0, -0.5] + rng.logistic(size=n), [-0.8, 0.4, 1.5])
    return X, y


def test_fewer_than_three_classes_point_to_logistic_regression():
    X, y = _data()
    with pytest.raises(ValueError, match="at least 3 ordered classes; y has 2 classes.*Logistic"):
        FisherOrdinalRegression().fit(X, np.minimum(y, 1))
    with pytest.raises(ValueError, match="y has 1 class"):
        FisherOrdinalRegression().fit(X, np.zeros(y.size, dtype=int))


def test_non_numeric_features_are_named():
    X, y = _data()
    frame = pd.DataFrame({"dose": X[:, 0], "colour": np.where(X[:, 1] > 0, "red", "blue")})
    with pytest.raises(ValueError, match=r"not numeric: colour.*OneHotEncoder"):
        FisherOrdinalRegression().fit(frame, y)


def test_nan_in_the_features_is_refused():
    X, y = _data()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FisherOrdinalRegression().fit(X, y)


def test_a_missing_class_label_is_located():
    X, y = _data()
    labels = pd.Series(np.array(["a", "b", "c", "d"], dtype=object)[y])
    labels[[4, 9]] = None
    with pytest.raises(ValueError, match=r"y is missing at 2 of 150 rows \(positions \[4, 9\]"):
        FisherOrdinalRegression().fit(X, labels)


def test_a_continuous_target_is_refused():
    X, y = _data()
    with pytest.raises(ValueError, match="Unknown label type"):
        FisherOrdinalRegression().fit(X, y + 0.5 * X[:, 0])


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (lambda n: -np.ones(n), "non-negative"),
        (lambda n: np.zeros(n), "zero"),
        (lambda n: np.ones(n - 1), "sample_weight.shape"),
    ],
)
def test_bad_weights_are_refused(weights, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        FisherOrdinalRegression().fit(X, y, sample_weight=weights(y.size))


def test_a_class_without_positive_weight_is_named():
    X, y = _data()
    with pytest.raises(ValueError, match=r"the classes \[2\] have none.*Drop or merge"):
        FisherOrdinalRegression().fit(X, y, sample_weight=(y != 2).astype(float))


def test_an_unobserved_category_is_named():
    X, y = _data()
    categories = ["none", "mild", "moderate", "severe", "fatal"]
    labels = pd.Categorical(np.array(categories)[y], categories=categories, ordered=True)
    with pytest.raises(ValueError, match=r"categories \['fatal'\] have no observations"):
        FisherOrdinalRegression().fit(X, labels)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"link": "logistic"}, "'link' parameter"),
        ({"alpha": -1.0}, "'alpha' parameter"),
        ({"tol": 0.0}, "'tol' parameter"),
        ({"max_iter": -1}, "'max_iter' parameter"),
        ({"cov_type": "robust"}, "'cov_type' parameter"),
    ],
)
def test_bad_parameters_are_refused(params, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        FisherOrdinalRegression(**params).fit(X, y)


def test_groups_and_cov_type_must_agree():
    X, y = _data()
    with pytest.raises(ValueError, match="needs the cluster of every sample"):
        FisherOrdinalRegression(cov_type="cluster").fit(X, y)
    with pytest.raises(ValueError, match="groups are used only by cov_type='cluster'"):
        FisherOrdinalRegression().fit(X, y, groups=np.arange(y.size) % 5)


def test_predictions_need_a_fit_and_the_features_of_the_fit():
    X, y = _data()
    with pytest.raises(NotFittedError):
        FisherOrdinalRegression().predict_proba(X)
    model = FisherOrdinalRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :1])


def test_profiles_are_refused_for_a_penalised_fit():
    X, y = _data()
    model = FisherOrdinalRegression(alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match="L2-penalised"):
        model.conf_int(method="profile")


def _fit_warned(X, y, **params):
    with pytest.warns(PerfectSeparationWarning) as record:
        model = FisherOrdinalRegression(**params).fit(X, y)
    return model, str(record[0].message)


def test_a_feature_that_orders_the_classes_is_complete_separation():
    X, y = _data()
    ordering = y + np.random.default_rng(1).uniform(0.1, 0.9, size=y.size)
    model, message = _fit_warned(np.column_stack([X, ordering]), y)
    assert "['x2'] orders the classes perfectly (complete separation)" in message
    assert not model.converged_
    assert np.all(np.isnan(model.standard_errors_))


def test_a_feature_whose_ones_are_all_in_the_top_class_is_quasi_separation():
    X, y = _data()
    top = ((y == 3) & (np.arange(y.size) % 2 == 0)).astype(float)
    model, message = _fit_warned(np.column_stack([X, top]), y)
    assert "['x2'] predicts the class of some observations exactly" in message
    assert "the parameters ['x2'] diverge" in message
    assert not model.converged_
    errors = model.standard_errors_
    assert np.isnan(errors[2]) and np.all(np.isfinite(np.delete(errors, 2)))
    # The other estimates are the fit without those rows, where they are identified.
    rest = FisherOrdinalRegression().fit(X[top == 0], y[top == 0])
    assert_allclose(np.delete(model.params_, 2), rest.params_, rtol=1e-6)
    assert_allclose(np.delete(errors, 2), rest.standard_errors_, rtol=1e-5)


def test_a_penalty_keeps_the_estimate_of_separated_data_finite():
    X, y = _data()
    ordering = np.column_stack([X, y + 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = FisherOrdinalRegression(alpha=0.05).fit(ordering, y)
    assert model.converged_
    assert np.all(np.isfinite(model.standard_errors_))
