"""FisherSurvivalRegressor against R's survreg (tests/reference/aft_r.json).

The fits of tests/reference/make_aft_reference.R on the data it simulated
(160 rows, 102 events, three covariates, weights 1 to 3, 25 clusters) for the
four distributions: coefficients and Log(scale), naive, robust and cluster
standard errors, both log-likelihoods, the scale, and the predicted medians
and log-quantiles with their standard errors.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skfisher.survival import FisherSurvivalRegressor

REFERENCE_PATH = Path(__file__).resolve().parents[1] / "reference" / "aft_r.json"
with open(REFERENCE_PATH, encoding="utf-8") as handle:
    REFERENCE = json.load(handle)
DATA = {name: np.asarray(values, dtype=float) for name, values in REFERENCE["data"].items()}
X = np.column_stack([DATA["x1"], DATA["x2"], DATA["x3"]])
Y = np.column_stack([DATA["time"], DATA["event"]])
NEWDATA = DATA["newdata"].reshape(-1, 3)
DISTRIBUTIONS = ["weibull", "exponential", "lognormal", "loglogistic"]


def _fit(distribution, cov_type="fisher", **options):
    fit = {}
    for name in ("sample_weight", "groups"):
        if name in options:
            fit[name] = options.pop(name)
    return FisherSurvivalRegressor(distribution, cov_type=cov_type, **options).fit(X, Y, **fit)


def _cluster_factor(model):
    G, N, k = model.n_groups_, model.nobs_, model.params_.size
    return G / (G - 1) * (N - 1) / (N - k)


def test_the_reference_records_its_versions_and_is_censored():
    assert REFERENCE["R"].startswith("R version 4.2.2")
    assert REFERENCE["survival"] == "3.5.3"
    assert 0.2 < 1 - DATA["event"].mean() < 0.5


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weights"])
def test_params_errors_loglik_and_scale_equal_survreg(distribution, weighted):
    R = REFERENCE[distribution + ("_weights" if weighted else "")]
    weights = DATA["weight"] if weighted else None
    model = _fit(distribution, sample_weight=weights)
    assert model.converged_
    assert_allclose(model.params_, R["params"], rtol=1e-6)
    assert_allclose(model.standard_errors_, R["standard_errors"], rtol=1e-5)
    assert_allclose([model.null_loglik_, model.loglik_], R["loglik"], rtol=1e-8)
    assert_allclose(model.scale_, R["scale"], rtol=1e-6)
    # With censored times the information reported is the observed one (R's).
    assert np.array_equal(model.information_, model.observed_information_)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_weights_are_repeated_rows_in_survreg_too(distribution):
    assert_allclose(
        REFERENCE[distribution + "_weights"]["params"],
        REFERENCE[distribution + "_expanded"]["params"],
        rtol=1e-10,
    )
    rows = np.repeat(np.arange(Y.shape[0]), DATA["weight"].astype(int))
    expanded = FisherSurvivalRegressor(distribution).fit(X[rows], Y[rows])
    R = REFERENCE[distribution + "_expanded"]
    assert_allclose(expanded.params_, R["params"], rtol=1e-6)
    assert_allclose(expanded.standard_errors_, R["standard_errors"], rtol=1e-5)
    assert_allclose(expanded.loglik_, R["loglik"][1], rtol=1e-8)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_the_sandwich_is_survreg_robust(distribution):
    R = REFERENCE[distribution + "_robust"]
    model = _fit(distribution, cov_type="sandwich")
    assert_allclose(model.standard_errors_, R["standard_errors"], rtol=1e-5)
    assert_allclose(model.standard_errors("fisher"), R["naive_standard_errors"], rtol=1e-5)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_the_cluster_covariance_is_survreg_cluster_times_the_small_sample_factor(distribution):
    R = REFERENCE[distribution + "_cluster"]
    model = _fit(distribution, cov_type="cluster", groups=DATA["cluster"])
    assert model.n_groups_ == np.unique(DATA["cluster"]).size
    factor = _cluster_factor(model)
    assert 1.04 < factor < 1.07  # 25 clusters: a difference the tolerance would see
    assert_allclose(model.standard_errors_ / np.sqrt(factor), R["standard_errors"], rtol=1e-5)
    assert_allclose(model.standard_errors("fisher"), R["naive_standard_errors"], rtol=1e-5)
    after = _fit(distribution).covariance("cluster", groups=DATA["cluster"])
    assert_allclose(after, model.covariance_, rtol=1e-12)


def test_r_robust_with_weights_sums_the_unweighted_score_products():
    R = REFERENCE["weibull_weights_robust"]
    model = _fit("weibull", sample_weight=DATA["weight"])
    scores = model.score_residuals()
    assert_allclose(scores.T @ DATA["weight"], model.score_, atol=1e-9)
    bread = model.covariance("observed")
    r_robust = bread @ scores.T @ scores @ bread
    assert_allclose(np.sqrt(np.diag(r_robust)), R["standard_errors"], rtol=1e-5)
    assert_allclose(model.standard_errors_, R["naive_standard_errors"], rtol=1e-5)
    # Not the sandwich of repeated rows, which the sandwich is.
    sandwich = model.standard_errors("sandwich")
    assert np.all(sandwich > 1.1 * np.asarray(R["standard_errors"]))
    rows = np.repeat(np.arange(160), DATA["weight"].astype(int))
    repeated = FisherSurvivalRegressor(cov_type="sandwich").fit(X[rows], Y[rows])
    assert_allclose(repeated.standard_errors_, sandwich, rtol=1e-8)


def test_a_fit_without_intercept_equals_survreg():
    R = REFERENCE["weibull_no_intercept"]
    model = _fit("weibull", fit_intercept=False)
    assert list(model.param_names_) == ["x0", "x1", "x2", "log_scale"]
    assert model.intercept_ == 0.0
    assert_allclose(model.params_, R["params"], rtol=1e-6)
    assert_allclose(model.standard_errors_, R["standard_errors"], rtol=1e-5)
    assert_allclose([model.null_loglik_, model.loglik_], R["loglik"], rtol=1e-8)


def test_uncensored_times_report_the_expected_information_and_r_the_observed():
    R = REFERENCE["lognormal_uncensored"]
    events = DATA["event"] == 1
    model = FisherSurvivalRegressor("lognormal").fit(X[events], Y[events])
    assert_allclose(model.params_, R["params"], rtol=1e-6)
    assert_allclose(model.standard_errors("observed"), R["standard_errors"], rtol=1e-5)
    assert_allclose([model.null_loglik_, model.loglik_], R["loglik"], rtol=1e-8)
    # For the log-normal both are X̃ᵀX̃/σ² and 2n at the maximum, the cross term 0.
    n, sigma = events.sum(), model.scale_
    design = np.column_stack([np.ones(n), X[events]])
    expected = np.zeros((5, 5))
    expected[:4, :4], expected[4, 4] = design.T @ design / sigma**2, 2.0 * n
    assert_allclose(model.information_, expected, rtol=1e-12)
    assert_allclose(model.observed_information_, expected, rtol=1e-8, atol=1e-8 * n)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_median_and_log_quantiles_with_standard_errors_equal_predict_survreg(distribution):
    R = REFERENCE[distribution]
    model = _fit(distribution)
    probabilities = DATA["probabilities"]
    assert_allclose(model.predict(NEWDATA), R["median"], rtol=1e-6)
    quantile, lower, upper, std_err = model.predict_quantile_interval(NEWDATA, probabilities)
    assert_allclose(np.log(quantile), np.reshape(R["log_quantile"], (3, 3)), rtol=1e-6)
    assert_allclose(std_err, np.reshape(R["log_quantile_se"], (3, 3)), rtol=1e-5)
    assert_allclose(np.log(upper / quantile), 1.959963984540054 * std_err, rtol=1e-12)
    assert_allclose(np.log(quantile / lower), 1.959963984540054 * std_err, rtol=1e-12)
