"""scikit-learn's estimator checks for MLEDistribution."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skfisher import MLEDistribution

ESTIMATORS = [
    MLEDistribution(),
    MLEDistribution("logistic", cov_type="sandwich"),
    MLEDistribution("normal", fixed={"loc": 0.0}, cov_type="observed"),
]

# A 1-D X is a sample of the univariate distribution (the documented input),
# so the check that 1-D input must be rejected does not apply.
_EXPECTED_FAILED = {
    "check_fit1d": "a 1-D X is one sample of the univariate distribution, by design",
}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: _EXPECTED_FAILED)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
