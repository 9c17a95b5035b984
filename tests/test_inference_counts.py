"""Vuong's test and the overdispersion test against R's pscl 1.5.5.

The reference numbers are in ``tests/reference/vuong_pscl.json``, written by
``tests/reference/vuong_pscl.R`` (pscl::vuong, pscl::odTest, zeroinfl, hurdle,
MASS::glm.nb) on the RAND data and on ``tests/reference/counts_sim.csv``.
"""

import dataclasses
import doctest
import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import skfisher.datasets
from skfisher import FisherGLMRegressor, FisherPoissonRegressor
from skfisher.datasets import load_randhie
from skfisher.families import NegativeBinomial
from skfisher.inference import (
    ChiSquareResult,
    MixtureChiSquareResult,
    VuongResult,
    overdispersion_test,
    vuong_test,
)

REFERENCE = Path(__file__).parent / "reference"
R = json.loads((REFERENCE / "vuong_pscl.json").read_text(encoding="utf-8"))
HAVE_COUNTS = importlib.util.find_spec("skfisher.counts") is not None
needs_counts = pytest.mark.skipif(not HAVE_COUNTS, reason="skfisher.counts is not available")

# Both sides are maxima found to ~1e-10 (skfisher's tol, glm.nb's epsilon 1e-13);
# the statistics agree to ~1e-12, far inside this.
RTOL = 1e-6
# pscl's upper-tail p-value is 1 - pnorm(z), which has no digits below ~1e-13.
PSCL_P_FLOOR = 1e-10


def _sim(response, columns=("x1", "x2")):
    frame = pd.read_csv(REFERENCE / "counts_sim.csv")
    return frame[list(columns)], frame[response].to_numpy(dtype=float)


def _fit_pair(X, y, sample_weight=None):
    poisson = FisherPoissonRegressor().fit(X, y, sample_weight=sample_weight)
    negbin = FisherGLMRegressor(family="negative_binomial").fit(X, y, sample_weight=sample_weight)
    return poisson, negbin


@pytest.fixture(scope="module")
def randhie():
    X, y = load_randhie(return_X_y=True, as_frame=True)
    return (X, y, *_fit_pair(X, y))


@pytest.fixture(scope="module")
def randhie_distinct():
    """The distinct rows of the RAND file, each with its number of person-years."""
    path = Path(skfisher.datasets.__file__).parent / "data" / "randhie.csv"
    frame = pd.read_csv(path)
    X, y, n = frame.drop(columns=["mdvis", "n"]), frame["mdvis"], frame["n"].to_numpy(float)
    return (X, y, n, *_fit_pair(X, y, n))


SIM_CASES = {"sim_nb": "y_nb", "sim_mild": "y_mild"}


@pytest.fixture(scope="module", params=["randhie", *SIM_CASES])
def poisson_negbin(request, randhie):
    """(case, X, y, poisson fit, negative binomial fit) on the data of a reference case."""
    if request.param == "randhie":
        return ("randhie", *randhie)
    X, y = _sim(SIM_CASES[request.param])
    return (request.param, X, y, *_fit_pair(X, y))


def assert_vuong(result, reference, k_from="pscl"):
    """Compare a VuongResult with pscl's numbers (``k_from="pscl"``) or with logLik's df."""
    expected = reference if k_from == "pscl" else reference["df"]
    assert_allclose(result.statistic, expected["statistic"], rtol=RTOL)
    assert result.n_params == tuple(expected["k"])
    pscl_p = np.asarray(expected["pvalue"])
    exact = (np.asarray(expected["statistic"]) < 0) | (pscl_p > PSCL_P_FLOOR)
    assert_allclose(np.asarray(result.pvalue)[exact], pscl_p[exact], rtol=RTOL)
    assert_allclose(result.pvalue, stats.norm.sf(np.abs(result.statistic)), rtol=1e-12)
    if k_from == "pscl":
        words = {"model1 > model2": "model_a", "model2 > model1": "model_b"}
        assert result.preferred == tuple(words[m] for m in reference["preferred"])


# --- the fits themselves are R's ---------------------------------------------------------
def test_glm_fits_equal_r(poisson_negbin):
    case, _, _, poisson, negbin = poisson_negbin
    assert_allclose(poisson.params_, R[case]["poisson"]["coef"], rtol=RTOL, atol=1e-9)
    assert_allclose(negbin.params_[:-1], R[case]["negbin"]["coef"], rtol=RTOL, atol=1e-9)
    assert_allclose(negbin.params_[-1], R[case]["negbin"]["alpha"], rtol=RTOL)
    assert_allclose(negbin.loglik_, R[case]["negbin"]["loglik"], rtol=1e-10)


# --- Vuong: Poisson against the negative binomial ----------------------------------------
def test_vuong_equals_pscl(poisson_negbin):
    """pscl counts length(coef()): the same k for both models, so all three z are equal."""
    case, X, y, poisson, negbin = poisson_negbin
    k = len(poisson.params_)
    result = vuong_test(poisson, negbin, X, y, n_params=(k, k))
    assert_vuong(result, R[case]["vuong_poisson_negbin"], "pscl")


def test_vuong_counts_alpha_by_default(poisson_negbin):
    """By default α is a parameter: pscl's formulas with the df of logLik()."""
    case, X, y, poisson, negbin = poisson_negbin
    result = vuong_test(poisson, negbin, X, y)
    assert_vuong(result, R[case]["vuong_poisson_negbin"], "df")
    # The Poisson model has one parameter fewer: the corrections move z towards it.
    assert result.statistic[0] < result.statistic[1] < result.statistic[2]
    assert_allclose(
        [result.details["loglik_a"], result.details["loglik_b"]],
        R[case]["vuong_poisson_negbin"]["loglik_rows_sum"],
        rtol=1e-10,
    )


def test_vuong_equals_numpy(poisson_negbin):
    """The statistics written out with scipy's pmfs from the fitted parameters."""
    _, X, y, poisson, negbin = poisson_negbin
    y = np.asarray(y, dtype=float)
    design = np.column_stack([np.ones(len(y)), np.asarray(X, dtype=float)])
    mu_p = np.exp(design @ poisson.params_)
    alpha = negbin.params_[-1]
    mu_nb = np.exp(design @ negbin.params_[:-1])
    m = stats.poisson.logpmf(y, mu_p) - stats.nbinom.logpmf(y, 1 / alpha, 1 / (1 + alpha * mu_nb))
    n = len(y)
    corrections = np.array([0.0, -1.0 / n, -np.log(n) / (2 * n)])  # k_a − k_b = −1
    expected = np.sqrt(n) * (m.mean() - corrections) / m.std(ddof=1)
    result = vuong_test(poisson, negbin, X, y)
    assert_allclose(result.statistic, expected, rtol=1e-9)
    assert_allclose(result.details["sd"], m.std(ddof=1), rtol=1e-9)


@pytest.mark.parametrize("case", list(SIM_CASES))
def test_vuong_models_on_different_columns(case):
    """A Poisson model on x1 against a negative binomial on x2 and x3: X as a pair."""
    frame = pd.read_csv(REFERENCE / "counts_sim.csv")
    y = frame[SIM_CASES[case]]
    X_a, X_b = frame[["x1"]], frame[["x2", "x3"]]
    poisson = FisherPoissonRegressor().fit(X_a, y)
    negbin = FisherGLMRegressor(family="negative_binomial").fit(X_b, y)
    reference = R[case]["vuong_poisson_x1_negbin_x2_x3"]
    assert_vuong(vuong_test(poisson, negbin, (X_a, X_b), y, n_params=(2, 3)), reference)
    assert_vuong(vuong_test(poisson, negbin, (X_a, X_b), y), reference, "df")


# --- frequency weights -------------------------------------------------------------------
def test_vuong_weights_are_repeated_rows(randhie, randhie_distinct):
    """The 9,125 distinct RAND rows weighted by n give the numbers of the 20,190 rows."""
    X, y, poisson, negbin = randhie
    X_d, y_d, n, poisson_d, negbin_d = randhie_distinct
    repeated = vuong_test(poisson, negbin, X, y)
    weighted = vuong_test(poisson_d, negbin_d, X_d, y_d, sample_weight=n)
    assert weighted.nobs == repeated.nobs == 20190
    assert_allclose(weighted.statistic, repeated.statistic, rtol=1e-9)
    assert_allclose(weighted.pvalue, repeated.pvalue, rtol=1e-6)
    assert_vuong(weighted, R["randhie"]["vuong_poisson_negbin"], "df")


def test_vuong_weight_two_is_a_duplicated_row():
    X, y = _sim("y_nb")
    rng = np.random.default_rng(3)
    weights = rng.integers(0, 4, size=len(y)).astype(float)
    rows = np.repeat(np.arange(len(y)), weights.astype(int))
    weighted = vuong_test(*_fit_pair(X, y, weights), X, y, sample_weight=weights)
    X_r, y_r = X.iloc[rows], y[rows]
    repeated = vuong_test(*_fit_pair(X_r, y_r), X_r, y_r)
    assert weighted.nobs == repeated.nobs == weights.sum()
    assert_allclose(weighted.statistic, repeated.statistic, rtol=1e-8)
    assert_allclose(weighted.details["sd"], repeated.details["sd"], rtol=1e-8)


def test_vuong_offset_is_passed_to_the_models():
    X, y = _sim("y_nb")
    exposure = np.linspace(0.5, 2.0, len(y))
    offset = np.log(exposure)
    poisson = FisherPoissonRegressor().fit(X, y, offset=offset)
    negbin = FisherGLMRegressor(family="negative_binomial").fit(X, y, offset=offset)
    result = vuong_test(poisson, negbin, X, y, offset=offset)
    paired = vuong_test(poisson, negbin, X, y, offset=(offset, offset))
    assert result.statistic == paired.statistic
    with pytest.raises(ValueError, match="not the data"):
        vuong_test(poisson, negbin, X, y)  # the offset forgotten


# --- zero-inflated and hurdle models -------------------------------------------------------
@pytest.fixture(scope="module")
def randhie_subset():
    X, y = load_randhie(return_X_y=True, as_frame=True)
    return X.iloc[::10], y.iloc[::10]


@needs_counts
@pytest.mark.parametrize(
    ("case", "kind_a", "family_a", "model_b"),
    [
        ("vuong_zeroinfl_poisson", "inflated", "poisson", "poisson"),
        ("vuong_zeroinfl_negbin", "inflated", "negative_binomial", "negbin"),
        ("vuong_hurdle_zeroinfl_negbin", "hurdle", "negative_binomial", "zeroinfl_negbin"),
    ],
)
def test_vuong_two_part_models_equal_pscl(randhie_subset, case, kind_a, family_a, model_b):
    from skfisher.counts import FisherHurdleRegressor, FisherZeroInflatedRegressor

    X, y = randhie_subset
    if kind_a == "inflated":
        model_a = FisherZeroInflatedRegressor(family=family_a, inflation_features=None)
    else:
        model_a = FisherHurdleRegressor(family=family_a, zero_features=None)
    model_a.fit(X, y)
    if model_b == "poisson":
        other = FisherPoissonRegressor().fit(X, y)
    elif model_b == "negbin":
        other = FisherGLMRegressor(family="negative_binomial").fit(X, y)
    else:
        other = FisherZeroInflatedRegressor(family="negative_binomial").fit(X, y)
    reference = R["randhie_subset"][case]
    assert_vuong(vuong_test(model_a, other, X, y, n_params=reference["k"]), reference)
    assert_vuong(vuong_test(model_a, other, X, y), reference, "df")


# --- the overdispersion test ---------------------------------------------------------------
def test_overdispersion_equals_odtest(poisson_negbin):
    case, _, _, poisson, negbin = poisson_negbin
    reference = R[case]["odtest"]
    result = overdispersion_test(poisson, negbin)
    assert_allclose(result.statistic, reference["statistic"], rtol=RTOL)
    assert_allclose(result.pvalue, reference["pvalue"], rtol=RTOL, atol=1e-300)
    assert_allclose(result.pvalue, 0.5 * stats.chi2.sf(result.statistic, 1), rtol=1e-12)
    assert result.df == 1
    assert_allclose(result.details["alpha"], R[case]["negbin"]["alpha"], rtol=RTOL)


def test_overdispersion_on_the_randhie_subset(randhie_subset):
    X, y = randhie_subset
    result = overdispersion_test(*_fit_pair(X, y))
    assert_allclose(result.statistic, R["randhie_subset"]["odtest"]["statistic"], rtol=RTOL)


def test_overdispersion_at_the_boundary_has_pvalue_one():
    """Poisson counts: α̂ runs into 0 and LR = 0. pscl reports 0.5 there (and LR < 0)."""
    X, y = _sim("y_poisson")
    poisson = FisherPoissonRegressor().fit(X, y)
    with pytest.warns(UserWarning, match="boundary"):
        negbin = FisherGLMRegressor(family="negative_binomial").fit(X, y)
    assert not negbin.converged_
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # α → 0 is the null itself: no warning
        result = overdispersion_test(poisson, negbin)
    assert result.statistic == 0.0 and result.pvalue == 1.0
    reference = R["sim_poisson"]["odtest"]
    assert reference["statistic"] <= 0 and reference["pvalue"] == 0.5
    # glm.nb stops below the Poisson maximum, which skfisher's boundary fit reaches.
    assert negbin.loglik_ > R["sim_poisson"]["negbin"]["loglik"]
    assert_allclose(negbin.loglik_, R["sim_poisson"]["poisson"]["loglik"], rtol=1e-9)


def test_overdispersion_result_reads_as_a_mixture():
    X, y = _sim("y_mild")
    result = overdispersion_test(*_fit_pair(X, y))
    assert isinstance(result, MixtureChiSquareResult)
    assert isinstance(result, ChiSquareResult)
    statistic, pvalue, df = result
    assert (statistic, pvalue, df) == (result.statistic, result.pvalue, 1)
    assert "½chi2(0) + ½chi2(1)" in repr(result)
    text = str(result)
    assert "alpha = 0" in text and "2.70554" in text
    assert_allclose(stats.chi2.sf(result.details["critical_value_5pct"], 1) / 2, 0.05)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.statistic = 0.0


# --- the Vuong result ------------------------------------------------------------------
def test_vuong_result_table(randhie):
    X, y, poisson, negbin = randhie
    result = vuong_test(poisson, negbin, X, y)
    assert isinstance(result, VuongResult)
    assert result.models == (
        "FisherPoissonRegressor(poisson)",
        "FisherGLMRegressor(negative_binomial)",
    )
    text = str(result)
    for word in ("Raw", "AIC-corrected", "BIC-corrected", "model_b", "n = 20190", "11 parameters"):
        assert word in text
    assert repr(result).startswith("<Vuong test: z = -28.0796 (AIC-corrected -28.0781")
    frame = result.to_frame()
    assert list(frame.index) == ["Raw", "AIC-corrected", "BIC-corrected"]
    assert_allclose(frame["statistic"], result.statistic)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.statistic = (0.0, 0.0, 0.0)


def test_vuong_is_antisymmetric():
    X, y = _sim("y_mild")
    poisson, negbin = _fit_pair(X, y)
    forward, backward = vuong_test(poisson, negbin, X, y), vuong_test(negbin, poisson, X, y)
    assert_allclose(backward.statistic, -np.asarray(forward.statistic), rtol=1e-12)
    assert backward.pvalue == forward.pvalue
    assert forward.preferred == ("model_b",) * 3 and backward.preferred == ("model_a",) * 3


# --- errors ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sim_fits():
    X, y = _sim("y_nb")
    return (X, y, *_fit_pair(X, y))


def test_vuong_rows_must_agree(sim_fits):
    X, y, poisson, negbin = sim_fits
    with pytest.raises(ValueError, match="one entry per observation; got y 400, X_a 399"):
        vuong_test(poisson, negbin, X.iloc[:-1], y)
    with pytest.raises(ValueError, match="sample_weight 10"):
        vuong_test(poisson, negbin, X, y, sample_weight=np.ones(10))
    with pytest.raises(ValueError, match="offset_a 3"):
        vuong_test(poisson, negbin, X, y, offset=np.zeros(3))
    with pytest.raises(ValueError, match="X_b 399"):
        vuong_test(poisson, negbin, (X, X.iloc[:-1]), y)
    with pytest.raises(ValueError, match=r"\(X_a, X_b\).*tuple of 3"):
        vuong_test(poisson, negbin, (X, X, X), y)


def test_vuong_models_must_be_fitted(sim_fits):
    X, y, poisson, _ = sim_fits
    unfitted = FisherGLMRegressor(family="negative_binomial")
    with pytest.raises(NotFittedError, match="model_b .* is not fitted"):
        vuong_test(poisson, unfitted, X, y)
    assert issubclass(NotFittedError, ValueError)
    with pytest.raises(ValueError, match="model_a must be a fitted estimator"):
        vuong_test(object(), poisson, X, y)


def test_vuong_refuses_data_other_than_the_fits(sim_fits, randhie_distinct):
    X, y, poisson, negbin = sim_fits
    with pytest.raises(ValueError, match="not the data"):
        vuong_test(poisson, negbin, X, y[::-1].copy())
    X_d, y_d, n, poisson_d, negbin_d = randhie_distinct
    with pytest.raises(ValueError, match="nobs_ = 20190 .* Σ sample_weight = 9125"):
        vuong_test(poisson_d, negbin_d, X_d, y_d)  # the weights forgotten


def test_vuong_refuses_quasi_and_non_count_families(sim_fits):
    X, y, poisson, _ = sim_fits
    gamma = FisherGLMRegressor(family="gamma", link="log").fit(X, y + 0.5)
    with pytest.raises(ValueError, match="gamma family, but the test needs a count family"):
        vuong_test(gamma, poisson, X, y + 0.5)
    from skfisher.families import FAMILY_NAMES

    if "quasi_poisson" not in FAMILY_NAMES:
        pytest.skip("no quasi-Poisson family")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quasi = FisherGLMRegressor(family="quasi_poisson").fit(X, y)
    with pytest.raises(ValueError, match="model_b .* has no log-likelihood"):
        vuong_test(poisson, quasi, X, y)


class _RowsModel(BaseEstimator):
    """A fitted model known only by ``_loglik_rows`` (the duck-typed path)."""

    def __init__(self, rows=None, loglik=None, n_params=2):
        self.rows = rows
        self.loglik = loglik
        self.n_params = n_params
        # Fitted from the start: the attributes the test reads.
        self.params_ = np.zeros(n_params)
        if loglik is not None:
            self.loglik_ = loglik

    def fit(self, X, y):  # pragma: no cover - never called
        return self

    def _loglik_rows(self, X, y, offset=None):
        return np.asarray(self.rows, dtype=float)


def test_vuong_duck_typed_models():
    rng = np.random.default_rng(0)
    y = rng.poisson(2.0, size=50).astype(float)
    rows_a, rows_b = stats.poisson.logpmf(y, 2.0), stats.poisson.logpmf(y, y.mean())
    X = np.zeros((50, 1))
    result = vuong_test(_RowsModel(rows_a), _RowsModel(rows_b, n_params=1), X, y)
    m = rows_a - rows_b
    corrections = np.array([0.0, 1 / 50, np.log(50) / 100])
    assert_allclose(result.statistic, np.sqrt(50) * (m.mean() - corrections) / m.std(ddof=1))
    with pytest.raises(ValueError, match="loglik_ = nan"):
        vuong_test(_RowsModel(rows_a, loglik=np.nan), _RowsModel(rows_b), X, y)
    with pytest.raises(ValueError, match="not finite"):
        vuong_test(_RowsModel(np.append(rows_a[1:], -np.inf)), _RowsModel(rows_b), X, y)
    with pytest.raises(ValueError, match="one value per row"):
        vuong_test(_RowsModel(rows_a[1:]), _RowsModel(rows_b), X, y)


def test_vuong_refuses_models_without_a_likelihood_per_row(sim_fits):
    from sklearn.linear_model import PoissonRegressor

    X, y, poisson, _ = sim_fits
    sklearn_poisson = PoissonRegressor().fit(X, y)
    with pytest.raises(ValueError, match="has no params_"):
        vuong_test(sklearn_poisson, poisson, X, y)
    mle = _RowsModel(np.zeros(len(y)))
    mle._loglik_rows = None  # neither the method nor a family_
    with pytest.raises(ValueError, match="gives no log-likelihood per observation"):
        vuong_test(mle, poisson, X, y)


def test_vuong_other_errors(sim_fits):
    X, y, poisson, negbin = sim_fits
    with pytest.raises(ValueError, match="same log-likelihood"):
        vuong_test(poisson, poisson, X, y)
    with pytest.raises(ValueError, match="n_params must be a pair"):
        vuong_test(poisson, negbin, X, y, n_params=(3, -1))
    with pytest.raises(ValueError, match="n_params must be a pair"):
        vuong_test(poisson, negbin, X, y, n_params=3)
    penalised = FisherPoissonRegressor(alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match="L2 penalty"):
        vuong_test(penalised, negbin, X, y)
    with pytest.raises(ValueError, match="must be non-negative"):
        vuong_test(poisson, negbin, X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="must hold counts"):
        vuong_test(poisson, negbin, X, y + 0.5)


def test_vuong_warns_on_an_unconverged_fit(sim_fits):
    X, y, poisson, _ = sim_fits
    with pytest.warns(ConvergenceWarning):
        short = FisherGLMRegressor(family="negative_binomial", max_iter=2).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="Vuong test assumes"):
        vuong_test(poisson, short, X, y)


def test_overdispersion_errors(sim_fits):
    X, y, poisson, negbin = sim_fits
    with pytest.raises(ValueError, match="poisson_model must be a Poisson GLM"):
        overdispersion_test(negbin, poisson)
    fixed = FisherGLMRegressor(family=NegativeBinomial(alpha=0.5)).fit(X, y)
    with pytest.raises(ValueError, match="fixed α is not a parameter"):
        overdispersion_test(poisson, fixed)
    fewer = FisherGLMRegressor(family="negative_binomial").fit(X[["x1"]], y)
    with pytest.raises(ValueError, match="must have the features of poisson_model"):
        overdispersion_test(poisson, fewer)
    other_y = FisherGLMRegressor(family="negative_binomial").fit(X, y[::-1].copy())
    with pytest.raises(ValueError, match="not nested in nb_model .* response"):
        overdispersion_test(poisson, other_y)
    # Arrays name their columns by position: other columns under the same names.
    on_arrays = FisherPoissonRegressor().fit(X.to_numpy(), y)
    swapped = FisherGLMRegressor(family="negative_binomial").fit(X.to_numpy()[::-1], y)
    with pytest.raises(ValueError, match="not nested"):
        overdispersion_test(on_arrays, swapped)
    with pytest.raises(ValueError, match="L2 penalty"):
        overdispersion_test(
            poisson, FisherGLMRegressor(family="negative_binomial", alpha=0.1).fit(X, y)
        )
    identity = FisherGLMRegressor(family="poisson", link="identity").fit(X, y + 0.0)
    with pytest.raises(ValueError, match="log link"):
        overdispersion_test(identity, negbin)
    with pytest.raises(NotFittedError):
        overdispersion_test(poisson, FisherGLMRegressor(family="negative_binomial"))


def test_overdispersion_refuses_a_negative_binomial_below_the_poisson(sim_fits):
    X, y, poisson, _ = sim_fits
    with pytest.warns(UserWarning):
        short = FisherGLMRegressor(family="negative_binomial", max_iter=1).fit(X, y)
    if short.loglik_ >= poisson.loglik_:
        pytest.skip("one iteration already beats the Poisson fit")
    with pytest.warns(ConvergenceWarning), pytest.raises(ValueError, match="below the Poisson"):
        overdispersion_test(poisson, short)


@pytest.mark.parametrize("module", ["_vuong", "_overdispersion"])
def test_docstring_examples_run(module):
    import importlib

    mod = importlib.import_module(f"skfisher.inference.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
