"""predict warns, by row, where the mean leaves the family's domain."""

import warnings

import numpy as np
import pytest

from skfisher import FisherGLMRegressor, FisherPoissonRegressor
from skfisher.exceptions import DomainWarning


def test_negative_gamma_mean_warns_naming_the_rows():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (100, 1))
    y = rng.gamma(2, 1 / (1 + 2 * X[:, 0]))
    model = FisherGLMRegressor(family="gamma", link="inverse").fit(X, y)
    with pytest.warns(DomainWarning, match=r"predict:.*1 of 3 rows \(positions \[2\]\)") as record:
        mu = model.predict(np.array([[0.5], [0.2], [-100.0]]))
    assert mu[2] < 0 and record[0].filename == __file__


def test_overflowing_poisson_mean_warns_without_numpy_warning():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 1))
    y = rng.poisson(np.exp(0.5 * X[:, 0]))
    model = FisherPoissonRegressor().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(DomainWarning, match="overflow"):
            mu = model.predict(np.array([[1e5]]))
    assert np.isinf(mu[0])


def test_means_inside_the_domain_are_silent():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 1))
    model = FisherPoissonRegressor().fit(X, rng.poisson(np.exp(0.5 * X[:, 0])))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)
