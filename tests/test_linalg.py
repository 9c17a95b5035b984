"""Design (the model matrix as an operator) and SymmetricFactor against explicit algebra."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from skfisher import _linalg as linalg
from skfisher._linalg import Design, SymmetricFactor

# Products of the same numbers summed in another order (chunks, BLAS blocking):
# rounding of a few ulps relative to the largest term.
RTOL = 1e-12


def _data(n=23, k=4, seed=0, density=0.4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k)) * [1e-3, 1.0, 10.0, 1e3][:k]
    X[rng.random((n, k)) > density] = 0.0
    return X


def _weights(kind, n, seed=1):
    rng = np.random.default_rng(seed)
    if kind == "positive":
        return rng.uniform(0.1, 3.0, n)
    if kind == "with_zeros":
        return np.where(rng.random(n) < 0.3, 0.0, rng.uniform(0.1, 3.0, n))
    return rng.normal(size=n)  # "mixed_sign": the observed information's weights


def _explicit(X, fit_intercept):
    return np.column_stack([np.ones(len(X)), X]) if fit_intercept else X


def _assert_close(actual, expected):
    # Relative to the largest entry of its row and column: entries of columns
    # scaled 1e-3 and 1e3 differ by 1e6, and their rounding with them.
    scale = np.sqrt(np.max(np.abs(expected)))
    assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * scale**2)


FORMATS = {
    "dense": np.asarray,
    "fortran": np.asfortranarray,
    "csr": sp.csr_matrix,
    "csc": sp.csc_matrix,
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matvec_and_rmatvec(fmt, fit_intercept):
    X = _data()
    Z = _explicit(X, fit_intercept)
    design = Design(FORMATS[fmt](X), fit_intercept)
    theta = np.random.default_rng(2).normal(size=Z.shape[1])
    v = np.random.default_rng(3).normal(size=len(X))
    assert design.n_cols == Z.shape[1]
    eta = design.matvec(theta)
    assert isinstance(eta, np.ndarray) and eta.shape == (len(X),)
    assert_allclose(eta, Z @ theta, rtol=RTOL, atol=RTOL * np.abs(Z * theta).max())
    assert_allclose(design.rmatvec(v), Z.T @ v, rtol=RTOL, atol=RTOL * np.abs(Z).max())


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", ["positive", "with_zeros", "mixed_sign"])
@pytest.mark.parametrize("chunk_rows", [None, 3, 5, 23, 1000])
def test_gram_equals_explicit_product(fmt, fit_intercept, kind, chunk_rows):
    X = _data()
    Z = _explicit(X, fit_intercept)
    w = _weights(kind, len(X))
    v = np.random.default_rng(4).normal(size=len(X))
    design = Design(FORMATS[fmt](X), fit_intercept, chunk_rows=chunk_rows)
    expected = Z.T @ (Z * w[:, None])
    gram = design.gram(w)
    assert gram.shape == (Z.shape[1], Z.shape[1])
    _assert_close(gram, expected)
    assert_allclose(gram, gram.T, rtol=0, atol=0)
    # The fused pass returns the same Gram matrix and [1, X]ᵀ v.
    fused, xtv = design.gram(w, v)
    _assert_close(fused, expected)
    assert_allclose(xtv, Z.T @ v, rtol=RTOL, atol=RTOL * np.abs(Z).max())


@pytest.mark.parametrize("kind", ["positive", "mixed_sign"])
def test_small_chunks_equal_one_chunk(kind):
    X = _data(n=101, k=4, density=1.0)
    w = _weights(kind, len(X))
    whole = Design(X, True, chunk_rows=len(X)).gram(w)
    for chunk_rows in (1, 3, 7, 100):
        _assert_close(Design(X, True, chunk_rows=chunk_rows).gram(w), whole)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", ["positive", "mixed_sign"])
def test_sparse_gram_with_and_without_tabmat(monkeypatch, fit_intercept, kind):
    # Without the compiled kernel the sparse sandwich uses tabmat when it is
    # installed, scipy otherwise; both must give the explicit product.
    monkeypatch.setattr(linalg, "COMPILED", False)
    X = _data()
    Z = _explicit(X, fit_intercept)
    w = _weights(kind, len(X))
    expected = Z.T @ (Z * w[:, None])
    for use_tabmat in (False, True):
        design = Design(sp.csr_matrix(X), fit_intercept, use_tabmat=use_tabmat)
        _assert_close(design.gram(w), expected)
        # The choice is the design's own: off, the scipy product ran.
        assert (design._tabmat is not False) == (use_tabmat and _has_tabmat())


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", ["positive", "mixed_sign"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_sparse_gram(monkeypatch, fit_intercept, kind, dtype):
    """The compiled kernel, its rows in parts, on unsorted indices and empty rows."""
    pytest.importorskip("skfisher._linalg._sparse_numba")
    monkeypatch.setattr(linalg, "COMPILED_MIN_NNZ", 0)
    X = _data(n=4000, k=4, density=0.5)
    X[::7] = 0.0
    csr = sp.csr_matrix(X.astype(dtype))
    for row in range(csr.shape[0]):  # each row's entries in decreasing column order
        entries = slice(csr.indptr[row], csr.indptr[row + 1])
        csr.indices[entries] = csr.indices[entries][::-1]
        csr.data[entries] = csr.data[entries][::-1]
    assert np.any(np.diff(csr.indices[csr.indptr[1] : csr.indptr[2]]) < 0)
    Z = _explicit(X.astype(dtype).astype(float), fit_intercept)
    w = _weights(kind, len(X))
    gram = Design(csr, fit_intercept).gram(w)
    _assert_close(gram, Z.T @ (Z * w[:, None]))
    assert_allclose(gram, gram.T, rtol=0, atol=0)
    monkeypatch.setattr(linalg, "COMPILED", False)
    _assert_close(Design(csr, fit_intercept).gram(w), gram)


def _has_tabmat():
    try:
        import tabmat  # noqa: F401
    except ImportError:
        return False
    return True


def test_dense_rows_are_the_rows_of_the_model_matrix():
    X = _data(n=11, k=3)
    for fit_intercept in (True, False):
        for matrix in (X, sp.csr_matrix(X)):
            rows = Design(matrix, fit_intercept).dense_rows(2, 7)
            assert_allclose(rows, _explicit(X, fit_intercept)[2:7], rtol=0)


def test_default_chunk_is_bounded():
    # About 1 MiB of rows: the buffer never grows with n.
    design = Design(np.zeros((10, 50)), True)
    assert design.chunk_rows * design.n_cols * 8 <= (1 << 20) + 64 * 8 * design.n_cols


# SymmetricFactor ------------------------------------------------------------
def _positive_definite(k=5, seed=0, scales=None):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(3 * k, k))
    A = B.T @ B
    if scales is not None:
        A = A * np.outer(scales, scales)
    return A


@pytest.mark.parametrize("scales", [None, np.array([1e-6, 1e-2, 1.0, 1e3, 1e6])])
def test_factor_positive_definite(scales):
    A = _positive_definite(scales=scales)
    factor = SymmetricFactor(A)
    assert not factor.singular
    assert not factor.negative
    assert factor.deficient.size == 0
    b = np.arange(1.0, 6.0)
    x = factor.solve(b)
    # Solving is accurate in the scaled problem: the residual is small
    # relative to |A| |x| (componentwise backward error).
    assert np.all(np.abs(A @ x - b) <= 1e-12 * (np.abs(A) @ np.abs(x)))
    inverse = factor.inverse()
    assert_allclose(inverse, inverse.T, rtol=0, atol=0)
    # In the scaled problem (unit diagonal), so that scales 1e-6..1e6 compare alike.
    d = np.sqrt(np.diag(A))
    assert_allclose((inverse * np.outer(d, d)) @ (A / np.outer(d, d)), np.eye(5), atol=1e-12)
    assert factor.null_directions().shape == (5, 0)  # nothing dropped
    root = factor.inverse_root()
    assert_allclose(np.sum((root.T @ b) ** 2), b @ x, rtol=1e-12)
    # Several right-hand sides at once.
    B = np.column_stack([b, 2 * b])
    assert_allclose(factor.solve(B), np.column_stack([x, 2 * x]), rtol=1e-12)


def _with_collinear_column(kind):
    """A Gram matrix of columns [a, b, c] plus a redundant fourth column."""
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(40, 3))
    extra = {
        "sum": Z[:, 0] + Z[:, 1],
        "duplicate": Z[:, 1],
        "zero": np.zeros(40),
        "scaled": 1e4 * Z[:, 2],
    }[kind]
    involved = {"sum": [0, 1, 3], "duplicate": [1, 3], "zero": [3], "scaled": [2, 3]}[kind]
    full = np.column_stack([Z, extra])
    return full.T @ full, Z.T @ Z, involved


@pytest.mark.parametrize("kind", ["sum", "duplicate", "zero", "scaled"])
def test_factor_singular_identifies_the_columns(kind):
    A, reduced, involved = _with_collinear_column(kind)
    factor = SymmetricFactor(A)
    assert factor.singular
    assert not factor.negative
    assert factor.deficient.tolist() == involved
    # The dropped part of a vector in the range of A is rounding; a vector
    # along the dropped direction (in D⁻¹-scaled units) is all dropped.
    directions = factor.null_directions()
    in_range = A @ np.arange(1.0, 5.0)
    assert np.linalg.norm(directions.T @ in_range) <= 1e-14 * np.linalg.norm(in_range)
    null = np.linalg.eigh(A)[1][:, 0]
    assert np.linalg.norm(directions.T @ null) > 0.1
    root = factor.inverse_root()
    assert_allclose(root @ root.T, factor.solve(np.eye(4)), atol=1e-10)
    inverse = factor.inverse()
    free = np.setdiff1d(np.arange(4), involved)
    assert np.all(np.isnan(inverse[involved, :]))
    assert np.all(np.isnan(inverse[:, involved]))
    # The identified entries are those of the model without the redundant
    # column: a pseudo-inverse gives the same variance to estimable functions.
    reduced_inverse = np.linalg.inv(reduced)
    assert_allclose(inverse[np.ix_(free, free)], reduced_inverse[np.ix_(free, free)], rtol=1e-9)
    # solve gives a solution whenever b is in the range of A.
    b = A @ np.array([1.0, -2.0, 0.5, 3.0])
    assert_allclose(A @ factor.solve(b), b, rtol=1e-9, atol=1e-9 * np.abs(b).max())


def test_factor_nearly_collinear_but_identified():
    # Correlation 1 - 1e-6: ill-conditioned yet identified (the threshold is
    # a pivot below 1e-12 of the scaled matrix).
    rng = np.random.default_rng(2)
    a = rng.normal(size=200)
    b = a + 1e-3 * rng.normal(size=200)
    Z = np.column_stack([np.ones(200), a, b])
    factor = SymmetricFactor(Z.T @ Z)
    assert not factor.singular
    assert factor.deficient.size == 0
    assert_allclose(factor.inverse(), np.linalg.inv(Z.T @ Z), rtol=1e-6)


def test_factor_indefinite():
    A = np.array([[2.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 3.0]])
    factor = SymmetricFactor(A)
    assert factor.negative
    assert factor.singular  # Cholesky cannot hold it
    assert factor.deficient.size == 0
    assert_allclose(factor.inverse(), np.linalg.inv(A), rtol=1e-12)


def test_factor_zero_matrix():
    factor = SymmetricFactor(np.zeros((2, 2)))
    assert factor.deficient.tolist() == [0, 1]
    assert np.all(np.isnan(factor.inverse()))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_factor_rejects_non_finite(bad):
    A = np.eye(3)
    A[1, 2] = A[2, 1] = bad
    with pytest.raises(ValueError, match="non-finite"):
        SymmetricFactor(A)


@pytest.mark.parametrize(
    "shape,order,dtype",
    [
        ((100_003, 7), "C", np.float64),  # by lines of 64 rows, and a remainder
        ((63, 5), "C", np.float64),  # fewer rows than one line
        ((6400, 3), "C", np.float32),
        ((1000, 4), "F", np.float64),  # by chunks of rows
        ((10, 0), "C", np.float64),
    ],
)
def test_largest_magnitudes(shape, order, dtype):
    rng = np.random.default_rng(shape[0])
    X = rng.standard_normal(shape) * rng.lognormal(0.0, 3.0, shape[1])
    X[rng.integers(shape[0], size=shape[1]), np.arange(shape[1])] = -1e6  # negative extremes
    X = np.asarray(X.astype(dtype), order=order)
    expected = np.abs(X).max(axis=0, initial=0.0).astype(float)
    largest = linalg._largest_magnitudes(X)
    assert largest.dtype == np.float64
    np.testing.assert_array_equal(largest, expected)
