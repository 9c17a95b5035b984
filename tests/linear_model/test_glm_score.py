"""score() takes the offset, routed by scikit-learn's metadata routing."""

import numpy as np
import pytest
import sklearn
import statsmodels.api as sm
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from skfisher import FisherGLMRegressor, FisherPoissonRegressor


@pytest.fixture
def exposure_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    offset = np.log(rng.uniform(0.1, 10, 300))
    y = rng.poisson(np.exp(0.2 + X @ [0.3, -0.2] + offset))
    return X, y.astype(float), offset


@pytest.fixture
def routing():
    sklearn.set_config(enable_metadata_routing=True)
    yield
    sklearn.set_config(enable_metadata_routing=False)


def hand_d2(X, y, offset, train, test):
    """D² on the test fold from statsmodels: the model and the intercept-only null, both
    with the offset."""
    fit = sm.GLM(y[train], sm.add_constant(X[train]), sm.families.Poisson(), offset=offset[train])
    fit = fit.fit(tol=1e-12)
    mu = fit.predict(sm.add_constant(X[test]), offset=offset[test])
    null = sm.GLM(y[test], np.ones((test.size, 1)), sm.families.Poisson(), offset=offset[test])
    null = null.fit(tol=1e-12)
    family = sm.families.Poisson()
    return 1 - family.deviance(y[test], mu) / family.deviance(y[test], null.fittedvalues)


def test_score_uses_the_offset(exposure_data):
    X, y, offset = exposure_data
    model = FisherGLMRegressor(family="poisson").fit(X, y, offset=offset)
    everything = np.arange(len(y))
    expected = hand_d2(X, y, offset, everything, everything)
    assert model.score(X, y, offset=offset) == pytest.approx(expected, rel=1e-9)
    # Without it the exposure would look like unexplained deviance.
    assert model.score(X, y) < expected - 0.1


@pytest.mark.usefixtures("routing")
@pytest.mark.parametrize(
    "estimator", [FisherGLMRegressor(family="poisson"), FisherPoissonRegressor()]
)
def test_cross_val_score_with_routed_offset(exposure_data, estimator):
    X, y, offset = exposure_data
    estimator = estimator.set_fit_request(offset=True).set_score_request(offset=True)
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(estimator, X, y, cv=cv, params={"offset": offset})
    expected = [hand_d2(X, y, offset, train, test) for train, test in cv.split(X)]
    np.testing.assert_allclose(scores, expected, rtol=1e-8)


@pytest.mark.usefixtures("routing")
def test_grid_search_with_routed_offset(exposure_data):
    X, y, offset = exposure_data
    estimator = FisherGLMRegressor(family="poisson").set_fit_request(offset=True)
    estimator = estimator.set_score_request(offset=True)
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(estimator, {"fit_intercept": [True]}, cv=cv)
    search.fit(X, y, offset=offset)
    expected = np.mean([hand_d2(X, y, offset, train, test) for train, test in cv.split(X)])
    assert search.best_score_ == pytest.approx(expected, rel=1e-8)
