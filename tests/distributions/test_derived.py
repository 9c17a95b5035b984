"""Delta-method intervals for quantiles and means of fitted distributions."""

import numpy as np
import pytest
from scipy import stats
from sklearn.exceptions import NotFittedError

from skfisher import MLEDistribution
from skfisher.distributions._derived import delta_method

# The gradient is numerical (five-point stencil, steps of 1e-3 standard
# errors): its truncation error is ~1e-12 relative and its rounding error
# ~1e-10, so 1e-7 checks it against the analytic gradient with a wide margin.
RTOL = 1e-7
Z = stats.norm.ppf(0.975)


def _analytic_interval(model, value, gradient, alpha=0.05):
    se = np.sqrt(gradient @ model.covariance_ @ gradient)
    z = stats.norm.ppf(1 - alpha / 2)
    return np.array([value - z * se, value + z * se])


@pytest.fixture(scope="module")
def gamma_sample():
    return np.random.default_rng(0).gamma(2.0, 3.0, size=500)


@pytest.mark.parametrize("cov_type", ["fisher", "observed", "sandwich"])
def test_gamma_mean_and_quantile_against_analytic_gradients(gamma_sample, cov_type):
    model = MLEDistribution("gamma", cov_type=cov_type).fit(gamma_sample)
    shape, scale = model.params_
    # E[X] = shape · scale.
    expected = _analytic_interval(model, shape * scale, np.array([scale, shape]))
    np.testing.assert_allclose(model.mean_interval(), expected, rtol=RTOL)
    # F⁻¹(q) = scale · P⁻¹(shape, q): ∂/∂scale = P⁻¹(shape, q); ∂/∂shape by the
    # implicit function theorem on the regularised incomplete gamma P.
    q = 0.9
    u = stats.gamma.ppf(q, shape)
    h = 1e-6
    dP_dshape = (stats.gamma.cdf(u, shape + h) - stats.gamma.cdf(u, shape - h)) / (2 * h)
    du_dshape = -dP_dshape / stats.gamma.pdf(u, shape)
    expected = _analytic_interval(model, scale * u, np.array([scale * du_dshape, u]))
    # The reference derivative is a central difference: ~1e-9.
    np.testing.assert_allclose(model.quantile_interval(q), expected, rtol=1e-6)


def test_location_scale_families_are_exact():
    rng = np.random.default_rng(1)
    x = rng.normal(10.0, 2.0, size=300)
    model = MLEDistribution("normal").fit(x)
    q = np.array([0.01, 0.5, 0.975])
    z_q = stats.norm.ppf(q)
    got = model.quantile_interval(q, alpha=0.1)
    assert got.shape == (3, 2)
    for j in range(3):
        expected = _analytic_interval(
            model, model.params_[0] + model.params_[1] * z_q[j], np.array([1.0, z_q[j]]), 0.1
        )
        np.testing.assert_allclose(got[j], expected, rtol=RTOL)
    # The mean is loc: its interval is loc's Wald interval.
    np.testing.assert_allclose(model.mean_interval(), model.conf_int()[0], rtol=RTOL)

    # A generic scipy family: Gumbel, F⁻¹(q) = loc − scale · log(−log q).
    g = stats.gumbel_r.rvs(loc=1.0, scale=0.5, size=400, random_state=rng)
    gumbel = MLEDistribution(stats.gumbel_r).fit(g)
    w = -np.log(-np.log(0.95))
    expected = _analytic_interval(gumbel, stats.gumbel_r.ppf(0.95, *gumbel.params_), [1.0, w])
    # The generic family's covariance is numerical (~1e-8), the gradient is exact.
    np.testing.assert_allclose(gumbel.quantile_interval(0.95), expected, rtol=1e-6)


def test_held_parameters_do_not_vary():
    rng = np.random.default_rng(2)
    x = rng.weibull(1.5, size=400) * 2.0
    model = MLEDistribution("weibull").fit(x)
    shape, scale = model.params_
    q = 0.5
    w = -np.log1p(-q)
    value = scale * w ** (1 / shape)
    gradient = np.array([-value * np.log(w) / shape**2, w ** (1 / shape)])
    np.testing.assert_allclose(
        model.quantile_interval(q), _analytic_interval(model, value, gradient), rtol=RTOL
    )
    held = MLEDistribution("weibull", fixed={"shape": 1.5}).fit(x)
    (scale,) = held.params_
    expected = _analytic_interval(held, scale * w ** (1 / 1.5), np.array([w ** (1 / 1.5)]))
    np.testing.assert_allclose(held.quantile_interval(q), expected, rtol=RTOL)


def test_discrete_families_have_a_mean_interval_but_no_quantile_interval():
    x = np.random.default_rng(3).poisson(4.0, size=200)
    model = MLEDistribution("poisson").fit(x)
    np.testing.assert_allclose(model.mean_interval(), model.conf_int()[0], rtol=RTOL)
    with pytest.raises(ValueError, match="quantiles of the discrete poisson family"):
        model.quantile_interval(0.5)


def test_several_columns_and_any_function():
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.gamma(2.0, 1.0, 300), rng.gamma(5.0, 2.0, 300)])
    model = MLEDistribution("gamma").fit(X)
    intervals = model.quantile_interval([0.1, 0.5, 0.9])
    assert intervals.shape == (2, 3, 2)
    assert model.quantile_interval(0.5).shape == (2, 2)
    means = model.mean_interval()
    assert means.shape == (2, 2)
    for column in range(2):
        one = MLEDistribution("gamma").fit(X[:, column])
        np.testing.assert_allclose(intervals[column], one.quantile_interval([0.1, 0.5, 0.9]))
        np.testing.assert_allclose(means[column], one.mean_interval())
    # Any smooth function: a tail probability P(X > 5) and the variance.
    single = MLEDistribution("gamma").fit(X[:, 0])
    values, errors = delta_method(single, lambda d: [d.sf(5.0), d.var()])
    assert values.shape == errors.shape == (1, 2)
    shape, scale = single.params_
    np.testing.assert_allclose(values[0, 1], shape * scale**2, rtol=1e-12)
    gradient = np.array([scale**2, 2 * shape * scale])
    np.testing.assert_allclose(
        errors[0, 1], np.sqrt(gradient @ single.covariance_ @ gradient), rtol=RTOL
    )
    tail = single.derived_interval(lambda d: d.sf(5.0), alpha=0.1)
    assert tail.shape == (1, 2) and 0 < tail[0, 0] < values[0, 0] < tail[0, 1]


def test_errors(gamma_sample):
    with pytest.raises(NotFittedError):
        MLEDistribution("gamma").quantile_interval(0.5)
    model = MLEDistribution("gamma").fit(gamma_sample)
    for q in (0.0, 1.0, [0.5, 1.2], [[0.5]], np.nan):
        with pytest.raises(ValueError, match="q must be a probability"):
            model.quantile_interval(q)
    for alpha in (0, 1, "0.05"):
        with pytest.raises(ValueError, match="alpha must be a number in"):
            model.mean_interval(alpha=alpha)


@pytest.mark.slow
def test_quantile_interval_matches_a_parametric_bootstrap():
    # Fit a gamma to n = 400 draws, then refit B = 1500 samples drawn from the
    # fitted distribution. The bootstrap SD of the 0.9-quantile estimate has a
    # Monte Carlo relative error of 1/sqrt(2(B − 1)) ≈ 1.8%, and its 2.5% and
    # 97.5% percentiles one of about 0.1 SE; at n = 400 the delta method's own
    # error (the skewness of the estimate) is of the same order.
    rng = np.random.default_rng(5)
    n, B, q = 400, 1500, 0.9
    model = MLEDistribution("gamma").fit(rng.gamma(2.0, 3.0, size=n))
    fitted = model.distribution_
    interval = model.quantile_interval(q)
    se = (interval[1] - interval[0]) / (2 * Z)
    refit = MLEDistribution("gamma")
    replicates = np.array(
        [refit.fit(fitted.rvs(size=n, random_state=rng)).distribution_.ppf(q) for _ in range(B)]
    )
    assert np.std(replicates, ddof=1) == pytest.approx(se, rel=0.06)  # 3.3 MC SEs
    percentile = np.quantile(replicates, [0.025, 0.975])
    np.testing.assert_allclose(interval, percentile, atol=0.3 * se)
    # The mean interval too, against the bootstrap of the fitted mean.
    means = np.array(
        [refit.fit(fitted.rvs(size=n, random_state=rng)).distribution_.mean() for _ in range(500)]
    )
    mean_se = np.diff(model.mean_interval())[0] / (2 * Z)
    assert np.std(means, ddof=1) == pytest.approx(mean_se, rel=0.1)  # MC error 3.2%
