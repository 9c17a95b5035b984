"""tweedie_profile: the Tweedie power by profile likelihood, with φ by maximum likelihood.

No R reference: R's ``tweedie`` package (``tweedie.profile``) is not installed
here. The profile is checked by its definition instead: each power's fit is
``FisherGLMRegressor(family=Tweedie(p))``, its φ maximises the same
log-likelihood over a fine grid and by scipy, the closed forms at p = 0 and 3
are the normal and inverse Gaussian maximum-likelihood φ, and on data
simulated with a known power the largest profile log-likelihood is at it.
"""

import doctest
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import optimize

from skfisher import FisherGLMRegressor
from skfisher.families import Tweedie
from skfisher.linear_model import TweedieProfile, tweedie_profile
from skfisher.linear_model import _tweedie_profile as module


def compound(n, p, phi, seed, link="log"):
    """X (n, 2) and a compound Poisson–gamma response of power 1 < p < 2."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    linear = 0.5 + X @ [0.3, -0.2]
    mu = np.exp(linear) if link == "log" else 1.0 + 0.5 * linear
    counts = rng.poisson(mu ** (2 - p) / (phi * (2 - p)))
    shape = np.maximum(counts, 1) * (2 - p) / (p - 1)
    y = rng.gamma(shape, phi * (p - 1) * mu ** (p - 1)) * (counts > 0)
    return X, y


def quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return tweedie_profile(*args, **kwargs)


def test_powers_given_back_and_each_fit_is_the_estimator():
    X, y = compound(400, 1.4, 1.2, seed=1)
    powers = [1.7, 1.2, 1.4]
    profile = quiet(X, y, powers)
    assert isinstance(profile, TweedieProfile)
    assert profile.powers.tolist() == powers
    assert profile.loglik.shape == profile.dispersion.shape == (3,)
    assert profile.coef.shape == (3, 3)
    for p, coef in zip(powers, profile.coef, strict=True):
        model = FisherGLMRegressor(Tweedie(p), tol=1e-10).fit(X, y)
        assert_allclose(coef, model.params_, rtol=1e-9)
    assert profile.power == powers[int(np.argmax(profile.loglik))]
    assert profile.loglik_max == profile.loglik.max()


@pytest.mark.parametrize("p", [1.2, 1.5, 2.0, 2.5])
def test_dispersion_maximises_the_likelihood_over_phi(p):
    X, y = compound(300, 1.5, 0.8, seed=2)
    if p >= 2:
        y = y + 0.05  # a positive response for the powers that need one
    w = np.random.default_rng(2).integers(0, 3, size=len(y)).astype(float)
    offset = np.linspace(-0.1, 0.1, len(y))
    profile = quiet(X, y, [p], sample_weight=w, offset=offset)
    model = FisherGLMRegressor(Tweedie(p), tol=1e-10).fit(X, y, w, offset=offset)
    mu = model.predict(X, offset=offset)

    def loglik(phi):
        return float(w @ Tweedie(p).loglik_obs(y, mu, phi))

    phi = profile.dispersion[0]
    assert_allclose(profile.loglik[0], loglik(phi), rtol=1e-12)
    # Nothing higher on a coarse grid over φ̂ e^{±2}, and the fine grid's best point
    # next to φ̂ (its step: 5e-4 in log φ).
    coarse = phi * np.exp(np.linspace(-2.0, 2.0, 81))
    assert max(loglik(g) for g in coarse) <= profile.loglik[0] + 1e-9
    fine = phi * np.exp(np.linspace(-0.05, 0.05, 201))
    values = np.array([loglik(g) for g in fine])
    assert values.max() <= profile.loglik[0] + 1e-9
    assert abs(np.log(fine[np.argmax(values)] / phi)) <= 5e-4
    scipy = optimize.minimize_scalar(lambda t: -loglik(np.exp(t)), bracket=(-1.0, 0.0, 1.0))
    assert_allclose(phi, np.exp(scipy.x), rtol=1e-5)
    assert phi != pytest.approx(model.dispersion_, rel=1e-3)  # not Pearson's


def test_closed_forms_at_0_and_3():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2))
    mu = np.exp(0.5 + X @ [0.3, -0.2])
    y = rng.wald(mu, 1 / 0.2)
    profile = quiet(X, y, [0.0, 3.0])
    for k, family in enumerate(["gaussian", "inverse_gaussian"]):
        model = FisherGLMRegressor(family, "log", tol=1e-10).fit(X, y)
        fitted = model.predict(X)
        # Normal: φ̂ = RSS/n; inverse Gaussian: φ̂ = Σ (y − μ)²/(y μ²)/n.
        assert_allclose(profile.dispersion[k], model.deviance_ / len(y), rtol=1e-9)
        best = optimize.minimize_scalar(
            lambda t, k=k, fitted=fitted: -Tweedie(3.0 * k).loglik_obs(y, fitted, np.exp(t)).sum()
        )
        assert_allclose(np.log(profile.dispersion[k]), best.x, atol=1e-5)
    assert profile.power == 3.0


@pytest.mark.parametrize("true_power, seed", [(1.3, 4), (1.5, 5), (1.7, 6)])
def test_largest_profile_loglik_at_the_simulated_power(true_power, seed):
    X, y = compound(3000, true_power, 1.0, seed=seed)
    powers = np.round(np.arange(1.1, 1.95, 0.1), 2)
    profile = quiet(X, y, powers)
    assert profile.power == pytest.approx(true_power)
    # And the 95% interval {p : 2 [L(p̂) − L(p)] ≤ 3.84} holds it.
    inside = powers[2 * (profile.loglik_max - profile.loglik) <= 3.84]
    assert true_power in inside and len(inside) < len(powers)


def test_identity_link():
    X, y = compound(2000, 1.5, 0.7, seed=7, link="identity")
    profile = quiet(X, y, [1.3, 1.5, 1.7], link="identity")
    model = FisherGLMRegressor(Tweedie(1.5), "identity", tol=1e-10).fit(X, y)
    assert_allclose(profile.coef[1], model.params_, rtol=1e-9)
    assert profile.power == 1.5


def test_power_1_is_nan_and_never_chosen():
    X, y = compound(300, 1.5, 0.8, seed=8)
    profile = quiet(X, y, [1.0, 1.5, 1.9])
    assert np.isnan(profile.loglik[0]) and np.isnan(profile.dispersion[0])
    assert np.isfinite(profile.loglik[1:]).all()
    assert profile.power != 1.0 and profile.loglik_max == np.nanmax(profile.loglik)
    with pytest.raises(ValueError, match="No power has a log-likelihood: p = 1"):
        tweedie_profile(X, y, [1.0])
    with pytest.raises(ValueError, match="No power has a log-likelihood"):
        tweedie_profile(X, y, [1, 1.0])


@pytest.mark.parametrize(
    "powers, match",
    [
        ([], "powers must hold at least one Tweedie power"),
        ([1.5, 0.5], r"power parameter of Tweedie must be 0 \(normal\) or at least 1"),
        ([-1.0], "power parameter of Tweedie must be"),
        ([np.nan], "power parameter of Tweedie must be"),
    ],
)
def test_bad_powers_are_refused(powers, match):
    X, y = compound(50, 1.5, 0.8, seed=9)
    with pytest.raises(ValueError, match=match):
        tweedie_profile(X, y, powers)


def test_a_zero_response_with_a_power_of_2_or_more_is_refused():
    X, y = compound(200, 1.5, 0.8, seed=10)
    assert np.any(y == 0)
    with pytest.raises(ValueError, match=r"tweedie family requires y in \(0, inf\)"):
        tweedie_profile(X, y, [1.5, 2.5])


def test_docstring_example_runs():
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0
