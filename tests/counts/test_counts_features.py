"""The columns of the zero part (``inflation_features`` / ``zero_features``) and the names.

None takes every column of X, a list takes columns by index or by name (a
DataFrame's), ``[]`` a constant only (pscl's ``y ~ x | 1``). The parameters
are named ``count:<feature>``, ``inflation:<feature>`` (``zero:`` for the
hurdle) and ``alpha``, in the order of the list.
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

from skfisher.counts import FisherHurdleRegressor, FisherZeroInflatedRegressor

from ._reference import simulate

MODELS = {
    "inflated": (FisherZeroInflatedRegressor, "inflation_features", "inflation"),
    "hurdle": (FisherHurdleRegressor, "zero_features", "zero"),
}


@pytest.fixture(params=sorted(MODELS))
def kind(request):
    return request.param


def _frame(kind, seed=0):
    X, y, _ = simulate(seed, kind=kind, n=300, p=3)
    return pd.DataFrame(X, columns=["age", "income", "visits"]), y


def _fit(kind, family="poisson", columns=None):
    cls, parameter, _ = MODELS[kind]
    X, y = _frame(kind)
    return cls(family, **{parameter: columns}, tol=1e-10).fit(X, y)


def test_none_takes_every_column_with_names(kind):
    _, _, attribute = MODELS[kind]
    model = _fit(kind, "negative_binomial")
    prefix = f"{attribute}:"
    assert model.param_names_.tolist() == [
        "count:intercept",
        "count:age",
        "count:income",
        "count:visits",
        f"{prefix}intercept",
        f"{prefix}age",
        f"{prefix}income",
        f"{prefix}visits",
        "alpha",
    ]
    assert_array_equal(model.zero_columns_, [0, 1, 2])
    assert model.feature_names_in_.tolist() == ["age", "income", "visits"]
    assert getattr(model, f"{attribute}_coef_").shape == (3,)
    assert model.coef_.shape == (3,)
    assert model.intercept_ == model.params_[0]
    assert getattr(model, f"{attribute}_intercept_") == model.params_[4]
    assert model.alpha_ == model.params_[-1]


def test_names_and_indices_choose_the_same_columns_in_their_order(kind):
    _, _, attribute = MODELS[kind]
    by_name = _fit(kind, columns=["visits", "age"])
    by_index = _fit(kind, columns=[2, 0])
    by_negative_index = _fit(kind, columns=np.array([-1, -3]))
    assert by_name.param_names_.tolist()[4:] == [
        f"{attribute}:intercept",
        f"{attribute}:visits",
        f"{attribute}:age",
    ]
    assert_array_equal(by_name.zero_columns_, [2, 0])
    for other in (by_index, by_negative_index):
        assert_array_equal(other.param_names_, by_name.param_names_)
        assert_allclose(other.params_, by_name.params_, rtol=1e-12)
    # The other order is the same model, its zero-part coefficients swapped.
    swapped = _fit(kind, columns=["age", "visits"])
    assert_allclose(swapped.params_[[0, 1, 2, 3, 4, 6, 5]], by_name.params_, rtol=1e-8)
    assert_allclose(swapped.loglik_, by_name.loglik_, rtol=1e-12)


def test_an_empty_list_is_a_constant_zero_part(kind):
    _, _, attribute = MODELS[kind]
    model = _fit(kind, columns=[])
    assert model.param_names_.tolist()[4:] == [f"{attribute}:intercept"]
    assert getattr(model, f"{attribute}_coef_").shape == (0,)
    assert model.zero_columns_.size == 0
    # Nested in the model with every column: a lower maximum.
    assert model.loglik_ < _fit(kind).loglik_


def test_without_a_dataframe_the_columns_are_x0_x1(kind):
    cls, parameter, attribute = MODELS[kind]
    X, y = _frame(kind)
    model = cls(**{parameter: ["x2"]}).fit(X.to_numpy(), y)
    assert model.param_names_.tolist() == [
        "count:intercept",
        "count:x0",
        "count:x1",
        "count:x2",
        f"{attribute}:intercept",
        f"{attribute}:x2",
    ]
    named = cls(**{parameter: ["visits"]}).fit(X, y)
    assert_allclose(model.params_, named.params_, rtol=1e-12)


def test_the_columns_are_a_parameter_of_the_estimator(kind):
    cls, parameter, attribute = MODELS[kind]
    X, y = _frame(kind)
    model = cls(**{parameter: ["age"]})
    assert model.get_params()[parameter] == ["age"]
    copy = clone(model)
    assert copy.get_params()[parameter] == ["age"] and copy.get_params()[parameter] is not None
    copy.set_params(**{parameter: [1, 2]}).fit(X, y)
    assert copy.param_names_.tolist()[4:] == [
        f"{attribute}:intercept",
        f"{attribute}:income",
        f"{attribute}:visits",
    ]
    # A refit with other columns forgets the names of the first fit.
    copy.set_params(**{parameter: []}).fit(X, y)
    assert copy.param_names_.size == 5


def test_the_summary_names_every_parameter(kind):
    model = _fit(kind, "negative_binomial", columns=["income"])
    table = model.summary().to_frame()
    assert table.index.tolist() == model.param_names_.tolist()
    assert_allclose(table.iloc[:, 0].to_numpy(), model.params_)
    assert "Count family" in str(model.summary())
