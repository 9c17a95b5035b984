"""solver="cg" and se_for: every refusal is a ValueError that names the problem."""

import pickle

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skfisher import FisherGLMRegressor, FisherLogisticRegression
from skfisher.exceptions import (
    CollinearityWarning,
    CovarianceWarning,
    DispersionWarning,
    PerfectSeparationWarning,
)

from .test_cg import wide_problem


@pytest.fixture(scope="module")
def binary():
    return wide_problem("binomial", 1500, 60, sparse=True, seed=20)


@pytest.fixture(scope="module")
def fitted(binary):
    X, y, w = binary
    return FisherLogisticRegression(solver="cg", alpha=1e-3).fit(X, y, w, se_for=[1, 2])


@pytest.mark.parametrize(
    ("se_for", "message"),
    [
        (["x0", "nonexistent"], "se_for names 'nonexistent', which is not a parameter"),
        ([60], "se_for has the column index 60; X has 60 columns"),
        ([-1], "se_for has the column index -1"),
        ([True], "se_for must hold column indices of X"),
        ([1.5], "se_for must hold column indices of X"),
        ("alpha", "se_for names 'alpha'"),
    ],
)
@pytest.mark.parametrize("solver", ["cg", "newton"])
def test_se_for_names_what_is_not_a_parameter(binary, se_for, message, solver):
    X, y, w = binary
    with pytest.raises(ValueError, match=message):
        FisherLogisticRegression(solver=solver).fit(X, y, w, se_for=se_for)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"bias_reduction": "firth"}, r"bias_reduction='firth' \(Firth's penalty is log det I\)"),
        ({"cov_type": "cluster"}, r"cov_type='cluster' \(its meat is the G × k matrix"),
    ],
)
def test_cg_refuses_what_needs_the_matrix(binary, options, message):
    X, y, w = binary
    with pytest.raises(ValueError, match=f"solver='cg', which is not available with {message}"):
        FisherLogisticRegression(solver="cg", **options).fit(
            X, y, w, groups=np.arange(len(y)) % 5 if "cov_type" in options else None
        )


def test_cg_refuses_an_estimated_negative_binomial_alpha():
    X, y, _ = wide_problem("poisson", 500, 20, sparse=False, seed=21)
    with pytest.raises(ValueError, match="an estimated negative-binomial alpha"):
        FisherGLMRegressor(family="negative_binomial", solver="cg").fit(X, y)


def test_cg_refuses_the_multinomial_and_se_for_there():
    rng = np.random.default_rng(22)
    X, y = rng.normal(size=(300, 3)), rng.integers(0, 3, size=300)
    with pytest.raises(ValueError, match="more than two classes"):
        FisherLogisticRegression(solver="cg").fit(X, y)
    with pytest.raises(ValueError, match="se_for is for the binary and GLM fits"):
        FisherLogisticRegression().fit(X, y, se_for=[0])
    assert FisherLogisticRegression(solver="auto").fit(X, y).solver_ == "newton"


def test_cg_refuses_dask_arrays_and_se_for_there():
    da = pytest.importorskip("dask.array")
    X, y, _ = wide_problem("poisson", 400, 5, sparse=False, seed=23)
    Xd, yd = da.from_array(X, chunks=(100, 5)), da.from_array(y, chunks=100)
    with pytest.raises(ValueError, match="solver='cg', which is not available with dask arrays"):
        FisherGLMRegressor(solver="cg").fit(Xd, yd)
    with pytest.raises(ValueError, match="se_for is not available for fits on dask arrays"):
        FisherGLMRegressor().fit(Xd, yd, se_for=[0])
    with pytest.raises(ValueError, match="solver='cg', which is not available with dask arrays"):
        FisherLogisticRegression(solver="cg").fit(Xd, (yd > 1).astype(int))
    assert FisherGLMRegressor(solver="auto").fit(Xd, yd).solver_ == "newton"


def test_auto_explains_its_choice_when_it_refuses():
    """Above 5,000 parameters "auto" is "cg", and says so when an option needs the matrix."""
    X, y, w = wide_problem("binomial", 500, 5001, sparse=True, seed=24, per_row=5)
    with pytest.raises(ValueError, match=r"solver='auto' chose 'cg' for 5002 parameters"):
        FisherLogisticRegression(solver="auto", bias_reduction="firth").fit(X, y, w)


def test_an_unknown_solver_is_refused(binary):
    X, y, w = binary
    with pytest.raises(InvalidParameterError, match="'solver' parameter"):
        FisherLogisticRegression(solver="lbfgs").fit(X, y, w)


def test_what_a_cg_fit_does_not_offer(binary, fitted):
    with pytest.raises(ValueError, match="The covariance matrix is not formed with solver='cg'"):
        fitted.covariance()
    with pytest.raises(ValueError, match=r"got cov_type='cluster'"):
        fitted.standard_errors(cov_type="cluster")
    with pytest.raises(ValueError, match="not available with solver='cg'"):
        FisherLogisticRegression(solver="cg").fit(*binary, se_for=[0]).conf_int(method="profile")
    X, y, w = binary
    without = FisherLogisticRegression(solver="cg").fit(X, y, w)
    with pytest.raises(ValueError, match="none were: pass fit"):
        without.summary()
    with pytest.raises(ValueError, match="not available with solver='cg'"):
        without.lr_pvalues_  # noqa: B018


def test_an_unpickled_fit_keeps_its_errors_but_not_the_data(fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.standard_errors_, fitted.standard_errors_)
    np.testing.assert_array_equal(
        restored.standard_errors_for(["x1"]), fitted.standard_errors_[[2]]
    )
    with pytest.raises(ValueError, match="no longer holds .* refit it"):
        restored.standard_errors_for(["x5"])


def test_separation_is_reported_as_likely():
    rng = np.random.default_rng(25)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    with pytest.warns(PerfectSeparationWarning, match="probably separated"):
        fit = FisherLogisticRegression(solver="cg").fit(X, y)
    assert not fit.converged_


def test_a_column_without_information_is_named(binary):
    X, y, w = binary
    X = X.tolil()
    X[:, 4] = 0.0
    with (
        pytest.warns(CollinearityWarning, match=r"1 parameter\(s\) have no information: \['x4'\]"),
        pytest.warns(CovarianceWarning, match=r"of \['x4'\] have no information"),
    ):
        fit = FisherLogisticRegression(solver="cg").fit(X.tocsr(), y, w, se_for=["x4", "x1"])
    assert np.isnan(fit.standard_errors_[5]) and np.isfinite(fit.standard_errors_[2])
    with pytest.warns(CovarianceWarning, match=r"of \['x4'\] have no information"):
        errors = fit.standard_errors_for(["x4"], cov_type="sandwich")
    assert np.isnan(errors).all()
    assert fit.params_[5] == 0.0


def test_not_converging_warns(binary):
    X, y, w = binary
    with pytest.warns(ConvergenceWarning, match="did not converge after 1 iterations"):
        fit = FisherLogisticRegression(solver="cg", max_iter=1).fit(X, y, w)
    assert not fit.converged_


def test_a_dispersion_that_cannot_be_estimated():
    rng = np.random.default_rng(26)
    X = rng.normal(size=(4, 4))
    with pytest.warns(DispersionWarning, match="cannot be estimated"):
        fit = FisherGLMRegressor(family="gaussian", solver="cg", alpha=1.0).fit(
            X, rng.normal(size=4), se_for=[0]
        )
    assert np.isnan(fit.dispersion_) and np.isnan(fit.standard_errors_).all()
