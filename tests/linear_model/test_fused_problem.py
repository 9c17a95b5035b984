"""The GLM problem's one-pass path (FusedGLM) against its separate products.

A dense binomial-logit or Poisson-log fit takes its log-likelihood, score and
information from one read of X per θ; every published number must be that
of the separate products (``_problem.FUSED = False``) to rounding.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.special import expit

from skfisher import FisherGLMRegressor, FisherLogisticRegression, _fused
from skfisher._fused import ENGINE_VARIABLE, FusedGLM
from skfisher._linalg import Design
from skfisher._scoring import fisher_scoring
from skfisher.families import Binomial, Gamma, Poisson
from skfisher.linear_model import _problem
from skfisher.linear_model._problem import GLMProblem
from skfisher.links import Log, Logit, Probit

COV_TYPES = ("fisher", "observed", "empirical", "sandwich")
MATRICES = ("information_", "observed_information_", "empirical_fisher_", "covariance_")


@pytest.fixture(autouse=True)
def named_engine(monkeypatch):
    """The numpy engine, named: small problems fuse only when an engine is named."""
    monkeypatch.setenv(ENGINE_VARIABLE, "numpy")


@pytest.fixture(params=["numpy", "numba"])
def engine(request, monkeypatch):
    if request.param == "numba":
        pytest.importorskip("numba")
    monkeypatch.setenv(ENGINE_VARIABLE, request.param)
    return request.param


def _data(family, *, n=400, p=4, dtype=np.float64, order="C", seed=0):
    """X, y, sample weights (a fifth of them 0) and an offset of a random problem."""
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n, p)) * rng.uniform(0.3, 2.0, p)).astype(dtype)
    X = np.asarray(X, order=order)
    offset = rng.normal(0.0, 0.3, n)
    eta = 0.3 + X.astype(np.float64) @ rng.normal(0.0, 0.4, p) + offset
    if family == "binomial":
        y = (rng.random(n) < expit(eta)).astype(float)
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
    weights = np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0.2, 3.0, n))
    return X, y, weights, offset


def _fit(monkeypatch, fused, family, X, y, **options):
    fit_args = {key: options.pop(key) for key in ("sample_weight", "offset") if key in options}
    monkeypatch.setattr(_problem, "FUSED", fused)
    if family == "logistic":
        return FisherLogisticRegression(**options).fit(X, y, **fit_args)
    return FisherGLMRegressor(family=family, **options).fit(X, y, **fit_args)


def _assert_same_fit(fused, separate):
    assert fused.n_iter_ == separate.n_iter_
    assert_allclose(fused.params_, separate.params_, rtol=1e-10, atol=1e-13)
    assert_allclose(fused.loglik_, separate.loglik_, rtol=1e-12)
    if hasattr(separate, "deviance_"):
        assert_allclose(fused.deviance_, separate.deviance_, rtol=1e-12)
    for name in MATRICES:
        assert_allclose(getattr(fused, name), getattr(separate, name), rtol=1e-9, atol=1e-12)
    for cov_type in COV_TYPES:
        assert_allclose(
            fused.fisher_result_.standard_errors(cov_type),
            separate.fisher_result_.standard_errors(cov_type),
            rtol=1e-9,
        )


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("with_offset", [True, False])
def test_fit_equals_the_separate_products(
    monkeypatch, engine, family, fit_intercept, weighted, with_offset
):
    X, y, weights, offset = _data(family)
    options = {"fit_intercept": fit_intercept}
    if weighted:
        options["sample_weight"] = weights
    if with_offset:
        options["offset"] = offset
    separate = _fit(monkeypatch, False, family, X, y, **dict(options))
    fused = _fit(monkeypatch, True, family, X, y, **dict(options))
    assert fused.fisher_result_.problem._fused.engine == engine
    assert separate.fisher_result_.problem._fused is None
    _assert_same_fit(fused, separate)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_penalised_float32_and_layouts(monkeypatch, engine, family, dtype, order):
    X, y, weights, offset = _data(family, dtype=dtype, order=order, seed=1)
    options = {"alpha": 0.05, "sample_weight": weights, "offset": offset}
    separate = _fit(monkeypatch, False, family, X, y, **dict(options))
    fused = _fit(monkeypatch, True, family, X, y, **dict(options))
    problem = fused.fisher_result_.problem
    assert problem._fused.X is problem.design.X  # neither copied nor upcast
    assert problem._fused.X.dtype == dtype
    _assert_same_fit(fused, separate)


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_logistic_regression_equals_the_separate_products(monkeypatch, engine, alpha):
    X, y, weights, _ = _data("binomial", seed=7)
    options = {"alpha": alpha, "sample_weight": weights}
    separate = _fit(monkeypatch, False, "logistic", X, y, **dict(options))
    fused = _fit(monkeypatch, True, "logistic", X, y, **dict(options))
    assert fused.fisher_result_.problem._fused.engine == engine
    _assert_same_fit(fused, separate)


def _problem_of(family, X, y, weights, offset, alpha=0.0):
    fam, link = (Binomial(), Logit()) if family == "binomial" else (Poisson(), Log())
    return GLMProblem(Design(X, True), y, weights, fam, link, offset=offset, alpha=alpha)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_each_iteration_reads_x_once(monkeypatch, family):
    X, y, weights, offset = _data(family, seed=2)
    problem = _problem_of(family, X, y, weights, offset, alpha=0.01)
    evaluated = []
    evaluate = FusedGLM.evaluate

    def counted(self, theta, **kwargs):
        evaluated.append(theta.tobytes())
        return evaluate(self, theta, **kwargs)

    def refused(*args, **kwargs):
        raise AssertionError("the loop read X outside the fused pass")

    monkeypatch.setattr(FusedGLM, "evaluate", counted)
    for name in ("matvec", "gram", "rmatvec"):
        monkeypatch.setattr(Design, name, refused)
    result = fisher_scoring(problem, np.zeros(X.shape[1] + 1))
    assert result.converged
    # One pass per θ the loop visits, and no θ passed twice.
    assert len(evaluated) == len(set(evaluated)) >= result.n_iter + 1
    assert problem.empirical_fisher(result.theta).shape == (X.shape[1] + 1,) * 2
    assert len(evaluated) == len(set(evaluated)) + 1  # θ̂ once more, with the empirical Fisher


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_problem_matrices_equal_the_separate_products(monkeypatch, family):
    X, y, weights, offset = _data(family, seed=3)
    theta = np.linspace(-0.2, 0.3, X.shape[1] + 1)
    monkeypatch.setattr(_problem, "FUSED", False)
    separate = _problem_of(family, X, y, weights, offset, alpha=0.02)
    monkeypatch.setattr(_problem, "FUSED", True)
    fused = _problem_of(family, X, y, weights, offset, alpha=0.02)
    assert_allclose(fused.objective(theta), separate.objective(theta), rtol=1e-12)
    for mine, theirs in zip(
        fused.score_information(theta), separate.score_information(theta), strict=True
    ):
        assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
    # A second call at θ: the cached pass is not penalised twice.
    assert_allclose(fused.score_information(theta)[1], separate.score_information(theta)[1])
    assert_allclose(fused.empirical_fisher(theta), separate.empirical_fisher(theta), rtol=1e-10)
    assert_allclose(fused.linear_predictor(theta), separate.linear_predictor(theta), rtol=1e-12)


def _contiguous(X):
    return X


def _strided(X):
    return np.repeat(X, 2, axis=1)[:, ::2]


@pytest.mark.parametrize(
    ("family", "link", "layout"),
    [
        (Binomial(), Logit(), sp.csr_matrix),
        (Binomial(), Probit(), _contiguous),
        (Binomial(), Logit(low=-1.0, high=2.0), _contiguous),
        (Poisson(), Log(low=-1.0), _contiguous),
        (Gamma(), Log(), _contiguous),
        (Poisson(), Log(), _strided),
    ],
)
def test_other_models_keep_the_separate_products(family, link, layout):
    X, _, weights, _ = _data("poisson", seed=4)
    y = np.full(X.shape[0], 0.5)
    problem = GLMProblem(Design(layout(X), True), y, weights, family, link)
    assert not problem._fuses
    problem.objective(np.full(X.shape[1] + 1, 0.1))
    assert problem._fused is None


def test_model_without_columns_keeps_the_separate_products():
    X, y, weights, offset = _data("poisson", seed=8)
    problem = GLMProblem(Design(X[:, :0], False), y, weights, Poisson(), Log(), offset=offset)
    assert not problem._fuses
    assert np.isfinite(problem.objective(np.zeros(0)))


def test_switched_off_keeps_the_separate_products(monkeypatch):
    X, y, weights, offset = _data("binomial", seed=5)
    assert _problem_of("binomial", X, y, weights, offset)._fuses
    monkeypatch.setattr(_problem, "FUSED", False)
    assert not _problem_of("binomial", X, y, weights, offset)._fuses


def test_binomial_response_outside_the_unit_interval_keeps_the_separate_products():
    X, y, weights, offset = _data("poisson", seed=6)  # counts above 1
    assert y.max() > 1
    problem = GLMProblem(Design(X, True), y, weights, Binomial(), Logit(), offset=offset)
    assert not problem._fuses


@pytest.mark.parametrize("fused", [True, False])
def test_empirical_fisher_overflow_is_refused(monkeypatch, fused):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = rng.poisson(np.exp(0.3 + X @ [0.3, -0.2, 0.1])) * 1e300
    monkeypatch.setattr(_problem, "FUSED", fused)
    problem = GLMProblem(Design(X, True), y, np.ones(200), Poisson(), Log())
    assert problem._fuses is fused
    theta = np.array([np.log(1e300), 0.3, -0.2, 0.1])
    with pytest.raises(ValueError, match="beyond the float64 range.*reach [0-9.]+e\\+300"):
        problem.empirical_fisher(theta)


def test_small_problems_keep_the_separate_products_by_default(monkeypatch):
    # "auto" takes the compiled kernel only from _NUMBA_MIN_VALUES values of X;
    # below, the separate products, which the numpy engine does not beat.
    monkeypatch.delenv(ENGINE_VARIABLE)
    X, y, weights, offset = _data("binomial", seed=7)
    assert not _problem_of("binomial", X, y, weights, offset)._fuses
    monkeypatch.setattr(_fused, "_NUMBA_MIN_VALUES", 1)
    monkeypatch.setattr(_fused, "_numba_imports", lambda: True)
    assert _problem_of("binomial", X, y, weights, offset)._fuses
