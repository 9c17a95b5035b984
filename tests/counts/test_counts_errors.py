"""Bad input to the zero-inflated and hurdle regressors: one test per validation path.

Every refusal is a ``ValueError`` whose message says what was wrong and what
to do, raised before any arithmetic, so that no numpy RuntimeWarning escapes
(each test turns them into errors).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skfisher.counts import FisherHurdleRegressor, FisherZeroInflatedRegressor
from skfisher.exceptions import BoundaryWarning, PerfectSeparationWarning

from ._reference import simulate

ESTIMATORS = [FisherZeroInflatedRegressor, FisherHurdleRegressor]
PARAMETER = {
    FisherZeroInflatedRegressor: "inflation_features",
    FisherHurdleRegressor: "zero_features",
}


@pytest.fixture(autouse=True)
def no_runtime_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


@pytest.fixture(params=ESTIMATORS, ids=lambda cls: cls.__name__)
def cls(request):
    return request.param


def _data(n=200):
    X, y, _ = simulate(0, n=n, p=3)
    return X, y


def _frame():
    X, y = _data()
    return pd.DataFrame(X, columns=["age", "income", "visits"]), y


@pytest.mark.parametrize(
    ("position", "value", "shown"), [(5, -1.0, "-1"), (7, 2.5, "2.5"), (0, -0.5, "-0.5")]
)
def test_a_value_that_is_not_a_count_is_named(cls, position, value, shown):
    X, y = _data()
    y[position] = value
    y[position + 3] = -7.0  # a later one is not named
    with pytest.raises(
        ValueError, match=rf"counts \(non-negative integers\); y\[{position}\] = {shown} is not"
    ):
        cls().fit(X, y)


def test_a_target_of_strings_is_refused(cls):
    X, y = _data()
    labels = np.where(y > 0, "a", "b")
    with pytest.raises(ValueError, match=f"counts .*dtype <U1, such as '{labels[0]}'"):
        cls().fit(X, labels)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_missing_or_infinite_counts_are_refused(cls, bad):
    X, y = _data()
    y[3] = bad
    with pytest.raises(ValueError, match="Input y contains (NaN|infinity)"):
        cls().fit(X, y)


def test_counts_without_zeros_point_to_the_plain_count_model(cls):
    X, y = _data()
    with pytest.raises(ValueError, match=r"y has no zeros.*FisherPoissonRegressor"):
        cls().fit(X, y + 1)
    # Zeros of weight 0 do not count.
    weights = np.where(y == 0, 0.0, 1.0)
    with pytest.raises(ValueError, match="y has no zeros"):
        cls().fit(X, y, sample_weight=weights)


def test_counts_that_are_all_zero_are_refused(cls):
    X, y = _data()
    with pytest.raises(ValueError, match="no positive counts.*Every count is 0"):
        cls().fit(X, np.zeros_like(y))


def test_binary_counts_have_no_hurdle_estimate():
    """P(1 | Y > 0) → 1 as μ → 0: the truncated count part has no maximum."""
    X, y = _data()
    with pytest.raises(
        ValueError, match=r"Every positive count in y is 1.*FisherLogisticRegression"
    ):
        FisherHurdleRegressor().fit(X, np.minimum(y, 1))
    # The zero-inflated model's count part is not truncated: it fits them (here
    # with fewer zeros than a Poisson model's, and so no inflation).
    with pytest.warns(BoundaryWarning, match="zero inflation vanished"):
        fitted = FisherZeroInflatedRegressor(inflation_features=[]).fit(X, np.minimum(y, 1))
    assert np.all(np.isfinite(fitted.standard_errors_[:4]))


def test_one_sample_is_too_few(cls):
    with pytest.raises(ValueError, match="1 sample"):
        cls().fit(np.ones((1, 2)), [0])


def test_an_unknown_column_name_lists_the_columns(cls):
    X, y = _frame()
    parameter = PARAMETER[cls]
    with pytest.raises(
        ValueError,
        match=rf"{parameter} names the column 'wage', which is not in X; the columns are "
        r"\['age', 'income', 'visits'\]",
    ):
        cls(**{parameter: ["age", "wage"]}).fit(X, y)
    # Without a DataFrame the columns are x0, x1, …
    with pytest.raises(ValueError, match=r"the columns are \['x0', 'x1', 'x2'\]"):
        cls(**{parameter: ["age"]}).fit(X.to_numpy(), y)


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ([3], "has the column index 3, but X has 3 columns"),
        ([-4], "has the column index -4, but X has 3 columns"),
        ([0, -3], r"lists a column twice: \[0, -3\]"),
        ([1.0], "must hold column indices or names; got 1.0"),
        ([True], "must hold column indices or names; got True"),
        ("age", "must be None or an array-like"),
    ],
)
def test_a_bad_column_of_the_zero_part_is_refused(cls, columns, match):
    X, y = _frame()
    parameter = PARAMETER[cls]
    with pytest.raises(ValueError, match=match):
        cls(**{parameter: columns}).fit(X, y)


@pytest.mark.parametrize("max_count", [-1, 2.5, 3.0, True, "3", None])
def test_a_bad_max_count_is_refused(cls, max_count):
    X, y = _data()
    fitted = cls().fit(X, y)
    if max_count is None:  # the default: the largest count of the fit
        assert fitted.predict_proba(X).shape == (y.size, int(y.max()) + 1)
        return
    with pytest.raises(
        ValueError, match=rf"max_count must be a non-negative integer; got {max_count!r}"
    ):
        fitted.predict_proba(X, max_count=max_count)


def test_an_offset_of_the_wrong_length_or_not_finite_is_refused(cls):
    X, y = _data()
    with pytest.raises(ValueError, match="offset has 10 entries but X has 200 rows"):
        cls().fit(X, y, offset=np.zeros(10))
    with pytest.raises(ValueError, match="offset contains NaN or infinity"):
        cls().fit(X, y, offset=np.r_[np.nan, np.zeros(199)])
    fitted = cls().fit(X, y)
    for method in (fitted.predict, fitted.predict_zero_proba, fitted.predict_proba):
        with pytest.raises(ValueError, match="offset has 3 entries but X has 200 rows"):
            method(X, offset=np.zeros(3))
    with pytest.raises(ValueError, match="offset has 3 entries but X has 200 rows"):
        fitted.score(X, y, offset=np.zeros(3))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_in_x_are_refused(cls, bad):
    X, y = _data()
    broken = X.copy()
    broken[4, 2] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        cls().fit(broken, y)
    fitted = cls().fit(X, y)
    for method in (fitted.predict, fitted.predict_zero_proba, fitted.predict_proba):
        with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
            method(broken)


def test_a_cluster_covariance_needs_groups(cls):
    X, y = _data()
    with pytest.raises(ValueError, match=r"cov_type='cluster' needs the cluster of every sample"):
        cls(cov_type="cluster").fit(X, y)
    with pytest.raises(ValueError, match="groups are used only by cov_type='cluster'"):
        cls().fit(X, y, groups=np.arange(y.size) % 4)
    with pytest.raises(ValueError, match="one label per row of X"):
        cls(cov_type="cluster").fit(X, y, groups=np.arange(5))
    with pytest.raises(ValueError, match="at least 2 clusters"):
        cls(cov_type="cluster").fit(X, y, groups=np.zeros(y.size))
    fitted = cls().fit(X, y)
    with pytest.raises(ValueError, match="covariance\\(cov_type='cluster', groups=...\\)"):
        fitted.covariance("cluster")


def test_bad_weights_and_parameters_are_refused(cls):
    X, y = _data()
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        cls().fit(X, y, sample_weight=np.r_[-1.0, np.ones(199)])
    with pytest.raises(ValueError, match="sample_weight"):
        cls().fit(X, y, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="'family' parameter"):
        cls("gamma").fit(X, y)
    with pytest.raises(ValueError, match="'alpha' parameter"):
        cls(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="'cov_type' parameter"):
        cls(cov_type="robust").fit(X, y)


def test_non_numeric_columns_are_named(cls):
    X, y = _frame()
    X["colour"] = np.where(y > 1, "red", "blue")
    with pytest.raises(ValueError, match="not numeric: colour"):
        cls().fit(X, y)


def test_predictions_need_a_fit_with_the_same_features(cls):
    X, y = _data()
    with pytest.raises(NotFittedError):
        cls().predict(X)
    fitted = cls().fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        fitted.predict(X[:, :2])


def test_score_refuses_what_is_not_a_count(cls):
    X, y = _data()
    fitted = cls().fit(X, y)
    bad = y.copy()
    bad[9] = 1.5
    with pytest.raises(ValueError, match=r"y\[9\] = 1.5 is not"):
        fitted.score(X, bad)


# --- data without a maximum: named warnings, nan standard errors --------------------------
def _separated(seed=0, n=300):
    """Counts whose zeros are exactly the rows with x0 < 0 (with x1, x2 noise)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] < 0, 0.0, rng.poisson(np.exp(0.8 + 0.3 * X[:, 1])) + 1.0)
    return X, y


def test_a_separated_hurdle_zero_part_is_named_and_leaves_the_count_part():
    X, y = _separated()
    with pytest.warns(PerfectSeparationWarning, match=r"\['zero:intercept', 'zero:x0'"):
        model = FisherHurdleRegressor().fit(X, y)
    assert not model.converged_
    zero = model.param_names_.tolist().index("zero:intercept")
    assert np.all(np.isnan(model.standard_errors_[zero : zero + 2]))
    # The parts do not share a parameter: the count part is that of any zero part,
    # and so are its observed standard errors (the expected ones weigh each row
    # by its fitted P(Y > 0)).
    other = FisherHurdleRegressor(zero_features=[1]).fit(X, y)
    assert_allclose(model.params_[:zero], other.params_[:zero], rtol=1e-8)
    observed = model.standard_errors("observed")[:zero]
    assert_allclose(observed, other.standard_errors("observed")[:zero], rtol=1e-8)
    # A penalty gives finite estimates: no separation to report.
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        penalised = FisherHurdleRegressor(alpha=0.05).fit(X, y)
    assert np.all(np.isfinite(penalised.standard_errors_))


def test_a_separated_inflation_is_named():
    """Every zero at x0 < 0 and none above: π → 1 there, → 0 elsewhere, without end."""
    X, y = _separated(1)
    with pytest.warns(PerfectSeparationWarning, match=r"'inflation:intercept', 'inflation:x0'"):
        model = FisherZeroInflatedRegressor().fit(X, y)
    assert not model.converged_
    assert np.isnan(model.standard_errors_[X.shape[1] + 1])


def test_a_truncated_negative_binomial_at_the_log_series_limit_reports_it():
    """Positive counts more skewed than any NB: α → ∞ and μ → 0 (the logarithmic limit).

    A mixture of NB2 counts over means that the features (here noise) do not
    explain; the fit says it did not converge, and nothing overflows on the way.
    """
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 2))
    mu = np.exp(1.0 + 1.2 * X[:, 0] - 1.2 * X[:, 1])
    y = np.where(rng.random(400) < 0.2, 0.0, 1.0 + rng.negative_binomial(4.0, 4.0 / (4.0 + mu)))
    noise = rng.normal(size=(400, 1))
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model = FisherHurdleRegressor("negative_binomial", zero_features=[], max_iter=40)
        model.fit(noise, y)
    assert model.alpha_ > 100.0  # on its way to infinity
    assert np.isfinite(model.score(noise, y))
