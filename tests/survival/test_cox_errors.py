"""Bad input to FisherCoxRegressor: each gets a ValueError that names the problem."""

import pickle

import numpy as np
import pytest

from skfisher.survival import FisherCoxRegressor, StepFunction

from ._data import simulate, structured

X, Y, STRATA = simulate(n=60, seed=12)


def _with(column, row, value):
    y = Y.copy()
    y[row, column] = value
    return y


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (None, "y is required"),
        (Y[:, 0], r"shape \(n, 2\)"),
        (np.column_stack([Y, Y[:, :1]]), r"shape \(n, 2\)"),
        (np.array([["a", "b"]] * 60), "must hold numbers"),
        (_with(0, 3, -1.0), "non-negative; 1 row.*at 3"),
        (_with(0, 4, np.nan), "finite; 1 row.*at 4"),
        (_with(0, 5, np.inf), "finite"),
        (_with(1, 6, 2.0), "0 .censored. or 1 .event.*at 6"),
        (_with(1, 7, 0.5), "0 .censored. or 1"),
        (np.column_stack([Y[:, 0], np.zeros(60)]), "no events"),
        (Y[:-1], "y has 59 rows; X has 60"),
    ],
    ids=[
        "none",
        "1d",
        "3_columns",
        "strings",
        "negative",
        "nan",
        "inf",
        "event_2",
        "event_half",
        "no_events",
        "length",
    ],
)
def test_bad_targets_are_refused_by_name(y, message):
    with pytest.raises(ValueError, match=message):
        FisherCoxRegressor().fit(X, y)


@pytest.mark.parametrize(
    "dtype",
    [
        [("a", "<f8"), ("b", "<f8")],
        [("a", "?"), ("b", "?")],
        [("a", "?"), ("b", "<f8"), ("c", "<f8")],
    ],
    ids=["two_floats", "two_bools", "three_fields"],
)
def test_structured_targets_need_one_boolean_and_one_numeric_field(dtype):
    y = np.zeros(60, dtype=dtype)
    with pytest.raises(ValueError, match="one boolean field .the event. and one numeric"):
        FisherCoxRegressor().fit(X, y)


def test_events_that_all_have_weight_zero_are_no_events():
    weights = np.where(Y[:, 1] == 1, 0.0, 1.0)
    with pytest.raises(ValueError, match="no events"):
        FisherCoxRegressor().fit(X, Y, sample_weight=weights)


@pytest.mark.parametrize(
    ("weights", "message"),
    [(-np.ones(60), "non-negative"), (np.zeros(60), "at least one (positive|non-zero)")],
)
def test_bad_weights_are_refused(weights, message):
    with pytest.raises(ValueError, match=message):
        FisherCoxRegressor().fit(X, Y, sample_weight=weights)


def test_bad_features_are_refused():
    broken = X.copy()
    broken[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FisherCoxRegressor().fit(broken, Y)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": X[:, 0], "b": ["x"] * 60})
    with pytest.raises(ValueError, match="not numeric: b"):
        FisherCoxRegressor().fit(frame, Y)


@pytest.mark.parametrize(
    ("strata", "message"),
    [
        (STRATA[:-1], "one label per row of X .60."),
        (np.r_[[None], STRATA[1:]].astype(object), "missing labels"),
        (np.array(["a", *STRATA[1:]], dtype=object), "one comparable type"),
    ],
    ids=["length", "missing", "mixed"],
)
def test_bad_strata_are_refused(strata, message):
    with pytest.raises(ValueError, match=message):
        FisherCoxRegressor().fit(X, Y, strata=strata)


def test_predictions_need_the_strata_of_the_fit():
    plain = FisherCoxRegressor().fit(X, Y)
    with pytest.raises(ValueError, match="fitted without strata"):
        plain.predict_survival_function(X, strata=STRATA)
    stratified = FisherCoxRegressor().fit(X, Y, strata=np.where(STRATA > 0, "b", "a"))
    with pytest.raises(ValueError, match="pass strata="):
        stratified.predict_survival_function(X)
    with pytest.raises(ValueError, match=r"labels not seen in fit: \['c'\]"):
        stratified.predict_cumulative_hazard_function(X[:2], strata=["a", "c"])
    with pytest.raises(ValueError, match=r"labels not seen in fit: \[1, 2\]"):
        stratified.predict_survival_function(X[:2], strata=[1, 2])
    with pytest.raises(ValueError, match="strata has 1 labels; X has 2"):
        stratified.predict_survival_interval(X[:2], strata=["a"])


def test_groups_and_cov_type_must_agree():
    with pytest.raises(ValueError, match="groups are used only by cov_type='cluster'"):
        FisherCoxRegressor().fit(X, Y, groups=np.arange(60) % 5)
    with pytest.raises(ValueError, match="needs the cluster of every sample"):
        FisherCoxRegressor(cov_type="cluster").fit(X, Y)


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="ties"):
        FisherCoxRegressor(ties="exact").fit(X, Y)
    with pytest.raises(ValueError, match="alpha"):
        FisherCoxRegressor(alpha=-1.0).fit(X, Y)


def test_bad_arguments_after_the_fit_are_refused():
    model = FisherCoxRegressor().fit(X, Y)
    with pytest.raises(ValueError, match="y has 59 rows; X has 60"):
        model.score(X, Y[:-1])
    with pytest.raises(ValueError, match="alpha must be in"):
        model.predict_survival_interval(X, alpha=1.5)
    with pytest.raises(ValueError, match="3 features"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match="must not be NaN"):
        model.predict_survival_function(X[:1])[0](np.nan)
    single = np.array([[1.0, 1.0], [1.0, 1.0]])  # two tied events: no comparable pair
    with pytest.raises(ValueError, match="no comparable pairs"):
        model.score(X[:2], single)
    restored = pickle.loads(pickle.dumps(model))
    with pytest.raises(ValueError, match="need the training data"):
        restored.score_residuals()


def test_a_structured_target_with_bad_values_is_refused_like_columns():
    y = structured(Y)
    y["time"][0] = -2.0
    with pytest.raises(ValueError, match="non-negative"):
        FisherCoxRegressor().fit(X, y)
    with pytest.raises(ValueError, match="1-dimensional"):
        FisherCoxRegressor().fit(X, np.stack([structured(Y)] * 2, axis=1))


def test_a_step_function_without_times_is_its_value_before():
    empty = StepFunction(np.array([]), np.array([]), 1.0)
    assert np.all(empty(np.array([0.0, 5.0])) == 1.0)


def test_a_stratum_whose_rows_all_have_weight_zero_is_named():
    strata = np.where(np.arange(X.shape[0]) < 10, "b", "a")
    weights = np.where(strata == "b", 0.0, 1.0)
    with pytest.raises(ValueError, match="stratum 'b' has sample_weight 0"):
        FisherCoxRegressor().fit(X, Y, sample_weight=weights, strata=strata)
    # Weight 0 on some rows of each stratum is fine: they are left out.
    weights[[0, 20]] = 0.0
    weights[[1]] = 1.0
    fitted = FisherCoxRegressor().fit(X, Y, sample_weight=weights, strata=strata)
    assert np.all(np.isfinite(fitted.standard_errors_))
