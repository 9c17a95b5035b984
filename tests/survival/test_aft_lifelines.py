"""FisherSurvivalRegressor against lifelines' AFT fitters, where lifelines is installed.

lifelines writes the Weibull model as ``S(t) = exp(−(t/λ)^ρ)`` with
``λ = exp(β₀ + xᵀβ)`` and ``log ρ`` an intercept of its own (``rho_``): ρ = 1/σ, so
its ``rho_`` is ``−log_scale``. The log-normal's ``sigma_`` is ``log_scale``, and
the log-logistic's ``S(t) = 1/(1 + (t/α)^β)`` has ``β = 1/σ`` (``beta_``, ``−log_scale``)
and ``α = exp(β₀ + xᵀβ)``. lifelines maximises by BFGS on the mean
log-likelihood and stops early: from its own start its estimate is within its
tolerance of this one and its log-likelihood no higher; started at this
estimate (``initial_point``, in the units of its columns over their standard
deviations) it stays there, and its log-likelihood, its
autograd Hessian's standard errors and its predictions are compared.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skfisher.survival import FisherSurvivalRegressor

lifelines = pytest.importorskip("lifelines")
pd = pytest.importorskip("pandas")

# lifelines 0.30 calls pandas' mean and std with positional arguments.
pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")

FITTERS = {
    "weibull": ("WeibullAFTFitter", "lambda_", "rho_", -1.0),
    "lognormal": ("LogNormalAFTFitter", "mu_", "sigma_", 1.0),
    "loglogistic": ("LogLogisticAFTFitter", "alpha_", "beta_", -1.0),
}
COLUMNS = ["a", "b"]


def _frame(seed, distribution):
    rng = np.random.default_rng(seed)
    n = 300
    X = rng.normal(size=(n, 2))
    w = {
        "weibull": np.log(rng.exponential(size=n)),
        "lognormal": rng.normal(size=n),
        "loglogistic": rng.logistic(size=n),
    }[distribution]
    time = np.exp(1.0 + X @ [0.5, -0.3] + 0.7 * w)
    censor = rng.uniform(0.5, 8.0, n)
    frame = pd.DataFrame(X, columns=COLUMNS)
    frame["T"], frame["E"] = np.minimum(time, censor), (time <= censor).astype(int)
    return frame


def _ours(frame, distribution):
    y = frame[["T", "E"]].to_numpy(dtype=float)
    return FisherSurvivalRegressor(distribution).fit(frame[COLUMNS], y)


def _in_lifelines_order(model, distribution):
    """Our params as lifelines' (location: covariates then Intercept; shape parameter)."""
    _, _, _, sign = FITTERS[distribution]
    intercept, a, b, log_scale = model.params_
    return np.array([a, b, intercept, sign * log_scale])


def _lifelines(frame, distribution, **fit):
    name = FITTERS[distribution][0]
    return getattr(lifelines, name)().fit(frame, "T", "E", **fit)


@pytest.mark.parametrize("distribution", list(FITTERS))
@pytest.mark.parametrize("seed", [3, 4])
def test_lifelines_from_its_own_start_reaches_this_maximum_within_its_tolerance(
    distribution, seed
):
    frame = _frame(seed, distribution)
    ours = _ours(frame, distribution)
    ref = _lifelines(frame, distribution)
    # lifelines' BFGS stops within 3e-5 standard errors of the maximum for the
    # Weibull and log-normal models, within 0.015 for the log-logistic.
    in_errors, loglik_rtol = (5e-2, 1e-6) if distribution == "loglogistic" else (1e-4, 1e-11)
    assert ref.log_likelihood_ <= ours.loglik_ + 1e-9
    assert_allclose(ref.log_likelihood_, ours.loglik_, rtol=loglik_rtol)
    errors = np.r_[ours.standard_errors_[1:3], ours.standard_errors_[[0, 3]]]
    difference = np.abs(ref.params_.to_numpy() - _in_lifelines_order(ours, distribution))
    assert np.all(difference <= in_errors * errors)


@pytest.mark.parametrize("distribution", list(FITTERS))
@pytest.mark.parametrize("seed", [3, 4])
def test_lifelines_at_this_estimate_gives_the_same_loglik_errors_and_predictions(
    distribution, seed
):
    frame = _frame(seed, distribution)
    ours = _ours(frame, distribution)
    start = _in_lifelines_order(ours, distribution)
    # lifelines fits on the columns over their standard deviations (the
    # intercept's is 1), and its initial point is in those units.
    spread = np.r_[frame[COLUMNS].std().to_numpy(), 1.0, 1.0]
    ref = _lifelines(frame, distribution, initial_point=start * spread)
    _, location, shape, _ = FITTERS[distribution]
    assert list(ref.params_.index) == [
        (location, "a"),
        (location, "b"),
        (location, "Intercept"),
        (shape, "Intercept"),
    ]
    assert_allclose(ref.params_.to_numpy(), start, rtol=1e-6, atol=1e-8)
    assert_allclose(ref.log_likelihood_, ours.loglik_, rtol=1e-10)
    ours_errors = np.r_[ours.standard_errors_[1:3], ours.standard_errors_[[0, 3]]]
    assert_allclose(ref.standard_errors_.to_numpy(), ours_errors, rtol=1e-5)
    assert_allclose(ref.predict_median(frame).to_numpy(), ours.predict(frame[COLUMNS]), rtol=1e-6)
    times = np.quantile(frame["T"], [0.1, 0.5, 0.9])
    curves = ref.predict_survival_function(frame.iloc[:5], times=times).to_numpy().T
    ours_curves = [curve(times) for curve in ours.predict_survival_function(frame[COLUMNS][:5])]
    assert_allclose(np.array(ours_curves), curves, rtol=1e-6)
