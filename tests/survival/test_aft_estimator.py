"""FisherSurvivalRegressor: the Fisher contract, summary, penalty, extreme columns, selection."""

import doctest
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from skfisher.survival import FisherSurvivalRegressor, _aft_estimator

COV_TYPES = ["fisher", "observed", "empirical", "sandwich", "cluster"]
DISTRIBUTIONS = ["weibull", "exponential", "lognormal", "loglogistic"]


def _simulate(n=200, seed=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    time = np.exp(0.7 + X @ [0.5, -0.4, 0.1] + 0.8 * np.log(rng.exponential(size=n)))
    censor = rng.uniform(0.5, 6.0, n)
    y = np.column_stack([np.minimum(time, censor), (time <= censor).astype(float)])
    return X, y, rng.integers(0, 20, n)


X, Y, GROUPS = _simulate()


def test_the_docstring_example_runs():
    result = doctest.testmod(_aft_estimator, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10 and result.failed == 0


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_every_covariance_after_the_fit_equals_a_refit(distribution):
    fitted = FisherSurvivalRegressor(distribution).fit(X, Y)
    for cov_type in COV_TYPES:
        fit = {"groups": GROUPS} if cov_type == "cluster" else {}
        refit = FisherSurvivalRegressor(distribution, cov_type=cov_type).fit(X, Y, **fit)
        after = fitted.covariance(cov_type, **fit)
        assert_allclose(after, refit.covariance_, rtol=1e-12)
        assert_allclose(fitted.standard_errors(cov_type, **fit), refit.standard_errors_)
    J, F = fitted.observed_information_, fitted.empirical_fisher_
    assert_array_equal(fitted.information_, J)  # censored: the observed information
    bread = np.linalg.inv(J)
    assert_allclose(fitted.covariance("sandwich"), bread @ F @ bread, rtol=1e-8)
    assert_allclose(fitted.covariance("empirical"), np.linalg.inv(F), rtol=1e-8)
    scores = fitted.score_residuals()
    assert_allclose(scores.T @ scores, F, rtol=1e-10)


def test_names_attributes_and_the_summary():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["age", "dose", "score"])
    model = FisherSurvivalRegressor("loglogistic").fit(frame, Y)
    assert list(model.param_names_) == ["intercept", "age", "dose", "score", "log_scale"]
    assert model.intercept_ == model.params_[0]
    assert_array_equal(model.coef_, model.params_[1:4])
    assert model.scale_ == np.exp(model.params_[-1])
    assert model.n_events_ == Y[:, 1].sum() and model.nobs_ == 200
    assert model.null_loglik_ < model.loglik_
    text = str(model.summary())
    for piece in ("Distribution:", "loglogistic", "log_scale", "Null log-lik.", "No. events"):
        assert piece in text
    assert model.bic_ == pytest.approx(-2 * model.loglik_ + 5 * np.log(200))
    exponential = FisherSurvivalRegressor("exponential").fit(frame, Y)
    assert list(exponential.param_names_) == ["intercept", "age", "dose", "score"]


def test_a_pickled_estimator_predicts_and_reports_the_same():
    model = FisherSurvivalRegressor("lognormal", cov_type="cluster").fit(X, Y, groups=GROUPS)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    assert_array_equal(
        restored.predict_quantile_interval(X)[1], model.predict_quantile_interval(X)[1]
    )
    for cov_type in COV_TYPES:
        assert_array_equal(restored.covariance(cov_type), model.covariance(cov_type))
    assert restored.null_loglik_ == model.null_loglik_


def test_the_penalty_shrinks_the_coefficients_only():
    plain = FisherSurvivalRegressor().fit(X, Y)
    penalised = FisherSurvivalRegressor(alpha=0.2).fit(X, Y)
    assert np.all(np.abs(penalised.coef_) < np.abs(plain.coef_))
    # The penalised objective's score is 0; the log-likelihood's is the penalty's.
    problem = penalised._fitted_problem
    loglik_score = problem.score(penalised.params_) + problem.penalty * penalised.params_
    assert_allclose(loglik_score[[0, 4]], penalised.score_[[0, 4]], atol=1e-8)
    assert_allclose(loglik_score[1:4], 0.2 * 200 * penalised.coef_, rtol=1e-6)
    assert_allclose(
        np.diag(penalised.information_)[1:4] - 40.0,
        np.diag(problem.observed_information(penalised.params_) - np.diag(problem.penalty))[1:4],
    )
    assert "L2 penalty" in str(penalised.summary())


def test_columns_of_extreme_scale_are_fitted_in_rescaled_units():
    base = FisherSurvivalRegressor(cov_type="sandwich").fit(X, Y)
    extreme = X * np.array([1e-200, 1.0, 1e200])
    model = FisherSurvivalRegressor(cov_type="sandwich").fit(extreme, Y)
    ratio = np.array([1.0, 1e200, 1.0, 1e-200, 1.0])
    assert_allclose(model.params_, base.params_ * ratio, rtol=1e-9)
    assert_allclose(model.standard_errors_, base.standard_errors_ * ratio, rtol=1e-9)
    assert_allclose(model.predict(extreme), base.predict(X), rtol=1e-9)
    assert_allclose(model.score_residuals(), base.score_residuals() / ratio, rtol=1e-8)


def test_rows_of_weight_zero_are_left_out():
    weights = np.ones(200)
    weights[:30] = 0.0
    weighted = FisherSurvivalRegressor(cov_type="cluster").fit(
        X, Y, sample_weight=weights, groups=GROUPS
    )
    dropped = FisherSurvivalRegressor(cov_type="cluster").fit(X[30:], Y[30:], groups=GROUPS[30:])
    assert_allclose(weighted.params_, dropped.params_, rtol=1e-10)
    assert_allclose(weighted.covariance_, dropped.covariance_, rtol=1e-9)
    assert np.all(np.isnan(weighted.score_residuals()[:30]))
    assert_allclose(weighted.score_residuals()[30:], dropped.score_residuals(), rtol=1e-10)


def test_newton_converges_in_few_steps_and_max_iter_is_reported():
    for distribution in DISTRIBUTIONS:
        model = FisherSurvivalRegressor(distribution).fit(X, Y)
        assert model.converged_ and model.n_iter_ <= 8
    with pytest.warns(ConvergenceWarning, match="did not converge after 1 iterations"):
        short = FisherSurvivalRegressor(max_iter=1).fit(X, Y)
    assert not short.converged_


def test_profile_intervals_and_likelihood_ratio_pvalues():
    model = FisherSurvivalRegressor("lognormal").fit(X, Y)
    profile = model.conf_int(method="profile")
    wald = model.conf_int()
    assert np.all(np.abs(profile - wald) < 0.1 * model.standard_errors_[:, None])
    assert np.all(np.abs(profile - wald) > 0)
    p = model.lr_pvalues_
    assert p[1] < 1e-6 and 0.0 < p[3] < 1.0


def test_model_selection_with_the_survival_target():
    search = GridSearchCV(
        FisherSurvivalRegressor(),
        {"distribution": ["weibull", "lognormal"]},
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(X, Y)
    assert search.best_params_["distribution"] in ("weibull", "lognormal")
    scores = cross_val_score(FisherSurvivalRegressor("loglogistic"), X, Y, cv=3)
    assert np.all((0.5 < scores) & (scores < 1.0))
