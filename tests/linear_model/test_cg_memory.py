"""solver="cg" in O(nnz + k) memory, and in the units and from the starts of the data."""

import tracemalloc

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from skfisher import FisherLogisticRegression

from .test_cg import TOL, wide_problem


def test_no_k_by_k_array_is_formed():
    """k = 50,000: the information alone would take 20 GB; the fit traces under 100 MB."""
    rng = np.random.default_rng(40)
    n, k, per_row = 20_000, 50_000, 5
    rows = np.repeat(np.arange(n), per_row)
    columns = rng.integers(0, k, size=n * per_row)
    X = sp.csr_matrix((rng.normal(size=n * per_row), (rows, columns)), shape=(n, k))
    y = (rng.random(n) < expit(X @ rng.normal(scale=0.5, size=k))).astype(float)
    tracemalloc.start()
    try:
        fit = FisherLogisticRegression(solver="auto", alpha=1e-3).fit(X, y, se_for=[0, 1, 2])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fit.solver_ == "cg" and fit.converged_
    assert np.isfinite(fit.standard_errors_[fit.se_for_]).all()
    assert peak < 100e6, f"peak traced memory {peak / 1e6:.0f} MB"


def test_extreme_columns_are_rescaled_as_in_the_dense_fit():
    X, y, w = wide_problem("binomial", 2000, 100, sparse=False, seed=41)
    X[:, 3] *= 1e-35
    dense = FisherLogisticRegression(tol=TOL).fit(X, y, w)
    cg = FisherLogisticRegression(tol=TOL, solver="cg").fit(X, y, w, se_for=[3, 4])
    np.testing.assert_allclose(cg.params_, dense.params_, rtol=1e-7)
    np.testing.assert_allclose(
        cg.standard_errors_[[4, 5]], dense.standard_errors_[[4, 5]], rtol=1e-6
    )
    # Each column to about 1e-8 √κ of its own scale (the solves' residual),
    # the scales 10⁷⁰ apart.
    expected = dense.covariance_[:, [4, 5]]
    scale = np.abs(expected).max(axis=0)
    assert np.all(
        np.abs(cg.covariance_columns_ - expected) <= 1e-6 * np.abs(expected) + 1e-7 * scale
    )


def test_warm_start_from_the_previous_fit():
    X, y, w = wide_problem("binomial", 2000, 100, sparse=True, seed=42)
    fit = FisherLogisticRegression(solver="cg", alpha=1e-3, warm_start=True).fit(X, y, w)
    params = fit.params_.copy()
    fit.fit(X, y, w)
    assert fit.n_iter_ == 0
    np.testing.assert_array_equal(fit.params_, params)
