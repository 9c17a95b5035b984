"""scikit-learn's estimator checks for FisherCoxRegressor, and their survival versions.

The checks that fit a 1-D target fail strictly on the model's refusal of it;
:class:`SurvivalChecks` redoes what they test on survival data (see
``_estimator_checks``). The other checks run as they are.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from skfisher.exceptions import CollinearityWarning
from skfisher.survival import FisherCoxRegressor

from ._data import simulate
from ._estimator_checks import ONE_D_TARGET_CHECKS, SurvivalChecks

ESTIMATORS = [
    FisherCoxRegressor(),
    FisherCoxRegressor("breslow", cov_type="sandwich"),
    FisherCoxRegressor(alpha=0.5, cov_type="empirical"),
]


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda _: ONE_D_TARGET_CHECKS, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.fixture(params=ESTIMATORS, ids=repr)
def estimator(request):
    return clone(request.param)


class TestCoxChecks(SurvivalChecks):
    WEIGHTED_AS_REPEATED = ("concordance_",)
    X, Y, _ = simulate(n=120, seed=13, tied=True)

    def test_one_feature_and_one_sample(self, estimator):
        one = estimator.fit(self.X[:, :1], self.Y)
        assert one.coef_.shape == (1,) and one.n_features_in_ == 1
        # One row: the partial likelihood is constant, β is not identified (but
        # for the penalty, which holds it at 0).
        if estimator.alpha > 0:
            single = clone(estimator).fit(self.X[:1], np.array([[1.0, 1.0]]))
            assert np.all(np.isfinite(single.standard_errors("fisher")))
        else:
            with pytest.warns(CollinearityWarning, match="singular"):
                single = clone(estimator).fit(self.X[:1], np.array([[1.0, 1.0]]))
            assert np.all(np.isnan(single.standard_errors_))
        assert_array_equal(single.coef_, 0.0)
