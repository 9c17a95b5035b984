"""Audit of every analytic family over its whole parameter range.

For each family of the registry, at parameters drawn by hypothesis over wide
ranges (scales 1e-8 to 1e8, shapes from 1e-3 to 1e8, Student-t df to 1e15,
counts to 1e9) and at points drawn from the body and the far tails:

* the per-observation log-density ``family.logpdf`` against the reference:
  ``scipy.stats`` (through ``family.to_scipy``) or, for the families whose
  scipy log-density is itself inaccurate, the 80-digit value of ``_exact``;
* the per-observation score ``family.score_obs`` against a numerical
  derivative of the same reference (``scipy.differentiate.derivative``, or an
  80-digit central difference);
* at moderate parameters, the expected information ``family.information``
  against quadrature of ``s sᵀ`` under scipy's density, or the sum over the
  support;
* Student's t at ``df → ∞`` against its limit, the normal.

``test_fuzz`` checks the fitted ``loglik_``; this module the formulas.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.differentiate import derivative
from scipy.integrate import IntegrationWarning
from scipy.special import gammaln

from skfisher import MLEDistribution
from skfisher.distributions import FAMILIES
from skfisher.distributions._registry import resolve_family
from skfisher.exceptions import BoundaryWarning

from ._audit_strategies import MODERATE, POINTS, SCALE, WIDE, located, sample_points
from ._exact import LOG_DENSITIES, log_density, log_density_derivative

EPS = np.finfo(float).eps
AUDIT = settings(
    derandomize=True, max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _family(name, constants, theta):
    family, _ = resolve_family(name, dict(constants))
    return family, np.array(theta, dtype=float)


def _draw_case(name, data):
    """Draw ``(constants, theta, x)``: wide-range parameters and points of body and tails."""
    constants, theta = data.draw(WIDE[name])
    family, theta_array = _family(name, constants, theta)
    return constants, theta, sample_points(family, theta_array, data.draw(POINTS))


# --- Log-density -------------------------------------------------------------------------
# The families of _exact.LOG_DENSITIES, whose scipy log-density is not accurate
# enough to audit against (measured at the float64 inputs against the 80-digit
# value): poisson shares the cancellation of x log μ − μ − log x! (3e-7 at
# μ = 1e9), nbinom loses every digit for counts near 1e15, binom 3e-7 at
# n = 1e9, gamma 1.5e-7 at shape 1e8, beta 1e-9 (scipy.special.betaln) at
# a = 1e6, b = 0.1, t 5e-12 at df = 2e4;
# invgauss overflows to −inf beyond x/μ = 1e154, where the log-density is finite.


def _reference_log_density(name, family, constants, theta, x):
    if name in LOG_DENSITIES:
        return np.array([log_density(name, xi, theta, constants) for xi in x])
    frozen = family.to_scipy(theta)
    with np.errstate(all="ignore"):
        return frozen.logpmf(x) if family.discrete else frozen.logpdf(x)


# Rounding budgets M(x, θ): where a log-density is a sum of terms much larger than
# itself, or amplifies the rounding of a logarithm, float64 cannot give it to 1e-12
# relative; the tolerance then admits 8 eps M (see _check_log_density). M is the
# size of the terms a float64 evaluation adds: those of the formula, and for a
# difference log Γ(z + h) − log Γ(z) Stirling's, h log(z + h) (only a saddle-point
# expansion, as in R's dbinom, does better; none of the families uses one).
def _log_gamma_ratio_size(z, h):
    return h * (1.0 + np.log(z + h))


def _lognormal_budget(x, theta, constants):
    # log x (the family's statistic) and log scale are rounded to eps |log|, and
    # ∂ log p/∂ log x = −(1 + z/s): large for a small s ("s < 1e-2 is sensitive").
    s, scale = theta
    return (np.abs(np.log(x)) + abs(np.log(scale))) * (1.0 + np.abs(np.log(x / scale)) / s**2)


def _weibull_budget(x, theta, constants):
    # The same for log(x/scale) = log x − log scale, amplified by |shape − 1 − shape z^shape|.
    shape, scale = theta
    zc = (x / scale) ** shape
    return (np.abs(np.log(x)) + abs(np.log(scale))) * (abs(shape - 1.0) + shape * zc)


def _von_mises_budget(x, theta, constants):
    # κ cos(x − loc) − κ − log(2π I₀e(κ)) from the statistics cos x and sin x.
    return np.full_like(x, theta[1])


def _gamma_budget(x, theta, constants):
    shape, scale = theta
    return abs(shape - 1.0) * np.abs(np.log(x / scale)) + x / scale + abs(gammaln(shape))


def _beta_budget(x, theta, constants):
    small, large = sorted(theta)
    log_beta = abs(gammaln(small)) + _log_gamma_ratio_size(large, small)
    a, b = theta
    return abs(a - 1.0) * np.abs(np.log(x)) + abs(b - 1.0) * np.abs(np.log1p(-x)) + log_beta


def _poisson_budget(x, theta, constants):
    return x * abs(np.log(theta[0])) + theta[0] + gammaln(x + 1.0)


def _negative_binomial_budget(x, theta, constants):
    # log Γ(x + n) − log Γ(n) − log x!, the ratio taken over the smaller of x and n.
    n, p = theta
    small = np.minimum(x, n)
    coefficient = _log_gamma_ratio_size(np.maximum(x, n), small) + np.abs(gammaln(small + 1.0))
    return coefficient + n * abs(np.log(p)) + x * abs(np.log1p(-p))


def _binomial_budget(x, theta, constants):
    # log C(n, x) = log Γ(n + 1) − log Γ(n − k + 1) − log k!, k = min(x, n − x).
    n, p = float(constants["n"]), theta[0]
    k = np.minimum(x, n - x)
    choose = _log_gamma_ratio_size(n - k + 1.0, k) + gammaln(k + 1.0)
    return choose + x * abs(np.log(p)) + (n - x) * abs(np.log1p(-p))


BUDGETS = {
    "lognormal": _lognormal_budget,
    "weibull": _weibull_budget,
    "von_mises": _von_mises_budget,
    "gamma": _gamma_budget,
    "beta": _beta_budget,
    "poisson": _poisson_budget,
    "negative_binomial": _negative_binomial_budget,
    "binomial": _binomial_budget,
}


def _check_log_density(name, constants, theta, x):
    """Assert |ours − reference| ≤ 1e-12 max(1, |reference|) + 8 eps M; return the errors.

    Below |log p| = 1 the bound is on the relative error of the density itself.
    """
    family, theta = _family(name, constants, theta)
    ours = family.logpdf(x, theta)
    reference = _reference_log_density(name, family, constants, theta, x)
    budget = BUDGETS[name](x, theta, constants) if name in BUDGETS else 0.0
    # −inf only where the log-density is below −1.8e308, its correct rounding.
    error = np.where(ours == reference, 0.0, np.abs(ours - reference))
    bound = 1e-12 * np.maximum(1.0, np.abs(reference)) + 8.0 * EPS * budget
    assert np.all(error <= bound), (theta, x, ours, reference, bound)
    return error / np.maximum(1.0, np.abs(reference))


@pytest.mark.parametrize("name", sorted(FAMILIES))
@AUDIT
@given(data=st.data())
def test_log_density_equals_the_reference(name, data):
    _check_log_density(name, *_draw_case(name, data))


def test_every_family_is_audited():
    assert set(WIDE) == set(MODERATE) == set(FAMILIES)
    assert set(BUDGETS) | set(LOG_DENSITIES) <= set(FAMILIES)


# --- Score -------------------------------------------------------------------------------
def _steps(family, theta, info):
    """Steps δ_j of the numerical derivative in θ_j: it evaluates θ_j + δ_j φ, |φ| ≤ 2.

    About one standard error of θ_j from one observation (1/√I_jj), within 0.4
    of the room to the parameter's bound (and a quarter-radian for an angle),
    a power of two and at least 2¹⁶ ulps of θ_j, so that every θ_j + δ_j φ
    of the stencil (φ dyadic, down to 2⁻¹⁵) is exact in float64.
    """
    info = np.diag(info)
    steps = []
    for j, (name, g) in enumerate(zip(family.param_names, family.transforms, strict=True)):
        room = min(theta[j] - getattr(g, "low", -np.inf), getattr(g, "high", np.inf) - theta[j])
        step = min(1.0 / np.sqrt(info[j]), 0.4 * room)
        if family.name == "von_mises" and name == "loc":
            step = min(step, 0.25)
        step = max(step, 2.0**16 * np.spacing(abs(theta[j])))
        steps.append(2.0 ** np.floor(np.log2(step)))
    return steps


def _numerical_score(name, family, constants, theta, x, info):
    """``scipy.differentiate.derivative`` of the reference log-density; values and errors."""
    sd = np.sqrt(np.diag(info))
    values, errors = [], []
    for j, step in enumerate(_steps(family, theta, info)):

        def log_density_at(phi, x, j=j, step=step):
            params = [np.full_like(phi, v) for v in theta]
            params[j] = theta[j] + step * phi
            return _reference_log_density(name, family, constants, params, x)

        result = derivative(
            log_density_at,
            np.zeros_like(x),
            args=(x,),
            tolerances={"rtol": 1e-9, "atol": 1e-9 * sd[j] * step},
        )
        values.append(result.df / step)
        errors.append(result.error / step)
    return np.column_stack(values), np.column_stack(errors)


def _reference_score(name, family, constants, theta, x, info):
    if name not in LOG_DENSITIES:
        return _numerical_score(name, family, constants, theta, x, info)
    # An 80-digit central difference of the 80-digit log-density: scipy's own is
    # too inaccurate there to differentiate (nbinom for n > 1e4, t for large df).
    k = len(theta)
    exact = [[log_density_derivative(name, xi, theta, j, constants) for j in range(k)] for xi in x]
    return np.array(exact), np.zeros((len(x), k))


def _check_score(name, constants, theta, x):
    """Assert |ours − reference| ≤ 1e-7 max(|reference|, sd) per entry; return the errors.

    ``sd = √I_jj`` is the spread of the score's entry: the floor of the
    relative error where the score crosses 0.
    """
    family, theta = _family(name, constants, theta)
    ours = family.score_obs(x, theta)
    with warnings.catch_warnings():
        # The negative binomial's I_nn by quadrature warns near p = 1e-9 (and is
        # still 1e-9 accurate): here it only scales the tolerance.
        warnings.simplefilter("ignore", IntegrationWarning)
        info = family.information(theta)
    sd = np.sqrt(np.diag(info))
    assert np.all(np.isfinite(sd) & (sd > 0)), sd
    reference, reference_error = _reference_score(name, family, constants, theta, x, info)
    size = np.maximum(np.abs(reference), sd)
    # The reference's own error estimate, 10× below the tolerance: it is reliable here.
    assert np.all(reference_error <= 1e-8 * size), (theta, x, reference, reference_error)
    error = np.abs(ours - reference) / size
    assert np.all(error <= 1e-7), (theta, x, ours, reference)
    return error


@pytest.mark.parametrize("name", sorted(FAMILIES))
@AUDIT
@given(data=st.data())
def test_score_equals_the_derivative_of_the_reference(name, data):
    _check_score(name, *_draw_case(name, data))


# --- Expected information ----------------------------------------------------------------
def _edges(family, theta):
    """Integration intervals: the support split at quantiles, where the integrand changes scale.

    A quantile scipy gets wrong (boost's invgauss ppf far in the tail) only
    moves a split point: the intervals still cover the support.
    """
    frozen = family.to_scipy(theta)
    if family.name == "von_mises":  # one turn around loc
        return theta[0] + np.pi * np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    support = family.get_support(theta)
    tails = [1e-15, 1e-9, 1e-4, 0.05, 0.3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        inner = np.array([frozen.ppf(u) for u in tails] + [frozen.isf(u) for u in tails])
    inner = inner[np.isfinite(inner) & support.contains(inner)]
    return np.unique([support.low, *inner, support.high])


def _upper_count(frozen):
    """A count beyond which the pmf sums to less than 1e-20."""
    high = frozen.mean() + frozen.std() + 1.0
    while frozen.sf(high) > 1e-20:
        high *= 2.0
    return high


def _expected_outer_product(family, theta):
    """``E[s sᵀ]`` by quadrature under scipy's density, or the sum over the support."""
    frozen = family.to_scipy(theta)
    if family.discrete:
        support = family.get_support(theta)
        x = np.arange(support.low, min(support.high, _upper_count(frozen)) + 1.0)
        S = family.score_obs(x, theta)
        return S.T @ (frozen.pmf(x)[:, None] * S)

    def integrand(x):
        density = frozen.pdf(x)
        if density == 0.0:  # at an end of the support, where s may be infinite
            return np.zeros((len(theta), len(theta)))
        s = family.score_obs(np.array([x]), theta)[0]
        return np.outer(s, s) * density

    edges = _edges(family, theta)
    pieces = [
        integrate.quad_vec(integrand, low, high, epsabs=0.0, epsrel=1e-10, limit=50)[0]
        for low, high in zip(edges[:-1], edges[1:], strict=True)
    ]
    return np.sum(pieces, axis=0)


def _check_information(name, constants, theta):
    """Assert |I_ab − E[s_a s_b]| ≤ 1e-7 √(I_aa I_bb); return those ratios."""
    family, theta = _family(name, constants, theta)
    info = family.information(theta)
    reference = _expected_outer_product(family, theta)
    sd = np.sqrt(np.diag(info))
    error = np.abs(info - reference) / np.outer(sd, sd)
    assert np.all(error <= 1e-7), (theta, info, reference)
    return error


@pytest.mark.parametrize("name", sorted(FAMILIES))
@settings(AUDIT, max_examples=12)
@given(data=st.data())
def test_information_equals_the_expected_outer_product_of_the_score(name, data):
    constants, theta = data.draw(MODERATE[name])
    _check_information(name, constants, theta)


# --- Student's t at its limit df = ∞, the normal -------------------------------------------
@settings(AUDIT, max_examples=30)
@given(theta=located(SCALE), draws=POINTS)
def test_student_t_at_infinite_df_is_the_normal(theta, draws):
    normal, theta = _family("normal", {}, theta)
    t_family, limit = _family("student_t", {}, (*theta, np.inf))
    x = sample_points(normal, theta, draws)
    np.testing.assert_allclose(t_family.logpdf(x, limit), normal.logpdf(x, theta), rtol=1e-15)
    score, normal_score = t_family.score_obs(x, limit), normal.score_obs(x, theta)
    sd = np.sqrt(np.diag(normal.information(theta)))
    size = np.maximum(np.abs(normal_score), sd)
    assert np.all(np.abs(score[:, :2] - normal_score) <= 1e-14 * size)
    assert np.all(score[:, 2] == 0.0)  # ∂/∂df log p = O(z⁴/df²)
    info = t_family.information(limit)
    np.testing.assert_allclose(info[:2, :2], normal.information(theta), rtol=1e-15)
    assert np.all(info[2] == 0.0) and np.all(info[:, 2] == 0.0)
    # Continuity: at df = 1e15 the t differs from the normal by (z⁴ − 2z² − 1)/(4 df).
    z = (x - theta[0]) / theta[1]
    gap = t_family.logpdf(x, np.append(theta, 1e15)) - normal.logpdf(x, theta)
    first_order = (z**4 - 2.0 * z**2 - 1.0) / 4e15
    assert np.all(np.abs(gap - first_order) <= 1e-3 * np.abs(first_order) + 4 * EPS * (1 + z**2))


@settings(AUDIT, max_examples=25)
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(20, 300),
    df=st.sampled_from([np.inf, 30.0, 3.0]),
)
def test_student_t_fit_reports_the_normal_limit_with_a_boundary_warning(seed, size, df):
    """Tails no heavier than the normal's (sample excess kurtosis ≤ 0): the MLE is df = ∞."""
    x = (stats.norm() if df == np.inf else stats.t(df)).rvs(size=size, random_state=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MLEDistribution("student_t").fit(x.reshape(-1, 1))
    boundary = [w for w in caught if issubclass(w.category, BoundaryWarning)]
    normal = MLEDistribution("normal").fit(x.reshape(-1, 1))
    if stats.kurtosis(x) <= 0.0:
        assert len(boundary) == 1 and "normal" in str(boundary[0].message)
        assert model.params_[2] == np.inf and np.isnan(model.standard_errors_[2])
        np.testing.assert_allclose(model.params_[:2], normal.params_, rtol=1e-10, atol=1e-12)
        assert model.loglik_ == pytest.approx(normal.loglik_, rel=1e-12)
    else:
        assert not boundary and np.isfinite(model.params_[2])
        assert model.loglik_ >= normal.loglik_ - 1e-9 * abs(normal.loglik_)


# --- Regressions: cases the audit found wrong ----------------------------------------------
REGRESSIONS = {
    # z² overflowed beyond |z| ≈ 1e154: log-density −inf, df score nan, scale score −1/scale.
    "t_far_tail": ("student_t", {}, (0.5, 1.0, 1.0), [1e155, -1e300, 1e308]),
    "t_far_tail_heavy": ("student_t", {}, (0.0, 1e-8, 0.05), [1e200, -3.0]),
    # scipy.special.betaln, 1.2e-9 off at a = 1e6, b = 0.1.
    "beta_betaln": ("beta", {}, (1e6, 0.1), [0.9999999, 0.99999999999]),
    # log C(n, x) from three gammaln near 1e10: 4e-7 relative at n = 5.6e8, x = 10.
    "binomial_choose": ("binomial", {"n": 557200668}, (7.946e-09,), [10.0, 0.0, 3.0]),
    # ψ(x + n) − ψ(n) to 5e-15 in a score of 9e-9: 2e-7 relative at n = 4.6e8.
    "nbinom_score_n": ("negative_binomial", {}, (4.576e8, 1.0 - 4e-9), [6.0, 0.0, 20.0]),
}


@pytest.mark.parametrize("case", sorted(REGRESSIONS))
def test_regression(case):
    name, constants, theta, x = REGRESSIONS[case]
    x = np.array(x)
    _check_log_density(name, constants, theta, x)
    _check_score(name, constants, theta, x)
