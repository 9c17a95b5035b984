"""FisherCoxRegressor on counting-process data against R (tests/reference/cox_counting_r.json).

The fits of tests/reference/cox_counting_r.R: ``coxph(Surv(start, stop, event)
~ …)`` on survival's ``heart`` (172 rows of 103 patients, the transplant a
covariate that changes with time) and on 232 rows of 150 simulated subjects
(integer times: 77 tied events, and 208 starts equal to an event time, where
the row is not at risk; some starts negative), with Efron's and Breslow's
ties, strata and cluster(id): coefficients, naive and robust standard errors,
the log partial likelihoods, the concordance, the four global tests, the
survfit curves at two covariate profiles, and cox.zph.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skfisher.survival import FisherCoxRegressor

PATH = Path(__file__).resolve().parents[1] / "reference" / "cox_counting_r.json"
with open(PATH, encoding="utf-8") as handle:
    REFERENCE = json.load(handle)
DATA = {
    name: {column: np.asarray(values, dtype=float) for column, values in columns.items()}
    for name, columns in (("heart", REFERENCE["heart_data"]), ("sim", REFERENCE["sim_data"]))
}
COLUMNS = {"heart": ["age", "year", "surgery", "transplant"], "sim": ["x1", "x2", "z"]}
FITS = [key for key in REFERENCE if key.startswith(("heart_", "sim_")) and "data" not in key]


def _fit(key):
    """The fit of R's ``key``, and its data's X."""
    name = key.split("_")[0]
    data = DATA[name]
    columns, strata = COLUMNS[name], None
    if "strata" in key:
        stratum = "surgery" if name == "heart" else "stratum"
        columns, strata = [c for c in columns if c != stratum], data[stratum]
    X = np.column_stack([data[c] for c in columns])
    y = np.column_stack([data["start"], data["stop"], data["event"]])
    weights = data["weight"] if "weights" in key or "expanded" in key else None
    clustered = "cluster" in key
    model = FisherCoxRegressor(
        "efron" if "efron" in key else "breslow", cov_type="cluster" if clustered else "fisher"
    )
    groups = data["id"].astype(int) if clustered else None
    return model.fit(X, y, sample_weight=weights, strata=strata, groups=groups), X


def test_the_reference_records_r_and_survival():
    assert REFERENCE["R"].startswith("R version")
    assert REFERENCE["survival"].count(".") >= 1
    assert len(FITS) == 15


@pytest.mark.parametrize("key", FITS)
def test_estimates_errors_and_logliks_equal_coxph(key):
    R = REFERENCE[key]
    model, _ = _fit(key)
    assert_allclose(model.coef_, R["coefficients"], rtol=1e-8)
    assert_allclose(model.standard_errors_, R["standard_errors"], rtol=1e-8)
    assert_allclose([model.null_loglik_, model.loglik_], R["loglik"], rtol=1e-10)
    if "naive_standard_errors" in R:
        naive = np.sqrt(np.diag(np.linalg.inv(model.information_)))
        assert_allclose(naive, R["naive_standard_errors"], rtol=1e-8)


@pytest.mark.parametrize("key", FITS)
def test_global_tests_and_concordance_equal_coxph(key):
    R = REFERENCE[key]
    model, _ = _fit(key)
    tests = model.global_tests()
    for name, test in [
        ("likelihood_ratio", tests.likelihood_ratio),
        ("wald", tests.wald),
        ("score", tests.score),
        ("robust_score", tests.robust_score),
    ]:
        if name in R:
            assert_allclose([test.statistic, test.df, test.pvalue], R[name], rtol=1e-8)
    assert (tests.robust_score is None) == ("robust_score" not in R)
    assert_allclose(model.concordance_, R["concordance"], rtol=1e-12)


@pytest.mark.parametrize("key", ["heart_efron", "heart_breslow", "sim_efron", "sim_breslow"])
def test_survival_curves_and_their_intervals_equal_survfit(key):
    R = REFERENCE[key]
    model, X = _fit(key)
    profile = np.asarray(REFERENCE["profiles"][key.split("_")[0]]).reshape(2, X.shape[1])
    times = np.asarray(R["survfit_time"])
    surv, std_err, lower, upper = (
        np.asarray(R[f"survfit_{name}"]).reshape(2, -1)
        for name in ("surv", "std_err", "lower", "upper")
    )
    functions = model.predict_survival_function(profile)
    survival, low, up, se = model.predict_survival_interval(profile)
    at = np.searchsorted(model.unique_times_, times, side="right") - 1
    assert at.min() >= 0  # R's first time is an event time
    for i in range(2):
        assert_allclose(functions[i](times), surv[i], rtol=1e-8)
        assert_allclose(survival[i, at], surv[i], rtol=1e-8)
        assert_allclose(se[i, at], std_err[i], rtol=1e-8)
        assert_allclose(low[i, at], lower[i], rtol=1e-8)
        assert_allclose(up[i, at], upper[i], rtol=1e-8)


@pytest.mark.parametrize("key", ["heart_efron", "heart_breslow", "sim_efron_strata_cluster"])
@pytest.mark.parametrize("transform", ["km", "rank", "identity"])
def test_the_proportional_hazards_test_equals_cox_zph(key, transform):
    R = REFERENCE[key]
    model, X = _fit(key)
    test = model.proportional_hazards_test(transform)
    statistics = [*test.statistic, test.global_test.statistic]
    assert_allclose(statistics, R[f"zph_{transform}_chisq"], rtol=1e-8)
    assert_allclose(test.time, R["zph_time"], rtol=0)
    assert_allclose(test.transformed_time, R[f"zph_{transform}_x"], rtol=1e-10)
    scaled = np.asarray(R[f"zph_{transform}_y"]).reshape(-1, X.shape[1])
    assert_allclose(test.scaled_residuals, scaled, rtol=1e-8, atol=1e-10)


def test_the_heart_transplant_coefficients_as_published_by_r():
    # R's printed fit of coxph(Surv(start, stop, event) ~ age + year + surgery +
    # transplant, heart): a check of the data read from the JSON.
    model, _ = _fit("heart_efron")
    assert_allclose(model.coef_, [0.02717, -0.14635, -0.63721, -0.01025], atol=1e-5)
    assert model.n_events_ == 75 and model.nobs_ == 172
