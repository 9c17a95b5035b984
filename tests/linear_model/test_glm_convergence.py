"""converged_ means what it says, whatever the scale of y, X and the weights.

Each case was a wrong answer reported as a fit: a dispersion GLM stopped far
from its maximum (the loop's stop measured at a φ₀ far from φ̂), tiny weights
stopped at the start, extreme columns lost their information to underflow or
overflow, extreme responses overflowed in the reported matrices.
"""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.exceptions import ConvergenceWarning

from skfisher import FisherGLMRegressor, FisherLogisticRegression, FisherPoissonRegressor
from skfisher.exceptions import BoundaryWarning, CollinearityWarning
from skfisher.families import NegativeBinomial

from ._fuzz_strategies import Spec, glm_reference, make_problem
from .test_glm_fuzz import fit_ours

LINKS = sm.families.links


def decrement(model):
    """The step still to take at the reported θ̂ and φ̂, in standard errors."""
    return float(np.sqrt(model.score_ @ np.linalg.solve(model.information_, model.score_)))


def statsmodels_fit(X, y, family, method="IRLS"):
    exog = sm.add_constant(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm.GLM(y, exog, family=family).fit(method=method, tol=1e-14, maxiter=5000)


def test_inverse_gaussian_log_far_start_reaches_the_maximum():
    # The least-squares start steps onto the ridge μ → ∞, where the deviance
    # tends to Σ 1/y and φ̂ to 0: the loop, measuring its stop at the
    # starting φ₀ ≈ 1e18 φ̂, stopped there after 2 steps with converged_=True.
    rng = np.random.default_rng(10)
    X = rng.normal(size=(100, 2))
    y = np.exp(1 + X @ [0.5, -0.3] + 2 * rng.normal(size=100))
    model = FisherGLMRegressor(family="inverse_gaussian", link="log").fit(X, y)
    reference = statsmodels_fit(X, y, sm.families.InverseGaussian(LINKS.Log()))
    assert model.converged_
    np.testing.assert_allclose(model.params_, reference.params, rtol=1e-6)
    np.testing.assert_allclose(model.dispersion_, reference.scale, rtol=1e-6)
    np.testing.assert_allclose(model.loglik_, reference.llf, rtol=1e-8)
    assert decrement(model) <= model.tol


def test_gaussian_log_outlier_is_not_reported_converged_early():
    # Fisher scoring converges linearly here (statsmodels' IRLS needs 425
    # steps): stopping 11 SE short with converged_=True was the bug.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 2))
    y = np.exp(1 + X @ [0.5, -0.3] + 0.3 * rng.normal(size=200))
    y[0] *= 1e4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        short = FisherGLMRegressor(family="gaussian", link="log", max_iter=30).fit(X, y)
    assert not short.converged_
    model = FisherGLMRegressor(family="gaussian", link="log", max_iter=2000).fit(X, y)
    # statsmodels' Newton (23 steps) is the reference: its IRLS stops on the
    # change in deviance while still crawling.
    reference = statsmodels_fit(X, y, sm.families.Gaussian(LINKS.Log()), method="newton")
    assert model.converged_ and decrement(model) <= model.tol
    np.testing.assert_allclose(
        model.params_, reference.params, atol=1e-6 * model.standard_errors_.min()
    )


def test_gamma_log_over_sixteen_orders_of_magnitude():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 2))
    y = np.exp(rng.uniform(np.log(1e-8), np.log(1e8), 200))
    model = FisherGLMRegressor(family="gamma", link="log").fit(X, y)
    reference = statsmodels_fit(X, y, sm.families.Gamma(LINKS.Log()))
    assert model.converged_ and decrement(model) <= model.tol
    np.testing.assert_allclose(model.params_, reference.params, rtol=1e-6)


def test_exact_gaussian_fit_converges_without_warning():
    # Noise 1e-10: the score cannot be computed more finely than its rounding,
    # and the loop stops there instead of warning after max_iter.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 2))
    y = 1 + X @ [2.0, 3.0] + 1e-10 * rng.normal(size=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = FisherGLMRegressor(family="gaussian").fit(X, y)
    assert model.converged_ and model.n_iter_ < 10
    np.testing.assert_allclose(model.params_, [1.0, 2.0, 3.0], rtol=1e-9)


def test_gamma_identity_keeps_the_better_of_two_starts():
    # gamma-identity is not concave in the coefficients: the fit also starts
    # from statsmodels' means and keeps the higher log-likelihood.
    rng = np.random.default_rng(4)
    X = rng.uniform(1, 2, size=(200, 2))
    y = rng.gamma(2, (1 + X @ [1, 2]) / 2)
    y[0] *= 50
    model = FisherGLMRegressor(family="gamma", link="identity").fit(X, y)
    reference = statsmodels_fit(X, y, sm.families.Gamma(LINKS.Identity()))
    assert model.converged_
    assert model.deviance_ <= reference.deviance * (1 + 1e-10)


@pytest.fixture
def binary():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (rng.random(200) < 1 / (1 + np.exp(-X @ [1, -1, 0.5]))).astype(int)
    return X, y


@pytest.mark.parametrize("scale", [1e-16, 1e-8, 1e8, 1e16])
def test_weight_scale_does_not_change_the_estimate(binary, scale):
    X, y = binary
    plain = FisherLogisticRegression().fit(X, y)
    scaled = FisherLogisticRegression().fit(X, y, sample_weight=np.full(len(y), scale))
    assert scaled.converged_
    np.testing.assert_allclose(scaled.params_, plain.params_, rtol=1e-8)
    # Frequency weights: a sample c times as large has SEs 1/sqrt(c) as large.
    np.testing.assert_allclose(
        scaled.standard_errors_, plain.standard_errors_ / np.sqrt(scale), rtol=1e-7
    )


@pytest.mark.parametrize("scale", [1e-200, 1e-40, 1e40, 1e160, 1e200])
@pytest.mark.parametrize("estimator", [FisherLogisticRegression, FisherPoissonRegressor])
def test_extreme_columns_keep_their_information(binary, scale, estimator):
    # X × 1e-200 squared underflows to 0 and X × 1e160 overflows in the Gram
    # product: the coefficients were reported "not identified" or the fit
    # failed with "non-finite entries". Power-of-two rescaling is exact.
    X, y = binary
    if estimator is FisherPoissonRegressor:
        y = np.random.default_rng(1).poisson(np.exp(0.3 + X @ [0.3, -0.2, 0.1]))
    plain = estimator().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = estimator().fit(X * scale, y)
    assert scaled.converged_
    np.testing.assert_allclose(scaled.params_[1:] * scale, plain.params_[1:], rtol=1e-9)
    np.testing.assert_allclose(scaled.params_[0], plain.params_[0], rtol=1e-9)
    np.testing.assert_allclose(
        scaled.standard_errors_[1:] * scale, plain.standard_errors_[1:], rtol=1e-9
    )
    np.testing.assert_allclose(scaled.predict(X * scale), plain.predict(X), rtol=1e-9)


def test_gamma_response_near_1e150_fits_without_overflow():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = np.exp(1 + X @ [0.5, -0.3, 0.1] + 0.3 * rng.normal(size=200))
    plain = FisherGLMRegressor(family="gamma", link="log").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        large = FisherGLMRegressor(family="gamma", link="log").fit(X, y * 1e150)
    np.testing.assert_allclose(large.params_[1:], plain.params_[1:], rtol=1e-8)
    np.testing.assert_allclose(large.params_[0], plain.params_[0] + np.log(1e150), rtol=1e-10)
    np.testing.assert_allclose(large.standard_errors_, plain.standard_errors_, rtol=1e-7)


def test_poisson_counts_beyond_float_range_of_squares_are_refused():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = rng.poisson(np.exp(0.3 + X @ [0.3, -0.2, 0.1])) * 1e300
    with pytest.raises(ValueError, match="beyond the float64 range.*Rescale the response"):
        FisherPoissonRegressor().fit(X, y)


def test_warnings_point_at_the_callers_line():
    # The ConvergenceWarning and the DispersionWarning name this file, not
    # skfisher's own lines, whatever the depth of the call chain.
    from skfisher.exceptions import DispersionWarning

    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 2))
    y = np.exp(1 + X @ [0.5, -0.3] + 0.3 * rng.normal(size=200))
    y[0] *= 1e4
    with pytest.warns(ConvergenceWarning) as record:
        FisherGLMRegressor(family="gaussian", link="log", max_iter=5).fit(X, y)
    with pytest.warns(DispersionWarning) as more:
        FisherGLMRegressor(family="gamma").fit(X[:3], y[:3])
    assert {w.filename for w in [*record, *more]} == {__file__}


def test_negative_binomial_weight_scale_does_not_change_the_estimate():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = rng.negative_binomial(2, 2 / (2 + np.exp(1 + X @ [0.3, -0.2])))
    plain = FisherGLMRegressor(family="negative_binomial").fit(X, y)
    tiny = FisherGLMRegressor(family="negative_binomial").fit(
        X, y, sample_weight=np.full(len(y), 1e-12)
    )
    np.testing.assert_allclose(tiny.params_, plain.params_, rtol=1e-9)


# Found by the fuzz comparison (tests/linear_model/test_glm_fuzz.py) ------------
WORSE_MAXIMA = [
    # An outlier 1e3 times the others: R's and statsmodels' first steps and
    # the loop from them find a maximum with a deviance 1.2e4 times
    # statsmodels' own, which its least-squares IRLS path reaches; at that
    # maximum the outlier's information outweighs the others' by 1e15 and the
    # information matrix is singular to working precision.
    Spec("gaussian", "inverse", 200, 20, 1, "continuous", offset=False, outlier=True),
    # R's and statsmodels' starts end at a deviance of 13.4; the
    # intercept-only start at 11.19 (statsmodels' IRLS after 1000 steps).
    Spec("gaussian", "inverse", 6749, 170, 1, "none", offset=False, outlier=True),
]


@pytest.mark.parametrize("spec", WORSE_MAXIMA, ids=lambda spec: str(spec.seed))
def test_gaussian_inverse_is_never_worse_than_statsmodels(spec):
    X, y, w, offset = make_problem(spec)
    model, categories = fit_ours(spec, X, y, w, offset)
    reference = glm_reference(spec, X, y, w, offset, model.params_, model.dispersion_)
    assert model.deviance_ <= reference["deviance"] * (1 + 1e-10)
    singular = CollinearityWarning in categories
    assert model.converged_ != singular, categories


def test_negative_binomial_alpha_on_its_boundary_gives_the_poisson_coefficients():
    # The profile log-likelihood falls from α = 0; from the moment start the
    # loop's steps, halved to keep α above its floor, left β 22 SE short of
    # the maximum (statsmodels stops at α = 6e-10, its log-likelihood 0.12
    # below the Poisson one, lost in its log-gamma differences of 1/α).
    spec = Spec("negative_binomial_alpha", "log", 2, 20, 3, "integer", offset=True, outlier=False)
    X, y, w, offset = make_problem(spec)
    model, categories = fit_ours(spec, X, y, w, offset)
    assert categories == [BoundaryWarning] and not model.converged_
    poisson = FisherGLMRegressor("poisson").fit(X, y, sample_weight=w, offset=offset)
    steps = np.abs(model.params_[:-1] - poisson.params_) / poisson.standard_errors_
    assert np.max(steps) < 1e-6
    profile = [
        FisherGLMRegressor(NegativeBinomial(alpha=alpha)).fit(X, y, sample_weight=w, offset=offset)
        for alpha in (1e-4, 1e-2, 1e-1)
    ]
    assert model.loglik_ > max(fit.loglik_ for fit in profile)
    np.testing.assert_allclose(model.loglik_, poisson.loglik_, rtol=1e-6)


def test_dispersion_counts_the_columns_where_the_information_is_singular():
    # One row's information outweighs the others' by 1e12 or more: the
    # information is singular to working precision (warned) though both
    # columns are identified, and φ̂ = χ² / (n − 2) as statsmodels' (its rank
    # was taken from the information: χ² / (n − 1)).
    spec = Spec("gaussian", "inverse", 4, 93, 1, "none", offset=True, outlier=True)
    X, y, w, offset = make_problem(spec)
    model, categories = fit_ours(spec, X, y, w, offset)
    assert CollinearityWarning in categories
    chi2 = np.sum(np.square(y - model.predict(X, offset=offset)))
    np.testing.assert_allclose(model.dispersion_, chi2 / (len(y) - 2), rtol=1e-12)
    reference = glm_reference(spec, X, y, w, offset, model.params_, model.dispersion_)
    np.testing.assert_allclose(model.dispersion_, reference["dispersion"], rtol=1e-7)
