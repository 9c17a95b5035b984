"""Intervals for predicted means: checked against statsmodels' get_prediction and by simulation."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit, logsumexp
from sklearn.datasets import load_wine
from sklearn.exceptions import NotFittedError

from skfisher import (
    FisherGammaRegressor,
    FisherGLMRegressor,
    FisherLogisticRegression,
    FisherPoissonRegressor,
)
from skfisher._linalg import Design
from skfisher._predicted import check_mean_domain, outside_mean_domain
from skfisher.datasets import load_anes96, load_engel
from skfisher.exceptions import DomainWarning
from skfisher.families.binomial import Binomial
from skfisher.families.gamma import Gamma
from skfisher.families.gaussian import Gaussian
from skfisher.families.inverse_gaussian import InverseGaussian
from skfisher.families.poisson import Poisson
from skfisher.linear_model._prediction import linear_predictor_covariance, mean_interval
from skfisher.links import Inverse, InverseSquared, Log, Sqrt

# Both sides solve the same score equations to ~1e-10 in the parameters (statsmodels
# at tol=1e-12); the interval ends are smooth in θ̂ and Σ̂, so 1e-6 leaves three
# orders of margin while still catching any error in the variance x̃ᵀΣx̃.
RTOL = 1e-6
COLUMNS = ["mean_ci_lower", "mean_ci_upper"]

# cov_type -> how statsmodels' GLM reports the same covariance. statsmodels'
# Newton fit reports the inverse observed information; IRLS the expected one.
COV_TYPES = {
    "fisher": {"cov_type": "nonrobust"},
    "sandwich": {"cov_type": "HC0"},
    "observed": {"cov_type": "nonrobust", "method": "newton"},
}


def _anes():
    X, y = load_anes96(return_X_y=True, as_frame=True)
    return X, y.to_numpy(), None


def _poisson_with_exposure():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(400, 3)), columns=["a", "b", "c"])
    offset = np.log(rng.uniform(0.5, 4.0, size=400))
    y = rng.poisson(np.exp(0.2 + X.to_numpy() @ [0.4, -0.3, 0.1] + offset))
    return X, y, offset


def _engel():
    X, y = load_engel(return_X_y=True, as_frame=True)
    return X / 1000.0, y.to_numpy(), None


# name -> (data, our estimator (without cov_type), statsmodels family)
CASES = {
    "logit": (_anes, dict(family="binomial"), sm.families.Binomial()),
    "probit": (
        _anes,
        dict(family="binomial", link="probit"),
        sm.families.Binomial(sm.families.links.Probit()),
    ),
    "poisson_offset": (_poisson_with_exposure, dict(family="poisson"), sm.families.Poisson()),
    "gamma_log": (
        _engel,
        dict(family="gamma", link="log"),
        sm.families.Gamma(sm.families.links.Log()),
    ),
    "gamma_inverse": (_engel, dict(family="gamma"), sm.families.Gamma()),
}


def _statsmodels_interval(X, y, offset, family, cov, X_new, offset_new, start=None):
    cov = dict(cov)
    method = cov.pop("method", "irls")
    exog = sm.add_constant(np.asarray(X, dtype=float), has_constant="add")
    exog_new = sm.add_constant(np.asarray(X_new, dtype=float), has_constant="add")
    with warnings.catch_warnings():
        # statsmodels warns that the inverse link can leave the gamma's domain.
        warnings.simplefilter("ignore")
        model = sm.GLM(y, exog, family=family, offset=offset)
        result = model.fit(method=method, tol=1e-12, maxiter=200, start_params=start, **cov)
        frame = result.get_prediction(exog_new, offset=offset_new).summary_frame()
    # statsmodels maps the ends without sorting them (a decreasing link swaps them).
    return np.sort(frame[COLUMNS].to_numpy(), axis=1)


@pytest.mark.parametrize("cov_type", list(COV_TYPES))
@pytest.mark.parametrize("case", list(CASES))
def test_predict_interval_matches_statsmodels(case, cov_type):
    load, kwargs, family = CASES[case]
    X, y, offset = load()
    model = FisherGLMRegressor(**kwargs, cov_type=cov_type).fit(X, y, offset=offset)
    new = X.iloc[::7]
    offset_new = None if offset is None else offset[::7]
    # statsmodels starts from our estimate and iterates to its own convergence:
    # from its default start the gamma-inverse fit on Engel stops at a worse
    # stationary point (deviance 145 against 21.8).
    expected = _statsmodels_interval(
        X, y, offset, family, COV_TYPES[cov_type], new, offset_new, start=model.params_
    )
    got = model.predict_interval(new, offset=offset_new)
    assert list(got.columns) == COLUMNS
    assert got.index.equals(new.index)
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=RTOL)
    # The interval holds the point prediction.
    mu = model.predict(new, offset=offset_new)
    assert np.all((got.iloc[:, 0] <= mu) & (mu <= got.iloc[:, 1]))


@pytest.mark.parametrize("alpha", [0.01, 0.2])
def test_predict_interval_alpha_and_conveniences(alpha):
    X, y, offset = _poisson_with_exposure()
    model = FisherPoissonRegressor().fit(X.to_numpy(), y, offset=offset)
    exog = sm.add_constant(X.to_numpy())
    result = sm.GLM(y, exog, family=sm.families.Poisson(), offset=offset).fit(tol=1e-12)
    frame = result.get_prediction(exog, offset=offset).summary_frame(alpha=alpha)
    expected = frame[COLUMNS].to_numpy()
    got = model.predict_interval(X.to_numpy(), alpha=alpha, offset=offset)
    assert isinstance(got, np.ndarray) and got.shape == (len(X), 2)
    np.testing.assert_allclose(got, expected, rtol=RTOL)

    X, y, _ = _engel()
    gamma = FisherGammaRegressor().fit(X, y)
    same = FisherGLMRegressor(family="gamma", link="log").fit(X, y)
    np.testing.assert_allclose(gamma.predict_interval(X), same.predict_interval(X), rtol=1e-12)


@pytest.mark.parametrize("cov_type", ["fisher", "sandwich", "cluster"])
def test_predict_proba_interval_binary_matches_statsmodels(cov_type):
    X, y, _ = _anes()
    labels = np.where(y == 1, "Clinton", "Dole")  # classes_ = [Clinton, Dole]
    groups = np.arange(len(y)) % 40
    model = FisherLogisticRegression(cov_type=cov_type)
    model.fit(X, labels, groups=groups if cov_type == "cluster" else None)
    exog = sm.add_constant(X.to_numpy())
    sm_cov = {"fisher": {}, "sandwich": {"cov_type": "HC0"}}.get(
        cov_type, {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    )
    glm = sm.GLM((labels == "Dole").astype(float), exog, family=sm.families.Binomial())
    result = glm.fit(tol=1e-12, **sm_cov)
    expected = result.get_prediction(exog).summary_frame()[COLUMNS].to_numpy()
    if cov_type == "fisher":
        got = (
            FisherLogisticRegression()
            .fit(X.to_numpy(), labels)
            .predict_proba_interval(exog[:, 1:])
        )
        assert isinstance(got, np.ndarray) and got.shape == (len(y), 2)
        np.testing.assert_allclose(got, expected, rtol=RTOL)
    frame = model.predict_proba_interval(X)
    assert list(frame.columns) == COLUMNS
    np.testing.assert_allclose(frame.to_numpy(), expected, rtol=RTOL)


def _wine():
    data = load_wine(as_frame=True)
    return data.data[["alcohol", "malic_acid", "ash"]], data.target.to_numpy()


def test_predict_proba_interval_multinomial_is_the_delta_method_on_the_log_odds():
    X, y = _wine()
    model = FisherLogisticRegression().fit(X, y)
    result = sm.MNLogit(y, sm.add_constant(X.to_numpy())).fit(disp=0, tol=1e-12)
    # statsmodels' params are (k, K − 1), column per class: ravel("F") is class-major.
    theta, cov = result.params.ravel("F"), result.cov_params()
    np.testing.assert_allclose(model.covariance_, cov, rtol=1e-6)
    exog = sm.add_constant(X.to_numpy())[::9]
    k, K = exog.shape[1], 3

    def log_odds(t):
        # log(p_j / (1 − p_j)) of every class; complex-safe so that the
        # complex-step derivative below is exact to rounding.
        eta = np.column_stack([np.zeros(len(exog)), exog @ t.reshape(K - 1, k).T])
        log_p = eta - logsumexp(eta, axis=1, keepdims=True)
        p = np.exp(log_p)
        return log_p - np.log(1.0 - p)

    step = 1e-30
    gradient = np.stack(
        [log_odds(theta + 1j * step * e).imag / step for e in np.eye(theta.size)], axis=2
    )
    se = np.sqrt(np.einsum("ija,ab,ijb->ij", gradient, cov, gradient))
    lam = log_odds(theta).real
    expected = np.stack(
        [expit(lam - 1.959963984540054 * se), expit(lam + 1.959963984540054 * se)], 2
    )
    array = FisherLogisticRegression().fit(X.to_numpy(), y).predict_proba_interval(exog[:, 1:])
    assert array.shape == (len(exog), 3, 2)  # one interval per class
    np.testing.assert_allclose(array, expected, rtol=RTOL)
    got = model.predict_proba_interval(X.iloc[::9])
    assert got.shape == (len(exog), 6) and got.index.equals(X.index[::9])
    np.testing.assert_allclose(got.to_numpy().reshape(len(exog), 3, 2), expected, rtol=RTOL)
    assert list(got.columns) == [(c, e) for c in model.classes_ for e in COLUMNS]
    p = model.predict_proba(X.iloc[::9])
    assert np.all((got.to_numpy()[:, 0::2] <= p) & (p <= got.to_numpy()[:, 1::2]))


def test_multinomial_interval_reduces_to_the_binary_one():
    # With two classes the log-odds of p_1 is η itself, so the softmax path must
    # give the binary interval; exercise it by asking for it on 2-column data.
    from skfisher.linear_model._prediction import softmax_intervals

    X, y, _ = _anes()
    model = FisherLogisticRegression().fit(X, y)
    design = Design(X.to_numpy(), True)
    covariance = linear_predictor_covariance(design, model.covariance_)
    eta = model.decision_function(X)
    both = softmax_intervals(np.column_stack([np.zeros_like(eta), eta]), covariance, 1.96)
    binary = model.predict_proba_interval(X, alpha=2 * (1 - 0.9750021048517795))
    np.testing.assert_allclose(both[:, 1], binary.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(both[:, 0], 1 - binary.to_numpy()[:, ::-1], rtol=1e-10)


def test_quadratic_forms_are_chunked_and_sparse_safe():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(103, 4))
    X[rng.random(X.shape) < 0.5] = 0.0
    A = rng.normal(size=(10, 10))
    covariance = A @ A.T
    full = np.column_stack([np.ones(103), X])
    for blocks, cov in [(1, covariance[:5, :5]), (2, covariance)]:
        expected = np.einsum("ia,hagb,ib->ihg", full, cov.reshape(blocks, 5, blocks, 5), full)
        for data in (X, sp.csr_matrix(X)):
            got = linear_predictor_covariance(Design(data, True, chunk_rows=7), cov, blocks)
            np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_sparse_input_gives_the_dense_interval():
    X, y, offset = _poisson_with_exposure()
    model = FisherPoissonRegressor().fit(X.to_numpy(), y, offset=offset)
    dense = model.predict_interval(X.to_numpy(), offset=offset)
    sparse = model.predict_interval(sp.csr_matrix(X.to_numpy()), offset=offset)
    np.testing.assert_allclose(sparse, dense, rtol=1e-12)


def test_intervals_stay_in_the_domain_of_the_mean():
    eta = np.array([0.5, 0.1, -0.2, 2.0])
    half = np.array([0.2, 0.3, 0.1, 3.0])
    # inverse: decreasing, with a pole at 0 (a gamma mean just above 0 has η → ∞).
    got = mean_interval(Inverse(), eta, half)
    np.testing.assert_allclose(got[0], [1 / 0.7, 1 / 0.3])
    assert got[1, 0] == pytest.approx(1 / 0.4) and got[1, 1] == np.inf  # η in [-0.2, 0.4]
    np.testing.assert_allclose(got[2], [1 / -0.1, 1 / -0.3])  # negative means stay so
    assert got[3, 0] == pytest.approx(0.2) and got[3, 1] == np.inf
    squared = mean_interval(InverseSquared(), eta[:2], half[:2])
    np.testing.assert_allclose(squared[0], [0.7**-0.5, 0.3**-0.5])
    assert squared[1, 1] == np.inf and squared[1, 0] == pytest.approx(0.4**-0.5)
    # sqrt: μ = η² turns at 0, so an interval for η across 0 starts at μ = 0.
    root = mean_interval(Sqrt(), np.array([0.1, 1.0]), np.array([0.3, 0.5]))
    np.testing.assert_allclose(root, [[0.0, 0.16], [0.25, 2.25]])
    log = mean_interval(Log(), np.array([0.0]), np.array([1.0]))
    np.testing.assert_allclose(log, [[np.exp(-1), np.e]])


def test_undefined_standard_errors_give_nan_intervals():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    X = np.column_stack([X, X[:, 0]])  # collinear: the covariance has nan rows
    y = rng.poisson(np.exp(0.3 + X[:, 0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = FisherPoissonRegressor().fit(X, y)
    assert np.isnan(model.predict_interval(X)).all()


def test_method_availability_and_errors():
    X, y, offset = _poisson_with_exposure()
    regressor = FisherGLMRegressor()
    with pytest.raises(NotFittedError):
        regressor.predict_interval(X)
    regressor.fit(X, y, offset=offset)
    assert not hasattr(regressor, "predict_proba_interval")
    assert not hasattr(FisherLogisticRegression(), "predict_interval")
    for alpha in (0, 1, -0.5, "0.05", None):
        with pytest.raises(ValueError, match="alpha must be a number in"):
            regressor.predict_interval(X, alpha=alpha)
    with pytest.raises(ValueError, match="offset has 3 entries but X has 400 rows"):
        regressor.predict_interval(X, offset=[0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="offset contains NaN"):
        regressor.predict_interval(X, offset=np.full(len(X), np.nan))
    with pytest.raises(ValueError, match="feature names should match"):
        regressor.predict_interval(X.iloc[:, :2])
    with pytest.raises(ValueError, match="expecting 3 features"):
        FisherGLMRegressor().fit(X.to_numpy(), y).predict_interval(X.to_numpy()[:, :2])
    classifier = FisherLogisticRegression().fit(*_wine())
    with pytest.raises(ValueError, match="alpha must be a number in"):
        classifier.predict_proba_interval(_wine()[0], alpha=1.5)


@pytest.mark.slow
def test_logistic_intervals_cover_the_true_mean():
    # 2000 replicates at n = 1000, five fixed points each: 10000 intervals, so the
    # coverage estimate has a Monte Carlo standard error near 0.3% (the points
    # share a replicate); 93–97% is the acceptance band around 95%.
    rng = np.random.default_rng(20240601)
    beta = np.array([-0.5, 1.0, -0.7])
    points = np.array([[0.0, 0.0], [1.0, -1.0], [-1.5, 0.5], [2.0, 1.0], [0.5, 2.0]])
    truth = expit(beta[0] + points @ beta[1:])
    covered, total = 0, 0
    model = FisherLogisticRegression()
    for _ in range(2000):
        X = rng.normal(size=(1000, 2))
        y = (rng.random(1000) < expit(beta[0] + X @ beta[1:])).astype(int)
        interval = model.fit(X, y).predict_proba_interval(points)
        covered += int(np.sum((interval[:, 0] <= truth) & (truth <= interval[:, 1])))
        total += len(points)
    assert 0.93 <= covered / total <= 0.97, covered / total


# --- Means outside the family's domain, and overflow ---------------------------------------


def _gamma_inverse():
    # Engel food expenditure against income: under the inverse link η = b0 + b1 x
    # turns negative past income ≈ 5.4 (thousands), where the "mean" is negative.
    X, y, _ = _engel()
    return FisherGLMRegressor(family="gamma").fit(X, y), X


def _binomial_log():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.0, 1.0, size=(300, 1))
    y = (rng.random(300) < 0.2 * np.exp(X[:, 0])).astype(float)
    return FisherGLMRegressor(family="binomial", link="log").fit(X, y)


def test_gamma_inverse_mean_outside_the_domain_warns_with_the_rows():
    model, X = _gamma_inverse()
    new = pd.DataFrame({"income": [1.0, 10.0, 2.0, 12.0]})
    with pytest.warns(DomainWarning, match="predict: "):
        assert model.predict(new)[[1, 3]].max() < 0  # the case reported: negative means
    with pytest.warns(DomainWarning) as record:
        got = model.predict_interval(new)
    assert len(record) == 1
    message = str(record[0].message)
    assert "predict_interval" in message and "gamma family" in message and "(0, inf)" in message
    assert "2 of 4 rows" in message and "[1, 3]" in message and "link" in message
    # The numbers are unchanged: they are still statsmodels' (negative) interval.
    assert got.to_numpy()[1, 1] < 0


def test_binomial_log_probability_above_one_warns():
    model = _binomial_log()
    new = np.array([[0.5], [3.0], [10.0]])
    with pytest.warns(DomainWarning, match=r"binomial family's domain of the mean \[0, 1\]") as w:
        intervals = model.predict_interval(new)
    assert "2 of 3 rows" in str(w[0].message) and "[1, 2]" in str(w[0].message)
    assert intervals[2, 0] > 1


def test_interval_end_outside_the_domain_warns():
    # μ̂ < 1 but the log-link interval reaches past 1: the end, not the mean, leaves [0, 1].
    model = _binomial_log()
    x = (np.log(0.97) - model.params_[0]) / model.params_[1]
    with pytest.warns(DomainWarning, match="its interval") as record:
        intervals = model.predict_interval(np.array([[x], [0.2]]))
    assert "1 of 2 rows" in str(record[0].message) and "[0]" in str(record[0].message)
    assert intervals[0, 1] > 1 > model.predict(np.array([[x]]))[0]


def test_means_in_the_domain_do_not_warn():
    model, X = _gamma_inverse()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict_interval(X)
        # Intervals open to +inf past the pole of 1/μ are inside the closure (0, inf].
        got = mean_interval(Inverse(), np.array([0.1]), np.array([0.3]))
        check_mean_domain(Gamma(), np.array([1 / 0.1]), interval=got, method="predict")
        # A mean that rounds onto a finite end of the domain is the limit, not an error.
        check_mean_domain(Poisson(), np.exp([-800.0, 0.0]), method="predict")
        check_mean_domain(Binomial(), np.array([0.0, 1.0]), method="predict")


@given(
    mu=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=20),
    closed=st.booleans(),
)
def test_outside_mean_domain_is_the_closure_less_the_overflows(mu, closed):
    # Flagged: outside the domain, except its end points; an infinite end point
    # only for interval ends (closed), as a mean it is an overflow.
    mu = np.array(mu)
    for family in (Gamma(), Poisson(), Binomial(), Gaussian()):
        domain = family.mean_domain
        on_end = np.isin(mu, [domain.low, domain.high]) & (closed | np.isfinite(mu))
        expected = ~(domain.contains(mu) | on_end)
        np.testing.assert_array_equal(outside_mean_domain(domain, mu, closed=closed), expected)


def test_check_mean_domain_names_the_first_rows_and_the_count():
    mu = np.ones(20)
    mu[[2, 5, 7, 11, 13, 17, 19]] = -1.0
    with pytest.warns(DomainWarning, match=r"7 of 20 rows \(positions \[2, 5, 7, 11, 13, …\]\)"):
        out = check_mean_domain(Gamma(), mu, method="predict")
    assert out is mu
    with pytest.warns(DomainWarning, match="nan") as record:
        check_mean_domain(InverseGaussian(), np.array([1.0, np.nan]), method="predict")
    assert "η is outside the range of the link" in str(record[0].message)


def test_an_overflowing_mean_is_named_as_an_overflow():
    # exp(800) overflows float64: inf is the honest value, but a Poisson mean is
    # finite, so the row is named; exp(−800) = 0 is the limit and is not.
    with np.errstate(over="ignore"):
        mu = np.exp([0.0, 800.0, -800.0])
    with pytest.warns(DomainWarning, match=r"1 of 3 rows \(positions \[1\]\).*overflow"):
        check_mean_domain(Poisson(), mu, method="predict")


def test_poisson_interval_at_a_huge_linear_predictor_does_not_leak_runtime_warnings():
    X, y, offset = _poisson_with_exposure()
    model = FisherPoissonRegressor().fit(X.to_numpy(), y, offset=offset)
    new = np.array([[0.0, 0.0, 0.0], [2000.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(DomainWarning, match=r"positions \[1\]\).*overflow"):
            intervals = model.predict_interval(new)
    # The upper end overflows to inf (its limit); the lower one, exp(η̂ − z se), need not.
    assert np.isfinite(intervals[0]).all() and intervals[1, 1] == np.inf
    assert intervals[1, 0] > 1e250


def test_domain_warning_points_at_the_callers_file():
    # skfisher._warnings.warn reports the first frame outside skfisher and
    # scikit-learn (predict_interval is reached through sklearn's available_if).
    model, _ = _gamma_inverse()
    with pytest.warns(DomainWarning) as record:
        model.predict_interval(pd.DataFrame({"income": [10.0]}))
    assert record[0].filename == __file__
    with pytest.warns(DomainWarning) as record:
        check_mean_domain(Gamma(), np.array([-1.0]), method="predict")
    assert record[0].filename == __file__


# --- Polars input: a polars DataFrame back, as pandas input gives a pandas one --------------


def _polars(frame):
    pl = pytest.importorskip("polars")
    return pl, pl.DataFrame({str(c): frame[c].to_numpy() for c in frame.columns})


def test_polars_input_gives_polars_intervals():
    X, y, offset = _poisson_with_exposure()
    pl, X_pl = _polars(X)
    model = FisherPoissonRegressor().fit(X_pl, y, offset=offset)
    got = model.predict_interval(X_pl, offset=offset)
    assert isinstance(got, pl.DataFrame) and got.columns == COLUMNS
    # The same numbers up to rounding: polars hands over a column-major array,
    # which takes another summation order in the matrix products.
    expected = model.predict_interval(X, offset=offset)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12)
    # A model fitted on pandas predicts from polars by the same column names.
    pandas_model = FisherPoissonRegressor().fit(X, y, offset=offset)
    np.testing.assert_array_equal(pandas_model.predict_interval(X_pl, offset=offset), got)


def test_polars_input_gives_polars_probability_intervals():
    X, y, _ = _anes()
    pl, X_pl = _polars(X)
    binary = FisherLogisticRegression().fit(X, y)
    got = binary.predict_proba_interval(X_pl)
    assert isinstance(got, pl.DataFrame) and got.columns == COLUMNS
    expected = binary.predict_proba_interval(X).to_numpy()
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-12)
    X, y = _wine()
    pl, X_pl = _polars(X)
    model = FisherLogisticRegression().fit(X, y)
    got = model.predict_proba_interval(X_pl)
    # Polars column names are strings: "<class>:<end>" for pandas' (class, end).
    assert got.columns == [f"{c}:{end}" for c in model.classes_ for end in COLUMNS]
    frame = model.predict_proba_interval(X)
    assert list(frame.columns) == [(c, end) for c in model.classes_ for end in COLUMNS]
    np.testing.assert_allclose(got.to_numpy(), frame.to_numpy(), rtol=1e-12)
