"""Student's t: full precision as df grows, and the normal limit df = ∞ as a boundary."""

import math
import warnings
from decimal import Decimal, getcontext

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold

from skfisher import MLEDistribution
from skfisher.distributions import StudentT
from skfisher.distributions._special import t_df_information, t_log_normaliser
from skfisher.exceptions import BoundaryWarning


def _exact_log_normaliser(df):
    """``log Γ((ν+1)/2) − log Γ(ν/2) − ½ log νπ`` for even ν, to 50 digits.

    With ``a = ν/2`` an integer, ``Γ(a + ½)/Γ(a) = √π (2a − 1)! / ((a − 1)!² 2^{2a−1})``.
    """
    getcontext().prec = 60
    a = df // 2
    ratio = Decimal(math.factorial(2 * a - 1)) / Decimal(
        math.factorial(a - 1) ** 2 * 2 ** (2 * a - 1)
    )
    pi = Decimal("3.14159265358979323846264338327950288419716939937510582097494")
    return float(ratio.ln() + pi.ln() / 2 - (Decimal(df) * pi).ln() / 2)


@pytest.mark.parametrize("df", [2, 20, 22, 100, 10_000])
def test_log_normaliser_to_full_precision(df):
    # scipy's own t.logpdf(0, 1e4) is off by 2.3e-12 relative; the series is not.
    exact = _exact_log_normaliser(df)
    assert abs(float(t_log_normaliser(float(df))) - exact) <= 4e-16 * abs(exact)


def test_df_information_tends_to_seven_halves_over_df_to_the_fourth():
    # I_df ≈ 7/(2 df⁴) (1 + O(1/df)); the naive trigamma difference gave 0 or noise here.
    for df in (1e4, 1e7, 1e12):
        assert t_df_information(df) == pytest.approx(3.5 / df**4, rel=10.0 / df)
    assert t_df_information(np.inf) == 0.0


@pytest.mark.parametrize("df", [1e6, 1e7, 1e12, 1e200])
def test_large_df_log_density_equals_scipy(df):
    x = np.linspace(-30.0, 30.0, 61)
    ours = StudentT().logpdf(x, [0.5, 2.0, df])
    # scipy's normaliser is accurate to 1e-15 at these df (measured against the exact value).
    np.testing.assert_allclose(ours, stats.t.logpdf(x, df, 0.5, 2.0), rtol=1e-13)


def test_diabetes_grid_search_picks_the_normal():
    """The reported case: df ≈ 1e7 and a log-likelihood 246 too high chose the t."""
    y = load_diabetes().target
    grid = {"family": ["normal", "student_t", "logistic"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        search = GridSearchCV(MLEDistribution(), grid).fit(y.reshape(-1, 1))
    assert search.best_params_ == {"family": "normal"}
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] == pytest.approx(scores[0], rel=1e-12)  # the t's limit is the normal
    for train, _ in KFold(5).split(y):
        with pytest.warns(BoundaryWarning, match="df is infinite.*normal"):
            model = MLEDistribution("student_t").fit(y[train])
        loc, scale, df = model.params_
        assert df == np.inf and np.isnan(model.standard_errors_[2])
        expected = stats.t.logpdf(y[train], df, loc, scale).sum()
        assert model.loglik_ == pytest.approx(expected, rel=1e-12)
        normal = MLEDistribution("normal").fit(y[train])
        np.testing.assert_allclose(model.params_[:2], normal.params_, rtol=1e-12)
        np.testing.assert_allclose(model.standard_errors_[:2], normal.standard_errors_, rtol=1e-10)
        assert model.converged_


def test_slightly_heavy_tails_give_a_finite_large_df():
    # A mixture with excess kurtosis ≈ 0.1: the MLE of df is finite and large.
    rng = np.random.default_rng(3)
    x = stats.t(60.0).rvs(size=20_000, random_state=rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = MLEDistribution("student_t").fit(x)
    assert model.converged_ and np.isfinite(model.params_[2]) and model.params_[2] > 20
    loc, scale, df = model.params_
    assert model.loglik_ == pytest.approx(stats.t.logpdf(x, df, loc, scale).sum(), rel=1e-12)
    assert model.loglik_ > MLEDistribution("normal").fit(x).loglik_


def test_df_score_is_finite_far_in_the_tail():
    # z²/(df + z²) rounds to 1 at |z| = 1e14: −log(1 − v) is log1p(z²/df).
    import scipy.stats

    from skfisher.distributions._real_line import StudentT

    x = np.array([1e14, -1e10, 3.0, 1e3])
    score = StudentT().score({"x": x}, np.array([0.0, 1.0, 1.0]))[2]
    h = 1e-6
    numerical = (scipy.stats.t.logpdf(x, 1 + h) - scipy.stats.t.logpdf(x, 1 - h)) / (2 * h)
    np.testing.assert_allclose(score, numerical, rtol=1e-7)
