"""FisherLogisticRegression's deviance_, aic_, bic_, family_ and link_ against statsmodels.

statsmodels' ``Logit`` (binary), ``GLM(Binomial)`` (binary with frequency
weights, and the deviance) and ``MNLogit`` (K > 2 classes) give ``llf``,
``aic``, ``bic`` (and for GLM ``deviance``); for 0/1 responses the deviance is
``−2 llf``. Penalised and bias-reduced fits are checked at their estimate with
statsmodels' unpenalised ``loglike``.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit, softmax

from skfisher import FisherLogisticRegression
from skfisher.families import Binomial
from skfisher.links import Logit

sm = pytest.importorskip("statsmodels.api")

RTOL = 1e-10
ATTRIBUTES = ("loglik_", "deviance_", "aic_", "bic_")


def _binary(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 0.5, 2.0]
    y = (rng.random(n) < expit(0.2 + X @ [1.0, -1.0, 0.3])).astype(int)
    return X, y


def _three_classes(n=400, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    eta = np.column_stack([np.zeros(n), 0.3 + X @ [1.0, -0.5], -0.2 + X @ [-0.4, 0.8]])
    p = softmax(eta, axis=1)
    y = (rng.random((n, 1)) > np.cumsum(p, axis=1)).sum(axis=1)
    return X, np.array(["a", "b", "c"])[y]


def _exog(X, fit_intercept=True):
    return sm.add_constant(X, has_constant="add") if fit_intercept else X


def _assert_matches(model, llf, aic, bic, deviance=None):
    assert_allclose(model.loglik_, llf, rtol=RTOL)
    assert_allclose(model.aic_, aic, rtol=RTOL)
    assert_allclose(model.bic_, bic, rtol=RTOL)
    assert_allclose(model.deviance_, -2.0 * llf if deviance is None else deviance, rtol=RTOL)


def _assert_binomial_logit(model):
    assert isinstance(model.family_, Binomial) and model.family_.name == "binomial"
    assert isinstance(model.link_, Logit) and model.link_.name == "logit"


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_binary_against_logit_and_glm(fit_intercept):
    X, y = _binary()
    model = FisherLogisticRegression(fit_intercept=fit_intercept, tol=1e-10).fit(X, y)
    exog = _exog(X, fit_intercept)
    logit = sm.Logit(y, exog).fit(method="newton", tol=1e-12, disp=0)
    glm = sm.GLM(y, exog, family=sm.families.Binomial()).fit(tol=1e-13)
    _assert_matches(model, logit.llf, logit.aic, logit.bic, deviance=glm.deviance)
    assert_allclose(model.bic_, glm.bic_llf, rtol=RTOL)
    _assert_binomial_logit(model)


def test_binary_with_frequency_weights_against_glm():
    X, y = _binary(n=200, seed=2)
    weights = np.random.default_rng(3).integers(1, 5, size=200).astype(float)
    model = FisherLogisticRegression(tol=1e-10).fit(X, y, sample_weight=weights)
    glm = sm.GLM(y, _exog(X), family=sm.families.Binomial(), freq_weights=weights).fit(tol=1e-13)
    # statsmodels' bic_llf takes log(Σ freq_weights), as bic_ takes log(nobs_).
    _assert_matches(model, glm.llf, glm.aic, glm.bic_llf, deviance=glm.deviance)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_multinomial_against_mnlogit(fit_intercept):
    X, y = _three_classes()
    model = FisherLogisticRegression(fit_intercept=fit_intercept, tol=1e-10).fit(X, y)
    codes = np.searchsorted(model.classes_, y)
    mnlogit = sm.MNLogit(codes, _exog(X, fit_intercept)).fit(method="newton", tol=1e-12, disp=0)
    # k = (K − 1) × columns: MNLogit's df_model + J − 1.
    assert len(model.params_) == mnlogit.df_model + mnlogit.model.J - 1
    _assert_matches(model, mnlogit.llf, mnlogit.aic, mnlogit.bic)
    _assert_binomial_logit(model)


def _criteria(loglik, k, nobs):
    return -2.0 * loglik + 2.0 * k, -2.0 * loglik + np.log(nobs) * k


@pytest.mark.parametrize("options", [{"bias_reduction": "firth"}, {"bias_reduction": "flic"}])
def test_bias_reduced_fit_reports_the_unpenalised_likelihood(options):
    X, y = _binary(n=60, seed=4)
    model = FisherLogisticRegression(**options).fit(X, y)
    llf = sm.Logit(y, _exog(X)).loglike(model.params_)
    # The penalised maximum is above ℓ; the criteria are at ℓ, as R's logistf.
    assert model.penalized_loglik_ > model.loglik_
    _assert_matches(model, llf, *_criteria(llf, 4, 60))


def test_penalised_binary_and_multinomial_report_the_unpenalised_likelihood():
    X, y = _binary()
    binary = FisherLogisticRegression(alpha=0.05).fit(X, y)
    llf = sm.Logit(y, _exog(X)).loglike(binary.params_)
    _assert_matches(binary, llf, *_criteria(llf, 4, 300))
    X3, y3 = _three_classes()
    multinomial = FisherLogisticRegression(alpha=0.05).fit(X3, y3)
    codes = np.searchsorted(multinomial.classes_, y3)
    mnlogit = sm.MNLogit(codes, _exog(X3))
    # statsmodels' params are (columns, K − 1); ours are class-major.
    llf3 = mnlogit.loglike(multinomial.params_.reshape(2, 3).T)
    _assert_matches(multinomial, llf3, *_criteria(llf3, 6, 400))


def _fresh(X, y, **params):
    return FisherLogisticRegression(**params).fit(X, y)


def _assert_same_attributes(model, reference):
    for name in ATTRIBUTES:
        assert_allclose(getattr(model, name), getattr(reference, name), rtol=1e-12, err_msg=name)
    assert type(model.family_) is type(reference.family_)
    assert type(model.link_) is type(reference.link_)


def test_refits_leave_no_stale_values():
    X, y = _binary()
    X3, y3 = _three_classes(n=300)
    model = FisherLogisticRegression()
    model.fit(X, y)
    _assert_same_attributes(model, _fresh(X, y))
    model.fit(X3, y3)
    _assert_same_attributes(model, _fresh(X3, y3))
    model.fit(X, y)
    _assert_same_attributes(model, _fresh(X, y))
    model.set_params(bias_reduction="firth").fit(X, y)
    firth = _fresh(X, y, bias_reduction="firth")
    _assert_same_attributes(model, firth)
    model.set_params(bias_reduction=None).fit(X, y)
    _assert_same_attributes(model, _fresh(X, y))
    assert model.deviance_ != firth.deviance_
    assert not hasattr(model, "penalized_loglik_")


def test_dask_fit_has_the_same_attributes():
    da = pytest.importorskip("dask.array")
    X, y = _binary()
    model = FisherLogisticRegression().fit(da.from_array(X, chunks=100), da.from_array(y, 100))
    _assert_same_attributes(model, _fresh(X, y))


def test_compare_with_statsmodels_maps_the_logistic_fits_by_their_type():
    from skfisher import MLEDistribution
    from skfisher.inference import compare_with_statsmodels

    X, y = _binary()
    assert compare_with_statsmodels(FisherLogisticRegression(), X, y).model == "Logit"
    X3, y3 = _three_classes()
    assert compare_with_statsmodels(FisherLogisticRegression(), X3, y3).model == "MNLogit"
    # A distribution whose family shares a GLM family's name is no GLM.
    counts = np.random.default_rng(5).poisson(3.0, size=(50, 1)).astype(float)
    fitted = MLEDistribution("poisson").fit(counts)
    with pytest.raises(ValueError, match="no statsmodels equivalent of MLEDistribution"):
        compare_with_statsmodels(fitted, counts, counts.ravel())
