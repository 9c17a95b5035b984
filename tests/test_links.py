"""Links: the inverse and its derivatives against numerical differentiation."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skfisher.links import (
    CLogLog,
    Identity,
    Inverse,
    InverseSquared,
    Log,
    Logit,
    Probit,
    Sqrt,
    get_link,
)

# Each link on a range of η inside its domain (η > 0 where μ = g⁻¹(η) needs it).
LINK_ETAS = {
    Identity(): np.linspace(-3.0, 3.0, 13),
    Log(): np.linspace(-3.0, 3.0, 13),
    Logit(): np.linspace(-5.0, 5.0, 13),
    Probit(): np.linspace(-3.0, 3.0, 13),
    CLogLog(): np.linspace(-3.0, 1.5, 13),
    Inverse(): np.linspace(0.2, 3.0, 13),
    InverseSquared(): np.linspace(0.2, 3.0, 13),
    Sqrt(): np.linspace(0.2, 3.0, 13),
}
LINKS = list(LINK_ETAS)


def _central_difference(f, x, h):
    """Fourth-order central difference: error O(h⁴), rounding O(ε/h)."""
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


@pytest.mark.parametrize("link", LINKS, ids=lambda link: link.name)
def test_link_inverts_inverse(link):
    eta = LINK_ETAS[link]
    # One rounding in each direction, amplified by at most the condition of g.
    assert_allclose(link.link(link.inverse(eta)), eta, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("link", LINKS, ids=lambda link: link.name)
def test_inverse_derivatives_match_numerical_differentiation(link):
    eta = LINK_ETAS[link]
    h = 1e-3
    # A fourth-order difference with h = 1e-3 is exact to about h⁴ ≈ 1e-12 times
    # the fifth derivative, and rounding adds ε/h ≈ 1e-13: 1e-8 leaves room.
    assert_allclose(
        link.inverse_deriv(eta), _central_difference(link.inverse, eta, h), rtol=1e-8, atol=1e-10
    )
    assert_allclose(
        link.inverse_deriv2(eta),
        _central_difference(link.inverse_deriv, eta, h),
        rtol=1e-8,
        atol=1e-10,
    )


@pytest.mark.parametrize("link", LINKS, ids=lambda link: link.name)
def test_complement_and_logs_agree_with_inverse(link):
    eta = LINK_ETAS[link]
    mu = link.inverse(eta)
    inside = (mu > 0) & (mu < 1)
    assert_allclose(link.inverse_complement(eta), 1.0 - mu, rtol=1e-12, atol=1e-15)
    positive = mu > 0
    assert_allclose(link.log_inverse(eta[positive]), np.log(mu[positive]), rtol=1e-12, atol=1e-15)
    assert_allclose(
        link.log_inverse_complement(eta[inside]), np.log1p(-mu[inside]), rtol=1e-12, atol=1e-15
    )


def test_get_link_by_name_and_instance():
    assert get_link("probit") == Probit()
    link = Sqrt()
    assert get_link(link) is link


def test_get_link_unknown_name_lists_the_known_links():
    with pytest.raises(ValueError, match=r"Unknown link 'cauchit'.*'cloglog'.*'sqrt'"):
        get_link("cauchit")


def test_cloglog_at_extreme_eta_gives_the_limits_without_warnings():
    # e^η overflows beyond η ≈ 709 and underflows below η ≈ -745.
    link = CLogLog()
    eta = np.array([-800.0, -30.0, 800.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = [
            link.inverse(eta),
            link.inverse_deriv(eta),
            link.inverse_deriv2(eta),
            link.inverse_complement(eta),
            link.log_inverse(eta),
            link.log_inverse_complement(eta),
        ]
    mu, dmu, d2mu, complement, log_mu, log_complement = values
    np.testing.assert_array_equal(mu[[0, 2]], [0.0, 1.0])
    np.testing.assert_array_equal(dmu[[0, 2]], [0.0, 0.0])
    np.testing.assert_array_equal(d2mu[[0, 2]], [0.0, 0.0])
    np.testing.assert_array_equal(complement[[0, 2]], [1.0, 0.0])
    # log μ = η − e^η/2 + O(e^2η) far below 0: finite where μ underflows.
    np.testing.assert_allclose(log_mu[:2], [-800.0, -30.0 - 0.5 * np.exp(-30.0)], rtol=1e-15)
    assert log_mu[2] == 0.0 and log_complement[2] == -np.inf


# The links as the scales a distribution's parameter is iterated on --------------------
@pytest.mark.parametrize(
    "link, natural, inside, outside, words",
    [
        (Identity(), lambda phi: phi, [-2.0, 3.0], [np.inf, np.nan], "any real number"),
        (Log(), np.exp, [1e-300, 2.0], [0.0, -1.0], "a number > 0"),
        (Log(low=1.0), lambda phi: 1.0 + np.exp(phi), [1.5], [1.0, 0.5], "a number > 1"),
        (Logit(), lambda phi: 1 / (1 + np.exp(-phi)), [0.3], [0.0, 1.0], "a number in (0, 1)"),
        (
            Logit(low=-1.0, high=3.0),
            lambda phi: -1.0 + 4.0 / (1 + np.exp(-phi)),
            [-0.5, 2.9],
            [-1.0, 3.0],
            "a number in (-1, 3)",
        ),
    ],
    ids=["identity", "log", "log-shifted", "logit", "logit-scaled"],
)
def test_links_are_parameter_scales(link, natural, inside, outside, words):
    phi = np.linspace(-3.0, 3.0, 7)
    # θ = g⁻¹(φ) in closed form; back by g; dθ/dφ by a central difference.
    assert_allclose(link.to_natural(phi), natural(phi), rtol=1e-14)
    assert_allclose(link.to_unconstrained(link.to_natural(phi)), phi, rtol=1e-12, atol=1e-12)
    assert_allclose(
        link.derivative(phi), _central_difference(link.to_natural, phi, 1e-3), rtol=1e-8
    )
    assert np.all(link.contains(np.array(inside)))
    assert not np.any(link.contains(np.array(outside)))
    assert str(link) == words


def test_bounds_make_a_different_link():
    assert Log(low=1.0) != Log() and Log(low=0.0) == Log()
    assert Logit(low=-1.0, high=3.0) != Logit() and hash(Logit(0.0, 1.0)) == hash(Logit())
    assert repr(Log()) == "Log()" and repr(Log(low=1.0)) == "Log(low=1)"


def test_links_declare_their_pole_and_turn_at_zero():
    poles = {link.name for link in LINKS if link.pole_at_zero}
    turns = {link.name for link in LINKS if link.turns_at_zero}
    assert (poles, turns) == ({"inverse", "inverse_squared"}, {"sqrt"})
    # The declaration is the behaviour: 1/η and 1/√η are unbounded at 0, η² turns there.
    for link in LINKS:
        with np.errstate(divide="ignore", invalid="ignore"):
            near = np.abs(link.inverse(np.array([1e-300])))
        assert bool(near[0] > 1e100) == link.pole_at_zero, link.name


def test_firth_is_admitted_by_canonical_links_without_dispersion():
    from skfisher.families import Binomial, Gamma, Gaussian, Poisson

    assert Logit().admits_firth(Binomial()) and Log().admits_firth(Poisson())
    assert not Probit().admits_firth(Binomial()) and not Sqrt().admits_firth(Poisson())
    # Canonical, but with a dispersion; and a link proportional to the canonical one.
    assert not Identity().admits_firth(Gaussian()) and not Inverse().admits_firth(Gamma())
