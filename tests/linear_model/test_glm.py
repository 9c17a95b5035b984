"""FisherGLMRegressor against statsmodels' GLM, for every family/link pair.

Each pair is fitted on real data that statsmodels ships (where the model fits
them) and on a random problem with frequency weights (zeros included) and an
offset. The reference for every quantity is statsmodels' ``GLM`` with
``freq_weights`` and ``offset``:

- params, ``bse`` (cov_type="fisher": the expected information at the Pearson
  scale), deviance, scale (dispersion), ``llf``, ``aic`` and ``bic_llf``;
- observed information: ``-model.hessian(params, scale, observed=True)``;
- empirical Fisher: ``Σ_i score_obs_i score_obs_iᵀ / w_i`` (statsmodels'
  ``score_obs`` rows carry the weight once, ``w_i s_i``);
- sandwich: ``fit(cov_type="HC0")``, which divides the score rows by
  ``sqrt(freq_weights)``, so a weight is a repeated row as here. The scale
  cancels in ``J⁻¹ F J⁻¹`` (J ∝ 1/φ, F ∝ 1/φ²), so statsmodels' HC0 and ours
  agree for the dispersion families too.

For binomial proportions with the trials as weights, statsmodels' ``llf``
with ``freq_weights`` (or ``var_weights``) omits ``log C(m, m y)``; the
log-likelihood reference is the two-column ``[successes, failures]`` model,
whose ``llf`` includes it (the convention of ``loglik_``).
"""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy.special import expit

from skfisher import FisherGLMRegressor
from skfisher.families import NegativeBinomial, Tweedie
from skfisher.links import get_link

# statsmodels warns (DomainWarning) for every link it does not call "safe" for
# the family, e.g. binomial-log; the references are checked to have converged.
pytestmark = pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.DomainWarning")

COV_TYPES = ("fisher", "observed", "empirical", "sandwich")

# Both fitters solve the score equations to near machine precision (ours to a
# step of 1e-10 standard errors, statsmodels' IRLS to a deviance change of
# 1e-13), so the differences are rounding, and each bound leaves margin.
PARAMS_RTOL = 1e-6
# An estimate near zero has no relative precision: compare it to a tiny
# fraction of its standard error instead.
PARAMS_SE_ATOL = 1e-6
SE_RTOL = 1e-5
DEVIANCE_RTOL = 1e-7
LOGLIK_RTOL = 1e-8
# Matrices compared after scaling to unit diagonal, so that columns of very
# different scale are judged alike. Each side is evaluated at its own estimate;
# statsmodels' IRLS stops on a deviance change, which on star98 with the log
# link (deviance 1e5, a flat direction) leaves its estimate 5e-7 standard
# errors from the optimum, and its matrices move by as much.
MATRIX_ATOL = 2e-6
# Ours must solve statsmodels' own score equations: the Newton step
# ``J⁻¹ U`` from our estimate, with statsmodels' score and Hessian, is below
# this many standard errors.
NEWTON_STEP_ATOL = 1e-8

_L = sm.families.links
SM_LINKS = {
    "identity": _L.Identity,
    "log": _L.Log,
    "logit": _L.Logit,
    "probit": _L.Probit,
    "cloglog": _L.CLogLog,
    "inverse": _L.InversePower,
    "inverse_squared": _L.InverseSquared,
    "sqrt": _L.Sqrt,
}
NB_ALPHA = 0.8
TWEEDIE_POWER = 1.5

PAIRS = [
    ("binomial", "logit"),
    ("binomial", "probit"),
    ("binomial", "cloglog"),
    ("binomial", "log"),
    ("poisson", "log"),
    ("poisson", "identity"),
    ("poisson", "sqrt"),
    ("gaussian", "identity"),
    ("gaussian", "log"),
    ("gaussian", "inverse"),
    ("gamma", "inverse"),
    ("gamma", "log"),
    ("gamma", "identity"),
    ("inverse_gaussian", "inverse_squared"),
    ("inverse_gaussian", "log"),
    ("inverse_gaussian", "inverse"),
    ("inverse_gaussian", "identity"),
    ("negative_binomial", "log"),
    ("tweedie", "log"),
]


def ours_family(family):
    """Our family argument; the negative binomial here has α fixed (as GLM's)."""
    if family == "negative_binomial":
        return NegativeBinomial(alpha=NB_ALPHA)
    if family == "tweedie":
        return Tweedie(power=TWEEDIE_POWER)
    return family


def sm_family(family, link, alpha=NB_ALPHA):
    link = SM_LINKS[link]()
    if family == "negative_binomial":
        return sm.families.NegativeBinomial(link=link, alpha=alpha)
    if family == "tweedie":
        return sm.families.Tweedie(link=link, var_power=TWEEDIE_POWER)
    classes = {
        "binomial": sm.families.Binomial,
        "poisson": sm.families.Poisson,
        "gaussian": sm.families.Gaussian,
        "gamma": sm.families.Gamma,
        "inverse_gaussian": sm.families.InverseGaussian,
    }
    return classes[family](link=link)


# Real data shipped by statsmodels --------------------------------------------
def _frame(name):
    return getattr(sm.datasets, name).load_pandas().data


def cpunish():
    """Executions in US states (statsmodels' Poisson and Tweedie example)."""
    data = _frame("cpunish")
    X = data[["INCOME", "PERPOVERTY", "PERBLACK", "VC100k96", "SOUTH", "DEGREE"]].copy()
    X["VC100k96"] = np.log(X["VC100k96"])
    return X, data["EXECUTIONS"].to_numpy(float), None


def randhie():
    """RAND health insurance experiment: doctor visits (a count) of 20,190 people."""
    data = _frame("randhie")
    return data.drop(columns="mdvis"), data["mdvis"].to_numpy(float), None


def scotland():
    """Scottish parliament referendum: the 'yes' share of 32 council areas (positive)."""
    data = _frame("scotland")
    return data.drop(columns="YES"), data["YES"].to_numpy(float), None


def star98():
    """California schools: the share above the national median, with the pupils as trials."""
    data = _frame("star98")
    trials = (data["NABOVE"] + data["NBELOW"]).to_numpy(float)
    return data.drop(columns=["NABOVE", "NBELOW"]), data["NABOVE"].to_numpy(float) / trials, trials


# Each pair with the real data it fits. Poisson-identity has no interior
# maximum on cpunish (fitted means run into 0 and neither fitter converges),
# so it and Poisson-sqrt (whose Fisher scoring converges only linearly there)
# use randhie.
REAL_CASES = [
    ("binomial", "logit", star98),
    ("binomial", "probit", star98),
    ("binomial", "cloglog", star98),
    ("binomial", "log", star98),
    ("poisson", "log", cpunish),
    ("poisson", "identity", randhie),
    ("poisson", "sqrt", randhie),
    ("gaussian", "identity", scotland),
    ("gaussian", "log", scotland),
    ("gaussian", "inverse", scotland),
    ("gamma", "inverse", scotland),
    ("gamma", "log", scotland),
    ("gamma", "identity", scotland),
    ("inverse_gaussian", "inverse_squared", scotland),
    ("inverse_gaussian", "log", scotland),
    ("inverse_gaussian", "inverse", scotland),
    ("inverse_gaussian", "identity", scotland),
    ("negative_binomial", "log", randhie),
    ("tweedie", "log", cpunish),
]


# Random problems ----------------------------------------------------------------
def random_problem(family, link, seed=0, n=300):
    """X (n, 3), a response of the family, integer weights (zeros included), offset.

    The model is the one fitted: the linear predictor is linear in X for the
    link, varying the mean by about ±15% around a centre inside the family's
    domain, so every maximum-likelihood estimate is interior. (A misspecified
    link also fits, but Fisher scoring then converges slowly: for a log-linear
    truth fitted with gamma-identity the contraction per step is 0.87 and
    statsmodels' IRLS needs 223 iterations.) For the binomial the response is a
    proportion and the weights are its trials (1 to 5).
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 0.5, 2.0]
    linear = 0.5 * (0.25 * X[:, 0] - 0.3 * X[:, 1] + 0.05 * X[:, 2])
    offset = rng.normal(scale=0.01, size=n)
    weights = rng.integers(0, 4, size=n).astype(float)
    if family == "binomial":
        mu = expit(-0.4 + 0.5 * X[:, 0] - 0.4 * X[:, 1] + 0.1 * X[:, 2])
        trials = rng.integers(1, 6, size=n)
        return X, rng.binomial(trials, mu) / trials, trials.astype(float), offset
    # η = g(m) + g'(m) m · linear: the mean moves by m · linear to first order.
    g = get_link(link)
    centre = 3.0
    slope = centre / float(g.inverse_deriv(g.link(centre)))
    mu = g.inverse(g.link(centre) + slope * linear + offset)
    if family == "poisson":
        y = rng.poisson(mu)
    elif family == "negative_binomial":
        y = rng.negative_binomial(1 / NB_ALPHA, 1 / (1 + NB_ALPHA * mu))
    elif family == "gaussian":
        y = mu + rng.normal(scale=0.5, size=n)
    elif family == "gamma":
        y = rng.gamma(4.0, mu / 4.0)
    elif family == "inverse_gaussian":
        y = rng.wald(mu, 20.0)
    else:  # tweedie, p = 1.5: Poisson(λ) gamma summands of shape γ = 1
        phi = 0.7
        p = TWEEDIE_POWER
        counts = rng.poisson(mu ** (2 - p) / (phi * (2 - p)))
        y = rng.gamma(np.maximum(counts, 1) * (2 - p) / (p - 1), phi * (p - 1) * mu ** (p - 1))
        y[counts == 0] = 0.0
    return X, np.asarray(y, dtype=float), weights, offset


# The comparison --------------------------------------------------------------
def fit_ours(family, link, X, y, w, offset, cov_type="fisher"):
    """Fit with every warning an error: a clean fit must be silent.

    ``tol=1e-10`` standard errors; ``max_iter=1000`` because Fisher scoring of
    binomial-log on star98 converges linearly (106 steps to that tol).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = FisherGLMRegressor(
            ours_family(family), link, tol=1e-10, max_iter=1000, cov_type=cov_type
        )
        return model.fit(X, y, sample_weight=w, offset=offset)


def statsmodels_reference(family, link, X, y, w, offset, our_params):
    """Every quantity of the Fisher contract, from statsmodels' GLM."""
    exog = sm.add_constant(np.asarray(X, dtype=float), has_constant="add")
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    # Rows of weight 0 are left out: statsmodels' HC0 divides by sqrt(w).
    keep = w > 0
    exog, y, w = exog[keep], y[keep], w[keep]
    offset = None if offset is None else offset[keep]
    model = sm.GLM(y, exog, family=sm_family(family, link), freq_weights=w, offset=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DomainWarning of non-canonical links
        start = None
        try:
            fit = model.fit(tol=1e-13, maxiter=2000)
        except ValueError:
            # statsmodels' IRLS has no step halving: on the random inverse
            # Gaussian problem with the 1/μ² link its steps leave the link's
            # domain (1/μ² < 0) from its own start and from an intercept-only
            # one. Started at our estimate it must then find it a fixed point
            # of its own iteration, and the check of its score equations
            # below (Newton step < 1e-8 SE) holds either way.
            start = our_params
            fit = model.fit(tol=1e-13, maxiter=2000, start_params=start)
        if not fit.converged:
            # statsmodels' IRLS stops on the relative change of its deviance,
            # which at tol=1e-13 it may not reach from its own start where
            # Fisher scoring converges linearly (gamma-log); from our estimate
            # it must find a fixed point, as above.
            start = our_params
            fit = model.fit(tol=1e-13, maxiter=2000, start_params=start)
        robust = model.fit(tol=1e-13, maxiter=2000, cov_type="HC0", start_params=start)
    assert fit.converged
    scale = fit.scale
    observed = -model.hessian(fit.params, scale=scale, observed=True)
    expected = -model.hessian(fit.params, scale=scale, observed=False)
    scores = model.score_obs(fit.params, scale=scale)
    empirical = scores.T @ (scores / w[:, None])
    llf = fit.llf
    if family == "binomial":
        successes = np.rint(y * w)
        two_column = sm.GLM(
            np.column_stack([successes, w - successes]),
            exog,
            family=sm_family(family, link),
            offset=offset,
        )
        llf = two_column.loglike(fit.params, scale=1.0)
    return {
        "model": model,
        "params": fit.params,
        "bse": {
            "fisher": fit.bse,
            "observed": np.sqrt(np.diag(np.linalg.inv(observed))),
            "empirical": np.sqrt(np.diag(np.linalg.inv(empirical))),
            "sandwich": robust.bse,
        },
        "information": expected,
        "observed": observed,
        "empirical": empirical,
        "deviance": fit.deviance,
        "scale": scale,
        "llf": llf,
        "aic": -2 * llf + 2 * len(fit.params),
        "bic": -2 * llf + np.log(w.sum()) * len(fit.params),
        "sm_aic": fit.aic,
        "sm_bic": fit.bic_llf,
    }


def assert_params_close(actual, expected, standard_errors):
    """Each estimate within PARAMS_RTOL, or within PARAMS_SE_ATOL standard errors."""
    bound = PARAMS_RTOL * np.abs(expected) + PARAMS_SE_ATOL * standard_errors
    difference = np.abs(actual - expected)
    assert np.all(difference <= bound), f"differences {difference} exceed {bound}"


def assert_matrix_close(actual, expected):
    scale = np.sqrt(np.abs(np.diag(expected)))
    outer = np.outer(scale, scale)
    assert_allclose(actual / outer, expected / outer, atol=MATRIX_ATOL)


def check_against_statsmodels(family, link, X, y, w, offset):
    fits = {cov_type: fit_ours(family, link, X, y, w, offset, cov_type) for cov_type in COV_TYPES}
    model = fits["fisher"]
    ref = statsmodels_reference(family, link, X, y, w, offset, model.params_)
    assert_params_close(model.params_, ref["params"], ref["bse"]["fisher"])
    sm_model = ref["model"]
    score = sm_model.score(model.params_, scale=ref["scale"])
    hessian = sm_model.hessian(model.params_, scale=ref["scale"], observed=True)
    newton_step = np.linalg.solve(hessian, score)
    assert np.all(np.abs(newton_step) <= NEWTON_STEP_ATOL * ref["bse"]["fisher"])
    for cov_type, fitted in fits.items():
        assert_allclose(fitted.standard_errors_, ref["bse"][cov_type], rtol=SE_RTOL)
    assert_matrix_close(model.information_, ref["information"])
    assert_matrix_close(model.observed_information_, ref["observed"])
    assert_matrix_close(model.empirical_fisher_, ref["empirical"])
    assert_allclose(model.deviance_, ref["deviance"], rtol=DEVIANCE_RTOL)
    assert_allclose(model.dispersion_, ref["scale"], rtol=DEVIANCE_RTOL)
    assert_allclose(model.loglik_, ref["llf"], rtol=LOGLIK_RTOL)
    assert_allclose(model.aic_, ref["aic"], rtol=LOGLIK_RTOL)
    assert_allclose(model.bic_, ref["bic"], rtol=LOGLIK_RTOL)
    if family != "binomial":
        # statsmodels' own aic and bic_llf count the coefficients and log(Σw).
        assert_allclose(model.aic_, ref["sm_aic"], rtol=LOGLIK_RTOL)
        assert_allclose(model.bic_, ref["sm_bic"], rtol=LOGLIK_RTOL)
    return model


@pytest.mark.parametrize("family, link", PAIRS, ids=[f"{f}-{k}" for f, k in PAIRS])
def test_random_problem_matches_statsmodels(family, link):
    X, y, w, offset = random_problem(family, link)
    model = check_against_statsmodels(family, link, X, y, w, offset)
    assert model.converged_


@pytest.mark.parametrize(
    "family, link, dataset", REAL_CASES, ids=[f"{f}-{k}-{d.__name__}" for f, k, d in REAL_CASES]
)
def test_real_data_matches_statsmodels(family, link, dataset):
    X, y, w = dataset()
    model = check_against_statsmodels(family, link, X, y, w, None)
    assert model.param_names_.tolist() == ["intercept", *map(str, X.columns)]


# Expected versus observed information --------------------------------------------
def test_probit_expected_and_observed_information_differ_and_match_statsmodels():
    X, y, w = star98()
    model = fit_ours("binomial", "probit", X, y, w, None)
    ref = statsmodels_reference("binomial", "probit", X, y, w, None, model.params_)
    # For the probit link the weights differ by r (μ'' − μ'² V'/V)/V, far from 0.
    scale = np.sqrt(np.outer(np.diag(model.information_), np.diag(model.information_)))
    assert np.max(np.abs(model.observed_information_ - model.information_) / scale) > 1e-3
    assert_matrix_close(model.information_, ref["information"])
    assert_matrix_close(model.observed_information_, ref["observed"])
    observed = fit_ours("binomial", "probit", X, y, w, None, cov_type="observed")
    assert not np.allclose(observed.standard_errors_, model.standard_errors_, rtol=1e-4)
    assert_allclose(observed.standard_errors_, ref["bse"]["observed"], rtol=SE_RTOL)


def test_canonical_links_have_equal_expected_and_observed_information():
    # Gamma-inverse and inverse Gaussian-1/μ² take the general formulas (their
    # natural parameter is only proportional to η), which must still give J = I.
    for family, link in [("gamma", "inverse"), ("inverse_gaussian", "inverse_squared")]:
        X, y, w = scotland()
        model = fit_ours(family, link, X, y, w, None)
        assert_matrix_close(model.observed_information_, model.information_)


# Offsets ---------------------------------------------------------------------
def test_poisson_offset_log_exposure_equals_statsmodels_exposure():
    X, y, _ = cpunish()
    exposure = np.random.default_rng(1).uniform(0.5, 3.0, size=len(y))
    model = fit_ours("poisson", "log", X, y, None, np.log(exposure))
    exog = sm.add_constant(np.asarray(X, dtype=float))
    ref = sm.GLM(y, exog, family=sm.families.Poisson(), exposure=exposure).fit(tol=1e-13)
    assert_params_close(model.params_, ref.params, ref.bse)
    assert_allclose(model.standard_errors_, ref.bse, rtol=SE_RTOL)
    assert_allclose(model.loglik_, ref.llf, rtol=LOGLIK_RTOL)
    assert_allclose(model.predict(X, offset=np.log(exposure)), ref.mu, rtol=1e-7)


def test_offset_routes_through_a_pipeline_with_metadata_routing():
    import sklearn
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y, _ = cpunish()
    offset = np.log(np.random.default_rng(2).uniform(0.5, 3.0, size=len(y)))
    direct = fit_ours("poisson", "log", X, y, None, offset)
    with sklearn.config_context(enable_metadata_routing=True):
        glm = FisherGLMRegressor(tol=1e-10).set_fit_request(offset=True)
        glm = glm.set_predict_request(offset=True)
        pipe = make_pipeline(FunctionTransformer(), glm).fit(X, y, offset=offset)
        predicted = pipe.predict(X, offset=offset)
    assert_allclose(pipe[-1].params_, direct.params_, rtol=1e-10)
    assert_allclose(predicted, direct.predict(X, offset=offset), rtol=1e-10)
    # Without the offset the fit is a different model.
    assert not np.allclose(fit_ours("poisson", "log", X, y, None, None).params_, direct.params_)


# Agreement with scikit-learn: penalty convention, predictions and D² ----------
@pytest.mark.parametrize(
    "family, sklearn_estimator",
    [("poisson", "PoissonRegressor"), ("gamma", "GammaRegressor"), ("tweedie", "Tweedie")],
)
@pytest.mark.parametrize("penalty", [0.0, 0.05])
def test_penalised_fit_and_d2_match_scikit_learn(family, sklearn_estimator, penalty):
    from sklearn import linear_model

    X, y, w, _ = random_problem(family, "log", seed=3)
    if sklearn_estimator == "Tweedie":
        theirs = linear_model.TweedieRegressor(power=TWEEDIE_POWER, link="log", alpha=penalty)
    else:
        theirs = getattr(linear_model, sklearn_estimator)(alpha=penalty)
    theirs.set_params(solver="newton-cholesky", tol=1e-12, max_iter=1000)
    theirs.fit(X, y, sample_weight=w)
    ours = FisherGLMRegressor(ours_family(family), "log", alpha=penalty, tol=1e-10)
    ours.fit(X, y, sample_weight=w)
    # scikit-learn's Newton solver stops at tol=1e-12 on its gradient.
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-7)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-7)
    assert_allclose(ours.score(X, y, w), theirs.score(X, y, w), rtol=1e-7)


# Frequency weights, warm start, sparse input, conveniences -------------------
@pytest.mark.parametrize("family, link", [("gamma", "identity"), ("binomial", "cloglog")])
def test_integer_weights_equal_repeated_rows(family, link):
    X, y, w, offset = random_problem(family, link, seed=4)
    if family == "binomial":
        y = (y > 0.5).astype(float)  # 0/1 responses: a weight is a repeated row
        w = np.random.default_rng(4).integers(0, 4, size=len(y)).astype(float)
    weighted = fit_ours(family, link, X, y, w, offset)
    rows = np.repeat(np.arange(len(y)), w.astype(int))
    repeated = fit_ours(family, link, X[rows], y[rows], None, offset[rows])
    for name in (
        "params_",
        "standard_errors_",
        "information_",
        "observed_information_",
        "empirical_fisher_",
        "loglik_",
        "deviance_",
        "dispersion_",
        "aic_",
        "bic_",
    ):
        assert_allclose(getattr(weighted, name), getattr(repeated, name), rtol=1e-8, err_msg=name)


def test_warm_start_converges_at_once():
    X, y, w, offset = random_problem("gamma", "log", seed=5)
    model = FisherGLMRegressor("gamma", "log", warm_start=True).fit(X, y, w, offset)
    first = model.params_.copy()
    model.fit(X, y, w, offset)
    assert model.n_iter_ <= 1
    assert_allclose(model.params_, first, rtol=1e-9)


def test_sparse_input_equals_dense():
    import scipy.sparse as sp

    X, y, w, offset = random_problem("poisson", "sqrt", seed=6)
    dense = fit_ours("poisson", "sqrt", X, y, w, offset, cov_type="sandwich")
    sparse = fit_ours("poisson", "sqrt", sp.csr_matrix(X), y, w, offset, cov_type="sandwich")
    assert_allclose(sparse.params_, dense.params_, rtol=1e-10)
    assert_allclose(sparse.standard_errors_, dense.standard_errors_, rtol=1e-10)


def test_conveniences_equal_the_general_estimator():
    from skfisher import FisherGammaRegressor, FisherPoissonRegressor

    for convenience, family in [
        (FisherPoissonRegressor, "poisson"),
        (FisherGammaRegressor, "gamma"),
    ]:
        X, y, w, offset = random_problem(family, "log", seed=7)
        general = FisherGLMRegressor(family, "log", cov_type="observed").fit(X, y, w, offset)
        short = convenience(cov_type="observed").fit(X, y, w, offset)
        assert "family" not in short.get_params()
        assert_allclose(short.params_, general.params_, rtol=1e-12)
        assert_allclose(short.standard_errors_, general.standard_errors_, rtol=1e-12)
        assert short.link_.name == "log" and short.family_.name == family


# The stop of the dispersion families is in standard errors --------------------
@pytest.mark.parametrize("units", [1e-6, 1.0, 1e6])
def test_dispersion_family_fit_does_not_depend_on_the_units_of_y(units):
    X, y, w, offset = random_problem("gaussian", "log", seed=8)
    base = fit_ours("gaussian", "log", X, y, w, offset)
    scaled = fit_ours("gaussian", "log", X, y * units, w, offset)
    # Multiplying y by c adds log c to the intercept and changes nothing else,
    # including how many steps the loop takes to the same accuracy.
    shift = np.zeros_like(base.params_)
    shift[0] = np.log(units)
    assert_allclose(scaled.params_, base.params_ + shift, rtol=1e-9, atol=1e-9)
    assert_allclose(scaled.standard_errors_, base.standard_errors_, rtol=1e-7)
    assert_allclose(scaled.dispersion_, base.dispersion_ * units**2, rtol=1e-9)
    assert abs(scaled.n_iter_ - base.n_iter_) <= 1


def test_cluster_covariance_matches_statsmodels():
    # Without weights: with frequency weights the small-sample factor
    # (N − 1)/(N − k) takes N = Σw here (frequency weights) and the number of rows in
    # statsmodels.
    X, y, _, offset = random_problem("gamma", "log", seed=9)
    groups = np.random.default_rng(9).integers(0, 25, size=len(y))
    model = FisherGLMRegressor("gamma", "log", cov_type="cluster", tol=1e-10)
    model.fit(X, y, offset=offset, groups=groups)
    exog = sm.add_constant(X)
    ref = sm.GLM(y, exog, family=sm_family("gamma", "log"), offset=offset).fit(
        tol=1e-13, cov_type="cluster", cov_kwds={"groups": groups}
    )
    assert_allclose(model.standard_errors_, ref.bse, rtol=SE_RTOL)


def test_summary_names_family_link_and_dispersion():
    X, y, _ = scotland()
    model = fit_ours("gamma", "log", X, y, None, None)
    text = str(model.summary())
    assert "Gamma()" in text and "log" in text and "Dispersion" in text
    assert model.conf_int().shape == (len(model.params_), 2)
