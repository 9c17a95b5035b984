"""Censored samples (scipy.stats.CensoredData): estimates, log-likelihood and matrices.

Each fit is checked against an independent computation written here: the
censored log-likelihood from scipy's logpdf, logcdf, logsf and cdf, maximised
directly by scipy.optimize at tight tolerance, and its Hessian by statsmodels'
numerical differentiation. scipy's own ``dist.fit(CensoredData)`` is shown to
agree to its optimiser's tolerance.
"""

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import log_ndtr
from statsmodels.tools.numdiff import approx_fprime, approx_hess

from skfisher import MLEDistribution

# family -> (θ -> frozen scipy distribution, the distribution drawn from, scipy fit kwargs)
FAMILIES = {
    "normal": (lambda p: stats.norm(p[0], p[1]), stats.norm(1.0, 2.0), {}),
    "logistic": (lambda p: stats.logistic(p[0], p[1]), stats.logistic(1.0, 2.0), {}),
    "lognormal": (
        lambda p: stats.lognorm(p[0], scale=p[1]),
        stats.lognorm(0.7, scale=3.0),
        {"floc": 0},
    ),
    "weibull": (
        lambda p: stats.weibull_min(p[0], scale=p[1]),
        stats.weibull_min(1.7, scale=3.0),
        {"floc": 0},
    ),
    "exponential": (lambda p: stats.expon(scale=p[0]), stats.expon(scale=3.0), {"floc": 0}),
    "gamma": (lambda p: stats.gamma(p[0], scale=p[1]), stats.gamma(2.5, scale=3.0), {"floc": 0}),
    "beta": (lambda p: stats.beta(p[0], p[1]), stats.beta(2.0, 3.0), {"floc": 0, "fscale": 1}),
    "inverse_gaussian": (
        lambda p: stats.invgauss(p[0], scale=p[1]),
        stats.invgauss(0.5, scale=3.0),
        {"floc": 0},
    ),
    "student_t": (lambda p: stats.t(p[2], p[0], p[1]), stats.t(4.0, 1.0, 2.0), {}),
}
ANALYTIC = ["normal", "logistic", "lognormal", "weibull", "exponential"]


def mixed_sample(frozen, n, seed):
    """Uncensored, left-censored (at a detection limit), right-censored and binned values."""
    rng = np.random.default_rng(seed)
    x = frozen.rvs(n, random_state=rng)
    limit, cap = frozen.ppf(0.15), frozen.ppf(0.8)
    kind = rng.integers(0, 4, size=n)
    plain = kind < 2
    exact = x[plain & (x > limit) & (x < cap)]
    left = np.full(np.sum(plain & (x <= limit)), limit)
    right = np.r_[np.full(np.sum(plain & (x >= cap)), cap), x[kind == 3] * rng.uniform(0.3, 1.0)]
    width = 0.5 * frozen.std()
    low = np.floor(x[kind == 2] / width) * width
    low = np.clip(low, *frozen.support())
    high = np.clip(np.floor(x[kind == 2] / width) * width + width, *frozen.support())
    return stats.CensoredData(exact, left=left, right=right, interval=np.column_stack([low, high]))


def reference_terms(frozen, data):
    """Each observation's term, in CensoredData's order: log f, log F, log S, log(F(b) − F(a))."""
    a, b = data._interval[:, 0], data._interval[:, 1]
    with np.errstate(all="ignore"):
        upper = frozen.cdf(a) > 0.5
        interval = np.where(
            upper, np.log(frozen.sf(a) - frozen.sf(b)), np.log(frozen.cdf(b) - frozen.cdf(a))
        )
        return np.concatenate(
            [frozen.logpdf(data._uncensored), frozen.logcdf(data._left), frozen.logsf(data._right)]
            + [interval]
        )


def reference_loglik(frozen, data, weights=None):
    terms = reference_terms(frozen, data)
    return float(terms.sum() if weights is None else weights @ terms)


def direct_maximum(make, data, x0, weights=None):
    """The maximiser of the reference log-likelihood, by scipy.optimize at tight tolerance."""

    def negative(p):
        with np.errstate(all="ignore"):
            value = -reference_loglik(make(p), data, weights)
        return value if np.isfinite(value) else np.inf

    result = optimize.minimize(
        negative,
        x0,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-11, "maxfev": 3000},
    )
    result = optimize.minimize(negative, result.x, method="BFGS", options={"gtol": 1e-9})
    return result.x, -result.fun


def fitted(name, data, **kwargs):
    return MLEDistribution(name, **kwargs).fit(data)


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def case(request):
    name = request.param
    make, frozen, _ = FAMILIES[name]
    data = mixed_sample(frozen, 400, 1)
    return name, make, data, fitted(name, data)


def test_estimates_are_the_direct_maximum(case):
    name, make, data, model = case
    assert model.converged_
    params, best = direct_maximum(make, data, model.params_ * 1.05)
    np.testing.assert_allclose(model.params_, params, rtol=1e-6)
    assert model.loglik_ == pytest.approx(reference_loglik(make(model.params_), data), rel=1e-10)
    # No point found by the direct search is higher, beyond rounding.
    assert model.loglik_ >= best - 1e-10 * abs(best)


def test_standard_errors_are_the_inverse_numerical_hessian(case):
    name, make, data, model = case
    hessian = approx_hess(model.params_, lambda p: reference_loglik(make(p), data))
    np.testing.assert_allclose(
        model.observed_information_, -hessian, rtol=1e-5, atol=1e-6 * np.abs(hessian).max()
    )
    se = np.sqrt(np.diag(np.linalg.inv(-hessian)))
    np.testing.assert_allclose(model.standard_errors_, se, rtol=1e-5)
    # No expected information is claimed: information_ is the observed one.
    np.testing.assert_array_equal(model.information_, model.observed_information_)
    np.testing.assert_allclose(model.covariance("observed"), model.covariance_, rtol=1e-12)


def test_empirical_fisher_is_the_sum_of_per_observation_score_products(case):
    name, make, data, model = case
    scores = approx_fprime(model.params_, lambda p: reference_terms(make(p), data), centered=True)
    np.testing.assert_allclose(model.empirical_fisher_, scores.T @ scores, rtol=1e-6)
    np.testing.assert_allclose(model.score_, scores.sum(axis=0), atol=1e-6 * np.abs(scores).max())


def test_scipy_fit_agrees_to_its_own_tolerance(case):
    name, make, data, model = case
    _, frozen, kwargs = FAMILIES[name]
    dist = frozen.dist
    values = dist.fit(data, **kwargs)
    names = (dist.shapes.split(", ") if dist.shapes else []) + ["loc", "scale"]
    theirs = np.array([v for v, n in zip(values, names, strict=True) if f"f{n}" not in kwargs])
    if name == "student_t":  # (df, loc, scale) in scipy's order
        theirs = theirs[[1, 2, 0]]
    # scipy's Nelder-Mead stops at relative steps of about 1e-4 ...
    np.testing.assert_allclose(theirs, model.params_, rtol=2e-3)
    # ... and its maximum is not higher than ours.
    assert reference_loglik(make(theirs), data) <= model.loglik_ + 1e-9 * abs(model.loglik_)


@pytest.mark.parametrize("dist", [stats.gumbel_r, stats.genextreme])
def test_generic_scipy_distribution(dist):
    frozen = dist(-0.1, 1.0, 2.0) if dist is stats.genextreme else dist(1.0, 2.0)
    data = mixed_sample(frozen, 400, 2)
    model = fitted(dist, data)
    assert model.converged_

    def make(p):
        return dist(*p)

    params, _ = direct_maximum(make, data, model.params_ + 0.05)
    np.testing.assert_allclose(model.params_, params, rtol=1e-6)
    assert model.loglik_ == pytest.approx(reference_loglik(make(model.params_), data), rel=1e-10)
    hessian = approx_hess(model.params_, lambda p: reference_loglik(make(p), data))
    np.testing.assert_allclose(
        model.standard_errors_, np.sqrt(np.diag(np.linalg.inv(-hessian))), rtol=1e-5
    )
    with np.errstate(all="ignore"):
        theirs = dist.fit(data)
    np.testing.assert_allclose(theirs, model.params_, rtol=1e-3)


@pytest.mark.parametrize(
    ("dist", "name", "fixed"),
    [(stats.norm, "normal", None), (stats.weibull_min, "weibull", {"loc": 0.0})],
)
def test_the_generic_path_is_the_analytic_one(dist, name, fixed):
    data = mixed_sample(FAMILIES[name][1], 300, 3)
    analytic, generic = fitted(name, data), fitted(dist, data, fixed=fixed)
    np.testing.assert_allclose(generic.params_, analytic.params_, rtol=1e-8)
    np.testing.assert_allclose(generic.standard_errors_, analytic.standard_errors_, rtol=1e-6)
    assert generic.loglik_ == pytest.approx(analytic.loglik_, rel=1e-13)


@pytest.mark.parametrize("weighted", [False, True])
def test_exponential_right_censoring_closed_form(weighted):
    rng = np.random.default_rng(4)
    x = rng.exponential(3.0, 200)
    limit = rng.uniform(1.0, 6.0, 200)
    t, event = np.minimum(x, limit), x <= limit
    data = stats.CensoredData.right_censored(t, ~event)
    w = rng.integers(1, 4, 200).astype(float) if weighted else np.ones(200)
    # CensoredData keeps the uncensored values first, then the right-censored ones.
    ordered = np.r_[w[event], w[~event]]
    model = MLEDistribution("exponential").fit(data, sample_weight=ordered if weighted else None)
    d, total = w[event].sum(), w @ t
    # λ̂ = d / Σt: the scale is Σt / d, with observed information d / scale².
    # Newton's last step is far below tol = 1e-8 standard errors.
    assert model.params_[0] == pytest.approx(total / d, rel=1e-10)
    assert model.standard_errors_[0] == pytest.approx(total / d / np.sqrt(d), rel=1e-10)
    assert model.loglik_ == pytest.approx(-d * np.log(total / d) - d, rel=1e-12)
    assert model.nobs_ == w.sum()


ALL = sorted(FAMILIES)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("weighted", [False, True])
def test_without_censoring_the_fit_is_the_uncensored_fit(name, weighted):
    x = FAMILIES[name][1].rvs(150, random_state=5)
    w = np.random.default_rng(5).integers(0, 4, 150).astype(float) if weighted else None
    censored = MLEDistribution(name).fit(stats.CensoredData(x), sample_weight=w)
    plain = MLEDistribution(name).fit(x, sample_weight=w)
    for attribute in (
        "params_",
        "standard_errors_",
        "information_",
        "observed_information_",
        "empirical_fisher_",
        "loglik_",
        "n_iter_",
        "nobs_",
    ):
        np.testing.assert_array_equal(getattr(censored, attribute), getattr(plain, attribute))


def test_uninformative_censoring_leaves_the_uncensored_fit():
    x = stats.expon(scale=2.0).rvs(50, random_state=6)
    # X > 0 holds for every exponential: no information.
    data = stats.CensoredData(x, right=np.zeros(7))
    np.testing.assert_array_equal(fitted("exponential", data).params_, [x.mean()])
    beta = stats.beta(2.0, 3.0).rvs(50, random_state=6)
    data = stats.CensoredData(beta, left=np.ones(3), right=np.zeros(2), interval=[[0.0, 1.0]])
    np.testing.assert_array_equal(
        fitted("beta", data).params_, MLEDistribution("beta").fit(beta).params_
    )


@pytest.mark.parametrize("name", ["weibull", "lognormal", "normal", "gamma"])
def test_weights_are_repeated_observations(name):
    data = mixed_sample(FAMILIES[name][1], 120, 7)
    groups = [data._uncensored, data._left, data._right, data._interval]
    rng = np.random.default_rng(7)
    counts = [rng.integers(1, 4, len(g)) for g in groups]
    repeated = stats.CensoredData(
        *[np.repeat(groups[0], counts[0])],
        left=np.repeat(groups[1], counts[1]),
        right=np.repeat(groups[2], counts[2]),
        interval=np.repeat(groups[3], counts[3], axis=0),
    )
    weighted = MLEDistribution(name).fit(data, sample_weight=np.concatenate(counts).astype(float))
    expanded = fitted(name, repeated)
    np.testing.assert_allclose(weighted.params_, expanded.params_, rtol=1e-9)
    np.testing.assert_allclose(weighted.standard_errors_, expanded.standard_errors_, rtol=1e-8)
    np.testing.assert_allclose(weighted.empirical_fisher_, expanded.empirical_fisher_, rtol=1e-8)
    assert weighted.loglik_ == pytest.approx(expanded.loglik_, rel=1e-12)
    assert weighted.nobs_ == expanded.nobs_ == len(repeated)


def test_zero_weights_drop_observations():
    data = mixed_sample(FAMILIES["weibull"][1], 100, 8)
    w = np.ones(len(data))
    w[::3] = 0.0
    groups = [data._uncensored, data._left, data._right, data._interval]
    keep = np.split(w > 0, np.cumsum([len(g) for g in groups])[:-1])
    kept = stats.CensoredData(
        groups[0][keep[0]],
        left=groups[1][keep[1]],
        right=groups[2][keep[2]],
        interval=groups[3][keep[3]],
    )
    weighted = MLEDistribution("weibull").fit(data, sample_weight=w)
    np.testing.assert_allclose(weighted.params_, fitted("weibull", kept).params_, rtol=1e-10)


@pytest.mark.parametrize("name", ANALYTIC + ["gamma"])
def test_score_samples_aic_and_bic(name):
    make, frozen, _ = FAMILIES[name]
    data = mixed_sample(frozen, 200, 9)
    model = fitted(name, data)
    terms = model.score_samples(data)
    np.testing.assert_allclose(terms, reference_terms(make(model.params_), data), rtol=1e-11)
    assert terms.sum() == pytest.approx(model.loglik_, rel=1e-12)
    k = model.params_.size
    assert model.aic(data) == pytest.approx(-2.0 * model.loglik_ + 2.0 * k, rel=1e-12)
    assert model.bic(data) == pytest.approx(-2.0 * model.loglik_ + np.log(len(data)) * k)


@pytest.mark.parametrize(
    ("name", "fixed", "index"),
    [("weibull", {"shape": 2.0}, 1), ("normal", {"loc": 1.5}, 1), ("gamma", {"scale": 3.0}, 0)],
)
def test_held_parameters(name, fixed, index):
    make, frozen, _ = FAMILIES[name]
    data = mixed_sample(frozen, 300, 10)
    model = fitted(name, data, fixed=fixed)
    value = next(iter(fixed.values()))

    def full(p):
        theta = [p[0], p[0]]
        theta[1 - index] = value
        return make(theta)

    params, _ = direct_maximum(full, data, model.params_ * 1.05)
    np.testing.assert_allclose(model.params_, params, rtol=1e-6)
    hessian = approx_hess(model.params_, lambda p: reference_loglik(full(p), data))
    np.testing.assert_allclose(model.standard_errors_, np.sqrt(-1.0 / hessian[0]), rtol=1e-5)


def test_heavy_censoring_interval_only_and_current_status():
    rng = np.random.default_rng(11)
    x = stats.weibull_min(1.5, scale=10.0).rvs(200, random_state=rng)
    samples = {
        "95% right-censored": stats.CensoredData.right_censored(np.minimum(x, 2.0), x > 2.0),
        "binned": stats.CensoredData.interval_censored(
            np.floor(x / 5.0) * 5.0, np.floor(x / 5.0) * 5.0 + 5.0
        ),
    }
    t = rng.uniform(0.0, 30.0, 200)
    samples["current status"] = stats.CensoredData(left=t[x <= t], right=t[x > t])
    make = FAMILIES["weibull"][0]
    for label, data in samples.items():
        model = fitted("weibull", data)
        assert model.converged_, label
        params, _ = direct_maximum(make, data, model.params_ * 1.05)
        np.testing.assert_allclose(model.params_, params, rtol=1e-6, err_msg=label)


@pytest.mark.parametrize("name", ["normal", "logistic", "weibull", "lognormal"])
@pytest.mark.parametrize("factor", [2.0**-300, 1e-100, 1e100])
def test_the_fit_is_free_of_the_units(name, factor):
    data = mixed_sample(FAMILIES[name][1], 200, 12)
    groups = [data._uncensored, data._left, data._right, data._interval]
    scaled = stats.CensoredData(
        groups[0] * factor,
        left=groups[1] * factor,
        right=groups[2] * factor,
        interval=groups[3] * factor,
    )
    base, model = fitted(name, data), fitted(name, scaled)
    units = np.array([factor if p in ("loc", "scale") else 1.0 for p in base.param_names_])
    np.testing.assert_allclose(model.params_ / units, base.params_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.standard_errors_ / units, base.standard_errors_, rtol=1e-8)


def test_location_far_from_zero():
    rng = np.random.default_rng(13)
    y = stats.norm(1e9, 1e-3).rvs(300, random_state=rng)
    cap = 1e9 + 1e-3
    data = stats.CensoredData.right_censored(np.minimum(y, cap), y > cap)
    model = fitted("normal", data)
    assert model.converged_
    centred = stats.CensoredData.right_censored((np.minimum(y, cap) - 1e9) * 1e3, y > cap)
    reference = fitted("normal", centred)
    # Within the float64 spacing at 1e9 (1.2e-4 of a scale).
    spacing = np.spacing(1e9) * 1e3
    np.testing.assert_allclose((model.params_[0] - 1e9) * 1e3, reference.params_[0], atol=spacing)
    np.testing.assert_allclose(model.params_[1] * 1e3, reference.params_[1], rtol=1e-6)


def test_profile_interval_and_summary():
    data = mixed_sample(FAMILIES["weibull"][1], 300, 14)
    model = fitted("weibull", data)
    make = FAMILIES["weibull"][0]
    low, high = model.conf_int(method="profile")[0]
    target = model.loglik_ - 0.5 * stats.chi2.ppf(0.95, 1)
    for end in (low, high):
        # The profile of the shape: the scale maximised with the shape held.
        _, best = direct_maximum(lambda p, end=end: make([end, p[0]]), data, [model.params_[1]])
        assert best == pytest.approx(target, abs=1e-6)
    assert "MLEDistribution(weibull)" in str(model.summary())


def _decimal_log_weibull(a, b, shape):
    """``log(S(a) − S(b))`` of weibull_min(shape, scale=1) to 50 digits (``S(∞) = 0``)."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 50
        sa = (-(Decimal(a) ** shape)).exp()
        sb = Decimal(0) if np.isinf(b) else (-(Decimal(b) ** shape)).exp()
        return float((sa - sb).ln())


def test_tail_terms_keep_their_digits():
    from skfisher.distributions._censored import censored_log_likelihoods
    from skfisher.distributions._registry import resolve_family

    weibull, _ = resolve_family("weibull", None)
    intervals = [[20.0, 21.0], [1e-6, 2e-6], [3.0, 3.0 + 1e-9]]
    data = stats.CensoredData(left=[1e-5], right=[20.0], interval=intervals)
    ours = censored_log_likelihoods(weibull, [np.array([2.0, 1.0])], data)
    ends = [[0.0, 1e-5], [20.0, np.inf], *intervals]
    reference = [_decimal_log_weibull(a, b, 2) for a, b in ends]
    np.testing.assert_allclose(ours[:4], reference[:4], rtol=1e-13)
    # An interval 3e-10 of its ends wide: the differences of z at its ends keep
    # eps/3e-10 of their digits, so the term has about 1e-7 of relative error at worst.
    assert ours[4] == pytest.approx(reference[4], abs=1e-6)
    normal, _ = resolve_family("normal", None)
    data = stats.CensoredData(left=[-30.0], right=[30.0], interval=[[30.0, 31.0], [-31.0, -30.0]])
    ours = censored_log_likelihoods(normal, [np.array([0.0, 1.0])], data)
    upper = log_ndtr(-30.0) + np.log1p(-np.exp(log_ndtr(-31.0) - log_ndtr(-30.0)))
    reference = [log_ndtr(-30.0), log_ndtr(-30.0), upper, upper]
    np.testing.assert_allclose(ours, reference, rtol=1e-13)


HEAVY = {
    "weibull": stats.weibull_min(0.5, scale=100.0),
    "lognormal": stats.lognorm(2.0, scale=100.0),
    "gamma": stats.gamma(0.5, scale=100.0),
    "normal": stats.norm(100.0, 10.0),
    "beta": stats.beta(0.5, 2.0),
}


@pytest.mark.parametrize("name", sorted(HEAVY))
@pytest.mark.parametrize("side", ["left", "right"])
def test_99_percent_censored_at_one_limit(name, side):
    """1980 of 2000 values censored at one limit: a start far from the maximum."""
    frozen = HEAVY[name]
    x = frozen.rvs(2000, random_state=15)
    if side == "right":
        limit = frozen.ppf(0.01)
        data = stats.CensoredData.right_censored(np.minimum(x, limit), x > limit)
    else:
        limit = frozen.ppf(0.99)
        data = stats.CensoredData.left_censored(np.maximum(x, limit), x < limit)
    model = fitted(name, data)
    assert model.converged_
    make = FAMILIES[name][0]
    params, best = direct_maximum(make, data, model.params_ * 1.05)
    np.testing.assert_allclose(model.params_, params, rtol=1e-6)
    assert model.loglik_ >= best - 1e-10 * abs(best)
