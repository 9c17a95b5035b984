"""The fit's result: every covariance after the fit, and no attribute outliving its fit.

``est.covariance(cov_type)`` must equal ``covariance_`` of a refit with that
``cov_type``, and after ``fit(A)`` then ``fit(B)`` every attribute must equal
that of a fresh ``fit(B)``, for every estimator and option.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import gammaln
from sklearn.base import clone

from skfisher import (
    FisherGLMRegressor,
    FisherLogisticRegression,
    FisherMLE,
    FisherPoissonRegressor,
    MLEDistribution,
)
from skfisher.families import NegativeBinomial

COV_TYPES = ("fisher", "observed", "empirical", "sandwich", "cluster")


def _data(seed=0, n=120, p=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    eta = 0.3 + X @ np.linspace(0.5, -0.4, p)
    groups = rng.integers(0, 12, size=n)
    return rng, X, eta, groups


def _counts(seed=0):
    rng, X, eta, groups = _data(seed)
    return X, rng.poisson(np.exp(eta)).astype(float), groups


def _overdispersed(seed=0):
    rng, X, eta, groups = _data(seed)
    mu = np.exp(eta)
    return X, rng.negative_binomial(2.0, 2.0 / (2.0 + mu)).astype(float), groups


def _positive(seed=0):
    rng, X, eta, groups = _data(seed)
    return X, rng.gamma(3.0, np.exp(eta) / 3.0), groups


def _binary(seed=0):
    rng, X, eta, groups = _data(seed)
    return X, (rng.random(X.shape[0]) < 1 / (1 + np.exp(-eta))).astype(int), groups


def _three_classes(seed=0):
    rng, X, eta, groups = _data(seed)
    return X, np.digitize(eta + rng.logistic(size=eta.size), [-0.5, 0.8]), groups


def _poisson_loglik(params, X, y):
    eta = params[0] + X @ params[1:]
    return y * eta - np.exp(eta) - gammaln(y + 1.0)


def _poisson_score(params, X, y):
    Z = np.column_stack([np.ones(X.shape[0]), X])
    return (y - np.exp(Z @ params))[:, None] * Z


def _own_poisson(**kwargs):
    return FisherMLE(_poisson_loglik, start=np.zeros(4), **kwargs)


CASES = {
    "own-likelihood": (_own_poisson, _counts),
    "poisson": (lambda: FisherPoissonRegressor(), _counts),
    "gamma-log": (lambda: FisherGLMRegressor(family="gamma", link="log"), _positive),
    "gaussian": (lambda: FisherGLMRegressor(), _positive),
    "nb-alpha": (lambda: FisherGLMRegressor(family=NegativeBinomial()), _overdispersed),
    "penalised": (lambda: FisherPoissonRegressor(alpha=0.05), _counts),
    "logistic": (lambda: FisherLogisticRegression(), _binary),
    "firth": (lambda: FisherLogisticRegression(bias_reduction="firth"), _binary),
    "multinomial": (lambda: FisherLogisticRegression(), _three_classes),
}


def _fit(estimator, X, y, groups=None, **kwargs):
    if groups is None:
        return estimator.fit(X, y, **kwargs)
    return estimator.fit(X, y, groups=groups, **kwargs)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_covariance_after_the_fit_equals_a_refit_with_that_cov_type(case, cov_type):
    make, data = CASES[case]
    X, y, groups = data()
    fitted = make().fit(X, y)
    refit = _fit(
        make().set_params(cov_type=cov_type), X, y, groups if cov_type == "cluster" else None
    )
    given = groups if cov_type == "cluster" else None
    np.testing.assert_allclose(
        fitted.covariance(cov_type, groups=given), refit.covariance_, rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(
        fitted.standard_errors(cov_type, groups=given), refit.standard_errors_, rtol=1e-12
    )
    # The default is the fit's own covariance, also after set_params.
    np.testing.assert_array_equal(
        refit.set_params(cov_type="fisher").covariance(), refit.covariance_
    )


def test_a_clustered_fit_reuses_its_groups_and_takes_others():
    X, y, groups = _counts()
    clustered = FisherPoissonRegressor(cov_type="cluster").fit(X, y, groups=groups)
    np.testing.assert_array_equal(clustered.covariance("cluster"), clustered.covariance_)
    coarse = groups // 3
    expected = FisherPoissonRegressor(cov_type="cluster").fit(X, y, groups=coarse)
    np.testing.assert_allclose(
        clustered.covariance("cluster", groups=coarse), expected.covariance_, rtol=1e-12
    )
    assert clustered.n_groups_ == 12  # the fit's own clusters stay published


@pytest.mark.parametrize("make", [FisherPoissonRegressor, _own_poisson])
def test_cluster_covariance_skips_the_rows_of_weight_zero(make):
    X, y, groups = _counts()
    weights = np.ones_like(y)
    weights[:10] = 0.0
    plain = make().fit(X, y, sample_weight=weights)
    refit = make(cov_type="cluster").fit(X, y, sample_weight=weights, groups=groups)
    np.testing.assert_allclose(
        plain.covariance("cluster", groups=groups), refit.covariance_, rtol=1e-12
    )


def test_a_fit_on_rescaled_columns_gives_every_covariance_in_the_units_of_x():
    X, y, groups = _counts()
    X = X * np.array([1e-200, 1.0, 1e160])
    fitted = FisherPoissonRegressor().fit(X, y)
    for cov_type in COV_TYPES:
        given = groups if cov_type == "cluster" else None
        refit = _fit(FisherPoissonRegressor(cov_type=cov_type), X, y, given)
        np.testing.assert_allclose(
            fitted.standard_errors(cov_type, groups=given), refit.standard_errors_, rtol=1e-12
        )
    assert np.all(np.isfinite(fitted.standard_errors("sandwich")))


def test_distribution_covariances_after_the_fit():
    x = np.random.default_rng(3).gamma(2.0, 1.5, size=200)
    fitted = MLEDistribution(family="gamma").fit(x)
    for cov_type in ("fisher", "observed", "empirical", "sandwich"):
        refit = MLEDistribution(family="gamma", cov_type=cov_type).fit(x)
        np.testing.assert_allclose(fitted.covariance(cov_type), refit.covariance_, rtol=1e-12)


def test_an_unpickled_estimator_gives_every_covariance_but_new_clusters():
    X, y, groups = _counts()
    restored = pickle.loads(pickle.dumps(FisherPoissonRegressor().fit(X, y)))
    sandwich = FisherPoissonRegressor(cov_type="sandwich").fit(X, y)
    np.testing.assert_allclose(restored.covariance("sandwich"), sandwich.covariance_, rtol=1e-12)
    with pytest.raises(ValueError, match="refit with cov_type='cluster'"):
        restored.covariance("cluster", groups=groups)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cov_type": "robust"}, "cov_type must be one of"),
        ({"cov_type": "cluster"}, "needs the cluster of every sample"),
        ({"cov_type": "sandwich", "groups": np.zeros(120)}, "only by cov_type='cluster'"),
        ({"cov_type": "cluster", "groups": np.zeros(7)}, "one label per row"),
        ({"cov_type": "cluster", "groups": np.zeros(120)}, "at least 2 clusters"),
    ],
)
def test_bad_covariance_requests_are_refused(kwargs, match):
    X, y, _ = _counts()
    fitted = FisherPoissonRegressor().fit(X, y)
    with pytest.raises(ValueError, match=match):
        fitted.covariance(**kwargs)
    with pytest.raises(ValueError, match=match):
        fitted.standard_errors(**kwargs)


def test_covariance_needs_a_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        FisherPoissonRegressor().covariance("sandwich")


# Refit staleness: (estimator, its data) before and after, for every option pair.
def _sparse(data):
    def sparse_data(seed=0):
        X, y, groups = data(seed)
        return sp.csr_matrix(X), y, groups

    return sparse_data


def _extreme(data):
    def extreme_data(seed=0):
        X, y, groups = data(seed)
        return X * np.array([1e-200, 1.0, 1.0]), y, groups

    return extreme_data


LOGISTIC = FisherLogisticRegression
REFITS = {
    "multinomial->binary": (LOGISTIC(), _three_classes, LOGISTIC(), _binary),
    "binary->multinomial": (LOGISTIC(), _binary, LOGISTIC(), _three_classes),
    "firth->plain": (LOGISTIC(bias_reduction="firth"), _binary, LOGISTIC(), _three_classes),
    "plain->flic": (LOGISTIC(), _three_classes, LOGISTIC(bias_reduction="flic"), _binary),
    "cluster->fisher": (
        FisherPoissonRegressor(cov_type="cluster"),
        _counts,
        FisherPoissonRegressor(),
        _counts,
    ),
    "fisher->cluster": (
        LOGISTIC(),
        _binary,
        LOGISTIC(cov_type="cluster"),
        _binary,
    ),
    "nb-estimated->fixed": (
        FisherGLMRegressor(family=NegativeBinomial()),
        _overdispersed,
        FisherGLMRegressor(family=NegativeBinomial(alpha=0.5)),
        _overdispersed,
    ),
    "nb-fixed->estimated": (
        FisherGLMRegressor(family=NegativeBinomial(alpha=0.5)),
        _overdispersed,
        FisherGLMRegressor(family=NegativeBinomial()),
        _overdispersed,
    ),
    "sparse->dense": (
        FisherPoissonRegressor(),
        _sparse(_counts),
        FisherPoissonRegressor(),
        _counts,
    ),
    "rescaled->plain": (
        FisherPoissonRegressor(),
        _extreme(_counts),
        FisherPoissonRegressor(),
        _counts,
    ),
    "gamma->poisson": (
        FisherGLMRegressor(family="gamma", link="log"),
        _positive,
        FisherGLMRegressor(family="poisson"),
        _counts,
    ),
    "own: cluster->analytic score": (
        _own_poisson(cov_type="cluster"),
        _counts,
        _own_poisson(score_obs=_poisson_score),
        _counts,
    ),
    "penalised->plain": (
        FisherPoissonRegressor(alpha=0.1),
        _counts,
        FisherPoissonRegressor(),
        _counts,
    ),
}


def _fit_case(estimator, data, seed):
    X, y, groups = data(seed)
    clustered = estimator.get_params()["cov_type"] == "cluster"
    return _fit(estimator, X, y, groups if clustered else None)


def _public_state(estimator):
    return {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("_")
    }


def _assert_same(name, ours, fresh):
    if name == "fisher_result_":
        ours, fresh = ours.attributes(), fresh.attributes()
        assert ours.keys() == fresh.keys()
        for key in ours:
            _assert_same(key, ours[key], fresh[key])
    elif isinstance(ours, np.ndarray):
        np.testing.assert_array_equal(ours, fresh, err_msg=name)
    elif isinstance(ours, dict):
        assert ours == fresh, name
    elif hasattr(ours, "__dict__") and type(ours).__eq__ is object.__eq__:
        assert type(ours) is type(fresh), name
        for key in vars(ours):
            _assert_same(f"{name}.{key}", vars(ours)[key], vars(fresh)[key])
    else:
        assert ours == fresh or (ours != ours and fresh != fresh), name


@pytest.mark.parametrize("case", REFITS)
def test_a_refit_leaves_no_attribute_of_the_previous_fit(case):
    first, first_data, second, second_data = REFITS[case]
    estimator = _fit_case(clone(first), first_data, 1)
    estimator.set_params(**second.get_params())
    _fit_case(estimator, second_data, 2)
    fresh = _fit_case(clone(second), second_data, 2)
    ours, theirs = _public_state(estimator), _public_state(fresh)
    assert ours.keys() == theirs.keys()
    for name in ours:
        _assert_same(name, ours[name], theirs[name])
    assert str(estimator.summary()) == str(fresh.summary())
    assert hasattr(estimator, "_fitted_problem") == hasattr(fresh, "_fitted_problem")


def test_a_distribution_refit_leaves_nothing_of_the_previous_fit():
    rng = np.random.default_rng(4)
    estimator = MLEDistribution(family="student_t").fit(rng.standard_t(5, size=(150, 2)))
    x = rng.normal(size=150)
    estimator.set_params(family="normal").fit(x)
    ours, fresh = _public_state(estimator), _public_state(MLEDistribution(family="normal").fit(x))
    assert ours.keys() == fresh.keys()
    for name in ours:
        _assert_same(name, ours[name], fresh[name])
    assert estimator.param_names_.tolist() == ["loc", "scale"]


def test_a_model_without_groups_refuses_clusters_after_the_fit():
    x = np.random.default_rng(5).gamma(2.0, 1.0, size=100)
    fitted = MLEDistribution(family="gamma").fit(x)
    with pytest.raises(ValueError, match="not available for MLEDistribution"):
        fitted.covariance("cluster", groups=np.arange(100) % 5)
