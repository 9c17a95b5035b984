"""scikit-learn's estimator checks for FisherSurvivalRegressor, and their survival versions.

The checks that fit a 1-D target fail strictly on the model's refusal of it;
:class:`SurvivalChecks` redoes what they test on survival data (see
``_estimator_checks``). The other checks run as they are.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from skfisher.exceptions import BoundaryWarning
from skfisher.survival import FisherSurvivalRegressor

from ._estimator_checks import ONE_D_TARGET_CHECKS, SurvivalChecks

ESTIMATORS = [
    FisherSurvivalRegressor(),
    FisherSurvivalRegressor("lognormal", cov_type="sandwich"),
    FisherSurvivalRegressor("loglogistic", cov_type="observed"),
    FisherSurvivalRegressor("exponential", fit_intercept=False, alpha=0.5, cov_type="empirical"),
]


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda _: ONE_D_TARGET_CHECKS, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _simulate(n=120, seed=13):
    """Weibull times on three features, about a third censored, rounded so that some tie."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    time = np.exp(0.8 + X @ [0.5, -0.4, 0.2] + 0.7 * np.log(rng.exponential(size=n)))
    censor = rng.uniform(0.5, 6.0, n)
    observed = np.round(np.minimum(time, censor), 2) + 0.01
    return X, np.column_stack([observed, (time <= censor).astype(float)])


@pytest.fixture(params=ESTIMATORS, ids=repr)
def estimator(request):
    return clone(request.param)


class TestAFTChecks(SurvivalChecks):
    WEIGHTED_AS_REPEATED = ("standard_errors_",)
    X, Y = _simulate()

    @staticmethod
    def methods(model, X):
        out = SurvivalChecks.methods(model, X)
        out["quantiles"] = model.predict_quantile_interval(X, [0.25, 0.5])[1]
        return out

    def test_one_feature_and_one_sample(self, estimator):
        X = self.X
        one = estimator.fit(X[:, :1], self.Y)
        assert one.coef_.shape == (1,) and one.n_features_in_ == 1
        # One row: its event fits exactly and σ → 0, without an estimate; the
        # exponential (σ = 1) with a penalty and no intercept has one.
        if estimator.distribution == "exponential":
            single = clone(estimator).fit(X[:1], np.array([[1.0, 1.0]]))
            assert np.all(np.isfinite(single.standard_errors("fisher")))
            assert_allclose(single.loglik_, -np.exp(-X[0] @ single.coef_), rtol=1e-12)
        else:
            with pytest.warns(BoundaryWarning, match="scale tends to 0"):
                single = clone(estimator).fit(X[:1], np.array([[1.0, 1.0]]))
            assert np.all(np.isnan(single.standard_errors_)) and not single.converged_
