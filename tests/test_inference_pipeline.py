"""Intervals and marginal effects through pipelines: equal to transforming X by hand."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from skfisher import FisherGLMRegressor, FisherLogisticRegression, FisherPoissonRegressor
from skfisher.exceptions import DomainWarning
from skfisher.inference._pipeline import (
    marginal_effects,
    predict_interval,
    predict_proba_interval,
)

COLUMNS = ["mean_ci_lower", "mean_ci_upper"]


def _frame(n=240, seed=0):
    """Two numeric columns on very different scales and a three-level category."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "age": rng.normal(45.0, 12.0, n),
            "income": rng.lognormal(10.0, 0.5, n),
            "region": rng.choice(["north", "south", "west"], n),
        },
        index=pd.RangeIndex(1000, 1000 + n),  # not 0..n − 1: the index must carry over
    )
    eta = -0.3 + 0.02 * (X["age"] - 45) + 0.4 * (X["region"] == "south")
    return X, rng, eta.to_numpy()


def _preprocessing():
    return ColumnTransformer(
        [
            ("num", StandardScaler(), ["age", "income"]),
            ("cat", OneHotEncoder(drop="first", sparse_output=False), ["region"]),
        ]
    )


def _poisson_pipeline():
    X, rng, eta = _frame()
    y = rng.poisson(np.exp(eta))
    pipe = Pipeline([("prep", _preprocessing()), ("glm", FisherPoissonRegressor())])
    return X, y, pipe.fit(X, y)


def test_predict_interval_equals_the_transform_by_hand():
    X, y, pipe = _poisson_pipeline()
    assert not hasattr(pipe, "predict_interval")  # why the function exists
    by_hand = pipe[-1].predict_interval(pipe[:-1].transform(X), alpha=0.1)
    got = predict_interval(pipe, X, alpha=0.1)
    assert isinstance(got, pd.DataFrame) and list(got.columns) == COLUMNS
    assert got.index.equals(X.index)
    np.testing.assert_array_equal(got.to_numpy(), by_hand)
    # An array in, an array out; a bare estimator is called as it is.
    X_array = pipe[:-1].transform(X)
    np.testing.assert_array_equal(predict_interval(pipe[-1], X_array, alpha=0.1), by_hand)
    # offset reaches the final estimator: under the log link it scales the ends by e^0.5.
    shifted = predict_interval(pipe, X, offset=np.full(len(X), 0.5)).to_numpy()
    expected = pipe[-1].predict_interval(X_array) * np.exp(0.5)
    np.testing.assert_allclose(shifted, expected, rtol=1e-12)


def test_predict_proba_interval_through_a_search():
    X, rng, eta = _frame(seed=1)
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-eta))).astype(int)
    pipe = Pipeline([("prep", _preprocessing()), ("logit", FisherLogisticRegression())])
    search = GridSearchCV(pipe, {"logit__alpha": [0.0, 1.0]}, cv=3).fit(X, y)
    best = search.best_estimator_
    by_hand = best[-1].predict_proba_interval(best[:-1].transform(X))
    for estimator in (best, search):
        got = predict_proba_interval(estimator, X)
        assert got.index.equals(X.index) and list(got.columns) == COLUMNS
        np.testing.assert_array_equal(got.to_numpy(), by_hand)


def test_multinomial_intervals_keep_their_class_columns():
    X, rng, eta = _frame(seed=2)
    y = np.where(eta + rng.logistic(size=len(X)) > 0, "high", "low")
    y[rng.random(len(X)) < 0.3] = "mid"
    pipe = make_pipeline(_preprocessing(), FisherLogisticRegression()).fit(X, y)
    by_hand = pipe[-1].predict_proba_interval(pipe[:-1].transform(X))
    assert by_hand.shape == (len(X), 3, 2)
    got = predict_proba_interval(pipe, X)
    assert list(got.columns) == [(c, end) for c in ["high", "low", "mid"] for end in COLUMNS]
    np.testing.assert_array_equal(got.to_numpy().reshape(len(X), 3, 2), by_hand)
    head = predict_proba_interval(pipe, X.iloc[:5])
    assert head.index.equals(X.index[:5])
    np.testing.assert_array_equal(head.to_numpy().reshape(5, 3, 2), by_hand[:5])


def test_marginal_effects_are_named_by_the_transformed_features():
    X, y, pipe = _poisson_pipeline()
    names = ["num__age", "num__income", "cat__region_south", "cat__region_west"]
    assert list(pipe[:-1].get_feature_names_out()) == names
    table = marginal_effects(pipe, X, dummy=True)
    by_hand = pipe[-1].marginal_effects(pipe[:-1].transform(X), dummy=True)
    np.testing.assert_array_equal(table.effects, by_hand.effects)
    np.testing.assert_array_equal(table.standard_errors, by_hand.standard_errors)
    assert list(table.to_frame().index) == names and by_hand.names == ["x0", "x1", "x2", "x3"]
    assert table.discrete == ["cat__region_south", "cat__region_west"]
    at_mean = marginal_effects(pipe, X, "at_mean", feature_names=list("abcd"))
    assert at_mean.names == list("abcd")
    # With pandas output the final estimator has the names itself: the same table.
    pandas_pipe = Pipeline([("prep", _preprocessing()), ("glm", FisherPoissonRegressor())])
    pandas_pipe.set_output(transform="pandas").fit(X, y)
    named = marginal_effects(pandas_pipe, X, dummy=True)
    assert named.names == names
    np.testing.assert_allclose(named.effects, table.effects, rtol=1e-12)
    got = predict_interval(pandas_pipe, X)
    assert got.index.equals(X.index)
    np.testing.assert_allclose(got.to_numpy(), predict_interval(pipe, X).to_numpy(), rtol=1e-12)


def test_nested_pipeline_and_a_step_without_feature_names():
    X, y, pipe = _poisson_pipeline()
    inner = make_pipeline(StandardScaler(), FisherPoissonRegressor())
    nested = Pipeline([("prep", _preprocessing()), ("inner", inner)]).fit(X, y)
    inner = nested[-1]
    by_hand = inner[-1].predict_interval(inner[:-1].transform(nested[:-1].transform(X)))
    np.testing.assert_array_equal(predict_interval(nested, X).to_numpy(), by_hand)
    table = marginal_effects(nested, X)
    # StandardScaler keeps the names it is given.
    assert table.names == list(pipe[:-1].get_feature_names_out())
    # A step without get_feature_names_out (FunctionTransformer without
    # feature_names_out): the final estimator's own names, x0, x1, ….
    unnamed = make_pipeline(
        _preprocessing(), FunctionTransformer(np.negative), FisherPoissonRegressor()
    ).fit(X, y)
    effects = marginal_effects(unnamed, X)
    assert effects.names == ["x0", "x1", "x2", "x3"]
    by_hand = unnamed[-1].marginal_effects(-pipe[:-1].transform(X))
    np.testing.assert_array_equal(effects.effects, by_hand.effects)


def test_polars_frames_through_a_pipeline():
    pl = pytest.importorskip("polars")
    X, y, pipe = _poisson_pipeline()
    X_pl = pl.DataFrame({c: X[c].to_numpy() for c in X.columns})
    pipe_pl = Pipeline([("prep", _preprocessing()), ("glm", FisherPoissonRegressor())])
    pipe_pl.fit(X_pl, y)
    got = predict_interval(pipe_pl, X_pl)
    assert isinstance(got, pl.DataFrame) and got.columns == COLUMNS
    np.testing.assert_allclose(got.to_numpy(), predict_interval(pipe, X).to_numpy(), rtol=1e-12)


def test_domain_warning_names_the_caller_through_a_pipeline():
    rng = np.random.default_rng(3)
    X = rng.uniform(1.0, 2.0, size=(200, 1))
    y = rng.gamma(2.0, 1.0 / (0.5 + 0.3 * X[:, 0]) / 2.0)
    pipe = make_pipeline(StandardScaler(), FisherGLMRegressor(family="gamma")).fit(X, y)
    far = np.array([[1.5], [-100.0]])  # η < 0 under the inverse link
    with pytest.warns(DomainWarning, match="predict: "):  # predict warns too
        assert pipe.predict(far)[1] < 0
    with pytest.warns(DomainWarning, match=r"1 of 2 rows \(positions \[1\]\)") as record:
        predict_interval(pipe, far)
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predict_interval(pipe, X)


def test_errors_name_the_final_estimator_and_the_remedy():
    X, y, pipe = _poisson_pipeline()
    with pytest.raises(TypeError, match=r"'FisherPoissonRegressor'.*\(it has predict_interval\)"):
        predict_proba_interval(pipe, X)
    linear = make_pipeline(_preprocessing(), LinearRegression()).fit(X, y)
    with pytest.raises(
        TypeError, match="the final estimator is 'LinearRegression', which has none"
    ):
        predict_interval(linear, X)
    with pytest.raises(TypeError, match="marginal_effects needs a fitted skfisher estimator"):
        marginal_effects(linear, X)
    unfitted = Pipeline([("prep", _preprocessing()), ("glm", FisherPoissonRegressor())])
    with pytest.raises(NotFittedError):
        predict_interval(unfitted, X)
    with pytest.raises(ValueError, match="alpha must be a number in"):
        predict_interval(pipe, X, alpha=2.0)
