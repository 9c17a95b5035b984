"""FisherGLMRegressor's invariances on the random problems of :mod:`._fuzz_strategies`.

Scaling every weight changes only the standard errors (by the known factor
of each cov_type), scaling a column scales its coefficient inversely, and a
weight of two is a repeated row; weights too small for a dispersion keep the
estimates. Each property is checked on derandomized examples.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from skfisher.exceptions import DispersionWarning

from ._fuzz_strategies import DISPERSION, Spec, make_problem, specs
from .test_glm_fuzz import COV_TYPES, fit_ours, ours_standard_errors

PROPERTY_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# Two fits of the same problem, each stopped below 1e-8 standard errors.
INVARIANCE_SE_ATOL = 1e-6
INVARIANCE_RTOL = 1e-7


def clean_fit(spec, X, y, w, offset, **params):
    """The fit, or None when it warned or did not converge (the property is then moot)."""
    model, categories = fit_ours(spec, X, y, w, offset, **params)
    return model if model.converged_ and not categories else None


def assert_same_params(actual, expected, standard_errors):
    difference = np.abs(actual - expected)
    assert np.all(difference <= INVARIANCE_SE_ATOL * standard_errors), (actual, expected)


def assert_close(actual, expected, rtol=INVARIANCE_RTOL, what=""):
    np.testing.assert_allclose(actual, expected, rtol=rtol, err_msg=what)


@PROPERTY_SETTINGS
@given(specs(), st.integers(-16, 16))
def test_scaling_all_weights_changes_only_the_standard_errors(spec, power):
    X, y, w, offset = make_problem(spec)
    w = np.ones(len(y)) if w is None else w
    c = 10.0**power
    k = X.shape[1] + 1 + (spec.family == "negative_binomial_alpha")
    undefined = spec.family in DISPERSION and c * w.sum() <= k
    base = clean_fit(spec, X, y, w, offset)
    assume(base is not None)
    scaled, categories = fit_ours(spec, X, y, c * w, offset)
    # The estimates do not depend on the scale of the weights, even where
    # φ̂ = χ² / (c Σw − k) is undefined (warned, nan).
    assert categories == ([DispersionWarning] if undefined else []), categories
    assert scaled.converged_
    assert_same_params(scaled.params_, base.params_, base.standard_errors_)
    if undefined:
        assert np.isnan(scaled.dispersion_)
        return
    # Frequency weights: I, J and F are totals (∝ c) with φ̂ in them once,
    # once and twice; φ̂ = c χ² / (c Σw − k) for the same χ² of the base fit.
    ratio = 1.0
    if spec.family in DISPERSION:
        chi2 = base.dispersion_ * (w.sum() - k)
        assert_close(scaled.dispersion_, c * chi2 / (c * w.sum() - k), what="dispersion")
        ratio = scaled.dispersion_ / base.dispersion_
    expected_factor = {
        "fisher": np.sqrt(ratio / c),
        "observed": np.sqrt(ratio / c),
        "empirical": ratio / np.sqrt(c),
        "sandwich": 1 / np.sqrt(c),
    }
    ours, theirs = ours_standard_errors(scaled), ours_standard_errors(base)
    for cov_type, factor in expected_factor.items():
        assert_close(ours[cov_type], theirs[cov_type] * factor, what=cov_type)


@PROPERTY_SETTINGS
@given(specs(), st.integers(-200, 200), st.data())
def test_scaling_a_column_scales_its_coefficient_inversely(spec, power, data):
    X, y, w, offset = make_problem(spec)
    j = data.draw(st.integers(0, X.shape[1] - 1))
    base = clean_fit(spec, X, y, w, offset, cov_type="sandwich")
    assume(base is not None)
    c = 10.0**power
    column = j + 1  # after the intercept
    # Representable: the column, its coefficient and its standard error.
    magnitudes = [np.max(np.abs(X[:, j])) * c, base.standard_errors_[column] / c]
    if base.params_[column] != 0:
        magnitudes.append(abs(base.params_[column]) / c)
    assume(all(1e-300 < value < 1e300 for value in magnitudes))
    scaled_X = X.copy()
    scaled_X[:, j] *= c
    expected = base.params_.copy()
    expected[column] /= c
    for cov_type in COV_TYPES:
        reference = (
            base if cov_type == "sandwich" else clean_fit(spec, X, y, w, offset, cov_type=cov_type)
        )
        scaled, categories = fit_ours(spec, scaled_X, y, w, offset, cov_type=cov_type)
        assert scaled.converged_ and not categories, (cov_type, categories)
        se = reference.standard_errors_.copy()
        se[column] /= c
        assert_same_params(scaled.params_, expected, se)
        assert_close(scaled.standard_errors_, se, what=cov_type)
        assert_close(scaled.loglik_, base.loglik_, rtol=1e-10, what="loglik")


@PROPERTY_SETTINGS
@given(specs().filter(lambda spec: spec.weights != "trials"), st.data())
def test_a_weight_of_two_is_a_repeated_row(spec, data):
    X, y, w, offset = make_problem(spec)
    w = np.ones(len(y)) if w is None else w
    i = data.draw(st.sampled_from(np.flatnonzero(w > 0).tolist()))
    doubled = w.copy()
    doubled[i] = 2 * w[i]
    rows = np.append(np.arange(len(y)), i)
    weighted = clean_fit(spec, X, y, doubled, offset)
    assume(weighted is not None)
    repeated, categories = fit_ours(
        spec, X[rows], y[rows], w[rows], None if offset is None else offset[rows]
    )
    assert repeated.converged_ and not categories, categories
    assert_same_params(repeated.params_, weighted.params_, weighted.standard_errors_)
    ours, theirs = ours_standard_errors(repeated), ours_standard_errors(weighted)
    for cov_type in COV_TYPES:
        assert_close(ours[cov_type], theirs[cov_type], what=cov_type)
    for name in ("loglik_", "dispersion_", "deviance_", "nobs_"):
        assert_close(getattr(repeated, name), getattr(weighted, name), what=name)


@pytest.mark.parametrize("family, link", [("gamma", "log"), ("inverse_gaussian", "identity")])
def test_weights_too_small_for_a_dispersion_keep_the_estimates(family, link):
    # Σw = 1e-14 < k: φ̂ is undefined, the maximum-likelihood estimate is not.
    spec = Spec(family, link, 7, 100, 2, "none", offset=False, outlier=False)
    X, y, _, offset = make_problem(spec)
    base = clean_fit(spec, X, y, None, offset)
    tiny, categories = fit_ours(spec, X, y, np.full(len(y), 1e-16), offset)
    assert categories == [DispersionWarning]
    assert np.isnan(tiny.dispersion_)
    assert_same_params(tiny.params_, base.params_, base.standard_errors_)


def test_negative_binomial_alpha_with_huge_weights_converges():
    # Σw = 1e16: the estimates are those of unit weights, determined to the
    # score's rounding floor, above tol = 1e-8 standard errors.
    spec = Spec("negative_binomial_alpha", "log", 7, 100, 2, "none", offset=False, outlier=False)
    X, y, _, offset = make_problem(spec)
    base = clean_fit(spec, X, y, None, offset)
    huge, categories = fit_ours(spec, X, y, np.full(len(y), 1e14), offset)
    assert huge.converged_ and not categories, categories
    assert_same_params(huge.params_, base.params_, base.standard_errors_)
