"""Bad input to FisherSurvivalRegressor: each gets a ValueError that names the problem."""

import pickle
import warnings

import numpy as np
import pytest

from skfisher.exceptions import BoundaryWarning, PerfectSeparationWarning
from skfisher.survival import FisherSurvivalRegressor

N = 60
RNG = np.random.default_rng(12)
X = RNG.normal(size=(N, 3))
_TIME = np.exp(0.5 + X @ [0.4, -0.3, 0.2] + 0.6 * np.log(RNG.exponential(size=N)))
Y = np.column_stack([np.minimum(_TIME, 2.5), (_TIME < 2.5).astype(float)])
DISTRIBUTIONS = ["weibull", "exponential", "lognormal", "loglogistic"]


def _with(column, row, value):
    y = Y.copy()
    y[row, column] = value
    return y


def _structured(y):
    out = np.empty(y.shape[0], dtype=[("event", "?"), ("time", "<f8")])
    out["event"], out["time"] = y[:, 1] == 1, y[:, 0]
    return out


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (None, "y is required"),
        (Y[:, 0], r"shape \(n, 2\)"),
        (np.column_stack([Y, Y[:, :1]]), r"shape \(n, 2\)"),
        (np.array([["a", "b"]] * N), "must hold numbers"),
        (_with(0, 3, -1.0), "non-negative; 1 row.*at 3"),
        (_with(0, 4, np.nan), "finite; 1 row.*at 4"),
        (_with(0, 5, np.inf), "finite"),
        (_with(1, 6, 2.0), "0 .censored. or 1 .event.*at 6"),
        (_with(1, 7, 0.5), "0 .censored. or 1"),
        (Y[:-1], "y has 59 rows; X has 60"),
    ],
    ids=["none", "1d", "3_columns", "strings", "negative", "nan", "inf", "event_2", "half", "len"],
)
def test_bad_targets_are_refused_by_the_target_reader(y, message):
    with pytest.raises(ValueError, match=message):
        FisherSurvivalRegressor().fit(X, y)


def test_structured_targets_need_one_boolean_and_one_numeric_field():
    with pytest.raises(ValueError, match="one boolean field .the event. and one numeric"):
        FisherSurvivalRegressor().fit(X, np.zeros(N, dtype=[("a", "<f8"), ("b", "<f8")]))
    y = _structured(Y)
    y["time"][0] = -2.0
    with pytest.raises(ValueError, match="non-negative"):
        FisherSurvivalRegressor().fit(X, y)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_time_zero_is_refused_on_the_log_scale(distribution):
    y = _with(0, [2, 9], 0.0)
    with pytest.raises(ValueError, match=f"positive for distribution='{distribution}'.*2 row"):
        FisherSurvivalRegressor(distribution).fit(X, y)
    weights = np.ones(N)
    weights[[2, 9]] = 0.0  # rows of weight 0 are left out, their times too
    fitted = FisherSurvivalRegressor(distribution).fit(X, y, sample_weight=weights)
    assert np.all(np.isfinite(fitted.params_))


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_no_events_is_refused(distribution):
    with pytest.raises(ValueError, match="no events.*no maximum likelihood estimate"):
        FisherSurvivalRegressor(distribution).fit(X, np.column_stack([Y[:, 0], np.zeros(N)]))
    weights = np.where(Y[:, 1] == 1, 0.0, 1.0)
    with pytest.raises(ValueError, match="no events"):
        FisherSurvivalRegressor(distribution).fit(X, Y, sample_weight=weights)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"distribution": "gamma"}, "distribution"),
        ({"distribution": None}, "distribution"),
        ({"alpha": -1.0}, "alpha"),
        ({"max_iter": -1}, "max_iter"),
        ({"tol": 0.0}, "tol"),
        ({"cov_type": "hc3"}, "cov_type"),
        ({"fit_intercept": "yes"}, "fit_intercept"),
    ],
    ids=["unknown_distribution", "none", "alpha", "max_iter", "tol", "cov_type", "intercept"],
)
def test_bad_parameters_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        FisherSurvivalRegressor(**options).fit(X, Y)


@pytest.mark.parametrize(
    ("weights", "message"),
    [(-np.ones(N), "non-negative"), (np.zeros(N), "at least one (positive|non-zero)")],
)
def test_bad_weights_are_refused(weights, message):
    with pytest.raises(ValueError, match=message):
        FisherSurvivalRegressor().fit(X, Y, sample_weight=weights)


def test_bad_features_are_refused():
    broken = X.copy()
    broken[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FisherSurvivalRegressor().fit(broken, Y)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": X[:, 0], "b": ["x"] * N})
    with pytest.raises(ValueError, match="not numeric: b"):
        FisherSurvivalRegressor().fit(frame, Y)


def test_groups_and_cov_type_must_agree():
    with pytest.raises(ValueError, match="groups are used only by cov_type='cluster'"):
        FisherSurvivalRegressor().fit(X, Y, groups=np.arange(N) % 5)
    with pytest.raises(ValueError, match="needs the cluster of every sample"):
        FisherSurvivalRegressor(cov_type="cluster").fit(X, Y)
    with pytest.raises(ValueError, match="at least 2 clusters"):
        FisherSurvivalRegressor(cov_type="cluster").fit(X, Y, groups=np.zeros(N))
    with pytest.raises(ValueError, match="one label per row"):
        FisherSurvivalRegressor(cov_type="cluster").fit(X, Y, groups=np.arange(N - 1))


def test_bad_arguments_after_the_fit_are_refused():
    model = FisherSurvivalRegressor().fit(X, Y)
    with pytest.raises(ValueError, match="y has 59 rows; X has 60"):
        model.score(X, Y[:-1])
    for q in (0.0, 1.0, -0.2, 1.5, [0.5, 1.0], [[0.5]], np.nan):
        with pytest.raises(ValueError, match="q must be a probability"):
            model.predict_quantile(X, q)
    with pytest.raises(ValueError, match="q must be a probability"):
        model.predict_quantile_interval(X, 2.0)
    with pytest.raises(ValueError, match="alpha must be in"):
        model.predict_quantile_interval(X, alpha=1.5)
    with pytest.raises(ValueError, match="3 features"):
        model.predict(X[:, :2])
    curve = model.predict_survival_function(X[:1])[0]
    for t in (np.nan, -1.0):
        with pytest.raises(ValueError, match="must be >= 0"):
            curve(t)
    with pytest.raises(ValueError, match="no comparable pairs"):
        model.score(X[:2], np.array([[1.0, 1.0], [1.0, 1.0]]))
    with pytest.raises(ValueError, match="groups are used only by cov_type='cluster'"):
        model.covariance("sandwich", groups=np.arange(N))
    restored = pickle.loads(pickle.dumps(model))
    with pytest.raises(ValueError, match="need the training data"):
        restored.score_residuals()
    with pytest.raises(ValueError, match="training data"):
        restored.covariance("cluster", groups=np.arange(N) % 4)


@pytest.mark.parametrize("distribution", ["weibull", "lognormal", "loglogistic"])
def test_events_on_a_hyperplane_send_the_scale_to_zero(distribution):
    # Two events and three coefficients: the events fit exactly, the censored
    # times lie below the plane.
    y = np.column_stack([np.r_[1.0, 2.0, 0.5, 0.7], np.r_[1.0, 1.0, 0.0, 0.0]])
    features = np.array([[0.0], [1.0], [0.2], [0.5]])
    with pytest.warns(BoundaryWarning, match="scale tends to 0"):
        model = FisherSurvivalRegressor(distribution).fit(features, y)
    assert not model.converged_ and np.all(np.isnan(model.standard_errors_))
    # A censored time above the plane bounds the likelihood.
    y[3, 0] = 5.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = FisherSurvivalRegressor(distribution).fit(features, y)
    assert model.converged_ and np.all(np.isfinite(model.standard_errors_))


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_a_feature_whose_rows_are_all_censored_diverges(distribution):
    group = (np.arange(N) % 3 == 0).astype(float)
    features = np.column_stack([group, X[:, 0]])
    y = Y.copy()
    y[group == 1, 1] = 0.0
    with pytest.warns(PerfectSeparationWarning, match=r"\['x0'\] diverge \(x0 → \+inf\)"):
        model = FisherSurvivalRegressor(distribution).fit(features, y)
    assert not model.converged_
    errors = model.standard_errors_
    assert np.isnan(errors[1]) and np.all(np.isfinite(np.delete(errors, 1)))
    # The penalty holds it: a finite estimate, no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        penalised = FisherSurvivalRegressor(distribution, alpha=0.1).fit(features, y)
    assert penalised.converged_ and np.all(np.isfinite(penalised.standard_errors_))
