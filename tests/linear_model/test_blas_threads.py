"""A GLM fit whose passes run on numba's threads runs BLAS on one thread, and only then.

BLAS's threads spin after each call on the cores the next compiled pass
needs; the fit limits BLAS to one thread while it runs and restores the
caller's setting after it, also when the fit raises.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.special import expit
from threadpoolctl import threadpool_info, threadpool_limits

from skfisher import FisherGLMRegressor, FisherLogisticRegression, _fused
from skfisher import _linalg as linalg
from skfisher._fused import ENGINE_VARIABLE
from skfisher.families import Binomial, Gamma, Poisson
from skfisher.linear_model import _base, _problem
from skfisher.linear_model._glm_fit import compiled_passes
from skfisher.links import Identity, Log, Logit

pytest.importorskip("numba")


def _blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def two_blas_threads():
    """BLAS on two threads around the test, so that a limit to one is visible."""
    if not _blas_threads():
        pytest.skip("no BLAS library that threadpoolctl controls")
    with threadpool_limits(2, user_api="blas"):
        yield


@pytest.fixture
def compiled(monkeypatch):
    """Every dense X and every sparse X takes the compiled kernels, whatever its size."""
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    monkeypatch.setattr(_fused, "_NUMBA_MIN_VALUES", 0)
    monkeypatch.setattr(linalg, "COMPILED_MIN_NNZ", 0)


@pytest.fixture
def seen_in_fit(monkeypatch):
    """The BLAS threads each loop of a fit saw, appended to the returned list."""
    seen = []
    drive = _base.drive

    def recording(estimator, model):
        seen.append(_blas_threads())
        return drive(estimator, model)

    monkeypatch.setattr(_base, "drive", recording)
    return seen


def _logistic_data(n=300, p=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = (rng.random(n) < expit(0.3 + X @ rng.normal(0.0, 0.5, p))).astype(float)
    return X, y


def _passes(X, y, family, link):
    return compiled_passes(X, y, family, link, fit_intercept=True)


def test_which_fits_run_on_compiled_threads(compiled, monkeypatch):
    X, y = _logistic_data()
    assert _passes(X, y, Binomial(), Logit())
    assert _passes(X.astype(np.float32), y, Poisson(), Log())
    assert _passes(sp.csr_matrix(X), y, Gamma(), Log())  # the sparse Gram product
    assert not _passes(X, y, Gamma(), Log())  # the separate products: BLAS's Gram
    assert not _passes(X, y, Binomial(), Identity())
    assert not _passes(X[::2, ::2], y[::2], Binomial(), Logit())  # a strided X is not fused
    assert not compiled_passes(X[:, :0], y, Binomial(), Logit(), fit_intercept=False)
    monkeypatch.setattr(_problem, "FUSED", False)
    assert not _passes(X, y, Binomial(), Logit())
    monkeypatch.setattr(linalg, "COMPILED", False)
    assert not _passes(sp.csr_matrix(X), y, Gamma(), Log())


def test_below_the_thresholds_nothing_is_compiled(monkeypatch):
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    X, y = _logistic_data()
    assert not _passes(X, y, Binomial(), Logit())
    assert not _passes(sp.csr_matrix(X), y, Gamma(), Log())


def test_a_compiled_fit_runs_blas_on_one_thread_and_restores_it(
    compiled, two_blas_threads, seen_in_fit
):
    X, y = _logistic_data()
    fitted = FisherLogisticRegression().fit(X, y)
    assert seen_in_fit and all(threads == [1] * len(threads) for threads in seen_in_fit)
    assert _blas_threads() == [2] * len(_blas_threads())
    with threadpool_limits(2, user_api="blas"):  # unchanged numbers
        reference = FisherLogisticRegression().fit(X, y)
    assert_allclose(fitted.coef_, reference.coef_, rtol=1e-12)


def test_a_sparse_compiled_fit_runs_blas_on_one_thread(compiled, two_blas_threads, seen_in_fit):
    X, y = _logistic_data(seed=1)
    FisherGLMRegressor(family="poisson").fit(sp.csr_matrix(X), y)
    assert seen_in_fit[-1] == [1] * len(seen_in_fit[-1])
    assert _blas_threads() == [2] * len(_blas_threads())


def test_other_fits_keep_blas_threads(compiled, two_blas_threads, seen_in_fit):
    X, _ = _logistic_data(seed=2)
    y = np.random.default_rng(2).gamma(2.0, 1.0, X.shape[0])
    FisherGLMRegressor(family="gamma", link="log").fit(X, y)
    assert seen_in_fit[-1] == [2] * len(seen_in_fit[-1])


def test_the_limit_is_restored_when_the_fit_raises(compiled, two_blas_threads, monkeypatch):
    def failing(estimator, model):
        raise RuntimeError("the loop failed")

    monkeypatch.setattr(_base, "drive", failing)
    X, y = _logistic_data(seed=3)
    with pytest.raises(RuntimeError, match="the loop failed"):
        FisherLogisticRegression().fit(X, y)
    assert _blas_threads() == [2] * len(_blas_threads())
