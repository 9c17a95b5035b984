"""FisherMLE: models skfisher does not ship, written as per-row log-likelihoods.

Each model is a few module-level functions (module level so that the fitted
estimators pickle). The references are independent: a direct optimisation by
scipy, statsmodels' ``GenericLikelihoodModel`` and ``BetaModel``, skfisher's
own ``FisherPoissonRegressor``, and matrices computed from analytic scores and
Hessians written out here.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import optimize, stats
from scipy.special import expit, gammaln
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skfisher import FisherMLE, FisherPoissonRegressor

COV_TYPES = ("fisher", "observed", "empirical", "sandwich", "cluster")

# -- Tobit: normal regression left-censored at 0, parameters (β, log σ) ------


def tobit_loglik(params, X, y):
    beta, sigma = params[:-1], np.exp(params[-1])
    eta = X @ beta
    return np.where(y > 0, stats.norm.logpdf(y, eta, sigma), stats.norm.logcdf(-eta / sigma))


def _tobit_parts(params, X, y):
    """Per-row a = −η/σ (censored) or z = (y − η)/σ, the inverse Mills ratio λ(a), σ."""
    sigma = np.exp(params[-1])
    eta = X @ params[:-1]
    a = -eta / sigma
    mills = np.exp(stats.norm.logpdf(a) - stats.norm.logcdf(a))
    return y > 0, (y - eta) / sigma, a, mills, sigma


def tobit_score(params, X, y):
    seen, z, a, mills, sigma = _tobit_parts(params, X, y)
    d_eta = np.where(seen, z / sigma, -mills / sigma)
    d_log_sigma = np.where(seen, z**2 - 1.0, -mills * a)
    return np.column_stack([d_eta[:, None] * X, d_log_sigma])


def tobit_hessian(params, X, y):
    """The exact ∇²ℓ (total), from dλ/da = −λ(a + λ)."""
    seen, z, a, mills, sigma = _tobit_parts(params, X, y)
    bend = 1.0 - a * (a + mills)
    h_eta = np.where(seen, -1.0, -mills * (a + mills)) / sigma**2
    h_cross = np.where(seen, -2.0 * z, mills * bend) / sigma
    h_log_sigma = np.where(seen, -2.0 * z**2, mills * a * bend)
    top = np.column_stack([X.T @ (h_eta[:, None] * X), X.T @ h_cross])
    return np.vstack([top, np.append(X.T @ h_cross, h_log_sigma.sum())])


def tobit_data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    y = np.maximum(X @ [0.5, 1.0, -0.5] + 1.3 * rng.normal(size=n), 0.0)
    return X, y


# -- beta regression: logit mean, log precision --------------------------------


def beta_loglik(params, X, y):
    mu, phi = expit(X @ params[:-1]), np.exp(params[-1])
    a, b = mu * phi, (1.0 - mu) * phi
    return gammaln(phi) - gammaln(a) - gammaln(b) + (a - 1) * np.log(y) + (b - 1) * np.log1p(-y)


# -- Poisson regression with an intercept, as FisherPoissonRegressor fits it ---


def _with_intercept(X):
    return np.column_stack([np.ones(X.shape[0]), X])


def poisson_loglik(params, X, y):
    eta = _with_intercept(X) @ params
    return y * eta - np.exp(eta) - gammaln(y + 1.0)


def poisson_score(params, X, y):
    Z = _with_intercept(X)
    return (y - np.exp(Z @ params))[:, None] * Z


def poisson_information(params, X, y):
    Z = _with_intercept(X)
    return np.exp(Z @ params)[:, None, None] * Z[:, :, None] * Z[:, None, :]


def poisson_predict(params, X):
    return np.exp(_with_intercept(X) @ params)


def poisson_data(n=300, seed=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = rng.poisson(np.exp(0.2 + X @ [0.3, -0.2, 0.1])).astype(float)
    return X, y, rng.integers(0, 3, size=n).astype(float), rng.integers(0, 20, size=n)


# -- normal linear regression (β, log σ) and Student t₃ with the same parameters


def _residual(params, X, y):
    return (y - params[0] - X @ params[1:-1]) * np.exp(-params[-1])


def gaussian_loglik(params, X, y):
    return stats.norm.logpdf(_residual(params, X, y)) - params[-1]


def gaussian_score(params, X, y):
    z = _residual(params, X, y)
    return np.column_stack([(z * np.exp(-params[-1]))[:, None] * _with_intercept(X), z**2 - 1])


def gaussian_information(params, X, y):
    Z = np.column_stack([_with_intercept(X) * np.exp(-params[-1]), np.zeros(len(X))])
    per_row = Z[:, :, None] * Z[:, None, :]
    per_row[:, -1, -1] = 2.0
    return per_row


def student_loglik(params, X, y):
    return stats.t.logpdf(_residual(params, X, y), df=3.0) - params[-1]


def linear_start(X, y):
    return np.concatenate([[np.mean(y)], np.zeros(X.shape[1]), [np.log(np.std(y) + 1.0)]])


def linear_predict(params, X):
    return params[0] + X @ params[1:-1]


def gaussian_model(**kwargs):
    return FisherMLE(gaussian_loglik, start=linear_start, predict_func=linear_predict, **kwargs)


def _matrices(model):
    return [
        model.information_,
        model.observed_information_,
        model.empirical_fisher_,
        model.covariance_,
    ]


# -- (1) Tobit against a direct optimisation, exact matrices and statsmodels ---


@pytest.fixture(scope="module")
def tobit_reference():
    X, y = tobit_data()

    def objective(p):
        return -tobit_loglik(p, X, y).sum(), -tobit_score(p, X, y).sum(axis=0)

    found = optimize.minimize(objective, np.zeros(4), jac=True, method="BFGS", tol=1e-12)
    theta = found.x
    J = -tobit_hessian(theta, X, y)
    s = tobit_score(theta, X, y)
    F = s.T @ s
    J_inv = np.linalg.inv(J)
    covariances = {
        "fisher": J_inv,  # without information_obs the information is J
        "observed": J_inv,
        "empirical": np.linalg.inv(F),
        "sandwich": J_inv @ F @ J_inv,
    }
    return X, y, theta, -found.fun, J, F, covariances


@pytest.mark.parametrize("score_obs", [None, tobit_score], ids=["numerical", "analytic"])
@pytest.mark.parametrize("cov_type", COV_TYPES[:4])
def test_tobit_matches_direct_optimisation_and_exact_matrices(
    tobit_reference, cov_type, score_obs
):
    X, y, theta, loglik, J, F, covariances = tobit_reference
    model = FisherMLE(tobit_loglik, score_obs=score_obs, start=np.zeros(4), cov_type=cov_type)
    model.fit(X, y)
    assert model.converged_
    # The optimum is found to ~1e-14 by either; the numerical score's truncation
    # error (h⁴ with h = 1e-3 natural units) moves it by far less than 1e-9.
    assert_allclose(model.params_, theta, rtol=1e-9)
    assert_allclose(model.loglik_, loglik, rtol=1e-12)
    # Second differences carry ~1e-10 relative error; the exact J is analytic.
    assert_allclose(model.observed_information_, J, rtol=1e-8, atol=1e-8 * np.abs(J).max())
    assert_allclose(model.information_, model.observed_information_, rtol=0)
    assert_allclose(model.empirical_fisher_, F, rtol=1e-9)
    expected = np.sqrt(np.diag(covariances[cov_type]))
    assert_allclose(model.standard_errors_, expected, rtol=1e-8)


def test_tobit_matches_generic_likelihood_model(tobit_reference):
    from statsmodels.base.model import GenericLikelihoodModel

    X, y, theta, *_ = tobit_reference

    class Tobit(GenericLikelihoodModel):
        def loglikeobs(self, params):
            return tobit_loglik(params, self.exog, self.endog)

    reference = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' notes on df_model and k_params
        for cov_type in ("nonrobust", "HC0"):
            reference[cov_type] = Tobit(y, X).fit(
                start_params=theta, method="bfgs", gtol=1e-10, disp=0, cov_type=cov_type
            )
    model = FisherMLE(tobit_loglik, start=np.zeros(4)).fit(X, y)
    sandwich = clone(model).set_params(cov_type="sandwich").fit(X, y)
    # statsmodels' numerical Hessian is good to ~1e-7: the tolerances are its.
    assert_allclose(model.params_, reference["nonrobust"].params, rtol=1e-6)
    assert_allclose(model.loglik_, reference["nonrobust"].llf, rtol=1e-10)
    assert_allclose(model.standard_errors_, reference["nonrobust"].bse, rtol=1e-5)
    assert_allclose(sandwich.standard_errors_, reference["HC0"].bse, rtol=1e-5)


def test_newton_far_from_the_maximum_steps_with_the_empirical_fisher(tobit_reference):
    X, y, theta, *_ = tobit_reference
    # At θ = 0 the Tobit's observed information is indefinite: the fit stopped
    # there says so, and the full fit still reaches the maximum (BHHH steps).
    with pytest.warns(ConvergenceWarning, match="not positive definite"):
        stopped = FisherMLE(tobit_loglik, start=np.zeros(4), max_iter=0).fit(X, y)
    assert not stopped.converged_
    assert np.linalg.eigvalsh(stopped.observed_information_)[0] < 0
    model = FisherMLE(tobit_loglik, start=np.zeros(4)).fit(X, y)
    assert model.converged_
    assert_allclose(model.params_, theta, rtol=1e-9)


def saddle_loglik(params, X, y):
    return np.full(len(y), -(params[0] ** 2) + params[1] ** 2 - params[1] ** 4)


def test_a_saddle_point_is_not_reported_as_a_maximum():
    X, y = np.zeros((5, 1)), np.zeros(5)
    with pytest.warns(ConvergenceWarning, match="not a maximum"):
        model = FisherMLE(saddle_loglik, start=[0.0, 0.0]).fit(X, y)
    assert not model.converged_


def test_rescaling_a_feature_rescales_its_coefficient_and_standard_error():
    # The numerical steps are in each parameter's natural unit, so income in
    # units of 10⁴ is differentiated as accurately as income in units of 1.
    X, y = tobit_data()
    scaled = X * [1.0, 1e4, 1e-3]
    model = FisherMLE(tobit_loglik, start=np.zeros(4)).fit(X, y)
    rescaled = FisherMLE(tobit_loglik, start=np.zeros(4)).fit(scaled, y)
    factor = np.array([1.0, 1e-4, 1e3, 1.0])
    assert_allclose(rescaled.params_, model.params_ * factor, rtol=1e-9)
    assert_allclose(rescaled.standard_errors_, model.standard_errors_ * factor, rtol=1e-8)
    assert_allclose(rescaled.loglik_, model.loglik_, rtol=1e-13)


# -- (2) beta regression against statsmodels' BetaModel --------------------------


def test_beta_regression_matches_statsmodels_beta_model():
    from statsmodels.othermod.betareg import BetaModel

    rng = np.random.default_rng(1)
    X = np.column_stack([np.ones(300), rng.normal(size=300)])
    mu = expit(X @ [0.3, -0.8])
    y = rng.beta(12 * mu, 12 * (1 - mu))
    names = ["const", "x", "log_precision"]
    model = FisherMLE(beta_loglik, start=np.zeros(3), param_names=names).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        beta_model = BetaModel(y, X)
        result = beta_model.fit(method="bfgs", gtol=1e-12, maxiter=1000, disp=0)
    assert_allclose(model.params_, result.params, rtol=1e-8)
    assert_allclose(model.loglik_, result.llf, rtol=1e-12)
    assert_allclose(model.standard_errors_, result.bse, rtol=1e-7)
    # BetaModel's Hessian is analytic: J at the same θ to the second differences' accuracy.
    exact = -beta_model.hessian(model.params_)
    assert_allclose(model.observed_information_, exact, rtol=1e-8, atol=1e-8 * exact.max())
    assert model.param_names_.tolist() == names


# -- (3) and (4): Poisson as FisherMLE equals FisherPoissonRegressor -------------

POISSON_DERIVATIVES = {
    "analytic": {"score_obs": poisson_score, "information_obs": poisson_information},
    "score only": {"score_obs": poisson_score},
    "numerical": {},
}


@pytest.mark.parametrize("derivatives", POISSON_DERIVATIVES, ids=str)
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_poisson_equals_fisher_poisson_regressor(cov_type, derivatives):
    X, y, weights, clusters = poisson_data()
    groups = clusters if cov_type == "cluster" else None
    reference = FisherPoissonRegressor(cov_type=cov_type, tol=1e-10)
    reference.fit(X, y, sample_weight=weights, groups=groups)
    model = FisherMLE(
        poisson_loglik, start=np.zeros(4), cov_type=cov_type, tol=1e-10,
        **POISSON_DERIVATIVES[derivatives],
    )  # fmt: skip
    model.fit(X, y, sample_weight=weights, groups=groups)
    # Canonical link: expected = observed, so every matrix is the regressor's.
    # Measured: 1e-16 analytic, 5e-13 with a numerical J, 6e-12 all numerical.
    assert_allclose(model.params_, reference.params_, rtol=1e-9)
    assert_allclose(model.loglik_, reference.loglik_, rtol=1e-13)
    assert_allclose(model.nobs_, reference.nobs_)
    for ours, theirs in zip(_matrices(model), _matrices(reference), strict=True):
        assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9 * np.abs(theirs).max())
    assert_allclose(model.standard_errors_, reference.standard_errors_, rtol=1e-9)
    assert_allclose(model.aic_, reference.aic_, rtol=1e-13)
    assert_allclose(model.bic_, reference.bic_, rtol=1e-13)
    if cov_type == "cluster":
        assert model.n_groups_ == reference.n_groups_
        assert_allclose(model.cluster_fisher_, reference.cluster_fisher_, rtol=1e-9)


def test_poisson_profile_intervals_equal_the_regressors():
    X, y, weights, _ = poisson_data()
    reference = FisherPoissonRegressor(tol=1e-10).fit(X, y, sample_weight=weights)
    derivatives = POISSON_DERIVATIVES["analytic"]
    model = FisherMLE(poisson_loglik, start=np.zeros(4), tol=1e-10, **derivatives)
    model.fit(X, y, sample_weight=weights)
    # Each end is a root found to ~1e-9 standard errors (about 1e-8 relative here).
    profile = reference.conf_int(method="profile")
    assert_allclose(model.conf_int(method="profile"), profile, rtol=1e-7)
    assert_allclose(model.conf_int(), reference.conf_int(), rtol=1e-12)
    assert_allclose(model.lr_pvalues_, reference.lr_pvalues_, rtol=1e-6)


def test_analytic_and_numerical_tobit_scores_give_the_same_fit():
    X, y = tobit_data(seed=3)
    numerical = FisherMLE(tobit_loglik, start=np.zeros(4)).fit(X, y)
    analytic = FisherMLE(tobit_loglik, score_obs=tobit_score, start=np.zeros(4)).fit(X, y)
    assert_allclose(numerical.params_, analytic.params_, rtol=1e-10)
    assert_allclose(numerical.score_, 0.0, atol=1e-8)
    for ours, theirs in zip(_matrices(numerical), _matrices(analytic), strict=True):
        assert_allclose(ours, theirs, rtol=1e-8, atol=1e-8 * np.abs(theirs).max())


# -- (5) properties ------------------------------------------------------------------


def _gaussian_sample(seed, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = 1.0 + X @ [0.5, -1.0] + np.exp(rng.normal()) * rng.normal(size=n)
    return X, y, rng.integers(0, 4, size=n)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(12, 60))
def test_fit_is_a_maximum_with_symmetric_psd_matrices_and_frequency_weights(seed, n):
    X, y, counts = _gaussian_sample(seed, n)
    counts[:3] = 1  # enough rows of positive weight
    model = gaussian_model().fit(X, y, sample_weight=counts)
    assert model.converged_
    # The exact score at θ̂ is below tol standard errors (up to the numerical score's error).
    exact = counts @ gaussian_score(model.params_, X, y)
    assert np.sqrt(exact @ np.linalg.solve(model.information_, exact)) < 1e-6
    for matrix in _matrices(model):
        assert_allclose(matrix, matrix.T, rtol=0, atol=0)
        assert np.linalg.eigvalsh(matrix)[0] > -1e-12 * np.abs(matrix).max()
    repeated = gaussian_model().fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    # Two fits, each stopped within tol = 1e-8 standard errors of the maximum (and of
    # the numerical score's error): they agree to a few 1e-8 standard errors.
    shift = np.abs(model.params_ - repeated.params_) / model.standard_errors_
    assert np.max(shift) < 1e-7, shift
    assert_allclose(model.loglik_, repeated.loglik_, rtol=1e-10)
    assert model.nobs_ == repeated.nobs_ == counts.sum()
    for ours, theirs in zip(_matrices(model), _matrices(repeated), strict=True):
        assert_allclose(ours, theirs, rtol=1e-7, atol=1e-8 * np.abs(theirs).max())


def test_rows_of_weight_zero_are_never_evaluated():
    X, y, _, _ = poisson_data()
    weights = np.ones(len(y))
    weights[:10] = 0.0
    y_bad = y.copy()
    y_bad[:10] = -1.0  # outside the support: only a dropped row may hold it
    model = FisherMLE(poisson_loglik, start=np.zeros(4)).fit(X, y_bad, sample_weight=weights)
    kept = FisherMLE(poisson_loglik, start=np.zeros(4)).fit(X[10:], y[10:])
    assert_allclose(model.params_, kept.params_, rtol=1e-12)
    assert_allclose(model.standard_errors_, kept.standard_errors_, rtol=1e-12)
