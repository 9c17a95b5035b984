"""Wald and likelihood-ratio tests against statsmodels, and their input checks."""

import functools
import pickle

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skfisher import FisherGLMRegressor, FisherLogisticRegression, FisherPoissonRegressor
from skfisher.distributions import MLEDistribution
from skfisher.exceptions import PerfectSeparationWarning
from skfisher.families import NegativeBinomial
from skfisher.inference import ChiSquareResult, lr_test, score_test, wald_test
from skfisher.inference._hypotheses import linear_hypotheses, written_names

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


# Other estimators with the Fisher contract ------------------------------------
def _counts(seed=0, n=400):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = rng.poisson(np.exp(0.3 + X @ [0.4, -0.2, 0.05])).astype(float)
    return X, y


@pytest.mark.parametrize(("cov_type", "sm_cov"), [("fisher", "nonrobust"), ("sandwich", "HC0")])
def test_glm_wald_and_lr_match_statsmodels(cov_type, sm_cov):
    X, y = _counts()
    full = FisherGLMRegressor(cov_type=cov_type, tol=1e-10).fit(X, y)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Poisson()).fit(
        tol=1e-13, cov_type=sm_cov
    )
    ours = wald_test(full, "x1 = 0, x0 + x2 = 0.5")
    expected = reference.wald_test("x2 = 0, x1 + x3 = 0.5", scalar=True, use_f=False)
    assert_allclose(ours.statistic, expected.statistic, rtol=STAT_RTOL)
    restricted = FisherGLMRegressor(tol=1e-10).fit(X[:, :1], y)
    small = sm.GLM(y, sm.add_constant(X[:, :1]), family=sm.families.Poisson()).fit(tol=1e-13)
    assert_allclose(
        lr_test(restricted, full).statistic, 2 * (reference.llf - small.llf), rtol=STAT_RTOL
    )


def test_lr_compares_likelihoods_not_classes():
    X, y = _counts()
    poisson = FisherPoissonRegressor().fit(X[:, :1], y)
    full = FisherGLMRegressor(family="poisson").fit(X, y)
    assert lr_test(poisson, full).df == 2
    with pytest.raises(ValueError, match="same model"):
        lr_test(poisson, FisherGLMRegressor(family="gaussian").fit(X, y))
    small = FisherGLMRegressor(family=NegativeBinomial(alpha=1.0)).fit(X[:, :1], y)
    large = FisherGLMRegressor(family=NegativeBinomial(alpha=2.0)).fit(X, y)
    with pytest.raises(ValueError, match="same model"):
        lr_test(small, large)


def test_distribution_wald_and_lr_are_the_textbook_ones():
    # Normal sample, H0: μ = 0. LR = n log(σ̃²/σ̂²) with σ̃² = mean(y²) and
    # σ̂² = var(y); Wald = (ȳ / (σ̂/√n))² with the MLE σ̂.
    y = np.random.default_rng(0).normal(0.3, 2.0, size=200)
    full = MLEDistribution("normal").fit(y)
    restricted = MLEDistribution("normal", fixed={"loc": 0.0}).fit(y)
    n = len(y)
    lr = lr_test(restricted, full)
    assert_allclose(lr.statistic, n * np.log(np.mean(y**2) / np.var(y)), rtol=1e-8)
    assert lr.df == 1 and lr.hypotheses == ("loc = 0",)
    wald = wald_test(full, "loc = 0")
    assert_allclose(wald.statistic, (y.mean() / (y.std() / np.sqrt(n))) ** 2, rtol=1e-8)


def test_multinomial_wald_matches_mnlogit():
    # Names such as "1:x0" start with a digit: they are matched as names first.
    rng = np.random.default_rng(3)
    n = 400
    X = rng.normal(size=(n, 2))
    logits = np.column_stack([np.zeros(n), X @ [0.8, -0.3], X @ [-0.4, 0.6] + 0.2])
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=p) for p in probabilities])
    model = _fit(X, y)
    reference = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", disp=0)
    R = np.zeros((2, 6))
    R[0, 1], R[0, 4], R[1, 5] = 1.0, -1.0, 1.0  # class-major, as params_ (and MNLogit's "F" order)
    expected = reference.wald_test(R, scalar=True, use_f=False).statistic
    assert_allclose(wald_test(model, "1:x0 = 2:x0, 2:x1 = 0").statistic, expected, rtol=STAT_RTOL)


# The hypothesis language: numbers, names and their limits ----------------------
def _numbered_columns():
    # A DataFrame column named "1" beside "x1".
    X, y = _spector()
    X = X.rename(columns={"GPA": "x1", "TUCE": "1"})
    return _fit(X, y)


def test_a_number_is_never_a_name():
    model = _numbered_columns()
    names = list(model.param_names_)
    i, j = names.index("x1"), names.index("1")
    # "x1 = 1" is the number 1: the squared z of x1 against 1 (it was tested
    # against the parameter named "1": 4.42 instead of 2.09).
    against_one = wald_test(model, "x1 = 1")
    z = (model.params_[i] - 1.0) / model.standard_errors_[i]
    assert_allclose(against_one.statistic, z**2, rtol=1e-12)
    assert against_one.hypotheses == ("x1 = 1",)
    # The parameter is written in backticks, and so labelled.
    R = np.zeros(len(names))
    R[i], R[j] = 1.0, -1.0
    against_name = wald_test(model, "x1 = `1`")
    assert_allclose(against_name.statistic, wald_test(model, R).statistic, rtol=1e-12)
    assert against_name.hypotheses == ("x1 - `1` = 0",)
    with pytest.raises(ValueError, match="involves no parameter. The parameter names `1`"):
        wald_test(model, "1 = 0")


def test_lr_and_score_labels_quote_names_that_read_as_numbers():
    X, y = _spector()
    X = X.rename(columns={"GPA": "x1", "TUCE": "1"})
    small = _fit(X[["x1", "PSI"]], y)
    assert lr_test(small, _numbered_columns()).hypotheses == ("`1` = 0",)
    assert score_test(small, X[["1"]], y, X=X[["x1", "PSI"]]).hypotheses == ("`1` = 0",)


def test_names_that_read_as_expressions_need_backticks():
    names = ["intercept", "x1", "2*x1", "1e3", "b:x1"]
    R, q, labels = linear_hypotheses("2*x1 = 1e3, `2*x1` = `1e3`, b:x1 = `x1`", None, names)
    assert_allclose(R, [[0, 2, 0, 0, 0], [0, 0, 1, -1, 0], [0, -1, 0, 0, 1]])
    assert_allclose(q, [1000, 0, 0])
    assert labels == ("2*x1 = 1000", "`2*x1` - `1e3` = 0", "-x1 + b:x1 = 0")
    with pytest.raises(ValueError, match="`x9` in the hypothesis .* is not a parameter name"):
        linear_hypotheses("`x9` = 0", None, names)
    with pytest.raises(ValueError, match="opens a backtick at position 0 without closing"):
        linear_hypotheses("`x1 = 0", None, names)


@settings(max_examples=100, deadline=None)
@given(
    names=st.lists(
        st.text(alphabet="ax1 2+-*=,.:e_", max_size=5), min_size=1, max_size=5, unique=True
    ),
    data=st.data(),
)
def test_written_hypotheses_read_back(names, data):
    # Whatever the names (digits, operators, spaces, empty), a restriction
    # written out as a label reads back as the same restriction.
    row = np.array(
        data.draw(st.lists(st.integers(-3, 3), min_size=len(names), max_size=len(names)))
    )
    assume(row.any())
    rhs = data.draw(st.integers(-5, 5))
    R, q, labels = linear_hypotheses(row[None, :], [rhs], names)
    R_read, q_read, labels_read = linear_hypotheses(labels[0], None, names)
    assert_allclose(R_read, R)
    assert_allclose(q_read, q)
    assert labels_read == labels


HYPOTHESIS_LIMITS = [
    ("GPA = 1e400", "The number '1e400' .* is not finite in double precision"),
    ("1e200*1e200*GPA = 0", "overflows double precision"),
    ("1e308*GPA + 1e308*GPA = 0", "overflows double precision"),
    ("1e-300*GPA = 1e10", "right-hand side divided by its largest coefficient overflows"),
]


@pytest.mark.parametrize(("hypothesis", "match"), HYPOTHESIS_LIMITS)
def test_hypotheses_beyond_double_precision(hypothesis, match):
    X, y = _spector()
    with pytest.raises(ValueError, match=match):
        wald_test(_fit(X, y), hypothesis)


@settings(max_examples=50, deadline=None)
@given(exponent=st.floats(-300, 300))
def test_wald_is_unchanged_by_scaling_a_restriction(exponent):
    # R V Rᵀ overflowed for 1e200*GPA (a RuntimeWarning, then "parameters
    # without a defined covariance ([])"); a scaled restriction is the same one.
    model = _spector_model()
    scale = 10.0**exponent
    R = np.array([[0.0, scale, -scale, 0.0], [0.0, 0.0, 0.0, 1.0]])
    scaled = wald_test(model, R, [0.5 * scale, 0.0])
    assert_allclose(scaled.statistic, wald_test(model, "GPA - TUCE = 0.5, PSI = 0").statistic)
    assert_allclose(
        wald_test(model, "1e200*GPA = 0").statistic, wald_test(model, "GPA = 0").statistic
    )


@functools.cache
def _spector_model():
    # One fit for all the examples hypothesis draws.
    return _fit(*_spector())


# Fits that are not maximum-likelihood fits -------------------------------------
def _unconverged():
    X, y = _anes96()
    with pytest.warns(ConvergenceWarning):
        return FisherLogisticRegression(max_iter=1).fit(X, y), X, y


def _quasi_separated(seed=0, n=200):
    # y = 1 wherever x1 = 1: x1's coefficient diverges, x0's stays finite.
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    x1 = (rng.random(n) < 0.3).astype(float)
    y = np.where(x1 == 1, 1.0, (rng.random(n) < expit(0.5 * x0)).astype(float))
    return np.column_stack([x0, x1]), y


def test_wald_warns_on_a_fit_that_did_not_converge():
    model, _, _ = _unconverged()
    with pytest.warns(ConvergenceWarning, match="max_iter=1 iterations") as record:
        wald_test(model, "age = 0")
    assert record[0].filename == __file__
    X, y = _quasi_separated()
    with pytest.warns(PerfectSeparationWarning):
        separated = FisherLogisticRegression().fit(X, y)
    with pytest.warns(PerfectSeparationWarning, match="no maximum-likelihood") as record:
        result = wald_test(separated, "x0 = 0")
    assert record[0].filename == __file__
    # x0 keeps its standard error; the nan covariance of x1 does not enter.
    z = separated.params_[1] / separated.standard_errors_[1]
    assert_allclose(result.statistic, z**2, rtol=1e-12)


def test_lr_warns_on_fits_without_a_maximum():
    model, X, y = _unconverged()
    restricted = _fit(X[["age", "educ"]], y)
    with pytest.warns(ConvergenceWarning, match="full did not converge") as record:
        lr_test(restricted, model)
    assert record[0].filename == __file__
    X, y = _quasi_separated()
    with pytest.warns(PerfectSeparationWarning):
        full = FisherLogisticRegression().fit(X, y)
    with pytest.warns(PerfectSeparationWarning, match="supremum") as record:
        result = lr_test(_fit(X[:, :1], y), full)
    assert record[0].filename == __file__
    assert result.hypotheses == ("x1 = 0",)


# Nesting by columns, not positional names ---------------------------------------
def test_lr_refuses_array_fits_on_different_columns():
    # Both fits call their columns x0, x1 by position; the models are not
    # nested, and the test reported p = 6e-19.
    X, y = _anes96()
    X = X.to_numpy()
    with pytest.raises(ValueError, match=r"columns \['x0'\] are not linear combinations"):
        lr_test(_fit(X[:, [3]], y), _fit(X[:, [0, 2]], y))
    with pytest.raises(ValueError, match="differ in their response"):
        lr_test(_fit(X[:, [0]], y), _fit(X[:, [0, 2]], 1 - y))


def test_lr_names_the_columns_the_restriction_drops():
    # Restricted on the second column of the full fit: the hypothesis is x0 = 0
    # (the full fit's name), not x1 = 0 (the names' positions).
    X, y = _anes96()
    X = X[["age", "educ"]].to_numpy()
    result = lr_test(_fit(X[:, [1]], y), _fit(X, y))
    full, restricted = _statsmodels_logit(X, y), _statsmodels_logit(X[:, [1]], y)
    assert_allclose(result.statistic, 2 * (full.llf - restricted.llf), rtol=STAT_RTOL)
    assert result.hypotheses == ("x0 = 0",)


def test_lr_accepts_a_reparametrised_nesting():
    # age + educ is a combination of the full model's columns: nested.
    X, y = _anes96()
    X = X[["age", "educ"]].to_numpy()
    combined = X.sum(axis=1, keepdims=True)
    result = lr_test(_fit(combined, y), _fit(X, y))
    full, restricted = _statsmodels_logit(X, y), _statsmodels_logit(combined, y)
    assert_allclose(result.statistic, 2 * (full.llf - restricted.llf), rtol=STAT_RTOL)
    assert result.df == 1


def test_lr_uses_column_fingerprints_when_no_model_matrix_is_kept():
    # A pickled fit keeps no model matrix; a recorded fingerprint per column
    # still shows that the columns differ.
    X, y = _anes96()
    X = X.to_numpy()
    restricted = pickle.loads(pickle.dumps(_fit(X[:, [3]], y)))
    full = pickle.loads(pickle.dumps(_fit(X[:, [0, 2]], y)))
    assert lr_test(restricted, full).df == 1  # by names only
    means = X.mean(axis=0)
    restricted.column_fingerprint_ = np.array([[1.0], [means[3]]])
    full.column_fingerprint_ = np.array([[1.0], [means[0]], [means[2]]])
    with pytest.raises(ValueError, match=r"columns \[1\] \(of \[1, X\]\) are not columns"):
        lr_test(restricted, full)


def test_a_name_edged_with_an_operator_is_written_in_backticks():
    # "*:" read bare inside "2*:1" swallowed the product's operator.
    names = ["", "1", ":1", "*:"]
    written = written_names(names)
    assert written[3] == "`*:`"
    R, q, _ = linear_hypotheses(f"2*{written[2]} = 0", None, names)
    assert_allclose(R, [[0, 0, 2, 0]])
