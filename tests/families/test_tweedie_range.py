"""Tweedie for every variance power p = 0 and p ≥ 1: fits, the density and refusals.

The fits are checked as ``tests/linear_model/test_glm.py`` checks the other
families, against statsmodels' ``GLM(family=Tweedie(var_power=p, link=...))``:
``fisher`` is its ``bse``, ``observed`` the inverse of
``-model.hessian(params, scale, observed=True)``, ``empirical`` the inverse of
``Σ_i score_obs_i score_obs_iᵀ / w_i``, ``sandwich`` its ``cov_type="HC0"`` and
``cluster`` its ``cov_type="cluster"``; ``dispersion_`` is its Pearson scale.
They are checked against R's ``glm`` with statmod's ``tweedie`` family
(``tests/reference/make_tweedie_reference.R``), and at p = 0, 1, 2 and 3
against the gaussian, Poisson, gamma and inverse Gaussian fits.

The density for p > 2 is checked against mpmath
(``tests/reference/make_tweedie_density.py``), against the inverse Gaussian's
closed form through the general stable-law code at p = 3, and, like the
compound Poisson–gamma density of 1 < p < 2, by integrating to 1 with mean μ
and variance φ μ^p.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from skfisher import FisherGLMRegressor
from skfisher.families import Tweedie
from skfisher.families._tweedie_stable import log_tweedie_stable_a

pytestmark = [
    pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.DomainWarning"),
    # statsmodels' own Poisson-type deviance at y = 0 (its np.where evaluates both sides).
    pytest.mark.filterwarnings("ignore::RuntimeWarning:statsmodels"),
]

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
R_FITS = json.loads((REFERENCE / "tweedie_r.json").read_text(encoding="utf-8"))
DENSITY = json.loads((REFERENCE / "tweedie_density.json").read_text(encoding="utf-8"))
COV_TYPES = ("fisher", "observed", "empirical", "sandwich")
SM_LINK = {"log": sm.families.links.Log, "identity": sm.families.links.Identity}
PARAMS_RTOL = 1e-6
SE_RTOL = 1e-5
SCALE_RTOL = 1e-8
LOGLIK_RTOL = 1e-8
# The powers and links compared with statsmodels: every kind of density.
CASES = [
    (0.0, "log"),
    (0.0, "identity"),
    (1.0, "log"),
    (1.5, "log"),
    (1.5, "identity"),
    (2.0, "log"),
    (2.5, "log"),
    (3.0, "log"),
    (3.0, "identity"),
    (4.0, "log"),
]


def tweedie_problem(p, link, seed=0, n=300):
    """X (n, 3), a response of power p, integer weights (zeros included), an offset."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 0.5, 2.0]
    offset = rng.normal(scale=0.01, size=n)
    linear = 0.5 * (0.25 * X[:, 0] - 0.3 * X[:, 1] + 0.05 * X[:, 2]) + offset
    mu = 3.0 * np.exp(linear) if link == "log" else 3.0 * (1.0 + linear)
    weights = rng.integers(0, 4, size=n).astype(float)
    if p == 0:
        y = mu + rng.normal(scale=0.5, size=n)
    elif p == 1:
        y = 0.5 * rng.poisson(mu / 0.5)  # φ N, N Poisson of mean μ/φ
    elif p < 2:
        phi = 0.7  # a Poisson number of gamma summands (Jørgensen 1987)
        counts = rng.poisson(mu ** (2 - p) / (phi * (2 - p)))
        y = rng.gamma(np.maximum(counts, 1) * (2 - p) / (p - 1), phi * (p - 1) * mu ** (p - 1))
        y[counts == 0] = 0.0
    elif p == 3:
        y = rng.wald(mu, 20.0)
    else:
        y = rng.gamma(4.0, mu / 4.0)
    return X, y, weights, offset


def fit(p, link, X, y, w=None, offset=None, cov_type="fisher", groups=None):
    """Our fit with every warning an error, to a step of 1e-10 standard errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = FisherGLMRegressor(Tweedie(p), link, tol=1e-10, max_iter=200, cov_type=cov_type)
        return model.fit(X, y, sample_weight=w, offset=offset, groups=groups)


def statsmodels_fit(p, link, X, y, w, offset):
    """statsmodels' Tweedie fit and its standard errors for each cov_type."""
    exog = sm.add_constant(np.asarray(X, dtype=float), has_constant="add")
    keep = w > 0  # statsmodels' HC0 divides the score rows by sqrt(w)
    exog, y, w, offset = exog[keep], y[keep], w[keep], offset[keep]
    family = sm.families.Tweedie(var_power=p, link=SM_LINK[link]())
    model = sm.GLM(y, exog, family=family, freq_weights=w, offset=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.fit(tol=1e-13, maxiter=2000)
        robust = model.fit(tol=1e-13, maxiter=2000, cov_type="HC0", start_params=result.params)
    assert result.converged
    observed = -model.hessian(result.params, scale=result.scale, observed=True)
    scores = model.score_obs(result.params, scale=result.scale)
    empirical = scores.T @ (scores / w[:, None])
    return result, {
        "fisher": result.bse,
        "observed": np.sqrt(np.diag(np.linalg.inv(observed))),
        "empirical": np.sqrt(np.diag(np.linalg.inv(empirical))),
        "sandwich": robust.bse,
    }


def max_rel(actual, expected):
    return float(np.max(np.abs(np.asarray(actual) - expected) / np.abs(expected)))


# Fits against statsmodels ---------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("p, link", CASES, ids=[f"p{p:g}-{k}" for p, k in CASES])
def test_every_cov_type_matches_statsmodels(p, link, seed):
    X, y, w, offset = tweedie_problem(p, link, seed)
    reference, bse = statsmodels_fit(p, link, X, y, w, offset)
    for cov_type in COV_TYPES:
        ours = fit(p, link, X, y, w, offset, cov_type=cov_type)
        assert ours.converged_
        assert_allclose(ours.params_, reference.params, rtol=PARAMS_RTOL)
        assert_allclose(ours.standard_errors_, bse[cov_type], rtol=SE_RTOL)
        assert_allclose(ours.standard_errors(cov_type), bse[cov_type], rtol=SE_RTOL)
    assert_allclose(ours.dispersion_, reference.scale, rtol=SCALE_RTOL)
    assert_allclose(ours.deviance_, reference.deviance, rtol=1e-8)
    if 1 < p <= 2:
        # statsmodels has the density only there (the series and the gamma).
        assert_allclose(ours.loglik_, reference.llf, rtol=LOGLIK_RTOL)
    assert np.isnan(ours.loglik_) == (p == 1)


@pytest.mark.parametrize("p, link", [(0.0, "identity"), (1.0, "log"), (1.5, "log"), (3.0, "log")])
def test_cluster_covariance_matches_statsmodels(p, link):
    # Without weights: statsmodels' small-sample factor counts rows, ours Σw.
    X, y, _, offset = tweedie_problem(p, link, seed=9)
    groups = np.random.default_rng(9).integers(0, 25, size=len(y))
    ours = fit(p, link, X, y, None, offset, cov_type="cluster", groups=groups)
    family = sm.families.Tweedie(var_power=p, link=SM_LINK[link]())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sm.GLM(y, sm.add_constant(X), family=family, offset=offset).fit(
            tol=1e-13, cov_type="cluster", cov_kwds={"groups": groups}
        )
    assert_allclose(ours.params_, reference.params, rtol=PARAMS_RTOL)
    assert_allclose(ours.standard_errors_, reference.bse, rtol=SE_RTOL)


@pytest.mark.parametrize("case", [k for k in R_FITS if k.startswith("p")])
def test_matches_r_glm_with_statmod_tweedie(case):
    reference = R_FITS[case]
    X, y = np.asarray(R_FITS["X"]), np.asarray(reference["y"])
    model = fit(reference["power"], reference["link"], X, y)
    # R's IRLS stops on a relative change of the deviance below 1e-14, which
    # leaves its estimate up to 4e-7 standard errors short of the maximum
    # (statsmodels' agrees with ours to 1e-9 on the same data); its φ̂ and
    # standard errors follow from that estimate, 1.5e-8 away at most.
    difference = np.abs(model.params_ - reference["coefficients"])
    assert np.all(difference <= 1e-6 * model.standard_errors_)
    assert_allclose(model.params_, reference["coefficients"], rtol=PARAMS_RTOL, atol=1e-7)
    assert_allclose(model.dispersion_, reference["dispersion"], rtol=5e-8)
    assert_allclose(model.standard_errors_, reference["standard_errors"], rtol=5e-8)


# The powers that are other families -------------------------------------------------
@pytest.mark.parametrize(
    "p, family, link",
    [
        (0.0, "gaussian", "identity"),
        (0.0, "gaussian", "log"),
        (2.0, "gamma", "log"),
        (2.0, "gamma", "identity"),
        (3.0, "inverse_gaussian", "log"),
        (3.0, "inverse_gaussian", "identity"),
    ],
)
def test_powers_0_2_3_are_the_gaussian_gamma_and_inverse_gaussian(p, family, link):
    X, y, w, offset = tweedie_problem(p, link, seed=4)
    ours = fit(p, link, X, y, w, offset)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        other = FisherGLMRegressor(family, link, tol=1e-10).fit(X, y, w, offset=offset)
    assert_allclose(ours.params_, other.params_, rtol=1e-9)
    for cov_type in (*COV_TYPES, None):
        assert_allclose(ours.standard_errors(cov_type), other.standard_errors(cov_type), rtol=1e-8)
    for name in ("dispersion_", "deviance_", "loglik_", "aic_", "bic_"):
        assert_allclose(getattr(ours, name), getattr(other, name), rtol=1e-10, err_msg=name)
    assert np.isfinite(ours.loglik_)


@pytest.mark.parametrize("link", ["log", "identity"])
def test_power_1_is_poisson_with_a_dispersion_and_no_likelihood(link):
    X, y, w, offset = tweedie_problem(1.0, link, seed=5)
    ours = fit(1.0, link, X, y, w, offset)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        poisson = FisherGLMRegressor("poisson", link, tol=1e-10).fit(X, y, w, offset=offset)
    phi = ours.dispersion_
    assert phi == pytest.approx(0.5, rel=0.2)  # y = φ N: φ̂ near 0.5, far from 1
    assert_allclose(ours.params_, poisson.params_, rtol=1e-9)
    assert_allclose(ours.deviance_, poisson.deviance_, rtol=1e-10)
    # I and J scale by 1/φ̂, F by 1/φ̂²; the sandwich is the Poisson's.
    for cov_type, power in (("fisher", 0.5), ("observed", 0.5), ("empirical", 1.0)):
        expected = poisson.standard_errors(cov_type) * phi**power
        assert_allclose(ours.standard_errors(cov_type), expected, rtol=1e-8)
    assert_allclose(ours.standard_errors("sandwich"), poisson.standard_errors("sandwich"))
    assert np.isnan(ours.loglik_) and np.isnan(ours.aic_) and np.isnan(ours.bic_)
    assert "nan" in Tweedie.__doc__ and "multiples of φ" in Tweedie.__doc__


# The density --------------------------------------------------------------------------
def test_density_above_2_matches_mpmath():
    rows = np.asarray(DENSITY["rows"])
    assert len(rows) > 90 and set(rows[:, 0]) >= {2.02, 2.5, 3.5, 12.0}
    for p in np.unique(rows[:, 0]):
        at = rows[rows[:, 0] == p]
        ours = Tweedie(p).loglik_obs(at[:, 1], at[:, 2], at[:, 3])
        # |log f| up to 260: 1e-13 of it is the rounding of the tilt (y θ − κ)/φ.
        assert_allclose(ours, at[:, 4], rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("phi", [1e-4, 1e-2, 1.0, 1e2, 1e6])
def test_stable_law_at_3_is_the_inverse_gaussian(phi):
    # The general p > 2 code (series and integral) at p = 3, where α = 1/2 and the
    # density has a closed form, from y deep in the left tail to far in the right.
    y = np.geomspace(1e-6, 1e6, 601)
    mu = np.full_like(y, 1.5)
    tilt = (y * mu**-2 / -2.0 - (-1.0 / mu)) / phi
    stable = log_tweedie_stable_a(y, np.full_like(y, phi), 3.0) + tilt
    closed = Tweedie(3.0).loglik_obs(y, mu, phi)
    finite = np.isfinite(closed)
    # The two large terms cancel: the bound is in units of their size.
    bound = 1e-13 * (1.0 + np.abs(tilt[finite]) + np.abs(closed[finite]))
    assert np.all(np.abs(stable[finite] - closed[finite]) <= bound)


@pytest.mark.parametrize("p", [1.5, 1.65, 1.8, 1.95])
@pytest.mark.parametrize("phi", [0.1, 1.0, 5.0])
def test_density_below_2_matches_statsmodels_where_scipy_is_accurate(p, phi):
    # γ = (2 − p)/(p − 1) ≤ 1: scipy's log_wright_bessel is accurate to ~1e-12.
    y = np.r_[0.0, np.geomspace(1e-3, 40.0, 60)]
    mu = np.full_like(y, 2.0)
    reference = sm.families.Tweedie(var_power=p, eql=False).loglike_obs(y, mu, scale=phi)
    assert_allclose(Tweedie(p).loglik_obs(y, mu, phi), reference, rtol=1e-10, atol=1e-11)


def _moments(p, mu, phi):
    """``∫ f``, ``∫ y f`` and ``∫ (y − μ)² f`` over y > 0 (plus the mass at 0), in t = log y.

    Composite 20-point Gauss–Legendre: panels 4 wide in the smooth left tail, and
    narrow ones (a quarter of the spread in t, at most 0.05) over the bulk.
    """
    spread = np.sqrt(phi * mu ** (p - 2.0))
    # The right tail falls as exp(y θ/φ), by e every φ (p − 1) μ^{p−1}.
    top = np.log(mu + 80.0 * np.sqrt(phi * mu**p) + 60.0 * phi * (p - 1) * mu ** (p - 1)) + 1.0
    width = min(0.05, spread / 4.0)
    edges = np.r_[
        np.arange(-700.0, np.log(mu) - 6.0, 4.0), np.arange(np.log(mu) - 6.0, top, width)
    ]
    nodes, weights = np.polynomial.legendre.leggauss(20)
    half = np.diff(edges)[:, None] / 2
    t = (edges[:-1, None] + half + half * nodes).ravel()
    y = np.exp(t)
    density = np.exp(Tweedie(p).loglik_obs(y, np.full_like(y, mu), phi)) * y
    assert density[-1] < 1e-18 * density.max()  # the right end leaves nothing out
    w = (half * weights).ravel() * density
    zero = np.exp(-(mu ** (2 - p)) / (phi * (2 - p))) if p < 2 else 0.0
    return w.sum() + zero, w @ y, w @ np.square(y - mu) + zero * mu**2


@pytest.mark.parametrize(
    "p, phi",
    [(1.05, 0.1), (1.5, 1.0), (1.9, 5.0), (2.02, 5.0), (2.5, 0.05), (3.5, 1.0), (5.0, 0.3)]
    + [(12.0, 5.0), (2.001, 0.01)],
)
def test_density_integrates_to_one_with_mean_mu_and_variance_phi_mu_p(p, phi):
    mu = 1.5
    total, mean, variance = _moments(p, mu, phi)
    assert_allclose(total, 1.0, rtol=1e-10)
    assert_allclose(mean, mu, rtol=1e-10)
    assert_allclose(variance, phi * mu**p, rtol=1e-9)


def test_extreme_y_and_phi_above_2_are_quiet_and_never_nan():
    y = np.geomspace(1e-30, 1e30, 121)
    for p in (2.0001, 2.02, 2.5, 3.5, 12.0, 100.0):
        for phi in (1e-8, 1e-3, 1.0, 1e3, 1e8):
            for mu in (1e-6, 1.5, 1e6):
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    value = Tweedie(p).loglik_obs(y, np.full_like(y, mu), phi)
                assert not np.isnan(value).any() and not (value == np.inf).any(), (p, phi, mu)
                # −∞ only where the density is below the smallest double's logarithm.
                moderate = (y > 1e-3) & (y < 1e3)
                if mu == 1.5 and 1e-3 <= phi <= 1e3 and p <= 12:
                    assert np.isfinite(value[moderate]).all(), (p, phi)


# Refusals -------------------------------------------------------------------------------
@pytest.mark.parametrize("power", [0.5, 0.01, -0.5, -2.0])
def test_a_power_without_a_distribution_is_refused(power):
    with pytest.raises(ValueError, match=r"must be 0 \(normal\) or at least 1"):
        Tweedie(power)


@pytest.mark.parametrize(
    "p, bad, support",
    [(1.0, -0.1, r"\[0, inf\)"), (1.5, -2.0, r"\[0, inf\)")]
    + [(2.0, 0.0, r"\(0, inf\)"), (2.5, 0.0, r"\(0, inf\)"), (3.0, -1.0, r"\(0, inf\)")],
)
def test_a_response_outside_the_support_is_refused(p, bad, support):
    X, y, _, _ = tweedie_problem(3.0, "log")
    y = y.copy()
    y[5] = bad
    with pytest.raises(ValueError, match=rf"tweedie family requires y in {support}"):
        FisherGLMRegressor(Tweedie(p)).fit(X, y)


def test_power_0_takes_negative_responses_and_other_links_are_refused():
    X, y, _, _ = tweedie_problem(0.0, "identity")
    model = fit(0.0, "identity", X, y - 5.0)
    assert model.converged_ and np.any(y - 5.0 < 0)
    assert Tweedie(0).support.low == -np.inf and Tweedie(2).support.low_inclusive is False
    with pytest.raises(ValueError, match=r"allowed links are \['log', 'identity'\]"):
        FisherGLMRegressor(Tweedie(2.5), "inverse").fit(X, y + 10.0)
