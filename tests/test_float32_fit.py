"""The GLM estimators on float32 X: the fit of its float64 copy, and of the float64 data it rounds.

Two comparisons. A float32 X and ``X.astype(np.float64)`` are the same numbers:
the fits agree to 1e-10 (they differ only in the order of the sums over row
chunks). A float64 X and its rounding to float32 are different data: the fits
agree to the first-order effect of that rounding, bounded from the data (see
:func:`_rounding_bounds`).
"""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

import skfisher._linalg as linalg
from skfisher import FisherGLMRegressor, FisherLogisticRegression

SAME_DATA_RTOL = 1e-10
# The unit roundoff of float32, 2⁻²⁴: |fl₃₂(x) − x| ≤ U32 |x|.
U32 = 2.0**-24


def _data(seed=0, n=3000, k=5):
    """Float64 features of different scales (with zeros), η and the random generator."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k)) * [1.0, 0.1, 10.0, 1.0, 3.0][:k]
    X[rng.random((n, k)) < 0.2] = 0.0
    eta = 0.3 + X @ (rng.normal(0, 0.4, k) / [1.0, 0.1, 10.0, 1.0, 3.0][:k])
    return X, eta, rng


def _fitted_dtype(model):
    return model._fitted_problem.design.X.dtype


FORMATS = {"dense": np.ascontiguousarray, "fortran": np.asfortranarray, "csr": sp.csr_matrix}


def _cases():
    X, eta, rng = _data()
    binary = (rng.random(len(X)) < 1 / (1 + np.exp(-eta))).astype(int)
    counts = rng.poisson(np.exp(eta))
    positive = rng.gamma(2.0, np.exp(eta) / 2.0)
    classes = np.digitize(eta + rng.logistic(size=len(X)), [-0.5, 0.8])
    groups = rng.integers(0, 40, len(X))
    offset = rng.normal(0, 0.1, len(X))
    return X, {
        "logistic": (FisherLogisticRegression(), binary, {}),
        "logistic-cluster": (
            FisherLogisticRegression(cov_type="cluster"),
            binary,
            {"groups": groups},
        ),
        "logistic-firth": (FisherLogisticRegression(bias_reduction="firth"), binary, {}),
        "multinomial": (FisherLogisticRegression(cov_type="sandwich"), classes, {}),
        "poisson-offset": (FisherGLMRegressor("poisson"), counts, {"offset": offset}),
        "gamma-log-observed": (
            FisherGLMRegressor("gamma", "log", cov_type="observed"),
            positive,
            {},
        ),
        # Not concave: the further starts, statsmodels' least-squares path among them.
        "gaussian-log": (FisherGLMRegressor("gaussian", "log"), positive, {}),
        "negative-binomial": (FisherGLMRegressor("negative_binomial"), counts + 3 * binary, {}),
    }


CASE_NAMES = sorted(_cases()[1])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case", CASE_NAMES)
def test_float32_x_fits_as_its_float64_copy(monkeypatch, fmt, case):
    X, cases = _cases()
    model, y, kwargs = cases[case]
    monkeypatch.setattr(linalg, "_CHUNK_BYTES", 1)  # 64-row chunks: many partial sums
    X32 = FORMATS[fmt](X.astype(np.float32))
    single = model.fit(X32, y, **kwargs)
    assert _fitted_dtype(single) == np.float32
    single = {name: np.copy(getattr(single, name)) for name in _REPORTED}
    double = model.fit(X32.astype(np.float64), y, **kwargs)
    assert _fitted_dtype(double) == np.float64
    for name in _REPORTED:
        assert_allclose(single[name], getattr(double, name), rtol=SAME_DATA_RTOL, err_msg=name)


_REPORTED = [
    "params_",
    "standard_errors_",
    "loglik_",
    "information_",
    "observed_information_",
    "empirical_fisher_",
    "covariance_",
]


def _rounding_bounds(X, theta, y, family):
    """First-order bounds on the changes of θ̂, ℓ and the SEs when X is rounded to float32.

    For a canonical link θ̂ solves ``X̃ᵀ(y − μ(X̃θ)) = 0`` and ``I = X̃ᵀ diag(V) X̃``
    (``V = dμ/dη``). Rounding changes ``X̃`` by ``E`` with ``|E| ≤ u |X̃|``,
    ``u = 2⁻²⁴`` (the intercept column is exact). To first order

    * ``I δθ = Eᵀ(y − μ) − X̃ᵀ diag(V) E θ̂``, so
      ``|δθ| ≤ u |I⁻¹| (|X̃|ᵀ|y − μ| + |X̃|ᵀ diag(V) |X̃| |θ̂|)``;
    * ``δℓ = Σ (y − μ)(E θ̂)_i`` (the score is 0), so ``|δℓ| ≤ u Σ |y − μ| (|X̃||θ̂|)_i``;
    * ``δI = Eᵀ V X̃ + X̃ᵀ V E + X̃ᵀ diag(V' δη) X̃`` with ``|δη| ≤ u |X̃||θ̂| + |X̃||δθ|``
      and ``V' = dV/dη``; ``δ(I⁻¹) = −I⁻¹ δI I⁻¹`` and the relative change of
      ``SE_j`` is ``½ δ(I⁻¹)_jj / (I⁻¹)_jj``.

    Each bound is u times a condition number of the problem: how much
    ``I⁻¹`` amplifies a perturbation of the size of the terms it sums.
    """
    Z = np.column_stack([np.ones(X.shape[0]), X])
    A = np.abs(Z)
    mu = np.exp(Z @ theta) if family == "poisson" else 1.0 / (1.0 + np.exp(-(Z @ theta)))
    V = mu if family == "poisson" else mu * (1.0 - mu)
    dV = V if family == "poisson" else V * (1.0 - 2.0 * mu)
    inverse = np.linalg.inv(Z.T @ (Z * V[:, None]))
    residual = np.abs(y - mu)
    eta_move = A @ np.abs(theta)
    theta_bound = U32 * np.abs(inverse) @ (A.T @ residual + A.T @ (A * V[:, None]) @ np.abs(theta))
    loglik_bound = U32 * float(residual @ eta_move)
    eta_bound = U32 * eta_move + A @ theta_bound
    D = 2 * U32 * A.T @ (A * V[:, None]) + A.T @ (A * (np.abs(dV) * eta_bound)[:, None])
    se_bound = 0.5 * np.diag(np.abs(inverse) @ D @ np.abs(inverse)) / np.diag(inverse)
    return theta_bound, loglik_bound, se_bound


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_float32_rounding_moves_the_fit_by_its_first_order_effect(sparse, family):
    X, eta, rng = _data(seed=1)
    if family == "binomial":
        y = (rng.random(len(X)) < 1 / (1 + np.exp(-eta))).astype(float)
        model = FisherLogisticRegression()
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
        model = FisherGLMRegressor("poisson")
    as_input = sp.csr_matrix if sparse else np.asarray
    exact = model.fit(as_input(X), y)
    exact = {name: np.copy(getattr(exact, name)) for name in _REPORTED}
    rounded = model.fit(as_input(X.astype(np.float32)), y)
    assert _fitted_dtype(rounded) == np.float32
    theta_bound, loglik_bound, se_bound = _rounding_bounds(X, exact["params_"], y, family)
    # The bounds are far below the statistical error: the test is not vacuous.
    assert np.max(theta_bound / exact["standard_errors_"]) < 1e-4
    # Twice the first-order bounds: room for the second-order terms and the
    # loop's stop (its last step is below 1e-8 standard errors).
    step = 1e-8 * exact["standard_errors_"]
    assert np.all(np.abs(rounded.params_ - exact["params_"]) <= 2 * theta_bound + step)
    assert abs(rounded.loglik_ - exact["loglik_"]) <= 2 * loglik_bound
    se_change = np.abs(rounded.standard_errors_ / exact["standard_errors_"] - 1.0)
    assert np.all(se_change <= 2 * se_bound + 1e-12)
    # And the two fits are of different data.
    assert not np.array_equal(rounded.params_, exact["params_"])


def test_predictions_of_float32_x_equal_those_of_its_float64_copy():
    X, eta, rng = _data(seed=2)
    y = rng.gamma(2.0, np.exp(eta) / 2.0)
    model = FisherGLMRegressor("gamma", "log").fit(X, y)
    X32 = X.astype(np.float32)
    for method in ("predict", "predict_interval"):
        single = getattr(model, method)(X32)
        assert single.dtype == np.float64
        assert_allclose(single, getattr(model, method)(X32.astype(np.float64)), rtol=1e-13)
    classes = np.digitize(eta + rng.logistic(size=len(X)), [-0.5, 0.8])
    multinomial = FisherLogisticRegression().fit(X32, classes)
    assert_allclose(
        multinomial.predict_proba_interval(X32),
        multinomial.predict_proba_interval(X32.astype(np.float64)),
        rtol=1e-13,
    )


def test_a_float32_fit_makes_no_float64_copy_of_x():
    rng = np.random.default_rng(3)
    X32 = rng.standard_normal((50000, 40)).astype(np.float32)
    y = (rng.random(X32.shape[0]) < 0.4).astype(int)
    FisherLogisticRegression().fit(X32[:1000], y[:1000])  # imports and first calls
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        model = FisherLogisticRegression().fit(X32, y)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert _fitted_dtype(model) == np.float32
    # A float64 copy of X is twice its bytes; the fit's vectors of length n
    # (about eight, 8 bytes a row each) and chunk buffers are far less.
    assert peak < X32.nbytes
