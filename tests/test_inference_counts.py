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
from sklearn.exceptions import NotFittedError

import skfisher.datasets
from skfisher import FisherGLMRegressor, FisherPoissonRegressor
from skfisher.datasets import load_randhie
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
