"""Inputs that numpy or pandas would reject with a TypeError get a ValueError naming them."""

import numpy as np
import pandas as pd
import pytest

from skfisher import FisherGLMRegressor, FisherLogisticRegression

RNG = np.random.default_rng(0)
FRAME = pd.DataFrame({"a": RNG.normal(size=20), "when": pd.date_range("2020-01-01", periods=20)})
BINARY = np.array([0, 1] * 10)


@pytest.mark.parametrize(
    "estimator", [FisherLogisticRegression(), FisherGLMRegressor(family="poisson")]
)
def test_datetime_column_is_named(estimator):
    with pytest.raises(ValueError, match=r"not numeric: when \(datetime64.*days since"):
        estimator.fit(FRAME, BINARY)


@pytest.mark.parametrize(
    "y",
    [
        np.array([1, None] * 10, dtype=object),
        pd.Series(["a", "b"] * 9 + [pd.NA, "a"], dtype="string"),
        pd.Series(["a", "b"] * 9 + [None, "a"]),
    ],
    ids=["None", "string-NA", "object-None"],
)
@pytest.mark.parametrize(
    "estimator", [FisherLogisticRegression(), FisherGLMRegressor(family="poisson")]
)
def test_missing_target_is_named(estimator, y):
    with pytest.raises(ValueError, match=r"y is missing at \d+ of 20 rows \(positions \[1"):
        estimator.fit(FRAME[["a"]], y)


def test_nullable_numeric_columns_are_accepted():
    frame = pd.DataFrame({"a": pd.array(RNG.normal(size=20), dtype="Float64")})
    frame["b"] = pd.array(RNG.integers(0, 3, 20), dtype="Int64")
    model = FisherLogisticRegression().fit(frame, BINARY)
    assert list(model.param_names_) == ["intercept", "a", "b"]
