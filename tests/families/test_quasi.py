"""Quasi-Poisson and quasi-binomial fits against statsmodels, R and the likelihood fits.

The reference of every matrix is statsmodels' ``GLM(family=Poisson() | Binomial(),
freq_weights=w).fit(scale="X2")``: the coefficients of the likelihood family
with Pearson's φ̂ = χ²/(Σw − k) as the scale. As in
``tests/linear_model/test_glm.py``: ``fisher`` is its ``bse``, ``observed`` the
inverse of ``-model.hessian(params, scale, observed=True)``, ``empirical`` the
inverse of ``Σ_i score_obs_i score_obs_iᵀ / w_i``, ``sandwich`` its
``cov_type="HC0"`` and ``cluster`` its ``cov_type="cluster"`` (without weights,
whose small-sample factor statsmodels counts in rows). R's ``glm`` with
``quasipoisson`` and ``quasibinomial`` gives the profile intervals of
``confint`` (``tests/reference/make_quasi_reference.R``).
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import expit

from skfisher import FisherGLMRegressor
from skfisher.cli import main
from skfisher.datasets import load_anes96, load_randhie
from skfisher.families import (
    FAMILY_NAMES,
    Binomial,
    Poisson,
    QuasiBinomial,
    QuasiPoisson,
    get_family,
)

# statsmodels warns (DomainWarning) for the links it does not call safe (Poisson-sqrt).
pytestmark = pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.DomainWarning")

REFERENCE = json.loads(
    (Path(__file__).resolve().parents[1] / "reference" / "quasi_r.json").read_text()
)
COV_TYPES = ("fisher", "observed", "empirical", "sandwich")
LIKELIHOOD = {"quasi_poisson": "poisson", "quasi_binomial": "binomial"}
SM_FAMILY = {"quasi_poisson": sm.families.Poisson, "quasi_binomial": sm.families.Binomial}
_L = sm.families.links
SM_LINK = {
    "log": _L.Log,
    "identity": _L.Identity,
    "sqrt": _L.Sqrt,
    "logit": _L.Logit,
    "probit": _L.Probit,
    "cloglog": _L.CLogLog,
}
# Both fits stop at a step of 1e-12 standard errors and take the same Fisher
# steps (φ scales the score and the information alike): rounding apart, the
# quasi estimate is the likelihood one.
PARAMS_RTOL = 1e-10
# statsmodels' IRLS solves the same equations to a deviance change of 1e-13.
SE_RTOL = 1e-6
SCALE_RTOL = 1e-8


def randhie():
    X, y = load_randhie(return_X_y=True)
    return X, y, None


def anes96():
    X, y = load_anes96(return_X_y=True)
    return X, y.astype(float), None


def star98():
    """California schools: the share above the national median, the pupils as trials."""
    data = sm.datasets.star98.load_pandas().data
    trials = (data["NABOVE"] + data["NBELOW"]).to_numpy(float)
    X = data.drop(columns=["NABOVE", "NBELOW"]).to_numpy(float)
    return X, data["NABOVE"].to_numpy(float) / trials, trials


def overdispersed(family, link, seed=0, n=400):
    """X (n, 3), an overdispersed response, integer weights (zeros included), an offset.

    Negative-binomial counts (φ ≈ 1 + μ/2) for the quasi-Poisson; beta-binomial
    proportions of 1–8 trials, the trials as weights, for the quasi-binomial.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 0.5, 2.0]
    offset = rng.normal(scale=0.05, size=n)
    linear = 0.3 * X[:, 0] - 0.4 * X[:, 1] + 0.05 * X[:, 2] + offset
    if family == "quasi_binomial":
        mu = {"logit": expit, "probit": stats.norm.cdf, "cloglog": lambda e: -np.expm1(-np.exp(e))}
        # Beta(3p/(1 − p), 3) has mean p: the trials of a row share their probability.
        p = mu[link](linear - 0.3)
        p = rng.beta(3.0 * p / (1.0 - p), 3.0)
        trials = rng.integers(1, 9, size=n)
        return X, rng.binomial(trials, p) / trials, trials.astype(float), offset
    mean = {"log": lambda e: 3.0 * np.exp(e), "sqrt": lambda e: (1.7 + e) ** 2}
    mean["identity"] = lambda e: 3.0 + 2.0 * e
    mu = mean[link](linear - offset) if link != "log" else mean[link](linear)
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + mu))
    weights = rng.integers(0, 4, size=n).astype(float)
    return X, y.astype(float), weights, offset if link == "log" else None


def fit(family, X, y, w=None, offset=None, link="default", cov_type="fisher", groups=None):
    """Our fit with every warning an error, to a step of 1e-12 standard errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = FisherGLMRegressor(family, link, tol=1e-12, max_iter=200, cov_type=cov_type)
        return model.fit(X, y, sample_weight=w, offset=offset, groups=groups)


def statsmodels_fit(family, link, X, y, w, offset):
    """statsmodels' quasi fit (scale="X2") and its standard errors by covariance."""
    exog = sm.add_constant(np.asarray(X, dtype=float), has_constant="add")
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    keep = w > 0  # statsmodels' HC0 divides the score rows by sqrt(w)
    exog, y, w = exog[keep], y[keep], w[keep]
    offset = None if offset is None else offset[keep]
    sm_family = SM_FAMILY[family](link=SM_LINK[link]())
    model = sm.GLM(y, exog, family=sm_family, freq_weights=w, offset=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DomainWarning of non-canonical links
        result = model.fit(scale="X2", tol=1e-13, maxiter=1000)
        robust = model.fit(
            scale="X2", tol=1e-13, maxiter=1000, cov_type="HC0", start_params=result.params
        )
    observed = -model.hessian(result.params, scale=result.scale, observed=True)
    scores = model.score_obs(result.params, scale=result.scale)
    empirical = scores.T @ (scores / w[:, None])
    return result, {
        "fisher": result.bse,
        "observed": np.sqrt(np.diag(np.linalg.inv(observed))),
        "empirical": np.sqrt(np.diag(np.linalg.inv(empirical))),
        "sandwich": robust.bse,
    }


CASES = {
    "randhie-quasi_poisson-log": ("quasi_poisson", "log", randhie),
    "star98-quasi_binomial-logit": ("quasi_binomial", "logit", star98),
    "anes96-quasi_binomial-logit": ("quasi_binomial", "logit", anes96),
    "anes96-quasi_binomial-probit": ("quasi_binomial", "probit", anes96),
}
RANDOM = [
    ("quasi_poisson", "log"),
    ("quasi_poisson", "sqrt"),
    ("quasi_poisson", "identity"),
    ("quasi_binomial", "logit"),
    ("quasi_binomial", "probit"),
    ("quasi_binomial", "cloglog"),
]


def _data(case):
    family, link, loader = CASES[case]
    X, y, w = loader()
    return family, link, X, y, w, None


@pytest.fixture(
    params=list(CASES) + [f"random-{family}-{link}" for family, link in RANDOM],
)
def problem(request):
    if request.param in CASES:
        return _data(request.param)
    _, family, link = request.param.split("-")
    return family, link, *overdispersed(family, link, seed=len(link))


def test_params_are_those_of_the_likelihood_fit(problem):
    family, link, X, y, w, offset = problem
    quasi = fit(family, X, y, w, offset, link)
    plain = fit(LIKELIHOOD[family], X, y, w, offset, link)
    assert_allclose(quasi.params_, plain.params_, rtol=PARAMS_RTOL, atol=1e-14)
    assert_allclose(quasi.deviance_, plain.deviance_, rtol=1e-12)
    # Pearson's φ̂ scales every matrix: I and J by 1/φ̂, F by 1/φ̂²; the sandwich
    # J⁻¹ F J⁻¹ is the likelihood fit's.
    phi = quasi.dispersion_
    assert_allclose(quasi.information_, plain.information_ / phi, rtol=1e-9)
    assert_allclose(quasi.observed_information_, plain.observed_information_ / phi, rtol=1e-9)
    assert_allclose(quasi.empirical_fisher_, plain.empirical_fisher_ / phi**2, rtol=1e-9)
    for cov_type, power in (("fisher", 0.5), ("observed", 0.5), ("empirical", 1.0)):
        assert_allclose(
            quasi.standard_errors(cov_type),
            plain.standard_errors(cov_type) * phi**power,
            rtol=1e-9,
        )
    assert_allclose(
        quasi.standard_errors("sandwich"), plain.standard_errors("sandwich"), rtol=1e-9
    )


def test_standard_errors_and_dispersion_match_statsmodels_scale_x2(problem):
    family, link, X, y, w, offset = problem
    reference, bse = statsmodels_fit(family, link, X, y, w, offset)
    for cov_type in COV_TYPES:
        ours = fit(family, X, y, w, offset, link, cov_type=cov_type)
        assert_allclose(ours.params_, reference.params, rtol=1e-8, atol=1e-10)
        assert_allclose(ours.standard_errors_, bse[cov_type], rtol=SE_RTOL)
    assert_allclose(ours.dispersion_, reference.scale, rtol=SCALE_RTOL)
    assert ours.dispersion_ != pytest.approx(1.0, abs=1e-3)  # the data are overdispersed


@pytest.mark.parametrize("family, link", [("quasi_poisson", "log"), ("quasi_binomial", "probit")])
def test_cluster_covariance_matches_statsmodels(family, link):
    X, y, _, offset = overdispersed(family, link, seed=3)
    groups = np.random.default_rng(3).integers(0, 30, size=len(y))
    ours = fit(family, X, y, None, offset, link, cov_type="cluster", groups=groups)
    model = sm.GLM(
        y, sm.add_constant(X), family=SM_FAMILY[family](link=SM_LINK[link]()), offset=offset
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = model.fit(
            scale="X2", tol=1e-13, cov_type="cluster", cov_kwds={"groups": groups}
        )
    assert_allclose(ours.standard_errors_, reference.bse, rtol=SE_RTOL)


def test_no_log_likelihood_aic_or_bic():
    X, y, _ = randhie()
    model = fit("quasi_poisson", X, y)
    assert np.isnan(model.loglik_) and np.isnan(model.aic_) and np.isnan(model.bic_)
    assert np.isnan(model.fisher_result_.loglik)
    text = str(model.summary())
    assert "QuasiPoisson()" in text and "Log-likelihood:" in text
    assert np.isfinite(model.standard_errors_).all()
    for family in (QuasiPoisson, QuasiBinomial):
        assert "no normalised density" in family.loglik_obs.__doc__
        assert np.isnan(family().loglik_obs(np.array([0.0, 1.0]), np.array([0.5, 0.5]))).all()
        assert "loglik_" in family.__doc__ and "nan" in family.__doc__


@pytest.mark.parametrize("case", ["randhie_quasi_poisson", "anes96_quasi_binomial"])
def test_against_r_glm_and_its_profile_intervals(case):
    family = "quasi_poisson" if case.endswith("poisson") else "quasi_binomial"
    X, y, _ = randhie() if case.startswith("randhie") else anes96()
    reference = REFERENCE[case]
    model = fit(family, X, y)
    assert_allclose(model.params_, reference["coefficients"], rtol=1e-9)
    assert_allclose(model.deviance_, reference["deviance"], rtol=1e-10)
    # R's summary.glm sums the working weights of its last iteration, which
    # lag the estimate by one step (1.4e-6 on anes96); statsmodels is exact.
    assert_allclose(model.dispersion_, reference["dispersion"], rtol=5e-6)
    assert_allclose(model.standard_errors_, reference["standard_errors"], rtol=5e-6)
    # confint interpolates its profile with a spline: 1e-5 standard errors.
    intervals = model.conf_int(method="profile")
    bound = 1e-4 * model.standard_errors_
    assert np.all(np.abs(intervals[:, 0] - reference["profile_lower"]) <= bound)
    assert np.all(np.abs(intervals[:, 1] - reference["profile_upper"]) <= bound)


def test_profile_quantities_are_those_of_the_scaled_deviance():
    X, y, w, offset = overdispersed("quasi_poisson", "log", seed=5)
    model = fit("quasi_poisson", X, y, w, offset)
    phi, names = model.dispersion_, model.param_names_
    intervals = model.conf_int(alpha=0.1, method="profile")
    z = stats.norm.ppf(0.95)
    for j in (1, 2):
        # At each end the refit with x_j in the offset has D = D̂ + z² φ̂.
        for end in intervals[j]:
            keep = [c for c in range(X.shape[1]) if c != j - 1]
            restricted = fit("poisson", X[:, keep], y, w, offset + end * X[:, j - 1])
            assert_allclose(restricted.deviance_, model.deviance_ + z**2 * phi, rtol=1e-8)
        # lr_pvalues_: the scaled-deviance test of θ_j = 0 (R's anova test="Chisq").
        restricted = fit("poisson", np.delete(X, j - 1, axis=1), y, w, offset)
        statistic = (restricted.deviance_ - model.deviance_) / phi
        assert_allclose(model.lr_pvalues_[j], stats.chi2.sf(statistic, 1), rtol=1e-6)
    assert names[1] == "x0"


def test_family_declarations():
    assert {"quasi_poisson", "quasi_binomial"} <= set(FAMILY_NAMES)
    assert get_family("quasi_poisson") == QuasiPoisson()
    assert get_family("quasi_binomial") == QuasiBinomial()
    assert repr(QuasiPoisson()) == "QuasiPoisson()" and QuasiPoisson() != Poisson()
    y = np.array([0.0, 0.2, 0.5, 1.0])
    mu = np.array([0.3, 0.4, 0.5, 0.6])
    for quasi, plain in ((QuasiPoisson(), Poisson()), (QuasiBinomial(), Binomial())):
        assert quasi.has_dispersion and not plain.has_dispersion
        assert quasi.links == plain.links and quasi.default_link == plain.default_link
        assert_allclose(quasi.variance(mu), plain.variance(mu), rtol=0)
        assert_allclose(quasi.variance_deriv(mu), plain.variance_deriv(mu), rtol=0)
        assert_allclose(quasi.unit_deviance(y, mu), plain.unit_deviance(y, mu), rtol=1e-14)
        assert_allclose(quasi.start_mu(y, np.ones(4)), plain.start_mu(y, np.ones(4)), rtol=0)
    assert QuasiBinomial().mean_is_probability and not QuasiPoisson().mean_is_probability


def test_refusals():
    X, y, _ = anes96()
    with pytest.raises(ValueError, match="bias_reduction='firth' is implemented for"):
        FisherGLMRegressor("quasi_binomial", bias_reduction="firth").fit(X, y)
    with pytest.raises(ValueError, match="var_weights are not available with the binomial"):
        FisherGLMRegressor("quasi_binomial").fit(X, y, var_weights=np.ones(len(y)))
    with pytest.raises(ValueError, match=r"quasi_poisson family requires y in \[0, inf\)"):
        FisherGLMRegressor("quasi_poisson").fit(X, y - 2.0)
    with pytest.raises(ValueError, match=r"'inverse' is not defined for the quasi_poisson"):
        FisherGLMRegressor("quasi_poisson", "inverse").fit(X, y)


def test_separation_is_diagnosed_as_for_the_binomial():
    X = np.arange(10.0).reshape(-1, 1)
    y = (X[:, 0] > 4.5).astype(float)
    with pytest.warns(Warning, match="separat"):
        model = FisherGLMRegressor("quasi_binomial").fit(X, y)
    assert not model.converged_


@pytest.mark.parametrize(
    "family, dataset", [("quasi_poisson", "randhie"), ("quasi_binomial", "anes96")]
)
def test_command_line(family, dataset, capsys):
    assert main(["fit", "--dataset", dataset, "--family", family, "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    X, y, _ = randhie() if dataset == "randhie" else anes96()
    model = fit(family, X, y)
    assert payload["family"] == family
    assert payload["loglik"] is None and payload["aic"] is None and payload["bic"] is None
    assert_allclose(payload["params"], model.params_, rtol=1e-7)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=1e-7)
    assert_allclose(payload["dispersion"], model.dispersion_, rtol=1e-7)
    assert main(["fit", "--dataset", dataset, "--family", family]) == 0
    text = capsys.readouterr().out
    title = "Quasi-Poisson" if family == "quasi_poisson" else "Quasi-binomial"
    assert text.startswith(f"{title} regression (")
    assert "no log-likelihood, AIC or BIC" in text
