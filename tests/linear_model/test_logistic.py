"""FisherLogisticRegression against statsmodels, scipy and scikit-learn.

Every quantity of the Fisher contract is compared with an independent
implementation: statsmodels' ``Logit`` and ``GLM(Binomial)`` for the plain
maximum-likelihood fit (on real data shipped by statsmodels and scikit-learn,
and on random problems), a direct ``scipy.optimize`` minimisation and
scikit-learn's ``LogisticRegression`` for the L2-penalised fit.
"""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy.optimize import minimize
from scipy.special import expit, log_expit
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from skfisher import FisherLogisticRegression
from skfisher._validation import separating_direction

COV_TYPES = ("fisher", "observed", "empirical", "sandwich")

# Tolerances of the cross-checks. Both fitters solve the score equations to
# (near) machine precision, so the differences below are rounding, not
# optimisation error, and the bounds leave two or more orders of magnitude.
PARAMS_RTOL = 1e-6
# An estimate near zero has no relative precision; both fits agree to a tiny
# fraction of its standard error, which is what the convergence criterion
# (the step length in standard errors) controls.
PARAMS_SE_ATOL = 1e-6
SE_RTOL = 1e-5
LOGLIK_RTOL = 1e-8
# The matrices are compared after scaling to unit diagonal (entry / sqrt(d_i d_j)),
# so columns of scale 1e-3 and 1e3 are judged alike.
MATRIX_ATOL = 1e-8


def _fit(X, y, sample_weight=None, **params):
    """Fit ours with every warning raised as an error: a clean fit must be silent."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return FisherLogisticRegression(tol=1e-10, **params).fit(X, y, sample_weight)


def _refit(model, X, y, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return clone(model).set_params(**params).fit(X, y, sample_weight)


def assert_matrix_close(actual, expected, atol=MATRIX_ATOL):
    """Compare symmetric matrices entrywise after scaling ``expected`` to unit diagonal."""
    scale = np.sqrt(np.abs(np.diag(expected)))
    assert_allclose(actual / np.outer(scale, scale), expected / np.outer(scale, scale), atol=atol)


def statsmodels_reference(X, y, sample_weight=None, fit_intercept=True):
    """Fit statsmodels and return every quantity of the Fisher contract it implies.

    Without weights the reference is ``Logit`` (Newton); with weights it is
    ``GLM(Binomial)`` with ``freq_weights``, whose HC0 covariance treats them as
    repeated rows. The empirical Fisher is the weighted outer product of the
    unweighted per-row scores ``s_i`` (``Logit.score_obs``).
    """
    exog = sm.add_constant(X, has_constant="add") if fit_intercept else np.asarray(X)
    logit = sm.Logit(y, exog)
    if sample_weight is None:
        sample_weight = np.ones(len(y))
        fit = logit.fit(method="newton", tol=1e-12, maxiter=100, disp=0)
        robust = logit.fit(method="newton", tol=1e-12, maxiter=100, disp=0, cov_type="HC0")
        hessian = logit.hessian(fit.params)
        assert fit.mle_retvals["converged"]
    else:
        glm = sm.GLM(y, exog, family=sm.families.Binomial(), freq_weights=sample_weight)
        fit = glm.fit(tol=1e-13, maxiter=100)
        robust = glm.fit(tol=1e-13, maxiter=100, cov_type="HC0")
        hessian = glm.hessian(fit.params, observed=True)
        assert fit.converged
    params = np.asarray(fit.params)
    scores = logit.score_obs(params)
    opg = scores.T @ (scores * sample_weight[:, None])
    return {
        "params": params,
        "loglik": fit.llf,
        "hessian": hessian,
        "opg": opg,
        "bse": {
            "fisher": np.asarray(fit.bse),
            "observed": np.asarray(fit.bse),
            "sandwich": np.asarray(robust.bse),
            "empirical": np.sqrt(np.diag(np.linalg.inv(opg))),
        },
    }


def check_against_reference(X, y, sample_weight=None, fit_intercept=True):
    """Fit ours for every cov_type and compare the contract with statsmodels."""
    ref = statsmodels_reference(X, y, sample_weight, fit_intercept)
    model = _fit(X, y, sample_weight, fit_intercept=fit_intercept)
    assert model.converged_
    se = ref["bse"]["fisher"]
    assert np.all(
        np.abs(model.params_ - ref["params"])
        <= PARAMS_RTOL * np.abs(ref["params"]) + PARAMS_SE_ATOL * se
    ), (model.params_, ref["params"])
    assert_allclose(model.loglik_, ref["loglik"], rtol=LOGLIK_RTOL)
    assert_matrix_close(model.information_, -ref["hessian"])
    assert_matrix_close(model.observed_information_, -ref["hessian"])
    assert_matrix_close(model.empirical_fisher_, ref["opg"])
    for cov_type in COV_TYPES:
        fitted = _refit(model, X, y, sample_weight, cov_type=cov_type)
        assert_allclose(
            fitted.standard_errors_, ref["bse"][cov_type], rtol=SE_RTOL, err_msg=cov_type
        )
    return model, ref


# Real data ------------------------------------------------------------------
def _spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog


def _affairs():
    # Whether a woman reported any extramarital affair (Fair 1978); the MLE exists.
    data = sm.datasets.fair.load_pandas().data
    columns = ["rate_marriage", "age", "yrs_married", "children", "religious", "educ"]
    return data[columns], (data["affairs"] > 0).astype(float)


def _anes96():
    data = sm.datasets.anes96.load_pandas().data
    columns = ["logpopul", "TVnews", "selfLR", "ClinLR", "DoleLR", "PID", "age", "educ"]
    return data[columns], data["vote"]


def _breast_cancer():
    # Three columns only: with all 30 the two classes are separable.
    data = load_breast_cancer(as_frame=True)
    columns = ["mean radius", "mean texture", "mean smoothness"]
    return data.data[columns], data.target.astype(float)


REAL_DATA = {
    "spector": _spector,
    "affairs": _affairs,
    "anes96": _anes96,
    "breast_cancer": _breast_cancer,
}


@pytest.mark.parametrize("name", sorted(REAL_DATA))
def test_real_data_matches_logit(name):
    X, y = REAL_DATA[name]()
    model, _ = check_against_reference(X, y)
    assert model.param_names_.tolist() == ["intercept", *X.columns]


@pytest.mark.parametrize("name", sorted(REAL_DATA))
def test_real_data_matches_glm_binomial(name):
    X, y = REAL_DATA[name]()
    exog = sm.add_constant(X, has_constant="add")
    glm = sm.GLM(y, exog, family=sm.families.Binomial())
    fit = glm.fit(tol=1e-13, maxiter=100)
    model = _fit(X, y)
    assert_allclose(model.params_, fit.params, rtol=PARAMS_RTOL)
    assert_allclose(model.standard_errors_, fit.bse, rtol=SE_RTOL)
    assert_allclose(model.loglik_, fit.llf, rtol=LOGLIK_RTOL)
    assert_matrix_close(model.information_, -glm.hessian(fit.params, observed=False))
    robust = glm.fit(tol=1e-13, maxiter=100, cov_type="HC0")
    sandwich = _refit(model, X, y, cov_type="sandwich")
    assert_allclose(sandwich.standard_errors_, robust.bse, rtol=SE_RTOL)


def test_spector_published_values():
    # Spector & Mazzeo (1980) as printed in statsmodels' Logit documentation
    # example: a fixed reference independent of the installed statsmodels,
    # compared to half a unit in the last printed digit.
    X, y = _spector()
    model = _fit(X, y)
    assert_allclose(model.params_, [-13.0213, 2.8261, 0.0952, 2.3787], atol=5e-5)
    assert_allclose(model.standard_errors_, [4.931, 1.263, 0.142, 1.065], atol=5e-4)
    assert_allclose(model.loglik_, -12.890, atol=5e-4)


# Random problems ------------------------------------------------------------
N_RANDOM = 60


def random_problem(seed):
    """A well-posed logistic problem whose shape, scales and weights vary with ``seed``.

    n is log-uniform in [max(30, 20 k), 2000], k in 1..10, the column scales
    log-uniform in [1e-3, 1e3]; ``seed % 3`` chooses no weights, integer
    weights or non-integer weights, ``seed // 3 % 2`` the intercept. The
    response is redrawn until the data are not separated, so the MLE exists.
    """
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 11))
    n = int(np.exp(rng.uniform(np.log(max(30, 20 * k)), np.log(2000))))
    scale = 10.0 ** rng.uniform(-3, 3, size=k)
    X = (rng.normal(size=(n, k)) + rng.normal(size=k)) * scale
    coef = rng.normal(scale=1.0 / np.sqrt(k), size=k) / scale
    fit_intercept = seed // 3 % 2 == 0
    eta = X @ coef + (rng.normal(scale=0.5) if fit_intercept else 0.0)
    sample_weight = [None, rng.integers(1, 5, size=n).astype(float), rng.uniform(0.2, 3, n)][
        seed % 3
    ]
    design = np.column_stack([np.ones(n), X]) if fit_intercept else X
    for _ in range(100):
        y = (rng.random(n) < expit(eta)).astype(float)
        if separating_direction(design, 2 * y - 1) is None:
            return X, y, sample_weight, fit_intercept
    raise AssertionError(f"seed {seed}: could not draw a non-separated problem")


@pytest.mark.parametrize("seed", range(N_RANDOM))
def test_random_problem_matches_statsmodels(seed):
    X, y, sample_weight, fit_intercept = random_problem(seed)
    model, _ = check_against_reference(X, y, sample_weight, fit_intercept)
    assert model.params_.shape == (X.shape[1] + fit_intercept,)


def test_random_problems_cover_the_brief():
    """The random problems span the shapes, scales and weights they claim to."""
    shapes = [random_problem(seed) for seed in range(N_RANDOM)]
    ns = [X.shape[0] for X, *_ in shapes]
    ks = [X.shape[1] for X, *_ in shapes]
    assert min(ns) < 100 and max(ns) > 1000
    assert set(ks) == set(range(1, 11))
    kinds = {
        (fit_intercept, w is None, w is not None and bool(np.all(w == np.round(w))))
        for _, _, w, fit_intercept in shapes
    }
    assert len(kinds) == 6


# L2 penalty -----------------------------------------------------------------
def _penalised_objective(theta, X, y, w, alpha):
    """Mean log-loss plus ``alpha / 2 ||coef||²``, intercept first and unpenalised."""
    eta = theta[0] + X @ theta[1:]
    loss = -(y * log_expit(eta) + (1 - y) * log_expit(-eta))
    residual = expit(eta) - y
    total = w.sum()
    value = w @ loss / total + 0.5 * alpha * theta[1:] @ theta[1:]
    gradient = np.concatenate(([w @ residual], X.T @ (w * residual))) / total
    gradient[1:] += alpha * theta[1:]
    return value, gradient


def _penalised_hessian(theta, X, y, w, alpha):
    design = np.column_stack([np.ones(len(y)), X])
    mu = expit(design @ theta)
    hessian = design.T @ (design * (w * mu * (1 - mu))[:, None]) / w.sum()
    hessian[1:, 1:] += alpha * np.eye(X.shape[1])
    return hessian


@pytest.fixture(scope="module")
def penalised_data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 4)) * [1.0, 2.0, 0.5, 3.0]
    y = (rng.random(300) < expit(0.3 + X @ [1.0, -0.5, 2.0, 0.2])).astype(float)
    return X, y


@pytest.mark.parametrize("alpha", [1e-3, 0.1, 2.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_penalised_fit_minimises_the_penalised_objective(penalised_data, alpha, weighted):
    X, y = penalised_data
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y)) if weighted else np.ones(len(y))
    model = _fit(X, y, w if weighted else None, alpha=alpha)
    # Newton's method with the exact Hessian converges to machine precision,
    # which makes it an independent reference accurate well below 1e-6.
    direct = minimize(
        _penalised_objective,
        np.zeros(X.shape[1] + 1),
        args=(X, y, w, alpha),
        jac=True,
        hess=_penalised_hessian,
        method="trust-exact",
        options={"gtol": 1e-12},
    )
    # trust-exact may report "failure to predict improvement" once the gain is
    # below rounding; the gradient tells whether it reached the minimum.
    assert np.max(np.abs(direct.jac)) < 1e-10, direct
    assert_allclose(model.params_, direct.x, rtol=PARAMS_RTOL)
    # The penalised score is zero at the fit (scaled by Σw as the objective is a mean).
    assert_allclose(model.score_ / w.sum(), 0, atol=1e-10)


@pytest.mark.parametrize("alpha", [1e-3, 0.1, 2.0])
def test_penalised_fit_equals_sklearn(penalised_data, alpha):
    X, y = penalised_data
    model = _fit(X, y, alpha=alpha)
    # scikit-learn minimises C Σ loss + ½||coef||², the same minimiser when
    # C = 1 / (alpha n); newton-cholesky solves it to the tolerance given.
    reference = LogisticRegression(C=1 / (alpha * len(y)), solver="newton-cholesky", tol=1e-12)
    reference.fit(X, y)
    assert_allclose(model.coef_, reference.coef_, rtol=PARAMS_RTOL)
    assert_allclose(model.intercept_, reference.intercept_, rtol=PARAMS_RTOL)
    assert_allclose(model.predict_proba(X), reference.predict_proba(X), rtol=1e-8)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_penalised_information_adds_alpha_times_total_weight(penalised_data, fit_intercept):
    X, y = penalised_data
    alpha = 0.05
    w = np.random.default_rng(3).integers(1, 4, len(y)).astype(float)
    model = _fit(X, y, w, alpha=alpha, fit_intercept=fit_intercept)
    design = np.column_stack([np.ones(len(y)), X]) if fit_intercept else X
    mu = expit(design @ model.params_)
    unpenalised = design.T @ (design * (w * mu * (1 - mu))[:, None])
    penalty = np.full(design.shape[1], alpha * w.sum())
    if fit_intercept:
        penalty[0] = 0.0
    expected = unpenalised + np.diag(penalty)
    assert_allclose(model.information_, expected, rtol=1e-10)
    assert_allclose(model.observed_information_, expected, rtol=1e-10)
    scores = design * (y - mu)[:, None]
    assert_allclose(model.empirical_fisher_, scores.T @ (scores * w[:, None]), rtol=1e-10)
    assert_allclose(model.standard_errors_, np.sqrt(np.diag(np.linalg.inv(expected))), rtol=1e-10)
    # loglik_ is the unpenalised log-likelihood at the penalised estimate.
    eta = design @ model.params_
    loglik = w @ (y * log_expit(eta) + (1 - y) * log_expit(-eta))
    assert_allclose(model.loglik_, loglik, rtol=1e-12)


def test_penalty_shrinks_towards_zero(penalised_data):
    X, y = penalised_data
    norms = [np.linalg.norm(_fit(X, y, alpha=alpha).coef_) for alpha in [0.0, 0.01, 0.1, 1.0]]
    assert np.all(np.diff(norms) < 0)
