"""solver="cg" against the dense fit and scikit-learn: estimates, standard errors, attributes.

The conjugate-gradient fit and the dense one stop at the same criterion (the
step below ``tol`` standard errors); at ``tol=1e-10`` both are within 1e-10
standard errors of the maximum, so their estimates agree far inside 1e-7
relatively. The named standard errors come from solves to a relative
residual of 1e-8, whose variances are exact to about 1e-16 κ: they equal
the dense inverse's to 1e-6 with a wide margin.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from skfisher import FisherGLMRegressor, FisherLogisticRegression
from skfisher.linear_model._cg_newton import FORCING_MAX, FORCING_MIN, next_forcing
from skfisher.linear_model._cg_options import AUTO_MAX_PARAMS, choose_solver

TOL = 1e-10
# Named coefficients: columns of X by index and by name, and the intercept.
SE_FOR = [0, 7, "x3", "intercept"]


def wide_problem(family, n, k, *, sparse, seed=0, per_row=20):
    """A well-posed problem with k columns: ``(X, y, sample_weight)``.

    Sparse X has about ``per_row`` standard-normal entries a row; dense X is
    normal with variance 1/10. The coefficients are scaled so that η has a
    standard deviation near 1 (the logistic MLE then exists for n ≥ 5 k).
    """
    rng = np.random.default_rng(seed)
    if sparse:
        X = sp.random(
            n,
            k,
            density=per_row / k,
            format="csr",
            random_state=seed,
            data_rvs=rng.standard_normal,
        )
        spread = np.sqrt(per_row)
    else:
        X = rng.normal(scale=np.sqrt(0.1), size=(n, k))
        spread = np.sqrt(0.1 * k)
    eta = 0.3 + X @ rng.normal(size=k) / spread
    if family == "binomial":
        y = (rng.random(n) < expit(eta)).astype(float)
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
    return X, y, rng.integers(1, 3, size=n).astype(float)


def _estimator(family, solver, alpha, **options):
    if family == "binomial":
        return FisherLogisticRegression(alpha=alpha, tol=TOL, solver=solver, **options)
    return FisherGLMRegressor(family=family, alpha=alpha, tol=TOL, solver=solver, **options)


PROBLEMS = {
    "logistic-sparse": ("binomial", 8000, 1000, True),
    "logistic-dense": ("binomial", 3000, 200, False),
    "poisson-sparse": ("poisson", 5000, 1000, True),
    "poisson-dense": ("poisson", 3000, 200, False),
}


@pytest.fixture(scope="module", params=sorted(PROBLEMS))
def problem(request):
    family, n, k, sparse = PROBLEMS[request.param]
    return family, wide_problem(family, n, k, sparse=sparse)


@pytest.mark.parametrize("alpha", [0.0, 1e-3])
def test_cg_equals_the_dense_fit(problem, alpha):
    family, (X, y, w) = problem
    dense = _estimator(family, "newton", alpha).fit(X, y, sample_weight=w)
    cg = _estimator(family, "cg", alpha).fit(X, y, sample_weight=w, se_for=SE_FOR)
    assert cg.solver_ == "cg" and dense.solver_ == "newton"
    assert cg.converged_
    np.testing.assert_allclose(cg.params_, dense.params_, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(cg.loglik_, dense.loglik_, rtol=1e-12)
    np.testing.assert_allclose(cg.deviance_, dense.deviance_, rtol=1e-10)
    named = cg.se_for_
    np.testing.assert_array_equal(named, [1, 8, 4, 0])
    np.testing.assert_allclose(
        cg.standard_errors_[named], dense.standard_errors_[named], rtol=1e-6
    )
    assert np.isnan(np.delete(cg.standard_errors_, named)).all()
    # The whole columns of the covariance, not only their diagonal entries:
    # an entry's error is linear in the solve's residual (1e-8), about
    # 1e-8 √κ of the column's scale.
    scale = np.abs(dense.covariance_[:, named]).max()
    np.testing.assert_allclose(
        cg.covariance_columns_, dense.covariance_[:, named], rtol=1e-6, atol=1e-7 * scale
    )
    np.testing.assert_allclose(cg.predict(X), dense.predict(X), rtol=1e-7)


@pytest.mark.parametrize("cov_type", ["observed", "empirical", "sandwich"])
def test_other_covariances_equal_the_dense_ones(cov_type):
    X, y, w = wide_problem("binomial", 3000, 300, sparse=True, seed=1)
    dense = FisherLogisticRegression(alpha=1e-3, tol=TOL, cov_type=cov_type).fit(X, y, w)
    cg = FisherLogisticRegression(alpha=1e-3, tol=TOL, cov_type=cov_type, solver="cg")
    cg.fit(X, y, w, se_for=SE_FOR)
    named = cg.se_for_
    np.testing.assert_allclose(
        cg.standard_errors_[named], dense.standard_errors_[named], rtol=1e-6
    )
    # After the fit, by another covariance: the same as the dense fit's.
    np.testing.assert_allclose(
        cg.standard_errors_for(["x5", 9], cov_type="fisher"),
        dense.standard_errors(cov_type="fisher")[[6, 10]],
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    ("family", "link"),
    [("gamma", "log"), ("gaussian", "identity"), ("binomial", "probit"), ("tweedie", "log")],
)
def test_dispersion_and_non_canonical_links(family, link):
    """A family with φ (its Pearson φ̂ in the standard errors) and a non-canonical link."""
    rng = np.random.default_rng(3)
    X = sp.random(2000, 150, density=0.05, format="csr", random_state=3)
    eta = 0.5 + X @ rng.normal(scale=0.3, size=150)
    y = {
        "gamma": lambda: rng.gamma(2.0, np.exp(eta) / 2.0),
        "gaussian": lambda: eta + rng.normal(size=eta.size),
        "binomial": lambda: (rng.random(eta.size) < expit(eta)).astype(float),
        "tweedie": lambda: rng.poisson(np.exp(eta)) * rng.gamma(2.0, 0.5, size=eta.size),
    }[family]()
    offset = rng.normal(scale=0.1, size=eta.size)
    for cov_type in ("fisher", "sandwich"):
        options = {"family": family, "link": link, "tol": TOL, "cov_type": cov_type}
        dense = FisherGLMRegressor(**options).fit(X, y, offset=offset)
        cg = FisherGLMRegressor(solver="cg", **options).fit(X, y, offset=offset, se_for=SE_FOR)
        np.testing.assert_allclose(cg.params_, dense.params_, rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(cg.dispersion_, dense.dispersion_, rtol=1e-10)
        named = cg.se_for_
        np.testing.assert_allclose(
            cg.standard_errors_[named], dense.standard_errors_[named], rtol=1e-6
        )


def test_var_weights_enter_the_matrices_as_in_the_dense_fit():
    rng = np.random.default_rng(4)
    X = sp.random(1500, 120, density=0.05, format="csr", random_state=4)
    y = rng.gamma(2.0, np.exp(0.2 + X @ rng.normal(scale=0.3, size=120)) / 2.0)
    v = rng.uniform(0.5, 3.0, size=1500)
    options = {"family": "gamma", "link": "log", "tol": TOL, "cov_type": "sandwich"}
    dense = FisherGLMRegressor(**options).fit(X, y, var_weights=v)
    cg = FisherGLMRegressor(solver="cg", **options).fit(X, y, var_weights=v, se_for=SE_FOR)
    np.testing.assert_allclose(cg.params_, dense.params_, rtol=1e-7)
    named = cg.se_for_
    np.testing.assert_allclose(
        cg.standard_errors_[named], dense.standard_errors_[named], rtol=1e-6
    )


@pytest.mark.parametrize("sparse", [True, False], ids=["sparse", "dense"])
def test_cg_equals_scikit_learn_newton_cg(sparse):
    """skfisher's alpha is scikit-learn's C = 1 / (alpha Σw); neither penalises the intercept."""
    X, y, w = wide_problem("binomial", 4000, 400, sparse=sparse, seed=5)
    alpha = 1e-3
    ours = FisherLogisticRegression(alpha=alpha, tol=TOL, solver="cg").fit(X, y, w)
    theirs = LogisticRegression(
        C=1.0 / (alpha * w.sum()), solver="newton-cg", tol=1e-12, max_iter=1000
    ).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6)


@pytest.mark.slow
def test_k_2000_standard_errors_equal_the_dense_inverse():
    X, y, w = wide_problem("binomial", 12000, 2000, sparse=True, seed=6)
    dense = FisherLogisticRegression(alpha=1e-4, tol=TOL).fit(X, y, w)
    named = list(range(0, 2000, 200))
    cg = FisherLogisticRegression(alpha=1e-4, tol=TOL, solver="cg").fit(X, y, w, se_for=named)
    np.testing.assert_allclose(cg.params_, dense.params_, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(
        cg.standard_errors_[cg.se_for_], np.sqrt(np.diag(dense.covariance_))[cg.se_for_], rtol=1e-6
    )


def test_summary_and_intervals_of_the_named_coefficients():
    X, y, w = wide_problem("binomial", 3000, 200, sparse=True, seed=7)
    dense = FisherLogisticRegression(tol=TOL).fit(X, y, w)
    cg = FisherLogisticRegression(tol=TOL, solver="cg").fit(X, y, w, se_for=SE_FOR)
    table = cg.summary()
    assert table.names == ["x0", "x7", "x3", "intercept"]
    reference = dense.summary().to_frame().loc[table.names]
    np.testing.assert_allclose(table.to_frame().to_numpy(), reference.to_numpy(), rtol=1e-6)
    assert ("Solver", f"cg ({cg.n_cg_iter_} CG iterations)") in table.info
    intervals = cg.conf_int()
    np.testing.assert_allclose(intervals[cg.se_for_], dense.conf_int()[cg.se_for_], rtol=1e-6)
    assert np.isnan(np.delete(intervals, cg.se_for_, axis=0)).all()


def test_se_for_with_newton_takes_the_dense_covariance():
    X, y, w = wide_problem("binomial", 2000, 50, sparse=False, seed=8)
    full = FisherLogisticRegression().fit(X, y, w)
    named = FisherLogisticRegression().fit(X, y, w, se_for=["x1", 4])
    np.testing.assert_array_equal(named.standard_errors_, full.standard_errors_)
    np.testing.assert_array_equal(named.covariance_columns_, full.covariance_[:, [2, 5]])
    assert named.summary().names == ["x1", "x4"]
    assert len(full.summary().names) == 51
    np.testing.assert_array_equal(named.standard_errors_for([4]), full.standard_errors_[[5]])


def test_matrices_are_absent_and_say_why():
    X, y, w = wide_problem("binomial", 2000, 100, sparse=True, seed=9)
    cg = FisherLogisticRegression(solver="cg").fit(X, y, w, se_for=[0])
    for name in ("information_", "observed_information_", "empirical_fisher_", "covariance_"):
        assert not hasattr(cg, name)
        with pytest.raises(AttributeError, match=f"{name} is not available with solver='cg'"):
            getattr(cg, name)
    with pytest.raises(AttributeError, match="has no attribute 'nonexistent_'"):
        cg.nonexistent_  # noqa: B018
    # A refit with the dense solver has them all again.
    cg.set_params(solver="newton").fit(X, y, w)
    assert cg.information_.shape == (101, 101) and not hasattr(cg, "se_for_")


def test_auto_rule():
    assert choose_solver("auto", AUTO_MAX_PARAMS) == "newton"
    assert choose_solver("auto", AUTO_MAX_PARAMS + 1) == "cg"
    assert choose_solver("newton", 10**6) == "newton"
    assert choose_solver("cg", 3) == "cg"
    X, y, w = wide_problem("binomial", 1000, 20, sparse=False, seed=10)
    auto = FisherLogisticRegression(solver="auto").fit(X, y, w)
    newton = FisherLogisticRegression().fit(X, y, w)
    assert auto.solver_ == "newton"
    np.testing.assert_array_equal(auto.params_, newton.params_)
    np.testing.assert_array_equal(auto.covariance_, newton.covariance_)


def test_auto_rule_by_memory(monkeypatch):
    """Where nine k × k matrices would take more than a quarter of the memory: "cg"."""
    import skfisher.linear_model._cg_options as options

    monkeypatch.setattr(options, "_physical_memory", lambda: 4 * 9 * 8 * 100**2)
    assert options.choose_solver("auto", 100) == "newton"
    assert options.choose_solver("auto", 101) == "cg"


def test_forcing_terms():
    """Eisenstat & Walker's choice 2 within [FORCING_MIN, FORCING_MAX], at most sqrt(progress)."""
    assert next_forcing(FORCING_MAX, 1.0, 1.0) == FORCING_MAX
    assert next_forcing(0.01, 0.1, 1.0) == pytest.approx(0.9 * 0.1**2)
    # The safeguard: no drop below 0.9 η² while that exceeds 0.1.
    assert next_forcing(0.4, 1e-3, 1.0) == pytest.approx(0.9 * 0.4**2)
    # A linear rate keeps the ratio near 0.8; the score's progress bounds the term.
    assert next_forcing(0.5, 0.8, 1e-6) == pytest.approx(1e-3)
    assert next_forcing(1e-9, 1e-9, 1e-20) == FORCING_MIN


def test_without_an_intercept():
    X, y, w = wide_problem("poisson", 2000, 120, sparse=True, seed=11)
    dense = FisherGLMRegressor(fit_intercept=False, tol=TOL).fit(X, y, w)
    cg = FisherGLMRegressor(fit_intercept=False, tol=TOL, solver="cg").fit(X, y, w, se_for=[0, 5])
    np.testing.assert_allclose(cg.params_, dense.params_, rtol=1e-7, atol=1e-12)
    np.testing.assert_array_equal(cg.se_for_, [0, 5])
    np.testing.assert_allclose(
        cg.standard_errors_[[0, 5]], dense.standard_errors_[[0, 5]], rtol=1e-6
    )
    assert cg.intercept_ == 0.0
