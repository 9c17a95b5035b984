"""Coverage of the Cox fit's Wald intervals over simulated samples.

400 samples of n = 300 from a Cox model with exponential times, a normal and a
binary feature (β = [0.5, −0.7]) and exponential censoring at the rate that
censors 30% of the rows on average; every sample drawn at once from one seed.
The 95% Wald intervals ``β̂ ± 1.96 se`` of each coefficient, with the naive
(``cov_type="fisher"``) and the robust (``"sandwich"``) standard errors of the
same fit, must cover β in 93% to 97% of the samples (the binomial standard
error of a 95% coverage over 400 samples is 1.1 points), and the mean standard
error must be within 10% of the spread of the estimates.
"""

import numpy as np
import pytest
from scipy import optimize, special, stats

from skfisher.survival import FisherCoxRegressor

N_SIM, N_ROWS = 400, 300
BETA = np.array([0.5, -0.7])
CENSORED = 0.3


def _censoring_rate():
    """The rate μ of exponential censoring with P(C < T) = 30%: E[μ / (μ + exp(xᵀβ))]."""
    nodes, weights = special.roots_hermitenorm(60)
    weights = weights / weights.sum()

    def censored(log_rate):
        mu = np.exp(log_rate)
        # x1 ~ N(0, 1) by Gauss-Hermite nodes, x2 ~ Bernoulli(1/2).
        share = [weights @ (mu / (mu + np.exp(BETA[0] * nodes + BETA[1] * b))) for b in (0, 1)]
        return 0.5 * sum(share) - CENSORED

    return float(np.exp(optimize.brentq(censored, -10.0, 10.0)))


@pytest.fixture(scope="module")
def simulation():
    rng = np.random.default_rng(20240705)
    X = np.stack(
        [rng.standard_normal((N_SIM, N_ROWS)), rng.integers(0, 2, (N_SIM, N_ROWS))], axis=-1
    ).astype(float)
    latent = rng.exponential(np.exp(-X @ BETA))
    censor = rng.exponential(1.0 / _censoring_rate(), (N_SIM, N_ROWS))
    time, event = np.minimum(latent, censor), (latent <= censor).astype(float)
    estimates, errors = np.empty((N_SIM, 2)), {"fisher": np.empty((N_SIM, 2))}
    errors["sandwich"] = np.empty((N_SIM, 2))
    model = FisherCoxRegressor()
    for s in range(N_SIM):
        model.fit(X[s], np.column_stack([time[s], event[s]]))
        assert model.converged_
        estimates[s] = model.coef_
        for cov_type, values in errors.items():
            values[s] = model.standard_errors(cov_type)
    return estimates, errors, event


def test_the_samples_censor_thirty_percent(simulation):
    event = simulation[2]
    assert abs((1.0 - event.mean()) - CENSORED) < 0.01


@pytest.mark.parametrize("cov_type", ["fisher", "sandwich"])
def test_wald_intervals_cover_95_percent(simulation, cov_type):
    estimates, errors, _ = simulation
    z = stats.norm.ppf(0.975)
    covered = np.abs(estimates - BETA) <= z * errors[cov_type]
    coverage = covered.mean(axis=0)
    assert np.all((coverage >= 0.93) & (coverage <= 0.97)), coverage


@pytest.mark.parametrize("cov_type", ["fisher", "sandwich"])
def test_standard_errors_match_the_spread_of_the_estimates(simulation, cov_type):
    estimates, errors, _ = simulation
    spread = estimates.std(axis=0, ddof=1)
    mean_error = errors[cov_type].mean(axis=0)
    assert np.all(np.abs(mean_error / spread - 1.0) < 0.10), (mean_error, spread)
    # The estimator is consistent: the bias is small against the standard error.
    assert np.all(np.abs(estimates.mean(axis=0) - BETA) < 0.2 * spread)
