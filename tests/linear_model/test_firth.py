"""Firth's bias reduction (bias_reduction="firth"/"flic") for logistic and Poisson models.

The reference is an independent implementation of the penalised log-likelihood
ℓ*(β) = ℓ(β) + ½ log det I(β) (dense numpy, ``slogdet``) maximised by
``scipy.optimize``, and, where installed, the ``firthmodels`` package.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import optimize
from scipy.special import expit, gammaln

from skfisher import FisherLogisticRegression
from skfisher.exceptions import PerfectSeparationWarning
from skfisher.linear_model import FisherGLMRegressor, FisherPoissonRegressor


# An independent ℓ*, its gradient and a direct maximiser ----------------------------
def _with_intercept(X):
    return np.column_stack([np.ones(len(X)), X])


def _mean_variance(family, eta):
    mu = expit(eta) if family == "binomial" else np.exp(eta)
    return mu, (mu * (1 - mu) if family == "binomial" else mu)


def penalised_loglik(beta, X1, y, w, family):
    """ℓ + ½ log det(X1ᵀ diag(w V) X1), written from the densities."""
    eta = X1 @ beta
    mu, var = _mean_variance(family, eta)
    if family == "binomial":
        loglik = w @ (y * eta - np.logaddexp(0, eta))
    else:
        loglik = w @ (y * eta - mu - gammaln(y + 1))
    sign, logdet = np.linalg.slogdet(X1.T @ (X1 * (w * var)[:, None]))
    return loglik + 0.5 * logdet if sign > 0 else -np.inf


def penalised_score(beta, X1, y, w, family):
    """Xᵀ(w(y − μ) + h a) with the n × n hat matrix formed explicitly."""
    mu, var = _mean_variance(family, X1 @ beta)
    root = X1 * np.sqrt(w * var)[:, None]
    hat = root @ np.linalg.solve(root.T @ root, root.T)
    a = 0.5 - mu if family == "binomial" else 0.5
    return X1.T @ (w * (y - mu) + np.diag(hat) * a)


def direct_maximum(X, y, family, w=None, start=None):
    """Maximise the independent ℓ* with BFGS; check its gradient on the way."""
    X1 = _with_intercept(X)
    w = np.ones(len(y)) if w is None else w
    start = np.zeros(X1.shape[1]) if start is None else start
    args = (X1, y, w, family)
    # The analytic gradient agrees with finite differences of the objective.
    error = optimize.check_grad(penalised_loglik, penalised_score, start + 0.1, *args)
    assert error < 1e-5 * (1 + np.linalg.norm(penalised_score(start + 0.1, *args)))
    result = optimize.minimize(
        lambda b: -penalised_loglik(b, *args),
        start,
        jac=lambda b: -penalised_score(b, *args),
        method="BFGS",
        options={"gtol": 1e-11, "maxiter": 10_000},
    )
    return result.x


# Data -------------------------------------------------------------------------------
def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog.to_numpy(), data.endog.to_numpy()


def cpunish():
    """Executions by US state (n = 17), standardised covariates."""
    data = sm.datasets.cpunish.load_pandas().data
    y = data["EXECUTIONS"].to_numpy()
    X = data.drop(columns="EXECUTIONS").to_numpy()
    return (X - X.mean(0)) / X.std(0), y


def complete_separation():
    """x0 < 0 exactly when y = 0; x1 is noise."""
    x0 = np.array([-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0])
    x1 = np.array([0.3, -1.2, 0.8, 0.1, -0.4, 1.1, -0.7, 0.2, -0.9, 0.6])
    return np.column_stack([x0, x1]), (x0 > 0).astype(float)


def quasi_separation():
    """x0 ≤ 0 when y = 0 and ≥ 0 when y = 1, with both classes at x0 = 0."""
    X, y = complete_separation()
    X = np.vstack([X, [[0.0, 0.4], [0.0, -0.3], [0.0, 0.9]]])
    return X, np.append(y, [0.0, 1.0, 1.0])


def poisson_zero_group():
    """A binary covariate whose group has only zero counts: the plain MLE is −∞."""
    group = np.repeat([0.0, 1.0], 8)
    x1 = np.linspace(-1, 1, 16)
    y = np.array([2, 0, 3, 1, 4, 2, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    return np.column_stack([group, x1]), y


LOGISTIC_CASES = {
    "spector": spector,
    "complete": complete_separation,
    "quasi": quasi_separation,
}
POISSON_CASES = {"cpunish": cpunish, "zero_group": poisson_zero_group}


def _fit(model, X, y, **fit_params):
    """Fit with every warning an error: a Firth fit must not warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return model.fit(X, y, **fit_params)


# Estimates equal the direct maximiser; the modified score is zero -------------------
@pytest.mark.parametrize("case", sorted(LOGISTIC_CASES))
def test_logistic_equals_direct_maximisation(case):
    X, y = LOGISTIC_CASES[case]()
    model = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    assert model.converged_
    # BFGS on the independent ℓ* stops at a gradient of 1e-11: the maximiser is
    # known to far better than the rtol 1e-6 required of the estimates.
    assert_allclose(model.params_, direct_maximum(X, y, "binomial"), rtol=1e-6, atol=1e-9)
    X1, w = _with_intercept(X), np.ones(len(y))
    score = penalised_score(model.params_, X1, y, w, "binomial")
    # tol=1e-8 bounds the Newton decrement, so |U*| ~ 1e-8 × sqrt(information).
    assert np.max(np.abs(score)) < 1e-8 * np.sqrt(np.max(np.diag(model.information_)))
    assert_allclose(model.score_, score, atol=1e-9)
    assert_allclose(
        model.penalized_loglik_, penalised_loglik(model.params_, X1, y, w, "binomial"), rtol=1e-12
    )


@pytest.mark.parametrize("case", sorted(POISSON_CASES))
def test_poisson_equals_direct_maximisation(case):
    X, y = POISSON_CASES[case]()
    model = _fit(FisherPoissonRegressor(bias_reduction="firth"), X, y)
    assert model.converged_
    start = np.append(np.log(y.mean()), np.zeros(X.shape[1]))
    # As for the logistic case: BFGS to a gradient of 1e-11.
    assert_allclose(model.params_, direct_maximum(X, y, "poisson", start=start), rtol=1e-6)
    X1, w = _with_intercept(X), np.ones(len(y))
    score = penalised_score(model.params_, X1, y, w, "poisson")
    assert np.max(np.abs(score)) < 1e-8 * np.sqrt(np.max(np.diag(model.information_)))
    glm = _fit(FisherGLMRegressor(family="poisson", bias_reduction="firth"), X, y)
    assert_allclose(glm.params_, model.params_, rtol=1e-12)  # the same estimator


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_random_problems_equal_direct_maximisation(family, seed):
    """Small random problems (n = 25, k = 3, 1–3 features), separated or not."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(25, 1 + seed % 3)) * rng.uniform(0.5, 2.0, size=1 + seed % 3)
    eta = -1.0 + X @ rng.normal(size=X.shape[1])
    if family == "binomial":
        y = (rng.random(25) < expit(eta)).astype(float)
        model = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
        start = None
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
        model = _fit(FisherPoissonRegressor(bias_reduction="firth"), X, y)
        start = np.append(np.log(y.mean() + 0.5), np.zeros(X.shape[1]))
    # BFGS on the independent ℓ* to a gradient of 1e-11, as above; atol for a
    # coefficient that happens to be near 0.
    expected = direct_maximum(X, y, family, start=start)
    assert_allclose(model.params_, expected, rtol=1e-6, atol=1e-8)


def test_binomial_glm_equals_logistic():
    X, y = spector()
    logistic = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    glm = _fit(FisherGLMRegressor(family="binomial", bias_reduction="firth"), X, y)
    # Different starting values (the GLM's least-squares start), both stopped at
    # tol=1e-8 standard errors.
    assert_allclose(glm.params_, logistic.params_, rtol=1e-7)
    assert_allclose(glm.standard_errors_, logistic.standard_errors_, rtol=1e-7)


def test_binomial_proportions_with_trials():
    """Proportions with trials as weights equal the expanded 0/1 data (same ℓ and I)."""
    X = np.array([[-1.0], [0.0], [1.0], [2.0]])
    trials = np.array([5.0, 6.0, 4.0, 3.0])
    successes = np.array([0.0, 2.0, 3.0, 3.0])
    grouped = _fit(
        FisherGLMRegressor(family="binomial", bias_reduction="firth"),
        X,
        successes / trials,
        sample_weight=trials,
    )
    rows = np.repeat(np.arange(4), trials.astype(int))
    outcome = np.concatenate(
        [
            np.r_[np.ones(int(s)), np.zeros(int(m - s))]
            for s, m in zip(successes, trials, strict=True)
        ]
    )
    expanded = _fit(FisherLogisticRegression(bias_reduction="firth"), X[rows], outcome)
    # Both fits stop at tol=1e-8 in standard errors.
    assert_allclose(grouped.params_, expanded.params_, rtol=1e-7)


# The reported quantities --------------------------------------------------------------
def test_reported_matrices_are_unpenalised():
    X, y = spector()
    model = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    X1 = _with_intercept(X)
    mu = expit(X1 @ model.params_)
    information = X1.T @ (X1 * (mu * (1 - mu))[:, None])
    empirical = X1.T @ (X1 * ((y - mu) ** 2)[:, None])
    # Sums of 32 terms: rounding only.
    assert_allclose(model.information_, information, rtol=1e-10)
    assert_allclose(model.observed_information_, information, rtol=1e-10)
    assert_allclose(model.empirical_fisher_, empirical, rtol=1e-10)
    assert_allclose(model.covariance_, np.linalg.inv(information), rtol=1e-8)
    assert_allclose(model.loglik_, np.sum(y * np.log(mu) + (1 - y) * np.log1p(-mu)), rtol=1e-12)
    assert model.penalized_loglik_ > model.loglik_ + 0.5 * np.linalg.slogdet(information)[1] - 1e-9


@pytest.mark.parametrize("cov_type", ["observed", "empirical", "sandwich"])
def test_other_cov_types_as_usual(cov_type):
    X, y = spector()
    fisher = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    model = _fit(FisherLogisticRegression(bias_reduction="firth", cov_type=cov_type), X, y)
    J, F = fisher.observed_information_, fisher.empirical_fisher_
    expected = {
        "observed": np.linalg.inv(J),
        "empirical": np.linalg.inv(F),
        "sandwich": np.linalg.inv(J) @ F @ np.linalg.inv(J),
    }[cov_type]
    assert_allclose(model.params_, fisher.params_, rtol=1e-12)
    assert_allclose(model.covariance_, expected, rtol=1e-8)


def test_weights_equal_repeated_rows():
    X, y = spector()
    weights = np.tile([1.0, 2.0, 3.0, 0.0], 8)
    weighted = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y, sample_weight=weights)
    rows = np.repeat(np.arange(len(y)), weights.astype(int))
    repeated = _fit(FisherLogisticRegression(bias_reduction="firth"), X[rows], y[rows])
    # ℓ and I, hence ℓ*, are the same functions of β; both fits stop at tol=1e-8.
    assert_allclose(weighted.params_, repeated.params_, rtol=1e-7)
    assert_allclose(weighted.standard_errors_, repeated.standard_errors_, rtol=1e-7)


def test_sparse_equals_dense():
    X, y = spector()
    dense = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    sparse = _fit(FisherLogisticRegression(bias_reduction="firth"), sp.csr_matrix(X), y)
    assert_allclose(sparse.params_, dense.params_, rtol=1e-10)


def test_hat_diagonal_sums_to_rank():
    """tr H = k: the hat matrix is a projection of rank k."""
    X, y = cpunish()
    model = _fit(FisherPoissonRegressor(bias_reduction="firth"), X, y)
    h, _ = model._fitted_problem.hat_and_score(model.params_)
    assert_allclose(h.sum(), X.shape[1] + 1, rtol=1e-10)
    assert np.all((h > 0) & (h < 1))


def test_collinear_column_gives_model_without_it():
    X, y = spector()
    collinear = np.column_stack([X, X[:, 0] + X[:, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = FisherLogisticRegression(bias_reduction="firth").fit(collinear, y)
    reduced = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    X1 = _with_intercept(collinear)
    # The same fitted means: the penalty is the pseudo-determinant, a constant
    # multiple of the identified model's determinant.
    assert_allclose(expit(X1 @ model.params_), reduced.predict_proba(X)[:, 1], rtol=1e-6)


# Separation ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["complete", "quasi"])
def test_plain_fit_warns_naming_firth(case):
    X, y = LOGISTIC_CASES[case]()
    with pytest.warns(PerfectSeparationWarning, match="bias_reduction='firth'"):
        FisherLogisticRegression().fit(X, y)
    with pytest.warns(PerfectSeparationWarning, match="bias_reduction='firth'"):
        FisherGLMRegressor(family="binomial").fit(X, y)


@pytest.mark.parametrize("case", ["complete", "quasi"])
def test_firth_fit_is_finite_without_warning(case):
    X, y = LOGISTIC_CASES[case]()
    model = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    assert model.converged_
    assert np.all(np.isfinite(model.params_))
    assert np.all(np.isfinite(model.standard_errors_))
    assert np.max(np.abs(model.params_)) < 20


def test_remedy_is_not_offered_where_firth_does_not_apply():
    X, y = complete_separation()
    with pytest.warns(PerfectSeparationWarning) as record:
        FisherGLMRegressor(family="binomial", link="probit").fit(X, y)
    assert "bias_reduction" not in str(record[0].message)


# FLIC ---------------------------------------------------------------------------------
def test_flic_matches_event_rate_and_keeps_firth_slopes():
    X, y = quasi_separation()
    firth = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    flic = _fit(FisherLogisticRegression(bias_reduction="flic"), X, y)
    assert flic.converged_
    assert_allclose(flic.params_[1:], firth.params_[1:], rtol=1e-12)
    # The intercept's score equation at tol=1e-8.
    assert_allclose(flic.predict_proba(X)[:, 1].mean(), y.mean(), rtol=1e-9)
    # Firth's mean probability is pulled from the event rate towards ½.
    assert abs(firth.predict_proba(X)[:, 1].mean() - 0.5) < abs(y.mean() - 0.5)
    X1 = _with_intercept(X)
    mu = expit(X1 @ flic.params_)
    information = X1.T @ (X1 * (mu * (1 - mu))[:, None])
    assert_allclose(flic.covariance_, np.linalg.inv(information), rtol=1e-8)


# firthmodels ------------------------------------------------------------------------
def test_agrees_with_firthmodels():
    firthmodels = pytest.importorskip("firthmodels")
    for case in ("spector", "complete", "quasi"):
        X, y = LOGISTIC_CASES[case]()
        theirs = firthmodels.FirthLogisticRegression(gtol=1e-11, xtol=1e-11, max_iter=200)
        with warnings.catch_warnings():
            # At this gtol their step halving can run out of room at the optimum.
            warnings.simplefilter("ignore")
            theirs.fit(X, y)
        ours = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
        # Both solve U* = 0 to better than 1e-8: estimates agree to 1e-6.
        assert_allclose(ours.coef_.ravel(), theirs.coef_, rtol=1e-6)
        assert_allclose(ours.intercept_[0], theirs.intercept_, rtol=1e-6)
        # Their standard errors invert Xᵀ diag((1 + h) V) X, the information of
        # the pseudo-data; ours invert I = Xᵀ diag(V) X, as logistf and brglm2.
        X1 = _with_intercept(X)
        mu = expit(X1 @ ours.params_)
        h, _ = ours._fitted_problem.hat_and_score(ours.params_)
        augmented = X1.T @ (X1 * ((1 + h) * mu * (1 - mu))[:, None])
        order = np.r_[1 : X1.shape[1], 0]  # theirs put the intercept last
        assert_allclose(theirs.bse_, np.sqrt(np.diag(np.linalg.inv(augmented)))[order], rtol=1e-5)
        assert np.all(ours.standard_errors_[order] > theirs.bse_)


# Errors -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model",
    [
        FisherGLMRegressor(family="gamma", link="log", bias_reduction="firth"),
        FisherGLMRegressor(family="binomial", link="probit", bias_reduction="firth"),
        FisherGLMRegressor(family="poisson", link="sqrt", bias_reduction="firth"),
    ],
    ids=["gamma-log", "binomial-probit", "poisson-sqrt"],
)
def test_unsupported_pair(model):
    X, y = spector()
    y = y if model.family == "binomial" else y + 1.0
    with pytest.raises(ValueError, match="binomial-logit, poisson-log"):
        model.fit(X, y)


def test_multinomial_refused():
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.repeat([0, 1, 2], 10)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        FisherLogisticRegression(bias_reduction="firth").fit(X, y)


def test_flic_needs_logistic_with_intercept():
    X, y = cpunish()
    with pytest.raises(ValueError, match="corrects the intercept of a logistic"):
        FisherPoissonRegressor(bias_reduction="flic").fit(X, y)
    X, y = spector()
    with pytest.raises(ValueError, match="fit_intercept=False"):
        FisherLogisticRegression(bias_reduction="flic", fit_intercept=False).fit(X, y)


def test_dask_arrays_refused():
    da = pytest.importorskip("dask.array")
    X, y = spector()
    with pytest.raises(ValueError, match="bias_reduction.*dask"):
        FisherLogisticRegression(bias_reduction="firth").fit(
            da.from_array(X, chunks=8), da.from_array(y, chunks=8)
        )


def test_bad_bias_reduction_value():
    X, y = spector()
    with pytest.raises(ValueError, match="bias_reduction"):
        FisherLogisticRegression(bias_reduction="jeffreys").fit(X, y)


def test_refit_without_bias_reduction_drops_penalized_loglik():
    X, y = spector()
    model = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    assert hasattr(model, "penalized_loglik_")
    model.set_params(bias_reduction=None)
    _fit(model, X, y)
    assert not hasattr(model, "penalized_loglik_")


# Bias: a simulation -----------------------------------------------------------------
@pytest.mark.slow
def test_firth_bias_is_smaller_than_mle_bias():
    """n = 40, a rare outcome (about 10% events): Firth's bias is ≥ 3× smaller.

    Among the replicates where the MLE exists (the plain fit converges), the
    mean error of each coefficient. With 1000 replicates the Monte Carlo
    standard error of a mean is about 0.02, against MLE biases of 0.3–0.5.
    """
    rng = np.random.default_rng(7)
    beta = np.array([-2.5, 1.0])
    mle, firth = [], []
    for _ in range(1000):
        x = rng.normal(size=(40, 1))
        y = (rng.random(40) < expit(beta[0] + beta[1] * x[:, 0])).astype(int)
        if y.min() == y.max():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            plain = FisherLogisticRegression().fit(x, y)
        if not plain.converged_:
            continue
        mle.append(plain.params_)
        firth.append(_fit(FisherLogisticRegression(bias_reduction="firth"), x, y).params_)
    assert len(mle) > 800
    mle_bias = np.abs(np.mean(mle, axis=0) - beta)
    firth_bias = np.abs(np.mean(firth, axis=0) - beta)
    assert np.all(mle_bias >= 3 * firth_bias), (mle_bias, firth_bias)
