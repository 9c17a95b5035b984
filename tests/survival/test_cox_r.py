"""FisherCoxRegressor against R's coxph and survfit (tests/reference/cox_r.json).

The fits of tests/reference/make_cox_reference.R, on the data it simulated
(180 rows, 44 distinct times, 66 of the 95 events tied), with Efron's and
Breslow's ties: coefficients, naive, robust and cluster standard errors, the
log partial likelihoods, the concordance, the three global tests, the score
residuals and the survfit curves with their standard errors and intervals.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skfisher.survival import FisherCoxRegressor

from ._data import r_reference

REFERENCE, DATA = r_reference()
TIES = ["efron", "breslow"]


def _fit(ties, cov_type="fisher", strata=False, **fit):
    model = FisherCoxRegressor(ties, cov_type=cov_type)
    return model.fit(DATA["X"], DATA["y"], strata=DATA["stratum"] if strata else None, **fit)


def test_the_reference_records_its_versions_and_has_many_ties():
    assert REFERENCE["R"].startswith("R version 4.2.2")
    assert REFERENCE["survival"] == "3.5.3"
    events = DATA["time"][DATA["event"] == 1]
    assert np.unique(events).size < events.size / 2


@pytest.mark.parametrize("ties", TIES)
@pytest.mark.parametrize("strata", [False, True], ids=["one_stratum", "strata"])
def test_coefficients_errors_and_loglik_equal_coxph(ties, strata):
    R = REFERENCE[ties + ("_strata" if strata else "")]
    model = _fit(ties, strata=strata)
    assert_allclose(model.coef_, R["coefficients"], rtol=1e-6)
    assert_allclose(model.hazard_ratios_, np.exp(R["coefficients"]), rtol=1e-6)
    assert_allclose(model.standard_errors_, R["standard_errors"], rtol=1e-5)
    assert_allclose([model.null_loglik_, model.loglik_], R["loglik"], rtol=1e-8)
    assert model.converged_ and model.n_iter_ == R["iterations"]


@pytest.mark.parametrize("ties", TIES)
def test_efron_and_breslow_differ_on_these_ties(ties):
    other = TIES[1 - TIES.index(ties)]
    assert np.abs(_fit(ties).coef_ - REFERENCE[other]["coefficients"]).max() > 1e-3


@pytest.mark.parametrize("ties", TIES)
def test_the_sandwich_is_coxph_robust(ties):
    R = REFERENCE[ties + "_robust"]
    model = _fit(ties, cov_type="sandwich")
    assert_allclose(model.standard_errors_, R["standard_errors"], rtol=1e-5)
    assert_allclose(model.standard_errors("fisher"), R["naive_standard_errors"], rtol=1e-5)
    # R's robust variance is D'D over the dfbeta residuals D = s J⁻¹.
    dfbeta = model.score_residuals() @ model.covariance("fisher")
    assert_allclose(model.covariance_, dfbeta.T @ dfbeta, rtol=1e-10)


@pytest.mark.parametrize("ties", TIES)
@pytest.mark.parametrize("strata", [False, True], ids=["one_stratum", "strata"])
def test_the_cluster_covariance_is_coxph_cluster_without_a_correction(ties, strata):
    R = REFERENCE[ties + ("_strata_cluster" if strata else "_cluster")]
    model = _fit(ties, cov_type="cluster", strata=strata, groups=DATA["cluster"])
    assert_allclose(model.standard_errors_, R["standard_errors"], rtol=1e-5)
    assert model.n_groups_ == 30
    assert_allclose(model.global_tests().wald.statistic, R["wald"][0], rtol=1e-8)


@pytest.mark.parametrize("ties", TIES)
def test_score_residuals_equal_r_residuals(ties):
    R = REFERENCE[ties]
    model = _fit(ties)
    residuals = model.score_residuals()
    assert_allclose(residuals, np.reshape(R["score_residuals"], (-1, 3)), rtol=1e-6, atol=1e-9)
    assert_allclose(model.empirical_fisher_, residuals.T @ residuals, rtol=1e-10)
    assert_allclose(residuals.sum(axis=0), 0.0, atol=1e-8)


@pytest.mark.parametrize("ties", TIES)
def test_global_tests_and_concordance_equal_summary_coxph(ties):
    R = REFERENCE[ties]
    model = _fit(ties)
    tests = model.global_tests()
    for name, ours in (
        ("likelihood_ratio", tests.likelihood_ratio),
        ("wald", tests.wald),
        ("score", tests.score),
    ):
        assert_allclose([ours.statistic, ours.pvalue], [R[name][0], R[name][2]], rtol=1e-7)
        assert ours.df == R[name][1] == 3
    assert_allclose(model.score(DATA["X"], DATA["y"]), R["concordance"], rtol=1e-10)
    assert_allclose(model.concordance_, R["concordance"], rtol=1e-10)


@pytest.mark.parametrize("ties", TIES)
def test_the_concordance_of_a_stratified_fit_compares_within_strata_as_r(ties):
    R = REFERENCE[ties + "_strata"]
    model = _fit(ties, strata=True)
    assert_allclose(model.concordance_, R["concordance"], rtol=1e-10)
    assert abs(model.score(DATA["X"], DATA["y"]) - R["concordance"]) > 1e-4


@pytest.mark.parametrize("ties", TIES)
@pytest.mark.parametrize("kind", ["robust", "cluster", "strata_cluster"])
def test_robust_fits_have_r_s_robust_wald_and_score_tests(ties, kind):
    R = REFERENCE[f"{ties}_{kind}"]
    cov_type = "sandwich" if kind == "robust" else "cluster"
    groups = None if kind == "robust" else DATA["cluster"]
    tests = _fit(ties, cov_type=cov_type, strata="strata" in kind, groups=groups).global_tests()
    assert_allclose(tests.wald.statistic, R["wald"][0], rtol=1e-7)
    robust = tests.robust_score
    assert_allclose([robust.statistic, robust.pvalue], R["robust_score"][::2], rtol=1e-7)
    assert "Robust score test" in str(tests)
    assert _fit(ties).global_tests().robust_score is None


def test_frequency_weights_are_repeated_rows_which_coxph_weights_are_not_under_efron():
    ours = _fit("efron", sample_weight=DATA["weight"])
    R, expanded = REFERENCE["efron_weights"], REFERENCE["efron_expanded"]
    assert_allclose(ours.coef_, expanded["coefficients"], rtol=1e-6)
    assert_allclose(ours.standard_errors_, expanded["standard_errors"], rtol=1e-5)
    assert_allclose(ours.loglik_, expanded["loglik"][1], rtol=1e-8)
    # The value quoted in the estimator's Notes.
    assert round(R["coefficients"][1], 5) == -0.65045
    assert round(expanded["coefficients"][1], 5) == round(ours.coef_[1], 5) == -0.64735


def test_under_breslow_weights_are_coxph_weights():
    ours = _fit("breslow", sample_weight=DATA["weight"])
    for key in ("breslow_weights", "breslow_expanded"):
        assert_allclose(ours.coef_, REFERENCE[key]["coefficients"], rtol=1e-6)
        assert_allclose(ours.standard_errors_, REFERENCE[key]["standard_errors"], rtol=1e-5)
        assert_allclose(ours.loglik_, REFERENCE[key]["loglik"][1], rtol=1e-8)


def _survfit_curves(key):
    """R's curves of the rows of newdata: a list of (times, surv, std_err, lower, upper)."""
    R = REFERENCE[key]
    columns = [np.asarray(R[f"survfit_{name}"]) for name in ("surv", "std_err", "lower", "upper")]
    times = np.asarray(R["survfit_time"])
    if "strata" in key:
        cuts = np.cumsum(np.asarray(R["survfit_strata"], dtype=int))[:-1]
        parts = np.split(np.arange(times.size), cuts)
        return [(times[p], *(c[p] for c in columns)) for p in parts]
    return [(times, *(c.reshape(3, -1)[i] for c in columns)) for i in range(3)]


@pytest.mark.parametrize("key", ["efron", "breslow", "efron_strata", "breslow_strata"])
def test_survival_curves_and_their_intervals_equal_survfit(key):
    strata = "strata" in key
    model = _fit(key.split("_")[0], strata=strata)
    rows, labels = DATA["newdata"][:, :3], DATA["newdata"][:, 3] if strata else None
    functions = model.predict_survival_function(rows, strata=labels)
    hazards = model.predict_cumulative_hazard_function(rows, strata=labels)
    survival, lower, upper, std_err = model.predict_survival_interval(rows, strata=labels)
    for i, (times, surv, se, lo, up) in enumerate(_survfit_curves(key)):
        assert_allclose(functions[i](times), surv, rtol=1e-6)
        assert_allclose(np.exp(-hazards[i](times)), surv, rtol=1e-6)
        at = np.searchsorted(model.unique_times_, times, side="right") - 1
        assert at.min() >= 0  # R's first time is an event time
        assert_allclose(survival[i, at], surv, rtol=1e-6)
        assert_allclose(std_err[i, at], se, rtol=1e-5)
        assert_allclose(lower[i, at], lo, rtol=1e-5)
        assert_allclose(upper[i, at], up, rtol=1e-5)
