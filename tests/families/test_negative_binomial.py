"""The negative binomial family (NB2): declarations, and the derivatives in α."""

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats

from skfisher.families import NegativeBinomial, get_family

from ._checks import (
    DiscreteExpectation,
    central_difference,
    check_eta_derivatives,
    check_loglik_matches,
    check_start_inside_domain,
    check_support,
    check_unit_deviance,
    check_variance_deriv,
)

ALPHA = 0.6
FAMILY = NegativeBinomial(ALPHA)
Y = np.array([0.0, 1.0, 2.0, 3.0, 7.0, 15.0, 60.0])
MU = np.array([0.3, 1.2, 2.5, 3.0, 6.0, 20.0, 40.0])


def _scipy(mu, alpha):
    return stats.nbinom(1 / alpha, 1 / (1 + alpha * mu))


@pytest.mark.parametrize("alpha", [1e-3, 0.01, ALPHA, 5.0])
def test_loglik_is_the_negative_binomial_log_pmf(alpha):
    check_loglik_matches(NegativeBinomial(alpha), Y, MU, 1.0, _scipy(MU, alpha).logpmf(Y))


def test_loglik_for_tiny_alpha_is_poisson_plus_the_first_order_term():
    # ℓ_NB = ℓ_Poisson + (α/2) [(y − μ)² − y] + O(α²). scipy's logpmf takes
    # differences of log Γ at 1/α and is off by ~1e-8 here; the running sums
    # over j < y keep every digit.
    alpha = 1e-7
    expansion = stats.poisson.logpmf(Y, MU) + alpha / 2 * ((Y - MU) ** 2 - Y)
    # The neglected O(α²) term is below 1e-14 × (y² + μ²)² ≈ 1e-8 for y = 60.
    assert_allclose(NegativeBinomial(alpha).loglik_obs(Y, MU), expansion, rtol=1e-12, atol=1e-8)


def test_loglik_of_non_integer_counts_matches_statsmodels():
    y = Y + 0.25
    reference = sm.families.NegativeBinomial(alpha=ALPHA).loglike_obs(y, MU)
    check_loglik_matches(FAMILY, y, MU, 1.0, reference)


def test_unit_deviance():
    check_unit_deviance(FAMILY, Y, MU)
    # statsmodels' closed form, independently.
    reference = sm.families.NegativeBinomial(alpha=ALPHA).resid_dev(Y, MU) ** 2
    assert_allclose(FAMILY.unit_deviance(Y, MU), reference, rtol=1e-10)


def test_variance():
    assert_allclose(FAMILY.variance(MU), _scipy(MU, ALPHA).var(), rtol=1e-12)
    check_variance_deriv(FAMILY, MU)


def test_support_and_start():
    check_support(FAMILY, Y, [-1.0])
    check_start_inside_domain(FAMILY, Y)


def test_eta_derivatives():
    mu0 = 2.5
    expectation = DiscreteExpectation(_scipy(mu0, ALPHA).logpmf, 400)
    check_eta_derivatives(FAMILY, "log", mu0, 1.0, expectation)


@pytest.mark.parametrize("alpha", [0.05, ALPHA, 4.0])
def test_alpha_derivatives_match_numerical_differentiation(alpha):
    family = NegativeBinomial(alpha)
    h = 1e-4 * alpha

    def loglik(a, y=Y, mu=MU):
        return NegativeBinomial(a).loglik_obs(y, mu)

    score = family.alpha_score_obs(Y, MU)
    # Fourth-order differences: score to ~1e-10, second derivatives to ~1e-6.
    assert_allclose(score, central_difference(loglik, alpha, h), rtol=1e-7, atol=1e-9)
    numeric = -central_difference(lambda a: NegativeBinomial(a).alpha_score_obs(Y, MU), alpha, h)
    assert_allclose(family.alpha_observed_obs(Y, MU), numeric, rtol=1e-6, atol=1e-8)
    # −∂²ℓ/∂η∂α with η = log μ: differentiate the α score along μ e^t.
    numeric_cross = -np.array(
        [
            central_difference(
                lambda t, y=y, m=m: family.alpha_score_obs(y, m * np.exp(t)), 0.0, 1e-4
            )
            for y, m in zip(Y, MU, strict=True)
        ]
    )
    assert_allclose(family.eta_alpha_observed_obs(Y, MU), numeric_cross, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("alpha", [0.01, 0.05, ALPHA, 4.0])
def test_alpha_information_is_the_variance_of_the_alpha_score(alpha):
    family = NegativeBinomial(alpha)
    mu = np.array([0.05, 0.7, 3.0, 25.0, 300.0])
    information = family.alpha_information_obs(mu)
    for m, info in zip(mu, information, strict=True):
        dist = _scipy(m, alpha)
        k = np.arange(dist.isf(1e-18) + 1)
        pmf = dist.pmf(k)
        mu_k = np.full_like(k, m, dtype=float)
        score = family.alpha_score_obs(k, mu_k)
        score_eta = (k - m) / (1 + alpha * m)
        # Summation over the support (to a tail of 1e-18) in double precision:
        # the score's own rounding at small α bounds the agreement.
        assert_allclose(pmf @ score**2, info, rtol=1e-8)
        assert_allclose(pmf @ family.alpha_observed_obs(k, mu_k), info, rtol=1e-8)
        # α and the coefficients are orthogonal: the cross information is 0.
        assert abs(pmf @ (score * score_eta)) < 1e-9 * np.sqrt(info * m)


def test_alpha_information_interpolated_for_many_rows_equals_the_series():
    rng = np.random.default_rng(0)
    for alpha in (1e-3, ALPHA, 10.0):
        family = NegativeBinomial(alpha)
        mu = np.exp(rng.uniform(-6.0, 6.0, 2000))
        # The Chebyshev interpolation stops at coefficients of 1e-12 relative.
        assert_allclose(
            family.alpha_information_obs(mu), family.alpha_information_series(mu), rtol=1e-10
        )


def test_alpha_information_tends_to_the_poisson_limit():
    # As α → 0, E[(∂ℓ/∂α)²] → μ²/2: the series stays accurate where a
    # difference of log Γ at r = 1/α would have lost every digit.
    mu = np.array([0.3, 2.0, 15.0])
    information = NegativeBinomial(1e-8).alpha_information_obs(mu)
    assert_allclose(information, mu**2 / 2, rtol=1e-6)


def test_alpha_must_be_positive():
    with pytest.raises(
        ValueError, match="alpha parameter of NegativeBinomial must be a positive float"
    ):
        NegativeBinomial(alpha=-1.0)
    with pytest.raises(
        ValueError, match="alpha parameter of NegativeBinomial must be a positive float"
    ):
        NegativeBinomial(alpha=0.0)


def test_estimated_alpha_has_no_variance():
    family = get_family("negative_binomial")
    assert family.alpha is None
    with pytest.raises(ValueError, match="has no fixed alpha"):
        family.variance(MU)
    assert repr(NegativeBinomial(0.5)) == "NegativeBinomial(alpha=0.5)"


def test_only_the_log_link():
    with pytest.raises(ValueError, match=r"allowed links are \['log'\]"):
        FAMILY.get_link("identity")


def test_alpha_information_integral_form_equals_the_series(monkeypatch):
    # Rows whose counts spread over more than 65536 values take an integral
    # form; where both are feasible they agree.
    import skfisher.families.negative_binomial as module

    mu = np.array([0.5, 5.0, 50.0, 500.0, 5000.0])
    family = NegativeBinomial(0.7)
    series = family.alpha_information_series(mu)
    monkeypatch.setattr(module, "_MAX_SERIES_TERMS", 0)
    # quad to a relative 1e-11; the series to rounding.
    assert_allclose(family.alpha_information_series(mu), series, rtol=1e-10)
    # As μ → ∞ the information tends to r⁴ ψ'(r) − r³, with an error of order
    # r⁴ E[1/Y] ≈ r⁵ / ((r − 1) μ): 1e-11 for α = 1/2 and μ = 1e12.
    from scipy.special import polygamma

    r = 2.0
    limit = r**4 * polygamma(1, r) - r**3
    big = NegativeBinomial(1 / r).alpha_information_series(np.array([1e12]))
    assert_allclose(big, limit, rtol=1e-9)
