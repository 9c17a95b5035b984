"""The ordinal fit's result: covariances after the fit, refits, profiles, classes, pickles."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize, stats
from sklearn.base import clone

from skfisher import FisherOrdinalRegression
from skfisher.exceptions import CollinearityWarning, PerfectSeparationWarning

from ._reference import DISTRIBUTIONS, loglik

COV_TYPES = ("fisher", "observed", "empirical", "sandwich", "cluster")


def _data(seed=0, n=240, cuts=(-1.0, 0.2, 1.3)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.digitize(X @ [0.9, -0.4] + rng.logistic(size=n), cuts)
    return X, y, rng.integers(0, 12, size=n)


def _fit(estimator, X, y, groups=None, **kwargs):
    clustered = estimator.get_params()["cov_type"] == "cluster"
    return estimator.fit(X, y, groups=groups if clustered else None, **kwargs)


@pytest.mark.parametrize("link", ["logit", "cauchit"])
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_covariance_after_the_fit_equals_a_refit_with_that_cov_type(link, cov_type):
    X, y, groups = _data()
    weights = np.ones(y.size)
    weights[:15] = 0.0  # rows left out of the fit, still given a cluster
    fitted = FisherOrdinalRegression(link).fit(X, y, sample_weight=weights)
    refit = _fit(
        FisherOrdinalRegression(link, cov_type=cov_type), X, y, groups, sample_weight=weights
    )
    given = groups if cov_type == "cluster" else None
    assert_allclose(fitted.covariance(cov_type, groups=given), refit.covariance_, rtol=1e-12)
    assert_allclose(
        fitted.standard_errors(cov_type, groups=given), refit.standard_errors_, rtol=1e-12
    )


def _separated(seed=0):
    """A binary feature whose ones are all in the top class (quasi-complete separation)."""
    X, y, groups = _data(seed)
    X = np.column_stack([X, (y == 3) & (np.arange(y.size) % 3 == 0)])
    return X, y, groups


def _frame(seed=0):
    X, y, groups = _data(seed)
    return pd.DataFrame(X, columns=["dose", "age"]), y, groups


def _weighted(seed=0):
    X, y, groups = _data(seed)
    return X, y, groups, {"sample_weight": np.arange(y.size) % 3}


ORDINAL = FisherOrdinalRegression
REFITS = {
    "logit-4->probit-3": (
        ORDINAL(),
        _data,
        ORDINAL("probit"),
        lambda s: _data(s, cuts=(-0.5, 0.7)),
    ),
    "cluster->fisher": (ORDINAL(cov_type="cluster"), _data, ORDINAL(), _data),
    "fisher->cluster": (ORDINAL(), _data, ORDINAL(cov_type="cluster"), _data),
    "frame->array": (ORDINAL(), _frame, ORDINAL(), _data),
    "weighted->plain": (ORDINAL(), _weighted, ORDINAL(), _data),
    "penalised->plain": (ORDINAL(alpha=0.1), _data, ORDINAL(), _data),
    "separated->plain": (ORDINAL(), _separated, ORDINAL("loglog"), _data),
}


def _fit_case(estimator, data, seed):
    X, y, groups, *options = data(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        return _fit(estimator, X, y, groups, **(options[0] if options else {}))


def _public_state(estimator):
    return {k: v for k, v in vars(estimator).items() if k.endswith("_") and not k.startswith("_")}


def _assert_same(name, ours, fresh):
    if name == "fisher_result_":
        ours, fresh = ours.attributes(), fresh.attributes()
        assert ours.keys() == fresh.keys()
        for key in ours:
            _assert_same(key, ours[key], fresh[key])
    elif isinstance(ours, np.ndarray):
        assert_array_equal(ours, fresh, err_msg=name)
    else:
        assert ours == fresh or (ours != ours and fresh != fresh), name


@pytest.mark.parametrize("case", REFITS)
def test_a_refit_leaves_no_attribute_of_the_previous_fit(case):
    first, first_data, second, second_data = REFITS[case]
    estimator = _fit_case(clone(first), first_data, 1)
    estimator.conf_int(method="profile") if estimator.converged_ and not estimator.alpha else None
    estimator.set_params(**second.get_params())
    _fit_case(estimator, second_data, 2)
    fresh = _fit_case(clone(second), second_data, 2)
    ours, theirs = _public_state(estimator), _public_state(fresh)
    assert ours.keys() == theirs.keys()
    for name in ours:
        _assert_same(name, ours[name], theirs[name])
    assert str(estimator.summary()) == str(fresh.summary())
    assert_array_equal(estimator.conf_int(method="profile"), fresh.conf_int(method="profile"))


def _restricted_maximum(X, y, link, j, value, start):
    """max ℓ with θ_j = value, by BFGS over the others.

    The thresholds are ``base + [0, cumsum(exp(logs))]``: ``base`` is free
    when a coefficient is held, and puts threshold ``j − p`` at ``value``
    when a threshold is.
    """
    distribution, p = DISTRIBUTIONS[link], X.shape[1]
    held_coef = j < p

    def theta_of(free):
        n_coef = p - held_coef
        coef = np.insert(free[:n_coef], j, value) if held_coef else free[:n_coef]
        logs = free[n_coef + held_coef :]
        offsets = np.r_[0.0, np.cumsum(np.exp(logs))]
        base = free[n_coef] if held_coef else value - offsets[j - p]
        return np.r_[coef, base + offsets]

    cuts = start[p:]
    coef0 = np.delete(start[:p], j) if held_coef else start[:p]
    free0 = np.r_[coef0, cuts[:1] if held_coef else [], np.log(np.diff(cuts))]
    with np.errstate(invalid="ignore"):  # differences of -inf where a step leaves the domain
        result = optimize.minimize(
            lambda free: -loglik(X, y, theta_of(free), distribution),
            free0,
            method="BFGS",
            options={"gtol": 1e-9},
        )
    return -result.fun


@pytest.mark.parametrize("link", ["logit", "cloglog"])
def test_profile_intervals_are_where_the_likelihood_ratio_is_the_chi2_quantile(link):
    # A small class between wide ones: the ends of its thresholds' intervals
    # lie beyond the neighbouring thresholds' estimates.
    X, y, _ = _data(seed=5, n=200, cuts=(-1.0, 0.0, 0.12))
    model = FisherOrdinalRegression(link).fit(X, y)
    intervals = model.conf_int(method="profile")
    cuts = model.thresholds_
    assert intervals[-2, 1] > cuts[-1] or intervals[-1, 0] < cuts[-2]
    quantile = stats.chi2.ppf(0.95, 1)
    for j, ends in enumerate(intervals):
        for end in ends:
            ratio = 2 * (model.loglik_ - _restricted_maximum(X, y, link, j, end, model.params_))
            assert_allclose(ratio, quantile, rtol=1e-5, err_msg=model.param_names_[j])
    wald = model.conf_int()
    assert np.all(np.abs(intervals - wald) < 0.2 * (wald[:, 1:] - wald[:, :1]))
    statistics = [
        2 * (model.loglik_ - _restricted_maximum(X, y, link, j, 0.0, model.params_))
        for j in range(model.params_.size)
    ]
    assert_allclose(stats.chi2.isf(model.lr_pvalues_, 1), statistics, rtol=1e-6)


def test_an_ordered_categorical_gives_the_order_of_the_classes():
    X, y, _ = _data()
    labels = np.array(["low", "mid", "high", "top"])
    categorical = pd.Categorical(labels[y], categories=labels, ordered=True)
    by_category = FisherOrdinalRegression().fit(X, pd.Series(categorical))
    by_code = FisherOrdinalRegression().fit(X, y)
    assert by_category.classes_.tolist() == labels.tolist()
    assert by_category.param_names_.tolist()[2:] == ["low|mid", "mid|high", "high|top"]
    assert_allclose(by_category.params_, by_code.params_, rtol=1e-12)
    assert_array_equal(by_category.predict(X), labels[by_code.predict(X)])
    # Sorted labels would put "high" first: a different, worse, model.
    unordered = FisherOrdinalRegression().fit(X, labels[y])
    assert unordered.classes_.tolist() == ["high", "low", "mid", "top"]
    assert unordered.loglik_ < by_category.loglik_


def test_a_pickled_fit_predicts_and_gives_covariances_but_no_profile():
    X, y, groups = _data()
    model = FisherOrdinalRegression("probit").fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    sandwich = FisherOrdinalRegression("probit", cov_type="sandwich").fit(X, y)
    assert_allclose(restored.covariance("sandwich"), sandwich.covariance_, rtol=1e-12)
    with pytest.raises(ValueError, match="does not hold the data"):
        restored.conf_int(method="profile")


def test_a_warm_start_begins_at_the_previous_estimate():
    X, y, _ = _data()
    model = FisherOrdinalRegression(warm_start=True, tol=1e-10).fit(X, y)
    first = model.params_.copy()
    model.fit(X, y)
    assert model.n_iter_ <= 1
    assert_allclose(model.params_, first, rtol=1e-10)
    cold = FisherOrdinalRegression(tol=1e-10).fit(X, y)
    assert cold.n_iter_ > 3


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_a_sparse_x_gives_the_fit_of_the_dense_one(cov_type):
    X, y, groups = _data()
    dense = _fit(FisherOrdinalRegression("loglog", cov_type=cov_type), X, y, groups)
    sparse = _fit(
        FisherOrdinalRegression("loglog", cov_type=cov_type), sp.csr_matrix(X), y, groups
    )
    assert_allclose(sparse.params_, dense.params_, rtol=1e-12)
    assert_allclose(sparse.covariance_, dense.covariance_, rtol=1e-10, atol=1e-14)
    assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-12)


def test_a_constant_column_is_not_identified_beside_the_thresholds():
    X, y, _ = _data()
    with pytest.warns(CollinearityWarning, match=r"\['x2', '0\|1', '1\|2', '2\|3'\]"):
        model = FisherOrdinalRegression().fit(np.column_stack([X, np.ones(y.size)]), y)
    assert np.all(np.isnan(model.standard_errors_[2:]))
    assert_allclose(
        model.standard_errors_[:2],
        FisherOrdinalRegression().fit(X, y).standard_errors_[:2],
        rtol=1e-8,
    )
