"""The compiled sparse products of solver="cg" against scipy's, and fits by either."""

import numpy as np
import pytest
import scipy.sparse as sp

from skfisher import FisherLogisticRegression
from skfisher._linalg import Design
from skfisher.linear_model import _cg

from .test_cg import wide_problem

kernels = pytest.importorskip("skfisher.linear_model._cg_numba")


@pytest.fixture(autouse=True)
def _compiled_for_small_problems(monkeypatch):
    """The kernels for the small X of these tests, below the size that takes them."""
    monkeypatch.setattr(_cg, "COMPILED_MIN_NNZ", 0)


def _sparse(n, k, *, dtype=np.float64, index=np.int32, seed=0):
    X = sp.random(n, k, density=0.02, format="lil", random_state=seed, dtype=dtype)
    X[3] = 0.0  # an empty row
    X = X.tocsr()
    X.indices = X.indices.astype(index)
    X.indptr = X.indptr.astype(index)
    assert X[3].nnz == 0 and X.dtype == dtype
    return X


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("index", [np.int32, np.int64])
@pytest.mark.parametrize("m", [1, 7])
def test_products_equal_scipy(dtype, index, m):
    X = _sparse(3000, 400, dtype=dtype, index=index)
    rng = np.random.default_rng(1)
    V, R, c = rng.normal(size=(400, m)), rng.normal(size=(3000, m)), rng.random(3000)
    dense = X.toarray().astype(float)
    np.testing.assert_allclose(kernels.matmat(X, V), dense @ V, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(kernels.rmatmat(X, R), dense.T @ R, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        kernels.weighted_squares(X, c), c @ dense**2, rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("intercept", [True, False])
def test_the_operator_equals_scipy_products(monkeypatch, intercept):
    """The information operator and its diagonal by the kernels and by scipy."""
    X = _sparse(5000, 300, seed=2)
    c = np.random.default_rng(3).random(5000)
    design = Design(X, intercept)
    V = np.random.default_rng(4).normal(size=(design.n_cols, 5))
    penalty = np.full(design.n_cols, 0.5)
    compiled = _cg.WeightedGram(_cg.SquaredDesign(design), c, penalty)
    monkeypatch.setattr(_cg, "COMPILED", False)
    plain = _cg.WeightedGram(_cg.SquaredDesign(design), c, penalty)
    np.testing.assert_allclose(compiled.matmat(V), plain.matmat(V), rtol=1e-12)
    np.testing.assert_allclose(compiled.diagonal, plain.diagonal, rtol=1e-12)
    full = np.column_stack([np.ones(5000), X.toarray()]) if intercept else X.toarray()
    expected = full.T @ (c[:, None] * full) + np.diag(penalty)
    np.testing.assert_allclose(plain.matmat(V), expected @ V, rtol=1e-10)


def test_parts_bound_the_accumulators():
    assert kernels.n_parts(500, 10) == 1  # fewer than 1,000 rows a part
    assert 1 <= kernels.n_parts(10**6, 10) <= 10**3
    assert kernels.n_parts(10**6, 10**9) == 1  # one accumulator of 8 GB at most


@pytest.mark.parametrize("cov_type", ["fisher", "sandwich"])
def test_fits_by_either_product_agree(monkeypatch, cov_type):
    X, y, w = wide_problem("binomial", 6000, 800, sparse=True, seed=5)
    named = list(range(12))
    options = dict(solver="cg", alpha=1e-3, tol=1e-10, cov_type=cov_type)
    compiled = FisherLogisticRegression(**options).fit(X, y, w, se_for=named)
    monkeypatch.setattr(_cg, "COMPILED", False)
    plain = FisherLogisticRegression(**options).fit(X, y, w, se_for=named)
    np.testing.assert_allclose(compiled.params_, plain.params_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        compiled.standard_errors_[compiled.se_for_],
        plain.standard_errors_[plain.se_for_],
        rtol=1e-10,
    )
