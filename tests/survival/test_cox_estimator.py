"""FisherCoxRegressor's Fisher contract, summary, model selection and monotone likelihood."""

import doctest
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfisher.exceptions import PerfectSeparationWarning
from skfisher.survival import FisherCoxRegressor, _estimator, _problem

from ._data import simulate, structured

X, Y, STRATA = simulate(n=250, seed=14, tied=True, strata=2)
GROUPS = np.arange(Y.shape[0]) % 23
COV_TYPES = ["fisher", "observed", "empirical", "sandwich"]


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_every_covariance_after_the_fit_equals_a_refit(ties):
    fitted = FisherCoxRegressor(ties).fit(X, Y, strata=STRATA)
    for cov_type in COV_TYPES:
        refit = FisherCoxRegressor(ties, cov_type=cov_type).fit(X, Y, strata=STRATA)
        assert_allclose(fitted.covariance(cov_type), refit.covariance_, rtol=1e-12)
    clustered = FisherCoxRegressor(ties, cov_type="cluster").fit(
        X, Y, strata=STRATA, groups=GROUPS
    )
    after = fitted.covariance("cluster", groups=GROUPS)
    assert_allclose(after, clustered.covariance_, rtol=1e-12)
    assert_array_equal(fitted.information_, fitted.observed_information_)
    assert_allclose(fitted.covariance("fisher"), np.linalg.inv(fitted.information_), rtol=1e-10)


def test_the_cluster_covariance_of_single_rows_is_the_sandwich_without_a_factor():
    fitted = FisherCoxRegressor().fit(X, Y)
    each = fitted.covariance("cluster", groups=np.arange(Y.shape[0]))
    assert_allclose(each, fitted.covariance("sandwich"), rtol=1e-12)
    sandwich = fitted.covariance("fisher") @ fitted.empirical_fisher_ @ fitted.covariance("fisher")
    assert_allclose(fitted.covariance("sandwich"), sandwich, rtol=1e-10)


def test_rows_of_weight_zero_are_left_out():
    weights = np.where(np.arange(Y.shape[0]) % 5 == 0, 0.0, 1.0)
    kept = weights > 0
    fitted = FisherCoxRegressor(cov_type="cluster").fit(
        X, Y, sample_weight=weights, strata=STRATA, groups=GROUPS
    )
    subset = FisherCoxRegressor(cov_type="cluster").fit(
        X[kept], Y[kept], strata=STRATA[kept], groups=GROUPS[kept]
    )
    assert_allclose(fitted.params_, subset.params_, rtol=1e-12)
    assert_allclose(fitted.covariance_, subset.covariance_, rtol=1e-10)
    residuals = fitted.score_residuals()
    assert np.isnan(residuals[~kept]).all()
    assert_allclose(residuals[kept], subset.score_residuals(), rtol=1e-10, atol=1e-14)
    assert fitted.nobs_ == kept.sum()


def test_efron_and_breslow_agree_without_ties_and_differ_with_them():
    untied, y_untied, _ = simulate(n=200, seed=15)
    efron, breslow = (FisherCoxRegressor(t).fit(untied, y_untied) for t in ("efron", "breslow"))
    assert_allclose(efron.coef_, breslow.coef_, rtol=1e-12)
    assert_allclose(efron.loglik_, breslow.loglik_, rtol=1e-12)
    efron, breslow = (FisherCoxRegressor(t).fit(X, Y) for t in ("efron", "breslow"))
    assert np.abs(efron.coef_ - breslow.coef_).max() > 1e-2
    assert abs(efron.loglik_ - breslow.loglik_) > 1.0


def test_the_summary_has_the_hazard_ratios_and_the_global_tests():
    fitted = FisherCoxRegressor().fit(X, Y, strata=STRATA)
    table = fitted.summary(alpha=0.1)
    frame = table.to_frame()
    assert list(frame.columns) == [
        *("coef", "std err", "z", "P>|z|", "[0.05", "0.95]"),
        *("exp(coef)", "exp [0.05", "0.95]"),
    ]
    assert_allclose(frame["exp(coef)"], fitted.hazard_ratios_, rtol=1e-12)
    assert_allclose(frame.iloc[:, 7:].to_numpy(), np.exp(fitted.conf_int(0.1)), rtol=1e-12)
    text = str(table)
    assert "Likelihood ratio test" in text and "Score (logrank) test" in text
    assert "Ties:" in text and "No. events:" in text
    assert f"Concordance           = {fitted.concordance_:.6g}" in text
    lines = text.splitlines()
    assert len({len(line) for line in lines if set(line) <= {"=", "-"}}) == 1
    assert max(len(line) for line in lines) == len(lines[1])


def test_the_global_tests_are_what_they_say():
    fitted = FisherCoxRegressor().fit(X, Y)
    tests = fitted.global_tests()
    beta, V = fitted.params_, fitted.covariance_
    assert_allclose(tests.wald.statistic, beta @ np.linalg.solve(V, beta), rtol=1e-10)
    lr = 2 * (fitted.loglik_ - fitted.null_loglik_)
    assert_allclose(tests.likelihood_ratio.statistic, lr, rtol=1e-12)
    assert_allclose(tests.likelihood_ratio.pvalue, stats.chi2.sf(lr, 3), rtol=1e-12)
    # The score test at 0 is the first Newton step's quadratic form.
    with pytest.warns(ConvergenceWarning, match="after 0 iterations"):
        zero = FisherCoxRegressor(max_iter=0).fit(X, Y)
    U, J = zero.score_, zero.information_
    assert_allclose(tests.score.statistic, U @ np.linalg.solve(J, U), rtol=1e-10)


def test_likelihood_ratio_pvalues_and_bic():
    fitted = FisherCoxRegressor().fit(X, Y, strata=STRATA)
    for j in range(3):
        without = FisherCoxRegressor().fit(np.delete(X, j, axis=1), Y, strata=STRATA)
        expected = stats.chi2.sf(2 * (fitted.loglik_ - without.loglik_), 1)
        assert_allclose(fitted.lr_pvalues_[j], expected, rtol=1e-6)
    assert_allclose(fitted.bic_, -2 * fitted.loglik_ + 3 * np.log(fitted.n_events_))
    assert fitted.n_events_ == Y[:, 1].sum()


def test_the_penalty_shrinks_and_its_score_vanishes():
    plain = FisherCoxRegressor().fit(X, Y)
    penalised = FisherCoxRegressor(alpha=0.05).fit(X, Y)
    assert np.all(np.abs(penalised.coef_) < np.abs(plain.coef_))
    assert_allclose(penalised.score_, 0.0, atol=1e-8)
    gradient = penalised.score_residuals().sum(axis=0) - 0.05 * 250 * penalised.coef_
    assert_allclose(gradient, 0.0, atol=1e-8)


def test_pipeline_grid_search_and_cross_validation_take_the_structured_target():
    target = structured(Y)
    grid = GridSearchCV(
        make_pipeline(StandardScaler(), FisherCoxRegressor()),
        {"fishercoxregressor__ties": ["efron", "breslow"]},
        cv=KFold(3),
    ).fit(X, target)
    assert grid.best_params_["fishercoxregressor__ties"] in ("efron", "breslow")
    scores = cross_val_score(FisherCoxRegressor(), X, target, cv=KFold(4))
    expected = [
        FisherCoxRegressor().fit(X[train], target[train]).score(X[test], target[test])
        for train, test in KFold(4).split(X)
    ]
    assert_allclose(scores, expected, rtol=1e-12)
    assert np.all(scores > 0.6)


def _quiet_fit(model, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(*args, **kwargs)
    return model, caught


def test_a_feature_without_events_diverges_with_a_named_warning():
    rng = np.random.default_rng(16)
    n = 200
    X2 = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.normal(size=n)])
    y = np.column_stack([rng.exponential(np.exp(-X2[:, 0])), np.ones(n)])
    y[X2[:, 1] == 1, 1] = 0.0  # the group with x1 = 1 has no events: β₁ → −∞
    fitted, caught = _quiet_fit(FisherCoxRegressor(), X2, y)
    assert [w.category for w in caught] == [PerfectSeparationWarning]
    message = str(caught[0].message)
    assert "['x1']" in message and "x1 → -inf" in message
    assert not fitted.converged_ and fitted.coef_[1] < -20
    assert np.isnan(fitted.standard_errors_[1])
    assert np.isfinite(fitted.standard_errors_[[0, 2]]).all()
    wald = fitted.global_tests().wald  # of the coefficients with a standard error
    assert wald.df == 2
    kept = np.ix_([0, 2], [0, 2])
    beta = fitted.coef_[[0, 2]]
    assert_allclose(wald.statistic, beta @ np.linalg.solve(fitted.covariance_[kept], beta))
    # The others are the fit of the rows that can still have events.
    rest = X2[:, 1] == 0
    limit = FisherCoxRegressor().fit(X2[rest][:, [0, 2]], y[rest])
    assert_allclose(fitted.coef_[[0, 2]], limit.coef_, rtol=1e-6)
    assert_allclose(fitted.standard_errors_[[0, 2]], limit.standard_errors_, rtol=1e-5)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_a_feature_that_orders_the_times_diverges_without_a_numpy_warning(ties):
    # Pairs of rows with the same x die at the same time, in the order of x.
    x = np.repeat(np.linspace(-3.0, 3.0, 30), 2)
    y = np.column_stack([np.repeat(np.arange(30, 0, -1.0), 2), np.ones(60)])
    fitted, caught = _quiet_fit(FisherCoxRegressor(ties), x[:, None], y)
    assert [w.category for w in caught] == [PerfectSeparationWarning]
    assert "x0 → +inf" in str(caught[0].message)
    assert not fitted.converged_ and np.isnan(fitted.standard_errors_[0])


def test_tied_events_of_different_values_bound_the_likelihood():
    # Each pair's lower x has its partner above it in the risk set.
    x = np.linspace(-3.0, 3.0, 60)
    y = np.column_stack([np.arange(60, 0, -1.0) // 2 + 1, np.ones(60)])
    fitted, caught = _quiet_fit(FisherCoxRegressor("breslow"), x[:, None], y)
    assert not caught and fitted.converged_ and np.isfinite(fitted.standard_errors_).all()


def test_an_ordinary_fit_does_not_warn_even_with_a_large_effect():
    rng = np.random.default_rng(17)
    x = rng.normal(size=(300, 1))
    y = np.column_stack([rng.exponential(np.exp(-4.0 * x[:, 0])), np.ones(300)])
    fitted, caught = _quiet_fit(FisherCoxRegressor(), x, y)
    assert not caught and fitted.converged_
    assert_allclose(fitted.coef_, 4.0, rtol=0.15)


def test_the_docstring_example_runs():
    result = doctest.testmod(_estimator, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0


def test_efron_terms_in_chunks_give_the_same_fit(monkeypatch):
    weights = np.random.default_rng(19).integers(1, 40, Y.shape[0]) + 0.5
    whole = FisherCoxRegressor().fit(X, Y, sample_weight=weights, strata=STRATA)
    assert whole._fitted_problem.terms.total > 3000
    monkeypatch.setattr(_problem, "_TERM_CHUNK", 257)
    chunked = FisherCoxRegressor().fit(X, Y, sample_weight=weights, strata=STRATA)
    assert_allclose(chunked.params_, whole.params_, rtol=1e-12)
    assert_allclose(chunked.covariance_, whole.covariance_, rtol=1e-11)
    assert_allclose(chunked.loglik_, whole.loglik_, rtol=1e-13)


def test_large_frequency_weights_under_efron_stay_fast_and_concave():
    weights = np.full(Y.shape[0], 5000.0)  # 5000 terms per event
    fitted = FisherCoxRegressor().fit(X, Y, sample_weight=weights)
    assert fitted._fitted_problem.terms.total > 5000 * 100
    assert fitted.converged_ and np.linalg.eigvalsh(fitted.information_).min() > 0
    # As many copies of each row (checked at 30 copies, 7500 rows).
    copies = np.repeat(np.arange(Y.shape[0]), 30)
    thirty = FisherCoxRegressor().fit(X, Y, sample_weight=np.full(Y.shape[0], 30.0))
    repeated = FisherCoxRegressor().fit(X[copies], Y[copies])
    assert_allclose(thirty.coef_, repeated.coef_, rtol=1e-9)
    assert_allclose(thirty.standard_errors_, repeated.standard_errors_, rtol=1e-8)


def test_the_concordance_is_computed_once_kept_in_a_pickle_and_forgotten_by_a_refit():
    fitted = FisherCoxRegressor().fit(X, Y, strata=STRATA)
    assert "_concordance" not in vars(fitted)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored._fitted_problem is None if hasattr(restored, "_fitted_problem") else True
    assert restored.concordance_ == fitted.concordance_ == fitted._concordance
    fitted.fit(X[:100], Y[:100])
    expected = FisherCoxRegressor().fit(X[:100], Y[:100]).concordance_
    assert fitted.concordance_ == expected != restored.concordance_


def test_the_baseline_is_the_curve_of_a_row_of_zeros_in_each_stratum():
    fitted = FisherCoxRegressor().fit(X + 3.0, Y, strata=np.where(STRATA > 0, "b", "a"))
    assert fitted.baseline_cumulative_hazard_.shape == (fitted.unique_times_.size, 2)
    for column, label in enumerate(fitted.strata_):
        curve = fitted.predict_cumulative_hazard_function(
            np.zeros((1, 3)), strata=[label], return_array=True
        )
        assert_allclose(fitted.baseline_cumulative_hazard_[:, column], curve[0], rtol=1e-12)
