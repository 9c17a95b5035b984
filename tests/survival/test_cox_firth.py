"""Firth's penalised partial likelihood, ``FisherCoxRegressor(bias_reduction="firth")``.

Against firthmodels' ``FirthCoxPH`` (Breslow's ties, as R's ``coxphf``; both of
its backends): the estimates, standard errors, penalised log-likelihood,
baseline, profile intervals and penalised likelihood-ratio p-values, on random
problems and on a monotone-likelihood sample. Against a direct maximisation
of ``ℓ + ½ log det J`` with scipy (the problem's own log-likelihood and a
numerical log-determinant) where firthmodels has nothing to compare: strata,
weights, Efron's ties, counting-process data and an L2 penalty. Then the
properties (the penalised score is 0 at the fit, the analytic gradient of the
penalty is the numerical one, weights are repeated rows, split intervals are
the whole ones), the reported matrices, the bias reduction itself in a small
simulation, scikit-learn's checks and the refusals.
"""

import warnings
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import minimize
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from skfisher.exceptions import PerfectSeparationWarning
from skfisher.survival import FisherCoxRegressor
from skfisher.survival._firth import FirthCoxProblem
from skfisher.survival._problem import CoxProblem

from ._data import simulate
from ._estimator_checks import ONE_D_TARGET_CHECKS, SurvivalChecks

COV_TYPES = ("fisher", "observed", "empirical", "sandwich", "cluster")


def monotone_sample(n=40, seed=0, tied=False):
    """``X, y``: every event in the group ``x0 = 1``, so that β₀ → +∞ without the penalty."""
    rng = np.random.default_rng(seed)
    group = (np.arange(n) < n // 2).astype(float)
    X = np.column_stack([group, rng.normal(size=n)])
    time = rng.exponential(1.0, n)
    if tied:
        time = np.ceil(5.0 * time)
    event = (group == 1) & (rng.random(n) < 0.7)
    return X, np.column_stack([time, event.astype(float)])


def firth(ties="breslow", **params):
    return FisherCoxRegressor(ties, bias_reduction="firth", **params)


def firthmodels_fit(X, y, backend, tol=1e-10):
    """firthmodels' fit, its tolerances tightened (it may warn that its halving stalls there)."""
    cox = pytest.importorskip("firthmodels").FirthCoxPH
    reference = cox(backend=backend, xtol=tol, gtol=tol, max_iter=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return reference.fit(X, (y[:, 1] == 1, y[:, 0]))


def backends():
    try:
        from firthmodels import NUMBA_AVAILABLE
    except ImportError:
        return ["numpy"]
    return ["numpy", "numba"] if NUMBA_AVAILABLE else ["numpy"]


SAMPLES = {
    "untied": simulate(n=80, k=3, seed=1)[:2],
    "tied": simulate(n=120, k=2, seed=2, tied=True)[:2],
    "rare": simulate(n=40, k=2, seed=3, censoring=3.0)[:2],
    "monotone": monotone_sample(),
    "monotone_tied": monotone_sample(seed=1, tied=True),
}


@pytest.mark.parametrize("backend", backends())
@pytest.mark.parametrize("name", SAMPLES)
def test_the_fit_is_firthmodels(name, backend):
    X, y = SAMPLES[name]
    reference = firthmodels_fit(X, y, backend)
    model = firth().fit(X, y)
    assert model.converged_
    assert_allclose(model.coef_, reference.coef_, rtol=1e-6)
    assert_allclose(model.standard_errors_, reference.bse_, rtol=1e-5)
    # firthmodels' loglik_ is ℓ + ½ log det J, ℓ with the same constant (none).
    assert_allclose(model.penalized_loglik_, reference.loglik_, rtol=1e-8)
    assert_allclose(model.unique_times_, reference.unique_times_)
    assert_allclose(
        model.baseline_cumulative_hazard_[:, 0], reference.cum_baseline_hazard_, rtol=1e-6
    )


@pytest.mark.parametrize("name", ["untied", "monotone"])
def test_profile_intervals_and_penalised_lr_pvalues_are_firthmodels(name):
    X, y = SAMPLES[name]
    profile = firthmodels_fit(X, y, "numpy").conf_int(method="pl", tol=1e-10, max_iter=200)
    # Its restricted fits stall in their step halving below a tolerance of 1e-8,
    # and warm-started (the full fit's covariance) on some machines at 1e-8 too
    # (AVX2 OpenBLAS): they start cold.
    tests = firthmodels_fit(X, y, "numpy", tol=1e-8).lrt(warm_start=False)
    model = firth().fit(X, y)
    assert np.all(np.isfinite(profile)) and np.all(np.isfinite(tests.lrt_pvalues_))
    assert_allclose(model.conf_int(method="profile"), profile, rtol=1e-6)
    assert_allclose(model.lr_pvalues_, tests.lrt_pvalues_, rtol=1e-6)


def half_logdet(problem, beta):
    """``½ log det J`` by numpy's log-determinant."""
    return 0.5 * np.linalg.slogdet(problem.state(beta).information)[1]


def penalised(problem, beta):
    """``ℓ + ½ log det J`` (less the L2 penalty, if any)."""
    return problem.objective(beta) + half_logdet(problem, beta)


def numerical_gradient(function, beta, step=1e-6):
    return np.array(
        [(function(beta + e) - function(beta - e)) / (2 * step) for e in step * np.eye(beta.size)]
    )


def cox_problem(X, y, weights, strata, ties, alpha=0.0):
    start = y[:, 0] if y.shape[1] == 3 else None
    return CoxProblem(X, y[:, -2], y[:, -1], weights, strata, ties, alpha=alpha, start=start)


def direct_maximum(problem, k):
    """The maximiser of ℓ* by BFGS, the penalty's gradient numerical."""

    def gradient(beta):
        return -(problem.score(beta) + numerical_gradient(partial(half_logdet, problem), beta))

    found = minimize(
        lambda beta: -penalised(problem, beta),
        np.zeros(k),
        jac=gradient,
        method="BFGS",
        options={"gtol": 1e-10, "maxiter": 1000},
    )
    return found.x, -found.fun


def counting_sample(seed=4, n=90):
    """``X, [start, stop, event], strata``: each row enters at a time before its stop."""
    X, y, strata = simulate(n=n, k=2, seed=seed, tied=True, strata=2)
    rng = np.random.default_rng(seed)
    start = np.floor(rng.uniform(0.0, 0.6, n) * y[:, 0])
    return X, np.column_stack([start - 1.0, y]), strata


CASES = {
    "breslow_strata_weights": ("breslow", 0.0, *simulate(n=100, seed=5, strata=3), "integer"),
    "efron_tied_fractional": (
        "efron",
        0.0,
        *simulate(n=100, seed=6, tied=True, strata=2),
        "fractional",
    ),
    "efron_counting": ("efron", 0.0, *counting_sample(), "integer"),
    "breslow_counting": ("breslow", 0.0, *counting_sample(seed=7), "fractional"),
    "efron_monotone": ("efron", 0.0, *monotone_sample(seed=2, tied=True), None, "fractional"),
    "breslow_alpha": ("breslow", 0.02, *simulate(n=60, seed=8, strata=2), "integer"),
}


def weights_of(kind, n, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "integer":
        return rng.integers(1, 4, n).astype(float)
    return rng.uniform(0.3, 2.5, n)


@pytest.mark.parametrize("name", CASES)
def test_the_fit_is_the_direct_maximum_of_the_penalised_likelihood(name):
    ties, alpha, X, y, strata, kind = CASES[name]
    strata = np.zeros(X.shape[0], dtype=int) if strata is None else strata
    weights = weights_of(kind, X.shape[0])
    model = firth(ties, alpha=alpha).fit(X, y, sample_weight=weights, strata=strata)
    beta, maximum = direct_maximum(cox_problem(X, y, weights, strata, ties, alpha), X.shape[1])
    assert model.converged_
    assert_allclose(model.coef_, beta, rtol=1e-6, atol=1e-8)
    assert_allclose(model.penalized_loglik_, maximum, rtol=1e-10)
    problem = cox_problem(X, y, weights, strata, ties, alpha)
    assert_allclose(model.loglik_, problem.loglik(model.coef_), rtol=1e-12)
    # The matrices: the unpenalised J at the estimate, with the L2 penalty's diagonal.
    assert_allclose(model.information_, problem.observed_information(model.coef_), rtol=1e-10)


@st.composite
def firth_problems(draw):
    """(X, y, weights, strata, ties): either ties, strata, weights, counting-process data."""
    seed = draw(st.integers(0, 2**31 - 1))
    n = draw(st.integers(30, 120))
    k = draw(st.integers(1, 3))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k)) * rng.uniform(0.5, 3.0, size=k) + rng.uniform(-5, 5, size=k)
    slopes = rng.uniform(-1, 1, k) / X.std(axis=0)
    time = rng.exponential(np.exp(-(X - X.mean(axis=0)) @ slopes))
    censor = rng.exponential(2.0 * np.median(time), size=n)
    observed = np.ceil(np.minimum(time, censor) / draw(st.sampled_from([1e-9, 0.1, 0.5])))
    y = np.column_stack([observed, (time <= censor).astype(float)])
    y[:2, 1] = 1.0
    if draw(st.booleans()):
        y = np.column_stack([observed * rng.uniform(-0.5, 0.8, n), y])
    weights = weights_of(draw(st.sampled_from(["integer", "fractional"])), n, seed)
    strata = rng.integers(0, draw(st.integers(1, 3)), n)
    return X, y, weights, strata, draw(st.sampled_from(["efron", "breslow"]))


@settings(max_examples=12, deadline=None, derandomize=True)
@given(firth_problems())
def test_the_penalised_score_is_zero_at_the_fit_and_the_penalty_gradient_is_numerical(problem):
    X, y, weights, strata, ties = problem
    model = firth(ties).fit(X, y, sample_weight=weights, strata=strata)
    assert model.converged_
    cox = cox_problem(X, y, weights, strata, ties)
    # The numerical gradient of ℓ* at the fit, in standard errors.
    score = numerical_gradient(lambda beta: penalised(cox, beta), model.coef_)
    assert np.sqrt(score @ np.linalg.solve(model.information_, score)) < 1e-5
    away = model.coef_ + 0.3 * model.standard_errors_
    numeric = numerical_gradient(partial(half_logdet, cox), away)
    assert_allclose(
        FirthCoxProblem(cox).penalty_score(away),
        numeric,
        rtol=1e-6,
        atol=1e-7 * np.abs(numeric).max(),
    )


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_a_weight_of_two_is_a_repeated_row(ties):
    X, y, strata = simulate(n=90, seed=9, tied=True, strata=2)
    weights = np.random.default_rng(2).integers(0, 4, X.shape[0])
    rows = np.repeat(np.arange(X.shape[0]), weights)
    weighted = firth(ties).fit(X, y, sample_weight=weights, strata=strata)
    repeated = firth(ties).fit(X[rows], y[rows], strata=strata[rows])
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9)
    assert_allclose(weighted.standard_errors_, repeated.standard_errors_, rtol=1e-9)
    assert_allclose(weighted.penalized_loglik_, repeated.penalized_loglik_, rtol=1e-11)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_intervals_split_in_two_are_the_whole_intervals(ties):
    X, y = monotone_sample(n=50, seed=3, tied=True)
    cut = np.floor(0.5 * y[:, 0])
    early = cut > 0  # these rows are two: (0, cut] without the event, then (cut, time]
    split = np.concatenate(
        [
            np.column_stack([np.zeros(early.sum()), cut[early], np.zeros(early.sum())]),
            np.column_stack([cut, y]),
        ]
    )
    rows = np.concatenate([np.flatnonzero(early), np.arange(50)])
    whole = firth(ties).fit(X, y)
    pieces = firth(ties).fit(X[rows], split)
    assert_allclose(pieces.coef_, whole.coef_, rtol=1e-9)
    assert_allclose(pieces.standard_errors_, whole.standard_errors_, rtol=1e-9)
    assert_allclose(pieces.penalized_loglik_, whole.penalized_loglik_, rtol=1e-11)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_monotone_likelihood_gives_finite_estimates_under_every_cov_type(cov_type):
    X, y = SAMPLES["monotone_tied"]
    groups = np.arange(X.shape[0]) // 2 if cov_type == "cluster" else None
    with pytest.warns(PerfectSeparationWarning):
        plain = FisherCoxRegressor(cov_type=cov_type).fit(X, y, groups=groups)
    assert np.isnan(plain.standard_errors_[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = firth("efron", cov_type=cov_type).fit(X, y, groups=groups)
    assert model.converged_
    assert np.all(np.isfinite(model.coef_)) and np.all(model.standard_errors_ > 0)
    assert 0 < model.coef_[0] < 10


def test_the_matrices_are_those_of_the_unpenalised_likelihood_at_the_estimate():
    X, y, strata = simulate(n=80, seed=10, tied=True, strata=2)
    weights = weights_of("fractional", 80)
    model = firth("efron").fit(X, y, sample_weight=weights, strata=strata)
    cox = cox_problem(X, y, weights, strata, "efron")
    beta = model.coef_
    residuals = model.score_residuals()
    assert_allclose(
        model.empirical_fisher_, residuals.T @ (weights[:, None] * residuals), rtol=1e-10
    )
    # The residuals sum to the unpenalised score, which is not 0 at Firth's estimate.
    assert_allclose(weights @ residuals, cox.score(beta), rtol=1e-8, atol=1e-10)
    assert_allclose(
        cox.score(beta), -FirthCoxProblem(cox).penalty_score(beta), rtol=1e-6, atol=1e-9
    )
    inverse = np.linalg.inv(model.information_)
    sandwich = inverse @ model.empirical_fisher_ @ inverse
    assert_allclose(model.covariance("sandwich"), sandwich, rtol=1e-10)
    assert_allclose(model.covariance("fisher"), inverse, rtol=1e-10)
    assert np.sqrt(model.score_ @ inverse @ model.score_) <= model.tol
    assert_allclose(model.null_penalized_loglik_, penalised(cox, np.zeros(3)), rtol=1e-12)
    tests = model.global_tests()
    ratio = 2 * (model.penalized_loglik_ - model.null_penalized_loglik_)
    assert_allclose(tests.likelihood_ratio.statistic, ratio, rtol=1e-12)


def test_the_summary_says_firth():
    X, y = SAMPLES["monotone"]
    model = firth().fit(X, y)
    text = str(model.summary())
    assert "Bias reduction:" in text and "firth" in text and "Penalized LL:" in text
    assert "penalized LR" in str(model.summary(ci="profile"))
    assert "Bias reduction" not in str(FisherCoxRegressor().fit(*SAMPLES["untied"]).summary())


def test_firths_estimate_is_less_biased_with_rare_events():
    rng = np.random.default_rng(0)
    beta = np.array([1.0, 0.5])
    plain, reduced = [], []
    for _ in range(250):
        X = np.column_stack([rng.normal(size=40), rng.random(40) < 0.5])
        time = rng.exponential(np.exp(-X @ beta))
        censor = rng.exponential(0.15, 40)  # about 8 events in 40
        y = np.column_stack([np.minimum(time, censor), time <= censor])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            fit = FisherCoxRegressor("breslow").fit(X, y)
        if fit.converged_:  # the plain estimate exists: both are compared
            plain.append(fit.coef_)
            reduced.append(firth().fit(X, y).coef_)
    plain, reduced = np.array(plain), np.array(reduced)
    assert len(plain) > 200
    assert np.all(np.abs(reduced.mean(axis=0) - beta) < 0.5 * np.abs(plain.mean(axis=0) - beta))
    # The reduction is beyond the simulation's noise: paired, 3 standard errors of its mean.
    shift = plain - reduced
    assert np.all(shift.mean(axis=0) > 3 * shift.std(axis=0) / np.sqrt(len(shift)))


@pytest.mark.parametrize("value", ["flic", "Firth", "", 1, True])
def test_an_unknown_bias_reduction_is_refused(value):
    X, y = SAMPLES["untied"]
    with pytest.raises(ValueError, match="bias_reduction"):
        FisherCoxRegressor(bias_reduction=value).fit(X, y)


def test_what_a_firth_fit_does_not_offer_is_refused():
    X, y = SAMPLES["untied"]
    with pytest.raises(ValueError, match="bias_reduction=None"):
        firth().fit(X, y).proportional_hazards_test()
    penalised_fit = firth(alpha=0.1).fit(X, y)
    for method in (
        lambda: penalised_fit.conf_int(method="profile"),
        lambda: penalised_fit.lr_pvalues_,
    ):
        with pytest.raises(ValueError, match="alpha=0.1"):
            method()


ESTIMATORS = [firth(), firth("efron", cov_type="sandwich")]


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda _: ONE_D_TARGET_CHECKS, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.fixture(params=ESTIMATORS, ids=repr)
def estimator(request):
    return clone(request.param)


class TestFirthCoxChecks(SurvivalChecks):
    X, Y, _ = simulate(n=120, seed=13, tied=True)
