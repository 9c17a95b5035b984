"""The fused pass (η, μ, log-likelihood, score, information and empirical Fisher in one
read of X) against the separate numpy products and against skfisher's GLM problem."""

import importlib.util
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, gammaln

from skfisher import _fused
from skfisher._fused import ENGINE_VARIABLE, FusedGLM
from skfisher._linalg import Design
from skfisher.families import Binomial, Poisson
from skfisher.linear_model import _problem as problem_module
from skfisher.linear_model._glm_starts import starting_theta
from skfisher.linear_model._problem import GLMProblem
from skfisher.links import Log, Logit

# Sums of the same products in another order (blocks, threads, vector lanes):
# a few ulps of the sum of the terms' magnitudes.
RTOL = 1e-12


@pytest.fixture(params=["numpy", "numba"])
def engine(request):
    if request.param == "numba":
        pytest.importorskip("numba")
    return request.param


def _problem(family, n, p, *, order="C", dtype=np.float64, seed=0):
    """X, y, weights (a fifth of them 0), offset and θ of a random problem."""
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.normal(size=(n, p)) * rng.uniform(0.2, 3.0, p), order=order)
    X = X.astype(dtype, order=order)
    theta = rng.normal(0.0, 0.6 / np.sqrt(p + 1), p + 1)
    offset = rng.normal(0.0, 0.3, n)
    eta = X.astype(np.float64) @ theta[1:] + theta[0] + offset
    if family == "binomial":
        y = (rng.random(n) < expit(eta)).astype(float)
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
    weights = np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0.1, 3.0, n))
    return X, y, weights, offset, theta


def _reference(X, y, weights, family, theta, fit_intercept, offset, emp_weights):
    """Every quantity by explicit products of the float64 ``[1, X]``, and its magnitude."""
    design = X.astype(np.float64)
    if fit_intercept:
        design = np.column_stack([np.ones(len(X)), design])
    eta = design @ theta + (0.0 if offset is None else offset)
    if family == "binomial":
        mu, terms = expit(eta), y * eta - np.logaddexp(0.0, eta)
        var = mu * expit(-eta)
    else:
        mu = var = np.exp(eta)
        terms = y * eta - mu - gammaln(y + 1.0)
    residual = y - mu
    return {
        "eta": (eta, np.abs(design) @ np.abs(theta) + (0.0 if offset is None else np.abs(offset))),
        "mu": (mu, mu),
        "var": (var, var),
        "loglik": (weights @ terms, weights @ np.abs(terms)),
        "score": (design.T @ (weights * residual), np.abs(design.T) @ np.abs(weights * residual)),
        "information": _gram(design, weights * var),
        "empirical_fisher": _gram(design, emp_weights * residual**2),
    }


def _gram(design, weights):
    gram = design.T @ (design * weights[:, None])
    root = np.sqrt(np.diag(gram))
    return gram, np.outer(root, root)  # Cauchy–Schwarz: |G_ab| ≤ √(G_aa G_bb)


def _assert_matches(result, reference):
    for name, (expected, magnitude) in reference.items():
        actual = getattr(result, name)
        assert_allclose(
            actual, expected, rtol=RTOL, atol=0.0 + RTOL * np.max(magnitude), err_msg=name
        )
    for matrix in (result.information, result.empirical_fisher):
        assert_array_equal(matrix, matrix.T)


LAYOUTS = [("C", np.float64), ("F", np.float64), ("C", np.float32), ("F", np.float32)]


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("order,dtype", LAYOUTS, ids=["C64", "F64", "C32", "F32"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_pass_equals_separate_products(engine, family, order, dtype, fit_intercept):
    # 1000 rows in blocks of 64: the last block has 40.
    X, y, w, offset, theta = _problem(family, 1000, 6, order=order, dtype=dtype)
    theta = theta if fit_intercept else theta[1:]
    fused = FusedGLM(
        X, y, w, family, fit_intercept=fit_intercept, offset=offset, engine=engine, block_rows=64
    )
    result = fused.evaluate(theta, empirical=True)
    _assert_matches(result, _reference(X, y, w, family, theta, fit_intercept, offset, w))


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize(
    "n,p,fit_intercept,block_rows",
    [
        (50, 4, True, 256),  # fewer rows than one block
        (999, 1, False, 64),  # k = 1: one feature
        (300, 0, True, 64),  # k = 1: the intercept alone
        (400, 200, False, 64),  # k = 200
        (257, 199, True, 100),  # k = 200 with the intercept
        (7, 3, True, 1),  # blocks of one row
    ],
    ids=["n<block", "k=1", "intercept-only", "k=200", "k=200-intercept", "block=1"],
)
def test_pass_on_edge_shapes(engine, family, n, p, fit_intercept, block_rows):
    X, y, w, _, theta = _problem(family, n, p, seed=n + p)  # and no offset
    theta = theta if fit_intercept else theta[1:]
    fused = FusedGLM(
        X, y, w, family, fit_intercept=fit_intercept, engine=engine, block_rows=block_rows
    )
    result = fused.evaluate(theta, empirical=True)
    _assert_matches(result, _reference(X, y, w, family, theta, fit_intercept, None, w))


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("p", [9, 60])  # a C-ordered block copied by rows, by columns
def test_float32_equals_its_float64_upcast(engine, family, order, p):
    X, y, w, offset, theta = _problem(family, 700, p, order=order, dtype=np.float32, seed=3)
    upcast = X.astype(np.float64)
    fused = [
        FusedGLM(A, y, w, family, offset=offset, engine=engine, block_rows=128)
        for A in (X, upcast)
    ]
    assert fused[0].X is X  # kept as float32, not copied
    runs = [f.evaluate(theta, empirical=True) for f in fused]
    reference = _reference(upcast, y, w, family, theta, True, offset, w)
    for name, (_, magnitude) in reference.items():
        atol = RTOL * np.max(magnitude)
        assert_allclose(getattr(runs[0], name), getattr(runs[1], name), rtol=RTOL, atol=atol)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_engines_agree_and_rows_are_optional(family):
    pytest.importorskip("numba")
    X, y, w, offset, theta = _problem(family, 2000, 12, seed=5)
    runs = {
        engine: FusedGLM(X, y, w, family, offset=offset, engine=engine).evaluate(theta)
        for engine in ("numba", "numpy")
    }
    reference = _reference(X, y, w, family, theta, True, offset, w)
    for name in ("loglik", "score", "information", "eta", "mu", "var"):
        atol = RTOL * np.max(reference[name][1])
        actual, expected = (getattr(runs[engine], name) for engine in ("numba", "numpy"))
        assert_allclose(actual, expected, rtol=RTOL, atol=atol)
    assert runs["numba"].empirical_fisher is None and runs["numpy"].empirical_fisher is None
    bare = FusedGLM(X, y, w, family, offset=offset).evaluate(theta, rows=False)
    assert bare.eta is None and bare.mu is None and bare.var is None
    atol = RTOL * np.max(reference["information"][1])
    assert_allclose(bare.information, runs["numpy"].information, rtol=RTOL, atol=atol)


def test_numbers_do_not_depend_on_the_threads():
    numba = pytest.importorskip("numba")
    X, y, w, offset, theta = _problem("binomial", 5000, 8, seed=6)
    fused = FusedGLM(X, y, w, "binomial", offset=offset, engine="numba", block_rows=64)
    threads = numba.get_num_threads()
    try:
        runs = []
        for count in (1, threads):
            numba.set_num_threads(count)
            runs.append(fused.evaluate(theta, empirical=True))
    finally:
        numba.set_num_threads(threads)
    for one, many in zip(*runs, strict=True):
        assert_array_equal(one, many)


@pytest.mark.parametrize("order,dtype", LAYOUTS, ids=["C64", "F64", "C32", "F32"])
@pytest.mark.parametrize("p,fit_intercept", [(6, True), (6, False), (60, True), (0, True)])
def test_weighted_gram_equals_the_design_products(engine, order, dtype, p, fit_intercept):
    """The least-squares step's products by the pass's blocks (zero weights included)."""
    X, y, w, offset, _ = _problem("binomial", 1000, p, order=order, dtype=dtype, seed=p)
    v = np.random.default_rng(p).normal(size=len(y))
    fused = FusedGLM(
        X, y, w, "binomial", fit_intercept=fit_intercept, engine=engine, block_rows=64
    )
    gram, moment = fused.gram(w, v)
    expected, expected_moment = Design(X, fit_intercept).gram(w, v)
    design = X.astype(np.float64)
    if fit_intercept:
        design = np.column_stack([np.ones(len(X)), design])
    magnitude = _gram(design, w)[1]
    assert_allclose(gram, expected, rtol=RTOL, atol=RTOL * np.max(magnitude))
    atol = RTOL * np.max(np.abs(design.T) @ np.abs(v))
    assert_allclose(moment, expected_moment, rtol=RTOL, atol=atol)
    assert_array_equal(gram, gram.T)


def test_weighted_gram_bad_weights(engine):
    X, y, w, _, _ = _problem("poisson", 50, 3)
    fused = FusedGLM(X, y, w, "poisson", engine=engine)
    with pytest.raises(ValueError, match="w must be non-negative"):
        fused.gram(-w, y)
    with pytest.raises(ValueError, match="v must have shape"):
        fused.gram(w, y[:-1])


def test_the_start_takes_the_pass_products(monkeypatch):
    """R's start on the pass's blocks by each engine equals the start by Design.gram."""
    pytest.importorskip("numba")
    X, y, w, offset, _ = _problem("binomial", 3000, 5, seed=2)
    starts = []
    for engine in ("numba", "numpy", None):  # None: the separate products
        monkeypatch.setattr(problem_module, "FUSED", engine is not None)
        monkeypatch.setenv(ENGINE_VARIABLE, engine or "auto")
        problem = _glm_problem(X, y, w, "binomial", offset, None)
        assert problem._fuses == (engine is not None)
        if engine is not None:
            assert problem._kernel().engine == engine
        starts.append(starting_theta(problem, Binomial(), Logit(), y, w, offset)[0])
    for start in starts[:2]:
        assert_allclose(start, starts[2], rtol=1e-11, atol=1e-13)


def _glm_problem(X, y, freq, family, offset, var_weights):
    fam, link = (Binomial(), Logit()) if family == "binomial" else (Poisson(), Log())
    design = Design(X, True)
    return GLMProblem(design, y, freq, fam, link, offset=offset, var_weights=var_weights)


@pytest.mark.parametrize(
    "family,response",
    [
        ("binomial", "binary"),
        ("binomial", "proportions"),
        ("poisson", "counts"),
        ("poisson", "rates"),
    ],
)
def test_pass_equals_the_glm_problem(engine, family, response):
    """The numbers the Fisher-scoring loop sees, with frequency and variance weights."""
    rng = np.random.default_rng(11)
    X, y, freq, offset, theta = _problem(family, 600, 5, seed=11)
    freq = np.round(freq) + 1.0  # whole trials: the binomial coefficient of proportions
    if response == "proportions":
        y = rng.binomial(freq.astype(int), expit(X @ theta[1:] + theta[0] + offset)) / freq
    if response == "rates":
        y = y / rng.uniform(0.5, 2.0, len(y))  # not whole: log y! by gammaln
    var_weights = rng.uniform(0.5, 2.0, len(y))
    problem = _glm_problem(X, y, freq, family, offset, var_weights)
    fused = FusedGLM(
        X,
        y,
        problem.w,
        family,
        offset=offset,
        var_weights=var_weights,
        engine=engine,
        block_rows=100,
    )
    result = fused.evaluate(theta, empirical=True)
    assert_allclose(result.loglik, problem.loglik(theta), rtol=RTOL)
    expected = {
        "score": problem.score(theta),
        "information": problem.information(theta),
        "empirical_fisher": problem.empirical_fisher(theta),
    }
    for name, matrix in expected.items():
        scale = np.max(np.abs(matrix))
        assert_allclose(getattr(result, name), matrix, rtol=RTOL, atol=RTOL * scale, err_msg=name)


def test_mean_outside_the_domain_gives_minus_infinity(engine):
    # η = 800 in a row: the Poisson mean overflows to inf, as GLMProblem says -inf.
    X, y, w, offset, theta = _problem("poisson", 200, 3, seed=2)
    offset[17] = 800.0
    problem = _glm_problem(X, y, w, "poisson", offset, None)
    result = FusedGLM(X, y, w, "poisson", offset=offset, engine=engine).evaluate(theta)
    assert result.loglik == problem.loglik(theta) == -np.inf
    offset[17] = -800.0  # μ underflows to 0, outside (0, inf)
    problem = _glm_problem(X, y, w, "poisson", offset, None)
    result = FusedGLM(X, y, w, "poisson", offset=offset, engine=engine).evaluate(theta)
    assert result.loglik == problem.loglik(theta) == -np.inf
    offset[17], w[17] = 800.0, 0.0  # 0 · inf in the sums: nan, and no warning
    result = FusedGLM(X, y, w, "poisson", offset=offset, engine=engine).evaluate(
        theta, empirical=True
    )
    assert result.loglik == -np.inf


def test_logistic_loglik_is_finite_far_out(engine):
    # |η| = 800: log(1 + e^η) by its stable form; μ rounds to 0 or 1.
    X, y, w, offset, theta = _problem("binomial", 100, 2, seed=4)
    offset[:2] = [800.0, -800.0]
    y[:2] = [1.0, 0.0]
    result = FusedGLM(X, y, w, "binomial", offset=offset, engine=engine).evaluate(theta)
    problem = _glm_problem(X, y, w, "binomial", offset, None)
    assert np.isfinite(result.loglik)
    assert_allclose(result.loglik, problem.loglik(theta), rtol=RTOL)


def test_auto_takes_numba_for_a_large_x(monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    X, y, w, _, _ = _problem("binomial", 20, 2)
    assert FusedGLM(X, y, w, "binomial").engine == "numpy"  # 40 values
    monkeypatch.setattr(_fused, "_NUMBA_MIN_VALUES", 40)
    assert FusedGLM(X, y, w, "binomial").engine == "numba"


def test_environment_chooses_the_engine(monkeypatch):
    monkeypatch.setattr(_fused, "_NUMBA_MIN_VALUES", 1)
    X, y, w, _, _ = _problem("binomial", 20, 2)
    monkeypatch.setenv(ENGINE_VARIABLE, "numpy")
    assert FusedGLM(X, y, w, "binomial").engine == "numpy"
    assert FusedGLM(X, y, w, "binomial", engine="numpy").engine == "numpy"
    monkeypatch.setenv(ENGINE_VARIABLE, "fortran")
    with pytest.raises(ValueError, match=ENGINE_VARIABLE):
        FusedGLM(X, y, w, "binomial")
    if importlib.util.find_spec("numba") is not None:
        monkeypatch.setattr(_fused, "_NUMBA_MIN_VALUES", 10**9)
        monkeypatch.setenv(ENGINE_VARIABLE, "numba")  # even for a small X
        assert FusedGLM(X, y, w, "binomial").engine == "numba"


def test_without_numba(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    monkeypatch.setattr(_fused, "_NUMBA_MIN_VALUES", 1)
    X, y, w, _, _ = _problem("binomial", 20, 2)
    assert FusedGLM(X, y, w, "binomial").engine == "numpy"
    with pytest.raises(ImportError, match=r"skfisher\[fast\]"):
        FusedGLM(X, y, w, "binomial", engine="numba")


def _bad_inputs():
    X, y, w, offset, _ = _problem("binomial", 20, 2)
    return [
        ((X[:, 0], y, w), {}, "2-dimensional"),
        ((X[None], y, w), {}, "2-dimensional"),
        ((X.astype(int), y, w), {}, "float32 or float64"),
        ((sp.csr_matrix(X), y, w), {}, "dense"),
        ((X, y[:-1], w), {}, "y must have shape"),
        ((X, y, w[:-1]), {}, "weights must have shape"),
        ((X, y, -w), {}, "weights must be non-negative"),
        ((X, y, w), {"offset": offset[:5]}, "offset must have shape"),
        ((X, y, w), {"var_weights": w[:, None]}, "var_weights must have shape"),
        ((X, y, w), {"var_weights": -w}, "var_weights must be non-negative"),
        ((X[:, :0], y, w), {"fit_intercept": False}, "no column"),
        ((X, y, w), {"block_rows": 0}, "block_rows"),
        ((X, y, w), {"block_rows": 2.5}, "block_rows"),
        ((X, y, w), {"block_rows": True}, "block_rows"),
        ((X, y, w), {"engine": "fortran"}, "engine must be"),
    ]


@pytest.mark.parametrize("args,kwargs,message", _bad_inputs())
def test_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        FusedGLM(*args, "binomial", **{"engine": "numpy", **kwargs})


def test_bad_family_and_theta(engine):
    X, y, w, _, theta = _problem("poisson", 20, 2)
    with pytest.raises(ValueError, match="family must be one of"):
        FusedGLM(X, y, w, "gamma")
    fused = FusedGLM(X, y, w, "poisson", engine=engine)
    for bad in (theta[1:], theta[:, None], np.append(theta, 1.0)):
        with pytest.raises(ValueError, match=r"theta must have shape \(3,\)"):
            fused.evaluate(bad)
