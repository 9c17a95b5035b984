"""A fit over tiny row chunks equals the fit over one chunk."""

import numpy as np
import pytest

import skfisher._linalg as linalg
from skfisher import FisherGLMRegressor, FisherLogisticRegression


def _data(seed=0, n=3000, k=6):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    eta = 0.2 + X @ rng.normal(0, 0.3, k)
    return X, rng, eta


@pytest.mark.parametrize("cov_type", ["fisher", "observed", "empirical", "sandwich"])
def test_tiny_chunks_equal_one_chunk(monkeypatch, cov_type):
    X, rng, eta = _data()
    y_binary = (rng.random(len(X)) < 1 / (1 + np.exp(-eta))).astype(int)
    y_gamma = rng.gamma(2.0, np.exp(eta) / 2.0)
    fits = {}
    for chunk_bytes in (1, 1 << 40):  # 64-row chunks (the minimum) and one chunk
        monkeypatch.setattr(linalg, "_CHUNK_BYTES", chunk_bytes)
        fits[chunk_bytes] = (
            FisherLogisticRegression(cov_type=cov_type).fit(X, y_binary),
            FisherGLMRegressor("gamma", "log", cov_type=cov_type).fit(X, y_gamma),
        )
    for tiny, whole in zip(fits[1], fits[1 << 40], strict=True):
        # Only the order of the additions differs.
        np.testing.assert_allclose(tiny.params_, whole.params_, rtol=1e-10)
        np.testing.assert_allclose(tiny.standard_errors_, whole.standard_errors_, rtol=1e-10)
        np.testing.assert_allclose(tiny.information_, whole.information_, rtol=1e-10)
        assert tiny.n_iter_ == whole.n_iter_
