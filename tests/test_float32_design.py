"""Design on float32 X: the products of its float64 copy, without a float64 copy of X."""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

import skfisher._linalg as linalg
from skfisher._linalg import Design, extreme_column_scale
from skfisher.linear_model._problem import group_score_sums

# The same numbers summed in another order (chunks against one product):
# a few ulps of the largest term.
RTOL = 1e-13

FORMATS = {
    "dense": np.ascontiguousarray,
    "fortran": np.asfortranarray,
    "csr": sp.csr_matrix,
    "csc": sp.csc_matrix,
}


def _data(n=301, k=5, seed=0, density=0.5):
    """Float32 data with columns of different scales and zeros."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k)) * [1e-3, 1.0, 10.0, 1e3, 1.0][:k]
    X[rng.random((n, k)) > density] = 0.0
    return X.astype(np.float32)


def _pair(fmt, fit_intercept, chunk_rows=7):
    """Designs on float32 X and on its float64 copy, both over chunks of ``chunk_rows``."""
    X32 = _data()
    single = Design(FORMATS[fmt](X32), fit_intercept, chunk_rows=chunk_rows)
    double = Design(FORMATS[fmt](X32.astype(np.float64)), fit_intercept, chunk_rows=chunk_rows)
    return single, double, X32.astype(np.float64)


def _close(actual, expected, magnitude):
    assert actual.dtype == np.float64
    assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * magnitude)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_products_equal_those_of_the_float64_copy(fmt, fit_intercept):
    single, double, X = _pair(fmt, fit_intercept)
    assert single.X.dtype == np.float32 and single.upcast and not double.upcast
    rng = np.random.default_rng(1)
    theta = rng.normal(size=single.n_cols)
    v = rng.normal(size=single.n_rows)
    big = np.abs(X).max() * (1.0 + np.abs(theta).sum()) * (1.0 + np.abs(v).sum())
    _close(single.matvec(theta), double.matvec(theta), big)
    _close(single.rmatvec(v), double.rmatvec(v), big)
    for a, b in zip(single.abs_products(theta, v), double.abs_products(theta, v), strict=True):
        _close(a, b, big)
    directions = rng.normal(size=(single.n_cols, 3))
    _close(single.row_norms(directions), double.row_norms(directions), big)
    rows = single.dense_rows(3, 40)
    assert rows.dtype == np.float64
    assert_allclose(rows, double.dense_rows(3, 40), rtol=0, atol=0)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", ["positive", "with_zeros", "mixed_sign"])
def test_gram_equals_that_of_the_float64_copy(fmt, fit_intercept, kind):
    single, double, X = _pair(fmt, fit_intercept)
    rng = np.random.default_rng(2)
    w = rng.uniform(0.1, 3.0, single.n_rows)
    if kind == "with_zeros":
        w[rng.random(w.size) < 0.3] = 0.0
    elif kind == "mixed_sign":
        w = rng.normal(size=w.size)
    v = rng.normal(size=single.n_rows)
    gram, xtv = single.gram(w, v)
    expected, expected_xtv = double.gram(w, v)
    scale = np.abs(X).max() ** 2 * np.abs(w).sum()
    _close(gram, expected, scale)
    _close(xtv, expected_xtv, np.abs(X).max() * np.abs(v).sum())
    assert_allclose(gram, gram.T, rtol=0, atol=0)


@pytest.mark.parametrize("use_tabmat", [True, False])
def test_sparse_gram_sums_in_float64_with_and_without_tabmat(use_tabmat):
    # tabmat's kernel sums in its matrix's dtype: a float32 matrix would
    # round every partial sum to 24 bits.
    n = 20000
    rng = np.random.default_rng(3)
    X32 = sp.random(n, 4, density=0.5, format="csr", random_state=3, dtype=np.float32)
    X32.data = rng.normal(1.0, 0.01, X32.nnz).astype(np.float32)
    w = rng.uniform(0.5, 1.5, n)
    single = Design(X32, True, use_tabmat=use_tabmat).gram(w)
    X = X32.toarray().astype(np.float64)
    Z = np.column_stack([np.ones(n), X])
    assert_allclose(single, Z.T @ (Z * w[:, None]), rtol=1e-13)


def test_float32_products_are_not_summed_in_float32():
    # Sums of 10⁴ terms near 1: float32 accumulation would be off by about 1e-4.
    rng = np.random.default_rng(4)
    X32 = rng.normal(1.0, 0.01, size=(10000, 3)).astype(np.float32)
    X = X32.astype(np.float64)
    design = Design(X32, False)
    v = rng.uniform(0.5, 1.5, X.shape[0])
    assert_allclose(design.rmatvec(v), X.T @ v, rtol=1e-13)
    assert_allclose(design.gram(v), X.T @ (X * v[:, None]), rtol=1e-13)
    theta = np.array([1.0 / 3.0, 1e-9, -2.0 / 7.0])
    # η keeps θ's float64 digits: θ cast to float32 would move it by 1e-8.
    assert_allclose(design.matvec(theta), X @ theta, rtol=1e-13)


@pytest.mark.parametrize("fmt", ["dense", "fortran", "csr"])
def test_row_chunks_cover_the_rows_in_order(fmt):
    X32 = _data(n=203)
    design = Design(FORMATS[fmt](X32), True, chunk_rows=5)
    bounds = [(start, stop) for start, stop, _ in design.row_chunks()]
    assert bounds[0][0] == 0 and bounds[-1][1] == design.n_rows
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(bounds[:-1], bounds[1:], strict=True))
    entries = design.chunk_rows * design.n_cols
    for start, stop, rows in design.row_chunks():
        assert rows.shape == (stop - start, design.n_features) and rows.dtype == np.float32
        if design.sparse:
            # At most a chunk's entries, unless one row holds more.
            assert rows.nnz <= entries or stop == start + 1
            assert_allclose(rows.toarray(), X32[start:stop], rtol=0)
        else:
            assert np.shares_memory(rows, design.X)


def _peak_bytes(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["dense", "fortran", "csr"])
def test_products_make_no_float64_copy_of_x(fmt):
    rng = np.random.default_rng(5)
    X32 = rng.normal(size=(50000, 40)).astype(np.float32)
    X32 = FORMATS[fmt](X32)
    nbytes = X32.data.nbytes + X32.indices.nbytes if sp.issparse(X32) else X32.nbytes
    design = Design(X32, True)
    theta = rng.normal(size=design.n_cols)
    v = rng.normal(size=design.n_rows)
    products = [
        lambda: design.matvec(theta),
        lambda: design.rmatvec(v),
        lambda: design.abs_products(theta, v),
        lambda: design.row_norms(np.ones((design.n_cols, 2))),
    ]
    if not design.sparse:
        products.append(lambda: design.gram(np.abs(v), v))
    for product in products:
        # A float64 copy of X alone is twice its bytes; the outputs and the
        # chunks' buffers (about 1 MiB each) are a fraction of them.
        assert _peak_bytes(product) < 0.5 * nbytes


@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_group_score_sums_equal_those_of_the_float64_copy(fmt):
    single, double, _ = _pair(fmt, True)
    rng = np.random.default_rng(6)
    score = rng.normal(size=single.n_rows)
    groups = rng.integers(0, 9, single.n_rows)
    sums = group_score_sums(single, score, groups)
    _close(sums, group_score_sums(double, score, groups), np.abs(score).sum() * 1e3)


@pytest.mark.parametrize("order", ["C", "F"])
def test_extreme_column_scale_reads_float32_x_by_chunks(monkeypatch, order):
    X32 = np.asarray(_data(n=500) * np.float32(1e32), order=order)  # column 3 reaches 1e35
    monkeypatch.setattr(linalg, "_CHUNK_BYTES", 64)  # a few rows per chunk
    scaled, scale = extreme_column_scale(X32)
    expected = np.abs(X32.astype(np.float64)).max(axis=0)
    extreme = (expected > 1e30) | (expected < 1e-30)
    assert extreme.any()
    assert_allclose(scale[extreme], np.exp2(-np.round(np.log2(expected[extreme]))), rtol=0)
    # The scaled copy is exact: powers of two, in float64.
    assert scaled.dtype == np.float64
    assert_allclose(scaled, X32.astype(np.float64) * scale, rtol=0)
    monkeypatch.undo()
    ordinary = np.random.default_rng(7).normal(size=(100000, 20))
    ordinary = np.asarray(ordinary, dtype=np.float32, order=order)
    assert extreme_column_scale(ordinary)[0] is ordinary
    # abs(X) whole would be a copy of X; a chunk's buffer is 1 MiB.
    assert _peak_bytes(lambda: extreme_column_scale(ordinary)) < 0.25 * ordinary.nbytes
