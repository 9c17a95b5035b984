"""White's information-matrix test: its mathematics, its size and its power."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy.special import expit

from skfisher import FisherGLMRegressor, FisherLogisticRegression
from skfisher.inference import information_matrix_test

# The statistic is a quadratic form of sums over rows; computed two ways it
# agrees to rounding of sums of n products, amplified by the cancellation in
# F − I (the two matrices agree to a few digits under a correct model):
# measured 1.2e-8 to 1.4e-8 apart, whatever the loop's tolerance.
MATH_RTOL = 1e-7


def _logistic(seed, n=300):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (rng.random(n) < expit(0.3 + X @ [0.8, -0.5])).astype(float)
    return X, y


def _poisson(seed, n=300, overdispersion=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    mu = np.exp(0.5 + X @ [0.3, -0.2])
    if overdispersion:
        # Negative binomial counts: a gamma-mixed Poisson with Var = μ + α μ².
        mu = rng.gamma(1 / overdispersion, overdispersion * mu)
    return X, rng.poisson(mu).astype(float)


def _vech(matrix):
    return matrix[np.triu_indices(matrix.shape[0])]


def _design(X):
    return np.column_stack([np.ones(len(X)), X])


def _reference_statistic(X, r, variance, kappa3, m4, weight=None):
    """``Dᵀ (V_dd − C I⁻¹ Cᵀ)⁻¹ D`` for a canonical-link GLM without dispersion."""
    x = _design(X)
    w = np.ones(len(r)) if weight is None else weight
    jj, ll = np.triu_indices(x.shape[1])
    z = x[:, jj] * x[:, ll]
    D = (w * (r**2 - variance)) @ z
    V_dd = z.T @ (z * (w * m4)[:, None])
    C = z.T @ (x * (w * kappa3)[:, None])
    information = x.T @ (x * (w * variance)[:, None])
    V = V_dd - C @ np.linalg.solve(information, C.T)
    return D @ np.linalg.solve(V, D)


def test_logistic_statistic_by_an_independent_formula():
    X, y = _logistic(0)
    model = FisherLogisticRegression(tol=1e-10).fit(X, y)
    mu = model.predict_proba(X)[:, 1]
    V = mu * (1 - mu)
    # Bernoulli cumulants: κ₃ = V(1 − 2μ), E[(r² − V)²] = V(1 − 4V).
    expected = _reference_statistic(X, y - mu, V, V * (1 - 2 * mu), V * (1 - 4 * V))
    result = information_matrix_test(model, X, y)
    assert_allclose(result.statistic, expected, rtol=MATH_RTOL)
    assert result.df == 6
    assert_allclose(
        result.details["differences"],
        _vech(model.empirical_fisher_ - model.information_),
        rtol=MATH_RTOL,
        atol=1e-10 * np.abs(model.information_).max(),
    )


def test_poisson_statistic_by_an_independent_formula():
    X, y = _poisson(1)
    model = FisherGLMRegressor(family="poisson", tol=1e-10).fit(X, y)
    mu = model.predict(X)
    # Poisson cumulants: κ₂ = κ₃ = κ₄ = μ, so E[(r² − μ)²] = μ + 2μ².
    expected = _reference_statistic(X, y - mu, mu, mu, mu + 2 * mu**2)
    assert_allclose(information_matrix_test(model, X, y).statistic, expected, rtol=MATH_RTOL)


@pytest.mark.parametrize(
    ("family", "link"),
    [("binomial", "probit"), ("poisson", "sqrt"), ("gamma", "log"), ("gaussian", "log")],
)
@pytest.mark.parametrize("information", ["expected", "observed"])
def test_differences_are_the_contracts_matrices(family, link, information):
    # The per-row polynomial reproduces F − I (or F − J) of the fitted
    # estimator, including non-canonical links and an estimated dispersion.
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 2))
    eta = 0.4 + X @ [0.3, -0.2]
    y = {
        "binomial": (rng.random(200) < expit(eta)).astype(float),
        "poisson": rng.poisson(np.exp(eta)).astype(float),
        "gamma": rng.gamma(3.0, np.exp(eta) / 3.0),
        "gaussian": np.exp(eta) + rng.normal(scale=0.5, size=200),
    }[family]
    model = FisherGLMRegressor(family=family, link=link, tol=1e-10).fit(X, y)
    matrix = model.information_ if information == "expected" else model.observed_information_
    result = information_matrix_test(model, X, y, information=information)
    scale = np.abs(matrix).max()
    assert_allclose(
        result.details["differences"],
        _vech(model.empirical_fisher_ - matrix),
        rtol=1e-7,
        atol=1e-9 * scale,
    )


def test_opg_form_is_n_r_squared():
    X, y = _logistic(3)
    model = FisherLogisticRegression(tol=1e-10).fit(X, y)
    mu = model.predict_proba(X)[:, 1]
    x = _design(X)
    jj, ll = np.triu_indices(3)
    G = np.column_stack(
        [x * (y - mu)[:, None], x[:, jj] * x[:, ll] * ((y - mu) ** 2 - mu * (1 - mu))[:, None]]
    )
    ones = np.ones(len(y))
    fitted = G @ np.linalg.lstsq(G, ones, rcond=None)[0]
    n_r_squared = len(y) - np.sum((ones - fitted) ** 2)
    result = information_matrix_test(model, X, y, variance="opg")
    assert_allclose(result.statistic, n_r_squared, rtol=1e-7)
    assert result.df == 6


def test_invariant_to_a_linear_reparametrisation():
    X, y = _poisson(4)
    A = np.array([[2.0, 0.5], [-1.0, 3.0]])
    shifted = X @ A + [10.0, -3.0]
    first = information_matrix_test(FisherGLMRegressor(tol=1e-10).fit(X, y), X, y)
    second = information_matrix_test(FisherGLMRegressor(tol=1e-10).fit(shifted, y), shifted, y)
    assert_allclose(second.statistic, first.statistic, rtol=1e-6)


def test_weights_are_repeated_rows_and_sparse_equals_dense():
    X, y = _poisson(5, n=150)
    weight = np.random.default_rng(0).integers(1, 4, size=len(y)).astype(float)
    rows = np.repeat(np.arange(len(y)), weight.astype(int))
    weighted = FisherGLMRegressor(tol=1e-10).fit(X, y, sample_weight=weight)
    expanded = FisherGLMRegressor(tol=1e-10).fit(X[rows], y[rows])
    for variance in ("model", "opg"):
        a = information_matrix_test(weighted, X, y, sample_weight=weight, variance=variance)
        b = information_matrix_test(expanded, X[rows], y[rows], variance=variance)
        assert_allclose(a.statistic, b.statistic, rtol=1e-7)
    dense = information_matrix_test(weighted, X, y, sample_weight=weight)
    sparse = information_matrix_test(weighted, sp.csr_matrix(X), y, sample_weight=weight)
    assert_allclose(sparse.statistic, dense.statistic, rtol=1e-10)


def test_estimated_dispersion_removes_a_direction():
    # Gaussian, identity link: Σ r² = (n − k) φ̂ ties the intercept² entry to
    # the estimate of φ, so one indicator carries no information.
    rng = np.random.default_rng(6)
    X = rng.normal(size=(200, 2))
    y = 1.0 + X @ [0.5, -0.3] + rng.normal(size=200)
    result = information_matrix_test(FisherGLMRegressor(family="gaussian").fit(X, y), X, y)
    assert result.df == 5
    assert 0.0 <= result.statistic < 30


def _rejection_rate(draw, fit, replicates):
    rejected = 0
    for seed in range(replicates):
        X, y = draw(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model = fit().fit(X, y)
        rejected += information_matrix_test(model, X, y).pvalue < 0.05
    return rejected / replicates


def test_size_and_power_by_simulation():
    # 400 correctly specified replicates per model put the rejection rate of a
    # 5 % test within 2–10 % with probability > 0.999 if the test has its size;
    # overdispersed counts (α = 1, Var = μ + μ²) fitted as Poisson must be
    # rejected at least 80 % of the time. Fixed seeds; about 2 s in all.
    logistic = _rejection_rate(_logistic, FisherLogisticRegression, 400)
    poisson = _rejection_rate(_poisson, FisherGLMRegressor, 400)
    overdispersed = _rejection_rate(
        lambda seed: _poisson(seed, overdispersion=1.0), FisherGLMRegressor, 100
    )
    assert 0.02 <= logistic <= 0.10, logistic
    assert 0.02 <= poisson <= 0.10, poisson
    assert overdispersed >= 0.80, overdispersed


def test_size_with_an_estimated_dispersion():
    # Gamma with log link (non-canonical, φ estimated): 300 replicates.
    def draw(seed):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(300, 2))
        return X, rng.gamma(3.0, np.exp(0.5 + X @ [0.3, -0.2]) / 3.0)

    rate = _rejection_rate(draw, lambda: FisherGLMRegressor(family="gamma", link="log"), 300)
    assert 0.02 <= rate <= 0.10, rate


def test_information_matrix_test_errors():
    X, y = _poisson(0)
    model = FisherGLMRegressor().fit(X, y)
    with pytest.raises(ValueError, match="information must be one of"):
        information_matrix_test(model, X, y, information="hessian")
    with pytest.raises(ValueError, match="variance must be one of"):
        information_matrix_test(model, X, y, variance="sandwich")
    with pytest.raises(ValueError, match="L2 penalty"):
        information_matrix_test(FisherGLMRegressor(alpha=1.0).fit(X, y), X, y)
    with pytest.raises(ValueError, match="also estimates"):
        nb = FisherGLMRegressor(family="negative_binomial").fit(X, y)
        information_matrix_test(nb, X, y)
    with pytest.raises(ValueError, match="proportion"):
        p = np.clip(y / (y.max() + 1), 0, 1)
        binomial = FisherGLMRegressor(family="binomial").fit(X, p, sample_weight=np.full(300, 5.0))
        information_matrix_test(binomial, X, p, sample_weight=np.full(300, 5.0))
    with pytest.raises(ValueError, match="X has 1 features"):
        information_matrix_test(model, X[:, :1], y)
    three = np.random.default_rng(1).integers(0, 3, size=len(y))
    with pytest.raises(ValueError, match="multinomial"):
        information_matrix_test(FisherLogisticRegression().fit(X, three), X, three)


def test_collinear_columns_reduce_the_degrees_of_freedom():
    # x2 = x0 + x1: the 10 products of [1, x0, x1, x2] span only the 6 of [1, x0, x1].
    X, y = _poisson(7)
    X = np.column_stack([X, X[:, 0] + X[:, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the CollinearityWarning of the fit
        model = FisherGLMRegressor().fit(X, y)
    assert information_matrix_test(model, X, y).df == 6


def _separated(seed=0, n=100):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] > 0).astype(float)


def test_refuses_a_separated_fit():
    # The separated rows' scores and information vanish: the statistic was
    # 4e-9 with p = 1, whatever the model.
    X, y = _separated()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fit's PerfectSeparationWarning
        model = FisherLogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="no maximum-likelihood estimate.*separating features"):
        information_matrix_test(model, X, y)


def test_refuses_a_fit_stopped_at_max_iter():
    # One iteration from the start leaves a score far from 0: the statistic
    # was 3e4 (p = 0) on a correctly specified logistic model.
    X, y = _logistic(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fit's ConvergenceWarning
        model = FisherLogisticRegression(max_iter=1).fit(X, y)
    for variance in ("model", "opg"):
        with pytest.raises(ValueError, match="max_iter=1.*Refit with a larger max_iter"):
            information_matrix_test(model, X, y, variance=variance)


def test_refuses_too_few_rows_for_its_indicators():
    # statsmodels' scotland data: a gamma GLM with k = 8 columns (36
    # indicators) on n = 32 rows. The variance of the indicators is singular,
    # rounding made it invertible, and the statistic was 2.0e8 (p = 0).
    data = sm.datasets.scotland.load_pandas()
    X, y = data.exog, data.endog
    model = FisherGLMRegressor(family="gamma", link="log").fit(X, y)
    for variance in ("model", "opg"):
        with pytest.raises(ValueError, match=r"too few rows.*36 indicators.*n = 32.*\(23\)"):
            information_matrix_test(model, X, y, variance=variance)


def test_rows_needed_are_indicators_plus_estimated_parameters():
    # k = 8 columns with φ estimated: 36 + 8 + 1 = 45 rows are the fewest
    # that leave as many degrees of freedom as there are indicators.
    rng = np.random.default_rng(8)
    X = rng.normal(size=(45, 7))
    y = rng.gamma(2.0, np.exp(0.5 + X @ np.full(7, 0.1)) / 2.0)
    model = FisherGLMRegressor(family="gamma", link="log").fit(X, y)
    assert information_matrix_test(model, X, y).df == 35
    small = FisherGLMRegressor(family="gamma", link="log").fit(X[:44], y[:44])
    with pytest.raises(ValueError, match=r"too few rows.*n = 44.*about 45"):
        information_matrix_test(small, X[:44], y[:44])
