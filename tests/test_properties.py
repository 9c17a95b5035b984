"""Properties every Fisher-scoring logistic fit must have, on generated problems."""

import warnings

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import expit

from skfisher import FisherLogisticRegression
from skfisher._validation import separating_direction

COV_TYPES = ("fisher", "observed", "empirical", "sandwich")
MATRICES = ("information_", "observed_information_", "empirical_fisher_")
SETTINGS = settings(max_examples=25, deadline=None)


@st.composite
def logistic_problems(draw):
    """Well-posed problems: y from a logistic model with moderate coefficients, n >= 200.

    Column scales vary over six orders of magnitude; problems whose classes
    happen to be separated (no MLE) are rejected.
    """
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(200, 600))
    k = draw(st.integers(1, 5))
    fit_intercept = draw(st.booleans())
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-3, 3, size=k)
    X = rng.normal(size=(n, k)) * scale
    coef = rng.uniform(-1.5, 1.5, size=k) / np.sqrt(k) / scale
    y = (rng.random(n) < expit(X @ coef + fit_intercept * rng.uniform(-1, 1))).astype(float)
    design = np.column_stack([np.ones(n), X]) if fit_intercept else X
    assume(separating_direction(design, 2 * y - 1) is None)
    return X, y, fit_intercept


def _fit(X, y, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = FisherLogisticRegression(**params).fit(X, y, sample_weight)
    assert model.converged_
    return model


@SETTINGS
@given(logistic_problems())
def test_score_vanishes_at_the_fit(problem):
    X, y, fit_intercept = problem
    model = _fit(X, y, fit_intercept=fit_intercept, tol=1e-8)
    # The stopping rule itself: the next step is shorter than tol standard
    # errors, sqrt(Uᵀ I⁻¹ U) <= tol, whatever the scale of the columns.
    decrement = model.score_ @ np.linalg.solve(model.information_, model.score_)
    assert np.sqrt(max(decrement, 0.0)) <= 1e-8
    # Entrywise, by Cauchy-Schwarz |U_j| <= sqrt(I_jj) sqrt(Uᵀ I⁻¹ U); the factor
    # 2 covers the rounding in the solve above.
    assert np.all(np.abs(model.score_) <= 2e-8 * np.sqrt(np.diag(model.information_)))


@SETTINGS
@given(logistic_problems(), st.sampled_from(COV_TYPES))
def test_matrices_are_symmetric_positive_semidefinite(problem, cov_type):
    X, y, fit_intercept = problem
    model = _fit(X, y, fit_intercept=fit_intercept, cov_type=cov_type)
    for name in (*MATRICES, "covariance_"):
        matrix = getattr(model, name)
        assert matrix.shape == (len(model.params_),) * 2
        assert_allclose(matrix, matrix.T, rtol=1e-14, atol=0, err_msg=name)
        # Eigenvalues of the matrix scaled to unit diagonal: the columns'
        # scales (up to 1e6 apart) would otherwise hide a negative one.
        scale = np.sqrt(np.diag(matrix))
        assert np.all(scale > 0), name
        eigenvalues = np.linalg.eigvalsh(matrix / np.outer(scale, scale))
        assert eigenvalues.min() >= -1e-12, name
    # For the logit link the observed and expected information coincide.
    assert_allclose(model.observed_information_, model.information_, rtol=1e-12)
    assert_allclose(model.standard_errors_, np.sqrt(np.diag(model.covariance_)), rtol=1e-15)


@SETTINGS
@given(
    logistic_problems(),
    st.floats(-3, 3),
    st.booleans(),
    st.integers(0, 4),
)
def test_rescaling_a_column_rescales_its_coefficient_and_se(problem, log_c, negative, column):
    X, y, fit_intercept = problem
    column %= X.shape[1]
    c = (-1.0 if negative else 1.0) * 10.0**log_c
    X_scaled = X.copy()
    X_scaled[:, column] *= c
    j = column + fit_intercept
    for cov_type in COV_TYPES:
        base = _fit(X, y, fit_intercept=fit_intercept, cov_type=cov_type, tol=1e-10)
        scaled = _fit(X_scaled, y, fit_intercept=fit_intercept, cov_type=cov_type, tol=1e-10)
        expected_params = base.params_.copy()
        expected_params[j] /= c
        expected_se = base.standard_errors_.copy()
        expected_se[j] /= abs(c)
        # Both fits stop within 1e-10 standard errors of the same optimum
        # (in their own units); estimates near zero are judged on that scale.
        assert np.all(
            np.abs(scaled.params_ - expected_params)
            <= 1e-8 * np.abs(expected_params) + 1e-8 * expected_se
        ), cov_type
        assert_allclose(scaled.standard_errors_, expected_se, rtol=1e-7, err_msg=cov_type)
        assert_allclose(scaled.loglik_, base.loglik_, rtol=1e-12)


@SETTINGS
@given(logistic_problems(), st.integers(0, 10**6), st.sampled_from(COV_TYPES))
def test_weight_two_equals_a_duplicated_row(problem, row, cov_type):
    X, y, fit_intercept = problem
    row %= len(y)
    weight = np.ones(len(y))
    weight[row] = 2.0
    weighted = _fit(X, y, weight, fit_intercept=fit_intercept, cov_type=cov_type, tol=1e-10)
    order = np.r_[np.arange(len(y)), row]
    duplicated = _fit(
        X[order], y[order], fit_intercept=fit_intercept, cov_type=cov_type, tol=1e-10
    )
    # Equal sums in a different order: rounding only.
    assert_allclose(weighted.params_, duplicated.params_, rtol=1e-9, atol=1e-12)
    assert_allclose(weighted.loglik_, duplicated.loglik_, rtol=1e-12)
    for name in (*MATRICES, "covariance_"):
        assert_allclose(
            getattr(weighted, name), getattr(duplicated, name), rtol=1e-8, err_msg=name
        )
    assert_allclose(weighted.standard_errors_, duplicated.standard_errors_, rtol=1e-8)
