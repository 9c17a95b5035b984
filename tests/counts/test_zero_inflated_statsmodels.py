"""FisherZeroInflatedRegressor against statsmodels' ZeroInflatedPoisson and ZINB (p=2).

statsmodels fits the same likelihood (``inflation="logit"``, NB2 with
``Var Y = μ + α μ²`` and α its last parameter, as skfisher's), in the order
``[inflation…, count…, alpha]``. Its fit is run from its own start, by BFGS
polished with Newton's steps (``_reference.fit_tightly``); every covariance is
built here from its log-likelihood and its analytic per-row scores
(``score_obs``): the observed information by central differences of the
score, the expected information by an exact sum over the counts, the
empirical one and the cluster sums from the scores. See ``_reference.py``
for why statsmodels' own ``hessian`` is not the reference.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.tools.numdiff import approx_hess

from skfisher.counts import FisherZeroInflatedRegressor

from ._reference import (
    assert_params_close,
    expected_information_by_sum,
    fit_tightly,
    hessian_of_score,
    inflated_order,
    randhie_subset,
    simulate,
    zero_inflated_model,
)

# Both fits stop within ~1e-9 standard errors of the optimum (skfisher's
# tol=1e-10 below, statsmodels' Newton polish): 1e-6 leaves room for the
# conditioning of the RAND inflation part (standard errors up to 4).
PARAMS_RTOL = 1e-6
LOGLIK_RTOL = 1e-8
# The references are accurate to ~1e-9 (central differences of an analytic
# score, exact sums); skfisher's matrices are closed-form.
SE_RTOL = 1e-5


@dataclass
class Case:
    """One problem fitted by both: skfisher's estimator and statsmodels' model and result."""

    X: np.ndarray
    y: np.ndarray
    family: str
    columns: list
    offset: np.ndarray
    ours: FisherZeroInflatedRegressor
    model: object
    result: object
    order: np.ndarray  # ours[order] is in statsmodels' order
    copy: object = None

    def to_ours(self, values):
        out = np.empty_like(np.asarray(values, dtype=float))
        out[self.order] = values
        return out

    def in_sm_order(self, matrix):
        return matrix[np.ix_(self.order, self.order)]

    @property
    def sm_params(self):
        return np.asarray(self.result.params, dtype=float)

    def counts_model(self, k):
        """A statsmodels model of the same design with every count set to ``k``.

        One copy of the model whose counts are replaced (building a model per
        count costs ~0.1 s); the case's own model is left as it is.
        """
        if self.copy is None:
            self.copy = zero_inflated_model(
                self.y, self.X, self.family, self.columns, offset=self.offset
            )
        model = self.copy
        model.endog = np.full(self.y.size, float(k))
        model.model_main.endog = model.endog
        return model


def _problem(name):
    """``(X, y, family, columns, offset)`` of a named case."""
    if name.startswith("randhie"):
        X, y = randhie_subset()
        family = name.split("-")[1]
        return X, y.to_numpy(), family, None, None
    kind, family, seed = name.split("-")
    X, y, offset = simulate(int(seed), family=family, p=3, offset=kind == "offset")
    columns = {"all": None, "offset": None, "some": [2, 0], "none": []}[kind]
    return X, y, family, columns, offset


@cache
def fitted_case(name):
    X, y, family, columns, offset = _problem(name)
    ours = FisherZeroInflatedRegressor(
        family, inflation_features=columns, tol=1e-10, cov_type="observed"
    ).fit(X, y, offset=offset)
    model = zero_inflated_model(y, X, family, columns, offset=offset)
    result = fit_tightly(model)
    X = np.asarray(X, dtype=float)
    n_count = X.shape[1] + 1
    n_zero = len(ours.zero_columns_) + 1
    order = inflated_order(n_count, n_zero, ours.params_.size - n_count - n_zero)
    return Case(X, y, family, columns, offset, ours, model, result, order)


CASES = [
    "randhie-poisson",
    "randhie-negative_binomial",
    *(f"all-{family}-{seed}" for family in ("poisson", "negative_binomial") for seed in (0, 1)),
    "some-poisson-2",
    "some-negative_binomial-3",
    "none-poisson-4",
    "none-negative_binomial-5",
    "offset-poisson-6",
    "offset-negative_binomial-7",
]


@pytest.fixture(params=CASES)
def case(request):
    return fitted_case(request.param)


def test_estimates_and_loglik_equal_statsmodels(case):
    ours = case.ours
    assert ours.converged_
    se = ours.standard_errors_
    assert_params_close(ours.params_, case.to_ours(case.sm_params), se, PARAMS_RTOL)
    assert_allclose(ours.loglik_, case.result.llf, rtol=LOGLIK_RTOL)
    # The log-likelihood is the same function: equal at our estimate to rounding.
    assert_allclose(ours.loglik_, case.model.loglike(ours.params_[case.order]), rtol=1e-13)
    if case.family == "negative_binomial":
        assert case.model.exog_names[-1] == "alpha"
        assert_allclose(ours.alpha_, case.sm_params[-1], rtol=PARAMS_RTOL)


def test_the_score_is_statsmodels_gradient_and_zero_at_the_fit(case):
    ours, order = case.ours, case.order
    sm_score = case.model.score(ours.params_[order])
    assert_allclose(ours.score_[order], sm_score, atol=1e-9 * np.abs(ours.loglik_))
    # At the fit the step left is below tol standard errors.
    step = np.linalg.solve(ours.information_, ours.score_)
    assert np.sqrt(ours.score_ @ step) <= ours.tol


def test_observed_standard_errors_equal_the_inverse_hessian(case):
    ours, order = case.ours, case.order
    H = hessian_of_score(case.model.score, ours.params_[order])
    assert_allclose(case.in_sm_order(ours.observed_information_), -H, rtol=1e-6, atol=1e-7)
    se = np.sqrt(np.diag(np.linalg.inv(-H)))
    assert_allclose(ours.standard_errors_[order], se, rtol=SE_RTOL)
    assert_allclose(ours.standard_errors("observed")[order], se, rtol=SE_RTOL)


@pytest.mark.parametrize("name", ["randhie-poisson", "randhie-negative_binomial"])
def test_observed_standard_errors_equal_approx_hess_of_the_loglik(name):
    """A reference free of statsmodels' scores: approx_hess of ``loglike`` itself.

    Its rounding (ε |ℓ| / h², |ℓ| ≈ 4,300) limits it to ~3e-5 in the worst
    determined inflation coefficients, hence 1e-4. statsmodels' ``bse`` is
    this Hessian for the ZINB; for the ZIP it comes from the analytic
    ``hessian``, which is ~1 % off (and so is its bse, by ~0.4 %).
    """
    case = fitted_case(name)
    H = approx_hess(case.ours.params_[case.order], case.model.loglike)
    se = np.sqrt(np.diag(np.linalg.inv(-H)))
    assert_allclose(case.ours.standard_errors_[case.order], se, rtol=1e-4)
    if case.family == "negative_binomial":
        # statsmodels' own bse is this Hessian's (its ZINB has no analytic one).
        assert_allclose(case.ours.standard_errors_[case.order], case.result.bse, rtol=1e-4)


def _largest_count(case):
    """A count beyond which every row's probability is below 1e-15."""
    ours = case.ours
    mu = np.exp(
        ours.intercept_ + case.X @ ours.coef_ + (0 if case.offset is None else case.offset)
    )
    if case.family == "poisson":
        return int(stats.poisson.isf(1e-15, mu.max()))
    return int(stats.nbinom.isf(1e-15, 1.0 / ours.alpha_, 1.0 / (1.0 + ours.alpha_ * mu.max())))


# The RAND NB sum needs ~900 counts of 2,019 rows: the random problems cover it.
EXPECTED_CASES = [name for name in CASES if name != "randhie-negative_binomial"]


@pytest.mark.parametrize("name", EXPECTED_CASES)
def test_expected_information_is_the_exact_sum_over_the_counts(name):
    case = fitted_case(name)
    ours, order = case.ours, case.order
    information, total = expected_information_by_sum(
        case.counts_model, ours.params_[order], _largest_count(case)
    )
    assert total > 1.0 - 1e-12
    assert_allclose(case.in_sm_order(ours.information_), information, rtol=1e-9, atol=1e-9)
    se = np.sqrt(np.diag(np.linalg.inv(information)))
    assert_allclose(ours.standard_errors("fisher")[order], se, rtol=SE_RTOL)


def test_empirical_and_sandwich_covariances_from_the_scores(case):
    ours, order = case.ours, case.order
    theta = ours.params_[order]
    scores = case.model.score_obs(theta)
    F = scores.T @ scores
    assert_allclose(case.in_sm_order(ours.empirical_fisher_), F, rtol=1e-9)
    J_inv = np.linalg.inv(-hessian_of_score(case.model.score, theta))
    for cov_type, covariance in (
        ("empirical", np.linalg.inv(F)),
        ("sandwich", J_inv @ F @ J_inv),
    ):
        se = np.sqrt(np.diag(covariance))
        assert_allclose(ours.standard_errors(cov_type)[order], se, rtol=SE_RTOL)
        # Every entry, in units of the product of the two standard errors.
        scaled = (case.in_sm_order(ours.covariance(cov_type)) - covariance) / np.outer(se, se)
        assert np.max(np.abs(scaled)) <= SE_RTOL


@pytest.mark.parametrize("name", ["randhie-negative_binomial", "all-poisson-0", "some-poisson-2"])
def test_cluster_covariance_from_the_scores_summed_within_groups(name):
    """``c J⁻¹ C J⁻¹`` with ``C = Σ_g u_g u_gᵀ`` and ``c = G/(G−1) · (N−1)/(N−k)``."""
    case = fitted_case(name)
    ours, order = case.ours, case.order
    groups = np.random.default_rng(11).integers(0, 25, size=case.y.size)
    theta = ours.params_[order]
    sums = np.zeros((25, theta.size))
    np.add.at(sums, groups, case.model.score_obs(theta))
    n, k = case.y.size, theta.size
    factor = 25 / 24 * (n - 1) / (n - k)
    J_inv = np.linalg.inv(-hessian_of_score(case.model.score, theta))
    covariance = factor * J_inv @ (sums.T @ sums) @ J_inv
    se = np.sqrt(np.diag(covariance))
    assert_allclose(ours.standard_errors("cluster", groups=groups)[order], se, rtol=SE_RTOL)
    clustered = FisherZeroInflatedRegressor(
        case.family, inflation_features=case.columns, tol=1e-10, cov_type="cluster"
    ).fit(case.X, case.y, offset=case.offset, groups=groups)
    assert clustered.n_groups_ == 25
    assert_allclose(clustered.cluster_fisher_[np.ix_(order, order)], sums.T @ sums, rtol=1e-9)
    assert_allclose(clustered.standard_errors_[order], se, rtol=SE_RTOL)


@pytest.mark.parametrize("family", ["poisson", "negative_binomial"])
def test_an_offset_is_statsmodels_exposure(family):
    """``offset=log(e)`` is statsmodels' ``exposure=e`` (and its ``offset``)."""
    case = fitted_case(f"offset-{family}-6")
    exposure = np.exp(case.offset)
    model = zero_inflated_model(case.y, case.X, family, exposure=exposure)
    result = fit_tightly(model)
    ours = case.ours
    assert_params_close(
        ours.params_, case.to_ours(result.params), ours.standard_errors_, PARAMS_RTOL
    )
    assert_allclose(ours.loglik_, result.llf, rtol=LOGLIK_RTOL)
    ignoring = FisherZeroInflatedRegressor(family).fit(case.X, case.y)
    assert abs(ignoring.loglik_ - ours.loglik_) > 1.0  # the offset matters here
    # Predictions at new exposures: statsmodels' predict with that exposure.
    new = np.linspace(0.5, 2.0, case.y.size)
    design = np.column_stack([np.ones(case.y.size), case.X])
    expected = model.predict(result.params, exog=design, exog_infl=design, exposure=new)
    assert_allclose(ours.predict(case.X, offset=np.log(new)), expected, rtol=1e-6)
    offset_model = zero_inflated_model(case.y, case.X, family, offset=case.offset)
    assert_allclose(offset_model.loglike(ours.params_[case.order]), ours.loglik_, rtol=1e-13)
