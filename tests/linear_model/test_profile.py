"""Profile-likelihood intervals (conf_int(method="profile")) and lr_pvalues_.

The references are independent: statsmodels GLM refits with the parameter
moved into an offset (and scipy's brentq on their likelihood ratio), closed
forms for the normal distribution, an independent Firth penalised likelihood
maximised by scipy.optimize, and, where installed, firthmodels.
"""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import optimize, stats
from scipy.special import expit

from skfisher import FisherLogisticRegression, MLEDistribution
from skfisher.exceptions import ProfileWarning
from skfisher.linear_model import FisherGLMRegressor, FisherPoissonRegressor

Q95 = stats.chi2.ppf(0.95, 1)


def _fit(model, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return model.fit(X, y, **fit_params)


def _with_intercept(X):
    return np.column_stack([np.ones(len(X)), X])


# Independent profile from statsmodels refits with an offset -------------------------
class StatsmodelsProfile:
    """``LR(b)`` of parameter j by statsmodels' GLM with ``b x_j`` as the offset.

    For a family with a dispersion φ is held at the full fit's Pearson φ̂,
    ``LR = (D̃ − D̂)/φ̂``, as R's ``confint.glm``.
    """

    def __init__(self, X, y, family):
        self.X1, self.y, self.family = _with_intercept(X), y, family
        full = sm.GLM(y, self.X1, family=family).fit(tol=1e-13, maxiter=200)
        self.params, self.bse, self.deviance = full.params, full.bse, full.deviance
        self.scale = full.scale

    def statistic(self, j, value):
        rest = np.delete(self.X1, j, axis=1)
        refit = sm.GLM(self.y, rest, family=self.family, offset=value * self.X1[:, j])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow before it gives up
                deviance = refit.fit(tol=1e-13, maxiter=200).deviance
        except ValueError:
            # statsmodels' IRLS has no step halving: from its default start the
            # gamma fit with the intercept at 0 leaves the domain; start it
            # where the other coefficients were.
            start = np.delete(self.params, j)
            deviance = refit.fit(start_params=start, tol=1e-13, maxiter=200).deviance
        return (deviance - self.deviance) / self.scale

    def interval(self, j):
        z = np.sqrt(Q95)

        def signed_root(value):
            return np.sign(value - self.params[j]) * np.sqrt(max(self.statistic(j, value), 0))

        lower = self.params[j] - 3 * z * self.bse[j]
        upper = self.params[j] + 3 * z * self.bse[j]
        return np.array(
            [
                optimize.brentq(lambda b: signed_root(b) + z, lower, self.params[j]),
                optimize.brentq(lambda b: signed_root(b) - z, self.params[j], upper),
            ]
        )


def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog.to_numpy(), data.endog.to_numpy()


def cpunish():
    data = sm.datasets.cpunish.load_pandas().data
    X = data[["INCOME", "PERPOVERTY", "SOUTH"]].to_numpy()
    return (X - X.mean(0)) / X.std(0), data["EXECUTIONS"].to_numpy()


def scotland():
    """Scottish parliament vote (n = 32): a gamma response with a dispersion."""
    data = sm.datasets.scotland.load_pandas()
    X = data.exog[["COUTAX", "UNEMPF", "MOR"]].to_numpy()
    return (X - X.mean(0)) / X.std(0), data.endog.to_numpy()


CASES = {
    "binomial": (spector, sm.families.Binomial(), lambda: FisherLogisticRegression()),
    "poisson": (cpunish, sm.families.Poisson(), lambda: FisherPoissonRegressor()),
    "gamma": (
        scotland,
        sm.families.Gamma(sm.families.links.Log()),
        lambda: FisherGLMRegressor(family="gamma", link="log"),
    ),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def profiled(request):
    data, family, make = CASES[request.param]
    X, y = data()
    model = _fit(make(), X, y)
    return request.param, model, model.conf_int(method="profile"), StatsmodelsProfile(X, y, family)


def test_endpoints_are_at_the_chi2_quantile(profiled):
    _, model, intervals, reference = profiled
    for j, ends in enumerate(intervals):
        for end in ends:
            # The ends are located to 1e-9 standard errors and statsmodels refits
            # to a deviance change of 1e-13: LR matches the quantile to 1e-6.
            assert_allclose(reference.statistic(j, end), Q95, rtol=1e-6)


def test_equals_brute_force_profile(profiled):
    _, model, intervals, reference = profiled
    for j, ends in enumerate(intervals):
        # brentq on statsmodels' refits, to its default xtol 2e-12.
        assert_allclose(ends, reference.interval(j), rtol=1e-5)


def test_profile_brackets_the_estimate_and_is_not_wald(profiled):
    _, model, intervals, _ = profiled
    assert np.all(intervals[:, 0] < model.params_) and np.all(model.params_ < intervals[:, 1])
    # Small samples: the profile is visibly asymmetric, unlike Wald's.
    assert np.max(np.abs(intervals - model.conf_int())) > 1e-3 * np.min(model.standard_errors_)


def test_large_sample_approaches_wald():
    def difference(n):
        rng = np.random.default_rng(3)
        X = rng.normal(size=(n, 2))
        y = (rng.random(n) < expit(0.3 + X @ [0.8, -0.5])).astype(int)
        model = _fit(FisherLogisticRegression(), X, y)
        gap = model.conf_int(method="profile") - model.conf_int()
        return np.max(np.abs(gap) / model.standard_errors_[:, None])

    large = difference(20_000)
    # The ends differ from Wald's by O(n^-1/2) standard errors.
    assert large < 0.03
    assert large < difference(200) / 4


def test_gaussian_identity_profile_is_wald():
    """φ held at φ̂: LR(b) = (b − β̂)²/SE² exactly, so the profile is the Wald interval."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = 1 + X @ [0.5, -0.2] + rng.normal(size=50)
    model = _fit(FisherGLMRegressor(family="gaussian"), X, y)
    # The ends are located to 1e-9 standard errors.
    assert_allclose(model.conf_int(method="profile"), model.conf_int(), rtol=1e-8)
    wald = stats.chi2.sf((model.params_ / model.standard_errors_) ** 2, 1)
    assert_allclose(model.lr_pvalues_, wald, rtol=1e-8)


def test_other_alpha_levels():
    X, y = spector()
    model = _fit(FisherLogisticRegression(), X, y)
    reference = StatsmodelsProfile(X, y, sm.families.Binomial())
    for ends, j in zip(model.conf_int(alpha=0.1, method="profile"), range(4), strict=True):
        for end in ends:
            # As test_endpoints_are_at_the_chi2_quantile.
            assert_allclose(reference.statistic(j, end), stats.chi2.ppf(0.9, 1), rtol=1e-6)


# Likelihood-ratio p-values ----------------------------------------------------------
@pytest.mark.parametrize("case", ["binomial", "poisson", "gamma"])
def test_lr_pvalues_equal_statsmodels(case):
    data, family, make = CASES[case]
    X, y = data()
    model = _fit(make(), X, y)
    reference = StatsmodelsProfile(X, y, family)
    expected = [stats.chi2.sf(reference.statistic(j, 0.0), 1) for j in range(X.shape[1] + 1)]
    # LR from refits converged to 1e-10 standard errors on both sides.
    assert_allclose(model.lr_pvalues_, expected, rtol=1e-6)


def test_lr_pvalues_are_cached_and_reset_by_fit(monkeypatch):
    from skfisher import _profile

    X, y = spector()
    model = _fit(FisherLogisticRegression(), X, y)
    calls = []
    original = _profile.fisher_scoring
    monkeypatch.setattr(
        _profile, "fisher_scoring", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    first = model.lr_pvalues_
    assert len(calls) == 5  # the polish of θ̂ and one refit per parameter
    assert_allclose(model.lr_pvalues_, first, rtol=0)
    assert len(calls) == 5
    _fit(model, X[:-4], y[:-4])
    assert not np.allclose(model.lr_pvalues_, first)


# Firth: the penalised profile -------------------------------------------------------
def quasi_separation():
    x0 = np.array([-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0, 0.0, 0.0, 0.0])
    x1 = np.array([0.3, -1.2, 0.8, 0.1, -0.4, 1.1, -0.7, 0.2, -0.9, 0.6, 0.4, -0.3, 0.9])
    y = np.r_[(x0[:10] > 0).astype(float), 0.0, 1.0, 1.0]
    return np.column_stack([x0, x1]), y


def _penalised_loglik(beta, X1, y):
    eta = X1 @ beta
    mu = expit(eta)
    information = X1.T @ (X1 * (mu * (1 - mu))[:, None])
    return y @ eta - np.logaddexp(0, eta).sum() + 0.5 * np.linalg.slogdet(information)[1]


def _penalised_profile(X1, y, j, value, start):
    """max of ℓ* over the other parameters with β_j = value (Nelder-Mead, then BFGS)."""

    def negative(free):
        return -_penalised_loglik(np.insert(free, j, value), X1, y)

    free = optimize.minimize(negative, np.delete(start, j), method="Nelder-Mead").x
    return -optimize.minimize(negative, free, method="BFGS", options={"gtol": 1e-10}).fun


def test_firth_profile_is_the_penalised_profile():
    X, y = quasi_separation()
    model = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    intervals = model.conf_int(method="profile")
    X1 = _with_intercept(X)
    maximum = _penalised_loglik(model.params_, X1, y)
    for j, ends in enumerate(intervals):
        for end in ends:
            statistic = 2 * (maximum - _penalised_profile(X1, y, j, end, model.params_))
            # BFGS to a gradient of 1e-10 on a 2-parameter profile.
            assert_allclose(statistic, Q95, rtol=1e-6)
    # Under quasi-complete separation the slope's interval is finite and
    # excludes 0, where the Wald interval of the MLE does not exist.
    assert np.all(np.isfinite(intervals))
    assert intervals[1, 0] > 0


def test_firth_lr_pvalues_are_penalised():
    X, y = quasi_separation()
    model = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    X1 = _with_intercept(X)
    maximum = _penalised_loglik(model.params_, X1, y)
    expected = [
        stats.chi2.sf(2 * (maximum - _penalised_profile(X1, y, j, 0.0, model.params_)), 1)
        for j in range(3)
    ]
    # As above: the independent refits are BFGS to a gradient of 1e-10.
    assert_allclose(model.lr_pvalues_, expected, rtol=1e-6)


def test_firth_profile_agrees_with_firthmodels():
    firthmodels = pytest.importorskip("firthmodels")
    X, y = quasi_separation()
    ours = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    # Their solver stops on max |score| ≤ gtol; below 1e-8 its step halving runs
    # out of room here and its LR tests refuse to run.
    theirs = firthmodels.FirthLogisticRegression(gtol=1e-8, xtol=1e-8, max_iter=200)
    theirs.fit(X, y)
    their_intervals = theirs.conf_int(method="pl", tol=1e-9, max_iter=200)
    # Warm-started from the full fit's covariance, their restricted fit of x1 runs
    # out of step halvings on some machines (AVX2 OpenBLAS) and leaves a nan.
    theirs.lrt(warm_start=False)
    order = [1, 2, 0]  # theirs put the intercept last
    # Their Venzon–Moolgavkar search stops at a score of 1e-9; the restricted
    # fits of both converge far below the 1e-6 asked of the p-values.
    assert_allclose(ours.conf_int(method="profile")[order], their_intervals, rtol=1e-6)
    assert_allclose(ours.lr_pvalues_[order], theirs.lrt_pvalues_, rtol=1e-6)


# Distributions ----------------------------------------------------------------------
def test_normal_distribution_closed_forms():
    x = np.random.default_rng(11).normal(2.0, 3.0, size=25)
    model = MLEDistribution("normal").fit(x)
    intervals = model.conf_int(method="profile")
    n, mean = x.size, x.mean()
    ss = np.sum((x - mean) ** 2)
    # μ: LR(μ) = n log(1 + n (x̄ − μ)² / SS).
    half = np.sqrt(ss / n * (np.exp(Q95 / n) - 1))
    assert_allclose(intervals[0], [mean - half, mean + half], rtol=1e-8)

    # σ: LR(σ) = n (s²/σ² − 1 − log(s²/σ²)) with s² = SS/n.
    def excess(sigma):
        ratio = ss / n / sigma**2
        return n * (ratio - 1 - np.log(ratio)) - Q95

    s = np.sqrt(ss / n)
    expected = [optimize.brentq(excess, s / 3, s), optimize.brentq(excess, s, 3 * s)]
    assert_allclose(intervals[1], expected, rtol=1e-8)
    p_mean = stats.chi2.sf(n * np.log(1 + n * mean**2 / ss), 1)
    assert_allclose(model.lr_pvalues_[0], p_mean, rtol=1e-8)
    assert np.isnan(model.lr_pvalues_[1])  # σ = 0 is outside the domain


# Summary and errors -----------------------------------------------------------------
def test_summary_shows_profile_intervals():
    X, y = spector()
    model = _fit(FisherLogisticRegression(), X, y)
    wald = model.summary()
    assert_allclose(wald.conf_int, model.conf_int(), rtol=0)
    table = model.summary(ci="profile")
    assert_allclose(table.conf_int, model.conf_int(method="profile"), rtol=0)
    assert "profile likelihood" in str(table)
    assert "profile likelihood" not in str(wald)


def test_bad_method():
    X, y = spector()
    model = _fit(FisherLogisticRegression(), X, y)
    with pytest.raises(ValueError, match="method must be 'wald' or 'profile'; got 'lr'"):
        model.conf_int(method="lr")
    with pytest.raises(ValueError, match="ci must be 'wald' or 'profile'"):
        model.summary(ci="exact")


def test_penalised_fit_refused():
    X, y = spector()
    model = _fit(FisherLogisticRegression(alpha=0.1), X, y)
    with pytest.raises(ValueError, match=r"alpha=0.1"):
        model.conf_int(method="profile")
    with pytest.raises(ValueError, match=r"alpha=0.1"):
        model.lr_pvalues_  # noqa: B018


def test_flic_refused():
    X, y = spector()
    model = _fit(FisherLogisticRegression(bias_reduction="flic"), X, y)
    with pytest.raises(ValueError, match="not defined for bias_reduction='flic'"):
        model.conf_int(method="profile")


def test_separated_plain_fit_refused():
    X, y = quasi_separation()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = FisherLogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="bias_reduction='firth'"):
        model.conf_int(method="profile")


def test_unfitted():
    with pytest.raises(AttributeError):
        FisherLogisticRegression().lr_pvalues_  # noqa: B018


# Negative binomial: α re-estimated in every refit, and profiled itself -------------
def _negative_binomial_data(alpha, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(150, 2))
    mu = np.exp(0.5 + X @ [0.4, -0.3])
    return X, rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu)).astype(float)


def test_negative_binomial_alpha_profile():
    X, y = _negative_binomial_data(0.6, seed=1)
    model = _fit(FisherGLMRegressor(family="negative_binomial"), X, y)
    X1 = _with_intercept(X)
    for end in model.conf_int(method="profile")[-1]:
        family = sm.families.NegativeBinomial(alpha=end)
        restricted = sm.GLM(y, X1, family=family).fit(tol=1e-13, maxiter=200).llf
        # statsmodels' refit at fixed α converges to a deviance change of 1e-13.
        assert_allclose(2 * (model.loglik_ - restricted), Q95, rtol=1e-6)
    assert np.isnan(model.lr_pvalues_[-1])  # α = 0 is outside the domain


def test_negative_binomial_alpha_interval_reaches_the_boundary():
    X, y = _negative_binomial_data(0.08, seed=5)
    model = _fit(FisherGLMRegressor(family="negative_binomial"), X, y)
    poisson = _fit(FisherPoissonRegressor(), X, y)
    # The Poisson fit (the limit α → 0) is inside the 95% region ...
    assert 2 * (model.loglik_ - poisson.loglik_) < Q95
    # ... so the interval reaches the lower end of α's domain.
    lower, upper = model.conf_int(method="profile")[-1]
    assert lower < 1e-6 < model.params_[-1] < upper


# Warnings -----------------------------------------------------------------------------
@pytest.mark.parametrize("quantity", ["lr_pvalues_", "summary"])
def test_unconverged_refits_warn_at_the_callers_line(monkeypatch, quantity):
    # Refits cut to one step do not converge: the ProfileWarning names the
    # parameters and points at the line that asked (skfisher._warnings.warn).
    # Their noisy statistic used to break the interval's bracket and escape
    # as scipy's "f(a) and f(b) must have different signs".
    X, y = spector()
    model = _fit(FisherLogisticRegression(), X, y)
    monkeypatch.setattr("skfisher._profile._REFIT_MAX_ITER", 1)
    with pytest.warns(ProfileWarning, match="did not converge") as record:
        if quantity == "summary":
            model.summary(ci="profile")
        else:
            model.lr_pvalues_  # noqa: B018
    assert {w.filename for w in record} == {__file__}
    assert all(issubclass(w.category, ProfileWarning) for w in record)
