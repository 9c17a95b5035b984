"""FisherHurdleRegressor against its two parts fitted apart by statsmodels.

The hurdle log-likelihood is the sum of a logistic regression of ``y > 0`` on
the zero part's columns and a zero-truncated count model of the positive
counts, with no parameter in common: its maximum is the pair of the parts'
maxima, its information block diagonal. The references are statsmodels'
``Logit`` (its ``bse`` from its analytic Hessian) and
``TruncatedLFPoisson`` / ``TruncatedLFNegativeBinomialP(p=2)``, whose
covariances are built here from their analytic scores (``_reference.py``).
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from skfisher import FisherLogisticRegression, FisherPoissonRegressor
from skfisher.counts import FisherHurdleRegressor

from ._reference import (
    assert_params_close,
    fit_logit,
    fit_tightly,
    hessian_of_score,
    hurdle_parts,
    randhie_subset,
    simulate,
)

# Both sides stop within ~1e-9 standard errors of their optima.
PARAMS_RTOL = 1e-6
LOGLIK_RTOL = 1e-8
# References accurate to ~1e-9: Logit's analytic Hessian, central differences
# of the truncated models' analytic scores, exact sums.
SE_RTOL = 1e-5


@dataclass
class Case:
    X: np.ndarray
    y: np.ndarray
    family: str
    columns: list
    offset: np.ndarray
    ours: FisherHurdleRegressor
    logit: object
    logit_result: object
    truncated: object
    truncated_result: object

    @property
    def blocks(self):
        """Our parameters of the count part (with α) and of the zero part."""
        p = self.X.shape[1] + 1
        q = len(self.ours.zero_columns_) + 1
        n = self.ours.params_.size
        count = np.r_[np.arange(p), np.arange(p + q, n)]
        return count, np.arange(p, p + q)


def _problem(name):
    if name.startswith("randhie"):
        X, y = randhie_subset()
        return np.asarray(X, dtype=float), y.to_numpy(), name.split("-")[1], None, None
    kind, family, seed = name.split("-")
    X, y, offset = simulate(int(seed), kind="hurdle", family=family, p=3, offset=kind == "offset")
    columns = {"all": None, "offset": None, "some": [1], "none": []}[kind]
    return X, y, family, columns, offset


@cache
def fitted_case(name):
    X, y, family, columns, offset = _problem(name)
    ours = FisherHurdleRegressor(
        family, zero_features=columns, tol=1e-10, cov_type="observed"
    ).fit(X, y, offset=offset)
    logit, truncated, _ = hurdle_parts(y, X, family, columns, offset=offset)
    count, _ = Case(X, y, family, columns, offset, ours, *[None] * 4).blocks
    result = fit_tightly(truncated, bfgs=False, fallback=ours.params_[count])
    return Case(X, y, family, columns, offset, ours, logit, fit_logit(logit), truncated, result)


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


def test_each_part_is_its_own_maximum(case):
    ours = case.ours
    assert ours.converged_
    count, zero = case.blocks
    se = ours.standard_errors_
    # The zero part is logit P(Y > 0), the sign of pscl's hurdle.
    assert_params_close(ours.params_[zero], case.logit_result.params, se[zero], PARAMS_RTOL)
    assert_params_close(ours.params_[count], case.truncated_result.params, se[count], PARAMS_RTOL)
    if case.family == "negative_binomial":
        assert case.truncated.exog_names[-1] == "alpha"
        assert_allclose(ours.alpha_, case.truncated_result.params[-1], rtol=PARAMS_RTOL)
    total = case.logit_result.llf + case.truncated_result.llf
    assert_allclose(ours.loglik_, total, rtol=LOGLIK_RTOL)
    at_ours = case.logit.loglike(ours.params_[zero]) + case.truncated.loglike(ours.params_[count])
    assert_allclose(ours.loglik_, at_ours, rtol=1e-13)


def test_the_score_is_the_parts_gradients(case):
    ours = case.ours
    count, zero = case.blocks
    scale = 1e-9 * abs(ours.loglik_)
    assert_allclose(ours.score_[zero], case.logit.score(ours.params_[zero]), atol=scale)
    assert_allclose(ours.score_[count], case.truncated.score(ours.params_[count]), atol=scale)
    step = np.linalg.solve(ours.information_, ours.score_)
    assert np.sqrt(ours.score_ @ step) <= ours.tol


def test_observed_information_is_block_diagonal_with_the_parts_hessians(case):
    ours = case.ours
    count, zero = case.blocks
    J = ours.observed_information_
    assert np.all(J[np.ix_(count, zero)] == 0)
    assert_allclose(J[np.ix_(zero, zero)], -case.logit.hessian(ours.params_[zero]), rtol=1e-10)
    H = hessian_of_score(case.truncated.score, ours.params_[count])
    assert_allclose(J[np.ix_(count, count)], -H, rtol=1e-6, atol=1e-7)
    se = ours.standard_errors_
    assert_allclose(se[zero], case.logit_result.bse, rtol=SE_RTOL)
    assert_allclose(se[count], np.sqrt(np.diag(np.linalg.inv(-H))), rtol=SE_RTOL)


def _truncated_at(case, k):
    """The truncated model on every row with every count set to ``k`` (≥ 1)."""
    return hurdle_parts(
        np.full(case.y.size, float(k)), case.X, case.family, case.columns, offset=case.offset
    )[1]


@pytest.mark.parametrize("name", [n for n in CASES if n != "randhie-negative_binomial"])
def test_expected_information_is_the_exact_sum_over_the_counts(name):
    """``Σ_i [π_i(1 − π_i) z z ᵀ ⊕ π_i Σ_{k≥1} P_i(k | k > 0) s_i(k) s_i(k)ᵀ]``."""
    case = fitted_case(name)
    ours = case.ours
    count, zero = case.blocks
    pi = case.logit.predict(ours.params_[zero])
    design = case.logit.exog
    logistic = design.T @ ((pi * (1 - pi))[:, None] * design)
    mu = np.exp(
        case.X @ ours.coef_ + ours.intercept_ + (0 if case.offset is None else case.offset)
    )
    if case.family == "poisson":
        largest = int(stats.poisson.isf(1e-15, mu.max()))
    else:
        a = ours.alpha_
        largest = int(stats.nbinom.isf(1e-15, 1 / a, 1 / (1 + a * mu.max())))
    model = _truncated_at(case, 1)
    counts_part = np.zeros((count.size, count.size))
    total = 0.0
    for k in range(1, largest + 1):
        model.endog = np.full(case.y.size, float(k))
        model.model_main.endog = model.endog
        proba = np.exp(model.loglikeobs(ours.params_[count]))
        scores = model.score_obs(ours.params_[count])
        counts_part += scores.T @ ((pi * proba)[:, None] * scores)
        total = total + proba
    assert np.min(total) > 1 - 1e-12
    information = ours.information_
    assert np.all(information[np.ix_(count, zero)] == 0)
    assert_allclose(information[np.ix_(zero, zero)], logistic, rtol=1e-10)
    assert_allclose(information[np.ix_(count, count)], counts_part, rtol=1e-9, atol=1e-9)
    se = ours.standard_errors("fisher")
    assert_allclose(se[count], np.sqrt(np.diag(np.linalg.inv(counts_part))), rtol=SE_RTOL)
    assert_allclose(se[zero], case.logit_result.bse, rtol=SE_RTOL)


def test_empirical_sandwich_and_cluster_covariances_from_the_scores(case):
    ours = case.ours
    count, zero = case.blocks
    positive = case.y > 0
    scores = np.zeros((case.y.size, ours.params_.size))
    scores[:, zero] = case.logit.score_obs(ours.params_[zero])
    scores[np.ix_(positive, count)] = case.truncated.score_obs(ours.params_[count])
    F = scores.T @ scores
    assert_allclose(ours.empirical_fisher_, F, rtol=1e-9, atol=1e-9)
    J = ours.observed_information_
    J_inv = np.linalg.inv(J)
    groups = np.random.default_rng(5).integers(0, 30, size=case.y.size)
    sums = np.zeros((30, scores.shape[1]))
    np.add.at(sums, groups, scores)
    n, k = case.y.size, scores.shape[1]
    expected = {
        "empirical": np.linalg.inv(F),
        "sandwich": J_inv @ F @ J_inv,
        "cluster": 30 / 29 * (n - 1) / (n - k) * J_inv @ (sums.T @ sums) @ J_inv,
    }
    for cov_type, covariance in expected.items():
        se = np.sqrt(np.diag(covariance))
        got = ours.standard_errors(cov_type, groups=groups if cov_type == "cluster" else None)
        assert_allclose(got, se, rtol=SE_RTOL)


def test_the_zero_part_alone_is_a_logistic_regression():
    """skfisher's own logistic regression of ``y > 0`` on the zero part's columns."""
    case = fitted_case("some-poisson-2")
    count, zero = case.blocks
    logistic = FisherLogisticRegression(tol=1e-10, cov_type="observed").fit(
        case.X[:, [1]], case.y > 0
    )
    ours = case.ours
    assert_allclose(ours.zero_intercept_, logistic.intercept_[0], rtol=1e-8)
    assert_allclose(ours.zero_coef_, logistic.coef_.ravel(), rtol=1e-8)
    assert_allclose(ours.standard_errors_[zero], logistic.standard_errors_, rtol=1e-8)


def test_a_hurdle_is_not_the_poisson_model_of_all_rows():
    """A check of the comparisons above: the truncated part differs from a plain fit."""
    case = fitted_case("all-poisson-0")
    plain = FisherPoissonRegressor().fit(case.X, case.y)
    assert np.max(np.abs(plain.coef_ - case.ours.coef_)) > 0.05
