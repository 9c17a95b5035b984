"""solver="cg" inside scikit-learn: Pipeline, GridSearchCV, metadata routing, pickling."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler

from skfisher import FisherGLMRegressor, FisherLogisticRegression

from .test_cg import wide_problem


@pytest.fixture(scope="module")
def binary():
    return wide_problem("binomial", 2000, 150, sparse=True, seed=30)


def test_pipeline_fits_and_predicts_as_the_estimator(binary):
    X, y, _ = binary
    scaled = MaxAbsScaler().fit_transform(X)
    alone = FisherLogisticRegression(solver="cg", alpha=1e-3).fit(scaled, y)
    pipe = make_pipeline(MaxAbsScaler(), FisherLogisticRegression(solver="cg", alpha=1e-3))
    pipe.fit(X, y)
    np.testing.assert_array_equal(pipe[-1].params_, alone.params_)
    np.testing.assert_array_equal(pipe.predict_proba(X), alone.predict_proba(scaled))
    np.testing.assert_array_equal(pipe.predict(X), alone.predict(scaled))
    assert pipe.score(X, y) == alone.score(scaled, y)


def test_grid_search_over_alpha_with_cg(binary):
    X, y, _ = binary
    search = GridSearchCV(
        FisherLogisticRegression(solver="cg"),
        {"alpha": [1e-3, 1e-2]},
        cv=3,
        scoring="neg_log_loss",
    ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.solver_ == "cg"
    dense = GridSearchCV(
        FisherLogisticRegression(), {"alpha": [1e-3, 1e-2]}, cv=3, scoring="neg_log_loss"
    ).fit(X, y)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], dense.cv_results_["mean_test_score"], rtol=1e-8
    )


def test_cross_val_score_of_a_poisson_cg_fit():
    X, y, _ = wide_problem("poisson", 2000, 150, sparse=True, seed=31)
    cg = cross_val_score(FisherGLMRegressor(solver="cg", alpha=1e-3), X, y, cv=3)
    dense = cross_val_score(FisherGLMRegressor(alpha=1e-3), X, y, cv=3)
    np.testing.assert_allclose(cg, dense, rtol=1e-8)


def test_se_for_is_routed_to_the_step_that_requests_it(binary):
    X, y, _ = binary
    with sklearn.config_context(enable_metadata_routing=True):
        glm = FisherLogisticRegression(solver="cg", alpha=1e-3).set_fit_request(se_for=True)
        pipe = make_pipeline(MaxAbsScaler(), glm).fit(X, y, se_for=["x2", 5])
        np.testing.assert_array_equal(pipe[-1].se_for_, [3, 6])
        search = GridSearchCV(glm, {"alpha": [1e-3, 1e-2]}, cv=3).fit(X, y, se_for=["x2"])
    assert np.isfinite(pipe[-1].standard_errors_[[3, 6]]).all()
    assert search.best_estimator_.summary().names == ["x2"]


def test_a_pickled_cg_fit_predicts(binary):
    X, y, _ = binary
    fit = FisherLogisticRegression(solver="cg", alpha=1e-3).fit(X, y, se_for=[0])
    restored = pickle.loads(pickle.dumps(fit))
    np.testing.assert_array_equal(restored.predict_proba(X), fit.predict_proba(X))
    assert str(restored.summary()) == str(fit.summary())
