"""Wald and likelihood-ratio tests against statsmodels, and their input checks."""

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.exceptions import NotFittedError

from skfisher import FisherLogisticRegression
from skfisher.inference import ChiSquareResult, lr_test, wald_test
from skfisher.inference._hypotheses import linear_hypotheses

# Both sides compute the same quadratic form from parameters and covariances
# that agree to ~1e-9 (the fits' convergence); the statistics agree far
# beyond the 1e-6 asked for.
STAT_RTOL = 1e-6


def _anes96():
    data = sm.datasets.anes96.load_pandas().data
    columns = ["logpopul", "TVnews", "selfLR", "ClinLR", "DoleLR", "PID", "age", "educ"]
    return data[columns], data["vote"]


def _spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog


def _fit(X, y, **params):
    return FisherLogisticRegression(tol=1e-10, **params).fit(X, y)


def _statsmodels_logit(X, y, cov_type="fisher"):
    model = sm.Logit(y, sm.add_constant(X, has_constant="add"))
    if cov_type == "sandwich":
        return model.fit(method="newton", tol=1e-12, disp=0, cov_type="HC0")
    return model.fit(method="newton", tol=1e-12, disp=0)


def _sm_names(hypothesis):
    return hypothesis.replace("intercept", "const")


# Wald -----------------------------------------------------------------------
HYPOTHESES = [
    "age = 0",
    "selfLR = ClinLR",
    "2*selfLR - ClinLR = 1",
    "age = 0, educ = 0, TVnews = 0",
    "intercept + PID = 1",
]


@pytest.mark.parametrize("cov_type", ["fisher", "observed", "sandwich"])
@pytest.mark.parametrize("hypothesis", HYPOTHESES)
def test_wald_matches_statsmodels_strings(hypothesis, cov_type):
    X, y = _anes96()
    ours = wald_test(_fit(X, y, cov_type=cov_type), hypothesis)
    reference = _statsmodels_logit(X, y, cov_type).wald_test(
        _sm_names(hypothesis), scalar=True, use_f=False
    )
    assert_allclose(ours.statistic, reference.statistic, rtol=STAT_RTOL)
    assert_allclose(ours.pvalue, reference.pvalue, rtol=STAT_RTOL)
    assert ours.df == hypothesis.count("=")


def test_wald_matrix_and_list_forms_agree():
    X, y = _spector()
    model = _fit(X, y)
    R = np.array([[0, 1, -1, 0], [0, 0, 0, 1]])
    by_matrix = wald_test(model, R, q=[0.5, 0.0])
    by_list = wald_test(model, ["GPA - TUCE = 0.5", "PSI = 0"])
    by_string = wald_test(model, "GPA - TUCE = 0.5, PSI = 0")
    reference = _statsmodels_logit(X, y).wald_test((R, [0.5, 0.0]), scalar=True, use_f=False)
    for ours in (by_matrix, by_list, by_string):
        assert_allclose(ours.statistic, reference.statistic, rtol=STAT_RTOL)
        assert ours.df == 2


def test_wald_empirical_uses_the_estimators_covariance():
    X, y = _spector()
    model = _fit(X, y, cov_type="empirical")
    reference = _statsmodels_logit(X, y)
    scores = reference.model.score_obs(reference.params)
    cov = np.linalg.inv(scores.T @ scores)
    expected = reference.wald_test("PSI = 0, GPA = 0", scalar=True, use_f=False, cov_p=cov)
    assert_allclose(
        wald_test(model, "PSI = 0, GPA = 0").statistic, expected.statistic, rtol=STAT_RTOL
    )


def test_single_wald_is_the_squared_z():
    X, y = _spector()
    model = _fit(X, y)
    result = wald_test(model, "PSI = 0")
    z = model.params_[3] / model.standard_errors_[3]
    assert_allclose(result.statistic, z**2, rtol=1e-12)
    assert_allclose(result.pvalue, model.summary().pvalues[3], rtol=1e-10)


def test_result_repr_and_unpacking():
    X, y = _spector()
    result = wald_test(_fit(X, y), "GPA = TUCE")
    assert isinstance(result, ChiSquareResult)
    assert repr(result).startswith("<Wald test: chi2(1) = ")
    assert "GPA - TUCE = 0" in str(result)
    statistic, pvalue, df = result
    assert (statistic, pvalue, df) == (result.statistic, result.pvalue, 1)


WALD_ERRORS = [
    ("x9 = 0", None, "neither a number nor a parameter name"),
    ("GPA*TUCE = 0", None, "multiplies two parameters"),
    ("GPA = 0", [1.0], "q must be None"),
    ("GPA = 0, 2*GPA = 0", None, "linearly dependent"),
    ("1 = 2", None, "involves no parameter"),
    ("GPA = TUCE = 0", None, "more than one '='"),
    (np.ones((1, 3)), None, r"R must have shape \(n_restrictions, 4\)"),
    (np.ones((1, 4)), [1.0, 2.0], "q must have one entry per row"),
    (np.array([[np.nan, 1, 0, 0]]), None, "finite"),
    ([1, "GPA"], None, "must hold strings"),
]


@pytest.mark.parametrize(("R", "q", "match"), WALD_ERRORS)
def test_wald_bad_hypotheses(R, q, match):
    X, y = _spector()
    with pytest.raises(ValueError, match=match):
        wald_test(_fit(X, y), R, q)


def test_wald_unfitted_and_undefined_covariance():
    with pytest.raises(NotFittedError):
        wald_test(FisherLogisticRegression(), "x0 = 0")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2))
    X = np.column_stack([X, X[:, 0] + X[:, 1]])  # collinear: nan standard errors
    y = (rng.random(80) < 0.5).astype(int)
    with pytest.warns(UserWarning):
        model = FisherLogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="without a defined covariance"):
        wald_test(model, "x2 = 0")


def test_hypothesis_names_with_operators_and_prefixes():
    names = ["intercept", "x1", "x10", "b:x1", "log-income"]
    R, q, labels = linear_hypotheses("x10 - b:x1 = 2, log-income = -x1", None, names)
    assert_allclose(R, [[0, 0, 1, -1, 0], [0, 1, 0, 0, 1]])
    assert_allclose(q, [2, 0])
    assert labels == ("x10 - b:x1 = 2", "x1 + log-income = 0")


# Likelihood ratio -------------------------------------------------------------
@pytest.mark.parametrize("dropped", [["age"], ["age", "educ", "TVnews"], ["PID", "selfLR"]])
def test_lr_matches_two_statsmodels_fits(dropped):
    X, y = _anes96()
    kept = [c for c in X.columns if c not in dropped]
    result = lr_test(_fit(X[kept], y), _fit(X, y))
    full, restricted = _statsmodels_logit(X, y), _statsmodels_logit(X[kept], y)
    expected = 2 * (full.llf - restricted.llf)
    assert_allclose(result.statistic, expected, rtol=STAT_RTOL)
    assert result.df == len(dropped)
    assert_allclose(result.pvalue, stats.chi2.sf(expected, len(dropped)), rtol=STAT_RTOL)
    assert sorted(result.hypotheses) == sorted(f"{name} = 0" for name in dropped)


def test_lr_refuses_models_that_are_not_nested():
    X, y = _anes96()
    small, full = _fit(X[["age", "educ"]], y), _fit(X, y)
    with pytest.raises(ValueError, match="proper subset"):
        lr_test(full, small)
    with pytest.raises(ValueError, match="proper subset"):
        lr_test(full, full)
    with pytest.raises(ValueError, match="proper subset"):
        lr_test(_fit(X[["age", "PID"]], y), _fit(X[["age", "educ"]], y))
    with pytest.raises(ValueError, match="same observations"):
        lr_test(_fit(X[["age"]].iloc[:-5], y.iloc[:-5]), full)
    with pytest.raises(ValueError, match="L2 penalty"):
        lr_test(small, _fit(X, y, alpha=0.1))
    with pytest.raises(ValueError, match="fitted skfisher estimator"):
        lr_test(small, "model")
