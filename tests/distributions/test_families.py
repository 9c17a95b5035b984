"""Each analytic family's formulas against scipy.stats, numerical derivatives and Monte Carlo."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import polygamma

from skfisher.distributions import FAMILIES
from skfisher.distributions._registry import resolve_family
from skfisher.distributions._sample import PointStatistics, WeightedSample

# (constants, θ in param_names order) for each family.
CASES = {
    "normal": ({}, [1.5, 2.0]),
    "lognormal": ({}, [0.6, 2.0]),
    "exponential": ({}, [2.0]),
    "gamma": ({}, [2.5, 3.0]),
    "weibull": ({}, [1.7, 3.0]),
    "beta": ({}, [2.0, 5.0]),
    "logistic": ({}, [1.0, 2.0]),
    "student_t": ({}, [1.0, 2.0, 5.0]),
    "inverse_gaussian": ({}, [0.5, 3.0]),
    "von_mises": ({}, [1.0, 2.0]),
    "poisson": ({}, [3.2]),
    "negative_binomial": ({}, [2.5, 0.3]),
    "geometric": ({}, [0.3]),
    "bernoulli": ({}, [0.3]),
    "binomial": ({"n": 10}, [0.3]),
}


def test_every_family_has_a_case():
    assert set(CASES) == set(FAMILIES)


def _family(name):
    constants, theta = CASES[name]
    family, _ = resolve_family(name, constants)
    return family, np.array(theta, dtype=float)


def _draws(name, size, seed):
    family, theta = _family(name)
    return family.to_scipy(theta).rvs(size=size, random_state=seed).astype(float)


def _scipy_logpdf(family, x, theta):
    frozen = family.to_scipy(theta)
    return frozen.logpmf(x) if family.discrete else frozen.logpdf(x)


def _hessian_obs(family, x, theta):
    """Per-observation Hessians (n, k, k): analytic, or differences of the analytic score."""
    k = len(theta)
    if family.hessian is not None:
        with np.errstate(all="ignore"):
            entries = family.hessian(PointStatistics(family.statistics(x)), theta)
        return np.stack(
            [np.stack([np.broadcast_to(e, x.shape) for e in r], -1) for r in entries], 1
        )
    out = np.empty((len(x), k, k))
    for j in range(k):
        h = 1e-5 * max(abs(theta[j]), 1.0)
        step = np.zeros(k)
        step[j] = h
        out[:, :, j] = (family.score_obs(x, theta + step) - family.score_obs(x, theta - step)) / (
            2 * h
        )
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_logpdf_equals_scipy(name):
    family, theta = _family(name)
    x = _draws(name, 300, seed=1)
    # Same formula up to rounding: scipy evaluates the same closed forms.
    np.testing.assert_allclose(
        family.logpdf(x, theta), _scipy_logpdf(family, x, theta), rtol=1e-10
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_score_equals_numerical_derivative_of_scipy_logpdf(name):
    family, theta = _family(name)
    x = _draws(name, 300, seed=2)
    analytic = family.score_obs(x, theta)
    for j in range(len(theta)):
        h = 1e-5 * abs(theta[j])
        step = np.zeros_like(theta)
        step[j] = h
        numeric = (
            _scipy_logpdf(family, x, theta + step) - _scipy_logpdf(family, x, theta - step)
        ) / (2 * h)
        # Central differences with a relative step of 1e-5: truncation ~1e-10,
        # rounding ~1e-16·|log p|/1e-5 ~ 1e-10; scaled by the score's spread.
        scale = np.std(analytic[:, j])
        np.testing.assert_allclose(analytic[:, j], numeric, rtol=1e-6, atol=1e-7 * scale)


@pytest.mark.parametrize("name", sorted(n for n in CASES if FAMILIES[n].hessian is not None))
def test_analytic_hessian_equals_derivative_of_score(name):
    family, theta = _family(name)
    x = _draws(name, 300, seed=3)
    analytic = _hessian_obs(family, x, theta)
    for j in range(len(theta)):
        h = 1e-5 * abs(theta[j])
        step = np.zeros_like(theta)
        step[j] = h
        numeric = (family.score_obs(x, theta + step) - family.score_obs(x, theta - step)) / (2 * h)
        scale = np.abs(analytic).max()
        np.testing.assert_allclose(analytic[:, :, j], numeric, rtol=1e-6, atol=1e-8 * scale)


@pytest.mark.parametrize("name", sorted(CASES))
def test_information_equals_monte_carlo(name):
    """I(θ) = Cov(s) = −E[∇² log p], each within 4.5 Monte Carlo standard errors."""
    family, theta = _family(name)
    m = 200_000
    x = _draws(name, m, seed=4)
    info = family.information(theta)
    S = family.score_obs(x, theta)
    H = _hessian_obs(family, x, theta)
    k = len(theta)
    for a in range(k):
        for b in range(k):
            outer = S[:, a] * S[:, b]
            se = outer.std() / np.sqrt(m)
            assert abs(outer.mean() - info[a, b]) < 4.5 * se + 1e-12, ("Cov(s)", a, b)
            neg = -H[:, a, b]
            se = neg.std() / np.sqrt(m)
            assert abs(neg.mean() - info[a, b]) < 4.5 * se + 1e-9 * abs(info[a, b]), ("-H", a, b)
    # The score has mean zero at the true θ.
    se = S.std(axis=0) / np.sqrt(m)
    assert np.all(np.abs(S.mean(axis=0)) < 4.5 * se)


@pytest.mark.parametrize("name", sorted(CASES))
def test_totals_equal_weighted_sums_of_observations(name):
    """The totals the loop uses (often from sufficient statistics) equal the sums over rows."""
    family, theta = _family(name)
    x = _draws(name, 400, seed=5)
    w = np.random.default_rng(6).uniform(0.2, 3.0, size=x.size)
    sample = WeightedSample(x, w, family)
    free = np.arange(len(theta))
    S = family.score_obs(x, theta)
    H = _hessian_obs(family, x, theta)
    # Sums of a few hundred terms of either sign: rounding ~1e-13 relative to
    # the terms; the numerical Hessian (Student t) is good to ~1e-8.
    rtol = 1e-6 if family.hessian is None else 1e-9
    np.testing.assert_allclose(
        family.total_loglik(sample, theta), w @ family.logpdf(x, theta), rtol=1e-12
    )
    np.testing.assert_allclose(
        family.total_score(sample, theta), w @ S, rtol=1e-9, atol=1e-9 * np.abs(S).max() * w.sum()
    )
    expected_J = -np.einsum("i,ijk->jk", w, H)
    np.testing.assert_allclose(
        family.total_observed_information(sample, theta, free),
        expected_J,
        rtol=rtol,
        atol=rtol * np.abs(expected_J).max(),
    )
    np.testing.assert_allclose(
        family.total_empirical_fisher(sample, theta, free), S.T @ (w[:, None] * S), rtol=1e-9
    )


# The same family through the generic scipy path: (distribution, fixed, order of
# the generic parameters in the analytic family's param_names order).
GENERIC = {
    "normal": (stats.norm, {}, ["loc", "scale"]),
    "lognormal": (stats.lognorm, {"loc": 0.0}, ["s", "scale"]),
    "exponential": (stats.expon, {"loc": 0.0}, ["scale"]),
    "gamma": (stats.gamma, {"loc": 0.0}, ["a", "scale"]),
    "weibull": (stats.weibull_min, {"loc": 0.0}, ["c", "scale"]),
    "beta": (stats.beta, {"loc": 0.0, "scale": 1.0}, ["a", "b"]),
    "logistic": (stats.logistic, {}, ["loc", "scale"]),
    "student_t": (stats.t, {}, ["loc", "scale", "df"]),
    "inverse_gaussian": (stats.invgauss, {"loc": 0.0}, ["mu", "scale"]),
    "von_mises": (stats.vonmises, {"scale": 1.0}, ["loc", "kappa"]),
    "poisson": (stats.poisson, {}, ["mu"]),
    "geometric": (stats.geom, {}, ["p"]),
    "bernoulli": (stats.bernoulli, {}, ["p"]),
    "binomial": (stats.binom, {"n": 10}, ["p"]),
    # scipy declares nbinom's n an integer, so the generic path holds it fixed.
    "negative_binomial": (stats.nbinom, {"n": 2.5}, ["p"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_information_equals_quadrature(name):
    """The analytic I(θ) against E[s sᵀ] by quadrature (or an exact sum) of numerical scores."""
    family, theta = _family(name)
    dist, fixed, order = GENERIC[name]
    generic, held = resolve_family(dist, fixed)
    values = dict(zip(order, theta[-len(order) :], strict=True))
    values.update(held)
    generic_theta = np.array([values[p] for p in generic.param_names], dtype=float)
    free = [generic.param_names.index(p) for p in order]
    quadrature = generic.information(generic_theta)[np.ix_(free, free)]
    analytic = family.information(theta)
    # The negative binomial's n is held on the generic path: compare the p entry.
    keep = np.arange(len(theta))[-len(order) :]
    # Numerical scores (relative error ~1e-10) integrated to ~1e-12: agreement to
    # 1e-7 means the formula is right, not merely close.
    np.testing.assert_allclose(
        analytic[np.ix_(keep, keep)], quadrature, rtol=1e-7, atol=1e-9 * np.abs(analytic).max()
    )


def test_negative_binomial_information_for_n_equals_its_definition():
    family, (n, p) = _family("negative_binomial")
    x = np.arange(0, 2000)
    pmf = stats.nbinom.pmf(x, n, p)
    # −E[∂²/∂n² log p] = ψ'(n) − E ψ'(X + n), summed directly over the support.
    direct = polygamma(1, n) - pmf @ polygamma(1, x + n)
    np.testing.assert_allclose(family.information([n, p])[0, 0], direct, rtol=1e-12)
